"""The regional office dashboard (/wilayah/): a fixed region asserted exactly — per-regency active/inactive
counts, the inactive list and what each last did, sales by sector to the rupiah, the 12-month boundary — the
officer's scope, CSV exports equal to the page's tables, and a constant number of statements per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative, CooperativeType, MembershipStatus
from marketplace.dashboards.exports import parse_csv
from marketplace.dashboards.models import RatRecord
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale, PaymentMethod
from marketplace.orders.models import OrderStatus
from marketplace.sectors import Sector
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_cooperative,
    make_membership,
    make_officer,
    make_product,
    make_user,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
BEKASI = ("32", "32.16")
BANDUNG = ("32", "32.04")
SOLOK = ("13", "13.11")
SECTOR_ORDER = [s.value for s in Sector]


# --- reading the page back ----------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Body rows of every table with an id: a cell is its ``data-value`` when it has one, else its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell, self._value = [], a.get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row.append(self._value if self._value is not None else text)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            if self._row and not (len(self._row) == 1):  # the "nothing here" row spans the table
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    parser = _Tables()
    parser.feed(html(response))
    return parser.tables


def csv_rows(web, url: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = web.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return parse_csv(response.data)


def wib(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).date().isoformat()


# --- the fixed region ---------------------------------------------------------------------------------------


def _member(cooperative: Cooperative, business, joined: datetime):  # type: ignore[no-untyped-def]
    membership = make_membership(cooperative, business)
    membership.joined_at = joined
    db.session.flush()
    return membership


def _order(cooperative, business, quantity: int, price: int, at: datetime, status: OrderStatus):  # type: ignore[no-untyped-def]
    product = make_product(business, cooperative=cooperative, price_idr=price, stock=100)
    if not business.has_bank_account:
        make_bank_account(business)
    order = make_checkout([(product, quantity)]).orders[0]
    assert order.cooperative_id == cooperative.id
    order.status = status  # fixture data: the order's history is not under test here
    order.created_at = at
    db.session.flush()
    return order


def _offline(business, total: int, at: datetime, *, voided: bool = False) -> OfflineSale:  # type: ignore[no-untyped-def]
    sale = OfflineSale(
        business_id=business.id,
        title="Keripik",
        unit="pcs",
        quantity=1,
        unit_price_idr=total,
        total_idr=total,
        method=PaymentMethod.CASH,
        sold_at=at,
        voided_at=at if voided else None,
    )
    db.session.add(sale)
    db.session.flush()
    return sale


@dataclass
class Region:
    now: datetime
    coops: dict[str, Cooperative]


@pytest.fixture
def region() -> Region:
    """Kabupaten Bekasi (32.16): Alpha (sales), Beta (a RAT 364 days ago), Gamma (a member 366 days ago),
    Delta (nothing ever). Kabupaten Bandung (32.04): Epsilon (an offline sale), Zeta (a sale 400 days ago).
    Solok Selatan (13.11): Sumbar (active, elsewhere)."""
    now = utcnow()
    long_ago = now - timedelta(days=800)
    alpha = make_cooperative(name="Koperasi Alpha", slug="koperasi-alpha")
    beta = make_cooperative(name="Koperasi Beta", slug="koperasi-beta", coop_type=CooperativeType.CONSUMER)
    gamma = make_cooperative(name="Koperasi Gamma", slug="koperasi-gamma")
    delta = make_cooperative(name="Koperasi Delta", slug="koperasi-delta")
    epsilon = make_cooperative(name="Koperasi Epsilon", slug="koperasi-epsilon", region=BANDUNG)
    zeta = make_cooperative(name="Koperasi Zeta", slug="koperasi-zeta", region=BANDUNG)
    sumbar = make_cooperative(name="Koperasi Sumbar", slug="koperasi-sumbar", region=SOLOK)

    dolls = make_business(name="Boneka Tambun", sector=Sector.DOLLS_TOYS)
    snacks = make_business(name="Keripik Cikarang", sector=Sector.FOOD_DRINK)
    _member(alpha, dolls, long_ago)
    _member(alpha, snacks, long_ago)
    _order(alpha, dolls, 2, 85_000, now - timedelta(days=10), OrderStatus.PAID)  # 170.000
    _order(alpha, snacks, 3, 25_000, now - timedelta(days=20), OrderStatus.COMPLETED)  # 75.000
    _order(alpha, dolls, 1, 85_000, now - timedelta(days=5), OrderStatus.CANCELLED)
    _order(alpha, dolls, 4, 85_000, now - timedelta(days=1), OrderStatus.PENDING_PAYMENT)

    held = (now.astimezone(JAKARTA) - timedelta(days=364)).date()
    db.session.add(RatRecord(cooperative_id=beta.id, held_on=held, financial_year=held.year - 1))

    crafts = make_business(name="Anyaman Gamma", sector=Sector.CRAFTS)
    _member(gamma, crafts, now - timedelta(days=366))
    make_membership(gamma, make_business(name="Pelamar Gamma"), MembershipStatus.PENDING)

    chips = make_business(name="Keripik Soreang", region=BANDUNG, sector=Sector.FOOD_DRINK)
    _member(epsilon, chips, long_ago)
    _offline(chips, 50_000, now - timedelta(days=30))
    _offline(chips, 100_000, now - timedelta(days=3), voided=True)

    goats = make_business(name="Ternak Zeta", region=BANDUNG, sector=Sector.LIVESTOCK)
    _order(zeta, goats, 1, 1_500_000, now - timedelta(days=400), OrderStatus.PAID)

    sumbar_shop = make_business(name="Rendang Solok", region=SOLOK, sector=Sector.FOOD_DRINK)
    _member(sumbar, sumbar_shop, long_ago)
    _order(sumbar, sumbar_shop, 1, 999_000, now - timedelta(days=2), OrderStatus.PAID)
    db.session.flush()
    coops = {c.name.split()[-1].lower(): c for c in (alpha, beta, gamma, delta, epsilon, zeta, sumbar)}
    return Region(now=now, coops=coops)


def _sector_rows(expected: dict[str, list[int]]) -> list[list[str]]:
    from marketplace.sectors import SECTOR_LABELS

    rows = []
    for value in SECTOR_ORDER:
        orders, online, offline, savings = expected.get(value, [0, 0, 0, 0])
        rows.append([str(SECTOR_LABELS[Sector(value)])] + [str(n) for n in (orders, online, offline)])
        rows[-1] += [str(online + offline), str(savings)]
    return rows


# --- the province -------------------------------------------------------------------------------------------


def test_province_page_counts_cooperatives_per_regency(web, region: Region) -> None:
    web.login(make_officer("32"))
    response = web.get("/wilayah/32")
    assert response.status_code == 200
    page = html(response)
    assert "3 dari 6 tidak aktif" in page
    found = tables(response)["table-kabupaten"]
    by_code = {row[0]: row for row in found}
    assert len(found) == 27  # every regency of Jawa Barat, those without cooperatives too
    assert by_code["32.16"] == ["32.16", "Kabupaten Bekasi", "4", "2", "2"]
    assert by_code["32.04"] == ["32.04", "Kabupaten Bandung", "2", "1", "1"]
    assert by_code["32.01"] == ["32.01", "Kabupaten Bogor", "0", "0", "0"]
    assert 'href="/wilayah/32.16"' in page
    assert "Koperasi Sumbar" not in page


def test_inactive_list_longest_inactive_first_with_what_they_last_did(web, region: Region) -> None:
    web.login(make_officer("32"))
    response = web.get("/wilayah/32")
    now = region.now
    assert tables(response)["table-tidak-aktif"] == [
        ["Koperasi Delta", "Kabupaten Bekasi", "Belum pernah", "", "0"],
        ["Koperasi Zeta", "Kabupaten Bandung", "Penjualan terakhir", wib(now - timedelta(days=400)), "0"],
        ["Koperasi Gamma", "Kabupaten Bekasi", "Anggota baru terakhir", wib(now - timedelta(days=366)), "1"],
    ]
    page = html(response)
    assert "belum pernah" in page
    assert "Koperasi tidak aktif" in page and "(3)" in page


def test_sales_and_savings_by_sector_to_the_rupiah(web, region: Region) -> None:
    web.login(make_officer("32"))
    response = web.get("/wilayah/32")
    expected = {
        Sector.DOLLS_TOYS.value: [1, 170_000, 0, 0],
        Sector.FOOD_DRINK.value: [1, 75_000, 50_000, 0],
    }
    assert tables(response)["table-sektor"] == _sector_rows(expected)
    page = html(response)
    assert "Rp295.000" in page  # the total of the sector table
    # Bekasi alone: Epsilon's offline sale is in Bandung.
    bekasi = tables(web.get("/wilayah/32.16"))["table-sektor"]
    assert bekasi == _sector_rows(
        {Sector.DOLLS_TOYS.value: [1, 170_000, 0, 0], Sector.FOOD_DRINK.value: [1, 75_000, 0, 0]}
    )


def test_regency_page_shows_only_its_cooperatives(web, region: Region) -> None:
    web.login(make_officer("32.16"))
    response = web.get("/wilayah/32.16")
    assert response.status_code == 200
    found = tables(response)
    assert found["table-kabupaten"] == [["32.16", "Kabupaten Bekasi", "4", "2", "2"]]
    assert [row[0] for row in found["table-koperasi"]] == [
        "Koperasi Alpha",
        "Koperasi Beta",
        "Koperasi Delta",
        "Koperasi Gamma",
    ]
    assert "2 dari 4 tidak aktif" in html(response)


@pytest.mark.parametrize(("days_ago", "counted"), [(364, True), (366, False)])
def test_a_sale_counts_for_twelve_months_on_the_page(web, days_ago: int, counted: bool) -> None:
    now = utcnow()
    cooperative = make_cooperative(name="Koperasi Batas", region=BEKASI)
    business = make_business(name="Usaha Batas", sector=Sector.CRAFTS)
    _member(cooperative, business, now - timedelta(days=800))
    _order(cooperative, business, 1, 120_000, now - timedelta(days=days_ago), OrderStatus.SHIPPED)
    web.login(make_officer("32.16"))

    response = web.get("/wilayah/32.16")
    found = tables(response)
    assert found["table-kabupaten"] == [
        ["32.16", "Kabupaten Bekasi", "1", "1" if counted else "0", "0" if counted else "1"]
    ]
    crafts = next(row for row in found["table-sektor"] if row[0] == "Kerajinan")
    expected = ["1", "120000", "0", "120000", "0"] if counted else ["0", "0", "0", "0", "0"]
    assert crafts == ["Kerajinan", *expected]
    assert [row[0] for row in found["table-tidak-aktif"]] == ([] if counted else ["Koperasi Batas"])


def test_every_csv_parses_and_equals_its_table(web, region: Region) -> None:
    web.login(make_officer("32"))
    found = tables(web.get("/wilayah/32"))
    for table in ("kabupaten", "tidak-aktif", "sektor", "koperasi"):
        rows = csv_rows(web, f"/wilayah/32/ekspor/{table}.csv")
        assert rows[1:] == found[f"table-{table}"], table
        assert len(rows[0]) == len(rows[1])
    koperasi = csv_rows(web, "/wilayah/32/ekspor/koperasi.csv")
    assert koperasi[0] == [
        "Koperasi",
        "Kabupaten/kota",
        "Jenis",
        "Anggota aktif",
        "Aktif",
        "Penjualan terakhir",
        "Koalisi terakhir",
        "Anggota baru terakhir",
        "RAT terakhir",
    ]
    held = (region.now.astimezone(JAKARTA) - timedelta(days=364)).date().isoformat()
    by_name = {row[0]: row for row in koperasi[1:]}
    assert by_name["Koperasi Alpha"] == [
        "Koperasi Alpha",
        "Kabupaten Bekasi",
        "Koperasi Produsen",
        "2",
        "1",
        wib(region.now - timedelta(days=10)),
        "",
        wib(region.now - timedelta(days=800)),
        "",
    ]
    assert by_name["Koperasi Beta"][2:] == ["Koperasi Konsumen", "0", "1", "", "", "", held]
    assert web.get("/wilayah/32/ekspor/lainnya.csv").status_code == 404


def test_inactive_list_is_paginated_fifty_per_page(web) -> None:
    for n in range(52):
        make_cooperative(name=f"Koperasi Sepi {n:02d}", slug=f"koperasi-sepi-{n:02d}", region=BANDUNG)
    web.login(make_officer("32.04"))
    first = web.get("/wilayah/32.04")
    rows = tables(first)["table-tidak-aktif"]
    assert len(rows) == 50
    assert rows[0][0] == "Koperasi Sepi 00"
    assert "Halaman 1 dari 2" in html(first)
    second = tables(web.get("/wilayah/32.04?page=2"))["table-tidak-aktif"]
    assert [row[0] for row in second] == ["Koperasi Sepi 50", "Koperasi Sepi 51"]
    assert len(csv_rows(web, "/wilayah/32.04/ekspor/tidak-aktif.csv")) == 53
    assert len(tables(web.get("/wilayah/32.04?page=99"))["table-tidak-aktif"]) == 2  # the last page


# --- who sees what ------------------------------------------------------------------------------------------


def test_a_regency_officer_is_refused_elsewhere(web, region: Region) -> None:
    web.login(make_officer("32.16", "Petugas Bekasi"))
    assert web.get("/wilayah/32.16").status_code == 200
    for url in (
        "/wilayah/13.11",
        "/wilayah/13",
        "/wilayah/32",
        "/wilayah/32.04",
        "/wilayah/13.11/ekspor/koperasi.csv",
        "/wilayah/13/ekspor/sektor.csv",
        "/wilayah/32/ekspor/tidak-aktif.csv",
    ):
        assert web.get(url).status_code == 403, url
    assert web.get("/wilayah/32.16/ekspor/koperasi.csv").status_code == 200
    assert web.get("/wilayah/99.99").status_code == 404
    assert web.get("/wilayah/32.99").status_code == 404


def test_people_without_a_region_are_refused(web, region: Region) -> None:
    web.login(make_user("Pembeli Biasa"))
    assert web.get("/wilayah/").status_code == 403
    assert web.get("/wilayah/32.16").status_code == 403
    assert web.get("/wilayah/32.16/ekspor/sektor.csv").status_code == 403


def test_anonymous_is_sent_to_log_in(web) -> None:
    for url in ("/wilayah/", "/wilayah/32.16", "/wilayah/32.16/ekspor/kabupaten.csv"):
        response = web.get(url)
        assert response.status_code == 302, url
        assert "/akun/masuk" in response.headers["Location"]


def test_officer_sees_headline_numbers_of_their_scopes(web, region: Region) -> None:
    officer = make_officer("32")
    from marketplace.accounts.models import OfficerAppointment

    db.session.add(OfficerAppointment(user=officer, region_code="13.11"))
    db.session.flush()
    web.login(officer)
    response = web.get("/wilayah/")
    assert response.status_code == 200
    assert sorted(tables(response)["scopes"]) == [
        ["Jawa Barat", "6", "3", "3"],
        ["Kabupaten Solok Selatan, Sumatera Barat", "1", "1", "0"],
    ]
    assert "national" not in tables(response)


def test_admin_sees_every_province(web, region: Region) -> None:
    web.login(make_user("Admin", is_admin=True))
    response = web.get("/wilayah/")
    assert response.status_code == 200
    national = {row[0]: row for row in tables(response)["national"]}
    assert len(national) == 38
    assert national["Jawa Barat"] == ["Jawa Barat", "6", "3", "3"]
    assert national["Sumatera Barat"] == ["Sumatera Barat", "1", "1", "0"]
    assert national["Bali"] == ["Bali", "0", "0", "0"]
    assert web.get("/wilayah/13.11").status_code == 200
    assert web.get("/wilayah/13/ekspor/koperasi.csv").status_code == 200


# --- speed: the number of statements does not grow with the region -----------------------------------------


def _busy_region(count: int, region_code: tuple[str, str]) -> None:
    now = utcnow()
    for n in range(count):
        cooperative = make_cooperative(name=f"Koperasi Ramai {n}", region=region_code)
        business = make_business(name=f"Usaha Ramai {n}", region=region_code, sector=Sector.FOOD_DRINK)
        _member(cooperative, business, now - timedelta(days=100 + n))
        _offline(business, 10_000 + n, now - timedelta(days=n + 1))
        held = now.astimezone(JAKARTA).date() - timedelta(days=30 + n)
        db.session.add(RatRecord(cooperative_id=cooperative.id, held_on=held, financial_year=held.year - 1))
        if n % 3 == 0:
            _order(cooperative, business, 1, 20_000, now - timedelta(days=n + 2), OrderStatus.PAID)
    db.session.flush()


def _statements(web, url: str) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        response = web.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


def test_statements_per_page_do_not_grow_with_the_region(web) -> None:
    _busy_region(3, BEKASI)
    _busy_region(30, BANDUNG)
    officer = make_officer("32")
    web.login(officer)
    web.get("/wilayah/32.16")  # warm whatever is loaded once per process
    small = _statements(web, "/wilayah/32.16")
    large = _statements(web, "/wilayah/32.04")
    assert small == large
    assert large <= 20
    assert _statements(web, "/wilayah/32.16/ekspor/koperasi.csv") == _statements(
        web, "/wilayah/32.04/ekspor/koperasi.csv"
    )
    assert _statements(web, "/wilayah/") <= 12


def test_page_shows_activation_targets_and_links_to_supervision(web, region: Region) -> None:
    from marketplace.dashboards.models import ActivationTarget

    today = region.now.astimezone(JAKARTA).date()
    db.session.add(
        ActivationTarget(
            region_code="32.16",
            title="Separuh koperasi Bekasi aktif",
            target_percent=75,
            base_total=4,
            base_active=1,
            start_on=today - timedelta(days=100),
            deadline_on=today + timedelta(days=1000),
        )
    )
    db.session.flush()
    web.login(make_officer("32.16"))
    page = html(web.get("/wilayah/32.16"))
    assert "Separuh koperasi Bekasi aktif" in page
    assert "2 dari 4 aktif" in page  # the progress reads this page's activity: Alpha and Beta
    assert 'href="/wilayah/koperasi/koperasi-delta"' in page
    assert 'href="/wilayah/laporan"' in page
    assert 'href="/wilayah/32.16/ekspor/koperasi.csv"' in page
