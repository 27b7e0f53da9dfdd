"""The seller's offline sales page: record a sale from a phone at a bazaar or the shop, see the day's sales
and void a mistyped one. Thin: parse the form, call marketing.offline, commit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.catalog.models import Product, unit_label
from marketplace.cooperatives.models import Business
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import offline
from marketplace.marketing.event_forms import OfflineSaleForm, ReasonForm, parse_day
from marketplace.marketing.event_models import PAYMENT_METHOD_LABELS, OfflineSale, PaymentMethod
from marketplace.web import actor, authorize

bp = Blueprint("offline", __name__)


def _business(slug: str) -> Business:
    business = db.one_or_404(select(Business).where(Business.slug == slug))
    authorize(offline.can_record_sales(actor(), business))
    return business


def _products(business: Business) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product).where(Product.business_id == business.id).order_by(Product.title, Product.id)
        )
    )


def _render(business: Business, form: OfflineSaleForm, status: int = 200) -> tuple[str, int]:
    products = _products(business)
    form.product_id.choices = [(p.id, p.title) for p in products]
    sale_events = offline.sale_events(business)
    form.event_id.choices = [("", _("— Tidak di acara —")), *((e.id, e.title) for e in sale_events)]
    day = parse_day(request.args.get("tanggal")) or offline.today()
    return (
        render_template(
            "offline/sales.html",
            business=business,
            form=form,
            products=products,
            unit_label=unit_label,
            day=day,
            is_today=day == offline.today(),
            sales=offline.day_sales(business, day),
            methods=PaymentMethod,
            method_labels=PAYMENT_METHOD_LABELS,
            void_form=ReasonForm(),
        ),
        status,
    )


@bp.route("/usaha/<slug>/jual-langsung", methods=["GET", "POST"])
@login_required
def sales(slug: str) -> Any:
    business = _business(slug)
    form = OfflineSaleForm()
    if request.method == "GET":
        wanted = request.args.get("produk", type=int)
        if wanted:
            form.product_id.data = wanted
        return _render(business, form)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render(business, form, 422)
    data = offline.SaleData(
        product_id=form.product_id.data,
        quantity=form.quantity.data,
        method=form.method.data,
        unit_price_idr=form.unit_price_idr.data,
        event_id=form.event_id.data,
        note=form.note.data or "",
    )
    try:
        sale = offline.record_sale(actor(), business, data)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render(business, form, 422)
    db.session.commit()
    flash(
        _(
            "Tercatat: %(qty)s %(unit)s %(title)s.",
            qty=sale.quantity,
            unit=unit_label(sale.unit),
            title=sale.title,
        ),
        "success",
    )
    return redirect(url_for("offline.sales", slug=slug))


@bp.post("/usaha/<slug>/jual-langsung/<int:sale_id>/batal")
@login_required
def void(slug: str, sale_id: int) -> Response:
    business = _business(slug)
    sale = db.get_or_404(OfflineSale, sale_id)
    if sale.business_id != business.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.reason.errors) or _("Tulis alasan pembatalan."), "error")
        return redirect(url_for("offline.sales", slug=slug))
    try:
        offline.void_sale(actor(), sale, form.reason.data)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("offline.sales", slug=slug))
    db.session.commit()
    flash(_("Penjualan dibatalkan; stoknya dikembalikan."), "success")
    return redirect(url_for("offline.sales", slug=slug))
