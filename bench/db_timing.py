"""Time the catalog's database work without HTTP: ``catalog.search.search()`` per query, and the raw FTS SQL.

    python bench/db_timing.py --db both [-n 200] [--explain]

Inside an app context, each query (the URL arguments a buyer sends) goes through ``search.from_args`` and
``search.search`` ``-n`` times, each time in a fresh session and transaction as a request has. Reported per
query, in ms: p50/p99 of the whole ``search()`` call (SQL + building the ORM objects), p50/p99 of the time
spent in the driver (the database's share: ``cursor.execute``, plus for SQLite the fetch calls, where
pysqlite steps a statement past its first row), and the statements per call.
Then the bare full-text SQL for one common word (count of matches; the 24 best by rank), and with
``--explain`` the plans of every statement a search runs (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN
on SQLite).

Databases: /tmp/gotong_bench.db and postgresql://postgres@127.0.0.1:5432/gotong_bench, as bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from sqlalchemy import event, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.catalog import search  # noqa: E402
from marketplace.extensions import db  # noqa: E402

URLS = {
    "sqlite": "sqlite:////tmp/gotong_bench.db",
    "postgres": "postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench",
}


def queries(fixtures: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    common = fixtures.get("common_search_word") or "boneka"
    rare = fixtures.get("rare_search_phrase") or "kopi luwak"
    province = fixtures.get("livestock_province_code") or "13"
    return [
        (f"common word “{common}”", {"q": common}),
        (f"rare phrase “{rare}”", {"q": rare}),
        ("two words “keripik pisang”", {"q": "keripik pisang"}),
        ("typo “kripik pisang”", {"q": "kripik pisang"}),
        (
            "filtered search “sapi” + ternak + province",
            {"q": "sapi", "kategori": "ternak", "provinsi": province},
        ),
        (f"price sort “{common}” termurah", {"q": common, "urut": "termurah"}),
        ("listing: catalog page 1", {}),
        (
            "listing: ternak, sapi, province, termurah",
            {"kategori": "ternak", "f_species": "sapi", "provinsi": province, "urut": "termurah"},
        ),
        ("listing: page 200 (keyset)", {"__page200__": "1"}),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


_fetching = [0.0]  # seconds spent in SQLite cursors' fetch calls


class _TimedCursor(sqlite3.Cursor):
    """pysqlite runs a statement to its first row in execute() and the rest in fetch*(): time both."""

    def fetchall(self) -> list[Any]:
        started = time.perf_counter()
        try:
            return super().fetchall()
        finally:
            _fetching[0] += time.perf_counter() - started

    def fetchmany(self, *args: Any) -> list[Any]:
        started = time.perf_counter()
        try:
            return super().fetchmany(*args)
        finally:
            _fetching[0] += time.perf_counter() - started

    def fetchone(self) -> Any:
        started = time.perf_counter()
        try:
            return super().fetchone()
        finally:
            _fetching[0] += time.perf_counter() - started


class _TimedConnection(sqlite3.Connection):
    def cursor(self, factory: Any = _TimedCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)


class StatementClock:
    """Time spent in the driver (cursor.execute, and SQLite's fetches), and the statements run."""

    def __init__(self, engine: Any) -> None:
        self._seconds = 0.0
        self._fetch_start = _fetching[0]
        self.statements: list[tuple[str, Any]] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    @property
    def seconds(self) -> float:
        return self._seconds + _fetching[0] - self._fetch_start

    def reset(self) -> None:
        self._seconds = 0.0
        self._fetch_start = _fetching[0]
        self.statements = []

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self._seconds += time.perf_counter() - self._started
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.statements.append((statement, parameters))


def page200_args() -> dict[str, str]:
    query = search.CatalogQuery()
    for _ in range(199):
        page = search.search(query)
        query = search.from_args(MultiDict(page.next_args or {}))
    db.session.remove()
    return {k: str(v) for k, v in query.to_args(after=query.after, page=query.page).items()}


def time_query(args: dict[str, str], clock: StatementClock, n: int) -> dict[str, Any]:
    totals, sql = [], []
    statements = 0
    result = None
    for i in range(n + 3):
        db.session.remove()
        clock.reset()
        started = time.perf_counter()
        result = search.search(search.from_args(MultiDict(args)))
        elapsed = time.perf_counter() - started
        db.session.rollback()
        if i >= 3:  # the first calls warm the caches (statement cache, page cache)
            totals.append(elapsed * 1000)
            sql.append(clock.seconds * 1000)
            statements = len(clock.statements)
    assert result is not None
    return {
        "p50": percentile(totals, 50),
        "p99": percentile(totals, 99),
        "sql_p50": percentile(sql, 50),
        "sql_p99": percentile(sql, 99),
        "statements": statements,
        "shown": len(result.items),
        "total": f"{result.total:,}{'+' if result.total_capped else ''}"
        + (" (similar)" if result.similar else "")
        + (f" → “{result.corrected}”" if result.corrected else ""),
    }


def raw_fts(dialect: str, word: str, n: int) -> list[tuple[str, float, float, Any]]:
    """The bare full-text SQL for one word: (what, p50 ms, p99 ms, result)."""
    if dialect == "sqlite":
        match = search.fts5_match([word])
        statements = [
            (
                "FTS5 MATCH count",
                "SELECT count(*) FROM products_fts WHERE products_fts MATCH :m",
                {"m": match},
            ),
            (
                "FTS5 MATCH, 24 best by bm25",
                "SELECT rowid FROM products_fts WHERE products_fts MATCH :m "
                "ORDER BY bm25(products_fts, 8.0, 1.0) LIMIT 24",
                {"m": match},
            ),
        ]
    else:
        tsq = "websearch_to_tsquery('indonesian'::regconfig, :q)"
        statements = [
            ("tsquery count", f"SELECT count(*) FROM products WHERE search_vector @@ {tsq}", {"q": word}),
            (
                "tsquery, 24 best by ts_rank_cd",
                f"SELECT id FROM products WHERE search_vector @@ {tsq} "
                f"ORDER BY ts_rank_cd(search_vector, {tsq}) DESC LIMIT 24",
                {"q": word},
            ),
        ]
    rows = []
    for what, sql, params in statements:
        times = []
        result: Any = None
        for i in range(n + 3):
            db.session.remove()
            started = time.perf_counter()
            result = db.session.execute(text(sql), params).all()
            if i >= 3:
                times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
        shown = result[0][0] if len(result) == 1 else f"{len(result)} rows"
        rows.append((what, percentile(times, 50), percentile(times, 99), shown))
    return rows


def explain(dialect: str, statements: list[tuple[str, Any]]) -> str:
    out = []
    if dialect == "sqlite":
        search._ensure_vocab()  # a TEMP table: one per connection
    raw = db.session.connection().connection.dbapi_connection
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        cursor = raw.cursor()
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = "\n".join(f"{row[3]}" for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.close()
        out.append(f"{statement.strip()}\n-- params: {parameters}\n{plan}\n")
    db.session.rollback()
    return "\n".join(out)


def run(
    dialect: str, url: str, n: int, explain_all: bool, fixtures: dict[str, Any], emit: Callable[[str], None]
) -> None:
    config: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "db-timing", "TESTING": False}
    if dialect == "sqlite":
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"factory": _TimedConnection}}
    app = create_app(config)
    with app.app_context():
        clock = StatementClock(db.engine)
        count = db.session.scalar(text("SELECT count(*) FROM products"))
        version = db.session.scalar(
            text("SELECT sqlite_version()" if dialect == "sqlite" else "SHOW server_version")
        )
        db.session.remove()
        emit(f"### {dialect} {version}: {count:,} products, {n} runs per query\n")
        emit("| query | search() p50 ms | p99 ms | in SQL p50 ms | p99 ms | statements | results |")
        emit("|---|---:|---:|---:|---:|---:|---|")
        plans = []
        for name, args in queries(fixtures):
            if "__page200__" in args:
                args = page200_args()
            timing = time_query(args, clock, n)
            emit(
                f"| {name} | {timing['p50']:.2f} | {timing['p99']:.2f} | {timing['sql_p50']:.2f} | "
                f"{timing['sql_p99']:.2f} | {timing['statements']} | {timing['total']} |"
            )
            if explain_all:
                clock.reset()
                db.session.remove()
                search.search(search.from_args(MultiDict(args)))
                db.session.rollback()
                plans.append(f"#### {name} `{args}`\n\n```\n{explain(dialect, clock.statements)}```\n")
        word = fixtures.get("common_search_word") or "boneka"
        emit(f"\nBare full-text SQL for “{word}” ({n} runs):\n")
        emit("| statement | p50 ms | p99 ms | result |")
        emit("|---|---:|---:|---|")
        for what, p50, p99, shown in raw_fts(dialect, word, n):
            emit(f"| {what} | {p50:.2f} | {p99:.2f} | {shown} |")
        emit("")
        for plan in plans:
            emit(plan)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("-n", type=int, default=200, help="timed runs per query (after 3 warm-up runs)")
    parser.add_argument("--sqlite-url", default=URLS["sqlite"])
    parser.add_argument("--postgres-url", default=URLS["postgres"])
    parser.add_argument(
        "--fixtures", type=Path, default=BENCH / "fixtures.json", help="from bench/generate.py"
    )
    parser.add_argument("--explain", action="store_true", help="print the plan of every statement")
    args = parser.parse_args()
    fixtures = json.loads(args.fixtures.read_text()) if args.fixtures.exists() else {}
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average before: {load}\n")
    for dialect in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        url = args.sqlite_url if dialect == "sqlite" else args.postgres_url
        run(dialect, url, args.n, args.explain, fixtures, print)
    print(
        "search() = the whole call (SQL + ORM objects); in SQL = time in the driver "
        "(execute, and SQLite fetches). "
        f"p50/p99 over the timed runs; load average after: "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


if __name__ == "__main__":
    main()
