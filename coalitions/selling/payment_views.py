"""The buyer's payment pages of a selling coalition (card or bank transfer with a proof), the managers' review
of transfers, and the papers: the buyer's invoice (faktur) and each member's settlement statement.

Provider calls never run under the coalition's lock except the card confirmation (which must not charge a
debt that a confirmed transfer settled meanwhile): the row is made and committed first, then the provider's
side is created under the payment's own row lock.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as BaseResponse

from coalitions.forms import ActionForm, ReviewForm
from coalitions.models import COALITION_PAYMENT_STATUS_LABELS, CoalitionPaymentStatus
from coalitions.selling import bp, documents, notices, payments, services
from coalitions.selling.models import (
    SELLING_STATUS_LABELS,
    BuyerPayment,
    MemberPayout,
    SellingCoalition,
)
from marketplace.accounts import policy
from marketplace.catalog.models import unit_label
from marketplace.cooperatives.models import Business
from marketplace.database import write_unit
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.orders.forms import ProofForm
from marketplace.payments.base import ChargeState, PaymentError
from marketplace.web import actor, authorize, forbid

P = CoalitionPaymentStatus
METHODS = {"kartu": payments.CARD, "transfer": payments.TRANSFER}


def _coalition_url(coalition_id: int, *, anchor: str | None = None) -> str:
    """The coalition's own page (``selling.detail``), or the pay page when there is none."""
    try:
        return url_for("selling.detail", coalition_id=coalition_id, _anchor=anchor)
    except BuildError:
        return url_for("selling.pay", coalition_id=coalition_id)


def _pay_url(coalition_id: int) -> str:
    return url_for("selling.pay", coalition_id=coalition_id)


def _payment(reference: str) -> BuyerPayment:
    payment = payments.by_reference(reference)
    if payment is None:
        abort(404)
    return payment


def _buyers(coalition_id: int) -> SellingCoalition:
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    authorize(payments.may_pay(current_user, coalition))
    return coalition


def _managed(coalition_id: int) -> SellingCoalition:
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    return coalition


def _start(payment_id: int) -> BuyerPayment | None:
    """Create the provider's side under the payment's row lock (never the coalition's)."""
    payment = payments.lock(db.session.get(BuyerPayment, payment_id))  # type: ignore[arg-type]
    try:
        payments.start_card(payment)
    except PaymentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    return payment


def _base_context(coalition: SellingCoalition) -> dict[str, Any]:
    return {
        "coalition": coalition,
        "unit": unit_label(coalition.unit),
        "lines": documents.invoice_lines(coalition) if coalition.buyer_total_idr is not None else [],
        "owed": payments.owed(coalition),
        "status_labels": SELLING_STATUS_LABELS,
        "payment_labels": COALITION_PAYMENT_STATUS_LABELS,
        "back_url": _coalition_url(coalition.id),
    }


# --- the buyer's pay page ---------------------------------------------------------------------------------


@bp.get("/<int:coalition_id>/bayar")
@login_required
def pay(coalition_id: int) -> Any:
    """What the buyer owes for the accepted goods and how to pay it: the open attempt (card form, or
    transfer details with the proof upload), or the choice of method (a POST)."""
    coalition = _buyers(coalition_id)
    context = _base_context(coalition)
    context.update(
        manager_view=False,
        card_enabled=payments.card_enabled(),
        payment=None,
        choose_form=ActionForm(formdata=None),
    )
    current = payments.open_attempt(coalition) if context["owed"] > 0 else None
    if current is not None and current.kind == payments.CARD and current.status == P.PENDING:
        with write_unit():
            db.session.rollback()  # end the read begun by the user loader: the write begins IMMEDIATE
            started = _start(current.id)
        if started is not None:
            context.update(
                payment=started,
                provider=payments.online_provider(),
                card_confirm_url=url_for("selling.card_confirm", reference=started.reference),
                status_url=url_for("selling.payment_status", reference=started.reference),
                done_url=_pay_url(coalition_id),
                stripe_js_url=current_app.config["STRIPE_JS_URL"],
            )
        coalition = db.session.get(SellingCoalition, coalition_id)  # type: ignore[assignment]
        context["coalition"] = coalition
    elif current is not None and current.kind == payments.TRANSFER:
        context.update(payment=current, proof_form=ProofForm())
    elif current is not None:  # a card payment being processed
        context["payment"] = current
    return render_template("selling/pay.html", **context)


