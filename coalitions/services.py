"""Buying coalitions: drafting and publishing, who may join, pledges, live progress, and the close.

Functions take the acting user and data, check ``marketplace.accounts.policy``, change rows and flush; the
caller (a view, the ``close-due`` command) commits once. A coalition's status changes only in ``transition``.
The arithmetic is ``coalitions.engine``'s; this module feeds it the rows and stores what it decided.

Concurrency: every pledge change and the close take the coalition's row lock first
(``SELECT ... FOR UPDATE``; on SQLite the write unit's ``BEGIN IMMEDIATE`` serialises writers instead), so
the capacity check and the settlement always see every committed pledge, two members can't both take the
last units, and a second closer waits, then finds the coalition closed and does nothing.

Payments are NOT here yet. They plug in through ``coalitions.signals``: ``pledge_changed`` (card-hold mode:
authorize / replace / cancel a hold for ``member_costs(...).worst_case_idr``), ``coalition_closed``
(capture each ``MemberShare.total_idr`` and release the rest, or send pay-on-success invoices due in
``payment_due_days``; on failure cancel every hold) and ``coalition_cancelled`` (cancel every hold).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from coalitions import common, engine
from coalitions.engine import AllocationRule, CoalitionTerms, EngineError, Outcome, PledgeInput, Tier
from coalitions.models import (
    COALITION_STATUS_LABELS,
    BuyingCoalition,
    CoalitionEvent,
    CoalitionInvitation,
    CoalitionStatus,
    CoalitionTier,
    CostSplit,
    JoinPolicy,
    MemberShare,
    PaymentMode,
    Pledge,
    PledgeStatus,
    ShareStatus,
)
from coalitions.signals import coalition_cancelled, coalition_closed, pledge_changed
from marketplace.accounts import policy
from marketplace.catalog.models import UNITS, unit_label
from marketplace.catalog.services import MAX_PRICE_IDR, MAX_QUANTITY
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.money import format_idr

log = logging.getLogger("gotong.coalitions")

# Card holds expire after about 7 days at the card networks, so the deadline must come well before that.
CARD_HOLD_MAX_DAYS = 6
MAX_PAYMENT_DUE_DAYS = 30
MAX_TIERS = 10
REASON_MAX = 500

S = CoalitionStatus
# Every legal move. Cancelling is possible only before the close (from draft or open): afterwards money has
# been committed and a failed or successful close is final.
COALITION_TRANSITIONS: dict[CoalitionStatus, frozenset[CoalitionStatus]] = {
    S.DRAFT: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.CLOSED_SUCCESS, S.CLOSED_FAILED, S.CANCELLED}),
    S.CLOSED_SUCCESS: frozenset({S.ORDERED}),
    S.CLOSED_FAILED: frozenset(),
    S.ORDERED: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.DISTRIBUTED}),
    S.DISTRIBUTED: frozenset(),
    S.CANCELLED: frozenset(),
}
FULFILMENT_STEPS = (S.ORDERED, S.RECEIVED, S.DISTRIBUTED)


class IllegalTransition(DomainError):
    pass


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses ke koalisi ini."))


_aware, _qty, _whole = common.aware, common.qty, common.whole


# --- the state machine ------------------------------------------------------------------------------------


def status_label(status: CoalitionStatus) -> str:
    return str(COALITION_STATUS_LABELS[status])


def transition(
    coalition: BuyingCoalition,
    to: CoalitionStatus,
    *,
    actor: Any | None = None,
    note: str = "",
    now: datetime | None = None,
) -> CoalitionEvent:
    """The one place a coalition's status changes: refuses an illegal move, records the history."""
    if to not in COALITION_TRANSITIONS[coalition.status]:
        raise IllegalTransition(
            _(
                "Status koalisi \u201c%(title)s\u201d tidak bisa diubah dari \u201c%(a)s\u201d "
                "ke \u201c%(b)s\u201d.",
                title=coalition.title,
                a=status_label(coalition.status),
                b=status_label(to),
            )
        )
    now = now or utcnow()
    event = CoalitionEvent(
        coalition=coalition,
        from_status=coalition.status,
        to_status=to,
        actor_id=getattr(actor, "id", None),
        note=note[:REASON_MAX],
        created_at=now,
    )
    db.session.add(event)
    coalition.status = to
    if to is S.OPEN:
        coalition.published_at = now
    elif to in (S.CLOSED_SUCCESS, S.CLOSED_FAILED) and coalition.closed_at is None:
        coalition.closed_at = now
    db.session.flush()
    return event


