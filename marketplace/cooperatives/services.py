"""Businesses, cooperatives and memberships: the domain operations.

Every function takes the acting user, checks the policy, changes rows and flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from marketplace import regions
from marketplace.accounts import policy
from marketplace.accounts.models import User
from marketplace.accounts.services import find_user_by_email
from marketplace.clock import utcnow
from marketplace.cooperatives.models import (
    Business,
    Cooperative,
    CooperativeManager,
    CooperativeSector,
    CooperativeType,
    ManagerRole,
    Membership,
    MembershipStatus,
)
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.images import store_image
from marketplace.phones import normalise_phone
from marketplace.sectors import Sector
from marketplace.text import unique_slug


@dataclass(frozen=True)
class BusinessData:
    name: str
    nib: str
    owner_name: str
    whatsapp: str
    province_code: str
    regency_code: str
    address: str
    sector: Sector
    description: str = ""
    bank_name: str = ""
    bank_account_number: str = ""
    bank_account_holder: str = ""


@dataclass(frozen=True)
class CooperativeData:
    name: str
    legal_entity_number: str
    nik_koperasi: str
    coop_type: CooperativeType
    sectors: tuple[Sector, ...]
    province_code: str
    regency_code: str
    address: str
    description: str = ""
    founded_on: date | None = None
    requires_listing_approval: bool = True
    bank_name: str = ""
    bank_account_number: str = ""
    bank_account_holder: str = ""


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses untuk melakukan ini."))


def _check_region(province_code: str, regency_code: str) -> None:
    if not regions.is_province(province_code):
        raise DomainError(_("Pilih provinsi."), field="province_code")
    if not regions.is_regency_of(regency_code, province_code):
        raise DomainError(_("Kabupaten/kota ini tidak ada di provinsi yang dipilih."), field="regency_code")


def _media_folder(kind: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / kind


def store_logo(stream: IO[bytes]) -> str:
    """Store an uploaded logo; the returned path is relative to the upload folder."""
    name = store_image(
        stream, _media_folder("logos"), max_bytes=current_app.config["LOGO_MAX_BYTES"], max_side=512
    )
    return f"logos/{name}"


# --- businesses -----------------------------------------------------------------------------------


def validate_nib(nib: str) -> str:
    nib = (nib or "").replace(" ", "")
    if len(nib) != 13 or not nib.isdigit():
        raise DomainError(_("NIB harus 13 angka, sesuai yang tertera di OSS."), field="nib")
    return nib


def _apply_business(business: Business, data: BusinessData) -> None:
    _check_region(data.province_code, data.regency_code)
    nib = validate_nib(data.nib)
    clash = db.session.scalar(
        select(Business.id).where(Business.nib == nib, Business.id != (business.id or 0))
    )
    if clash is not None:
        raise DomainError(_("NIB ini sudah dipakai usaha lain di Gotong."), field="nib")
    business.name = data.name.strip()
    business.nib = nib
    business.owner_name = data.owner_name.strip()
    business.whatsapp = normalise_phone(data.whatsapp, mobile_only=True, field="whatsapp")
    business.province_code = data.province_code
    business.regency_code = data.regency_code
    business.address = data.address.strip()
    business.sector = Sector(data.sector)
    business.description = data.description.strip()
    _apply_bank_account(business, data)


def _apply_bank_account(target: Business | Cooperative, data: BusinessData | CooperativeData) -> None:
    values = [
        (data.bank_name or "").strip(),
        (data.bank_account_number or "").strip(),
        (data.bank_account_holder or "").strip(),
    ]
    if any(values) and not all(values):
        raise DomainError(
            _("Isi bank, nomor rekening dan nama pemilik rekening sekaligus (atau kosongkan ketiganya)."),
            field="bank_account_holder",
        )
    target.bank_name, target.bank_account_number, target.bank_account_holder = (v or None for v in values)


def create_business(owner: User, data: BusinessData, logo: IO[bytes] | None = None) -> Business:
    if not owner.is_authenticated or not owner.is_active:
        raise _denied()
    business = Business(owner_id=owner.id)
    _apply_business(business, data)
    business.slug = unique_slug(Business, data.name)
    if logo is not None:
        business.logo = store_logo(logo)
    db.session.add(business)
    db.session.flush()
    return business


def update_business(
    actor: User, business: Business, data: BusinessData, logo: IO[bytes] | None = None
) -> Business:
    if not policy.can_edit_business(actor, business):
        raise _denied()
    _apply_business(business, data)
    if logo is not None:
        business.logo = store_logo(logo)
    db.session.flush()
    return business


# --- cooperatives ---------------------------------------------------------------------------------


def _apply_cooperative(cooperative: Cooperative, data: CooperativeData) -> None:
    _check_region(data.province_code, data.regency_code)
    if not data.sectors:
        raise DomainError(_("Pilih minimal satu sektor usaha."), field="sectors")
    nik = (data.nik_koperasi or "").replace(" ", "")
    if len(nik) != 16 or not nik.isdigit():
        raise DomainError(_("NIK Koperasi harus 16 angka."), field="nik_koperasi")
    legal = " ".join((data.legal_entity_number or "").split())
    if len(legal) < 5:
        raise DomainError(_("Tulis nomor badan hukum koperasi."), field="legal_entity_number")
    own_id = cooperative.id or 0
    if db.session.scalar(
        select(Cooperative.id).where(Cooperative.nik_koperasi == nik, Cooperative.id != own_id)
    ):
        raise DomainError(_("NIK Koperasi ini sudah terdaftar di Gotong."), field="nik_koperasi")
    if db.session.scalar(
        select(Cooperative.id).where(
            func.lower(Cooperative.legal_entity_number) == legal.lower(), Cooperative.id != own_id
        )
    ):
        raise DomainError(_("Nomor badan hukum ini sudah terdaftar di Gotong."), field="legal_entity_number")
    if data.founded_on and data.founded_on > utcnow().date():
        raise DomainError(_("Tanggal berdiri tidak boleh di masa depan."), field="founded_on")
    cooperative.name = data.name.strip()
    cooperative.legal_entity_number = legal
    cooperative.nik_koperasi = nik
    cooperative.coop_type = CooperativeType(data.coop_type)
    cooperative.province_code = data.province_code
    cooperative.regency_code = data.regency_code
    cooperative.address = data.address.strip()
    cooperative.description = data.description.strip()
    cooperative.founded_on = data.founded_on
    cooperative.requires_listing_approval = data.requires_listing_approval
    _apply_bank_account(cooperative, data)
    wanted = {Sector(s) for s in data.sectors}
    cooperative.sector_rows = [row for row in cooperative.sector_rows if row.sector in wanted]
    have = {row.sector for row in cooperative.sector_rows}
    for sector in sorted(wanted - have):
        cooperative.sector_rows.append(CooperativeSector(sector=sector))


def create_cooperative(founder: User, data: CooperativeData, logo: IO[bytes] | None = None) -> Cooperative:
    """Create a cooperative; its founder becomes its chair manager."""
    if not founder.is_authenticated or not founder.is_active:
        raise _denied()
    cooperative = Cooperative(created_by_id=founder.id)
    _apply_cooperative(cooperative, data)
    cooperative.slug = unique_slug(Cooperative, data.name)
    if logo is not None:
        cooperative.logo = store_logo(logo)
    cooperative.managers.append(CooperativeManager(user=founder, role=ManagerRole.CHAIR))
    db.session.add(cooperative)
    db.session.flush()
    return cooperative


def update_cooperative(
    actor: User, cooperative: Cooperative, data: CooperativeData, logo: IO[bytes] | None = None
) -> Cooperative:
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()
    _apply_cooperative(cooperative, data)
    if logo is not None:
        cooperative.logo = store_logo(logo)
    db.session.flush()
    return cooperative


def add_co_manager(actor: User, cooperative: Cooperative, email: str) -> CooperativeManager:
    if not policy.can_manage_managers(actor, cooperative):
        raise _denied()
    user = find_user_by_email(email)
    if user is None:
        raise DomainError(
            _("Tidak ada akun Gotong dengan e-mail ini. Minta orangnya mendaftar dulu."), field="email"
        )
    if any(m.user_id == user.id for m in cooperative.managers):
        raise DomainError(_("Orang ini sudah menjadi pengurus koperasi ini."), field="email")
    manager = CooperativeManager(user=user, role=ManagerRole.CO_MANAGER)
    cooperative.managers.append(manager)
    db.session.flush()
    return manager


def remove_manager(actor: User, cooperative: Cooperative, manager: CooperativeManager) -> None:
    if not policy.can_manage_managers(actor, cooperative) or manager.cooperative_id != cooperative.id:
        raise _denied()
    if manager.role is ManagerRole.CHAIR:
        raise DomainError(_("Ketua koperasi tidak dapat dihapus dari daftar pengurus."))
    cooperative.managers.remove(manager)
    db.session.flush()


# --- memberships ------------------------------------------------------------------------------------

# The membership state machine: (from, to) pairs that are allowed. Nothing else assigns a status.
MEMBERSHIP_TRANSITIONS: frozenset[tuple[MembershipStatus | None, MembershipStatus]] = frozenset(
    {
        (None, MembershipStatus.PENDING),
        (MembershipStatus.PENDING, MembershipStatus.ACTIVE),
        (MembershipStatus.PENDING, MembershipStatus.REJECTED),
        (MembershipStatus.PENDING, MembershipStatus.WITHDRAWN),
        (MembershipStatus.ACTIVE, MembershipStatus.REMOVED),
        (MembershipStatus.ACTIVE, MembershipStatus.WITHDRAWN),
        (MembershipStatus.REJECTED, MembershipStatus.PENDING),
        (MembershipStatus.REMOVED, MembershipStatus.PENDING),
        (MembershipStatus.WITHDRAWN, MembershipStatus.PENDING),
    }
)


def transition(
    membership: Membership, to: MembershipStatus, *, by: User | None = None, reason: str | None = None
) -> None:
    current = membership.status
    if (current, to) not in MEMBERSHIP_TRANSITIONS:
        raise DomainError(_("Status keanggotaan ini tidak dapat diubah dengan cara itu."))
    now = utcnow()
    membership.status = to
    if to is MembershipStatus.PENDING:
        membership.applied_at = now
        membership.decided_at = None
        membership.decided_by_id = None
        membership.decision_reason = None
    else:
        membership.decided_at = now
        membership.decided_by_id = by.id if by is not None else None
        membership.decision_reason = (reason or "").strip() or None
    if to is MembershipStatus.ACTIVE:
        membership.joined_at = now


def apply_for_membership(
    actor: User, cooperative: Cooperative, business: Business, message: str = ""
) -> Membership:
    if not policy.can_apply_with(actor, business):
        raise _denied()
    if cooperative.is_suspended:
        raise DomainError(_("Koperasi ini sedang ditangguhkan dan tidak menerima anggota baru."))
    membership = db.session.scalar(
        select(Membership).where(
            Membership.cooperative_id == cooperative.id, Membership.business_id == business.id
        )
    )
    if membership is not None and membership.status is MembershipStatus.ACTIVE:
        raise DomainError(_("%(business)s sudah menjadi anggota koperasi ini.", business=business.name))
    if membership is not None and membership.status is MembershipStatus.PENDING:
        raise DomainError(
            _("Pendaftaran %(business)s masih menunggu persetujuan pengurus.", business=business.name)
        )
    if membership is None:
        membership = Membership(cooperative=cooperative, business=business, status=None)
        db.session.add(membership)
    membership.message = (message or "").strip()
    transition(membership, MembershipStatus.PENDING, by=actor)
    db.session.flush()
    return membership


def _manager_decision(actor: User, membership: Membership) -> None:
    if not policy.manages_cooperative(actor, membership.cooperative):
        raise _denied()


def approve_membership(actor: User, membership: Membership) -> None:
    _manager_decision(actor, membership)
    transition(membership, MembershipStatus.ACTIVE, by=actor)
    db.session.flush()


def reject_membership(actor: User, membership: Membership, reason: str) -> None:
    _manager_decision(actor, membership)
    transition(membership, MembershipStatus.REJECTED, by=actor, reason=reason)
    db.session.flush()


def _left(membership: Membership) -> None:
    """A member is gone: its listings stop selling under the cooperative's name."""
    from marketplace.catalog.services import take_off_sale_in

    take_off_sale_in(membership.business, membership.cooperative)


