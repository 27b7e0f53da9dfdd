"""The MSME (UMKM) owner's dashboard: sales over a period (online and offline), what waits for the seller
(orders to fulfil, transfer proofs to check, low stock) and the coalitions the business joined.

Sales follow the marketing statistics' rules (``stats.business_stats``, i.e. ``offline.sales_summary``):
online orders paid or on their way (``SOLD_ORDER_STATUSES``) by the time they were placed, at their line
totals before a promotion discount; offline sales not voided, by the time they were sold; days in WIB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from marketplace.accounts import policy
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Business
from marketplace.dashboards.sources import CoalitionLine, coalition_source
from marketplace.extensions import db
from marketplace.marketing import stats
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments.models import Payment, PaymentStatus, payment_orders

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30
MONTHLY_FROM = 365  # periods this long are shown per month, shorter ones per day
TOP_PRODUCTS = 5
OLDEST_ORDERS = 5
LIST_LIMIT = 20

O = OrderStatus  # noqa: E741 (reads like the state diagram, as in orders.services)
# Orders on their way that the seller still has to finish (deliver, hand over) besides ``needs_action``.
UNDER_WAY = (O.SHIPPED, O.READY_FOR_PICKUP)
OPEN_STATUS_ORDER = (O.PENDING_PAYMENT, O.PAID, O.PACKED, O.SHIPPED, O.READY_FOR_PICKUP)
OPEN_STATUS_LABELS = {
    O.PENDING_PAYMENT: _l("Bayar di tempat, perlu disiapkan"),
    O.PAID: _l("Dibayar, perlu dikemas"),
    O.PACKED: _l("Dikemas, perlu dikirim"),
    O.SHIPPED: _l("Dikirim, menunggu selesai"),
    O.READY_FOR_PICKUP: _l("Siap diambil pembeli"),
}


def can_view_business_dashboard(user: Any, business: Business) -> bool:
    """The owner and admins; not the cooperative's managers (they have their own dashboard)."""
    return policy.can_edit_business(user, business)


def period_days(value: int | None) -> int:
    return value if value in PERIODS else DEFAULT_PERIOD


# --- sales over time ----------------------------------------------------------------------------------------


@dataclass
class SalesRow:
    """Sales of one day or month (or the totals)."""

    label: str  # "2026-11-22" (a day) or "2026-11" (a month), as in the CSV
    start: date
    orders_online: int = 0
    orders_offline: int = 0
    units_online: int = 0
    units_offline: int = 0
    revenue_online_idr: int = 0
    revenue_offline_idr: int = 0

    @property
    def orders(self) -> int:
        return self.orders_online + self.orders_offline

    @property
    def units(self) -> int:
        return self.units_online + self.units_offline

    @property
    def revenue_idr(self) -> int:
        return self.revenue_online_idr + self.revenue_offline_idr

    def add(self, figures: Any) -> None:
        self.orders_online += figures.orders_online
        self.orders_offline += figures.orders_offline
        self.units_online += figures.units_online
        self.units_offline += figures.units_offline
        self.revenue_online_idr += figures.revenue_online_idr
        self.revenue_offline_idr += figures.revenue_offline_idr


@dataclass
class SalesOverview:
    days: int
    start: date
    last_day: date
    monthly: bool
    rows: list[SalesRow]
    totals: SalesRow
    top: list[stats.ProductRow] = field(default_factory=list)

    def chart_points(self) -> list[tuple[str, int]]:
        return [(row.label, row.revenue_idr) for row in self.rows]


SALES_CSV_HEADER = (
    _l("Periode"),
    _l("Pesanan online"),
    _l("Penjualan offline"),
    _l("Unit online"),
    _l("Unit offline"),
    _l("Pendapatan online (Rp)"),
    _l("Pendapatan offline (Rp)"),
    _l("Pendapatan total (Rp)"),
)


def sales_csv_rows(overview: SalesOverview) -> list[list[Any]]:
    """The sales table as CSV rows (the same numbers, the same order as on the page)."""
    return [
        [
            row.label,
            row.orders_online,
            row.orders_offline,
            row.units_online,
            row.units_offline,
            row.revenue_online_idr,
            row.revenue_offline_idr,
            row.revenue_idr,
        ]
        for row in overview.rows
    ]


