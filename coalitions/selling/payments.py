"""The buyer paying a selling coalition's cooperative for the accepted goods (after the buyer confirmed
receipt, status ``delivered``): what is still owed (``buyer_total_idr − paid_idr``) by card or by bank
transfer into the cooperative's account.

**Card.** A Stripe PaymentIntent with automatic capture for what is owed, confirmed with the token Stripe.js
made in the page. It counts only from the verified ``payment_intent.succeeded`` webhook, and only when the
event's amount and currency are the payment's.

**Transfer.** The buyer transfers with the payment's reference and uploads a proof; a manager of the
cooperative confirms it (the money arrived) or sends it back with a reason.

Money arriving goes through ``services.buyer_paid`` (which moves the coalition to ``paid``), never for more
than is still owed: a second payment that raced the first (a transfer confirmed while a card was being
charged) is logged for a refund, not credited. Locks are always taken coalition → payment.

Statuses are ``coalitions.models.CoalitionPaymentStatus`` values stored in ``BuyerPayment.status`` (a plain
string column) and change only in ``transition``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from coalitions.models import COALITION_PAYMENT_STATUS_LABELS, CoalitionPaymentStatus
from coalitions.payments import card_enabled, online_provider
from coalitions.selling import services
from coalitions.selling.models import BuyerPayment, SellingCoalition, SellingStatus
from marketplace.accounts import policy
from marketplace.clock import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.payments.base import (
    ChargeResult,
    ChargeState,
    EventKind,
    PaymentError,
    PaymentRequest,
    ProviderEvent,
)
from marketplace.payments.services import new_code, record_event, replace_proof

log = logging.getLogger("gotong.coalitions.selling.payments")

P = CoalitionPaymentStatus
CARD = "card"
TRANSFER = "transfer"
KINDS = (CARD, TRANSFER)

BUYER_PAYMENT_TRANSITIONS: dict[CoalitionPaymentStatus, frozenset[CoalitionPaymentStatus]] = {
    P.PENDING: frozenset({P.PROCESSING, P.AWAITING_REVIEW, P.SUCCEEDED, P.FAILED, P.CANCELLED}),
    P.PROCESSING: frozenset({P.SUCCEEDED, P.FAILED, P.CANCELLED}),
    P.AWAITING_REVIEW: frozenset({P.SUCCEEDED, P.PENDING, P.CANCELLED}),
    # The provider's late verdict wins over an earlier failure (events can arrive out of order).
    P.FAILED: frozenset({P.SUCCEEDED, P.CANCELLED}),
    P.AUTHORIZED: frozenset(),  # automatic capture: a buyer's payment is never only authorized
    P.SUCCEEDED: frozenset(),
    P.CANCELLED: frozenset(),
}
OPEN_STATES = frozenset({P.PENDING, P.PROCESSING, P.AWAITING_REVIEW})


class IllegalPaymentTransition(DomainError):
    pass


def status_of(payment: BuyerPayment) -> CoalitionPaymentStatus:
    return P(payment.status)


def transition(payment: BuyerPayment, to: CoalitionPaymentStatus) -> None:
    """The one place a buyer payment's status changes; an illegal change is refused."""
    current = status_of(payment)
    if to is current:
        return
    if to not in BUYER_PAYMENT_TRANSITIONS[current]:
        raise IllegalPaymentTransition(
            _(
                "Status pembayaran tidak bisa diubah dari \u201c%(a)s\u201d ke \u201c%(b)s\u201d.",
                a=COALITION_PAYMENT_STATUS_LABELS[current],
                b=COALITION_PAYMENT_STATUS_LABELS[to],
            )
        )
    payment.status = to.value
    if to is P.SUCCEEDED:
        payment.succeeded_at = utcnow()


