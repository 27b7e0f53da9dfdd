"""Accounts: registration, sign-in, profile, password reset, suspension and officer appointments."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace import regions
from marketplace.accounts import policy
from marketplace.accounts.models import OfficerAppointment, User
from marketplace.clock import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.mail.services import send_email
from marketplace.phones import normalise_phone

MIN_PASSWORD_LENGTH = 10
# The most common passwords in Indonesian leaks and everywhere; a long list lives in the attacker's tool,
# the length rule does most of the work.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "password123",
        "passw0rd123",
        "indonesia1",
        "indonesia123",
        "bismillah1",
        "bismillah123",
        "sayang1234",
        "iloveyou12",
        "admin12345",
        "1q2w3e4r5t",
        "qwerty1234",
        "abcdefghij",
        "1111111111",
        "0000000000",
        "gotong1234",
        "koperasi123",
        "rahasia123",
    }
)
RESET_SALT = "gotong.password-reset"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return _("Kata sandi ini terlalu mudah ditebak. Pakai kalimat pendek yang hanya Anda ketahui.")
    local_part = normalise_email(email).split("@", 1)[0]
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and len(name) >= 4 and name.strip().lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        return _("Kata sandi tidak boleh memuat nama atau alamat e-mail Anda.")
    return None


def _check_password(password: str, *, email: str, name: str, field: str = "password") -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem, field=field)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(*, name: str, email: str, phone: str, password: str, locale: str | None = None) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(
            _("E-mail ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi."), field="email"
        )
    _check_password(password, email=email, name=name)
    user = User(
        name=name.strip(),
        email=email,
        phone=normalise_phone(phone),
        password_hash=generate_password_hash(password),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The user with these credentials; a DomainError that reveals nothing about which part was wrong."""
    user = find_user_by_email(email)
    # Hash even when there is no such user, so timing does not tell which e-mails are registered.
    candidate_hash = user.password_hash if user else _dummy_hash()
    if not check_password_hash(candidate_hash, password) or user is None:
        raise DomainError(_("E-mail atau kata sandi salah."))
    if user.suspended_at is not None:
        raise DomainError(_("Akun ini sedang ditangguhkan oleh admin. Hubungi admin Gotong."))
    user.last_login_at = utcnow()
    return user


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash("not-a-real-password"))
    return _DUMMY_HASH[0]


def update_profile(user: User, *, name: str, phone: str, email: str) -> User:
    email = normalise_email(email)
    if email != user.email:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise DomainError(_("E-mail ini sudah dipakai akun lain."), field="email")
        user.email = email
    user.name = name.strip()
    user.phone = normalise_phone(phone)
    db.session.flush()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise DomainError(_("Kata sandi saat ini salah."), field="current_password")
    _check_password(new_password, email=user.email, name=user.name, field="new_password")
    user.password_hash = generate_password_hash(new_password)
    db.session.flush()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    # The token carries a fingerprint of the current password hash: once used (or the password changed
    # otherwise) it no longer matches, so a reset link works once.
    return _reset_serializer().dumps({"uid": user.id, "fp": user.session_fingerprint})


def request_password_reset(email: str, reset_link: Callable[[str], str]) -> None:
    """E-mail a reset link if the address belongs to an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.suspended_at is not None:
        return
    link = reset_link(make_reset_token(user))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
    body = ngettext(
        "Halo %(name)s,\n\nKami menerima permintaan untuk mengatur ulang kata sandi akun Gotong Anda. "
        "Buka tautan ini dalam %(num)d jam untuk membuat kata sandi baru:\n\n%(link)s\n\n"
        "Jika Anda tidak memintanya, abaikan e-mail ini; kata sandi Anda tidak berubah.\n\nSalam,\nGotong",
        "Halo %(name)s,\n\nKami menerima permintaan untuk mengatur ulang kata sandi akun Gotong Anda. "
        "Buka tautan ini dalam %(num)d jam untuk membuat kata sandi baru:\n\n%(link)s\n\n"
        "Jika Anda tidak memintanya, abaikan e-mail ini; kata sandi Anda tidak berubah.\n\nSalam,\nGotong",
        max(hours, 1),
        name=user.name,
        link=link,
    )
    send_email(user.email, _("Atur ulang kata sandi Gotong"), body)


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise DomainError(_("Tautan atur ulang sudah kedaluwarsa. Minta tautan baru.")) from exc
    except BadSignature as exc:
        raise DomainError(_("Tautan atur ulang tidak valid atau sudah dipakai. Minta tautan baru.")) from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.session_fingerprint != data.get("fp"):
        raise DomainError(_("Tautan atur ulang tidak valid atau sudah dipakai. Minta tautan baru."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _check_password(new_password, email=user.email, name=user.name)
    user.password_hash = generate_password_hash(new_password)
    db.session.flush()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


# --- administration -----------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not policy.is_admin(actor):
        raise PermissionDenied(_("Hanya admin platform yang boleh melakukan ini."))


def create_admin(*, email: str, name: str, phone: str, password: str) -> User:
    """Used by ``flask create-admin``: creates the account or promotes an existing one."""
    user = find_user_by_email(email)
    if user is None:
        user = register_user(name=name, email=email, phone=phone, password=password)
    user.is_admin = True
    db.session.flush()
    return user


def suspend_user(actor: User, user: User, reason: str) -> None:
    _require_admin(actor)
    if user.id == actor.id:
        raise DomainError(_("Anda tidak dapat menangguhkan akun Anda sendiri."))
    user.suspended_at = utcnow()
    user.suspended_reason = reason.strip() or None
    db.session.flush()


def unsuspend_user(actor: User, user: User) -> None:
    _require_admin(actor)
    user.suspended_at = None
    user.suspended_reason = None
    db.session.flush()


def appoint_officer(actor: User, *, email: str, region_code: str) -> OfficerAppointment:
    _require_admin(actor)
    user = find_user_by_email(email)
    if user is None:
        raise DomainError(_("Tidak ada akun dengan e-mail ini. Minta petugas mendaftar dulu."), field="email")
    if not (regions.is_province(region_code) or regions.is_regency(region_code)):
        raise DomainError(_("Pilih provinsi atau kabupaten/kota yang valid."), field="region_code")
    existing = db.session.scalar(
        select(OfficerAppointment).where(
            OfficerAppointment.user_id == user.id, OfficerAppointment.region_code == region_code
        )
    )
    if existing is not None:
        raise DomainError(_("Petugas ini sudah ditugaskan di wilayah tersebut."), field="email")
    appointment = OfficerAppointment(user=user, region_code=region_code, appointed_by_id=actor.id)
    db.session.add(appointment)
    db.session.flush()
    return appointment


def revoke_officer(actor: User, appointment: OfficerAppointment) -> None:
    _require_admin(actor)
    db.session.delete(appointment)
    db.session.flush()


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
