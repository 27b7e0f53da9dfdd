"""Time: always timezone-aware UTC in the database; shown in Asia/Jakarta by Flask-Babel.

SQLite hands back naive datetimes for timezone-aware columns (they were stored as UTC) and compares the stored
UTC text, so values read are passed through ``aware`` and bounds written in SQL must be UTC. Calendar days
(reports, "today") are days in Western Indonesia Time, where most users are.
"""

from datetime import UTC, date, datetime
from typing import overload
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """A datetime read from the database as an aware one (SQLite's naive values are UTC)."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def wib_day(moment: datetime) -> date:
    """The calendar day (WIB) of a moment read from the database."""
    return aware(moment).astimezone(JAKARTA).date()


def today_wib(now: datetime | None = None) -> date:
    return (aware(now) or utcnow()).astimezone(JAKARTA).date()
