from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from marketplace.forms import strip


class SuspendForm(FlaskForm):
    reason = StringField(_l("Alasan penangguhan"), filters=[strip], validators=[Length(max=500)])


class AppointOfficerForm(FlaskForm):
    email = EmailField(
        _l("E-mail petugas"),
        filters=[strip],
        validators=[
            DataRequired(_l("E-mail wajib diisi.")),
            Email(_l("Tulis alamat e-mail yang valid."), check_deliverability=False),
        ],
    )
    region_code = SelectField(
        _l("Wilayah tugas"), validate_choice=False, validators=[DataRequired(_l("Pilih wilayah tugas."))]
    )
