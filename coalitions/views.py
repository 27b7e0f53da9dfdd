"""Buying coalition pages: the manager drafts, publishes, cancels and closes early; members see the
coalitions they may join, follow the live progress, and pledge, change or withdraw.

Thin views: load the object and check who may act on it (403 otherwise), parse the form, call
``coalitions.services``, commit once, redirect. A refused step (``DomainError``) is rolled back and shown on
the form that caused it, with what was typed (422).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.wrappers import Response as BaseResponse

from coalitions import bp, fulfilment, jobs, notices, payments, services
from coalitions.engine import Outcome
from coalitions.forms import ActionForm, CoalitionForm, PledgeForm, QuantityNoteForm, ReasonForm, ReviewForm
from coalitions.models import (
    ALLOCATION_RULE_LABELS,
    COALITION_PAYMENT_STATUS_LABELS,
    COALITION_STATUS_LABELS,
    JOIN_POLICY_LABELS,
    PAYMENT_MODE_LABELS,
    SHARE_STATUS_LABELS,
    BuyingCoalition,
    CoalitionInvitation,
    CoalitionStatus,
    MemberShare,
    Pledge,
    PledgeStatus,
)
from coalitions.pages import fail, save_form
from marketplace.accounts import policy
from marketplace.catalog.models import unit_label
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.web import actor, authorize

S = CoalitionStatus
OUTCOME_LABELS = {
    Outcome.SUCCESS: _l("Berhasil"),
    Outcome.BELOW_MOQ: _l("Gagal: jumlah minimum pesanan tidak tercapai"),
    Outcome.ORDER_BELOW_MOQ: _l("Gagal: setelah pembulatan kemasan dan kapasitas, di bawah minimum"),
}


# --- loading with permission --------------------------------------------------------------------------------


def _managed_cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    return cooperative


def _coalition(coalition_id: int) -> BuyingCoalition:
    """Drafts are the managers' own; every other coalition can be seen by any signed-in user."""
    coalition = db.get_or_404(BuyingCoalition, coalition_id)
    if coalition.status is S.DRAFT:
        authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    return coalition


def _managed_coalition(coalition_id: int) -> BuyingCoalition:
    coalition = db.get_or_404(BuyingCoalition, coalition_id)
    authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    return coalition


def _own_pledge(coalition: BuyingCoalition, pledge_id: int) -> Pledge:
    pledge = db.get_or_404(Pledge, pledge_id)
    if pledge.coalition_id != coalition.id:
        abort(404)
    authorize(policy.owns_business(current_user, pledge.business))
    return pledge


def _back(coalition: BuyingCoalition) -> BaseResponse:
    return redirect(url_for("coalitions.detail", coalition_id=coalition.id))


# --- small helpers for templates ----------------------------------------------------------------------------


def time_left(delta: timedelta) -> str:
    if delta <= timedelta(0):
        return _("Waktu habis")
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if days:
        return _("%(d)d hari %(h)d jam lagi", d=days, h=hours)
    if hours:
        return _("%(h)d jam %(m)d menit lagi", h=hours, m=minutes)
    return _("%(m)d menit lagi", m=max(minutes, 1))


@bp.app_context_processor
def _coalition_helpers() -> dict[str, Any]:
    return {
        "coalition_status_labels": COALITION_STATUS_LABELS,
        "unit_label": unit_label,
        "time_left": time_left,
    }


# --- the manager: list, create, edit, publish, cancel, close early ----------------------------------------


@bp.get("/koperasi/<slug>")
@login_required
def manage(slug: str) -> str:
    cooperative = _managed_cooperative(slug)
    coalitions = db.session.scalars(
        select(BuyingCoalition)
        .where(BuyingCoalition.cooperative_id == cooperative.id)
        .order_by(BuyingCoalition.created_at.desc(), BuyingCoalition.id.desc())
    ).all()
    return render_template(
        "coalitions/manage.html",
        cooperative=cooperative,
        coalitions=coalitions,
        progress={c.id: services.progress(c) for c in coalitions if c.status is S.OPEN},
        savings=fulfilment.cooperative_savings(cooperative.id),
    )


