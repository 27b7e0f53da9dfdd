"""The events calendar: bazaars, expos and trainings, the booths cooperatives book, what a booth brings.

Who runs an event: a cooperative's event, its managers; an officer's event, the officers whose scope covers
the event's region (``policy.can_supervise_region``); admins every event. A booth is booked by a manager of
the booking cooperative, on a published event that is neither cancelled nor over; the capacity is checked
under a row lock on the event, so two cooperatives can never take the last booth at once. A booth brings only
public products of the cooperative's active members listed under that cooperative — the same set its price
tags print.

Functions take the acting user, check the policy, change rows and flush; the view commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from marketplace import regions
from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.catalog.search import _visible as visible_products
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing.event_models import (
    Booth,
    BoothProduct,
    Event,
    EventKind,
    EventStatus,
)
from marketplace.text import unique_slug

MAX_BOOTH_PRODUCTS = 50
MAX_BOOTH_CAPACITY = 10_000
REASON_MAX = 500
# Paths under /acara/ that an event slug must not take.
RESERVED_SLUGS = frozenset({"baru"})


@dataclass
class EventData:
    title: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    place: str
    address: str
    province_code: str
    regency_code: str
    description: str = ""
    booth_capacity: int | None = None


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses untuk mengelola acara ini."))


# --- who may do what ------------------------------------------------------------------------------------


def can_manage_event(user: Any, event: Event) -> bool:
    if event.cooperative is not None:
        return policy.manages_cooperative(user, event.cooperative)
    return policy.can_supervise_region(user, event.regency_code)


def can_organise_as_officer(user: Any) -> bool:
    """Officers (and admins) may organise events in their own name, in the regions they supervise."""
    return policy.is_officer(user) or policy.is_admin(user)


def organisable_cooperatives(user: Any) -> list[Cooperative]:
    """The cooperatives a user may organise events for or book booths for: those they manage."""
    if not getattr(user, "is_authenticated", False):
        return []
    cooperatives = [role.cooperative for role in getattr(user, "manager_roles", [])]
    return sorted(
        (c for c in cooperatives if not c.is_suspended and policy.manages_cooperative(user, c)),
        key=lambda c: (c.name.lower(), c.id),
    )


def can_view_event(user: Any, event: Event) -> bool:
    """A published or cancelled event is public; a draft only for those who run it."""
    return event.status is not EventStatus.DRAFT or can_manage_event(user, event)


# --- creating and changing events -------------------------------------------------------------------------


def _clean(data: EventData) -> EventData:
    title = (data.title or "").strip()
    if not 3 <= len(title) <= 160:
        raise DomainError(_("Nama acara 3 sampai 160 karakter."), field="title")
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    if data.ends_at <= data.starts_at:
        raise DomainError(_("Waktu selesai harus sesudah waktu mulai."), field="ends_at")
    place = (data.place or "").strip()
    if not place or len(place) > 160:
        raise DomainError(_("Isi nama tempat (paling banyak 160 karakter)."), field="place")
    address = (data.address or "").strip()
    if not address or len(address) > 300:
        raise DomainError(_("Isi alamat (paling banyak 300 karakter)."), field="address")
    if not regions.is_province(data.province_code or ""):
        raise DomainError(_("Pilih provinsi."), field="province_code")
    if not regions.is_regency_of(data.regency_code or "", data.province_code):
        raise DomainError(_("Kabupaten/kota ini tidak ada di provinsi yang dipilih."), field="regency_code")
    capacity = data.booth_capacity
    if capacity is not None and not 1 <= capacity <= MAX_BOOTH_CAPACITY:
        raise DomainError(
            _("Jumlah booth antara 1 dan %(n)s, atau kosongkan bila tidak dibatasi.", n=MAX_BOOTH_CAPACITY),
            field="booth_capacity",
        )
    description = (data.description or "").strip()
    if len(description) > 10_000:
        raise DomainError(_("Deskripsi paling banyak 10.000 karakter."), field="description")
    return EventData(
        title=title,
        kind=EventKind(data.kind),
        # Stored in UTC: SQLite keeps the wall-clock time of an aware datetime and drops its offset.
        starts_at=data.starts_at.astimezone(UTC),
        ends_at=data.ends_at.astimezone(UTC),
        place=place,
        address=address,
        province_code=data.province_code,
        regency_code=data.regency_code,
        description=description,
        booth_capacity=capacity,
    )


def _event_slug(title: str, *, exclude_id: int | None = None) -> str:
    slug = unique_slug(Event, title, exclude_id=exclude_id)
    if slug in RESERVED_SLUGS:
        slug = unique_slug(Event, f"{title} acara", exclude_id=exclude_id)
    return slug


def _apply(event: Event, data: EventData) -> None:
    event.title = data.title
    event.kind = data.kind
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.place = data.place
    event.address = data.address
    event.province_code = data.province_code
    event.regency_code = data.regency_code
    event.description = data.description
    event.booth_capacity = data.booth_capacity


def create_event(actor: Any, data: EventData, *, cooperative: Cooperative | None = None) -> Event:
    """A draft event organised by ``cooperative`` (its managers) or, without one, by the acting officer in a
    region they supervise."""
    if cooperative is not None:
        if not policy.manages_cooperative(actor, cooperative):
            raise _denied()
        if cooperative.is_suspended:
            raise PermissionDenied(_("Koperasi ini sedang ditangguhkan, jadi belum bisa membuat acara."))
    elif not can_organise_as_officer(actor):
        raise _denied()
    clean = _clean(data)
    if cooperative is None and not policy.can_supervise_region(actor, clean.regency_code):
        raise DomainError(_("Wilayah ini di luar wilayah pengawasan Anda."), field="regency_code")
    event = Event(
        slug=_event_slug(clean.title),
        status=EventStatus.DRAFT,
        cooperative=cooperative,
        organiser_id=None if cooperative is not None else actor.id,
        created_by_id=actor.id,
    )
    _apply(event, clean)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(actor: Any, event: Event, data: EventData) -> Event:
    if not can_manage_event(actor, event):
        raise _denied()
    if event.is_cancelled:
        raise DomainError(_("Acara yang dibatalkan tidak bisa diubah."))
    clean = _clean(data)
    if event.cooperative is None and not policy.can_supervise_region(actor, clean.regency_code):
        raise DomainError(_("Wilayah ini di luar wilayah pengawasan Anda."), field="regency_code")
    if clean.booth_capacity is not None and clean.booth_capacity < len(event.booths):
        raise DomainError(
            _("Sudah ada %(n)s booth dipesan; kapasitas tidak bisa lebih kecil.", n=len(event.booths)),
            field="booth_capacity",
        )
    _apply(event, clean)
    db.session.flush()
    return event


def publish_event(actor: Any, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise _denied()
    if event.status is not EventStatus.DRAFT:
        raise DomainError(_("Hanya draf yang bisa diterbitkan."))
    if event.is_over():
        raise DomainError(_("Acara ini sudah lewat; ubah tanggalnya dulu."))
    event.status = EventStatus.PUBLISHED
    event.published_at = utcnow()
    db.session.flush()


def cancel_event(actor: Any, event: Event, reason: str) -> None:
    if not can_manage_event(actor, event):
        raise _denied()
    if event.is_cancelled:
        raise DomainError(_("Acara ini sudah dibatalkan."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tulis alasan pembatalan."), field="reason")
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.cancel_reason = reason[:REASON_MAX]
    db.session.flush()


# --- listings ---------------------------------------------------------------------------------------------


def _listed(province_code: str | None) -> Select[tuple[Event]]:
    stmt = (
        select(Event)
        .where(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)))
        .options(selectinload(Event.cooperative), selectinload(Event.organiser))
    )
    if province_code:
        stmt = stmt.where(Event.province_code == province_code)
    return stmt


def upcoming_events(province_code: str | None = None, *, limit: int = 100) -> list[Event]:
    """Published (and cancelled, so visitors learn of it) events not over yet, soonest first."""
    stmt = _listed(province_code).where(Event.ends_at > utcnow())
    return list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id).limit(limit)))


def past_events(province_code: str | None = None, *, limit: int = 50) -> list[Event]:
    stmt = _listed(province_code).where(Event.ends_at <= utcnow(), Event.status == EventStatus.PUBLISHED)
    return list(db.session.scalars(stmt.order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def managed_drafts(user: Any) -> list[Event]:
    """Drafts the user may work on: their cooperatives', and officer events in regions they supervise."""
    if not getattr(user, "is_authenticated", False):
        return []
    coop_ids = [c.id for c in organisable_cooperatives(user)]
    condition = Event.cooperative_id.is_(None)
    if coop_ids:
        condition = or_(condition, Event.cooperative_id.in_(coop_ids))
    stmt = (
        select(Event)
        .where(Event.status == EventStatus.DRAFT, condition)
        .options(selectinload(Event.cooperative))
        .order_by(Event.starts_at, Event.id)
        .limit(200)
    )
    return [event for event in db.session.scalars(stmt) if can_manage_event(user, event)]


