"""Card payments through Stripe, over real HTTP against localstripe (tests/localstripe.py).

Provider-level tests call ``StripeProvider`` as checkout does and read the result back from localstripe with
the stripe client. Order-level tests run a checkout, pay by card, and let localstripe deliver its signed
webhook to the app served on 127.0.0.1 (``committing``: that server must see committed rows).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import stripe
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.config import ConfigError
from marketplace.database import write_unit
from marketplace.extensions import db
from marketplace.orders import services as order_services
from marketplace.orders.models import Checkout, DeliveryMethod, Order, OrderEvent, OrderStatus
from marketplace.payments import registry
from marketplace.payments import services as payment_services
from marketplace.payments.base import (
    ChargeState,
    EventKind,
    GatewayError,
    PaymentError,
    PaymentRequest,
    ProviderEvent,
    RefundRequest,
    Settlement,
    UnableToTakePayment,
    WebhookRejected,
)
from marketplace.payments.models import Payment, PaymentStatus, Refund, WebhookEvent
from marketplace.payments.stripe_provider import StripeProvider
from tests.conftest import TEST_CONFIG
from tests.factories import make_business, make_product, make_user
from tests.localstripe import (
    LOCALSTRIPE_URL,
    STRIPE_TEST_CONFIG,
    WEBHOOK_SECRET,
    authenticate,
    card_token,
    http,
    wait_for,
)

VISA = "4242424242424242"
DECLINED = "4000000000000341"  # localstripe declines this one when charged (…0002 only when attached)
THREE_D_SECURE = "4000002500003155"


@pytest.fixture
def provider(app, localstripe) -> StripeProvider:  # type: ignore[no-untyped-def]
    card = registry.get("card")
    assert isinstance(card, StripeProvider)
    return card


@pytest.fixture(scope="module")
def stripe_client(localstripe) -> Iterator[stripe.StripeClient]:  # type: ignore[no-untyped-def]
    """Our own view of localstripe, as the Stripe dashboard would show it."""
    http_client = stripe.RequestsClient()
    yield stripe.StripeClient(
        STRIPE_TEST_CONFIG["STRIPE_SECRET_KEY"],
        base_addresses={"api": LOCALSTRIPE_URL},
        http_client=http_client,
    )
    http_client.close()


def _reference() -> str:
    return "PAY-T" + secrets.token_hex(5).upper()


def _started(provider: StripeProvider, amount_idr: int = 150_000) -> str:
    started = provider.start(
        PaymentRequest(
            reference=_reference(),
            amount_idr=amount_idr,
            description="Gotong GTTEST: Usaha Contoh",
            email="pembeli@contoh.id",
            metadata={"checkout": "GTTEST"},
        )
    )
    assert started.provider_ref is not None
    return started.provider_ref


# --- webhook payloads, signed the way Stripe (and localstripe) sign them ----------------------------------


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    t = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), b"%d.%s" % (t, payload), hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={signature}", "Content-Type": "application/json; charset=utf-8"}


def intent_event(
    event_type: str, intent_id: str, amount: int, *, error: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A PaymentIntent event shaped as localstripe sends it (``amount`` in Stripe's minor units)."""
    status = {
        "payment_intent.succeeded": "succeeded",
        "payment_intent.payment_failed": "requires_payment_method",
        "payment_intent.canceled": "canceled",
    }[event_type]
    return {
        "id": "evt_" + secrets.token_hex(7),
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2017-08-15",
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": "idr",
                "status": status,
                "last_payment_error": error,
                "metadata": {},
                **extra,
            }
        },
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, indent=2, sort_keys=True).encode()