def lock_coalition(coalition: BuyingCoalition | int) -> BuyingCoalition:
    """Re-read the coalition under its row lock: pledges, the close and cancelling wait for each other."""
    return common.lock_row(BuyingCoalition, coalition if isinstance(coalition, int) else coalition.id)


# --- drafting ---------------------------------------------------------------------------------------------


@dataclass
class CoalitionData:
    """What the manager fills in. ``tiers`` are ``(min_qty, unit_price_idr)`` pairs or engine ``Tier``s, in
    any order; ``deadline`` must be timezone-aware."""

    title: str
    supplier_name: str
    unit: str
    tiers: Sequence[tuple[int, int] | Tier]
    moq: int
    deadline: datetime
    description: str = ""
    supplier_contact: str = ""
    pack_size: int = 1
    capacity: int | None = None
    shared_cost_idr: int = 0
    shared_cost_split: CostSplit = CostSplit.BY_QUANTITY
    allocation_rule: AllocationRule = AllocationRule.UNIFORM
    join_policy: JoinPolicy = JoinPolicy.MEMBERS
    payment_mode: PaymentMode = PaymentMode.PAY_ON_SUCCESS
    payment_due_days: int = 7


def _check_deadline(deadline: datetime, payment_mode: PaymentMode, now: datetime) -> None:
    if deadline.tzinfo is None:
        raise ValueError("the deadline must be timezone-aware")
    if deadline <= now:
        raise DomainError(_("Batas waktu harus di masa depan."), field="deadline")
    if payment_mode is PaymentMode.CARD_HOLD and deadline - now > timedelta(days=CARD_HOLD_MAX_DAYS):
        raise DomainError(
            _(
                "Tahan dana kartu hanya bisa dipakai bila batas waktu paling lama %(days)d hari lagi: bank "
                "melepas dana yang ditahan setelah sekitar 7 hari. Majukan batas waktunya atau pilih "
                "\u201cbayar bila berhasil\u201d.",
                days=CARD_HOLD_MAX_DAYS,
            ),
            field="payment_mode",
        )


def _tiers(data: CoalitionData) -> list[Tier]:
    tiers = []
    for tier in data.tiers:
        min_qty, price = (tier.min_qty, tier.unit_price_idr) if isinstance(tier, Tier) else tier
        tiers.append(
            Tier(
                _whole(min_qty, "tiers", low=1, high=MAX_QUANTITY),
                _whole(price, "tiers", low=0, high=MAX_PRICE_IDR),
            )
        )
    tiers.sort(key=lambda tier: tier.min_qty)
    if not tiers:
        raise DomainError(_("Isi minimal satu tingkat harga."), field="tiers")
    if len(tiers) > MAX_TIERS:
        raise DomainError(_("Paling banyak %(n)d tingkat harga.", n=MAX_TIERS), field="tiers")
    try:
        engine.validate_tiers(tiers)
    except EngineError:
        raise DomainError(
            _(
                "Tingkat harga tidak valid: jumlah minimum tiap tingkat harus berbeda, dan harga per unit "
                "tidak boleh naik pada jumlah yang lebih besar."
            ),
            field="tiers",
        ) from None
    return tiers


