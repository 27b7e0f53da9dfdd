"""The seller's order pages: the list and its filters, one order and every step on it, the cooperative's
transfer queue, and who is refused."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from marketplace import regions
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail
from marketplace.orders import services
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import services as payment_services
from marketplace.payments.base import RefundRequest, RefundResult
from marketplace.payments.models import Payment, PaymentStatus, Refund
from marketplace.payments.registry import EXTENSION_KEY
from marketplace.payments.stripe_provider import StripeProvider
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
    owner = make_user("Bu Tini")
    return make_bank_account(make_business(owner, name="Boneka Bu Tini", slug="boneka-bu-tini"))


@pytest.fixture
def doll(seller):
    return make_product(seller, title="Boneka Beruang Rajut", price_idr=85_000, stock=10)


def order_of(product, qty=3, **kw) -> Order:
    return make_checkout([(product, qty)], **kw).orders[0]


def url(order: Order, action: str = "") -> str:
    base = f"/usaha/{order.business.slug}/pesanan/{order.number}"
    return f"{base}/{action}" if action else base


def awaiting_review(order: Order) -> Payment:
    """The buyer uploaded a proof (the upload itself is tested with the payment pages)."""
    payment = services.current_payment(order)
    payment_services.transition_payment(payment, PaymentStatus.AWAITING_REVIEW)
    db.session.flush()
    return payment


def paid(order: Order) -> Order:
    services.payment_received(services.current_payment(order))
    db.session.flush()
    return order


def reload(obj):  # type: ignore[no-untyped-def]
    db.session.refresh(obj)
    return obj


# --- the list -----------------------------------------------------------------------------------------------


def test_list_shows_what_needs_doing_by_default_and_filters_by_status(web, seller, doll):
    to_pack = paid(order_of(doll, 3))
    waiting = order_of(doll, 1)
    cash = order_of(doll, 2, payment_method="cash", delivery="pickup")
    cancelled = order_of(doll, 1)
    services.cancel_order(None, cancelled, "", by="buyer")
    db.session.flush()
    web.login(seller.owner)

    page = html(web.get("/usaha/boneka-bu-tini/pesanan"))
    assert "Perlu diproses (2)" in page
    assert to_pack.number in page and cash.number in page
    assert waiting.number not in page and cancelled.number not in page
    assert "Ibu Pembeli" in page
    assert "Boneka Beruang Rajut × 3" in page
    assert "Rp255.000" in page
    assert "Transfer bank" in page and "Tunai saat diambil / COD" in page
    assert "Dibayar" in page  # the status label

    page = html(web.get("/usaha/boneka-bu-tini/pesanan?status=pending_payment"))
    assert waiting.number in page and cash.number in page
    assert to_pack.number not in page and cancelled.number not in page

    page = html(web.get("/usaha/boneka-bu-tini/pesanan?status=cancelled"))
    assert cancelled.number in page and to_pack.number not in page

    page = html(web.get("/usaha/boneka-bu-tini/pesanan?status=semua"))
    assert all(o.number in page for o in (to_pack, waiting, cash, cancelled))
    assert "Semua (4)" in page


def test_list_has_a_transfer_tab_and_pages_by_twenty(web, seller):
    product = make_product(seller, stock=100, price_idr=10_000)
    orders = [order_of(product, 1) for _ in range(21)]
    awaiting_review(orders[0])
    web.login(seller.owner)
    page = html(web.get("/usaha/boneka-bu-tini/pesanan?status=transfer"))
    assert "Cek transfer (1)" in page
    assert orders[0].number in page and orders[1].number not in page

    first = html(web.get("/usaha/boneka-bu-tini/pesanan?status=pending_payment"))
    second = html(web.get("/usaha/boneka-bu-tini/pesanan?status=pending_payment&page=2"))
    assert "Halaman 1 dari 2" in first
    # Newest first: the first order placed is alone on page two.
    assert orders[0].number in second and orders[0].number not in first
    assert orders[20].number in first


# --- one order ----------------------------------------------------------------------------------------------


def test_detail_shows_lines_buyer_delivery_payment_and_history(web, seller, doll):
    beans = make_product(seller, title="Gantungan Kunci Boneka", price_idr=15_000, stock=20)
    order = make_checkout([(doll, 2), (beans, 4)]).orders[0]
    web.login(seller.owner)
    response = web.get(url(order))
    page = html(response)
    assert response.status_code == 200
    assert "Boneka Beruang Rajut" in page and "Gantungan Kunci Boneka" in page
    assert "Rp170.000" in page and "Rp60.000" in page and "Rp230.000" in page
    assert "Ibu Pembeli" in page and "pembeli@contoh.id" in page
    assert "https://wa.me/6281299990000?text=" in page
    assert "Jl. Melati No. 5" in page and regions.label("32.16") in page
    assert "Transfer bank" in page and "Menunggu pembayaran" in page
    assert "002101000123305" in page  # the account the buyer transfers to
    assert "Riwayat status" in page
    # Unpaid transfer: nothing to pack yet, but it can be cancelled.
    assert "/kemas" not in page and "/batalkan" in page


def test_transfer_confirmed_then_packed_shipped_and_completed(web, seller, doll):
    order = order_of(doll, 3)
    payment = awaiting_review(order)
    web.login(seller.owner)
    page = html(web.get(url(order)))
    assert "Konfirmasi transfer" in page and "Tolak bukti transfer" in page

    page = html(web.post(url(order, "konfirmasi-transfer"), follow_redirects=True))
    assert "dikonfirmasi" in page
    assert reload(order).status is OrderStatus.PAID and order.paid_at is not None
    assert reload(payment).status is PaymentStatus.SUCCEEDED
    assert payment.reviewed_by_id == seller.owner.id

    page = html(web.post(url(order, "kemas"), follow_redirects=True))
    assert "dikemas" in page
    assert reload(order).status is OrderStatus.PACKED
    assert 'name="tracking_number"' in page  # the next step is shipping

    page = html(
        web.post(
            url(order, "kirim"), {"courier": "JNE REG", "tracking_number": "JX1234567"}, follow_redirects=True
        )
    )
    assert "JX1234567" in page
    assert reload(order).status is OrderStatus.SHIPPED
    assert (order.courier, order.tracking_number) == ("JNE REG", "JX1234567")

    page = html(web.post(url(order, "selesai"), follow_redirects=True))
    assert "selesai" in page
    assert reload(order).status is OrderStatus.COMPLETED
    assert [e.to_status for e in order.events] == [
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
    ]
    assert reload(doll).stock == 7


def test_ship_without_tracking_number_is_refused_and_keeps_the_courier(web, seller, doll):
    order = paid(order_of(doll))
    services.mark_packed(seller.owner, order)
    db.session.flush()
    web.login(seller.owner)
    response = web.post(url(order, "kirim"), {"courier": "SiCepat", "tracking_number": "  "})
    page = html(response)
    assert response.status_code == 422
    assert "Isi nomor resi." in page
    assert 'value="SiCepat"' in page
    assert reload(order).status is OrderStatus.PACKED and order.courier is None


def test_pickup_order_is_made_ready_then_completed(web, seller, doll):
    order = paid(order_of(doll, 2, delivery="pickup"))
    services.mark_packed(seller.owner, order)
    db.session.flush()
    web.login(seller.owner)
    page = html(web.get(url(order)))
    assert "Siap diambil" in page and 'name="tracking_number"' not in page
    assert "Diambil di koperasi" in page

    # Shipping a pickup order is refused by the rules, even when posted by hand.
    page = html(web.post(url(order, "kirim"), {"courier": "JNE", "tracking_number": "X1"}))
    assert "diambil di koperasi, bukan dikirim" in page
    assert reload(order).status is OrderStatus.PACKED

    page = html(web.post(url(order, "siap-diambil"), follow_redirects=True))
    assert "siap diambil" in page
    assert reload(order).status is OrderStatus.READY_FOR_PICKUP
    web.post(url(order, "selesai"))
    assert reload(order).status is OrderStatus.COMPLETED


def test_cash_order_is_packed_unpaid_and_completed_only_after_the_cash(web, seller, doll):
    order = order_of(doll, 2, payment_method="cash", delivery="pickup")
    web.login(seller.owner)
    page = html(web.get(url(order)))
    assert "/kemas" in page and "Lunas tunai" in page

    web.post(url(order, "kemas"))
    assert reload(order).status is OrderStatus.PACKED and order.paid_at is None
    web.post(url(order, "siap-diambil"))
    assert reload(order).status is OrderStatus.READY_FOR_PICKUP

    page = html(web.get(url(order)))
    assert "/selesai" not in page and "Catat pembayaran tunai dulu" in page
    page = html(web.post(url(order, "selesai"), follow_redirects=True))
    assert "Catat pembayaran dulu sebelum pesanan diselesaikan." in page
    assert reload(order).status is OrderStatus.READY_FOR_PICKUP

    page = html(web.post(url(order, "lunas-tunai"), follow_redirects=True))
    assert "dicatat lunas" in page
    assert reload(order).paid_at is not None
    assert services.current_payment(order).status is PaymentStatus.SUCCEEDED
    web.post(url(order, "selesai"))
    assert reload(order).status is OrderStatus.COMPLETED


def test_seller_cancels_with_a_reason_stock_returns_and_the_buyer_is_told(web, seller, doll):
    order = paid(order_of(doll, 4))
    assert reload(doll).stock == 6
    web.login(seller.owner)

    response = web.post(url(order, "batalkan"), {"reason": ""})
    assert response.status_code == 422 and "Tulis alasannya." in html(response)
    assert reload(order).status is OrderStatus.PAID and reload(doll).stock == 6

    page = html(web.post(url(order, "batalkan"), {"reason": "Bahan rajut habis"}, follow_redirects=True))
    assert "dibatalkan dan stoknya dikembalikan" in page
    assert "Bahan rajut habis" in page
    assert reload(order).status is OrderStatus.CANCELLED and order.cancel_reason == "Bahan rajut habis"
    assert reload(doll).stock == 10
    mail = db.session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.recipient == "pembeli@contoh.id")
        .order_by(OutboxEmail.id.desc())
    ).first()
    assert mail is not None and "Bahan rajut habis" in mail.body
    assert "/batalkan" not in html(web.get(url(order)))


def test_cancel_after_shipping_is_refused(web, seller, doll):
    order = paid(order_of(doll, 2))
    services.mark_packed(seller.owner, order)
    services.mark_shipped(seller.owner, order, "JNE", "JX1")
    db.session.flush()
    web.login(seller.owner)
    assert "/batalkan" not in html(web.get(url(order)))
    response = web.post(url(order, "batalkan"), {"reason": "Salah kirim"})
    assert response.status_code == 422
    assert "sudah dikirim atau selesai tidak bisa dibatalkan" in html(response)
    assert reload(order).status is OrderStatus.SHIPPED
    assert reload(doll).stock == 8


def test_reject_transfer_needs_a_note_and_loses_nothing(web, seller, doll):
    order = order_of(doll)
    payment = awaiting_review(order)
    web.login(seller.owner)
    response = web.post(url(order, "tolak-transfer"), {"note": "   "})
    page = html(response)
    assert response.status_code == 422
    assert "Tulis alasan penolakan" in page
    assert reload(payment).status is PaymentStatus.AWAITING_REVIEW
    assert "Konfirmasi transfer" in page and "Tolak bukti transfer" in page  # both choices still there

    page = html(
        web.post(url(order, "tolak-transfer"), {"note": "Nominal kurang Rp5.000"}, follow_redirects=True)
    )
    assert "ditolak" in page and "Nominal kurang Rp5.000" in page
    assert reload(payment).status is PaymentStatus.PENDING and payment.review_note == "Nominal kurang Rp5.000"
    assert reload(order).status is OrderStatus.PENDING_PAYMENT


def test_proof_link_points_at_the_payment_proof(web, app, seller, doll):
    order = order_of(doll)
    payment = awaiting_review(order)
    payment.proof_path = "bukti/contoh.jpg"
    db.session.flush()
    web.login(seller.owner)
    page = html(web.get(url(order)))
    with app.test_request_context():
        from flask import url_for

        assert url_for("payments.proof", reference=payment.reference) in page


# --- card refunds on cancel ---------------------------------------------------------------------------------


class RefundingStripe(StripeProvider):
    """Stripe that accepts every refund (the real adapter is tested against localstripe elsewhere)."""

    def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(provider_ref="re_test_1", amount_idr=request.amount_idr)


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused at once ("Stripe is unreachable")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def card_provider(port: int, cls=StripeProvider):  # type: ignore[no-untyped-def]
    return cls(
        "sk_test_x", "pk_test_x", "whsec_x", api_base=f"http://127.0.0.1:{port}", max_network_retries=0
    )


def paid_card_order(product) -> Order:  # type: ignore[no-untyped-def]
    order = order_of(product, 2, payment_method="card")
    payment = services.current_payment(order)
    payment.provider_ref = "pi_test_123"
    return paid(order)


def test_cancelling_a_card_order_refunds_through_stripe(web, app, monkeypatch, dead_port, seller, doll):
    monkeypatch.setitem(app.extensions[EXTENSION_KEY], "card", card_provider(dead_port, RefundingStripe))
    order = paid_card_order(doll)
    web.login(seller.owner)
    assert "dikembalikan ke pembeli lewat Stripe" in html(web.get(url(order)))
    page = html(web.post(url(order, "batalkan"), {"reason": "Stok rusak"}, follow_redirects=True))
    assert "pembayaran kartu dikembalikan" in page
    assert reload(order).status is OrderStatus.REFUNDED
    assert db.session.scalars(select(Refund.amount_idr).where(Refund.order_id == order.id)).all() == [170_000]
    assert reload(doll).stock == 10


def test_cancel_is_rolled_back_when_stripe_is_unreachable(web, app, monkeypatch, dead_port, seller, doll):
    monkeypatch.setitem(app.extensions[EXTENSION_KEY], "card", card_provider(dead_port))
    order = paid_card_order(doll)
    web.login(seller.owner)
    response = web.post(url(order, "batalkan"), {"reason": "Stok rusak"})
    page = html(response)
    assert response.status_code == 422
    assert "Layanan pembayaran kartu sedang bermasalah" in page
    assert "Stok rusak" in page  # what was typed is kept
    assert reload(order).status is OrderStatus.PAID and order.cancel_reason is None
    assert reload(doll).stock == 8
    assert services.current_payment(order).status is PaymentStatus.SUCCEEDED
    assert db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all() == []


# --- the cooperative's transfer queue -----------------------------------------------------------------------


@pytest.fixture
def cooperative_order(seller, doll):
    cooperative = make_bank_account(make_cooperative(name="Koperasi Boneka Bekasi", slug="kop-boneka"))
    make_membership(cooperative, seller)
    # The seller takes transfers through the cooperative's account, so its managers confirm them.
    seller.bank_name = seller.bank_account_number = seller.bank_account_holder = None
    doll.cooperative = cooperative
    db.session.flush()
    order = order_of(doll, 2)
    assert order.cooperative_id == cooperative.id
    return cooperative, order


def test_manager_confirms_a_transfer_on_the_cooperative_page(web, cooperative_order):
    cooperative, order = cooperative_order
    payment = awaiting_review(order)
    manager = cooperative.managers[0].user
    web.login(manager)
    page = html(web.get("/koperasi/kop-boneka/transfer"))
    assert order.number in page and "Boneka Bu Tini" in page and "Rp170.000" in page

    response = web.post(f"/koperasi/kop-boneka/transfer/{order.number}/tolak", {"note": ""})
    assert response.status_code == 422 and "Tulis alasan penolakan" in html(response)
    assert reload(payment).status is PaymentStatus.AWAITING_REVIEW

    page = html(web.post(f"/koperasi/kop-boneka/transfer/{order.number}/konfirmasi", follow_redirects=True))
    assert "dikonfirmasi" in page
    assert reload(order).status is OrderStatus.PAID
    assert reload(payment).status is PaymentStatus.SUCCEEDED and payment.reviewed_by_id == manager.id
    assert "Tidak ada transfer yang menunggu dicek." in page


def test_manager_rejects_a_transfer_with_a_note(web, cooperative_order):
    cooperative, order = cooperative_order
    payment = awaiting_review(order)
    web.login(cooperative.managers[0].user)
    web.post(f"/koperasi/kop-boneka/transfer/{order.number}/tolak", {"note": "Bukti tidak terbaca"})
    assert reload(payment).status is PaymentStatus.PENDING and payment.review_note == "Bukti tidak terbaca"


def test_cooperative_page_refuses_outsiders_and_other_cooperatives_orders(web, cooperative_order, doll):
    cooperative, order = cooperative_order
    awaiting_review(order)
    other = make_cooperative(slug="kop-lain")
    stray = order_of(make_product(make_bank_account(make_business()), stock=5))
    awaiting_review(stray)

    web.login(other.managers[0].user)
    assert web.get("/koperasi/kop-boneka/transfer").status_code == 403
    assert web.post(f"/koperasi/kop-boneka/transfer/{order.number}/konfirmasi").status_code == 403
    assert web.post(f"/koperasi/kop-lain/transfer/{order.number}/konfirmasi").status_code == 404
    assert reload(order).status is OrderStatus.PENDING_PAYMENT

    web.logout()
    web.login(cooperative.managers[0].user)
    assert web.post(f"/koperasi/kop-boneka/transfer/{stray.number}/konfirmasi").status_code == 404
    assert reload(stray).status is OrderStatus.PENDING_PAYMENT
    assert web.get("/koperasi/tidak-ada/transfer").status_code == 404


# --- refusals -----------------------------------------------------------------------------------------------

ACTIONS = [
    "kemas",
    "kirim",
    "siap-diambil",
    "selesai",
    "lunas-tunai",
    "konfirmasi-transfer",
    "tolak-transfer",
    "batalkan",
]
FORM = {"courier": "JNE", "tracking_number": "JX1", "reason": "Alasan", "note": "Catatan"}


def test_another_business_owner_gets_403_everywhere(web, seller, doll):
    order = paid(order_of(doll, payment_method="cash"))
    stranger = make_business(make_user("Pak Lain"))
    web.login(stranger.owner)
    assert web.get("/usaha/boneka-bu-tini/pesanan").status_code == 403
    assert web.get(url(order)).status_code == 403
    for action in ACTIONS:
        assert web.post(url(order, action), FORM).status_code == 403, action
    assert reload(order).status is OrderStatus.PAID


def test_anonymous_is_sent_to_login(web, seller, doll):
    order = order_of(doll)
    for response in (
        web.get("/usaha/boneka-bu-tini/pesanan"),
        web.get(url(order)),
        web.get("/koperasi/kop-apa-saja/transfer"),
        *(web.post(url(order, action), FORM) for action in ACTIONS),
    ):
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    assert reload(order).status is OrderStatus.PENDING_PAYMENT


def test_an_order_of_another_business_is_not_found_under_this_slug(web, seller, doll):
    order = paid(order_of(doll))
    other = make_business(make_user("Pak Lain"), slug="usaha-lain")
    web.login(other.owner)
    assert web.get(f"/usaha/usaha-lain/pesanan/{order.number}").status_code == 404
    for action in ACTIONS:
        assert web.post(f"/usaha/usaha-lain/pesanan/{order.number}/{action}", FORM).status_code == 404
    assert web.get("/usaha/usaha-lain/pesanan/GTTIDAKADA-1").status_code == 404
    assert web.get("/usaha/tidak-ada/pesanan").status_code == 404
    assert reload(order).status is OrderStatus.PAID


def test_posts_without_csrf_are_refused(web, seller, doll):
    order = paid(order_of(doll))
    web.login(seller.owner)
    for action in ACTIONS:
        assert web.post(url(order, action), FORM, csrf=False).status_code == 400, action
    assert reload(order).status is OrderStatus.PAID


def test_admin_may_work_on_any_business_orders(web, seller, doll):
    order = paid(order_of(doll))
    web.login(make_user("Admin", is_admin=True))
    assert web.get("/usaha/boneka-bu-tini/pesanan").status_code == 200
    web.post(url(order, "kemas"))
    assert reload(order).status is OrderStatus.PACKED


def test_manager_cannot_confirm_a_transfer_into_the_sellers_own_account(web, seller, doll):
    cooperative = make_bank_account(make_cooperative(name="Koperasi Boneka Bekasi", slug="kop-boneka"))
    make_membership(cooperative, seller)
    doll.cooperative = cooperative
    db.session.flush()
    order = order_of(doll, 1)
    payment = awaiting_review(order)
    web.login(cooperative.managers[0].user)
    assert order.number not in html(web.get("/koperasi/kop-boneka/transfer"))
    assert web.post(f"/koperasi/kop-boneka/transfer/{order.number}/konfirmasi").status_code == 404
    assert web.get(f"/bayar/bukti/{payment.reference}").status_code == 403
    assert reload(order).status is OrderStatus.PENDING_PAYMENT
