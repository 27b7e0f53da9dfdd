"""Orders: the cart's rules, checkout (one order per business under one payment), the order state machine,
stock reservation, cancellation and refunds, payment outcomes and expiry.

Functions take the acting user and data, check ``accounts.policy``, change rows and flush; the caller (a view,
the webhook, a CLI command) commits once. An order's status changes only in ``transition``. Stock is taken
with one conditional ``UPDATE ... WHERE stock >= :qty`` per line, so two checkouts can never sell the same
last unit, on any database and under any concurrency.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from marketplace.accounts import policy
from marketplace.catalog.models import Product, unit_label
from marketplace.catalog.services import MAX_QUANTITY, is_public, take_stock
from marketplace.clock import aware as _aware
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing import promotions
from marketplace.money import format_idr
from marketplace.orders.models import (
    CartItem,
    Checkout,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from marketplace.payments import registry
from marketplace.payments import services as payment_services
from marketplace.payments.base import (
    ChargeState,
    EventKind,
    PaymentError,
    PaymentProvider,
    ProviderEvent,
    Settlement,
)
from marketplace.payments.models import Payment, PaymentStatus, payment_orders

log = logging.getLogger("gotong.orders")

O = OrderStatus  # noqa: E741 (short: the transition table reads as a diagram)
# Every legal move. Two need more than the table says (checked in ``transition``): PENDING_PAYMENT → PACKED
# only when the method is paid on handover (cash / COD), and → COMPLETED only once the order is paid.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    O.PENDING_PAYMENT: frozenset({O.PAID, O.PACKED, O.CANCELLED}),
    O.PAID: frozenset({O.PACKED, O.CANCELLED, O.REFUNDED}),
    O.PACKED: frozenset({O.SHIPPED, O.READY_FOR_PICKUP, O.CANCELLED, O.REFUNDED}),
    O.SHIPPED: frozenset({O.COMPLETED}),
    O.READY_FOR_PICKUP: frozenset({O.COMPLETED}),
    O.COMPLETED: frozenset(),
    O.CANCELLED: frozenset(),
    O.REFUNDED: frozenset(),
}
BUYER_CANCELLABLE = frozenset({O.PENDING_PAYMENT, O.PAID})
SELLER_CANCELLABLE = frozenset({O.PENDING_PAYMENT, O.PAID, O.PACKED})
MAX_CART_LINES = 50
REASON_MAX = 500


class IllegalTransition(DomainError):
    pass


class OutOfStock(DomainError):
    pass


class CartChanged(DomainError):
    """The cart the buyer confirmed is not the cart on the server any more (or the form was tampered with)."""


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses ke pesanan ini."))


# --- the state machine ------------------------------------------------------------------------------------


def transition(order: Order, to: OrderStatus, *, actor: Any | None = None, note: str = "") -> OrderEvent:
    """The one place an order's status changes: refuses an illegal move, records the history."""
    if to not in ORDER_TRANSITIONS[order.status]:
        raise IllegalTransition(
            _(
                "Pesanan %(number)s tidak bisa diubah dari \u201c%(a)s\u201d ke \u201c%(b)s\u201d.",
                number=order.number,
                a=status_label(order.status),
                b=status_label(to),
            )
        )
    if (
        order.status is O.PENDING_PAYMENT
        and to is O.PACKED
        and not registry.get(order.payment_method).paid_on_handover
    ):
        raise IllegalTransition(_("Pesanan ini harus dibayar dulu sebelum dikemas."))
    if to is O.COMPLETED and not order.is_paid:
        raise IllegalTransition(_("Catat pembayaran dulu sebelum pesanan diselesaikan."))
    event = OrderEvent(
        order=order,
        from_status=order.status,
        to_status=to,
        actor_id=getattr(actor, "id", None),
        note=note[:500],
    )
    db.session.add(event)
    order.status = to
    if to is O.PAID and order.paid_at is None:
        order.paid_at = utcnow()
    if to not in (O.PENDING_PAYMENT,):
        order.expires_at = None
    db.session.flush()
    if to in (O.SHIPPED, O.READY_FOR_PICKUP):
        from marketplace.orders import notifications  # imports this module

        notifications.order_progress(order)
    return event


def status_label(status: OrderStatus) -> str:
    from marketplace.orders.models import ORDER_STATUS_LABELS

    return str(ORDER_STATUS_LABELS[status])


