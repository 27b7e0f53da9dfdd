"""Selling coalition pages: the cooperative's managers open a coalition (for a buyer they know, or from a
buyer's bulk request), publish, cancel and close it early, check the goods at the collection point and record
the members' payouts; members commit supply per grade and follow their allocation, quality control and
statement; the buyer decides on partial fulfilment, confirms receipt and pays.

Thin views: load the object and check who may see or act on it (403 otherwise), parse the form, call
``coalitions.selling.services``, commit once, redirect. A refused step (``DomainError``) is rolled back and
shown on the form that caused it, with what was typed (422). The buyer sees totals only: never a member's
name, settlement or payout.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from coalitions.forms import ActionForm, ReasonForm
from coalitions.models import ALLOCATION_RULE_LABELS
from coalitions.pages import fail, save_form
from coalitions.selling import bp, services
from coalitions.selling.forms import (
    CheckForm,
    CommitForm,
    PartialForm,
    PayoutForm,
    QuantityForm,
    SellingCoalitionForm,
    SharedCostForm,
)
from coalitions.selling.models import (
    SELLING_STATUS_LABELS,
    BulkRequest,
    Commitment,
    CommitmentStatus,
    MemberPayout,
    SellingCoalition,
    SellingStatus,
)
from coalitions.views import time_left
from marketplace.accounts import policy
from marketplace.catalog.models import unit_label
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.web import actor, authorize, forbid

S = SellingStatus
SETTLED_STATES = frozenset({S.DELIVERED, S.PAID, S.SETTLED})  # a settlement (payouts) exists
CLOSED_STATES = frozenset({S.COMMITTED, S.CHECKED, S.DELIVERED, S.PAID, S.SETTLED})  # allocated


def percent(fee_bp: int) -> str:
    """Basis points as a percentage in the reader's language: 500 → "5%", 250 → "2,5%" / "2.5%"."""
    return f"{format_decimal(Decimal(fee_bp) / 100, format='#,##0.##')}%"


def kilograms(grams: int) -> str:
    """Grams as kilograms in the reader's language: 312500 → "312,5" / "312.5"."""
    return str(format_decimal(Decimal(grams) / 1000, format="#,##0.###"))


def remaining(coalition: SellingCoalition) -> str:
    deadline = coalition.deadline if coalition.deadline.tzinfo else coalition.deadline.replace(tzinfo=UTC)
    return time_left(deadline - utcnow())


def _has_page(endpoint: str) -> bool:
    """Pages other modules write (payment, documents, requests) are linked only once they exist."""
    return endpoint in current_app.view_functions


def _page(template: str, **context: Any) -> str:
    return render_template(
        template,
        remaining=remaining,
        kilograms=kilograms,
        has_page=_has_page,
        selling_status_labels=SELLING_STATUS_LABELS,
        allocation_labels=ALLOCATION_RULE_LABELS,
        percent=percent,
        unit_label=unit_label,
        **context,
    )


# --- loading with permission --------------------------------------------------------------------------------


def _own_businesses() -> list[Business]:
    return list(
        db.session.scalars(
            select(Business).where(Business.owner_id == current_user.id).order_by(Business.name)
        )
    )


