"""The regional office dashboard: how the cooperatives of a province or regency are doing.

Every figure of a page comes from a handful of statements whose number does not grow with the region: the
cooperatives (one select of a few columns), their activity (``activity.activities``, one statement), their
active member counts (one grouped query), online and offline sales by sector (two grouped queries) and the
coalition savings by sector (the coalition source). Everything else is arithmetic in Python over those rows.
The page's tables and their CSV downloads read the same rows (``*_table`` functions), so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select

from marketplace import clock, regions
from marketplace.clock import utcnow
from marketplace.cooperatives.models import (
    COOPERATIVE_TYPE_LABELS,
    Business,
    Cooperative,
    CooperativeType,
    Membership,
    MembershipStatus,
)
from marketplace.dashboards.activity import (
    ACTIVITY_LABELS,
    WINDOW,
    Activity,
    ActivityKind,
    activities,
    aware,
    region_cooperative_ids,
)
from marketplace.dashboards.sources import coalition_source
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale
from marketplace.marketing.offline import SOLD_ORDER_STATUSES
from marketplace.orders.models import Order
from marketplace.sectors import SECTOR_LABELS, Sector

PER_PAGE = 50
CSV_TABLES = ("kabupaten", "tidak-aktif", "sektor", "koperasi")


def is_region_code(code: str) -> bool:
    return regions.is_province(code) or regions.is_regency(code)


# --- rows ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CooperativeRow:
    id: int
    name: str
    slug: str
    regency_code: str
    coop_type: CooperativeType
    members: int
    activity: Activity

    @property
    def active(self) -> bool:
        return self.activity.active

    @property
    def regency_name(self) -> str:
        return regions.name(self.regency_code)

    @property
    def type_label(self) -> str:
        return str(COOPERATIVE_TYPE_LABELS.get(self.coop_type, self.coop_type))

    @property
    def last_kind(self) -> ActivityKind | None:
        last = self.activity.last
        return last[0] if last else None

    @property
    def last_label(self) -> str:
        kind = self.last_kind
        return str(ACTIVITY_LABELS[kind]) if kind else _("Belum pernah")

    @property
    def last_on(self) -> date | None:
        """The day (WIB) of the latest thing the cooperative did."""
        return wib_day(self.activity.last_at)


@dataclass(frozen=True)
class RegencyRow:
    code: str
    name: str
    total: int
    active: int

    @property
    def inactive(self) -> int:
        return self.total - self.active


@dataclass(frozen=True)
class SectorRow:
    sector: str
    orders: int = 0
    online_idr: int = 0
    offline_idr: int = 0
    savings_idr: int = 0

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS.get(self.sector, self.sector))  # type: ignore[call-overload]

    @property
    def total_idr(self) -> int:
        return self.online_idr + self.offline_idr


@dataclass(frozen=True)
class Page:
    """A page of an in-memory list, shaped like Flask-SQLAlchemy's pagination for the ``pager`` macro."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(items: Sequence[Any], page: int | None, per_page: int = PER_PAGE) -> Page:
    total = len(items)
    pages = max(1, -(-total // per_page))
    page = min(max(page or 1, 1), pages)
    start = (page - 1) * per_page
    return Page(items=list(items[start : start + per_page]), page=page, per_page=per_page, total=total)


def wib_day(moment: datetime | None) -> date | None:
    return clock.wib_day(moment) if moment is not None else None


# --- the region's page --------------------------------------------------------------------------------------


@dataclass
class RegionDashboard:
    code: str
    as_of: datetime
    cooperatives: list[CooperativeRow]  # by regency name, then name
    regencies: list[RegencyRow]
    sectors: list[SectorRow]
    savings_available: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        return self.as_of - WINDOW

    @property
    def is_province(self) -> bool:
        return "." not in self.code

    @property
    def total(self) -> int:
        return len(self.cooperatives)

    @property
    def active(self) -> int:
        return sum(1 for row in self.cooperatives if row.active)

    @property
    def inactive(self) -> int:
        return self.total - self.active

    @property
    def savings_idr(self) -> int:
        return sum(row.savings_idr for row in self.sectors)

    @property
    def sales_idr(self) -> int:
        return sum(row.total_idr for row in self.sectors)

    @property
    def inactive_cooperatives(self) -> list[CooperativeRow]:
        """Longest inactive first: never did anything, then the oldest last activity; ties by name, id."""
        rows = [row for row in self.cooperatives if not row.active]
        return sorted(
            rows,
            key=lambda r: (
                r.activity.last_at is not None,
                r.activity.last_at or self.as_of,
                r.name.casefold(),
                r.id,
            ),
        )


def _cooperative_columns() -> Select[Any]:
    return select(
        Cooperative.id, Cooperative.name, Cooperative.slug, Cooperative.regency_code, Cooperative.coop_type
    )


def _member_counts(ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Membership.cooperative_id, func.count(Membership.id))
        .where(Membership.cooperative_id.in_(ids), Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.cooperative_id)
    )
    return {cooperative_id: count for cooperative_id, count in rows}


def _online_by_sector(ids: list[int], since: datetime, as_of: datetime) -> dict[str, tuple[int, int]]:
    """Orders placed through these cooperatives and sold, by the seller's sector: (orders, subtotal)."""
    per_business = (
        select(
            Order.business_id.label("business_id"),
            func.count(Order.id).label("orders"),
            func.sum(Order.subtotal_idr).label("revenue"),
        )
        .where(
            Order.cooperative_id.in_(ids),
            Order.status.in_(SOLD_ORDER_STATUSES),
            Order.created_at >= since,
            Order.created_at <= as_of,
        )
        .group_by(Order.business_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Business.sector, func.sum(per_business.c.orders), func.sum(per_business.c.revenue))
        .join(per_business, per_business.c.business_id == Business.id)
        .group_by(Business.sector)
    )
    return {_sector_value(sector): (int(orders or 0), int(revenue or 0)) for sector, orders, revenue in rows}


def _offline_by_sector(ids: list[int], since: datetime, as_of: datetime) -> dict[str, int]:
    """Offline sales (not voided) of the active member businesses of these cooperatives made since they
    joined, by sector. A business that is a member of two of them counts once."""
    # The sales made as a member, found from the memberships (a business in two of them counts once).
    sold_as_member = OfflineSale.id.in_(
        select(OfflineSale.id).join(
            Membership,
            and_(
                Membership.business_id == OfflineSale.business_id,
                Membership.cooperative_id.in_(ids),
                Membership.status == MembershipStatus.ACTIVE,
                Membership.joined_at <= OfflineSale.sold_at,  # sold as a member, not before joining
            ),
        )
    )
    rows = db.session.execute(
        select(Business.sector, func.sum(OfflineSale.total_idr))
        .join(Business, Business.id == OfflineSale.business_id)
        .where(
            sold_as_member,
            OfflineSale.voided_at.is_(None),
            OfflineSale.sold_at >= since,
            OfflineSale.sold_at <= as_of,
        )
        .group_by(Business.sector)
    )
    return {_sector_value(sector): int(total or 0) for sector, total in rows}


def _savings_by_sector(ids: Select[Any], since: datetime) -> dict[str, int] | None:
    source = coalition_source()
    # Guard: the coalitions package gains ``savings_by_sector`` in this issue; None = not available yet.
    method = getattr(source, "savings_by_sector", None)
    if method is None:
        return None
    return {_sector_value(k): int(v or 0) for k, v in method(ids, since).items()}


def _sector_value(sector: Any) -> str:
    return sector.value if isinstance(sector, Sector) else str(sector)


def _sector_rows(
    online: dict[str, tuple[int, int]], offline: dict[str, int], savings: dict[str, int]
) -> list[SectorRow]:
    known = [s.value for s in Sector]
    others = sorted((set(online) | set(offline) | set(savings)) - set(known))
    return [
        SectorRow(
            sector=value,
            orders=online.get(value, (0, 0))[0],
            online_idr=online.get(value, (0, 0))[1],
            offline_idr=offline.get(value, 0),
            savings_idr=savings.get(value, 0),
        )
        for value in known + others
    ]


def _regency_rows(code: str, cooperatives: Iterable[CooperativeRow]) -> list[RegencyRow]:
    listed = list(regions.regencies(code)) if "." not in code else [(code, regions.name(code))]
    totals: dict[str, list[int]] = {rc: [0, 0] for rc, _name in listed}
    for row in cooperatives:
        counts = totals.get(row.regency_code)
        if counts is None:  # a cooperative filed under a code the dataset does not list
            counts = totals[row.regency_code] = [0, 0]
            listed.append((row.regency_code, regions.name(row.regency_code) or row.regency_code))
        counts[0] += 1
        counts[1] += int(row.active)
    return [RegencyRow(rc, name, totals[rc][0], totals[rc][1]) for rc, name in listed]


def region_dashboard(code: str, *, as_of: datetime | None = None) -> RegionDashboard:
    """Everything the region's page shows, in a constant number of statements."""
    as_of = aware(as_of) or utcnow()
    since = as_of - WINDOW
    region_ids = region_cooperative_ids(code)
    rows = list(db.session.execute(_cooperative_columns().where(Cooperative.id.in_(region_ids))))
    # The ids as literal values, not a subquery: PostgreSQL then estimates a regency's few hundred orders
    # from its statistics and reads them through ix_orders_cooperative_created instead of the whole table.
    ids = [row.id for row in rows]
    found = activities(ids, as_of=as_of) if ids else {}
    members = _member_counts(ids) if ids else {}
    cooperatives = [
        CooperativeRow(
            id=row.id,
            name=row.name,
            slug=row.slug,
            regency_code=row.regency_code,
            coop_type=row.coop_type,
            members=members.get(row.id, 0),
            activity=found.get(row.id) or Activity(cooperative_id=row.id, as_of=as_of),
        )
        for row in rows
    ]
    cooperatives.sort(key=lambda r: (r.regency_name.casefold(), r.name.casefold(), r.id))
    savings = _savings_by_sector(region_ids, since)
    online = _online_by_sector(ids, since, as_of) if ids else {}
    offline = _offline_by_sector(ids, since, as_of) if ids else {}
    sectors = _sector_rows(online, offline, savings or {})
    return RegionDashboard(
        code=code,
        as_of=as_of,
        cooperatives=cooperatives,
        regencies=_regency_rows(code, cooperatives),
        sectors=sectors,
        savings_available=savings is not None,
    )


# --- the tables, as the CSV downloads write them ------------------------------------------------------------


def regency_table(dashboard: RegionDashboard) -> tuple[list[str], list[list[Any]]]:
    header = [_("Kode"), _("Kabupaten/kota"), _("Koperasi"), _("Aktif"), _("Tidak aktif")]
    return header, [[r.code, r.name, r.total, r.active, r.inactive] for r in dashboard.regencies]


def inactive_table(dashboard: RegionDashboard) -> tuple[list[str], list[list[Any]]]:
    header = [_("Koperasi"), _("Kabupaten/kota"), _("Kegiatan terakhir"), _("Tanggal"), _("Anggota aktif")]
    return header, [
        [r.name, r.regency_name, r.last_label, r.last_on, r.members] for r in dashboard.inactive_cooperatives
    ]


def sector_table(dashboard: RegionDashboard) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Sektor"),
        _("Pesanan online"),
        _("Pendapatan online"),
        _("Pendapatan offline"),
        _("Total"),
        _("Penghematan koalisi"),
    ]
    return header, [
        [r.label, r.orders, r.online_idr, r.offline_idr, r.total_idr, r.savings_idr]
        for r in dashboard.sectors
    ]


