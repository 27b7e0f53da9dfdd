"""Sales made offline (at a bazaar, at the shop), recorded by the seller from their phone.

An offline sale takes from the same stock as online orders, with the same atomic conditional decrement
(``catalog.services.take_stock``), so a bazaar and the website can never sell the same last unit. A mistyped
sale is voided, never deleted: the units it took go back to stock and it stops counting in reports.
``sales_summary`` is the one place reports read sales from: online and offline, per product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from marketplace.accounts import policy
from marketplace.catalog.models import Product, unit_label
from marketplace.catalog.services import MAX_PRICE_IDR, MAX_QUANTITY, return_stock, take_stock
from marketplace.clock import JAKARTA, today_wib, utcnow
from marketplace.cooperatives.models import Business, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing.event_models import Booth, Event, EventStatus, OfflineSale, PaymentMethod
from marketplace.orders.models import Order, OrderLine, OrderStatus

NOTE_MAX = 300
REASON_MAX = 500
# Orders that count as sold: paid, or on their way to the buyer (a cash order is packed before it is paid).
SOLD_ORDER_STATUSES = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.COMPLETED,
    }
)
today = today_wib  # the calendar day in WIB (one definition, in marketplace.clock)


@dataclass
class SaleData:
    product_id: int
    quantity: int
    method: PaymentMethod | str = PaymentMethod.CASH
    unit_price_idr: int | None = None  # None: the product's price
    event_id: int | None = None
    note: str = ""


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses ke penjualan usaha ini."))


def can_record_sales(user: Any, business: Business) -> bool:
    return policy.owns_business(user, business)


# --- recording and voiding ----------------------------------------------------------------------------------


def sale_events(business: Business) -> list[Event]:
    """Events the business may record a sale at: published ones where one of its cooperatives has a booth."""
    stmt = (
        select(Event)
        .join(Booth, Booth.event_id == Event.id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Booth.cooperative_id.in_(_member_cooperative_ids(business)),
        )
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(100)
    )
    return list(db.session.scalars(stmt).unique())


def _member_cooperative_ids(business: Business):  # type: ignore[no-untyped-def]
    return select(Membership.cooperative_id).where(
        Membership.business_id == business.id, Membership.status == MembershipStatus.ACTIVE
    )


def _sale_event(business: Business, event_id: int) -> Event:
    event = db.session.scalars(
        select(Event)
        .join(Booth, Booth.event_id == Event.id)
        .where(Event.id == event_id, Booth.cooperative_id.in_(_member_cooperative_ids(business)))
    ).first()
    if event is None or event.status is not EventStatus.PUBLISHED:
        raise DomainError(
            _("Pilih acara tempat koperasi Anda membuka booth, atau kosongkan."), field="event_id"
        )
    return event


def record_sale(actor: Any, business: Business, data: SaleData) -> OfflineSale:
    """Record a face-to-face sale and take it from stock; refused when the stock is short (a pre-order is
    made to order and takes nothing)."""
    if not can_record_sales(actor, business):
        raise _denied()
    product = db.session.get(Product, data.product_id) if data.product_id else None
    if product is None or product.business_id != business.id:
        raise DomainError(_("Pilih produk dari usaha ini."), field="product_id")
    quantity = data.quantity
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("Jumlah harus angka bulat 1 atau lebih."), field="quantity")
    price = product.price_idr if data.unit_price_idr is None else data.unit_price_idr
    if not 0 <= price <= MAX_PRICE_IDR:
        raise DomainError(_("Harga tidak boleh kurang dari Rp0."), field="unit_price_idr")
    try:
        method = PaymentMethod(data.method)
    except ValueError:
        raise DomainError(_("Pilih cara bayar: tunai atau QRIS."), field="method") from None
    event = _sale_event(business, data.event_id) if data.event_id else None
    taken = take_stock(product, quantity)
    if taken is None:
        raise DomainError(
            _(
                "Stok \u201c%(title)s\u201d tidak cukup: tersisa %(qty)s %(unit)s.",
                title=product.title,
                qty=product.stock,
                unit=unit_label(product.unit),
            ),
            field="quantity",
        )
    sale = OfflineSale(
        business_id=business.id,
        product_id=product.id,
        event_id=event.id if event else None,
        title=product.title,
        unit=product.unit,
        quantity=quantity,
        unit_price_idr=price,
        total_idr=price * quantity,
        reserved_qty=taken,
        method=method,
        sold_at=utcnow(),
        recorded_by_id=actor.id,
        note=(data.note or "").strip()[:NOTE_MAX],
    )
    db.session.add(sale)
    db.session.flush()
    # The UPDATE bypassed the session: let the product show the stock the database now holds.
    db.session.refresh(product, ["stock"])
    return sale


def void_sale(actor: Any, sale: OfflineSale, reason: str) -> None:
    """Void a mistyped sale: the units it took go back to stock; it no longer counts anywhere."""
    if not can_record_sales(actor, sale.business):
        raise _denied()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tulis alasan pembatalan."), field="reason")
    # Conditional on "not voided yet", so two clicks (or two phones) return the stock once.
    result = db.session.execute(
        update(OfflineSale)
        .where(OfflineSale.id == sale.id, OfflineSale.voided_at.is_(None))
        .values(voided_at=utcnow(), voided_by_id=actor.id, void_reason=reason[:REASON_MAX])
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_("Penjualan ini sudah dibatalkan."))
    if sale.product_id is not None:
        return_stock(sale.product_id, sale.reserved_qty)
    db.session.flush()
    db.session.refresh(sale)
    if sale.product is not None:
        db.session.refresh(sale.product, ["stock"])


# --- reading ----------------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A calendar day in Western Indonesia Time (where most sellers are), as an aware [start, end) in UTC:
    SQLite compares the stored UTC text, so a bound must be UTC (a WIB wall-clock bound is 7 hours off)."""
    start = datetime.combine(day, time(0, 0), tzinfo=JAKARTA)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


