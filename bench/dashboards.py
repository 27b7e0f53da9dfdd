"""Dashboards (issue 8) at scale: 1.000 cooperatives, 5.000 businesses, ~1.000.000 order lines.

Run from the repository root (the virtualenv with the app installed)::

    python bench/dashboards.py --db both                 # generate if missing, then measure
    python bench/dashboards.py --db sqlite --explain /wilayah/32 [--as officer32]
    python bench/dashboards.py --db postgresql --generate-only
    python bench/dashboards.py --db both --baseline      # the same pages on the small ("base") data set

Data: ``bench/generate.py`` builds the catalog data set (100,000 products, 500 businesses, 50 cooperatives)
with the app's migrations; this script then *extends* it, in one transaction, with Core/DBAPI executemany on
SQLite and ``COPY`` on PostgreSQL: cooperatives up to 1.000 (Jawa Barat ~600, of which Kabupaten Bekasi
"32.16" ~100), businesses up to 5.000 with owners and memberships (60 % of the products move to the new
businesses), ~330.000 orders with ~1.000.000 lines over two years (one checkout each), ~50.000 offline sales,
RAT records, buying coalitions with pledges and member shares, health assessments with follow-ups, public
reports with triage notes, two activation targets, 24 months of activity snapshots, and the logins the
measurements use (officers of "32" and "32.16"). About 40 % of the new cooperatives did nothing in the last 12
months. Everything derives from ``--seed`` and today's date. The extension is skipped when its marker user
(``pengawas-32@bench.gotong.id``) exists, so running the script again only measures; ``--regenerate`` starts
over (only the ``gotong_bench_dash*`` databases are ever wiped).

``--baseline`` uses ``sqlite:////tmp/gotong_bench_dash_base.db`` / database ``gotong_bench_dash_base``:
the same catalog, the same 50 cooperatives and 500 businesses, demo-sized activity (3.300 orders,
~10.000 lines).

Measuring: in-process, the real ``create_app`` and its test client, logged in through the session cookie
(Flask-Login's ``_user_id``). Each page: 3 warm-up requests, then 30 timed ones (``time.perf_counter`` around
``client.get``); p50/p90/max, SQL statements per request (``before_cursor_execute`` on the engine) and the
response size. Pages that do not exist answer "missing (404)". Results go to
``bench/results-dashboards-<sqlite|postgres>[-base].md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import URL, Engine, make_url  # noqa: E402

from marketplace import regions  # noqa: E402

EMAIL_DOMAIN = "bench.gotong.id"
MARKER_EMAIL = f"pengawas-32@{EMAIL_DOMAIN}"
JAKARTA = ZoneInfo("Asia/Jakarta")
DATABASES = {
    "sqlite": "sqlite:////tmp/gotong_bench_dash.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench_dash",
}


@dataclass(frozen=True)
class Scale:
    cooperatives: int
    businesses: int
    orders: int
    offline_sales: int
    coalitions: int
    reports: int
    assessments: int
    inactive_share: float  # of the new cooperatives
    move_products: bool


FULL = Scale(1000, 5000, 330_000, 50_000, 300, 600, 400, 0.42, True)
BASE = Scale(50, 500, 3_300, 500, 10, 20, 10, 0.0, False)
LINES_PER_ORDER = ((1, 20), (2, 20), (3, 22), (4, 18), (5, 12), (6, 8))  # mean 3.06


# --- database plumbing --------------------------------------------------------------------------------------


def database_url(db: str, baseline: bool) -> str:
    url = DATABASES[db]
    return url.replace("gotong_bench_dash", "gotong_bench_dash_base") if baseline else url


def ensure_postgres_database(url: URL) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def has_table(engine: Engine, table: str) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table(table)


def run_generate(url: str, dialect: str) -> None:
    cmd = [
        sys.executable,
        str(BENCH / "generate.py"),
        "--database-url",
        url,
        "--fixtures",
        f"/tmp/gotong_bench_dash_fixtures_{dialect}.json",
    ]
    if dialect == "sqlite":
        cmd.append("--rebuild-fts")
    print("$", " ".join(cmd), flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


class Writer:
    """Bulk inserts through the DBAPI connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.rows: dict[str, int] = defaultdict(int)

    def _sqlite_value(self, v: Any) -> Any:
        if isinstance(v, datetime):
            return v.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, dict):
            return json.dumps(v)
        return v

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        cols = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            data = [tuple(self._sqlite_value(v) for v in row) for row in rows]
            self.conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", data)
            self.rows[table] += len(data)
            return
        n = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
                n += 1
        self.rows[table] += n

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        cur = self.conn.cursor()
        cur.execute(sql, params)
        try:
            return list(cur.fetchall())
        except Exception:  # statements without rows (psycopg raises, sqlite3 returns [])
            return []
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params)[0][0]

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.raw.close()


# --- the extension ---------------------------------------------------------------------------------------


def zipf_weights(n: int, s: float, rng: random.Random) -> list[float]:
    w = [1 / (k + 1) ** s for k in range(n)]
    rng.shuffle(w)
    return w


