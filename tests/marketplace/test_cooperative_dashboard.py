"""The cooperative managers' dashboard (/koperasi/<slug>/dasbor) and the member roster CSV: activity with its
reasons, members active / inactive at the 365-day boundary, applications and listings waiting, members' sales
through the cooperative to the rupiah, coalitions, events, and who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from marketplace.catalog.models import ProductStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import MembershipStatus
from marketplace.dashboards import cooperative as dashboard
from marketplace.dashboards.exports import parse_csv
from marketplace.extensions import db
from marketplace.marketing import offline
from marketplace.marketing.event_models import Booth, Event, EventKind, EventStatus
from marketplace.orders import services as order_services
from marketplace.sectors import Sector
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_product,
    make_user,
)
from tests.marketplace.test_query_counts import counting_queries


def _paid(checkout):  # type: ignore[no-untyped-def]
    order = checkout.orders[0]
    order_services.payment_received(order_services.current_payment(order))
    return order


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    """Koperasi Rajut Bekasi with five member businesses:
    - Aneka Lama: one paid order through the cooperative 364 days ago (Rp85.000) → active;
    - Boneka Sepi: one offline sale 366 days ago → inactive;
    - Camilan Koalisi: a pledge in an open coalition → active;
    - Dapur Baru: nothing → inactive;
    - Laris Manis: a paid order through the cooperative today (2 × Rp85.000), an offline sale (Rp50.000),
      a voided one and an unpaid order → active;
    and one pending application, one listing waiting for approval, an event with the cooperative's booth."""
    manager = make_user("Bu Ketua")
    cooperative = make_cooperative(manager, "Koperasi Rajut Bekasi", slug="rajut-bekasi")
    members = {}
    for name in ("Aneka Lama", "Boneka Sepi", "Camilan Koalisi", "Dapur Baru", "Laris Manis"):
        business = make_business(make_user(f"Pemilik {name}"), name)
        make_membership(cooperative, business)
        make_bank_account(business)
        members[name.split()[0]] = business
    members["Camilan"].sector = Sector.FOOD_DRINK
    applicant = make_business(make_user("Pelamar"), "Usaha Pelamar")
    make_membership(cooperative, applicant, MembershipStatus.PENDING)

    old_doll = make_product(members["Aneka"], "Boneka Kuda", slug="kuda", cooperative=cooperative)
    old_order = _paid(make_checkout([(old_doll, 1)]))
    doll = make_product(members["Laris"], "Boneka Beruang", slug="beruang", cooperative=cooperative)
    hat = make_product(members["Laris"], "Topi Rajut", slug="topi", price_idr=50_000, cooperative=cooperative)
    today_order = _paid(make_checkout([(doll, 2)]))
    make_checkout([(doll, 1)])  # waiting for payment: not a sale
    laris = members["Laris"]
    offline.record_sale(laris.owner, laris, offline.SaleData(product_id=hat.id, quantity=1))
    mistake = offline.record_sale(laris.owner, laris, offline.SaleData(product_id=doll.id, quantity=1))
    offline.void_sale(laris.owner, mistake, "salah catat")
    sepi = members["Boneka"]
    quiet = offline.record_sale(
        sepi.owner,
        sepi,
        offline.SaleData(product_id=make_product(sepi, "Boneka Sapi", slug="sapi").id, quantity=1),
    )
    coalition = make_coalition(cooperative, "Benang rajut 1 kg")
    make_pledge(coalition, members["Camilan"], 30)
    make_product(
        members["Dapur"],
        "Sambal Dapur",
        slug="sambal",
        cooperative=cooperative,
        status=ProductStatus.PENDING_REVIEW,
    )
    event = Event(
        slug="bazar-tambun",
        title="Bazar UMKM Tambun",
        kind=EventKind.BAZAAR,
        status=EventStatus.PUBLISHED,
        starts_at=utcnow() + timedelta(days=3),
        ends_at=utcnow() + timedelta(days=4),
        place="Lapangan Tambun",
        address="Jl. Raya Tambun",
        province_code="32",
        regency_code="32.16",
        organiser_id=make_user("Petugas").id,
        published_at=utcnow(),
    )
    event.booths.append(Booth(cooperative_id=cooperative.id))
    db.session.add(event)
    db.session.flush()
    old_order.created_at = utcnow() - timedelta(days=364)
    quiet.sold_at = utcnow() - timedelta(days=366)
    db.session.commit()
    return {
        "cooperative": cooperative,
        "manager": manager,
        "members": members,
        "today_order": today_order,
        "coalition": coalition,
    }


