"""Product and storefront statistics: what buyers did (views, WhatsApp clicks, add-to-carts) and what sold
(orders and rupiah, online and offline), per day, for the seller and the cooperative's managers.

Counting is first-party and server-side: no third-party tracker, no cookie. Bots and link-preview fetchers,
HEAD and prefetch requests, and the owner looking at their own listings are not counted.

**How a count is written.** ``count()`` only notes the event on the request; an ``after_this_request``
callback writes it once the view has produced its response, in a short write unit of its own:
the request's transaction is ended first (a GET's is read-only; a POST view has committed what it keeps, and
the request's teardown would roll the rest back anyway), then ``BEGIN IMMEDIATE`` on SQLite (``write_unit``),
one ``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1`` per event, ``COMMIT``. So a GET page never
turns its read transaction into a write one midway (on SQLite that upgrade is what fails with "database is
locked"), readers never queue behind it, the page costs one extra statement, and a failed count (locked
database, lost connection) is logged and dropped: counting never breaks a page.

Reading uses a fixed number of aggregate queries whatever the number of days and products.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from flask import after_this_request, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.clock import wib_day as _wib_day
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.database import write_unit
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale
from marketplace.marketing.offline import SOLD_ORDER_STATUSES, day_bounds, today
from marketplace.marketing.stats_models import STOREFRONT, CountKind, DailyCount
from marketplace.orders.models import Order, OrderLine

log = logging.getLogger(__name__)

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_PRODUCTS = 20

# Crawlers, link-preview fetchers (WhatsApp, Facebook, Slack, Telegram... fetch a shared link to draw its
# card), HTTP libraries and headless browsers. "bot" only as a word ending (Googlebot/2.1, AdsBot-Google,
# Slackbot 1.0), so a phone named "Cubot X30" is still a person.
_BOT_UA = re.compile(
    r"(?<!cu)bot(?:[/;_ ()+-]|$)|robot|crawl|spider|slurp|scrap|archiver|"
    r"facebookexternalhit|facebookcatalog|meta-externalagent|whatsapp/|embedly|preview|"
    r"curl/|wget/|python-|httpx|aiohttp|go-http-client|java/|okhttp|libwww|node-fetch|axios/|"
    r"headlesschrome|phantomjs|lighthouse|pagespeed|pingdom|uptime|monitor",
    re.IGNORECASE,
)
_PENDING = "gotong_stats_pending"


def is_bot(user_agent: str | None) -> bool:
    """A request no person made: no User-Agent at all, or a known crawler, preview fetcher, HTTP library or
    headless browser (our own end-to-end tests' Chromium says "HeadlessChrome" too: a test that expects a
    count sends an ordinary User-Agent)."""
    ua = (user_agent or "").strip()
    return not ua or _BOT_UA.search(ua) is not None


# --- counting -----------------------------------------------------------------------------------------------


def _insert_for_dialect() -> Any:
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def record(
    kind: CountKind | str,
    business_id: int,
    product_id: int | None = None,
    *,
    day: date | None = None,
    n: int = 1,
) -> None:
    """Add ``n`` to a counter in one atomic upsert (no read, so concurrent writers never lose an update).
    Executes in the caller's transaction; the caller commits."""
    table = DailyCount.__table__
    stmt = _insert_for_dialect()(table).values(
        business_id=business_id,
        day=day or today(),
        product_id=product_id or STOREFRONT,
        kind=CountKind(kind),
        count=n,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.business_id, table.c.day, table.c.product_id, table.c.kind],
        set_={"count": table.c.count + stmt.excluded.count},
    )
    db.session.execute(stmt)


def _should_count(business_id: int) -> bool:
    if request.method != "GET" and request.method != "POST":
        return False  # HEAD (link checkers, monitors), OPTIONS
    headers = request.headers
    if is_bot(headers.get("User-Agent")):
        return False
    if "prefetch" in (headers.get("Sec-Purpose") or headers.get("Purpose") or headers.get("X-Moz") or ""):
        return False  # the browser may never show it
    if current_user.is_authenticated:
        # The owner checking their own listing is not interest from a buyer. (An identity-map hit on the
        # pages that count: they have loaded the business already.)
        business = db.session.get(Business, business_id)
        if business is not None and business.owner_id == current_user.id:
            return False
    return True


def count(kind: CountKind | str, business_id: int, product_id: int | None = None) -> bool:
    """Count one event of this request, written after the response is ready (see the module's docstring).
    Returns whether it will be counted."""
    if not has_request_context() or not _should_count(business_id):
        return False
    pending: list[tuple[CountKind, int, int, date]] | None = g.get(_PENDING)
    if pending is None:
        pending = g.setdefault(_PENDING, [])
        after_this_request(_write_pending)
    pending.append((CountKind(kind), business_id, product_id or STOREFRONT, today()))
    return True


