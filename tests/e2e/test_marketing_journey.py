"""Marketing, on 360 px phones with separate browsers: the manager of a cooperative in Bekasi creates an
event (an end before the start is refused first, nothing typed is lost), saves it as a draft and publishes
it; books a booth for the cooperative, chooses three of its members' products and downloads their price tags
(PDF); the public event page shows the booth and the three products. A member business's owner creates a
promo code; a buyer types it in lowercase at checkout (a wrong code is refused next to the field first), sees
the discount and the new total, and places the order by bank transfer: the order, the payment page and the
code's count agree to the rupiah."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.marketing.event_models import Booth, Event, EventStatus
from marketplace.marketing.promotion_forms import JAKARTA
from marketplace.marketing.promotion_models import PromoCode, PromoKind
from marketplace.orders import services as order_services
from marketplace.orders.models import Checkout, OrderStatus
from marketplace.payments.models import PaymentStatus
from tests.coalitions.test_documents import pdf_content
from tests.e2e.browser import fits_the_phone, log_in
from tests.factories import (
    BEKASI,
    make_bank_account,
    make_business,
    make_cooperative,
    make_membership,
    make_product,
    make_user,
)

pytestmark = pytest.mark.e2e

EVENT_TITLE = "Bazar UMKM Hari Koperasi Bekasi"
COOPERATIVE = "Koperasi UMKM Bekasi Maju"
# Three of the cooperative's four listed products go to the booth; the fourth stays home.
BOOTH_PRODUCTS = ("Keripik Tempe Sagu 250 g", "Kain Batik Tulis Motif Bambu", "Rempeyek Kacang 200 g")
LEFT_HOME = "Syal Batik Sutra"
PRICE = 24_995  # the keripik: 3 × Rp24.995 = Rp74.985; 10 % is Rp7.498,5, rounded half-up to Rp7.499
QUANTITY = 3
SUBTOTAL = PRICE * QUANTITY
DISCOUNT = 7_499
TOTAL = SUBTOTAL - DISCOUNT  # Rp67.486


# --- fixtures and steps -------------------------------------------------------------------------------------


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _submit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _field(page, label: str):  # type: ignore[no-untyped-def]
    return page.locator(".field", has=page.get_by_label(label, exact=True))


def _choose_region(page, province: str, regency: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Provinsi").select_option(province)
    # The regencies of the province arrive by fetch (static/js/gotong.js).
    page.locator(f"select[name=regency_code] option[value='{regency}']").wait_for(state="attached")
    page.get_by_label("Kabupaten/kota").select_option(regency)


def _goto(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page; another change may be restarting part of the app, so a 5xx is retried a few times."""
    for _attempt in range(5):
        response = page.goto(url)
        if response is None or response.status < 500:
            return
        page.wait_for_timeout(1_000)
    raise AssertionError(f"{url} answered {response.status}")


def _add_to_cart(page, product, quantity: int) -> None:  # type: ignore[no-untyped-def]
    _goto(page, f"/produk/{product.id}-{product.slug}")
    page.get_by_label(re.compile(r"^Jumlah \(")).fill(str(quantity))
    with page.expect_navigation():
        page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.locator(".flash").first).to_contain_text(f"{product.title} masuk keranjang.")


def _follow_to_pdf(page, link) -> bytes:  # type: ignore[no-untyped-def]
    """Tap a link to a PDF and return the file. Gotong serves it ``inline``, so Chromium opens it in its
    viewer (which takes the response body over) rather than downloading it: the tap shows what came back, and
    the bytes are fetched again with the phone's own cookies."""
    href = link.get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(href) and r.request.method == "GET") as info:
        link.click()
    response = info.value
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    again = page.request.get(href)
    assert again.status == 200 and again.headers["content-type"] == "application/pdf"
    return again.body()


def _pdf_words(data: bytes) -> str:
    """The text a PDF shows (its ``(...) Tj`` strings), lines joined by single spaces: a name the price tag
    wraps over two lines reads whole again."""
    strings = re.findall(rb"\((.*?)\) Tj", pdf_content(data))
    return " ".join(" ".join(s.decode("latin-1").split()) for s in strings)


# --- the journey --------------------------------------------------------------------------------------------


