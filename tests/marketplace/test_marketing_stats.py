"""Product and storefront statistics: counted server-side once per real visit (not bots, HEAD or the owner),
the WhatsApp button through a counting redirect, sales online and offline in rupiah, who may read them, and
an upsert that loses no update under concurrency."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import event, func, select

from marketplace.database import write_unit
from marketplace.extensions import db
from marketplace.marketing import offline, stats
from marketplace.marketing.stats_models import STOREFRONT, CountKind, DailyCount
from marketplace.orders import services as order_services
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

BROWSER = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
BOTS = [
    "",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 "
    "Safari/537.36",
]
PEOPLE = [
    BROWSER,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; RMX3363 Build/SP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/118.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/437.0.0.35.117;]",
]


@pytest.fixture
def seller():
    return make_user("Dewi Lestari")


@pytest.fixture
def shop(seller):
    return make_business(seller, "Rajut Dewi", slug="rajut-dewi", whatsapp="+6281234567890")


@pytest.fixture
def doll(shop):
    product = make_product(shop, "Boneka Beruang Rajut", price_idr=85_000, stock=20)
    db.session.commit()
    return product


def counted(business, product_id=None, kind=CountKind.VIEW) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.coalesce(func.sum(DailyCount.count), 0)).where(
            DailyCount.business_id == business.id,
            DailyCount.product_id == (product_id or STOREFRONT),
            DailyCount.kind == kind,
        )
    )


def product_url(product) -> str:  # type: ignore[no-untyped-def]
    return f"/produk/{product.id}-{product.slug}"


# --- who is a bot -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ua", BOTS)
def test_bots_and_preview_fetchers_are_bots(ua):
    assert stats.is_bot(ua)


@pytest.mark.parametrize("ua", PEOPLE)
def test_browsers_are_people(ua):
    assert not stats.is_bot(ua)


# --- counting ---------------------------------------------------------------------------------------------


def test_a_product_page_view_counts_once_per_request(client, shop, doll):
    for _ in range(3):
        assert client.get(product_url(doll), headers={"User-Agent": BROWSER}).status_code == 200
    assert counted(shop, doll.id) == 3
    row = db.session.scalars(select(DailyCount)).one()
    assert (row.day, row.kind, row.count) == (offline.today(), CountKind.VIEW, 3)


@pytest.mark.parametrize("ua", BOTS)
def test_bots_are_not_counted(client, shop, doll, ua):
    assert client.get(product_url(doll), headers={"User-Agent": ua}).status_code == 200
    assert client.get("/usaha/rajut-dewi", headers={"User-Agent": ua}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(DailyCount)) == 0


def test_head_and_prefetch_are_not_counted(client, shop, doll):
    assert client.head(product_url(doll), headers={"User-Agent": BROWSER}).status_code == 200
    headers = {"User-Agent": BROWSER, "Sec-Purpose": "prefetch"}
    assert client.get(product_url(doll), headers=headers).status_code == 200
    assert counted(shop, doll.id) == 0


def test_the_owner_viewing_their_own_listing_is_not_counted(web, seller, shop, doll):
    web.login(seller)
    assert web.get(product_url(doll), headers={"User-Agent": BROWSER}).status_code == 200
    assert web.get("/usaha/rajut-dewi", headers={"User-Agent": BROWSER}).status_code == 200
    assert counted(shop, doll.id) == 0 and counted(shop) == 0
    web.logout()
    web.login(make_user("Pembeli"))
    assert web.get(product_url(doll), headers={"User-Agent": BROWSER}).status_code == 200
    assert counted(shop, doll.id) == 1


def test_storefront_views_count_on_the_storefront_row(client, shop, doll):
    for _ in range(2):
        assert client.get("/usaha/rajut-dewi", headers={"User-Agent": BROWSER}).status_code == 200
    assert counted(shop, kind=CountKind.STORE_VIEW) == 2
    assert counted(shop, doll.id) == 0


def test_whatsapp_button_goes_through_the_counting_redirect(client, shop, doll):
    page = html(client.get(product_url(doll), headers={"User-Agent": BROWSER}))
    link = re.search(r'<a class="button whatsapp" href="([^"]+)"[^>]*data-order-template="([^"]+)"', page)
    assert link, "no Pesan via WhatsApp button"
    assert link.group(1) == f"/wa/produk/{doll.id}?jumlah=1"
    assert link.group(2) == f"/wa/produk/{doll.id}?jumlah=__JUMLAH__"  # share.js fills in the quantity

    response = client.get(f"/wa/produk/{doll.id}?jumlah=3", headers={"User-Agent": BROWSER})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "wa.me", "/6281234567890")
    text = parse_qs(target.query)["text"][0]
    assert "Boneka Beruang Rajut" in text and "Jumlah: 3" in text and product_url(doll) in unquote(text)
    assert response.headers["Cache-Control"] == "no-store"
    assert counted(shop, doll.id, CountKind.WA_CLICK) == 1
    # A nonsense quantity falls back to the minimum order; a bot following the link is not counted.
    response = client.get(f"/wa/produk/{doll.id}?jumlah=abc", headers={"User-Agent": "Googlebot/2.1"})
    assert "Jumlah: 1" in parse_qs(urlsplit(response.headers["Location"]).query)["text"][0]
    assert counted(shop, doll.id, CountKind.WA_CLICK) == 1
    assert client.get("/wa/produk/999999", headers={"User-Agent": BROWSER}).status_code == 404


def test_add_to_cart_counts(web, shop, doll):
    headers = {"User-Agent": BROWSER}
    response = web.post("/keranjang", {"product_id": doll.id, "quantity": 2, "mode": "add"}, headers=headers)
    assert response.status_code == 302
    assert counted(shop, doll.id, CountKind.ADD_TO_CART) == 1
    # Refused (more than the stock): not counted.
    web.post("/keranjang", {"product_id": doll.id, "quantity": 500, "mode": "add"}, headers=headers)
    assert counted(shop, doll.id, CountKind.ADD_TO_CART) == 1
    # A signed-in buyer's cart (saved in the database, committed by the view) counts too.
    web.login(make_user("Pembeli"))
    web.post("/keranjang", {"product_id": doll.id, "quantity": 1, "mode": "add"}, headers=headers)
    assert counted(shop, doll.id, CountKind.ADD_TO_CART) == 2


def test_a_failing_count_never_breaks_the_page(client, shop, doll, monkeypatch):
    def broken(*_a, **_kw):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(stats, "record", broken)
    assert client.get(product_url(doll), headers={"User-Agent": BROWSER}).status_code == 200
    assert counted(shop, doll.id) == 0


def _statements(client, url, ua):  # type: ignore[no-untyped-def]
    """The statements a page runs, transaction control (BEGIN, SAVEPOINT, ...) left out."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", statement, re.I):
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(url, headers={"User-Agent": ua}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_counting_adds_one_upsert_to_the_product_page_after_rendering(client, shop, doll):
    client.get(product_url(doll), headers={"User-Agent": BROWSER})  # warm up
    # The same page for a bot (not counted) and for a person (counted): one more statement, the upsert.
    bot = _statements(client, product_url(doll), "Googlebot/2.1")
    person = _statements(client, product_url(doll), BROWSER)
    assert len(person) == len(bot) + 1
    writes = [s for s in person if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0].upper()
    # It runs once the page is rendered: the last statement of the request.
    assert person[-1] == writes[0]
    assert counted(shop, doll.id) == 2


# --- sales in the statistics ------------------------------------------------------------------------------


def test_offline_and_paid_online_sales_show_separately_with_the_right_rupiah(seller, shop, doll):
    make_bank_account(shop)
    chips = make_product(shop, "Keripik Tempe", slug="keripik", price_idr=25_000, stock=50)
    paid = make_checkout([(doll, 2), (chips, 4)]).orders[0]
    order_services.payment_received(order_services.current_payment(paid))
    make_checkout([(doll, 1)])  # waiting for payment: not a sale
    offline.record_sale(
        seller, shop, offline.SaleData(product_id=doll.id, quantity=3, unit_price_idr=80_000, method="qris")
    )
    mistake = offline.record_sale(seller, shop, offline.SaleData(product_id=chips.id, quantity=5))
    offline.void_sale(seller, mistake, "salah produk")
    other = make_business()
    offline.record_sale(
        other.owner, other, offline.SaleData(product_id=make_product(other, slug="x").id, quantity=1)
    )
    stats.record(CountKind.VIEW, shop.id, doll.id, n=7)
    db.session.commit()

    start, end = stats.period(7)
    result = stats.business_stats(shop, start, end)
    today = result.days[-1]
    assert today.day == offline.today()
    assert (today.orders_online, today.revenue_online_idr) == (1, 2 * 85_000 + 4 * 25_000)
    assert (today.orders_offline, today.revenue_offline_idr) == (1, 240_000)
    assert result.totals.revenue_idr == 270_000 + 240_000
    # The same numbers as the sales report.
    summary = offline.sales_summary(shop, start, end)
    assert (result.totals.revenue_online_idr, result.totals.revenue_offline_idr) == (
        summary.online_revenue_idr,
        summary.offline_revenue_idr,
    )
    top = {row.product_id: row for row in result.products}
    assert (top[doll.id].revenue_online_idr, top[doll.id].revenue_offline_idr) == (170_000, 240_000)
    assert (top[doll.id].orders_online, top[doll.id].orders_offline, top[doll.id].views) == (1, 1, 7)
    assert (top[chips.id].revenue_online_idr, top[chips.id].revenue_offline_idr) == (100_000, 0)
    assert result.products[0].product_id == doll.id  # ordered by revenue

    one = stats.product_stats(doll, start, end)
    assert (one.totals.views, one.totals.revenue_online_idr, one.totals.revenue_offline_idr) == (
        7,
        170_000,
        240_000,
    )
    assert one.series("views") == [0] * 6 + [7]


# --- the pages --------------------------------------------------------------------------------------------


def test_stats_pages_are_for_the_owner_managers_and_admins(web, seller, shop, doll):
    url = "/usaha/rajut-dewi/statistik"
    assert web.get(url).status_code == 302  # sign in first
    stranger = make_user("Orang Lain")
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair, slug="koperasi-rajut")
    make_membership(cooperative, shop)
    other_chair = make_user("Ketua Lain")
    make_cooperative(other_chair, slug="koperasi-lain")
    admin = make_user("Admin", is_admin=True)
    db.session.commit()
    for user, business_page, cooperative_page in (
        (stranger, 403, 403),
        (other_chair, 403, 403),
        (seller, 200, 403),
        (chair, 200, 200),
        (admin, 200, 200),
    ):
        web.login(user)
        assert web.get(url).status_code == business_page, user.name
        assert web.get("/koperasi/koperasi-rajut/statistik").status_code == cooperative_page, user.name
        web.logout()


