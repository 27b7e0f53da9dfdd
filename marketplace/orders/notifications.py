"""E-mails about orders: to the buyer in the language of the order, to each seller about its own order."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.mail.services import send_email
from marketplace.money import format_idr
from marketplace.orders.models import Checkout, DeliveryMethod, Order
from marketplace.orders.services import describe_lines, status_label
from marketplace.payments import registry

log = logging.getLogger("gotong.orders")


def _link(endpoint: str, **values: Any) -> str:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # no request and no SERVER_NAME (a CLI run): the e-mail goes out without a link
        return ""


def order_placed(checkout: Checkout) -> None:
    with force_locale(checkout.locale):
        method = registry.get(checkout.payment_method).label()
        link = _link("payments.pay", reference=checkout.reference, k=checkout.access_token)
        parts = [
            _("Halo %(name)s,", name=checkout.contact_name),
            "",
            _("Terima kasih, pesanan Anda di Gotong sudah kami terima (%(ref)s).", ref=checkout.reference),
            "",
        ]
        for order in checkout.orders:
            parts += [
                _("Pesanan %(number)s dari %(seller)s:", number=order.number, seller=order.business.name),
                describe_lines(order),
                *(
                    [_("Potongan promo: -%(amount)s", amount=format_idr(order.discount_idr))]
                    if order.discount_idr
                    else []
                ),
                _("Subtotal: %(total)s", total=format_idr(order.total_idr))
                if not order.discount_idr
                else _("Setelah potongan: %(total)s", total=format_idr(order.total_idr)),
                "",
            ]
        parts += [
            _("Total: %(total)s", total=format_idr(checkout.total_idr)),
            _("Cara membayar: %(method)s", method=method),
            _("Cara menerima: %(how)s", how=_delivery(checkout)),
            "",
            _("Lihat dan bayar pesanan Anda di sini: %(link)s", link=link) if link else "",
        ]
        send_email(
            checkout.contact_email,
            _("Pesanan %(ref)s diterima", ref=checkout.reference),
            "\n".join(parts),
        )
    for order in checkout.orders:
        _tell_seller(
            order,
            lambda o: _("Pesanan baru %(number)s", number=o.number),
            lambda o: (
                _(
                    "Ada pesanan baru %(number)s senilai %(total)s (%(method)s).",
                    number=o.number,
                    total=format_idr(o.total_idr),
                    method=registry.get(o.payment_method).label(),
                )
                + "\n\n"
                + describe_lines(o)
            ),
        )


def _delivery(checkout: Checkout) -> str:
    if checkout.delivery_method is DeliveryMethod.PICKUP:
        return _("diambil di koperasi")
    return _("dikirim ke %(address)s", address=checkout.address or "")


def _tell_seller(order: Order, subject: Any, body: Any) -> None:
    owner = order.business.owner
    with force_locale(owner.locale or "id"):
        link = _link("sales.order", slug=order.business.slug, number=order.number)
        send_email(owner.email, subject(order), body(order) + (f"\n\n{link}" if link else ""))


def orders_paid(orders: Iterable[Order]) -> None:
    for order in orders:
        checkout = order.checkout
        with force_locale(checkout.locale):
            link = _link("orders.order", number=order.number, k=checkout.access_token)
            send_email(
                checkout.contact_email,
                _("Pembayaran pesanan %(number)s diterima", number=order.number),
                _(
                    "Pembayaran %(total)s untuk pesanan %(number)s dari %(seller)s sudah kami terima. "
                    "Penjual akan menyiapkan pesanan Anda.",
                    total=format_idr(order.total_idr),
                    number=order.number,
                    seller=order.business.name,
                )
                + (f"\n\n{link}" if link else ""),
            )
        _tell_seller(
            order,
            lambda o: _("Pesanan %(number)s sudah dibayar", number=o.number),
            lambda o: (
                _("Pesanan %(number)s sudah dibayar. Silakan kemas dan kirim.", number=o.number)
                + "\n\n"
                + describe_lines(o)
            ),
        )


def order_cancelled(order: Order, *, by: str) -> None:
    checkout = order.checkout
    with force_locale(checkout.locale):
        send_email(
            checkout.contact_email,
            _("Pesanan %(number)s dibatalkan", number=order.number),
            _(
                "Pesanan %(number)s dari %(seller)s sekarang berstatus: %(status)s.",
                number=order.number,
                seller=order.business.name,
                status=status_label(order.status),
            )
            + (f"\n{order.cancel_reason}" if order.cancel_reason else ""),
        )
    if by != "seller":
        _tell_seller(
            order,
            lambda o: _("Pesanan %(number)s dibatalkan", number=o.number),
            lambda o: _("Pesanan %(number)s dibatalkan. Stoknya sudah dikembalikan.", number=o.number),
        )


def order_progress(order: Order) -> None:
    """Shipped (with the tracking number) or ready for pickup: the buyer hears it from us too."""
    checkout = order.checkout
    with force_locale(checkout.locale):
        link = _link("orders.order", number=order.number, k=checkout.access_token)
        if order.courier:
            body = _(
                "Pesanan %(number)s dari %(seller)s sudah dikirim lewat %(courier)s, "
                "nomor resi %(tracking)s.",
                number=order.number,
                seller=order.business.name,
                courier=order.courier,
                tracking=order.tracking_number or "",
            )
        else:
            body = _(
                "Pesanan %(number)s dari %(seller)s siap diambil di koperasi.",
                number=order.number,
                seller=order.business.name,
            )
        send_email(
            checkout.contact_email,
            _("Pesanan %(number)s: %(status)s", number=order.number, status=status_label(order.status)),
            body + (f"\n\n{link}" if link else ""),
        )


def transfer_rejected(order: Order, reason: str) -> None:
    checkout = order.checkout
    with force_locale(checkout.locale):
        link = _link("payments.pay", reference=checkout.reference, k=checkout.access_token)
        send_email(
            checkout.contact_email,
            _("Bukti transfer pesanan %(number)s ditolak", number=order.number),
            _(
                "Penjual belum bisa menerima bukti transfer pesanan %(number)s: %(reason)s. "
                "Kirim bukti yang benar lewat tautan ini.",
                number=order.number,
                reason=reason,
            )
            + (f"\n\n{link}" if link else ""),
        )
