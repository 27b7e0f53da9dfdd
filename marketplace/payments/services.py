"""Payment rows and the provider calls behind them. Order status is not touched here (see orders.services,
which calls these): a payment knows how much was collected, not what the seller does next."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.clock import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import store_image
from marketplace.payments import registry
from marketplace.payments.base import (
    ChargeResult,
    ChargeState,
    OnlinePaymentProvider,
    PaymentError,
    PaymentRequest,
    ProviderEvent,
    RefundRequest,
)
from marketplace.payments.models import PAYMENT_STATUS_LABELS, Payment, PaymentStatus, Refund, WebhookEvent

log = logging.getLogger("gotong.payments")

S = PaymentStatus
PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.PROCESSING, S.AWAITING_REVIEW, S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.AWAITING_REVIEW: frozenset({S.SUCCEEDED, S.PENDING, S.CANCELLED}),
    # The provider's late verdict wins over an earlier failure (events can arrive out of order).
    S.FAILED: frozenset({S.SUCCEEDED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
    S.SUCCEEDED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

# Letters and digits a buyer can read aloud and type into a banking app without confusion (no 0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class IllegalPaymentTransition(DomainError):
    pass


def new_code(prefix: str, length: int = 8) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def transition_payment(payment: Payment, to: PaymentStatus) -> None:
    """The one place a payment's status changes; an illegal change is refused."""
    if to is payment.status:
        return
    if to not in PAYMENT_TRANSITIONS[payment.status]:
        raise IllegalPaymentTransition(
            _(
                "Status pembayaran tidak bisa diubah dari \u201c%(a)s\u201d ke \u201c%(b)s\u201d. "
                "Muat ulang halaman.",
                a=PAYMENT_STATUS_LABELS[payment.status],
                b=PAYMENT_STATUS_LABELS[to],
            )
        )
    payment.status = to
    if to is S.SUCCEEDED:
        payment.succeeded_at = utcnow()


def new_payment(checkout: Any, method: str, amount_idr: int, *, covers: list[Any]) -> Payment:
    """A payment attempt for the orders it ``covers``."""
    payment = Payment(
        checkout=checkout,
        orders=list(covers),
        method=method,
        status=S.PENDING,
        amount_idr=amount_idr,
        reference=new_code("PAY-"),
        refunded_idr=0,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def lock(payment: Payment) -> Payment:
    """Re-read the payment under a row lock (PostgreSQL); two webhooks or clicks wait for each other."""
    return db.session.scalars(
        select(Payment)
        .where(Payment.id == payment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def online_provider(payment: Payment) -> OnlinePaymentProvider:
    provider = registry.get(payment.method)
    if not isinstance(provider, OnlinePaymentProvider):
        raise PaymentError(_("Metode pembayaran ini tidak dibayar di halaman ini."))
    return provider


def ensure_started(payment: Payment, description: str, email: str | None) -> Payment:
    """Create the provider's side of the payment once (a Stripe PaymentIntent), keyed by our reference."""
    if payment.provider_ref is None and payment.status is S.PENDING:
        started = registry.get(payment.method).start(
            PaymentRequest(
                reference=payment.reference,
                amount_idr=payment.amount_idr,
                description=description,
                email=email,
                metadata={"payment_reference": payment.reference, "checkout": payment.checkout.reference},
            )
        )
        payment.provider_ref = started.provider_ref
        db.session.flush()
    return payment


def confirm_card(payment: Payment, token: str) -> ChargeResult:
    """Confirm a card payment with the token Stripe.js made in the page. The order is NOT paid here: only the
    verified ``payment_intent.succeeded`` webhook makes it paid."""
    if payment.status not in (S.PENDING, S.PROCESSING) or not payment.provider_ref:
        raise PaymentError(_("Pembayaran ini tidak bisa dilanjutkan. Muat ulang halaman."))
    result = online_provider(payment).confirm(payment.provider_ref, token)
    if result.state is ChargeState.FAILED:
        payment.failure_message = result.failure_message
        transition_payment(payment, S.FAILED)
    elif result.state in (ChargeState.SUCCEEDED, ChargeState.PROCESSING, ChargeState.AUTHORIZED):
        transition_payment(payment, S.PROCESSING)
    db.session.flush()
    return result


def record_event(provider: str, event: ProviderEvent) -> bool:
    """Store a verified event id once. False: seen before (a replay), so the caller does nothing more."""
    try:
        with db.session.begin_nested():
            db.session.add(
                WebhookEvent(
                    provider=provider,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    provider_ref=event.provider_ref,
                )
            )
    except IntegrityError:
        return False
    return True


def by_provider_ref(provider_ref: str) -> Payment | None:
    return db.session.scalars(
        select(Payment).where(Payment.provider_ref == provider_ref).with_for_update()
    ).one_or_none()


def _proof_folder() -> Path:
    # Not under a public media path: proofs are served only to the buyer, the seller and its managers.
    return Path(current_app.config["UPLOAD_FOLDER"]) / "private" / "proofs"


def proof_file(payment: Payment) -> Path | None:
    return _proof_folder() / payment.proof_path if payment.proof_path else None


def upload_proof(payment: Payment, stream: IO[bytes]) -> Payment:
    if not registry.get(payment.method).accepts_proof or payment.status not in (S.PENDING, S.AWAITING_REVIEW):
        raise PaymentError(_("Pembayaran ini tidak menunggu bukti transfer."), field="proof")
    replace_proof(payment, stream, _proof_folder())
    transition_payment(payment, S.AWAITING_REVIEW)
    db.session.flush()
    return payment


def replace_proof(payment: Any, stream: IO[bytes], folder: Path) -> None:
    """Store a transfer proof photo (re-encoded, size-capped) for ``payment`` (an order's or a coalition's),
    replacing an earlier one; a new proof waits for a new review. The caller moves the status on."""
    name = store_image(
        stream,
        folder,
        max_bytes=current_app.config["PAYMENT_PROOF_MAX_BYTES"],
        max_side=1600,
        field="proof",
    )
    old = payment.proof_path
    payment.proof_path = name
    payment.proof_uploaded_at = utcnow()
    payment.review_note = None
    if old:
        (folder / old).unlink(missing_ok=True)


def refund(payment: Payment, order: Any, amount_idr: int, actor: Any | None) -> Refund:
    """Return ``amount_idr`` of a succeeded online payment through its provider (idempotent per order)."""
    existing = db.session.scalars(
        select(Refund).where(Refund.payment_id == payment.id, Refund.order_id == order.id)
    ).first()
    if existing is not None:
        return existing
    if payment.status is not S.SUCCEEDED or not payment.provider_ref:
        raise PaymentError(_("Pembayaran ini belum lunas, jadi tidak ada dana yang dikembalikan."))
    if amount_idr > payment.amount_idr - payment.refunded_idr:
        raise PaymentError(_("Jumlah pengembalian melebihi sisa pembayaran."))
    result = registry.get(payment.method).refund(
        RefundRequest(
            provider_ref=payment.provider_ref,
            amount_idr=amount_idr,
            idempotency_key=f"refund-{order.number}",
            reason="requested_by_customer",
        )
    )
    record = Refund(
        payment=payment,
        order_id=order.id,
        amount_idr=result.amount_idr,
        provider_ref=result.provider_ref,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(record)
    payment.refunded_idr += result.amount_idr
    if payment.refunded_idr >= payment.amount_idr:
        transition_payment(payment, S.REFUNDED)
    db.session.flush()
    return record
