"""Printing: a business's or a cooperative's catalog and flyer (PDF), and price tags for chosen products.

Who may print what:
- the catalog and the flyer of a page the public can see are public, like the page itself: they hold only
  public products and the contact the page already shows, and a printed catalog is marketing material the
  seller wants passed around (a suspended business or cooperative: its owner/managers and admins only);
- the print page and the price tags are the business owner's, the cooperative's managers' and admins'.
Product ids in a price-tag request that are not the owner's public products are ignored (a 404 would tell a
stranger which ids exist elsewhere); when none remain, the print page answers 400 with the reason.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db, limiter
from marketplace.marketing.print import (
    FLYER_PRODUCTS,
    LABEL_SHEETS,
    catalog_pdf,
    flyer_pdf,
    price_tags_pdf,
    printable_products,
)
from marketplace.text import slugify
from marketplace.web import authorize

bp = Blueprint("printing", __name__)

Owner = Business | Cooperative
PDF_RATE_LIMIT = "30 per minute"  # each PDF costs real CPU (photos, QR codes): no loop of requests for free
MAX_TAG_IDS = 600


def page_url(target: Product | Business | Cooperative) -> str:
    """The absolute URL of a product's, business's or cooperative's public page: what the QR codes open."""
    if isinstance(target, Product):
        return url_for("catalog.product", product_id=target.id, slug=target.slug, _external=True)
    if isinstance(target, Business):
        return url_for("cooperatives.business", slug=target.slug, _external=True)
    return url_for("cooperatives.cooperative", slug=target.slug, _external=True)


# --- who --------------------------------------------------------------------------------------------------


def _business(slug: str) -> Business:
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    if not policy.can_view_business(current_user, business):
        abort(404)
    return business


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    if not policy.can_view_cooperative(current_user, cooperative):
        abort(404)
    return cooperative


def _owner(kind: str, slug: str) -> Owner:
    return _business(slug) if kind == "business" else _cooperative(slug)


def can_print_for(user: object, owner: Owner) -> bool:
    """Print page and price tags: the business owner (or admins), the cooperative's managers (or admins)."""
    if isinstance(owner, Business):
        return policy.can_edit_business(user, owner)
    return policy.manages_cooperative(user, owner)


def _endpoints(kind: str) -> dict[str, str]:
    return {
        "page": f"printing.{kind}_print",
        "catalog": f"printing.{kind}_catalog",
        "flyer": f"printing.{kind}_flyer",
        "tags": f"printing.{kind}_price_tags",
    }


# --- responses --------------------------------------------------------------------------------------------


def _file_name(owner: Owner, what: str) -> str:
    return f"{slugify(f'{what} {owner.slug}', max_length=80) or 'gotong'}.pdf"


def _pdf(data: bytes, file_name: str, *, private: bool) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{file_name}"'
    # Built in the reader's language, so never shared by a proxy; a public catalog may stay a few minutes.
    response.headers["Cache-Control"] = "private, no-store" if private else "private, max-age=300"
    return response


def _print_page(kind: str, owner: Owner, *, error: str | None = None, chosen: set[int] | None = None):  # type: ignore[no-untyped-def]
    products = printable_products(owner)
    page = render_template(
        "printing/print.html",
        kind=kind,
        owner=owner,
        products=products,
        owner_url=page_url(owner),
        endpoints=_endpoints(kind),
        sheets=sorted(LABEL_SHEETS, reverse=True),
        flyer_count=FLYER_PRODUCTS,
        error=error,
        chosen=chosen or set(),
    )
    return page, 400 if error else 200


def _chosen_ids() -> list[int]:
    ids = []
    for value in request.args.getlist("produk")[:MAX_TAG_IDS]:
        if value.isascii() and value.isdigit() and len(value) < 10:
            ids.append(int(value))
    return ids


# --- the views, once for businesses and once for cooperatives ----------------------------------------------


def _print(kind: str, slug: str):  # type: ignore[no-untyped-def]
    owner = _owner(kind, slug)
    authorize(can_print_for(current_user, owner))
    return _print_page(kind, owner)


def _catalog(kind: str, slug: str) -> Response:
    owner = _owner(kind, slug)
    data = catalog_pdf(owner, printable_products(owner), base_url_for=page_url)
    return _pdf(data, _file_name(owner, _("katalog")), private=_is_hidden(owner))


def _flyer(kind: str, slug: str) -> Response:
    owner = _owner(kind, slug)
    products = sorted(printable_products(owner), key=lambda p: (p.created_at, p.id), reverse=True)
    data = flyer_pdf(owner, products, base_url_for=page_url)
    return _pdf(data, _file_name(owner, _("brosur")), private=_is_hidden(owner))


def _price_tags(kind: str, slug: str):  # type: ignore[no-untyped-def]
    owner = _owner(kind, slug)
    authorize(can_print_for(current_user, owner))
    ids = _chosen_ids()
    products = printable_products(owner, ids) if ids else []
    if not products:
        return _print_page(kind, owner, error=_("Pilih setidaknya satu produk untuk dicetak label harganya."))
    per_page = request.args.get("per_lembar", type=int) or 24
    if per_page not in LABEL_SHEETS:
        per_page = 24
    order = {product_id: index for index, product_id in enumerate(ids)}
    products.sort(key=lambda p: order.get(p.id, 0))
    data = price_tags_pdf(products, base_url_for=page_url, per_page=per_page)
    return _pdf(data, _file_name(owner, _("label-harga")), private=True)


def _is_hidden(owner: Owner) -> bool:
    return owner.is_suspended


@bp.get("/usaha/<slug>/cetak")
@login_required
def business_print(slug: str):  # type: ignore[no-untyped-def]
    return _print("business", slug)


@bp.get("/usaha/<slug>/katalog.pdf")
@limiter.limit(PDF_RATE_LIMIT)
def business_catalog(slug: str) -> Response:
    return _catalog("business", slug)


@bp.get("/usaha/<slug>/brosur.pdf")
@limiter.limit(PDF_RATE_LIMIT)
def business_flyer(slug: str) -> Response:
    return _flyer("business", slug)


@bp.get("/usaha/<slug>/label-harga.pdf")
@login_required
@limiter.limit(PDF_RATE_LIMIT)
def business_price_tags(slug: str):  # type: ignore[no-untyped-def]
    return _price_tags("business", slug)


@bp.get("/koperasi/<slug>/cetak")
@login_required
def cooperative_print(slug: str):  # type: ignore[no-untyped-def]
    return _print("cooperative", slug)


@bp.get("/koperasi/<slug>/katalog.pdf")
@limiter.limit(PDF_RATE_LIMIT)
def cooperative_catalog(slug: str) -> Response:
    return _catalog("cooperative", slug)


@bp.get("/koperasi/<slug>/brosur.pdf")
@limiter.limit(PDF_RATE_LIMIT)
def cooperative_flyer(slug: str) -> Response:
    return _flyer("cooperative", slug)


@bp.get("/koperasi/<slug>/label-harga.pdf")
@login_required
@limiter.limit(PDF_RATE_LIMIT)
def cooperative_price_tags(slug: str):  # type: ignore[no-untyped-def]
    return _price_tags("cooperative", slug)
