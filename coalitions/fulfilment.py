"""After a successful close: ordering from the supplier, receiving the goods (partial deliveries add up),
handing each member its share, and members who do not pay by the due date.

A defaulted share is resolved by the cooperative's manager in one of two ways, and the coalition's numbers
stay consistent either way — always::

    Σ final_qty over the members + absorbed_qty = allocated_qty   (units ordered from the supplier)
    Σ final_idr over the members + absorbed_idr = amount_total_idr  (goods + shared costs)

* **absorb**: the cooperative takes the share over (its units and its amount);
* **re-allocate**: the share's units are offered to the members whose pledge was not fully served (capacity
  was short), with the coalition's allocation rule, at the same unit price; the share's part of the shared
  costs follows the units (largest remainder); what nobody takes is absorbed by the cooperative. Members who
  receive units owe the difference (a new amount due).

Functions check permissions, change rows and flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from coalitions import engine
from coalitions.models import (
    BuyingCoalition,
    CoalitionPayment,
    CoalitionPaymentStatus,
    CoalitionStatus,
    GoodsReceipt,
    MemberShare,
    PaymentKind,
    ShareStatus,
)
from coalitions.payments import lock_share
from coalitions.services import FULFILMENT_STEPS, _manager_of, _qty, lock_coalition, transition
from marketplace.catalog.models import unit_label
from marketplace.clock import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db

S = CoalitionStatus
NOTE_MAX = 500


def shares_of(coalition: BuyingCoalition) -> list[MemberShare]:
    return list(
        db.session.scalars(
            select(MemberShare).where(MemberShare.coalition_id == coalition.id).order_by(MemberShare.id)
        )
    )


def _lock_share(coalition: BuyingCoalition, share: MemberShare) -> MemberShare:
    if share.coalition_id != coalition.id:
        raise DomainError(_("Bagian ini bukan milik koalisi ini."))
    return lock_share(share)


# --- ordering and receiving ---------------------------------------------------------------------------------


def mark_ordered(actor: Any, coalition: BuyingCoalition, note: str = "") -> BuyingCoalition:
    """The manager sent the purchase order to the supplier."""
    _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    if coalition.status is not S.CLOSED_SUCCESS:
        raise DomainError(_("Hanya koalisi yang berhasil yang bisa dipesan ke pemasok."))
    transition(coalition, S.ORDERED, actor=actor, note=note.strip()[:NOTE_MAX])
    return coalition


def record_receipt(
    actor: Any, coalition: BuyingCoalition, quantity: int, note: str = "", *, now: datetime | None = None
) -> GoodsReceipt:
    """Goods arrived from the supplier. Partial deliveries add up; once everything ordered arrived the
    coalition is ``received``."""
    _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    if coalition.status is not S.ORDERED:
        raise DomainError(_("Penerimaan barang dicatat setelah koalisi dipesan ke pemasok."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DomainError(_("Isi jumlah barang yang diterima (minimal 1)."), field="quantity")
    ordered = coalition.allocated_qty or 0
    left = ordered - coalition.received_qty
    if quantity > left:
        raise DomainError(
            _(
                "Jumlah melebihi yang belum diterima: tinggal %(left)s %(unit)s dari %(ordered)s.",
                left=_qty(left),
                ordered=_qty(ordered),
                unit=unit_label(coalition.unit),
            ),
            field="quantity",
        )
    receipt = GoodsReceipt(
        coalition=coalition,
        quantity=quantity,
        note=note.strip()[:NOTE_MAX],
        received_by_id=actor.id,
        received_at=now or utcnow(),
    )
    db.session.add(receipt)
    db.session.flush()
    if coalition.received_qty >= ordered:
        transition(
            coalition,
            S.RECEIVED,
            actor=actor,
            note=_(
                "Semua barang diterima: %(qty)s %(unit)s.", qty=_qty(ordered), unit=unit_label(coalition.unit)
            ),
        )
    return receipt


def paid_units(share: MemberShare) -> int:
    """The units the member has paid for: all of them once paid; the units of the close alone when only an
    amount added later by a re-allocation is still open."""
    if share.status is ShareStatus.PAID:
        return share.final_qty
    if share.status is ShareStatus.DUE and share.paid_idr >= share.total_idr:
        return share.allocated_qty
    return 0


def handed_over_total(coalition: BuyingCoalition) -> int:
    return sum(s.handed_over_qty for s in shares_of(coalition))


def hand_over(
    actor: Any, coalition: BuyingCoalition, share: MemberShare, quantity: int, *, now: datetime | None = None
) -> MemberShare:
    """The member collected ``quantity`` units of its share (possibly in parts). Only paid shares, only what
    has arrived. When every member has everything, the coalition is ``distributed``."""
    _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    share = _lock_share(coalition, share)
    if coalition.status not in (S.ORDERED, S.RECEIVED):
        raise DomainError(_("Serah terima dicatat setelah barang dari pemasok diterima."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DomainError(_("Isi jumlah yang diserahkan (minimal 1)."), field="quantity")
    paid_for = paid_units(share)
    if paid_for <= share.handed_over_qty:
        raise DomainError(_("Anggota ini belum melunasi bagiannya; serah terima setelah lunas."))
    left = paid_for - share.handed_over_qty
    if quantity > left:
        raise DomainError(
            _("Sisa bagian anggota ini %(left)s %(unit)s.", left=_qty(left), unit=unit_label(coalition.unit)),
            field="quantity",
        )
    in_store = coalition.received_qty - handed_over_total(coalition)
    if quantity > in_store:
        raise DomainError(
            _(
                "Barang yang sudah diterima dan belum diserahkan tinggal %(n)s %(unit)s.",
                n=_qty(max(in_store, 0)),
                unit=unit_label(coalition.unit),
            ),
            field="quantity",
        )
    share.handed_over_qty += quantity
    share.handed_over_at = now or utcnow()
    db.session.flush()
    if coalition.status is S.RECEIVED and all(s.handed_over_qty >= s.final_qty for s in shares_of(coalition)):
        transition(coalition, S.DISTRIBUTED, actor=actor, note=_("Semua bagian anggota sudah diserahkan."))
    return share


# --- defaults -----------------------------------------------------------------------------------------------


def _busy(share: MemberShare) -> bool:
    """A payment for the share is under way (a hold about to be captured, a card or proof being checked)."""
    return (
        db.session.scalar(
            select(CoalitionPayment.id).where(
                CoalitionPayment.share_id == share.id,
                (CoalitionPayment.settle_action == "capture")
                | CoalitionPayment.status.in_(
                    [CoalitionPaymentStatus.PROCESSING, CoalitionPaymentStatus.AWAITING_REVIEW]
                ),
            )
        )
        is not None
    )


def mark_defaults(now: datetime | None = None) -> list[int]:
    """Shares still owing after their due date become ``defaulted`` (the scheduler runs this). Idempotent;
    a share with a payment under way waits. Returns the share ids marked now."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(MemberShare)
        .join(BuyingCoalition, BuyingCoalition.id == MemberShare.coalition_id)
        .where(
            MemberShare.status == ShareStatus.DUE,
            MemberShare.due_at.is_not(None),
            MemberShare.due_at < now,
            BuyingCoalition.status.in_([S.CLOSED_SUCCESS, *FULFILMENT_STEPS]),
        )
        .order_by(MemberShare.id)
        .with_for_update(of=MemberShare)
    ).all()
    marked = []
    for share in candidates:
        if share.owed_idr <= 0 or _busy(share):
            continue
        share.status = ShareStatus.DEFAULTED
        share.defaulted_at = now
        marked.append(share.id)
    db.session.flush()
    return marked


