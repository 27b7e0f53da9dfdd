"""Selling coalitions (koalisi penjualan): a buyer's bulk request, cooperatives' counter-offers, the coalition
that pools members' supply, their commitments per grade, quality control at the collection point, the buyer's
payment, and the members' payouts.

Statuses change only in ``coalitions.selling.services`` (one transition function per machine). What the
engine decided (allocation at the close, settlement after quality control) is stored here, so a later edit
can never change what a member is owed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
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

from coalitions.engine import AllocationRule
from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db
from marketplace.sectors import Sector

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.cooperatives.models import Business, Cooperative


# --- bulk requests and counter-offers -----------------------------------------------------------------------


class RequestStatus(enum.StrEnum):
    OPEN = "open"  # visible to the cooperatives it targets; offers welcome until the offer deadline
    TAKEN = (
        "taken"  # a cooperative turned it into a selling coalition (or the buyer accepted a counter-offer)
    )
    CLOSED = "closed"  # the offer deadline passed with nobody taking it
    CANCELLED = "cancelled"  # by the buyer


REQUEST_STATUS_LABELS = {
    RequestStatus.OPEN: _l("Terbuka"),
    RequestStatus.TAKEN: _l("Diambil koperasi"),
    RequestStatus.CLOSED: _l("Ditutup"),
    RequestStatus.CANCELLED: _l("Dibatalkan"),
}


class BulkRequest(db.Model):
    """A buyer (hotel, shop, caterer, institution) asks for a large quantity of one item."""

    __tablename__ = "bulk_requests"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        Index("ix_bulk_requests_status_province", "status", "province_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    organisation: Mapped[str] = mapped_column(String(160))  # "Hotel Santika Bekasi"
    title: Mapped[str] = mapped_column(String(160))  # the item: "Kopi Arabika sangrai"
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    delivery_date: Mapped[date] = mapped_column(Date)
    delivery_place: Mapped[str] = mapped_column(String(300))
    # Who sees it: cooperatives of this province (and regency, when set) working in the sector.
    province_code: Mapped[str] = mapped_column(String(2))
    regency_code: Mapped[str | None] = mapped_column(String(5))
    offer_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "bulk_request_status"), default=RequestStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    buyer: Mapped[User] = relationship()
    grades: Mapped[list[RequestGrade]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestGrade.position"
    )
    offers: Mapped[list[CounterOffer]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="CounterOffer.id"
    )


class RequestGrade(db.Model):
    """An accepted grade and the buyer's price per unit for it; no price = "make me an offer"."""

    __tablename__ = "bulk_request_grades"
    __table_args__ = (
        UniqueConstraint("request_id", "grade"),
        CheckConstraint("price_idr IS NULL OR price_idr >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("bulk_requests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    grade: Mapped[str] = mapped_column(String(40))  # "A", "Grade 1", "Sapi > 300 kg"
    price_idr: Mapped[int | None] = mapped_column(BigInteger)

    request: Mapped[BulkRequest] = relationship(back_populates="grades")


class OfferStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


OFFER_STATUS_LABELS = {
    OfferStatus.PENDING: _l("Menunggu jawaban pembeli"),
    OfferStatus.ACCEPTED: _l("Diterima"),
    OfferStatus.DECLINED: _l("Ditolak"),
    OfferStatus.WITHDRAWN: _l("Ditarik"),
}


class CounterOffer(db.Model):
    """A cooperative's prices per grade for a request; the buyer accepts (a coalition opens) or declines."""

    __tablename__ = "counter_offers"
    __table_args__ = (
        Index(
            "uq_counter_offers_pending",
            "request_id",
            "cooperative_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("bulk_requests.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus, "counter_offer_status"), default=OfferStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    request: Mapped[BulkRequest] = relationship(back_populates="offers")
    cooperative: Mapped[Cooperative] = relationship()
    prices: Mapped[list[OfferPrice]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferPrice.id"
    )


class OfferPrice(db.Model):
    __tablename__ = "counter_offer_prices"
    __table_args__ = (
        UniqueConstraint("offer_id", "grade"),
        CheckConstraint("price_idr >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("counter_offers.id", ondelete="CASCADE"))
    grade: Mapped[str] = mapped_column(String(40))
    price_idr: Mapped[int] = mapped_column(BigInteger)

    offer: Mapped[CounterOffer] = relationship(back_populates="prices")


# --- the selling coalition ----------------------------------------------------------------------------------


class SellingStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # members commit until the deadline
    AWAITING_BUYER = "awaiting_buyer"  # under-subscribed at the deadline: the buyer accepts partial or not
    COMMITTED = "committed"  # allocated; members bring their goods to the collection point
    CHECKED = "checked"  # quality control finished: the buyer confirms receipt of the accepted goods
    FAILED = "failed"  # under-subscribed and the buyer declined (or nobody committed)
    DELIVERED = "delivered"  # quality control done, the buyer confirmed receipt; the buyer pays
    PAID = "paid"  # the buyer paid for the accepted goods; members' payouts are owed
    SETTLED = "settled"  # every payout recorded
    CANCELLED = "cancelled"


SELLING_STATUS_LABELS = {
    SellingStatus.DRAFT: _l("Draf"),
    SellingStatus.OPEN: _l("Terbuka"),
    SellingStatus.AWAITING_BUYER: _l("Menunggu keputusan pembeli"),
    SellingStatus.COMMITTED: _l("Pengumpulan barang"),
    SellingStatus.CHECKED: _l("Siap diserahkan ke pembeli"),
    SellingStatus.FAILED: _l("Gagal"),
    SellingStatus.DELIVERED: _l("Diterima pembeli"),
    SellingStatus.PAID: _l("Dibayar pembeli"),
    SellingStatus.SETTLED: _l("Selesai dibayarkan"),
    SellingStatus.CANCELLED: _l("Dibatalkan"),
}


class SellingCoalition(db.Model):
    __tablename__ = "selling_coalitions"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_within_range"),
        CheckConstraint("shared_cost_idr >= 0", name="shared_cost_nonnegative"),
        Index("ix_selling_coalitions_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulk_requests.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The buyer: a Gotong user (from a request, or invited by e-mail later) and how they are named.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(160))
    buyer_contact: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)  # what the buyer wants
    commit_cap: Mapped[int | None] = mapped_column(Integer)  # optional cap on Σ commitments (≥ quantity)
    fee_bp: Mapped[int] = mapped_column(Integer, default=0)  # the cooperative's fee, basis points (500 = 5 %)
    shared_cost_idr: Mapped[int] = mapped_column(BigInteger, default=0)  # transport and the like
    allocation_rule: Mapped[AllocationRule] = mapped_column(
        str_enum(AllocationRule, "allocation_rule"), default=AllocationRule.UNIFORM
    )
    collection_point: Mapped[str] = mapped_column(String(300))
    collection_date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    delivery_place: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # for commitments
    status: Mapped[SellingStatus] = mapped_column(
        str_enum(SellingStatus, "selling_status"), default=SellingStatus.DRAFT
    )
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    committed_qty: Mapped[int | None] = mapped_column(Integer)  # Σ commitments at the close
    allocated_qty: Mapped[int | None] = mapped_column(Integer)  # Σ allocated (≤ quantity)
    partial_accepted: Mapped[bool | None] = mapped_column()  # the buyer's answer when under-subscribed
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the buyer confirmed
    # Written once the buyer confirmed receipt (the settlement of the accepted goods):
    accepted_qty: Mapped[int | None] = mapped_column(Integer)
    buyer_total_idr: Mapped[int | None] = mapped_column(BigInteger)
    fees_idr: Mapped[int | None] = mapped_column(BigInteger)
    paid_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # by the buyer
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    request: Mapped[BulkRequest | None] = relationship()
    buyer: Mapped[User | None] = relationship(foreign_keys=[buyer_id])
    grades: Mapped[list[SellingGrade]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="SellingGrade.position"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="coalition",
        cascade="all, delete-orphan",
        order_by="(Commitment.created_at, Commitment.id)",
    )
    events: Mapped[list[SellingEvent]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan", order_by="SellingEvent.id"
    )

    @property
    def prices(self) -> dict[str, int]:
        return {g.grade: g.price_idr for g in self.grades}


class SellingGrade(db.Model):
    __tablename__ = "selling_grades"
    __table_args__ = (
        UniqueConstraint("coalition_id", "grade"),
        CheckConstraint("price_idr >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("selling_coalitions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    grade: Mapped[str] = mapped_column(String(40))
    price_idr: Mapped[int] = mapped_column(BigInteger)

    coalition: Mapped[SellingCoalition] = relationship(back_populates="grades")


class CommitmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Commitment(db.Model):
    """A member business commits ``quantity`` units of one grade. At most one active per business and grade;
    ``created_at`` (then id) is the order the allocation's tie-breaks use."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("allocated_qty IS NULL OR allocated_qty >= 0", name="allocated_nonnegative"),
        Index(
            "uq_commitments_active_business_grade",
            "coalition_id",
            "business_id",
            "grade",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_commitments_coalition_status_created", "coalition_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("selling_coalitions.id", ondelete="CASCADE"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    grade: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    allocated_qty: Mapped[int | None] = mapped_column(Integer)  # written at the close
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    coalition: Mapped[SellingCoalition] = relationship(back_populates="commitments")
    business: Mapped[Business] = relationship()
    checks: Mapped[list[QualityCheck]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="QualityCheck.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status is CommitmentStatus.ACTIVE


class QualityCheck(db.Model):
    """What a member delivered to the collection point against one commitment, and what quality control
    accepted; rejected goods go back to the member. Livestock: one row per animal (ear tag, weight)."""

    __tablename__ = "quality_checks"
    __table_args__ = (
        CheckConstraint("delivered_qty >= 0", name="delivered_nonnegative"),
        CheckConstraint(
            "accepted_qty >= 0 AND accepted_qty <= delivered_qty", name="accepted_within_delivered"
        ),
        CheckConstraint("weight_grams IS NULL OR weight_grams > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    delivered_qty: Mapped[int] = mapped_column(Integer)
    accepted_qty: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300), default="")  # why some were rejected
    ear_tag: Mapped[str | None] = mapped_column(String(40))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="checks")

    @property
    def rejected_qty(self) -> int:
        return self.delivered_qty - self.accepted_qty


class MemberPayout(db.Model):
    """A member's settlement (one row per business, written when the buyer confirmed receipt) and what the
    cooperative has paid out of it (the ledger lines in ``PayoutRecord``)."""

    __tablename__ = "member_payouts"
    __table_args__ = (
        UniqueConstraint("coalition_id", "business_id"),
        CheckConstraint("payout_idr >= 0", name="payout_nonnegative"),
        CheckConstraint("paid_idr >= 0", name="paid_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("selling_coalitions.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    accepted_qty: Mapped[int] = mapped_column(Integer)
    gross_idr: Mapped[int] = mapped_column(BigInteger)
    fee_idr: Mapped[int] = mapped_column(BigInteger)
    shared_cost_idr: Mapped[int] = mapped_column(BigInteger)
    payout_idr: Mapped[int] = mapped_column(BigInteger)
    paid_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[SellingCoalition] = relationship()
    business: Mapped[Business] = relationship()
    records: Mapped[list[PayoutRecord]] = relationship(
        back_populates="payout", cascade="all, delete-orphan", order_by="PayoutRecord.id"
    )

    @property
    def owed_idr(self) -> int:
        return max(self.payout_idr - self.paid_idr, 0)


class PayoutRecord(db.Model):
    """One payment from the cooperative to a member (a bank transfer with its reference)."""

    __tablename__ = "payout_records"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("member_payouts.id", ondelete="CASCADE"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payout: Mapped[MemberPayout] = relationship(back_populates="records")


class BuyerPayment(db.Model):
    """The buyer paying the cooperative for the accepted goods: a card payment (Stripe, the webhook decides)
    or a bank transfer into the cooperative's account with a proof a manager confirms. Statuses are
    ``coalitions.models.CoalitionPaymentStatus`` values, moved only by ``coalitions.selling.payments``."""

    __tablename__ = "buyer_payments"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("selling_coalitions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "card" or "transfer"
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
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

    coalition: Mapped[SellingCoalition] = relationship()


class SellingEvent(db.Model):
    """The status history of a selling coalition (who moved it, when, why)."""

    __tablename__ = "selling_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("selling_coalitions.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[SellingStatus | None] = mapped_column(str_enum(SellingStatus, "selling_status"))
    to_status: Mapped[SellingStatus] = mapped_column(str_enum(SellingStatus, "selling_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coalition: Mapped[SellingCoalition] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
