"""Coalition money pages: a member secures a pledge with a card hold, pays its share after a success (card or
bank transfer with a proof), and a manager reviews the transfers. Provider calls happen outside the
coalition's lock: the row is made and committed first, then the provider's side is created under the
payment's own row lock.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from coalitions import bp, jobs, notices, payments, services
from coalitions.forms import ActionForm, ReviewForm
from coalitions.models import (
    COALITION_PAYMENT_STATUS_LABELS,
    SHARE_STATUS_LABELS,
    BuyingCoalition,
    CoalitionPayment,
    CoalitionPaymentStatus,
    MemberShare,
    PaymentKind,
    Pledge,
)
from marketplace.accounts import policy
from marketplace.catalog.models import unit_label
from marketplace.database import write_unit
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.orders.forms import ProofForm
from marketplace.payments.base import ChargeState, PaymentError
from marketplace.web import actor, authorize, forbid

P = CoalitionPaymentStatus


def _back(coalition_id: int) -> BaseResponse:
    return redirect(url_for("coalitions.detail", coalition_id=coalition_id))


def _own_pledge(coalition_id: int, pledge_id: int) -> Pledge:
    pledge = db.get_or_404(Pledge, pledge_id)
    if pledge.coalition_id != coalition_id:
        abort(404)
    authorize(policy.owns_business(current_user, pledge.business))
    return pledge


def _own_share(coalition_id: int, share_id: int) -> MemberShare:
    share = db.get_or_404(MemberShare, share_id)
    if share.coalition_id != coalition_id:
        abort(404)
    authorize(policy.owns_business(current_user, share.business))
    return share


def _payment(reference: str) -> CoalitionPayment:
    payment = payments.by_reference(reference)
    if payment is None:
        abort(404)
    return payment


def _description(payment: CoalitionPayment) -> str:
    what = _("Tahan dana") if payment.kind is PaymentKind.HOLD else _("Bagian")
    return f"Gotong {what} {payment.coalition.title} - {payment.business.name}"[:200]


def _start(payment_id: int) -> CoalitionPayment | None:
    """Create the provider's side under the payment's row lock (never the coalition's)."""
    payment = payments.lock(db.session.get(CoalitionPayment, payment_id))  # type: ignore[arg-type]
    try:
        payments.start_card(payment, _description(payment))
    except PaymentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    return payment


def _card_context(payment: CoalitionPayment, done_url: str) -> dict[str, Any]:
    return {
        "payment": payment,
        "provider": payments.online_provider(),
        "card_confirm_url": url_for("coalitions.card_confirm", reference=payment.reference),
        "status_url": url_for("coalitions.payment_status", reference=payment.reference),
        "done_url": done_url,
        "stripe_js_url": current_app.config["STRIPE_JS_URL"],
    }


@bp.get("/<int:coalition_id>/komitmen/<int:pledge_id>/tahan")
@login_required
def hold(coalition_id: int, pledge_id: int) -> Any:
    """The card form that authorizes the pledge's worst case."""
    pledge = _own_pledge(coalition_id, pledge_id)
    with write_unit():
        db.session.rollback()  # end the read begun by the user loader: the write begins IMMEDIATE
        pledge = db.session.get(Pledge, pledge_id)  # type: ignore[assignment]
        coalition = services.lock_coalition(pledge.coalition)
        db.session.refresh(pledge)
        if not payments.needs_hold(pledge):
            db.session.rollback()
            flash(_("Dana untuk komitmen ini sudah ditahan."), "success")
            return _back(coalition_id)
        try:
            hold = payments.open_hold(actor(), pledge)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            flash(error.message, "error")
            return _back(coalition_id)
        hold_id = hold.id
        db.session.commit()
    with write_unit():
        started = _start(hold_id)
    if started is None:
        return _back(coalition_id)
    done = url_for("coalitions.detail", coalition_id=coalition_id, _anchor=f"komitmen-{pledge_id}")
    return render_template(
        "coalitions/hold.html",
        coalition=coalition,
        pledge=pledge,
        unit=unit_label(coalition.unit),
        **_card_context(started, done),
    )


@bp.get("/<int:coalition_id>/bagian/<int:share_id>/bayar")
@login_required
def pay_share(coalition_id: int, share_id: int) -> Any:
    """What the share owes and how to pay it: the open attempt (card form or transfer details with the proof
    upload), or the choice of method (a POST: choosing replaces an unfinished attempt)."""
    share = _own_share(coalition_id, share_id)
    coalition = share.coalition
    context: dict[str, Any] = {
        "coalition": coalition,
        "share": share,
        "unit": unit_label(coalition.unit),
        "card_enabled": payments.card_enabled(),
        "share_labels": SHARE_STATUS_LABELS,
        "payment_labels": COALITION_PAYMENT_STATUS_LABELS,
        "payment": None,
        "choose_form": ActionForm(formdata=None),
    }
    current = payments.open_attempt(share) if share.owed_idr > 0 else None
    if current is not None and current.kind is PaymentKind.CARD and current.status is P.PENDING:
        with write_unit():
            db.session.rollback()  # end the read begun by the user loader: the write begins IMMEDIATE
            started = _start(current.id)
        if started is not None:
            done = url_for("coalitions.pay_share", coalition_id=coalition_id, share_id=share_id)
            context.update(_card_context(started, done))
    elif current is not None and current.kind is PaymentKind.TRANSFER:
        context.update(payment=current, proof_form=ProofForm())
    elif current is not None:  # a card payment being processed
        context["payment"] = current
    return render_template("coalitions/pay.html", **context)


@bp.post("/<int:coalition_id>/bagian/<int:share_id>/bayar")
@login_required
def choose_payment(coalition_id: int, share_id: int) -> BaseResponse:
    share = _own_share(coalition_id, share_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    how = request.form.get("cara", "")
    if how not in ("kartu", "transfer"):
        abort(400)
    kind = PaymentKind.CARD if how == "kartu" else PaymentKind.TRANSFER
    back = redirect(url_for("coalitions.pay_share", coalition_id=coalition_id, share_id=share_id))
    with write_unit():
        try:
            payments.attempt(actor(), payments.lock_share(share), kind)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            flash(error.message, "error")
            return back
        db.session.commit()
    jobs.settle_holds(coalition_id=coalition_id)  # stop a replaced card attempt at the provider
    return back


@bp.post("/bayar/<reference>/kartu")
@login_required
def card_confirm(reference: str) -> Any:
    """The page tokenised the card with Stripe.js; we confirm. The amount was set on the server."""
    payment = _payment(reference)
    if not policy.owns_business(current_user, payment.business):
        return jsonify(error=_("Anda tidak punya akses ke pembayaran ini.")), 403
    body = request.get_json(silent=True) or {}
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.startswith("tok_") or len(token) > 100:
        return jsonify(error=_("Data kartu tidak terbaca. Isi lagi nomor kartunya.")), 400
    with write_unit():
        _share, payment = payments.lock_with_share(payment)
        try:
            result = payments.confirm_card(payment, token)
        except PaymentError as error:
            db.session.rollback()
            return jsonify(state="failed", message=error.message, reload=True), 409
        coalition_id = payment.coalition_id
        released_at_once = payment.kind is PaymentKind.HOLD and payment.settle_action == "release"
        db.session.commit()
    if result.state is ChargeState.AUTHORIZED:
        jobs.settle_holds(coalition_id=coalition_id)  # release the holds this one replaced
    if released_at_once:
        # The pledge grew, was withdrawn or the coalition closed while the card was being confirmed.
        message = _(
            "Komitmen atau koalisi berubah sementara kartu diproses; dana dilepas. Muat ulang halaman."
        )
        return jsonify(state="failed", message=message, reload=True), 409
    answer: dict[str, Any] = {"state": result.state.value}
    if result.state is ChargeState.REQUIRES_ACTION:
        answer["client_secret"] = result.client_secret
    if result.state is ChargeState.FAILED:
        answer["message"] = result.failure_message or _("Pembayaran gagal. Coba kartu lain.")
        answer["reload"] = True
    return jsonify(answer)


@bp.get("/bayar/<reference>/status")
@login_required
def payment_status(reference: str) -> Any:
    payment = _payment(reference)
    if not policy.owns_business(current_user, payment.business):
        return jsonify(error=_("Anda tidak punya akses ke pembayaran ini.")), 403
    if payment.status is P.PROCESSING and payment.kind is PaymentKind.HOLD:
        with write_unit():
            db.session.rollback()  # end the read begun by the user loader: the write begins IMMEDIATE
            payment = payments.lock(db.session.get(CoalitionPayment, payment.id))  # type: ignore[arg-type]
            try:
                payments.refresh(payment)
            except PaymentError:
                db.session.rollback()
            else:
                db.session.commit()
    done = payment.status in (P.AUTHORIZED, P.SUCCEEDED)
    return jsonify(
        paid=done,
        status=payment.status.value,
        reload=payment.status in (P.FAILED, P.CANCELLED),
    )


@bp.post("/bayar/<reference>/bukti")
@login_required
def upload_proof(reference: str) -> BaseResponse:
    payment = _payment(reference)
    authorize(policy.owns_business(current_user, payment.business))
    back = redirect(
        url_for(
            "coalitions.pay_share",
            coalition_id=payment.coalition_id,
            share_id=payment.share_id,
            cara="transfer",
        )
    )
    form = ProofForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.proof.data
    if not upload or not upload.filename:
        flash(_("Pilih foto bukti transfer dulu."), "error")
        return back
    with write_unit():
        _share, payment = payments.lock_with_share(payment)
        try:
            payments.upload_proof(actor(), payment, upload.stream)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return back
        notices.transfer_uploaded(payment)
        db.session.commit()
    flash(_("Bukti transfer terkirim. Pengurus koperasi akan memeriksanya."), "success")
    return redirect(
        url_for("coalitions.pay_share", coalition_id=payment.coalition_id, share_id=payment.share_id)
    )


@bp.get("/bayar/<reference>/bukti")
@login_required
def proof(reference: str) -> Any:
    payment = _payment(reference)
    authorize(
        policy.owns_business(current_user, payment.business)
        or policy.manages_cooperative(current_user, payment.coalition.cooperative)
    )
    path = payments.proof_file(payment)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:coalition_id>/transfer/<reference>/periksa")
@login_required
def review_transfer(coalition_id: int, reference: str) -> BaseResponse:
    coalition = db.get_or_404(BuyingCoalition, coalition_id)
    authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    payment = _payment(reference)
    if payment.coalition_id != coalition.id:
        abort(404)
    form = ReviewForm()

    def again(message: str) -> Any:
        """The coalition page again, with this transfer's form as it was typed and the error beside it."""
        from coalitions.views import _render_detail

        typed = {"decision": form.decision.data or "", "note": form.note.data or "", "error": message}
        return _render_detail(coalition, review_state={payment.id: typed}, status=422)

    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return again(_("Pilih keputusan untuk transfer ini."))
    approve = form.decision.data == "approve"
    with write_unit():
        try:
            payments.review_transfer(actor(), payment, approve=approve, note=form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            return again(error.message)
        notices.transfer_reviewed(payment, approve)
        db.session.commit()
    flash(
        _("Transfer dikonfirmasi.") if approve else _("Bukti transfer ditolak; anggota diberi tahu."),
        "success",
    )
    return _back(coalition_id)
