"""Statistics pages for sellers and cooperative managers, and the counting redirect behind "Pesan via
WhatsApp"."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.catalog.services import MAX_QUANTITY, is_public
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db
from marketplace.marketing import share, stats
from marketplace.marketing.stats_models import CountKind
from marketplace.web import authorize

bp = Blueprint("stats", __name__)

# (field of stats.Figures, label, is rupiah) — in the order the page shows them.
SERIES = (
    ("views", _l("Produk dilihat"), False),
    ("store_views", _l("Etalase dilihat"), False),
    ("wa_clicks", _l("Klik WhatsApp"), False),
    ("add_to_carts", _l("Masuk keranjang"), False),
    ("orders_online", _l("Pesanan online"), False),
    ("orders_offline", _l("Penjualan offline"), False),
    ("revenue_online_idr", _l("Pendapatan online"), True),
    ("revenue_offline_idr", _l("Pendapatan offline"), True),
)


@bp.get("/wa/produk/<int:product_id>")
def whatsapp_order(product_id: int):
    """Count a click on "Pesan via WhatsApp", then open the chat with the seller (302 to wa.me)."""
    product = db.get_or_404(Product, product_id)
    if not policy.can_view_product(current_user, product):
        abort(404)
    quantity = request.args.get("jumlah", type=int)
    if quantity is None or not product.min_order_qty <= quantity <= MAX_QUANTITY:
        quantity = product.min_order_qty
    target = share.whatsapp_order_url(
        product.business.whatsapp, product, quantity, share.product_url(product)
    )
    if target is None:  # the seller has no usable WhatsApp number (any more)
        return redirect(url_for("catalog.product", product_id=product.id, slug=product.slug))
    if is_public(product):
        stats.count(CountKind.WA_CLICK, product.business_id, product.id)
    response = redirect(target, 302)
    # Every click must reach us to be counted; and the redirect is not a page for search engines.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _period() -> int:
    days = request.args.get("hari", type=int)
    return days if days in stats.PERIODS else stats.DEFAULT_PERIOD


def _render(subject: str, stats_: stats.Stats, days: int, **context):  # type: ignore[no-untyped-def]
    shown = [s for s in SERIES if not (s[0] == "store_views" and context.get("cooperative") is not None)]
    return render_template(
        "stats/stats.html",
        subject=subject,
        stats=stats_,
        days=days,
        periods=stats.PERIODS,
        series=shown,
        charts={name: stats.bars(stats_, name) for name, _label, _money in shown},
        chart_height=stats.CHART_HEIGHT,
        bar_step=stats.BAR_STEP,
        **context,
    )


@bp.get("/usaha/<slug>/statistik")
@login_required
def business(slug: str):
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    authorize(stats.can_view_business_stats(current_user, business))
    days = _period()
    start, end = stats.period(days)
    return _render(
        business.name, stats.business_stats(business, start, end), days, business=business, cooperative=None
    )


@bp.get("/koperasi/<slug>/statistik")
@login_required
def cooperative(slug: str):
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(stats.can_view_cooperative_stats(current_user, cooperative))
    days = _period()
    start, end = stats.period(days)
    return _render(
        cooperative.name,
        stats.cooperative_stats(cooperative, start, end),
        days,
        business=None,
        cooperative=cooperative,
    )
