"""Selling coalitions: bulk requests, counter-offers, the coalition and its commitments, the close
(allocation, partial fulfilment), quality control, the buyer's receipt and the settlement, and the payout
ledger.

Functions take the acting user and the data, check permissions, change rows and flush; the caller commits.
Statuses change only in ``transition`` (coalitions) and the small request/offer helpers below. Commitments
and the close take the coalition's row lock first (``SELECT ... FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``
serialises writers instead), so a cap is never exceeded and a coalition is closed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import func, select

from coalitions import common, engine
from coalitions.engine import AllocationRule, EngineError
from coalitions.selling import signals
from coalitions.selling.models import (
    SELLING_STATUS_LABELS,
    BulkRequest,
    BuyerPayment,
    Commitment,
    CommitmentStatus,
    CounterOffer,
    MemberPayout,
    OfferPrice,
    OfferStatus,
    PayoutRecord,
    QualityCheck,
    RequestGrade,
    RequestStatus,
    SellingCoalition,
    SellingEvent,
    SellingGrade,
    SellingStatus,
)
from marketplace.accounts import policy
from marketplace.catalog.models import UNITS, unit_label
from marketplace.catalog.services import MAX_PRICE_IDR, MAX_QUANTITY
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.sectors import Sector

S = SellingStatus
MAX_GRADES = 6
TEXT_MAX = 500

TRANSITIONS: dict[SellingStatus, frozenset[SellingStatus]] = {
    S.DRAFT: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.COMMITTED, S.AWAITING_BUYER, S.FAILED, S.CANCELLED}),
    S.AWAITING_BUYER: frozenset({S.COMMITTED, S.FAILED}),
    # Quality control can be finished, and reopened until the buyer confirms; a coalition that can't be
    # delivered (nothing passed, the buyer walked away) is cancelled with a reason.
    S.COMMITTED: frozenset({S.CHECKED, S.CANCELLED}),
    S.CHECKED: frozenset({S.DELIVERED, S.COMMITTED, S.CANCELLED}),
    S.DELIVERED: frozenset({S.PAID}),
    S.PAID: frozenset({S.SETTLED}),
    S.FAILED: frozenset(),
    S.SETTLED: frozenset(),
    S.CANCELLED: frozenset(),
}


class IllegalTransition(DomainError):
    pass


def _app() -> Any:
    return current_app._get_current_object()


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses ke koalisi penjualan ini."))


_aware, _qty, _whole, _text = common.aware, common.qty, common.whole, common.text


def _grades(
    pairs: Sequence[tuple[str, int | None]], *, prices_required: bool
) -> list[tuple[str, int | None]]:
    """Grades in the order given: unique names, prices whole rupiah (or None where allowed)."""
    seen: set[str] = set()
    result = []
    for name, price in pairs:
        name = (name or "").strip()
        if not name:
            continue
        if len(name) > 40:
            raise DomainError(_("Nama mutu paling panjang 40 karakter."), field="grades")
        if name.lower() in seen:
            raise DomainError(_("Nama mutu tidak boleh sama: %(name)s.", name=name), field="grades")
        seen.add(name.lower())
        if price is None:
            if prices_required:
                raise DomainError(_("Isi harga untuk mutu %(name)s.", name=name), field="grades")
        else:
            _whole(price, "grades", low=1 if prices_required else 0, high=MAX_PRICE_IDR)
        result.append((name, price))
    if not result:
        raise DomainError(_("Isi minimal satu mutu."), field="grades")
    if len(result) > MAX_GRADES:
        raise DomainError(_("Paling banyak %(n)d mutu.", n=MAX_GRADES), field="grades")
    return result


# --- bulk requests ------------------------------------------------------------------------------------------


@dataclass
class RequestData:
    organisation: str
    title: str
    sector: Sector | str
    quantity: int
    unit: str
    grades: Sequence[tuple[str, int | None]]  # (grade, price per unit or None = "make me an offer")
    delivery_date: date
    delivery_place: str
    province_code: str
    offer_deadline: datetime
    regency_code: str | None = None
    notes: str = ""


def create_request(buyer: Any, data: RequestData, *, now: datetime | None = None) -> BulkRequest:
    """A buyer posts a bulk request; the cooperatives of the region working in the sector see it."""
    from marketplace import regions

    if not getattr(buyer, "is_authenticated", False):
        raise PermissionDenied(_("Masuk dulu untuk mengirim permintaan."))
    now = now or utcnow()
    organisation = _text(data.organisation, "organisation", required=True, limit=160)
    title = _text(data.title, "title", required=True, limit=160)
    try:
        sector = Sector(data.sector)
    except ValueError:
        raise DomainError(_("Pilih kategori dari daftar."), field="sector") from None
    quantity = _whole(data.quantity, "quantity", low=1, high=MAX_QUANTITY)
    if data.unit not in UNITS:
        raise DomainError(_("Pilih satuan dari daftar."), field="unit")
    grades = _grades(data.grades, prices_required=False)
    if data.offer_deadline.tzinfo is None:
        raise ValueError("the offer deadline must be timezone-aware")
    if data.offer_deadline <= now:
        raise DomainError(_("Batas penawaran harus di masa depan."), field="offer_deadline")
    if data.delivery_date < data.offer_deadline.date():
        raise DomainError(_("Tanggal kirim harus setelah batas penawaran."), field="delivery_date")
    if not regions.is_province(data.province_code):
        raise DomainError(_("Pilih provinsi dari daftar."), field="province_code")
    regency = data.regency_code or None
    if regency and regions.province_of(regency) != data.province_code:
        raise DomainError(_("Kabupaten/kota tidak berada di provinsi itu."), field="regency_code")
    request = BulkRequest(
        buyer_id=buyer.id,
        organisation=organisation,
        title=title,
        sector=sector,
        quantity=quantity,
        unit=data.unit,
        delivery_date=data.delivery_date,
        delivery_place=_text(data.delivery_place, "delivery_place", required=True, limit=300),
        province_code=data.province_code,
        regency_code=regency,
        offer_deadline=data.offer_deadline.astimezone(UTC),
        notes=_text(data.notes, "notes", required=False, limit=2000),
        status=RequestStatus.OPEN,
    )
    request.grades.extend(
        RequestGrade(position=i, grade=name, price_idr=price) for i, (name, price) in enumerate(grades)
    )
    db.session.add(request)
    db.session.flush()
    signals.request_posted.send(_app(), request_id=request.id)
    return request


def request_visible_to(cooperative: Cooperative, request: BulkRequest) -> bool:
    """A cooperative sees a request aimed at its province (and regency, when one was chosen) and sector."""
    if cooperative.is_suspended or cooperative.province_code != request.province_code:
        return False
    if request.regency_code and cooperative.regency_code != request.regency_code:
        return False
    return request.sector in cooperative.sectors


def open_requests_for(cooperative: Cooperative, now: datetime | None = None) -> list[BulkRequest]:
    now = (now or utcnow()).astimezone(UTC)
    candidates = db.session.scalars(
        select(BulkRequest)
        .where(
            BulkRequest.status == RequestStatus.OPEN,
            BulkRequest.offer_deadline > now,
            BulkRequest.province_code == cooperative.province_code,
        )
        .order_by(BulkRequest.offer_deadline, BulkRequest.id)
    )
    return [r for r in candidates if request_visible_to(cooperative, r)]


def can_view_request(user: Any, request: BulkRequest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if request.buyer_id == user.id or policy.is_admin(user):
        return True
    return _manages_one_that_sees(user, request)


def _manages_one_that_sees(user: Any, request: BulkRequest) -> bool:
    from marketplace.cooperatives.models import CooperativeManager

    cooperatives = db.session.scalars(
        select(Cooperative)
        .join(CooperativeManager, CooperativeManager.cooperative_id == Cooperative.id)
        .where(CooperativeManager.user_id == user.id)
    )
    return any(request_visible_to(c, request) for c in cooperatives)


def cancel_request(buyer: Any, request: BulkRequest) -> BulkRequest:
    if request.buyer_id != getattr(buyer, "id", None):
        raise PermissionDenied(_("Hanya pembeli yang bisa membatalkan permintaannya."))
    if request.status is not RequestStatus.OPEN:
        raise DomainError(_("Permintaan ini sudah tidak terbuka."))
    request.status = RequestStatus.CANCELLED
    for offer in request.offers:
        if offer.status is OfferStatus.PENDING:
            offer.status = OfferStatus.DECLINED
            offer.decided_at = utcnow()
    db.session.flush()
    signals.request_cancelled.send(_app(), request_id=request.id)
    return request


def close_expired_requests(now: datetime | None = None) -> int:
    """Open requests whose offer deadline passed with nobody taking them (the scheduler runs this)."""
    now = (now or utcnow()).astimezone(UTC)
    expired = db.session.scalars(
        select(BulkRequest).where(BulkRequest.status == RequestStatus.OPEN, BulkRequest.offer_deadline <= now)
    ).all()
    for request in expired:
        request.status = RequestStatus.CLOSED
        for offer in request.offers:
            if offer.status is OfferStatus.PENDING:
                offer.status = OfferStatus.DECLINED
                offer.decided_at = now
    db.session.flush()
    return len(expired)


def _lock_request(request: BulkRequest) -> BulkRequest:
    return common.lock_row(BulkRequest, request.id)


def _check_request_open(request: BulkRequest, now: datetime) -> None:
    if request.status is not RequestStatus.OPEN or _aware(request.offer_deadline) <= now:
        raise DomainError(_("Permintaan ini sudah tidak menerima penawaran."))


# --- counter-offers -----------------------------------------------------------------------------------------


def make_offer(
    actor: Any,
    cooperative: Cooperative,
    request: BulkRequest,
    prices: Sequence[tuple[str, int | None]],
    note: str = "",
    *,
    now: datetime | None = None,
) -> CounterOffer:
    """A manager answers a request with prices per grade (a grade the buyer accepted; all of them priced)."""
    now = now or utcnow()
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()
    if cooperative.is_suspended:
        raise DomainError(_("Koperasi yang dibekukan tidak bisa mengirim penawaran."))
    request = _lock_request(request)
    _check_request_open(request, now)
    if not request_visible_to(cooperative, request):
        raise PermissionDenied(_("Permintaan ini tidak ditujukan untuk koperasi Anda."))
    offered = _grades(prices, prices_required=True)
    accepted = {g.grade for g in request.grades}
    unknown = [name for name, _price in offered if name not in accepted]
    if unknown:
        raise DomainError(_("Mutu %(name)s tidak diminta pembeli.", name=unknown[0]), field="grades")
    for offer in request.offers:
        if offer.cooperative_id == cooperative.id and offer.status is OfferStatus.PENDING:
            offer.status = OfferStatus.WITHDRAWN  # a new offer replaces the cooperative's pending one
            offer.decided_at = now
    db.session.flush()
    offer = CounterOffer(
        request=request,
        cooperative_id=cooperative.id,
        made_by_id=actor.id,
        note=_text(note, "note", required=False, limit=TEXT_MAX),
        status=OfferStatus.PENDING,
    )
    offer.prices.extend(OfferPrice(grade=name, price_idr=price) for name, price in offered)
    db.session.add(offer)
    db.session.flush()
    signals.offer_made.send(_app(), offer_id=offer.id)
    return offer


def _reload_offer(offer: CounterOffer) -> CounterOffer:
    """Re-read the offer once the request's lock is held (a concurrent answer or replacement wins)."""
    return db.session.scalars(
        select(CounterOffer).where(CounterOffer.id == offer.id).execution_options(populate_existing=True)
    ).one()


