"""Forms of the events calendar and of offline sales: shape of input only."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.catalog.forms import QuantityField, RupiahField
from marketplace.cooperatives.forms import MultiCheckboxField
from marketplace.forms import RegionFieldsMixin, strip
from marketplace.marketing.event_models import (
    EVENT_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    Event,
    EventKind,
    PaymentMethod,
    aware,
)
from marketplace.marketing.events import MAX_BOOTH_CAPACITY, EventData

# Indonesia's three time zones by province code: an event's times are typed and shown in its own local time.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def zone_of(province_code: str | None) -> ZoneInfo:
    if province_code in _WIT:
        return ZoneInfo("Asia/Jayapura")
    if province_code in _WITA:
        return ZoneInfo("Asia/Makassar")
    return ZoneInfo("Asia/Jakarta")


def local(moment: datetime, province_code: str | None) -> datetime:
    return aware(moment).astimezone(zone_of(province_code))


ORGANISER_OFFICER = "dinas"


class EventForm(RegionFieldsMixin, FlaskForm):
    organiser = SelectField(_l("Penyelenggara"), validate_choice=True)
    title = StringField(
        _l("Nama acara"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama acara.")), Length(min=3, max=160)],
        description=_l("Mis. Bazar UMKM Hari Koperasi 2026."),
    )
    kind = SelectField(
        _l("Jenis acara"),
        choices=lambda: [(k.value, EVENT_KIND_LABELS[k]) for k in EventKind],
        default=EventKind.BAZAAR.value,
    )
    starts_on = DateField(_l("Tanggal mulai"), validators=[InputRequired(_l("Isi tanggal mulai."))])
    starts_time = TimeField(
        _l("Jam mulai"), default=time(9, 0), validators=[InputRequired(_l("Isi jam mulai."))]
    )
    ends_on = DateField(_l("Tanggal selesai"), validators=[InputRequired(_l("Isi tanggal selesai."))])
    ends_time = TimeField(
        _l("Jam selesai"), default=time(17, 0), validators=[InputRequired(_l("Isi jam selesai."))]
    )
    place = StringField(
        _l("Tempat"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama tempat.")), Length(max=160)],
        description=_l("Mis. Alun-alun Kota Bekasi."),
    )
    address = StringField(
        _l("Alamat"), filters=[strip], validators=[DataRequired(_l("Isi alamat.")), Length(max=300)]
    )
    description = TextAreaField(_l("Deskripsi"), filters=[strip], validators=[Length(max=10_000)])
    booth_capacity = IntegerField(
        _l("Jumlah booth"),
        validators=[Optional(), NumberRange(min=1, max=MAX_BOOTH_CAPACITY)],
        description=_l("Kosongkan bila tidak dibatasi."),
    )

    def to_data(self) -> EventData:
        zone = zone_of(self.province_code.data)
        return EventData(
            title=self.title.data or "",
            kind=EventKind(self.kind.data),
            starts_at=datetime.combine(self.starts_on.data, self.starts_time.data, tzinfo=zone),
            ends_at=datetime.combine(self.ends_on.data, self.ends_time.data, tzinfo=zone),
            place=self.place.data or "",
            address=self.address.data or "",
            province_code=self.province_code.data or "",
            regency_code=self.regency_code.data or "",
            description=self.description.data or "",
            booth_capacity=self.booth_capacity.data,
        )

    def fill_from(self, event: Event) -> None:
        starts, ends = local(event.starts_at, event.province_code), local(event.ends_at, event.province_code)
        self.title.data = event.title
        self.kind.data = event.kind.value
        self.starts_on.data, self.starts_time.data = starts.date(), starts.time().replace(second=0)
        self.ends_on.data, self.ends_time.data = ends.date(), ends.time().replace(second=0)
        self.place.data = event.place
        self.address.data = event.address
        self.province_code.data = event.province_code
        self.regency_code.data = event.regency_code
        self.description.data = event.description
        self.booth_capacity.data = event.booth_capacity


class BoothProductsForm(FlaskForm):
    product_ids = MultiCheckboxField(_l("Produk yang dibawa"), coerce=int, validate_choice=False)


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan"), filters=[strip], validators=[DataRequired(_l("Tulis alasannya.")), Length(max=500)]
    )


def _optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class OfflineSaleForm(FlaskForm):
    product_id = SelectField(_l("Produk"), coerce=int, validate_choice=False)
    quantity = QuantityField(_l("Jumlah"), default=1, validators=[InputRequired(_l("Isi jumlahnya."))])
    unit_price_idr = RupiahField(
        _l("Harga satuan (Rp)"),
        validators=[Optional()],
        description=_l("Kosongkan untuk memakai harga produk; isi bila dijual dengan harga lain."),
    )
    method = RadioField(
        _l("Cara bayar"),
        choices=lambda: [(m.value, PAYMENT_METHOD_LABELS[m]) for m in PaymentMethod],
        default=PaymentMethod.CASH.value,
    )
    event_id = SelectField(_l("Acara (opsional)"), coerce=_optional_int, validate_choice=False)
    note = StringField(_l("Catatan (opsional)"), filters=[strip], validators=[Length(max=300)])


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
