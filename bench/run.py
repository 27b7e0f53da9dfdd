"""Load-test the catalog under gunicorn with wrk, on SQLite and/or PostgreSQL, beside a database-free ceiling.

    python bench/run.py --db both            # generate data if missing, then benchmark both databases

For each database: make sure the 100k-product data set exists (bench/generate.py), start
``gunicorn -k sync -w 2 -b 127.0.0.1:8123 'bench.app:create_bench_app()'`` configured as production, wait for
/healthz, resolve the URLs (page 200 by following ``rel="next"`` 199 times), check each answers 200, warm up,
then run ``wrk --latency`` on each page for ``--duration`` seconds in ``--rounds`` rounds, each round paired
with a run of the same length on the ceiling (bench/app.py), in alternating order, so that each page is
compared with the ceiling measured beside it (throughput on this kind of VM drifts by up to ±20 % from one
15-second window to the next with nothing else running). Requests/s, p50 and p99 come from wrk's own report;
any non-2xx/3xx response or socket error is counted. Each row also records the load average before it and the
CPU time other processes (not gunicorn, wrk or PostgreSQL) took during it. Before each round it waits (up to
--max-wait) for a quiet machine, and a round that other processes disturbed anyway is measured again (up to
--retries).

The Markdown table goes to stdout and to bench/results-<db>.md. Time: about 5 pages × 2 × duration plus
warm-up and start-up per database (~3.5 minutes at the default 15 s), plus the data generation the first
time.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SQLITE_URL = "sqlite:////tmp/gotong_bench.db"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench"
HOST, PORT = "127.0.0.1", 8123
EXPECTED_PRODUCTS = 100_000
LOG_PATH = Path("/tmp/gotong_bench_gunicorn.log")
SECRET = "bench-" + "0" * 58  # a fixed, obviously-not-production key: the bench app only serves 127.0.0.1

CEILING = "/bench/ceiling"
FILTERED = "/produk?kategori=ternak&f_species=sapi&provinsi={province}&urut=termurah"
DEFAULT_SEARCH = "keripik pisang"
DEFAULT_PROVINCE = "13"


# --- small helpers -----------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def get(url: str, *, timeout: float = 30.0) -> tuple[int, bytes]:
    """GET without following redirects: a 301 must not pass for the product page's 200."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def next_link(body: bytes) -> str | None:
    found = re.search(rb'<a href="([^"]+)" rel="next">', body)
    return html.unescape(found.group(1).decode()) if found else None


# --- machine and database facts ----------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=False
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb // 1024} MiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite (python's sqlite3)": sqlite3.sqlite_version,
        "gunicorn": gunicorn.stdout.strip() or gunicorn.stderr.strip(),
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "?",
        "code": code_version(),
        "load average before": loadavg(),
    }


def code_version() -> str:
    """The commit, and a digest of the catalog code as it was when measured (others edit the checkout)."""
    import hashlib

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    digest = hashlib.sha256()
    for name in ("marketplace/catalog/search.py", "marketplace/catalog/views.py", "templates/_macros.html"):
        digest.update((ROOT / name).read_bytes())
    changed = len(dirty.stdout.splitlines())
    return (
        f"{head.stdout.strip() or '?'}{f' + {changed} uncommitted files' if changed else ''}; "
        f"sha256(search.py, views.py, _macros.html) {digest.hexdigest()[:12]}"
    )


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("shared_buffers", "work_mem", "jit")
        }
    extra = ", ".join(f"{k}={v}" for k, v in settings.items())
    return f"{row[0] if row else '?'} ({extra})"


def product_count(url: str) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM products")) or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


def ensure_postgres_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'gotong_bench'").fetchone():
            log("creating database gotong_bench")
            conn.execute("CREATE DATABASE gotong_bench")