def cooperative_regions(count: int, rng: random.Random) -> list[str]:
    """Regency codes for ``count`` new cooperatives: Jawa Barat ~60 % (32.16 ~10 %), a long tail elsewhere."""
    jabar = [c for c, _n in regions.regencies("32") if c not in ("32.16",)]
    others: list[str] = []
    for prov, weight in (("33", 10), ("35", 10), ("13", 7), ("51", 5), ("62", 4), ("73", 4), ("12", 4)):
        others += [c for c, _n in regions.regencies(prov)][:weight]
    out = []
    for _i in range(count):
        u = rng.random()
        if u < 0.098:
            out.append("32.16")
        elif u < 0.61:
            out.append(jabar[int(len(jabar) * rng.random() ** 1.6)])
        else:
            out.append(others[int(len(others) * rng.random() ** 1.3)])
    return out


def extend(url: str, scale: Scale, seed: int) -> None:
    started = time.perf_counter()
    engine = create_engine(url)
    w = Writer(engine)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    lap = time.perf_counter()

    def step(name: str) -> None:
        nonlocal lap
        print(f"  {name:<46} {time.perf_counter() - lap:6.1f} s", flush=True)
        lap = time.perf_counter()

    if w.execute("SELECT id FROM users WHERE email = ?", (MARKER_EMAIL,)):
        print("  already extended (marker user exists): nothing to do")
        w.close()
        return
    pw_hash = w.scalar("SELECT password_hash FROM users WHERE email = ?", (f"admin@{EMAIL_DOMAIN}",))
    admin_id = w.scalar("SELECT id FROM users WHERE email = ?", (f"admin@{EMAIL_DOMAIN}",))
    next_user = w.scalar("SELECT max(id) FROM users") + 1
    old_coops = w.execute("SELECT id, regency_code, province_code FROM cooperatives ORDER BY id")
    old_business = w.execute("SELECT id, owner_id, regency_code FROM businesses ORDER BY id")
    next_coop = max(c[0] for c in old_coops) + 1
    next_business = max(b[0] for b in old_business) + 1
    next_manager = w.scalar("SELECT coalesce(max(id), 0) FROM cooperative_managers") + 1
    next_membership = w.scalar("SELECT coalesce(max(id), 0) FROM memberships") + 1

    users: list[tuple[Any, ...]] = []

    def new_user(email: str, name: str, created: datetime) -> int:
        nonlocal next_user
        uid = next_user
        next_user += 1
        users.append((uid, email, name, f"+62812{uid:08d}", pw_hash, False, "id", created))
        return uid

    # cooperatives
    coop_region: dict[int, str] = {c[0]: c[1] for c in old_coops}
    new_coops = scale.cooperatives - len(old_coops)
    coop_rows, sector_rows, manager_rows = [], [], []
    types = ("produsen", "pemasaran", "simpan_pinjam", "konsumen", "jasa")
    sectors = ("makanan_minuman", "kerajinan", "pertanian", "peternakan", "boneka_mainan", "jasa")
    from marketplace.sectors import Sector

    sector_values = [s.value for s in Sector]
    for regency in cooperative_regions(max(new_coops, 0), rng):
        cid = next_coop
        next_coop += 1
        coop_region[cid] = regency
        created = now - timedelta(days=rng.randint(400, 3000))
        name = f"Koperasi Bench {regions.name(regency).replace('Kabupaten ', '')} {cid}"
        chair = new_user(f"ketua-{cid}@{EMAIL_DOMAIN}", f"Ketua Koperasi {cid}", created)
        coop_rows.append(
            (
                cid,
                name,
                f"koperasi-bench-{cid}",
                f"AHU-9{cid:06d}.AH.01.29.TAHUN 2019",
                f"99{cid:014d}",
                rng.choice(types),
                regency[:2],
                regency,
                f"Jl. Koperasi No. {cid % 90 + 1}, {regions.name(regency)}",
                "Koperasi data uji dasbor.",
                False,
                created,
                created,
            )
        )
        sector_rows.append((cid, rng.choice(sector_values)))
        manager_rows.append((next_manager, cid, chair, "ketua", created))
        next_manager += 1
    del sectors

    all_coops = sorted(coop_region)
    new_ids = [c for c in all_coops if c >= len(old_coops) + 1 and c > old_coops[-1][0]]
    inactive = set(rng.sample(new_ids, int(len(new_ids) * scale.inactive_share))) if new_ids else set()
    # the biggest new cooperative of 32.16 (measured as "a big cooperative") stays active
    coop_weights = {c: wt for c, wt in zip(new_ids, zipf_weights(len(new_ids), 1.0, rng), strict=True)}
    bekasi_new = [c for c in new_ids if coop_region[c] == "32.16"]
    big_coop = None
    if bekasi_new:
        big_coop = bekasi_new[0]
        coop_weights[big_coop] = max(coop_weights.values()) * 3
        inactive.discard(big_coop)

    # businesses and memberships
    business_rows, membership_rows = [], []
    business_coop: dict[int, int] = {}
    for m in w.execute("SELECT business_id, cooperative_id FROM memberships WHERE status = 'active'"):
        business_coop.setdefault(m[0], m[1])
    new_business_count = scale.businesses - len(old_business)
    if new_business_count > 0:
        picks = new_ids + rng.choices(
            new_ids, weights=[coop_weights[c] for c in new_ids], k=new_business_count - len(new_ids)
        )
        for cid in picks:
            bid = next_business
            next_business += 1
            regency = coop_region[cid]
            joined = now - timedelta(days=rng.randint(380, 1500) if cid in inactive else rng.randint(1, 1100))
            owner = new_user(
                f"usaha-{bid}@{EMAIL_DOMAIN}", f"Pemilik Usaha {bid}", joined - timedelta(days=3)
            )
            business_rows.append(
                (
                    bid,
                    owner,
                    f"Usaha Bench {bid}",
                    f"usaha-bench-{bid}",
                    f"9{bid:012d}",
                    f"Pemilik Usaha {bid}",
                    f"+62813{bid:08d}",
                    regency[:2],
                    regency,
                    f"Jl. Usaha No. {bid % 99 + 1}",
                    rng.choice(sector_values),
                    "Usaha data uji dasbor.",
                    joined - timedelta(days=3),
                    joined - timedelta(days=3),
                    0,
                )
            )
            status = "active" if rng.random() > 0.03 else "pending"
            membership_rows.append(
                (
                    next_membership,
                    cid,
                    bid,
                    status,
                    "",
                    joined - timedelta(days=2),
                    joined if status == "active" else None,
                    joined if status == "active" else None,
                )
            )
            next_membership += 1
            if status == "active":
                business_coop[bid] = cid
    officer32 = new_user(MARKER_EMAIL, "Pengawas Jawa Barat", now - timedelta(days=400))
    officer3216 = new_user(
        f"pengawas-3216@{EMAIL_DOMAIN}", "Pengawas Kabupaten Bekasi", now - timedelta(days=400)
    )

    w.insert(
        "users",
        ("id", "email", "name", "phone", "password_hash", "is_admin", "locale", "created_at"),
        users,
    )
    w.insert(
        "cooperatives",
        (
            "id, name, slug, legal_entity_number, nik_koperasi, coop_type, province_code, regency_code, "
            "address, description, requires_listing_approval, created_at, updated_at"
        ).split(", "),
        coop_rows,
    )
    w.insert("cooperative_sectors", ("cooperative_id", "sector"), sector_rows)
    w.insert("cooperative_managers", ("id", "cooperative_id", "user_id", "role", "created_at"), manager_rows)
    w.insert(
        "businesses",
        (
            "id, owner_id, name, slug, nib, owner_name, whatsapp, province_code, regency_code, address, "
            "sector, description, created_at, updated_at, invoice_seq"
        ).split(", "),
        business_rows,
    )
    w.insert(
        "memberships",
        ("id, cooperative_id, business_id, status, message, applied_at, decided_at, joined_at").split(", "),
        membership_rows,
    )
    w.insert(
        "officer_appointments",
        ("user_id", "region_code", "appointed_by_id", "created_at"),
        [(officer32, "32", admin_id, now), (officer3216, "32.16", admin_id, now)],
    )
    step(f"users, {len(coop_rows)} cooperatives, {len(business_rows)} businesses")

    if scale.move_products and business_rows:
        first, count = business_rows[0][0], len(business_rows)
        w.execute(f"UPDATE products SET business_id = {first} + ((id * 7919) % {count}) WHERE id % 10 < 6")
        w.execute(
            "UPDATE products SET cooperative_id = (SELECT min(m.cooperative_id) FROM memberships m "
            f"WHERE m.business_id = products.business_id AND m.status = 'active') WHERE business_id >= {first}"  # noqa: E501
        )
        step("60 % of the products moved to the new businesses")

    # products per business
    products_of: dict[int, list[tuple[int, int | None, int, str, str]]] = defaultdict(list)
    for pid, bid, cid, price, title, unit in w.execute(
        "SELECT id, business_id, cooperative_id, price_idr, title, unit FROM products "
        "WHERE cooperative_id IS NOT NULL ORDER BY id"
    ):
        products_of[bid].append((pid, cid, price, title[:160], unit))
    sellers = sorted(products_of)
    seller_weights = zipf_weights(len(sellers), 0.9, rng)
    seller_coop = {b: products_of[b][0][1] for b in sellers}
    step("products loaded")

    def when(coop: int | None, max_days: int = 730) -> datetime:
        if coop in inactive:
            return now - timedelta(days=rng.uniform(370, max(max_days, 371)), seconds=rng.randint(0, 86399))
        return now - timedelta(days=max_days * rng.random() ** 1.4, seconds=rng.randint(0, 86399))

    # orders
    next_checkout = w.scalar("SELECT coalesce(max(id), 0) FROM checkouts") + 1
    next_order = w.scalar("SELECT coalesce(max(id), 0) FROM orders") + 1
    next_line = w.scalar("SELECT coalesce(max(id), 0) FROM order_lines") + 1
    old_status = (
        ("completed", 80),
        ("cancelled", 11),
        ("refunded", 2),
        ("shipped", 3),
        ("ready_for_pickup", 2),
        ("paid", 2),
    )
    recent_status = (("pending_payment", 30), ("paid", 25), ("packed", 20), ("shipped", 20), ("cancelled", 5))
    lengths, length_w = zip(*LINES_PER_ORDER, strict=True)
    batch = 25_000
    done = 0
    while done < scale.orders:
        n = min(batch, scale.orders - done)
        checkouts, orders, lines = [], [], []
        for bid in rng.choices(sellers, weights=seller_weights, k=n):
            coop = seller_coop[bid]
            created = when(coop)
            age = now - created
            if age < timedelta(days=4):
                status = rng.choices(*zip(*recent_status, strict=True))[0]
            else:
                status = rng.choices(*zip(*old_status, strict=True))[0]
            items = products_of[bid]
            subtotal = 0
            oid = next_order
            for _ in range(rng.choices(lengths, weights=length_w)[0]):
                pid, _c, price, title, unit = items[rng.randrange(len(items))]
                qty = rng.choice((1, 1, 1, 2, 2, 3, 5))
                lines.append((next_line, oid, pid, title, unit, price, qty, price * qty, 0))
                next_line += 1
                subtotal += price * qty
            ck = next_checkout
            delivery = "delivery" if rng.random() < 0.7 else "pickup"
            checkouts.append(
                (
                    ck,
                    f"CKB{ck:012d}",
                    hashlib.sha256(f"bench-{ck}".encode()).hexdigest(),
                    f"Pembeli {ck % 5000}",
                    f"pembeli{ck % 5000}@example.id",
                    f"+62857{ck % 10**8:08d}",
                    delivery,
                    "Jl. Pembeli 1" if delivery == "delivery" else None,
                    "",
                    "bank_transfer",
                    subtotal,
                    "id",
                    created,
                )
            )
            sold = status not in ("pending_payment", "cancelled")
            orders.append(
                (
                    oid,
                    f"B-{oid:010d}",
                    ck,
                    bid,
                    coop,
                    status,
                    "bank_transfer",
                    subtotal,
                    0,
                    subtotal,
                    f"INV/B/{oid:010d}",
                    created + timedelta(days=1) if status == "pending_payment" else None,
                    created + timedelta(minutes=30) if sold else None,
                    created,
                    created + timedelta(days=2) if age.days > 2 else created,
                )
            )
            next_checkout += 1
            next_order += 1
        w.insert(
            "checkouts",
            (
                "id, reference, access_token, contact_name, contact_email, contact_phone, delivery_method, "
                "address, note, payment_method, total_idr, locale, created_at"
            ).split(", "),
            checkouts,
        )
        w.insert(
            "orders",
            (
                "id, number, checkout_id, business_id, cooperative_id, status, payment_method, subtotal_idr, "
                "discount_idr, total_idr, invoice_number, expires_at, paid_at, created_at, updated_at"
            ).split(", "),
            orders,
        )
        w.insert(
            "order_lines",
            (
                "id, order_id, product_id, title, unit, unit_price_idr, quantity, line_total_idr, reserved_qty"  # noqa: E501
            ).split(", "),
            lines,
        )
        done += n
        print(f"    orders {done:>7,} / {scale.orders:,}  lines {w.rows['order_lines']:>9,}", flush=True)
    step(f"{w.rows['orders']:,} orders, {w.rows['order_lines']:,} lines")

    # offline sales (by member businesses)
    owners = {b[0]: b[1] for b in old_business} | {r[0]: r[1] for r in business_rows}
    members = sorted(business_coop)
    member_weights = zipf_weights(len(members), 0.8, rng)
    offline = []
    next_offline = w.scalar("SELECT coalesce(max(id), 0) FROM offline_sales") + 1
    for bid in rng.choices(members, weights=member_weights, k=scale.offline_sales):
        sold_at = when(business_coop[bid])
        items = products_of.get(bid)
        if items:
            pid, _c, price, title, unit = items[rng.randrange(len(items))]
        else:
            pid, price, title, unit = None, rng.randint(10, 500) * 1000, "Penjualan di pasar", "pcs"
        qty = rng.randint(1, 6)
        voided = sold_at + timedelta(hours=1) if rng.random() < 0.03 else None
        offline.append(
            (
                next_offline,
                bid,
                pid,
                title,
                unit,
                qty,
                price,
                price * qty,
                0,
                rng.choice(("cash", "qris")),
                sold_at,
                owners.get(bid),
                "",
                voided,
                sold_at,
            )
        )
        next_offline += 1
    w.insert(
        "offline_sales",
        (
            "id, business_id, product_id, title, unit, quantity, unit_price_idr, total_idr, reserved_qty, "
            "method, sold_at, recorded_by_id, note, voided_at, created_at"
        ).split(", "),
        offline,
    )
    step(f"{len(offline):,} offline sales")

    # RAT records
    rats = []
    for cid in all_coops:
        for years_ago in range(3):
            if cid in inactive and years_ago == 0:
                continue
            if rng.random() < (0.55 if years_ago == 0 else 0.7):
                held = (now - timedelta(days=365 * years_ago + rng.randint(20, 300))).date()
                if cid in inactive and (now.date() - held).days < 370:
                    held = held - timedelta(days=370)
                rats.append((cid, held, held.year - 1, rng.randint(12, 300), "", admin_id, now))
    w.insert(
        "rat_records",
        ("cooperative_id, held_on, financial_year, attendees, notes, recorded_by_id, created_at").split(", "),
        rats,
    )
    step(f"{len(rats):,} RAT records")

    # buying coalitions, tiers, pledges, member shares
    members_of: dict[int, list[int]] = defaultdict(list)
    for bid, cid in business_coop.items():
        members_of[cid].append(bid)
    candidates = [c for c in all_coops if len(members_of[c]) >= 3]
    cweights = [len(members_of[c]) ** 1.2 for c in candidates]
    next_coalition = w.scalar("SELECT coalesce(max(id), 0) FROM buying_coalitions") + 1
    next_pledge = w.scalar("SELECT coalesce(max(id), 0) FROM pledges") + 1
    coalitions, tiers, pledges, shares = [], [], [], []
    statuses = (
        ("open", 15),
        ("closed_success", 25),
        ("distributed", 35),
        ("closed_failed", 10),
        ("cancelled", 5),
        ("draft", 10),
    )
    for cid in rng.choices(candidates, weights=cweights, k=scale.coalitions):
        kid = next_coalition
        next_coalition += 1
        status = rng.choices(*zip(*statuses, strict=True))[0]
        created = when(cid, 700)
        published = None if status == "draft" else created + timedelta(days=1)
        deadline = created + timedelta(days=15) if status != "open" else now + timedelta(days=7)
        closed = deadline if status in ("closed_success", "distributed", "closed_failed") else None
        price = rng.randint(20, 400) * 1000
        chosen = rng.sample(members_of[cid], min(len(members_of[cid]), rng.randint(3, 40)))
        qtys = [rng.randint(1, 60) for _ in chosen]
        success = status in ("closed_success", "distributed")
        total_qty = sum(qtys)
        coalitions.append(
            (
                kid,
                cid,
                admin_id,
                f"Pembelian bersama {kid}",
                "Data uji dasbor.",
                "Pemasok Bench",
                "0812",
                "pcs",
                max(10, total_qty // 2),
                1,
                deadline,
                0,
                "by_quantity",
                "proportional",
                "members",
                "pay_on_success",
                7,
                status,
                published,
                closed,
                ("success" if success else ("below_moq" if status == "closed_failed" else None)),
                total_qty if closed else None,
                total_qty if success else None,
                total_qty if success else None,
                price if success else None,
                price * total_qty if success else None,
                price * total_qty if success else None,
                (price // 10) * total_qty if success else None,
                created,
                created,
                0,
                0,
                False,
            )
        )
        tiers.append((kid, 1, price + price // 10))
        tiers.append((kid, max(10, total_qty // 2), price))
        for bid, qty in zip(chosen, qtys, strict=True):
            pledges.append((next_pledge, kid, bid, owners.get(bid), qty, 0, "active", created, created))
            if success:
                shares.append(
                    (
                        kid,
                        next_pledge,
                        bid,
                        qty,
                        0,
                        qty,
                        price,
                        price * qty,
                        0,
                        price * qty,
                        (price // 10) * qty,
                        closed,
                        "paid",
                        closed + timedelta(days=7),
                        price * qty,
                        0,
                        0,
                        qty if status == "distributed" else 0,
                    )
                )
            next_pledge += 1
    w.insert(
        "buying_coalitions",
        (
            "id, cooperative_id, created_by_id, title, description, supplier_name, supplier_contact, unit, "
            "moq, pack_size, deadline, shared_cost_idr, shared_cost_split, allocation_rule, join_policy, "
            "payment_mode, payment_due_days, status, published_at, closed_at, outcome, total_pledged_qty, "
            "allocated_qty, packs_ordered, unit_price_idr, goods_total_idr, amount_total_idr, savings_idr, "
            "created_at, updated_at, absorbed_qty, absorbed_idr, holds_pending"
        ).split(", "),
        coalitions,
    )
    w.insert("coalition_tiers", ("coalition_id", "min_qty", "unit_price_idr"), tiers)
    w.insert(
        "pledges",
        (
            "id, coalition_id, business_id, pledged_by_id, quantity, tolerance, status, created_at, updated_at"  # noqa: E501
        ).split(", "),
        pledges,
    )
    w.insert(
        "coalition_member_shares",
        (
            "coalition_id, pledge_id, business_id, pledged_qty, tolerance_used, allocated_qty, unit_price_idr, "  # noqa: E501
            "goods_idr, shared_cost_idr, total_idr, savings_idr, created_at, status, due_at, paid_idr, "
            "extra_qty, extra_idr, handed_over_qty"
        ).split(", "),
        shares,
    )
    step(f"{len(coalitions)} coalitions, {len(pledges):,} pledges, {len(shares):,} shares")

    # health assessments and follow-ups
    from marketplace.dashboards.health import category_for

    weights = {
        "capital": 15,
        "asset_quality": 20,
        "management": 15,
        "efficiency": 10,
        "liquidity": 15,
        "independence": 10,
        "identity": 15,
    }
    default = w.execute(
        "SELECT id, name, weights FROM health_weight_sets WHERE is_default ORDER BY id LIMIT 1"
    )
    ws_id, ws_name = None, "Bobot uji"
    if default:
        ws_id, ws_name, raw = default[0]
        weights = json.loads(raw) if isinstance(raw, str) else dict(raw)
    next_assessment = w.scalar("SELECT coalesce(max(id), 0) FROM health_assessments") + 1
    assessments, follow_ups = [], []
    for cid in rng.sample(all_coops, min(scale.assessments, len(all_coops))):
        for k in range(rng.choice((1, 1, 2))):
            on = (now - timedelta(days=rng.randint(10, 300) + 365 * k)).date()
            scores = {a: rng.randint(35, 100) for a in weights}
            centi = sum(scores[a] * weights[a] for a in weights)
            category = category_for(centi).value
            aid = next_assessment
            next_assessment += 1
            assessments.append(
                (
                    aid,
                    cid,
                    on,
                    on.year - 1,
                    ws_id,
                    ws_name,
                    dict(weights),
                    scores,
                    centi,
                    category,
                    "",
                    officer32,
                    now,
                )
            )
            if centi < 6600:
                for j in range(rng.randint(1, 3)):
                    done = now if rng.random() < 0.4 else None
                    follow_ups.append(
                        (aid, cid, f"Tindak lanjut {j + 1}", on + timedelta(days=60), done, officer32, now)
                    )
    w.insert(
        "health_assessments",
        (
            "id, cooperative_id, assessed_on, financial_year, weight_set_id, weight_set_name, weights, scores, "  # noqa: E501
            "score_centi, category, summary, assessed_by_id, created_at"
        ).split(", "),
        assessments,
    )
    w.insert(
        "health_follow_ups",
        ("assessment_id, cooperative_id, description, due_on, done_at, created_by_id, created_at").split(
            ", "
        ),
        follow_ups,
    )
    step(f"{len(assessments)} assessments, {len(follow_ups)} follow-ups")

    # public reports and notes
    next_report = w.scalar("SELECT coalesce(max(id), 0) FROM public_reports") + 1
    reports, notes = [], []
    rstatus = (("received", 35), ("visit_planned", 20), ("resolved", 30), ("dismissed", 15))
    categories = ("like_bank", "inactive", "fraud", "mismanagement", "other")
    jabar = [c for c in all_coops if coop_region[c].startswith("32")]
    for _ in range(scale.reports):
        rid = next_report
        next_report += 1
        cid = rng.choice(jabar) if rng.random() < 0.6 else rng.choice(all_coops)
        created = now - timedelta(days=rng.randint(0, 540), seconds=rng.randint(0, 86399))
        status = rng.choices(*zip(*rstatus, strict=True))[0]
        reports.append(
            (
                rid,
                f"LAP-B{rid:06d}",
                hashlib.sha256(f"report-{rid}".encode()).hexdigest(),
                cid,
                rng.choice(categories),
                "Laporan data uji: koperasi ini perlu diperiksa.",
                f"Pelapor {rid}",
                "",
                status,
                (now + timedelta(days=rng.randint(1, 30))).date() if status == "visit_planned" else None,
                "id",
                created,
                created,
            )
        )
        if status != "received":
            notes.append(
                (rid, officer32, "received", status, "Sudah ditinjau.", True, created + timedelta(days=2))
            )
    w.insert(
        "public_reports",
        (
            "id, reference, token_hash, cooperative_id, category, description, reporter_name, "
            "reporter_contact, status, visit_on, locale, created_at, updated_at"
        ).split(", "),
        reports,
    )
    w.insert(
        "public_report_notes",
        ("report_id, author_id, from_status, to_status, note, for_reporter, created_at").split(", "),
        notes,
    )
    step(f"{len(reports)} public reports, {len(notes)} notes")

    # activation targets and 24 months of snapshots
    in32 = [c for c in all_coops if coop_region[c].startswith("32")]
    in3216 = [c for c in all_coops if coop_region[c] == "32.16"]
    start = (now - timedelta(days=300)).date()
    w.insert(
        "activation_targets",
        (
            "region_code, title, target_percent, base_total, base_active, start_on, deadline_on, notes, "
            "created_by_id, created_at"
        ).split(", "),
        [
            (
                "32",
                "65% koperasi Jawa Barat aktif pada 2030",
                65,
                len(in32),
                sum(c not in inactive for c in in32) // 2,
                start,
                start.replace(year=start.year + 5),
                "",
                admin_id,
                now,
            ),
            (
                "32.16",
                "80% koperasi Kabupaten Bekasi aktif",
                80,
                len(in3216),
                sum(c not in inactive for c in in3216) // 2,
                start,
                start.replace(year=start.year + 3),
                "",
                officer3216,
                now,
            ),
        ],
    )
    snapshots = []
    this_month = now.astimezone(JAKARTA).date().replace(day=1)
    months = []
    m = this_month
    for _ in range(24):
        months.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    for cid in all_coops:
        for i, month in enumerate(months):
            if cid in inactive:
                active = i >= 12 and rng.random() < 0.7
            else:
                active = rng.random() < (0.95 if i < 12 else 0.6 + 0.02 * (24 - i))
            snapshots.append((cid, month, active, now))
    w.insert("activity_snapshots", ("cooperative_id", "month", "active", "taken_at"), snapshots)
    step(f"2 targets, {len(snapshots):,} snapshots")

    if w.dialect == "postgresql":
        for table in (
            "users",
            "cooperatives",
            "businesses",
            "memberships",
            "cooperative_managers",
            "checkouts",
            "orders",
            "order_lines",
            "offline_sales",
            "buying_coalitions",
            "pledges",
            "health_assessments",
            "public_reports",
        ):
            w.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    w.commit()
    step("commit")
    w.close()
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(str(make_url(url).database))
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    step("ANALYZE")
    engine.dispose()
    print(f"  extension done in {time.perf_counter() - started:.1f} s", flush=True)


def ensure_data(url: str, scale: Scale, seed: int, regenerate: bool) -> None:
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect == "postgresql":
        ensure_postgres_database(parsed)
    engine = create_engine(url)
    present = has_table(engine, "products") and bool(
        engine.connect().execute(text("SELECT 1 FROM products LIMIT 1")).first()
    )
    engine.dispose()
    if regenerate or not present:
        t = time.perf_counter()
        run_generate(url, dialect)
        print(f"  generate.py: {time.perf_counter() - t:.1f} s", flush=True)
    extend(url, scale, seed)


# --- measuring --------------------------------------------------------------------------------------------


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self.log: list[tuple[str, Any, float]] = []
        self.recording = False
        self._t = 0.0

    def before(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        self.n += 1
        self._t = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if self.recording:
            self.log.append((statement, parameters, (time.perf_counter() - self._t) * 1000))


@dataclass
class Page:
    name: str
    url: str
    login: str  # key of the logins dict


def fixtures(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        q = lambda sql, **p: conn.execute(text(sql), p).first()  # noqa: E731
        users = {
            "admin": q("SELECT id FROM users WHERE email = :e", e=f"admin@{EMAIL_DOMAIN}")[0],
            "officer32": q("SELECT id FROM users WHERE email = :e", e=MARKER_EMAIL)[0],
            "officer3216": q("SELECT id FROM users WHERE email = :e", e=f"pengawas-3216@{EMAIL_DOMAIN}")[0],
        }
        big = q(
            "SELECT c.id, c.slug, count(*) FROM cooperatives c JOIN memberships m ON m.cooperative_id = c.id "
            "AND m.status = 'active' WHERE c.regency_code = '32.16' GROUP BY c.id, c.slug ORDER BY 3 DESC, 1 LIMIT 1"  # noqa: E501
        )
        users["manager"] = q(
            "SELECT user_id FROM cooperative_managers WHERE cooperative_id = :c ORDER BY id LIMIT 1", c=big[0]
        )[0]
        busy = q(
            "SELECT b.id, b.slug, b.owner_id, count(*) FROM orders o JOIN businesses b ON b.id = o.business_id "  # noqa: E501
            "GROUP BY b.id, b.slug, b.owner_id ORDER BY 4 DESC, 1 LIMIT 1"
        )
        users["owner"] = busy[2]
        target = q(
            "SELECT id, region_code FROM activation_targets WHERE region_code = '32' ORDER BY id LIMIT 1"
        )
        province_coops = q("SELECT count(*) FROM cooperatives WHERE province_code = '32'")[0]
        regency_coops = q("SELECT count(*) FROM cooperatives WHERE regency_code = '32.16'")[0]
    return {
        "users": users,
        "big_coop": {"id": big[0], "slug": big[1], "members": big[2]},
        "busy_business": {"id": busy[0], "slug": busy[1], "orders": busy[3]},
        "target": {"id": target[0], "code": target[1]} if target else None,
        "province_coops": province_coops,
        "regency_coops": regency_coops,
    }


def pages(app: Any, fx: dict[str, Any]) -> list[Page]:
    coop, business = fx["big_coop"]["slug"], fx["busy_business"]["slug"]
    target = fx["target"]
    out = [
        Page("national (admin)", "/wilayah/", "admin"),
        Page(f"province 32 ({fx['province_coops']} coops, officer)", "/wilayah/32", "officer32"),
        Page(f"regency 32.16 ({fx['regency_coops']} coops, officer)", "/wilayah/32.16", "officer3216"),
        Page(
            f"cooperative page ({fx['big_coop']['members']} members)",
            f"/wilayah/koperasi/{coop}",
            "officer32",
        ),
        Page("report inbox", "/wilayah/laporan", "officer32"),
        Page("target page (32)", f"/wilayah/32/target/{target['id'] if target else 0}", "officer32"),
        Page("cooperative dashboard", f"/koperasi/{coop}/dasbor", "manager"),
        Page(
            f"MSME dashboard ({fx['busy_business']['orders']:,} orders)", f"/usaha/{business}/dasbor", "owner"
        ),
    ]
    # CSV exports of the regional tables and the other dashboards
    for code, login in (("32", "officer32"), ("32.16", "officer3216")):
        for table in ("kabupaten", "tidak-aktif", "sektor", "koperasi"):
            if table == "kabupaten" and "." in code:
                continue
            out.append(Page(f"CSV {code} {table}", f"/wilayah/{code}/ekspor/{table}.csv", login))
    if target:
        out.append(Page("CSV target (32)", f"/wilayah/32/target/{target['id']}.csv", "officer32"))
    out.append(Page("target list (32)", "/wilayah/32/target", "officer32"))
    out.append(Page("CSV cooperative assessments", f"/wilayah/koperasi/{coop}/penilaian.csv", "officer32"))
    out.append(Page("CSV cooperative roster", f"/koperasi/{coop}/anggota.csv", "manager"))
    out.append(Page("CSV MSME sales", f"/usaha/{business}/dasbor/penjualan.csv", "owner"))
    return out


def make_app(url: str) -> Any:
    from marketplace import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-dash",
            "GOTONG_ENV": "development",
            "WTF_CSRF_ENABLED": False,
            "TESTING": False,
        }
    )


@contextmanager
def logged_in(app: Any, user_id: int) -> Iterator[Any]:
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        ident = user.get_id()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
    yield client


@dataclass
class Result:
    page: Page
    status: int
    times: list[float]
    statements: list[int]
    size: int


def measure(url: str, runs: int, only: str | None = None) -> tuple[list[Result], dict[str, Any]]:
    from marketplace.extensions import db

    app = make_app(url)
    engine = create_engine(url)
    fx = fixtures(engine)
    engine.dispose()
    counter = Counter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.before)
        event.listen(db.engine, "after_cursor_execute", counter.after)
    results = []
    for page in pages(app, fx):
        if only and page.url != only:
            continue
        with logged_in(app, fx["users"][page.login]) as client:
            first = client.get(page.url)
            status = first.status_code
            if status != 200:
                results.append(Result(page, status, [], [], len(first.get_data())))
                print(f"  {page.url:<52} {status}", flush=True)
                continue
            for _ in range(2):
                client.get(page.url).get_data()
            times, statements, size = [], [], 0
            for _ in range(runs):
                counter.n = 0
                t = time.perf_counter()
                resp = client.get(page.url)
                body = resp.get_data()
                times.append((time.perf_counter() - t) * 1000)
                statements.append(counter.n)
                size = len(body)
            results.append(Result(page, status, times, statements, size))
            print(
                f"  {page.url:<52} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f}  "
                f"{statements[-1]} statements  {size:,} B",
                flush=True,
            )
    return results, fx


def explain(url: str, page_url: str, login: str | None, top: int) -> None:
    from marketplace.extensions import db

    app = make_app(url)
    engine = create_engine(url)
    fx = fixtures(engine)
    engine.dispose()
    page = next((p for p in pages(app, fx) if p.url == page_url), None)
    user = fx["users"][login or (page.login if page else "admin")]
    counter = Counter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.before)
        event.listen(db.engine, "after_cursor_execute", counter.after)
    with logged_in(app, user) as client:
        client.get(page_url)
        counter.recording = True
        resp = client.get(page_url)
        counter.recording = False
    print(
        f"{page_url}: {resp.status_code}, {len(counter.log)} statements, "
        f"{sum(t for _s, _p, t in counter.log):.1f} ms in SQL"
    )
    slowest = sorted(counter.log, key=lambda r: -r[2])[:top]
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            for statement, params, ms in slowest:
                print(f"\n--- {ms:.1f} ms ---\n{statement}\n{params!r}"[:4000])
                if db.engine.dialect.name == "sqlite":
                    rows = cur.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
                    for row in rows:
                        print("  ", row[-1] if len(row) > 1 else row)
                else:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                    for (line,) in cur.fetchall():
                        print("  ", line)
                    raw.driver_connection.rollback()
        finally:
            raw.close()


# --- report -------------------------------------------------------------------------------------------------


def machine(url: str) -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    engine = create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            db_version = f"SQLite {sqlite3.sqlite_version}"
            size = Path(make_url(url).database or "").stat().st_size
        else:
            db_version = conn.scalar(text("SHOW server_version"))
            db_version = f"PostgreSQL {db_version}"
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        counts = {
            t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in (
                "cooperatives",
                "businesses",
                "memberships",
                "users",
                "products",
                "checkouts",
                "orders",
                "order_lines",
                "offline_sales",
                "rat_records",
                "buying_coalitions",
                "pledges",
                "coalition_member_shares",
                "health_assessments",
                "health_follow_ups",
                "public_reports",
                "activation_targets",
                "activity_snapshots",
                "officer_appointments",
            )
        }
    engine.dispose()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    load = os.getloadavg()
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit `{commit.strip()[:12]}`"
        + (" with uncommitted changes" if dirty.strip() else ""),
        f"- machine: {os.cpu_count()} × {model}; Python {platform.python_version()}; {db_version}; "
        f"load average {load[0]:.2f} / {load[1]:.2f}",
        f"- database size: {size / 2**20:.0f} MB",
        "- rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
    ]


def write_report(path: Path, url: str, results: list[Result], fx: dict[str, Any], runs: int) -> None:
    lines = [
        f"# Dashboards on {make_url(url).render_as_string(hide_password=True)}",
        "",
        *machine(url),
        f"- fixtures: big cooperative `{fx['big_coop']['slug']}` ({fx['big_coop']['members']} active members), "  # noqa: E501
        f"busy business `{fx['busy_business']['slug']}` ({fx['busy_business']['orders']:,} orders)",
        f"- {runs} timed requests per page after 3 warm-up requests, in-process test client (no HTTP server)",
        "",
        "| page | URL | status | p50 ms | p90 ms | max ms | statements / request | response bytes |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if not r.times:
            label = "missing (404)" if r.status == 404 else f"HTTP {r.status}"
            lines.append(f"| {r.page.name} | `{r.page.url}` | {label} | | | | | |")
            continue
        ts = sorted(r.times)
        p90 = ts[min(len(ts) - 1, math.ceil(0.9 * len(ts)) - 1)]
        st = sorted(set(r.statements))
        stmts = str(st[0]) if len(st) == 1 else f"{st[0]}–{st[-1]}"
        lines.append(
            f"| {r.page.name} | `{r.page.url}` | {r.status} | {statistics.median(ts):.1f} | {p90:.1f} | "
            f"{ts[-1]:.1f} | {stmts} | {r.size:,} |"
        )
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgresql", "postgres", "both"), default="both")
    p.add_argument("--baseline", action="store_true", help="the small data set (gotong_bench_dash_base)")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--regenerate", action="store_true", help="rebuild the data set from scratch")
    p.add_argument("--generate-only", action="store_true")
    p.add_argument("--measure-only", action="store_true")
    p.add_argument("--only", help="measure this URL only")
    p.add_argument("--explain", metavar="URL", help="EXPLAIN the slowest statements this URL runs")
    p.add_argument("--as", dest="login", help="admin, officer32, officer3216, manager, owner")
    p.add_argument("--top", type=int, default=5)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    dbs = (
        ["sqlite", "postgresql"]
        if args.db == "both"
        else ["postgresql" if args.db == "postgres" else args.db]
    )
    for db in dbs:
        url = database_url(db, args.baseline)
        if args.explain:
            explain(url, args.explain, args.login, args.top)
            continue
        if not args.measure_only:
            print(f"== data: {url}", flush=True)
            ensure_data(url, BASE if args.baseline else FULL, args.seed, args.regenerate)
        if args.generate_only:
            continue
        print(f"== measuring: {url}", flush=True)
        results, fx = measure(url, args.runs, args.only)
        if not args.only:
            name = {"sqlite": "sqlite", "postgresql": "postgres"}[db] + ("-base" if args.baseline else "")
            write_report(BENCH / f"results-dashboards-{name}.md", url, results, fx, args.runs)


if __name__ == "__main__":
    main()