@bp.post("/<int:coalition_id>/bayar")
@login_required
def choose_payment(coalition_id: int) -> BaseResponse:
    """The buyer picks card or transfer. A card attempt made at the provider that is not reused is stopped
    there first, so that it can never be charged as well."""
    coalition = _buyers(coalition_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    kind = METHODS.get(request.form.get("cara", ""))
    if kind is None:
        abort(400)
    back = redirect(_pay_url(coalition_id))
    owed = payments.owed(coalition)
    for _round in range(5):  # at most a few declined attempts are left open at the provider
        old = payments.replaceable_card(coalition)
        if old is None:
            break
        reused = kind == payments.CARD and old.status == P.PENDING and old.amount_idr == owed
        if reused:
            break
        with write_unit():
            try:
                stopped = payments.stop_card(payments.lock(old))
            except PaymentError as error:
                db.session.rollback()
                flash(error.message, "error")
                return back
            db.session.commit()
        if not stopped:
            flash(_("Pembayaran kartu sedang diproses; tunggu sebentar lalu muat ulang halaman."), "error")
            return back
    with write_unit():
        try:
            payments.attempt(actor(), services.lock(coalition_id), kind)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            flash(error.message, "error")
            return back
        db.session.commit()
    return back


@bp.post("/bayar/<reference>/kartu")
@login_required
def card_confirm(reference: str) -> Any:
    """The page tokenised the card with Stripe.js; we confirm. The amount was set on the server."""
    payment = _payment(reference)
    if not payments.may_pay(current_user, payment.coalition):
        return jsonify(error=_("Anda tidak punya akses ke pembayaran ini.")), 403
    body = request.get_json(silent=True) or {}
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.startswith("tok_") or len(token) > 100:
        return jsonify(error=_("Data kartu tidak terbaca. Isi lagi nomor kartunya.")), 400
    with write_unit():
        coalition, payment = payments.lock_with_coalition(payment)
        try:
            result = payments.confirm_card(coalition, payment, token)
        except PaymentError as error:
            db.session.rollback()
            return jsonify(state="failed", message=error.message, reload=True), 409
        db.session.commit()
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
    if not payments.may_pay(current_user, payment.coalition):
        return jsonify(error=_("Anda tidak punya akses ke pembayaran ini.")), 403
    status = payments.status_of(payment)
    return jsonify(
        paid=status is P.SUCCEEDED,
        status=status.value,
        reload=status in (P.FAILED, P.CANCELLED),
    )


@bp.post("/bayar/<reference>/bukti")
@login_required
def upload_proof(reference: str) -> BaseResponse:
    payment = _payment(reference)
    authorize(payments.may_pay(current_user, payment.coalition))
    back = redirect(_pay_url(payment.coalition_id))
    form = ProofForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.proof.data
    if not upload or not upload.filename:
        flash(_("Pilih foto bukti transfer dulu."), "error")
        return back
    with write_unit():
        coalition, payment = payments.lock_with_coalition(payment)
        try:
            payments.upload_proof(actor(), coalition, payment, upload.stream)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            flash(error.message, "error")
            return back
        notices.transfer_uploaded(payment)
        db.session.commit()
    flash(_("Bukti transfer terkirim. Pengurus koperasi akan memeriksanya."), "success")
    return back


@bp.get("/bayar/<reference>/bukti")
@login_required
def payment_proof(reference: str) -> Any:
    payment = _payment(reference)
    authorize(payments.may_see(current_user, payment.coalition))
    path = payments.proof_file(payment)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the managers' review of transfers --------------------------------------------------------------------


def _render_transfers(
    coalition: SellingCoalition, review_state: dict[int, dict[str, str]] | None = None, status: int = 200
) -> Any:
    context = _base_context(coalition)
    context.update(
        manager_view=True,
        transfers=payments.awaiting_review(coalition),
        history=payments.payments_of(coalition),
        review_form=ReviewForm(formdata=None),
        review_state=review_state or {},
    )
    return render_template("selling/pay.html", **context), status


@bp.get("/<int:coalition_id>/transfer")
@login_required
def transfers(coalition_id: int) -> Any:
    """The managers' view of what the buyer owes and paid, with the transfers waiting to be checked."""
    return _render_transfers(_managed(coalition_id))


@bp.post("/<int:coalition_id>/transfer/<reference>/periksa")
@login_required
def review_transfer(coalition_id: int, reference: str) -> Any:
    coalition = _managed(coalition_id)
    payment = _payment(reference)
    if payment.coalition_id != coalition.id:
        abort(404)
    form = ReviewForm()

    def again(message: str) -> Any:
        """The page again, with this transfer's form as it was typed and the error beside it."""
        typed = {"decision": form.decision.data or "", "note": form.note.data or "", "error": message}
        return _render_transfers(coalition, {payment.id: typed}, status=422)

    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return again(_("Pilih keputusan untuk transfer ini."))
    approve = form.decision.data == "approve"
    with write_unit():
        try:
            _coalition, payment = payments.review_transfer(
                actor(), payment, approve=approve, note=form.note.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                forbid()
            coalition = db.session.get(SellingCoalition, coalition_id)  # type: ignore[assignment]
            payment = db.session.get(BuyerPayment, payment.id)  # type: ignore[assignment]
            return again(error.message)
        notices.transfer_reviewed(payment, approve)
        db.session.commit()
    flash(
        _("Transfer dikonfirmasi.") if approve else _("Bukti transfer ditolak; pembeli diberi tahu."),
        "success",
    )
    return redirect(url_for("selling.transfers", coalition_id=coalition_id))


# --- papers -----------------------------------------------------------------------------------------------


def _download(body: bytes, file_name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Names and amounts: never kept by a proxy, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<int:coalition_id>/faktur.pdf")
@login_required
def invoice_pdf(coalition_id: int) -> Response:
    """The buyer's invoice for the accepted goods: for the buyer and the cooperative's managers."""
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    authorize(payments.may_see(current_user, coalition))
    if not documents.has_invoice(coalition):
        abort(404)
    return _download(documents.invoice_pdf(coalition), f"faktur-{coalition.id}.pdf")


@bp.get("/<int:coalition_id>/pernyataan/<int:business_id>.pdf")
@login_required
def statement_pdf(coalition_id: int, business_id: int) -> Response:
    """A member's settlement statement: for the member business's owner and the cooperative's managers."""
    coalition = db.get_or_404(SellingCoalition, coalition_id)
    business = db.get_or_404(Business, business_id)
    authorize(
        policy.owns_business(current_user, business)
        or policy.manages_cooperative(current_user, coalition.cooperative)
    )
    payout = db.session.scalars(
        select(MemberPayout).where(
            MemberPayout.coalition_id == coalition.id, MemberPayout.business_id == business.id
        )
    ).one_or_none()
    if payout is None:
        abort(404)
    return _download(documents.statement_pdf(payout), f"pernyataan-{coalition.id}-{business.id}.pdf")