def withdraw_offer(actor: Any, offer: CounterOffer) -> CounterOffer:
    if not policy.manages_cooperative(actor, offer.cooperative):
        raise _denied()
    _lock_request(offer.request)
    offer = _reload_offer(offer)
    if offer.status is not OfferStatus.PENDING:
        raise DomainError(_("Penawaran ini sudah dijawab."))
    offer.status = OfferStatus.WITHDRAWN
    offer.decided_at = utcnow()
    db.session.flush()
    return offer


def decide_offer(
    buyer: Any, offer: CounterOffer, *, accept: bool, now: datetime | None = None
) -> CounterOffer:
    """The buyer accepts (the request is taken by that cooperative at the offered prices; the others are
    declined) or declines a counter-offer."""
    now = now or utcnow()
    if offer.request.buyer_id != getattr(buyer, "id", None):
        raise PermissionDenied(_("Hanya pembeli yang bisa menjawab penawaran ini."))
    request = _lock_request(offer.request)
    offer = _reload_offer(offer)
    if offer.status is not OfferStatus.PENDING:
        raise DomainError(_("Penawaran ini sudah dijawab atau ditarik."))
    if accept:
        _check_request_open(request, now)
        offer.status = OfferStatus.ACCEPTED
        request.status = RequestStatus.TAKEN
        for other in request.offers:
            if other.id != offer.id and other.status is OfferStatus.PENDING:
                other.status = OfferStatus.DECLINED
                other.decided_at = now
    else:
        offer.status = OfferStatus.DECLINED
    offer.decided_at = now
    db.session.flush()
    signals.offer_decided.send(_app(), offer_id=offer.id, accepted=accept)
    return offer


