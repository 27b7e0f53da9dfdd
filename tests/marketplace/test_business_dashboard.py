"""The MSME owner's dashboard (/usaha/<slug>/dasbor): sales online and offline to the rupiah (paid
orders count, waiting and cancelled ones do not, voided offline sales do not), top products, orders to
fulfil, transfer proofs to check, low stock, coalitions joined, the sales CSV, and who may see it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coalitions import jobs
from marketplace.catalog.models import ProductStatus
from marketplace.clock import utcnow
from marketplace.dashboards import business as dashboard
from marketplace.dashboards.exports import parse_csv
from marketplace.extensions import db
from marketplace.marketing import offline
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import services as payment_services
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_coalition,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_pledge,
    make_product,
    make_user,
)
from tests.marketplace.test_query_counts import counting_queries


def _paid(order: Order) -> Order:
    order_services.payment_received(order_services.current_payment(order))
    return order


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    """Rajut Dewi: three paid orders this month (one packed, one shipped), one paid 40 days ago and completed,
    one waiting for payment with a transfer proof, one cancelled; an offline sale and a voided one; a
    successful buying coalition."""
    seller = make_user("Dewi Lestari")
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager, "Koperasi Rajut Bekasi")
    business = make_business(seller, "Rajut Dewi", slug="rajut-dewi")
    make_membership(cooperative, business)
    make_bank_account(business)
    doll = make_product(business, "Boneka Beruang Rajut", slug="boneka", price_idr=85_000, stock=50)
    chips = make_product(business, "Keripik Tempe", slug="keripik", price_idr=25_000, stock=50)
    bag = make_product(business, "Tas Rajut", slug="tas", price_idr=120_000, stock=50)
    preorder = make_product(business, "Boneka Pesanan", slug="pesanan", stock=0, preorder=True)
    paused = make_product(business, "Boneka Lama", slug="lama", stock=0, status=ProductStatus.PAUSED)

    first = _paid(make_checkout([(doll, 2), (chips, 4)]).orders[0])  # 270.000
    packed = _paid(make_checkout([(bag, 1)]).orders[0])  # 120.000
    order_services.mark_packed(seller, packed)
    shipped = _paid(make_checkout([(doll, 1)]).orders[0])  # 85.000
    order_services.mark_packed(seller, shipped)
    order_services.mark_shipped(seller, shipped, "JNE", "JNE123")
    old = _paid(make_checkout([(doll, 1)]).orders[0])  # 85.000, 40 days ago, completed
    order_services.mark_packed(seller, old)
    order_services.mark_shipped(seller, old, "JNE", "JNE124")
    order_services.mark_completed(seller, old)
    waiting = make_checkout([(doll, 1)]).orders[0]
    payment_services.upload_proof(order_services.current_payment(waiting), io.BytesIO(make_photo_bytes()))
    cancelled = make_checkout([(chips, 2)]).orders[0]
    order_services.cancel_order(seller, cancelled, "stok habis", by="seller")
    offline.record_sale(
        seller,
        business,
        offline.SaleData(product_id=doll.id, quantity=3, unit_price_idr=80_000, method="qris"),
    )
    mistake = offline.record_sale(seller, business, offline.SaleData(product_id=chips.id, quantity=5))
    offline.void_sale(seller, mistake, "salah produk")

    coalition = make_coalition(cooperative, "Benang rajut 1 kg")
    make_pledge(coalition, business, 40)
    make_pledge(coalition, None, 70)
    db.session.commit()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert coalition.id in jobs.run_due().closed

    old.created_at = utcnow() - timedelta(days=40)
    first.created_at = utcnow() - timedelta(minutes=30)  # the oldest open order
    doll.stock, chips.stock, bag.stock = 30, 3, 5
    db.session.commit()
    return {
        "seller": seller,
        "manager": manager,
        "business": business,
        "products": {"doll": doll, "chips": chips, "bag": bag, "preorder": preorder, "paused": paused},
        "orders": {"first": first, "packed": packed, "shipped": shipped, "old": old, "waiting": waiting},
        "coalition": coalition,
    }


def test_sales_totals_and_top_products_to_the_rupiah(app, shop):  # type: ignore[no-untyped-def]
    sales = dashboard.business_sales(shop["business"], 30)
    t = sales.totals
    assert (t.orders_online, t.units_online, t.revenue_online_idr) == (3, 8, 475_000)
    assert (t.orders_offline, t.units_offline, t.revenue_offline_idr) == (1, 3, 240_000)
    assert (t.orders, t.units, t.revenue_idr) == (4, 11, 715_000)
    assert len(sales.rows) == 30 and not sales.monthly
    today = sales.rows[-1]
    assert (today.label, today.revenue_idr) == (offline.today().isoformat(), 715_000)
    # doll 3 online (255.000) + 3 offline (240.000), then the bag, then the chips
    assert [(p.title, p.revenue_idr) for p in sales.top] == [
        ("Boneka Beruang Rajut", 495_000),
        ("Tas Rajut", 120_000),
        ("Keripik Tempe", 100_000),
    ]
    quarter = dashboard.business_sales(shop["business"], 90)
    assert (quarter.totals.orders_online, quarter.totals.revenue_online_idr) == (4, 560_000)
    year = dashboard.business_sales(shop["business"], 365)
    assert year.monthly and len(year.rows) in (12, 13)
    assert year.totals.revenue_idr == 800_000
    assert sum(row.revenue_idr for row in year.rows) == 800_000
    assert year.rows[-1].label == offline.today().strftime("%Y-%m")


def test_orders_to_fulfil_proofs_low_stock_and_coalitions(app, shop):  # type: ignore[no-untyped-def]
    business, orders, products = shop["business"], shop["orders"], shop["products"]
    with app.test_request_context():
        data = dashboard.business_dashboard(business, 30)
    assert [(s, n) for s, _label, n in data.open_orders.counts] == [
        (OrderStatus.PAID, 1),
        (OrderStatus.PACKED, 1),
        (OrderStatus.SHIPPED, 1),
    ]
    assert data.open_orders.total == 3
    assert [o.number for o in data.open_orders.oldest] == [
        orders["first"].number,
        orders["packed"].number,
        orders["shipped"].number,
    ]
    assert [(p.order.number, p.amount_idr) for p in data.proofs] == [(orders["waiting"].number, 85_000)]
    assert [p.title for p in data.low_stock] == ["Keripik Tempe", "Tas Rajut"]  # not pre-order, not paused
    assert products["preorder"] not in data.low_stock
    c = data.coalitions
    assert [(line.title, line.status_label) for line in c.lines] == [("Benang rajut 1 kg", "Berhasil")]
    # 110 units reach Rp300.000 (solo Rp320.000): 40 × Rp20.000 saved, 40 × Rp300.000 due
    assert (c.savings_idr, c.amount_due_idr, c.payout_owed_idr, c.payout_paid_idr) == (
        800_000,
        12_000_000,
        0,
        0,
    )


def test_page_shows_the_same_numbers_and_links(web, shop):  # type: ignore[no-untyped-def]
    business = shop["business"]
    web.login(shop["seller"])
    response = web.get("/usaha/rajut-dewi/dasbor")
    assert response.status_code == 200
    page = html(response)
    assert 'class="dash-tiles"' in page
    total = re.search(r'<tr data-period="total">(.*?)</tr>', page, re.S).group(1)
    assert "Rp475.000" in total and "Rp240.000" in total and "Rp715.000" in total
    assert f"/usaha/rajut-dewi/pesanan/{shop['orders']['first'].number}" in page
    assert "/usaha/rajut-dewi/pesanan?status=transfer" in page
    assert f"/produk/{shop['products']['chips'].id}/ubah" in page
    assert "Rp800.000" in page and "Rp12.000.000" in page
    assert f"/koalisi/{shop['coalition'].id}" in page
    assert "<svg" in page
    # the "saya" page links to it
    assert "/usaha/rajut-dewi/dasbor" in html(web.get("/saya"))
    # a year: per month
    year = html(web.get("/usaha/rajut-dewi/dasbor?hari=365"))
    assert f'data-period="{offline.today().strftime("%Y-%m")}"' in year
    assert business.name in year


def test_sales_csv_matches_the_table(web, shop):  # type: ignore[no-untyped-def]
    web.login(shop["seller"])
    response = web.get("/usaha/rajut-dewi/dasbor/penjualan.csv?hari=90")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = parse_csv(response.data)
    assert rows[0][0] == "Periode" and len(rows) == 1 + 90
    page = html(web.get("/usaha/rajut-dewi/dasbor?hari=90"))
    table = re.findall(r'<tr data-period="(\d{4}-\d{2}-\d{2})">(.*?)</tr>', page, re.S)
    assert [label for label, _cells in table] == [row[0] for row in rows[1:]]
    today = rows[-1]
    assert today == [offline.today().isoformat(), "3", "1", "8", "3", "475000", "240000", "715000"]
    forty = [r for r in rows[1:] if r[5] != "0" and r[0] != today[0]]
    assert [r[5] for r in forty] == ["85000"]
    cells = dict(table)[today[0]]
    assert "Rp475.000" in cells and "Rp715.000" in cells
    assert sum(int(r[7]) for r in rows[1:]) == 800_000


def test_who_may_see_it(web, shop):  # type: ignore[no-untyped-def]
    url = "/usaha/rajut-dewi/dasbor"
    anonymous = web.get(url)
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]
    assert web.get(url + "/penjualan.csv").status_code == 302
    other = make_business(make_user("Pemilik Lain"), "Usaha Lain")
    db.session.commit()
    web.login(other.owner)
    assert web.get(url).status_code == 403
    assert web.get(url + "/penjualan.csv").status_code == 403
    web.logout()
    web.login(shop["manager"])  # the cooperative's managers have their own dashboard
    assert web.get(url).status_code == 403
    web.logout()
    admin = make_user("Admin", is_admin=True)
    db.session.commit()
    web.login(admin)
    assert web.get(url).status_code == 200
    assert web.get("/usaha/tidak-ada/dasbor").status_code == 404


def test_query_count_does_not_grow_with_orders(web, shop):  # type: ignore[no-untyped-def]
    web.login(shop["seller"])
    url = "/usaha/rajut-dewi/dasbor"
    web.get(url)
    with counting_queries() as counter:
        assert web.get(url).status_code == 200
    before = counter["n"]
    doll = shop["products"]["doll"]
    for _ in range(3):
        _paid(make_checkout([(doll, 1)]).orders[0])
    db.session.commit()
    with counting_queries() as counter:
        assert web.get(url).status_code == 200
    assert counter["n"] == before
    assert db.session.scalar(select(Order.id).where(Order.business_id == shop["business"].id).limit(1))