def lock_order(order: Order) -> Order:
    """Re-read the order under a row lock: a webhook, the expiry job and a click on "cancel" wait for each
    other instead of both acting on the status they read."""
    return db.session.scalars(
        select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)
    ).one()


# --- the cart ---------------------------------------------------------------------------------------------


@dataclass
class CartLine:
    product: Product
    quantity: int
    problem: str | None = None  # why this line cannot be checked out as it is

    @property
    def line_total_idr(self) -> int:
        return self.product.price_idr * self.quantity


@dataclass
class SellerGroup:
    business: Business
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal_idr(self) -> int:
        return sum(line.line_total_idr for line in self.lines)


@dataclass
class Cart:
    groups: list[SellerGroup]
    missing: int = 0  # lines whose product is gone (deleted, suspended): dropped from the cart

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def total_idr(self) -> int:
        return sum(group.subtotal_idr for group in self.groups)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def sellers(self) -> list[Business]:
        return [group.business for group in self.groups]

    def digest(self, promo_code: str = "", discount_idr: int = 0) -> str:
        """A fingerprint of what the buyer sees (products, quantities, prices, and the promo code with its
        discount): checkout refuses a cart that changed since the page was shown, so the buyer never pays an
        amount they did not see."""
        text = ";".join(f"{line.product.id}:{line.quantity}:{line.product.price_idr}" for line in self.lines)
        if promo_code:
            text += f";promo:{promo_code}:{discount_idr}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def quantity_problem(product: Product, quantity: int) -> str | None:
    if not is_public(product):
        return _("Produk ini sedang tidak dijual.")
    if quantity < product.min_order_qty:
        return _(
            "Minimal pembelian %(qty)s %(unit)s.", qty=product.min_order_qty, unit=unit_label(product.unit)
        )
    if not product.preorder and quantity > product.stock:
        return _("Stok tinggal %(qty)s %(unit)s.", qty=product.stock, unit=unit_label(product.unit))
    return None


def check_quantity(product: Product, quantity: int) -> None:
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise DomainError(_("Jumlah harus angka bulat 1 atau lebih."), field="quantity")
    problem = quantity_problem(product, quantity)
    if problem:
        raise DomainError(problem, field="quantity")


def orderable_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not is_public(product):
        raise NotFound(_("Produk ini tidak ditemukan atau sedang tidak dijual."))
    return product


def build_cart(items: Mapping[int, int]) -> Cart:
    """The cart as the buyer sees it, from {product id: quantity}: current prices, grouped by seller, each
    line with what is wrong with it (min order, stock, no longer sold)."""
    ids = list(items)[:MAX_CART_LINES]
    products = (
        {
            p.id: p
            for p in db.session.scalars(
                select(Product)
                .where(Product.id.in_(ids))
                .options(selectinload(Product.business), selectinload(Product.cooperative))
            )
        }
        if ids
        else {}
    )
    groups: dict[int, SellerGroup] = {}
    missing = 0
    for product_id in ids:
        product = products.get(product_id)
        if product is None or product.business.is_suspended:
            missing += 1
            continue
        quantity = items[product_id]
        line = CartLine(product=product, quantity=quantity, problem=quantity_problem(product, quantity))
        groups.setdefault(product.business_id, SellerGroup(business=product.business)).lines.append(line)
    ordered = sorted(groups.values(), key=lambda g: (g.business.name.lower(), g.business.id))
    return Cart(groups=ordered, missing=missing)


def account_cart_items(user: Any) -> dict[int, int]:
    rows = db.session.execute(
        select(CartItem.product_id, CartItem.quantity)
        .where(CartItem.user_id == user.id)
        .order_by(CartItem.id)
    )
    return {product_id: quantity for product_id, quantity in rows}


def set_account_item(user: Any, product: Product, quantity: int) -> None:
    """Put ``quantity`` of the product in the signed-in buyer's cart (0 removes it)."""
    row = db.session.scalars(
        select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product.id)
    ).one_or_none()
    if quantity <= 0:
        if row is not None:
            db.session.delete(row)
        db.session.flush()
        return
    check_quantity(product, quantity)
    if row is None:
        if db.session.scalar(select(func.count()).where(CartItem.user_id == user.id)) >= MAX_CART_LINES:
            raise DomainError(_("Keranjang sudah penuh (%(n)s produk).", n=MAX_CART_LINES))
        db.session.add(CartItem(user_id=user.id, product_id=product.id, quantity=quantity))
    else:
        row.quantity = quantity
    db.session.flush()


