"""Column types shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def str_enum(kind: type[enum.Enum], name: str) -> Enum:
    """A status/kind column stored as its value string (VARCHAR, not a native enum), so adding a member needs
    no ALTER TYPE and SQLite and PostgreSQL hold the same thing."""
    return Enum(kind, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=20)
