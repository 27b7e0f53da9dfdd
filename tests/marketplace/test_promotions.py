"""Promotion codes: the rules (dates, minimum spend, limits, scope), the discount and its split over a
checkout's orders, what the buyer pays and sees, and the manager pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.marketing import promotions
from marketplace.marketing.promotion_models import PromoCode, PromoKind, PromoRedemption
from marketplace.orders import services
from marketplace.orders.invoice_pdf import invoice_for
from marketplace.orders.models import DeliveryMethod, OrderStatus
from marketplace.payments.models import Payment
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_cooperative,
    make_membership,
    make_product,
    make_user,
)

# --- helpers ------------------------------------------------------------------------------------------------


def promo_for(owner, code: str = "HEMAT", *, kind: PromoKind = PromoKind.FIXED, **kw) -> PromoCode:  # type: ignore[no-untyped-def]
    """A code made through the service by the owner's own manager."""
    manager = owner.owner if hasattr(owner, "owner") else owner.managers[0].user
    now = utcnow()
    data = promotions.PromoData(
        code=code,
        kind=kind,
        percent_bp=kw.pop("percent_bp", 1000) if kind is PromoKind.PERCENT else None,
        amount_idr=kw.pop("amount_idr", 10_000) if kind is PromoKind.FIXED else None,
        starts_at=kw.pop("starts_at", now - timedelta(days=1)),
        **kw,
    )
    return promotions.create_promo(manager, owner, data)


def seller(name: str):  # type: ignore[no-untyped-def]
    return make_bank_account(make_business(name=name))


def cart_of(lines):  # type: ignore[no-untyped-def]
    return services.build_cart({product.id: quantity for product, quantity in lines})


def checkout_with(
    lines, code: str = "", *, buyer=None, email: str = "pembeli@contoh.id", method: str = "bank_transfer"
):  # type: ignore[no-untyped-def]
    """Place an order the way the page does: the digest confirms the cart with the code's discount."""
    items = {product.id: quantity for product, quantity in lines}
    cart = services.build_cart(items)
    email = buyer.email if buyer else email
    digest = cart.digest()
    if code:
        quote = promotions.evaluate(code, cart, buyer, email)
        digest = cart.digest(promotions.normalise_code(code), quote.discount_idr)
    data = services.CheckoutData(
        contact_name="Ibu Pembeli",
        contact_email=email,
        contact_phone="+6281299990000",
        delivery_method=DeliveryMethod.PICKUP,
        payment_method=method,
        promo_code=code,
    )
    return services.place_order(buyer, items, data, digest)


def refusal(code: str, lines, *, buyer=None, email: str = "pembeli@contoh.id") -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(promotions.PromoRefused) as caught:
        promotions.evaluate(code, cart_of(lines), buyer, email)
    assert caught.value.field == "promo_code"
    return caught.value.message


# --- the discount and its split -----------------------------------------------------------------------------


def test_fixed_discount_is_split_by_eligible_subtotals_and_orders_and_payments_follow():
    cooperative = make_cooperative()
    dolls, coffee = seller("Boneka Bekasi"), seller("Kopi Solok")
    for business in (dolls, coffee):
        make_membership(cooperative, business)
    doll = make_product(dolls, price_idr=15_000, stock=10)
    beans = make_product(coffee, title="Kopi Arabika 250 g", price_idr=45_000, stock=10)
    promo = promo_for(cooperative, "KOPERASI10", amount_idr=10_000)
    checkout = checkout_with([(doll, 2), (beans, 1)], "koperasi10")
    assert [(o.subtotal_idr, o.discount_idr, o.total_idr) for o in checkout.orders] == [
        (30_000, 4_000, 26_000),
        (45_000, 6_000, 39_000),
    ]
    assert checkout.total_idr == 65_000
    assert checkout.promo_code_id == promo.id
    payments = db.session.scalars(select(Payment).where(Payment.checkout_id == checkout.id)).all()
    assert sorted(p.amount_idr for p in payments) == [26_000, 39_000]
    redemption = db.session.scalars(select(PromoRedemption)).one()
    assert (redemption.checkout_id, redemption.discount_idr, redemption.email) == (
        checkout.id,
        10_000,
        "pembeli@contoh.id",
    )
    db.session.refresh(promo)
    assert promo.redeemed_count == 1