def post_webhook(url: str, payload: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (our own local URL)
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


# --- configuration ------------------------------------------------------------------------------------------


def test_card_enabled_without_keys_is_a_clear_startup_error() -> None:
    config = {
        **TEST_CONFIG,
        "PAYMENT_METHODS": ["card", "cash"],
        "STRIPE_SECRET_KEY": "",
        "STRIPE_PUBLISHABLE_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
    }
    with pytest.raises(ConfigError) as raised:
        create_app(config)
    message = str(raised.value)
    for name in ("GOTONG_STRIPE_SECRET_KEY", "GOTONG_STRIPE_PUBLISHABLE_KEY", "GOTONG_STRIPE_WEBHOOK_SECRET"):
        assert name in message


def test_only_the_missing_key_is_named() -> None:
    with pytest.raises(ConfigError) as raised:
        StripeProvider.from_config({**STRIPE_TEST_CONFIG, "STRIPE_WEBHOOK_SECRET": "  "})
    assert "GOTONG_STRIPE_WEBHOOK_SECRET" in str(raised.value)
    assert "GOTONG_STRIPE_SECRET_KEY" not in str(raised.value)


@pytest.mark.parametrize(
    ("secret", "publishable", "complaint"),
    [
        ("pk_test_x", "pk_test_x", "secret key"),
        ("sk_test_x", "sk_test_x", "publishable key"),
        ("sk_live_x", "pk_test_x", "different modes"),
    ],
)
def test_swapped_or_mixed_keys_are_refused(secret: str, publishable: str, complaint: str) -> None:
    config = {**STRIPE_TEST_CONFIG, "STRIPE_SECRET_KEY": secret, "STRIPE_PUBLISHABLE_KEY": publishable}
    with pytest.raises(ConfigError, match=complaint):
        StripeProvider.from_config(config)


def test_the_test_app_offers_card_through_stripe(provider: StripeProvider) -> None:
    assert provider.code == "card"
    assert provider.settlement is Settlement.WHOLE_CHECKOUT
    assert provider.refunds_online and not provider.paid_on_handover
    assert provider.payment_template == "payments/card.html"
    assert provider.label() == "Kartu debit/kredit"
    assert "Stripe" in provider.description()
    assert provider.publishable_key() == "pk_test_gotong"
    assert provider.can_pay([make_business()])


# --- PaymentIntents -----------------------------------------------------------------------------------------


def test_start_creates_a_payment_intent_in_stripe_minor_units(
    provider: StripeProvider, stripe_client: stripe.StripeClient
) -> None:
    intent_id = _started(provider, 150_000)
    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    assert intent.amount == 15_000_000  # Rp150.000: IDR is two-decimal at Stripe
    assert intent.currency == "idr"
    assert intent.metadata["checkout"] == "GTTEST"
    assert intent.metadata["reference"].startswith("PAY-T")
    assert intent.status == "requires_payment_method"
    assert provider.client_secret(intent_id) == intent.client_secret


def test_a_good_card_succeeds(provider: StripeProvider, stripe_client: stripe.StripeClient) -> None:
    intent_id = _started(provider)
    result = provider.confirm(intent_id, card_token(VISA))
    assert result.state is ChargeState.SUCCEEDED
    assert result.failure_message is None
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"


def test_a_declined_card_fails_with_a_message_for_the_buyer(
    provider: StripeProvider, stripe_client: stripe.StripeClient
) -> None:
    intent_id = _started(provider)
    result = provider.confirm(intent_id, card_token(DECLINED))
    assert result.state is ChargeState.FAILED
    assert result.failure_message == "Kartu ditolak oleh bank penerbit. Coba kartu lain."
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "requires_payment_method"


def test_three_d_secure_is_finished_in_the_page(
    provider: StripeProvider, stripe_client: stripe.StripeClient
) -> None:
    intent_id = _started(provider)
    result = provider.confirm(intent_id, card_token(THREE_D_SECURE))
    assert result.state is ChargeState.REQUIRES_ACTION
    assert result.client_secret and result.client_secret.startswith(intent_id + "_secret_")
    body = authenticate(intent_id, result.client_secret, success=True)
    assert body["status"] == "succeeded"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"


def test_after_failed_authentication_the_buyer_can_try_another_card(provider: StripeProvider) -> None:
    intent_id = _started(provider)
    result = provider.confirm(intent_id, card_token(THREE_D_SECURE))
    assert authenticate(intent_id, str(result.client_secret), success=False)["status"] == (
        "requires_payment_method"
    )
    assert provider.confirm(intent_id, card_token(VISA)).state is ChargeState.SUCCEEDED


def test_confirming_an_already_paid_intent_reports_it_paid(provider: StripeProvider) -> None:
    intent_id = _started(provider)
    assert provider.confirm(intent_id, card_token(VISA)).state is ChargeState.SUCCEEDED
    # A second click with a new token: Stripe refuses to confirm again; the answer is the intent's state.
    assert provider.confirm(intent_id, card_token(VISA)).state is ChargeState.SUCCEEDED


@pytest.mark.parametrize("token", ["", "pm_card_visa", "tok_", "tok_../../v1/charges", "x" * 300])
def test_a_malformed_token_is_refused_before_calling_stripe(provider: StripeProvider, token: str) -> None:
    with pytest.raises(UnableToTakePayment):
        provider.confirm("pi_doesnotmatter", token)


def test_an_unknown_token_fails_the_attempt(provider: StripeProvider) -> None:
    intent_id = _started(provider)
    result = provider.confirm(intent_id, "tok_doesnotexist")
    assert result.state is ChargeState.FAILED
    assert result.failure_message


def test_an_unknown_intent_is_a_gateway_error(provider: StripeProvider) -> None:
    with pytest.raises(GatewayError) as raised:
        provider.confirm("pi_doesnotexist", card_token(VISA))
    assert "Stripe" not in raised.value.message  # user-safe, not Stripe's internals


def test_stripe_unreachable_is_a_gateway_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    offline = StripeProvider(
        "sk_test_gotong",
        "pk_test_gotong",
        WEBHOOK_SECRET,
        api_base=f"http://127.0.0.1:{port}",
        max_network_retries=0,
    )
    with pytest.raises(GatewayError):
        offline.start(PaymentRequest(reference=_reference(), amount_idr=1000, description="x"))


# --- cancel and refund -------------------------------------------------------------------------------------


def test_cancel_an_unpaid_intent(provider: StripeProvider, stripe_client: stripe.StripeClient) -> None:
    intent_id = _started(provider)
    assert provider.cancel(intent_id) is ChargeState.CANCELLED
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert provider.cancel(intent_id) is ChargeState.CANCELLED  # twice is harmless


def test_cancel_waiting_for_3ds(provider: StripeProvider, stripe_client: stripe.StripeClient) -> None:
    intent_id = _started(provider)
    assert provider.confirm(intent_id, card_token(THREE_D_SECURE)).state is ChargeState.REQUIRES_ACTION
    assert provider.cancel(intent_id) is ChargeState.CANCELLED
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"


def test_cancel_is_too_late_once_paid(provider: StripeProvider, stripe_client: stripe.StripeClient) -> None:
    intent_id = _started(provider)
    provider.confirm(intent_id, card_token(VISA))
    assert provider.cancel(intent_id) is ChargeState.SUCCEEDED
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"


def test_refund_part_of_a_payment(provider: StripeProvider, stripe_client: stripe.StripeClient) -> None:
    intent_id = _started(provider, 150_000)
    provider.confirm(intent_id, card_token(VISA))
    result = provider.refund(
        RefundRequest(intent_id, 50_000, idempotency_key="refund-TEST-1", reason="requested_by_customer")
    )
    assert result.provider_ref.startswith("re_")
    assert result.amount_idr == 50_000
    refund = stripe_client.v1.refunds.retrieve(result.provider_ref)
    assert refund.amount == 5_000_000
    assert refund.payment_intent == intent_id
    assert refund.metadata["reason"] == "requested_by_customer"


def test_an_unpaid_intent_cannot_be_refunded(provider: StripeProvider) -> None:
    intent_id = _started(provider)
    provider.confirm(intent_id, card_token(DECLINED))
    with pytest.raises(PaymentError):
        provider.refund(RefundRequest(intent_id, 1000, idempotency_key="refund-TEST-2"))


# --- webhook verification -----------------------------------------------------------------------------------


def test_a_signed_success_event_is_translated(provider: StripeProvider) -> None:
    event = intent_event("payment_intent.succeeded", "pi_abc123", 15_000_000, amount_received=15_000_000)
    payload = encode(event)
    parsed = provider.parse_webhook(payload, sign(payload))
    assert parsed.event_id == event["id"]
    assert parsed.event_type == "payment_intent.succeeded"
    assert parsed.kind is EventKind.PAYMENT_SUCCEEDED
    assert parsed.provider_ref == "pi_abc123"
    assert parsed.amount_idr == 150_000
    assert parsed.currency == "idr"


def test_failed_cancelled_and_other_events(provider: StripeProvider) -> None:
    error = {"code": "card_declined", "message": "Your card was declined."}
    failed = encode(intent_event("payment_intent.payment_failed", "pi_f", 100, error=error))
    parsed = provider.parse_webhook(failed, sign(failed))
    assert parsed.kind is EventKind.PAYMENT_FAILED
    assert parsed.failure_message == "Your card was declined."

    cancelled = encode(intent_event("payment_intent.canceled", "pi_c", 100))
    assert provider.parse_webhook(cancelled, sign(cancelled)).kind is EventKind.PAYMENT_CANCELLED

    other = encode({**intent_event("payment_intent.succeeded", "pi_o", 100), "type": "charge.refunded"})
    parsed = provider.parse_webhook(other, sign(other))
    assert parsed.kind is EventKind.OTHER
    assert parsed.event_type == "charge.refunded"


def test_the_signature_header_name_is_case_insensitive(provider: StripeProvider) -> None:
    payload = encode(intent_event("payment_intent.succeeded", "pi_abc", 100))
    headers = {k.lower(): v for k, v in sign(payload).items()}
    assert provider.parse_webhook(payload, headers).provider_ref == "pi_abc"


@pytest.mark.parametrize("forgery", ["wrong_secret", "tampered", "no_header", "stale", "garbage_header"])
def test_a_webhook_that_is_not_genuine_is_rejected(provider: StripeProvider, forgery: str) -> None:
    payload = encode(intent_event("payment_intent.succeeded", "pi_abc", 100))
    headers = sign(payload)
    if forgery == "wrong_secret":
        headers = sign(payload, secret="whsec_someone_else")
    elif forgery == "tampered":
        payload = payload.replace(b'"amount": 100', b'"amount": 1')
    elif forgery == "no_header":
        headers = {}
    elif forgery == "stale":
        headers = sign(payload, timestamp=int(time.time()) - 301)  # Stripe's default tolerance: 300 s
    elif forgery == "garbage_header":
        headers = {"Stripe-Signature": "t=soon,v1="}
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(payload, headers)


def test_a_signed_body_that_is_not_json_is_rejected(provider: StripeProvider) -> None:
    payload = b"\xff\xfenot json"
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(payload, {"Stripe-Signature": "t=1,v1=00"})
    payload = b"not json"
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(payload, sign(payload))


# --- the webhook endpoint (Flask test client) ---------------------------------------------------------------


def test_the_endpoint_answers_400_to_a_bad_signature(client) -> None:  # type: ignore[no-untyped-def]
    payload = encode(intent_event("payment_intent.succeeded", "pi_abc", 100))
    response = client.post("/webhooks/stripe", data=payload, headers=sign(payload, secret="whsec_nope"))
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_the_endpoint_stores_a_genuine_event_once(client) -> None:  # type: ignore[no-untyped-def]
    # No CSRF token: Stripe cannot have one; the signature authenticates the request.
    payload = encode(
        {**intent_event("payment_intent.succeeded", "pi_unknown", 100), "type": "customer.created"}
    )
    for _ in range(3):
        response = client.post("/webhooks/stripe", data=payload, headers=sign(payload))
        assert response.status_code == 200
        assert response.get_json() == {"received": True}
    rows = db.session.scalars(select(WebhookEvent)).all()
    assert [(r.provider, r.event_id, r.event_type) for r in rows] == [
        ("card", json.loads(payload)["id"], "customer.created")
    ]


def test_the_endpoint_is_404_when_card_payments_are_off() -> None:
    other = create_app({**TEST_CONFIG, "PAYMENT_METHODS": ["bank_transfer", "cash"]})
    payload = encode(intent_event("payment_intent.succeeded", "pi_abc", 100))
    try:
        response = other.test_client().post("/webhooks/stripe", data=payload, headers=sign(payload))
        assert response.status_code == 404
    finally:
        with other.app_context():
            db.engine.dispose()


# --- orders paid by card: checkout → Stripe → webhook → paid ------------------------------------------------


def _place_card_order(*, sellers: int = 1, quantity: int = 2) -> Checkout:
    """A guest checkout paid by card (one payment for every seller's order), its PaymentIntent made."""
    items = {}
    for n in range(sellers):
        product = make_product(
            make_business(), title=f"Keripik Tempe {n}", slug=f"keripik-tempe-{n}", price_idr=25_000 * (n + 1)
        )
        items[product.id] = quantity
    data = order_services.CheckoutData(
        contact_name="Budi Santoso",
        contact_email="budi@contoh.id",
        contact_phone="+6281234567890",
        delivery_method=DeliveryMethod.PICKUP,
        payment_method="card",
    )
    checkout = order_services.place_order(None, items, data, order_services.build_cart(items).digest())
    payment_services.ensure_started(checkout.payments[0], f"Gotong {checkout.reference}", data.contact_email)
    return checkout


def _commit(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run a write as a unit of its own and commit it, as a request would (BEGIN IMMEDIATE on SQLite)."""
    db.session.rollback()
    with write_unit():
        result = fn(*args, **kwargs)
        db.session.commit()
    return result


def _orders(reference: str) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order).join(Checkout).where(Checkout.reference == reference).order_by(Order.id)
        )
    )


def _all_paid(reference: str) -> bool:
    orders = _orders(reference)
    return bool(orders) and all(o.status is OrderStatus.PAID for o in orders)


def _payments(reference: str) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment).join(Checkout).where(Checkout.reference == reference).order_by(Payment.id)
        )
    )


def _events(provider_ref: str) -> list[WebhookEvent]:
    return list(db.session.scalars(select(WebhookEvent).where(WebhookEvent.provider_ref == provider_ref)))


def _pay_and_wait(reference: str, number: str = VISA) -> Payment:
    """The buyer pays the latest attempt; the order waits for localstripe's webhook to reach the server."""
    payment = _payments(reference)[-1]
    result = _commit(
        lambda: payment_services.confirm_card(payment_services.lock(payment), card_token(number))
    )
    assert result.state is ChargeState.SUCCEEDED
    assert _payments(reference)[-1].status is PaymentStatus.PROCESSING  # not paid until the webhook says so
    wait_for(lambda: _all_paid(reference))
    return _payments(reference)[-1]


def _delivered_event(intent_id: str, event_type: str) -> dict[str, Any]:
    """The event localstripe made (and delivered) for this intent, as it sent it."""
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


@pytest.mark.committing
def test_card_checkout_is_paid_by_the_webhook_from_stripe(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order, sellers=2)
    reference, total = checkout.reference, checkout.total_idr
    assert total == 2 * 25_000 + 2 * 50_000
    payment = _pay_and_wait(reference)

    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount_idr == total
    assert payment.succeeded_at is not None
    assert [o.status for o in _orders(reference)] == [OrderStatus.PAID, OrderStatus.PAID]
    assert all(o.paid_at is not None and o.expires_at is None for o in _orders(reference))
    assert [e.event_type for e in _events(str(payment.provider_ref))] == ["payment_intent.succeeded"]
    status, intent = http("GET", f"/v1/payment_intents/{payment.provider_ref}", secret=True)
    assert status == 200
    assert intent["amount"] == total * 100


@pytest.mark.committing
def test_a_webhook_replayed_twenty_times_pays_once(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order)
    reference = checkout.reference
    payment = _pay_and_wait(reference)
    intent_id = str(payment.provider_ref)
    event = _delivered_event(intent_id, "payment_intent.succeeded")
    payload = encode(event)

    # Stripe retries, a proxy duplicates, all at once: every copy is answered 200 and counted once.
    with ThreadPoolExecutor(max_workers=5) as pool:
        codes = list(pool.map(lambda _: post_webhook(stripe_webhooks, payload, sign(payload)), range(20)))
    assert codes == [200] * 20

    db.session.rollback()
    assert [e.event_id for e in _events(intent_id)] == [event["id"]]
    assert len(_payments(reference)) == 1
    assert _payments(reference)[0].status is PaymentStatus.SUCCEEDED
    (order,) = _orders(reference)
    assert order.status is OrderStatus.PAID
    paid_events = db.session.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == OrderStatus.PAID)
    )
    assert paid_events == 1


