"""Buying coalitions (koalisi pembelian): the coalition and its price tiers, invitations, pledges, the
per-member results written when it closes, and its status history.

A coalition's status changes only through ``coalitions.services.transition``. The arithmetic (tier price,
pack rounding, allocation, cost split) lives in ``coalitions.engine``; what it decided at the close is stored
here (``MemberShare`` and the coalition's totals), so later edits can never change what a member owes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coalitions.engine import AllocationRule, Outcome
from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.cooperatives.models import Business, Cooperative


class CoalitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED_SUCCESS = "closed_success"
    CLOSED_FAILED = "closed_failed"
    ORDERED = "ordered"
    RECEIVED = "received"
    DISTRIBUTED = "distributed"
    CANCELLED = "cancelled"


COALITION_STATUS_LABELS = {
    CoalitionStatus.DRAFT: _l("Draf"),
    CoalitionStatus.OPEN: _l("Terbuka"),
    CoalitionStatus.CLOSED_SUCCESS: _l("Berhasil"),
    CoalitionStatus.CLOSED_FAILED: _l("Gagal"),
    CoalitionStatus.ORDERED: _l("Dipesan ke pemasok"),
    CoalitionStatus.RECEIVED: _l("Barang diterima"),
    CoalitionStatus.DISTRIBUTED: _l("Dibagikan"),
    CoalitionStatus.CANCELLED: _l("Dibatalkan"),
}


class CostSplit(enum.StrEnum):
    """How the shared costs (delivery, ...) are split among members. Only by allocated quantity for now."""

    BY_QUANTITY = "by_quantity"


class JoinPolicy(enum.StrEnum):
    MEMBERS = "members"  # active members of the coalition's cooperative
    MEMBERS_AND_INVITED = "members_and_invited"  # and the invited businesses of other cooperatives


JOIN_POLICY_LABELS = {
    JoinPolicy.MEMBERS: _l("Hanya anggota koperasi"),
    JoinPolicy.MEMBERS_AND_INVITED: _l("Anggota dan UMKM yang diundang"),
}

ALLOCATION_RULE_LABELS = {
    AllocationRule.UNIFORM: _l("Merata (bawaan)"),
    AllocationRule.PROPORTIONAL: _l("Sebanding dengan jumlah"),
}


class PaymentMode(enum.StrEnum):
    # The pledge authorizes a card payment for the worst case; captured for the final amount on success.
    CARD_HOLD = "card_hold"
    # On success each member gets an invoice due within ``payment_due_days``.
    PAY_ON_SUCCESS = "pay_on_success"


PAYMENT_MODE_LABELS = {
    PaymentMode.CARD_HOLD: _l("Tahan dana kartu"),
    PaymentMode.PAY_ON_SUCCESS: _l("Bayar bila berhasil"),
}


class PledgeStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    # Card-hold mode: no authorized hold covered the pledge at the deadline, so it did not count.
    LAPSED = "lapsed"


class ShareStatus(enum.StrEnum):
    """Where a member's share stands after the close."""

    NOTHING_DUE = "nothing_due"  # the coalition failed, or capacity left this pledge with no units
    DUE = "due"  # the member still owes ``owed_idr``
    PAID = "paid"
    DEFAULTED = "defaulted"  # not paid by the due date; the manager decides (absorb or re-allocate)
    ABSORBED = "absorbed"  # the cooperative took the defaulted share over (goods and amount)
    REALLOCATED = "reallocated"  # the defaulted units went to the other members (and the rest to the coop)


SHARE_STATUS_LABELS = {
    ShareStatus.NOTHING_DUE: _l("Tidak ada tagihan"),
    ShareStatus.DUE: _l("Menunggu pembayaran"),
    ShareStatus.PAID: _l("Lunas"),
    ShareStatus.DEFAULTED: _l("Tidak membayar (gagal bayar)"),
    ShareStatus.ABSORBED: _l("Diambil alih koperasi"),
    ShareStatus.REALLOCATED: _l("Dialihkan ke anggota lain"),
}
# A share in one of these statuses no longer belongs to the member (nothing to receive, nothing to pay).
SETTLED_AWAY = frozenset({ShareStatus.ABSORBED, ShareStatus.REALLOCATED})


