"""Buying, on a 360 px phone with the pages' own JavaScript: a guest fills a cart from two sellers, checks out
and pays by card (a declined card first, then a good one) against localstripe, whose signed webhook marks the
orders paid; a signed-in buyer pays a seller by bank transfer with a proof, the seller confirms it, packs and
ships, and the buyer sees the tracking number."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders import services as order_services
from marketplace.orders.models import Checkout, Order, OrderStatus
from marketplace.payments.models import Payment, PaymentStatus, WebhookEvent
from tests.e2e.browser import fits_the_phone, log_in, log_out
from tests.factories import (
    BEKASI,
    SOLOK_SELATAN,
    make_bank_account,
    make_business,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_product,
    make_user,
)
from tests.localstripe import wait_for

pytestmark = pytest.mark.e2e

GOOD_CARD = "4242424242424242"
# localstripe declines 4000000000000002 only when the card is attached to a customer, which Gotong never
# does; 4000000000000341 is the card it declines when charged (a real "card_declined"), as Stripe would.
DECLINED_CARD = "4000000000000341"
PAYMENT_WAIT_MS = 30_000  # the webhook comes ~1 s after the payment; the page polls every second


# --- fixtures and steps -------------------------------------------------------------------------------------


def _product_url(product: Product) -> str:
    return f"/produk/{product.id}-{product.slug}"


def _add_to_cart(page, product: Product, quantity: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(_product_url(product))
    page.get_by_label(re.compile(r"^Jumlah \(")).fill(str(quantity))
    with page.expect_navigation():
        page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.locator(".flash").first).to_contain_text(f"{product.title} masuk keranjang.")


def _cart_count(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("header .cart-link .cart-count").inner_text().strip()


def _fill_delivery(page, province: str, regency: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Dikirim ke alamat").check()
    page.get_by_label("Alamat pengiriman").fill("Jl. Melati No. 5, RT 02/RW 03, Tambun")
    page.get_by_label("Provinsi").select_option(province)
    # The regencies of the province arrive by fetch (static/js/gotong.js).
    page.locator(f"select[name=regency_code] option[value='{regency}']").wait_for(state="attached")
    page.get_by_label("Kabupaten/kota").select_option(regency)
    page.get_by_label("Kode pos").fill("17510")


def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """localstripe's stand-in for Stripe.js renders plain inputs named by their placeholders."""
    box = page.locator("#card-element")
    box.locator("input[placeholder=number]").fill(number)
    box.locator("input[placeholder=exp_month]").fill("12")
    box.locator("input[placeholder=exp_year]").fill("30")
    box.locator("input[placeholder=cvc]").fill("123")
    box.locator("input[placeholder=postal_code]").fill("17112")


def _checkout(reference: str) -> Checkout:
    return db.session.scalars(select(Checkout).where(Checkout.reference == reference)).one()


def _reference_from(url: str) -> str:
    match = re.search(r"/bayar/([A-Z0-9-]+)", url)
    assert match, url
    return match.group(1)


# --- journeys -----------------------------------------------------------------------------------------------


