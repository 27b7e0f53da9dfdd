"""Provider webhooks: verify on the raw body, hand the event to the order services, commit once.

Exempt from CSRF (Stripe cannot hold our token); the signature is the authentication. A 2xx tells Stripe to
stop resending, so it is answered only after the commit; an error answers 500 and Stripe retries later, which
is safe because every event is stored once and applying it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from marketplace.extensions import csrf, db
from marketplace.payments import registry
from marketplace.payments.base import OnlinePaymentProvider, PaymentError, ProviderEvent, WebhookRejected

log = logging.getLogger("gotong.payments.webhooks")

bp = Blueprint("webhooks", __name__)

#: ``handler(provider_code, event) -> bool``: True when the event was about one of the handler's payments
#: (applied, or a replay it recognised). Registered by the packages that own such payments at start-up.
EVENT_HANDLERS: list[Callable[[str, ProviderEvent], bool]] = []


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook() -> ResponseReturnValue:
    try:
        provider = registry.get("card")
    except PaymentError:
        return jsonify(error="card payments are not enabled"), 404
    if not isinstance(provider, OnlinePaymentProvider):
        return jsonify(error="card payments are not enabled"), 404
    try:
        event = provider.parse_webhook(request.get_data(cache=False), request.headers)
    except WebhookRejected as exc:
        log.warning("Rejected a Stripe webhook from %s: %s", request.remote_addr, exc)
        return jsonify(error="invalid signature or payload"), 400

    from marketplace.orders import services as order_services

    # Other payment owners (buying coalitions) claim the events about their own payments first.
    if not any(handler("card", event) for handler in EVENT_HANDLERS):
        order_services.apply_provider_event("card", event)
    db.session.commit()
    return jsonify(received=True), 200