def _cell(page: str, series: str) -> str:
    match = re.search(rf'<table class="stats-totals">.*?data-series="{series}">([^<]+)<', page, re.S)
    assert match, series
    return match.group(1)


def test_the_stats_page_shows_the_numbers_in_its_tables(client, web, seller, shop, doll):
    make_bank_account(shop)
    headers = {"User-Agent": BROWSER}
    for _ in range(4):
        client.get(product_url(doll), headers=headers)
    client.get(f"/wa/produk/{doll.id}?jumlah=2", headers=headers)
    client.get("/usaha/rajut-dewi", headers=headers)
    paid = make_checkout([(doll, 2)]).orders[0]
    order_services.payment_received(order_services.current_payment(paid))
    offline.record_sale(seller, shop, offline.SaleData(product_id=doll.id, quantity=1, unit_price_idr=80_000))
    db.session.commit()

    web.login(seller)
    for days in (7, 30, 90):
        response = web.get(f"/usaha/rajut-dewi/statistik?hari={days}")
        assert response.status_code == 200
        page = html(response)
        assert page.count("<svg") >= 8 and page.count('<tr data-day="') == days
    assert (
        _cell(page, "views") == "4" and _cell(page, "wa_clicks") == "1" and _cell(page, "store_views") == "1"
    )
    assert _cell(page, "orders_online") == "1" and _cell(page, "orders_offline") == "1"
    assert _cell(page, "revenue_online_idr") == "Rp170.000"
    assert _cell(page, "revenue_offline_idr") == "Rp80.000"
    assert _cell(page, "revenue_idr") == "Rp250.000"
    today_row = re.search(rf'<tr data-day="{offline.today().isoformat()}">(.*?)</tr>', page, re.S).group(1)
    assert (
        'data-series="views">4<' in today_row and 'data-series="revenue_offline_idr">Rp80.000<' in today_row
    )
    product_row = re.search(rf'<tr data-product="{doll.id}">(.*?)</tr>', page, re.S).group(1)
    assert [c.strip() for c in re.findall(r"<td>(?:<a[^>]*>)?([^<]*)", product_row)] == [
        "Boneka Beruang Rajut",
        "4",
        "1",
        "0",
        "1",
        "1",
        "Rp170.000",
        "Rp80.000",
    ]
    # An unknown period falls back to 30 days.
    assert html(web.get("/usaha/rajut-dewi/statistik?hari=5")).count('<tr data-day="') == 30