def _data(form: CoalitionForm) -> services.CoalitionData:
    return services.CoalitionData(
        title=form.title.data or "",
        description=form.description.data or "",
        supplier_name=form.supplier_name.data or "",
        supplier_contact=form.supplier_contact.data or "",
        unit=form.unit.data or "",
        tiers=form.tiers(),
        moq=form.moq.data,
        pack_size=form.pack_size.data or 1,
        capacity=form.capacity.data,
        deadline=form.deadline_at(),
        shared_cost_idr=form.shared_cost_idr.data or 0,
        allocation_rule=form.allocation_rule.data,  # type: ignore[arg-type]
        join_policy=form.join_policy.data,  # type: ignore[arg-type]
        payment_mode=form.payment_mode.data,  # type: ignore[arg-type]
        payment_due_days=form.payment_due_days.data,
    )


def _save(form: CoalitionForm, tier_errors: list[str], save: Any) -> BuyingCoalition | None:
    problem = (
        _("Isi jumlah dan harga pada setiap baris tingkat harga yang dipakai.")
        if form.half_filled_tier()
        else None
    )
    return save_form(  # type: ignore[no-any-return]
        form, data=_data, save=save, rows_field="tiers", row_errors=tier_errors, row_problem=problem
    )


def _render_form(
    form: CoalitionForm,
    cooperative: Cooperative,
    tier_errors: list[str],
    *,
    coalition: BuyingCoalition | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "coalitions/form.html",
            form=form,
            cooperative=cooperative,
            coalition=coalition,
            tier_errors=tier_errors,
        ),
        status,
    )


@bp.route("/koperasi/<slug>/baru", methods=["GET", "POST"])
@login_required
def new(slug: str) -> Any:
    cooperative = _managed_cooperative(slug)
    form = CoalitionForm()
    tier_errors: list[str] = []
    if request.method == "POST":
        coalition = _save(form, tier_errors, lambda data: services.create_draft(actor(), cooperative, data))
        if coalition is not None:
            db.session.commit()
            flash(_("Draf koalisi disimpan. Periksa lalu terbitkan agar anggota bisa ikut."), "success")
            return _back(coalition)
        return _render_form(form, cooperative, tier_errors, status=422)
    return _render_form(form, cooperative, tier_errors)


