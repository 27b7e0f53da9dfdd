"""The seller's side of orders: the order list, one order's page with the steps legal now, and the
cooperative managers' queue of bank transfers to confirm.

Thin views: load the business (403 for anyone who may not edit it) and the order (404 unless it belongs to
that business), parse the form, call ``orders.services``, commit once, redirect back to the order. A refused
step (a ``DomainError``) is rolled back and shown; a form with typed input is shown again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from marketplace.accounts import policy
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.orders import notifications, services
from marketplace.orders.forms import ActionForm, ReasonForm, ReviewTransferForm, ShipForm
from marketplace.orders.models import (
    DELIVERY_LABELS,
    ORDER_STATUS_LABELS,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderStatus,
)
from marketplace.payments import registry
from marketplace.payments.manual import transfer_account
from marketplace.payments.models import PAYMENT_STATUS_LABELS, Payment, PaymentStatus, payment_orders
from marketplace.web import actor, authorize

bp = Blueprint("sales", __name__)

PER_PAGE = 20
O = OrderStatus  # noqa: E741 (as in services: reads like the state diagram)

# The list's tabs besides one per status. "perlu" (the default) is what the seller has to act on.
NEEDS_ACTION = "perlu"
TRANSFERS = "transfer"
ALL = "semua"
TAB_LABELS = {
    NEEDS_ACTION: _l("Perlu diproses"),
    TRANSFERS: _l("Cek transfer"),
    ALL: _l("Semua"),
}


# --- loading with permission --------------------------------------------------------------------------------


def _business(slug: str) -> Business:
    business = db.one_or_404(select(Business).where(Business.slug == slug))
    authorize(policy.can_edit_business(current_user, business))
    return business


def _order(business: Business, number: str) -> Order:
    """The order, only under the business it belongs to (another business's number is a 404 here)."""
    try:
        order = services.order_by_number(number)
    except NotFound:
        abort(404)
    if order.business_id != business.id:
        abort(404)
    return order


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    return cooperative


# --- small helpers for templates ----------------------------------------------------------------------------


def items_summary(order: Order, shown: int = 2) -> str:
    parts = [f"{line.title} × {line.quantity}" for line in order.lines[:shown]]
    rest = len(order.lines) - shown
    if rest > 0:
        parts.append(_("+%(n)d lainnya", n=rest))
    return ", ".join(parts)


def _awaiting_review() -> ColumnElement[bool]:
    """The order has a transfer proof waiting to be checked."""
    return exists().where(
        payment_orders.c.order_id == Order.id,
        Payment.id == payment_orders.c.payment_id,
        Payment.status == PaymentStatus.AWAITING_REVIEW,
    )


def _count(business: Business, condition: ColumnElement[bool]) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Order).where(Order.business_id == business.id, condition)
    )


@dataclass(frozen=True)
class Steps:
    """Which fulfilment steps are legal for the order now (the services refuse the rest anyway)."""

    pack: bool
    ship: bool
    ready: bool
    complete: bool
    complete_blocked: bool  # delivered or ready, but the cash is not recorded yet
    cash_paid: bool
    review: bool
    cancel: bool


def _steps(order: Order, payment: Payment | None) -> Steps:
    provider = registry.providers().get(order.payment_method)
    on_handover = bool(provider and provider.paid_on_handover)
    delivery = order.checkout.delivery_method is DeliveryMethod.DELIVERY
    handed_over = order.status in (O.SHIPPED, O.READY_FOR_PICKUP)
    return Steps(
        pack=order.status is O.PAID or (order.status is O.PENDING_PAYMENT and on_handover),
        ship=order.status is O.PACKED and delivery,
        ready=order.status is O.PACKED and not delivery,
        complete=handed_over and order.is_paid,
        complete_blocked=handed_over and not order.is_paid,
        cash_paid=(
            on_handover
            and not order.is_paid
            and order.is_open
            and payment is not None
            and payment.status is PaymentStatus.PENDING
        ),
        review=(
            payment is not None
            and payment.status is PaymentStatus.AWAITING_REVIEW
            and services.can_review_payment(current_user, order)
        ),
        cancel=order.status in services.SELLER_CANCELLABLE,
    )


