"""An order's invoice: its content (shared by the printable page and the PDF) and the PDF itself.

The PDF uses fpdf2's core fonts, which carry Latin-1 only; every text goes through ``pdf_text``, which
transliterates anything else (emoji, non-Latin letters), so no name a user typed can break the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from text_unidecode import unidecode

from marketplace import regions
from marketplace.catalog.models import unit_label
from marketplace.money import format_idr
from marketplace.orders.models import (
    DELIVERY_LABELS,
    ORDER_STATUS_LABELS,
    DeliveryMethod,
    Order,
    OrderStatus,
)
from marketplace.payments import registry
from marketplace.payments.base import PaymentError
from marketplace.payments.manual import transfer_account
from marketplace.phones import display_phone

_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")

# --- the content ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    title: str
    quantity: int
    unit: str  # the unit's label in the reader's language ("pcs", "kg")
    unit_price_idr: int
    line_total_idr: int


@dataclass(frozen=True)
class Invoice:
    invoice_number: str
    order_number: str
    ordered_on: str
    paid_on: str | None
    seller_name: str
    seller_address: str
    seller_region: str
    seller_whatsapp: str
    seller_nib: str
    cooperative_name: str | None
    buyer_name: str
    buyer_phone: str
    buyer_email: str
    delivery: str  # "Dikirim ke alamat" / "Diambil di koperasi"
    delivery_address: tuple[str, ...]  # empty for a pickup
    courier: str | None
    note: str
    lines: tuple[InvoiceLine, ...]
    subtotal_idr: int
    discount_idr: int  # this order's share of a promotion code's discount
    discount_label: str  # "Potongan promo MERDEKA10"
    total_idr: int
    payment_method: str
    payment_status: str  # "Lunas", "Belum dibayar", ...
    status: str  # the order's status
    stamp: str  # "paid", "unpaid", "cancelled" or "refunded": the CSS class and PDF colour
    stamp_label: str
    cancel_reason: str | None
    void_notice: str | None  # for a cancelled or refunded order: why this invoice is not to be paid
    transfer_to: str | None  # where an unpaid transfer goes, to print with the invoice


def invoice_file_name(order: Order) -> str:
    """``INV/12/2025/00003`` → ``INV-12-2025-00003.pdf`` (safe inside a quoted header value)."""
    return _UNSAFE_IN_FILE_NAME.sub("-", order.invoice_number) + ".pdf"


def when(moment: datetime) -> str:
    """A date and time in the reader's language and the site's time zone: "5 Januari 2025 10.00"."""
    return f"{format_date(moment, 'long')} {format_time(moment, 'short')}"


def invoice_stamp(order: Order) -> tuple[str, str]:
    """What the invoice says across its head: cancelled and refunded win over paid."""
    if order.status is OrderStatus.REFUNDED:
        return "refunded", _("DANA DIKEMBALIKAN")
    if order.status is OrderStatus.CANCELLED:
        return "cancelled", _("DIBATALKAN")
    if order.paid_at is not None:
        return "paid", _("LUNAS")
    return "unpaid", _("BELUM DIBAYAR")


def _payment_status(order: Order) -> str:
    if order.status is OrderStatus.REFUNDED:
        return _("Dana dikembalikan")
    if order.paid_at is not None:
        return _("Lunas")
    if order.status is OrderStatus.CANCELLED:
        return _("Tidak ditagih")
    return _("Belum dibayar")


def _payment_method_label(code: str) -> str:
    try:
        return registry.get(code).label()
    except PaymentError:  # a method this installation no longer offers: the invoice still shows
        return code


def _transfer_to(order: Order) -> str | None:
    if order.payment_method != "bank_transfer" or order.paid_at is not None or not order.is_open:
        return None
    account = transfer_account(order.business)
    if account is None:
        return None
    return _(
        "%(bank)s %(number)s a.n. %(holder)s",
        bank=account.bank_name,
        number=account.bank_account_number,
        holder=account.bank_account_holder,
    )


def invoice_for(order: Order) -> Invoice:
    checkout = order.checkout
    business = order.business
    address: tuple[str, ...] = ()
    if checkout.delivery_method is DeliveryMethod.DELIVERY:
        region = regions.label(checkout.regency_code) or regions.label(checkout.province_code)
        place = ", ".join(part for part in (region, checkout.postal_code) if part)
        address = tuple(part for part in (checkout.address, place) if part)
    stamp, stamp_label = invoice_stamp(order)
    void_notice = None
    if stamp == "refunded":
        void_notice = _("Pesanan ini dibatalkan dan dananya dikembalikan kepada pembeli.")
    elif stamp == "cancelled" and order.paid_at is not None:
        void_notice = _("Pesanan ini dibatalkan setelah dibayar; penjual mengembalikan dananya langsung.")
    elif stamp == "cancelled":
        void_notice = _("Pesanan ini dibatalkan. Faktur ini tidak perlu dibayar.")
    courier = " ".join(part for part in (order.courier, order.tracking_number) if part) or None
    return Invoice(
        invoice_number=order.invoice_number,
        order_number=order.number,
        ordered_on=when(order.created_at),
        paid_on=when(order.paid_at) if order.paid_at else None,
        seller_name=business.name,
        seller_address=business.address,
        seller_region=regions.label(business.regency_code),
        seller_whatsapp=display_phone(business.whatsapp),
        seller_nib=business.nib,
        cooperative_name=order.cooperative.name if order.cooperative else None,
        buyer_name=checkout.contact_name,
        buyer_phone=display_phone(checkout.contact_phone),
        buyer_email=checkout.contact_email,
        delivery=str(DELIVERY_LABELS[checkout.delivery_method]),
        delivery_address=address,
        courier=courier,
        note=checkout.note or "",
        lines=tuple(
            InvoiceLine(
                title=line.title,
                quantity=line.quantity,
                unit=unit_label(line.unit),
                unit_price_idr=line.unit_price_idr,
                line_total_idr=line.line_total_idr,
            )
            for line in order.lines
        ),
        subtotal_idr=order.subtotal_idr,
        discount_idr=order.discount_idr,
        discount_label=_(
            "Potongan promo %(code)s",
            code=checkout.promo_code.code if checkout.promo_code is not None else "",
        ).strip(),
        total_idr=order.total_idr,
        payment_method=_payment_method_label(order.payment_method),
        payment_status=_payment_status(order),
        status=str(ORDER_STATUS_LABELS[order.status]),
        stamp=stamp,
        stamp_label=stamp_label,
        cancel_reason=order.cancel_reason
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        else None,
        void_notice=void_notice,
        transfer_to=_transfer_to(order),
    )


# --- the PDF ----------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t]{2,}")
STAMP_COLOURS = {
    "paid": (15, 122, 74),
    "unpaid": (180, 35, 24),
    "cancelled": (91, 107, 97),
    "refunded": (29, 95, 168),
}
INK = (29, 42, 34)
MUTED = (91, 107, 97)
LINE = (217, 226, 220)
HEAD_FILL = (238, 243, 239)


def pdf_text(value: object) -> str:
    """Text the core fonts can draw: Latin-1 kept, everything else transliterated ("王" → "Wang"),
    what has no transliteration (emoji) dropped and control characters removed."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf"):
            out.append(" " if char == "\t" else "")
        elif ord(char) < 0x100:
            out.append(char)
        else:
            out.append(unidecode(char).replace("[?]", "?"))
    return _SPACES.sub(" ", "".join(out)).strip()