@bp.route("/<int:coalition_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(coalition_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    if coalition.status is not S.DRAFT:
        flash(_("Hanya koalisi berstatus draf yang bisa diubah."), "error")
        return _back(coalition)
    form = CoalitionForm(obj=coalition)
    tier_errors: list[str] = []
    if request.method == "POST":
        saved = _save(form, tier_errors, lambda data: services.update_draft(actor(), coalition, data))
        if saved is not None:
            db.session.commit()
            flash(_("Perubahan draf disimpan."), "success")
            return _back(saved)
        return _render_form(form, coalition.cooperative, tier_errors, coalition=coalition, status=422)
    form.fill(coalition)
    return _render_form(form, coalition.cooperative, tier_errors, coalition=coalition)


@bp.post("/<int:coalition_id>/terbitkan")
@login_required
def publish(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.publish(actor(), coalition)
    except DomainError as error:
        fail(error)
    else:
        db.session.commit()
        flash(_("Koalisi diterbitkan: anggota sekarang bisa ikut."), "success")
    return _back(coalition)


@bp.post("/<int:coalition_id>/batalkan")
@login_required
def cancel(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for message in form.reason.errors:
            flash(message, "error")
        return _back(coalition)
    try:
        services.cancel(actor(), coalition, form.reason.data or "")
    except DomainError as error:
        fail(error)
        return _back(coalition)
    db.session.commit()
    notices.coalition_cancelled(coalition)
    db.session.commit()
    jobs.settle_holds(coalition_id=coalition.id)
    flash(_("Koalisi dibatalkan; para anggota melihat alasan Anda."), "success")
    return _back(coalition)


@bp.post("/<int:coalition_id>/tutup")
@login_required
def close_early(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.close(coalition, actor=actor(), early=True)
    except DomainError as error:
        fail(error)
        return _back(coalition)
    db.session.commit()
    _after_close(coalition.id)
    flash(_("Koalisi ditutup lebih awal."), "success")
    return _back(coalition)


def _after_close(coalition_id: int) -> None:
    """After the close committed: tell everyone, then capture / release the card holds."""
    notices.coalition_closed(coalition_id)
    db.session.commit()
    jobs.settle_holds(coalition_id=coalition_id)


# --- members: the list and the coalition page ---------------------------------------------------------------


def _own_businesses() -> list[Business]:
    return list(
        db.session.scalars(
            select(Business).where(Business.owner_id == current_user.id).order_by(Business.name)
        )
    )


@bp.get("")
@login_required
def index() -> str:
    businesses = _own_businesses()
    ids = [b.id for b in businesses]
    now = utcnow()
    open_coalitions: list[BuyingCoalition] = []
    joined: list[BuyingCoalition] = []
    if ids:
        member_of = select(Membership.cooperative_id).where(
            Membership.business_id.in_(ids), Membership.status == MembershipStatus.ACTIVE
        )
        invited_to = select(CoalitionInvitation.coalition_id).where(CoalitionInvitation.business_id.in_(ids))
        candidates = db.session.scalars(
            select(BuyingCoalition)
            .where(
                BuyingCoalition.status == S.OPEN,
                BuyingCoalition.deadline > now,
                or_(BuyingCoalition.cooperative_id.in_(member_of), BuyingCoalition.id.in_(invited_to)),
            )
            .order_by(BuyingCoalition.deadline, BuyingCoalition.id)
        ).all()
        open_coalitions = [c for c in candidates if any(services.may_join(actor(), b, c) for b in businesses)]
        pledged_in = select(Pledge.coalition_id).where(
            Pledge.business_id.in_(ids), Pledge.status == PledgeStatus.ACTIVE
        )
        joined = [
            c
            for c in db.session.scalars(
                select(BuyingCoalition)
                .where(BuyingCoalition.id.in_(pledged_in))
                .order_by(BuyingCoalition.deadline.desc(), BuyingCoalition.id.desc())
            )
            if c not in open_coalitions
        ]
    managed = list(
        db.session.scalars(
            select(Cooperative)
            .where(Cooperative.managers.any(user_id=current_user.id))
            .order_by(Cooperative.name)
        )
    )
    own_shares = (
        db.session.scalars(select(MemberShare).where(MemberShare.business_id.in_(ids))).all() if ids else []
    )
    return render_template(
        "coalitions/index.html",
        my_savings=sum(fulfilment.member_savings(s) for s in own_shares),
        owed=[s for s in own_shares if s.owed_idr and s.status.value in ("due", "defaulted")],
        open_coalitions=open_coalitions,
        joined=joined,
        managed=managed,
        progress={c.id: services.progress(c, now=now) for c in open_coalitions},
    )


def _eligible_businesses(coalition: BuyingCoalition) -> list[Business]:
    return [b for b in _own_businesses() if services.may_join(actor(), b, coalition)]


def _render_detail(
    coalition: BuyingCoalition,
    *,
    pledge_form: PledgeForm | None = None,
    change_forms: dict[int, PledgeForm] | None = None,
    review_state: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    progress = services.progress(coalition)
    businesses = _own_businesses()
    own_ids = {b.id for b in businesses}
    eligible = [b for b in businesses if services.may_join(actor(), b, coalition)]
    own_pledges = [p for p in coalition.active_pledges if p.business_id in own_ids]
    pledged_ids = {p.business_id for p in own_pledges}
    free = [b for b in eligible if b.id not in pledged_ids]
    if pledge_form is None:
        pledge_form = PledgeForm(formdata=None)
    pledge_form.business_id.choices = [(b.id, b.name) for b in free]
    forms = dict(change_forms or {})
    for p in own_pledges:
        forms.setdefault(p.id, PledgeForm(formdata=None, quantity=p.quantity, tolerance=p.tolerance or None))
    shares = list(
        db.session.scalars(
            select(MemberShare)
            .where(MemberShare.coalition_id == coalition.id, MemberShare.business_id.in_(own_ids or {0}))
            .order_by(MemberShare.id)
        )
    )
    manager = policy.manages_cooperative(current_user, coalition.cooperative)
    all_shares = fulfilment.shares_of(coalition) if manager and coalition.is_closed else []
    return (
        render_template(
            "coalitions/detail.html",
            coalition=coalition,
            progress=progress,
            own_pledges=own_pledges,
            costs={p.id: services.member_costs(coalition, p) for p in own_pledges},
            free_businesses=free,
            pledge_form=pledge_form,
            change_forms=forms,
            shares=shares,
            is_manager=manager,
            action_form=ActionForm(formdata=None),
            reason_form=ReasonForm(formdata=None),
            outcome_labels=OUTCOME_LABELS,
            allocation_labels=ALLOCATION_RULE_LABELS,
            join_labels=JOIN_POLICY_LABELS,
            payment_labels=PAYMENT_MODE_LABELS,
            unit=unit_label(coalition.unit),
            holds={p.id: payments.covering_hold(p) for p in own_pledges}
            if coalition.payment_mode.value == "card_hold"
            else {},
            savings={s.id: fulfilment.member_savings(s) for s in [*shares, *all_shares]},
            all_shares=all_shares,
            transfers=payments.awaiting_review(coalition) if manager else [],
            share_labels=SHARE_STATUS_LABELS,
            coalition_payment_labels=COALITION_PAYMENT_STATUS_LABELS,
            review_form=ReviewForm(formdata=None),
            quantity_form=QuantityNoteForm(formdata=None),
            handed_over_total=sum(s.handed_over_qty for s in all_shares),
            paid_units=fulfilment.paid_units,
            review_state=review_state or {},
        ),
        status,
    )


@bp.get("/<int:coalition_id>")
@login_required
def detail(coalition_id: int) -> Any:
    return _render_detail(_coalition(coalition_id))


@bp.post("/<int:coalition_id>/ikut")
@login_required
def pledge(coalition_id: int) -> Any:
    coalition = _coalition(coalition_id)
    form = PledgeForm()
    eligible = _eligible_businesses(coalition)
    form.business_id.choices = [(b.id, b.name) for b in eligible]
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_detail(coalition, pledge_form=form, status=422)
    business = db.session.get(Business, form.business_id.data) if form.business_id.data else None
    if business is None and len(eligible) == 1:
        business = eligible[0]
    if business is None:
        abort(400)
    authorize(policy.owns_business(current_user, business))
    try:
        made = services.pledge(actor(), business, coalition, form.quantity.data, form.tolerance.data or 0)
    except DomainError as error:
        fail(error, form)
        return _render_detail(db.session.get(BuyingCoalition, coalition_id), pledge_form=form, status=422)  # type: ignore[arg-type]
    db.session.commit()
    flash(_("Komitmen %(name)s tercatat.", name=business.name), "success")
    return _after_pledge(coalition, made)


def _after_pledge(coalition: BuyingCoalition, pledge: Pledge) -> BaseResponse:
    """Card-hold mode: a pledge that no hold covers goes on to the card form."""
    if payments.needs_hold(pledge):
        flash(
            _("Langkah terakhir: tahan dana di kartu Anda agar komitmen ini dihitung saat koalisi ditutup."),
            "info",
        )
        return redirect(url_for("coalitions.hold", coalition_id=coalition.id, pledge_id=pledge.id))
    return _back(coalition)


@bp.post("/<int:coalition_id>/komitmen/<int:pledge_id>/ubah")
@login_required
def change(coalition_id: int, pledge_id: int) -> Any:
    coalition = _coalition(coalition_id)
    pledge = _own_pledge(coalition, pledge_id)
    form = PledgeForm()
    form.business_id.choices = [(pledge.business_id, pledge.business.name)]
    form.business_id.data = pledge.business_id
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_detail(coalition, change_forms={pledge.id: form}, status=422)
    try:
        changed = services.change_pledge(actor(), pledge, form.quantity.data, form.tolerance.data or 0)
    except DomainError as error:
        fail(error, form)
        coalition = db.session.get(BuyingCoalition, coalition_id)  # type: ignore[assignment]
        return _render_detail(coalition, change_forms={pledge_id: form}, status=422)
    db.session.commit()
    flash(_("Komitmen diubah."), "success")
    return _after_pledge(coalition, changed)


@bp.post("/<int:coalition_id>/komitmen/<int:pledge_id>/tarik")
@login_required
def withdraw(coalition_id: int, pledge_id: int) -> BaseResponse:
    coalition = _coalition(coalition_id)
    pledge = _own_pledge(coalition, pledge_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(actor(), pledge)
    except DomainError as error:
        fail(error)
        return _back(coalition)
    db.session.commit()
    jobs.settle_holds(coalition_id=coalition.id)  # release its card hold
    flash(_("Komitmen ditarik."), "success")
    return _back(coalition)
