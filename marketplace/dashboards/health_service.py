"""Health assessments of cooperatives (penilaian kesehatan koperasi): weight sets, assessments with their
follow-up actions, and what an officer's page of one cooperative reads.

Rules: only the region's officers (and admins) assess a cooperative and handle its follow-ups; only admins
create or archive weight sets. An assessment copies the weights it was scored with, so a weight set changed or
added later never changes a past score. Scores are whole points per aspect, the total is kept in hundredths
(``health.weighted_score_centi``) and the category follows from it (``health.category_for``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts import policy
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards import health
from marketplace.dashboards.activity import JAKARTA
from marketplace.dashboards.models import (
    ASPECT_LABELS,
    HEALTH_CATEGORY_LABELS,
    Aspect,
    FollowUpAction,
    HealthAssessment,
    HealthCategory,
    HealthWeightSet,
    PublicReport,
    RatRecord,
    ReportStatus,
    json_ints,
)
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.text import slugify

DEFAULT_CODE = "perdep-06-2016"
DEFAULT_NAME = "KSP/USP — Perdep 06/2016"
MAX_FOLLOW_UPS_AT_ONCE = 3
FIRST_FINANCIAL_YEAR = 1945  # Indonesia's first cooperatives law; nothing older is a real book year

# The badge class (templates) of each category: green, blue, amber, red.
CATEGORY_BADGES = {
    HealthCategory.HEALTHY: "status-active",
    HealthCategory.FAIRLY_HEALTHY: "status-paused",
    HealthCategory.UNDER_SUPERVISION: "status-pending",
    HealthCategory.SPECIAL_SUPERVISION: "status-rejected",
}

OPEN_REPORT_STATUSES = (ReportStatus.RECEIVED, ReportStatus.VISIT_PLANNED)


def today_wib() -> date:
    return utcnow().astimezone(JAKARTA).date()


def can_assess(user: Any, cooperative: Cooperative) -> bool:
    """Record assessments and handle follow-ups: the region's officers and admins (never its managers)."""
    return policy.can_supervise_cooperative(user, cooperative)


def can_manage_weight_sets(user: Any) -> bool:
    return policy.is_admin(user)


# --- weight sets ---------------------------------------------------------------------------------------


def find_default_weight_set() -> HealthWeightSet | None:
    return db.session.scalars(select(HealthWeightSet).where(HealthWeightSet.code == DEFAULT_CODE)).first()


def default_weight_set() -> HealthWeightSet:
    """The Perdep 06/2016 set, created the first time it is asked for (the migration does not seed it).
    Writes: call it inside a write unit. Two first callers at once: the unique code keeps one row."""
    found = find_default_weight_set()
    if found is not None:
        return found
    weight_set = HealthWeightSet(
        code=DEFAULT_CODE, name=DEFAULT_NAME, weights=dict(health.PERDEP_06_2016), is_default=True
    )
    try:
        with db.session.begin_nested():
            db.session.add(weight_set)
    except IntegrityError:
        found = find_default_weight_set()
        if found is None:
            raise
        return found
    return weight_set


def weight_sets(*, include_archived: bool = True) -> list[HealthWeightSet]:
    """Default first, then by name."""
    stmt = select(HealthWeightSet).order_by(HealthWeightSet.is_default.desc(), HealthWeightSet.name)
    if not include_archived:
        stmt = stmt.where(HealthWeightSet.archived_at.is_(None))
    return list(db.session.scalars(stmt))


def assessed_aspects(weights: Mapping[str, int]) -> list[Aspect]:
    """The aspects an assessment with these weights asks a score for (weight > 0), in the usual order."""
    return [aspect for aspect in Aspect if int(weights.get(aspect.value, 0)) > 0]