class PaymentKind(enum.StrEnum):
    HOLD = "hold"  # card-hold mode: an authorization for the pledge's worst case, captured at the close
    CARD = "card"  # paying a share (invoice) by card
    TRANSFER = "transfer"  # paying a share by bank transfer to the cooperative, with a proof


class CoalitionPaymentStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the member (card details, a transfer)
    PROCESSING = "processing"  # card confirmed (or 3-D Secure under way); the provider's answer awaited
    AUTHORIZED = "authorized"  # a hold: the money is reserved on the card, not taken
    AWAITING_REVIEW = "awaiting_review"  # transfer proof uploaded; a manager checks the account
    SUCCEEDED = "succeeded"  # paid (a hold: captured for ``captured_idr``)
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped by us (a hold released, a replaced attempt)


COALITION_PAYMENT_STATUS_LABELS = {
    CoalitionPaymentStatus.PENDING: _l("Menunggu"),
    CoalitionPaymentStatus.PROCESSING: _l("Sedang diproses"),
    CoalitionPaymentStatus.AUTHORIZED: _l("Dana ditahan"),
    CoalitionPaymentStatus.AWAITING_REVIEW: _l("Bukti transfer sedang diperiksa"),
    CoalitionPaymentStatus.SUCCEEDED: _l("Berhasil"),
    CoalitionPaymentStatus.FAILED: _l("Gagal"),
    CoalitionPaymentStatus.CANCELLED: _l("Dilepas / dibatalkan"),
}


