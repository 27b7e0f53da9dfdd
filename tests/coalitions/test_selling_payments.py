"""The buyer paying a selling coalition, over real HTTP against localstripe (tests/localstripe.py): by card
(paid only from the verified webhook, amount and currency checked, a replay harmless, a decline leaves it
payable) or by bank transfer with a proof a manager reviews; and who may do what.

The numbers are DOMAIN.md's worked example: the buyer owes Rp84.600.000 for 490 kg accepted (370 kg grade A
at Rp180.000, 120 kg grade B at Rp150.000)."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from coalitions.models import CoalitionPaymentStatus
from coalitions.selling import payments
from coalitions.selling import services as selling
from coalitions.selling.models import BuyerPayment, SellingCoalition, SellingStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import CooperativeSector
from marketplace.extensions import db
from marketplace.money import format_idr, to_stripe_amount
from marketplace.notifications.models import Notification
from marketplace.payments.models import WebhookEvent
from marketplace.sectors import Sector
from tests.conftest import Web, html
from tests.factories import (
    BEKASI,
    make_bank_account,
    make_business,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_user,
)
from tests.localstripe import card_token, http, wait_for
from tests.marketplace.test_payments_stripe import encode, intent_event, post_webhook, sign

P = CoalitionPaymentStatus
S = SellingStatus
VISA = "4242424242424242"
DECLINED = "4000000000000341"  # localstripe declines this one when charged
TOTAL = 84_600_000
ACCOUNT = "002101000777305"


# --- the worked example, delivered --------------------------------------------------------------------------


def deliver_worked_example(*, receipt: bool = True) -> dict[str, Any]:
    """DOMAIN.md's worked example up to the buyer's receipt (status delivered, buyer owes Rp84.600.000);
    ``receipt=False`` stops after quality control (status committed)."""
    manager = make_user("Bu Ketua")
    cooperative = make_cooperative(manager, "Koperasi Kopi Bekasi", slug="kopi-bekasi")
    cooperative.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    make_bank_account(cooperative, bank="BRI", number=ACCOUNT, holder="Koperasi Kopi Bekasi")
    members = {}
    for name in "WXYZ":
        business = make_business(make_user(f"Petani {name}"), f"Kebun Kopi {name}")
        make_membership(cooperative, business)
        members[name] = business
    buyer = make_user("Pak Hotel")
    db.session.flush()
    request = selling.create_request(
        buyer,
        selling.RequestData(
            organisation="Hotel Santika Bekasi",
            title="Kopi Arabika sangrai",
            sector=Sector.PRODUCE,
            quantity=500,
            unit="kg",
            grades=[("A", 180_000), ("B", 150_000)],
            delivery_date=utcnow().date() + timedelta(days=20),
            delivery_place="Jl. Ahmad Yani No. 1, Bekasi",
            province_code=BEKASI[0],
            offer_deadline=utcnow() + timedelta(days=3),
        ),
    )
    coalition = selling.create_coalition(
        manager,
        cooperative,
        selling.CoalitionData(
            title="Kopi Arabika sangrai",
            unit="kg",
            quantity=500,
            grades=[("A", 180_000), ("B", 150_000)],
            collection_point="Gudang koperasi, Jl. Raya Tambun 5",
            collection_date=utcnow().date() + timedelta(days=10),
            deadline=utcnow() + timedelta(days=5),
            fee_bp=500,
            shared_cost_idr=1_000_000,
        ),
        request=request,
    )
    selling.publish(manager, coalition)
    for name, grade, qty in (("W", "A", 200), ("X", "A", 150), ("Y", "B", 120), ("Z", "A", 100)):
        selling.commit(members[name].owner, members[name], coalition, grade, qty)
    assert selling.close(coalition, utcnow() + timedelta(days=6))
    by_name = {c.business.name[-1]: c for c in selling.active_commitments(coalition)}
    for key in "WXY":
        selling.record_check(manager, by_name[key], by_name[key].allocated_qty, by_name[key].allocated_qty)
    selling.record_check(manager, by_name["Z"], 100, 90, "10 kg biji pecah")
    if receipt:
        selling.finish_checks(manager, coalition)
        selling.confirm_receipt(buyer, coalition)
        assert coalition.status is S.DELIVERED and coalition.buyer_total_idr == TOTAL
    return {
        "coalition": coalition,
        "cooperative": cooperative,
        "manager": manager,
        "members": members,
        "buyer": buyer,
    }


@pytest.fixture
def worked() -> dict[str, Any]:
    return deliver_worked_example()


def sync() -> None:
    db.session.commit()
    db.session.expire_all()


def browser(app, user) -> Web:  # type: ignore[no-untyped-def]
    sync()
    web = Web(app.test_client())
    web.login(user)
    return web


def coalition_of(coalition_id: int) -> SellingCoalition:
    sync()
    coalition = db.session.get(SellingCoalition, coalition_id)
    assert coalition is not None
    return coalition


def payment(reference: str) -> BuyerPayment:
    sync()
    return db.session.scalars(select(BuyerPayment).where(BuyerPayment.reference == reference)).one()


def payments_count(coalition_id: int) -> int:
    sync()
    return int(db.session.scalar(select(func.count()).where(BuyerPayment.coalition_id == coalition_id)) or 0)


_ATTR = re.compile(r'data-([\w-]+)="([^"]*)"')


def card_form(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    text = html(response)
    assert response.status_code == 200, text[:2000]
    start = text.find('id="card-payment"')
    assert start != -1, "no card form on the page"
    tag = text[text.rfind("<div", 0, start) : text.find(">", start)]
    return {name: value.replace("&amp;", "&") for name, value in _ATTR.findall(tag)}


def reference_of(form: dict[str, str]) -> str:
    match = re.search(r"/koalisi-penjualan/bayar/([^/]+)/kartu", form["confirm-url"])
    assert match, form
    return match.group(1)


def confirm(web: Web, form: dict[str, str], number: str = VISA):  # type: ignore[no-untyped-def]
    """What card_payment.js does after Stripe.js tokenised the card."""
    return web.client.post(
        form["confirm-url"],
        json={"token": card_token(number)},
        headers={"X-CSRFToken": form["csrf-token"], "Accept": "application/json"},
    )


def pay_url(coalition_id: int) -> str:
    return f"/koalisi-penjualan/{coalition_id}/bayar"


def choose(web: Web, coalition_id: int, how: str):  # type: ignore[no-untyped-def]
    url = pay_url(coalition_id)
    response = web.post(url, {"cara": how, "csrf_token": web.csrf(url)})
    assert response.status_code == 302, html(response)[:2000]
    assert response.headers["Location"].endswith(url)
    return web.get(url)


def intent(provider_ref: str) -> dict[str, Any]:
    status, body = http("GET", f"/v1/payment_intents/{provider_ref}", secret=True)
    assert status == 200, body
    return body


def webhook(web: Web, event: dict[str, Any]) -> int:
    payload = encode(event)
    return web.client.post("/webhooks/stripe", data=payload, headers=sign(payload)).status_code


def _proof(name: str = "bukti.png") -> tuple[io.BytesIO, str]:
    return io.BytesIO(make_photo_bytes("PNG", (64, 48))), name


def upload(web: Web, reference: str, coalition_id: int, csrf: bool = True):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {"proof": _proof()}
    if csrf:
        data["csrf_token"] = web.csrf(pay_url(coalition_id))
    return web.client.post(
        f"/koalisi-penjualan/bayar/{reference}/bukti", data=data, content_type="multipart/form-data"
    )


def assert_image(response) -> None:  # type: ignore[no-untyped-def]
    try:
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert response.headers["Cache-Control"] == "private, no-store"
    finally:
        response.close()


def notifications(user_id: int, kind: str) -> list[Notification]:
    sync()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        )
    )


def _delivered_event(intent_id: str, event_type: str) -> dict[str, Any]:
    starting_after = None
    while True:
        query = f"/v1/events?type={event_type}&limit=100" + (
            f"&starting_after={starting_after}" if starting_after else ""
        )
        status, page = http("GET", query, secret=True)
        assert status == 200, page
        for event in page["data"]:
            if event["data"]["object"]["id"] == intent_id:
                return event
        if not page["has_more"]:
            raise AssertionError(f"no {event_type} event for {intent_id}")
        starting_after = page["data"][-1]["id"]


# --- card -----------------------------------------------------------------------------------------------


def test_the_transition_table_is_the_guard() -> None:
    row = BuyerPayment(kind="card", status="succeeded", amount_idr=1, reference="X")
    with pytest.raises(payments.IllegalPaymentTransition):
        payments.transition(row, P.PENDING)
    row.status = "cancelled"
    with pytest.raises(payments.IllegalPaymentTransition):
        payments.transition(row, P.SUCCEEDED)
    row.status = "failed"
    payments.transition(row, P.SUCCEEDED)  # the provider's late verdict wins over a failure
    assert row.status == "succeeded" and row.succeeded_at is not None
    assert all(P.AUTHORIZED not in targets for targets in payments.BUYER_PAYMENT_TRANSITIONS.values())


@pytest.mark.committing
def test_a_card_payment_is_paid_by_the_webhook_and_a_replay_changes_nothing(app, stripe_webhooks):  # type: ignore[no-untyped-def]
    w = deliver_worked_example()
    coalition_id, manager_id = w["coalition"].id, w["manager"].id
    web = browser(app, w["buyer"])

    page = web.get(pay_url(coalition_id))
    text = html(page)
    assert page.status_code == 200
    assert 'name="cara" value="kartu"' in text and 'name="cara" value="transfer"' in text
    for shown in ("Rp84.600.000", "Rp66.600.000", "Rp18.000.000", "370 kg", "120 kg"):
        assert shown in text

    page = choose(web, coalition_id, "kartu")
    form = card_form(page)
    attempt = payment(reference_of(form))
    assert (attempt.kind, attempt.status, attempt.amount_idr) == ("card", "pending", TOTAL)
    body = intent(str(attempt.provider_ref))
    assert body["amount"] == to_stripe_amount(TOTAL) and body["currency"] == "idr"
    assert body["capture_method"] != "manual"
    assert choose(web, coalition_id, "kartu").status_code == 200  # the same attempt again
    assert payments_count(coalition_id) == 1

    answer = confirm(web, form)
    assert answer.status_code == 200 and answer.get_json() == {"state": "succeeded"}
    assert payment(attempt.reference).status == "processing"  # not paid until the webhook says so
    assert coalition_of(coalition_id).status is S.DELIVERED

    wait_for(lambda: coalition_of(coalition_id).status is S.PAID)
    coalition = coalition_of(coalition_id)
    assert coalition.paid_idr == TOTAL
    attempt = payment(attempt.reference)
    assert attempt.status == "succeeded" and attempt.succeeded_at is not None
    status = web.get(f"/koalisi-penjualan/bayar/{attempt.reference}/status").get_json()
    assert status == {"paid": True, "status": "succeeded", "reload": False}
    assert "sudah lunas" in html(web.get(pay_url(coalition_id)))
    assert len(notifications(manager_id, "selling.buyer_paid")) == 1

    # Stripe sends the same event again (twice): stored once, credited once.
    intent_id = str(attempt.provider_ref)
    event = _delivered_event(intent_id, "payment_intent.succeeded")
    payload = encode(event)
    for _ in range(2):
        assert post_webhook(stripe_webhooks, payload, sign(payload)) == 200
    time.sleep(0.2)
    sync()
    rows = db.session.scalars(select(WebhookEvent).where(WebhookEvent.provider_ref == intent_id)).all()
    assert [r.event_id for r in rows] == [event["id"]]
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.PAID, TOTAL)
    assert len(notifications(manager_id, "selling.buyer_paid")) == 1


def test_a_wrong_amount_or_currency_is_not_credited_and_money_is_credited_once(app, localstripe, worked):  # type: ignore[no-untyped-def]
    coalition_id = worked["coalition"].id
    web = browser(app, worked["buyer"])
    attempt = payment(reference_of(card_form(choose(web, coalition_id, "kartu"))))
    ref = str(attempt.provider_ref)

    short = intent_event("payment_intent.succeeded", ref, to_stripe_amount(TOTAL - 1))
    assert webhook(web, short) == 200
    foreign = intent_event("payment_intent.succeeded", ref, to_stripe_amount(TOTAL))
    foreign["data"]["object"]["currency"] = "usd"
    assert webhook(web, foreign) == 200
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.DELIVERED, 0)
    assert payment(attempt.reference).status == "pending"

    assert webhook(web, intent_event("payment_intent.succeeded", ref, to_stripe_amount(TOTAL))) == 200
    # Another event id for the same success (a resent event): nothing more is credited.
    assert webhook(web, intent_event("payment_intent.succeeded", ref, to_stripe_amount(TOTAL))) == 200
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.PAID, TOTAL)
    assert payment(attempt.reference).status == "succeeded"
    # Paid: nothing to choose any more.
    url = pay_url(coalition_id)
    response = web.post(url, {"cara": "kartu", "csrf_token": web.csrf(url)})
    assert response.status_code == 302 and payments_count(coalition_id) == 1


def test_a_declined_card_leaves_it_payable_and_a_retry_makes_a_new_attempt(app, localstripe, worked):  # type: ignore[no-untyped-def]
    coalition_id = worked["coalition"].id
    web = browser(app, worked["buyer"])
    form = card_form(choose(web, coalition_id, "kartu"))
    answer = confirm(web, form, DECLINED)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["state"] == "failed" and body["reload"] is True and body["message"]
    first = payment(reference_of(form))
    assert first.status == "failed" and first.failure_message
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.DELIVERED, 0)
    status = web.get(f"/koalisi-penjualan/bayar/{first.reference}/status").get_json()
    assert status == {"paid": False, "status": "failed", "reload": True}
    assert 'name="cara" value="kartu"' in html(web.get(pay_url(coalition_id)))

    # Trying again: the declined PaymentIntent is cancelled at Stripe, a new one made.
    retry = card_form(choose(web, coalition_id, "kartu"))
    second = payment(reference_of(retry))
    assert second.reference != first.reference and second.status == "pending"
    assert payment(first.reference).status == "cancelled"
    assert intent(str(first.provider_ref))["status"] == "canceled"
    assert confirm(web, retry).get_json() == {"state": "succeeded"}
    assert payment(second.reference).status == "processing"


# --- bank transfer ----------------------------------------------------------------------------------------


def test_a_transfer_reviewed_by_a_manager(app, localstripe, worked):  # type: ignore[no-untyped-def]
    coalition_id, manager_id = worked["coalition"].id, worked["manager"].id
    web = browser(app, worked["buyer"])
    url = pay_url(coalition_id)

    # Card first, then the buyer switches: the card attempt is stopped at Stripe.
    card = payment(reference_of(card_form(choose(web, coalition_id, "kartu"))))
    page = choose(web, coalition_id, "transfer")
    assert payment(card.reference).status == "cancelled"
    assert intent(str(card.provider_ref))["status"] == "canceled"
    transfer = db.session.scalars(
        select(BuyerPayment).where(BuyerPayment.coalition_id == coalition_id, BuyerPayment.kind == "transfer")
    ).one()
    assert (transfer.status, transfer.amount_idr) == ("pending", TOTAL)
    text = html(page)
    for shown in ("BRI", ACCOUNT, "Koperasi Kopi Bekasi", transfer.reference, format_idr(TOTAL)):
        assert shown in text

    assert upload(web, transfer.reference, coalition_id).status_code == 302
    transfer = payment(transfer.reference)
    assert transfer.status == "awaiting_review" and transfer.proof_path
    assert "sedang memeriksanya" in html(web.get(url))
    assert_image(web.get(f"/koalisi-penjualan/bayar/{transfer.reference}/bukti"))
    assert len(notifications(manager_id, "selling.transfer_uploaded")) == 1

    manager = browser(app, worked["manager"])
    listing = manager.get(f"/koalisi-penjualan/{coalition_id}/transfer")
    assert listing.status_code == 200 and transfer.reference in html(listing)
    assert_image(manager.get(f"/koalisi-penjualan/bayar/{transfer.reference}/bukti"))
    review_url = f"/koalisi-penjualan/{coalition_id}/transfer/{transfer.reference}/periksa"

    # A rejection needs a reason (the page again, the choice kept, the error beside it).
    refused = manager.post(review_url, {"decision": "reject", "note": ""})
    assert refused.status_code == 422
    again = html(refused)
    assert 'value="reject" selected' in again and "Tulis alasan penolakan" in again
    assert payment(transfer.reference).status == "awaiting_review"
    assert manager.post(review_url, {"decision": "", "note": "x"}).status_code == 422
    assert manager.post(review_url, {"decision": "reject", "note": "Nominal kurang."}).status_code == 302
    transfer = payment(transfer.reference)
    assert transfer.status == "pending" and transfer.review_note == "Nominal kurang."
    assert coalition_of(coalition_id).paid_idr == 0
    assert "Nominal kurang." in html(web.get(url))

    assert upload(web, transfer.reference, coalition_id).status_code == 302
    assert payment(transfer.reference).status == "awaiting_review"
    assert manager.post(review_url, {"decision": "approve", "note": ""}).status_code == 302
    transfer = payment(transfer.reference)
    assert transfer.status == "succeeded" and transfer.reviewed_by_id == manager_id
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.PAID, TOTAL)
    assert "sudah lunas" in html(web.get(url))
    assert manager.post(review_url, {"decision": "approve"}).status_code == 422  # nothing waiting
    assert coalition_of(coalition_id).paid_idr == TOTAL
    assert len(notifications(worked["buyer"].id, "selling.transfer_reviewed")) == 2


# --- refusals ---------------------------------------------------------------------------------------------


def test_refusals(app, localstripe, worked):  # type: ignore[no-untyped-def]
    coalition_id = worked["coalition"].id
    url = pay_url(coalition_id)
    buyer = browser(app, worked["buyer"])
    member = browser(app, worked["members"]["W"].owner)
    stranger = browser(app, make_user("Orang Lain"))
    manager = browser(app, worked["manager"])

    for web in (member, stranger, manager):
        assert web.get(url).status_code == 403
        for how in ("kartu", "transfer"):
            assert web.post(url, {"cara": how}).status_code == 403
    assert buyer.post(url, {"cara": "kartu"}, csrf=False).status_code == 400
    assert buyer.post(url, {"cara": "tunai"}).status_code == 400
    assert payments_count(coalition_id) == 0

    card_ref = reference_of(card_form(choose(buyer, coalition_id, "kartu")))
    for web in (member, stranger):
        response = web.client.post(
            f"/koalisi-penjualan/bayar/{card_ref}/kartu",
            json={"token": card_token()},
            headers={"X-CSRFToken": web.csrf(), "Accept": "application/json"},
        )
        assert response.status_code == 403 and response.get_json()["error"]
        assert web.get(f"/koalisi-penjualan/bayar/{card_ref}/status").status_code == 403
    no_csrf = buyer.client.post(
        f"/koalisi-penjualan/bayar/{card_ref}/kartu",
        json={"token": card_token()},
        headers={"Accept": "application/json"},
    )
    assert no_csrf.status_code == 400
    card = payment(card_ref)
    assert card.status == "pending" and intent(str(card.provider_ref))["status"] == "requires_payment_method"

    choose(buyer, coalition_id, "transfer")
    transfer = db.session.scalars(
        select(BuyerPayment).where(BuyerPayment.coalition_id == coalition_id, BuyerPayment.kind == "transfer")
    ).one()
    for web in (member, stranger):
        assert upload(web, transfer.reference, coalition_id).status_code == 403
        assert web.get(f"/koalisi-penjualan/bayar/{transfer.reference}/bukti").status_code == 403
    assert upload(buyer, transfer.reference, coalition_id, csrf=False).status_code == 400
    assert payment(transfer.reference).status == "pending"
    assert upload(buyer, transfer.reference, coalition_id).status_code == 302

    review_url = f"/koalisi-penjualan/{coalition_id}/transfer/{transfer.reference}/periksa"
    other_manager = browser(app, make_cooperative(make_user("Ketua Lain")).managers[0].user)
    for web in (buyer, member, stranger, other_manager):
        assert web.post(review_url, {"decision": "approve"}).status_code == 403
        assert web.get(f"/koalisi-penjualan/{coalition_id}/transfer").status_code == 403
    assert manager.post(review_url, {"decision": "approve"}, csrf=False).status_code == 400

    assert buyer.get("/koalisi-penjualan/bayar/JUAL-NOPE/status").status_code == 404
    assert buyer.get("/koalisi-penjualan/bayar/JUAL-NOPE/bukti").status_code == 404
    assert manager.post(f"/koalisi-penjualan/{coalition_id}/transfer/JUAL-NOPE/periksa").status_code == 404
    assert buyer.get(pay_url(999_999)).status_code == 404

    transfer = payment(transfer.reference)
    assert transfer.status == "awaiting_review" and transfer.reviewed_by_id is None
    coalition = coalition_of(coalition_id)
    assert (coalition.status, coalition.paid_idr) == (S.DELIVERED, 0)


def test_nothing_to_pay_before_the_receipt(app, localstripe):  # type: ignore[no-untyped-def]
    w = deliver_worked_example(receipt=False)
    coalition_id = w["coalition"].id
    web = browser(app, w["buyer"])
    page = web.get(pay_url(coalition_id))
    assert page.status_code == 200 and 'name="cara"' not in html(page)
    url = pay_url(coalition_id)
    response = web.post(url, {"cara": "transfer", "csrf_token": web.csrf(url)})
    assert response.status_code == 302 and payments_count(coalition_id) == 0
    assert "Tidak ada yang perlu dibayar" in html(web.get(url))
