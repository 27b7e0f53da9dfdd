"""Bulk request pages: a buyer posts a request and answers the cooperatives' counter-offers; the managers of
the cooperatives it is aimed at see it, make or withdraw an offer, and turn it into a selling coalition.

Thin views: load the object and check who may act on it (403 otherwise), parse the form, call
``coalitions.selling.services``, commit once, redirect. A refused step (``DomainError``) is rolled back and
shown on the form that caused it, with what was typed (422).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from coalitions.pages import fail
from coalitions.selling import bp, services
from coalitions.selling.models import (
    OFFER_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    BulkRequest,
    CounterOffer,
    OfferStatus,
    RequestStatus,
    SellingCoalition,
)
from coalitions.selling.request_forms import ActionForm, OfferForm, RequestForm, offer_form
from marketplace.accounts import policy
from marketplace.catalog.models import unit_label
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative, CooperativeManager
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.web import actor, authorize

# Endpoints written by the selling coalition pages; linked only once they exist.
COALITION_PAGE = "selling.detail"
COALITION_FROM_REQUEST = "selling.new_from_request"


# --- loading with permission --------------------------------------------------------------------------------


def _bulk(request_id: int) -> BulkRequest:
    """The buyer, the managers of a cooperative it is aimed at, and admins see a request."""
    bulk = db.get_or_404(BulkRequest, request_id)
    authorize(services.can_view_request(current_user, bulk))
    return bulk


def _managed_cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    return cooperative


def _offer_as_buyer(offer_id: int) -> CounterOffer:
    offer = db.get_or_404(CounterOffer, offer_id)
    authorize(offer.request.buyer_id == current_user.id)
    return offer


def _seeing_cooperatives(bulk: BulkRequest) -> list[Cooperative]:
    """The cooperatives the signed-in user manages (as a named manager) that the request is aimed at."""
    cooperatives = db.session.scalars(
        select(Cooperative)
        .join(CooperativeManager, CooperativeManager.cooperative_id == Cooperative.id)
        .where(CooperativeManager.user_id == current_user.id)
        .order_by(Cooperative.name)
    )
    return [c for c in cooperatives if services.request_visible_to(c, bulk)]


def _coalition_of(bulk: BulkRequest) -> SellingCoalition | None:
    return db.session.scalars(select(SellingCoalition).where(SellingCoalition.request_id == bulk.id)).first()


def _has_page(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def take_url(cooperative: Cooperative, request_id: int) -> str | None:
    """The "make it a selling coalition" page for this request, once that page exists (its rule names the
    request either in the path, ``request_id``, or in the query string, ``?permintaan=``)."""
    if not _has_page(COALITION_FROM_REQUEST):
        return None
    arguments = set().union(*(r.arguments for r in current_app.url_map.iter_rules(COALITION_FROM_REQUEST)))
    if "request_id" in arguments:
        return url_for(COALITION_FROM_REQUEST, slug=cooperative.slug, request_id=request_id)
    return url_for(COALITION_FROM_REQUEST, slug=cooperative.slug, permintaan=request_id)


def _back(bulk: BulkRequest | int) -> BaseResponse:
    request_id = bulk if isinstance(bulk, int) else bulk.id
    return redirect(url_for("selling.request_detail", request_id=request_id))


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _offer_prefix(cooperative: Cooperative) -> str:
    return f"k{cooperative.id}"


# --- the buyer: post a request, list them -------------------------------------------------------------------


def _request_data(form: RequestForm) -> services.RequestData:
    return services.RequestData(
        organisation=form.organisation.data or "",
        title=form.title.data or "",
        sector=form.sector.data or "",
        quantity=form.quantity.data,
        unit=form.unit.data or "",
        grades=form.grades(),
        delivery_date=form.delivery_date.data,
        delivery_place=form.delivery_place.data or "",
        province_code=form.province_code.data or "",
        regency_code=form.regency_code.data or None,
        offer_deadline=form.offer_deadline_at(),
        notes=form.notes.data or "",
    )


# Service fields that are not the name of a form field.
_REQUEST_FIELDS = {"offer_deadline": "offer_deadline_date"}


def _render_request_form(form: RequestForm, grade_errors: list[str], status: int = 200) -> tuple[str, int]:
    return render_template("selling/requests/form.html", form=form, grade_errors=grade_errors), status


@bp.route("/permintaan/baru", methods=["GET", "POST"])
@login_required
def request_new() -> Any:
    form = RequestForm()
    form.setup()
    grade_errors: list[str] = []
    if request.method == "GET":
        return _render_request_form(form, grade_errors)
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)
    if form.nameless_price():
        grade_errors.append(_("Isi nama mutu pada setiap baris yang diberi harga."))
        valid = False
    elif not form.grades():
        grade_errors.append(_("Isi minimal satu mutu."))
        valid = False
    if valid:
        try:
            bulk = services.create_request(actor(), _request_data(form))
        except DomainError as error:
            if error.field == "grades":
                db.session.rollback()
                grade_errors.append(error.message)
            else:
                if error.field in _REQUEST_FIELDS:
                    error.field = _REQUEST_FIELDS[error.field]
                fail(error, form)
        else:
            db.session.commit()
            flash(_("Permintaan terkirim ke koperasi di wilayah dan kategori itu."), "success")
            return _back(bulk)
    return _render_request_form(form, grade_errors, status=422)


@bp.get("/permintaan")
@login_required
def request_list() -> str:
    requests = db.session.scalars(
        select(BulkRequest)
        .where(BulkRequest.buyer_id == current_user.id)
        .options(selectinload(BulkRequest.offers))
        .order_by(BulkRequest.created_at.desc(), BulkRequest.id.desc())
    ).all()
    return render_template(
        "selling/requests/index.html",
        requests=requests,
        pending={r.id: sum(o.status is OfferStatus.PENDING for o in r.offers) for r in requests},
        request_labels=REQUEST_STATUS_LABELS,
        unit_label=unit_label,
    )


# --- the request page -------------------------------------------------------------------------------------


def _render_detail(
    bulk: BulkRequest,
    *,
    forms: dict[int, OfferForm] | None = None,
    offer_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    is_buyer = bulk.buyer_id == current_user.id
    coalition = _coalition_of(bulk)
    accepted = services.accepted_offer(bulk)
    is_open = bulk.status is RequestStatus.OPEN
    # Still OPEN after the offer deadline until the scheduler closes it; offers are refused from then on.
    deadline = bulk.offer_deadline if bulk.offer_deadline.tzinfo else bulk.offer_deadline.replace(tzinfo=UTC)
    accepting = is_open and deadline > utcnow()
    desks = []
    for cooperative in _seeing_cooperatives(bulk):
        own = [o for o in bulk.offers if o.cooperative_id == cooperative.id]
        form = (forms or {}).get(cooperative.id)
        if form is None:
            form = offer_form(bulk.grades, unit_label(bulk.unit), prefix=_offer_prefix(cooperative))
        if accepted is not None:
            may_take = accepted.cooperative_id == cooperative.id and coalition is None
        else:
            may_take = accepting
        desks.append(
            {
                "cooperative": cooperative,
                "offers": own,
                "pending": next((o for o in own if o.status is OfferStatus.PENDING), None),
                "form": form,
                "errors": (offer_errors or {}).get(cooperative.id, []),
                "take_url": take_url(cooperative, bulk.id)
                if may_take and not cooperative.is_suspended
                else None,
            }
        )
    return (
        render_template(
            "selling/requests/detail.html",
            bulk=bulk,
            is_buyer=is_buyer,
            is_open=is_open,
            accepting=accepting,
            offers=bulk.offers if is_buyer or policy.is_admin(current_user) else [],
            accepted=accepted,
            coalition=coalition,
            coalition_link=coalition is not None and _has_page(COALITION_PAGE),
            desks=desks,
            action_form=ActionForm(formdata=None),
            request_labels=REQUEST_STATUS_LABELS,
            offer_labels=OFFER_STATUS_LABELS,
            unit=unit_label(bulk.unit),
        ),
        status,
    )


@bp.get("/permintaan/<int:request_id>")
@login_required
def request_detail(request_id: int) -> Any:
    return _render_detail(_bulk(request_id))


@bp.post("/permintaan/<int:request_id>/batalkan")
@login_required
def request_cancel(request_id: int) -> BaseResponse:
    bulk = _bulk(request_id)
    authorize(bulk.buyer_id == current_user.id)
    _check_csrf()
    try:
        services.cancel_request(actor(), bulk)
    except DomainError as error:
        fail(error)
        return _back(request_id)
    db.session.commit()
    flash(_("Permintaan dibatalkan; penawaran yang masih menunggu ditolak."), "success")
    return _back(request_id)


# --- the cooperatives: offer, withdraw, the list of open requests -------------------------------------------


@bp.post("/permintaan/<int:request_id>/tawar/<slug>")
@login_required
def offer_make(request_id: int, slug: str) -> Any:
    bulk = db.get_or_404(BulkRequest, request_id)
    cooperative = _managed_cooperative(slug)
    authorize(services.request_visible_to(cooperative, bulk))
    form = offer_form(
        bulk.grades, unit_label(bulk.unit), prefix=_offer_prefix(cooperative), formdata=request.form
    )
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_detail(bulk, forms={cooperative.id: form}, status=422)
    try:
        services.make_offer(actor(), cooperative, bulk, form.prices(), form.note.data or "")
    except DomainError as error:
        offer_errors: list[str] = []
        if error.field == "grades":
            db.session.rollback()
            offer_errors.append(error.message)
        else:
            fail(error, form)
        bulk = db.get_or_404(BulkRequest, request_id)
        return _render_detail(
            bulk, forms={cooperative.id: form}, offer_errors={cooperative.id: offer_errors}, status=422
        )
    db.session.commit()
    flash(_("Penawaran %(name)s terkirim ke pembeli.", name=cooperative.name), "success")
    return _back(request_id)


@bp.post("/tawaran/<int:offer_id>/tarik")
@login_required
def offer_withdraw(offer_id: int) -> BaseResponse:
    offer = db.get_or_404(CounterOffer, offer_id)
    authorize(policy.manages_cooperative(current_user, offer.cooperative))
    _check_csrf()
    request_id = offer.request_id
    try:
        services.withdraw_offer(actor(), offer)
    except DomainError as error:
        fail(error)
        return _back(request_id)
    db.session.commit()
    flash(_("Penawaran ditarik."), "success")
    return _back(request_id)


def _decide(offer_id: int, *, accept: bool) -> BaseResponse:
    offer = _offer_as_buyer(offer_id)
    _check_csrf()
    request_id = offer.request_id
    name = offer.cooperative.name
    try:
        services.decide_offer(actor(), offer, accept=accept)
    except DomainError as error:
        fail(error)
        return _back(request_id)
    db.session.commit()
    if accept:
        flash(
            _(
                "Penawaran %(name)s diterima. Koperasi akan membuka koalisi penjualan untuk permintaan ini.",
                name=name,
            ),
            "success",
        )
    else:
        flash(_("Penawaran %(name)s ditolak.", name=name), "success")
    return _back(request_id)


@bp.post("/tawaran/<int:offer_id>/terima")
@login_required
def offer_accept(offer_id: int) -> BaseResponse:
    return _decide(offer_id, accept=True)


@bp.post("/tawaran/<int:offer_id>/tolak")
@login_required
def offer_decline(offer_id: int) -> BaseResponse:
    return _decide(offer_id, accept=False)


@bp.get("/koperasi/<slug>/permintaan")
@login_required
def cooperative_requests(slug: str) -> str:
    cooperative = _managed_cooperative(slug)
    open_requests = services.open_requests_for(cooperative)
    own_offers = db.session.scalars(
        select(CounterOffer)
        .where(CounterOffer.cooperative_id == cooperative.id)
        .options(selectinload(CounterOffer.request))
        .order_by(CounterOffer.id)
    ).all()
    latest: dict[int, CounterOffer] = {}
    for offer in own_offers:  # in id order: the last one per request wins
        latest[offer.request_id] = offer
    taken_ids = set(
        db.session.scalars(
            select(SellingCoalition.request_id).where(SellingCoalition.request_id.in_(list(latest) or [0]))
        )
    )
    accepted = [
        o for o in latest.values() if o.status is OfferStatus.ACCEPTED and o.request_id not in taken_ids
    ]
    return render_template(
        "selling/requests/cooperative.html",
        cooperative=cooperative,
        open_requests=open_requests,
        latest=latest,
        accepted=accepted,
        take_url=take_url,
        offer_labels=OFFER_STATUS_LABELS,
        unit_label=unit_label,
    )
