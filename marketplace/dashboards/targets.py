"""Activation targets of a region ("65% of 617 cooperatives active within five years") and the progress
toward them.

When an officer sets a target, the region's cooperatives and how many of them are active are counted and
kept as its base (``base_total`` / ``base_active``). Progress compares today's count with:
- the target count: ``ceil(percent × N / 100)`` of the N cooperatives registered in the region now;
- the straight line from the base (at the start date) to the target count (at the deadline): where the
  region should be today (to the nearest whole cooperative). It is "on track" when at least that many are
  active.
The history behind "progress over time" is the monthly ``ActivitySnapshot`` rows of the region's
cooperatives (``flask dashboards snapshot``), followed by the live figure of today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from marketplace import regions
from marketplace.accounts import policy
from marketplace.clock import today_wib as today
from marketplace.clock import utcnow
from marketplace.dashboards.activity import activities, aware, month_of, region_cooperative_ids
from marketplace.dashboards.models import ActivationTarget, ActivitySnapshot
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db

MAX_YEARS = 20
FIRST_START = date(2000, 1, 1)


@dataclass(frozen=True)
class TargetData:
    title: str
    target_percent: int | None
    start_on: date | None
    deadline_on: date | None
    notes: str = ""


@dataclass(frozen=True)
class RegionActivity:
    """How many of a region's cooperatives are active (at one moment)."""

    total: int
    active: int

    @property
    def percent_tenths(self) -> int:
        return percent_tenths(self.active, self.total)

    @property
    def percent_text(self) -> str:
        return format_tenths(self.percent_tenths)


@dataclass(frozen=True)
class TargetProgress:
    target: ActivationTarget
    total: int  # cooperatives in the region now
    active: int  # of which active now
    percent_tenths: int  # active / total in tenths of a percent (523 = 52,3 %)
    target_count: int  # ceil(target_percent × total / 100)
    needed: int  # how many more must become active
    expected_active_now: int  # where the straight line from base to target is today (nearest whole)
    on_track: bool
    today: date

    @property
    def percent_text(self) -> str:
        return format_tenths(self.percent_tenths)

    @property
    def reached(self) -> bool:
        return self.active >= self.target_count

    @property
    def overdue(self) -> bool:
        return self.today > self.target.deadline_on and not self.reached

    @property
    def days_left(self) -> int:
        return max(0, (self.target.deadline_on - self.today).days)


@dataclass(frozen=True)
class HistoryPoint:
    month: date  # the first day of the month; for the live point, today
    active: int
    total: int
    live: bool = False  # today's figure rather than a monthly snapshot

    @property
    def percent_tenths(self) -> int:
        return percent_tenths(self.active, self.total)

    @property
    def percent_text(self) -> str:
        return format_tenths(self.percent_tenths)


# --- arithmetic --------------------------------------------------------------------------------------------


def percent_tenths(part: int, whole: int) -> int:
    """part / whole in tenths of a percent, rounded half up: 1 of 3 → 333, 2 of 3 → 667."""
    if whole <= 0:
        return 0
    return (2000 * part + whole) // (2 * whole)


def format_tenths(tenths: int) -> str:
    """523 → "52,3" in Indonesian (decimal comma), "52.3" in English."""
    from flask_babel import get_locale

    try:
        english = str(get_locale() or "id").startswith("en")
    except RuntimeError:  # outside a request (CLI): the default language
        english = False
    return f"{tenths // 10}{'.' if english else ','}{tenths % 10}"


