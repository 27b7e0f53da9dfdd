"""Catalog queries. Listing management, search and storefronts grow here with the catalog issue."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db


def is_public(product: Product) -> bool:
    """Shown to buyers: active, its business and cooperative not suspended, and in stock."""
    return (
        product.status is ProductStatus.ACTIVE
        and product.stock > 0
        and not product.business.is_suspended
        and (product.cooperative is None or not product.cooperative.is_suspended)
    )


def public_products() -> Select[tuple[Product]]:
    return (
        select(Product)
        .join(Product.business)
        .outerjoin(Product.cooperative)
        .where(
            Product.status == ProductStatus.ACTIVE,
            Product.stock > 0,
            Business.suspended_at.is_(None),
            or_(Product.cooperative_id.is_(None), Cooperative.suspended_at.is_(None)),
        )
        .options(joinedload(Product.business), joinedload(Product.cooperative))
    )


def newest_products(limit: int = 12) -> list[Product]:
    return list(db.session.scalars(public_products().order_by(Product.created_at.desc()).limit(limit)))


def count_public_products() -> int:
    return db.session.scalar(select(func.count()).select_from(public_products().subquery())) or 0
