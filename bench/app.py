"""The benchmark app: the real Gotong app plus a database-free ceiling route rendering the same templates.

    gunicorn -k sync -w 2 -b 127.0.0.1:8123 'bench.app:create_bench_app()'

``create_bench_app()`` is ``marketplace.create_app()`` configured from the environment as in production
(``DATABASE_URL``, ``GOTONG_SECRET_KEY``, ``GOTONG_ENV``), plus two routes:

- ``/bench/ceiling``: the full catalog page (``catalog/index.html``: base layout, filter form, product grid,
  pager) rendered from in-memory objects — real ``CatalogQuery`` / ``CatalogPage`` dataclasses holding 24
  transient ``Product`` objects (with transient ``Business`` objects) and the filter options, all in memory.
  Everything a request reads is built once at start-up; a request touches no database.
- ``/bench/ceiling-grid``: the product grid (``catalog/_grid.html``) alone, from the same objects.

The 24 products are a snapshot of what ``/produk`` shows on page 1 (copied into transient objects at
start-up, so the ceiling renders the same HTML as the catalog page but for a few bytes of cursor and count);
on an empty database they are synthetic. The filter options come from the view's own ``_filter_options``,
evaluated once. That makes "catalog page ÷ ceiling" measure what the database work costs, not a
difference in the HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, render_template

from marketplace import create_app
from marketplace.catalog import search
from marketplace.catalog import views as catalog_views
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Business
from marketplace.extensions import db
from marketplace.sectors import Sector

TOTAL = 100_000

_PRODUCT_FIELDS = (
    "id",
    "business_id",
    "cooperative_id",
    "title",
    "slug",
    "description",
    "category",
    "price_idr",
    "unit",
    "stock",
    "preorder",
    "status",
    "attributes",
    "cover_thumb",
    "created_at",
)
_BUSINESS_FIELDS = ("id", "name", "slug", "province_code", "regency_code")


def _transient(model: type, source: Any, fields: tuple[str, ...]) -> Any:
    return model(**{name: getattr(source, name) for name in fields})


def _snapshot(app: Flask) -> tuple[list[Product], int, bool]:
    """Page 1 of the real catalog (and its count), copied into objects no session knows."""
    with app.app_context():
        page = search.search(search.CatalogQuery())
        businesses: dict[int, Business] = {}
        products = []
        for p in page.items:
            business = businesses.get(p.business_id)
            if business is None:
                business = businesses[p.business_id] = _transient(Business, p.business, _BUSINESS_FIELDS)
            copy = _transient(Product, p, _PRODUCT_FIELDS)
            copy.business = business
            products.append(copy)
        db.session.rollback()
    return products, page.total, page.total_capped


def _synthetic() -> list[Product]:
    sectors = list(Sector)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    businesses = [
        Business(
            id=i, name=f"UMKM Sumber Rejeki {i}", slug=f"umkm-{i}", province_code="32", regency_code="32.16"
        )
        for i in range(1, 7)
    ]
    products = []
    for i in range(TOTAL, TOTAL - search.PER_PAGE, -1):
        sector = sectors[i % len(sectors)]
        values: dict[str, Any] = {}
        if sector is Sector.LIVESTOCK:
            values = {"species": "sapi", "sex": "jantan", "price_basis": "per_kg", "live_weight_kg": 350}
        product = Product(
            id=i,
            title=f"Produk koperasi nomor {i} kualitas terbaik",
            slug=f"produk-koperasi-nomor-{i}",
            category=sector,
            price_idr=25_000 + 1_000 * (i % 97),
            unit="pcs",
            stock=10,
            preorder=False,
            status=ProductStatus.ACTIVE,
            attributes=values,
            cover_thumb=None,
            created_at=start + timedelta(minutes=i),
        )
        product.business = businesses[i % len(businesses)]
        products.append(product)
    return products


def _ceiling_page(products: list[Product], total: int, capped: bool) -> search.CatalogPage:
    query = search.CatalogQuery()
    last = products[-1]
    # The same "next" link a first page has (a seek cursor over the last row).
    next_args = query.to_args(after=search._key_of(last, query.sort), page=2)
    return search.CatalogPage(
        items=products, total=total, total_capped=capped, page=1, next_args=next_args, prev_args=None
    )


def create_bench_app() -> Flask:
    app = create_app()
    try:
        products, total, capped = _snapshot(app)
    except Exception:  # no schema yet: the ceiling still serves, from synthetic rows
        products = []
    if not products:
        products, total, capped = _synthetic(), TOTAL, False
    query = search.CatalogQuery()
    page = _ceiling_page(products, total, capped)
    # The catalog view's own filter options for an unfiltered query, computed once (for an unfiltered query
    # they are constants: sectors, provinces; no cooperative is chosen, so no database access).
    with app.test_request_context("/produk"):
        options = catalog_views._filter_options(query)
        db.session.rollback()

    @app.get("/bench/ceiling")
    def bench_ceiling() -> str:
        return render_template("catalog/index.html", query=query, results=page, sorts=search.SORTS, **options)

    @app.get("/bench/ceiling-grid")
    def bench_ceiling_grid() -> str:
        return render_template("catalog/_grid.html", products=products)

    return app