@pytest.mark.committing
def test_a_failure_reported_after_the_success_changes_nothing(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order)
    reference, total = checkout.reference, checkout.total_idr
    payment = _pay_and_wait(reference)
    late = encode(
        intent_event(
            "payment_intent.payment_failed",
            str(payment.provider_ref),
            total * 100,
            error={"code": "card_declined", "message": "Your card was declined."},
        )
    )
    assert post_webhook(stripe_webhooks, late, sign(late)) == 200

    db.session.rollback()
    assert _payments(reference)[0].status is PaymentStatus.SUCCEEDED
    assert _payments(reference)[0].failure_message is None
    assert [o.status for o in _orders(reference)] == [OrderStatus.PAID]
    assert len(_events(str(payment.provider_ref))) == 2  # both stored, only the success acted on


@pytest.mark.committing
def test_a_success_reported_after_a_failure_makes_it_paid(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order)
    reference, total = checkout.reference, checkout.total_idr
    intent_id = str(_payments(reference)[0].provider_ref)
    failed = encode(
        intent_event(
            "payment_intent.payment_failed",
            intent_id,
            total * 100,
            error={"code": "card_declined", "message": "Your card was declined."},
        )
    )
    assert post_webhook(stripe_webhooks, failed, sign(failed)) == 200
    db.session.rollback()
    assert _payments(reference)[0].status is PaymentStatus.FAILED
    assert _payments(reference)[0].failure_message == "Your card was declined."
    assert [o.status for o in _orders(reference)] == [OrderStatus.PENDING_PAYMENT]

    succeeded = encode(
        intent_event("payment_intent.succeeded", intent_id, total * 100, amount_received=total * 100)
    )
    assert post_webhook(stripe_webhooks, succeeded, sign(succeeded)) == 200
    db.session.rollback()
    assert _payments(reference)[0].status is PaymentStatus.SUCCEEDED
    assert [o.status for o in _orders(reference)] == [OrderStatus.PAID]


