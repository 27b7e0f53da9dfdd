"""Campaign pages: the public page of a campaign, the cooperative managers' campaign and featured-product
pages, and the admins' featured-product page. Thin: parse the form, call marketing.featured, commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import featured
from marketplace.marketing.featured_forms import CampaignForm, FeatureForm
from marketplace.marketing.featured_models import CAMPAIGN_STATUS_LABELS, Campaign, FeaturedProduct
from marketplace.marketing.promotion_forms import JAKARTA, start_of
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("campaigns", __name__)

DEFAULT_FEATURE_DAYS = 14


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(actor(), cooperative))
    return cooperative


def _campaign(cooperative: Cooperative, campaign_id: int) -> Campaign:
    campaign = db.get_or_404(Campaign, campaign_id)
    if campaign.cooperative_id != cooperative.id:
        abort(404)  # another cooperative's campaign is not found here
    return campaign


def _manage_url(cooperative: Cooperative) -> str:
    return url_for("campaigns.manage", slug=cooperative.slug)


def _feature_until(form: FeatureForm) -> Any:
    if form.ends_on.data:
        return start_of(form.ends_on.data + timedelta(days=1))
    return utcnow() + timedelta(days=DEFAULT_FEATURE_DAYS)


# --- public ---


@bp.get("/kampanye/<slug>")
def campaign(slug: str) -> str:
    campaign = db.one_or_404(select(Campaign).where(Campaign.slug == slug))
    if not featured.can_view_campaign(current_user, campaign):
        abort(404)
    now = utcnow()
    return render_template(
        "campaigns/campaign.html",
        campaign=campaign,
        products=featured.campaign_public_products(campaign),
        running=featured.is_running(campaign, now),
        ended=featured.aware(campaign.ends_at) <= now,
        status_labels=CAMPAIGN_STATUS_LABELS,
    )


# --- cooperative managers ---


def _render_manage(cooperative: Cooperative, feature_form: FeatureForm, status: int) -> tuple[str, int]:
    campaigns = featured.campaigns_of(cooperative)
    return (
        render_template(
            "campaigns/manage.html",
            cooperative=cooperative,
            campaigns=campaigns,
            counts=featured.product_counts(campaigns),
            status_labels=CAMPAIGN_STATUS_LABELS,
            featured_rows=featured.featured_of(cooperative, utcnow()),
            choices=featured.member_public_products(cooperative),
            feature_form=feature_form,
            max_featured=featured.MAX_FEATURED_PER_COOPERATIVE,
            form=ActionForm(),
        ),
        status,
    )


@bp.get("/koperasi/<slug>/kampanye")
@login_required
def manage(slug: str) -> tuple[str, int]:
    return _render_manage(_cooperative(slug), FeatureForm(), 200)


def _render_form(
    cooperative: Cooperative, form: CampaignForm, campaign: Campaign | None, status: int
) -> tuple[str, int]:
    return (
        render_template(
            "campaigns/form.html",
            cooperative=cooperative,
            form=form,
            campaign=campaign,
            max_products=featured.MAX_CAMPAIGN_PRODUCTS,
        ),
        status,
    )


def _setup(form: CampaignForm, cooperative: Cooperative, campaign: Campaign | None) -> None:
    choices = featured.member_public_products(cooperative)
    form.product_ids.choices = [(p.id, f"{p.title} — {p.business.name}") for p in choices]


def _save(cooperative: Cooperative, form: CampaignForm, campaign: Campaign | None) -> Any:
    if not form.validate_on_submit():
        return _render_form(cooperative, form, campaign, 422)
    try:
        if campaign is None:
            campaign = featured.create_campaign(actor(), cooperative, form.to_data())
        else:
            featured.update_campaign(actor(), campaign, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render_form(cooperative, form, campaign, 422)
    db.session.commit()
    flash(_("Kampanye %(title)s disimpan.", title=campaign.title), "success")
    return redirect(_manage_url(cooperative))


@bp.route("/koperasi/<slug>/kampanye/baru", methods=["GET", "POST"])
@login_required
def new(slug: str) -> Any:
    cooperative = _cooperative(slug)
    form = CampaignForm()
    _setup(form, cooperative, None)
    if form.is_submitted():
        return _save(cooperative, form, None)
    today = utcnow().astimezone(JAKARTA).date()
    form.starts_on.data, form.ends_on.data = today, today + timedelta(days=6)
    return _render_form(cooperative, form, None, 200)


@bp.route("/koperasi/<slug>/kampanye/<int:campaign_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(slug: str, campaign_id: int) -> Any:
    cooperative = _cooperative(slug)
    campaign = _campaign(cooperative, campaign_id)
    form = CampaignForm()
    _setup(form, cooperative, campaign)
    if form.is_submitted():
        return _save(cooperative, form, campaign)
    form.fill_from(campaign)
    return _render_form(cooperative, form, campaign, 200)


def _act(slug: str, campaign_id: int, action: Any, done: str) -> Response:
    cooperative = _cooperative(slug)
    campaign = _campaign(cooperative, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(actor(), campaign)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_manage_url(cooperative))
    db.session.commit()
    flash(done % {"title": campaign.title}, "success")
    return redirect(_manage_url(cooperative))


@bp.post("/koperasi/<slug>/kampanye/<int:campaign_id>/terbitkan")
@login_required
def publish(slug: str, campaign_id: int) -> Response:
    return _act(slug, campaign_id, featured.publish_campaign, _("Kampanye %(title)s terbit."))


@bp.post("/koperasi/<slug>/kampanye/<int:campaign_id>/batalkan")
@login_required
def cancel(slug: str, campaign_id: int) -> Response:
    return _act(slug, campaign_id, featured.cancel_campaign, _("Kampanye %(title)s dibatalkan."))


def _feature(cooperative: Cooperative | None, form: FeatureForm) -> str | None:
    """Feature the form's product; the error message to show, or None when done (not yet committed)."""
    product = db.session.get(Product, form.product_id.data)
    if product is None:
        form.product_id.errors = [_("Produk tidak ditemukan.")]
        return None
    try:
        featured.feature_product(actor(), product, cooperative=cooperative, ends_at=_feature_until(form))
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            form.product_id.errors = [error.message]
        return error.message
    return None


