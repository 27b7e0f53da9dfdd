"""The payment provider protocol: what checkout and the order services know about a way of paying.

A provider is chosen by its ``code`` (stored on the checkout and the payment). Checkout never branches on a
method: it asks the registry which providers can pay for these sellers, and then calls ``start``. A new
method (QRIS, a virtual account, an e-wallet) is a new class here plus its payment-page template; nothing in
checkout changes. Data goes in and out as frozen dataclasses; only ``stripe_provider`` imports ``stripe``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from marketplace.errors import DomainError


class PaymentError(DomainError):
    """A payment could not be made; ``message`` is safe to show the buyer."""


class UnableToTakePayment(PaymentError):
    """The provider refused the payment itself (a declined card, failed authentication)."""


class GatewayError(PaymentError):
    """The provider could not be reached or answered with an error that is not the buyer's doing."""


class WebhookRejected(Exception):
    """A webhook that is not genuine (bad signature, stale timestamp, unreadable body): answered 400."""


class Settlement(StrEnum):
    """How a method collects money for a checkout."""

    WHOLE_CHECKOUT = "whole_checkout"  # one payment for every order (card: the platform collects)
    PER_ORDER = "per_order"  # one payment per order, straight to its seller (transfer, cash)


@dataclass(frozen=True)
class PaymentRequest:
    reference: str  # our unique reference; also the idempotency key with the provider
    amount_idr: int
    description: str
    email: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentStarted:
    """What ``start`` returns: the provider's id for the payment (None for manual methods)."""

    provider_ref: str | None


class ChargeState(StrEnum):
    SUCCEEDED = "succeeded"  # still awaits the webhook before the order counts as paid
    PROCESSING = "processing"
    REQUIRES_ACTION = "requires_action"  # e.g. 3-D Secure, finished in the page
    AUTHORIZED = "authorized"  # a hold (manual capture): the money is reserved, to be captured or released
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ChargeResult:
    state: ChargeState
    client_secret: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundRequest:
    provider_ref: str
    amount_idr: int
    idempotency_key: str
    reason: str = ""


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str
    amount_idr: int


class EventKind(StrEnum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_CANCELLED = "payment_cancelled"
    PAYMENT_AUTHORIZED = "payment_authorized"  # a hold became capturable
    OTHER = "other"


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, in our terms."""

    event_id: str
    event_type: str
    kind: EventKind
    provider_ref: str | None = None
    amount_idr: int | None = None
    currency: str | None = None
    failure_message: str | None = None


@runtime_checkable
class PaymentProvider(Protocol):
    code: str
    settlement: Settlement
    refunds_online: bool  # refunds go back through the provider (card) rather than by hand
    paid_on_handover: bool  # the seller prepares the order before it is paid (cash on pickup / COD)
    accepts_proof: bool  # the buyer uploads a proof of payment that the seller confirms (bank transfer)
    ttl_setting: str  # the config key: minutes an unpaid order keeps its stock
    payment_template: str  # the payment page's body: templates/payments/<...>.html

    def label(self) -> str: ...

    def description(self) -> str: ...

    def can_pay(self, sellers: Sequence[Any]) -> bool:
        """Whether this method can pay these businesses (a transfer needs every seller's account)."""
        ...

    def start(self, request: PaymentRequest) -> PaymentStarted: ...

    def cancel(self, provider_ref: str) -> ChargeState:
        """Stop an unfinished payment; returns the state it ended in (SUCCEEDED if it was too late)."""
        ...

    def refund(self, request: RefundRequest) -> RefundResult: ...


@runtime_checkable
class OnlinePaymentProvider(PaymentProvider, Protocol):
    """A provider the buyer pays in the page and that reports the outcome by webhook (card; later QRIS...)."""

    def publishable_key(self) -> str: ...

    def confirm(self, provider_ref: str, token: str) -> ChargeResult:
        """Confirm the payment with what the page tokenised (a Stripe.js card token)."""
        ...

    def client_secret(self, provider_ref: str) -> str: ...

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify the signature on the raw body and translate the event; raises WebhookRejected."""
        ...


@runtime_checkable
class HoldingPaymentProvider(OnlinePaymentProvider, Protocol):
    """An online provider that can reserve money now and take it later (card holds for buying coalitions).

    ``authorize`` creates a payment that, once confirmed with ``confirm``, ends AUTHORIZED instead of paid;
    ``capture`` takes up to the authorized amount (the rest is released); ``cancel`` releases all of it.
    The provider may allow more than our rules do (capturing a released hold): callers guard with their own
    state machine (``coalitions.payments``).
    """

    def authorize(self, request: PaymentRequest) -> PaymentStarted: ...

    def capture(self, provider_ref: str, amount_idr: int, idempotency_key: str) -> ChargeState:
        """Take ``amount_idr`` of an authorized payment; raises UnableToTakePayment when it can't be taken
        any more (expired, released) and GatewayError when the provider can't be reached."""
        ...

    def state(self, provider_ref: str) -> ChargeResult:
        """The payment's current state, read from the provider."""
        ...