@pytest.mark.committing
def test_a_success_for_the_wrong_amount_does_not_pay(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order)
    reference, total = checkout.reference, checkout.total_idr
    intent_id = str(_payments(reference)[0].provider_ref)
    short = encode(intent_event("payment_intent.succeeded", intent_id, (total - 1) * 100))
    assert post_webhook(stripe_webhooks, short, sign(short)) == 200
    db.session.rollback()
    assert [o.status for o in _orders(reference)] == [OrderStatus.PENDING_PAYMENT]
    assert _payments(reference)[0].status is PaymentStatus.PENDING


@pytest.mark.committing
def test_a_declined_card_leaves_the_order_payable_with_a_fresh_attempt(stripe_webhooks: str) -> None:
    checkout = _commit(_place_card_order)
    reference = checkout.reference
    first = _payments(reference)[0]
    result = _commit(
        lambda: payment_services.confirm_card(payment_services.lock(first), card_token(DECLINED))
    )
    assert result.state is ChargeState.FAILED
    assert result.failure_message == "Kartu ditolak oleh bank penerbit. Coba kartu lain."
    # localstripe also reports the failure by webhook; it must not break anything.
    wait_for(lambda: _events(str(first.provider_ref)))
    db.session.rollback()
    assert _payments(reference)[0].status is PaymentStatus.FAILED
    assert [o.status for o in _orders(reference)] == [OrderStatus.PENDING_PAYMENT]

    def retry() -> Payment:
        fresh = order_services.payable_payment(db.session.get(Checkout, checkout.id))  # type: ignore[arg-type]
        assert fresh is not None
        return payment_services.ensure_started(fresh, "Gotong retry", None)

    fresh = _commit(retry)
    assert fresh.provider_ref and fresh.provider_ref != first.provider_ref
    payment = _pay_and_wait(reference)
    assert payment.id == fresh.id
    assert payment.status is PaymentStatus.SUCCEEDED