def accepted_offer(request: BulkRequest) -> CounterOffer | None:
    return next((o for o in request.offers if o.status is OfferStatus.ACCEPTED), None)


# --- the coalition ------------------------------------------------------------------------------------------


def status_label(status: SellingStatus) -> str:
    return str(SELLING_STATUS_LABELS[status])


def transition(
    coalition: SellingCoalition, to: SellingStatus, *, actor: Any | None = None, note: str = ""
) -> SellingEvent:
    """The one place a selling coalition's status changes: refuses an illegal move, records the history."""
    if to not in TRANSITIONS[coalition.status]:
        raise IllegalTransition(
            _(
                "Status koalisi \u201c%(title)s\u201d tidak bisa diubah dari \u201c%(a)s\u201d ke "
                "\u201c%(b)s\u201d.",
                title=coalition.title,
                a=status_label(coalition.status),
                b=status_label(to),
            )
        )
    event = SellingEvent(
        coalition=coalition,
        from_status=coalition.status,
        to_status=to,
        actor_id=getattr(actor, "id", None),
        note=note[:TEXT_MAX],
    )
    db.session.add(event)
    coalition.status = to
    db.session.flush()
    return event


def lock(coalition: SellingCoalition | int) -> SellingCoalition:
    return common.lock_row(SellingCoalition, coalition if isinstance(coalition, int) else coalition.id)


@dataclass
class CoalitionData:
    """What the manager fills in. ``grades``: (grade, price per unit) in display order."""

    title: str
    unit: str
    quantity: int
    grades: Sequence[tuple[str, int | None]]
    collection_point: str
    collection_date: date
    deadline: datetime
    buyer_name: str = ""
    buyer_contact: str = ""
    description: str = ""
    fee_bp: int = 0
    shared_cost_idr: int = 0
    allocation_rule: AllocationRule = AllocationRule.UNIFORM
    delivery_date: date | None = None
    delivery_place: str = ""
    commit_cap: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _manager_of(actor: Any, cooperative: Cooperative) -> None:
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()


def _validated(data: CoalitionData, now: datetime) -> list[tuple[str, int]]:
    _text(data.title, "title", required=True, limit=160)
    if data.unit not in UNITS:
        raise DomainError(_("Pilih satuan dari daftar."), field="unit")
    _whole(data.quantity, "quantity", low=1, high=MAX_QUANTITY)
    grades = _grades(data.grades, prices_required=True)
    _whole(data.fee_bp, "fee_bp", low=0, high=engine.FEE_BASIS)
    _whole(data.shared_cost_idr, "shared_cost_idr", low=0, high=MAX_PRICE_IDR)
    _text(data.collection_point, "collection_point", required=True, limit=300)
    if data.deadline.tzinfo is None:
        raise ValueError("the deadline must be timezone-aware")
    if data.deadline <= now:
        raise DomainError(_("Batas waktu harus di masa depan."), field="deadline")
    if data.collection_date < data.deadline.date():
        raise DomainError(
            _("Tanggal pengumpulan harus setelah batas waktu komitmen."), field="collection_date"
        )
    if data.commit_cap is not None:
        cap = _whole(data.commit_cap, "commit_cap", low=1, high=MAX_QUANTITY)
        if cap < data.quantity:
            raise DomainError(
                _("Batas komitmen tidak boleh di bawah jumlah yang diminta."), field="commit_cap"
            )
    return [(name, price) for name, price in grades if price is not None]