@dataclass
class DaySales:
    sales: list[OfflineSale]

    @property
    def counted(self) -> list[OfflineSale]:
        return [s for s in self.sales if not s.is_voided]

    @property
    def total_idr(self) -> int:
        return sum(s.total_idr for s in self.counted)

    def total_by_method(self, method: PaymentMethod) -> int:
        return sum(s.total_idr for s in self.counted if s.method is method)


def day_sales(business: Business, day: date) -> DaySales:
    start, end = day_bounds(day)
    sales = db.session.scalars(
        select(OfflineSale)
        .where(
            OfflineSale.business_id == business.id,
            OfflineSale.sold_at >= start,
            OfflineSale.sold_at < end,
        )
        .options(selectinload(OfflineSale.event))
        .order_by(OfflineSale.sold_at.desc(), OfflineSale.id.desc())
    )
    return DaySales(sales=list(sales))


@dataclass
class ProductSales:
    product_id: int | None
    title: str
    unit: str
    online_units: int = 0
    online_revenue_idr: int = 0
    offline_units: int = 0
    offline_revenue_idr: int = 0

    @property
    def units(self) -> int:
        return self.online_units + self.offline_units

    @property
    def revenue_idr(self) -> int:
        return self.online_revenue_idr + self.offline_revenue_idr


@dataclass
class SalesSummary:
    """Sales of one business in [start, end). Revenue per product is the line total (before promotion
    discounts, which belong to an order, not a product); ``online_discount_idr`` is those discounts."""

    rows: list[ProductSales] = field(default_factory=list)
    online_discount_idr: int = 0

    def row(self, product_id: int) -> ProductSales | None:
        return next((r for r in self.rows if r.product_id == product_id), None)

    @property
    def online_units(self) -> int:
        return sum(r.online_units for r in self.rows)

    @property
    def offline_units(self) -> int:
        return sum(r.offline_units for r in self.rows)

    @property
    def online_revenue_idr(self) -> int:
        return sum(r.online_revenue_idr for r in self.rows)

    @property
    def offline_revenue_idr(self) -> int:
        return sum(r.offline_revenue_idr for r in self.rows)

    @property
    def units(self) -> int:
        return self.online_units + self.offline_units

    @property
    def revenue_idr(self) -> int:
        return self.online_revenue_idr + self.offline_revenue_idr


def _as_bound(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("sales_summary needs timezone-aware datetimes")
        return value
    return day_bounds(value)[0]


def sales_summary(business: Business, start: date | datetime, end: date | datetime) -> SalesSummary:
    """Units and rupiah per product in [start, end) (dates are whole days in WIB; ``end`` exclusive), split
    into online (orders paid or on their way: ``SOLD_ORDER_STATUSES``, by order time) and offline
    (non-voided offline sales, by sale time)."""
    lo, hi = _as_bound(start), _as_bound(end)
    rows: dict[tuple[int | None, str], ProductSales] = {}

    def row(product_id: int | None, title: str, unit: str) -> ProductSales:
        # A deleted product's lines (product_id NULL) are grouped by their title.
        key = (product_id, "" if product_id is not None else title)
        if key not in rows:
            rows[key] = ProductSales(product_id=product_id, title=title, unit=unit)
        return rows[key]

    sold = (
        Order.business_id == business.id,
        Order.status.in_(SOLD_ORDER_STATUSES),
        Order.created_at >= lo,
        Order.created_at < hi,
    )
    online = db.session.execute(
        select(
            OrderLine.product_id,
            func.max(OrderLine.title),
            func.max(OrderLine.unit),
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total_idr),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(*sold)
        .group_by(OrderLine.product_id, OrderLine.title)
    )
    for product_id, title, unit, units, revenue in online:
        r = row(product_id, title, unit)
        r.online_units += int(units or 0)
        r.online_revenue_idr += int(revenue or 0)
    offline = db.session.execute(
        select(
            OfflineSale.product_id,
            func.max(OfflineSale.title),
            func.max(OfflineSale.unit),
            func.sum(OfflineSale.quantity),
            func.sum(OfflineSale.total_idr),
        )
        .where(
            OfflineSale.business_id == business.id,
            OfflineSale.voided_at.is_(None),
            OfflineSale.sold_at >= lo,
            OfflineSale.sold_at < hi,
        )
        .group_by(OfflineSale.product_id, OfflineSale.title)
    )
    for product_id, title, unit, units, revenue in offline:
        r = row(product_id, title, unit)
        r.offline_units += int(units or 0)
        r.offline_revenue_idr += int(revenue or 0)
    discount = db.session.scalar(select(func.coalesce(func.sum(Order.discount_idr), 0)).where(*sold))
    # Current titles for products that still exist (a renamed product reads as it is called now).
    ids = [r.product_id for r in rows.values() if r.product_id is not None]
    if ids:
        for product_id, title, unit in db.session.execute(
            select(Product.id, Product.title, Product.unit).where(Product.id.in_(ids))
        ):
            r = rows[(product_id, "")]
            r.title, r.unit = title, unit
    ordered = sorted(rows.values(), key=lambda r: (-r.revenue_idr, r.title.lower(), r.product_id or 0))
    return SalesSummary(rows=ordered, online_discount_idr=int(discount or 0))