@pytest.mark.committing
def test_cancelling_a_paid_card_order_refunds_it_through_stripe(stripe_webhooks: str) -> None:
    buyer = _commit(make_user, "Pembeli Kartu")
    checkout = _commit(_place_card_order, sellers=2)
    reference = checkout.reference
    payment = _pay_and_wait(reference)
    first, second = _orders(reference)

    _commit(lambda: order_services.cancel_order(buyer, first, "Salah pilih ukuran", by="buyer"))

    db.session.rollback()
    first, second = _orders(reference)
    assert first.status is OrderStatus.REFUNDED
    assert second.status is OrderStatus.PAID
    (refund,) = db.session.scalars(select(Refund).where(Refund.payment_id == payment.id)).all()
    assert refund.order_id == first.id
    assert refund.amount_idr == first.total_idr
    assert refund.provider_ref and refund.provider_ref.startswith("re_")
    assert _payments(reference)[0].refunded_idr == first.total_idr
    assert _payments(reference)[0].status is PaymentStatus.SUCCEEDED  # the other order's share stays paid

    status, refunds = http("GET", f"/v1/refunds?payment_intent={payment.provider_ref}", secret=True)
    assert status == 200
    assert [(r["id"], r["amount"]) for r in refunds["data"]] == [(refund.provider_ref, first.total_idr * 100)]