def _apply(coalition: SellingCoalition, data: CoalitionData, grades: list[tuple[str, int]]) -> None:
    coalition.title = data.title.strip()
    coalition.description = (data.description or "").strip()
    coalition.unit = data.unit
    coalition.quantity = data.quantity
    coalition.fee_bp = data.fee_bp
    coalition.shared_cost_idr = data.shared_cost_idr
    coalition.allocation_rule = AllocationRule(data.allocation_rule)
    coalition.collection_point = data.collection_point.strip()
    coalition.collection_date = data.collection_date
    coalition.delivery_date = data.delivery_date
    coalition.delivery_place = (data.delivery_place or "").strip()[:300]
    coalition.deadline = data.deadline.astimezone(UTC)
    coalition.commit_cap = data.commit_cap
    if data.buyer_name.strip():
        coalition.buyer_name = data.buyer_name.strip()[:160]
    coalition.buyer_contact = (data.buyer_contact or "").strip()[:200]
    if coalition.grades:
        coalition.grades.clear()
        db.session.flush()
    coalition.grades.extend(
        SellingGrade(position=i, grade=name, price_idr=price) for i, (name, price) in enumerate(grades)
    )


def create_coalition(
    actor: Any,
    cooperative: Cooperative,
    data: CoalitionData,
    *,
    request: BulkRequest | None = None,
    now: datetime | None = None,
) -> SellingCoalition:
    """A draft selling coalition: from a buyer's request (the request is taken; grades must be ones the buyer
    accepts, at the buyer's prices or those of the accepted counter-offer), or for a buyer the cooperative
    knows (``request`` None, ``buyer_name`` required)."""
    now = now or utcnow()
    _manager_of(actor, cooperative)
    if cooperative.is_suspended:
        raise DomainError(_("Koperasi yang dibekukan tidak bisa membuka koalisi."))
    grades = _validated(data, now)
    coalition = SellingCoalition(
        cooperative=cooperative, created_by_id=actor.id, status=S.DRAFT, buyer_name=""
    )
    if request is not None:
        request = _lock_request(request)
        taken = db.session.scalar(
            select(SellingCoalition.id).where(SellingCoalition.request_id == request.id)
        )
        if taken is not None:
            raise DomainError(_("Permintaan ini sudah dijadikan koalisi penjualan."))
        offer = accepted_offer(request)
        if offer is not None:
            if offer.cooperative_id != cooperative.id:
                raise DomainError(_("Pembeli sudah menerima penawaran koperasi lain."))
        else:
            _check_request_open(request, now)
            if not request_visible_to(cooperative, request):
                raise PermissionDenied(_("Permintaan ini tidak ditujukan untuk koperasi Anda."))
        agreed = (
            {p.grade: p.price_idr for p in offer.prices}
            if offer is not None
            else {g.grade: g.price_idr for g in request.grades}
        )
        for name, price in grades:
            if name not in agreed:
                raise DomainError(_("Mutu %(name)s tidak diminta pembeli.", name=name), field="grades")
            if agreed[name] is None:
                raise DomainError(
                    _(
                        "Pembeli belum menyetujui harga mutu %(name)s; kirim penawaran dan tunggu "
                        "jawabannya.",
                        name=name,
                    ),
                    field="grades",
                )
            if agreed[name] != price:
                raise DomainError(
                    _("Harga mutu %(name)s harus sesuai permintaan atau penawaran yang diterima.", name=name),
                    field="grades",
                )
        if data.quantity > request.quantity:
            raise DomainError(_("Jumlah tidak boleh melebihi permintaan pembeli."), field="quantity")
        request.status = RequestStatus.TAKEN
        coalition.request_id = request.id
        coalition.buyer_id = request.buyer_id
        coalition.buyer_name = request.organisation
        coalition.delivery_date = request.delivery_date
        coalition.delivery_place = request.delivery_place
    elif not data.buyer_name.strip():
        raise DomainError(_("Isi nama pembeli."), field="buyer_name")
    _apply(coalition, data, grades)
    if request is not None:
        coalition.buyer_name = request.organisation
        coalition.delivery_date = data.delivery_date or request.delivery_date
        coalition.delivery_place = data.delivery_place or request.delivery_place
    db.session.add(coalition)
    db.session.add(SellingEvent(coalition=coalition, from_status=None, to_status=S.DRAFT, actor_id=actor.id))
    db.session.flush()
    return coalition


def update_draft(
    actor: Any, coalition: SellingCoalition, data: CoalitionData, *, now: datetime | None = None
) -> SellingCoalition:
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.DRAFT:
        raise DomainError(_("Hanya koalisi berstatus draf yang bisa diubah."))
    grades = _validated(data, now or utcnow())
    if coalition.request is not None:
        if data.quantity > coalition.request.quantity:
            raise DomainError(_("Jumlah tidak boleh melebihi permintaan pembeli."), field="quantity")
        if {n for n, _p in grades} != set(coalition.prices):
            raise DomainError(_("Mutu koalisi dari permintaan pembeli tidak bisa diganti."), field="grades")
        for name, price in grades:
            if price != coalition.prices[name]:
                message = _(
                    "Harga mutu %(name)s sudah disepakati dengan pembeli dan tidak bisa diubah.", name=name
                )
                raise DomainError(message, field="grades")
    _apply(coalition, data, grades)
    db.session.flush()
    return coalition


def publish(actor: Any, coalition: SellingCoalition, *, now: datetime | None = None) -> SellingCoalition:
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.DRAFT:
        raise DomainError(_("Hanya koalisi berstatus draf yang bisa diterbitkan."))
    if coalition.cooperative.is_suspended:
        raise DomainError(_("Koperasi yang dibekukan tidak bisa membuka koalisi."))
    if _aware(coalition.deadline) <= (now or utcnow()):
        raise DomainError(_("Batas waktu sudah lewat; ubah dulu drafnya."), field="deadline")
    transition(coalition, S.OPEN, actor=actor)
    signals.coalition_opened.send(_app(), coalition_id=coalition.id)
    return coalition


