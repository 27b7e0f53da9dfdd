from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from marketplace.forms import IndonesianPhone, strip

EMAIL_MESSAGE = _l("Tulis alamat e-mail yang valid, misalnya nama@contoh.id.")


class ProfileForm(FlaskForm):
    """Name, e-mail and phone: edited on the profile page, first given at registration."""

    name = StringField(
        _l("Nama lengkap"),
        filters=[strip],
        validators=[DataRequired(_l("Nama wajib diisi.")), Length(max=120)],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("E-mail wajib diisi.")),
            Email(EMAIL_MESSAGE, check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = TelField(
        _l("Nomor HP"),
        filters=[strip],
        validators=[DataRequired(_l("Nomor HP wajib diisi.")), IndonesianPhone()],
    )


class RegisterForm(ProfileForm):
    """Registration asks for the profile plus a password."""

    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Kata sandi wajib diisi."))])
    password_confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[
            DataRequired(_l("Ulangi kata sandi Anda.")),
            EqualTo("password", _l("Kedua kata sandi tidak sama.")),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("E-mail wajib diisi.")),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
    )
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Kata sandi wajib diisi."))])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("E-mail wajib diisi.")),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(_l("Kata sandi wajib diisi."))])
    password_confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(_l("Ulangi kata sandi Anda.")),
            EqualTo("password", _l("Kedua kata sandi tidak sama.")),
        ],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(_l("Kata sandi saat ini wajib diisi."))]
    )
    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[DataRequired(_l("Kata sandi baru wajib diisi."))]
    )
    new_password_confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(_l("Ulangi kata sandi baru.")),
            EqualTo("new_password", _l("Kedua kata sandi tidak sama.")),
        ],
    )