def _validated(data: CoalitionData, now: datetime) -> list[Tier]:
    """Check the manager's input; return the tiers in ascending order."""
    if not data.title.strip():
        raise DomainError(_("Isi nama barang yang dibeli bersama."), field="title")
    if len(data.title.strip()) > 160:
        raise DomainError(_("Nama barang paling panjang 160 karakter."), field="title")
    if not data.supplier_name.strip():
        raise DomainError(_("Isi nama pemasok."), field="supplier_name")
    if len(data.supplier_name.strip()) > 160 or len(data.supplier_contact.strip()) > 200:
        raise DomainError(_("Data pemasok terlalu panjang."), field="supplier_name")
    if data.unit not in UNITS:
        raise DomainError(_("Pilih satuan dari daftar."), field="unit")
    tiers = _tiers(data)
    moq = _whole(data.moq, "moq", low=1, high=MAX_QUANTITY)
    pack_size = _whole(data.pack_size, "pack_size", low=1, high=MAX_QUANTITY)
    _whole(data.shared_cost_idr, "shared_cost_idr", low=0, high=MAX_PRICE_IDR)
    _whole(data.payment_due_days, "payment_due_days", low=1, high=MAX_PAYMENT_DUE_DAYS)
    if data.capacity is not None:
        capacity = _whole(data.capacity, "capacity", low=1, high=MAX_QUANTITY)
        if capacity // pack_size * pack_size < moq:
            raise DomainError(
                _(
                    "Kapasitas pemasok (dalam kemasan utuh) di bawah jumlah minimum pesanan: koalisi ini "
                    "tidak akan pernah berhasil."
                ),
                field="capacity",
            )
    _check_deadline(data.deadline, PaymentMode(data.payment_mode), now)
    # The engine accepts these terms (a last guard: the checks above give the user-facing messages).
    CoalitionTerms(
        tiers=tuple(tiers),
        moq=moq,
        pack_size=pack_size,
        capacity=data.capacity,
        shared_cost_idr=data.shared_cost_idr,
        rule=AllocationRule(data.allocation_rule),
    )
    return tiers


def _apply(coalition: BuyingCoalition, data: CoalitionData, tiers: list[Tier]) -> None:
    coalition.title = data.title.strip()
    coalition.description = data.description.strip()
    coalition.supplier_name = data.supplier_name.strip()
    coalition.supplier_contact = data.supplier_contact.strip()
    coalition.unit = data.unit
    coalition.moq = data.moq
    coalition.pack_size = data.pack_size
    coalition.capacity = data.capacity
    coalition.deadline = data.deadline.astimezone(UTC)  # SQLite compares the stored text: keep it UTC
    coalition.shared_cost_idr = data.shared_cost_idr
    coalition.shared_cost_split = CostSplit(data.shared_cost_split)
    coalition.allocation_rule = AllocationRule(data.allocation_rule)
    coalition.join_policy = JoinPolicy(data.join_policy)
    coalition.payment_mode = PaymentMode(data.payment_mode)
    coalition.payment_due_days = data.payment_due_days
    if coalition.tiers:
        # Delete the old ladder before inserting the new one: (coalition_id, min_qty) is unique.
        coalition.tiers.clear()
        db.session.flush()
    coalition.tiers.extend(CoalitionTier(min_qty=t.min_qty, unit_price_idr=t.unit_price_idr) for t in tiers)


def _manager_of(actor: Any, cooperative: Cooperative) -> None:
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()


def create_draft(
    actor: Any, cooperative: Cooperative, data: CoalitionData, *, now: datetime | None = None
) -> BuyingCoalition:
    """A new coalition in draft: only its manager sees it until it is published."""
    _manager_of(actor, cooperative)
    if cooperative.is_suspended:
        raise DomainError(_("Koperasi yang dibekukan tidak bisa membuka koalisi."))
    tiers = _validated(data, now or utcnow())
    coalition = BuyingCoalition(cooperative=cooperative, created_by_id=actor.id, status=S.DRAFT)
    _apply(coalition, data, tiers)
    db.session.add(coalition)
    db.session.add(
        CoalitionEvent(coalition=coalition, from_status=None, to_status=S.DRAFT, actor_id=actor.id)
    )
    db.session.flush()
    return coalition


def update_draft(
    actor: Any, coalition: BuyingCoalition, data: CoalitionData, *, now: datetime | None = None
) -> BuyingCoalition:
    _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    if coalition.status is not S.DRAFT:
        raise DomainError(_("Hanya koalisi berstatus draf yang bisa diubah."))
    tiers = _validated(data, now or utcnow())
    _apply(coalition, data, tiers)
    db.session.flush()
    return coalition