@bp.post("/koperasi/<slug>/pilihan")
@login_required
def feature(slug: str) -> Any:
    cooperative = _cooperative(slug)
    form = FeatureForm()
    if not form.validate_on_submit() or _feature(cooperative, form) is not None or form.product_id.errors:
        return _render_manage(cooperative, form, 422)
    db.session.commit()
    flash(_("Produk pilihan disimpan; tampil di beranda."), "success")
    return redirect(_manage_url(cooperative))


def _unfeature(featured_id: int) -> None:
    row = db.get_or_404(FeaturedProduct, featured_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        featured.unfeature_product(actor(), row)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(_("Produk tidak lagi menjadi produk pilihan."), "success")


@bp.post("/koperasi/<slug>/pilihan/<int:featured_id>/hapus")
@login_required
def unfeature(slug: str, featured_id: int) -> Response:
    cooperative = _cooperative(slug)
    row = db.get_or_404(FeaturedProduct, featured_id)
    if row.cooperative_id != cooperative.id:
        abort(404)
    _unfeature(featured_id)
    return redirect(_manage_url(cooperative))


# --- admins ---


def _render_admin(form: FeatureForm, status: int) -> tuple[str, int]:
    return (
        render_template(
            "campaigns/admin_featured.html",
            featured_rows=featured.featured_of(None, utcnow()),
            feature_form=form,
            form=ActionForm(),
        ),
        status,
    )


@bp.route("/admin/pilihan", methods=["GET", "POST"])
@login_required
def admin_featured() -> Any:
    authorize(policy.is_admin(actor()))
    form = FeatureForm()
    if not form.is_submitted():
        return _render_admin(form, 200)
    if not form.validate_on_submit() or _feature(None, form) is not None or form.product_id.errors:
        return _render_admin(form, 422)
    db.session.commit()
    flash(_("Produk pilihan disimpan; tampil di beranda."), "success")
    return redirect(url_for("campaigns.admin_featured"))


@bp.post("/admin/pilihan/<int:featured_id>/hapus")
@login_required
def admin_unfeature(featured_id: int) -> Response:
    authorize(policy.is_admin(actor()))
    _unfeature(featured_id)
    return redirect(url_for("campaigns.admin_featured"))
