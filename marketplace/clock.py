"""Time: always timezone-aware UTC in the database; shown in Asia/Jakarta by Flask-Babel."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