def target_count(percent: int, total: int) -> int:
    return -(-percent * total // 100)  # ceil, in integers


def expected_active(target: ActivationTarget, goal: int, day: date) -> int:
    """The straight line from (start, base_active) to (deadline, goal) at ``day``, rounded to the nearest
    whole cooperative (half up): being on track means having at least this many active."""
    span = (target.deadline_on - target.start_on).days
    elapsed = min(max((day - target.start_on).days, 0), span)
    exact = target.base_active + Fraction(goal - target.base_active) * elapsed / span
    return math.floor(exact + Fraction(1, 2))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February); date.max when that is past year 9999."""
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def whole_years(target: ActivationTarget) -> int | None:
    """5 for a target running exactly five years from its start ("dalam 5 tahun"), else None."""
    for years in range(1, MAX_YEARS + 1):
        if add_years(target.start_on, years) == target.deadline_on:
            return years
    return None


# --- who may do what ---------------------------------------------------------------------------------------


def is_region(code: str) -> bool:
    return regions.is_province(code) or regions.is_regency(code)


def can_manage_targets(user: Any, region_code: str) -> bool:
    """Officers whose scope covers the region (a province officer: the province and its regencies; a regency
    officer: their regency) and admins."""
    return policy.can_supervise_region(user, region_code)


# --- reading -----------------------------------------------------------------------------------------------


def region_activity(region_code: str, *, as_of: datetime | None = None) -> RegionActivity:
    found = activities(region_cooperative_ids(region_code), as_of=as_of)
    return RegionActivity(total=len(found), active=sum(1 for a in found.values() if a.active))


def progress(target: ActivationTarget, now: RegionActivity, *, day: date | None = None) -> TargetProgress:
    day = day or today()
    goal = target_count(target.target_percent, now.total)
    expected = expected_active(target, goal, day)
    return TargetProgress(
        target=target,
        total=now.total,
        active=now.active,
        percent_tenths=now.percent_tenths,
        target_count=goal,
        needed=max(0, goal - now.active),
        expected_active_now=expected,
        on_track=now.active >= expected,
        today=day,
    )


def targets_of(region_code: str, *, archived: bool = False) -> list[ActivationTarget]:
    stmt = select(ActivationTarget).where(ActivationTarget.region_code == region_code)
    stmt = stmt.where(
        ActivationTarget.archived_at.is_not(None) if archived else ActivationTarget.archived_at.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(ActivationTarget.deadline_on, ActivationTarget.id)))


def region_targets(region_code: str, *, now: datetime | None = None) -> list[TargetProgress]:
    """The region's current (not archived) targets with their progress, for the regional dashboard: two
    statements whatever the number of targets (the region's activity is read once)."""
    found = targets_of(region_code)
    if not found:
        return []
    current = region_activity(region_code, as_of=now)
    day = today(now)
    return [progress(target, current, day=day) for target in found]


def history(target: ActivationTarget, *, now: datetime | None = None) -> list[HistoryPoint]:
    """The region's monthly snapshots from the target's start month to this month (active and total summed
    over the region's cooperatives), then today's live figure."""
    moment = aware(now) or utcnow()
    first = target.start_on.replace(day=1)
    rows = db.session.execute(
        select(
            ActivitySnapshot.month,
            func.count(),
            func.coalesce(func.sum(case((ActivitySnapshot.active, 1), else_=0)), 0),
        )
        .where(
            ActivitySnapshot.cooperative_id.in_(region_cooperative_ids(target.region_code)),
            ActivitySnapshot.month >= first,
            ActivitySnapshot.month <= month_of(moment),
        )
        .group_by(ActivitySnapshot.month)
        .order_by(ActivitySnapshot.month)
    )
    points = [HistoryPoint(month=m, total=int(total), active=int(active)) for m, total, active in rows]
    current = region_activity(target.region_code, as_of=moment)
    points.append(HistoryPoint(month=today(moment), total=current.total, active=current.active, live=True))
    return points


# --- writing -----------------------------------------------------------------------------------------------


def _validate(data: TargetData) -> tuple[str, int, date, date]:
    title = (data.title or "").strip()
    if not title:
        raise DomainError(_("Beri nama targetnya."), field="title")
    if len(title) > 160:
        raise DomainError(_("Nama target paling panjang 160 huruf."), field="title")
    if data.target_percent is None or not 1 <= data.target_percent <= 100:
        raise DomainError(_("Persen target antara 1 dan 100."), field="target_percent")
    if data.start_on is None:
        raise DomainError(_("Isi tanggal mulai."), field="start_on")
    if data.start_on < FIRST_START:
        raise DomainError(_("Tanggal mulai terlalu lama."), field="start_on")
    if data.start_on > add_years(today(), 10):
        raise DomainError(_("Tanggal mulai paling lambat 10 tahun dari sekarang."), field="start_on")
    if data.deadline_on is None:
        raise DomainError(_("Isi tenggat target."), field="deadline_on")
    if data.deadline_on <= data.start_on:
        raise DomainError(_("Tenggat harus setelah tanggal mulai."), field="deadline_on")
    if data.deadline_on > add_years(data.start_on, MAX_YEARS):
        raise DomainError(
            _("Tenggat paling lama %(years)d tahun dari tanggal mulai.", years=MAX_YEARS), field="deadline_on"
        )
    return title, data.target_percent, data.start_on, data.deadline_on


def create_target(
    actor: Any, region_code: str, data: TargetData, *, now: datetime | None = None
) -> ActivationTarget:
    """Set a target for a region; its base is the region's cooperatives and how many are active now."""
    if not is_region(region_code):
        raise DomainError(_("Wilayah tidak dikenal."))
    if not can_manage_targets(actor, region_code):
        raise PermissionDenied(_("Anda bukan petugas wilayah ini."))
    title, percent, start_on, deadline_on = _validate(data)
    base = region_activity(region_code, as_of=now)
    target = ActivationTarget(
        region_code=region_code,
        title=title,
        target_percent=percent,
        base_total=base.total,
        base_active=base.active,
        start_on=start_on,
        deadline_on=deadline_on,
        notes=(data.notes or "").strip(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(target)
    db.session.flush()
    return target


def archive_target(actor: Any, target: ActivationTarget, *, now: datetime | None = None) -> ActivationTarget:
    if not can_manage_targets(actor, target.region_code):
        raise PermissionDenied(_("Anda bukan petugas wilayah ini."))
    if target.archived_at is None:
        target.archived_at = aware(now) or utcnow()
        db.session.flush()
    return target
