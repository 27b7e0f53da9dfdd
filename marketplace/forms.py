"""Form pieces shared by several features: validators that call the same rules the services apply."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional, Regexp

from marketplace import regions
from marketplace.errors import DomainError
from marketplace.phones import normalise_phone


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def digits_only(value: Any) -> Any:
    return re.sub(r"[\s.\-]", "", value) if isinstance(value, str) else value


class IndonesianPhone:
    def __init__(self, *, mobile_only: bool = False) -> None:
        self.mobile_only = mobile_only

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            normalise_phone(field.data, mobile_only=self.mobile_only)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


class RegionFieldsMixin:
    """A province select and a regency select whose choices follow the chosen province."""

    province_code = SelectField(_l("Provinsi"), validate_choice=False)
    regency_code = SelectField(_l("Kabupaten/kota"), validate_choice=False)

    def setup_regions(self) -> None:
        self.province_code.choices = [("", _l("— Pilih provinsi —")), *regions.provinces()]  # type: ignore[attr-defined]
        chosen = self.province_code.data or ""  # type: ignore[attr-defined]
        self.regency_code.choices = [  # type: ignore[attr-defined]
            ("", _l("— Pilih kabupaten/kota —")),
            *regions.regencies(chosen),
        ]

    def validate_province_code(self, field: Field) -> None:
        if not regions.is_province(field.data or ""):
            raise ValidationError(_l("Pilih provinsi."))

    def validate_regency_code(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Pilih kabupaten/kota."))
        if not regions.is_regency_of(field.data, self.province_code.data or ""):  # type: ignore[attr-defined]
            raise ValidationError(_l("Kabupaten/kota ini tidak ada di provinsi yang dipilih."))


class BankAccountMixin:
    """Where buyers transfer for bank-transfer orders: all three fields, or none."""

    bank_name = StringField(
        _l("Bank"),
        filters=[strip],
        validators=[Optional(), Length(max=60)],
        description=_l("Mis. BRI, BNI, Mandiri, BSI, BCA."),
    )
    bank_account_number = StringField(
        _l("Nomor rekening"),
        filters=[strip, digits_only],
        validators=[Optional(), Regexp(r"^\d{5,20}$", message=_l("Nomor rekening 5 sampai 20 angka."))],
    )
    bank_account_holder = StringField(
        _l("Atas nama rekening"), filters=[strip], validators=[Optional(), Length(max=120)]
    )

    def validate_bank_account_holder(self, field: Field) -> None:
        values = [self.bank_name.data, self.bank_account_number.data, field.data]  # type: ignore[attr-defined]
        if any(values) and not all(values):
            raise ValidationError(
                _l("Isi bank, nomor rekening dan nama pemilik rekening sekaligus (atau kosongkan ketiganya).")
            )


def apply_domain_error(form: Any, error: DomainError) -> bool:
    """Attach a service's error to the form field it names; False when it names no field of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    return True
