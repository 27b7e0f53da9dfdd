"""Is a cooperative active? DOMAIN.md "Supervision": active when in the last 12 months it recorded at least
one of a sale, a coalition, a new member or an annual members' meeting (RAT).

The window is the 365 days up to the moment asked about, inclusive: a sale 364 days ago makes a cooperative
active, one 366 days ago does not. What counts:
- a sale: an order placed through the cooperative that was paid or is on its way (``SOLD_ORDER_STATUSES``,
  by the time it was placed), or an offline sale (not voided) by one of its active members since joining;
- a coalition: a buying or selling coalition it published (drafts, and drafts cancelled unpublished, do not
  count), from when it was published, via ``sources``;
- a new member: a membership approved (``joined_at``);
- a RAT: a meeting recorded with its date (counted from the start of that day, WIB).

Every figure is read with a correlated ``ORDER BY … DESC LIMIT 1`` / ``max`` subquery per cooperative that
walks an index backwards, so a region of 1.000 cooperatives is one statement, not one per cooperative.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select

from marketplace.clock import JAKARTA, aware, utcnow
from marketplace.cooperatives.models import Cooperative, Membership, MembershipStatus
from marketplace.dashboards.models import ActivitySnapshot, RatRecord
from marketplace.dashboards.sources import coalition_source
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale
from marketplace.marketing.offline import SOLD_ORDER_STATUSES
from marketplace.orders.models import Order

WINDOW = timedelta(days=365)


class ActivityKind(enum.StrEnum):
    SALE = "sale"
    COALITION = "coalition"
    MEMBER = "member"
    RAT = "rat"


ACTIVITY_LABELS = {
    ActivityKind.SALE: _l("Penjualan terakhir"),
    ActivityKind.COALITION: _l("Koalisi terakhir"),
    ActivityKind.MEMBER: _l("Anggota baru terakhir"),
    ActivityKind.RAT: _l("RAT terakhir"),
}


def start_of_day(day: date) -> datetime:
    """Midnight WIB of ``day``, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


@dataclass(frozen=True)
class Activity:
    cooperative_id: int
    as_of: datetime
    last_sale_at: datetime | None = None
    last_coalition_at: datetime | None = None
    last_member_at: datetime | None = None
    last_rat_on: date | None = None

    @property
    def since(self) -> datetime:
        """The first moment inside the 12-month window."""
        return self.as_of - WINDOW

    def moment(self, kind: ActivityKind) -> datetime | None:
        if kind is ActivityKind.SALE:
            return self.last_sale_at
        if kind is ActivityKind.COALITION:
            return self.last_coalition_at
        if kind is ActivityKind.MEMBER:
            return self.last_member_at
        return start_of_day(self.last_rat_on) if self.last_rat_on else None

    def counts(self, kind: ActivityKind) -> bool:
        """This kind of activity happened inside the window (so it alone keeps the cooperative active)."""
        at = self.moment(kind)
        return at is not None and self.since <= at <= self.as_of

    @property
    def active(self) -> bool:
        return any(self.counts(kind) for kind in ActivityKind)

    @property
    def last(self) -> tuple[ActivityKind, datetime] | None:
        """The most recent thing the cooperative did (up to ``as_of``), of any kind."""
        found = [
            (at, kind) for kind in ActivityKind if (at := self.moment(kind)) is not None and at <= self.as_of
        ]
        if not found:
            return None
        at, kind = max(found, key=lambda pair: pair[0])
        return kind, at

    @property
    def last_at(self) -> datetime | None:
        last = self.last
        return last[1] if last else None


def _sale_online(cooperative_id: ColumnElement[int], as_of: datetime) -> ColumnElement[Any]:
    return (
        select(Order.created_at)
        .where(
            Order.cooperative_id == cooperative_id,
            Order.status.in_(SOLD_ORDER_STATUSES),
            Order.created_at <= as_of,
        )
        .order_by(Order.created_at.desc())
        .limit(1)
        .correlate(Cooperative)
        .scalar_subquery()
    )


def _sale_offline(cooperative_id: ColumnElement[int], as_of: datetime) -> ColumnElement[Any]:
    return (
        select(func.max(OfflineSale.sold_at))
        .join(Membership, Membership.business_id == OfflineSale.business_id)
        .where(
            Membership.cooperative_id == cooperative_id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.joined_at <= OfflineSale.sold_at,  # sold as a member, not before joining
            OfflineSale.voided_at.is_(None),
            OfflineSale.sold_at <= as_of,
        )
        .correlate(Cooperative)
        .scalar_subquery()
    )