def cancel(actor: Any, coalition: SellingCoalition, reason: str) -> SellingCoalition:
    _manager_of(actor, coalition.cooperative)
    reason = _text(reason, "reason", required=True, limit=TEXT_MAX)
    coalition = lock(coalition)
    if coalition.status not in (S.DRAFT, S.OPEN, S.COMMITTED, S.CHECKED):
        raise DomainError(_("Koalisi ini tidak bisa dibatalkan lagi: pembeli sudah menerima barangnya."))
    coalition.cancel_reason = reason
    transition(coalition, S.CANCELLED, actor=actor, note=reason)
    if coalition.request is not None and coalition.request.status is RequestStatus.TAKEN:
        coalition.request.status = RequestStatus.CLOSED
    signals.coalition_cancelled.send(_app(), coalition_id=coalition.id)
    return coalition


# --- commitments --------------------------------------------------------------------------------------------


def is_member(business: Business, coalition: SellingCoalition) -> bool:
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.cooperative_id == coalition.cooperative_id,
                Membership.business_id == business.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
        is not None
    )


def may_commit(user: Any, business: Business, coalition: SellingCoalition) -> bool:
    return (
        policy.owns_business(user, business)
        and not business.is_suspended
        and not coalition.cooperative.is_suspended
        and is_member(business, coalition)
    )


def _committed_total(coalition_id: int, *, excluding: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Commitment.quantity), 0)).where(
        Commitment.coalition_id == coalition_id, Commitment.status == CommitmentStatus.ACTIVE
    )
    if excluding is not None:
        query = query.where(Commitment.id != excluding)
    return int(db.session.scalar(query) or 0)


def _check_open(coalition: SellingCoalition, now: datetime) -> None:
    if coalition.status is not S.OPEN:
        raise DomainError(_("Koalisi ini sedang tidak menerima komitmen."))
    if _aware(coalition.deadline) <= now:
        raise DomainError(_("Batas waktu koalisi ini sudah lewat; komitmen tidak bisa diubah lagi."))


def _check_cap(coalition: SellingCoalition, quantity: int, *, excluding: int | None = None) -> None:
    if coalition.commit_cap is None:
        return
    left = max(coalition.commit_cap - _committed_total(coalition.id, excluding=excluding), 0)
    if quantity > left:
        if not left:
            raise DomainError(_("Komitmen sudah mencapai batas yang ditetapkan pengurus."), field="quantity")
        raise DomainError(
            _("Sisa kuota komitmen %(left)s %(unit)s.", left=_qty(left), unit=unit_label(coalition.unit)),
            field="quantity",
        )


def commit(
    actor: Any,
    business: Business,
    coalition: SellingCoalition,
    grade: str,
    quantity: int,
    *,
    now: datetime | None = None,
) -> Commitment:
    """A member business commits ``quantity`` units of ``grade`` (one active commitment per grade)."""
    now = now or utcnow()
    if not may_commit(actor, business, coalition):
        raise PermissionDenied(_("Hanya anggota aktif koperasi penyelenggara yang bisa ikut koalisi ini."))
    _whole(quantity, "quantity", low=1, high=MAX_QUANTITY)
    coalition = lock(coalition)
    _check_open(coalition, now)
    if grade not in coalition.prices:
        raise DomainError(_("Pilih mutu dari daftar."), field="grade")
    existing = db.session.scalar(
        select(Commitment.id).where(
            Commitment.coalition_id == coalition.id,
            Commitment.business_id == business.id,
            Commitment.grade == grade,
            Commitment.status == CommitmentStatus.ACTIVE,
        )
    )
    if existing is not None:
        raise DomainError(
            _("Usaha ini sudah berkomitmen untuk mutu ini; ubah saja jumlahnya."), field="grade"
        )
    _check_cap(coalition, quantity)
    row = Commitment(
        coalition_id=coalition.id,
        business_id=business.id,
        committed_by_id=actor.id,
        grade=grade,
        quantity=quantity,
        status=CommitmentStatus.ACTIVE,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _lock_commitment(coalition: SellingCoalition, commitment: Commitment) -> Commitment:
    return db.session.scalars(
        select(Commitment)
        .where(Commitment.id == commitment.id, Commitment.coalition_id == coalition.id)
        .execution_options(populate_existing=True)
    ).one()


def change_commitment(
    actor: Any, commitment: Commitment, quantity: int, *, now: datetime | None = None
) -> Commitment:
    now = now or utcnow()
    if not may_commit(actor, commitment.business, commitment.coalition):
        raise _denied()
    _whole(quantity, "quantity", low=1, high=MAX_QUANTITY)
    coalition = lock(commitment.coalition)
    commitment = _lock_commitment(coalition, commitment)
    if not commitment.is_active:
        raise DomainError(_("Komitmen ini sudah ditarik."))
    _check_open(coalition, now)
    _check_cap(coalition, quantity, excluding=commitment.id)
    commitment.quantity = quantity
    db.session.flush()
    return commitment


def withdraw_commitment(actor: Any, commitment: Commitment, *, now: datetime | None = None) -> Commitment:
    now = now or utcnow()
    if not policy.owns_business(actor, commitment.business):
        raise _denied()
    coalition = lock(commitment.coalition)
    commitment = _lock_commitment(coalition, commitment)
    if not commitment.is_active:
        raise DomainError(_("Komitmen ini sudah ditarik."))
    _check_open(coalition, now)
    commitment.status = CommitmentStatus.WITHDRAWN
    commitment.withdrawn_at = now
    db.session.flush()
    return commitment


def active_commitments(coalition: SellingCoalition) -> list[Commitment]:
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.coalition_id == coalition.id, Commitment.status == CommitmentStatus.ACTIVE)
            .order_by(Commitment.created_at, Commitment.id)
        )
    )


@dataclass(frozen=True)
class GradeProgress:
    grade: str
    price_idr: int
    committed: int
    members: int


