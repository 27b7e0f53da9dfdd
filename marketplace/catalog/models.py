"""Products listed by businesses under one of their cooperatives.

The foundation carries the fields every product has (DOMAIN.md "Products"); category attributes live in
``attributes`` (a JSON object validated per category by the catalog services).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db
from marketplace.sectors import Sector

if TYPE_CHECKING:
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

UNITS = ("pcs", "kg", "gram", "liter", "ekor", "karung", "paket", "lusin", "meter", "botol", "jam", "hari")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_idr >= 0", name="price_nonnegative"),
        CheckConstraint("stock >= 0", name="stock_nonnegative"),
        CheckConstraint("min_order_qty >= 1", name="min_order_positive"),
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
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus, "product_status"), index=True, default=ProductStatus.DRAFT
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    business: Mapped[Business] = relationship(back_populates="products")
    cooperative: Mapped[Cooperative | None] = relationship()