def test_guest_fills_a_cart_from_two_sellers_and_pays_by_card(page, stripe_webhooks):
    manager = make_user("Pak Hendra", email="ketua@tambun.id")
    cooperative = make_cooperative(manager, name="Koperasi Perajin Tambun", slug="perajin-tambun")
    dolls = make_business(name="Boneka Ceria Tambun", slug="boneka-ceria", region=BEKASI)
    make_membership(cooperative, dolls)
    teddy = make_product(
        dolls,
        "Boneka Teddy Rajut",
        cooperative=cooperative,
        slug="boneka-teddy-rajut",
        price_idr=85_000,
        stock=10,
    )
    # The second seller belongs to no cooperative, far from the first.
    coffee = make_business(name="Kopi Solok Radjo", slug="kopi-solok-radjo", region=SOLOK_SELATAN)
    beans = make_product(
        coffee, "Kopi Arabika Solok 250 g", slug="kopi-arabika-solok-250-g", price_idr=60_000, stock=5
    )
    db.session.commit()

    # --- the cart -------------------------------------------------------------------------------------------
    _add_to_cart(page, teddy, 2)
    _add_to_cart(page, beans, 1)
    assert _cart_count(page) == "3"
    page.locator("header .cart-link").click()
    page.wait_for_url("**/keranjang")
    line = page.locator(f"#keranjang-{teddy.id}")
    assert "Rp170.000" in line.locator(".cart-line-total").inner_text()
    assert page.locator(".cart-seller").count() == 2  # one box per seller
    assert "Rp230.000" in page.locator(".cart-total").inner_text()
    fits_the_phone(page)
    line.get_by_label("Jumlah Boneka Teddy Rajut").fill("3")
    line.get_by_role("button", name="Ubah").click()
    expect(page.locator(f"#keranjang-{teddy.id} .cart-line-total")).to_have_text("Rp255.000")
    expect(page.locator(".cart-total")).to_contain_text("Rp315.000")
    assert _cart_count(page) == "4"
    page.get_by_role("link", name="Lanjut ke pemesanan").click()
    page.wait_for_url("**/keranjang/pesan")
    fits_the_phone(page)

    # --- checkout: a missing phone number is refused and nothing typed is lost ------------------------------
    page.get_by_label("Nama penerima").fill("Ibu Sri Wahyuni")
    page.get_by_label("E-mail").fill("sri.wahyuni@contoh.id")
    page.get_by_role("button", name=re.compile(r"^Pesan sekarang")).click()
    page.wait_for_load_state()
    phone_field = page.locator(".field", has=page.get_by_label("Nomor WhatsApp/HP"))
    expect(phone_field.locator(".error")).to_have_text("Isi nomor yang bisa dihubungi penjual.")
    assert page.get_by_label("Nama penerima").input_value() == "Ibu Sri Wahyuni"
    assert page.get_by_label("E-mail").input_value() == "sri.wahyuni@contoh.id"
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 0
    fits_the_phone(page)

    page.get_by_label("Nomor WhatsApp/HP").fill("0812-3456-7890")
    _fill_delivery(page, *BEKASI)
    page.get_by_label("Kartu debit/kredit").check()
    page.get_by_role("button", name="Pesan sekarang · Rp315.000").click()
    page.wait_for_url("**/bayar/*")
    reference = _reference_from(page.url)
    db.session.rollback()
    checkout = _checkout(reference)
    assert checkout.total_idr == 315_000 and checkout.payment_method == "card"
    assert checkout.contact_phone == "+6281234567890" and checkout.regency_code == BEKASI[1]
    orders = list(checkout.orders)
    assert sorted(o.total_idr for o in orders) == [60_000, 255_000]  # one order per seller
    rows = page.locator(".order-row")
    expect(rows).to_have_count(2)
    expect(rows.locator(".badge")).to_have_text(["Menunggu pembayaran", "Menunggu pembayaran"])
    assert _cart_count_or_none(page) is None  # the cart was emptied by the order
    expect(page.locator("#card-pay")).to_be_enabled()  # Stripe.js loaded and the card form mounted
    fits_the_phone(page)

    # --- a declined card: the orders stay payable -----------------------------------------------------------
    _fill_card(page, DECLINED_CARD)
    page.locator("#card-pay").click()
    expect(page.locator("#card-message")).to_have_text("Kartu ditolak oleh bank penerbit. Coba kartu lain.")
    expect(page.locator("#card-pay")).to_have_text("Coba lagi")
    db.session.rollback()
    assert [o.status for o in _checkout(reference).orders] == [OrderStatus.PENDING_PAYMENT] * 2
    declined = _card_payments(reference)
    assert [p.status for p in declined] == [PaymentStatus.FAILED]
    expect(rows.locator(".badge")).to_have_text(["Menunggu pembayaran", "Menunggu pembayaran"])

    # --- the good card: a fresh attempt, paid once localstripe's webhook arrives ----------------------------
    with page.expect_navigation():
        page.locator("#card-pay").click()  # "Coba lagi" reloads the page with a new payment attempt
    expect(page.locator("#card-pay")).to_have_text("Bayar Rp315.000")
    _fill_card(page, GOOD_CARD)
    page.locator("#card-pay").click()
    expect(page.locator(".order-row .badge")).to_have_text(["Dibayar", "Dibayar"], timeout=PAYMENT_WAIT_MS)
    expect(page.locator("#card-pay")).to_have_count(0)  # nothing left to pay
    fits_the_phone(page)

    # --- the rows -------------------------------------------------------------------------------------------
    payments = wait_for(lambda: _settled(reference))  # both webhooks handled: nothing left in flight
    failed, paid = payments
    assert failed.status is PaymentStatus.CANCELLED  # declined, then stopped at Stripe before the new attempt
    assert paid.status is PaymentStatus.SUCCEEDED and paid.method == "card"
    assert paid.amount_idr == 315_000 and paid.succeeded_at is not None and len(paid.orders) == 2
    checkout = _checkout(reference)
    assert [o.status for o in checkout.orders] == [OrderStatus.PAID, OrderStatus.PAID]
    assert all(o.paid_at is not None for o in checkout.orders)
    assert db.session.get(Product, teddy.id).stock == 10 - 3
    assert db.session.get(Product, beans.id).stock == 5 - 1
    events = list(db.session.scalars(select(WebhookEvent)))
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))  # each event stored once
    succeeded = [e for e in events if e.event_type == "payment_intent.succeeded"]
    assert [e.provider_ref for e in succeeded] == [paid.provider_ref]

    # The buyer's order page (reached from the pay page, with no account) says the same.
    page.locator(".order-row", has_text="Kopi Solok Radjo").locator("a.order-number").click()
    page.wait_for_url("**/pesanan/*")
    assert "Dibayar" in page.locator(".badge").first.inner_text()
    assert "Lunas" in page.content()
    fits_the_phone(page)


