"""Manager pages of promotion codes: a business's (its owner) and a cooperative's (its managers; the code
applies to the products of its active members). Thin: parse the form, call marketing.promotions, commit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.accounts import policy
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import promotions
from marketplace.marketing.promotion_forms import JAKARTA, PromoForm
from marketplace.marketing.promotion_models import PROMO_KIND_LABELS, PromoCode
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("promotions", __name__)

Owner = Business | Cooperative


def _business(slug: str) -> Business:
    business = db.one_or_404(select(Business).where(Business.slug == slug))
    authorize(policy.can_edit_business(actor(), business))
    return business


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(actor(), cooperative))
    return cooperative


def _owner(kind: str, slug: str) -> Owner:
    return _business(slug) if kind == "usaha" else _cooperative(slug)


def _kind(owner: Owner) -> str:
    return "usaha" if isinstance(owner, Business) else "koperasi"


def _promo(owner: Owner, promo_id: int) -> PromoCode:
    promo = db.get_or_404(PromoCode, promo_id)
    mine = promo.business_id == owner.id if isinstance(owner, Business) else promo.cooperative_id == owner.id
    if not mine:
        abort(404)  # another owner's code is not found here
    return promo


def _list_url(owner: Owner) -> str:
    return url_for("promotions.codes", kind=_kind(owner), slug=owner.slug)


def _setup(form: PromoForm, owner: Owner) -> None:
    form.product_ids.choices = [
        (p.id, f"{p.title} — {p.business.name}" if isinstance(owner, Cooperative) else p.title)
        for p in promotions.owner_products(owner)
    ]


def _render_form(owner: Owner, form: PromoForm, promo: PromoCode | None, status: int) -> tuple[str, int]:
    return (
        render_template("promotions/form.html", owner=owner, kind=_kind(owner), form=form, promo=promo),
        status,
    )


def _save(owner: Owner, form: PromoForm, promo: PromoCode | None) -> Response | tuple[str, int]:
    if not form.validate_on_submit():
        return _render_form(owner, form, promo, 422)
    try:
        if promo is None:
            promo = promotions.create_promo(actor(), owner, form.to_data())
        else:
            promotions.update_promo(actor(), promo, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render_form(owner, form, promo, 422)
    db.session.commit()
    flash(_("Kode promo %(code)s disimpan.", code=promo.code), "success")
    return redirect(_list_url(owner))


# --- pages ---


@bp.get("/<any(usaha, koperasi):kind>/<slug>/promo")
@login_required
def codes(kind: str, slug: str) -> str:
    owner = _owner(kind, slug)
    promos = promotions.codes_of(owner)
    return render_template(
        "promotions/list.html",
        owner=owner,
        kind=kind,
        promos=promos,
        given=promotions.discount_given(promos),
        kind_labels=PROMO_KIND_LABELS,
        form=ActionForm(),
    )


@bp.route("/<any(usaha, koperasi):kind>/<slug>/promo/baru", methods=["GET", "POST"])
@login_required
def new(kind: str, slug: str) -> Any:
    owner = _owner(kind, slug)
    form = PromoForm()
    _setup(form, owner)
    if form.is_submitted():
        return _save(owner, form, None)
    form.starts_on.data = utcnow().astimezone(JAKARTA).date()
    return _render_form(owner, form, None, 200)


@bp.route("/<any(usaha, koperasi):kind>/<slug>/promo/<int:promo_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(kind: str, slug: str, promo_id: int) -> Any:
    owner = _owner(kind, slug)
    promo = _promo(owner, promo_id)
    form = PromoForm()
    _setup(form, owner)
    if form.is_submitted():
        return _save(owner, form, promo)
    form.fill_from(promo)
    return _render_form(owner, form, promo, 200)


def _switch(kind: str, slug: str, promo_id: int, active: bool) -> Response:
    owner = _owner(kind, slug)
    promo = _promo(owner, promo_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        promotions.set_active(actor(), promo, active)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    if active:
        flash(_("Kode promo %(code)s aktif lagi.", code=promo.code), "success")
    else:
        flash(
            _("Kode promo %(code)s dinonaktifkan; pembeli tidak bisa memakainya lagi.", code=promo.code),
            "success",
        )
    return redirect(_list_url(owner))


@bp.post("/<any(usaha, koperasi):kind>/<slug>/promo/<int:promo_id>/nonaktifkan")
@login_required
def deactivate(kind: str, slug: str, promo_id: int) -> Response:
    return _switch(kind, slug, promo_id, False)


@bp.post("/<any(usaha, koperasi):kind>/<slug>/promo/<int:promo_id>/aktifkan")
@login_required
def activate(kind: str, slug: str, promo_id: int) -> Response:
    return _switch(kind, slug, promo_id, True)
