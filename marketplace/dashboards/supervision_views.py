"""An officer's view of one cooperative: activity, health assessments and follow-ups; and the admins' page of
health weight sets. Thin: parse the form, call health_service, commit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from marketplace.cooperatives import services as cooperative_services
from marketplace.cooperatives.models import COOPERATIVE_TYPE_LABELS, Cooperative, CooperativeManager
from marketplace.dashboards import activity, charts, exports, health, health_service
from marketplace.dashboards.health_forms import (
    AssessmentForm,
    FollowUpDoneForm,
    FollowUpForm,
    WeightSetForm,
)
from marketplace.dashboards.models import (
    ASPECT_LABELS,
    HEALTH_CATEGORY_LABELS,
    FollowUpAction,
    HealthAssessment,
    HealthWeightSet,
    json_ints,
)
from marketplace.database import write_unit
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("supervision", __name__)


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.app_template_filter("health_score")
def health_score(score_centi: int) -> str:
    """79,85 in Indonesian, 79.85 in English."""
    return health.format_score(score_centi, _locale())


def _has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _context() -> dict[str, Any]:
    return {
        "aspect_labels": ASPECT_LABELS,
        "category_labels": HEALTH_CATEGORY_LABELS,
        "category_badges": health_service.CATEGORY_BADGES,
        "has_endpoint": _has_endpoint,
    }


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(health_service.can_assess(actor(), cooperative))
    return cooperative


def _assessment(cooperative: Cooperative, assessment_id: int) -> HealthAssessment:
    assessment = db.one_or_404(
        select(HealthAssessment)
        .where(HealthAssessment.id == assessment_id)
        .options(selectinload(HealthAssessment.follow_ups), selectinload(HealthAssessment.assessed_by))
    )
    if assessment.cooperative_id != cooperative.id:
        abort(404)  # another cooperative's assessment is not found here
    return assessment


def _ensure_default_weight_set() -> HealthWeightSet:
    """The default set, created on first use; a GET that must create it does so in its own write unit."""
    found = health_service.find_default_weight_set()
    if found is not None:
        return found
    if request.method == "GET":
        db.session.rollback()
        with write_unit():
            weight_set = health_service.default_weight_set()
            db.session.commit()
        return weight_set
    return health_service.default_weight_set()


# --- the officer's page of one cooperative -----------------------------------------------------------------


@bp.get("/wilayah/koperasi/<slug>")
@login_required
def cooperative(slug: str) -> str:
    cooperative = db.one_or_404(
        select(Cooperative)
        .where(Cooperative.slug == slug)
        .options(selectinload(Cooperative.managers).selectinload(CooperativeManager.user))
    )
    authorize(health_service.can_assess(actor(), cooperative))
    found = activity.cooperative_activity(cooperative)
    assessments = health_service.assessment_history(cooperative)
    oldest_first = list(reversed(assessments))
    chart = charts.columns(
        [(format_date(a.assessed_on, "short"), (a.score_centi + 50) // 100) for a in oldest_first]
    )
    return render_template(
        "dashboards/supervision/cooperative.html",
        cooperative=cooperative,
        type_labels=COOPERATIVE_TYPE_LABELS,
        member_count=cooperative_services.member_counts([cooperative.id]).get(cooperative.id, 0),
        activity=found,
        activity_kinds=list(activity.ActivityKind),
        activity_labels=activity.ACTIVITY_LABELS,
        rat_records=health_service.rat_records(cooperative),
        assessments=assessments,
        history=health_service.history_rows(assessments, _locale()),
        chart=chart,
        follow_ups=health_service.open_follow_ups(cooperative),
        open_reports=health_service.open_report_count(cooperative),
        **_context(),
    )


@bp.get("/wilayah/koperasi/<slug>/penilaian.csv")
@login_required
def assessments_csv(slug: str) -> Response:
    cooperative = _cooperative(slug)
    assessments = health_service.assessment_history(cooperative)
    return exports.csv_response(
        f"penilaian-kesehatan-{cooperative.slug}.csv",
        health_service.history_header(),
        health_service.history_rows(assessments, _locale()),
    )


# --- assessments ---------------------------------------------------------------------------------------


def _render_new(
    cooperative: Cooperative,
    form: AssessmentForm,
    chosen: HealthWeightSet,
    choices: list[HealthWeightSet],
    status: int,
) -> tuple[str, int]:
    weights = json_ints(chosen.weights)
    return (
        render_template(
            "dashboards/supervision/assessment_form.html",
            cooperative=cooperative,
            form=form,
            chosen=chosen,
            choices=choices,
            weights=weights,
            asked=health_service.assessed_aspects(weights),
            **_context(),
        ),
        status,
    )


@bp.route("/wilayah/koperasi/<slug>/penilaian/baru", methods=["GET", "POST"])
@login_required
def new_assessment(slug: str) -> Any:
    cooperative = _cooperative(slug)
    default = _ensure_default_weight_set()
    choices = health_service.weight_sets(include_archived=False)
    form = AssessmentForm()
    wanted = form.weight_set_id.data if form.is_submitted() else request.args.get("bobot", type=int)
    chosen = next((w for w in choices if w.id == wanted), default)
    form.asked = health_service.assessed_aspects(json_ints(chosen.weights))
    if not form.is_submitted():
        today = health_service.today_wib()
        form.weight_set_id.data = chosen.id
        form.assessed_on.data = today
        form.financial_year.data = today.year - 1
        return _render_new(cooperative, form, chosen, choices, 200)
    if chosen.id != wanted:
        form.weight_set_id.data = chosen.id
        flash(_("Set bobot itu tidak dapat dipakai lagi; periksa nilai dengan set bobot ini."), "error")
        return _render_new(cooperative, form, chosen, choices, 422)
    if not form.validate_on_submit():
        return _render_new(cooperative, form, chosen, choices, 422)
    try:
        assessment = health_service.record_assessment(actor(), cooperative, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render_new(cooperative, form, chosen, choices, 422)
    db.session.commit()
    flash(_("Penilaian kesehatan disimpan."), "success")
    return redirect(url_for("supervision.assessment", slug=cooperative.slug, assessment_id=assessment.id))


def _render_assessment(
    cooperative: Cooperative, assessment: HealthAssessment, follow_up_form: FollowUpForm, status: int
) -> tuple[str, int]:
    return (
        render_template(
            "dashboards/supervision/assessment.html",
            cooperative=cooperative,
            assessment=assessment,
            lines=health_service.aspect_lines(assessment),
            follow_up_form=follow_up_form,
            done_form=FollowUpDoneForm(),
            **_context(),
        ),
        status,
    )


@bp.get("/wilayah/koperasi/<slug>/penilaian/<int:assessment_id>")
@login_required
def assessment(slug: str, assessment_id: int) -> tuple[str, int]:
    cooperative = _cooperative(slug)
    return _render_assessment(cooperative, _assessment(cooperative, assessment_id), FollowUpForm(), 200)


@bp.post("/wilayah/koperasi/<slug>/penilaian/<int:assessment_id>/tindak-lanjut")
@login_required
def add_follow_up(slug: str, assessment_id: int) -> Any:
    cooperative = _cooperative(slug)
    assessment = _assessment(cooperative, assessment_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_assessment(cooperative, assessment, form, 422)
    try:
        health_service.add_follow_up(actor(), assessment, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render_assessment(cooperative, assessment, form, 422)
    db.session.commit()
    flash(_("Tindak lanjut ditambahkan."), "success")
    return redirect(url_for("supervision.assessment", slug=cooperative.slug, assessment_id=assessment.id))


@bp.post("/wilayah/tindak-lanjut/<int:follow_up_id>/selesai")
@login_required
def follow_up_done(follow_up_id: int) -> Response:
    follow_up = db.get_or_404(FollowUpAction, follow_up_id)
    cooperative = follow_up.assessment.cooperative
    authorize(health_service.can_assess(actor(), cooperative))
    form = FollowUpDoneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        health_service.mark_follow_up_done(actor(), follow_up, form.note.data or "")
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Tindak lanjut ditandai selesai."), "success")
    return redirect(
        url_for("supervision.assessment", slug=cooperative.slug, assessment_id=follow_up.assessment_id)
    )


# --- weight sets (admins) ----------------------------------------------------------------------------------


def _render_weight_sets(form: WeightSetForm, status: int) -> tuple[str, int]:
    return (
        render_template(
            "dashboards/supervision/weight_sets.html",
            form=form,
            weight_sets=health_service.weight_sets(),
            action_form=ActionForm(),
            **_context(),
        ),
        status,
    )


@bp.route("/admin/bobot-kesehatan", methods=["GET", "POST"])
@login_required
def weight_sets() -> Any:
    authorize(health_service.can_manage_weight_sets(actor()))
    _ensure_default_weight_set()
    form = WeightSetForm()
    if not form.is_submitted():
        return _render_weight_sets(form, 200)
    if not form.validate_on_submit():
        return _render_weight_sets(form, 422)
    try:
        weight_set = health_service.create_weight_set(actor(), form.name.data or "", form.weights())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            form.form_errors.append(error.message)
        return _render_weight_sets(form, 422)
    db.session.commit()
    flash(_("Set bobot %(name)s disimpan.", name=weight_set.name), "success")
    return redirect(url_for("supervision.weight_sets"))


@bp.post("/admin/bobot-kesehatan/<int:weight_set_id>/arsip")
@login_required
def archive_weight_set(weight_set_id: int) -> Response:
    authorize(health_service.can_manage_weight_sets(actor()))
    weight_set = db.get_or_404(HealthWeightSet, weight_set_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        health_service.archive_weight_set(actor(), weight_set)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Set bobot %(name)s diarsipkan.", name=weight_set.name), "success")
    return redirect(url_for("supervision.weight_sets"))