def test_members_active_at_the_365_day_boundary(app, coop):  # type: ignore[no-untyped-def]
    rows = {r.name: r for r in dashboard.member_rows(coop["cooperative"])}
    assert list(rows) == ["Aneka Lama", "Boneka Sepi", "Camilan Koalisi", "Dapur Baru", "Laris Manis"]
    assert {name: r.active for name, r in rows.items()} == {
        "Aneka Lama": True,  # sold 364 days ago
        "Boneka Sepi": False,  # sold 366 days ago
        "Camilan Koalisi": True,  # pledged
        "Dapur Baru": False,
        "Laris Manis": True,
    }
    assert {name: r.sales_idr for name, r in rows.items()} == {
        "Aneka Lama": 85_000,
        "Boneka Sepi": 0,
        "Camilan Koalisi": 0,
        "Dapur Baru": 0,
        "Laris Manis": 170_000 + 50_000,
    }
    assert rows["Boneka Sepi"].last_activity_at is not None  # shown, though too old
    assert rows["Dapur Baru"].last_activity_at is None
    assert {name: r.coalitions_joined for name, r in rows.items()}["Camilan Koalisi"] == 1
    summary = dashboard.member_summary(coop["cooperative"])
    assert (summary.total, summary.active, summary.inactive, summary.pending_applications) == (5, 3, 2, 1)
    assert [r.name for r in summary.inactive_rows] == ["Boneka Sepi", "Dapur Baru"]


def test_sales_through_the_cooperative_to_the_rupiah(app, coop):  # type: ignore[no-untyped-def]
    sales = dashboard.cooperative_sales(coop["cooperative"], 30)
    t = sales.totals
    assert (t.orders_online, t.units_online, t.revenue_online_idr) == (1, 2, 170_000)
    assert (t.orders_offline, t.units_offline, t.revenue_offline_idr) == (1, 1, 50_000)
    assert [(p.title, p.revenue_idr) for p in sales.top] == [
        ("Boneka Beruang", 170_000),
        ("Topi Rajut", 50_000),
    ]
    assert sales.rows[-1].revenue_idr == 220_000
    assert dashboard.listings_waiting(coop["cooperative"]) == 1
    events = dashboard.cooperative_events(coop["cooperative"])
    assert [(e.event.title, e.booth, e.organised, e.ongoing) for e in events] == [
        ("Bazar UMKM Tambun", True, False, False)
    ]


def test_page_shows_activity_members_and_work_waiting(web, coop):  # type: ignore[no-untyped-def]
    web.login(coop["manager"])
    response = web.get("/koperasi/rajut-bekasi/dasbor")
    assert response.status_code == 200
    page = html(response)
    assert 'data-tile="activity"><strong>Aktif</strong>' in page
    sale_row = re.search(r'<tr data-activity="sale">(.*?)</tr>', page, re.S).group(1)
    assert "Ya" in sale_row
    assert "/koperasi/rajut-bekasi/tinjauan-produk" in page
    assert re.search(r'data-tile="listings"><strong>1</strong>', page)
    assert re.search(r'data-tile="applications"><strong>1</strong>', page)
    assert re.search(r'data-tile="inactive-members"><strong>2</strong>', page)
    total = re.search(r'<tr data-period="total">(.*?)</tr>', page, re.S).group(1)
    assert "Rp170.000" in total and "Rp50.000" in total and "Rp220.000" in total
    assert "Bazar UMKM Tambun" in page and "Benang rajut 1 kg" in page
    if "rat.index" in web.client.application.view_functions:  # the RAT pages (another part of issue 8)
        assert "/koperasi/rajut-bekasi/rat" in page
    # linked from the manage page and from "saya"
    assert "/koperasi/rajut-bekasi/dasbor" in html(web.get("/koperasi/rajut-bekasi/kelola"))
    assert "/koperasi/rajut-bekasi/dasbor" in html(web.get("/saya"))


