"""Closing a buying coalition with 10,000 pledges: the engine alone, the close end to end, the notices.

Run from the repository root (the virtualenv with the app installed)::

    python bench/coalition_close.py --db sqlite
    python bench/coalition_close.py --db postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench
        [--pledges 10000] [--repeat 5] [--baseline-repeat 3] [--no-baseline] [--profile] [--seed 2026]

``--db sqlite`` is ``sqlite:////tmp/gotong_bench_coalition.db``, ``--db postgresql`` the URL above. The target
is wiped and rebuilt with the app's real migrations (``bench.generate.reset_database`` and ``migrate``: only
a database or file whose name starts with ``gotong_bench`` is touched). Then, with Core ``insert()``
executemany: one cooperative (a chair), ``--pledges`` businesses, each with an owner user and an active
membership.

Two coalitions are measured, each with one active pledge per business (quantities 1–200, log-normal, median
about 7; pledge order = ``created_at``, one second apart), the DOMAIN worked-example tiers (Rp320.000,
Rp300.000 from 100, Rp285.000 from 200), MOQ 100, shared cost Rp1.500.000, pay on success, deadline an hour
ago:

* ``A``: no capacity, pack size 1 (no tolerance);
* ``B``: capacity 80 % of the demand (so the uniform allocation runs), pack size 5, a tolerance of 0–4 on
  about half of the pledges.

For each variant: one cold run (the first close in the process: Babel catalogs, SQLAlchemy's statement
cache, ...; ``flask coalitions close-due`` runs in a fresh process), then ``--repeat`` measured runs, each on
a freshly inserted copy of the coalition and its pledges (deleted again after the run, so every run starts
from the same tables; ``ANALYZE`` after each insert, outside the timings). Measured with
``time.perf_counter``:

a. ``engine.settle(terms, inputs)`` on the 10,000 ``PledgeInput`` (no database);
b. close + commit, as ``coalitions.jobs.close_one`` does it: ``db.session.get`` + ``services.close(coalition,
   now)`` + ``db.session.commit()`` in a write unit (loads the pledges, settles, writes the member shares, the
   totals and the status history) — the figure with the 1 s target;
c. the notices after the close, as ``close_one`` then does: ``notices.coalition_closed(id)`` + commit (one
   in-app notification per member in a bulk insert, one outbox e-mail per member).

Statements (``before_cursor_execute`` events, an executemany counting once) are counted for b and c.
``--baseline`` (default) also times the previous close (commit 9fa04c3: pledges loaded as ORM objects,
one ``MemberShare`` ORM object added per pledge, flushed at the commit), reproduced below. Each run is
checked: status closed_success, one share per pledge, Σ allocated = units ordered = the coalition's
``allocated_qty``, Σ shared cost = Rp1.500.000, one notification and one e-mail per member.
``--profile`` prints cProfile's top functions for one more close and one more notify.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import platform
import pstats
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import delete, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from bench.generate import reset_database  # noqa: E402
from coalitions import engine, notices, services  # noqa: E402
from coalitions.engine import AllocationRule, PledgeInput  # noqa: E402
from coalitions.models import (  # noqa: E402
    BuyingCoalition,
    CoalitionEvent,
    CoalitionStatus,
    CoalitionTier,
    MemberShare,
    PaymentMode,
    Pledge,
    PledgeStatus,
    ShareStatus,
)
from coalitions.signals import coalition_closed  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.accounts.models import User  # noqa: E402
from marketplace.cooperatives.models import (  # noqa: E402
    Business,
    Cooperative,
    CooperativeManager,
    CooperativeType,
    ManagerRole,
    Membership,
    MembershipStatus,
)
from marketplace.database import write_unit  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.mail.models import OutboxEmail  # noqa: E402
from marketplace.notifications.models import Notification  # noqa: E402
from marketplace.sectors import Sector  # noqa: E402

URLS = {
    "sqlite": "sqlite:////tmp/gotong_bench_coalition.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench",
}
URLS["postgres"] = URLS["postgresql"]
FEED_TIERS = ((1, 320_000), (100, 300_000), (200, 285_000))  # DOMAIN.md's worked example (tests' FEED_TIERS)
MOQ = 100
SHARED_COST_IDR = 1_500_000
TARGET_S = 1.0
CODE_FILES = ("coalitions/services.py", "coalitions/engine.py", "coalitions/notices.py")


# --- data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    pack_size: int
    capacity_share: float | None  # capacity as a share of the total demand; None: no capacity
    tolerance: bool


VARIANTS = (
    Variant("A", "no capacity, pack 1", 1, None, False),
    Variant("B", "capacity 80 % of demand, pack 5, tolerances", 5, 0.8, True),
)


@dataclass(frozen=True)
class PledgeSpec:
    business_id: int
    owner_id: int
    quantity: int
    tolerance: int


def make_app(url: str) -> Flask:
    """The real app on the bench database, e-mail to the outbox, links built for a public host name."""
    import flask_migrate

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "GOTONG_ENV": "development",
            "MAIL_SERVER": "",
            "SERVER_NAME": "gotong.example",
            "PREFERRED_URL_SCHEME": "https",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app


def build_members(count: int, now: datetime) -> list[PledgeSpec]:
    """One cooperative with a chair; ``count`` businesses, each with an owner and an active membership."""
    password_hash = generate_password_hash("gotong-bench-2026", method="pbkdf2:sha256:1000")
    joined = now - timedelta(days=200)
    users = [
        {
            "id": 1,
            "email": "ketua@bench.gotong.id",
            "name": "Pak Ketua Bench",
            "phone": "+6281200000001",
            "password_hash": password_hash,
            "is_admin": False,
            "created_at": joined,
        }
    ]
    businesses, memberships, members = [], [], []
    for i in range(1, count + 1):
        user_id, business_id = i + 1, i
        users.append(
            {
                "id": user_id,
                "email": f"umkm{i:05d}@bench.gotong.id",
                "name": f"Pemilik Usaha {i}",
                "phone": f"+62813{i:08d}",
                "password_hash": password_hash,
                "is_admin": False,
                "locale": "en" if i % 10 == 0 else None,  # a tenth read English: both catalogs are used
                "created_at": joined,
            }
        )
        businesses.append(
            {
                "id": business_id,
                "owner_id": user_id,
                "name": f"Peternakan Bench {i}",
                "slug": f"peternakan-bench-{i}",
                "nib": f"{9130000000000 + i}",
                "owner_name": f"Pemilik Usaha {i}",
                "whatsapp": f"+62813{i:08d}",
                "province_code": "13",
                "regency_code": "13.11",
                "address": f"Jorong Bench No. {i}",
                "sector": Sector.LIVESTOCK,
                "description": "",
                "created_at": joined,
                "updated_at": joined,
            }
        )
        memberships.append(
            {
                "id": i,
                "cooperative_id": 1,
                "business_id": business_id,
                "status": MembershipStatus.ACTIVE,
                "message": "",
                "applied_at": joined,
                "decided_at": joined,
                "decided_by_id": 1,
                "joined_at": joined,
            }
        )
        members.append(PledgeSpec(business_id, user_id, 0, 0))
    cooperative = {
        "id": 1,
        "name": "Koperasi Peternak Bench",
        "slug": "koperasi-peternak-bench",
        "legal_entity_number": "AHU-0000001.AH.01.26.TAHUN 2020",
        "nik_koperasi": "1311000000000001",
        "coop_type": CooperativeType.PRODUCER,
        "province_code": "13",
        "regency_code": "13.11",
        "address": "Jl. Koperasi No. 1",
        "description": "",
        "requires_listing_approval": False,
        "created_by_id": 1,
        "created_at": joined,
        "updated_at": joined,
    }
    tables = db.metadata.tables
    with write_unit():
        db.session.execute(insert(tables[User.__tablename__]), users)
        db.session.execute(insert(tables[Cooperative.__tablename__]), [cooperative])
        db.session.execute(
            insert(tables[CooperativeManager.__tablename__]),
            [{"id": 1, "cooperative_id": 1, "user_id": 1, "role": ManagerRole.CHAIR, "created_at": joined}],
        )
        db.session.execute(insert(tables[Business.__tablename__]), businesses)
        db.session.execute(insert(tables[Membership.__tablename__]), memberships)
        if db.engine.dialect.name == "postgresql":  # explicit ids: move the serial sequences past them
            for table in ("users", "cooperatives", "cooperative_managers", "businesses", "memberships"):
                highest = f"(SELECT max(id) FROM {table})"
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})"))
        db.session.commit()
    return members


def pledge_specs(members: list[PledgeSpec], variant: Variant, seed: int) -> list[PledgeSpec]:
    """Varied quantities (log-normal, 1–200), the same for both variants; tolerances for pack sizes > 1."""
    rng, tolerances = random.Random(seed), random.Random(seed + 1)
    specs = []
    for member in members:
        quantity = min(200, max(1, round(rng.lognormvariate(2.0, 0.9))))
        tolerance = 0
        if variant.tolerance and tolerances.random() < 0.5:
            tolerance = tolerances.randint(0, variant.pack_size - 1)
        specs.append(PledgeSpec(member.business_id, member.owner_id, quantity, tolerance))
    return specs


def insert_coalition(variant: Variant, specs: list[PledgeSpec], now: datetime) -> int:
    """An open coalition past its deadline with one active pledge per spec (Core executemany)."""
    demand = sum(s.quantity for s in specs)
    capacity = None if variant.capacity_share is None else int(demand * variant.capacity_share) + 3
    deadline = now - timedelta(hours=1)
    opened = deadline - timedelta(days=5)
    with write_unit():
        coalition = BuyingCoalition(
            cooperative_id=1,
            created_by_id=1,
            title=f"Konsentrat pakan sapi 50 kg ({variant.name})",
            description="",
            supplier_name="CV Pakan Ternak Sejahtera",
            unit="karung",
            moq=MOQ,
            pack_size=variant.pack_size,
            capacity=capacity,
            deadline=deadline,
            shared_cost_idr=SHARED_COST_IDR,
            allocation_rule=AllocationRule.UNIFORM,
            payment_mode=PaymentMode.PAY_ON_SUCCESS,
            payment_due_days=7,
            status=CoalitionStatus.OPEN,
            published_at=opened,
            created_at=opened,
            updated_at=opened,
        )
        coalition.tiers.extend(CoalitionTier(min_qty=q, unit_price_idr=p) for q, p in FEED_TIERS)
        db.session.add(coalition)
        db.session.flush()
        db.session.add_all(
            [
                CoalitionEvent(
                    coalition_id=coalition.id, from_status=None, to_status=CoalitionStatus.DRAFT, actor_id=1
                ),
                CoalitionEvent(
                    coalition_id=coalition.id,
                    from_status=CoalitionStatus.DRAFT,
                    to_status=CoalitionStatus.OPEN,
                    actor_id=1,
                    created_at=opened,
                ),
            ]
        )
        rows = [
            {
                "coalition_id": coalition.id,
                "business_id": s.business_id,
                "pledged_by_id": s.owner_id,
                "quantity": s.quantity,
                "tolerance": s.tolerance,
                "status": PledgeStatus.ACTIVE,
                "created_at": opened + timedelta(seconds=i),
                "updated_at": opened + timedelta(seconds=i),
            }
            for i, s in enumerate(specs)
        ]
        db.session.execute(insert(db.metadata.tables[Pledge.__tablename__]), rows)
        coalition_id = coalition.id
        db.session.commit()
    db.session.remove()
    analyze()
    return coalition_id


def analyze() -> None:
    """Fresh planner statistics (production's autovacuum / PRAGMA optimize), outside the timings."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")


def remove_coalition(coalition_id: int) -> None:
    """Delete what one run wrote, so the next run starts from the same tables."""
    with write_unit():
        db.session.execute(delete(Notification))
        db.session.execute(delete(OutboxEmail))
        for model in (MemberShare, CoalitionEvent, Pledge, CoalitionTier):
            db.session.execute(delete(model).where(model.coalition_id == coalition_id))
        db.session.execute(delete(BuyingCoalition).where(BuyingCoalition.id == coalition_id))
        db.session.commit()
    db.session.remove()


# --- measuring -----------------------------------------------------------------------------------------


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.rows = 0  # parameter sets (an executemany of 10,000 rows counts once above, 10,000 here)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        self.rows += len(parameters) if executemany else 1

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        self.count = self.rows = 0
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            yield self
        finally:
            event.remove(db.engine, "before_cursor_execute", self)


@dataclass
class Run:
    close_s: float
    close_statements: int
    close_cpu_s: float  # CPU time of this process (the database server's, on PostgreSQL, not included)
    load: float  # 1-minute load average before the run: other work on the machine
    notify_s: float | None = None
    notify_statements: int | None = None


@dataclass
class VariantResult:
    variant: Variant
    pledges: int = 0
    demand: int = 0
    capacity: int | None = None
    units_ordered: int = 0
    unit_price_idr: int = 0
    engine_s: list[float] = field(default_factory=list)
    cold: Run | None = None
    runs: list[Run] = field(default_factory=list)
    baseline: list[Run] = field(default_factory=list)


def close_current(coalition_id: int, now: datetime) -> bool:
    """What ``coalitions.jobs.close_one`` does before the notices."""
    with write_unit():
        coalition = db.session.get(BuyingCoalition, coalition_id)
        assert coalition is not None
        closed = services.close(coalition, now)
        db.session.commit()
    return closed


def notify(coalition_id: int) -> None:
    """What ``coalitions.jobs.close_one`` does after the close."""
    with write_unit():
        notices.coalition_closed(coalition_id)
        db.session.commit()


def close_orm_per_row(coalition_id: int, now: datetime) -> bool:
    """The baseline: ``services.close`` as of commit 9fa04c3, before it was tuned for large coalitions —
    the pledges loaded as ORM objects (``active_pledges``), one ``MemberShare`` ORM object added per pledge
    and flushed at the commit. The columns written are today's (status and due date included)."""
    from flask import current_app
    from flask_babel import gettext as _

    from coalitions.services import S, _qty, active_pledges, lock_coalition, terms_of, transition
    from marketplace.catalog.models import unit_label
    from marketplace.money import format_idr

    with write_unit():
        coalition = lock_coalition(coalition_id)
        assert coalition.status is S.OPEN
        pledges = active_pledges(coalition)
        settlement = engine.settle(
            terms_of(coalition), [PledgeInput(p.quantity, p.tolerance) for p in pledges]
        )
        due_at = now + timedelta(days=coalition.payment_due_days)
        for row, result in zip(pledges, settlement.members, strict=True):
            db.session.add(
                MemberShare(
                    coalition_id=coalition.id,
                    pledge_id=row.id,
                    business_id=row.business_id,
                    pledged_qty=result.quantity,
                    tolerance_used=result.tolerance_used,
                    allocated_qty=result.allocated,
                    unit_price_idr=settlement.unit_price_idr,
                    goods_idr=result.goods_idr,
                    shared_cost_idr=result.shared_cost_idr,
                    total_idr=result.amount_idr,
                    savings_idr=result.savings_idr,
                    status=ShareStatus.DUE if result.amount_idr > 0 else ShareStatus.NOTHING_DUE,
                    due_at=due_at if result.amount_idr > 0 else None,
                    created_at=now,
                )
            )
        coalition.outcome = settlement.outcome
        coalition.total_pledged_qty = settlement.total_pledged
        coalition.allocated_qty = settlement.units_ordered
        coalition.packs_ordered = settlement.packs
        coalition.unit_price_idr = settlement.unit_price_idr
        coalition.goods_total_idr = settlement.goods_total_idr
        coalition.amount_total_idr = settlement.amount_total_idr
        coalition.savings_idr = settlement.savings_total_idr
        assert settlement.success
        note = _(
            "Berhasil: %(qty)s %(unit)s dengan harga %(price)s per %(unit)s.",
            qty=_qty(settlement.units_ordered),
            unit=unit_label(coalition.unit),
            price=format_idr(settlement.unit_price_idr),
        )
        transition(coalition, S.CLOSED_SUCCESS, note=note, now=now)
        coalition_closed.send(current_app._get_current_object(), coalition_id=coalition.id, success=True)
        db.session.commit()
    return True


def timed(counter: StatementCounter, action: Callable[[], Any]) -> tuple[float, int, float]:
    """Wall time, statements, CPU time of this process."""
    db.session.remove()  # a fresh session, as a new job or request has
    with counter.counting():
        cpu = time.process_time()
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    db.session.remove()
    return elapsed, counter.count, cpu


def verify(coalition_id: int, specs: list[PledgeSpec], *, notified: bool) -> tuple[int, int, int | None]:
    """Check the close (and the notices); returns (units ordered, unit price, capacity)."""
    coalition = db.session.get(BuyingCoalition, coalition_id)
    assert coalition is not None
    assert coalition.status is CoalitionStatus.CLOSED_SUCCESS, coalition.status
    shares, allocated, shared, tolerance_used = db.session.execute(
        select(
            func.count(MemberShare.id),
            func.sum(MemberShare.allocated_qty),
            func.sum(MemberShare.shared_cost_idr),
            func.sum(MemberShare.tolerance_used),
        ).where(MemberShare.coalition_id == coalition_id)
    ).one()
    assert shares == len(specs), (shares, len(specs))
    assert allocated == coalition.allocated_qty, (allocated, coalition.allocated_qty)
    assert coalition.allocated_qty == coalition.packs_ordered * coalition.pack_size
    assert shared == SHARED_COST_IDR, shared
    assert coalition.total_pledged_qty == sum(s.quantity for s in specs)
    if coalition.capacity is not None:
        assert allocated <= coalition.capacity < coalition.total_pledged_qty
        assert tolerance_used == 0  # capacity allocation takes no tolerance
    events = db.session.scalar(
        select(func.count(CoalitionEvent.id)).where(
            CoalitionEvent.coalition_id == coalition_id,
            CoalitionEvent.to_status == CoalitionStatus.CLOSED_SUCCESS,
        )
    )
    assert events == 1, events
    if notified:
        members = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind != "coalition.closed_manager")
        )
        managers = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "coalition.closed_manager")
        )
        mails = db.session.scalar(select(func.count(OutboxEmail.id)))
        assert managers == 1, managers
        assert members == len(specs), members
        assert mails == len(specs), mails
    result = (int(allocated), int(coalition.unit_price_idr or 0), coalition.capacity)
    db.session.remove()
    return result


