"""Users and their appointments as regional officers."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.cooperatives.models import Business, CooperativeManager


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    businesses: Mapped[list[Business]] = relationship(back_populates="owner", order_by="Business.name")
    manager_roles: Mapped[list[CooperativeManager]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    officer_appointments: Mapped[list[OfficerAppointment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="OfficerAppointment.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive (suspended) user
        return self.suspended_at is None

    @property
    def session_fingerprint(self) -> str:
        # Part of the login cookie: changing the password ends every other session of this user.
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_fingerprint}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class OfficerAppointment(db.Model):
    """A regional officer (Dinas Koperasi dan UKM) for a province ("32") or a regency ("32.16")."""

    __tablename__ = "officer_appointments"
    __table_args__ = (UniqueConstraint("user_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(13))
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="officer_appointments", foreign_keys=[user_id])
    appointed_by: Mapped[User | None] = relationship(foreign_keys=[appointed_by_id])
