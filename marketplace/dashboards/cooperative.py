"""The cooperative managers' dashboard and the member roster.

- Activity: ``activity.cooperative_activity`` (DOMAIN.md "Supervision") with each reason and its date.
- Members: a member business (active membership) is **active** when in the 365 days up to now it sold
  (an online order of any cooperative or none, paid or on its way — ``SOLD_ORDER_STATUSES`` — by the time it
  was placed; or an offline sale not voided) or pledged to / committed in a coalition (not withdrawn). A sale
  364 days ago keeps it active, one 366 days ago does not. Its "sales in the last 365 days" are the goods
  subtotals of those orders (before a promotion discount and delivery) plus its offline sales.
- Sales through the cooperative: orders placed through it (``Order.cooperative_id``, sold statuses, line
  totals) plus the offline sales of its active members, over the period (days in WIB).

Every figure is a constant number of queries, whatever the number of members or orders: one query per source,
grouped by business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, distinct, exists, func, literal, null, or_, select, union_all

from marketplace.accounts import policy
from marketplace.catalog.models import Product, ProductStatus
from marketplace.clock import utcnow
from marketplace.clock import wib_day as _wib_day
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.dashboards import activity as activity_rule
from marketplace.dashboards.business import TOP_PRODUCTS, SalesOverview, overview_from
from marketplace.dashboards.sources import CooperativeCoalitions, coalition_source
from marketplace.extensions import db
from marketplace.marketing import stats
from marketplace.marketing.event_models import Booth, Event, EventStatus, OfflineSale
from marketplace.marketing.offline import SOLD_ORDER_STATUSES, day_bounds
from marketplace.orders.models import Order, OrderLine

MEMBER_WINDOW = timedelta(days=365)
EVENTS_SHOWN = 10


def can_view_cooperative_dashboard(user: Any, cooperative: Cooperative) -> bool:
    return policy.manages_cooperative(user, cooperative)


def active_member_ids(cooperative_id: int) -> Select[Any]:
    return select(Membership.business_id).where(
        Membership.cooperative_id == cooperative_id, Membership.status == MembershipStatus.ACTIVE
    )


# --- members ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    business_id: int
    name: str
    slug: str
    owner_name: str
    nib: str
    whatsapp: str
    sector: str
    regency_code: str
    joined_at: datetime | None
    last_sale_at: datetime | None
    last_coalition_at: datetime | None
    sales_idr: int  # online + offline in the 365 days up to now
    coalitions_joined: int
    active: bool

    @property
    def last_activity_at(self) -> datetime | None:
        found = [at for at in (self.last_sale_at, self.last_coalition_at) if at is not None]
        return max(found) if found else None

    @property
    def joined_on(self) -> date | None:
        """The day (WIB) it joined, as the page and the roster show it."""
        return _wib_day(self.joined_at) if self.joined_at else None

    @property
    def last_activity_on(self) -> date | None:
        last = self.last_activity_at
        return _wib_day(last) if last else None


def member_rows(cooperative: Cooperative, *, as_of: datetime | None = None) -> list[MemberRow]:
    """Every active member business, by name, with its last activity and whether it is active. Four queries:
    the members, online sales grouped by business, offline sales grouped by business, coalitions."""
    as_of = activity_rule.aware(as_of) or utcnow()
    since = as_of - MEMBER_WINDOW
    ids = active_member_ids(cooperative.id)
    members = db.session.execute(
        select(Business, Membership.joined_at)
        .join(Membership, Membership.business_id == Business.id)
        .where(Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.ACTIVE)
        .order_by(func.lower(Business.name), Business.id)
    ).all()
    online = {
        business_id: (last, int(total or 0))
        for business_id, last, total in db.session.execute(
            select(
                Order.business_id,
                func.max(Order.created_at),
                func.sum(case((Order.created_at >= since, Order.subtotal_idr), else_=0)),
            )
            .where(
                Order.business_id.in_(ids),
                Order.status.in_(SOLD_ORDER_STATUSES),
                Order.created_at <= as_of,
            )
            .group_by(Order.business_id)
        )
    }
    offline = {
        business_id: (last, int(total or 0))
        for business_id, last, total in db.session.execute(
            select(
                OfflineSale.business_id,
                func.max(OfflineSale.sold_at),
                func.sum(case((OfflineSale.sold_at >= since, OfflineSale.total_idr), else_=0)),
            )
            .where(
                OfflineSale.business_id.in_(ids),
                OfflineSale.voided_at.is_(None),
                OfflineSale.sold_at <= as_of,
            )
            .group_by(OfflineSale.business_id)
        )
    }
    coalitions = coalition_source().business_coalitions(ids)
    rows = []
    for business, joined_at in members:
        online_at, online_idr = online.get(business.id, (None, 0))
        offline_at, offline_idr = offline.get(business.id, (None, 0))
        taken = coalitions.get(business.id)
        last_sale = activity_rule.latest((online_at, offline_at))
        last_coalition = activity_rule.aware(taken.last_at) if taken else None
        if last_coalition is not None and last_coalition > as_of:
            last_coalition = None
        last = activity_rule.latest((last_sale, last_coalition))
        rows.append(
            MemberRow(
                business_id=business.id,
                name=business.name,
                slug=business.slug,
                owner_name=business.owner_name,
                nib=business.nib,
                whatsapp=business.whatsapp,
                sector=business.sector.value,
                regency_code=business.regency_code,
                joined_at=activity_rule.aware(joined_at),
                last_sale_at=last_sale,
                last_coalition_at=last_coalition,
                sales_idr=online_idr + offline_idr,
                coalitions_joined=taken.joined if taken else 0,
                active=last is not None and since <= last <= as_of,
            )
        )
    return rows


ROSTER_HEADER = (
    _l("Nama usaha"),
    _l("Pemilik"),
    _l("NIB"),
    _l("WhatsApp"),
    _l("Sektor"),
    _l("Kabupaten/kota"),
    _l("Bergabung"),
    _l("Aktif"),
    _l("Aktivitas terakhir"),
    _l("Penjualan 365 hari (Rp)"),
    _l("Koalisi diikuti"),
)


def roster_rows(rows: list[MemberRow], sector_label: Any = str, region_label: Any = str) -> list[list[Any]]:
    """The members table as CSV rows; the labels of sectors and regencies come from the caller (the view
    passes the same filters the page uses)."""
    return [
        [
            row.name,
            row.owner_name,
            row.nib,
            row.whatsapp,
            sector_label(row.sector),
            region_label(row.regency_code),
            row.joined_on,
            _l("Aktif") if row.active else _l("Tidak aktif"),
            row.last_activity_on,
            row.sales_idr,
            row.coalitions_joined,
        ]
        for row in rows
    ]


# --- sales through the cooperative --------------------------------------------------------------------------


def cooperative_sales(cooperative: Cooperative, days: int, *, until: date | None = None) -> SalesOverview:
    """Orders placed through the cooperative and its active members' offline sales, per day (per month for
    a year), with the top five products by revenue. Four queries."""
    start, end = stats.period(days, until=until)
    lo, hi = day_bounds(start)[0], day_bounds(end)[0]
    series = {
        start + timedelta(days=i): stats.Day(day=start + timedelta(days=i)) for i in range((end - start).days)
    }
    sold = and_(
        Order.cooperative_id == cooperative.id,
        Order.status.in_(SOLD_ORDER_STATUSES),
        Order.created_at >= lo,
        Order.created_at < hi,
    )
    # Offline sales of active members since they joined: found from the memberships (index on business and
    # sale time), not by testing every sale of the period.
    offline_sold = OfflineSale.id.in_(
        select(OfflineSale.id)
        .join(
            Membership,
            and_(
                Membership.business_id == OfflineSale.business_id,
                Membership.cooperative_id == cooperative.id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.joined_at <= OfflineSale.sold_at,  # sold as a member, not before joining
            ),
        )
        .where(OfflineSale.voided_at.is_(None), OfflineSale.sold_at >= lo, OfflineSale.sold_at < hi)
    )
    online = db.session.execute(
        select(Order.created_at, func.sum(OrderLine.quantity), func.sum(OrderLine.line_total_idr))
        .join(Order, Order.id == OrderLine.order_id)
        .where(sold)
        .group_by(Order.id, Order.created_at)
    )
    for created_at, units, revenue in online:
        day = series[_wib_day(created_at)]
        day.orders_online += 1
        day.units_online += int(units or 0)
        day.revenue_online_idr += int(revenue or 0)
    offline = db.session.execute(
        select(OfflineSale.sold_at, OfflineSale.quantity, OfflineSale.total_idr).where(offline_sold)
    )
    for sold_at, units, revenue in offline:
        day = series[_wib_day(sold_at)]
        day.orders_offline += 1
        day.units_offline += int(units)
        day.revenue_offline_idr += int(revenue)
    totals = stats.Figures()
    for day in series.values():
        totals.add(day)

    # The top products, ranked in the database (a busy cooperative sells thousands of products a month):
    # online lines and offline sales as one list, grouped per product (a deleted product by its title).
    online_part = (
        select(
            OrderLine.product_id.label("pid"),
            case((OrderLine.product_id.is_(None), OrderLine.title), else_="").label("tkey"),
            OrderLine.title.label("title"),
            Order.id.label("oid"),
            literal(0).label("offline_orders"),
            OrderLine.quantity.label("units_on"),
            literal(0).label("units_off"),
            OrderLine.line_total_idr.label("rev_on"),
            literal(0).label("rev_off"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(sold)
    )
    offline_part = select(
        OfflineSale.product_id,
        case((OfflineSale.product_id.is_(None), OfflineSale.title), else_=""),
        OfflineSale.title,
        null(),
        literal(1),
        literal(0),
        OfflineSale.quantity,
        literal(0),
        OfflineSale.total_idr,
    ).where(offline_sold)
    both = union_all(online_part, offline_part).subquery()
    revenue = func.sum(both.c.rev_on) + func.sum(both.c.rev_off)
    units = func.sum(both.c.units_on) + func.sum(both.c.units_off)
    top: list[stats.ProductRow] = []
    for product_id, title, orders_on, orders_off, units_on, units_off, rev_on, rev_off in db.session.execute(
        select(
            both.c.pid,
            func.max(both.c.title),
            func.count(distinct(both.c.oid)),
            func.sum(both.c.offline_orders),
            func.sum(both.c.units_on),
            func.sum(both.c.units_off),
            func.sum(both.c.rev_on),
            func.sum(both.c.rev_off),
        )
        .group_by(both.c.pid, both.c.tkey)
        .order_by(
            revenue.desc(), units.desc(), func.lower(func.max(both.c.title)), func.coalesce(both.c.pid, 0)
        )
        .limit(TOP_PRODUCTS)
    ):
        top.append(
            stats.ProductRow(
                product_id=product_id,
                title=title,
                orders_online=int(orders_on or 0),
                orders_offline=int(orders_off or 0),
                units_online=int(units_on or 0),
                units_offline=int(units_off or 0),
                revenue_online_idr=int(rev_on or 0),
                revenue_offline_idr=int(rev_off or 0),
            )
        )
    ids = [r.product_id for r in top if r.product_id]
    if ids:
        names = dict(db.session.execute(select(Product.id, Product.slug).where(Product.id.in_(ids))).all())
        for row in top:
            if row.product_id in names:
                row.slug = names[row.product_id]
            else:
                row.product_id = None
    collected = stats.Stats(start=start, end=end, days=list(series.values()), totals=totals, products=top)
    return overview_from(collected, days)


# --- events -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    event: Event
    organised: bool  # the cooperative organises it
    booth: bool  # the cooperative has a booth there
    ongoing: bool


def cooperative_events(cooperative: Cooperative, *, now: datetime | None = None) -> list[EventLine]:
    """Published events not over yet that the cooperative organises or has a booth at, soonest first."""
    now = now or utcnow()
    has_booth = exists().where(Booth.event_id == Event.id, Booth.cooperative_id == cooperative.id)
    rows = db.session.execute(
        select(Event, has_booth)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.ends_at >= now,
            or_(Event.cooperative_id == cooperative.id, has_booth),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(EVENTS_SHOWN)
    ).all()
    return [
        EventLine(
            event=event,
            organised=event.cooperative_id == cooperative.id,
            booth=bool(booth),
            ongoing=activity_rule.aware(event.starts_at) <= now,  # type: ignore[operator]
        )
        for event, booth in rows
    ]


# --- the whole page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSummary:
    rows: list[MemberRow]
    active: int
    inactive: int
    pending_applications: int

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def inactive_rows(self) -> list[MemberRow]:
        return [r for r in self.rows if not r.active]


@dataclass(frozen=True)
class CooperativeDashboard:
    cooperative: Cooperative
    activity: activity_rule.Activity
    members: MemberSummary
    listings_waiting: int
    sales: SalesOverview
    coalitions: CooperativeCoalitions
    events: list[EventLine]


def member_summary(cooperative: Cooperative, *, as_of: datetime | None = None) -> MemberSummary:
    rows = member_rows(cooperative, as_of=as_of)
    pending = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.PENDING
        )
    )
    active = sum(1 for r in rows if r.active)
    return MemberSummary(
        rows=rows, active=active, inactive=len(rows) - active, pending_applications=pending or 0
    )


def listings_waiting(cooperative: Cooperative) -> int:
    return (
        db.session.scalar(
            select(func.count(Product.id)).where(
                Product.cooperative_id == cooperative.id, Product.status == ProductStatus.PENDING_REVIEW
            )
        )
        or 0
    )


def cooperative_dashboard(
    cooperative: Cooperative, days: int, *, as_of: datetime | None = None
) -> CooperativeDashboard:
    return CooperativeDashboard(
        cooperative=cooperative,
        activity=activity_rule.cooperative_activity(cooperative, as_of=as_of),
        members=member_summary(cooperative, as_of=as_of),
        listings_waiting=listings_waiting(cooperative),
        sales=cooperative_sales(cooperative, days),
        coalitions=coalition_source().cooperative_summary(cooperative.id),
        events=cooperative_events(cooperative, now=as_of),
    )
