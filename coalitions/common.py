"""Small helpers shared by the buying and the selling coalition services: input checks with user-facing
messages, SQLite's naive datetimes, and re-reading a row under its lock."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.clock import aware as aware  # re-exported: the one definition lives in marketplace.clock
from marketplace.errors import DomainError
from marketplace.extensions import db

M = TypeVar("M")


def qty(n: int) -> str:
    return format_number(n)


def whole(value: Any, field: str, *, low: int, high: int) -> int:
    """A whole number within ``[low, high]``, else a DomainError on ``field`` that says what is allowed."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(_("Isi dengan bilangan bulat."), field=field)
    if value < low:
        raise DomainError(_("Paling kecil %(n)s.", n=qty(low)), field=field)
    if value > high:
        raise DomainError(_("Paling besar %(n)s.", n=qty(high)), field=field)
    return value


def text(value: str, field: str, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Wajib diisi."), field=field)
    if len(value) > limit:
        raise DomainError(_("Paling panjang %(n)d karakter.", n=limit), field=field)
    return value


def lock_row(model: type[M], row_id: int) -> M:
    """Re-read a row under ``SELECT ... FOR UPDATE`` (PostgreSQL; SQLite's write unit serialises instead)."""
    return db.session.scalars(
        select(model)  # type: ignore[arg-type]
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
