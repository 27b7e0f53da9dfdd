"""Public reports about cooperatives and their triage by the region's officers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards import reports
from marketplace.dashboards.models import (
    REPORT_CATEGORY_LABELS,
    REPORT_STATUS_LABELS,
    PublicReport,
    ReportStatus,
)
from marketplace.dashboards.report_forms import ReportForm, TriageForm
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.forms import apply_domain_error
from marketplace.web import actor, authorize

bp = Blueprint("reports", __name__)

# The follow-up token of a report just sent, kept in the session only to show the confirmation page once.
_JUST_SENT = "reports.just_sent"


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.errorhandler(429)
def _too_many(_error):  # type: ignore[no-untyped-def]
    message = _(
        "Anda sudah mengirim terlalu banyak laporan dari jaringan ini. Coba lagi dalam satu jam; "
        "bila mendesak, hubungi dinas koperasi setempat."
    )
    return render_template("errors/error.html", code=429, message=message), 429


def _context() -> dict:
    return {"category_labels": REPORT_CATEGORY_LABELS, "status_labels": REPORT_STATUS_LABELS}


# --- the public: report and follow -------------------------------------------------------------------------


@bp.get("/lapor")
def start():
    q = (request.args.get("q") or "").strip()
    found = reports.find_cooperatives(q) if q else []
    return render_template("dashboards/reports/start.html", q=q, found=found, **_context())


@bp.route("/koperasi/<slug>/lapor", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def new(slug: str):
    # Suspended cooperatives can be reported too: the report is about them, not a view of them.
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    form = ReportForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.reporter_name.data = current_user.name
        form.reporter_contact.data = current_user.email
    if form.validate_on_submit():
        photo = form.photo.data if form.photo.data and getattr(form.photo.data, "filename", "") else None
        try:
            sent = reports.submit_report(
                cooperative,
                reports.ReportData(
                    category=form.category.data,
                    description=form.description.data,
                    reporter_name=form.reporter_name.data or "",
                    reporter_contact=form.reporter_contact.data or "",
                ),
                reporter=actor() if current_user.is_authenticated else None,
                photo=photo.stream if photo else None,
                locale=str(get_locale() or "id"),
            )
        except DomainError as error:
            db.session.rollback()
            if not apply_domain_error(form, error):
                flash(error.message, "error")
        else:
            report = sent.report
            reports.notify_officers(report, url_for("reports.detail", reference=report.reference))
            follow_url = url_for("reports.follow", token=sent.token, _external=True)
            reports.email_follow_link(report, follow_url)
            db.session.commit()
            session[_JUST_SENT] = sent.token
            return redirect(url_for("reports.sent", reference=report.reference))
    status = 200 if request.method == "GET" else 422
    return render_template(
        "dashboards/reports/new.html", form=form, cooperative=cooperative, **_context()
    ), status


@bp.get("/lapor/terkirim/<reference>")
def sent(reference: str):
    """Shown once after sending: the reference and the private link (the token is in the session only)."""
    token = session.get(_JUST_SENT)
    report = reports.by_token(token) if token else None
    if report is None or report.reference != reference.upper():
        return redirect(url_for("reports.start"))
    follow_url = url_for("reports.follow", token=token, _external=True)
    return render_template(
        "dashboards/reports/sent.html",
        report=report,
        follow_url=follow_url,
        emailed=reports.contact_is_email(report.reporter_contact),
        **_context(),
    )


@bp.get("/lapor/status/<token>")
def follow(token: str):
    report = reports.by_token(token)
    if report is None:
        abort(404)
    response = current_app.make_response(
        render_template(
            "dashboards/reports/follow.html",
            report=report,
            notes=reports.notes_for_reporter(report),
            **_context(),
        )
    )
    # A private page: no caching and the token never leaks to another site through the Referer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- officers: inbox and triage ----------------------------------------------------------------------------


def _report_or_404(reference: str) -> PublicReport:
    report = reports.by_reference(reference)
    if report is None:
        abort(404)
    return report


@bp.get("/wilayah/laporan")
@login_required
def inbox():
    authorize(reports.can_see_reports(current_user))
    status = request.args.get("status") or "open"
    if status not in reports.STATUS_FILTERS:
        status = "open"
    slug = (request.args.get("koperasi") or "").strip() or None
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug)) if slug else None
    if cooperative is not None and not policy.can_supervise_cooperative(current_user, cooperative):
        cooperative = None  # not named on the page; the list below is empty anyway
    page = reports.inbox(
        current_user, status=status, cooperative_slug=slug, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "dashboards/reports/inbox.html",
        page=page,
        status=status,
        slug=slug,
        cooperative=cooperative,
        counts=reports.status_counts(current_user, cooperative_slug=slug),
        filters=reports.STATUS_FILTERS,
        **_context(),
    )


def _render_detail(report: PublicReport, form: TriageForm, status: int = 200):  # type: ignore[no-untyped-def]
    moves = reports.allowed_moves(report)
    form.action.choices = [("", _("Catatan saja (status tetap)"))] + [
        (
            s.value,
            _("Jadwalkan ulang kunjungan")
            if s is ReportStatus.VISIT_PLANNED and report.status is ReportStatus.VISIT_PLANNED
            else REPORT_STATUS_LABELS[s],
        )
        for s in moves
    ]
    return render_template(
        "dashboards/reports/detail.html",
        report=report,
        form=form,
        moves=moves,
        **_context(),
    ), status


@bp.get("/wilayah/laporan/<reference>")
@login_required
def detail(reference: str):
    report = _report_or_404(reference)
    authorize(reports.can_triage(current_user, report))
    return _render_detail(report, TriageForm())


@bp.post("/wilayah/laporan/<reference>/tindak")
@login_required
def triage(reference: str):
    report = _report_or_404(reference)
    authorize(reports.can_triage(current_user, report))
    form = TriageForm()
    if form.validate_on_submit():
        try:
            step = reports.triage(
                actor(),
                report,
                to_status=form.action.data or None,
                note=form.note.data or "",
                for_reporter=bool(form.for_reporter.data),
                visit_on=form.visit_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            if not apply_domain_error(form, error):
                flash(error.message, "error")
        else:
            db.session.commit()
            if step.to_status is None:
                flash(_("Catatan disimpan."), "success")
            else:
                flash(
                    _("Status laporan: %(status)s.", status=REPORT_STATUS_LABELS[step.to_status]), "success"
                )
            return redirect(url_for("reports.detail", reference=report.reference))
    return _render_detail(report, form, 422)


@bp.get("/wilayah/laporan/<reference>/foto")
def photo(reference: str):
    report = _report_or_404(reference)
    if not reports.can_triage(current_user, report):
        abort(403)
    path = reports.photo_file(report)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
