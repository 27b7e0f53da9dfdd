"""The RAT form of a cooperative's managers: shape of input only (the rules are in ``dashboards.rat``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.dashboards.rat import FIRST_FINANCIAL_YEAR, RatData
from marketplace.forms import strip


class RatForm(FlaskForm):
    held_on = DateField(_l("Tanggal RAT diadakan"), validators=[InputRequired(_l("Isi tanggal RAT."))])
    financial_year = IntegerField(
        _l("Tahun buku yang dibahas"),
        validators=[
            InputRequired(_l("Isi tahun buku yang dibahas RAT.")),
            NumberRange(min=FIRST_FINANCIAL_YEAR, max=2100, message=_l("Isi tahun buku, mis. 2025.")),
        ],
        description=_l("Biasanya tahun sebelum RAT diadakan, mis. RAT Maret 2026 membahas tahun buku 2025."),
        render_kw={"inputmode": "numeric"},
    )
    attendees = IntegerField(
        _l("Jumlah anggota yang hadir (boleh kosong)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Jumlah peserta 0 atau lebih.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    notes = TextAreaField(_l("Catatan (boleh kosong)"), filters=[strip], validators=[Length(max=2000)])
    minutes = FileField(
        _l("Notulen RAT"),
        description=_l(
            "PDF atau foto (JPEG, PNG, WebP), maksimal 10 MB. Hanya pengurus dan petugas dinas yang dapat "
            "mengunduhnya."
        ),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"},
    )

    def to_data(self) -> RatData:
        return RatData(
            held_on=self.held_on.data,
            financial_year=self.financial_year.data,
            attendees=self.attendees.data,
            notes=self.notes.data or "",
        )