@dataclass(frozen=True)
class Progress:
    requested: int
    committed: int
    members: int
    grades: tuple[GradeProgress, ...]
    is_open: bool

    @property
    def missing(self) -> int:
        return max(self.requested - self.committed, 0)

    @property
    def oversubscribed(self) -> int:
        return max(self.committed - self.requested, 0)


def progress(coalition: SellingCoalition, now: datetime | None = None) -> Progress:
    now = now or utcnow()
    rows = db.session.execute(
        select(
            Commitment.grade, func.sum(Commitment.quantity), func.count(func.distinct(Commitment.business_id))
        )
        .where(Commitment.coalition_id == coalition.id, Commitment.status == CommitmentStatus.ACTIVE)
        .group_by(Commitment.grade)
    ).all()
    by_grade = {grade: (int(total or 0), int(count)) for grade, total, count in rows}
    members = db.session.scalar(
        select(func.count(func.distinct(Commitment.business_id))).where(
            Commitment.coalition_id == coalition.id, Commitment.status == CommitmentStatus.ACTIVE
        )
    )
    grades = tuple(
        GradeProgress(g.grade, g.price_idr, *by_grade.get(g.grade, (0, 0))) for g in coalition.grades
    )
    return Progress(
        requested=coalition.quantity,
        committed=sum(g.committed for g in grades),
        members=int(members or 0),
        grades=grades,
        is_open=coalition.status is S.OPEN and _aware(coalition.deadline) > now,
    )


# --- the close ----------------------------------------------------------------------------------------------


def due_ids(now: datetime | None = None) -> list[int]:
    now = (now or utcnow()).astimezone(UTC)
    return list(
        db.session.scalars(
            select(SellingCoalition.id)
            .where(SellingCoalition.status == S.OPEN, SellingCoalition.deadline <= now)
            .order_by(SellingCoalition.deadline, SellingCoalition.id)
        )
    )


def close(
    coalition: SellingCoalition, now: datetime | None = None, *, actor: Any | None = None, early: bool = False
) -> bool:
    """At the deadline (or early by the manager once fully committed). Over-subscribed: the requested quantity
    is allocated among the commitments with the coalition's rule (commitment order breaks ties). Fully
    subscribed: everyone delivers what they committed. Under-subscribed: the buyer decides whether partial
    fulfilment is enough (``awaiting_buyer``). Nobody committed: failed. True when this call closed it."""
    now = now or utcnow()
    if early:
        _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.OPEN:
        if early:
            raise DomainError(_("Koalisi ini sedang tidak terbuka."))
        return False
    if not early and _aware(coalition.deadline) > now:
        return False
    commitments = active_commitments(coalition)
    demands = [c.quantity for c in commitments]
    total = sum(demands)
    if early and total < coalition.quantity:
        raise DomainError(_("Koalisi baru bisa ditutup lebih awal setelah komitmen mencukupi permintaan."))
    coalition.committed_qty = total
    coalition.closed_at = now
    if total == 0:
        coalition.allocated_qty = 0
        transition(coalition, S.FAILED, actor=actor, note=_("Tidak ada anggota yang berkomitmen."))
        signals.coalition_closed.send(_app(), coalition_id=coalition.id)
        return True
    allocation = engine.allocate(coalition.allocation_rule, demands, min(total, coalition.quantity))
    for commitment, allocated in zip(commitments, allocation, strict=True):
        commitment.allocated_qty = allocated
    coalition.allocated_qty = sum(allocation)
    if total >= coalition.quantity:
        note = _(
            "Komitmen %(total)s dari %(wanted)s %(unit)s; dibagi dengan aturan koalisi.",
            total=_qty(total),
            wanted=_qty(coalition.quantity),
            unit=unit_label(coalition.unit),
        )
        transition(coalition, S.COMMITTED, actor=actor, note=note)
    else:
        note = _(
            "Komitmen baru %(total)s dari %(wanted)s %(unit)s; pembeli memutuskan apakah menerima sebagian.",
            total=_qty(total),
            wanted=_qty(coalition.quantity),
            unit=unit_label(coalition.unit),
        )
        transition(coalition, S.AWAITING_BUYER, actor=actor, note=note)
    db.session.flush()
    signals.coalition_closed.send(_app(), coalition_id=coalition.id)
    return True


def can_decide_as_buyer(user: Any, coalition: SellingCoalition) -> bool:
    return coalition.buyer_id is not None and coalition.buyer_id == getattr(user, "id", None)


def decide_partial(buyer: Any, coalition: SellingCoalition, *, accept: bool) -> SellingCoalition:
    """Under-subscribed: the buyer takes what was committed, or the coalition fails (nobody delivers)."""
    if not (
        can_decide_as_buyer(buyer, coalition) or policy.manages_cooperative(buyer, coalition.cooperative)
    ):
        raise _denied()
    if not can_decide_as_buyer(buyer, coalition) and coalition.buyer_id is not None:
        raise PermissionDenied(_("Keputusan ini milik pembeli."))
    coalition = lock(coalition)
    if coalition.status is not S.AWAITING_BUYER:
        raise DomainError(_("Koalisi ini tidak menunggu keputusan pembeli."))
    coalition.partial_accepted = accept
    if accept:
        transition(
            coalition,
            S.COMMITTED,
            actor=buyer,
            note=_(
                "Pembeli menerima %(qty)s %(unit)s.",
                qty=_qty(coalition.allocated_qty or 0),
                unit=unit_label(coalition.unit),
            ),
        )
    else:
        transition(coalition, S.FAILED, actor=buyer, note=_("Pembeli tidak menerima pemenuhan sebagian."))
    signals.partial_decided.send(_app(), coalition_id=coalition.id, accepted=accept)
    return coalition


# --- quality control, receipt, settlement -------------------------------------------------------------------


