"""The buyer's payment pages: one page per checkout that shows what is left to pay and how (the method's
own template: card form, transfer account and proof upload, cash instructions), the card confirmation
endpoint used by the page's script, a status endpoint it polls, and transfer proofs (private files)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
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
from flask_login import current_user
from sqlalchemy import select

from marketplace.database import write_unit
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.orders import services as order_services
from marketplace.orders.forms import ProofForm
from marketplace.orders.models import Checkout, Order, OrderStatus
from marketplace.orders.views import checkout_token, remember_checkout
from marketplace.payments import registry, services
from marketplace.payments.base import ChargeState, PaymentError, Settlement
from marketplace.payments.manual import transfer_account
from marketplace.payments.models import PAYMENT_STATUS_LABELS, Payment, PaymentStatus
from marketplace.web import authorize

bp = Blueprint("payments", __name__)


def _checkout(reference: str) -> Checkout:
    try:
        checkout = order_services.checkout_by_reference(reference)
    except NotFound:
        abort(404)
    allowed = order_services.can_view_checkout(current_user, checkout, checkout_token(reference))
    authorize(allowed)
    if request.args.get("k"):
        remember_checkout(checkout)
    return checkout


def _payment(reference: str) -> Payment:
    payment = db.session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()
    if payment is None:
        abort(404)
    return payment


def _description(checkout: Checkout) -> str:
    sellers = ", ".join(o.business.name for o in checkout.orders)
    return f"Gotong {checkout.reference}: {sellers}"[:200]


@bp.get("/bayar/<reference>")
def pay(reference: str):
    # Opening the page may make a payment attempt: a write unit, under the checkout's row lock.
    with write_unit():
        return _pay(reference)


def _pay(reference: str):  # type: ignore[no-untyped-def]
    checkout = _checkout(reference)
    provider = registry.get(checkout.payment_method)
    context: dict[str, Any] = {
        "checkout": checkout,
        "provider": provider,
        "status_labels": PAYMENT_STATUS_LABELS,
        "done_url": url_for("payments.pay", reference=checkout.reference),
        "status_url": url_for("payments.status", reference=checkout.reference),
    }
    if provider.settlement is Settlement.WHOLE_CHECKOUT:
        payment = None
        try:
            payment = order_services.payable_payment(checkout)
            if payment is not None:
                services.ensure_started(payment, _description(checkout), checkout.contact_email)
            db.session.commit()
        except PaymentError as error:
            db.session.rollback()
            flash(error.message, "error")
            payment = None
            context["unavailable"] = True
        context.update(
            payment=payment,
            card_confirm_url=url_for("payments.card_confirm", reference=payment.reference)
            if payment
            else None,
            stripe_js_url=current_app.config["STRIPE_JS_URL"],
        )
    else:
        rows = []
        for order in checkout.orders:
            payment = order_services.current_payment(order)
            if order.status is OrderStatus.PENDING_PAYMENT and (
                payment is None or payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED)
            ):
                payment = order_services.payable_payment(checkout, order)
            rows.append({"order": order, "payment": payment, "account": transfer_account(order.business)})
        db.session.commit()
        context.update(rows=rows, proof_form=ProofForm())
    return render_template("payments/pay.html", **context)


@bp.get("/bayar/<reference>/status")
def status(reference: str):
    checkout = _checkout(reference)
    orders = [{"number": o.number, "status": o.status.value, "paid": o.is_paid} for o in checkout.orders]
    open_orders = [
        o for o in checkout.orders if o.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    ]
    return jsonify(paid=bool(open_orders) and all(o.is_paid for o in open_orders), orders=orders)


@bp.post("/bayar/kartu/<reference>")
def card_confirm(reference: str):
    """The page tokenised the card with Stripe.js; we confirm the PaymentIntent. The amount is the payment's,
    set on the server when the intent was made: nothing in this request can change it."""
    payment = _payment(reference)
    checkout = payment.checkout
    if not order_services.can_view_checkout(current_user, checkout, checkout_token(checkout.reference)):
        return jsonify(error=_("Anda tidak punya akses ke pembayaran ini.")), 403
    body = request.get_json(silent=True) or {}
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.startswith("tok_") or len(token) > 100:
        return jsonify(error=_("Data kartu tidak terbaca. Isi lagi nomor kartunya.")), 400
    payment = services.lock(payment)
    try:
        result = services.confirm_card(payment, token)
    except PaymentError as error:
        db.session.rollback()
        return jsonify(state="failed", message=error.message, reload=True), 409
    db.session.commit()
    answer: dict[str, Any] = {"state": result.state.value}
    if result.state is ChargeState.REQUIRES_ACTION:
        answer["client_secret"] = result.client_secret
    if result.state is ChargeState.FAILED:
        answer["message"] = result.failure_message or _("Pembayaran gagal. Coba kartu lain.")
        answer["reload"] = True  # the next try gets a fresh payment attempt
    return jsonify(answer)


@bp.post("/bayar/transfer/<reference>/bukti")
def upload_proof(reference: str):
    payment = _payment(reference)
    checkout = payment.checkout
    authorize(order_services.can_view_checkout(current_user, checkout, checkout_token(checkout.reference)))
    form = ProofForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.proof.data
    if not upload or not upload.filename:
        flash(_("Pilih foto bukti transfer dulu."), "error")
        return redirect(url_for("payments.pay", reference=checkout.reference)), 303
    # Same lock order as the webhook and the expiry job (payment, then order): an upload cannot revive an
    # order that expired a moment ago.
    payment = services.lock(payment)
    order = order_services.lock_order(payment.single_order) if payment.single_order is not None else None
    if order is None or order.status is not OrderStatus.PENDING_PAYMENT:
        flash(_("Pesanan ini tidak menunggu pembayaran lagi."), "error")
        return redirect(url_for("payments.pay", reference=checkout.reference)), 303
    try:
        services.upload_proof(payment, upload.stream)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        _tell_reviewers(order)
        db.session.commit()
        flash(_("Bukti transfer terkirim. Penjual akan memeriksanya."), "success")
    return redirect(url_for("payments.pay", reference=checkout.reference)), 303


def _tell_reviewers(order: Order) -> None:
    """Tell the seller (or the managers of the cooperative that took the transfer), each in their language."""
    from flask_babel import force_locale

    from marketplace.mail.services import send_email

    receiver = transfer_account(order.business)
    people = [order.business.owner]
    if receiver is not None and receiver is not order.business:
        people += [m.user for m in receiver.managers]
    for person in {p.id: p for p in people}.values():
        with force_locale(person.locale or "id"):
            send_email(
                person.email,
                _("Bukti transfer untuk pesanan %(number)s", number=order.number),
                _(
                    "Pembeli mengunggah bukti transfer untuk pesanan %(number)s. Periksa rekening lalu "
                    "konfirmasi.",
                    number=order.number,
                ),
            )


@bp.get("/bayar/bukti/<reference>")
def proof(reference: str):
    payment = _payment(reference)
    order = payment.single_order
    if order is None:
        abort(404)
    allowed = order_services.can_view_checkout(
        current_user, payment.checkout, checkout_token(payment.checkout.reference)
    ) or order_services.can_review_payment(current_user, order)
    authorize(allowed)
    path = services.proof_file(payment)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