def overview_from(collected: stats.Stats, days: int) -> SalesOverview:
    """Group a daily series into the rows shown (per month for a year), with the top products that sold."""
    monthly = days >= MONTHLY_FROM
    rows: dict[str, SalesRow] = {}
    for day in collected.days:
        start = day.day.replace(day=1) if monthly else day.day
        label = start.strftime("%Y-%m") if monthly else start.isoformat()
        row = rows.get(label)
        if row is None:
            row = rows[label] = SalesRow(label=label, start=start)
        row.add(day)
    totals = SalesRow(label="", start=collected.start)
    totals.add(collected.totals)
    top = [p for p in collected.products if p.orders_online or p.orders_offline][:TOP_PRODUCTS]
    return SalesOverview(
        days=days,
        start=collected.start,
        last_day=collected.days[-1].day if collected.days else collected.start,
        monthly=monthly,
        rows=list(rows.values()),
        totals=totals,
        top=top,
    )


def business_sales(business: Business, days: int, *, until: date | None = None) -> SalesOverview:
    start, end = stats.period(days, until=until)
    return overview_from(stats.business_stats(business, start, end), days)


# --- what waits for the seller ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenOrders:
    counts: list[tuple[OrderStatus, str, int]]  # (status, what it needs, orders), in fulfilment order
    total: int
    oldest: list[Order]


def _open_condition() -> Any:
    return or_(order_services.needs_action(), Order.status.in_(UNDER_WAY))


def open_orders(business: Business) -> OpenOrders:
    """Orders the seller still has to fulfil: ``needs_action`` (paid, packed, cash on handover to prepare)
    and those shipped or ready for pickup, counted per status, with the oldest five."""
    found = dict(
        db.session.execute(
            select(Order.status, func.count())
            .where(Order.business_id == business.id, _open_condition())
            .group_by(Order.status)
        ).all()
    )
    counts = [(s, str(OPEN_STATUS_LABELS[s]), int(found[s])) for s in OPEN_STATUS_ORDER if found.get(s)]
    oldest = list(
        db.session.scalars(
            select(Order)
            .where(Order.business_id == business.id, _open_condition())
            .order_by(Order.created_at, Order.id)
            .limit(OLDEST_ORDERS)
        )
    )
    return OpenOrders(counts=counts, total=sum(n for _s, _l, n in counts), oldest=oldest)


def low_stock(business: Business) -> list[Product]:
    """Active listings (not pre-order) with stock at or under their low-stock threshold, emptiest first."""
    return list(
        db.session.scalars(
            select(Product)
            .where(
                Product.business_id == business.id,
                Product.status == ProductStatus.ACTIVE,
                Product.preorder.is_(False),
                Product.stock <= Product.low_stock_threshold,
            )
            .order_by(Product.stock, Product.title, Product.id)
            .limit(LIST_LIMIT)
        )
    )


@dataclass(frozen=True)
class PendingProof:
    order: Order
    amount_idr: int
    uploaded_at: datetime | None


def pending_proofs(business: Business) -> list[PendingProof]:
    """The business's orders waiting for payment whose bank-transfer proof waits to be checked, oldest
    proof first."""
    rows = db.session.execute(
        select(Order, Payment.proof_uploaded_at)
        .join(payment_orders, payment_orders.c.order_id == Order.id)
        .join(Payment, Payment.id == payment_orders.c.payment_id)
        .where(
            Order.business_id == business.id,
            Order.status == O.PENDING_PAYMENT,
            Payment.status == PaymentStatus.AWAITING_REVIEW,
        )
        .order_by(Payment.proof_uploaded_at, Order.id)
        .limit(LIST_LIMIT)
    ).all()
    return [PendingProof(order, int(order.total_idr), uploaded) for order, uploaded in rows]


# --- coalitions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoalitionTotals:
    lines: list[CoalitionLine]
    savings_idr: int
    amount_due_idr: int
    payout_owed_idr: int
    payout_paid_idr: int
    open_count: int


def coalition_totals(lines: Sequence[CoalitionLine]) -> CoalitionTotals:
    return CoalitionTotals(
        lines=list(lines),
        savings_idr=sum(line.savings_idr for line in lines),
        amount_due_idr=sum(line.amount_due_idr for line in lines),
        payout_owed_idr=sum(line.payout_owed_idr for line in lines),
        payout_paid_idr=sum(line.payout_paid_idr for line in lines),
        open_count=sum(1 for line in lines if line.is_open),
    )


def business_coalitions(business: Business) -> CoalitionTotals:
    return coalition_totals(coalition_source().business_lines([business.id]))


# --- the whole page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessDashboard:
    business: Business
    sales: SalesOverview
    open_orders: OpenOrders
    low_stock: list[Product]
    proofs: list[PendingProof]
    coalitions: CoalitionTotals


def business_dashboard(business: Business, days: int, *, until: date | None = None) -> BusinessDashboard:
    return BusinessDashboard(
        business=business,
        sales=business_sales(business, days, until=until),
        open_orders=open_orders(business),
        low_stock=low_stock(business),
        proofs=pending_proofs(business),
        coalitions=business_coalitions(business),
    )
