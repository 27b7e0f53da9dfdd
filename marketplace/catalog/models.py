"""Products listed by businesses under one of their cooperatives.

Every product has the fields of DOMAIN.md "Products"; the category's own attributes live in ``attributes``
(a JSON object validated per category by ``catalog.attributes``). ``search_text`` is derived (description,
attribute values, seller, cooperative, place) and recomputed on every flush (``catalog.indexing``), so no code
path can forget it; the full-text indexes over it are raw SQL per dialect (migration 0002), not mapped.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db
from marketplace.sectors import Sector

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.cooperatives.models import Business, Cooperative


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    ACTIVE = "active"
    PAUSED = "paused"
    REJECTED = "rejected"


PRODUCT_STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draf"),
    ProductStatus.PENDING_REVIEW: _l("Menunggu persetujuan"),
    ProductStatus.ACTIVE: _l("Tayang"),
    ProductStatus.PAUSED: _l("Dijeda"),
    ProductStatus.REJECTED: _l("Ditolak"),
}

MAX_PHOTOS = 8

UNITS = ("pcs", "kg", "gram", "liter", "ekor", "karung", "paket", "lusin", "meter", "botol", "jam", "hari")

# How a unit reads in a sentence ("Rp85.000 per ekor" / "Rp85,000 per head"); the stored value stays the code.
UNIT_LABELS = {
    "pcs": _l("pcs"),
    "kg": _l("kg"),
    "gram": _l("gram"),
    "liter": _l("liter"),
    "ekor": _l("ekor"),
    "karung": _l("karung"),
    "paket": _l("paket"),
    "lusin": _l("lusin"),
    "meter": _l("meter"),
    "botol": _l("botol"),
    "jam": _l("jam"),
    "hari": _l("hari"),
}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_idr >= 0", name="price_nonnegative"),
        CheckConstraint("stock >= 0", name="stock_nonnegative"),
        CheckConstraint("min_order_qty >= 1", name="min_order_positive"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_nonnegative"),
        # The public listings: newest first and price order, seeked by (key, id) for deep pages.
        Index("ix_products_status_created", "status", "created_at", "id"),
        Index("ix_products_status_price", "status", "price_idr", "id"),
        Index("ix_products_category_created", "category", "status", "created_at", "id"),
        # A cooperative's review queue and dashboard count: its listings by status.
        Index("ix_products_cooperative_status", "cooperative_id", "status"),
        Index("ix_products_category_price", "category", "status", "price_idr", "id"),
        # Covers the public-set test (and its count) without reading the wide product rows.
        Index("ix_products_public", "status", "stock", "preorder", "business_id", "cooperative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(180))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"), index=True)
    price_idr: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    # Orderable while out of stock (made to order / next harvest); public even at stock 0.
    preorder: Mapped[bool] = mapped_column(Boolean, default=False)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus, "product_status"), index=True, default=ProductStatus.DRAFT
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Thumbnail of the first photo, kept here so a product grid needs no photo query.
    cover_thumb: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    business: Mapped[Business] = relationship(back_populates="products")
    cooperative: Mapped[Cooperative | None] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductPhoto.position, ProductPhoto.id",
    )

    @property
    def is_low_stock(self) -> bool:
        return not self.preorder and self.stock <= self.low_stock_threshold


class ProductPhoto(db.Model):
    """One photo of a product: a large WebP for the product page and a thumbnail for grids."""

    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(200))
    thumb_path: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")
