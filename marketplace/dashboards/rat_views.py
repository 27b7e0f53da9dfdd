"""Annual members' meetings (RAT) recorded by a cooperative's managers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards import rat
from marketplace.dashboards.models import RatRecord
from marketplace.dashboards.rat_forms import RatForm
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("rat", __name__)


def _cooperative(slug: str) -> Cooperative:
    return db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))


def _record(cooperative: Cooperative, record_id: int) -> RatRecord:
    record = db.get_or_404(RatRecord, record_id)
    if record.cooperative_id != cooperative.id:
        abort(404)  # another cooperative's meeting is not found here
    return record


def _render(cooperative: Cooperative, form: RatForm, status: int) -> tuple[str, int]:
    return (
        render_template(
            "dashboards/rat/index.html",
            cooperative=cooperative,
            records=rat.records(cooperative),
            form=form,
            action_form=ActionForm(),
            can_record=rat.can_record_rat(actor(), cooperative),
        ),
        status,
    )


@bp.route("/koperasi/<slug>/rat", methods=["GET", "POST"])
@login_required
def index(slug: str) -> Any:
    cooperative = _cooperative(slug)
    # The region's officers may read the list (and the minutes); recording is for the managers.
    authorize(rat.can_view_rat(actor(), cooperative))
    form = RatForm()
    if not form.is_submitted():
        form.financial_year.data = rat.today().year - 1
        return _render(cooperative, form, 200)
    authorize(rat.can_record_rat(actor(), cooperative))
    if not form.validate_on_submit():
        return _render(cooperative, form, 422)
    upload = form.minutes.data
    try:
        record = rat.record_rat(
            actor(),
            cooperative,
            form.to_data(),
            upload.stream if upload else None,
            upload.filename if upload else None,
        )
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render(cooperative, form, 422)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        rat.discard_file(rat.minutes_file(record))
        raise
    flash(_("RAT tahun buku %(year)d tercatat.", year=record.financial_year), "success")
    return redirect(url_for("rat.index", slug=cooperative.slug), 303)


@bp.post("/koperasi/<slug>/rat/<int:record_id>/hapus")
@login_required
def delete(slug: str, record_id: int) -> Any:
    cooperative = _cooperative(slug)
    authorize(rat.can_record_rat(actor(), cooperative))
    record = _record(cooperative, record_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    year = record.financial_year
    try:
        path = rat.delete_rat(actor(), record)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    rat.discard_file(path)
    flash(_("Catatan RAT tahun buku %(year)d dihapus.", year=year), "success")
    return redirect(url_for("rat.index", slug=cooperative.slug), 303)


@bp.get("/koperasi/<slug>/rat/<int:record_id>/notulen")
@login_required
def minutes(slug: str, record_id: int) -> Any:
    cooperative = _cooperative(slug)
    authorize(rat.can_view_rat(actor(), cooperative))
    record = _record(cooperative, record_id)
    path = rat.minutes_file(record)
    if path is None or not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=rat.minutes_mimetype(record),
        as_attachment=True,
        download_name=record.minutes_filename or path.name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