def test_the_cooperative_page_lists_its_members_products(web, shop, doll):
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair, slug="koperasi-rajut")
    make_membership(cooperative, shop)
    doll.cooperative = cooperative
    elsewhere = make_product(shop, "Tas Rajut", slug="tas")  # not listed under the cooperative
    stats.record(CountKind.VIEW, shop.id, doll.id, n=5)
    stats.record(CountKind.VIEW, shop.id, elsewhere.id, n=9)
    stats.record(CountKind.STORE_VIEW, shop.id, n=3)
    db.session.commit()
    start, end = stats.period(30)
    result = stats.cooperative_stats(cooperative, start, end)
    assert result.totals.views == 5 and result.totals.store_views == 0
    assert [r.product_id for r in result.products] == [doll.id]
    web.login(chair)
    page = html(web.get("/koperasi/koperasi-rajut/statistik?hari=7"))
    assert _cell(page, "views") == "5" and "Tas Rajut" not in page


# --- concurrency ------------------------------------------------------------------------------------------


@pytest.mark.committing
def test_concurrent_counts_lose_no_update(app):
    shop = make_business()
    product = make_product(shop)
    db.session.commit()
    shop_id, product_id = shop.id, product.id
    workers = 10
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def bump() -> None:
        with app.app_context(), write_unit():
            try:
                barrier.wait()
                stats.record(CountKind.VIEW, shop_id, product_id)
                db.session.commit()
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=bump) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    db.session.rollback()  # end this test's read transaction: see what the threads committed
    rows = db.session.execute(
        select(DailyCount.count).where(DailyCount.business_id == shop_id, DailyCount.product_id == product_id)
    ).all()
    assert rows == [(workers,)]
