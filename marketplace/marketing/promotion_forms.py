"""The promotion code form of the business and cooperative manager pages: shape of input only."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp, ValidationError

from marketplace.catalog.forms import RupiahField
from marketplace.cooperatives.forms import MultiCheckboxField
from marketplace.forms import strip
from marketplace.marketing.promotion_models import PROMO_KIND_LABELS, PromoCode, PromoKind
from marketplace.marketing.promotions import CODE_PATTERN, PromoData

JAKARTA = ZoneInfo("Asia/Jakarta")  # dates are typed in WIB; a code runs from 00.00 of its first day
ALL, CHOSEN = "all", "chosen"


def _percent_bp(text: str) -> int:
    """ "10" → 1000, "12,5" → 1250 (basis points)."""
    cleaned = re.sub(r"[\s%]", "", text).replace(",", ".")
    # Plain digits only: Decimal would also take "NaN", "sNaN" or "1e999999" (and fail further on).
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", cleaned):
        raise ValueError(str(_l("Isi persen dengan angka, mis. 10 atau 12,5.")))
    bp = Decimal(cleaned) * 100
    if bp != bp.to_integral_value() or not 1 <= bp <= 10_000:
        raise ValueError(str(_l("Persen potongan antara 0,01 dan 100.")))
    return int(bp)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=JAKARTA)


class PromoForm(FlaskForm):
    code = StringField(
        _l("Kode"),
        filters=[strip, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Isi kodenya, mis. MERDEKA10.")),
            Regexp(
                CODE_PATTERN,
                message=_l("Kode 3–30 huruf atau angka (boleh tanda - dan _), tanpa spasi, mis. MERDEKA10."),
            ),
        ],
        description=_l("Huruf dan angka tanpa spasi; pembeli boleh mengetik huruf kecil."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    kind = RadioField(
        _l("Jenis potongan"),
        choices=lambda: [(k.value, PROMO_KIND_LABELS[k]) for k in PromoKind],
        default=PromoKind.PERCENT.value,
        validators=[DataRequired(_l("Pilih jenis potongan."))],
    )
    percent = StringField(
        _l("Persen potongan"),
        filters=[strip],
        description=_l("Untuk potongan persen, mis. 10 atau 12,5."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    amount_idr = RupiahField(
        _l("Potongan (Rp)"),
        validators=[Optional()],
        description=_l("Untuk potongan tetap, mis. 10.000. Tidak pernah lebih dari belanja yang kena promo."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    min_spend_idr = RupiahField(
        _l("Belanja minimal (Rp, boleh kosong)"),
        validators=[Optional()],
        description=_l("Dihitung dari produk yang kena promo saja."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    starts_on = DateField(_l("Mulai berlaku (tanggal)"), validators=[InputRequired(_l("Isi tanggal mulai."))])
    ends_on = DateField(
        _l("Berakhir (tanggal, boleh kosong)"),
        validators=[Optional()],
        description=_l("Masih berlaku sampai pukul 23.59 WIB pada tanggal ini."),
    )
    usage_limit = IntegerField(
        _l("Kuota total (boleh kosong)"),
        validators=[Optional(), NumberRange(min=1, max=10_000_000, message=_l("Kuota paling sedikit 1."))],
        description=_l("Berapa kali kode ini boleh dipakai seluruhnya."),
        render_kw={"inputmode": "numeric"},
    )
    per_buyer_limit = IntegerField(
        _l("Batas per pembeli (boleh kosong)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Batas paling sedikit 1."))],
        description=_l("Pembeli dikenali dari akunnya atau e-mail pesanannya."),
        render_kw={"inputmode": "numeric"},
    )
    scope = RadioField(
        _l("Berlaku untuk"),
        choices=lambda: [(ALL, _l("Semua produk")), (CHOSEN, _l("Produk pilihan"))],
        default=ALL,
        validators=[DataRequired()],
    )
    product_ids = MultiCheckboxField(_l("Produk pilihan"), coerce=int, validate_choice=False)

    def validate_percent(self, field: Any) -> None:
        if self.kind.data != PromoKind.PERCENT.value:
            return
        if not field.data:
            raise ValidationError(_l("Isi persen potongan."))
        try:
            self.percent_bp = _percent_bp(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_amount_idr(self, field: Any) -> None:
        if self.kind.data == PromoKind.FIXED.value and not field.data:
            raise ValidationError(_l("Isi potongan dalam rupiah."))

    def validate_starts_on(self, field: Any) -> None:
        if field.data and not date(2000, 1, 1) <= field.data <= date(2999, 12, 30):
            raise ValidationError(_l("Tanggal di luar jangkauan."))

    def validate_ends_on(self, field: Any) -> None:
        if field.data and not date(2000, 1, 1) <= field.data <= date(2999, 12, 30):
            raise ValidationError(_l("Tanggal di luar jangkauan."))
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Tanggal berakhir tidak boleh sebelum tanggal mulai."))

    def validate_product_ids(self, field: Any) -> None:
        if self.scope.data == CHOSEN and not field.data:
            raise ValidationError(_l("Pilih paling sedikit satu produk."))

    def to_data(self) -> PromoData:
        kind = PromoKind(self.kind.data)
        return PromoData(
            code=self.code.data or "",
            kind=kind,
            percent_bp=getattr(self, "percent_bp", None) if kind is PromoKind.PERCENT else None,
            amount_idr=self.amount_idr.data if kind is PromoKind.FIXED else None,
            min_spend_idr=self.min_spend_idr.data or 0,
            starts_at=start_of(self.starts_on.data),
            ends_at=start_of(self.ends_on.data + timedelta(days=1)) if self.ends_on.data else None,
            usage_limit=self.usage_limit.data,
            per_buyer_limit=self.per_buyer_limit.data,
            product_ids=list(self.product_ids.data or []) if self.scope.data == CHOSEN else None,
        )

    def fill_from(self, promo: PromoCode) -> None:
        self.code.data = promo.code
        self.kind.data = promo.kind.value
        if promo.percent_bp is not None:
            self.percent.data = (
                f"{Decimal(promo.percent_bp) / 100:f}".rstrip("0").rstrip(".").replace(".", ",")
            )
        self.amount_idr.data = promo.amount_idr
        self.min_spend_idr.data = promo.min_spend_idr or None
        self.starts_on.data = _local(promo.starts_at).date()
        self.ends_on.data = (_local(promo.ends_at) - timedelta(days=1)).date() if promo.ends_at else None
        self.usage_limit.data = promo.usage_limit
        self.per_buyer_limit.data = promo.per_buyer_limit
        self.scope.data = ALL if promo.all_products else CHOSEN
        self.product_ids.data = [p.id for p in promo.products]


def _local(moment: datetime) -> datetime:
    from datetime import UTC

    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(JAKARTA)