def test_buyer_pays_by_transfer_seller_confirms_and_ships(page, tmp_path):
    owner = make_user("Uni Rahmi", email="rahmi@contoh.id")
    shop = make_business(owner, "Rendang Uni Rahmi", slug="rendang-uni-rahmi", region=SOLOK_SELATAN)
    make_bank_account(shop, "BRI", "002101000123305", "Rahmi Yulianti")
    rendang = make_product(
        shop, "Rendang Daging Sapi 500 g", slug="rendang-daging-sapi-500-g", price_idr=120_000, stock=8
    )
    buyer = make_user("Andi Saputra", email="andi@contoh.id", phone="+6281311112222")
    db.session.commit()
    proof = tmp_path / "bukti-transfer.jpg"
    proof.write_bytes(make_photo_bytes())

    # --- the buyer orders and pays by transfer --------------------------------------------------------------
    log_in(page, buyer.email)
    _add_to_cart(page, rendang, 2)
    assert _cart_count(page) == "2"
    page.goto("/keranjang")
    fits_the_phone(page)
    page.get_by_role("link", name="Lanjut ke pemesanan").click()
    page.wait_for_url("**/keranjang/pesan")
    assert page.get_by_label("Nama penerima").input_value() == "Andi Saputra"  # from the account
    assert page.get_by_label("E-mail").input_value() == "andi@contoh.id"
    _fill_delivery(page, *SOLOK_SELATAN)
    page.get_by_label("Transfer bank").check()
    fits_the_phone(page)
    page.get_by_role("button", name="Pesan sekarang · Rp240.000").click()
    page.wait_for_url("**/bayar/*")
    reference = _reference_from(page.url)
    db.session.rollback()
    order = _checkout(reference).orders[0]
    payment = order_services.current_payment(order)
    assert (order.status, order.buyer_id, order.total_idr) == (OrderStatus.PENDING_PAYMENT, buyer.id, 240_000)
    assert payment.status is PaymentStatus.PENDING and payment.amount_idr == 240_000
    assert db.session.get(Product, rendang.id).stock == 8 - 2

    box = page.locator(f"#transfer-{order.number}")
    assert box.locator(".account-number").inner_text() == "002101000123305"
    assert box.locator(".reference").inner_text() == payment.reference
    facts = box.locator(".transfer-facts").inner_text()
    assert "Rp240.000" in facts and "BRI" in facts and "Rahmi Yulianti" in facts
    expect(page.locator(".order-row .badge")).to_have_text("Menunggu pembayaran")
    fits_the_phone(page)

    box.locator("input[type=file]").set_input_files(str(proof))
    box.get_by_role("button", name="Kirim bukti transfer").click()
    expect(page.locator(".flash-success")).to_contain_text("Bukti transfer terkirim")
    expect(page.locator(f"#transfer-{order.number}")).to_contain_text("Penjual sedang memeriksanya")
    fits_the_phone(page)
    db.session.rollback()
    payment = db.session.get(Payment, payment.id)
    assert payment.status is PaymentStatus.AWAITING_REVIEW and payment.proof_path
    log_out(page)

    # --- the seller checks the proof, confirms, packs and ships ---------------------------------------------
    log_in(page, owner.email)
    page.get_by_role("link", name=re.compile(r"^Pesanan")).first.click()
    page.wait_for_url("**/usaha/rendang-uni-rahmi/pesanan")
    page.get_by_role("link", name=re.compile(r"^Cek transfer")).click()
    page.wait_for_url("**status=transfer")
    fits_the_phone(page)
    page.get_by_role("link", name=order.number).click()
    page.wait_for_url(f"**/usaha/rendang-uni-rahmi/pesanan/{order.number}")
    proof_link = page.get_by_role("link", name="Lihat bukti transfer")
    proof_response = page.request.get(proof_link.get_attribute("href"))
    assert proof_response.status == 200 and proof_response.headers["content-type"] == "image/webp"
    fits_the_phone(page)
    page.get_by_role("button", name="Konfirmasi transfer").click()
    expect(page.locator(".sales-meta .badge")).to_have_text("Dibayar")
    db.session.rollback()
    assert db.session.get(Order, order.id).status is OrderStatus.PAID
    assert db.session.get(Payment, payment.id).status is PaymentStatus.SUCCEEDED

    page.get_by_role("button", name="Kemas").click()
    expect(page.locator(".sales-meta .badge")).to_have_text("Dikemas")
    page.get_by_label("Kurir").fill("JNE")
    page.get_by_label("Nomor resi").fill("JNE0123456789")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator(".sales-meta .badge")).to_have_text("Dikirim")
    expect(page.locator("#pengiriman").locator("..")).to_contain_text("JNE0123456789")
    fits_the_phone(page)
    db.session.rollback()
    shipped = db.session.get(Order, order.id)
    assert (shipped.status, shipped.courier, shipped.tracking_number) == (
        OrderStatus.SHIPPED,
        "JNE",
        "JNE0123456789",
    )
    log_out(page)

    # --- the buyer sees it on the way -----------------------------------------------------------------------
    log_in(page, buyer.email)
    page.goto("/pesanan")
    page.get_by_role("link", name=re.compile(order.number)).first.click()
    page.wait_for_url(f"**/pesanan/{order.number}")
    expect(page.locator("main .badge").first).to_have_text("Dikirim")
    assert "JNE0123456789" in page.content() and "JNE" in page.content()
    fits_the_phone(page)


# --- reading rows -------------------------------------------------------------------------------------------


def _cart_count_or_none(page) -> str | None:  # type: ignore[no-untyped-def]
    badge = page.locator("header .cart-link .cart-count")
    return badge.inner_text().strip() if badge.count() else None


def _card_payments(reference: str) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment).join(Checkout).where(Checkout.reference == reference).order_by(Payment.id)
        )
    )


def _settled(reference: str) -> list[Payment] | None:
    """The payments once both localstripe webhooks (the decline's and the success's) have been handled."""
    payments = _card_payments(reference)
    refs = [p.provider_ref for p in payments]
    handled = db.session.scalars(select(WebhookEvent.event_type).where(WebhookEvent.provider_ref.in_(refs)))
    if sorted(handled) == ["payment_intent.payment_failed", "payment_intent.succeeded"]:
        return payments
    return None