# --- attempts that cover changed orders (found in review) ---


def _two_seller_card_checkout() -> Checkout:
    items = {}
    for n in range(2):
        product = make_product(
            make_business(), title=f"Kain {n}", slug=f"kain-{n}", price_idr=25_000 * (n + 1)
        )
        items[product.id] = 2
    data = order_services.CheckoutData(
        "Budi", "b@contoh.id", "+6281234567890", DeliveryMethod.PICKUP, payment_method="card"
    )
    checkout = order_services.place_order(None, items, data, order_services.build_cart(items).digest())
    payment_services.ensure_started(checkout.payments[0], "Gotong", None)
    return checkout


def _succeed(payment: Payment, event_id: str) -> None:
    payment_services.confirm_card(payment_services.lock(payment), card_token())
    order_services.apply_provider_event(
        "card",
        ProviderEvent(
            event_id,
            "payment_intent.succeeded",
            EventKind.PAYMENT_SUCCEEDED,
            provider_ref=payment.provider_ref,
            amount_idr=payment.amount_idr,
            currency="idr",
        ),
    )


@pytest.mark.parametrize("cancelled", [0, 1], ids=["smaller-cancelled", "bigger-cancelled"])
def test_a_new_attempt_covers_only_the_orders_still_waiting(localstripe, cancelled) -> None:  # type: ignore[no-untyped-def]
    checkout = _two_seller_card_checkout()
    first = checkout.payments[0]
    gone, kept = checkout.orders[cancelled], checkout.orders[1 - cancelled]
    order_services.cancel_order(None, gone, "", by="buyer")
    second = order_services.payable_payment(checkout)
    assert second.id != first.id and second.amount_idr == kept.total_idr
    assert [o.id for o in second.orders] == [kept.id]
    assert first.status is PaymentStatus.CANCELLED
    payment_services.ensure_started(second, "Gotong", None)
    _succeed(second, f"evt_cover_{cancelled}")
    assert kept.status is OrderStatus.PAID
    assert gone.status is OrderStatus.CANCELLED
    assert db.session.scalars(select(Refund)).all() == []