def generate(db: str, url: str) -> None:
    generator = BENCH / "generate.py"
    if not generator.exists():
        sys.exit("bench/generate.py is missing: cannot generate the data set")
    if db == "postgres":
        ensure_postgres_database()
    log(f"generating {EXPECTED_PRODUCTS:,} products into {url} (bench/generate.py)")
    subprocess.run(
        [sys.executable, str(generator), "--database-url", url],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def fixtures(path: Path) -> dict:
    if path.exists():
        try:
            return json.loads(path.read_text())
        except ValueError:
            log("bench/fixtures.json is not valid JSON; using defaults")
    return {}


# --- CPU accounting ----------------------------------------------------------------------------------------


def _cpu_times() -> dict[int, tuple[str, int]]:
    """pid → (kind, utime+stime in clock ticks) for every process we may read."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])
        if b"gunicorn" in cmdline and b"bench.app" in cmdline:
            kind = "gunicorn"
        elif comm == "wrk":
            kind = "wrk"
        elif comm.startswith("postgres") or cmdline.startswith(b"postgres"):
            kind = "postgres"
        else:
            kind = "other"
        found[int(entry.name)] = (kind, ticks)
    return found


def _busy_ticks() -> tuple[int, int]:
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has exited and been waited for
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuWindow:
    start: dict[int, tuple[str, int]] = field(default_factory=_cpu_times)
    busy_start: tuple[int, int] = field(default_factory=_busy_ticks)
    children_start: float = field(default_factory=_children_seconds)
    started: float = field(default_factory=time.monotonic)

    def shares(self) -> dict[str, float]:
        """CPU used per kind of process during the window, in cores (2.0 = both cores busy)."""
        end = _cpu_times()
        busy_end = _busy_ticks()
        seconds = time.monotonic() - self.started
        hz = os.sysconf("SC_CLK_TCK")
        used: dict[str, float] = {"gunicorn": 0.0, "wrk": 0.0, "postgres": 0.0, "other": 0.0}
        for pid, (kind, ticks) in end.items():
            before = self.start.get(pid, (kind, 0))[1]
            used[kind] += max(ticks - before, 0) / hz / seconds
        used["wrk"] += (_children_seconds() - self.children_start) / seconds
        total = (busy_end[0] - self.busy_start[0]) / hz / seconds
        # Whatever the machine did that no listed process explains (exited processes, kernel threads).
        listed = sum(used.values())
        used["other"] += max(total - listed, 0.0)
        used["total"] = total
        return used


# --- wrk ---------------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses + socket errors
    raw: str


def wrk(url: str, duration: int, connections: int, threads: int) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in found.groups())
    return WrkResult(rps, p50, p99, requests, errors, out)


# --- the server --------------------------------------------------------------------------------------------


class Server:
    def __init__(self, database_url: str, workers: int) -> None:
        self.database_url = database_url
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "GOTONG_SECRET_KEY": SECRET,
            "GOTONG_ENV": "production",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("FLASK_DEBUG", None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "sync",
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
            "bench.app:create_bench_app()",
        ]
        self.log_file = open(LOG_PATH, "wb")  # closed in __exit__
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited ({self.process.returncode}); see {LOG_PATH}")
            try:
                if get(f"http://{HOST}:{PORT}/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        sys.exit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *_exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log_file.close()


# --- one database ------------------------------------------------------------------------------------------


def resolve_urls(db: str, data: dict) -> list[tuple[str, str]]:
    base = f"http://{HOST}:{PORT}"
    # bench/fixtures.json (written by bench/generate.py) names a common word, a province rich in livestock
    # and a public product of the data set; the defaults serve a data set without it.
    phrase = str(data.get("common_search_word") or DEFAULT_SEARCH)
    province = str(data.get("livestock_province_code") or DEFAULT_PROVINCE)
    filtered_url = FILTERED.format(province=province)

    # Page 200: the "next" link followed 199 times, as a person (or a crawler) would reach it.
    url = "/produk"
    started = time.monotonic()
    for _ in range(199):
        status, body = get(base + url)
        link = next_link(body) if status == 200 else None
        if link is None:
            sys.exit(f"{url} answered {status} without a next link before page 200")
        url = link
    log(f"page 200 reached in {time.monotonic() - started:.1f} s: {url}")
    page200 = url

    product_url = (data.get("public_product") or {}).get("url")
    if not product_url:  # the first card of the catalog
        found = re.search(rb'href="(/produk/\d+-[^"]+)"', get(base + "/produk")[1])
        product_url = html.unescape(found.group(1).decode()) if found else "/produk/1"
    product_url = str(product_url)
    status, _body = get(base + product_url)
    if status == 301:  # /produk/<id> redirects to /produk/<id>-<slug>: measure the page, not the redirect
        request = urllib.request.Request(base + product_url)
        with urllib.request.urlopen(request, timeout=30) as response:
            product_url = response.url.removeprefix(base)

    return [
        ("ceiling (no database)", CEILING),
        ("catalog page", "/produk"),
        ("search", "/produk?" + urllib.parse.urlencode({"q": phrase})),
        ("filtered", filtered_url),
        ("page 200 (keyset)", page200),
        ("product page", product_url),
    ]


@dataclass
class Row:
    name: str
    url: str
    bytes: int
    result: WrkResult  # pooled over the rounds
    ceiling: WrkResult  # the ceiling rounds paired with this page's rounds, pooled
    load_before: str
    cpu: dict[str, float]  # mean over this page's rounds


def pooled(results: list[WrkResult]) -> WrkResult:
    """Several wrk runs as one: requests over the summed time, the median p50, the worst p99."""
    requests = sum(r.requests for r in results)
    seconds = sum(r.requests / r.requests_per_s for r in results if r.requests_per_s)
    return WrkResult(
        requests_per_s=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        requests=requests,
        errors=sum(r.errors for r in results),
        raw="",
    )


def bench_database(db: str, args: argparse.Namespace, data: dict) -> tuple[list[Row], Row]:
    """Each page in ``--rounds`` rounds, each round paired with a ceiling run of the same length (the order
    alternating), so every page is compared with the ceiling measured right beside it: this machine's
    throughput drifts by up to ±20 % between 15-second windows with no other process running."""
    url = args.sqlite_url if db == "sqlite" else args.postgres_url
    base = f"http://{HOST}:{PORT}"
    rows: list[Row] = []
    all_ceiling: list[WrkResult] = []
    seconds = max(1, round(args.duration / args.rounds))
    with Server(url, args.workers):
        pages = resolve_urls(db, data)
        sizes = {}
        for name, path in pages:
            status, body = get(base + path)
            if status != 200:
                sys.exit(f"{name}: {path} answered {status}, not 200")
            sizes[path] = len(body)
        log("warming up")
        for path in dict.fromkeys(path for _name, path in pages):
            wrk(base + path, args.warmup, args.connections, args.threads)
        for name, path in pages:
            if path == CEILING:
                continue
            page_runs: list[WrkResult] = []
            ceiling_runs: list[WrkResult] = []
            cpus: list[dict[str, float]] = []
            load = loadavg()
            for round_ in range(args.rounds):
                order = [CEILING, path] if round_ % 2 == 0 else [path, CEILING]
                for attempt in range(args.retries + 1):
                    waited = wait_for_quiet(args.max_wait)
                    measured = {}
                    for target in order:
                        window = CpuWindow()
                        result = wrk(base + target, seconds, args.connections, args.threads)
                        measured[target] = (result, window.shares())
                    other = max(cpu["other"] for _result, cpu in measured.values())
                    if waited >= 1:
                        log(f"  waited {waited:.0f} s for a quiet machine")
                    if other <= DISTURBED or attempt == args.retries:
                        break
                    log(f"  disturbed: other processes used {other:.2f} cores; measuring the round again")
                page_runs.append(measured[path][0])
                ceiling_runs.append(measured[CEILING][0])
                cpus.append(measured[path][1])
            result, ceiling = pooled(page_runs), pooled(ceiling_runs)
            all_ceiling += ceiling_runs
            cpu = {k: statistics.mean(c[k] for c in cpus) for k in cpus[0]}
            log(
                f"{db:8} {name:20} {result.requests_per_s:7.1f} req/s  p50 {result.p50_ms:5.1f} ms  "
                f"p99 {result.p99_ms:5.1f} ms | ceiling {ceiling.requests_per_s:6.1f} req/s "
                f"→ {result.requests_per_s / ceiling.requests_per_s:4.0%}  errors {result.errors}  "
                f"other CPU {cpu['other']:.2f}"
            )
            rows.append(Row(name, path, sizes[path], result, ceiling, load, cpu))
    everything = pooled(all_ceiling)
    return rows, Row(
        "ceiling (no database), all rounds", CEILING, sizes[CEILING], everything, everything, "", {}
    )


DISTURBED = 0.2  # cores used by other processes during a run that make it suspect


def wait_for_quiet(max_wait: float) -> float:
    """Wait (at most ``max_wait`` s) until other processes use under DISTURBED cores for 2 s in a row."""
    started = time.monotonic()
    while time.monotonic() - started < max_wait:
        window = CpuWindow()
        time.sleep(2)
        if window.shares()["total"] < DISTURBED:
            break
    return time.monotonic() - started - 2


def table(db: str, rows: list[Row], ceiling: Row, info: dict[str, str], args: argparse.Namespace) -> str:
    seconds = max(1, round(args.duration / args.rounds))
    lines = [
        f"## {db}: wrk {args.connections} connections, {args.rounds} × {seconds} s per page, each round "
        f"paired with {seconds} s of the ceiling; gunicorn -k sync -w {args.workers}",
        "",
        "| page | req/s | p50 ms | p99 ms | ceiling req/s (paired) | ÷ ceiling | bytes | errors "
        "| load avg before | CPU: app / db / wrk / other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| {ceiling.name} | {ceiling.result.requests_per_s:.0f} | {ceiling.result.p50_ms:.1f} | "
        f"{ceiling.result.p99_ms:.1f} | | | {ceiling.bytes:,} | {ceiling.result.errors} | | |",
    ]
    for r in rows:
        c = r.cpu
        mark = " ⚠" if c["other"] > DISTURBED else ""
        lines.append(
            f"| {r.name} | {r.result.requests_per_s:.0f} | {r.result.p50_ms:.1f} | {r.result.p99_ms:.1f} | "
            f"{r.ceiling.requests_per_s:.0f} | {r.result.requests_per_s / r.ceiling.requests_per_s:.0%} | "
            f"{r.bytes:,} | {r.result.errors} | {r.load_before} | "
            f"{c['gunicorn']:.2f} / {c['postgres']:.2f} / {c['wrk']:.2f} / {c['other']:.2f}{mark} |"
        )
    lines += ["", "URLs:", "", f"- ceiling: `{CEILING}`"]
    lines += [f"- {r.name}: `{r.url}`" for r in rows]
    lines += ["", "Machine:", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += [
        "",
        "req/s: requests over the summed time of the page's rounds; p50: median of the rounds' p50; p99: the "
        "worst round's p99. ÷ ceiling: the page's req/s over the req/s of the ceiling rounds run beside it. "
        "CPU: cores used during the page's rounds by the gunicorn workers, PostgreSQL backends, wrk, and "
        f"everything else (2.00 = both cores); ⚠ = other processes took more than {DISTURBED} cores even "
        f"after {args.retries} re-runs.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page (and of ceiling)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per page, each paired with the ceiling")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk per URL before measuring")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--sqlite-url", default=SQLITE_URL)
    parser.add_argument("--postgres-url", default=PG_URL)
    parser.add_argument(
        "--fixtures", type=Path, default=BENCH / "fixtures.json", help="from bench/generate.py"
    )
    parser.add_argument("--retries", type=int, default=2, help="re-measure a run other processes disturbed")
    parser.add_argument("--max-wait", type=float, default=60, help="seconds to wait for a quiet machine")
    parser.add_argument("--skip-generate", action="store_true", help="never run bench/generate.py")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results-*.md alone")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    data = fixtures(args.fixtures)
    for db in databases:
        url = args.sqlite_url if db == "sqlite" else args.postgres_url
        count = product_count(url)
        if count < EXPECTED_PRODUCTS and not args.skip_generate:
            generate(db, url)
            data = fixtures(args.fixtures)
            count = product_count(url)
        log(f"{db}: {count:,} products")
        info = machine_info()
        info["products"] = f"{count:,}"
        if db == "postgres":
            info["postgresql"] = postgres_version()
        rows, ceiling = bench_database(db, args, data)
        report = table(db, rows, ceiling, info, args)
        print(report)
        if not args.no_write:
            (BENCH / f"results-{db}.md").write_text(f"# Results: {db}\n\n{report}")


if __name__ == "__main__":
    main()
