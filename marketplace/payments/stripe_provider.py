"""Card payments through Stripe PaymentIntents. The only module that imports ``stripe``.

The buyer's browser tokenises the card with Stripe.js (the card number never reaches Gotong); the server
attaches the token's card to the PaymentIntent and confirms it. Whatever ``confirm`` answers, an order becomes
paid only from the verified ``payment_intent.succeeded`` webhook (see ``parse_webhook``).

Amounts cross this boundary as whole rupiah; Stripe counts IDR in hundredths (``money.to_stripe_amount``).
Calls send only the parameters localstripe (the test stand-in) also accepts, so the tests exercise the very
requests production makes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import stripe
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.config import ConfigError
from marketplace.money import from_stripe_amount, to_stripe_amount
from marketplace.payments.base import (
    ChargeResult,
    ChargeState,
    EventKind,
    GatewayError,
    PaymentError,
    PaymentRequest,
    PaymentStarted,
    ProviderEvent,
    RefundRequest,
    RefundResult,
    Settlement,
    UnableToTakePayment,
    WebhookRejected,
)

log = logging.getLogger("gotong.payments.stripe")

# Stripe ids are a prefix and letters/digits; checking the shape before a call keeps arbitrary input out of
# request paths and saves a round trip for garbage.
_TOKEN_ID = re.compile(r"^tok_[A-Za-z0-9_]{1,200}$")
_PAYMENT_INTENT_ID = re.compile(r"^pi_[A-Za-z0-9_]{1,200}$")

# A PaymentIntent can be cancelled only in these states (Stripe's rule, mirrored by localstripe).
_CANCELLABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)

# Stripe's decline / error codes → what the buyer can do about it. Anything unlisted gets the generic decline.
_CARD_MESSAGES = {
    "card_declined": _l("Kartu ditolak oleh bank penerbit. Coba kartu lain."),
    "generic_decline": _l("Kartu ditolak oleh bank penerbit. Coba kartu lain."),
    "insufficient_funds": _l("Saldo atau limit kartu tidak mencukupi. Coba kartu lain."),
    "lost_card": _l("Kartu ditolak oleh bank penerbit. Coba kartu lain."),
    "stolen_card": _l("Kartu ditolak oleh bank penerbit. Coba kartu lain."),
    "expired_card": _l("Kartu sudah kedaluwarsa. Periksa masa berlaku atau pakai kartu lain."),
    "incorrect_cvc": _l("Kode CVC kartu salah. Periksa tiga angka di belakang kartu."),
    "invalid_cvc": _l("Kode CVC kartu salah. Periksa tiga angka di belakang kartu."),
    "incorrect_number": _l("Nomor kartu tidak valid. Periksa kembali nomor kartu."),
    "invalid_number": _l("Nomor kartu tidak valid. Periksa kembali nomor kartu."),
    "invalid_expiry_month": _l("Masa berlaku kartu tidak valid."),
    "invalid_expiry_year": _l("Masa berlaku kartu tidak valid."),
    "processing_error": _l("Bank sedang tidak dapat memproses kartu. Coba lagi sebentar lagi."),
    "authentication_required": _l("Bank meminta verifikasi kartu. Coba lagi dan selesaikan verifikasinya."),
    "payment_intent_authentication_failure": _l(
        "Verifikasi kartu (3-D Secure) gagal atau dibatalkan. Coba lagi atau pakai kartu lain."
    ),
}


def card_message(code: str | None, decline_code: str | None = None) -> str:
    """A user-safe, translated message for Stripe's error ``code`` / ``decline_code``."""
    for key in (decline_code, code):
        if key and key in _CARD_MESSAGES:
            return str(_CARD_MESSAGES[key])
    return str(_CARD_MESSAGES["card_declined"])


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict is case-sensitive; HTTP header names are not
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _gateway_error(exc: stripe.StripeError, doing: str) -> GatewayError:
    # The buyer sees a generic message; the log keeps Stripe's own (request id included) for us.
    log.warning("Stripe call failed while %s: %s (request %s)", doing, exc, getattr(exc, "request_id", None))
    return GatewayError(_("Layanan pembayaran kartu sedang bermasalah. Coba lagi beberapa saat lagi."))