def publish(actor: Any, coalition: BuyingCoalition, *, now: datetime | None = None) -> BuyingCoalition:
    """Open the coalition for pledges. The deadline rules are checked again: time passed since the draft."""
    _manager_of(actor, coalition.cooperative)
    now = now or utcnow()
    coalition = lock_coalition(coalition)
    if coalition.status is not S.DRAFT:
        raise DomainError(_("Hanya koalisi berstatus draf yang bisa diterbitkan."))
    _check_deadline(_aware(coalition.deadline), coalition.payment_mode, now)
    transition(coalition, S.OPEN, actor=actor, now=now)
    return coalition


def cancel(
    actor: Any, coalition: BuyingCoalition, reason: str, *, now: datetime | None = None
) -> BuyingCoalition:
    """Cancel a draft or open coalition, with a reason the members see. Nobody pays."""
    _manager_of(actor, coalition.cooperative)
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise DomainError(_("Tulis alasan pembatalan untuk para anggota."), field="reason")
    coalition = lock_coalition(coalition)
    if coalition.status not in (S.DRAFT, S.OPEN):
        raise DomainError(_("Koalisi yang sudah ditutup tidak bisa dibatalkan."))
    coalition.cancel_reason = reason
    transition(coalition, S.CANCELLED, actor=actor, note=reason, now=now)
    coalition_cancelled.send(current_app._get_current_object(), coalition_id=coalition.id)
    return coalition


def advance_fulfilment(
    actor: Any, coalition: BuyingCoalition, to: CoalitionStatus, *, note: str = ""
) -> BuyingCoalition:
    """After success: ordered from the supplier → goods received → distributed to the members."""
    _manager_of(actor, coalition.cooperative)
    if to not in FULFILMENT_STEPS:
        raise ValueError(to)
    coalition = lock_coalition(coalition)
    transition(coalition, to, actor=actor, note=note)
    return coalition


def invite(actor: Any, coalition: BuyingCoalition, business: Business) -> CoalitionInvitation:
    """Invite a business of another cooperative (``members_and_invited`` coalitions). Safe to repeat."""
    _manager_of(actor, coalition.cooperative)
    if coalition.join_policy is not JoinPolicy.MEMBERS_AND_INVITED:
        raise DomainError(_("Koalisi ini hanya untuk anggota koperasi; ubah pengaturannya untuk mengundang."))
    if coalition.status not in (S.DRAFT, S.OPEN):
        raise DomainError(_("Koalisi ini tidak menerima peserta baru lagi."))
    existing = db.session.scalar(
        select(CoalitionInvitation).where(
            CoalitionInvitation.coalition_id == coalition.id, CoalitionInvitation.business_id == business.id
        )
    )
    if existing is not None:
        return existing
    invitation = CoalitionInvitation(coalition=coalition, business_id=business.id, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    return invitation


# --- who may join -----------------------------------------------------------------------------------------


def is_eligible(business: Business, coalition: BuyingCoalition) -> bool:
    """The business is an active member of the coalition's cooperative, or invited when invitations count."""
    member = db.session.scalar(
        select(Membership.id).where(
            Membership.cooperative_id == coalition.cooperative_id,
            Membership.business_id == business.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    if member is not None:
        return True
    if coalition.join_policy is not JoinPolicy.MEMBERS_AND_INVITED:
        return False
    invited = db.session.scalar(
        select(CoalitionInvitation.id).where(
            CoalitionInvitation.coalition_id == coalition.id, CoalitionInvitation.business_id == business.id
        )
    )
    return invited is not None


def may_join(user: Any, business: Business, coalition: BuyingCoalition) -> bool:
    """``user`` may pledge for ``business``: owns it (not suspended) and the business is eligible.

    Says nothing about whether the coalition is open now: ``pledge`` checks that under the lock.
    """
    return (
        policy.owns_business(user, business)
        and not business.is_suspended
        and is_eligible(business, coalition)
    )


# --- pledges ----------------------------------------------------------------------------------------------


def active_pledges(coalition: BuyingCoalition) -> list[Pledge]:
    """Active pledges in pledge order (created, then id): the order the engine's tie-breaks use."""
    return list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.coalition_id == coalition.id, Pledge.status == PledgeStatus.ACTIVE)
            .order_by(Pledge.created_at, Pledge.id)
        )
    )


