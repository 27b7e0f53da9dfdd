"""Public reports about cooperatives and their triage by the region's officers (DOMAIN.md "Supervision").

Anyone may report a cooperative; the reporter follows the report with a private link whose token is stored
only as a SHA-256 hash. Officers whose province or regency covers the cooperative triage it:
received → visit planned → resolved (or dismissed). Every step is one call of ``triage``, the only place a
report's status changes, and leaves a ``ReportNote``; the notes marked ``for_reporter`` are what the
reporter sees.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from marketplace.accounts import policy
from marketplace.accounts.models import OfficerAppointment
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards.activity import JAKARTA, region_cooperative_ids
from marketplace.dashboards.models import (
    REPORT_CATEGORY_LABELS,
    REPORT_STATUS_LABELS,
    PublicReport,
    ReportCategory,
    ReportNote,
    ReportStatus,
)
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.images import store_image
from marketplace.mail.services import send_email
from marketplace.notifications import services as notifications
from marketplace.phones import normalise_phone

S = ReportStatus

DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
NOTE_MAX = 5000
PER_PAGE = 20

OPEN_STATUSES = (S.RECEIVED, S.VISIT_PLANNED)
FINAL_STATUSES = (S.RESOLVED, S.DISMISSED)

# The whole state machine: where a report may go from each status. Resolved and dismissed are final;
# planning a visit again from "visit planned" reschedules it.
TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    S.RECEIVED: frozenset({S.VISIT_PLANNED, S.RESOLVED, S.DISMISSED}),
    S.VISIT_PLANNED: frozenset({S.VISIT_PLANNED, S.RESOLVED, S.DISMISSED}),
    S.RESOLVED: frozenset(),
    S.DISMISSED: frozenset(),
}

# Letters and digits nobody confuses on the phone (no 0/O, 1/I/L): 31^6 ≈ 887 million references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "LAP-"
TOKEN_MAX = 64

NOTIFICATION_KIND = "report.received"

notifications.register(
    NOTIFICATION_KIND,
    lambda p: _(
        "Laporan masyarakat %(reference)s tentang %(cooperative)s: %(category)s.",
        reference=p["reference"],
        cooperative=p["cooperative"],
        category=category_label(p["category"]),
    ),
)


def category_label(value: str) -> str:
    try:
        return str(REPORT_CATEGORY_LABELS[ReportCategory(value)])
    except ValueError:
        return value


def status_label(status: ReportStatus) -> str:
    return str(REPORT_STATUS_LABELS[status])


def today_wib() -> date:
    return utcnow().astimezone(JAKARTA).date()


# --- reporting ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    category: str
    description: str
    reporter_name: str = ""
    reporter_contact: str = ""


@dataclass(frozen=True)
class SubmittedReport:
    """The new report and the follow-up token: shown once to the reporter, never stored."""

    report: PublicReport
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _unused_reference() -> str:
    for _attempt in range(10):
        reference = new_reference()
        if db.session.scalar(select(PublicReport.id).where(PublicReport.reference == reference)) is None:
            return reference
    raise RuntimeError("could not find an unused report reference in 10 attempts")


def normalise_contact(raw: str) -> str:
    """An e-mail address (lower-cased) or an Indonesian phone number (E.164); empty stays empty."""
    value = (raw or "").strip()
    if not value:
        return ""
    if "@" in value:
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise DomainError(_("Alamat e-mail tidak valid."), field="reporter_contact") from exc
    try:
        return normalise_phone(value, field="reporter_contact")
    except DomainError as exc:
        raise DomainError(
            _("Tulis alamat e-mail atau nomor HP Indonesia (mis. 0812 3456 7890)."), field="reporter_contact"
        ) from exc


def contact_is_email(contact: str) -> bool:
    return "@" in (contact or "")


def _photo_folder() -> Path:
    # Not under a public media path: the photo is served only to the officers of the cooperative's region.
    return Path(current_app.config["UPLOAD_FOLDER"]) / "private" / "reports"


def photo_file(report: PublicReport) -> Path | None:
    return _photo_folder() / report.photo_path if report.photo_path else None


def submit_report(
    cooperative: Cooperative,
    data: ReportData,
    *,
    reporter: Any | None = None,
    photo: IO[bytes] | None = None,
    locale: str = "id",
) -> SubmittedReport:
    """Record a report from the public (signed in or not). Suspended cooperatives can be reported too."""
    try:
        category = ReportCategory(data.category)
    except ValueError:
        raise DomainError(_("Pilih jenis masalah."), field="category") from None
    description = (data.description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        raise DomainError(
            _("Ceritakan masalahnya minimal %(n)d karakter.", n=DESCRIPTION_MIN), field="description"
        )
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_("Uraian maksimal %(n)d karakter.", n=DESCRIPTION_MAX), field="description")
    name = (data.reporter_name or "").strip()
    if len(name) > 120:
        raise DomainError(_("Nama maksimal 120 karakter."), field="reporter_name")
    contact = normalise_contact(data.reporter_contact)
    token = secrets.token_urlsafe(24)
    report = PublicReport(
        reference=_unused_reference(),
        token_hash=hash_token(token),
        cooperative_id=cooperative.id,
        category=category,
        description=description,
        reporter_id=reporter.id if getattr(reporter, "is_authenticated", False) else None,
        reporter_name=name,
        reporter_contact=contact,
        status=S.RECEIVED,
        locale=(locale or "id")[:5],
    )
    report.cooperative = cooperative
    if photo is not None:
        # Last, so that a refused form leaves no file behind.
        report.photo_path = store_image(
            photo,
            _photo_folder(),
            max_bytes=current_app.config["REPORT_PHOTO_MAX_BYTES"],
            max_side=1600,
            field="photo",
        )
    db.session.add(report)
    db.session.flush()
    return SubmittedReport(report=report, token=token)


def officers_covering(cooperative: Cooperative) -> list[int]:
    """The officers whose province or regency scope includes the cooperative."""
    return list(
        db.session.scalars(
            select(OfficerAppointment.user_id)
            .where(OfficerAppointment.region_code.in_([cooperative.province_code, cooperative.regency_code]))
            .distinct()
        )
    )


def notify_officers(report: PublicReport, link: str) -> int:
    """Tell the officers of the cooperative's region that a report arrived (in-app). Returns how many."""
    return notifications.notify(
        officers_covering(report.cooperative),
        NOTIFICATION_KIND,
        {
            "reference": report.reference,
            "cooperative": report.cooperative.name,
            "category": report.category.value,
        },
        link=link,
    )


