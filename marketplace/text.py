"""Slugs for share-friendly URLs (python-slugify) made unique within a table."""

from __future__ import annotations

from slugify import slugify as _slugify
from sqlalchemy import select

from marketplace.extensions import db


def slugify(text: str, max_length: int = 120) -> str:
    return _slugify(text, max_length=max_length, word_boundary=True) or "item"


def unique_slug(model: type, text: str, *, exclude_id: int | None = None) -> str:
    """A slug for ``text`` not yet used in ``model.slug`` ("koperasi-maju", then "koperasi-maju-2", ...)."""
    base = slugify(text)
    taken_query = select(model.slug).where(model.slug.like(f"{base}%"))  # type: ignore[attr-defined]
    if exclude_id is not None:
        taken_query = taken_query.where(model.id != exclude_id)  # type: ignore[attr-defined]
    taken = set(db.session.scalars(taken_query))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