def _write_pending(response: Any) -> Any:
    pending = g.pop(_PENDING, None)
    if not pending or response.status_code >= 400:
        return response
    try:
        db.session.rollback()  # end the request's own transaction (see the module's docstring)
        with write_unit():
            for kind, business_id, product_id, day in pending:
                record(kind, business_id, product_id, day=day)
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("statistics: %d event(s) not counted", len(pending), exc_info=True)
    return response


# --- who may read -------------------------------------------------------------------------------------------


def can_view_business_stats(user: Any, business: Business) -> bool:
    """The owner, the managers of a cooperative the business is an active member of, and admins."""
    if policy.can_edit_business(user, business):
        return True
    return any(policy.manages_cooperative(user, m.cooperative) for m in business.active_memberships)


def can_view_cooperative_stats(user: Any, cooperative: Cooperative) -> bool:
    return policy.manages_cooperative(user, cooperative)


# --- reading ------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One day's (or one period's, or one product's) numbers. Rupiah are whole rupiah."""

    views: int = 0
    store_views: int = 0
    wa_clicks: int = 0
    add_to_carts: int = 0
    orders_online: int = 0  # orders (paid or on their way) holding the product
    orders_offline: int = 0  # offline sales recorded
    units_online: int = 0
    units_offline: int = 0
    revenue_online_idr: int = 0  # line totals, before an order's promotion discount
    revenue_offline_idr: int = 0

    @property
    def orders(self) -> int:
        return self.orders_online + self.orders_offline

    @property
    def revenue_idr(self) -> int:
        return self.revenue_online_idr + self.revenue_offline_idr

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Day(Figures):
    day: date = date.min


@dataclass
class ProductRow(Figures):
    product_id: int | None = None
    title: str = ""
    slug: str = ""


@dataclass
class Stats:
    start: date
    end: date  # exclusive
    days: list[Day]
    totals: Figures
    products: list[ProductRow] = field(default_factory=list)

    def series(self, name: str) -> list[int]:
        return [getattr(d, name) for d in self.days]


_KIND_FIELD = {
    CountKind.VIEW: "views",
    CountKind.STORE_VIEW: "store_views",
    CountKind.WA_CLICK: "wa_clicks",
    CountKind.ADD_TO_CART: "add_to_carts",
}


def period(days: int, *, until: date | None = None) -> tuple[date, date]:
    """The last ``days`` calendar days (WIB) up to and including today: [start, end)."""
    end = (until or today()) + timedelta(days=1)
    return end - timedelta(days=days), end


@dataclass(frozen=True)
class _Scope:
    counts: tuple[ColumnElement[bool], ...]  # on DailyCount (may join Product)
    join_product: bool
    lines: tuple[ColumnElement[bool], ...]  # on OrderLine joined to Order
    sales: tuple[ColumnElement[bool], ...]  # on OfflineSale