def remove_member(actor: User, membership: Membership, reason: str) -> None:
    _manager_decision(actor, membership)
    transition(membership, MembershipStatus.REMOVED, by=actor, reason=reason)
    _left(membership)
    db.session.flush()


def withdraw_membership(actor: User, membership: Membership) -> None:
    """The business owner cancels an application or leaves the cooperative."""
    if not policy.owns_business(actor, membership.business):
        raise _denied()
    was_member = membership.status is MembershipStatus.ACTIVE
    transition(membership, MembershipStatus.WITHDRAWN, by=actor)
    if was_member:
        _left(membership)
    db.session.flush()


# --- suspension (admins) ------------------------------------------------------------------------------


def set_suspended(actor: User, target: Business | Cooperative, suspended: bool) -> None:
    if not policy.is_admin(actor):
        raise _denied()
    target.suspended_at = utcnow() if suspended else None
    db.session.flush()


# --- queries -------------------------------------------------------------------------------------------


def active_members(cooperative: Cooperative) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.business)
            .options(contains_eager(Membership.business))
            .where(
                Membership.cooperative_id == cooperative.id,
                Membership.status == MembershipStatus.ACTIVE,
                Business.suspended_at.is_(None),
            )
            .order_by(Business.name)
        )
    )


def memberships_with_status(cooperative: Cooperative, status: MembershipStatus) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.business))
            .where(Membership.cooperative_id == cooperative.id, Membership.status == status)
            .order_by(Membership.applied_at)
        )
    )


