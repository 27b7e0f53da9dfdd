"""Annual members' meetings (Rapat Anggota Tahunan, RAT): recorded by a cooperative's managers with their
minutes (notulen), read by the region's officers. A RAT in the last 12 months keeps a cooperative active
(``dashboards.activity``).

The minutes are a PDF (recognised by its ``%PDF-`` header, stored as sent) or a photo (re-encoded to WebP like
every other upload), at most 10 MB, kept under ``UPLOAD_FOLDER/private/rat`` — never under public media — and
served only through ``rat.minutes`` to the managers, the officers of the region and admins.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.clock import today_wib as today
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards.models import RatRecord
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.images import megabytes, store_image

MAX_MINUTES_BYTES = 10 * 1024 * 1024
FIRST_FINANCIAL_YEAR = 1990
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class RatData:
    held_on: date | None
    financial_year: int | None
    attendees: int | None = None
    notes: str = ""


# --- who may do what ---------------------------------------------------------------------------------------


def can_record_rat(user: Any, cooperative: Cooperative) -> bool:
    """Recording and deleting a meeting is for the cooperative's managers (and admins)."""
    return policy.manages_cooperative(user, cooperative)


def can_view_rat(user: Any, cooperative: Cooperative) -> bool:
    """The list and the minutes: the managers, the officers whose region covers the cooperative, admins."""
    if policy.manages_cooperative(user, cooperative):
        return True
    return policy.can_supervise_cooperative(user, cooperative)


# --- reading -----------------------------------------------------------------------------------------------


def records(cooperative: Cooperative) -> list[RatRecord]:
    """The cooperative's meetings, newest first."""
    return list(
        db.session.scalars(
            select(RatRecord)
            .where(RatRecord.cooperative_id == cooperative.id)
            .order_by(RatRecord.held_on.desc(), RatRecord.id.desc())
        )
    )


def minutes_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "private" / "rat"


def minutes_file(record: RatRecord) -> Path | None:
    return minutes_folder() / record.minutes_path if record.minutes_path else None


def minutes_mimetype(record: RatRecord) -> str:
    return "application/pdf" if (record.minutes_path or "").endswith(".pdf") else "image/webp"


# --- writing -----------------------------------------------------------------------------------------------


def _clean_filename(name: str | None, suffix: str) -> str:
    """The name as uploaded (no folders, no control characters, at most 200 characters) with the suffix of
    what we actually store: a photo is kept as WebP, so "notulen.jpg" downloads as "notulen.webp"."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or _("notulen-rat")
    return stem[: 200 - len(suffix)] + suffix


def _validate(cooperative: Cooperative, data: RatData) -> tuple[date, int]:
    if data.held_on is None:
        raise DomainError(_("Isi tanggal RAT."), field="held_on")
    if data.held_on > today():
        raise DomainError(_("Tanggal RAT tidak boleh di masa depan."), field="held_on")
    if data.held_on.year < FIRST_FINANCIAL_YEAR:
        raise DomainError(
            _("Tanggal RAT paling awal tahun %(year)d.", year=FIRST_FINANCIAL_YEAR), field="held_on"
        )
    year = data.financial_year
    if year is None:
        raise DomainError(_("Isi tahun buku yang dibahas RAT."), field="financial_year")
    if not FIRST_FINANCIAL_YEAR <= year <= data.held_on.year:
        raise DomainError(
            _(
                "Tahun buku antara %(first)d dan tahun RAT diadakan (%(last)d).",
                first=FIRST_FINANCIAL_YEAR,
                last=data.held_on.year,
            ),
            field="financial_year",
        )
    if data.attendees is not None and not 0 <= data.attendees <= 1_000_000:
        raise DomainError(_("Jumlah peserta tidak masuk akal."), field="attendees")
    taken = db.session.scalar(
        select(RatRecord.id).where(
            RatRecord.cooperative_id == cooperative.id, RatRecord.financial_year == year
        )
    )
    if taken is not None:
        raise DomainError(
            _(
                "RAT untuk tahun buku %(year)d sudah tercatat. Hapus catatan yang keliru dulu bila ingin "
                "menggantinya.",
                year=year,
            ),
            field="financial_year",
        )
    return data.held_on, year


def _read(stream: IO[bytes]) -> bytes:
    data = stream.read(MAX_MINUTES_BYTES + 1)
    if len(data) > MAX_MINUTES_BYTES:
        raise DomainError(
            _("Berkas notulen terlalu besar. Ukuran maksimal %(mb)s MB.", mb=megabytes(MAX_MINUTES_BYTES)),
            field="minutes",
        )
    if not data:
        raise DomainError(_("Lampirkan notulen RAT (PDF atau foto)."), field="minutes")
    return data


def _store_minutes(data: bytes, filename: str | None) -> tuple[str, str]:
    """Store the minutes; return (stored name, download name)."""
    folder = minutes_folder()
    if data.startswith(PDF_MAGIC):
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(12)}.pdf"
        (folder / name).write_bytes(data)
        return name, _clean_filename(filename, ".pdf")
    try:
        name = store_image(BytesIO(data), folder, max_bytes=MAX_MINUTES_BYTES, max_side=2400, field="minutes")
    except DomainError as error:
        raise DomainError(
            _("Notulen harus berupa berkas PDF atau foto (JPEG, PNG atau WebP)."), field="minutes"
        ) from error
    return name, _clean_filename(filename, ".webp")


def record_rat(
    actor: Any,
    cooperative: Cooperative,
    data: RatData,
    minutes: IO[bytes] | None,
    filename: str | None = None,
) -> RatRecord:
    """Record a meeting with its minutes. One meeting per financial year: a second one is refused (delete the
    mistaken one first)."""
    if not can_record_rat(actor, cooperative):
        raise PermissionDenied(_("Hanya pengurus koperasi yang dapat mencatat RAT."))
    # Serialise recordings of one cooperative, so two at once cannot both pass the one-per-year check.
    db.session.execute(select(Cooperative.id).where(Cooperative.id == cooperative.id).with_for_update())
    held_on, year = _validate(cooperative, data)
    if minutes is None:
        raise DomainError(_("Lampirkan notulen RAT (PDF atau foto)."), field="minutes")
    content = _read(minutes)
    stored, download_name = _store_minutes(content, filename)
    record = RatRecord(
        cooperative_id=cooperative.id,
        held_on=held_on,
        financial_year=year,
        attendees=data.attendees,
        notes=(data.notes or "").strip(),
        minutes_path=stored,
        minutes_filename=download_name,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(record)
    db.session.flush()
    return record


def delete_rat(actor: Any, record: RatRecord) -> Path | None:
    """Delete a mistaken record. Returns its minutes file, for the caller to remove once the deletion is
    committed (``discard_file``)."""
    if not can_record_rat(actor, record.cooperative):
        raise PermissionDenied(_("Hanya pengurus koperasi yang dapat menghapus catatan RAT."))
    path = minutes_file(record)
    db.session.delete(record)
    db.session.flush()
    return path


def discard_file(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
