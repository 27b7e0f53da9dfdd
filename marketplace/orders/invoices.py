"""Invoices: an order's printable invoice page and the same invoice as a PDF.

Who may read one: the buyer (signed in, or a guest with the checkout's private key, from the link ``?k=`` or
remembered in the session by the buyer's pages), the seller and admins.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, abort, render_template, request, session, url_for
from flask_login import current_user

from marketplace.errors import NotFound
from marketplace.orders import services
from marketplace.orders.invoice_pdf import invoice_file_name, invoice_for, render_invoice_pdf
from marketplace.orders.models import Order
from marketplace.web import authorize, forbid

bp = Blueprint("invoices", __name__)


def _clean_token(value: object) -> str | None:
    # compare_digest refuses non-ASCII text (a TypeError, i.e. a 500): such a key is simply wrong.
    if isinstance(value, str) and value and value.isascii():
        return value
    return None


def _refuse() -> NoReturn:
    if request.args.get("k"):
        forbid()  # a wrong key in the link: signing in would not make it right
    authorize(False)
    forbid()  # authorize(False) never returns; this keeps the type checker honest


def _readable_order(number: str) -> tuple[Order, str | None]:
    """The order, if the reader may see its invoice, and the link key to carry on to the PDF (if any)."""
    try:
        order = services.order_by_number(number)
    except NotFound:
        abort(404)
    user = current_user
    if services.can_manage_order(user, order) or services.can_view_checkout(user, order.checkout, None):
        return order, None
    link_token = _clean_token(request.args.get("k"))
    if link_token and services.can_view_checkout(user, order.checkout, link_token):
        return order, link_token
    remembered = session.get("checkout_tokens")
    session_token = (
        _clean_token(remembered.get(order.checkout.reference)) if isinstance(remembered, dict) else None
    )
    if session_token and services.can_view_checkout(user, order.checkout, session_token):
        return order, None
    _refuse()


def _private(response: Response) -> Response:
    # Names, phone numbers and addresses: never cached by a proxy, never indexed; the key in a link is not
    # sent on to another site.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/pesanan/<number>/faktur")
def invoice(number: str) -> Response:
    order, link_token = _readable_order(number)
    page = render_template(
        "orders/invoice.html",
        invoice=invoice_for(order),
        pdf_url=url_for(".invoice_pdf", number=order.number, k=link_token),
    )
    return _private(Response(page, mimetype="text/html"))


@bp.get("/pesanan/<number>/faktur.pdf")
def invoice_pdf(number: str) -> Response:
    order, _link_token = _readable_order(number)
    response = Response(render_invoice_pdf(order), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{invoice_file_name(order)}"'
    return _private(response)