def event_booths(event: Event) -> list[Booth]:
    """The booths with their cooperative and products loaded (one query each)."""
    return list(
        db.session.scalars(
            select(Booth)
            .where(Booth.event_id == event.id)
            .options(
                selectinload(Booth.cooperative),
                selectinload(Booth.items).selectinload(BoothProduct.product).selectinload(Product.business),
            )
            .order_by(Booth.id)
        )
    )


def booth_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Booth).where(Booth.event_id == event.id)) or 0


def booth_of(event: Event, cooperative: Cooperative) -> Booth | None:
    return db.session.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.cooperative_id == cooperative.id)
    ).one_or_none()


# --- booths -----------------------------------------------------------------------------------------------


def _require_open(event: Event) -> None:
    if event.is_cancelled:
        raise DomainError(_("Acara ini dibatalkan."))
    if not event.is_published:
        raise DomainError(_("Acara ini belum diterbitkan."))
    if event.is_over():
        raise DomainError(_("Acara ini sudah selesai."))


def _lock_event(event: Event) -> Event:
    return db.session.scalars(
        select(Event).where(Event.id == event.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def book_booth(actor: Any, event: Event, cooperative: Cooperative, note: str = "") -> Booth:
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()
    if cooperative.is_suspended:
        raise PermissionDenied(_("Koperasi ini sedang ditangguhkan, jadi belum bisa memesan booth."))
    # The lock serialises bookings of one event: the count below is the count the new booth joins.
    event = _lock_event(event)
    _require_open(event)
    if booth_of(event, cooperative) is not None:
        raise DomainError(_("%(name)s sudah memesan booth di acara ini.", name=cooperative.name))
    if event.booth_capacity is not None and booth_count(event) >= event.booth_capacity:
        raise DomainError(_("Booth di acara ini sudah penuh."))
    booth = Booth(
        event=event, cooperative=cooperative, note=(note or "").strip()[:REASON_MAX], created_by_id=actor.id
    )
    db.session.add(booth)
    db.session.flush()
    return booth


def cancel_booth(actor: Any, booth: Booth) -> None:
    if not policy.manages_cooperative(actor, booth.cooperative):
        raise _denied()
    if booth.event.is_over():
        raise DomainError(_("Acara ini sudah selesai; booth-nya tetap tercatat."))
    db.session.delete(booth)
    db.session.flush()


def booth_candidates(cooperative: Cooperative) -> list[Product]:
    """What a booth of this cooperative may bring: public products of its active members listed under it."""
    stmt = (
        visible_products()
        .where(
            Product.cooperative_id == cooperative.id,
            Product.business_id.in_(
                select(Membership.business_id).where(
                    Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.ACTIVE
                )
            ),
        )
        .options(contains_eager(Product.business), contains_eager(Product.cooperative))
        .order_by(Product.title, Product.id)
        .limit(1000)
    )
    return list(db.session.scalars(stmt).unique())


def set_booth_products(actor: Any, booth: Booth, product_ids: Iterable[int]) -> list[Product]:
    """Replace the products the booth brings. Every id must be one of ``booth_candidates``."""
    if not policy.manages_cooperative(actor, booth.cooperative):
        raise _denied()
    if booth.event.is_cancelled:
        raise DomainError(_("Acara ini dibatalkan."))
    if booth.event.is_over():
        raise DomainError(_("Acara ini sudah selesai."))
    wanted = list(dict.fromkeys(int(i) for i in product_ids))
    if len(wanted) > MAX_BOOTH_PRODUCTS:
        raise DomainError(
            _("Paling banyak %(n)s produk per booth.", n=MAX_BOOTH_PRODUCTS), field="product_ids"
        )
    allowed = {p.id: p for p in booth_candidates(booth.cooperative)}
    if any(i not in allowed for i in wanted):
        raise DomainError(
            _("Pilih hanya produk tayang dari usaha anggota koperasi ini."), field="product_ids"
        )
    current = {item.product_id: item for item in booth.items}
    for product_id, item in current.items():
        if product_id not in wanted:
            booth.items.remove(item)
    for product_id in wanted:
        if product_id not in current:
            booth.items.append(BoothProduct(product_id=product_id))
    db.session.flush()
    return [allowed[i] for i in wanted]


def public_booth_products(booth: Booth) -> Sequence[Product]:
    """The products a booth brings that the public may see now (a paused or sold-out one drops out)."""
    from marketplace.catalog.services import is_public

    return [item.product for item in booth.items if is_public(item.product)]
