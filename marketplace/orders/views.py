"""Buyer pages: the cart (a guest's in the session, a signed-in buyer's in the database), checkout, and the
buyer's orders. Thin: parse the form, call orders.services, commit, redirect."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in

from marketplace.catalog.models import Product
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import promotions, stats
from marketplace.marketing.stats_models import CountKind
from marketplace.orders import notifications, services
from marketplace.orders.forms import ActionForm, CartQuantityForm, CheckoutForm
from marketplace.orders.models import DeliveryMethod, Order
from marketplace.payments import registry
from marketplace.payments.models import PAYMENT_STATUS_LABELS
from marketplace.phones import normalise_phone
from marketplace.web import actor, authorize

bp = Blueprint("orders", __name__)

SESSION_CART = "cart"
SESSION_TOKENS = "checkout_tokens"
MAX_REMEMBERED = 20


# --- the cart, wherever it lives ---


def _session_cart() -> dict[int, int]:
    raw = session.get(SESSION_CART) or {}
    items: dict[int, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if str(key).isdigit() and isinstance(value, int) and value > 0:
                items[int(key)] = value
    return items


def cart_items() -> dict[int, int]:
    if current_user.is_authenticated:
        return services.account_cart_items(actor())
    return _session_cart()


def _store(product: Product, quantity: int) -> None:
    if current_user.is_authenticated:
        services.set_account_item(actor(), product, quantity)
        db.session.commit()
        return
    items = _session_cart()
    if quantity <= 0:
        items.pop(product.id, None)
    else:
        services.check_quantity(product, quantity)
        if product.id not in items and len(items) >= services.MAX_CART_LINES:
            raise DomainError(_("Keranjang sudah penuh (%(n)s produk).", n=services.MAX_CART_LINES))
        items[product.id] = quantity
    session[SESSION_CART] = {str(k): v for k, v in items.items()}


def cart_count() -> int:
    return sum(cart_items().values())


@bp.record_once
def _wire(state: Any) -> None:
    app = state.app

    @app.context_processor
    def _cart_badge() -> dict[str, Any]:
        return {"cart_count": cart_count}

    app.jinja_env.globals.update(
        order_status_label=services.status_label,
        payment_method_label=_method_label,
    )

    def _merge_guest_cart(sender: Any, user: Any, **extra: Any) -> None:
        items = _session_cart()
        session.pop(SESSION_CART, None)
        if items:
            services.merge_into_account(user, items)
            db.session.commit()

    user_logged_in.connect(_merge_guest_cart, app, weak=False)


def _method_label(code: str) -> str:
    try:
        return registry.get(code).label()
    except DomainError:
        return code  # a method switched off since the order was placed


def remember_checkout(checkout: Any) -> None:
    """This browser may open the checkout's pages (a guest has no account to prove it)."""
    tokens = dict(session.get(SESSION_TOKENS) or {})
    tokens[checkout.reference] = checkout.access_token
    session[SESSION_TOKENS] = dict(list(tokens.items())[-MAX_REMEMBERED:])


def checkout_token(reference: str) -> str | None:
    token = request.args.get("k")
    if token:
        return token
    return (session.get(SESSION_TOKENS) or {}).get(reference)


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


# --- cart pages ---


@bp.get("/keranjang")
def cart():
    cart = services.build_cart(cart_items())
    return render_template("orders/cart.html", cart=cart, form=ActionForm())


@bp.post("/keranjang")
def add_to_cart():
    form = CartQuantityForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if form.product_id.errors:
            abort(404)
        flash(_("Isi jumlah dengan angka bulat, mis. 2."), "error")
        return redirect(_back(url_for("orders.cart")))
    try:
        product = services.orderable_product(form.product_id.data)
    except NotFound:
        abort(404)
    mode = request.form.get("mode", "add")
    quantity = form.quantity.data
    if mode == "add":
        quantity += cart_items().get(product.id, 0)
    try:
        _store(product, quantity)
    except DomainError as error:
        db.session.rollback()
        flash(f"{product.title}: {error.message}", "error")
        return redirect(_back(url_for("orders.cart")))
    if mode == "add":
        stats.count(CountKind.ADD_TO_CART, product.business_id, product.id)
        flash(_("%(title)s masuk keranjang.", title=product.title), "success")
    return redirect(_back(url_for("orders.cart")))


@bp.post("/keranjang/hapus")
def remove_from_cart():
    form = CartQuantityForm()
    form.quantity.data = 0
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if form.product_id.errors:
            abort(404)
    product = db.session.get(Product, form.product_id.data or 0)
    if product is None:
        abort(404)
    _store(product, 0)
    flash(_("%(title)s dihapus dari keranjang.", title=product.title), "success")
    return redirect(url_for("orders.cart"))


# --- checkout ---