def _pledged_total(coalition_id: int, *, excluding: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Pledge.quantity), 0)).where(
        Pledge.coalition_id == coalition_id, Pledge.status == PledgeStatus.ACTIVE
    )
    if excluding is not None:
        query = query.where(Pledge.id != excluding)
    return int(db.session.scalar(query) or 0)


def _check_amounts(coalition: BuyingCoalition, quantity: int, tolerance: int) -> None:
    _whole(quantity, "quantity", low=1, high=MAX_QUANTITY)
    _whole(tolerance, "tolerance", low=0, high=MAX_QUANTITY)
    if tolerance and coalition.pack_size <= 1:
        raise DomainError(_("Toleransi hanya berlaku bila barang dipesan per kemasan."), field="tolerance")
    if tolerance >= coalition.pack_size > 1:
        raise DomainError(
            _(
                "Toleransi harus kurang dari isi satu kemasan (%(m)s %(unit)s).",
                m=_qty(coalition.pack_size),
                unit=unit_label(coalition.unit),
            ),
            field="tolerance",
        )


def _check_open(coalition: BuyingCoalition, now: datetime) -> None:
    if coalition.status is not S.OPEN:
        raise DomainError(_("Koalisi ini sedang tidak menerima komitmen."))
    if _aware(coalition.deadline) <= now:
        raise DomainError(_("Batas waktu koalisi ini sudah lewat; komitmen tidak bisa diubah lagi."))


def _check_capacity(coalition: BuyingCoalition, quantity: int, *, excluding: int | None = None) -> None:
    """Under the coalition's lock: the pledges may not take the total over the supplier's capacity."""
    if coalition.capacity is None:
        return
    left = max(coalition.capacity - _pledged_total(coalition.id, excluding=excluding), 0)
    if quantity > left:
        if not left:
            raise DomainError(_("Kapasitas pemasok sudah habis dipesan."), field="quantity")
        raise DomainError(
            _(
                "Kapasitas pemasok tinggal %(left)s %(unit)s.",
                left=_qty(left),
                unit=unit_label(coalition.unit),
            ),
            field="quantity",
        )


def _not_eligible() -> PermissionDenied:
    return PermissionDenied(
        _("Koalisi ini hanya untuk anggota aktif koperasi penyelenggara dan UMKM yang diundang.")
    )


def pledge(
    actor: Any,
    business: Business,
    coalition: BuyingCoalition,
    quantity: int,
    tolerance: int = 0,
    *,
    now: datetime | None = None,
) -> Pledge:
    """The business pledges ``quantity`` units (and a ``tolerance`` of extra units to complete a pack)."""
    now = now or utcnow()
    if not may_join(actor, business, coalition):
        raise _not_eligible()
    _check_amounts(coalition, quantity, tolerance)
    coalition = lock_coalition(coalition)
    _check_open(coalition, now)
    existing = db.session.scalar(
        select(Pledge.id).where(
            Pledge.coalition_id == coalition.id,
            Pledge.business_id == business.id,
            Pledge.status == PledgeStatus.ACTIVE,
        )
    )
    if existing is not None:
        raise DomainError(_("Usaha ini sudah ikut koalisi ini; ubah saja jumlahnya."))
    _check_capacity(coalition, quantity)
    new = Pledge(
        coalition_id=coalition.id,
        business_id=business.id,
        pledged_by_id=actor.id,
        quantity=quantity,
        tolerance=tolerance,
        status=PledgeStatus.ACTIVE,
    )
    db.session.add(new)
    db.session.flush()
    pledge_changed.send(current_app._get_current_object(), pledge_id=new.id, action="pledged")
    return new