@pytest.mark.parametrize(
    ("discount", "prices", "shares"),
    [
        (10_000, (35_000, 40_000), [4_667, 5_333]),  # 4.666,67 and 5.333,33: the leftover rupiah to the first
        (1_001, (20_000, 20_000), [501, 500]),  # a tie: the earliest order gets the rupiah
        (10_000, (10_000, 20_000), [3_333, 6_667]),
    ],
)
def test_split_by_largest_remainder_adds_up(discount, prices, shares):
    cooperative = make_cooperative()
    products = []
    for name, price in zip(("A Boneka", "B Kopi"), prices, strict=True):
        business = seller(name)
        make_membership(cooperative, business)
        products.append(make_product(business, price_idr=price, stock=5))
    promo_for(cooperative, "SPLIT", amount_idr=discount)
    quote = promotions.evaluate("SPLIT", cart_of([(p, 1) for p in products]), None, "a@contoh.id")
    assert [quote.discount_for(p.business_id) for p in products] == shares
    assert quote.discount_idr == discount
    checkout = checkout_with([(p, 1) for p in products], "SPLIT")
    assert [o.discount_idr for o in checkout.orders] == shares
    assert sum(o.total_idr for o in checkout.orders) == checkout.total_idr == sum(prices) - discount


def test_percent_discount_rounds_half_up_to_the_rupiah():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=10_100, stock=10)
    promo_for(shop, "PERSEN", kind=PromoKind.PERCENT, percent_bp=1250)  # 12,5%
    quote = promotions.evaluate("persen", cart_of([(doll, 3)]), None, "a@contoh.id")
    assert quote.eligible_idr == 30_300
    assert quote.discount_idr == 3_788  # 3.787,5 rounds up


def test_fixed_discount_is_capped_at_the_eligible_subtotal_and_an_order_keeps_rp1():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=30_000, stock=10)
    other = make_product(shop, title="Tas Anyaman", price_idr=20_000, stock=10)
    promo_for(shop, "BESAR", amount_idr=50_000, product_ids=[doll.id])
    quote = promotions.evaluate("BESAR", cart_of([(doll, 1), (other, 1)]), None, "a@contoh.id")
    assert (quote.eligible_idr, quote.discount_idr) == (30_000, 30_000)
    only_doll = promotions.evaluate("BESAR", cart_of([(doll, 1)]), None, "a@contoh.id")
    assert only_doll.discount_idr == 29_999  # no payment of Rp0 exists
    checkout = checkout_with([(doll, 1)], "BESAR")
    assert checkout.orders[0].total_idr == checkout.total_idr == 1


# --- scope --------------------------------------------------------------------------------------------------


def test_business_code_covers_only_that_business_and_chosen_products():
    shop, neighbour = seller("Boneka Bekasi"), seller("Kopi Solok")
    doll = make_product(shop, price_idr=20_000)
    bag = make_product(shop, title="Tas Anyaman", price_idr=50_000)
    beans = make_product(neighbour, title="Kopi", price_idr=40_000)
    promo_for(shop, "SEMUA", amount_idr=5_000)
    promo_for(shop, "BONEKA", amount_idr=5_000, product_ids=[doll.id])
    quote = promotions.evaluate("SEMUA", cart_of([(doll, 1), (bag, 1), (beans, 1)]), None, "a@contoh.id")
    assert quote.eligible_by_business == {shop.id: 70_000}
    quote = promotions.evaluate("BONEKA", cart_of([(doll, 1), (bag, 1), (beans, 1)]), None, "a@contoh.id")
    assert quote.eligible_by_business == {shop.id: 20_000}
    message = refusal("BONEKA", [(bag, 1), (beans, 1)])
    assert "tidak berlaku untuk produk di keranjang" in message and shop.name in message


def test_cooperative_code_covers_its_active_members_only():
    cooperative = make_cooperative(name="Koperasi Maju")
    member, applicant, outsider = seller("A Anggota"), seller("B Calon"), seller("C Luar")
    make_membership(cooperative, member)
    from marketplace.cooperatives.models import MembershipStatus

    make_membership(cooperative, applicant, status=MembershipStatus.PENDING)
    products = [make_product(b, price_idr=10_000) for b in (member, applicant, outsider)]
    promo_for(cooperative, "MAJU", amount_idr=1_000)
    quote = promotions.evaluate("MAJU", cart_of([(p, 1) for p in products]), None, "a@contoh.id")
    assert quote.eligible_by_business == {member.id: 10_000}
    assert quote.discount_by_business == {member.id: 1_000}
    assert "Koperasi Maju" in refusal("MAJU", [(products[1], 1), (products[2], 1)])


