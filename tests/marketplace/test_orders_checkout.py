"""Checkout: one order per business, stock reserved, prices from the server, the state machine."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.models import OrderStatus
from marketplace.payments.models import Payment, PaymentStatus
from tests.factories import make_bank_account, make_business, make_checkout, make_product


def test_checkout_makes_one_order_per_business_and_reserves_stock():
    doll_maker = make_bank_account(make_business(name="Boneka Bekasi"))
    coffee = make_bank_account(make_business(name="Kopi Solok"))
    doll = make_product(doll_maker, price_idr=85_000, stock=10)
    beans = make_product(coffee, title="Kopi Arabika 250 g", price_idr=60_000, stock=5)
    checkout = make_checkout([(doll, 3), (beans, 2)])
    assert [o.business.name for o in checkout.orders] == ["Boneka Bekasi", "Kopi Solok"]
    assert [o.total_idr for o in checkout.orders] == [255_000, 120_000]
    assert checkout.total_idr == 375_000
    assert all(o.status is OrderStatus.PENDING_PAYMENT for o in checkout.orders)
    db.session.refresh(doll)
    db.session.refresh(beans)
    assert (doll.stock, beans.stock) == (7, 3)
    payments = db.session.scalars(db.select(Payment).where(Payment.checkout_id == checkout.id)).all()
    assert sorted(p.amount_idr for p in payments) == [120_000, 255_000]
    assert {p.status for p in payments} == {PaymentStatus.PENDING}
    numbers = [o.invoice_number for o in checkout.orders]
    assert numbers[0].endswith("/00001") and numbers[1].endswith("/00001")


def test_cancel_returns_stock_once():
    seller = make_bank_account(make_business())
    doll = make_product(seller, stock=4)
    order = make_checkout([(doll, 4)]).orders[0]
    services.cancel_order(None, order, "", by="buyer")
    services.cancel_order  # noqa: B018
    db.session.refresh(doll)
    assert doll.stock == 4
    assert order.status is OrderStatus.CANCELLED
    with pytest.raises(services.DomainError):
        services.cancel_order(None, order, "", by="buyer")
    db.session.refresh(doll)
    assert doll.stock == 4


# --- the buyer's pages -----------------------------------------------------------------------------------

from tests.conftest import html  # noqa: E402
from tests.factories import make_user  # noqa: E402


def _checkout_form(web, **overrides):  # type: ignore[no-untyped-def]
    page = html(web.get("/keranjang/pesan"))
    import re

    digest = re.search(r'name="cart_digest"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="cart_digest"', page
    )
    data = {
        "contact_name": "Ibu Rina",
        "contact_email": "rina@contoh.id",
        "contact_phone": "0812 3456 7890",
        "delivery_method": "delivery",
        "address": "Jl. Kenanga No. 3",
        "province_code": "32",
        "regency_code": "32.16",
        "postal_code": "17112",
        "payment_method": "bank_transfer",
        "cart_digest": digest.group(1) if digest else "",
    }
    data.update(overrides)
    return data


def test_guest_cart_checkout_and_bank_transfer_page(web):
    seller = make_bank_account(make_business(name="Boneka Bekasi"))
    doll = make_product(seller, price_idr=85_000, stock=10, min_order_qty=2)
    response = web.post("/keranjang", {"product_id": doll.id, "quantity": 1, "mode": "add"})
    assert response.status_code == 302
    assert "Minimal pembelian 2" in html(web.get(response.headers["Location"]))
    web.post("/keranjang", {"product_id": doll.id, "quantity": 3, "mode": "add"})
    cart_page = html(web.get("/keranjang"))
    assert "Rp255.000" in cart_page
    response = web.post("/keranjang/pesan", _checkout_form(web))
    assert response.status_code == 302, html(response)[:3000]
    pay_page = html(web.get(response.headers["Location"]))
    assert "002101000123305" in pay_page and "PAY-" in pay_page and "Rp255.000" in pay_page
    db.session.refresh(doll)
    assert doll.stock == 7
    from marketplace.mail.models import OutboxEmail

    checkout = db.session.scalars(db.select(services.Checkout)).one()
    mails = {m.recipient: m for m in db.session.scalars(db.select(OutboxEmail))}
    confirmation = mails["rina@contoh.id"]
    assert checkout.reference in confirmation.subject
    assert "Rp255.000" in confirmation.body and f"k={checkout.access_token}" in confirmation.body
    assert checkout.orders[0].number in mails[seller.owner.email].subject


# --- the state machine -----------------------------------------------------------------------------------

from marketplace.orders.models import Order  # noqa: E402

LEGAL = [(a, b) for a, targets in services.ORDER_TRANSITIONS.items() for b in targets]
ILLEGAL = [(a, b) for a in OrderStatus for b in OrderStatus if b not in services.ORDER_TRANSITIONS[a]]


def _order_in(status: OrderStatus, method: str = "cash") -> Order:
    seller = make_bank_account(make_business())
    order = make_checkout([(make_product(seller, stock=5), 1)], payment_method=method).orders[0]
    order.status = status  # test set-up only: puts the order where the transition starts
    if status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
        from marketplace.clock import utcnow

        order.paid_at = utcnow()
    db.session.flush()
    return order


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_every_legal_transition(start, to):
    order = _order_in(start)
    event = services.transition(order, to)
    assert order.status is to
    assert (event.from_status, event.to_status) == (start, to)


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_transitions_are_refused(start, to):
    order = _order_in(start)
    with pytest.raises(services.IllegalTransition):
        services.transition(order, to)
    assert order.status is start


def test_packing_before_payment_only_for_cash():
    order = _order_in(OrderStatus.PENDING_PAYMENT, method="bank_transfer")
    with pytest.raises(services.IllegalTransition, match="dibayar dulu"):
        services.transition(order, OrderStatus.PACKED)
    cash = _order_in(OrderStatus.PENDING_PAYMENT, method="cash")
    services.transition(cash, OrderStatus.PACKED)
    services.transition(cash, OrderStatus.READY_FOR_PICKUP)
    with pytest.raises(services.IllegalTransition, match="Catat pembayaran"):
        services.transition(cash, OrderStatus.COMPLETED)


# --- tampering, stock and the cart's rules ----------------------------------------------------------------


def test_checkout_refuses_a_tampered_or_stale_cart(web):
    seller = make_bank_account(make_business())
    doll = make_product(seller, price_idr=85_000, stock=10)
    web.post("/keranjang", {"product_id": doll.id, "quantity": 2})
    form = _checkout_form(web)
    doll.price_idr = 1000  # the price changed after the buyer saw the page
    db.session.commit()
    response = web.post("/keranjang/pesan", form)
    assert response.status_code == 422
    assert "berubah" in html(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0
    form = _checkout_form(web, cart_digest="0" * 32, price_idr="1", total_idr="1")
    assert web.post("/keranjang/pesan", form).status_code == 422
    form = _checkout_form(web)
    form.update(price_idr="1", total_idr="1")  # fields the server never reads
    response = web.post("/keranjang/pesan", form)
    assert response.status_code == 302
    order = db.session.scalars(db.select(Order)).one()
    assert order.total_idr == 2000 and order.lines[0].unit_price_idr == 1000


def test_add_to_cart_refuses_unknown_or_hidden_products(web):
    seller = make_business()
    draft = make_product(seller, status=services.Product.__mapper__.columns.status.type.enum_class("draft"))
    assert web.post("/keranjang", {"product_id": draft.id, "quantity": 1}).status_code == 404
    assert web.post("/keranjang", {"product_id": 999999, "quantity": 1}).status_code == 404
    assert web.post("/keranjang", {"product_id": draft.id, "quantity": 1}, csrf=False).status_code == 400


def test_quantity_above_stock_is_refused_with_the_stock_left(web):
    doll = make_product(make_business(), stock=3)
    response = web.post("/keranjang", {"product_id": doll.id, "quantity": 5}, follow_redirects=True)
    assert "Stok tinggal 3" in html(response)
    assert services.build_cart({}).is_empty


def test_out_of_stock_between_cart_and_checkout_refuses_everything():
    seller = make_bank_account(make_business())
    a = make_product(seller, stock=5)
    b = make_product(seller, title="Boneka Kelinci", stock=1)
    items = {a.id: 2, b.id: 1}
    digest = services.build_cart(items).digest()
    b.stock = 0
    db.session.flush()
    data = services.CheckoutData("Rina", "r@contoh.id", "+628123", services.DeliveryMethod.PICKUP, "cash")
    with pytest.raises(services.DomainError):
        services.place_order(None, items, data, digest)
    db.session.refresh(a)
    assert a.stock == 5


def test_preorder_takes_no_stock():
    product = make_product(make_business(), stock=0, preorder=True)
    order = make_checkout([(product, 4)], payment_method="cash").orders[0]
    assert order.lines[0].reserved_qty == 0
    db.session.refresh(product)
    assert product.stock == 0


def test_guest_cart_merges_into_account_cart_on_login(web):
    buyer = make_user("Pak Budi")
    seller = make_business()
    doll = make_product(seller, stock=10)
    bear = make_product(seller, title="Beruang", stock=10)
    db.session.add(services.CartItem(user_id=buyer.id, product_id=doll.id, quantity=2))
    db.session.commit()
    web.post("/keranjang", {"product_id": doll.id, "quantity": 3})
    web.post("/keranjang", {"product_id": bear.id, "quantity": 1})
    web.login(buyer)
    assert services.account_cart_items(buyer) == {doll.id: 5, bear.id: 1}
    assert "Rp510.000" in html(web.get("/keranjang"))


def test_bank_transfer_needs_an_account_for_every_seller():
    with_account = make_bank_account(make_business())
    without = make_business()
    cart = services.build_cart({make_product(with_account).id: 1, make_product(without).id: 1})
    assert [p.code for p in services.payment_choices(cart)] == ["card", "cash"]
    coop = make_bank_account(__import__("tests.factories", fromlist=["make_cooperative"]).make_cooperative())
    from tests.factories import make_membership

    make_membership(coop, without)
    db.session.expire_all()
    cart = services.build_cart({p.id: 1 for p in db.session.scalars(db.select(services.Product))})
    assert "bank_transfer" in [p.code for p in services.payment_choices(cart)]


def test_checkout_form_errors_keep_what_was_typed(web):
    make_bank_account(make_business())
    doll = make_product(make_bank_account(make_business()), stock=5)
    web.post("/keranjang", {"product_id": doll.id, "quantity": 1})
    response = web.post("/keranjang/pesan", _checkout_form(web, contact_phone="12", address=""))
    assert response.status_code == 422
    page = html(response)
    assert 'value="Ibu Rina"' in page and 'value="rina@contoh.id"' in page
    assert "Isi alamat pengiriman." in page


# --- payments by transfer and cash; cancel; expiry -------------------------------------------------------


def test_transfer_proof_confirm_and_reject(web):
    from tests.factories import make_photo_bytes

    seller_owner = make_user("Bu Penjual")
    seller = make_bank_account(make_business(seller_owner))
    buyer = make_user("Pak Pembeli")
    checkout = make_checkout([(make_product(seller, stock=5), 1)], buyer=buyer)
    order = checkout.orders[0]
    payment = services.current_payment(order)
    db.session.commit()
    web.login(buyer)
    import io

    response = web.post(
        f"/bayar/transfer/{payment.reference}/bukti",
        {"proof": (io.BytesIO(make_photo_bytes()), "bukti.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.session.refresh(payment)
    assert payment.status is PaymentStatus.AWAITING_REVIEW and payment.proof_path
    proof = web.get(f"/bayar/bukti/{payment.reference}")
    assert proof.status_code == 200 and proof.mimetype == "image/webp"
    proof.close()
    services.review_transfer(seller_owner, order, approve=False, note="Nominal kurang")
    assert payment.status is PaymentStatus.PENDING and order.status is OrderStatus.PENDING_PAYMENT
    payment_services_transition(payment)
    services.review_transfer(seller_owner, order, approve=True)
    assert order.status is OrderStatus.PAID and order.paid_at is not None
    with pytest.raises(services.PermissionDenied):
        services.review_transfer(buyer, order, approve=True)


def payment_services_transition(payment):  # type: ignore[no-untyped-def]
    from marketplace.payments import services as payment_services

    payment_services.transition_payment(payment, PaymentStatus.AWAITING_REVIEW)


def test_cash_order_is_paid_on_handover():
    owner = make_user()
    seller = make_business(owner)
    order = make_checkout(
        [(make_product(seller, stock=5), 2)], payment_method="cash", delivery="pickup"
    ).orders[0]
    services.mark_packed(owner, order)
    services.mark_ready_for_pickup(owner, order)
    from marketplace.mail.models import OutboxEmail

    mail = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert mail.recipient == "pembeli@contoh.id" and "siap diambil" in mail.body
    services.mark_cash_paid(owner, order)
    services.mark_completed(owner, order)
    assert order.status is OrderStatus.COMPLETED and order.is_paid
    assert services.current_payment(order).status is PaymentStatus.SUCCEEDED
    assert [e.to_status for e in order.events][-1] is OrderStatus.COMPLETED


def test_buyer_cancels_before_packing_only(web):
    buyer = make_user()
    owner = make_user()
    seller = make_bank_account(make_business(owner))
    product = make_product(seller, stock=5)
    first, second = (make_checkout([(product, 1)], buyer=buyer).orders[0] for _ in range(2))
    services.review_transfer  # noqa: B018
    db.session.commit()
    web.login(buyer)
    assert web.post(f"/pesanan/{first.number}/batalkan", {"reason": "Salah pilih"}).status_code == 302
    db.session.refresh(first)
    assert first.status is OrderStatus.CANCELLED and first.cancel_reason == "Salah pilih"
    second.status = OrderStatus.PACKED
    db.session.commit()
    response = web.post(f"/pesanan/{second.number}/batalkan", {}, follow_redirects=True)
    assert "tidak bisa dibatalkan pembeli" in html(response)
    db.session.refresh(product)
    assert product.stock == 4


def test_order_pages_are_private(web):
    buyer = make_user()
    stranger = make_user()
    checkout = make_checkout([(make_product(make_bank_account(make_business()), stock=5), 1)], buyer=buyer)
    number, reference, token = checkout.orders[0].number, checkout.reference, checkout.access_token
    db.session.commit()
    assert web.get(f"/pesanan/{number}").status_code == 302  # anonymous: log in first
    assert web.get(f"/pesanan/{number}?k=salah").status_code == 302
    assert web.get(f"/bayar/{reference}?k={token}").status_code == 200  # the e-mailed link works
    web.logout()
    web.login(stranger)
    assert web.get(f"/pesanan/{number}").status_code == 200  # the token from the link is remembered
    web.client.delete_cookie("session")
    web.login(stranger)
    assert web.get(f"/pesanan/{number}").status_code == 403
    assert web.get(f"/bayar/{reference}").status_code == 403
    assert web.get(f"/bayar/{reference}/status").status_code == 403
    assert web.get("/pesanan/GTXXXX-1").status_code == 404


def test_expiry_releases_stock_once_and_keeps_proofs_waiting(app):
    from datetime import timedelta

    from marketplace.clock import utcnow

    seller = make_bank_account(make_business())
    product = make_product(seller, stock=5)
    stale = make_checkout([(product, 2)]).orders[0]
    with_proof = make_checkout([(product, 1)]).orders[0]
    fresh = make_checkout([(product, 1)]).orders[0]
    past = utcnow() - timedelta(minutes=1)
    stale.expires_at = with_proof.expires_at = past
    payment_services_transition(services.current_payment(with_proof))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["expire-orders"])
    assert "Expired 1 unpaid orders." in result.output, result.output
    result = runner.invoke(args=["expire-orders"])
    assert "Expired 0 unpaid orders." in result.output
    db.session.expire_all()
    assert stale.status is OrderStatus.CANCELLED and stale.cancel_reason == "Waktu pembayaran habis."
    assert with_proof.status is OrderStatus.PENDING_PAYMENT and fresh.status is OrderStatus.PENDING_PAYMENT
    assert product.stock == 5 - 1 - 1


def test_bad_input_is_refused_without_a_server_error(web):
    doll = make_product(make_bank_account(make_business()), price_idr=85_000, stock=10)
    assert web.post("/keranjang", {"product_id": "99999999999999999999", "quantity": "1"}).status_code == 404
    assert web.post("/keranjang/hapus", {"product_id": "99999999999999999999"}).status_code == 404
    assert web.post("/keranjang", {"product_id": doll.id, "quantity": "dua"}).status_code == 302
    assert web.post("/keranjang", {"product_id": doll.id, "quantity": "-3"}).status_code == 302
    web.post("/keranjang", {"product_id": doll.id, "quantity": "2"})
    response = web.post("/keranjang/pesan", _checkout_form(web, cart_digest="é"))
    assert response.status_code == 422
    assert web.get("/pesanan?page=99999999999999999999").status_code == 404
    web.post("/keranjang", {"product_id": doll.id, "quantity": "0", "mode": "set"})  # "Ubah" to 0 removes it
    assert services.build_cart({}).is_empty and "masih kosong" in html(web.get("/keranjang"))


def test_a_proof_is_only_taken_for_a_bank_transfer(web):
    import io

    from tests.factories import make_photo_bytes

    buyer = make_user()
    order = make_checkout(
        [(make_product(make_business(), stock=5), 1)], buyer=buyer, payment_method="cash"
    ).orders[0]
    payment = services.current_payment(order)
    db.session.commit()
    web.login(buyer)
    response = web.post(
        f"/bayar/transfer/{payment.reference}/bukti",
        {"proof": (io.BytesIO(make_photo_bytes()), "bukti.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "tidak menunggu bukti transfer" in html(response)
    db.session.refresh(payment)
    assert payment.status is PaymentStatus.PENDING and payment.proof_path is None