def merge_into_account(user: Any, items: Mapping[int, int]) -> None:
    """On login, a guest cart joins the account cart: quantities add up, capped at what can be bought."""
    current = account_cart_items(user)
    for product_id, quantity in items.items():
        product = db.session.get(Product, product_id)
        if product is None or not is_public(product):
            continue
        wanted = current.get(product_id, 0) + quantity
        if not product.preorder:
            wanted = min(wanted, product.stock)
        wanted = max(wanted, product.min_order_qty) if wanted else 0
        try:
            set_account_item(user, product, wanted)
        except DomainError:
            continue  # the buyer sees the line's problem in the cart, not an error at login
    db.session.flush()


def clear_account_cart(user: Any, product_ids: Iterable[int] | None = None) -> None:
    query = delete(CartItem).where(CartItem.user_id == user.id)
    if product_ids is not None:
        query = query.where(CartItem.product_id.in_(list(product_ids)))
    db.session.execute(query)
    db.session.flush()


# --- checkout ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutData:
    contact_name: str
    contact_email: str
    contact_phone: str  # E.164, normalised by the form
    delivery_method: DeliveryMethod
    payment_method: str
    address: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    postal_code: str | None = None
    note: str = ""
    locale: str = "id"
    promo_code: str = ""  # as typed; checked and counted by marketing.promotions


def payment_choices(cart: Cart) -> list[PaymentProvider]:
    return registry.available_for(cart.sellers)


def _new_checkout_reference() -> str:
    for _attempt in range(10):
        reference = payment_services.new_code("GT", 7)
        if db.session.scalar(select(Checkout.id).where(Checkout.reference == reference)) is None:
            return reference
    raise RuntimeError("could not find a free checkout reference")


