"""Forms of the selling coalition pages: shape of input only; the rules live in
``coalitions.selling.services``.

Grades are ``GRADE_ROWS`` plain pairs of inputs (``grade_name_0``, ``grade_price_0``, ...): no script needed
on a phone; an empty row is skipped. The fee is typed as a percentage ("5", "2,5") and stored in basis
points; a weighed animal is typed in kilograms with a decimal comma ("312,5") and stored in grams.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from coalitions.engine import AllocationRule
from coalitions.models import ALLOCATION_RULE_LABELS
from marketplace.catalog.forms import QuantityField, RupiahField, _ParsedField, unit_choices
from marketplace.forms import strip

JAKARTA = ZoneInfo("Asia/Jakarta")  # deadlines are typed and shown in WIB, stored in UTC
GRADE_ROWS = 6  # services.MAX_GRADES


def _choices(labels: dict[Any, Any]) -> list[tuple[str, str]]:
    return [(key.value, str(label)) for key, label in labels.items()]


def parse_percent(text: str) -> int:
    """A percentage as people type it ("5", "2,5", "2.5", "5 %") → basis points (500, 250, 250, 500)."""
    cleaned = re.sub(r"[\s\u00a0%]", "", text).replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,2})?", cleaned):
        raise ValueError(_("Tulis persentase seperti 5 atau 2,5."))
    value = Decimal(cleaned)
    if value > 100:
        raise ValueError(_("Paling besar 100%."))
    return int(value * 100)


def parse_kilograms(text: str) -> int:
    """A weight in kilograms ("312,5", "1.250", "1.250,75", "312.5 kg") → whole grams."""
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    cleaned = re.sub(r"kg$", "", cleaned, flags=re.IGNORECASE)
    if "," in cleaned:
        whole, _sep, fraction = cleaned.rpartition(",")
        cleaned = f"{whole.replace('.', '')}.{fraction}"
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):  # "1.250": thousands, Indonesian style
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"\d+(?:\.\d{1,3})?", cleaned):
        raise ValueError(_("Tulis berat dalam kg, mis. 312,5."))
    try:
        grams = int(Decimal(cleaned) * 1000)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets numbers through
        raise ValueError(_("Tulis berat dalam kg, mis. 312,5.")) from None
    if grams < 1:
        raise ValueError(_("Berat harus lebih dari 0 kg."))
    if grams > 10_000_000:
        raise ValueError(_("Berat terlalu besar. Periksa lagi angkanya."))
    return grams


class PercentField(_ParsedField):
    """A percentage; ``data`` is basis points."""

    def parse(self, text: str) -> int:
        return parse_percent(text)

    def format(self, value: int) -> str:
        whole, rest = divmod(value, 100)
        return str(whole) if not rest else f"{whole},{rest:02d}".rstrip("0")


class KilogramField(_ParsedField):
    """A weight in kilograms with a decimal comma; ``data`` is grams."""

    def parse(self, text: str) -> int:
        return parse_kilograms(text)

    def format(self, value: int) -> str:
        whole, rest = divmod(value, 1000)
        return str(whole) if not rest else f"{whole},{rest:03d}".rstrip("0")


class SellingCoalitionForm(FlaskForm):
    title = StringField(
        _l("Barang yang dijual bersama"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama barang yang dijual bersama.")), Length(max=160)],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Kopi Arabika sangrai")},
    )
    description = TextAreaField(_l("Keterangan"), filters=[strip], validators=[Length(max=5000)])
    buyer_name = StringField(
        _l("Nama pembeli"),
        filters=[strip],
        validators=[Length(max=160)],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Hotel Santika Bekasi")},
    )
    buyer_contact = StringField(
        _l("Kontak pembeli"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("Telepon, WhatsApp atau alamat pembeli."),
        render_kw={"maxlength": 200},
    )
    unit = SelectField(_l("Satuan"), choices=unit_choices, default="kg")
    quantity = QuantityField(
        _l("Jumlah yang diminta pembeli"),
        validators=[InputRequired(_l("Isi jumlah yang diminta pembeli."))],
        render_kw={"inputmode": "numeric"},
    )
    commit_cap = QuantityField(
        _l("Batas total komitmen (opsional)"),
        validators=[Optional()],
        description=_l(
            "Komitmen anggota berhenti diterima setelah jumlah ini; paling sedikit jumlah yang diminta."
        ),
        render_kw={"inputmode": "numeric"},
    )
    fee_bp = PercentField(
        _l("Biaya koperasi (%)"),
        validators=[Optional()],
        description=_l("Dipotong dari hasil penjualan tiap anggota, mis. 5 atau 2,5."),
        render_kw={"inputmode": "decimal", "placeholder": "5"},
    )
    shared_cost_idr = RupiahField(
        _l("Biaya bersama (Rp, opsional)"),
        validators=[Optional()],
        description=_l("Mis. ongkos angkut; dibagi menurut jumlah yang diterima dari tiap anggota."),
        render_kw={"inputmode": "numeric", "placeholder": _l("mis. 1.000.000"), "autocomplete": "off"},
    )
    allocation_rule = SelectField(
        _l("Pembagian bila komitmen melebihi permintaan"),
        choices=lambda: _choices(ALLOCATION_RULE_LABELS),
        default=AllocationRule.UNIFORM.value,
    )
    collection_point = StringField(
        _l("Titik pengumpulan"),
        filters=[strip],
        validators=[DataRequired(_l("Isi tempat anggota mengantar barang.")), Length(max=300)],
        render_kw={"maxlength": 300, "placeholder": _l("mis. Gudang koperasi, Jl. Raya Tambun 5")},
    )
    collection_date = DateField(
        _l("Tanggal pengumpulan"), validators=[InputRequired(_l("Isi tanggal pengumpulan."))]
    )
    deadline_date = DateField(
        _l("Batas komitmen: tanggal"), validators=[InputRequired(_l("Isi tanggal batas komitmen."))]
    )
    deadline_time = TimeField(
        _l("Jam (WIB)"), default=None, validators=[InputRequired(_l("Isi jam batas komitmen."))]
    )
    delivery_date = DateField(_l("Tanggal kirim ke pembeli (opsional)"), validators=[Optional()])
    delivery_place = StringField(
        _l("Tempat kirim ke pembeli (opsional)"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        render_kw={"maxlength": 300},
    )

    def grade_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"grade_name_{i}"], self[f"grade_price_{i}"]) for i in range(GRADE_ROWS)]

    def grades(self) -> list[tuple[str, int | None]]:
        return [(name.data, price.data) for name, price in self.grade_rows() if (name.data or "").strip()]

    def grade_problem(self) -> str | None:
        """A row with a price but no grade name (the service can't see it, so it would vanish silently)."""
        for name, price in self.grade_rows():
            if price.data is not None and not (name.data or "").strip():
                return _("Isi nama mutu pada setiap baris yang berharga.")
        return None

    def grade_field_errors(self) -> list[str]:
        return [message for _name, price in self.grade_rows() for message in price.errors]

    def deadline_at(self) -> datetime:
        return datetime.combine(self.deadline_date.data, self.deadline_time.data, tzinfo=JAKARTA)

    def fill(self, coalition: Any) -> None:
        """Show a saved draft (deadline in WIB, grades in their rows)."""
        moment = coalition.deadline if coalition.deadline.tzinfo else coalition.deadline.replace(tzinfo=UTC)
        local = moment.astimezone(JAKARTA)
        self.deadline_date.data = local.date()
        self.deadline_time.data = local.time().replace(second=0, microsecond=0)
        self.shared_cost_idr.data = coalition.shared_cost_idr or None
        self.allocation_rule.data = coalition.allocation_rule.value
        self.fill_grades([(g.grade, g.price_idr) for g in coalition.grades])

    def fill_grades(self, grades: list[tuple[str, int | None]]) -> None:
        for (name, price), (grade, amount) in zip(self.grade_rows(), grades, strict=False):
            name.data, price.data = grade, amount

    def fill_from_request(self, bulk_request: Any, prices: dict[str, int | None]) -> None:
        """A new coalition from a buyer's request: its item, unit, quantity, grades and agreed prices."""
        self.title.data = bulk_request.title
        self.unit.data = bulk_request.unit
        self.quantity.data = bulk_request.quantity
        self.delivery_date.data = bulk_request.delivery_date
        self.delivery_place.data = bulk_request.delivery_place
        if bulk_request.notes:
            self.description.data = bulk_request.notes
        self.fill_grades([(g.grade, prices.get(g.grade)) for g in bulk_request.grades if g.grade in prices])


for _i in range(GRADE_ROWS):
    setattr(
        SellingCoalitionForm,
        f"grade_name_{_i}",
        StringField(
            _l("Mutu"),
            filters=[strip],
            validators=[Optional(), Length(max=40)],
            render_kw={"maxlength": 40, "placeholder": _l("mis. A")},
        ),
    )
    setattr(
        SellingCoalitionForm,
        f"grade_price_{_i}",
        RupiahField(_l("Harga per satuan (Rp)"), validators=[Optional()], render_kw={"inputmode": "numeric"}),
    )


class CommitForm(FlaskForm):
    business_id = SelectField(_l("Atas nama usaha"), coerce=int, validate_choice=False)
    grade = SelectField(_l("Mutu"), validate_choice=False, validators=[DataRequired(_l("Pilih mutu."))])
    quantity = QuantityField(
        _l("Jumlah"),
        validators=[InputRequired(_l("Isi jumlah yang Anda sanggupi."))],
        render_kw={"inputmode": "numeric"},
    )


class QuantityForm(FlaskForm):
    quantity = QuantityField(
        _l("Jumlah"),
        validators=[InputRequired(_l("Isi jumlah yang Anda sanggupi."))],
        render_kw={"inputmode": "numeric"},
    )


class PartialForm(FlaskForm):
    decision = StringField(validators=[AnyOf(["accept", "decline"])])


class CheckForm(FlaskForm):
    """One delivery to the collection point against a commitment."""

    delivered = QuantityField(
        _l("Jumlah dibawa"),
        validators=[InputRequired(_l("Isi jumlah yang dibawa anggota."))],
        render_kw={"inputmode": "numeric"},
    )
    accepted = QuantityField(
        _l("Jumlah lolos pemeriksaan"),
        validators=[InputRequired(_l("Isi jumlah yang lolos pemeriksaan."))],
        render_kw={"inputmode": "numeric"},
    )
    reason = StringField(
        _l("Alasan penolakan"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description=_l("Wajib bila ada yang ditolak; barang yang ditolak kembali ke anggota."),
        render_kw={"maxlength": 300},
    )
    ear_tag = StringField(
        _l("Nomor ear tag (ternak, opsional)"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"maxlength": 40},
    )
    weight = KilogramField(
        _l("Berat (kg, opsional)"),
        validators=[Optional()],
        render_kw={"inputmode": "decimal", "placeholder": _l("mis. 312,5")},
    )


class PayoutForm(FlaskForm):
    amount = RupiahField(
        _l("Jumlah dibayarkan (Rp)"),
        validators=[InputRequired(_l("Isi jumlah yang dibayarkan."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    reference = StringField(
        _l("Nomor referensi transfer"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nomor referensi transfer.")), Length(max=120)],
        render_kw={"maxlength": 120},
    )


class SharedCostForm(FlaskForm):
    """Shared costs (transport ...) corrected after the collection, before the buyer confirms."""

    shared_cost_idr = RupiahField(
        _l("Biaya bersama (Rp)"),
        validators=[InputRequired(_l("Isi biaya bersama (boleh 0)."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