def _check_defaulted(
    actor: Any, coalition: BuyingCoalition, share: MemberShare
) -> tuple[BuyingCoalition, MemberShare]:
    _manager_of(actor, coalition.cooperative)
    coalition = lock_coalition(coalition)
    share = _lock_share(coalition, share)
    if share.status is not ShareStatus.DEFAULTED:
        raise DomainError(_("Hanya bagian yang gagal bayar yang bisa diambil alih atau dialihkan."))
    if share.handed_over_qty:
        raise DomainError(
            _("Sebagian barang sudah diserahkan ke anggota ini; selesaikan langsung dengannya.")
        )
    if _busy(share):
        raise DomainError(
            _("Ada pembayaran anggota ini yang sedang diproses atau diperiksa; selesaikan itu dulu.")
        )
    _cancel_open_attempts(share)
    return coalition, share


def _cancel_open_attempts(share: MemberShare) -> None:
    from coalitions.payments import _release

    for payment in db.session.scalars(
        select(CoalitionPayment).where(
            CoalitionPayment.share_id == share.id,
            CoalitionPayment.kind.in_([PaymentKind.CARD, PaymentKind.TRANSFER]),
            CoalitionPayment.status == CoalitionPaymentStatus.PENDING,
        )
    ):
        _release(payment)
        if payment.provider_ref is None:
            payment.status = CoalitionPaymentStatus.CANCELLED
            payment.settle_action = None


