"""Carts, checkouts, orders (one per business), their lines and status history.

A checkout is what the buyer submits once: contact, delivery and the payment method. It makes one order per
business, because each seller fulfils and is paid for its own. An order's status changes only through
``orders.services.transition``; a line keeps a copy of what was bought (title, unit, price) so later edits of
the listing never change an order.
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product
    from marketplace.cooperatives.models import Business, Cooperative
    from marketplace.marketing.promotion_models import PromoCode
    from marketplace.payments.models import Payment


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    OrderStatus.PAID: _l("Dibayar"),
    OrderStatus.PACKED: _l("Dikemas"),
    OrderStatus.SHIPPED: _l("Dikirim"),
    OrderStatus.READY_FOR_PICKUP: _l("Siap diambil"),
    OrderStatus.COMPLETED: _l("Selesai"),
    OrderStatus.CANCELLED: _l("Dibatalkan"),
    OrderStatus.REFUNDED: _l("Dana dikembalikan"),
}

OPEN_STATUSES = frozenset(
    {
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.READY_FOR_PICKUP,
    }
)


class DeliveryMethod(enum.StrEnum):
    DELIVERY = "delivery"
    PICKUP = "pickup"


DELIVERY_LABELS = {
    DeliveryMethod.DELIVERY: _l("Dikirim ke alamat"),
    DeliveryMethod.PICKUP: _l("Diambil di koperasi"),
}


class CartItem(db.Model):
    """A signed-in buyer's cart line (a guest's cart lives in the session until login merges it here)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship()


class Checkout(db.Model):
    """One submission of the cart: contact, delivery, payment method; the orders and payments it made."""

    __tablename__ = "checkouts"
    __table_args__ = (CheckConstraint("total_idr >= 0", name="total_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The guest's key to their orders (in the confirmation e-mail link); compared in constant time.
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(20))
    delivery_method: Mapped[DeliveryMethod] = mapped_column(str_enum(DeliveryMethod, "delivery_method"))
    address: Mapped[str | None] = mapped_column(String(300))
    province_code: Mapped[str | None] = mapped_column(String(2))
    regency_code: Mapped[str | None] = mapped_column(String(5))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    # A provider code ("card", "bank_transfer", "cash", ...): a string, so a new method needs no migration.
    payment_method: Mapped[str] = mapped_column(String(30))
    total_idr: Mapped[int] = mapped_column(BigInteger)
    # The promotion code this checkout used (its discount is split over the orders: ``Order.discount_idr``).
    # No FOREIGN KEY here: SQLite adds one to an existing table only by rebuilding it, and that rebuild
    # cascades to the orders; the constrained link is the PromoRedemption row (promo_id, checkout_id).
    promo_code_id: Mapped[int | None] = mapped_column(Integer, index=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    buyer: Mapped[User | None] = relationship()
    promo_code: Mapped[PromoCode | None] = relationship(
        primaryjoin="foreign(Checkout.promo_code_id) == PromoCode.id", viewonly=True
    )
    orders: Mapped[list[Order]] = relationship(back_populates="checkout", order_by="Order.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="checkout", order_by="Payment.id")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal_idr >= 0", name="subtotal_nonnegative"),
        CheckConstraint("total_idr >= 0", name="total_nonnegative"),
        Index("ix_orders_business_status_created", "business_id", "status", "created_at"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        # The supervision dashboards walk this index backwards for a cooperative's last sale, and sum a
        # region's sales by business from it alone (it covers status, business and subtotal).
        Index(
            "ix_orders_cooperative_created",
            "cooperative_id",
            "created_at",
            "status",
            "business_id",
            "subtotal_idr",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id", ondelete="CASCADE"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="RESTRICT"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="SET NULL"), index=True
    )
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"), index=True)
    payment_method: Mapped[str] = mapped_column(String(30))
    subtotal_idr: Mapped[int] = mapped_column(BigInteger)
    # This order's share of the checkout's promotion discount; total = subtotal - discount.
    discount_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    total_idr: Mapped[int] = mapped_column(BigInteger)
    # Numbered per seller: INV/<business id>/<year>/<sequence>.
    invoice_number: Mapped[str] = mapped_column(String(40), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    courier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    business: Mapped[Business] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    buyer: Mapped[User | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("unit_price_idr >= 0", name="unit_price_nonnegative"),
        CheckConstraint("line_total_idr >= 0", name="line_total_nonnegative"),
        CheckConstraint("reserved_qty >= 0", name="reserved_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_idr: Mapped[int] = mapped_column(BigInteger)
    # Units taken from stock when the order was placed (0 for a pre-order made to order); returned on cancel.
    reserved_qty: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()


class OrderEvent(db.Model):
    """The status history of an order, shown to buyer and seller."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(str_enum(OrderStatus, "order_status"))
    to_status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
