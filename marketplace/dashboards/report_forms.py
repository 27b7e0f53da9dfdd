"""Forms of public reports: the report itself and the officers' triage step. Shape of input only; the rules
(description length, contact, status moves) are the service's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from marketplace.dashboards.models import REPORT_CATEGORY_LABELS, ReportCategory
from marketplace.dashboards.reports import DESCRIPTION_MAX, DESCRIPTION_MIN, NOTE_MAX
from marketplace.forms import strip


class ReportForm(FlaskForm):
    category = RadioField(
        _l("Jenis masalah"),
        choices=lambda: [(c.value, REPORT_CATEGORY_LABELS[c]) for c in ReportCategory],
        validate_choice=False,
    )
    description = TextAreaField(
        _l("Ceritakan masalahnya"),
        filters=[strip],
        validators=[
            DataRequired(_l("Ceritakan masalahnya.")),
            Length(
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
                message=_l("Uraian %(min)d sampai %(max)d karakter."),
            ),
        ],
        description=_l("Apa yang terjadi, sejak kapan, di mana, dan siapa yang terlibat (jika tahu)."),
    )
    photo = FileField(
        _l("Foto pendukung (boleh kosong)"),
        description=_l("JPEG, PNG atau WebP, maksimal 5 MB. Hanya dilihat petugas dinas."),
    )
    reporter_name = StringField(
        _l("Nama Anda (boleh kosong)"), filters=[strip], validators=[Optional(), Length(max=120)]
    )
    reporter_contact = StringField(
        _l("E-mail atau nomor HP (boleh kosong)"),
        filters=[strip],
        validators=[Optional(), Length(max=254)],
        description=_l("Agar petugas bisa menghubungi Anda. Tautan pemantauan juga dikirim ke e-mail ini."),
    )

    def validate_category(self, field: Any) -> None:
        if field.data not in {c.value for c in ReportCategory}:
            raise ValidationError(_l("Pilih jenis masalah."))


class TriageForm(FlaskForm):
    action = RadioField(_l("Tindakan"), validate_choice=False, default="")
    visit_on = DateField(
        _l("Tanggal kunjungan lapangan"),
        validators=[Optional()],
        description=_l("Wajib diisi bila menjadwalkan kunjungan."),
    )
    note = TextAreaField(_l("Catatan"), filters=[strip], validators=[Optional(), Length(max=NOTE_MAX)])
    for_reporter = BooleanField(_l("Tampilkan catatan ini kepada pelapor"))