def _collect(scope: _Scope, start: date, end: date, *, per_product: bool) -> Stats:
    lo, hi = day_bounds(start)[0], day_bounds(end)[0]
    days = {start + timedelta(days=i): Day(day=start + timedelta(days=i)) for i in range((end - start).days)}
    products: dict[tuple[int | None, str], ProductRow] = {}

    def product_row(product_id: int | None, title: str = "") -> ProductRow:
        key = (product_id, "" if product_id else title)
        if key not in products:
            products[key] = ProductRow(product_id=product_id, title=title)
        return products[key]

    def counts(*columns: Any) -> Select[Any]:
        stmt = select(*columns, func.sum(DailyCount.count)).where(
            DailyCount.day >= start, DailyCount.day < end, *scope.counts
        )
        if scope.join_product:
            stmt = stmt.join(
                Product,
                (Product.id == DailyCount.product_id) & (Product.business_id == DailyCount.business_id),
            )
        return stmt.group_by(*columns)

    for day, kind, n in db.session.execute(counts(DailyCount.day, DailyCount.kind)):
        setattr(days[day], _KIND_FIELD[kind], getattr(days[day], _KIND_FIELD[kind]) + int(n))
    if per_product:
        for product_id, kind, n in db.session.execute(counts(DailyCount.product_id, DailyCount.kind)):
            if product_id != STOREFRONT:
                row = product_row(product_id)
                setattr(row, _KIND_FIELD[kind], getattr(row, _KIND_FIELD[kind]) + int(n))

    # Sales: the same rules as offline.sales_summary (sold statuses by order time; offline sales not voided,
    # by sale time), one row per order and product, bucketed into WIB days here (portable across dialects).
    online = (
        select(
            Order.id,
            Order.created_at,
            OrderLine.product_id,
            func.max(OrderLine.title),
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total_idr),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.status.in_(SOLD_ORDER_STATUSES), Order.created_at >= lo, Order.created_at < hi, *scope.lines
        )
        .group_by(Order.id, Order.created_at, OrderLine.product_id)
    )
    seen_orders: set[tuple[int, date]] = set()
    seen_product_orders: set[tuple[int, int | None]] = set()
    for order_id, created_at, product_id, title, units, revenue in db.session.execute(online):
        day = days[_wib_day(created_at)]
        if (order_id, day.day) not in seen_orders:
            seen_orders.add((order_id, day.day))
            day.orders_online += 1
        day.units_online += int(units or 0)
        day.revenue_online_idr += int(revenue or 0)
        if per_product:
            row = product_row(product_id, title)
            if (order_id, product_id) not in seen_product_orders:
                seen_product_orders.add((order_id, product_id))
                row.orders_online += 1
            row.units_online += int(units or 0)
            row.revenue_online_idr += int(revenue or 0)

    offline = select(
        OfflineSale.sold_at,
        OfflineSale.product_id,
        OfflineSale.title,
        OfflineSale.quantity,
        OfflineSale.total_idr,
    ).where(
        OfflineSale.voided_at.is_(None), OfflineSale.sold_at >= lo, OfflineSale.sold_at < hi, *scope.sales
    )
    for sold_at, product_id, title, units, revenue in db.session.execute(offline):
        day = days[_wib_day(sold_at)]
        day.orders_offline += 1
        day.units_offline += int(units)
        day.revenue_offline_idr += int(revenue)
        if per_product:
            row = product_row(product_id, title)
            row.orders_offline += 1
            row.units_offline += int(units)
            row.revenue_offline_idr += int(revenue)

    totals = Figures()
    for day in days.values():
        totals.add(day)
    rows: list[ProductRow] = []
    if per_product and products:
        ids = [r.product_id for r in products.values() if r.product_id]
        names = {
            pid: (title, slug)
            for pid, title, slug in db.session.execute(
                select(Product.id, Product.title, Product.slug).where(Product.id.in_(ids))
            )
        }
        for row in products.values():
            if row.product_id in names:
                row.title, row.slug = names[row.product_id]
            else:
                row.product_id = None  # deleted since: no page to link to
        rows = sorted(
            products.values(),
            key=lambda r: (-r.revenue_idr, -r.orders, -r.views, r.title.lower(), r.product_id or 0),
        )[:TOP_PRODUCTS]
    return Stats(start=start, end=end, days=list(days.values()), totals=totals, products=rows)


def product_stats(product: Product, start: date, end: date) -> Stats:
    """One product's counts and sales per day in [start, end) (WIB days, ``end`` exclusive)."""
    scope = _Scope(
        counts=(DailyCount.business_id == product.business_id, DailyCount.product_id == product.id),
        join_product=False,
        lines=(Order.business_id == product.business_id, OrderLine.product_id == product.id),
        sales=(OfflineSale.business_id == product.business_id, OfflineSale.product_id == product.id),
    )
    return _collect(scope, start, end, per_product=False)


def business_stats(business: Business, start: date, end: date) -> Stats:
    """A business's storefront and product counts and its sales per day, with its top products."""
    scope = _Scope(
        counts=(DailyCount.business_id == business.id,),
        join_product=False,
        lines=(Order.business_id == business.id,),
        sales=(OfflineSale.business_id == business.id,),
    )
    return _collect(scope, start, end, per_product=True)


def cooperative_stats(cooperative: Cooperative, start: date, end: date) -> Stats:
    """The products listed under a cooperative by its active members: their counts and sales."""
    listed = select(Product.id).where(
        Product.cooperative_id == cooperative.id,
        Product.business_id.in_(_active_member_ids(cooperative)),
    )
    scope = _Scope(
        counts=(
            Product.cooperative_id == cooperative.id,
            Product.business_id.in_(_active_member_ids(cooperative)),
        ),
        join_product=True,
        lines=(OrderLine.product_id.in_(listed),),
        sales=(OfflineSale.product_id.in_(listed),),
    )
    return _collect(scope, start, end, per_product=True)


def _active_member_ids(cooperative: Cooperative) -> Select[Any]:
    return select(Membership.business_id).where(
        Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.ACTIVE
    )


# --- charts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    day: date


CHART_HEIGHT = 100.0
BAR_STEP = 10.0


def bars(stats: Stats, name: str) -> list[Bar]:
    """Geometry of a bar chart of one series in a ``0 0 (10 × days) 100`` viewBox (the SVG is drawn by the
    template, scaled to the page's width: no script)."""
    values = stats.series(name)
    top = max(values, default=0) or 1
    result = []
    for i, (value, day) in enumerate(zip(values, (d.day for d in stats.days), strict=True)):
        height = round(CHART_HEIGHT * value / top, 2)
        result.append(
            Bar(
                x=i * BAR_STEP + 1,
                y=CHART_HEIGHT - height,
                width=BAR_STEP - 2,
                height=height,
                value=value,
                day=day,
            )
        )
    return result
