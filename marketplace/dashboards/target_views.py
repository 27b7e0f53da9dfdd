"""Activation targets of a region, for its officers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.dashboards import charts, targets
from marketplace.dashboards.exports import csv_response
from marketplace.dashboards.models import ActivationTarget
from marketplace.dashboards.target_forms import TargetForm
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("targets", __name__)


def _region(code: str) -> str:
    if not targets.is_region(code):
        abort(404)
    authorize(targets.can_manage_targets(actor(), code))
    return code


def _target(code: str, target_id: int) -> ActivationTarget:
    target = db.get_or_404(ActivationTarget, target_id)
    if target.region_code != code:
        abort(404)  # another region's target is not found here
    return target


def _render(code: str, form: TargetForm, status: int) -> tuple[str, int]:
    current = targets.region_activity(code)
    day = targets.today()
    return (
        render_template(
            "dashboards/targets/index.html",
            code=code,
            form=form,
            current=current,
            progress=[targets.progress(t, current, day=day) for t in targets.targets_of(code)],
            archived=targets.targets_of(code, archived=True),
            whole_years=targets.whole_years,
            action_form=ActionForm(),
        ),
        status,
    )


@bp.route("/wilayah/<code>/target", methods=["GET", "POST"])
@login_required
def index(code: str) -> Any:
    code = _region(code)
    form = TargetForm()
    if not form.is_submitted():
        form.start_on.data = targets.today()
        return _render(code, form, 200)
    if not form.validate_on_submit():
        return _render(code, form, 422)
    try:
        target = targets.create_target(actor(), code, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render(code, form, 422)
    db.session.commit()
    flash(_("Target \u201c%(title)s\u201d disimpan.", title=target.title), "success")
    return redirect(url_for("targets.detail", code=code, target_id=target.id), 303)


def _history_rows(points: list[targets.HistoryPoint]) -> list[tuple[str, int, int, str, str]]:
    """The rows of the history table and of its CSV: period, active, total, percent, kind."""
    rows = []
    for point in points:
        period = point.month.isoformat() if point.live else point.month.strftime("%Y-%m")
        kind = _("Saat ini") if point.live else _("Snapshot bulanan")
        rows.append((period, point.active, point.total, point.percent_text, kind))
    return rows


def _history_header() -> list[str]:
    return [_("Periode"), _("Koperasi aktif"), _("Jumlah koperasi"), _("Persen aktif"), _("Keterangan")]


@bp.get("/wilayah/<code>/target/<int:target_id>")
@login_required
def detail(code: str, target_id: int) -> Any:
    code = _region(code)
    target = _target(code, target_id)
    points = targets.history(target)
    live = points[-1]
    progress = targets.progress(target, targets.RegionActivity(total=live.total, active=live.active))
    chart = charts.columns(
        [(_("Sekarang") if p.live else format_date(p.month, "MMM yyyy"), p.active) for p in points]
    )
    return render_template(
        "dashboards/targets/detail.html",
        code=code,
        target=target,
        progress=progress,
        points=points,
        rows=_history_rows(points),
        chart=chart,
        whole_years=targets.whole_years,
        action_form=ActionForm(),
    )


@bp.get("/wilayah/<code>/target/<int:target_id>.csv")
@login_required
def detail_csv(code: str, target_id: int) -> Any:
    code = _region(code)
    target = _target(code, target_id)
    rows = _history_rows(targets.history(target))
    return csv_response(f"target-{code}-{target.id}.csv", _history_header(), rows)


@bp.post("/wilayah/<code>/target/<int:target_id>/arsipkan")
@login_required
def archive(code: str, target_id: int) -> Any:
    code = _region(code)
    target = _target(code, target_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        targets.archive_target(actor(), target)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(_("Target \u201c%(title)s\u201d diarsipkan.", title=target.title), "success")
    return redirect(url_for("targets.index", code=code), 303)
