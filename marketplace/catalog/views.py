"""Public catalog pages: the searchable listing and the product page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from marketplace import regions
from marketplace.accounts import policy
from marketplace.catalog import attributes, search
from marketplace.catalog.models import Product, unit_label
from marketplace.catalog.services import is_public
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.marketing import stats
from marketplace.marketing.stats_models import CountKind
from marketplace.sectors import SECTOR_LABELS, Sector
from marketplace.text import markdown_to_text, render_markdown

bp = Blueprint("catalog", __name__)


@bp.app_template_filter("markdown")
def markdown_filter(source: str) -> Markup:
    return Markup(render_markdown(source))  # noqa: S704 — render_markdown escapes raw HTML


@bp.app_template_filter("unit")
def unit_filter(unit: str) -> str:
    return unit_label(unit)


@bp.app_template_filter("plaintext")
def plaintext_filter(source: str) -> str:
    return markdown_to_text(source)


@bp.app_template_global()
def price_suffix(product: Product) -> str:
    """ "per kg bobot hidup" for livestock priced by weight, else "per <unit>"."""
    return attributes.price_suffix(product.category, product.attributes or {}, product.unit)


@bp.app_template_global()
def price_per_head(product: Product) -> int | None:
    return attributes.price_per_head(product.category, product.attributes or {}, product.price_idr)


def _filter_options(query: search.CatalogQuery) -> dict[str, object]:
    # Only the chosen cooperative is named (a province may hold thousands of cooperatives: no <select> of
    # them); buyers reach a cooperative's products from its page, or from a product's seller links.
    chosen = db.session.get(Cooperative, query.cooperative_id) if query.cooperative_id else None
    return {
        "sectors": list(Sector),
        "sector_labels": SECTOR_LABELS,
        "attribute_filters": [a for a in attributes.attributes_for(query.category) if a.filterable]
        if query.category
        else [],
        "provinces": regions.provinces(),
        "regencies": regions.regencies(query.province) if query.province else [],
        "cooperative": chosen,
    }


@bp.get("/produk")
def index():
    query = search.from_args(request.args)
    results = search.search(query)
    return render_template(
        "catalog/index.html", query=query, results=results, sorts=search.SORTS, **_filter_options(query)
    )


@bp.get("/produk/<int:product_id>-<slug>")
@bp.get("/produk/<int:product_id>")
def product(product_id: int, slug: str | None = None):
    product = db.get_or_404(Product, product_id)
    if not policy.can_view_product(current_user, product):
        abort(404)
    if slug != product.slug:
        return redirect(url_for("catalog.product", product_id=product.id, slug=product.slug), 301)
    public = is_public(product)
    if public:
        stats.count(CountKind.VIEW, product.business_id, product.id)
    return render_template(
        "catalog/product.html",
        product=product,
        public=public,
        facts=attributes.displayed_attributes(product.category, product.attributes or {}),
        related=search.related(product) if public else [],
    )