def _member_ids(cooperative_id: int, business_ids: set[int]) -> set[int]:
    if not business_ids:
        return set()
    return set(
        db.session.scalars(
            select(Membership.business_id).where(
                Membership.cooperative_id == cooperative_id,
                Membership.business_id.in_(business_ids),
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    )


def _involved_ids(coalition: SellingCoalition, business_ids: set[int]) -> set[int]:
    """The user's businesses that are members of the cooperative or have committed to this coalition."""
    if not business_ids:
        return set()
    committed = set(
        db.session.scalars(
            select(Commitment.business_id).where(
                Commitment.coalition_id == coalition.id, Commitment.business_id.in_(business_ids)
            )
        )
    )
    return committed | _member_ids(coalition.cooperative_id, business_ids)


def can_view(user: Any, coalition: SellingCoalition) -> bool:
    """The cooperative's managers and admins always; once published, the buyer and the owners of member
    businesses (and of businesses that committed) too."""
    if policy.manages_cooperative(user, coalition.cooperative) or policy.is_admin(user):
        return True
    if coalition.status is S.DRAFT or not getattr(user, "is_authenticated", False):
        return False
    if services.can_decide_as_buyer(user, coalition):
        return True
    owned = set(db.session.scalars(select(Business.id).where(Business.owner_id == user.id)))
    return bool(_involved_ids(coalition, owned))


def _managed_cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    return cooperative


def _coalition(coalition_id: int) -> SellingCoalition:
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    authorize(can_view(current_user, coalition))
    return coalition


def _managed_coalition(coalition_id: int) -> SellingCoalition:
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    return coalition


def _commitment_of(coalition: SellingCoalition, commitment_id: int) -> Commitment:
    commitment = db.get_or_404(Commitment, commitment_id)
    if commitment.coalition_id != coalition.id:
        abort(404)
    return commitment


def _own_commitment(coalition: SellingCoalition, commitment_id: int) -> Commitment:
    commitment = _commitment_of(coalition, commitment_id)
    authorize(policy.owns_business(current_user, commitment.business))
    return commitment


def _back(coalition: SellingCoalition | int, anchor: str | None = None) -> BaseResponse:
    coalition_id = coalition if isinstance(coalition, int) else coalition.id
    return redirect(url_for("selling.detail", coalition_id=coalition_id, _anchor=anchor))


def _action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _refused_csrf(form: Any) -> None:
    if form.csrf_token.errors:
        abort(400)


# --- the manager: list, create, edit, publish, cancel, close early ------------------------------------------


@bp.get("/koperasi/<slug>")
@login_required
def manage(slug: str) -> str:
    cooperative = _managed_cooperative(slug)
    coalitions = db.session.scalars(
        select(SellingCoalition)
        .where(SellingCoalition.cooperative_id == cooperative.id)
        .order_by(SellingCoalition.created_at.desc(), SellingCoalition.id.desc())
    ).all()
    now = utcnow()
    return _page(
        "selling/manage.html",
        cooperative=cooperative,
        coalitions=coalitions,
        progress={c.id: services.progress(c, now) for c in coalitions if c.status is S.OPEN},
    )


def _data(form: SellingCoalitionForm) -> services.CoalitionData:
    return services.CoalitionData(
        title=form.title.data or "",
        description=form.description.data or "",
        buyer_name=form.buyer_name.data or "",
        buyer_contact=form.buyer_contact.data or "",
        unit=form.unit.data or "",
        quantity=form.quantity.data,
        grades=form.grades(),
        collection_point=form.collection_point.data or "",
        collection_date=form.collection_date.data,
        deadline=form.deadline_at(),
        fee_bp=form.fee_bp.data or 0,
        shared_cost_idr=form.shared_cost_idr.data or 0,
        allocation_rule=form.allocation_rule.data,  # type: ignore[arg-type]
        delivery_date=form.delivery_date.data,
        delivery_place=form.delivery_place.data or "",
        commit_cap=form.commit_cap.data,
    )


def _save(form: SellingCoalitionForm, grade_errors: list[str], save: Any) -> SellingCoalition | None:
    return save_form(  # type: ignore[no-any-return]
        form,
        data=_data,
        save=save,
        rows_field="grades",
        row_errors=grade_errors,
        row_problem=form.grade_problem(),
    )


def _render_form(
    form: SellingCoalitionForm,
    cooperative: Cooperative,
    grade_errors: list[str],
    *,
    coalition: SellingCoalition | None = None,
    bulk_request: BulkRequest | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        _page(
            "selling/form.html",
            form=form,
            cooperative=cooperative,
            coalition=coalition,
            bulk_request=bulk_request or (coalition.request if coalition is not None else None),
            grade_errors=grade_errors,
        ),
        status,
    )


def _agreed_prices(cooperative: Cooperative, bulk_request: BulkRequest) -> dict[str, int | None]:
    """The prices a coalition from this request must use: the accepted counter-offer's, else the buyer's
    (None: the buyer asked for an offer, the manager names the price)."""
    offer = services.accepted_offer(bulk_request)
    if offer is not None and offer.cooperative_id == cooperative.id:
        return {p.grade: p.price_idr for p in offer.prices}
    return {g.grade: g.price_idr for g in bulk_request.grades}


def _request_for(cooperative: Cooperative, request_id: int) -> BulkRequest:
    bulk_request = db.get_or_404(BulkRequest, request_id)
    offer = services.accepted_offer(bulk_request)
    if offer is not None:
        authorize(offer.cooperative_id == cooperative.id)
    else:
        authorize(services.request_visible_to(cooperative, bulk_request))
    return bulk_request


def _new(slug: str, request_id: int | None) -> Any:
    cooperative = _managed_cooperative(slug)
    bulk_request = _request_for(cooperative, request_id) if request_id is not None else None
    form = SellingCoalitionForm()
    grade_errors: list[str] = []
    if request.method == "POST":
        coalition = _save(
            form,
            grade_errors,
            lambda data: services.create_coalition(actor(), cooperative, data, request=bulk_request),
        )
        if coalition is not None:
            db.session.commit()
            flash(
                _("Draf koalisi penjualan disimpan. Periksa lalu terbitkan agar anggota bisa ikut."),
                "success",
            )
            return _back(coalition)
        if bulk_request is not None:
            bulk_request = db.session.get(BulkRequest, bulk_request.id)
        return _render_form(form, cooperative, grade_errors, bulk_request=bulk_request, status=422)
    if bulk_request is not None:
        form.fill_from_request(bulk_request, _agreed_prices(cooperative, bulk_request))
    return _render_form(form, cooperative, grade_errors, bulk_request=bulk_request)


@bp.route("/koperasi/<slug>/baru", methods=["GET", "POST"])
@login_required
def new(slug: str) -> Any:
    """A coalition for a buyer the cooperative knows; ``?permintaan=<id>`` starts from a buyer's request."""
    raw = request.args.get("permintaan", "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            abort(404)
        return _new(slug, int(raw))
    return _new(slug, None)


@bp.route("/koperasi/<slug>/dari-permintaan/<int:request_id>", methods=["GET", "POST"])
@login_required
def new_from_request(slug: str, request_id: int) -> Any:
    return _new(slug, request_id)


@bp.route("/<int:coalition_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(coalition_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    if coalition.status is not S.DRAFT:
        flash(_("Hanya koalisi berstatus draf yang bisa diubah."), "error")
        return _back(coalition)
    form = SellingCoalitionForm(obj=coalition)
    grade_errors: list[str] = []
    if request.method == "POST":
        saved = _save(form, grade_errors, lambda data: services.update_draft(actor(), coalition, data))
        if saved is not None:
            db.session.commit()
            flash(_("Perubahan draf disimpan."), "success")
            return _back(saved)
        coalition = db.session.get(SellingCoalition, coalition_id)  # type: ignore[assignment]
        return _render_form(form, coalition.cooperative, grade_errors, coalition=coalition, status=422)
    form.fill(coalition)
    return _render_form(form, coalition.cooperative, grade_errors, coalition=coalition)


@bp.post("/<int:coalition_id>/terbitkan")
@login_required
def publish(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    _action()
    try:
        services.publish(actor(), coalition)
    except DomainError as error:
        fail(error)
    else:
        db.session.commit()
        flash(_("Koalisi diterbitkan: anggota sekarang bisa berkomitmen."), "success")
    return _back(coalition_id)


@bp.post("/<int:coalition_id>/batalkan")
@login_required
def cancel(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        for message in form.reason.errors:
            flash(message, "error")
        return _back(coalition)
    try:
        services.cancel(actor(), coalition, form.reason.data or "")
    except DomainError as error:
        fail(error)
        return _back(coalition_id)
    db.session.commit()
    flash(_("Koalisi dibatalkan; para anggota dan pembeli melihat alasan Anda."), "success")
    return _back(coalition_id)


@bp.post("/<int:coalition_id>/tutup")
@login_required
def close_early(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    _action()
    try:
        services.close(coalition, actor=actor(), early=True)
    except DomainError as error:
        fail(error)
        return _back(coalition_id)
    db.session.commit()
    flash(_("Koalisi ditutup lebih awal; bagian tiap anggota sudah dihitung."), "success")
    return _back(coalition_id)


# --- members: the list --------------------------------------------------------------------------------------


@bp.get("")
@login_required
def index() -> str:
    businesses = _own_businesses()
    ids = [b.id for b in businesses]
    now = utcnow()
    open_coalitions: list[SellingCoalition] = []
    committed: list[tuple[SellingCoalition, list[Commitment]]] = []
    payouts: list[MemberPayout] = []
    if ids:
        member_of = select(Membership.cooperative_id).where(
            Membership.business_id.in_(ids), Membership.status == MembershipStatus.ACTIVE
        )
        open_coalitions = list(
            db.session.scalars(
                select(SellingCoalition)
                .where(
                    SellingCoalition.status == S.OPEN,
                    SellingCoalition.deadline > now,
                    SellingCoalition.cooperative_id.in_(member_of),
                )
                .order_by(SellingCoalition.deadline, SellingCoalition.id)
            )
        )
        rows = db.session.scalars(
            select(Commitment)
            .where(Commitment.business_id.in_(ids), Commitment.status == CommitmentStatus.ACTIVE)
            .order_by(Commitment.created_at.desc(), Commitment.id.desc())
        ).all()
        by_coalition: dict[int, list[Commitment]] = {}
        for row in rows:
            by_coalition.setdefault(row.coalition_id, []).append(row)
        committed = [(rows_[0].coalition, rows_) for rows_ in by_coalition.values()]
        payouts = list(
            db.session.scalars(
                select(MemberPayout).where(MemberPayout.business_id.in_(ids)).order_by(MemberPayout.id.desc())
            )
        )
    as_buyer = list(
        db.session.scalars(
            select(SellingCoalition)
            .where(SellingCoalition.buyer_id == current_user.id, SellingCoalition.status != S.DRAFT)
            .order_by(SellingCoalition.created_at.desc(), SellingCoalition.id.desc())
        )
    )
    managed = list(
        db.session.scalars(
            select(Cooperative)
            .where(Cooperative.managers.any(user_id=current_user.id))
            .order_by(Cooperative.name)
        )
    )
    return _page(
        "selling/index.html",
        open_coalitions=open_coalitions,
        progress={c.id: services.progress(c, now) for c in open_coalitions},
        committed=committed,
        payouts=payouts,
        owed_total=sum(p.owed_idr for p in payouts),
        as_buyer=as_buyer,
        managed=managed,
    )


# --- the coalition page -------------------------------------------------------------------------------------


def _accepted_so_far(commitment: Commitment) -> int:
    return sum(c.accepted_qty for c in commitment.checks)


def _render_detail(
    coalition: SellingCoalition,
    *,
    commit_form: CommitForm | None = None,
    change_forms: dict[int, QuantityForm] | None = None,
    check_forms: dict[int, CheckForm] | None = None,
    payout_forms: dict[int, PayoutForm] | None = None,
    buyer_payment_form: PayoutForm | None = None,
    shared_cost_form: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    user = actor()
    now = utcnow()
    is_manager = policy.manages_cooperative(user, coalition.cooperative)
    is_buyer = services.can_decide_as_buyer(user, coalition)
    # Without a Gotong buyer the managers answer for the buyer they know (the services allow it).
    acts_as_buyer = is_buyer or (is_manager and coalition.buyer_id is None)
    progress = services.progress(coalition, now)
    businesses = _own_businesses()
    own_ids = {b.id for b in businesses}
    commitments = services.active_commitments(coalition)
    own_commitments = [c for c in commitments if c.business_id in own_ids]
    eligible = [b for b in businesses if services.may_commit(user, b, coalition)] if progress.is_open else []
    if commit_form is None:
        commit_form = CommitForm(formdata=None)
    commit_form.business_id.choices = [(b.id, b.name) for b in eligible]
    commit_form.grade.choices = [(g.grade, g.grade) for g in coalition.grades]
    forms = dict(change_forms or {})
    for c in own_commitments:
        forms.setdefault(c.id, QuantityForm(formdata=None, quantity=c.quantity))
    payouts = services.payouts_of(coalition) if coalition.status in SETTLED_STATES else []
    own_payouts = [p for p in payouts if p.business_id in own_ids]
    accepted_by_grade: dict[str, int] = {g.grade: 0 for g in coalition.grades}
    for c in commitments:
        accepted_by_grade[c.grade] = accepted_by_grade.get(c.grade, 0) + _accepted_so_far(c)
    qc_rows = [c for c in commitments if c.allocated_qty] if is_manager else []
    checks = [(c, check) for c in commitments for check in c.checks]
    check_forms = dict(check_forms or {})
    for c in qc_rows:
        check_forms.setdefault(c.id, CheckForm(formdata=None))
    payout_forms = dict(payout_forms or {})
    if is_manager:
        for p in payouts:
            payout_forms.setdefault(p.id, PayoutForm(formdata=None))
    return (
        _page(
            "selling/detail.html",
            coalition=coalition,
            progress=progress,
            unit=unit_label(coalition.unit),
            is_manager=is_manager,
            is_buyer=is_buyer,
            acts_as_buyer=acts_as_buyer,
            own_commitments=own_commitments,
            eligible=eligible,
            commit_form=commit_form,
            change_forms=forms,
            accepted_so_far=_accepted_so_far,
            accepted_by_grade=accepted_by_grade,
            accepted_total=sum(accepted_by_grade.values()),
            qc_rows=qc_rows,
            check_forms=check_forms,
            manager_checks=checks if is_manager else [],
            own_checks=[(c, check) for c, check in checks if c.business_id in own_ids],
            own_payouts=own_payouts,
            ledger=payouts if is_manager else [],
            payout_forms=payout_forms,
            buyer_payment_form=buyer_payment_form or PayoutForm(formdata=None, prefix="buyer"),
            buyer_owes=services.buyer_owes(coalition),
            shared_cost_form=shared_cost_form
            or SharedCostForm(formdata=None, shared_cost_idr=coalition.shared_cost_idr),
            action_form=ActionForm(formdata=None),
            reason_form=ReasonForm(formdata=None),
            partial_form=PartialForm(formdata=None),
            can_pay=_has_page("selling.pay"),
            SETTLED_STATES=SETTLED_STATES,
            CLOSED_STATES=CLOSED_STATES,
        ),
        status,
    )


@bp.get("/<int:coalition_id>")
@login_required
def detail(coalition_id: int) -> Any:
    return _render_detail(_coalition(coalition_id))


def _reloaded(coalition_id: int) -> SellingCoalition:
    return db.session.get(SellingCoalition, coalition_id)  # type: ignore[return-value]


@bp.post("/<int:coalition_id>/komitmen")
@login_required
def commit(coalition_id: int) -> Any:
    coalition = _coalition(coalition_id)
    form = CommitForm()
    own = _own_businesses()
    form.business_id.choices = [(b.id, b.name) for b in own]
    form.grade.choices = [(g.grade, g.grade) for g in coalition.grades]
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, commit_form=form, status=422)
    raw = form.business_id.data
    if raw is not None and not 0 < raw < 2**31:  # an id no row can have (a tampered form)
        abort(404)
    business = db.session.get(Business, raw) if raw else None
    if business is None:  # one business: the form has no choice to make
        eligible = [b for b in own if services.may_commit(actor(), b, coalition)]
        if not eligible:
            forbid()
        if len(eligible) > 1:
            abort(400)
        business = eligible[0]
    authorize(policy.owns_business(current_user, business))
    try:
        services.commit(actor(), business, coalition, form.grade.data or "", form.quantity.data)
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), commit_form=form, status=422)
    db.session.commit()
    flash(_("Komitmen %(name)s tercatat.", name=business.name), "success")
    return _back(coalition_id, "komitmen-anda")


@bp.post("/<int:coalition_id>/komitmen/<int:commitment_id>/ubah")
@login_required
def change(coalition_id: int, commitment_id: int) -> Any:
    coalition = _coalition(coalition_id)
    commitment = _own_commitment(coalition, commitment_id)
    form = QuantityForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, change_forms={commitment.id: form}, status=422)
    try:
        services.change_commitment(actor(), commitment, form.quantity.data)
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), change_forms={commitment_id: form}, status=422)
    db.session.commit()
    flash(_("Komitmen diubah."), "success")
    return _back(coalition_id, "komitmen-anda")


@bp.post("/<int:coalition_id>/komitmen/<int:commitment_id>/tarik")
@login_required
def withdraw(coalition_id: int, commitment_id: int) -> BaseResponse:
    coalition = _coalition(coalition_id)
    commitment = _own_commitment(coalition, commitment_id)
    _action()
    try:
        services.withdraw_commitment(actor(), commitment)
    except DomainError as error:
        fail(error)
        return _back(coalition_id)
    db.session.commit()
    flash(_("Komitmen ditarik."), "success")
    return _back(coalition_id)


# --- the buyer ----------------------------------------------------------------------------------------------


@bp.post("/<int:coalition_id>/keputusan-sebagian")
@login_required
def decide_partial(coalition_id: int) -> BaseResponse:
    coalition = _coalition(coalition_id)
    form = PartialForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        abort(400)
    accept = form.decision.data == "accept"
    try:
        services.decide_partial(actor(), coalition, accept=accept)
    except DomainError as error:
        fail(error)
        return _back(coalition_id)
    db.session.commit()
    if accept:
        flash(_("Anda menerima pemenuhan sebagian; anggota mulai mengantar barang."), "success")
    else:
        flash(_("Anda menolak pemenuhan sebagian; koalisi dinyatakan gagal."), "success")
    return _back(coalition_id)


@bp.post("/<int:coalition_id>/terima")
@login_required
def confirm_receipt(coalition_id: int) -> BaseResponse:
    coalition = _coalition(coalition_id)
    _action()
    try:
        services.confirm_receipt(actor(), coalition)
    except DomainError as error:
        fail(error)
        return _back(coalition_id)
    db.session.commit()
    flash(_("Penerimaan barang dikonfirmasi; tagihan untuk pembeli sudah dihitung."), "success")
    return _back(coalition_id)


# --- the manager after the close: quality control and payouts -----------------------------------------------


@bp.post("/<int:coalition_id>/komitmen/<int:commitment_id>/periksa")
@login_required
def record_check(coalition_id: int, commitment_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    commitment = _commitment_of(coalition, commitment_id)
    form = CheckForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, check_forms={commitment.id: form}, status=422)
    try:
        services.record_check(
            actor(),
            commitment,
            form.delivered.data,
            form.accepted.data,
            form.reason.data or "",
            ear_tag=form.ear_tag.data or None,
            weight_grams=form.weight.data,
        )
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), check_forms={commitment_id: form}, status=422)
    db.session.commit()
    flash(_("Pemeriksaan mutu %(name)s dicatat.", name=commitment.business.name), "success")
    return _back(coalition_id, f"qc-{commitment_id}")


