"""The manager's work after a success (ordered, goods received, handed over, defaults absorbed or
re-allocated) and invitations of businesses of other cooperatives. Thin: permission, form, service, commit."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from coalitions import bp, fulfilment, jobs, notices, services
from coalitions.forms import ActionForm, InviteForm, QuantityNoteForm
from coalitions.models import BuyingCoalition, CoalitionInvitation, CoalitionStatus, JoinPolicy, MemberShare
from coalitions.views import _managed_coalition
from marketplace.cooperatives.models import Business, Membership, MembershipStatus
from marketplace.database import write_unit
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.web import actor, forbid

S = CoalitionStatus


def _share(coalition: BuyingCoalition, share_id: int) -> MemberShare:
    share = db.get_or_404(MemberShare, share_id)
    if share.coalition_id != coalition.id:
        abort(404)
    return share


def _back(coalition: BuyingCoalition, anchor: str | None = None) -> BaseResponse:
    return redirect(url_for("coalitions.detail", coalition_id=coalition.id, _anchor=anchor))


def _run(coalition: BuyingCoalition, step: Any, success: str, anchor: str | None = None) -> BaseResponse:
    with write_unit():
        try:
            result = step()
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            flash(error.message, "error")
            return _back(coalition, anchor)
        db.session.commit()
    flash(success if isinstance(success, str) else success(result), "success")
    return _back(coalition, anchor)


def _action(coalition: BuyingCoalition) -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/<int:coalition_id>/dipesan")
@login_required
def mark_ordered(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    _action(coalition)
    return _run(
        coalition,
        lambda: fulfilment.mark_ordered(actor(), coalition),
        _("Tercatat: pesanan sudah dikirim ke pemasok."),
    )


def _quantity_form(coalition: BuyingCoalition, anchor: str) -> QuantityNoteForm | BaseResponse:
    form = QuantityNoteForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for errors in (form.quantity.errors, form.note.errors):
            for message in errors:
                flash(message, "error")
        return _back(coalition, anchor)
    return form


@bp.post("/<int:coalition_id>/terima")
@login_required
def record_receipt(coalition_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    form = _quantity_form(coalition, "penerimaan")
    if not isinstance(form, QuantityNoteForm):
        return form
    before = coalition.status
    response = _run(
        coalition,
        lambda: fulfilment.record_receipt(actor(), coalition, form.quantity.data, form.note.data or ""),
        _("Penerimaan barang dicatat."),
        "penerimaan",
    )
    db.session.refresh(coalition)
    if before is not S.RECEIVED and coalition.status is S.RECEIVED:  # this delivery completed it
        with write_unit():
            notices.goods_ready(coalition)
            db.session.commit()
    return response


@bp.post("/<int:coalition_id>/bagian/<int:share_id>/serahkan")
@login_required
def hand_over(coalition_id: int, share_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    share = _share(coalition, share_id)
    form = _quantity_form(coalition, f"bagian-{share.id}")
    if not isinstance(form, QuantityNoteForm):
        return form
    return _run(
        coalition,
        lambda: fulfilment.hand_over(actor(), coalition, share, form.quantity.data),
        _("Serah terima ke %(name)s dicatat.", name=share.business.name),
        f"bagian-{share.id}",
    )


@bp.post("/<int:coalition_id>/bagian/<int:share_id>/ambil-alih")
@login_required
def absorb(coalition_id: int, share_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    share = _share(coalition, share_id)
    _action(coalition)
    response = _run(
        coalition,
        lambda: fulfilment.absorb(actor(), coalition, share),
        _("Bagian %(name)s diambil alih koperasi.", name=share.business.name),
        "anggota",
    )
    jobs.settle_holds(coalition_id=coalition.id)
    return response


@bp.post("/<int:coalition_id>/bagian/<int:share_id>/alihkan")
@login_required
def reallocate(coalition_id: int, share_id: int) -> BaseResponse:
    coalition = _managed_coalition(coalition_id)
    share = _share(coalition, share_id)
    _action(coalition)
    given: dict[int, int] = {}

    def step() -> dict[int, int]:
        given.update(fulfilment.reallocate(actor(), coalition, share))
        notices.extra_units(coalition, given)
        return given

    response = _run(
        coalition,
        step,
        _("Bagian %(name)s dialihkan.", name=share.business.name),
        "anggota",
    )
    jobs.settle_holds(coalition_id=coalition.id)
    return response


# --- invitations ----------------------------------------------------------------------------------------


def _candidates(coalition: BuyingCoalition, query: str) -> list[Business]:
    """Active businesses that are not members of the coalition's cooperative, matching the search."""
    members = select(Membership.business_id).where(
        Membership.cooperative_id == coalition.cooperative_id, Membership.status == MembershipStatus.ACTIVE
    )
    invited = select(CoalitionInvitation.business_id).where(CoalitionInvitation.coalition_id == coalition.id)
    statement = (
        select(Business)
        .where(Business.id.not_in(members), Business.id.not_in(invited))
        .order_by(Business.name)
        .limit(20)
    )
    statement = statement.where(Business.suspended_at.is_(None))
    query = query.strip()
    if query:
        statement = statement.where(func.lower(Business.name).contains(query.lower()[:80], autoescape=True))
    return list(db.session.scalars(statement))


@bp.route("/<int:coalition_id>/undang", methods=["GET", "POST"])
@login_required
def invite(coalition_id: int) -> Any:
    coalition = _managed_coalition(coalition_id)
    if coalition.join_policy is not JoinPolicy.MEMBERS_AND_INVITED:
        flash(_("Koalisi ini hanya untuk anggota koperasi; ubah pengaturannya untuk mengundang."), "error")
        return _back(coalition)
    query = request.values.get("q", "")[:80]
    candidates = _candidates(coalition, query) if query.strip() else []
    form = InviteForm()
    form.business_id.choices = [(b.id, b.name) for b in candidates]
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        business = db.session.get(Business, form.business_id.data or 0)
        if business is None:
            abort(404)
        with write_unit():
            try:
                services.invite(actor(), coalition, business)
            except DomainError as error:
                db.session.rollback()
                if isinstance(error, PermissionDenied):
                    forbid()
                flash(error.message, "error")
                return redirect(url_for("coalitions.invite", coalition_id=coalition.id, q=query))
            notices.invited(coalition, business)
            db.session.commit()
        flash(_("%(name)s diundang.", name=business.name), "success")
        return redirect(url_for("coalitions.invite", coalition_id=coalition.id, q=query))
    return render_template(
        "coalitions/invite.html",
        coalition=coalition,
        query=query,
        candidates=candidates,
        form=InviteForm(formdata=None),
    )