def _new_member(cooperative_id: ColumnElement[int], as_of: datetime) -> ColumnElement[Any]:
    return (
        select(func.max(Membership.joined_at))
        .where(Membership.cooperative_id == cooperative_id, Membership.joined_at <= as_of)
        .correlate(Cooperative)
        .scalar_subquery()
    )


def _rat(cooperative_id: ColumnElement[int], as_of: datetime) -> ColumnElement[Any]:
    as_of_day = as_of.astimezone(JAKARTA).date()
    return (
        select(func.max(RatRecord.held_on))
        .where(RatRecord.cooperative_id == cooperative_id, RatRecord.held_on <= as_of_day)
        .correlate(Cooperative)
        .scalar_subquery()
    )


def latest(values: Iterable[datetime | None]) -> datetime | None:
    """The latest of some moments read from the database (None ignored; None when there are none)."""
    moments = [aware(v) for v in values if v is not None]
    return max(moments) if moments else None


def activities(
    cooperative_ids: Select[Any] | Iterable[int] | None = None, *, as_of: datetime | None = None
) -> dict[int, Activity]:
    """The activity of these cooperatives (a select of ids, a list of ids, or None for every cooperative),
    in one statement."""
    # UTC: SQLite compares the stored UTC text, so a bound in another zone would be hours off.
    as_of = (aware(as_of) or utcnow()).astimezone(UTC)
    coalition_columns = coalition_source().last_coalition_columns(Cooperative.id, as_of)
    stmt = select(
        Cooperative.id,
        _sale_online(Cooperative.id, as_of),
        _sale_offline(Cooperative.id, as_of),
        _new_member(Cooperative.id, as_of),
        _rat(Cooperative.id, as_of),
        *coalition_columns,
    )
    if cooperative_ids is not None:
        if not isinstance(cooperative_ids, Select):
            cooperative_ids = list(cooperative_ids)
        stmt = stmt.where(Cooperative.id.in_(cooperative_ids))
    result: dict[int, Activity] = {}
    for row in db.session.execute(stmt):
        cooperative_id, online, offline, member, rat, *coalitions = row
        result[cooperative_id] = Activity(
            cooperative_id=cooperative_id,
            as_of=as_of,
            last_sale_at=latest((online, offline)),
            last_coalition_at=latest(coalitions),
            last_member_at=aware(member),
            last_rat_on=rat,
        )
    return result


def cooperative_activity(cooperative: Cooperative, *, as_of: datetime | None = None) -> Activity:
    return activities([cooperative.id], as_of=as_of)[cooperative.id]


def region_cooperative_ids(region_code: str | None) -> Select[Any]:
    """The ids of the cooperatives of a province ("32"), a regency ("32.16") or, for None, everywhere."""
    stmt = select(Cooperative.id)
    if region_code is None:
        return stmt
    if "." in region_code:
        return stmt.where(Cooperative.regency_code == region_code)
    return stmt.where(Cooperative.province_code == region_code)


# --- monthly snapshots (the history of "how many were active") ---------------------------------------------


def month_of(moment: datetime) -> date:
    day = moment.astimezone(JAKARTA).date()
    return day.replace(day=1)


def take_snapshot(*, as_of: datetime | None = None) -> int:
    """Record every cooperative's activity for the month of ``as_of`` (WIB), replacing what an earlier run
    recorded this month. Idempotent; run daily by ``flask dashboards snapshot``. Returns the rows written."""
    as_of = (aware(as_of) or utcnow()).astimezone(UTC)
    month = month_of(as_of)
    found = activities(None, as_of=as_of)
    existing = {
        row.cooperative_id: row
        for row in db.session.scalars(select(ActivitySnapshot).where(ActivitySnapshot.month == month))
    }
    for cooperative_id, activity in found.items():
        row = existing.get(cooperative_id)
        if row is None:
            db.session.add(
                ActivitySnapshot(cooperative_id=cooperative_id, month=month, active=activity.active)
            )
        elif row.active != activity.active:
            row.active = activity.active
            row.taken_at = as_of
    db.session.flush()
    return len(found)