def _prefill(form: CheckoutForm) -> None:
    if current_user.is_authenticated and request.method == "GET":
        user = actor()
        form.contact_name.data = user.name
        form.contact_email.data = user.email
        form.contact_phone.data = user.phone


def _promo_quote(form: CheckoutForm, cart: services.Cart) -> promotions.PromoQuote | None:
    """The promo code in the form checked against the cart (a refusal goes next to the field); the page's
    digest then confirms exactly the summary shown: the cart with this code and its discount."""
    code = promotions.normalise_code(form.promo_code.data)
    quote = None
    if code:
        buyer = actor() if current_user.is_authenticated else None
        email = form.contact_email.data or getattr(buyer, "email", "") or ""
        try:
            quote = promotions.evaluate(code, cart, buyer, email)
        except DomainError as error:
            if error.message not in form.promo_code.errors:
                apply_domain_error(form, error)
    form.cart_digest.data = cart.digest(code, quote.discount_idr) if quote else cart.digest()
    return quote


@bp.route("/keranjang/pesan", methods=["GET", "POST"])
def checkout():
    items = cart_items()
    cart = services.build_cart(items)
    if cart.is_empty:
        flash(_("Keranjang Anda kosong."), "error")
        return redirect(url_for("orders.cart"))
    providers = services.payment_choices(cart)
    form = CheckoutForm()
    form.setup_regions()
    form.payment_method.choices = [(p.code, p.label()) for p in providers]
    quote = None
    if request.method == "GET":
        _prefill(form)
        form.cart_digest.data = cart.digest()
        if len(providers) == 1:
            form.payment_method.data = providers[0].code
    elif request.form.get("apply_promo"):
        # "Pakai": only the summary changes (CSRF is checked for every POST by CSRFProtect).
        quote = _promo_quote(form, cart)
        status = 422 if form.promo_code.errors else 200
        return (
            render_template("orders/checkout.html", cart=cart, form=form, providers=providers, quote=quote),
            status,
        )
    elif form.validate_on_submit():
        data = services.CheckoutData(
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data.lower(),
            contact_phone=normalise_phone(form.contact_phone.data),
            delivery_method=DeliveryMethod(form.delivery_method.data),
            payment_method=form.payment_method.data,
            address=form.address.data or None,
            province_code=form.province_code.data or None,
            regency_code=form.regency_code.data or None,
            postal_code=form.postal_code.data or None,
            note=form.note.data or "",
            locale=str(get_locale() or "id"),
            promo_code=form.promo_code.data or "",
        )
        try:
            checkout = services.place_order(
                actor() if current_user.is_authenticated else None, items, data, form.cart_digest.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            if not apply_domain_error(form, error):
                flash(error.message, "error")
            cart = services.build_cart(cart_items())
            quote = _promo_quote(form, cart)
        else:
            notifications.order_placed(checkout)
            db.session.commit()
            if not current_user.is_authenticated:
                session.pop(SESSION_CART, None)
            remember_checkout(checkout)
            return redirect(url_for("payments.pay", reference=checkout.reference))
    else:
        quote = _promo_quote(form, cart)
    status = 200 if request.method == "GET" else 422
    return (
        render_template("orders/checkout.html", cart=cart, form=form, providers=providers, quote=quote),
        status,
    )


# --- the buyer's orders ---


@bp.get("/pesanan")
@login_required
def my_orders():
    page = db.paginate(services.buyer_orders(actor()), per_page=20, error_out=False)
    return render_template("orders/my_orders.html", page=page)


def _buyer_order(number: str) -> Order:
    try:
        order = services.order_by_number(number)
    except NotFound:
        abort(404)
    token = checkout_token(order.checkout.reference)
    allowed = services.can_view_checkout(current_user, order.checkout, token)
    if allowed and request.args.get("k"):
        remember_checkout(order.checkout)
    if not allowed and services.can_manage_order(current_user, order):
        return redirect(url_for("sales.order", slug=order.business.slug, number=order.number))  # type: ignore[return-value]
    authorize(allowed)
    return order


@bp.get("/pesanan/<number>")
def order(number: str):
    order = _buyer_order(number)
    if not isinstance(order, Order):
        return order
    return render_template(
        "orders/order.html",
        order=order,
        payment=services.current_payment(order),
        payment_labels=PAYMENT_STATUS_LABELS,
        can_cancel=order.status in services.BUYER_CANCELLABLE,
        form=ActionForm(),
    )


@bp.post("/pesanan/<number>/batalkan")
def cancel(number: str):
    order = _buyer_order(number)
    if not isinstance(order, Order):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    reason = (request.form.get("reason") or "").strip()[:500]
    try:
        services.cancel_order(actor() if current_user.is_authenticated else None, order, reason, by="buyer")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        notifications.order_cancelled(order, by="buyer")
        db.session.commit()
        flash(_("Pesanan %(number)s dibatalkan.", number=order.number), "success")
    return redirect(url_for("orders.order", number=order.number))