def absorb(actor: Any, coalition: BuyingCoalition, share: MemberShare, note: str = "") -> MemberShare:
    """The cooperative takes the defaulted share over: its units and what is left to pay of it."""
    coalition, share = _check_defaulted(actor, coalition, share)
    coalition.absorbed_qty += share.final_qty
    coalition.absorbed_idr += share.final_idr
    share.status = ShareStatus.ABSORBED
    transition_note(
        coalition,
        actor,
        _(
            "Bagian %(name)s (%(qty)s %(unit)s) diambil alih koperasi.",
            name=share.business.name,
            qty=_qty(share.allocated_qty + share.extra_qty),
            unit=unit_label(coalition.unit),
        )
        + (" " + note.strip() if note.strip() else ""),
    )
    db.session.flush()
    return share


def transition_note(coalition: BuyingCoalition, actor: Any, note: str) -> None:
    """Record a note in the coalition's history without a status change."""
    from coalitions.models import CoalitionEvent

    db.session.add(
        CoalitionEvent(
            coalition=coalition,
            from_status=coalition.status,
            to_status=coalition.status,
            actor_id=getattr(actor, "id", None),
            note=note[:NOTE_MAX],
        )
    )


def reallocate(
    actor: Any, coalition: BuyingCoalition, share: MemberShare, *, now: datetime | None = None
) -> dict[int, int]:
    """Offer the defaulted share's units to the members whose pledge was not fully served, by the coalition's
    allocation rule (in pledge order); returns {share id: extra units}. The rest goes to the cooperative."""
    now = now or utcnow()
    coalition, share = _check_defaulted(actor, coalition, share)
    if share.paid_idr:
        raise DomainError(
            _("Anggota ini sudah membayar sebagian; ambil alih bagiannya lalu selesaikan sisanya langsung.")
        )
    units = share.final_qty
    cost = share.shared_cost_idr + _extra_cost(share)
    price = coalition.unit_price_idr or 0
    others = [
        s
        for s in sorted(shares_of(coalition), key=lambda s: (s.pledge.created_at, s.pledge_id))
        if s.id != share.id and s.status in (ShareStatus.DUE, ShareStatus.PAID)
    ]
    # What each still lacks of the quantity it pledged (tolerance units only ever complete a pack).
    demands = [max(s.pledged_qty - s.allocated_qty - s.extra_qty, 0) for s in others]
    given = engine.allocate(coalition.allocation_rule, demands, min(units, sum(demands))) if others else []
    taken = sum(given)
    left = units - taken
    costs = engine.split_cost(cost, [*given, left]) if cost and units else [0] * (len(given) + 1)
    result: dict[int, int] = {}
    due_at = now + timedelta(days=coalition.payment_due_days)
    for other, extra, extra_cost in zip(others, given, costs, strict=False):
        if not extra and not extra_cost:
            continue
        other.extra_qty += extra
        other.extra_idr += extra * price + extra_cost
        if other.owed_idr > 0:
            other.status = ShareStatus.DUE
            other.due_at = due_at
        result[other.id] = extra
    coalition.absorbed_qty += left
    coalition.absorbed_idr += left * price + costs[-1]
    share.status = ShareStatus.REALLOCATED
    transition_note(
        coalition,
        actor,
        _(
            "Bagian %(name)s (%(qty)s %(unit)s) dialihkan: %(taken)s %(unit)s ke anggota lain, "
            "%(left)s %(unit)s diambil koperasi.",
            name=share.business.name,
            qty=_qty(units),
            taken=_qty(taken),
            left=_qty(left),
            unit=unit_label(coalition.unit),
        ),
    )
    db.session.flush()
    return result


def _extra_cost(share: MemberShare) -> int:
    """The shared-cost part of what the share received by an earlier re-allocation."""
    return share.extra_idr - share.extra_qty * share.unit_price_idr


# --- savings ------------------------------------------------------------------------------------------------


def member_savings(share: MemberShare) -> int:
    """What the member saved against buying its units alone at the solo (first tier) price."""
    if share.status in (ShareStatus.ABSORBED, ShareStatus.REALLOCATED):
        return 0
    solo = engine.solo_price(tuple(engine.Tier(t.min_qty, t.unit_price_idr) for t in share.coalition.tiers))
    return share.final_qty * max(solo - share.unit_price_idr, 0)


def cooperative_savings(cooperative_id: int) -> tuple[int, int]:
    """(savings in rupiah, successful coalitions) for a cooperative's members, over every success."""
    from sqlalchemy import func

    total, count = db.session.execute(
        select(func.coalesce(func.sum(BuyingCoalition.savings_idr), 0), func.count(BuyingCoalition.id)).where(
            BuyingCoalition.cooperative_id == cooperative_id,
            BuyingCoalition.status.in_([S.CLOSED_SUCCESS, *FULFILMENT_STEPS]),
        )
    ).one()
    return int(total), int(count)