@bp.post("/<int:coalition_id>/pembayaran-anggota/<int:payout_id>")
@login_required
def record_payout(coalition_id: int, payout_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    payout = db.get_or_404(MemberPayout, payout_id)
    if payout.coalition_id != coalition.id:
        abort(404)
    form = PayoutForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, payout_forms={payout.id: form}, status=422)
    try:
        services.record_payout(actor(), payout, form.amount.data, form.reference.data or "")
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), payout_forms={payout_id: form}, status=422)
    db.session.commit()
    flash(_("Pembayaran ke %(name)s dicatat.", name=payout.business.name), "success")
    return _back(coalition_id, "pembayaran-anggota")


@bp.post("/<int:coalition_id>/pembayaran-pembeli")
@login_required
def record_buyer_payment(coalition_id: int) -> Any:
    """A manager records what the buyer paid outside Gotong (a transfer seen in the account, cash)."""
    coalition = _managed_coalition(coalition_id)
    form = PayoutForm(prefix="buyer")
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, buyer_payment_form=form, status=422)
    try:
        services.record_buyer_payment(actor(), coalition, form.amount.data, form.reference.data or "")
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), buyer_payment_form=form, status=422)
    db.session.commit()
    flash(_("Pembayaran pembeli dicatat."), "success")
    return _back(coalition_id, "pembayaran-anggota")