def lock(payment: BuyerPayment) -> BuyerPayment:
    return db.session.scalars(
        select(BuyerPayment)
        .where(BuyerPayment.id == payment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_with_coalition(payment: BuyerPayment) -> tuple[SellingCoalition, BuyerPayment]:
    """Lock the payment's coalition and then the payment: everywhere in this order, so two writers (a
    webhook, a manager's review, the buyer's click) never wait for each other in a circle."""
    coalition = services.lock(payment.coalition_id)
    return coalition, lock(payment)


def by_reference(reference: str) -> BuyerPayment | None:
    return db.session.scalars(select(BuyerPayment).where(BuyerPayment.reference == reference)).one_or_none()


def owed(coalition: SellingCoalition) -> int:
    """What the buyer still has to pay: nothing before the receipt is confirmed, nothing once paid."""
    if coalition.status is not SellingStatus.DELIVERED:
        return 0
    return max((coalition.buyer_total_idr or 0) - coalition.paid_idr, 0)


def may_pay(user: Any, coalition: SellingCoalition) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and coalition.buyer_id is not None
        and coalition.buyer_id == user.id
    )


def may_see(user: Any, coalition: SellingCoalition) -> bool:
    """The buyer and the cooperative's managers (and admins) see the buyer's payments and proofs."""
    return may_pay(user, coalition) or policy.manages_cooperative(user, coalition.cooperative)


def payments_of(coalition: SellingCoalition) -> list[BuyerPayment]:
    return list(
        db.session.scalars(
            select(BuyerPayment).where(BuyerPayment.coalition_id == coalition.id).order_by(BuyerPayment.id)
        )
    )


def open_attempt(coalition: SellingCoalition) -> BuyerPayment | None:
    return db.session.scalars(
        select(BuyerPayment)
        .where(
            BuyerPayment.coalition_id == coalition.id,
            BuyerPayment.status.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(BuyerPayment.id.desc())
    ).first()


def replaceable_card(coalition: SellingCoalition) -> BuyerPayment | None:
    """A card attempt created at the provider that must be stopped there before another attempt is made
    (pending, or declined: its PaymentIntent could still be confirmed)."""
    return db.session.scalars(
        select(BuyerPayment)
        .where(
            BuyerPayment.coalition_id == coalition.id,
            BuyerPayment.kind == CARD,
            BuyerPayment.provider_ref.is_not(None),
            BuyerPayment.status.in_([P.PENDING.value, P.FAILED.value]),
        )
        .order_by(BuyerPayment.id)
    ).first()


def attempt(actor: Any, coalition: SellingCoalition, kind: str) -> BuyerPayment:
    """The buyer's attempt to pay what is owed, by ``card`` or ``transfer``. An unfinished attempt of the
    same kind and amount is reused; another pending one is cancelled (a card attempt must have been stopped
    at the provider first: ``stop_card``). Call it on the locked coalition."""
    if not may_pay(actor, coalition):
        raise PermissionDenied(_("Hanya pembeli yang membayar koalisi penjualan ini."))
    if kind not in KINDS:
        raise ValueError(kind)
    amount = owed(coalition)
    if amount <= 0:
        raise DomainError(_("Tidak ada yang perlu dibayar untuk koalisi ini."))
    if kind == CARD and not card_enabled():
        raise DomainError(_("Pembayaran kartu tidak tersedia saat ini."))
    if kind == TRANSFER and not coalition.cooperative.has_bank_account:
        raise DomainError(_("Koperasi belum mencantumkan rekening bank. Hubungi pengurus koperasi."))
    current = open_attempt(coalition)
    if current is not None:
        status = status_of(current)
        if current.kind == kind and current.amount_idr == amount and status is P.PENDING:
            return current
        if status is P.AWAITING_REVIEW:
            raise DomainError(_("Bukti transfer Anda sedang diperiksa pengurus; tunggu hasilnya."))
        if status is P.PROCESSING:
            raise DomainError(_("Pembayaran kartu sedang diproses; tunggu sebentar lalu muat ulang halaman."))
        if current.provider_ref:
            raise DomainError(_("Pembayaran kartu sebelumnya belum dihentikan. Muat ulang halaman."))
        transition(current, P.CANCELLED)
    payment = BuyerPayment(
        coalition_id=coalition.id,
        kind=kind,
        status=P.PENDING.value,
        amount_idr=amount,
        reference=new_code("JUAL-"),
        created_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def description(payment: BuyerPayment) -> str:
    coalition = payment.coalition
    return f"Gotong {coalition.title} - {coalition.cooperative.name}"[:200]


def start_card(payment: BuyerPayment) -> BuyerPayment:
    """Create the provider's side once (a PaymentIntent with automatic capture), keyed by our reference.
    Call it under the payment's row lock, never the coalition's."""
    if payment.kind == CARD and payment.provider_ref is None and status_of(payment) is P.PENDING:
        started = online_provider().start(
            PaymentRequest(
                reference=payment.reference,
                amount_idr=payment.amount_idr,
                description=description(payment),
                email=payment.coalition.buyer.email if payment.coalition.buyer else None,
                metadata={"selling_coalition": str(payment.coalition_id), "kind": "buyer"},
            )
        )
        payment.provider_ref = started.provider_ref
        db.session.flush()
    return payment


def stop_card(payment: BuyerPayment) -> bool:
    """Cancel an unfinished card attempt at the provider (under the payment's row lock) before another one
    is made. False when the provider says the money was already taken: the webhook will credit it."""
    status = status_of(payment)
    if payment.kind != CARD or status not in (P.PENDING, P.FAILED):
        return status is P.CANCELLED
    if payment.provider_ref:
        state = online_provider().cancel(payment.provider_ref)
        if state is ChargeState.SUCCEEDED:
            log.warning("buyer payment %s succeeded before it could be stopped", payment.reference)
            if status is P.PENDING:
                transition(payment, P.PROCESSING)
            db.session.flush()
            return False
        if state is not ChargeState.CANCELLED:
            return False
    transition(payment, P.CANCELLED)
    db.session.flush()
    return True


def confirm_card(coalition: SellingCoalition, payment: BuyerPayment, token: str) -> ChargeResult:
    """Confirm with the token Stripe.js made in the page (coalition and payment locked). The buyer has paid
    only when the verified webhook says so."""
    if (
        payment.kind != CARD
        or status_of(payment) not in (P.PENDING, P.PROCESSING)
        or not payment.provider_ref
    ):
        raise PaymentError(_("Pembayaran ini tidak bisa dilanjutkan. Muat ulang halaman."))
    if owed(coalition) < payment.amount_idr:
        # Paid meanwhile (a confirmed transfer): never charge twice.
        raise PaymentError(_("Tagihan ini sudah berubah atau lunas. Muat ulang halaman."))
    result = online_provider().confirm(payment.provider_ref, token)
    apply_charge_result(payment, result)
    return result


def apply_charge_result(payment: BuyerPayment, result: ChargeResult) -> None:
    if result.state is ChargeState.FAILED:
        payment.failure_message = (result.failure_message or "")[:300] or None
        transition(payment, P.FAILED)
    elif result.state is ChargeState.CANCELLED:
        transition(payment, P.CANCELLED)
    elif result.state in (
        ChargeState.REQUIRES_ACTION,
        ChargeState.PROCESSING,
        ChargeState.SUCCEEDED,
        ChargeState.AUTHORIZED,
    ):
        transition(payment, P.PROCESSING)
    db.session.flush()


def _credit(coalition: SellingCoalition, payment: BuyerPayment, actor: Any | None = None) -> int:
    """Money of ``payment`` arrived (the coalition's row locked): credit it, never more than is owed. An
    excess can only come from a payment already under way elsewhere: logged for a refund."""
    amount = min(payment.amount_idr, owed(coalition))
    if amount < payment.amount_idr:
        log.error(
            "overpayment on selling coalition %s: payment %s of %s, %s owed; refund the difference",
            coalition.id,
            payment.reference,
            payment.amount_idr,
            amount,
        )
    if amount > 0:
        services.buyer_paid(coalition, amount, actor=actor)
    return amount


# --- bank transfer ----------------------------------------------------------------------------------------


def _proof_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "private" / "selling-proofs"


def proof_file(payment: BuyerPayment) -> Path | None:
    return _proof_folder() / payment.proof_path if payment.proof_path else None


def upload_proof(
    actor: Any, coalition: SellingCoalition, payment: BuyerPayment, stream: IO[bytes]
) -> BuyerPayment:
    """The buyer's proof of the transfer (coalition and payment locked); a manager reviews it."""
    if not may_pay(actor, coalition):
        raise PermissionDenied(_("Anda tidak punya akses ke pembayaran ini."))
    if payment.kind != TRANSFER or status_of(payment) not in (P.PENDING, P.AWAITING_REVIEW):
        raise DomainError(_("Pembayaran ini tidak menunggu bukti transfer."), field="proof")
    if owed(coalition) < payment.amount_idr:
        raise DomainError(_("Tagihan ini sudah berubah atau lunas. Muat ulang halaman."), field="proof")
    replace_proof(payment, stream, _proof_folder())
    transition(payment, P.AWAITING_REVIEW)
    db.session.flush()
    return payment


def review_transfer(
    actor: Any, payment: BuyerPayment, *, approve: bool, note: str = ""
) -> tuple[SellingCoalition, BuyerPayment]:
    """A manager of the cooperative checked the account: confirm (the buyer paid), or send it back with a
    reason."""
    if not policy.manages_cooperative(actor, payment.coalition.cooperative):
        raise PermissionDenied(_("Anda tidak punya akses ke koalisi penjualan ini."))
    coalition, payment = lock_with_coalition(payment)
    if payment.kind != TRANSFER or status_of(payment) is not P.AWAITING_REVIEW:
        raise DomainError(_("Tidak ada bukti transfer yang menunggu diperiksa."))
    if approve:
        if owed(coalition) < payment.amount_idr:
            raise DomainError(
                _(
                    "Tagihan ini sudah lunas atau berubah sejak bukti dikirim; periksa lalu kembalikan dana "
                    "pembeli bila perlu."
                )
            )
        payment.reviewed_by_id = actor.id
        payment.review_note = note.strip()[:500] or None
        transition(payment, P.SUCCEEDED)
        _credit(coalition, payment, actor)
    else:
        reason = note.strip()
        if not reason:
            raise DomainError(
                _("Tulis alasan penolakan agar pembeli tahu apa yang harus diperbaiki."), field="note"
            )
        payment.reviewed_by_id = actor.id
        payment.review_note = reason[:500]
        transition(payment, P.PENDING)
    db.session.flush()
    return coalition, payment


def awaiting_review(coalition: SellingCoalition) -> list[BuyerPayment]:
    return list(
        db.session.scalars(
            select(BuyerPayment)
            .where(
                BuyerPayment.coalition_id == coalition.id,
                BuyerPayment.kind == TRANSFER,
                BuyerPayment.status == P.AWAITING_REVIEW.value,
            )
            .order_by(BuyerPayment.proof_uploaded_at)
        )
    )


# --- provider webhooks ------------------------------------------------------------------------------------


def apply_provider_event(provider_code: str, event: ProviderEvent) -> bool:
    """A verified webhook event about a buyer's payment: True when it was ours (applied, or a replay), False
    when the provider reference is not a buyer payment (the next handler takes it then)."""
    if not event.provider_ref or event.kind is EventKind.OTHER:
        return False
    payment = db.session.scalars(
        select(BuyerPayment).where(BuyerPayment.provider_ref == event.provider_ref)
    ).one_or_none()
    if payment is None:
        return False
    coalition, payment = lock_with_coalition(payment)
    if not record_event(provider_code, event):
        return True
    status = status_of(payment)
    if event.kind is EventKind.PAYMENT_SUCCEEDED:
        amount_ok = (
            event.amount_idr is not None
            and event.amount_idr == payment.amount_idr
            and (event.currency or "").lower() == "idr"
        )
        if status is P.CANCELLED:
            log.error(
                "webhook %s: success for cancelled payment %s; refund it", event.event_id, payment.reference
            )
        elif not amount_ok:
            log.error(
                "webhook %s: amount %s %s does not match payment %s (%s idr); not credited",
                event.event_id,
                event.amount_idr,
                event.currency,
                payment.reference,
                payment.amount_idr,
            )
        elif status is not P.SUCCEEDED:
            transition(payment, P.SUCCEEDED)
            _credit(coalition, payment)
    elif event.kind is EventKind.PAYMENT_FAILED:
        if status in (P.PENDING, P.PROCESSING):
            payment.failure_message = (event.failure_message or "")[:300] or None
            transition(payment, P.FAILED)
    elif event.kind is EventKind.PAYMENT_CANCELLED:
        if status in (P.PENDING, P.PROCESSING, P.FAILED):
            transition(payment, P.CANCELLED)
    db.session.flush()
    return True


def _register_webhook_handler() -> None:
    """Claim the buyer payments' events once, however often this module is imported (or reloaded)."""
    from marketplace.payments.webhooks import EVENT_HANDLERS

    name = (apply_provider_event.__module__, apply_provider_event.__qualname__)
    for i, handler in enumerate(EVENT_HANDLERS):
        if (getattr(handler, "__module__", None), getattr(handler, "__qualname__", None)) == name:
            EVENT_HANDLERS[i] = apply_provider_event
            return
    EVENT_HANDLERS.append(apply_provider_event)


_register_webhook_handler()
