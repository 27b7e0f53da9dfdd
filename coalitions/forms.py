"""Forms of the buying coalition pages: shape of input only; the rules live in ``coalitions.services``.

Price tiers are ``TIER_ROWS`` plain pairs of inputs (``tier_min_0``, ``tier_price_0``, ...): no script needed
on a phone; an empty row is skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coalitions.engine import AllocationRule
from coalitions.models import (
    ALLOCATION_RULE_LABELS,
    JOIN_POLICY_LABELS,
    PAYMENT_MODE_LABELS,
    JoinPolicy,
    PaymentMode,
)
from marketplace.catalog.forms import QuantityField, RupiahField, unit_choices
from marketplace.forms import strip

JAKARTA = ZoneInfo("Asia/Jakarta")  # deadlines are typed and shown in WIB, stored in UTC
TIER_ROWS = 5


def _choices(labels: dict[Any, Any]) -> list[tuple[str, str]]:
    # A callable: WTForms warns about a literal list of tuples at class definition.
    return [(key.value, str(label)) for key, label in labels.items()]


class CoalitionForm(FlaskForm):
    title = StringField(
        _l("Barang yang dibeli bersama"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama barang yang dibeli bersama.")), Length(max=160)],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Konsentrat pakan sapi 50 kg")},
    )
    description = TextAreaField(_l("Keterangan"), filters=[strip], validators=[Length(max=5000)])
    supplier_name = StringField(
        _l("Nama pemasok"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama pemasok.")), Length(max=160)],
        render_kw={"maxlength": 160},
    )
    supplier_contact = StringField(
        _l("Kontak pemasok"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("Telepon, WhatsApp atau alamat pemasok."),
        render_kw={"maxlength": 200},
    )
    unit = SelectField(_l("Satuan"), choices=unit_choices, default="karung")
    moq = QuantityField(
        _l("Jumlah minimum pesanan (MOQ)"),
        validators=[InputRequired(_l("Isi jumlah minimum pesanan."))],
        description=_l(
            "Koalisi berhasil bila total komitmen mencapai jumlah ini; bila tidak, tidak ada yang membayar."
        ),
        render_kw={"inputmode": "numeric"},
    )
    pack_size = QuantityField(
        _l("Isi per kemasan (opsional)"),
        validators=[Optional()],
        description=_l("Bila pemasok hanya menjual per kemasan utuh, mis. 10 karung per palet."),
        render_kw={"inputmode": "numeric"},
    )
    capacity = QuantityField(
        _l("Kapasitas pemasok (opsional)"),
        validators=[Optional()],
        description=_l("Jumlah paling banyak yang bisa dikirim pemasok."),
        render_kw={"inputmode": "numeric"},
    )
    deadline_date = DateField(
        _l("Batas waktu: tanggal"), validators=[InputRequired(_l("Isi tanggal batas waktu."))]
    )
    deadline_time = TimeField(
        _l("Jam (WIB)"), default=None, validators=[InputRequired(_l("Isi jam batas waktu."))]
    )
    shared_cost_idr = RupiahField(
        _l("Biaya bersama (Rp, opsional)"),
        validators=[Optional()],
        description=_l("Mis. ongkos kirim; dibagi menurut jumlah yang diterima tiap anggota."),
        render_kw={"inputmode": "numeric", "placeholder": _l("mis. 1.500.000"), "autocomplete": "off"},
    )
    allocation_rule = SelectField(
        _l("Pembagian bila kapasitas kurang"),
        choices=lambda: _choices(ALLOCATION_RULE_LABELS),
        default=AllocationRule.UNIFORM.value,
    )
    join_policy = SelectField(
        _l("Siapa yang boleh ikut"),
        choices=lambda: _choices(JOIN_POLICY_LABELS),
        default=JoinPolicy.MEMBERS.value,
    )
    payment_mode = SelectField(
        _l("Cara bayar"),
        choices=lambda: _choices(PAYMENT_MODE_LABELS),
        default=PaymentMode.PAY_ON_SUCCESS.value,
        description=_l("Tahan dana kartu hanya bisa dipakai bila batas waktu paling lama 6 hari lagi."),
    )
    payment_due_days = QuantityField(
        _l("Tenggat bayar setelah berhasil (hari)"),
        default=7,
        validators=[InputRequired(_l("Isi jumlah hari."))],
        render_kw={"inputmode": "numeric"},
    )

    def tier_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"tier_min_{i}"], self[f"tier_price_{i}"]) for i in range(TIER_ROWS)]

    def tiers(self) -> list[tuple[int, int]]:
        return [
            (low.data, price.data)
            for low, price in self.tier_rows()
            if isinstance(low.data, int) and isinstance(price.data, int)
        ]

    def half_filled_tier(self) -> bool:
        return any((low.data is None) != (price.data is None) for low, price in self.tier_rows())

    def deadline_at(self) -> datetime:
        return datetime.combine(self.deadline_date.data, self.deadline_time.data, tzinfo=JAKARTA)

    def fill(self, coalition: Any) -> None:
        """Show a saved draft (deadline in WIB, tiers in their rows)."""
        moment = coalition.deadline
        if moment.tzinfo is None:
            from datetime import UTC

            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(JAKARTA)
        self.deadline_date.data = local.date()
        self.deadline_time.data = local.time().replace(second=0, microsecond=0)
        self.shared_cost_idr.data = coalition.shared_cost_idr or None
        self.pack_size.data = coalition.pack_size if coalition.pack_size > 1 else None
        self.allocation_rule.data = coalition.allocation_rule.value
        self.join_policy.data = coalition.join_policy.value
        self.payment_mode.data = coalition.payment_mode.value
        for (low, price), tier in zip(self.tier_rows(), coalition.tiers, strict=False):
            low.data, price.data = tier.min_qty, tier.unit_price_idr


for _i in range(TIER_ROWS):
    setattr(
        CoalitionForm,
        f"tier_min_{_i}",
        QuantityField(_l("Mulai dari (jumlah)"), validators=[Optional()], render_kw={"inputmode": "numeric"}),
    )
    setattr(
        CoalitionForm,
        f"tier_price_{_i}",
        RupiahField(_l("Harga per satuan (Rp)"), validators=[Optional()], render_kw={"inputmode": "numeric"}),
    )


class PledgeForm(FlaskForm):
    business_id = SelectField(_l("Atas nama usaha"), coerce=int, validate_choice=False)
    quantity = QuantityField(
        _l("Jumlah"),
        validators=[InputRequired(_l("Isi jumlah yang Anda pesan."))],
        render_kw={"inputmode": "numeric"},
    )
    tolerance = QuantityField(
        _l("Toleransi (opsional)"),
        validators=[Optional()],
        description=_l("Tambahan yang rela Anda ambil hanya untuk melengkapi kemasan terakhir."),
        render_kw={"inputmode": "numeric"},
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan pembatalan"),
        filters=[strip],
        validators=[DataRequired(_l("Tulis alasan pembatalan untuk para anggota.")), Length(max=500)],
    )


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class QuantityNoteForm(FlaskForm):
    """Goods received from the supplier, or units handed over to a member."""

    quantity = QuantityField(
        _l("Jumlah"),
        validators=[InputRequired(_l("Isi jumlahnya."))],
        render_kw={"inputmode": "numeric"},
    )
    note = StringField(_l("Catatan (opsional)"), filters=[strip], validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):
    decision = SelectField(
        _l("Keputusan"),
        choices=lambda: [("approve", _l("Transfer diterima")), ("reject", _l("Tolak"))],
        validators=[DataRequired()],
    )
    note = StringField(
        _l("Catatan / alasan penolakan"), filters=[strip], validators=[Optional(), Length(max=500)]
    )


class InviteForm(FlaskForm):
    business_id = SelectField(_l("Usaha"), coerce=int, validate_choice=False)
