"""Money in buying coalitions: card holds on pledges (card-hold mode) and paying shares after a success.

**Card holds.** A pledge in a card-hold coalition is secured by a hold: a card payment authorized (not taken)
for the pledge's worst case (``engine.worst_case_amount``). A bigger pledge needs a new hold; when it is
authorized the older ones are released. At the close each member's hold is captured for the final amount
(the provider releases the rest), or released when the coalition failed, was cancelled, or left the member no
units. A pledge that no hold covers at the deadline does not count (it lapses).

**Shares.** After a success every member with something to pay has a share ``due`` by ``due_at``. A captured
hold pays it; otherwise (pay-on-success mode, or a hold that could not be captured) the member pays it by
card or by bank transfer into the cooperative's account (a manager confirms the proof).

**Provider calls never run inside a coalition's transaction.** Deciding is a row change (``settle_action``
"capture"/"release" on the hold) made under the coalition's lock; ``carry_out`` does the call afterwards,
one hold at a time under the hold's row lock, and is retried by the scheduler until it went through. The
state machine below is the guard: a released hold is never captured, whatever the provider would allow.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from coalitions import engine
from coalitions.models import (
    COALITION_PAYMENT_STATUS_LABELS,
    BuyingCoalition,
    CoalitionPayment,
    CoalitionPaymentStatus,
    MemberShare,
    PaymentKind,
    PaymentMode,
    Pledge,
    PledgeStatus,
    ShareStatus,
)
from coalitions.signals import coalition_cancelled, coalition_closed, pledge_changed
from marketplace.accounts import policy
from marketplace.clock import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.payments import registry
from marketplace.payments.base import (
    ChargeResult,
    ChargeState,
    EventKind,
    HoldingPaymentProvider,
    OnlinePaymentProvider,
    PaymentError,
    PaymentRequest,
    ProviderEvent,
    UnableToTakePayment,
)
from marketplace.payments.services import new_code, record_event, replace_proof

log = logging.getLogger("gotong.coalitions.payments")

P = CoalitionPaymentStatus
CARD_METHOD = "card"

HOLD_TRANSITIONS: dict[CoalitionPaymentStatus, frozenset[CoalitionPaymentStatus]] = {
    P.PENDING: frozenset({P.PROCESSING, P.AUTHORIZED, P.FAILED, P.CANCELLED}),
    P.PROCESSING: frozenset({P.AUTHORIZED, P.FAILED, P.CANCELLED}),
    # FAILED from AUTHORIZED: the capture was refused (the hold expired at the bank).
    P.AUTHORIZED: frozenset({P.SUCCEEDED, P.CANCELLED, P.FAILED}),
    P.FAILED: frozenset({P.CANCELLED}),
    P.AWAITING_REVIEW: frozenset(),  # holds have no proof to review
    P.SUCCEEDED: frozenset(),
    P.CANCELLED: frozenset(),  # a released hold is final: never captured
}
SHARE_PAYMENT_TRANSITIONS: dict[CoalitionPaymentStatus, frozenset[CoalitionPaymentStatus]] = {
    P.PENDING: frozenset({P.PROCESSING, P.AWAITING_REVIEW, P.SUCCEEDED, P.FAILED, P.CANCELLED}),
    P.PROCESSING: frozenset({P.SUCCEEDED, P.FAILED, P.CANCELLED}),
    P.AWAITING_REVIEW: frozenset({P.SUCCEEDED, P.PENDING, P.CANCELLED}),
    # The provider's late verdict wins over an earlier failure (events can arrive out of order).
    P.FAILED: frozenset({P.SUCCEEDED, P.CANCELLED}),
    P.AUTHORIZED: frozenset(),  # only holds are authorized
    P.SUCCEEDED: frozenset(),
    P.CANCELLED: frozenset(),
}
OPEN_STATES = frozenset({P.PENDING, P.PROCESSING, P.AUTHORIZED, P.AWAITING_REVIEW})


class IllegalPaymentTransition(DomainError):
    pass


def transition(payment: CoalitionPayment, to: CoalitionPaymentStatus) -> None:
    """The one place a coalition payment's status changes; an illegal change is refused."""
    if to is payment.status:
        return
    table = HOLD_TRANSITIONS if payment.kind is PaymentKind.HOLD else SHARE_PAYMENT_TRANSITIONS
    if to not in table[payment.status]:
        raise IllegalPaymentTransition(
            _(
                "Status pembayaran tidak bisa diubah dari \u201c%(a)s\u201d ke \u201c%(b)s\u201d.",
                a=COALITION_PAYMENT_STATUS_LABELS[payment.status],
                b=COALITION_PAYMENT_STATUS_LABELS[to],
            )
        )
    payment.status = to
    if to is P.SUCCEEDED:
        payment.succeeded_at = utcnow()