@bp.post("/<int:coalition_id>/selesai-periksa")
@login_required
def finish_checks(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    _action()
    try:
        services.finish_checks(actor(), coalition)
    except DomainError as error:
        fail(error)
        return _back(coalition_id, "pemeriksaan")
    db.session.commit()
    flash(_("Pemeriksaan mutu selesai; pembeli diminta mengonfirmasi penerimaan."), "success")
    return _back(coalition_id, "pemeriksaan")


@bp.post("/<int:coalition_id>/buka-periksa")
@login_required
def reopen_checks(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    _action()
    try:
        services.reopen_checks(actor(), coalition)
    except DomainError as error:
        fail(error)
        return _back(coalition_id, "pemeriksaan")
    db.session.commit()
    flash(_("Pemeriksaan mutu dibuka lagi."), "success")
    return _back(coalition_id, "pemeriksaan")


@bp.post("/<int:coalition_id>/biaya-bersama")
@login_required
def set_shared_cost(coalition_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    form = SharedCostForm()
    if not form.validate_on_submit():
        _refused_csrf(form)
        return _render_detail(coalition, shared_cost_form=form, status=422)
    try:
        services.set_shared_cost(actor(), coalition, form.shared_cost_idr.data)
    except DomainError as error:
        fail(error, form)
        return _render_detail(_reloaded(coalition_id), shared_cost_form=form, status=422)
    db.session.commit()
    flash(_("Biaya bersama diubah."), "success")
    return _back(coalition_id, "pemeriksaan")