def test_products_must_belong_to_the_owner():
    shop, neighbour = seller("Boneka Bekasi"), seller("Kopi Solok")
    beans = make_product(neighbour)
    with pytest.raises(promotions.DomainError) as caught:
        promo_for(shop, "CURANG", product_ids=[beans.id])
    assert caught.value.field == "product_ids"


# --- refusals -----------------------------------------------------------------------------------------------


def test_each_refusal_says_why():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=50)
    now = utcnow()
    assert "Isi kode promo" in refusal("  ", [(doll, 1)])
    assert "tidak dikenal" in refusal("TIDAKADA", [(doll, 1)])
    promo_for(shop, "BESOK", starts_at=now + timedelta(days=1))
    assert "baru berlaku mulai" in refusal("BESOK", [(doll, 1)])
    promo_for(shop, "LEWAT", starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=1))
    assert "sudah berakhir" in refusal("LEWAT", [(doll, 1)])
    off = promo_for(shop, "MATI")
    promotions.deactivate_promo(shop.owner, off)
    assert "sudah tidak berlaku" in refusal("MATI", [(doll, 1)])
    promo_for(shop, "MINIMAL", min_spend_idr=30_000)
    message = refusal("MINIMAL", [(doll, 1)])
    assert "minimal Rp30.000" in message and "tambah Rp5.000 lagi" in message
    assert promotions.evaluate("MINIMAL", cart_of([(doll, 2)]), None, "a@contoh.id").discount_idr == 10_000


def test_dates_are_inclusive_of_the_start_and_exclusive_of_the_end():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000)
    start = utcnow().replace(microsecond=0)
    promo = promo_for(shop, "TEPAT", starts_at=start, ends_at=start + timedelta(hours=2))
    cart = cart_of([(doll, 1)])
    assert promotions.check(promo, cart, None, "a@contoh.id", start).discount_idr == 10_000
    with pytest.raises(promotions.PromoRefused, match="baru berlaku"):
        promotions.check(promo, cart, None, "a@contoh.id", start - timedelta(seconds=1))
    with pytest.raises(promotions.PromoRefused, match="sudah berakhir"):
        promotions.check(promo, cart, None, "a@contoh.id", start + timedelta(hours=2))


def test_total_limit_refuses_once_used_up():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=50)
    promo = promo_for(shop, "DUAKALI", usage_limit=2)
    checkout_with([(doll, 1)], "DUAKALI", email="a@contoh.id")
    checkout_with([(doll, 1)], "DUAKALI", email="b@contoh.id")
    assert "sudah habis" in refusal("DUAKALI", [(doll, 1)], email="c@contoh.id")
    db.session.refresh(promo)
    assert promo.redeemed_count == 2


def test_per_buyer_limit_counts_the_account_and_the_email():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=50)
    promo_for(shop, "SEKALI", per_buyer_limit=1)
    checkout_with([(doll, 1)], "SEKALI", email="tamu@contoh.id")
    assert "sudah pernah memakai" in refusal("SEKALI", [(doll, 1)], email="TAMU@contoh.id ")
    assert promotions.evaluate("SEKALI", cart_of([(doll, 1)]), None, "lain@contoh.id").discount_idr
    buyer = make_user("Budi", email="budi@contoh.id")
    checkout_with([(doll, 1)], "SEKALI", buyer=buyer)
    buyer.email = "budi.baru@contoh.id"  # a new e-mail is still the same account
    assert "sudah pernah memakai" in refusal("SEKALI", [(doll, 1)], buyer=buyer, email=buyer.email)
    promo_for(shop, "DUAKALI", per_buyer_limit=2)
    checkout_with([(doll, 1)], "DUAKALI", email="x@contoh.id")
    checkout_with([(doll, 1)], "DUAKALI", email="x@contoh.id")
    assert "2 kali" in refusal("DUAKALI", [(doll, 1)], email="x@contoh.id")


def test_redeem_refuses_what_evaluate_refuses_and_changes_nothing():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=5)
    promo = promo_for(shop, "SATU", usage_limit=1)
    checkout_with([(doll, 1)], "SATU", email="a@contoh.id")
    db.session.commit()
    with pytest.raises(promotions.PromoRefused, match="sudah habis"):
        checkout_with([(doll, 1)], "satu", email="b@contoh.id")
    db.session.rollback()
    # Counting itself refuses too (under the lock), whatever was checked before it.
    other = checkout_with([(doll, 1)], email="b@contoh.id")
    with pytest.raises(promotions.PromoRefused, match="sudah habis"):
        promotions.redeem("SATU", cart_of([(doll, 1)]), checkout=other, buyer=None, email="b@contoh.id")
    db.session.rollback()
    db.session.refresh(promo)
    db.session.refresh(doll)
    assert promo.redeemed_count == 1 and doll.stock == 4