def _refunds_online(payment: Payment | None) -> bool:
    provider = registry.providers().get(payment.method) if payment is not None else None
    return bool(provider and provider.refunds_online)


def _fail(error: DomainError, form: Any = None) -> None:
    db.session.rollback()
    if isinstance(error, PermissionDenied):
        abort(403)
    if form is None or not apply_domain_error(form, error):
        flash(error.message, "error")


# --- the order list -----------------------------------------------------------------------------------------


@bp.get("/usaha/<slug>/pesanan")
@login_required
def orders(slug: str) -> str:
    business = _business(slug)
    tab = request.args.get("status") or NEEDS_ACTION
    status = OrderStatus(tab) if tab in set(OrderStatus) else None
    if status is None and tab not in TAB_LABELS:
        tab = NEEDS_ACTION
    query: Select[tuple[Order]] = services.seller_orders(business, status)
    if tab == NEEDS_ACTION:
        query = query.where(services.needs_action())
    elif tab == TRANSFERS:
        query = query.where(Order.status == O.PENDING_PAYMENT, _awaiting_review())
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    counts = services.seller_status_counts(business)
    return render_template(
        "orders/sales/list.html",
        business=business,
        page=page,
        tab=tab,
        status=status,
        counts=counts,
        total=sum(counts.values()),
        needs_action=_count(business, services.needs_action()),
        transfers=_count(business, and_(Order.status == O.PENDING_PAYMENT, _awaiting_review())),
        tab_labels=TAB_LABELS,
        status_labels=ORDER_STATUS_LABELS,
        items_summary=items_summary,
    )


# --- one order ----------------------------------------------------------------------------------------------