def test_roster_csv_matches_the_members_table(web, coop):  # type: ignore[no-untyped-def]
    web.login(coop["manager"])
    response = web.get("/koperasi/rajut-bekasi/anggota.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = parse_csv(response.data)
    assert rows[0] == [
        "Nama usaha",
        "Pemilik",
        "NIB",
        "WhatsApp",
        "Sektor",
        "Kabupaten/kota",
        "Bergabung",
        "Aktif",
        "Aktivitas terakhir",
        "Penjualan 365 hari (Rp)",
        "Koalisi diikuti",
    ]
    body = rows[1:]
    by_name = {r[0]: r for r in body}
    assert [r[7] for r in body] == ["Aktif", "Tidak aktif", "Aktif", "Tidak aktif", "Aktif"]
    assert by_name["Laris Manis"][9] == "220000" and by_name["Aneka Lama"][9] == "85000"
    assert by_name["Camilan Koalisi"][4] == "Makanan & minuman" and by_name["Camilan Koalisi"][10] == "1"
    assert by_name["Dapur Baru"][8] == ""
    assert by_name["Laris Manis"][5] == "Kabupaten Bekasi, Jawa Barat"
    assert by_name["Laris Manis"][6] == offline.today().isoformat()

    page = html(web.get("/koperasi/rajut-bekasi/dasbor"))
    table = re.findall(r'<tr data-business="\d+" data-active="(\d)">(.*?)</tr>', page, re.S)
    assert len(table) == len(body)
    for (active, cells), row in zip(table, body, strict=True):
        texts = [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
        # the CSV guards a leading "+" from spreadsheets (exports.safe_cell): '+62...
        assert texts[0:6] == [row[0], row[1], row[2], row[3].removeprefix("'"), row[4], row[5]]
        assert active == ("1" if row[7] == "Aktif" else "0")
        assert texts[9] == "Rp" + f"{int(row[9]):,}".replace(",", ".")
        assert texts[10] == row[10]


def test_who_may_see_it(web, coop):  # type: ignore[no-untyped-def]
    urls = ["/koperasi/rajut-bekasi/dasbor", "/koperasi/rajut-bekasi/anggota.csv"]
    for url in urls:
        anonymous = web.get(url)
        assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]
    other = make_user("Ketua Lain")
    make_cooperative(other, "Koperasi Lain")
    db.session.commit()
    web.login(other)
    assert [web.get(url).status_code for url in urls] == [403, 403]
    web.logout()
    web.login(coop["members"]["Laris"].owner)  # a member is not a manager
    assert [web.get(url).status_code for url in urls] == [403, 403]
    web.logout()
    admin = make_user("Admin", is_admin=True)
    db.session.commit()
    web.login(admin)
    assert [web.get(url).status_code for url in urls] == [200, 200]


def test_query_count_does_not_grow_with_members(web, coop):  # type: ignore[no-untyped-def]
    web.login(coop["manager"])
    url = "/koperasi/rajut-bekasi/dasbor"
    web.get(url)
    with counting_queries() as counter:
        assert web.get(url).status_code == 200
    before = counter["n"]
    cooperative = coop["cooperative"]
    for i in range(4):
        business = make_business(make_user(f"Anggota {i}"), f"Anggota Tambahan {i}")
        make_membership(cooperative, business)
        product = make_product(business, f"Produk {i}", slug=f"produk-{i}", cooperative=cooperative)
        make_bank_account(business)
        _paid(make_checkout([(product, 1)]))
        offline.record_sale(business.owner, business, offline.SaleData(product_id=product.id, quantity=1))
        make_pledge(coop["coalition"], business, 5)
    db.session.commit()
    with counting_queries() as counter:
        assert web.get(url).status_code == 200
    assert counter["n"] == before
    assert web.get("/koperasi/rajut-bekasi/anggota.csv").status_code == 200


def test_offline_sales_made_before_joining_are_not_the_cooperatives(app, coop):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from marketplace.cooperatives.models import Membership

    laris = coop["members"]["Laris"]
    membership = db.session.scalars(
        select(Membership).where(
            Membership.business_id == laris.id, Membership.cooperative_id == coop["cooperative"].id
        )
    ).one()
    membership.joined_at = utcnow() + timedelta(minutes=1)  # its Rp50.000 sale came before it joined
    db.session.flush()

    totals = dashboard.cooperative_sales(coop["cooperative"], 30).totals

    assert (totals.orders_offline, totals.revenue_offline_idr) == (0, 0)
    assert totals.revenue_online_idr == 170_000  # orders through the cooperative still count