def cooperative_table(dashboard: RegionDashboard) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Koperasi"),
        _("Kabupaten/kota"),
        _("Jenis"),
        _("Anggota aktif"),
        _("Aktif"),
        _("Penjualan terakhir"),
        _("Koalisi terakhir"),
        _("Anggota baru terakhir"),
        _("RAT terakhir"),
    ]
    rows = []
    for r in dashboard.cooperatives:
        a = r.activity
        rows.append(
            [
                r.name,
                r.regency_name,
                r.type_label,
                r.members,
                r.active,
                wib_day(a.last_sale_at),
                wib_day(a.last_coalition_at),
                wib_day(a.last_member_at),
                a.last_rat_on,
            ]
        )
    return header, rows


TABLES = {
    "kabupaten": regency_table,
    "tidak-aktif": inactive_table,
    "sektor": sector_table,
    "koperasi": cooperative_table,
}


def csv_table(dashboard: RegionDashboard, table: str) -> tuple[str, list[str], list[list[Any]]]:
    """(file name, header, rows) of one of the page's tables."""
    header, rows = TABLES[table](dashboard)
    stamp = wib_day(dashboard.as_of)
    return f"wilayah-{dashboard.code.replace('.', '-')}-{table}-{stamp}.csv", header, rows


# --- the list of regions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionSummary:
    code: str
    total: int
    active: int

    @property
    def inactive(self) -> int:
        return self.total - self.active

    @property
    def label(self) -> str:
        return regions.label(self.code)


