"""Events (bazaars, expos, trainings), the booths cooperatives book at them with the products they bring, and
sales recorded offline (at a bazaar, at the shop) that take from the same stock as online orders.

An event is organised by exactly one of: a cooperative (its managers run it) or an officer
(``organiser_id``; the officers of its region run it). An offline sale keeps a copy of the product's title
and unit, like an order line, so it still reads right after the listing is deleted; ``reserved_qty`` is what
it took from stock (0 for a pre-order), and exactly that goes back when the sale is voided.
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

from marketplace.clock import aware, utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product
    from marketplace.cooperatives.models import Business, Cooperative


class EventKind(enum.StrEnum):
    BAZAAR = "bazaar"
    EXPO = "expo"
    TRAINING = "training"


EVENT_KIND_LABELS = {
    EventKind.BAZAAR: _l("Bazar"),
    EventKind.EXPO: _l("Pameran"),
    EventKind.TRAINING: _l("Pelatihan"),
}


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draf"),
    EventStatus.PUBLISHED: _l("Terbit"),
    EventStatus.CANCELLED: _l("Dibatalkan"),
}


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    QRIS = "qris"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.CASH: _l("Tunai"),
    PaymentMethod.QRIS: _l("QRIS"),
}


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("(cooperative_id IS NULL) <> (organiser_id IS NULL)", name="one_organiser"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("booth_capacity IS NULL OR booth_capacity >= 1", name="booth_capacity_positive"),
        Index("ix_events_status_ends", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(180), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # How many booths may be booked (None: no limit).
    booth_capacity: Mapped[int | None] = mapped_column(Integer)
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative | None] = relationship()
    organiser: Mapped[User | None] = relationship(foreign_keys=[organiser_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    booths: Mapped[list[Booth]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True, order_by="Booth.id"
    )

    @property
    def organiser_name(self) -> str:
        if self.cooperative is not None:
            return self.cooperative.name
        return self.organiser.name if self.organiser is not None else ""

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    @property
    def is_published(self) -> bool:
        return self.status is EventStatus.PUBLISHED

    def is_over(self, now: datetime | None = None) -> bool:
        return aware(self.ends_at) <= (now or utcnow())


class Booth(db.Model):
    """A cooperative's booth at an event: one per (event, cooperative)."""

    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("event_id", "cooperative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[Event] = relationship(back_populates="booths")
    cooperative: Mapped[Cooperative] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[BoothProduct]] = relationship(
        back_populates="booth", cascade="all, delete-orphan", passive_deletes=True, order_by="BoothProduct.id"
    )


class BoothProduct(db.Model):
    """A product a booth brings (a member's public product listed under the booth's cooperative)."""

    __tablename__ = "booth_products"
    __table_args__ = (UniqueConstraint("booth_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)

    booth: Mapped[Booth] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class OfflineSale(db.Model):
    """A sale made face to face, recorded by the seller; voided (never deleted) when it was mistyped."""

    __tablename__ = "offline_sales"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("unit_price_idr >= 0", name="unit_price_nonnegative"),
        CheckConstraint("total_idr >= 0", name="total_nonnegative"),
        CheckConstraint("reserved_qty >= 0", name="reserved_nonnegative"),
        Index("ix_offline_sales_business_sold", "business_id", "sold_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    # Required when recorded; SET NULL when the listing is deleted later (the title and unit stay).
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    # Units taken from stock (0 for a pre-order); given back when the sale is voided.
    reserved_qty: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "offline_payment_method"))
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    business: Mapped[Business] = relationship()
    product: Mapped[Product | None] = relationship()
    event: Mapped[Event | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