def _lock_pledge(coalition: BuyingCoalition, pledge: Pledge) -> Pledge:
    """Re-read the pledge after the coalition's lock was taken (it may have changed meanwhile)."""
    return db.session.scalars(
        select(Pledge)
        .where(Pledge.id == pledge.id, Pledge.coalition_id == coalition.id)
        .execution_options(populate_existing=True)
    ).one()


def change_pledge(
    actor: Any, pledge: Pledge, quantity: int, tolerance: int = 0, *, now: datetime | None = None
) -> Pledge:
    """Change the quantity (and tolerance). The pledge keeps its place in the pledge order."""
    now = now or utcnow()
    if not may_join(actor, pledge.business, pledge.coalition):
        raise _not_eligible()
    _check_amounts(pledge.coalition, quantity, tolerance)
    coalition = lock_coalition(pledge.coalition)
    pledge = _lock_pledge(coalition, pledge)
    if not pledge.is_active:
        raise DomainError(_("Komitmen ini sudah ditarik."))
    _check_open(coalition, now)
    _check_capacity(coalition, quantity, excluding=pledge.id)
    pledge.quantity = quantity
    pledge.tolerance = tolerance
    db.session.flush()
    pledge_changed.send(current_app._get_current_object(), pledge_id=pledge.id, action="changed")
    return pledge


def withdraw(actor: Any, pledge: Pledge, *, now: datetime | None = None) -> Pledge:
    """Withdraw before the deadline. Pledging again later takes a new place at the end of the order."""
    now = now or utcnow()
    if not policy.owns_business(actor, pledge.business):
        raise _denied()
    coalition = lock_coalition(pledge.coalition)
    pledge = _lock_pledge(coalition, pledge)
    if not pledge.is_active:
        raise DomainError(_("Komitmen ini sudah ditarik."))
    _check_open(coalition, now)
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_at = now
    db.session.flush()
    pledge_changed.send(current_app._get_current_object(), pledge_id=pledge.id, action="withdrawn")
    return pledge


# --- progress and costs -----------------------------------------------------------------------------------


def terms_of(coalition: BuyingCoalition) -> CoalitionTerms:
    return CoalitionTerms(
        tiers=tuple(Tier(t.min_qty, t.unit_price_idr) for t in coalition.tiers),
        moq=coalition.moq,
        pack_size=coalition.pack_size,
        capacity=coalition.capacity,
        shared_cost_idr=coalition.shared_cost_idr,
        rule=coalition.allocation_rule,
    )


@dataclass(frozen=True)
class Progress:
    """The live line of a coalition page: "12 more sacks to reach Rp300.000"."""

    total_pledged: int
    member_count: int
    moq: int
    units_to_moq: int  # 0 once the MOQ is reached
    unit_price_idr: int  # the tier price at the total pledged (the solo price below the first tier)
    solo_price_idr: int
    next_tier_units: int | None  # units still needed for the next cheaper tier (None at the cheapest)
    next_tier_price_idr: int | None
    capacity_left: int | None  # None: no capacity limit
    time_left: timedelta  # zero once the deadline passed
    is_open: bool  # pledges accepted right now

    @property
    def moq_reached(self) -> bool:
        return self.units_to_moq == 0


def progress(coalition: BuyingCoalition, *, now: datetime | None = None) -> Progress:
    now = now or utcnow()
    total, count = db.session.execute(
        select(func.coalesce(func.sum(Pledge.quantity), 0), func.count(Pledge.id)).where(
            Pledge.coalition_id == coalition.id, Pledge.status == PledgeStatus.ACTIVE
        )
    ).one()
    total, count = int(total), int(count)
    tiers = terms_of(coalition).tiers
    upcoming = engine.next_tier(tiers, total)
    deadline = _aware(coalition.deadline)
    return Progress(
        total_pledged=total,
        member_count=count,
        moq=coalition.moq,
        units_to_moq=max(coalition.moq - total, 0),
        unit_price_idr=engine.tier_price(tiers, total),
        solo_price_idr=engine.solo_price(tiers),
        next_tier_units=upcoming[0] if upcoming else None,
        next_tier_price_idr=upcoming[1] if upcoming else None,
        capacity_left=None if coalition.capacity is None else max(coalition.capacity - total, 0),
        time_left=max(deadline - now, timedelta(0)),
        is_open=coalition.status is S.OPEN and deadline > now,
    )