class _InvoicePDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, pdf_text(text).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _block(pdf: FPDF, x: float, width: float, title: str, lines: list[tuple[str, bool]]) -> float:
    """A titled block of text lines at ``x``; ``(text, bold)`` per line. Returns the y where it ends."""
    pdf.set_x(x)
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, pdf_text(title).upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    for text, bold in lines:
        pdf.set_x(x)
        pdf.set_font("helvetica", "B" if bold else "", 10)
        pdf.multi_cell(width, 5, pdf_text(text), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _facts(pdf: FPDF, rows: list[tuple[str, str]], label_width: float = 38) -> None:
    for label, value in rows:
        pdf.set_font("helvetica", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(label_width, 5.5, pdf_text(label))
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 5.5, pdf_text(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_invoice_pdf(order: Order, *, compress: bool = True) -> bytes:
    """The invoice as an A4 PDF in the current locale. Needs an app context (translations, dates), not a
    request. ``compress=False`` leaves the page text readable in the bytes (for tests)."""
    invoice = invoice_for(order)
    pdf = _InvoicePDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(pdf_text(_("Faktur %(number)s", number=invoice.invoice_number)))
    pdf.set_author(pdf_text(invoice.seller_name))
    pdf.set_creator("Gotong")
    pdf.footer_text = pdf_text(_("Faktur %(number)s · dibuat di Gotong", number=invoice.invoice_number))
    pdf.add_page()
    width = pdf.epw

    # Head: the seller on the left, the document's name and its stamp on the right.
    top = pdf.get_y()
    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        width * 0.6, 7, pdf_text(invoice.seller_name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    seller = [invoice.seller_address, invoice.seller_region]
    seller.append(_("WhatsApp: %(phone)s", phone=invoice.seller_whatsapp))
    seller.append(_("NIB: %(nib)s", nib=invoice.seller_nib))
    if invoice.cooperative_name:
        seller.append(_("Dijual melalui %(name)s", name=invoice.cooperative_name))
    for text in seller:
        if text:
            pdf.multi_cell(width * 0.6, 4.5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    seller_bottom = pdf.get_y()

    pdf.set_xy(pdf.l_margin + width * 0.6, top)
    pdf.set_font("helvetica", "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(width * 0.4, 9, pdf_text(_("FAKTUR")), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    colour = STAMP_COLOURS[invoice.stamp]
    pdf.set_font("helvetica", "B", 13)
    stamp = pdf_text(invoice.stamp_label)
    stamp_width = pdf.get_string_width(stamp) + 8
    pdf.set_xy(pdf.l_margin + width - stamp_width, top + 12)
    pdf.set_draw_color(*colour)
    pdf.set_text_color(*colour)
    pdf.set_line_width(0.8)
    pdf.cell(stamp_width, 9, stamp, border=1, align="C")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*INK)
    pdf.set_y(max(seller_bottom, top + 24) + 4)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)
    if invoice.void_notice:
        pdf.set_font("helvetica", "B", 11)
        pdf.set_text_color(*STAMP_COLOURS[invoice.stamp])
        pdf.multi_cell(0, 6, pdf_text(invoice.void_notice), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(2)

    facts = [
        (_("No. faktur"), invoice.invoice_number),
        (_("No. pesanan"), invoice.order_number),
        (_("Tanggal pesan"), invoice.ordered_on),
    ]
    if invoice.paid_on:
        facts.append((_("Tanggal bayar"), invoice.paid_on))
    _facts(pdf, facts)
    pdf.ln(3)

    # The buyer and where the order goes, side by side.
    top = pdf.get_y()
    half = (width - 8) / 2
    buyer = [(invoice.buyer_name, True), (invoice.buyer_phone, False), (invoice.buyer_email, False)]
    end_left = _block(pdf, pdf.l_margin, half, _("Pembeli"), buyer)
    pdf.set_y(top)
    delivery = [(invoice.delivery, True)] + [(line, False) for line in invoice.delivery_address]
    if invoice.courier:
        delivery.append((_("Kurir: %(courier)s", courier=invoice.courier), False))
    end_right = _block(pdf, pdf.l_margin + half + 8, half, _("Pengiriman"), delivery)
    pdf.set_xy(pdf.l_margin, max(end_left, end_right) + 5)

    # The lines.
    pdf.set_font("helvetica", "", 10)
    pdf.set_draw_color(*LINE)
    with pdf.table(
        col_widths=(86, 34, 26, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5.5,
        padding=1.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
    ) as table:
        head = table.row()
        for label in (_("Produk"), _("Harga satuan"), _("Jumlah"), _("Subtotal")):
            head.cell(pdf_text(label))
        for line in invoice.lines:
            row = table.row()
            row.cell(pdf_text(line.title))
            row.cell(format_idr(line.unit_price_idr))
            row.cell(pdf_text(f"{line.quantity} {line.unit}"))
            row.cell(format_idr(line.line_total_idr))
    pdf.ln(2)

    def total_row(label: str, amount: int, bold: bool = False) -> None:
        pdf.set_font("helvetica", "B" if bold else "", 12 if bold else 10)
        pdf.cell(width - 40, 7, pdf_text(label), align="R")
        pdf.cell(40, 7, format_idr(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if invoice.subtotal_idr != invoice.total_idr:
        total_row(_("Subtotal"), invoice.subtotal_idr)
    if invoice.discount_idr:
        total_row(invoice.discount_label, -invoice.discount_idr)
    total_row(_("Total"), invoice.total_idr, bold=True)
    pdf.ln(4)

    # Payment.
    _heading(pdf, _("Pembayaran"))
    payment = [
        (_("Metode"), invoice.payment_method),
        (_("Status pesanan"), invoice.status),
        (_("Status pembayaran"), invoice.payment_status),
    ]
    if invoice.paid_on:
        payment.append((_("Dibayar pada"), invoice.paid_on))
    if invoice.transfer_to:
        payment.append((_("Transfer ke"), invoice.transfer_to))
    if invoice.cancel_reason:
        payment.append((_("Alasan pembatalan"), invoice.cancel_reason))
    _facts(pdf, payment, label_width=45)
    if invoice.note:
        pdf.ln(3)
        _heading(pdf, _("Catatan pembeli"))
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 5, pdf_text(invoice.note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
