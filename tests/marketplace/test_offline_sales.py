"""Offline sales: recorded by the seller, taken from the same stock as online orders, voided with the stock
given back, and counted as "offline" in the sales summary."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.clock import utcnow
from marketplace.database import write_unit
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing import events, offline
from marketplace.marketing.event_models import EventKind, OfflineSale, PaymentMethod
from marketplace.orders import services as order_services
from marketplace.orders.models import DeliveryMethod, Order, OrderLine
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_cooperative,
    make_membership,
    make_product,
    make_user,
)


@pytest.fixture
def seller():
    return make_user("Dewi Lestari")


@pytest.fixture
def shop(seller):
    return make_business(seller, "Rajut Dewi", slug="rajut-dewi")


@pytest.fixture
def doll(shop):
    return make_product(shop, "Boneka Beruang Rajut", price_idr=85_000, stock=10)


def record(seller, shop, product, quantity, **kw):  # type: ignore[no-untyped-def]
    return offline.record_sale(seller, shop, offline.SaleData(product_id=product.id, quantity=quantity, **kw))


def stock_of(product) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


# --- the service ------------------------------------------------------------------------------------------


def test_offline_sale_decrements_stock_exactly_and_keeps_the_price(seller, shop, doll):
    sale = record(seller, shop, doll, 3, method="qris")
    assert stock_of(doll) == 7 and doll.stock == 7
    assert (sale.quantity, sale.unit_price_idr, sale.total_idr, sale.reserved_qty) == (3, 85_000, 255_000, 3)
    assert sale.method is PaymentMethod.QRIS and sale.recorded_by_id == seller.id
    cheaper = record(seller, shop, doll, 2, unit_price_idr=80_000)
    assert cheaper.total_idr == 160_000 and cheaper.method is PaymentMethod.CASH
    assert stock_of(doll) == 5
    free = record(seller, shop, doll, 1, unit_price_idr=0)
    assert free.total_idr == 0 and stock_of(doll) == 4


def test_short_stock_is_refused_with_a_clear_message(seller, shop, doll):
    with pytest.raises(DomainError) as refused:
        record(seller, shop, doll, 11)
    assert refused.value.field == "quantity"
    assert "Stok \u201cBoneka Beruang Rajut\u201d tidak cukup: tersisa 10 pcs." == refused.value.message
    assert stock_of(doll) == 10
    assert db.session.scalar(select(func.count()).select_from(OfflineSale)) == 0


def test_preorder_is_sold_beyond_stock_and_takes_nothing(seller, shop):
    cake = make_product(shop, "Kue Lapis Pesanan", slug="kue", stock=0, preorder=True, price_idr=150_000)
    sale = record(seller, shop, cake, 4)
    assert sale.reserved_qty == 0 and sale.total_idr == 600_000
    assert stock_of(cake) == 0


def test_bad_input_is_refused(seller, shop, doll):
    other = make_product(make_business(), "Produk Orang Lain", slug="lain")
    for kwargs, field in (
        ({"product": other, "quantity": 1}, "product_id"),
        ({"product": doll, "quantity": 0}, "quantity"),
        ({"product": doll, "quantity": 1, "unit_price_idr": -1}, "unit_price_idr"),
        ({"product": doll, "quantity": 1, "method": "kartu"}, "method"),
        ({"product": doll, "quantity": 1, "event_id": 999_999}, "event_id"),
    ):
        product = kwargs.pop("product")
        with pytest.raises(DomainError) as refused:
            record(seller, shop, product, **kwargs)
        assert refused.value.field == field
    assert stock_of(doll) == 10


def test_void_returns_the_stock_once_and_stops_counting(seller, shop, doll):
    sale = record(seller, shop, doll, 4)
    assert stock_of(doll) == 6
    with pytest.raises(DomainError):
        offline.void_sale(seller, sale, "  ")
    offline.void_sale(seller, sale, "Salah ketik jumlah")
    assert stock_of(doll) == 10
    assert sale.is_voided and sale.void_reason == "Salah ketik jumlah" and sale.voided_by_id == seller.id
    with pytest.raises(DomainError, match="sudah dibatalkan"):
        offline.void_sale(seller, sale, "lagi")
    assert stock_of(doll) == 10
    today = offline.today()
    assert offline.sales_summary(shop, today, today + timedelta(days=1)).rows == []


def test_only_the_owner_records_and_voids(seller, shop, doll):
    stranger = make_user("Orang Lain")
    with pytest.raises(PermissionDenied):
        record(stranger, shop, doll, 1)
    sale = record(seller, shop, doll, 1)
    with pytest.raises(PermissionDenied):
        offline.void_sale(stranger, sale, "iseng")
    assert stock_of(doll) == 9


def test_sale_at_an_event_where_the_cooperative_has_a_booth(seller, shop, doll):
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager)
    make_membership(cooperative, shop)
    start = utcnow() + timedelta(hours=1)
    event = events.create_event(
        manager,
        events.EventData(
            "Bazar Hari Koperasi",
            EventKind.BAZAAR,
            start,
            start + timedelta(hours=8),
            "Alun-alun",
            "Jl. A",
            "32",
            "32.16",
        ),
        cooperative=cooperative,
    )
    events.publish_event(manager, event)
    with pytest.raises(DomainError) as refused:
        record(seller, shop, doll, 1, event_id=event.id)  # no booth yet
    assert refused.value.field == "event_id"
    events.book_booth(manager, event, cooperative)
    assert offline.sale_events(shop) == [event]
    sale = record(seller, shop, doll, 2, event_id=event.id)
    assert sale.event_id == event.id


# --- the summary reports read ----------------------------------------------------------------------------


def test_sales_summary_splits_online_and_offline_with_the_right_rupiah(seller, shop, doll):
    make_bank_account(shop)
    chips = make_product(shop, "Keripik Tempe", slug="keripik", price_idr=25_000, stock=50)
    # Online: a paid order (2 dolls + 4 chips), a cash order packed unpaid (1 doll) — both sold; an order
    # waiting for payment and a cancelled one are not sales.
    paid = make_checkout([(doll, 2), (chips, 4)]).orders[0]
    order_services.payment_received(order_services.current_payment(paid))
    packed = make_checkout([(doll, 1)], payment_method="cash", delivery="pickup").orders[0]
    order_services.transition(packed, order_services.O.PACKED)
    make_checkout([(doll, 1)])  # pending payment
    cancelled = make_checkout([(chips, 3)]).orders[0]
    order_services.transition(cancelled, order_services.O.CANCELLED)
    # Offline: 3 dolls at a bazaar price, and a voided mistake.
    record(seller, shop, doll, 3, unit_price_idr=80_000, method="qris")
    mistake = record(seller, shop, chips, 10)
    offline.void_sale(seller, mistake, "salah produk")
    # Another seller's sales never show here.
    other = make_business()
    record(other.owner, other, make_product(other, slug="x", stock=5), 1)

    today = offline.today()
    summary = offline.sales_summary(shop, today, today + timedelta(days=1))
    dolls, tempe = summary.row(doll.id), summary.row(chips.id)
    assert (dolls.online_units, dolls.online_revenue_idr) == (3, 255_000)
    assert (dolls.offline_units, dolls.offline_revenue_idr) == (3, 240_000)
    assert (dolls.units, dolls.revenue_idr) == (6, 495_000)
    assert (tempe.online_units, tempe.online_revenue_idr, tempe.offline_units) == (4, 100_000, 0)
    assert len(summary.rows) == 2
    assert summary.offline_revenue_idr == 240_000 and summary.online_revenue_idr == 355_000
    assert summary.revenue_idr == 595_000 and summary.units == 10
    # A window before today holds nothing.
    assert offline.sales_summary(shop, today - timedelta(days=3), today).rows == []
    assert stock_of(doll) == 10 - 2 - 1 - 1 - 3


# --- the page ---------------------------------------------------------------------------------------------


def test_page_records_a_sale_lists_the_day_and_voids(web, seller, shop, doll):
    web.login(seller)
    url = f"/usaha/{shop.slug}/jual-langsung"
    page = html(web.get(url))
    assert "Catat penjualan langsung" in page and "Boneka Beruang Rajut" in page and "stok 10 pcs" in page
    response = web.post(url, {"product_id": doll.id, "quantity": "2", "unit_price_idr": "", "method": "cash"})
    assert response.status_code == 302
    assert stock_of(doll) == 8
    page = html(web.get(url))
    assert "Total: Rp170.000" in page and "Tunai Rp170.000" in page
    sale = db.session.scalars(select(OfflineSale)).one()
    response = web.post(f"{url}/{sale.id}/batal", {"reason": "salah ketik"})
    assert response.status_code == 302
    assert stock_of(doll) == 10
    assert "Total: Rp0" in html(web.get(url))


def test_page_keeps_the_input_on_an_error(web, seller, shop, doll):
    web.login(seller)
    url = f"/usaha/{shop.slug}/jual-langsung"
    response = web.post(
        url, {"product_id": doll.id, "quantity": "12", "unit_price_idr": "70.000", "method": "qris"}
    )
    assert response.status_code == 422
    page = html(response)
    assert "tidak cukup: tersisa 10 pcs" in page
    assert 'value="12"' in page and 'value="70.000"' in page
    assert stock_of(doll) == 10


def test_page_is_for_the_owner_only_and_needs_csrf(web, client, seller, shop, doll):
    url = f"/usaha/{shop.slug}/jual-langsung"
    assert client.get(url).status_code == 302  # to the login page
    web.login(make_user("Orang Lain"))
    assert web.get(url).status_code == 403
    assert web.post(url, {"product_id": doll.id, "quantity": "1", "method": "cash"}).status_code == 403
    web.logout()
    web.login(seller)
    response = web.post(url, {"product_id": doll.id, "quantity": "1", "method": "cash"}, csrf=False)
    assert response.status_code == 400
    assert stock_of(doll) == 10


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.committing
@pytest.mark.parametrize(("stock", "buyers"), [(3, 8), (1, 6)])
def test_offline_sales_and_online_checkouts_never_oversell(app, stock, buyers):
    owner = make_user("Penjual Bazar")
    shop = make_business(owner)
    product = make_product(shop, stock=stock)
    db.session.commit()
    product_id, shop_id, owner_id = product.id, shop.id, owner.id
    with app.app_context():
        digest = order_services.build_cart({product_id: 1}).digest()
    barrier = threading.Barrier(buyers + buyers)
    outcomes: list[tuple[str, bool, str]] = []
    lock = threading.Lock()

    def online(n: int) -> None:
        with app.app_context(), write_unit():
            data = order_services.CheckoutData(
                f"Pembeli {n}", f"b{n}@contoh.id", "+6281200000000", DeliveryMethod.PICKUP, "cash"
            )
            barrier.wait()
            try:
                order_services.place_order(None, {product_id: 1}, data, digest)
                db.session.commit()
                result = (True, "")
            except DomainError as error:
                db.session.rollback()
                result = (False, error.message)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(("online", *result))

    def at_bazaar(n: int) -> None:
        from marketplace.accounts.models import User
        from marketplace.cooperatives.models import Business

        with app.app_context(), write_unit():
            seller, business = db.session.get(User, owner_id), db.session.get(Business, shop_id)
            barrier.wait()
            try:
                offline.record_sale(seller, business, offline.SaleData(product_id=product_id, quantity=1))
                db.session.commit()
                result = (True, "")
            except DomainError as error:
                db.session.rollback()
                result = (False, error.message)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(("offline", *result))

    threads = [threading.Thread(target=online, args=(n,)) for n in range(buyers)]
    threads += [threading.Thread(target=at_bazaar, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(outcomes) == 2 * buyers
    sold = [o for o in outcomes if o[1]]
    assert len(sold) == stock
    # Refusals are about the stock: "tidak cukup" (the conditional UPDATE refused), or for a buyer whose cart
    # was read after the last unit went, "Stok tinggal" / "tidak dijual" (stock 0 takes it off sale).
    refusals = [message for _, ok, message in outcomes if not ok]
    stock_words = ("tidak cukup", "Stok tinggal", "berubah", "tidak dijual")
    assert all(any(w in message for w in stock_words) for message in refusals), refusals
    db.session.expire_all()
    assert db.session.get(Product, product_id).stock == 0
    online_units = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.reserved_qty), 0)).where(OrderLine.product_id == product_id)
    )
    offline_units = db.session.scalar(
        select(func.coalesce(func.sum(OfflineSale.reserved_qty), 0)).where(
            OfflineSale.product_id == product_id
        )
    )
    assert online_units + offline_units == stock
    assert db.session.scalar(select(func.count()).select_from(Order)) == online_units
