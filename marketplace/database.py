"""Database wiring: SQLite pragmas and transaction handling, PostgreSQL defaults, write intent.

SQLite: pysqlite's own transaction handling loses updates under concurrent read-then-write, and a deferred
BEGIN gives "database is locked" to about half the concurrent writers (measured, see ARCHITECTURE.md). So we
follow SQLAlchemy's pysqlite recipe: the driver's autocommit (``isolation_level=None``), and we emit BEGIN
ourselves — ``BEGIN IMMEDIATE`` for units that write (a request with an unsafe method, a CLI command that
writes), a plain ``BEGIN`` for reads so that readers never queue behind each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from marketplace.extensions import db

_write_intent: ContextVar[bool] = ContextVar("gotong_write_intent", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def write_unit() -> Iterator[None]:
    """Declare that the transactions begun inside will write (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def import_models() -> None:
    """Import every feature's models so the metadata (and Alembic's autogenerate) sees all tables."""
    import marketplace.accounts.models
    import marketplace.catalog.indexing
    import marketplace.catalog.models
    import marketplace.cooperatives.models
    import marketplace.mail.models
    import marketplace.marketing.event_models
    import marketplace.marketing.featured_models
    import marketplace.marketing.promotion_models
    import marketplace.marketing.stats_models
    import marketplace.notifications.models
    import marketplace.orders.models
    import marketplace.payments.models  # noqa: F401


# Search structures created by raw SQL in the migrations, per dialect (see catalog/search.py): FTS5 tables and
# their shadow tables on SQLite; the generated tsvector column and the GIN indexes on PostgreSQL.
_UNMAPPED_PREFIXES = ("products_fts", "products_trigram")
_UNMAPPED_NAMES = frozenset({"search_vector", "ix_products_search_vector", "ix_products_title_trgm"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic filter: leave out the search structures the models don't map."""
    if name and (name.startswith(_UNMAPPED_PREFIXES) or name in _UNMAPPED_NAMES):
        return False
    return True


def register_database(app: Flask) -> None:
    import_models()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine)

    @app.before_request
    def _declare_write_intent() -> None:
        if request.method not in SAFE_METHODS:
            request.environ["gotong.write_token"] = _write_intent.set(True)

    @app.teardown_request
    def _reset_write_intent(_exc: BaseException | None) -> None:
        token = request.environ.pop("gotong.write_token", None)
        if token is not None:
            _write_intent.reset(token)
