from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.cooperatives.models import COOPERATIVE_TYPE_LABELS
from marketplace.forms import BankAccountMixin, IndonesianPhone, RegionFieldsMixin, digits_only, strip
from marketplace.sectors import sector_choices


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BusinessForm(RegionFieldsMixin, BankAccountMixin, FlaskForm):
    name = StringField(
        _l("Nama usaha"),
        filters=[strip],
        validators=[DataRequired(_l("Nama usaha wajib diisi.")), Length(max=120)],
    )
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"),
        filters=[strip, digits_only],
        validators=[
            DataRequired(_l("NIB wajib diisi.")),
            Regexp(r"^\d{13}$", message=_l("NIB harus 13 angka, sesuai yang tertera di OSS.")),
        ],
        description=_l("13 angka dari OSS, misalnya 9120301234567."),
    )
    owner_name = StringField(
        _l("Nama pemilik"),
        filters=[strip],
        validators=[DataRequired(_l("Nama pemilik wajib diisi.")), Length(max=120)],
    )
    whatsapp = TelField(
        _l("Nomor WhatsApp"),
        filters=[strip],
        validators=[DataRequired(_l("Nomor WhatsApp wajib diisi.")), IndonesianPhone(mobile_only=True)],
        description=_l("Pembeli menghubungi Anda lewat nomor ini."),
    )
    address = StringField(
        _l("Alamat"), filters=[strip], validators=[DataRequired(_l("Alamat wajib diisi.")), Length(max=300)]
    )
    sector = SelectField(
        _l("Sektor usaha"), choices=sector_choices, validators=[DataRequired(_l("Pilih sektor usaha."))]
    )
    description = TextAreaField(_l("Deskripsi usaha"), filters=[strip], validators=[Length(max=4000)])
    logo = FileField(_l("Logo (JPEG, PNG atau WebP, maks. 3 MB)"))


def coop_type_choices() -> list[tuple[str, str]]:
    return [(k.value, str(v)) for k, v in COOPERATIVE_TYPE_LABELS.items()]


class CooperativeForm(RegionFieldsMixin, BankAccountMixin, FlaskForm):
    name = StringField(
        _l("Nama koperasi"),
        filters=[strip],
        validators=[DataRequired(_l("Nama koperasi wajib diisi.")), Length(max=160)],
    )
    legal_entity_number = StringField(
        _l("Nomor badan hukum"),
        filters=[strip],
        validators=[DataRequired(_l("Nomor badan hukum wajib diisi.")), Length(max=80)],
        description=_l("Misalnya AHU-0004512.AH.01.29.TAHUN 2019."),
    )
    nik_koperasi = StringField(
        _l("NIK Koperasi"),
        filters=[strip, digits_only],
        validators=[
            DataRequired(_l("NIK Koperasi wajib diisi.")),
            Regexp(r"^\d{16}$", message=_l("NIK Koperasi harus 16 angka.")),
        ],
    )
    coop_type = SelectField(
        _l("Jenis koperasi"),
        choices=coop_type_choices,
        validators=[DataRequired(_l("Pilih jenis koperasi."))],
    )
    sectors = MultiCheckboxField(
        _l("Sektor usaha anggota"),
        choices=sector_choices,
        validators=[DataRequired(_l("Pilih minimal satu sektor usaha."))],
    )
    address = StringField(
        _l("Alamat sekretariat"),
        filters=[strip],
        validators=[DataRequired(_l("Alamat wajib diisi.")), Length(max=300)],
    )
    founded_on = DateField(_l("Tanggal berdiri"), validators=[Optional()], render_kw={"max": "2100-01-01"})
    description = TextAreaField(_l("Deskripsi koperasi"), filters=[strip], validators=[Length(max=4000)])
    requires_listing_approval = BooleanField(
        _l("Produk anggota baru tayang setelah disetujui pengurus"), default=True
    )
    logo = FileField(_l("Logo (JPEG, PNG atau WebP, maks. 3 MB)"))


class ApplyForm(FlaskForm):
    business_id = SelectField(
        _l("Usaha yang didaftarkan"), coerce=int, validators=[DataRequired(_l("Pilih usaha Anda."))]
    )
    message = TextAreaField(
        _l("Pesan untuk pengurus (opsional)"), filters=[strip], validators=[Length(max=1000)]
    )


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Alasan"), filters=[strip], validators=[Length(max=500)])


class AddManagerForm(FlaskForm):
    email = EmailField(
        _l("E-mail pengurus"),
        filters=[strip],
        validators=[
            DataRequired(_l("E-mail wajib diisi.")),
            Email(_l("Tulis alamat e-mail yang valid."), check_deliverability=False),
        ],
    )


class PlainForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
