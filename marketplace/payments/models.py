"""Payments of checkouts, refunds, and the webhook events received (each stored once)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.orders.models import Checkout, Order


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the buyer (to pay by card, to transfer, to hand over cash)
    PROCESSING = "processing"  # card confirmed; the provider's verdict (webhook) is awaited
    AWAITING_REVIEW = "awaiting_review"  # transfer proof uploaded; the seller checks the account
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # all of it returned


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: _l("Menunggu pembayaran"),
    PaymentStatus.PROCESSING: _l("Sedang diproses"),
    PaymentStatus.AWAITING_REVIEW: _l("Bukti transfer sedang diperiksa"),
    PaymentStatus.SUCCEEDED: _l("Lunas"),
    PaymentStatus.FAILED: _l("Gagal"),
    PaymentStatus.CANCELLED: _l("Dibatalkan"),
    PaymentStatus.REFUNDED: _l("Dana dikembalikan"),
}


# The orders a payment attempt pays for, fixed when the attempt is made: a card attempt made after one order
# of the checkout was cancelled covers only the others.
payment_orders = Table(
    "payment_orders",
    db.metadata,
    Column("payment_id", ForeignKey("payments.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Payment(db.Model):
    """One attempt to collect money for a checkout, for the orders it covers (``payment_orders``): all the
    waiting orders (card) or one order (bank transfer and cash, paid to each seller directly). A declined card
    makes a new attempt."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="amount_positive"),
        CheckConstraint("refunded_idr >= 0 AND refunded_idr <= amount_idr", name="refund_within_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, "payment_status"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    # What the buyer writes on a transfer; also our idempotency key with the provider.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    provider_ref: Mapped[str | None] = mapped_column(String(120), unique=True)  # e.g. Stripe's pi_...
    failure_message: Mapped[str | None] = mapped_column(String(300))
    proof_path: Mapped[str | None] = mapped_column(String(200))
    proof_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str | None] = mapped_column(String(500))
    refunded_idr: Mapped[int] = mapped_column(BigInteger, default=0)
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    checkout: Mapped[Checkout] = relationship(back_populates="payments")
    orders: Mapped[list[Order]] = relationship(secondary=payment_orders, order_by="Order.id")
    reviewed_by: Mapped[User | None] = relationship()
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def single_order(self) -> Order | None:
        """The order a per-order payment (transfer, cash) is for; None when it covers several."""
        return self.orders[0] if len(self.orders) == 1 else None


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    provider_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class WebhookEvent(db.Model):
    """A provider event that was verified and handled: stored once, so a replay is recognised."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(80))
    provider_ref: Mapped[str | None] = mapped_column(String(120), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
