"""Forms of the buyers' bulk requests and the cooperatives' counter-offers: shape of input only; the rules
live in ``coalitions.selling.services``.

Grades are ``GRADE_ROWS`` plain pairs of inputs (``grade_name_0``, ``grade_price_0``, ...): no script needed
on a phone; an empty row is skipped, and an empty price means "make me an offer". A counter-offer has one
price input per grade the buyer asked for (``price_0`` ... in the request's grade order), built per request.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace import regions
from marketplace.catalog.forms import QuantityField, RupiahField, unit_choices
from marketplace.forms import RegionFieldsMixin, strip
from marketplace.sectors import sector_choices

JAKARTA = ZoneInfo("Asia/Jakarta")  # deadlines are typed and shown in WIB, stored in UTC
GRADE_ROWS = 4


class RequestForm(RegionFieldsMixin, FlaskForm):
    organisation = StringField(
        _l("Nama lembaga atau usaha pembeli"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama lembaga atau usaha Anda.")), Length(max=160)],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Hotel Santika Bekasi")},
    )
    title = StringField(
        _l("Barang yang dicari"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama barang yang dicari.")), Length(max=160)],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Kopi Arabika sangrai")},
    )
    sector = SelectField(
        _l("Kategori"),
        choices=lambda: [("", _l("— Pilih kategori —")), *sector_choices()],
        validators=[DataRequired(_l("Pilih kategori."))],
        description=_l("Koperasi yang bergerak di kategori ini yang melihat permintaan Anda."),
    )
    quantity = QuantityField(
        _l("Jumlah"),
        validators=[InputRequired(_l("Isi jumlah yang dibutuhkan."))],
        render_kw={"inputmode": "numeric"},
    )
    unit = SelectField(_l("Satuan"), choices=unit_choices, default="kg")
    delivery_date = DateField(_l("Tanggal kirim"), validators=[InputRequired(_l("Isi tanggal kirim."))])
    delivery_place = StringField(
        _l("Tempat kirim"),
        filters=[strip],
        validators=[DataRequired(_l("Isi alamat tempat barang dikirim.")), Length(max=300)],
        render_kw={"maxlength": 300},
    )
    offer_deadline_date = DateField(
        _l("Batas penawaran: tanggal"),
        validators=[InputRequired(_l("Isi tanggal batas penawaran."))],
        description=_l("Koperasi bisa mengirim penawaran sampai saat ini."),
    )
    offer_deadline_time = TimeField(
        _l("Jam (WIB)"), default=time(17, 0), validators=[InputRequired(_l("Isi jam batas penawaran."))]
    )
    notes = TextAreaField(
        _l("Catatan (opsional)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description=_l("Syarat mutu, kemasan, cara bayar, dan hal lain yang perlu diketahui koperasi."),
    )

    def setup(self) -> None:
        """Region choices follow the chosen province; a regency narrows the request, none = the province."""
        self.setup_regions()
        self.regency_code.choices = [
            ("", _l("— Seluruh provinsi —")),
            *regions.regencies(self.province_code.data or ""),
        ]

    def validate_regency_code(self, field: Field) -> None:
        if field.data:
            super().validate_regency_code(field)

    def grade_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"grade_name_{i}"], self[f"grade_price_{i}"]) for i in range(GRADE_ROWS)]

    def grades(self) -> list[tuple[str, int | None]]:
        return [(name.data, price.data) for name, price in self.grade_rows() if name.data]

    def nameless_price(self) -> bool:
        """A price typed on a row without a grade name (the row would otherwise be silently dropped)."""
        return any(not name.data and price.data is not None for name, price in self.grade_rows())

    def offer_deadline_at(self) -> datetime:
        return datetime.combine(self.offer_deadline_date.data, self.offer_deadline_time.data, tzinfo=JAKARTA)


for _i in range(GRADE_ROWS):
    setattr(
        RequestForm,
        f"grade_name_{_i}",
        StringField(
            _l("Mutu"),
            filters=[strip],
            validators=[Optional(), Length(max=40)],
            render_kw={"maxlength": 40, **({"placeholder": _l("mis. A")} if _i == 0 else {})},
        ),
    )
    setattr(
        RequestForm,
        f"grade_price_{_i}",
        RupiahField(
            _l("Harga per satuan (Rp)"),
            validators=[Optional()],
            render_kw={"inputmode": "numeric", "placeholder": _l("kosong = minta penawaran")},
        ),
    )


class OfferForm(FlaskForm):
    """Built by ``offer_form``: one ``price_<i>`` per requested grade, then the note."""

    note = StringField(
        _l("Catatan (opsional)"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
        render_kw={"maxlength": 500},
    )
    grade_names: list[str]

    def price_fields(self) -> list[tuple[str, Any]]:
        return [(name, self[f"price_{i}"]) for i, name in enumerate(self.grade_names)]

    def prices(self) -> list[tuple[str, int | None]]:
        return [(name, field.data) for name, field in self.price_fields()]


def offer_form(grades: list[Any], unit: str, *, prefix: str, formdata: Any = None) -> OfferForm:
    """The counter-offer form of one cooperative for a request's ``grades`` (``RequestGrade`` rows, priced per
    ``unit``, as it reads in a sentence), prefilled with the buyer's price where the buyer named one."""
    fields = {
        f"price_{i}": RupiahField(
            _l("Harga mutu %(grade)s per %(unit)s (Rp)", grade=g.grade, unit=unit),
            validators=[InputRequired(_l("Isi harga untuk mutu ini."))],
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
        )
        for i, g in enumerate(grades)
    }
    form_class = type("RequestOfferForm", (OfferForm,), fields)
    data = {f"price_{i}": g.price_idr for i, g in enumerate(grades) if g.price_idr is not None}
    form = form_class(formdata=formdata, prefix=prefix, data=data)
    form.grade_names = [g.grade for g in grades]
    return form


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
