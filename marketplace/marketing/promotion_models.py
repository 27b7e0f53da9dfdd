"""Promotion codes and their redemptions.

A code belongs to exactly one owner: a business (it discounts that business's products) or a cooperative (it
discounts its active members' products). ``redeemed_count`` is changed only by one conditional
``UPDATE ... WHERE usage_limit IS NULL OR redeemed_count < usage_limit`` in ``promotions.redeem``, so the
total limit holds under any concurrency; a redemption row per (code, checkout) records who used it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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
    from marketplace.catalog.models import Product
    from marketplace.cooperatives.models import Business, Cooperative


class PromoKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


PROMO_KIND_LABELS = {
    PromoKind.PERCENT: _l("Persen dari belanja"),
    PromoKind.FIXED: _l("Potongan rupiah tetap"),
}

# The products a code is limited to (empty when it covers all the owner's products).
promo_products = Table(
    "promo_products",
    db.metadata,
    Column("promo_id", ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PromoCode(db.Model):
    __tablename__ = "promo_codes"
    __table_args__ = (
        CheckConstraint("(business_id IS NULL) <> (cooperative_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "(kind = 'percent' AND percent_bp >= 1 AND percent_bp <= 10000 AND amount_idr IS NULL)"
            " OR (kind = 'fixed' AND amount_idr >= 1 AND percent_bp IS NULL)",
            name="kind_value",
        ),
        CheckConstraint("min_spend_idr >= 0", name="min_spend_nonnegative"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("usage_limit IS NULL OR usage_limit >= 1", name="usage_limit_positive"),
        CheckConstraint("per_buyer_limit IS NULL OR per_buyer_limit >= 1", name="per_buyer_limit_positive"),
        CheckConstraint("redeemed_count >= 0", name="redeemed_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored upper-case: codes are compared case-insensitively by normalising the input the same way.
    code: Mapped[str] = mapped_column(String(30), unique=True)
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True
    )
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PromoKind] = mapped_column(str_enum(PromoKind, "promo_kind"))
    # Basis points: 1000 = 10%, so a percentage needs no float.
    percent_bp: Mapped[int | None] = mapped_column(Integer)
    amount_idr: Mapped[int | None] = mapped_column(BigInteger)
    min_spend_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    per_buyer_limit: Mapped[int | None] = mapped_column(Integer)
    all_products: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    redeemed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    business: Mapped[Business | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    products: Mapped[list[Product]] = relationship(secondary=promo_products, order_by="Product.title")
    redemptions: Mapped[list[PromoRedemption]] = relationship(
        back_populates="promo", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def owner_name(self) -> str:
        owner = self.business or self.cooperative
        return owner.name if owner is not None else ""


class PromoRedemption(db.Model):
    """One use of a code by one checkout (the discount it gave, split over the checkout's orders)."""

    __tablename__ = "promo_redemptions"
    __table_args__ = (
        UniqueConstraint("promo_id", "checkout_id"),
        CheckConstraint("discount_idr >= 0", name="discount_nonnegative"),
        Index("ix_promo_redemptions_promo_email", "promo_id", "email"),
        Index("ix_promo_redemptions_promo_user", "promo_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promo_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id", ondelete="CASCADE"))
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Lower-case: the buyer's identity for the per-buyer limit when they check out as a guest.
    email: Mapped[str] = mapped_column(String(254))
    discount_idr: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    promo: Mapped[PromoCode] = relationship(back_populates="redemptions")