def record_check(
    actor: Any,
    commitment: Commitment,
    delivered: int,
    accepted: int,
    reason: str = "",
    *,
    ear_tag: str | None = None,
    weight_grams: int | None = None,
) -> QualityCheck:
    """At the collection point: what the member brought against a commitment and what passed quality
    control. Rejected goods go back to the member (a reason is required). Accepted units never exceed the
    allocation."""
    coalition = commitment.coalition
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.COMMITTED:
        raise DomainError(_("Pemeriksaan mutu dicatat saat pengumpulan barang."))
    if not commitment.is_active or not commitment.allocated_qty:
        raise DomainError(_("Komitmen ini tidak mendapat bagian pengiriman."))
    delivered = _whole(delivered, "delivered", low=1, high=MAX_QUANTITY)
    accepted = _whole(accepted, "accepted", low=0, high=MAX_QUANTITY)
    if accepted > delivered:
        raise DomainError(_("Jumlah diterima tidak boleh melebihi jumlah yang dibawa."), field="accepted")
    reason = _text(reason, "reason", required=accepted < delivered, limit=300)
    already = sum(c.accepted_qty for c in commitment.checks)
    if already + accepted > commitment.allocated_qty:
        raise DomainError(
            _(
                "Bagian anggota ini %(n)s %(unit)s; yang sudah diterima %(done)s.",
                n=_qty(commitment.allocated_qty),
                done=_qty(already),
                unit=unit_label(coalition.unit),
            ),
            field="accepted",
        )
    tag = (ear_tag or "").strip()[:40] or None
    if weight_grams is not None:
        _whole(weight_grams, "weight", low=1, high=10_000_000)
    check = QualityCheck(
        commitment=commitment,
        delivered_qty=delivered,
        accepted_qty=accepted,
        reason=reason,
        ear_tag=tag,
        weight_grams=weight_grams,
        checked_by_id=actor.id,
    )
    db.session.add(check)
    db.session.flush()
    signals.check_recorded.send(_app(), check_id=check.id)
    return check


def finish_checks(actor: Any, coalition: SellingCoalition) -> SellingCoalition:
    """The manager closes quality control: what was accepted is what the buyer receives and pays. Members
    who brought nothing get nothing. Refused when nothing passed (cancel the coalition instead)."""
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.COMMITTED:
        raise DomainError(_("Pemeriksaan mutu hanya bisa diselesaikan saat pengumpulan barang."))
    if not any(sum(lines.values()) for _b, lines in accepted_by_business(coalition)):
        raise DomainError(_("Belum ada barang yang lolos pemeriksaan mutu."))
    _check_settlement(coalition)
    transition(coalition, S.CHECKED, actor=actor, note=_("Pemeriksaan mutu selesai."))
    signals.checks_finished.send(_app(), coalition_id=coalition.id)
    return coalition


def reopen_checks(actor: Any, coalition: SellingCoalition) -> SellingCoalition:
    """Back to the collection point before the buyer confirmed (a late delivery, a mistake in a record)."""
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.CHECKED:
        raise DomainError(_("Pemeriksaan mutu belum diselesaikan."))
    transition(coalition, S.COMMITTED, actor=actor, note=_("Pemeriksaan mutu dibuka lagi."))
    return coalition


def set_shared_cost(actor: Any, coalition: SellingCoalition, amount_idr: int) -> SellingCoalition:
    """Change the shared costs (transport turned out cheaper or dearer) until the buyer confirms receipt."""
    _manager_of(actor, coalition.cooperative)
    amount = _whole(amount_idr, "shared_cost_idr", low=0, high=MAX_PRICE_IDR)
    coalition = lock(coalition)
    if coalition.status not in (S.COMMITTED, S.CHECKED):
        raise DomainError(_("Biaya bersama bisa diubah sampai pembeli mengonfirmasi penerimaan."))
    coalition.shared_cost_idr = amount
    if coalition.status is S.CHECKED:
        _check_settlement(coalition)
    db.session.flush()
    return coalition


def _check_settlement(coalition: SellingCoalition) -> engine.SellingSettlement:
    rows = accepted_by_business(coalition)
    try:
        return engine.settle_selling(
            [lines for _b, lines in rows], coalition.prices, coalition.fee_bp, coalition.shared_cost_idr
        )
    except EngineError:
        raise DomainError(
            _("Biaya bersama melebihi hasil penjualan seorang anggota; turunkan biaya bersama."),
            field="shared_cost_idr",
        ) from None


def accepted_by_business(coalition: SellingCoalition) -> list[tuple[int, dict[str, int]]]:
    """(business id, accepted units per grade), businesses in commitment order."""
    result: dict[int, dict[str, int]] = {}
    for commitment in active_commitments(coalition):
        lines = result.setdefault(commitment.business_id, {})
        lines[commitment.grade] = lines.get(commitment.grade, 0) + sum(
            c.accepted_qty for c in commitment.checks
        )
    return list(result.items())