class StripeProvider:
    code = "card"
    settlement = Settlement.WHOLE_CHECKOUT
    refunds_online = True
    paid_on_handover = False
    accepts_proof = False
    ttl_setting = "ORDER_PAYMENT_TTL_MINUTES"
    payment_template = "payments/card.html"

    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        *,
        api_base: str = "",
        max_network_retries: int = 2,
        timeout: tuple[float, float] = (10.0, 40.0),
    ) -> None:
        self._publishable_key = publishable_key
        self._webhook_secret = webhook_secret
        # Retries resend POSTs with the same idempotency key, so a retried create or refund happens once.
        # The read timeout is shorter than the library's 80 s: a buyer is waiting on a phone.
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StripeProvider:
        """Build from app.config; a missing or malformed key is a start-up error that says what to set."""
        required = {
            "STRIPE_SECRET_KEY": "GOTONG_STRIPE_SECRET_KEY (or STRIPE_SECRET_KEY)",
            "STRIPE_PUBLISHABLE_KEY": "GOTONG_STRIPE_PUBLISHABLE_KEY (or STRIPE_PUBLISHABLE_KEY)",
            "STRIPE_WEBHOOK_SECRET": "GOTONG_STRIPE_WEBHOOK_SECRET (or STRIPE_WEBHOOK_SECRET)",
        }
        missing = [env for key, env in required.items() if not str(config.get(key) or "").strip()]
        if missing:
            raise ConfigError(
                "Card payments are enabled (GOTONG_PAYMENT_METHODS includes 'card') but "
                + ", ".join(missing)
                + (" is" if len(missing) == 1 else " are")
                + " not set. Copy them from the Stripe dashboard (Developers → API keys, and the webhook "
                "endpoint's signing secret), or remove 'card' from GOTONG_PAYMENT_METHODS."
            )
        secret = config["STRIPE_SECRET_KEY"].strip()
        publishable = config["STRIPE_PUBLISHABLE_KEY"].strip()
        if not secret.startswith(("sk_", "rk_")):
            raise ConfigError("GOTONG_STRIPE_SECRET_KEY must be a Stripe secret key (sk_... or rk_...).")
        if not publishable.startswith("pk_"):
            raise ConfigError("GOTONG_STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_...).")
        if ("_live_" in secret) != ("_live_" in publishable):
            raise ConfigError(
                "GOTONG_STRIPE_SECRET_KEY and GOTONG_STRIPE_PUBLISHABLE_KEY belong to different modes "
                "(one live, one test): take both from the same Stripe dashboard mode."
            )
        return cls(
            secret,
            publishable,
            config["STRIPE_WEBHOOK_SECRET"].strip(),
            api_base=str(config.get("STRIPE_API_BASE") or "").rstrip("/"),
        )

    # --- what the buyer sees ------------------------------------------------------------------------------

    def label(self) -> str:
        return _("Kartu debit/kredit")

    def description(self) -> str:
        return _(
            "Bayar langsung dengan kartu Visa, Mastercard atau JCB. Data kartu diproses aman oleh Stripe."
        )

    def can_pay(self, sellers: Sequence[Any]) -> bool:
        return True  # the platform collects for every seller

    def publishable_key(self) -> str:
        return self._publishable_key

    # --- payment ------------------------------------------------------------------------------------------

    def start(self, request: PaymentRequest) -> PaymentStarted:
        return self._create(request, manual_capture=False)

    def authorize(self, request: PaymentRequest) -> PaymentStarted:
        """A PaymentIntent with manual capture: confirming it reserves the amount on the card (a hold)."""
        return self._create(request, manual_capture=True)

    def _create(self, request: PaymentRequest, *, manual_capture: bool) -> PaymentStarted:
        extra: dict[str, Any] = {"capture_method": "manual"} if manual_capture else {}
        try:
            intent = self._client.v1.payment_intents.create(
                {
                    **extra,
                    "amount": to_stripe_amount(request.amount_idr),
                    "currency": "idr",
                    "payment_method_types": ["card"],
                    # Stripe's ``description`` / ``receipt_email`` are refused by localstripe; the metadata
                    # carries what the dashboard needs to find the checkout.
                    "metadata": {
                        **request.metadata,
                        "reference": request.reference,
                        "description": request.description[:500],
                    },
                },
                {"idempotency_key": "pi-" + request.reference},
            )
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "creating a PaymentIntent") from exc
        return PaymentStarted(provider_ref=intent.id)

    def client_secret(self, provider_ref: str) -> str:
        return str(self._retrieve(provider_ref).client_secret)

    def confirm(self, provider_ref: str, token: str) -> ChargeResult:
        if not isinstance(token, str) or not _TOKEN_ID.match(token):
            raise UnableToTakePayment(_("Data kartu tidak terbaca. Isi ulang data kartu lalu coba lagi."))
        self._check_ref(provider_ref)
        unreadable = _("Data kartu tidak terbaca. Isi ulang data kartu lalu coba lagi.")
        try:
            card = self._client.v1.tokens.retrieve(token).card
        except stripe.InvalidRequestError:
            return ChargeResult(ChargeState.FAILED, failure_message=unreadable)  # unknown or expired token
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "reading a card token") from exc
        if card is None:
            return ChargeResult(ChargeState.FAILED, failure_message=unreadable)
        intents = self._client.v1.payment_intents
        try:
            # The payment method is set by an update, not passed to confirm: localstripe answers 500 to the
            # latter. One token is one attempt, so it keys both calls (a double click is the same attempt).
            intents.update(
                provider_ref, {"payment_method": card.id}, {"idempotency_key": f"pm-{provider_ref}-{token}"}
            )
            intent = intents.confirm(
                provider_ref, options={"idempotency_key": f"confirm-{provider_ref}-{token}"}
            )
        except stripe.CardError as exc:
            return ChargeResult(
                ChargeState.FAILED,
                failure_message=card_message(exc.code, getattr(exc.error, "decline_code", None)),
            )
        except stripe.InvalidRequestError as exc:
            # Usually the intent is no longer confirmable (already paid, or a second click raced the first):
            # its current state is the answer. Otherwise it is our bug or Stripe's, not the buyer's.
            intent = self._retrieve(provider_ref)
            if intent.status in ("succeeded", "processing", "requires_action", "canceled"):
                return self._result(intent)
            raise _gateway_error(exc, "confirming a PaymentIntent") from exc
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "confirming a PaymentIntent") from exc
        return self._result(intent)

    def cancel(self, provider_ref: str) -> ChargeState:
        self._check_ref(provider_ref)
        intent = self._retrieve(provider_ref)
        if intent.status in _CANCELLABLE:
            try:
                intent = self._client.v1.payment_intents.cancel(provider_ref)
            except stripe.InvalidRequestError:
                # It moved on between our read and the cancel (e.g. the buyer's 3-D Secure just finished).
                intent = self._retrieve(provider_ref)
            except stripe.StripeError as exc:
                raise _gateway_error(exc, "cancelling a PaymentIntent") from exc
        return {
            "succeeded": ChargeState.SUCCEEDED,
            "canceled": ChargeState.CANCELLED,
            "processing": ChargeState.PROCESSING,
        }.get(intent.status, ChargeState.PROCESSING)

    def capture(self, provider_ref: str, amount_idr: int, idempotency_key: str) -> ChargeState:
        self._check_ref(provider_ref)
        intent = self._retrieve(provider_ref)
        if intent.status == "succeeded":  # captured already (a retry after a lost answer)
            return ChargeState.SUCCEEDED
        if intent.status != "requires_capture":
            raise UnableToTakePayment(
                _("Dana yang ditahan di kartu sudah tidak tersedia (dilepas atau kedaluwarsa).")
            )
        try:
            intent = self._client.v1.payment_intents.capture(
                provider_ref,
                {"amount_to_capture": to_stripe_amount(amount_idr)},
                {"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as exc:
            log.warning("Stripe refused to capture %s: %s", provider_ref, exc)
            raise UnableToTakePayment(
                _("Dana yang ditahan di kartu sudah tidak tersedia (dilepas atau kedaluwarsa).")
            ) from exc
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "capturing a PaymentIntent") from exc
        return self._result(intent).state

    def state(self, provider_ref: str) -> ChargeResult:
        return self._result(self._retrieve(provider_ref))

    def refund(self, request: RefundRequest) -> RefundResult:
        self._check_ref(request.provider_ref)
        # Stripe's ``reason`` takes a fixed vocabulary and localstripe refuses it; ours goes in the metadata.
        params: dict[str, Any] = {
            "payment_intent": request.provider_ref,
            "amount": to_stripe_amount(request.amount_idr),
        }
        if request.reason:
            params["metadata"] = {"reason": request.reason[:500]}
        try:
            refund = self._client.v1.refunds.create(params, {"idempotency_key": request.idempotency_key})
        except stripe.InvalidRequestError as exc:
            log.warning("Stripe refused a refund of %s: %s", request.provider_ref, exc)
            raise PaymentError(
                _("Stripe menolak pengembalian dana untuk pembayaran ini. Hubungi admin Gotong.")
            ) from exc
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "refunding") from exc
        return RefundResult(provider_ref=refund.id, amount_idr=from_stripe_amount(refund.amount))

    # --- webhooks -----------------------------------------------------------------------------------------

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = _header(headers, "Stripe-Signature")
        try:
            # Verified on the raw bytes as received: re-serialised JSON would not match the signature.
            event = self._client.construct_event(payload, signature, self._webhook_secret).to_dict()
            obj = event["data"]["object"]
            event_id, event_type = str(event["id"]), str(event["type"])
        except (stripe.SignatureVerificationError, ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected(str(exc)) from exc
        return self._translate(event_id, event_type, obj)

    @staticmethod
    def _translate(event_id: str, event_type: str, obj: Mapping[str, Any]) -> ProviderEvent:
        kinds = {
            "payment_intent.succeeded": EventKind.PAYMENT_SUCCEEDED,
            "payment_intent.payment_failed": EventKind.PAYMENT_FAILED,
            "payment_intent.canceled": EventKind.PAYMENT_CANCELLED,
            "payment_intent.amount_capturable_updated": EventKind.PAYMENT_AUTHORIZED,
        }
        kind = kinds.get(event_type, EventKind.OTHER)
        if kind is EventKind.OTHER or not isinstance(obj, Mapping) or obj.get("object") != "payment_intent":
            ref = obj.get("id") if isinstance(obj, Mapping) else None
            return ProviderEvent(event_id, event_type, EventKind.OTHER, provider_ref=ref)
        amount = obj.get("amount_received") or obj.get("amount")
        if kind is EventKind.PAYMENT_AUTHORIZED:
            amount = obj.get("amount_capturable") or obj.get("amount")
        failure = None
        if kind is EventKind.PAYMENT_FAILED:
            # Stripe's own text (English, written for cardholders); card_message(code) gives ours if wanted.
            failure = (obj.get("last_payment_error") or {}).get("message")
        currency = obj.get("currency")
        return ProviderEvent(
            event_id=event_id,
            event_type=event_type,
            kind=kind,
            provider_ref=obj.get("id"),
            amount_idr=from_stripe_amount(amount) if amount is not None else None,
            currency=currency.lower() if isinstance(currency, str) else None,
            failure_message=failure,
        )

    # --- helpers ------------------------------------------------------------------------------------------

    @staticmethod
    def _check_ref(provider_ref: str) -> None:
        if not isinstance(provider_ref, str) or not _PAYMENT_INTENT_ID.match(provider_ref):
            raise GatewayError(_("Pembayaran ini tidak bisa dilanjutkan. Muat ulang halaman."))

    def _retrieve(self, provider_ref: str) -> stripe.PaymentIntent:
        self._check_ref(provider_ref)
        try:
            return self._client.v1.payment_intents.retrieve(provider_ref)
        except stripe.StripeError as exc:
            raise _gateway_error(exc, "reading a PaymentIntent") from exc

    @staticmethod
    def _result(intent: stripe.PaymentIntent) -> ChargeResult:
        status = intent.status
        if status == "succeeded":
            return ChargeResult(ChargeState.SUCCEEDED)
        if status == "requires_capture":
            return ChargeResult(ChargeState.AUTHORIZED)
        if status == "processing":
            return ChargeResult(ChargeState.PROCESSING)
        if status == "requires_action":
            return ChargeResult(ChargeState.REQUIRES_ACTION, client_secret=intent.client_secret)
        if status == "canceled":
            return ChargeResult(ChargeState.CANCELLED)
        # requires_payment_method after a confirm: the attempt failed (e.g. authentication refused).
        error = getattr(intent, "last_payment_error", None)
        return ChargeResult(
            ChargeState.FAILED,
            failure_message=card_message(getattr(error, "code", None), getattr(error, "decline_code", None)),
        )