def measure_variant(
    variant: Variant, members: list[PledgeSpec], args: argparse.Namespace, now: datetime
) -> VariantResult:
    counter = StatementCounter()
    specs = pledge_specs(members, variant, args.seed)
    result = VariantResult(variant, pledges=len(specs), demand=sum(s.quantity for s in specs))

    # a. the engine alone, on the inputs the close builds
    coalition_id = insert_coalition(variant, specs, now)
    terms = services.terms_of(db.session.get(BuyingCoalition, coalition_id))
    db.session.remove()
    inputs = [PledgeInput(s.quantity, s.tolerance) for s in specs]
    settlement = engine.settle(terms, inputs)
    for _ in range(max(args.repeat, 5)):
        started = time.perf_counter()
        engine.settle(terms, inputs)
        result.engine_s.append(time.perf_counter() - started)

    # b + c, cold then warm, each on a fresh copy
    for index in range(args.repeat + 1):
        if index:
            coalition_id = insert_coalition(variant, specs, now)
        load = os.getloadavg()[0]
        close_s, close_n, close_cpu = timed(counter, lambda cid=coalition_id: close_current(cid, now))
        verify(coalition_id, specs, notified=False)
        notify_s, notify_n, _cpu = timed(counter, lambda cid=coalition_id: notify(cid))
        result.units_ordered, result.unit_price_idr, result.capacity = verify(
            coalition_id, specs, notified=True
        )
        assert result.units_ordered == settlement.units_ordered
        run = Run(close_s, close_n, close_cpu, load, notify_s, notify_n)
        if index == 0:
            result.cold = run
        else:
            result.runs.append(run)
        print(
            f"  {variant.name} {'cold' if index == 0 else f'run {index}'}: "
            f"close+commit {close_s * 1000:7.1f} ms (CPU {close_cpu * 1000:6.1f} ms, {close_n} statements), "
            f"notify {notify_s * 1000:7.1f} ms ({notify_n} statements), load {load:.2f}",
            flush=True,
        )
        remove_coalition(coalition_id)

    for index in range(args.baseline_repeat if args.baseline else 0):
        coalition_id = insert_coalition(variant, specs, now)
        load = os.getloadavg()[0]
        close_s, close_n, close_cpu = timed(counter, lambda cid=coalition_id: close_orm_per_row(cid, now))
        verify(coalition_id, specs, notified=False)
        result.baseline.append(Run(close_s, close_n, close_cpu, load))
        print(
            f"  {variant.name} baseline run {index + 1}: close+commit {close_s * 1000:7.1f} ms "
            f"(CPU {close_cpu * 1000:6.1f} ms, {close_n} statements), load {load:.2f}",
            flush=True,
        )
        remove_coalition(coalition_id)

    if args.profile:
        coalition_id = insert_coalition(variant, specs, now)
        for what, action in (
            ("close + commit", lambda cid=coalition_id: close_current(cid, now)),
            ("notify", lambda cid=coalition_id: notify(cid)),
        ):
            profiler = cProfile.Profile()
            db.session.remove()
            profiler.enable()
            action()
            profiler.disable()
            db.session.remove()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(28)
            stats.sort_stats("tottime").print_stats(15)
            print(f"\n--- cProfile, variant {variant.name}, {what} ---")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
        remove_coalition(coalition_id)
    return result


