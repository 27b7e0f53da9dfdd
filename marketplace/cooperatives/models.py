"""Cooperatives (koperasi), MSME businesses (UMKM) and the memberships between them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.dbtypes import str_enum
from marketplace.extensions import db
from marketplace.sectors import Sector

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product


class CooperativeType(enum.StrEnum):
    PRODUCER = "produsen"
    CONSUMER = "konsumen"
    SAVINGS_LOAN = "simpan_pinjam"
    MARKETING = "pemasaran"
    SERVICES = "jasa"


COOPERATIVE_TYPE_LABELS = {
    CooperativeType.PRODUCER: _l("Koperasi Produsen"),
    CooperativeType.CONSUMER: _l("Koperasi Konsumen"),
    CooperativeType.SAVINGS_LOAN: _l("Koperasi Simpan Pinjam"),
    CooperativeType.MARKETING: _l("Koperasi Pemasaran"),
    CooperativeType.SERVICES: _l("Koperasi Jasa"),
}


class ManagerRole(enum.StrEnum):
    CHAIR = "ketua"  # the founding manager; names and removes co-managers
    CO_MANAGER = "pengurus"


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"


MEMBERSHIP_STATUS_LABELS = {
    MembershipStatus.PENDING: _l("Menunggu persetujuan"),
    MembershipStatus.ACTIVE: _l("Diterima sebagai anggota"),
    MembershipStatus.REJECTED: _l("Ditolak"),
    MembershipStatus.REMOVED: _l("Dikeluarkan"),
    MembershipStatus.WITHDRAWN: _l("Mengundurkan diri"),
}


class Business(db.Model):
    """An MSME (UMKM) business, owned by one user."""

    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    nib: Mapped[str] = mapped_column(String(13), unique=True)
    owner_name: Mapped[str] = mapped_column(String(120))
    whatsapp: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    address: Mapped[str] = mapped_column(String(300))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    description: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[str | None] = mapped_column(String(200))
    # Where buyers transfer for bank-transfer orders (the cooperative's account is used when the business
    # has none of its own).
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account_number: Mapped[str | None] = mapped_column(String(30))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    # The last invoice number issued by this seller (invoices are numbered per seller, under a row lock).
    invoice_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(back_populates="businesses")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="business", cascade="all, delete-orphan"
    )
    products: Mapped[list[Product]] = relationship(back_populates="business", cascade="all, delete-orphan")

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_name and self.bank_account_number and self.bank_account_holder)

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.status is MembershipStatus.ACTIVE]


class Cooperative(db.Model):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(180), unique=True)
    legal_entity_number: Mapped[str] = mapped_column(String(80), unique=True)
    nik_koperasi: Mapped[str] = mapped_column(String(16), unique=True)
    coop_type: Mapped[CooperativeType] = mapped_column(str_enum(CooperativeType, "cooperative_type"))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    address: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[str | None] = mapped_column(String(200))
    founded_on: Mapped[date | None] = mapped_column(Date)
    requires_listing_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account_number: Mapped[str | None] = mapped_column(String(30))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    sector_rows: Mapped[list[CooperativeSector]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="CooperativeSector.sector"
    )
    managers: Mapped[list[CooperativeManager]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="CooperativeManager.created_at"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan"
    )

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_name and self.bank_account_number and self.bank_account_holder)

    @property
    def sectors(self) -> list[Sector]:
        return [row.sector for row in self.sector_rows]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class CooperativeSector(db.Model):
    __tablename__ = "cooperative_sectors"

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"), primary_key=True)

    cooperative: Mapped[Cooperative] = relationship(back_populates="sector_rows")


class CooperativeManager(db.Model):
    __tablename__ = "cooperative_managers"
    __table_args__ = (UniqueConstraint("cooperative_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[ManagerRole] = mapped_column(str_enum(ManagerRole, "manager_role"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cooperative: Mapped[Cooperative] = relationship(back_populates="managers")
    user: Mapped[User] = relationship(back_populates="manager_roles")


class Membership(db.Model):
    """A business's membership of a cooperative. Its status changes only through ``services.transition``."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("cooperative_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cooperative: Mapped[Cooperative] = relationship(back_populates="memberships")
    business: Mapped[Business] = relationship(back_populates="memberships")
    decided_by: Mapped[User | None] = relationship()
