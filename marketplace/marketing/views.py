"""Share kit pages: QR codes of the public pages, sitemap.xml and robots.txt.

QR codes exist for public pages only (the catalog's visibility rules: a draft, paused or rejected listing,
or anything of a suspended business or cooperative, is a 404), so a cached public response never leaks a
private page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from marketplace.catalog import search
from marketplace.catalog.models import Product
from marketplace.catalog.services import is_public
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db
from marketplace.marketing import share
from marketplace.marketing.qr import qr_png, qr_svg

bp = Blueprint("marketing", __name__)

QR_MAX_AGE = 60 * 60 * 24
SITEMAP_MAX_AGE = 60 * 60
# The sitemaps protocol allows 50,000 URLs per file; a larger site is served as an index of parts.
SITEMAP_MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@bp.app_template_global()
def share_page(obj: Product | Business | Cooperative) -> share.SharePage:
    return share.share_page(obj)


# --- QR codes ----------------------------------------------------------------------------------------------


def _qr_response(url: str, fmt: str, name: str) -> Response:
    if fmt == "png":
        response = Response(qr_png(url), mimetype="image/png")
        response.headers["Content-Disposition"] = f'attachment; filename="qr-{name}.png"'
    else:
        response = Response(qr_svg(url), mimetype="image/svg+xml")
        response.headers["Content-Disposition"] = f'inline; filename="qr-{name}.svg"'
        # An SVG opened on its own is a document: it may not run or load anything.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.cache_control.public = True
    response.cache_control.max_age = QR_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/qr/produk/<int:product_id>.<any(svg, png):fmt>")
def product_qr(product_id: int, fmt: str) -> Response:
    product = db.get_or_404(Product, product_id)
    if not is_public(product):
        abort(404)
    return _qr_response(share.product_url(product), fmt, f"produk-{product.id}")


@bp.get("/qr/usaha/<slug>.<any(svg, png):fmt>")
def business_qr(slug: str, fmt: str) -> Response:
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    if not share.business_is_public(business):
        abort(404)
    return _qr_response(share.business_url(business), fmt, f"usaha-{business.slug}")


@bp.get("/qr/koperasi/<slug>.<any(svg, png):fmt>")
def cooperative_qr(slug: str, fmt: str) -> Response:
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    if not share.cooperative_is_public(cooperative):
        abort(404)
    return _qr_response(share.cooperative_url(cooperative), fmt, f"koperasi-{cooperative.slug}")


# --- sitemap.xml ------------------------------------------------------------------------------------------

Entry = tuple[str, datetime | None]
_ID_MARKER = 2_147_480_001  # an id in no URL of the site: replaced by each row's id


def _public_product_rows() -> Select[Any]:
    public_ids = search.public_products().with_only_columns(Product.id)
    return select(Product.id, Product.slug, Product.updated_at).where(Product.id.in_(public_ids))


def _public_business_rows() -> Select[Any]:
    return select(Business.id, Business.slug, Business.updated_at).where(Business.suspended_at.is_(None))


def _public_cooperative_rows() -> Select[Any]:
    return select(Cooperative.id, Cooperative.slug, Cooperative.updated_at).where(
        Cooperative.suspended_at.is_(None)
    )


class _Section:
    """One kind of public page: how many there are, and its entries from ``offset``, ordered by id."""

    def __init__(self, rows: Select[Any], to_url: Callable[[Any], str]) -> None:
        self.rows = rows
        self.to_url = to_url

    def count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(self.rows.subquery())) or 0

    def entries(self, offset: int, limit: int) -> Iterator[Entry]:
        stmt = self.rows.order_by(self.rows.selected_columns[0]).offset(offset).limit(limit)
        for row in db.session.execute(stmt.execution_options(yield_per=2000)):
            yield self.to_url(row), row.updated_at


def _url_maker(endpoint: str, **columns: str) -> Callable[[Any], str]:
    """A fast URL builder for one endpoint (URL parameter -> row column): url_for once with marker values,
    then string substitution; url_for per row costs seconds on a catalog of 100,000 products. Slugs are
    ASCII (python-slugify), so they need no quoting."""
    markers: dict[str, Any] = {
        param: _ID_MARKER if param.endswith("_id") else f"__{param}__" for param in columns
    }
    pattern = url_for(endpoint, **markers, _external=True)

    def make(row: Any) -> str:
        url = pattern
        for param, column in columns.items():
            url = url.replace(str(markers[param]), str(getattr(row, column)), 1)
        return url

    return make


def _sections() -> list[_Section]:
    return [
        _Section(_public_cooperative_rows(), _url_maker("cooperatives.cooperative", slug="slug")),
        _Section(_public_business_rows(), _url_maker("cooperatives.business", slug="slug")),
        _Section(_public_product_rows(), _url_maker("catalog.product", product_id="id", slug="slug")),
    ]


def _static_entries() -> list[Entry]:
    return [
        (url_for("site.home", _external=True), None),
        (url_for("catalog.index", _external=True), None),
        (url_for("cooperatives.directory", _external=True), None),
    ]


def _entries(start: int, stop: int, sections: list[_Section], counts: list[int]) -> Iterator[Entry]:
    """Entries ``start`` ≤ i < ``stop`` of the whole list: the fixed pages, then each section."""
    fixed = _static_entries()
    yield from fixed[start:stop]
    position = len(fixed)
    for section, count in zip(sections, counts, strict=True):
        lo, hi = max(start, position), min(stop, position + count)
        if lo < hi:
            yield from section.entries(lo - position, hi - lo)
        position += count


def _lastmod(moment: datetime | None) -> str:
    return f"<lastmod>{moment.date().isoformat()}</lastmod>" if moment else ""


def _urlset(entries: Iterator[Entry]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    for loc, moment in entries:
        yield f"<url><loc>{escape(loc)}</loc>{_lastmod(moment)}</url>\n"
    yield "</urlset>\n"


def _xml_response(body: Iterator[str] | str) -> Response:
    text = body if isinstance(body, str) else "".join(body)
    response = Response(text, mimetype="application/xml")
    response.cache_control.public = True
    response.cache_control.max_age = SITEMAP_MAX_AGE
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    sections = _sections()
    counts = [section.count() for section in sections]
    total = len(_static_entries()) + sum(counts)
    if total <= SITEMAP_MAX_URLS:
        return _xml_response(_urlset(_entries(0, total, sections, counts)))
    parts = -(-total // SITEMAP_MAX_URLS)
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for part in range(1, parts + 1):
        loc = url_for("marketing.sitemap_part", part=part, _external=True)
        lines.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n")
    lines.append("</sitemapindex>\n")
    return _xml_response("".join(lines))


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int) -> Response:
    sections = _sections()
    counts = [section.count() for section in sections]
    total = len(_static_entries()) + sum(counts)
    start = (part - 1) * SITEMAP_MAX_URLS
    if part < 1 or start >= total:
        abort(404)
    return _xml_response(_urlset(_entries(start, min(total, start + SITEMAP_MAX_URLS), sections, counts)))


# --- robots.txt -------------------------------------------------------------------------------------------

# Areas behind a login or without anything to index: accounts, cart and checkout, orders and payments,
# sellers' and managers' tools, coalitions, supervision, notifications, admin, development pages and APIs.
ROBOTS_DISALLOW = (
    "/akun/",
    "/keranjang",
    "/pesanan",
    "/bayar/",
    "/saya",
    "/notifikasi",
    "/koalisi",
    "/wilayah/",
    "/admin/",
    "/dev/",
    "/api/",
    "/webhooks/",
    "/healthz",
    "/usaha/baru",
    "/koperasi/baru",
    # Everything below a product, business or cooperative page (edit, orders, review queues); the pages
    # themselves (/produk/12-slug, /usaha/slug, /koperasi/slug) have no "/" after the id or slug.
    "/produk/*/",
    "/usaha/*/",
    "/koperasi/*/",
)


@bp.get("/robots.txt")
def robots() -> Response:
    # Allow after the Disallow lines: crawlers that take the first matching rule (not the longest) agree.
    # The product feeds sit below a storefront/cooperative page but are meant for Google and Meta to fetch;
    # their Allow lines come first (and are longer, for crawlers that take the most specific rule).
    feeds = ["Allow: /usaha/*/feed/", "Allow: /koperasi/*/feed/"]
    lines = ["User-agent: *", *feeds, *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /"]
    lines += ["", f"Sitemap: {url_for('marketing.sitemap', _external=True)}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = QR_MAX_AGE
    return response