@dataclass(frozen=True)
class MemberCosts:
    """What one pledge may cost (``worst_case_idr``: the card hold) and costs now.

    ``current_idr``: after the close the final ``MemberShare.total_idr``; before it, what the member would
    pay if the coalition closed now (``succeeds_now``), otherwise an estimate at the current tier price with
    the shared costs split by the pledged quantities.
    """

    worst_case_idr: int
    current_idr: int
    unit_price_idr: int
    succeeds_now: bool
    final: bool


def member_costs(coalition: BuyingCoalition, pledge: Pledge) -> MemberCosts:
    terms = terms_of(coalition)
    worst = engine.worst_case_amount(terms, pledge.quantity + pledge.tolerance)
    share = db.session.scalar(select(MemberShare).where(MemberShare.pledge_id == pledge.id))
    if share is not None:
        return MemberCosts(worst, share.total_idr, share.unit_price_idr, share.allocated_qty > 0, True)
    pledges = active_pledges(coalition)
    index = next((i for i, p in enumerate(pledges) if p.id == pledge.id), None)
    if index is None:  # withdrawn: nothing to pay
        return MemberCosts(worst, 0, 0, False, False)
    settlement = engine.settle(terms, [PledgeInput(p.quantity, p.tolerance) for p in pledges])
    if settlement.success:
        mine = settlement.members[index]
        return MemberCosts(worst, mine.amount_idr, settlement.unit_price_idr, True, False)
    # Below the MOQ nobody would pay; what the member sees is the cost if it succeeded at the minimum: the
    # units still missing are somebody else's, so the shared cost is split over at least the MOQ (and the
    # estimate stays within the worst case that a card hold covers).
    quantities = [p.quantity for p in pledges]
    missing = max(0, terms.moq - sum(quantities))
    price = engine.tier_price(terms.tiers, sum(quantities) + missing)
    shared = 0
    if terms.shared_cost_idr:
        shared = engine.split_cost(terms.shared_cost_idr, [*quantities, missing] if missing else quantities)[
            index
        ]
    return MemberCosts(worst, pledge.quantity * price + shared, price, False, False)


# --- the close --------------------------------------------------------------------------------------------