# --- reporting -----------------------------------------------------------------------------------------


def ms(values: Sequence[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values) * 1000:.1f} ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def machine(dialect: str) -> list[str]:
    cpu = "?"
    ram = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    lines = [
        f"{os.cpu_count()} CPU ({cpu}), RAM {ram}, {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if dialect == "postgresql":
        import psycopg

        version = db.session.scalar(text("SHOW server_version"))
        lines.append(f"PostgreSQL {version} (psycopg {psycopg.__version__}), same machine, over 127.0.0.1")
        db.session.remove()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *CODE_FILES], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "?", ""
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in CODE_FILES)).hexdigest()[:12]
    lines.append(
        f"code: commit {commit}{' + uncommitted changes' if dirty else ''}; sha256 of "
        f"{', '.join(CODE_FILES)}: {digest}"
    )
    return lines


def report(
    url: str, dialect: str, results: list[VariantResult], args: argparse.Namespace, setup_s: float
) -> None:
    print(f"\nClosing a buying coalition: {make_url(url).render_as_string(hide_password=True)}")
    for line in machine(dialect):
        print(f"  {line}")
    print(f"  data: {args.pledges:,} businesses/pledges (generated in {setup_s:.1f} s), seed {args.seed}")
    for r in results:
        capacity = "none" if r.capacity is None else f"{r.capacity:,}"
        print(
            f"  {r.variant.name} ({r.variant.label}): demand {r.demand:,}, capacity {capacity}, "
            f"ordered {r.units_ordered:,} at Rp{r.unit_price_idr:,}"
        )
    print(
        f"\nms: median (min–max) of {args.repeat} runs on fresh copies; "
        "cold = the first close in the process."
    )
    header = (
        "| variant | engine.settle | close+commit | its CPU | cold close | statements "
        "| notify | cold notify | statements | load |"
    )
    if args.baseline:
        header += " baseline ORM per row | statements |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in results:
        assert r.cold is not None
        close = [run.close_s for run in r.runs]
        notify_times = [run.notify_s for run in r.runs if run.notify_s is not None]
        cpu = [run.close_cpu_s for run in r.runs]
        row = (
            f"| {r.variant.name} | {ms(r.engine_s)} | {ms(close)} | {ms(cpu)} "
            f"| {r.cold.close_s * 1000:.1f} | {r.runs[0].close_statements} | {ms(notify_times)} "
            f"| {(r.cold.notify_s or 0) * 1000:.1f} | {r.runs[0].notify_statements} "
            f"| {min(run.load for run in r.runs):.1f}–{max(run.load for run in r.runs):.1f} |"
        )
        if args.baseline:
            statements = r.baseline[0].close_statements if r.baseline else "–"
            row += f" {ms([run.close_s for run in r.baseline])} | {statements} |"
        print(row)
    worst = max(max(run.close_s for run in r.runs) for r in results)
    verdict = "met" if worst < TARGET_S else "NOT met"
    print(f"\ntarget close+commit < {TARGET_S:.0f} s: {verdict} (slowest measured run {worst * 1000:.0f} ms)")
    print(
        "checks passed: closed_success, one share per pledge, Σ allocated = units ordered, shared cost split"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql, or a database URL")
    parser.add_argument("--pledges", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--no-baseline", dest="baseline", action="store_false")
    parser.add_argument("--profile", action="store_true", help="cProfile one more close and notify")
    parser.add_argument("--variants", default="AB", help="which variants to run (A, B or AB)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="wipe a database not named gotong_bench*")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = URLS.get(args.db, args.db)
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    reset_database(parsed, args.force)
    app = make_app(url)
    with app.app_context():
        members = build_members(args.pledges, now)
        setup_s = time.perf_counter() - started
        print(f"schema + {args.pledges:,} members in {setup_s:.1f} s", flush=True)
        results = [
            measure_variant(variant, members, args, now)
            for variant in VARIANTS
            if variant.name in args.variants.upper()
        ]
        report(url, dialect, results, args, setup_s)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