def test_a_cancelled_order_keeps_its_redemption_counted():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=5)
    promo = promo_for(shop, "SEKALI", usage_limit=1)
    checkout = checkout_with([(doll, 1)], "SEKALI")
    services.cancel_order(None, checkout.orders[0], "", by="buyer")
    db.session.refresh(promo)
    assert checkout.orders[0].status is OrderStatus.CANCELLED
    assert promo.redeemed_count == 1
    assert "sudah habis" in refusal("SEKALI", [(doll, 1)], email="lain@contoh.id")


def test_a_changed_code_or_discount_refuses_like_a_changed_cart():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=25_000, stock=5)
    promo = promo_for(shop, "HEMAT", amount_idr=5_000)
    cart = cart_of([(doll, 1)])
    seen = cart.digest("HEMAT", 5_000)
    data = services.CheckoutData(
        "Ibu", "a@contoh.id", "+6281299990000", DeliveryMethod.PICKUP, "bank_transfer", promo_code="HEMAT"
    )
    promotions.update_promo(
        shop.owner,
        promo,
        promotions.PromoData(code="HEMAT", kind=PromoKind.FIXED, amount_idr=2_000, starts_at=promo.starts_at),
    )
    with pytest.raises(services.CartChanged, match="potongan promo berubah"):
        services.place_order(None, {doll.id: 1}, data, seen)
    with pytest.raises(services.CartChanged, match="Pakai") as caught:
        services.place_order(None, {doll.id: 1}, data, cart.digest())  # typed, never applied
    assert caught.value.field == "promo_code"
    checkout = services.place_order(None, {doll.id: 1}, data, cart.digest("HEMAT", 2_000))
    assert checkout.total_idr == 23_000


def test_card_payment_amount_is_the_discounted_checkout_total():
    shop, neighbour = seller("Boneka Bekasi"), seller("Kopi Solok")
    doll = make_product(shop, price_idr=30_000)
    beans = make_product(neighbour, title="Kopi", price_idr=45_000)
    promo_for(shop, "KARTU", amount_idr=3_000)
    checkout = checkout_with([(doll, 1), (beans, 1)], "KARTU", method="card")
    payment = db.session.scalars(select(Payment).where(Payment.checkout_id == checkout.id)).one()
    assert payment.amount_idr == checkout.total_idr == 72_000
    assert {o.business_id: o.total_idr for o in payment.orders} == {shop.id: 27_000, neighbour.id: 45_000}


# --- what the buyer sees ------------------------------------------------------------------------------------


def test_invoice_and_order_page_show_the_discount(web):
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=30_000)
    promo_for(shop, "FAKTUR", amount_idr=4_000)
    checkout = checkout_with([(doll, 1)], "FAKTUR")
    order = checkout.orders[0]
    invoice = invoice_for(order)
    assert (invoice.subtotal_idr, invoice.discount_idr, invoice.total_idr) == (30_000, 4_000, 26_000)
    assert invoice.discount_label == "Potongan promo FAKTUR"
    db.session.commit()
    page = html(web.get(f"/pesanan/{order.number}/faktur?k={checkout.access_token}"))
    assert "Potongan promo FAKTUR" in page and "−Rp4.000" in page and "Rp26.000" in page
    page = html(web.get(f"/pesanan/{order.number}?k={checkout.access_token}"))
    assert "Potongan promo FAKTUR" in page and "Rp26.000" in page
    pdf = web.get(f"/pesanan/{order.number}/faktur.pdf?k={checkout.access_token}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def _checkout_fields(page: str, **overrides) -> dict[str, str]:  # type: ignore[no-untyped-def]
    digest = re.search(r'name="cart_digest"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="cart_digest"', page
    )
    data = {
        "contact_name": "Ibu Rina",
        "contact_email": "rina@contoh.id",
        "contact_phone": "0812 3456 7890",
        "delivery_method": "pickup",
        "payment_method": "bank_transfer",
        "cart_digest": digest.group(1) if digest else "",
    }
    data.update(overrides)
    return data


def test_buyer_applies_a_code_on_the_checkout_page_and_pays_the_discounted_total(web):
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=15_000, stock=10)
    promo_for(shop, "RINA", amount_idr=5_000, min_spend_idr=40_000)
    db.session.commit()
    web.post("/keranjang", {"product_id": doll.id, "quantity": 2, "mode": "add"})
    page = html(web.get("/keranjang/pesan"))
    assert 'name="promo_code"' in page and "Pakai" in page
    refused = web.post("/keranjang/pesan", _checkout_fields(page, promo_code="rina", apply_promo="1"))
    assert refused.status_code == 422
    text = html(refused)
    assert "tambah Rp10.000 lagi" in text and 'value="rina"' in text and "Ibu Rina" in text
    web.post("/keranjang", {"product_id": doll.id, "quantity": 3, "mode": "set"})
    applied = web.post("/keranjang/pesan", _checkout_fields(page, promo_code="rina", apply_promo="1"))
    assert applied.status_code == 200
    text = html(applied)
    assert "−Rp5.000" in text and "Rp40.000" in text  # Rp45.000 − Rp5.000
    placed = web.post("/keranjang/pesan", _checkout_fields(text, promo_code="rina"))
    assert placed.status_code == 302, html(placed)[:3000]
    checkout = db.session.scalars(select(services.Checkout)).one()
    assert checkout.total_idr == 40_000 and checkout.orders[0].discount_idr == 5_000
    pay_page = html(web.get(placed.headers["Location"]))
    assert "Rp40.000" in pay_page