def _render_order(
    business: Business,
    order: Order,
    *,
    ship_form: ShipForm | None = None,
    cancel_form: ReasonForm | None = None,
    reject_form: ReviewTransferForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    payment = services.current_payment(order)
    events = db.session.scalars(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .options(selectinload(OrderEvent.actor))
        .order_by(OrderEvent.id)
    ).all()
    return (
        render_template(
            "orders/sales/detail.html",
            business=business,
            order=order,
            checkout=order.checkout,
            payment=payment,
            events=events,
            steps=_steps(order, payment),
            refunds_online=_refunds_online(payment),
            account=transfer_account(business) if order.payment_method == "bank_transfer" else None,
            ship_form=ship_form or ShipForm(formdata=None),
            cancel_form=cancel_form or ReasonForm(formdata=None),
            reject_form=reject_form or ReviewTransferForm(formdata=None),
            action_form=ActionForm(formdata=None),
            payment_labels=PAYMENT_STATUS_LABELS,
            delivery_labels=DELIVERY_LABELS,
        ),
        status,
    )


@bp.get("/usaha/<slug>/pesanan/<number>")
@login_required
def order(slug: str, number: str) -> tuple[str, int]:
    business = _business(slug)
    return _render_order(business, _order(business, number))


def _back(business: Business, order: Order) -> BaseResponse:
    return redirect(url_for("sales.order", slug=business.slug, number=order.number))


def _step(
    slug: str, number: str, run: Callable[[Any, Order], Any], message: Callable[[Order], str]
) -> BaseResponse:
    """A step that needs only a button (and its CSRF token): run it, commit, say what happened."""
    business = _business(slug)
    order = _order(business, number)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not services.can_manage_order(current_user, order):
        abort(403)
    try:
        run(actor(), order)
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(message(order), "success")
    return _back(business, order)


@bp.post("/usaha/<slug>/pesanan/<number>/kemas")
@login_required
def pack(slug: str, number: str) -> BaseResponse:
    return _step(
        slug,
        number,
        services.mark_packed,
        lambda o: _("Pesanan %(number)s ditandai sedang dikemas.", number=o.number),
    )


@bp.post("/usaha/<slug>/pesanan/<number>/siap-diambil")
@login_required
def ready_for_pickup(slug: str, number: str) -> BaseResponse:
    return _step(
        slug,
        number,
        services.mark_ready_for_pickup,
        lambda o: _(
            "Pesanan %(number)s siap diambil. Kabari pembeli lewat WhatsApp agar segera mengambilnya.",
            number=o.number,
        ),
    )


@bp.post("/usaha/<slug>/pesanan/<number>/selesai")
@login_required
def complete(slug: str, number: str) -> BaseResponse:
    return _step(
        slug, number, services.mark_completed, lambda o: _("Pesanan %(number)s selesai.", number=o.number)
    )


@bp.post("/usaha/<slug>/pesanan/<number>/lunas-tunai")
@login_required
def cash_paid(slug: str, number: str) -> BaseResponse:
    return _step(
        slug,
        number,
        services.mark_cash_paid,
        lambda o: _("Pembayaran tunai pesanan %(number)s dicatat lunas.", number=o.number),
    )


def _form_step(
    slug: str,
    number: str,
    form_name: str,
    form: Any,
    allowed: Callable[[Any, Order], bool],
    run: Callable[[Any, Order, Any], Order],
    message: Callable[[Order], str],
) -> Any:
    """A step with typed input: invalid input or a refused step shows the order again (422) with what was
    typed; otherwise commit, say what happened and go back to the order."""
    business = _business(slug)
    order = _order(business, number)
    if not form.validate_on_submit():
        return _render_order(business, order, status=422, **{form_name: form})
    if not allowed(current_user, order):
        abort(403)
    try:
        order = run(actor(), order, form)
    except DomainError as error:
        _fail(error, form)
        return _render_order(business, order, status=422, **{form_name: form})
    db.session.commit()
    flash(message(order), "success")
    return _back(business, order)


def _ship(user: Any, order: Order, form: ShipForm) -> Order:
    services.mark_shipped(user, order, form.courier.data or "", form.tracking_number.data or "")
    return order


@bp.post("/usaha/<slug>/pesanan/<number>/kirim")
@login_required
def ship(slug: str, number: str) -> Any:
    return _form_step(
        slug,
        number,
        "ship_form",
        ShipForm(),
        services.can_manage_order,
        _ship,
        lambda o: _(
            "Pesanan %(number)s dikirim lewat %(courier)s, resi %(tracking)s. Pembeli bisa melacaknya.",
            number=o.number,
            courier=o.courier,
            tracking=o.tracking_number,
        ),
    )


def _cancel(user: Any, order: Order, form: ReasonForm) -> Order:
    # A card payment is refunded through Stripe here; if Stripe cannot be reached the whole cancel is rolled
    # back, so the order, its stock and its payment stay as they were.
    cancelled = services.cancel_order(user, order, form.reason.data or "", by="seller")
    notifications.order_cancelled(cancelled, by="seller")
    return cancelled


def _cancelled_message(order: Order) -> str:
    if order.status is O.REFUNDED:
        return _(
            "Pesanan %(number)s dibatalkan, stok dikembalikan, dan pembayaran kartu dikembalikan "
            "ke pembeli lewat Stripe.",
            number=order.number,
        )
    return _("Pesanan %(number)s dibatalkan dan stoknya dikembalikan.", number=order.number)


@bp.post("/usaha/<slug>/pesanan/<number>/batalkan")
@login_required
def cancel(slug: str, number: str) -> Any:
    return _form_step(
        slug, number, "cancel_form", ReasonForm(), services.can_manage_order, _cancel, _cancelled_message
    )


@bp.post("/usaha/<slug>/pesanan/<number>/konfirmasi-transfer")
@login_required
def confirm_transfer(slug: str, number: str) -> Any:
    business = _business(slug)
    order = _order(business, number)
    form = ReviewTransferForm()
    if not form.validate_on_submit():
        for message in form.note.errors:
            flash(message, "error")
        return _back(business, order)
    if not services.can_review_payment(current_user, order):
        abort(403)
    try:
        services.review_transfer(actor(), order, approve=True, note=form.note.data or "")
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(
            _("Transfer pesanan %(number)s dikonfirmasi. Pesanan siap dikemas.", number=order.number),
            "success",
        )
    return _back(business, order)


def _reject(user: Any, order: Order, form: ReviewTransferForm) -> Order:
    services.review_transfer(user, order, approve=False, note=form.note.data or "")
    return order


@bp.post("/usaha/<slug>/pesanan/<number>/tolak-transfer")
@login_required
def reject_transfer(slug: str, number: str) -> Any:
    return _form_step(
        slug,
        number,
        "reject_form",
        ReviewTransferForm(),
        services.can_review_payment,
        _reject,
        lambda o: _(
            "Bukti transfer pesanan %(number)s ditolak. Pembeli melihat alasan Anda dan bisa mengirim "
            "bukti yang benar.",
            number=o.number,
        ),
    )


# --- the cooperative's transfers to confirm -----------------------------------------------------------------


def _render_transfers(
    cooperative: Cooperative,
    *,
    failed: Order | None = None,
    form: ReviewTransferForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    query = (
        select(Order)
        .join(Business, Business.id == Order.business_id)
        .where(
            # Transfers into this cooperative's account: members without an account of their own.
            Business.bank_account_number.is_(None),
            exists().where(
                Membership.business_id == Business.id,
                Membership.cooperative_id == cooperative.id,
                Membership.status == MembershipStatus.ACTIVE,
            ),
            Order.status == O.PENDING_PAYMENT,
            _awaiting_review(),
        )
        .options(selectinload(Order.lines), selectinload(Order.checkout), selectinload(Order.business))
        .order_by(Order.created_at, Order.id)
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    payments = {o.id: services.current_payment(o) for o in page.items}
    return (
        render_template(
            "orders/sales/transfers.html",
            cooperative=cooperative,
            page=page,
            payments=payments,
            accounts={o.id: transfer_account(o.business) for o in page.items},
            failed=failed,
            failed_form=form,
            action_form=ReviewTransferForm(formdata=None),
            items_summary=items_summary,
        ),
        status,
    )


def _cooperative_order(cooperative: Cooperative, number: str) -> Order:
    try:
        order = services.order_by_number(number)
    except NotFound:
        abort(404)
    if transfer_account(order.business) is not cooperative:
        abort(404)  # the money did not go to this cooperative's account: not its managers' to confirm
    return order


@bp.get("/koperasi/<slug>/transfer")
@login_required
def transfers(slug: str) -> tuple[str, int]:
    return _render_transfers(_cooperative(slug))


def _review(slug: str, number: str, *, approve: bool) -> Any:
    cooperative = _cooperative(slug)
    order = _cooperative_order(cooperative, number)
    form = ReviewTransferForm()
    if not form.validate_on_submit():
        return _render_transfers(cooperative, failed=order, form=form, status=422)
    if not services.can_review_payment(current_user, order):
        abort(403)
    try:
        services.review_transfer(actor(), order, approve=approve, note=form.note.data or "")
    except DomainError as error:
        _fail(error, form)
        return _render_transfers(cooperative, failed=order, form=form, status=422)
    db.session.commit()
    if approve:
        flash(
            _(
                "Transfer pesanan %(number)s dikonfirmasi; %(seller)s bisa mengemas pesanannya.",
                number=order.number,
                seller=order.business.name,
            ),
            "success",
        )
    else:
        flash(
            _("Bukti transfer pesanan %(number)s ditolak; pembeli melihat alasan Anda.", number=order.number),
            "success",
        )
    return redirect(url_for("sales.transfers", slug=cooperative.slug))


@bp.post("/koperasi/<slug>/transfer/<number>/konfirmasi")
@login_required
def cooperative_confirm(slug: str, number: str) -> Any:
    return _review(slug, number, approve=True)


@bp.post("/koperasi/<slug>/transfer/<number>/tolak")
@login_required
def cooperative_reject(slug: str, number: str) -> Any:
    return _review(slug, number, approve=False)