def confirm_receipt(
    buyer: Any, coalition: SellingCoalition, *, now: datetime | None = None
) -> SellingCoalition:
    """The buyer confirms it received the accepted goods: the settlement is computed and stored (per member
    gross, fee, share of shared costs, payout); the buyer then pays the accepted quantity."""
    now = now or utcnow()
    if not can_decide_as_buyer(buyer, coalition):
        if coalition.buyer_id is not None or not policy.manages_cooperative(buyer, coalition.cooperative):
            raise PermissionDenied(_("Hanya pembeli yang bisa mengonfirmasi penerimaan."))
    coalition = lock(coalition)
    if coalition.status is not S.CHECKED:
        raise DomainError(_("Barang belum siap dikonfirmasi: pengurus belum selesai memeriksa mutu."))
    rows = accepted_by_business(coalition)
    settlement = _check_settlement(coalition)
    for (business_id, _lines), member in zip(rows, settlement.members, strict=True):
        db.session.add(
            MemberPayout(
                coalition_id=coalition.id,
                business_id=business_id,
                accepted_qty=member.accepted_qty,
                gross_idr=member.gross_idr,
                fee_idr=member.fee_idr,
                shared_cost_idr=member.shared_cost_idr,
                payout_idr=member.payout_idr,
                paid_idr=0,
            )
        )
    coalition.accepted_qty = settlement.accepted_qty
    coalition.buyer_total_idr = settlement.buyer_total_idr
    coalition.fees_idr = settlement.fees_idr
    coalition.received_at = now
    transition(coalition, S.DELIVERED, actor=buyer, note=_("Pembeli mengonfirmasi penerimaan barang."))
    signals.receipt_confirmed.send(_app(), coalition_id=coalition.id)
    return coalition


def payouts_of(coalition: SellingCoalition) -> list[MemberPayout]:
    return list(
        db.session.scalars(
            select(MemberPayout).where(MemberPayout.coalition_id == coalition.id).order_by(MemberPayout.id)
        )
    )


def buyer_owes(coalition: SellingCoalition) -> int:
    return max((coalition.buyer_total_idr or 0) - coalition.paid_idr, 0)


def buyer_paid(coalition: SellingCoalition, amount_idr: int, *, actor: Any | None = None) -> SellingCoalition:
    """Money from the buyer arrived (a card payment's webhook, a confirmed transfer, a payment the manager
    recorded): paid in full → PAID. Only after the receipt, never more than is owed (the caller refuses or
    refunds the rest)."""
    coalition = lock(coalition)
    if coalition.status is not S.DELIVERED:
        raise DomainError(_("Koalisi ini tidak menunggu pembayaran pembeli."))
    if amount_idr <= 0 or amount_idr > buyer_owes(coalition):
        raise DomainError(
            _(
                "Jumlah harus antara Rp1 dan sisa tagihan pembeli (%(owed)s).",
                owed=format_number(buyer_owes(coalition)),
            )
        )
    coalition.paid_idr += amount_idr
    if buyer_owes(coalition) == 0:
        transition(coalition, S.PAID, actor=actor, note=_("Pembeli sudah membayar."))
        signals.buyer_paid.send(_app(), coalition_id=coalition.id)
        if all(p.owed_idr == 0 for p in payouts_of(coalition)):  # nothing to pay out (a 100 % fee)
            transition(coalition, S.SETTLED, actor=actor, note=_("Semua anggota sudah dibayar."))
    db.session.flush()
    return coalition


def record_buyer_payment(
    actor: Any, coalition: SellingCoalition, amount_idr: int, reference: str
) -> SellingCoalition:
    """A manager records money the buyer paid outside Gotong (a transfer seen in the cooperative's account,
    cash at delivery), with its reference; for buyers without a Gotong account too."""
    _manager_of(actor, coalition.cooperative)
    amount = _whole(amount_idr, "amount", low=1, high=MAX_PRICE_IDR)
    reference = _text(reference, "reference", required=True, limit=120)
    coalition = lock(coalition)
    if coalition.status is not S.DELIVERED:
        raise DomainError(_("Koalisi ini tidak menunggu pembayaran pembeli."))
    under_way = db.session.scalar(
        select(BuyerPayment.id).where(
            BuyerPayment.coalition_id == coalition.id,
            BuyerPayment.status.in_(["processing", "awaiting_review"]),
        )
    )
    if under_way is not None:
        raise DomainError(_("Ada pembayaran pembeli yang sedang diproses atau diperiksa; tunggu hasilnya."))
    if amount > buyer_owes(coalition):
        raise DomainError(
            _("Melebihi sisa tagihan pembeli (%(owed)s).", owed=format_number(buyer_owes(coalition))),
            field="amount",
        )
    db.session.add(
        SellingEvent(
            coalition=coalition,
            from_status=coalition.status,
            to_status=coalition.status,
            actor_id=actor.id,
            note=_(
                "Pembayaran pembeli dicatat: %(amount)s (%(ref)s).",
                amount=format_number(amount),
                ref=reference,
            )[:TEXT_MAX],
        )
    )
    return buyer_paid(coalition, amount, actor=actor)


def record_payout(
    actor: Any, payout: MemberPayout, amount_idr: int, reference: str, *, now: datetime | None = None
) -> PayoutRecord:
    """The manager paid a member (a bank transfer and its reference). When every member is paid in full the
    coalition is settled."""
    coalition = payout.coalition
    _manager_of(actor, coalition.cooperative)
    coalition = lock(coalition)
    if coalition.status is not S.PAID:
        raise DomainError(_("Pembayaran ke anggota dicatat setelah pembeli membayar."))
    payout = db.session.scalars(
        select(MemberPayout)
        .where(MemberPayout.id == payout.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    amount = _whole(amount_idr, "amount", low=1, high=MAX_PRICE_IDR)
    if amount > payout.owed_idr:
        raise DomainError(
            _("Melebihi sisa yang harus dibayarkan (%(owed)s).", owed=format_number(payout.owed_idr)),
            field="amount",
        )
    record = PayoutRecord(
        payout=payout,
        amount_idr=amount,
        reference=_text(reference, "reference", required=True, limit=120),
        recorded_by_id=actor.id,
        paid_at=now or utcnow(),
    )
    db.session.add(record)
    payout.paid_idr += amount
    db.session.flush()
    signals.payout_recorded.send(_app(), record_id=record.id)
    if all(p.owed_idr == 0 for p in payouts_of(coalition)):
        transition(coalition, S.SETTLED, actor=actor, note=_("Semua anggota sudah dibayar."))
    return record