class BuyingCoalition(db.Model):
    __tablename__ = "buying_coalitions"
    __table_args__ = (
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("pack_size >= 1", name="pack_size_positive"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("shared_cost_idr >= 0", name="shared_cost_nonnegative"),
        CheckConstraint("payment_due_days >= 1", name="payment_due_days_positive"),
        CheckConstraint("unit_price_idr >= 0", name="unit_price_nonnegative"),
        CheckConstraint("goods_total_idr >= 0", name="goods_total_nonnegative"),
        CheckConstraint("amount_total_idr >= 0", name="amount_total_nonnegative"),
        CheckConstraint("savings_idr >= 0", name="savings_nonnegative"),
        # close-due looks for open coalitions whose deadline passed
        Index("ix_buying_coalitions_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))  # the item: "Konsentrat pakan sapi 50 kg"
    description: Mapped[str] = mapped_column(Text, default="")
    supplier_name: Mapped[str] = mapped_column(String(160))
    supplier_contact: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20))  # a catalog unit code (karung, kg, ...)
    moq: Mapped[int] = mapped_column(Integer)
    pack_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: the supplier delivers any quantity
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shared_cost_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    shared_cost_split: Mapped[CostSplit] = mapped_column(
        str_enum(CostSplit, "cost_split"), default=CostSplit.BY_QUANTITY
    )
    allocation_rule: Mapped[AllocationRule] = mapped_column(
        str_enum(AllocationRule, "allocation_rule"), default=AllocationRule.UNIFORM
    )
    join_policy: Mapped[JoinPolicy] = mapped_column(
        str_enum(JoinPolicy, "join_policy"), default=JoinPolicy.MEMBERS
    )
    payment_mode: Mapped[PaymentMode] = mapped_column(
        str_enum(PaymentMode, "coalition_payment_mode"), default=PaymentMode.PAY_ON_SUCCESS
    )
    payment_due_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    status: Mapped[CoalitionStatus] = mapped_column(
        str_enum(CoalitionStatus, "coalition_status"), default=CoalitionStatus.DRAFT
    )
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Written once, at the close (None before): the engine's settlement of the active pledges.
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "coalition_outcome"))
    total_pledged_qty: Mapped[int | None] = mapped_column(Integer)
    allocated_qty: Mapped[int | None] = mapped_column(Integer)  # units ordered from the supplier
    packs_ordered: Mapped[int | None] = mapped_column(Integer)
    unit_price_idr: Mapped[int | None] = mapped_column(BigInteger)  # the all-units tier price reached
    goods_total_idr: Mapped[int | None] = mapped_column(BigInteger)
    amount_total_idr: Mapped[int | None] = mapped_column(BigInteger)  # goods + shared costs charged
    savings_idr: Mapped[int | None] = mapped_column(BigInteger)  # against the solo (first tier) price
    # What the cooperative itself took over from defaulted shares (units and their amount); 0 otherwise.
    absorbed_qty: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    absorbed_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Settling card holds with the provider happens after the close commits (capture/release); True while
    # some hold still waits for that (the scheduler retries).
    holds_pending: Mapped[bool] = mapped_column(default=False, server_default="0")

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    created_by: Mapped[User | None] = relationship()
    tiers: Mapped[list[CoalitionTier]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="CoalitionTier.min_qty"
    )
    invitations: Mapped[list[CoalitionInvitation]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="CoalitionInvitation.id"
    )
    pledges: Mapped[list[Pledge]] = relationship(
        back_populates="coalition",
        cascade="all, delete-orphan",
        order_by="(Pledge.created_at, Pledge.id)",
    )
    shares: Mapped[list[MemberShare]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="MemberShare.id"
    )
    events: Mapped[list[CoalitionEvent]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="CoalitionEvent.id"
    )
    receipts: Mapped[list[GoodsReceipt]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="GoodsReceipt.id"
    )

    @property
    def received_qty(self) -> int:
        return sum(r.quantity for r in self.receipts)

    @property
    def active_pledges(self) -> list[Pledge]:
        """In pledge order (the engine's tie-breaks depend on it)."""
        return [p for p in self.pledges if p.status is PledgeStatus.ACTIVE]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CoalitionTier(db.Model):
    """From ``min_qty`` units on every unit costs ``unit_price_idr`` (all-units pricing)."""

    __tablename__ = "coalition_tiers"
    __table_args__ = (
        UniqueConstraint("coalition_id", "min_qty"),
        CheckConstraint("min_qty >= 1", name="min_qty_positive"),
        CheckConstraint("unit_price_idr >= 0", name="unit_price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique (coalition_id, min_qty) serves lookups by coalition
    coalition_id: Mapped[int] = mapped_column(ForeignKey("buying_coalitions.id", ondelete="CASCADE"))
    min_qty: Mapped[int] = mapped_column(Integer)
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="tiers")


class CoalitionInvitation(db.Model):
    """A business of another cooperative invited into a ``members_and_invited`` coalition."""

    __tablename__ = "coalition_invitations"
    __table_args__ = (UniqueConstraint("coalition_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("buying_coalitions.id", ondelete="CASCADE"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="invitations")
    business: Mapped[Business] = relationship()


class Pledge(db.Model):
    """A business's pledge. Withdrawn pledges stay (history); at most one active pledge per business.

    ``created_at`` (then ``id``) is the pledge order the engine's tie-breaks use; changing the quantity keeps
    the pledge's place, withdrawing and pledging again takes a new place at the end.
    """

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("tolerance >= 0", name="tolerance_nonnegative"),
        Index(
            "uq_pledges_active_business",
            "coalition_id",
            "business_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_pledges_coalition_status_created", "coalition_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("buying_coalitions.id", ondelete="CASCADE"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    pledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    quantity: Mapped[int] = mapped_column(Integer)
    tolerance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus, "pledge_status"), default=PledgeStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="pledges")
    business: Mapped[Business] = relationship()
    share: Mapped[MemberShare | None] = relationship(back_populates="pledge")

    @property
    def is_active(self) -> bool:
        return self.status is PledgeStatus.ACTIVE


class MemberShare(db.Model):
    """One active pledge's result at the close (all amounts 0 when the coalition failed).

    ``total_idr = goods_idr + shared_cost_idr`` is what the member pays. One row per pledge (unique), so a
    settlement can never be written twice.
    """

    __tablename__ = "coalition_member_shares"
    __table_args__ = (
        CheckConstraint("allocated_qty >= 0", name="allocated_nonnegative"),
        CheckConstraint("tolerance_used >= 0", name="tolerance_used_nonnegative"),
        CheckConstraint("unit_price_idr >= 0", name="unit_price_nonnegative"),
        CheckConstraint("goods_idr >= 0", name="goods_nonnegative"),
        CheckConstraint("shared_cost_idr >= 0", name="shared_cost_nonnegative"),
        CheckConstraint("total_idr >= 0", name="total_nonnegative"),
        CheckConstraint("savings_idr >= 0", name="savings_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("buying_coalitions.id", ondelete="CASCADE"), index=True
    )
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    pledged_qty: Mapped[int] = mapped_column(Integer)
    tolerance_used: Mapped[int] = mapped_column(Integer, default=0)
    allocated_qty: Mapped[int] = mapped_column(Integer)
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    goods_idr: Mapped[int] = mapped_column(BigInteger)
    shared_cost_idr: Mapped[int] = mapped_column(BigInteger)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    savings_idr: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[ShareStatus] = mapped_column(
        str_enum(ShareStatus, "share_status"),
        default=ShareStatus.NOTHING_DUE,
        server_default=ShareStatus.NOTHING_DUE.value,
        index=True,
    )
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # pay-on-success invoices
    paid_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Units (and their goods + shared cost) received later through a re-allocation of a defaulted share.
    extra_qty: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extra_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    defaulted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handed_over_qty: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="shares")
    pledge: Mapped[Pledge] = relationship(back_populates="share")
    business: Mapped[Business] = relationship()

    @property
    def final_qty(self) -> int:
        """The units this member receives (0 once the share went to the cooperative or the others)."""
        return 0 if self.status in SETTLED_AWAY else self.allocated_qty + self.extra_qty

    @property
    def final_idr(self) -> int:
        """What this member pays in all (0 once the share went to the cooperative or the others)."""
        return 0 if self.status in SETTLED_AWAY else self.total_idr + self.extra_idr

    @property
    def owed_idr(self) -> int:
        return max(self.final_idr - self.paid_idr, 0)

    @property
    def solo_price_idr(self) -> int:
        return self.unit_price_idr + (self.savings_idr // self.allocated_qty if self.allocated_qty else 0)


class CoalitionPayment(db.Model):
    """Money from a member towards a coalition: a card hold on a pledge (card-hold mode), or an attempt to pay
    a share after the close (card, or bank transfer into the cooperative's account).

    Status changes only through ``coalitions.payments.transition``; a released (cancelled) hold can never be
    captured, whatever the provider would allow.
    """

    __tablename__ = "coalition_payments"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="amount_positive"),
        CheckConstraint("captured_idr >= 0 AND captured_idr <= amount_idr", name="captured_within_amount"),
        Index("ix_coalition_payments_pledge_kind", "pledge_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("buying_coalitions.id", ondelete="CASCADE"), index=True
    )
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"))
    share_id: Mapped[int | None] = mapped_column(
        ForeignKey("coalition_member_shares.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, "coalition_payment_kind"))
    status: Mapped[CoalitionPaymentStatus] = mapped_column(
        str_enum(CoalitionPaymentStatus, "coalition_payment_status")
    )
    amount_idr: Mapped[int] = mapped_column(BigInteger)  # a hold: the amount reserved
    captured_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # A hold's fate decided at the close, carried out with the provider after the commit: "capture"/"release".
    settle_action: Mapped[str | None] = mapped_column(String(10))
    settle_amount_idr: Mapped[int | None] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # ours; the provider's idempotency key
    provider_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    failure_message: Mapped[str | None] = mapped_column(String(300))
    proof_path: Mapped[str | None] = mapped_column(String(200))
    proof_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    coalition: Mapped[BuyingCoalition] = relationship()
    pledge: Mapped[Pledge] = relationship()
    share: Mapped[MemberShare | None] = relationship()
    business: Mapped[Business] = relationship()


class GoodsReceipt(db.Model):
    """Goods the cooperative received from the supplier (one row per delivery; partial deliveries add up)."""

    __tablename__ = "coalition_receipts"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("buying_coalitions.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="receipts")


class CoalitionEvent(db.Model):
    """The status history of a coalition (who moved it, when, why)."""

    __tablename__ = "coalition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("buying_coalitions.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[CoalitionStatus | None] = mapped_column(str_enum(CoalitionStatus, "coalition_status"))
    to_status: Mapped[CoalitionStatus] = mapped_column(str_enum(CoalitionStatus, "coalition_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[BuyingCoalition] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
