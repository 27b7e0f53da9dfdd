"""Keeps ``Product.search_text`` true: the words a buyer may search a product by besides its title.

Recomputed in ``before_flush`` for every new or changed product, and for the products of a business or
cooperative whose name or place changed, so no service, CLI command or seed can leave it stale. The full-text
indexes (SQLite FTS5 tables kept by triggers, PostgreSQL's generated tsvector column) read it from there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from marketplace import regions
from marketplace.catalog.attributes import searchable_words
from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.sectors import Sector
from marketplace.text import markdown_to_text

# The category's everyday Indonesian words: "kerajinan rotan" finds rattan crafts whatever their titles say.
CATEGORY_WORDS = {
    Sector.DOLLS_TOYS: "boneka mainan",
    Sector.FOOD_DRINK: "makanan minuman",
    Sector.LIVESTOCK: "ternak",
    Sector.CRAFTS: "kerajinan",
    Sector.PRODUCE: "pertanian hasil bumi",
    Sector.SERVICES: "jasa",
}

_PRODUCT_FIELDS = ("title", "description", "attributes", "category", "business_id", "cooperative_id")
_OWNER_FIELDS = ("name", "regency_code", "province_code")


def search_text_of(product: Product) -> str:
    business = product.business
    parts = [
        markdown_to_text(product.description or ""),
        searchable_words(product.category, product.attributes or {}) if product.category else "",
        CATEGORY_WORDS.get(product.category, "") if product.category else "",
    ]
    if business is not None:
        parts += [business.name, regions.name(business.regency_code), regions.name(business.province_code)]
    if product.cooperative is not None:
        parts.append(product.cooperative.name)
    return " ".join(p for p in parts if p)[:20000]


def _changed(obj: Any, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, _context: Any, _instances: Any) -> None:
    products: set[Product] = set()
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty):
            if isinstance(obj, Product):
                if obj in session.new or _changed(obj, _PRODUCT_FIELDS):
                    products.add(obj)
            elif isinstance(obj, Business) and obj not in session.new and _changed(obj, _OWNER_FIELDS):
                products.update(obj.products)
            elif isinstance(obj, Cooperative) and obj not in session.new and _changed(obj, ("name",)):
                products.update(session.scalars(select(Product).where(Product.cooperative_id == obj.id)))
        for product in products:
            text = search_text_of(product)
            if product.search_text != text:
                product.search_text = text