def _unique_code(name: str) -> str:
    base = slugify(name, max_length=34)
    taken = set(db.session.scalars(select(HealthWeightSet.code).where(HealthWeightSet.code.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_weight_set(user: Any, name: str, weights: Mapping[str, int]) -> HealthWeightSet:
    if not can_manage_weight_sets(user):
        raise PermissionDenied(_("Hanya admin yang dapat mengatur bobot penilaian."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Isi nama set bobot."), field="name")
    full = {aspect.value: weights.get(aspect.value, 0) for aspect in Aspect}
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in full.values()):
        raise DomainError(_("Bobot harus bilangan bulat 0 atau lebih."), field="weights")
    total = sum(full.values())
    if total != 100:
        raise DomainError(
            _("Jumlah bobot harus tepat 100 (sekarang %(total)s).", total=total), field="weights"
        )
    clean = health.check_weights(full)
    weight_set = HealthWeightSet(code=_unique_code(name), name=name, weights=clean, is_default=False)
    db.session.add(weight_set)
    db.session.flush()
    return weight_set


def archive_weight_set(user: Any, weight_set: HealthWeightSet) -> None:
    if not can_manage_weight_sets(user):
        raise PermissionDenied(_("Hanya admin yang dapat mengatur bobot penilaian."))
    if weight_set.is_default:
        raise DomainError(_("Set bobot bawaan tidak dapat diarsipkan."))
    if weight_set.archived_at is None:
        weight_set.archived_at = utcnow()
        db.session.flush()


# --- assessments ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpData:
    description: str
    due_on: date | None = None


@dataclass(frozen=True)
class AssessmentData:
    weight_set_id: int
    assessed_on: date
    financial_year: int
    scores: Mapping[str, int | None]
    summary: str = ""
    follow_ups: Sequence[FollowUpData] = field(default_factory=tuple)


def _check_follow_up(description: str) -> str:
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Isi tindak lanjutnya."), field="description")
    if len(description) > 500:
        raise DomainError(_("Tindak lanjut paling panjang 500 karakter."), field="description")
    return description


def record_assessment(
    user: Any, cooperative: Cooperative, data: AssessmentData, *, today: date | None = None
) -> HealthAssessment:
    if not can_assess(user, cooperative):
        raise PermissionDenied(_("Anda bukan petugas wilayah koperasi ini."))
    today = today or today_wib()
    weight_set = db.session.get(HealthWeightSet, data.weight_set_id)
    if weight_set is None or weight_set.archived_at is not None:
        raise DomainError(_("Pilih set bobot yang masih berlaku."), field="weight_set_id")
    if data.assessed_on > today:
        raise DomainError(_("Tanggal penilaian tidak boleh di masa depan."), field="assessed_on")
    if not FIRST_FINANCIAL_YEAR <= data.financial_year <= data.assessed_on.year:
        raise DomainError(
            _(
                "Tahun buku antara %(first)s dan %(last)s.",
                first=FIRST_FINANCIAL_YEAR,
                last=data.assessed_on.year,
            ),
            field="financial_year",
        )
    weights = health.check_weights(json_ints(weight_set.weights))
    scores: dict[str, int] = {}
    for aspect in assessed_aspects(weights):
        score = data.scores.get(aspect.value)
        if score is None:
            raise DomainError(
                _("Isi nilai %(aspect)s.", aspect=ASPECT_LABELS[aspect]), field=f"score_{aspect}"
            )
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            raise DomainError(_("Nilai harus bilangan bulat 0 sampai 100."), field=f"score_{aspect}")
        scores[aspect.value] = score
    if len(data.follow_ups) > MAX_FOLLOW_UPS_AT_ONCE:
        raise DomainError(_("Paling banyak %(n)s tindak lanjut sekaligus.", n=MAX_FOLLOW_UPS_AT_ONCE))
    score_centi = health.weighted_score_centi(scores, weights)
    assessment = HealthAssessment(
        cooperative_id=cooperative.id,
        assessed_on=data.assessed_on,
        financial_year=data.financial_year,
        weight_set_id=weight_set.id,
        weight_set_name=weight_set.name,
        weights=dict(weights),
        scores=scores,
        score_centi=score_centi,
        category=health.category_for(score_centi),
        summary=(data.summary or "").strip(),
        assessed_by_id=user.id,
    )
    for item in data.follow_ups:
        assessment.follow_ups.append(
            FollowUpAction(
                cooperative_id=cooperative.id,
                description=_check_follow_up(item.description),
                due_on=item.due_on,
                created_by_id=user.id,
            )
        )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def add_follow_up(user: Any, assessment: HealthAssessment, data: FollowUpData) -> FollowUpAction:
    if not can_assess(user, assessment.cooperative):
        raise PermissionDenied(_("Anda bukan petugas wilayah koperasi ini."))
    follow_up = FollowUpAction(
        assessment_id=assessment.id,
        cooperative_id=assessment.cooperative_id,
        description=_check_follow_up(data.description),
        due_on=data.due_on,
        created_by_id=user.id,
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def mark_follow_up_done(user: Any, follow_up: FollowUpAction, note: str = "") -> None:
    if not can_assess(user, follow_up.assessment.cooperative):
        raise PermissionDenied(_("Anda bukan petugas wilayah koperasi ini."))
    if follow_up.done_at is not None:
        raise DomainError(_("Tindak lanjut ini sudah ditandai selesai."))
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError(_("Catatan paling panjang 500 karakter."), field="note")
    follow_up.done_at = utcnow()
    follow_up.done_note = note or None
    follow_up.done_by_id = user.id
    db.session.flush()


# --- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AspectLine:
    aspect: Aspect
    score: int
    weight: int

    @property
    def points_centi(self) -> int:
        """This aspect's share of the total, in hundredths of a point (score × weight / 100 × 100)."""
        return self.score * self.weight


def aspect_lines(assessment: HealthAssessment) -> list[AspectLine]:
    weights = json_ints(assessment.weights)
    scores = json_ints(assessment.scores)
    return [AspectLine(a, scores.get(a.value, 0), weights[a.value]) for a in assessed_aspects(weights)]


def assessment_history(cooperative: Cooperative) -> list[HealthAssessment]:
    """Newest first, with the assessor loaded (one more statement, not one per row)."""
    return list(
        db.session.scalars(
            select(HealthAssessment)
            .where(HealthAssessment.cooperative_id == cooperative.id)
            .options(selectinload(HealthAssessment.assessed_by))
            .order_by(HealthAssessment.assessed_on.desc(), HealthAssessment.id.desc())
        )
    )


def history_header() -> list[str]:
    return [_("Tanggal penilaian"), _("Tahun buku"), _("Skor"), _("Kategori"), _("Penilai")]


def history_rows(assessments: Sequence[HealthAssessment], locale: str) -> list[list[Any]]:
    """The assessment history as the page's table shows it (and the CSV repeats it)."""
    return [
        [
            a.assessed_on,
            a.financial_year,
            health.format_score(a.score_centi, locale),
            str(HEALTH_CATEGORY_LABELS[a.category]),
            a.assessed_by.name if a.assessed_by else "",
        ]
        for a in assessments
    ]


def open_follow_ups(cooperative: Cooperative) -> list[FollowUpAction]:
    return list(
        db.session.scalars(
            select(FollowUpAction)
            .where(FollowUpAction.cooperative_id == cooperative.id, FollowUpAction.done_at.is_(None))
            .options(selectinload(FollowUpAction.assessment))
            .order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)
        )
    )


def rat_records(cooperative: Cooperative) -> list[RatRecord]:
    return list(
        db.session.scalars(
            select(RatRecord)
            .where(RatRecord.cooperative_id == cooperative.id)
            .order_by(RatRecord.held_on.desc(), RatRecord.id.desc())
        )
    )


def open_report_count(cooperative: Cooperative) -> int:
    return int(
        db.session.scalar(
            select(func.count(PublicReport.id)).where(
                PublicReport.cooperative_id == cooperative.id, PublicReport.status.in_(OPEN_REPORT_STATUSES)
            )
        )
        or 0
    )
