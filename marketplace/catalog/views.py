from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func

from marketplace.accounts import policy
from marketplace.catalog import services
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.sectors import SECTOR_LABELS, Sector

bp = Blueprint("catalog", __name__)


@bp.get("/produk")
def index():
    query = services.public_products()
    category = request.args.get("kategori") or None
    if category in {s.value for s in Sector}:
        query = query.where(Product.category == category)
    else:
        category = None
    q = (request.args.get("q") or "").strip()
    if q:
        # Interim title match for the foundation's 200 demo products; the catalog issue replaces it with
        # FTS5 / PostgreSQL full-text search.
        query = query.where(func.lower(Product.title).contains(q.lower(), autoescape=True))
    page = db.paginate(
        query.order_by(Product.created_at.desc(), Product.id.desc()), per_page=24, error_out=False
    )
    return render_template(
        "catalog/index.html",
        page=page,
        q=q,
        category=category,
        sectors=list(Sector),
        sector_labels=SECTOR_LABELS,
    )


@bp.get("/produk/<int:product_id>-<slug>")
@bp.get("/produk/<int:product_id>")
def product(product_id: int, slug: str | None = None):
    product = db.get_or_404(Product, product_id)
    if not policy.can_view_product(current_user, product):
        abort(404)
    if slug != product.slug:
        return redirect(url_for("catalog.product", product_id=product.id, slug=product.slug), 301)
    return render_template("catalog/product.html", product=product, public=services.is_public(product))