def lock(payment: CoalitionPayment) -> CoalitionPayment:
    return db.session.scalars(
        select(CoalitionPayment)
        .where(CoalitionPayment.id == payment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_share(share: MemberShare) -> MemberShare:
    return db.session.scalars(
        select(MemberShare)
        .where(MemberShare.id == share.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_with_share(payment: CoalitionPayment) -> tuple[MemberShare | None, CoalitionPayment]:
    """Lock the payment's share (if any) and then the payment: everywhere in this order (coalition → share →
    payment), so two writers never wait for each other in a circle on PostgreSQL."""
    share = lock_share(payment.share) if payment.share_id is not None else None  # type: ignore[arg-type]
    return share, lock(payment)


def _owes_at_least(share: MemberShare | None, amount: int) -> bool:
    return (
        share is not None
        and share.status in (ShareStatus.DUE, ShareStatus.DEFAULTED)
        and share.owed_idr >= amount
    )


def by_reference(reference: str) -> CoalitionPayment | None:
    return db.session.scalars(
        select(CoalitionPayment).where(CoalitionPayment.reference == reference)
    ).one_or_none()


def card_enabled() -> bool:
    return CARD_METHOD in registry.providers()


def holding_provider() -> HoldingPaymentProvider:
    provider = registry.get(CARD_METHOD)
    if not isinstance(provider, HoldingPaymentProvider):
        raise PaymentError(_("Pembayaran kartu tidak tersedia."))
    return provider


def online_provider() -> OnlinePaymentProvider:
    provider = registry.get(CARD_METHOD)
    if not isinstance(provider, OnlinePaymentProvider):
        raise PaymentError(_("Pembayaran kartu tidak tersedia."))
    return provider


# --- card holds ---------------------------------------------------------------------------------------------


def worst_case(pledge: Pledge) -> int:
    from coalitions.services import terms_of

    return engine.worst_case_amount(terms_of(pledge.coalition), pledge.quantity + pledge.tolerance)


def holds_of(pledge: Pledge) -> list[CoalitionPayment]:
    return list(
        db.session.scalars(
            select(CoalitionPayment)
            .where(CoalitionPayment.pledge_id == pledge.id, CoalitionPayment.kind == PaymentKind.HOLD)
            .order_by(CoalitionPayment.id)
        )
    )


def covering_hold(pledge: Pledge) -> CoalitionPayment | None:
    """The newest authorized hold that covers the pledge's worst case now (and is not being released)."""
    need = worst_case(pledge)
    for hold in reversed(holds_of(pledge)):
        if hold.status is P.AUTHORIZED and hold.settle_action is None and hold.amount_idr >= need:
            return hold
    return None


def needs_hold(pledge: Pledge) -> bool:
    return (
        pledge.coalition.payment_mode is PaymentMode.CARD_HOLD
        and pledge.is_active
        and covering_hold(pledge) is None
    )


def _release(payment: CoalitionPayment) -> None:
    if payment.status in OPEN_STATES or payment.status is P.FAILED:
        payment.settle_action = "release"
        payment.settle_amount_idr = None


def open_hold(actor: Any, pledge: Pledge) -> CoalitionPayment:
    """The hold the member authorizes next for this pledge: an unfinished one for the same amount is reused,
    one for another amount is released. Call under the coalition's lock (so the pledge can't change)."""
    if not policy.owns_business(actor, pledge.business):
        raise PermissionDenied(_("Anda tidak punya akses ke koalisi ini."))
    coalition = pledge.coalition
    if coalition.payment_mode is not PaymentMode.CARD_HOLD or not pledge.is_active:
        raise DomainError(_("Komitmen ini tidak memerlukan penahanan dana kartu."))
    from coalitions.services import _aware

    if coalition.status.value != "open" or _aware(coalition.deadline) <= utcnow():
        raise DomainError(_("Koalisi ini sedang tidak menerima komitmen."))
    if not card_enabled():
        raise DomainError(_("Pembayaran kartu tidak tersedia saat ini. Hubungi pengurus koperasi."))
    need = worst_case(pledge)
    if covering_hold(pledge) is not None:
        raise DomainError(_("Dana untuk komitmen ini sudah ditahan."))
    for hold in holds_of(pledge):
        if hold.settle_action is None and hold.status in (P.PENDING, P.FAILED):
            if hold.status is P.PENDING and hold.amount_idr == need:
                return hold
            _release(hold)
        elif hold.settle_action is None and hold.status is P.PROCESSING and hold.amount_idr == need:
            return hold  # 3-D Secure under way for this very amount
    hold = CoalitionPayment(
        coalition_id=coalition.id,
        pledge_id=pledge.id,
        business_id=pledge.business_id,
        kind=PaymentKind.HOLD,
        status=P.PENDING,
        amount_idr=need,
        captured_idr=0,
        reference=new_code("HLD-"),
        created_by_id=actor.id,
    )
    db.session.add(hold)
    db.session.flush()
    return hold


def start_card(payment: CoalitionPayment, description: str) -> CoalitionPayment:
    """Create the provider's side once (a hold authorizes, a share payment charges), keyed by our
    reference."""
    if payment.provider_ref is None and payment.status is P.PENDING:
        request = PaymentRequest(
            reference=payment.reference,
            amount_idr=payment.amount_idr,
            description=description,
            metadata={"coalition": str(payment.coalition_id), "kind": payment.kind.value},
        )
        if payment.kind is PaymentKind.HOLD:
            started = holding_provider().authorize(request)
        else:
            started = online_provider().start(request)
        payment.provider_ref = started.provider_ref
        db.session.flush()
    return payment


def confirm_card(payment: CoalitionPayment, token: str) -> ChargeResult:
    """Confirm with the token Stripe.js made in the page. A hold the provider reports authorized counts at
    once (the answer comes from the provider, server to server); a share payment counts as paid only from
    the verified webhook."""
    if payment.settle_action or payment.status not in (P.PENDING, P.PROCESSING) or not payment.provider_ref:
        raise PaymentError(_("Pembayaran ini tidak bisa dilanjutkan. Muat ulang halaman."))
    if payment.kind is not PaymentKind.HOLD and not _owes_at_least(payment.share, payment.amount_idr):
        # Paid meanwhile (a captured hold, a confirmed transfer) or changed: never charge twice.
        raise PaymentError(_("Tagihan ini sudah berubah atau lunas. Muat ulang halaman."))
    result = online_provider().confirm(payment.provider_ref, token)
    apply_charge_result(payment, result)
    return result


def apply_charge_result(payment: CoalitionPayment, result: ChargeResult) -> None:
    if result.state is ChargeState.FAILED:
        payment.failure_message = (result.failure_message or "")[:300] or None
        transition(payment, P.FAILED)
    elif result.state is ChargeState.AUTHORIZED and payment.kind is PaymentKind.HOLD:
        authorized(payment)
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


def refresh(payment: CoalitionPayment) -> CoalitionPayment:
    """Ask the provider about a hold whose 3-D Secure was finished in the page (the page polls this)."""
    if payment.kind is PaymentKind.HOLD and payment.status is P.PROCESSING and payment.provider_ref:
        apply_charge_result(payment, holding_provider().state(payment.provider_ref))
    return payment


def authorized(hold: CoalitionPayment) -> None:
    """A hold became capturable: it secures the pledge and the older holds are released. If the pledge was
    withdrawn or the coalition closed meanwhile, this hold is released too."""
    transition(hold, P.AUTHORIZED)
    pledge = hold.pledge
    coalition = pledge.coalition
    # No write to the coalition's row here: this runs under the hold's lock, and the close takes the
    # coalition's lock before the holds'. The ``settle_action`` rows are the work list.
    if not pledge.is_active or coalition.status.value != "open" or hold.amount_idr < worst_case(pledge):
        _release(hold)
    for other in holds_of(pledge):
        if other.id != hold.id and other.settle_action is None and other.status is not P.SUCCEEDED:
            if other.status in OPEN_STATES or other.status is P.FAILED:
                _release(other)
    db.session.flush()


def lapse_unsecured(coalition: BuyingCoalition, pledges: list[Pledge], now: Any) -> list[Pledge]:
    """At the close of a card-hold coalition: the pledges no hold covers lapse; returns the others."""
    if coalition.payment_mode is not PaymentMode.CARD_HOLD:
        return pledges
    kept = []
    for pledge in pledges:
        if covering_hold(pledge) is None:
            pledge.status = PledgeStatus.LAPSED
            pledge.withdrawn_at = now
        else:
            kept.append(pledge)
    db.session.flush()
    return kept


def _release_all(coalition_id: int) -> None:
    holds = db.session.scalars(
        select(CoalitionPayment).where(
            CoalitionPayment.coalition_id == coalition_id,
            CoalitionPayment.settle_action.is_(None),
            CoalitionPayment.status.in_([*OPEN_STATES, P.FAILED]),
        )
    )
    for hold in holds:
        _release(hold)


def _on_closed(sender: Any, coalition_id: int, success: bool) -> None:
    """Under the close's transaction (the shares are written, ``due`` where there is something to pay): in
    card-hold mode each member's hold is marked to be captured for its share, every other hold released."""
    coalition = db.session.get(BuyingCoalition, coalition_id)
    assert coalition is not None
    if coalition.payment_mode is not PaymentMode.CARD_HOLD:
        return
    shares = db.session.scalars(
        select(MemberShare).where(MemberShare.coalition_id == coalition_id, MemberShare.total_idr > 0)
    )
    for share in shares:
        hold = covering_hold(share.pledge)
        if hold is not None:
            hold.share_id = share.id
            hold.settle_action = "capture"
            hold.settle_amount_idr = share.total_idr
    _release_all(coalition_id)
    coalition.holds_pending = True
    db.session.flush()


def _on_cancelled(sender: Any, coalition_id: int) -> None:
    coalition = db.session.get(BuyingCoalition, coalition_id)
    assert coalition is not None
    if coalition.payment_mode is PaymentMode.CARD_HOLD:
        _release_all(coalition_id)
        coalition.holds_pending = True
        db.session.flush()


def _on_pledge_changed(sender: Any, pledge_id: int, action: str) -> None:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or pledge.coalition.payment_mode is not PaymentMode.CARD_HOLD:
        return
    if action == "withdrawn":
        for hold in holds_of(pledge):
            _release(hold)
        pledge.coalition.holds_pending = True
        db.session.flush()
    # A new or bigger pledge keeps its old hold until a new one is authorized (``authorized`` releases it);
    # a smaller one stays covered by the hold it has (only the final amount is ever captured).


coalition_closed.connect(_on_closed)
coalition_cancelled.connect(_on_cancelled)
pledge_changed.connect(_on_pledge_changed)


# --- carrying out capture / release with the provider (after the commit) --------------------------------


def pending_hold_ids(coalition_id: int | None = None, limit: int = 5000) -> list[int]:
    query = select(CoalitionPayment.id).where(
        CoalitionPayment.settle_action.is_not(None),
        CoalitionPayment.kind.in_([PaymentKind.HOLD, PaymentKind.CARD]),
    )
    if coalition_id is not None:
        query = query.where(CoalitionPayment.coalition_id == coalition_id)
    return list(db.session.scalars(query.order_by(CoalitionPayment.id).limit(limit)))


def carry_out(payment_id: int) -> str | None:
    """Do what was decided for one hold (or a replaced card attempt), under its row lock; the caller commits.
    Returns "captured", "released", "capture_failed" or None (nothing to do). Raises GatewayError when the
    provider can't be reached: the caller rolls back and the next run retries (the calls are idempotent)."""
    payment = db.session.get(CoalitionPayment, payment_id)
    if payment is None:
        return None
    share, payment = lock_with_share(payment)
    action = payment.settle_action
    if action is None:
        return None
    done: str | None = None
    if action == "capture" and payment.status is P.AUTHORIZED:
        # Never more than the share still owes: it may have been paid meanwhile another way.
        owed = (
            share.owed_idr
            if share is not None and share.status in (ShareStatus.DUE, ShareStatus.DEFAULTED)
            else 0
        )
        if min(payment.settle_amount_idr or 0, owed) <= 0:
            action = "release"
    if action == "release":
        if payment.provider_ref and payment.status in (P.PENDING, P.PROCESSING, P.AUTHORIZED, P.FAILED):
            state = online_provider().cancel(payment.provider_ref)
            if state is ChargeState.SUCCEEDED:
                # Too late: the money was taken (a share payment whose webhook has not arrived yet). Keep the
                # row open: the webhook credits it, and an overpayment is logged for a refund.
                log.error("payment %s succeeded before it could be released", payment.reference)
                payment.settle_action = None
                return None
            if state is not ChargeState.CANCELLED:
                return None  # still processing at the provider: the next run asks again
        if payment.status is not P.SUCCEEDED:
            transition(payment, P.CANCELLED)
            done = "released"
    elif action == "capture":
        # Our state machine is the guard: only an authorized hold is captured, never a released one.
        if payment.status is not P.AUTHORIZED or payment.kind is not PaymentKind.HOLD:
            raise IllegalPaymentTransition(_("Hanya dana yang sedang ditahan yang bisa diambil."))
        amount = min(payment.settle_amount_idr or 0, share.owed_idr if share is not None else 0)
        if amount > payment.amount_idr:
            raise IllegalPaymentTransition(_("Jumlah yang diambil melebihi dana yang ditahan."))
        assert payment.provider_ref is not None
        try:
            holding_provider().capture(payment.provider_ref, amount, "cap-" + payment.reference)
        except UnableToTakePayment as error:
            payment.failure_message = error.message[:300]
            transition(payment, P.FAILED)
            done = "capture_failed"
        else:
            _captured(payment, amount, share)
            done = "captured"
    payment.settle_action = None
    payment.settle_amount_idr = None
    db.session.flush()
    return done


def _captured(hold: CoalitionPayment, amount: int, share: MemberShare | None) -> None:
    transition(hold, P.SUCCEEDED)
    hold.captured_idr = amount
    if share is not None:
        _credit(share, amount)


def _credit(share: MemberShare, amount: int) -> None:
    """Money received for the share (the share's row is locked). More than it owes can only come from a
    payment that was already under way at the provider: logged for a refund by the cooperative."""
    if amount > share.owed_idr:
        log.error("overpayment on coalition share %s: %s received, %s owed", share.id, amount, share.owed_idr)
    share.paid_idr += amount
    if share.owed_idr == 0 and share.status in (ShareStatus.DUE, ShareStatus.DEFAULTED):
        share.status = ShareStatus.PAID


def refresh_pending_flag(coalition_id: int) -> None:
    coalition = db.session.get(BuyingCoalition, coalition_id)
    if coalition is not None:
        coalition.holds_pending = bool(pending_hold_ids(coalition_id, limit=1))


# --- paying a share (after a success) --------------------------------------------------------------------


def may_pay(user: Any, share: MemberShare) -> bool:
    return bool(policy.owns_business(user, share.business))


def open_attempt(share: MemberShare) -> CoalitionPayment | None:
    return db.session.scalars(
        select(CoalitionPayment)
        .where(
            CoalitionPayment.share_id == share.id,
            CoalitionPayment.kind.in_([PaymentKind.CARD, PaymentKind.TRANSFER]),
            CoalitionPayment.status.in_([P.PENDING, P.PROCESSING, P.AWAITING_REVIEW]),
            CoalitionPayment.settle_action.is_(None),
        )
        .order_by(CoalitionPayment.id.desc())
    ).first()


def attempt(actor: Any, share: MemberShare, kind: PaymentKind) -> CoalitionPayment:
    """The member's attempt to pay what the share still owes, by card or bank transfer. An unfinished attempt
    of the same kind and amount is reused; another one is replaced (a card attempt is stopped at the
    provider first). Call it on a locked share."""
    if not may_pay(actor, share):
        raise PermissionDenied(_("Anda tidak punya akses ke tagihan ini."))
    if kind not in (PaymentKind.CARD, PaymentKind.TRANSFER):
        raise ValueError(kind)
    if share.status not in (ShareStatus.DUE, ShareStatus.DEFAULTED) or share.owed_idr <= 0:
        raise DomainError(_("Tidak ada yang perlu dibayar untuk bagian ini."))
    capturing = db.session.scalar(
        select(CoalitionPayment.id).where(
            CoalitionPayment.share_id == share.id, CoalitionPayment.settle_action == "capture"
        )
    )
    if capturing is not None:
        raise DomainError(
            _("Dana yang ditahan di kartu Anda sedang diambil untuk bagian ini; tunggu sebentar.")
        )
    if kind is PaymentKind.CARD and not card_enabled():
        raise DomainError(_("Pembayaran kartu tidak tersedia saat ini."))
    if kind is PaymentKind.TRANSFER and not share.coalition.cooperative.has_bank_account:
        raise DomainError(_("Koperasi belum mencantumkan rekening bank. Hubungi pengurus koperasi."))
    current = open_attempt(share)
    if current is not None:
        if current.kind is kind and current.amount_idr == share.owed_idr and current.status is P.PENDING:
            return current
        if current.status is P.AWAITING_REVIEW:
            raise DomainError(_("Bukti transfer Anda sedang diperiksa pengurus; tunggu hasilnya."))
        if current.status is P.PROCESSING:
            raise DomainError(_("Pembayaran kartu sedang diproses; tunggu sebentar lalu muat ulang halaman."))
        if current.provider_ref:
            _release(current)
        else:
            transition(current, P.CANCELLED)
    payment = CoalitionPayment(
        coalition_id=share.coalition_id,
        pledge_id=share.pledge_id,
        share_id=share.id,
        business_id=share.business_id,
        kind=kind,
        status=P.PENDING,
        amount_idr=share.owed_idr,
        captured_idr=0,
        reference=new_code("KOP-"),
        created_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _proof_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "private" / "coalition-proofs"


def proof_file(payment: CoalitionPayment) -> Path | None:
    return _proof_folder() / payment.proof_path if payment.proof_path else None


def upload_proof(actor: Any, payment: CoalitionPayment, stream: IO[bytes]) -> CoalitionPayment:
    if not policy.owns_business(actor, payment.business):
        raise PermissionDenied(_("Anda tidak punya akses ke tagihan ini."))
    if payment.kind is not PaymentKind.TRANSFER or payment.status not in (P.PENDING, P.AWAITING_REVIEW):
        raise DomainError(_("Pembayaran ini tidak menunggu bukti transfer."), field="proof")
    if not _owes_at_least(payment.share, payment.amount_idr):
        raise DomainError(_("Tagihan ini sudah berubah atau lunas. Muat ulang halaman."), field="proof")
    replace_proof(payment, stream, _proof_folder())
    transition(payment, P.AWAITING_REVIEW)
    db.session.flush()
    return payment


def review_transfer(
    actor: Any, payment: CoalitionPayment, *, approve: bool, note: str = ""
) -> CoalitionPayment:
    """A manager of the coalition's cooperative checked the account: confirm, or send back with a reason."""
    if not policy.manages_cooperative(actor, payment.coalition.cooperative):
        raise PermissionDenied(_("Anda tidak punya akses ke koalisi ini."))
    share, payment = lock_with_share(payment)
    if payment.kind is not PaymentKind.TRANSFER or payment.status is not P.AWAITING_REVIEW:
        raise DomainError(_("Tidak ada bukti transfer yang menunggu diperiksa."))
    payment.reviewed_by_id = actor.id
    if approve:
        if not _owes_at_least(share, payment.amount_idr):
            raise DomainError(
                _(
                    "Bagian ini sudah lunas atau berubah sejak bukti dikirim; periksa lalu kembalikan dana "
                    "anggota bila perlu."
                )
            )
        payment.review_note = note.strip()[:500] or None
        transition(payment, P.SUCCEEDED)
        assert share is not None
        _credit(share, payment.amount_idr)
    else:
        reason = note.strip()
        if not reason:
            raise DomainError(
                _("Tulis alasan penolakan agar anggota tahu apa yang harus diperbaiki."), field="note"
            )
        payment.review_note = reason[:500]
        transition(payment, P.PENDING)
    db.session.flush()
    return payment


def awaiting_review(coalition: BuyingCoalition) -> list[CoalitionPayment]:
    return list(
        db.session.scalars(
            select(CoalitionPayment)
            .where(
                CoalitionPayment.coalition_id == coalition.id,
                CoalitionPayment.kind == PaymentKind.TRANSFER,
                CoalitionPayment.status == P.AWAITING_REVIEW,
            )
            .order_by(CoalitionPayment.proof_uploaded_at)
        )
    )


# --- provider webhooks -----------------------------------------------------------------------------------


def apply_provider_event(provider_code: str, event: ProviderEvent) -> bool:
    """A verified webhook event about a coalition payment: True when it was ours (handled or a replay),
    False when the provider reference is not a coalition payment (the order services take it then)."""
    if not event.provider_ref or event.kind is EventKind.OTHER:
        return False
    payment = db.session.scalars(
        select(CoalitionPayment).where(CoalitionPayment.provider_ref == event.provider_ref)
    ).one_or_none()
    if payment is None:
        return False
    share, payment = lock_with_share(payment)
    if not record_event(provider_code, event):
        return True
    amount_ok = event.amount_idr is not None and (event.currency or "idr").lower() == "idr"
    if event.kind is EventKind.PAYMENT_SUCCEEDED:
        if payment.kind is PaymentKind.HOLD:
            if payment.status is P.AUTHORIZED and payment.settle_action == "capture" and amount_ok:
                # Our capture went through but its answer was lost: the event is the provider's word.
                # What we asked to capture, never more than the provider reports (localstripe omits
                # amount_received, in which case the event's amount is the whole hold).
                asked = payment.settle_amount_idr or 0
                _captured(payment, min(asked, int(event.amount_idr or asked), payment.amount_idr), share)
                payment.settle_action = None
                payment.settle_amount_idr = None
            elif payment.status is not P.SUCCEEDED:
                log.error("webhook %s: hold %s captured unexpectedly", event.event_id, payment.reference)
        elif payment.status is P.CANCELLED:
            log.error(
                "webhook %s: success for cancelled payment %s; check it", event.event_id, payment.reference
            )
        elif not amount_ok or event.amount_idr != payment.amount_idr:
            log.error("webhook %s: amount does not match payment %s", event.event_id, payment.reference)
        elif payment.status is not P.SUCCEEDED:
            transition(payment, P.SUCCEEDED)
            if share is not None:
                _credit(share, payment.amount_idr)
            payment.settle_action = None
    elif event.kind is EventKind.PAYMENT_AUTHORIZED:
        if payment.kind is PaymentKind.HOLD and payment.status in (P.PENDING, P.PROCESSING):
            authorized(payment)
    elif event.kind is EventKind.PAYMENT_FAILED:
        if payment.status in (P.PENDING, P.PROCESSING):
            payment.failure_message = (event.failure_message or "")[:300] or None
            transition(payment, P.FAILED)
    elif event.kind is EventKind.PAYMENT_CANCELLED:
        if payment.status in (P.PENDING, P.PROCESSING, P.AUTHORIZED, P.FAILED):
            was_to_capture = payment.settle_action == "capture"
            transition(payment, P.CANCELLED)
            payment.settle_action = None
            if was_to_capture:  # the bank let the hold expire before we took it: the member pays otherwise
                from coalitions import notices

                notices.capture_failed(payment)
    db.session.flush()
    return True