def member_counts(cooperative_ids: list[int]) -> dict[int, int]:
    if not cooperative_ids:
        return {}
    rows = db.session.execute(
        select(Membership.cooperative_id, func.count(Membership.id))
        .where(Membership.cooperative_id.in_(cooperative_ids), Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.cooperative_id)
    )
    return {cid: n for cid, n in rows}


def featured_cooperatives(limit: int = 6) -> list[Cooperative]:
    """For the home page: the cooperatives with the most active members (the liveliest), then the oldest."""
    members = (
        select(Membership.cooperative_id, func.count(Membership.id).label("n"))
        .where(Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.cooperative_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Cooperative)
            .join(members, members.c.cooperative_id == Cooperative.id)
            .where(Cooperative.suspended_at.is_(None))
            .order_by(members.c.n.desc(), Cooperative.created_at, Cooperative.id)
            .limit(limit)
        )
    )


def public_cooperatives(
    *, province_code: str | None = None, coop_type: str | None = None, q: str | None = None
):
    query = select(Cooperative).where(Cooperative.suspended_at.is_(None)).order_by(Cooperative.name)
    if province_code:
        query = query.where(Cooperative.province_code == province_code)
    if coop_type:
        query = query.where(Cooperative.coop_type == coop_type)
    if q:
        query = query.where(func.lower(Cooperative.name).contains(q.strip().lower(), autoescape=True))
    return query


def managed_cooperatives(user: User) -> list[Cooperative]:
    return list(
        db.session.scalars(
            select(Cooperative)
            .join(CooperativeManager)
            .where(CooperativeManager.user_id == user.id)
            .order_by(Cooperative.name)
        )
    )


def cooperatives_in_region(region_code: str) -> list[Cooperative]:
    column = Cooperative.regency_code if "." in region_code else Cooperative.province_code
    return list(
        db.session.scalars(select(Cooperative).where(column == region_code).order_by(Cooperative.name))
    )