def test_checkout_page_refuses_a_typed_but_unapplied_code_and_shows_it(web):
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=15_000, stock=10)
    promo_for(shop, "DIAM", amount_idr=5_000)
    db.session.commit()
    web.post("/keranjang", {"product_id": doll.id, "quantity": 2, "mode": "add"})
    page = html(web.get("/keranjang/pesan"))
    response = web.post("/keranjang/pesan", _checkout_fields(page, promo_code="DIAM"))
    assert response.status_code == 422
    text = html(response)
    assert "Pakai" in text and "−Rp5.000" in text and "Rp25.000" in text
    assert db.session.scalar(select(func.count()).select_from(services.Checkout)) == 0
    placed = web.post("/keranjang/pesan", _checkout_fields(text, promo_code="DIAM"))
    assert placed.status_code == 302


# --- manager pages ------------------------------------------------------------------------------------------


def _promo_form(**overrides) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "code": "merdeka10",
        "kind": "percent",
        "percent": "10",
        "amount_idr": "",
        "min_spend_idr": "50.000",
        "starts_on": "2026-08-01",
        "ends_on": "2026-08-31",
        "usage_limit": "100",
        "per_buyer_limit": "1",
        "scope": "all",
    }
    data.update(overrides)
    return data


def test_business_owner_creates_edits_and_deactivates_a_code(web):
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=15_000)
    db.session.commit()
    web.login(shop.owner)
    assert web.get(f"/usaha/{shop.slug}/promo").status_code == 200
    assert web.get(f"/usaha/{shop.slug}/promo/baru").status_code == 200
    bad = web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form(percent="", code="lebaran"))
    assert bad.status_code == 422
    assert "Isi persen potongan" in html(bad) and 'value="LEBARAN"' in html(bad)
    response = web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form())
    assert response.status_code == 302
    promo = db.session.scalars(select(PromoCode)).one()
    assert (promo.code, promo.percent_bp, promo.min_spend_idr, promo.business_id) == (
        "MERDEKA10",
        1000,
        50_000,
        shop.id,
    )
    # Dates are typed in WIB: from 00.00 on the first day to the end of the last day.
    starts, ends = (moment.replace(tzinfo=None) for moment in (promo.starts_at, promo.ends_at))
    assert (starts.isoformat(), ends.isoformat()) == ("2026-07-31T17:00:00", "2026-08-31T17:00:00")
    assert (promo.usage_limit, promo.per_buyer_limit, promo.all_products) == (100, 1, True)
    duplicate = web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form())
    assert duplicate.status_code == 422 and "sudah dipakai" in html(duplicate)
    edit = web.post(
        f"/usaha/{shop.slug}/promo/{promo.id}/ubah",
        _promo_form(kind="fixed", percent="", amount_idr="Rp7.500", scope="chosen", product_ids=str(doll.id)),
    )
    assert edit.status_code == 302
    db.session.refresh(promo)
    assert (promo.kind, promo.amount_idr, promo.percent_bp, [p.id for p in promo.products]) == (
        PromoKind.FIXED,
        7_500,
        None,
        [doll.id],
    )
    listing = html(web.get(f"/usaha/{shop.slug}/promo"))
    assert "MERDEKA10" in listing and "Dipakai 0 kali dari 100" in listing
    web.post(f"/usaha/{shop.slug}/promo/{promo.id}/nonaktifkan")
    db.session.refresh(promo)
    assert promo.active is False
    web.post(f"/usaha/{shop.slug}/promo/{promo.id}/aktifkan")
    db.session.refresh(promo)
    assert promo.active is True