def region_summaries(codes: Sequence[str] | None, *, as_of: datetime | None = None) -> list[RegionSummary]:
    """Headline numbers of these scopes (an officer's provinces and regencies), or of every province for
    None (the national view): one select of the cooperatives and one activity statement in all."""
    as_of = aware(as_of) or utcnow()
    stmt = select(Cooperative.id, Cooperative.province_code, Cooperative.regency_code)
    if codes is not None:
        if not codes:
            return []
        provinces = [c for c in codes if "." not in c]
        regencies = [c for c in codes if "." in c]
        stmt = stmt.where(Cooperative.province_code.in_(provinces) | Cooperative.regency_code.in_(regencies))
    rows = list(db.session.execute(stmt))
    ids = stmt.with_only_columns(Cooperative.id)
    found = activities(ids if codes is not None else None, as_of=as_of)
    scopes = list(codes) if codes is not None else [code for code, _name in regions.provinces()]
    counts: dict[str, list[int]] = {code: [0, 0] for code in scopes}
    for cooperative_id, province_code, regency_code in rows:
        active = bool(found.get(cooperative_id) and found[cooperative_id].active)
        for code in (province_code, regency_code):
            if code in counts:
                counts[code][0] += 1
                counts[code][1] += int(active)
    return [RegionSummary(code, total, active) for code, (total, active) in counts.items()]