def test_a_declined_attempt_is_stopped_before_a_new_one_and_a_double_payment_is_refunded(
    localstripe,  # type: ignore[no-untyped-def]
) -> None:
    checkout = _two_seller_card_checkout()
    first = checkout.payments[0]
    order_services.apply_provider_event(
        "card",
        ProviderEvent(
            "evt_declined",
            "payment_intent.payment_failed",
            EventKind.PAYMENT_FAILED,
            provider_ref=first.provider_ref,
            failure_message="declined",
        ),
    )
    second = order_services.payable_payment(checkout)
    assert second.id != first.id and first.status is PaymentStatus.CANCELLED
    _status, intent = http("GET", f"/v1/payment_intents/{first.provider_ref}", secret=True)
    assert intent["status"] == "canceled"  # the old intent can no longer be paid
    payment_services.ensure_started(second, "Gotong", None)
    _succeed(second, "evt_second")
    assert all(o.status is OrderStatus.PAID for o in checkout.orders)
    # Had the first attempt been paid anyway (a provider's late success), the money would go back:
    third = payment_services.new_payment(checkout, "card", checkout.total_idr, covers=list(checkout.orders))
    payment_services.ensure_started(third, "Gotong", None)
    _succeed(third, "evt_third")
    refunds = db.session.scalars(select(Refund).where(Refund.payment_id == third.id)).all()
    assert sorted(r.amount_idr for r in refunds) == sorted(o.total_idr for o in checkout.orders)
    assert third.status is PaymentStatus.REFUNDED