def due_coalition_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Open coalitions whose deadline passed, earliest deadline first (every closer locks in this order)."""
    now = (now or utcnow()).astimezone(UTC)
    return list(
        db.session.scalars(
            select(BuyingCoalition.id)
            .where(BuyingCoalition.status == S.OPEN, BuyingCoalition.deadline <= now)
            .order_by(BuyingCoalition.deadline, BuyingCoalition.id)
            .limit(limit)
        )
    )


def close_due(now: datetime | None = None) -> list[int]:
    """Close every due coalition; returns the ids this call closed. Idempotent and safe to run concurrently:
    each close takes the coalition's row lock and does nothing once it is closed, so a coalition is settled
    exactly once however many closers run. The caller commits (per call; the CLI may commit per id by
    calling ``close`` itself)."""
    now = now or utcnow()
    closed = []
    for coalition_id in due_coalition_ids(now):
        coalition = db.session.get(BuyingCoalition, coalition_id)
        if coalition is not None and close(coalition, now):
            closed.append(coalition_id)
    return closed


def close(
    coalition: BuyingCoalition, now: datetime | None = None, *, actor: Any | None = None, early: bool = False
) -> bool:
    """Settle the coalition with the engine and store the result; True when this call closed it.

    At the deadline (the scheduler, ``actor`` None) or ``early`` by its manager, which is allowed only when
    the coalition would succeed now (MOQ reached, also after pack rounding and capacity). Returns False,
    changing nothing, when the coalition is not open any more (already closed by another run) or not due.
    """
    now = now or utcnow()
    if early:
        _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    if coalition.status is not S.OPEN:
        if early:
            raise DomainError(_("Koalisi ini sedang tidak terbuka."))
        return False
    if not early and _aware(coalition.deadline) > now:
        return False
    if coalition.payment_mode is PaymentMode.CARD_HOLD:
        from coalitions import payments  # imports this module

        payments.lapse_unsecured(coalition, active_pledges(coalition), now)
    # Plain rows, not ORM objects: a coalition may have thousands of pledges (see bench/).
    pledges = db.session.execute(
        select(Pledge.id, Pledge.business_id, Pledge.quantity, Pledge.tolerance)
        .where(Pledge.coalition_id == coalition.id, Pledge.status == PledgeStatus.ACTIVE)
        .order_by(Pledge.created_at, Pledge.id)
    ).all()
    terms = terms_of(coalition)
    settlement = engine.settle(terms, [PledgeInput(p.quantity, p.tolerance) for p in pledges])
    if early and not settlement.success:
        raise DomainError(
            _(
                "Koalisi baru bisa ditutup lebih awal setelah jumlah minimum pesanan (%(moq)s %(unit)s) "
                "tercapai.",
                moq=_qty(coalition.moq),
                unit=unit_label(coalition.unit),
            )
        )
    due_at = now + timedelta(days=coalition.payment_due_days)
    rows = [
        {
            "coalition_id": coalition.id,
            "pledge_id": row.id,
            "business_id": row.business_id,
            "pledged_qty": result.quantity,
            "tolerance_used": result.tolerance_used,
            "allocated_qty": result.allocated,
            "unit_price_idr": settlement.unit_price_idr,
            "goods_idr": result.goods_idr,
            "shared_cost_idr": result.shared_cost_idr,
            "total_idr": result.amount_idr,
            "savings_idr": result.savings_idr,
            "status": ShareStatus.DUE if result.amount_idr > 0 else ShareStatus.NOTHING_DUE,
            "due_at": due_at if result.amount_idr > 0 else None,
            "paid_idr": 0,
            "extra_qty": 0,
            "extra_idr": 0,
            "handed_over_qty": 0,
            "created_at": now,
        }
        for row, result in zip(pledges, settlement.members, strict=True)
    ]
    if rows:
        # One executemany (the pledge's unique share row makes a second settlement impossible).
        db.session.execute(insert(MemberShare.__table__), rows)
    coalition.outcome = settlement.outcome
    coalition.total_pledged_qty = settlement.total_pledged
    coalition.allocated_qty = settlement.units_ordered
    coalition.packs_ordered = settlement.packs
    coalition.unit_price_idr = settlement.unit_price_idr
    coalition.goods_total_idr = settlement.goods_total_idr
    coalition.amount_total_idr = settlement.amount_total_idr
    coalition.savings_idr = settlement.savings_total_idr
    if settlement.success:
        note = _(
            "Berhasil: %(qty)s %(unit)s dengan harga %(price)s per %(unit)s.",
            qty=_qty(settlement.units_ordered),
            unit=unit_label(coalition.unit),
            price=format_idr(settlement.unit_price_idr),
        )
        if early:
            note = _("Ditutup lebih awal oleh pengurus.") + " " + note
    elif settlement.outcome is Outcome.BELOW_MOQ:
        note = _(
            "Gagal: terkumpul %(qty)s dari minimum %(moq)s %(unit)s; tidak ada yang membayar.",
            qty=_qty(settlement.total_pledged),
            moq=_qty(coalition.moq),
            unit=unit_label(coalition.unit),
        )
    else:
        note = _(
            "Gagal: setelah pembulatan kemasan dan kapasitas pemasok, jumlah yang bisa dipesan di bawah "
            "minimum %(moq)s %(unit)s; tidak ada yang membayar.",
            moq=_qty(coalition.moq),
            unit=unit_label(coalition.unit),
        )
    transition(
        coalition,
        S.CLOSED_SUCCESS if settlement.success else S.CLOSED_FAILED,
        actor=actor,
        note=note,
        now=now,
    )
    log.info("coalition %s closed: %s, %s pledges", coalition.id, settlement.outcome.value, len(pledges))
    coalition_closed.send(
        current_app._get_current_object(), coalition_id=coalition.id, success=settlement.success
    )
    return True