def test_event_booth_price_tags_and_a_promo_code_at_checkout(phone):  # type: ignore[no-untyped-def]
    manager = make_user("Bu Ratna Sari", email="ratna@koperasi-bekasi.id")
    cooperative = make_cooperative(manager, name=COOPERATIVE, slug="umkm-bekasi-maju", region=BEKASI)
    make_bank_account(cooperative, "BNI", "0987654321", COOPERATIVE)
    wati = make_user("Bu Wati", email="wati@keripik.id")
    snacks = make_business(wati, "Keripik Tempe Bu Wati", slug="keripik-tempe-bu-wati", region=BEKASI)
    make_bank_account(snacks, "BRI", "002101000123305", "Wati Handayani")
    batik = make_business(name="Batik Tulis Bekasi", slug="batik-tulis-bekasi", region=BEKASI)
    make_bank_account(batik, "Mandiri", "1230004567890", "Batik Tulis Bekasi")
    for business in (snacks, batik):
        make_membership(cooperative, business)
    keripik = make_product(
        snacks,
        BOOTH_PRODUCTS[0],
        cooperative=cooperative,
        slug="keripik-tempe-sagu-250-g",
        price_idr=PRICE,
        stock=40,
    )
    kain = make_product(
        batik,
        BOOTH_PRODUCTS[1],
        cooperative=cooperative,
        slug="kain-batik-tulis-motif-bambu",
        price_idr=350_000,
        stock=5,
    )
    peyek = make_product(
        snacks,
        BOOTH_PRODUCTS[2],
        cooperative=cooperative,
        slug="rempeyek-kacang-200-g",
        price_idr=18_000,
        stock=30,
    )
    syal = make_product(
        batik, LEFT_HOME, cooperative=cooperative, slug="syal-batik-sutra", price_idr=125_000, stock=4
    )
    buyer = make_user("Andi Saputra", email="andi@contoh.id", phone="+6281311112222")
    db.session.commit()
    chosen = (keripik, kain, peyek)

    today = utcnow().astimezone(JAKARTA).date()
    event_day = today + timedelta(days=14)

    # --- the manager's phone: a new event, an end before the start first ------------------------------------
    manager_phone = phone()
    log_in(manager_phone, manager.email)
    _goto(manager_phone, "/acara/baru")
    fits_the_phone(manager_phone)
    manager_phone.get_by_label("Penyelenggara").select_option(label=COOPERATIVE)
    manager_phone.get_by_label("Nama acara").fill(EVENT_TITLE)
    manager_phone.get_by_label("Tanggal mulai").fill(event_day.isoformat())
    manager_phone.get_by_label("Jam mulai").fill("09:00")
    manager_phone.get_by_label("Tanggal selesai").fill((event_day - timedelta(days=1)).isoformat())  # oops
    manager_phone.get_by_label("Jam selesai").fill("17:00")
    manager_phone.get_by_label("Tempat", exact=True).fill("Alun-alun Kota Bekasi")
    manager_phone.get_by_label("Alamat", exact=True).fill("Jl. Veteran No. 1, Margajaya, Bekasi Selatan")
    _choose_region(manager_phone, *BEKASI)
    manager_phone.get_by_label("Deskripsi").fill("Bazar produk UMKM anggota koperasi se-Kota Bekasi.")
    manager_phone.get_by_label("Jumlah booth").fill("20")
    with manager_phone.expect_navigation() as refused:
        manager_phone.get_by_role("button", name="Simpan sebagai draf").click()
    assert refused.value.status == 422
    expect(_field(manager_phone, "Tanggal selesai").locator(".error")).to_have_text(
        "Waktu selesai harus sesudah waktu mulai."
    )
    expect(manager_phone.locator(".flash-error").first).to_be_visible()
    # Nothing typed is lost.
    assert manager_phone.get_by_label("Nama acara").input_value() == EVENT_TITLE
    assert manager_phone.get_by_label("Tanggal mulai").input_value() == event_day.isoformat()
    assert manager_phone.get_by_label("Jam mulai").input_value() == "09:00"
    assert manager_phone.get_by_label("Tempat", exact=True).input_value() == "Alun-alun Kota Bekasi"
    assert manager_phone.get_by_label("Kabupaten/kota").input_value() == BEKASI[1]
    assert manager_phone.get_by_label("Jumlah booth").input_value() == "20"
    assert manager_phone.get_by_label("Deskripsi").input_value().startswith("Bazar produk UMKM")
    db.session.rollback()
    assert db.session.scalars(select(Event)).first() is None
    fits_the_phone(manager_phone)

    # --- fixed, saved as a draft, then published ------------------------------------------------------------
    manager_phone.get_by_label("Tanggal selesai").fill((event_day + timedelta(days=1)).isoformat())
    _submit(manager_phone, "Simpan sebagai draf")
    expect(manager_phone.locator(".flash-success")).to_contain_text("Acara disimpan sebagai draf.")
    match = re.search(r"/acara/([a-z0-9-]+)$", manager_phone.url)
    assert match, manager_phone.url
    slug = match.group(1)
    expect(manager_phone.locator("h1")).to_have_text(EVENT_TITLE)
    expect(manager_phone.locator("article .badge")).to_have_text("Draf")
    fits_the_phone(manager_phone)
    db.session.rollback()
    event = db.session.scalars(select(Event).where(Event.slug == slug)).one()
    assert event.status is EventStatus.DRAFT and event.cooperative_id == cooperative.id
    assert (event.province_code, event.regency_code, event.booth_capacity) == (*BEKASI, 20)
    assert event.ends_at - event.starts_at == timedelta(days=1, hours=8)  # 09.00 to 17.00 the next day

    # A draft is not public yet.
    buyer_phone = phone()
    assert buyer_phone.goto(f"/acara/{slug}").status == 404

    _submit(manager_phone, "Terbitkan")
    expect(manager_phone.locator(".flash-success")).to_contain_text("Acara diterbitkan")
    expect(manager_phone.locator("article .badge")).to_have_count(0)
    fits_the_phone(manager_phone)

    # --- the public sees it (a visitor, not signed in) ------------------------------------------------------
    _goto(buyer_phone, "/acara")
    buyer_phone.get_by_role("link", name=EVENT_TITLE).first.click()
    buyer_phone.wait_for_url(f"**/acara/{slug}")
    expect(buyer_phone.locator("h1")).to_have_text(EVENT_TITLE)
    facts = buyer_phone.locator(".event-facts").inner_text()
    assert "Alun-alun Kota Bekasi" in facts and COOPERATIVE in facts and "09.00 WIB" in facts
    expect(buyer_phone.get_by_text("Belum ada booth yang dipesan.")).to_be_visible()
    fits_the_phone(buyer_phone)

    # --- the manager books a booth and chooses three products -----------------------------------------------
    booths = manager_phone.locator(
        "section", has=manager_phone.get_by_role("heading", name="Booth koperasi Anda")
    )
    with manager_phone.expect_navigation():
        booths.get_by_role("button", name="Pesan booth").click()
    manager_phone.wait_for_url(f"**/acara/{slug}/booth/{cooperative.slug}")
    expect(manager_phone.locator(".flash-success")).to_contain_text("Booth dipesan.")
    expect(manager_phone.get_by_role("link", name="Cetak label harga produk booth")).to_have_count(0)
    fits_the_phone(manager_phone)
    boxes = manager_phone.locator("input[name=product_ids]")
    expect(boxes).to_have_count(4)  # the four listed products of the members
    for title in BOOTH_PRODUCTS:
        manager_phone.get_by_label(re.compile(rf"^{re.escape(title)} —")).check()
    _submit(manager_phone, "Simpan produk booth")
    expect(manager_phone.locator(".flash-success")).to_contain_text("Produk booth disimpan (3 produk).")
    for product in chosen:
        expect(manager_phone.locator(f"#produk-{product.id}")).to_be_checked()
    expect(manager_phone.locator(f"#produk-{syal.id}")).not_to_be_checked()
    fits_the_phone(manager_phone)
    db.session.rollback()
    booth = db.session.scalars(select(Booth).where(Booth.event_id == event.id)).one()
    assert booth.cooperative_id == cooperative.id
    assert sorted(item.product_id for item in booth.items) == sorted(p.id for p in chosen)

    # --- the price tags of the booth's products -------------------------------------------------------------
    tags_link = manager_phone.get_by_role("link", name="Cetak label harga produk booth")
    href = tags_link.get_attribute("href")
    url = urlparse(href)
    assert url.path == f"/koperasi/{cooperative.slug}/label-harga.pdf"
    assert sorted(int(i) for i in parse_qs(url.query)["produk"]) == sorted(p.id for p in chosen)
    data = _follow_to_pdf(manager_phone, tags_link)
    assert data.startswith(b"%PDF")
    text = _pdf_words(data)
    for product in chosen:  # each tag: the name (wrapped on two lines at most), the price, the seller
        assert product.title in text, (product.title, text)
        assert _rp(product.price_idr) in text, (product.price_idr, text)
    assert "Keripik Tempe Bu Wati" in text and "Batik Tulis Bekasi" in text
    assert LEFT_HOME not in text and _rp(syal.price_idr) not in text
    # The price tags are the managers' (and the owners'): a visitor gets the sign-in page, not the PDF.
    anonymous = buyer_phone.request.get(href, max_redirects=0)
    assert anonymous.status in (302, 303) and "/akun/masuk" in anonymous.headers["location"]

    # --- the public event page shows the booth and its three products ---------------------------------------
    buyer_phone.reload()
    card = buyer_phone.locator(".card", has=buyer_phone.get_by_role("heading", name=COOPERATIVE))
    expect(card.locator(".booth-products li")).to_have_count(3)
    for product in chosen:
        row = card.locator(".booth-products li", has_text=product.title)
        expect(row.locator(".price")).to_have_text(_rp(product.price_idr))
    expect(card).not_to_contain_text(LEFT_HOME)
    expect(buyer_phone.locator(".event-facts")).to_contain_text("1 dari 20 booth terisi")
    fits_the_phone(buyer_phone)

    # --- the business owner's phone: a promo code -----------------------------------------------------------
    owner_phone = phone()
    log_in(owner_phone, wati.email)
    _goto(owner_phone, f"/usaha/{snacks.slug}/promo/baru")
    fits_the_phone(owner_phone)
    assert owner_phone.get_by_label("Mulai berlaku (tanggal)").input_value() == today.isoformat()
    owner_phone.get_by_label("Kode", exact=True).fill("HEMAT10")
    owner_phone.get_by_label("Persen potongan").fill("10")
    owner_phone.get_by_label("Belanja minimal (Rp, boleh kosong)").fill("50.000")
    owner_phone.get_by_label("Berakhir (tanggal, boleh kosong)").fill(
        (today + timedelta(days=30)).isoformat()
    )
    _submit(owner_phone, "Simpan kode promo")
    owner_phone.wait_for_url(f"**/usaha/{snacks.slug}/promo")
    expect(owner_phone.locator(".flash-success")).to_contain_text("Kode promo HEMAT10 disimpan.")
    item = owner_phone.locator(".promo-item[data-code=HEMAT10]")
    expect(item).to_contain_text("Potongan 10%")
    expect(item).to_contain_text("belanja minimal Rp50.000")
    expect(item.get_by_test_id("promo-uses")).to_contain_text("Dipakai 0 kali")
    fits_the_phone(owner_phone)
    db.session.rollback()
    promo = db.session.scalars(select(PromoCode).where(PromoCode.code == "HEMAT10")).one()
    assert (promo.business_id, promo.kind, promo.percent_bp, promo.min_spend_idr) == (
        snacks.id,
        PromoKind.PERCENT,
        1000,
        50_000,
    )
    assert promo.all_products and promo.redeemed_count == 0

    # --- the buyer's phone: a wrong code first, then the right one, in lowercase ----------------------------
    log_in(buyer_phone, buyer.email)
    _add_to_cart(buyer_phone, keripik, QUANTITY)
    _goto(buyer_phone, "/keranjang/pesan")
    expect(buyer_phone.get_by_test_id("checkout-total")).to_have_text(_rp(SUBTOTAL))
    fits_the_phone(buyer_phone)
    promo_field = buyer_phone.locator(".promo-field")
    buyer_phone.get_by_label("Kode promo").fill("hemat01")
    with buyer_phone.expect_navigation() as refused:
        promo_field.get_by_role("button", name="Pakai").click()
    assert refused.value.status == 422
    expect(promo_field.locator(".error")).to_have_text(
        "Kode promo HEMAT01 tidak dikenal. Periksa lagi penulisannya."
    )
    assert buyer_phone.get_by_label("Kode promo").input_value() == "hemat01"  # kept as typed
    assert buyer_phone.get_by_label("Kode promo").get_attribute("aria-invalid") == "true"
    expect(buyer_phone.get_by_test_id("checkout-discount")).to_have_count(0)
    expect(buyer_phone.get_by_test_id("checkout-total")).to_have_text(_rp(SUBTOTAL))
    fits_the_phone(buyer_phone)

    buyer_phone.get_by_label("Kode promo").fill("hemat10")
    with buyer_phone.expect_navigation() as applied:
        promo_field.get_by_role("button", name="Pakai").click()
    assert applied.value.status == 200
    expect(promo_field.locator(".error")).to_have_count(0)
    expect(promo_field.locator(".hint")).to_have_text(f"Kode HEMAT10 dipakai: hemat {_rp(DISCOUNT)}.")
    expect(buyer_phone.get_by_test_id("checkout-discount")).to_have_text(f"−{_rp(DISCOUNT)}")
    expect(buyer_phone.get_by_test_id("checkout-total")).to_have_text(_rp(TOTAL))
    expect(buyer_phone.get_by_test_id("order-discount")).to_contain_text(f"−{_rp(DISCOUNT)}")
    assert buyer_phone.get_by_label("Kode promo").input_value() == "hemat10"
    fits_the_phone(buyer_phone)
    db.session.rollback()
    assert db.session.get(PromoCode, promo.id).redeemed_count == 0  # only quoted, not used yet

    # --- the order, by bank transfer ------------------------------------------------------------------------
    assert buyer_phone.get_by_label("Nama penerima").input_value() == "Andi Saputra"  # from the account
    buyer_phone.get_by_label("Dikirim ke alamat").check()
    buyer_phone.get_by_label("Alamat pengiriman").fill("Jl. Melati No. 5, RT 02/RW 03, Tambun")
    _choose_region(buyer_phone, *BEKASI)
    buyer_phone.get_by_label("Kode pos").fill("17510")
    buyer_phone.get_by_label("Transfer bank").check()
    fits_the_phone(buyer_phone)
    buyer_phone.get_by_role("button", name=f"Pesan sekarang · {_rp(TOTAL)}").click()
    buyer_phone.wait_for_url("**/bayar/*")
    reference = re.search(r"/bayar/([A-Z0-9-]+)", buyer_phone.url).group(1)
    row = buyer_phone.locator(".order-row")
    expect(row).to_have_count(1)
    expect(row.locator("strong")).to_have_text(_rp(TOTAL))
    expect(buyer_phone.locator(".card .price").first).to_have_text(_rp(TOTAL))
    expect(row.locator(".badge")).to_have_text("Menunggu pembayaran")
    fits_the_phone(buyer_phone)

    db.session.rollback()
    checkout = db.session.scalars(select(Checkout).where(Checkout.reference == reference)).one()
    (order,) = checkout.orders
    assert (order.business_id, order.buyer_id, order.status) == (
        snacks.id,
        buyer.id,
        OrderStatus.PENDING_PAYMENT,
    )
    assert (order.subtotal_idr, order.discount_idr, order.total_idr) == (SUBTOTAL, DISCOUNT, TOTAL)
    assert checkout.total_idr == TOTAL and checkout.promo_code_id == promo.id
    assert checkout.payment_method == "bank_transfer"
    payment = order_services.current_payment(order)
    assert payment.status is PaymentStatus.PENDING and payment.amount_idr == TOTAL
    assert db.session.get(PromoCode, promo.id).redeemed_count == 1

    box = buyer_phone.locator(f"#transfer-{order.number}")
    transfer = box.locator(".transfer-facts").inner_text()
    assert _rp(TOTAL) in transfer and _rp(SUBTOTAL) not in transfer

    # The order page says the same.
    row.locator("a.order-number").click()
    buyer_phone.wait_for_url(f"**/pesanan/{order.number}")
    expect(buyer_phone.get_by_test_id("order-discount")).to_have_text(
        f"Potongan promo HEMAT10: −{_rp(DISCOUNT)}"
    )
    assert _rp(TOTAL) in buyer_phone.locator("main").inner_text()
    fits_the_phone(buyer_phone)

    # The owner's list counts the use.
    owner_phone.reload()
    uses = owner_phone.locator(".promo-item[data-code=HEMAT10]").get_by_test_id("promo-uses")
    expect(uses).to_contain_text("Dipakai 1 kali")
    expect(uses).to_contain_text(f"total potongan {_rp(DISCOUNT)}")