def test_cooperative_manager_makes_a_code_for_member_products(web):
    cooperative = make_cooperative()
    member = seller("Anggota")
    make_membership(cooperative, member)
    bag = make_product(member, title="Tas Anyaman")
    outsider = make_product(seller("Luar"), title="Bukan Anggota")
    db.session.commit()
    web.login(cooperative.managers[0].user)
    page = html(web.get(f"/koperasi/{cooperative.slug}/promo/baru"))
    assert "Tas Anyaman" in page and "Bukan Anggota" not in page
    refused = web.post(
        f"/koperasi/{cooperative.slug}/promo/baru",
        _promo_form(scope="chosen", product_ids=str(outsider.id)),
    )
    assert refused.status_code == 422
    created = web.post(
        f"/koperasi/{cooperative.slug}/promo/baru", _promo_form(scope="chosen", product_ids=str(bag.id))
    )
    assert created.status_code == 302
    promo = db.session.scalars(select(PromoCode)).one()
    assert promo.cooperative_id == cooperative.id and promo.business_id is None
    assert [p.id for p in promo.products] == [bag.id]


def test_only_the_owner_or_managers_may_manage_codes(web):
    shop = seller("Boneka Bekasi")
    cooperative = make_cooperative()
    promo = promo_for(shop, "MILIKKU")
    stranger = make_user("Orang Lain")
    db.session.commit()
    assert web.get(f"/usaha/{shop.slug}/promo").status_code == 302  # to the login page
    web.login(stranger)
    for url in (
        f"/usaha/{shop.slug}/promo",
        f"/usaha/{shop.slug}/promo/baru",
        f"/usaha/{shop.slug}/promo/{promo.id}/ubah",
        f"/koperasi/{cooperative.slug}/promo",
    ):
        assert web.get(url).status_code == 403, url
    assert web.post(f"/usaha/{shop.slug}/promo/{promo.id}/nonaktifkan").status_code == 403
    assert web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form()).status_code == 403
    with pytest.raises(promotions.PermissionDenied):
        promotions.deactivate_promo(stranger, promo)
    db.session.refresh(promo)
    assert promo.active is True
    # Another owner's code under my business is not found.
    mine = seller("Punyaku")
    db.session.commit()
    web.logout()
    web.login(mine.owner)
    assert web.get(f"/usaha/{mine.slug}/promo/{promo.id}/ubah").status_code == 404


def test_manager_form_needs_csrf(web):
    shop = seller("Boneka Bekasi")
    db.session.commit()
    web.login(shop.owner)
    response = web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form(), csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PromoCode)) == 0


@pytest.mark.parametrize(
    "overrides",
    [{"percent": "sNaN"}, {"percent": "1e999999"}, {"ends_on": "9999-12-31"}, {"starts_on": "0001-01-01"}],
)
def test_absurd_form_input_is_refused_with_the_input_kept(web, overrides):  # type: ignore[no-untyped-def]
    shop = seller("Boneka Bekasi")
    db.session.commit()
    web.login(shop.owner)
    response = web.post(f"/usaha/{shop.slug}/promo/baru", _promo_form(**overrides))
    assert response.status_code == 422
    assert next(iter(overrides.values())) in html(response)
    assert db.session.scalar(select(PromoCode.id)) is None


def test_a_used_code_keeps_its_name_and_a_suspended_owners_code_stops():
    shop = seller("Boneka Bekasi")
    doll = make_product(shop, price_idr=50_000)
    promo = promo_for(shop, "LAMA")
    promo.redeemed_count = 1
    data = promotions.PromoData(
        code="BARU", kind=PromoKind.FIXED, percent_bp=None, amount_idr=10_000, starts_at=promo.starts_at
    )
    with pytest.raises(promotions.DomainError, match="tidak bisa diganti"):
        promotions.update_promo(shop.owner, promo, data)
    shop.suspended_at = utcnow()
    assert "tidak berlaku" in refusal("LAMA", [(doll, 1)])