def email_follow_link(report: PublicReport, follow_url: str) -> bool:
    """Send the private follow-up link to the reporter when the contact is an e-mail, in their language."""
    if not contact_is_email(report.reporter_contact):
        return False
    with force_locale(report.locale or "id"):
        greeting = _("Halo %(name)s,", name=report.reporter_name) if report.reporter_name else _("Halo,")
        body = "\n".join(
            [
                greeting,
                "",
                _(
                    "Terima kasih, laporan Anda tentang %(cooperative)s sudah kami terima dengan nomor "
                    "%(reference)s.",
                    cooperative=report.cooperative.name,
                    reference=report.reference,
                ),
                _("Petugas dinas koperasi di wilayahnya akan menindaklanjuti laporan ini."),
                "",
                _(
                    "Ikuti perkembangannya di tautan pribadi ini (jangan dibagikan): %(link)s",
                    link=follow_url,
                ),
            ]
        )
        send_email(
            report.reporter_contact,
            _("Laporan %(reference)s diterima", reference=report.reference),
            body,
        )
    return True


def by_token(token: str) -> PublicReport | None:
    """The report a follow-up link opens; only the hash is compared (the token is never stored)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(select(PublicReport).where(PublicReport.token_hash == hash_token(token)))


def by_reference(reference: str) -> PublicReport | None:
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 16:
        return None
    return db.session.scalar(
        select(PublicReport)
        .where(PublicReport.reference == reference)
        .options(selectinload(PublicReport.notes).selectinload(ReportNote.author))
    )


def notes_for_reporter(report: PublicReport) -> list[ReportNote]:
    return [note for note in report.notes if note.for_reporter]


def find_cooperatives(q: str | None, limit: int = 20) -> list[Cooperative]:
    """The cooperatives a person can pick to report, by name (the public directory's search)."""
    from marketplace.cooperatives.services import public_cooperatives

    q = (q or "").strip()
    if not q:
        return []
    return list(db.session.scalars(public_cooperatives(q=q[:100]).limit(limit)))


# --- triage -------------------------------------------------------------------------------------------------


def can_see_reports(user: Any) -> bool:
    """The inbox is for officers (their regions) and admins (everywhere)."""
    return policy.is_officer(user) or policy.is_admin(user)


def can_triage(user: Any, report: PublicReport) -> bool:
    return policy.can_supervise_cooperative(user, report.cooperative)


def allowed_moves(report: PublicReport) -> list[ReportStatus]:
    return [status for status in S if status in TRANSITIONS[report.status]]


def triage(
    actor: Any,
    report: PublicReport,
    *,
    to_status: str | ReportStatus | None,
    note: str = "",
    for_reporter: bool = False,
    visit_on: date | None = None,
    today: date | None = None,
) -> ReportNote:
    """Move a report to ``to_status`` (None: add a note without changing the status) and record the step.

    The only function that changes a report's status. Planning a visit needs a date from today (WIB);
    resolving or dismissing needs a note the reporter will read."""
    if not can_triage(actor, report):
        raise PermissionDenied(_("Anda tidak menangani wilayah koperasi ini."))
    # Two officers acting at once: the second sees the first one's status.
    db.session.refresh(report, with_for_update=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("Catatan maksimal %(n)d karakter.", n=NOTE_MAX), field="note")
    target: ReportStatus | None
    if to_status in (None, ""):
        target = None
    else:
        try:
            target = ReportStatus(to_status)
        except ValueError:
            raise DomainError(_("Pilih tindakan yang tersedia."), field="action") from None
    source = report.status

    if target is None:
        if not note:
            raise DomainError(_("Tulis catatannya."), field="note")
    else:
        if target not in TRANSITIONS[source]:
            if source in FINAL_STATUSES:
                message = _(
                    "Laporan ini sudah %(status)s; statusnya tidak dapat diubah lagi.",
                    status=status_label(source).lower(),
                )
            else:
                message = _(
                    "Laporan berstatus %(from)s tidak dapat diubah menjadi %(to)s.",
                    **{"from": status_label(source), "to": status_label(target)},
                )
            raise DomainError(message, field="action")
        if target is S.VISIT_PLANNED:
            if visit_on is None:
                raise DomainError(_("Isi tanggal kunjungan lapangan."), field="visit_on")
            if visit_on < (today or today_wib()):
                raise DomainError(_("Tanggal kunjungan tidak boleh sebelum hari ini."), field="visit_on")
        if target in FINAL_STATUSES:
            if not note:
                raise DomainError(
                    _(
                        "Tulis catatan untuk pelapor: apa yang sudah dilakukan atau mengapa tidak "
                        "ditindaklanjuti."
                    ),
                    field="note",
                )
            if not for_reporter:
                raise DomainError(
                    _("Catatan penutupan harus ditampilkan kepada pelapor. Centang kotaknya."),
                    field="for_reporter",
                )

    step = ReportNote(
        report=report,
        author_id=actor.id,
        from_status=source if target is not None else None,
        to_status=target,
        note=note,
        for_reporter=bool(for_reporter),
    )
    if target is not None:
        report.status = target
        if target is S.VISIT_PLANNED:
            report.visit_on = visit_on
    report.updated_at = utcnow()
    db.session.add(step)
    db.session.flush()
    return step


# --- the officers' inbox ------------------------------------------------------------------------------------


def _scope_clause(user: Any) -> ColumnElement[bool] | None:
    """The cooperatives an officer covers, as a WHERE clause (None: an admin, no restriction)."""
    if policy.is_admin(user):
        return None
    scopes = policy.officer_scopes(user)
    if not scopes:
        return Cooperative.id.is_(None)  # nothing
    return or_(
        *(
            or_(Cooperative.regency_code == scope, Cooperative.regency_code.startswith(scope + "."))
            for scope in scopes
        )
    )


STATUS_FILTERS = ("open", "received", "visit_planned", "resolved", "dismissed", "all")


def _filtered(user: Any, cooperative_slug: str | None) -> Select[Any]:
    statement = select(PublicReport).join(Cooperative, Cooperative.id == PublicReport.cooperative_id)
    clause = _scope_clause(user)
    if clause is not None:
        statement = statement.where(clause)
    if cooperative_slug:
        statement = statement.where(Cooperative.slug == cooperative_slug)
    return statement


def inbox(
    user: Any, *, status: str = "open", cooperative_slug: str | None = None, page: int = 1
) -> Pagination:
    """The reports the user may triage, newest first, 20 a page. ``status``: one of ``STATUS_FILTERS``."""
    statement = _filtered(user, cooperative_slug)
    if status == "open":
        statement = statement.where(PublicReport.status.in_(OPEN_STATUSES))
    elif status != "all":
        statement = statement.where(PublicReport.status == ReportStatus(status))
    statement = statement.order_by(PublicReport.created_at.desc(), PublicReport.id.desc()).options(
        contains_eager(PublicReport.cooperative)  # already joined: no query per row for its name
    )
    return db.paginate(statement, page=max(int(page), 1), per_page=PER_PAGE, error_out=False, count=True)


def status_counts(user: Any, *, cooperative_slug: str | None = None) -> dict[str, int]:
    """How many of the user's reports are in each status, plus "open" and "all" (one grouped query)."""
    base = _filtered(user, cooperative_slug).with_only_columns(
        PublicReport.status, func.count(PublicReport.id)
    )
    rows = db.session.execute(base.group_by(PublicReport.status)).all()
    counts = {status.value: 0 for status in S}
    for status, n in rows:
        counts[ReportStatus(status).value] = int(n)
    counts["open"] = sum(counts[s.value] for s in OPEN_STATUSES)
    counts["all"] = sum(counts[s.value] for s in S)
    return counts


# --- counts for the dashboards ------------------------------------------------------------------------------


def open_counts(cooperative_ids: Select[Any] | list[int]) -> dict[int, int]:
    """Open reports (received or visit planned) per cooperative, in one grouped query; cooperatives without
    an open report are absent. ``cooperative_ids``: a list or a SELECT of ids (``region_cooperative_ids``)."""
    if isinstance(cooperative_ids, list) and not cooperative_ids:
        return {}
    rows = db.session.execute(
        select(PublicReport.cooperative_id, func.count(PublicReport.id))
        .where(PublicReport.cooperative_id.in_(cooperative_ids), PublicReport.status.in_(OPEN_STATUSES))
        .group_by(PublicReport.cooperative_id)
    )
    return {int(cid): int(n) for cid, n in rows}


def open_count_in_region(region_code: str | None) -> int:
    """Open reports about the cooperatives of a province ("32"), a regency ("32.16") or (None) anywhere."""
    statement = select(func.count(PublicReport.id)).where(PublicReport.status.in_(OPEN_STATUSES))
    if region_code is not None:
        statement = statement.where(PublicReport.cooperative_id.in_(region_cooperative_ids(region_code)))
    return int(db.session.scalar(statement) or 0)
