"""Supervision records: annual members' meetings (RAT), activation targets and monthly activity snapshots,
health assessments with their follow-up actions, and public reports about cooperatives with their triage.

A cooperative's *activity* is never stored as a flag: it is read from what it did (``dashboards.activity``).
The monthly snapshot exists only so progress toward a target can be drawn over time.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.cooperatives.models import Cooperative


# --- annual members' meeting (Rapat Anggota Tahunan) --------------------------------------------------------


class RatRecord(db.Model):
    """An annual members' meeting held by a cooperative, recorded by one of its managers."""

    __tablename__ = "rat_records"
    __table_args__ = (
        Index("ix_rat_records_cooperative_held", "cooperative_id", "held_on"),
        CheckConstraint("attendees IS NULL OR attendees >= 0", name="attendees_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    financial_year: Mapped[int] = mapped_column(Integer)  # the book year the meeting approved (tahun buku)
    attendees: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The minutes (notulen) file: stored privately, served to the managers and the region's officers.
    minutes_path: Mapped[str | None] = mapped_column(String(200))
    minutes_filename: Mapped[str | None] = mapped_column(String(200))  # as uploaded, for the download
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    recorded_by: Mapped[User | None] = relationship()


# --- activation targets -------------------------------------------------------------------------------------


class ActivationTarget(db.Model):
    """ "65% of 617 cooperatives active within five years", for a province ("32") or a regency ("32.16")."""

    __tablename__ = "activation_targets"
    __table_args__ = (
        CheckConstraint("target_percent BETWEEN 1 AND 100", name="percent_range"),
        CheckConstraint("base_total >= 0", name="base_total_not_negative"),
        CheckConstraint("base_active >= 0", name="base_active_not_negative"),
        CheckConstraint("deadline_on > start_on", name="deadline_after_start"),
        Index("ix_activation_targets_region", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13))
    title: Mapped[str] = mapped_column(String(160))
    target_percent: Mapped[int] = mapped_column(Integer)
    base_total: Mapped[int] = mapped_column(Integer)  # cooperatives in the region when the target was set
    base_active: Mapped[int] = mapped_column(Integer)  # of which active then
    start_on: Mapped[date] = mapped_column(Date)
    deadline_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()


class ActivitySnapshot(db.Model):
    """Whether a cooperative was active, as of the last time the month was snapshotted (one row per month,
    updated until the month ends) — the history behind "progress over time"."""

    __tablename__ = "activity_snapshots"

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    active: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# --- health assessments (penilaian kesehatan koperasi) ------------------------------------------------------


class Aspect(enum.StrEnum):
    CAPITAL = "capital"
    ASSET_QUALITY = "asset_quality"
    MANAGEMENT = "management"
    EFFICIENCY = "efficiency"
    LIQUIDITY = "liquidity"
    INDEPENDENCE = "independence"
    IDENTITY = "identity"


ASPECT_LABELS = {
    Aspect.CAPITAL: _l("Permodalan"),
    Aspect.ASSET_QUALITY: _l("Kualitas aktiva produktif"),
    Aspect.MANAGEMENT: _l("Manajemen"),
    Aspect.EFFICIENCY: _l("Efisiensi"),
    Aspect.LIQUIDITY: _l("Likuiditas"),
    Aspect.INDEPENDENCE: _l("Kemandirian dan pertumbuhan"),
    Aspect.IDENTITY: _l("Jatidiri koperasi"),
}


class HealthCategory(enum.StrEnum):
    HEALTHY = "sehat"
    FAIRLY_HEALTHY = "cukup_sehat"
    UNDER_SUPERVISION = "dalam_pengawasan"
    SPECIAL_SUPERVISION = "pengawasan_khusus"


HEALTH_CATEGORY_LABELS = {
    HealthCategory.HEALTHY: _l("Sehat"),
    HealthCategory.FAIRLY_HEALTHY: _l("Cukup Sehat"),
    HealthCategory.UNDER_SUPERVISION: _l("Dalam Pengawasan"),
    HealthCategory.SPECIAL_SUPERVISION: _l("Dalam Pengawasan Khusus"),
}


class HealthWeightSet(db.Model):
    """A set of aspect weights (whole numbers adding up to 100). The Perdep 06/2016 set for savings and loan
    cooperatives is created on first use (``health_service.default_weight_set``); admins may add others (an
    aspect weighted 0 is not assessed)."""

    __tablename__ = "health_weight_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    weights: Mapped[dict[str, int]] = mapped_column(JSON)  # Aspect value -> weight
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HealthAssessment(db.Model):
    """One officer's assessment of a cooperative. The weights used are copied in, so editing a weight set
    never changes a past score."""

    __tablename__ = "health_assessments"
    __table_args__ = (
        CheckConstraint("score_centi BETWEEN 0 AND 10000", name="score_range"),
        Index("ix_health_assessments_cooperative_assessed", "cooperative_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    financial_year: Mapped[int] = mapped_column(Integer)
    weight_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_weight_sets.id", ondelete="SET NULL")
    )
    weight_set_name: Mapped[str] = mapped_column(String(160))
    weights: Mapped[dict[str, int]] = mapped_column(JSON)
    scores: Mapped[dict[str, int]] = mapped_column(JSON)  # Aspect value -> 0..100
    score_centi: Mapped[int] = mapped_column(Integer)  # the weighted score × 100 (79,85 -> 7985)
    category: Mapped[HealthCategory] = mapped_column(str_enum(HealthCategory, "health_category"))
    summary: Mapped[str] = mapped_column(Text, default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    assessed_by: Mapped[User | None] = relationship()
    weight_set: Mapped[HealthWeightSet | None] = relationship()
    follow_ups: Mapped[list[FollowUpAction]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="FollowUpAction.id"
    )


class FollowUpAction(db.Model):
    """Something the cooperative or the office must do after an assessment, and whether it was done."""

    __tablename__ = "health_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("health_assessments.id", ondelete="CASCADE"), index=True
    )
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_note: Mapped[str | None] = mapped_column(String(500))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessment: Mapped[HealthAssessment] = relationship(back_populates="follow_ups")


# --- public reports -----------------------------------------------------------------------------------------


class ReportCategory(enum.StrEnum):
    LIKE_A_BANK = "like_bank"  # takes deposits / lends to non-members like an unlicensed bank
    INACTIVE = "inactive"
    FRAUD = "fraud"
    MISMANAGEMENT = "mismanagement"  # no RAT, no accounts to members, managers not accountable
    OTHER = "other"


REPORT_CATEGORY_LABELS = {
    ReportCategory.LIKE_A_BANK: _l(
        "Beroperasi seperti bank (menghimpun dana / meminjamkan ke bukan anggota)"
    ),
    ReportCategory.INACTIVE: _l("Tidak aktif / hanya papan nama"),
    ReportCategory.FRAUD: _l("Penipuan atau penggelapan"),
    ReportCategory.MISMANAGEMENT: _l("Pengurus tidak transparan (tidak ada RAT, laporan, dsb.)"),
    ReportCategory.OTHER: _l("Lainnya"),
}


class ReportStatus(enum.StrEnum):
    RECEIVED = "received"
    VISIT_PLANNED = "visit_planned"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


REPORT_STATUS_LABELS = {
    ReportStatus.RECEIVED: _l("Diterima"),
    ReportStatus.VISIT_PLANNED: _l("Kunjungan lapangan dijadwalkan"),
    ReportStatus.RESOLVED: _l("Selesai ditangani"),
    ReportStatus.DISMISSED: _l("Tidak ditindaklanjuti"),
}


class PublicReport(db.Model):
    """A report from the public about a cooperative. The reporter follows it with a private link whose token
    is stored only as a SHA-256 hash."""

    __tablename__ = "public_reports"
    __table_args__ = (Index("ix_public_reports_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # "LAP-7F3K9Q", quoted on the phone
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    category: Mapped[ReportCategory] = mapped_column(str_enum(ReportCategory, "report_category"))
    description: Mapped[str] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(200))  # private, like transfer proofs
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(120), default="")
    reporter_contact: Mapped[str] = mapped_column(String(254), default="")  # e-mail or phone, optional
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "report_status"))
    visit_on: Mapped[date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    reporter: Mapped[User | None] = relationship()
    notes: Mapped[list[ReportNote]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportNote.id"
    )


class ReportNote(db.Model):
    """A triage step or note by an officer; ``for_reporter`` notes show on the reporter's private page."""

    __tablename__ = "public_report_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("public_reports.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[ReportStatus | None] = mapped_column(str_enum(ReportStatus, "report_status"))
    to_status: Mapped[ReportStatus | None] = mapped_column(str_enum(ReportStatus, "report_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    for_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    report: Mapped[PublicReport] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


def json_ints(value: Any) -> dict[str, int]:
    """A JSON {aspect: int} column read back as plain ints (PostgreSQL and SQLite agree, but be explicit)."""
    return {str(k): int(v) for k, v in (value or {}).items()}