def _next_invoice_number(business: Business) -> str:
    # An atomic increment: two orders for one seller at the same moment get consecutive numbers.
    seq = db.session.execute(
        update(Business)
        .where(Business.id == business.id)
        .values(invoice_seq=Business.invoice_seq + 1)
        .returning(Business.invoice_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"INV/{business.id}/{utcnow().year}/{seq:05d}"


def _reserve(product: Product, quantity: int) -> int:
    """Take ``quantity`` from stock if there is that much; returns the units reserved (0 for a pre-order)."""
    taken = take_stock(product, quantity)
    if taken is None:
        raise OutOfStock(
            _(
                "Stok \u201c%(title)s\u201d tidak cukup: tersisa %(qty)s %(unit)s. "
                "Ubah jumlahnya di keranjang.",
                title=product.title,
                qty=product.stock,
                unit=unit_label(product.unit),
            )
        )
    return taken


def _release(order: Order) -> None:
    for line in order.lines:
        if line.reserved_qty and line.product_id is not None:
            db.session.execute(
                update(Product)
                .where(Product.id == line.product_id)
                .values(stock=Product.stock + line.reserved_qty)
                .execution_options(synchronize_session=False)
            )
        line.reserved_qty = 0
    db.session.flush()


def _order_cooperative_id(group: SellerGroup) -> int | None:
    counts: dict[int, int] = {}
    for line in group.lines:
        if line.product.cooperative_id is not None:
            counts[line.product.cooperative_id] = counts.get(line.product.cooperative_id, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def place_order(buyer: Any | None, items: Mapping[int, int], data: CheckoutData, digest: str) -> Checkout:
    """Turn the cart into one order per business under one checkout, reserving stock; prices come from
    the database, never from the request. All or nothing: a line that cannot be had refuses the checkout."""
    cart = build_cart(items)
    if cart.is_empty:
        raise CartChanged(_("Keranjang Anda kosong."))
    digest = digest or ""
    promo_code = promotions.normalise_code(data.promo_code)
    # Checked (not counted) first, so a refused code says why; counted under a lock below.
    quote = promotions.evaluate(promo_code, cart, buyer, data.contact_email) if promo_code else None
    shown = cart.digest(promo_code, quote.discount_idr) if quote else cart.digest()
    if not digest.isascii() or not hmac.compare_digest(shown, digest) or cart.missing:
        if quote is not None and digest.isascii() and hmac.compare_digest(cart.digest(), digest):
            raise CartChanged(
                _("Tekan “Pakai” untuk melihat potongan kode promo sebelum memesan."), field="promo_code"
            )
        if quote is not None:
            raise CartChanged(_("Isi keranjang atau potongan promo berubah. Periksa lagi sebelum memesan."))
        raise CartChanged(_("Isi atau harga keranjang berubah. Periksa lagi sebelum memesan."))
    for line in cart.lines:
        if line.problem:
            raise CartChanged(f"{line.product.title}: {line.problem}")
    provider = registry.get(data.payment_method)
    if not provider.can_pay(cart.sellers):
        raise DomainError(
            _("Metode pembayaran ini tidak tersedia untuk penjual di keranjang Anda."), field="payment_method"
        )
    if data.delivery_method is DeliveryMethod.DELIVERY and not (data.address and data.regency_code):
        raise DomainError(_("Isi alamat pengiriman lengkap dengan kabupaten/kota."), field="address")

    now = utcnow()
    ttl = timedelta(minutes=int(current_app.config[provider.ttl_setting]))
    checkout = Checkout(
        reference=_new_checkout_reference(),
        access_token=secrets.token_urlsafe(24),
        buyer_id=getattr(buyer, "id", None),
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        delivery_method=data.delivery_method,
        address=data.address if data.delivery_method is DeliveryMethod.DELIVERY else None,
        province_code=data.province_code if data.delivery_method is DeliveryMethod.DELIVERY else None,
        regency_code=data.regency_code if data.delivery_method is DeliveryMethod.DELIVERY else None,
        postal_code=data.postal_code if data.delivery_method is DeliveryMethod.DELIVERY else None,
        note=data.note,
        payment_method=provider.code,
        total_idr=cart.total_idr,
        locale=data.locale,
    )
    db.session.add(checkout)
    db.session.flush()
    if quote is not None:
        # The promo row is locked before any stock or invoice row, in every checkout: no lock cycle.
        redeemed = promotions.redeem(
            promo_code, cart, checkout=checkout, buyer=buyer, email=data.contact_email, now=now
        )
        if redeemed.discount_by_business != quote.discount_by_business:
            raise CartChanged(
                _("Potongan kode promo berubah. Periksa lagi sebelum memesan."), field="promo_code"
            )
        quote = redeemed
        checkout.promo_code_id = quote.promo_id
        checkout.total_idr = cart.total_idr - quote.discount_idr
    orders: list[Order] = []
    for index, group in enumerate(cart.groups, start=1):
        discount = quote.discount_for(group.business.id) if quote else 0
        order = Order(
            number=f"{checkout.reference}-{index}",
            checkout=checkout,
            business_id=group.business.id,
            cooperative_id=_order_cooperative_id(group),
            buyer_id=checkout.buyer_id,
            status=O.PENDING_PAYMENT,
            payment_method=provider.code,
            subtotal_idr=group.subtotal_idr,
            discount_idr=discount,
            total_idr=max(group.subtotal_idr - discount, 0),
            invoice_number=_next_invoice_number(group.business),
            expires_at=now + ttl,
        )
        db.session.add(order)
        for line in group.lines:
            reserved = _reserve(line.product, line.quantity)
            order.lines.append(
                OrderLine(
                    product_id=line.product.id,
                    title=line.product.title,
                    unit=line.product.unit,
                    unit_price_idr=line.product.price_idr,
                    quantity=line.quantity,
                    line_total_idr=line.line_total_idr,
                    reserved_qty=reserved,
                )
            )
        db.session.add(
            OrderEvent(order=order, from_status=None, to_status=O.PENDING_PAYMENT, actor_id=checkout.buyer_id)
        )
        orders.append(order)
    db.session.flush()
    if provider.settlement is Settlement.WHOLE_CHECKOUT:
        payment_services.new_payment(checkout, provider.code, checkout.total_idr, covers=orders)
    else:
        for order in orders:
            payment_services.new_payment(checkout, provider.code, order.total_idr, covers=[order])
    if buyer is not None:
        clear_account_cart(buyer, items.keys())
    db.session.flush()
    return checkout


# --- who may see and do what --------------------------------------------------------------------------------


def can_view_checkout(user: Any, checkout: Checkout, token: str | None) -> bool:
    if token and token.isascii() and hmac.compare_digest(token, checkout.access_token):
        return True
    return bool(
        getattr(user, "is_authenticated", False) and (checkout.buyer_id == user.id or policy.is_admin(user))
    )


def can_manage_order(user: Any, order: Order) -> bool:
    """The seller (and admins) fulfil the order."""
    return policy.can_edit_business(user, order.business)


def can_review_payment(user: Any, order: Order) -> bool:
    """A transfer is confirmed by the seller or, when it went to the cooperative's account, its managers."""
    if can_manage_order(user, order):
        return True
    from marketplace.payments.manual import transfer_account

    receiver = transfer_account(order.business)
    return isinstance(receiver, Cooperative) and policy.manages_cooperative(user, receiver)


def is_buyer(user: Any, order: Order) -> bool:
    return bool(getattr(user, "is_authenticated", False) and order.buyer_id == user.id)


# --- reading orders -----------------------------------------------------------------------------------------


def checkout_by_reference(reference: str) -> Checkout:
    checkout = db.session.scalars(
        select(Checkout)
        .where(Checkout.reference == reference)
        .options(selectinload(Checkout.orders).selectinload(Order.lines), selectinload(Checkout.payments))
    ).one_or_none()
    if checkout is None:
        raise NotFound(_("Pesanan tidak ditemukan."))
    return checkout


def order_by_number(number: str) -> Order:
    order = db.session.scalars(
        select(Order)
        .where(Order.number == number)
        .options(selectinload(Order.lines), selectinload(Order.events), selectinload(Order.business))
    ).one_or_none()
    if order is None:
        raise NotFound(_("Pesanan tidak ditemukan."))
    return order


def current_payment(order: Order) -> Payment | None:
    """The latest payment attempt that covers this order."""
    return db.session.scalars(
        select(Payment)
        .join(payment_orders, payment_orders.c.payment_id == Payment.id)
        .where(payment_orders.c.order_id == order.id)
        .order_by(Payment.id.desc())
        .limit(1)
    ).first()


def buyer_orders(user: Any) -> Select[tuple[Order]]:
    return (
        select(Order)
        .where(Order.buyer_id == user.id)
        .options(selectinload(Order.business), selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def seller_orders(business: Business, status: OrderStatus | None = None) -> Select[tuple[Order]]:
    query = (
        select(Order)
        .where(Order.business_id == business.id)
        .options(selectinload(Order.lines), selectinload(Order.checkout))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if status is not None:
        query = query.where(Order.status == status)
    return query


def seller_status_counts(business: Business) -> dict[OrderStatus, int]:
    rows = db.session.execute(
        select(Order.status, func.count()).where(Order.business_id == business.id).group_by(Order.status)
    )
    return {status: count for status, count in rows}


def lock_checkout(checkout: Checkout) -> Checkout:
    """Serialise work on one checkout's payments (two tabs opening the pay page make one attempt, not two)."""
    db.session.execute(select(Checkout.id).where(Checkout.id == checkout.id).with_for_update())
    return checkout


def payable_payment(checkout: Checkout, order: Order | None = None) -> Payment | None:
    """The payment the buyer should pay now; None when nothing is left to pay.

    A fresh attempt is made after a decline, or when the orders the last attempt covered are not the orders
    still waiting (one was cancelled): the old attempt is stopped at the provider first, so it can never be
    paid on top of the new one."""
    lock_checkout(checkout)
    pending = [
        o for o in checkout.orders if o.status is O.PENDING_PAYMENT and (order is None or o.id == order.id)
    ]
    if not pending:
        return None
    provider = registry.get(checkout.payment_method)
    if provider.settlement is Settlement.PER_ORDER:
        target = pending[0]
        payment = current_payment(target)
        if payment is None or payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            payment = payment_services.new_payment(checkout, provider.code, target.total_idr, covers=[target])
        return payment
    wanted = {o.id for o in pending}
    payment = current_payment(pending[0])
    if payment is not None:
        if payment.status is PaymentStatus.SUCCEEDED:
            return None
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.FAILED):
            same_orders = {o.id for o in payment.orders} == wanted
            if same_orders and payment.status is not PaymentStatus.FAILED:
                return payment
            if _cancel_with_provider(payment) is ChargeState.SUCCEEDED:
                payment_received(payment)  # it was paid meanwhile after all
                return None
    return payment_services.new_payment(
        checkout, provider.code, sum(o.total_idr for o in pending), covers=pending
    )


def _cancel_with_provider(payment: Payment) -> ChargeState:
    """Stop a payment we no longer want; if the provider says it already succeeded, that wins."""
    state = ChargeState.CANCELLED
    if payment.provider_ref:
        state = registry.get(payment.method).cancel(payment.provider_ref)
    if state is ChargeState.SUCCEEDED:
        return state
    if state is ChargeState.PROCESSING:
        # The provider is still deciding and cannot stop it: leave the payment be; its webhook settles it.
        raise PaymentError(_("Pembayaran sedang diproses bank. Coba lagi beberapa menit lagi."))
    if payment.status in (
        PaymentStatus.PENDING,
        PaymentStatus.PROCESSING,
        PaymentStatus.AWAITING_REVIEW,
        PaymentStatus.FAILED,
    ):
        payment_services.transition_payment(payment, PaymentStatus.CANCELLED)
    return state


def retry_after_failure(payment: Payment) -> Payment | None:
    """After a declined card: the order stays payable with a fresh attempt (a new PaymentIntent)."""
    return payable_payment(payment.checkout)


# --- payment outcomes ---------------------------------------------------------------------------------------


def covered_orders(payment: Payment) -> list[Order]:
    return list(payment.orders)


def payment_received(payment: Payment, *, actor: Any | None = None, note: str = "") -> list[Order]:
    """The money arrived: the payment succeeds and its pending orders become paid. An order cancelled or
    expired meanwhile gets its money back (online methods) instead. Safe to call twice."""
    payment = payment_services.lock(payment)
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED):
        return []
    payment_services.transition_payment(payment, PaymentStatus.SUCCEEDED)
    paid = []
    for order in covered_orders(payment):
        order = lock_order(order)
        if order.status is O.PENDING_PAYMENT:
            transition(order, O.PAID, actor=actor, note=note)
            paid.append(order)
        elif order.status in (O.PACKED, O.SHIPPED, O.READY_FOR_PICKUP) and order.paid_at is None:
            order.paid_at = utcnow()  # cash handed over for an order already on its way
            db.session.add(
                OrderEvent(
                    order=order,
                    from_status=order.status,
                    to_status=order.status,
                    actor_id=getattr(actor, "id", None),
                    note=note or _("Pembayaran diterima."),
                )
            )
            paid.append(order)
        elif registry.get(payment.method).refunds_online and (
            order.status in (O.CANCELLED, O.REFUNDED) or order.paid_at is not None
        ):
            # Cancelled or expired meanwhile, or already paid by another attempt: this money goes back.
            log.warning(
                "payment %s succeeded for %s order %s: refunding",
                payment.reference,
                order.status,
                order.number,
            )
            payment_services.refund(payment, order, order.total_idr, actor)
    db.session.flush()
    if paid:
        from marketplace.orders import notifications  # imports this module

        notifications.orders_paid(paid)
    return paid


def apply_provider_event(provider_code: str, event: ProviderEvent) -> None:
    """A verified webhook event: stored once (a replay does nothing), then applied. Events may come out of
    order: a failure reported after the success changes nothing; a success after a failure counts."""
    if not payment_services.record_event(provider_code, event):
        return
    if not event.provider_ref or event.kind is EventKind.OTHER:
        return
    payment = payment_services.by_provider_ref(event.provider_ref)
    if payment is None:
        log.info("webhook %s for unknown payment %s ignored", event.event_id, event.provider_ref)
        return
    if event.kind is EventKind.PAYMENT_SUCCEEDED:
        if payment.status is PaymentStatus.CANCELLED:
            # We stopped this attempt (its orders were cancelled or re-priced) and the provider had agreed.
            log.error(
                "webhook %s: success for cancelled payment %s; check it", event.event_id, payment.reference
            )
            return
        if event.amount_idr != payment.amount_idr or (event.currency or "idr").lower() != "idr":
            log.error(
                "webhook %s: amount %s %s does not match payment %s (Rp%s); not marked paid",
                event.event_id,
                event.amount_idr,
                event.currency,
                payment.reference,
                payment.amount_idr,
            )
            return
        payment_received(payment)
    elif event.kind is EventKind.PAYMENT_FAILED:
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
            payment.failure_message = (event.failure_message or "")[:300] or None
            payment_services.transition_payment(payment, PaymentStatus.FAILED)
    elif event.kind is EventKind.PAYMENT_CANCELLED:
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.FAILED):
            payment_services.transition_payment(payment, PaymentStatus.CANCELLED)
    db.session.flush()


def review_transfer(actor: Any, order: Order, *, approve: bool, note: str = "") -> Payment:
    """The seller (or its cooperative's manager) checked the account: confirm the transfer or send it back
    to the buyer with a reason."""
    if not can_review_payment(actor, order):
        raise _denied()
    payment = current_payment(order)
    if payment is None or payment.status is not PaymentStatus.AWAITING_REVIEW:
        raise DomainError(_("Tidak ada bukti transfer yang menunggu diperiksa."))
    payment.reviewed_by_id = actor.id
    if approve:
        payment.review_note = note[:REASON_MAX] or None
        payment_received(payment, actor=actor, note=_("Transfer dikonfirmasi."))
    else:
        reason = note.strip()
        if not reason:
            raise DomainError(
                _("Tulis alasan penolakan agar pembeli tahu apa yang harus diperbaiki."), field="note"
            )
        payment.review_note = reason[:REASON_MAX]
        payment_services.transition_payment(payment, PaymentStatus.PENDING)
        from marketplace.orders import notifications  # imports this module

        notifications.transfer_rejected(order, payment.review_note)
        if order.expires_at is not None:
            # The buyer gets the full time again to transfer or upload a clearer proof.
            order.expires_at = max(
                _aware(order.expires_at),
                utcnow() + timedelta(minutes=int(current_app.config["ORDER_PAYMENT_TTL_MINUTES"])),
            )
    db.session.flush()
    return payment


def mark_cash_paid(actor: Any, order: Order) -> Payment:
    """Cash on pickup / COD: the seller received the money on handover."""
    if not can_manage_order(actor, order):
        raise _denied()
    if not registry.get(order.payment_method).paid_on_handover:
        raise DomainError(_("Pesanan ini tidak dibayar tunai."))
    if order.status in (O.CANCELLED, O.REFUNDED):
        raise DomainError(_("Pesanan ini sudah dibatalkan."))
    payment = current_payment(order)
    if payment is None:
        raise DomainError(_("Pembayaran pesanan ini tidak ditemukan."))
    payment.reviewed_by_id = actor.id
    payment_received(payment, actor=actor, note=_("Dibayar tunai saat serah terima."))
    return payment


# --- fulfilment ---------------------------------------------------------------------------------------------


def _seller_step(actor: Any, order: Order) -> Order:
    if not can_manage_order(actor, order):
        raise _denied()
    return lock_order(order)


def mark_packed(actor: Any, order: Order) -> None:
    order = _seller_step(actor, order)
    transition(order, O.PACKED, actor=actor)


def mark_shipped(actor: Any, order: Order, courier: str, tracking_number: str) -> None:
    courier, tracking_number = courier.strip(), tracking_number.strip()
    if not courier:
        raise DomainError(_("Isi nama kurir atau jasa pengiriman."), field="courier")
    if not tracking_number:
        raise DomainError(_("Isi nomor resi pengiriman."), field="tracking_number")
    order = _seller_step(actor, order)
    if order.checkout.delivery_method is not DeliveryMethod.DELIVERY:
        raise DomainError(_("Pesanan ini diambil di koperasi, bukan dikirim."))
    order.courier, order.tracking_number = courier[:60], tracking_number[:80]
    transition(order, O.SHIPPED, actor=actor, note=f"{order.courier} {order.tracking_number}")


def mark_ready_for_pickup(actor: Any, order: Order) -> None:
    order = _seller_step(actor, order)
    if order.checkout.delivery_method is not DeliveryMethod.PICKUP:
        raise DomainError(_("Pesanan ini dikirim ke alamat pembeli, bukan diambil."))
    transition(order, O.READY_FOR_PICKUP, actor=actor)


def mark_completed(actor: Any, order: Order) -> None:
    order = _seller_step(actor, order)
    transition(order, O.COMPLETED, actor=actor)


def cancel_order(actor: Any | None, order: Order, reason: str, *, by: str) -> Order:
    """Cancel an order: ``by`` is "buyer" (before packing), "seller" (before shipping, with a reason) or
    "system" (expiry). Reserved stock returns; a paid online payment is refunded through the provider."""
    reason = reason.strip()[:REASON_MAX]
    if by == "buyer":
        allowed = BUYER_CANCELLABLE
    elif by == "seller":
        if actor is None or not can_manage_order(actor, order):
            raise _denied()
        if not reason:
            raise DomainError(_("Tulis alasan pembatalan untuk pembeli."), field="reason")
        allowed = SELLER_CANCELLABLE
    elif by == "system":
        allowed = frozenset({O.PENDING_PAYMENT})
    else:
        raise ValueError(by)
    # Locks in the webhook's order (payment, then order), so a cancel and a webhook never deadlock.
    locked = current_payment(order)
    if locked is not None:
        payment_services.lock(locked)
    order = lock_order(order)
    if order.status not in allowed:
        if by == "buyer":
            raise DomainError(_("Pesanan yang sudah dikemas tidak bisa dibatalkan pembeli. Hubungi penjual."))
        if by == "seller":
            raise DomainError(_("Pesanan yang sudah dikirim atau selesai tidak bisa dibatalkan."))
        raise IllegalTransition(_("Pesanan ini tidak menunggu pembayaran lagi."))
    payment = current_payment(order)
    refunded = False
    if order.is_paid and payment is not None and payment.status is PaymentStatus.SUCCEEDED:
        if registry.get(payment.method).refunds_online:
            payment_services.refund(payment, order, order.total_idr, actor)
            refunded = True
    elif payment is not None and payment.status is not PaymentStatus.SUCCEEDED:
        # Stopped even when it covers other waiting orders: they get a fresh attempt for their own total.
        state = _cancel_with_provider(payment)
        if state is ChargeState.SUCCEEDED:
            # Too late: the buyer's money arrived while we cancelled. Record it; refund this order's share.
            payment_received(payment)
            order = lock_order(order)
            if by == "system":
                return order  # paid after all: nothing expires
            if registry.get(payment.method).refunds_online:
                payment_services.refund(payment, order, order.total_idr, actor)
                refunded = True
    note = reason or (_("Waktu pembayaran habis.") if by == "system" else "")
    transition(order, O.REFUNDED if refunded else O.CANCELLED, actor=actor, note=note)
    order.cancel_reason = note or None
    _release(order)
    return order


def due_for_expiry(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of unpaid orders whose payment time ran out (oldest first)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Order.id)
            .where(Order.status == O.PENDING_PAYMENT, Order.expires_at.is_not(None), Order.expires_at < now)
            .order_by(Order.expires_at)
            .limit(limit)
        )
    )


def expire_order(order_id: int, now: datetime | None = None) -> bool:
    """Cancel one unpaid order whose time ran out and return its stock; False when there is nothing to do
    (paid or cancelled meanwhile, a transfer proof awaiting the seller, not due). Safe to run twice."""
    now = now or utcnow()
    order = db.session.get(Order, order_id)
    if order is None:
        return False
    locked = current_payment(order)
    if locked is not None:
        payment_services.lock(locked)
    order = lock_order(order)
    if order.status is not O.PENDING_PAYMENT or order.expires_at is None or _aware(order.expires_at) >= now:
        return False
    payment = current_payment(order)
    if payment is not None and payment.status is PaymentStatus.AWAITING_REVIEW:
        return False  # proof uploaded: the seller decides, not the clock
    order = cancel_order(None, order, "", by="system")
    if order.status is not O.CANCELLED:
        return False
    from marketplace.orders import notifications  # imports this module

    notifications.order_cancelled(order, by="system")
    return True


def describe_lines(order: Order) -> str:
    return "\n".join(
        f"- {line.title} × {line.quantity} {unit_label(line.unit)}: {format_idr(line.line_total_idr)}"
        for line in order.lines
    )


def needs_action() -> ColumnElement[bool]:
    """Orders the seller has to act on: paid or being packed, and the orders paid on handover (cash / COD)
    that wait to be prepared."""
    handover = [code for code, provider in registry.providers().items() if provider.paid_on_handover]
    return or_(
        Order.status.in_([O.PAID, O.PACKED]),
        and_(Order.status == O.PENDING_PAYMENT, Order.payment_method.in_(handover)),
    )


def pending_seller_counts(businesses: Sequence[Business]) -> dict[int, int]:
    """Orders each business has to act on (``needs_action``)."""
    ids = [b.id for b in businesses]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Order.business_id, func.count())
        .where(Order.business_id.in_(ids), needs_action())
        .group_by(Order.business_id)
    )
    return {business_id: count for business_id, count in rows}
