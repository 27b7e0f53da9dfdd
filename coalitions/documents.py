"""The papers of a successfully closed buying coalition: the supplier purchase order (surat pesanan) and the
distribution list (who receives how much), each as a PDF for printing and a CSV for a spreadsheet, and each
member's invoice (tagihan) for its share as a PDF.

Builders only (the routes are in ``coalitions.document_views``). They read what the close stored (the
coalition's totals and the ``MemberShare`` rows), never recompute it, so a document printed today and one
printed next week say the same. They need an app context (translations, dates in the site's time zone), not a
request. The PDFs use fpdf2's core fonts like the order invoice: every text goes through ``pdf_text``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import format_date, to_user_timezone
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coalitions.fulfilment import member_savings
from coalitions.models import SETTLED_AWAY, SHARE_STATUS_LABELS, BuyingCoalition, MemberShare, ShareStatus
from marketplace import regions
from marketplace.catalog.models import unit_label
from marketplace.cooperatives.models import Business, Cooperative, ManagerRole
from marketplace.extensions import db
from marketplace.money import format_idr
from marketplace.orders.invoice_pdf import HEAD_FILL, INK, LINE, MUTED, STAMP_COLOURS, pdf_text
from marketplace.phones import display_phone

# --- what both documents read -----------------------------------------------------------------------------


def _settled(coalition: BuyingCoalition) -> tuple[datetime, int, int]:
    """The close's moment, units ordered and unit price; a coalition without them has no documents."""
    if coalition.closed_at is None or coalition.allocated_qty is None or coalition.unit_price_idr is None:
        raise ValueError(f"coalition {coalition.id} has not been settled")
    return coalition.closed_at, coalition.allocated_qty, coalition.unit_price_idr


def _local(moment: datetime) -> datetime:
    # SQLite gives the stored UTC moment back without its zone.
    return to_user_timezone(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _closed_on(coalition: BuyingCoalition) -> str:
    return format_date(_local(_settled(coalition)[0]), "long")


def _closed_on_iso(coalition: BuyingCoalition) -> str:
    return _local(_settled(coalition)[0]).date().isoformat()


def purchase_order_number(coalition: BuyingCoalition) -> str:
    """``PO/KOPERASI-MAJU/2025/00012``: the cooperative, the year of the close (in the site's time zone, like
    the date printed beside it) and the coalition's id."""
    year = _local(_settled(coalition)[0]).year
    return f"PO/{coalition.cooperative.slug.upper()}/{year}/{coalition.id:05d}"


def _contact_manager(cooperative: Cooperative) -> tuple[str, str, str]:
    """Name, phone and e-mail of the cooperative's contact person: the chair, else the longest-serving
    manager (the cooperative itself has no phone or e-mail of its own)."""
    managers = sorted(cooperative.managers, key=lambda m: m.role is not ManagerRole.CHAIR)
    if not managers:
        return "", "", ""
    user = managers[0].user
    return user.name, display_phone(user.phone), user.email


def _address_lines(cooperative: Cooperative) -> list[str]:
    return [
        line
        for line in (cooperative.address, regions.label(cooperative.regency_code))
        if line and line.strip()
    ]


def _shares(coalition: BuyingCoalition) -> list[MemberShare]:
    return list(
        db.session.scalars(
            select(MemberShare)
            .where(MemberShare.coalition_id == coalition.id)
            .options(selectinload(MemberShare.business).selectinload(Business.owner))
            .order_by(MemberShare.id)
        )
    )


def _member_count(coalition: BuyingCoalition) -> int:
    return sum(1 for share in _shares(coalition) if share.allocated_qty > 0)


def _shared_cost_label() -> str:
    return _("Biaya bersama (pengiriman dll.)")


def _grand_total(coalition: BuyingCoalition) -> int:
    return (coalition.goods_total_idr or 0) + coalition.shared_cost_idr


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: never let a name typed by a user run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


# --- the PDF helpers --------------------------------------------------------------------------------------


class _DocumentPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")


def _new_pdf(title: str, author: str, footer: str, *, orientation: str = "portrait") -> _DocumentPDF:
    pdf = _DocumentPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(pdf_text(title))
    pdf.set_author(pdf_text(author))
    pdf.set_creator("Gotong")
    pdf.footer_text = pdf_text(footer)
    pdf.add_page()
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*INK)
    return pdf


def _block(pdf: FPDF, x: float, width: float, title: str, lines: list[tuple[str, bool]]) -> float:
    """A titled block of text lines at ``x``; ``(text, bold)`` per line. Returns the y where it ends."""
    pdf.set_x(x)
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, pdf_text(title).upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    for text, bold in lines:
        if not text:
            continue
        pdf.set_x(x)
        pdf.set_font("helvetica", "B" if bold else "", 10)
        pdf.multi_cell(width, 5, pdf_text(text), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _facts(pdf: FPDF, rows: list[tuple[str, str]], label_width: float = 42) -> None:
    for label, value in rows:
        pdf.set_font("helvetica", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(label_width, 5.5, pdf_text(label))
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 5.5, pdf_text(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature(pdf: FPDF, x: float, width: float, lines_above: list[str], name: str, role: str) -> None:
    pdf.set_x(x)
    pdf.set_font("helvetica", "", 10)
    for text in lines_above:
        pdf.set_x(x)
        pdf.multi_cell(width, 5, pdf_text(text), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(20)  # room for the signature (and the cooperative's stamp)
    y = pdf.get_y()
    pdf.line(x + 8, y, x + width - 8, y)
    pdf.set_xy(x, y + 1)
    pdf.set_font("helvetica", "B", 10)
    pdf.multi_cell(width, 5, pdf_text(name) or " ", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(width, 5, pdf_text(role), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _quantity(qty: int, unit: str) -> str:
    return f"{qty:,}".replace(",", ".") + f" {unit}"


# --- the purchase order -----------------------------------------------------------------------------------


def purchase_order_pdf(coalition: BuyingCoalition) -> bytes:
    """The supplier purchase order as an A4 PDF in the current locale."""
    _closed_at, quantity, unit_price = _settled(coalition)
    cooperative = coalition.cooperative
    number = purchase_order_number(coalition)
    unit = unit_label(coalition.unit)
    contact_name, contact_phone, contact_email = _contact_manager(cooperative)
    members = _member_count(coalition)
    pdf = _new_pdf(
        _("Surat Pesanan %(number)s", number=number),
        cooperative.name,
        _("Surat Pesanan %(number)s · dibuat di Gotong", number=number),
    )
    width = pdf.epw

    # Head: the cooperative (the buyer) on the left, the document's name on the right.
    top = pdf.get_y()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(
        width * 0.55, 7, pdf_text(cooperative.name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    head = _address_lines(cooperative)
    if contact_phone:
        head.append(_("Telepon: %(phone)s", phone=contact_phone))
    if contact_email:
        head.append(_("E-mail: %(email)s", email=contact_email))
    for text in head:
        pdf.multi_cell(width * 0.55, 4.5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.55, top)
    pdf.set_font("helvetica", "B", 14)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        width * 0.45,
        7,
        pdf_text(_("Surat Pesanan (Purchase Order)")),
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_y(max(left_bottom, pdf.get_y()) + 3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)

    _facts(
        pdf,
        [
            (_("No. surat pesanan"), number),
            (_("Tanggal"), _closed_on(coalition)),
            (_("Koalisi pembelian"), coalition.title),
            (_("Jumlah anggota"), str(members)),
        ],
    )
    pdf.ln(3)

    # The supplier and where the goods go, side by side.
    top = pdf.get_y()
    half = (width - 8) / 2
    supplier = [(coalition.supplier_name, True), (coalition.supplier_contact, False)]
    end_left = _block(pdf, pdf.l_margin, half, _("Kepada (pemasok)"), supplier)
    pdf.set_y(top)
    delivery = [(cooperative.name, True)] + [(line, False) for line in _address_lines(cooperative)]
    if contact_name:
        contact = ", ".join(part for part in (contact_name, contact_phone) if part)
        delivery.append((_("Penerima: %(contact)s", contact=contact), False))
    end_right = _block(pdf, pdf.l_margin + half + 8, half, _("Dikirim ke"), delivery)
    pdf.set_xy(pdf.l_margin, max(end_left, end_right) + 5)

    # The order: the item, the shared costs, the total.
    item = coalition.title
    if coalition.description.strip():
        item += "\n" + coalition.description.strip()
    if coalition.pack_size > 1 and coalition.packs_ordered is not None:
        item += "\n" + _(
            "%(packs)s kemasan × %(size)s %(unit)s",
            packs=coalition.packs_ordered,
            size=coalition.pack_size,
            unit=unit,
        )
    pdf.set_font("helvetica", "", 10)
    with pdf.table(
        col_widths=(84, 30, 30, 36),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5.5,
        padding=1.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
    ) as table:
        heading = table.row()
        for label in (_("Barang"), _("Jumlah"), _("Harga satuan"), _("Subtotal")):
            heading.cell(pdf_text(label))
        row = table.row()
        row.cell(pdf_text(item))
        row.cell(pdf_text(_quantity(quantity, unit)))
        row.cell(format_idr(unit_price))
        row.cell(format_idr(coalition.goods_total_idr))
        if coalition.shared_cost_idr:
            row = table.row()
            row.cell(pdf_text(_shared_cost_label()))
            row.cell("")
            row.cell("")
            row.cell(format_idr(coalition.shared_cost_idr))
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(width - 44, 7, pdf_text(_("Total")), align="R")
    pdf.cell(44, 7, format_idr(_grand_total(coalition)), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    note = _(
        "Pesanan gabungan %(members)s anggota %(cooperative)s. Mohon kirim barang ke alamat di atas dan "
        "cantumkan nomor surat pesanan ini pada surat jalan dan tagihan.",
        members=members,
        cooperative=cooperative.name,
    )
    pdf.multi_cell(0, 4.5, pdf_text(note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(6)

    # Signatures: the supplier accepts, the cooperative's manager orders.
    if pdf.get_y() > pdf.page_break_trigger - 50:
        pdf.add_page()
    top = pdf.get_y()
    column = width / 2 - 10
    _signature(pdf, pdf.l_margin, column, [_("Diterima oleh pemasok,"), ""], coalition.supplier_name, "")
    pdf.set_y(top)
    _signature(
        pdf,
        pdf.l_margin + width - column,
        column,
        [_("Hormat kami,"), cooperative.name],
        contact_name,
        _("Pengurus koperasi"),
    )
    return bytes(pdf.output())


def purchase_order_csv(coalition: BuyingCoalition) -> str:
    """The purchase order's lines, one row each (the item, then the shared costs): summing the subtotal
    column gives the order's total."""
    _closed_at, quantity, unit_price = _settled(coalition)
    number = purchase_order_number(coalition)
    day = _closed_on_iso(coalition)
    header = [
        _("No. surat pesanan"),
        _("Tanggal"),
        _("Pembeli"),
        _("Pemasok"),
        _("Barang"),
        _("Jumlah"),
        _("Satuan"),
        _("Jumlah kemasan"),
        _("Per kemasan"),
        _("Harga satuan"),
        _("Subtotal"),
    ]
    buyer, supplier = coalition.cooperative.name, coalition.supplier_name
    rows: list[list[object]] = [
        [
            number,
            day,
            buyer,
            supplier,
            coalition.title,
            quantity,
            unit_label(coalition.unit),
            coalition.packs_ordered if coalition.packs_ordered is not None else "",
            coalition.pack_size,
            unit_price,
            coalition.goods_total_idr,
        ]
    ]
    if coalition.shared_cost_idr:
        rows.append(
            [
                number,
                day,
                buyer,
                supplier,
                _shared_cost_label(),
                "",
                "",
                "",
                "",
                "",
                coalition.shared_cost_idr,
            ]
        )
    return _csv(header, rows)


# --- the distribution list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionRow:
    business_name: str
    owner_name: str
    owner_phone: str
    quantity: int
    amount_idr: int
    paid_idr: int
    owed_idr: int
    status: str  # the share's status label in the reader's language
    handed_over_qty: int
    is_cooperative: bool = False  # the units the cooperative itself took over from defaulted shares


def distribution_rows(coalition: BuyingCoalition) -> list[DistributionRow]:
    """Who receives how much: every member with units to receive, by business name, then the cooperative's
    own row when it absorbed defaulted shares. The quantities add up to the units ordered."""
    _settled(coalition)
    shares = [share for share in _shares(coalition) if share.final_qty > 0]
    shares.sort(key=lambda share: (share.business.name.casefold(), share.business_id))
    rows = [
        DistributionRow(
            business_name=share.business.name,
            owner_name=share.business.owner_name,
            owner_phone=display_phone(share.business.owner.phone or share.business.whatsapp),
            quantity=share.final_qty,
            amount_idr=share.final_idr,
            paid_idr=share.paid_idr,
            owed_idr=share.owed_idr,
            status=str(SHARE_STATUS_LABELS[share.status]),
            handed_over_qty=share.handed_over_qty,
        )
        for share in shares
    ]
    if coalition.absorbed_qty > 0:
        name, phone, _email = _contact_manager(coalition.cooperative)
        rows.append(
            DistributionRow(
                business_name=coalition.cooperative.name,
                owner_name=name,
                owner_phone=phone,
                quantity=coalition.absorbed_qty,
                amount_idr=coalition.absorbed_idr,
                # The cooperative bears this amount itself: nothing is owed to anybody.
                paid_idr=coalition.absorbed_idr,
                owed_idr=0,
                status=str(SHARE_STATUS_LABELS[ShareStatus.ABSORBED]),
                handed_over_qty=0,
                is_cooperative=True,
            )
        )
    return rows


def distribution_pdf(coalition: BuyingCoalition) -> bytes:
    """The distribution list as an A4 landscape PDF to print and sign at the handover; the table's header
    repeats on every page."""
    _closed_at, quantity, unit_price = _settled(coalition)
    rows = distribution_rows(coalition)
    cooperative = coalition.cooperative
    number = purchase_order_number(coalition)
    unit = unit_label(coalition.unit)
    title = _("Daftar Pembagian Barang")
    pdf = _new_pdf(
        f"{title} {number}",
        cooperative.name,
        _("Daftar pembagian %(number)s · dibuat di Gotong", number=number),
        orientation="landscape",
    )
    width = pdf.epw

    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 7, pdf_text(title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "B", 11)
    pdf.multi_cell(0, 6, pdf_text(coalition.title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    _facts(
        pdf,
        [
            (_("Koperasi"), cooperative.name),
            (_("No. surat pesanan"), number),
            (_("Tanggal"), _closed_on(coalition)),
            (_("Pemasok"), coalition.supplier_name),
            (_("Harga satuan"), f"{format_idr(unit_price)} / {unit}"),
        ],
    )
    pdf.ln(3)

    columns = [
        (_("No."), 7, "RIGHT"),
        (_("Nama usaha"), 42, "LEFT"),
        (_("Nama pemilik"), 32, "LEFT"),
        (_("Telepon"), 26, "LEFT"),
        (_("Jumlah"), 19, "RIGHT"),
        (_("Total"), 22, "RIGHT"),
        (_("Dibayar"), 22, "RIGHT"),
        (_("Sisa tagihan"), 22, "RIGHT"),
        (_("Status"), 25, "LEFT"),
        (_("Diserahkan"), 19, "RIGHT"),
        (_("Tanda tangan / signature"), 0, "LEFT"),  # the rest of the width
    ]
    fixed = sum(w for _label, w, _align in columns)
    col_widths = tuple(w if w else width - fixed for _label, w, _align in columns)
    pdf.set_font("helvetica", "", 8)
    with pdf.table(
        col_widths=col_widths,
        text_align=tuple(align for _label, _w, align in columns),
        line_height=4,
        padding=1.2,
        min_row_height=10,  # room to sign
        borders_layout="ALL",
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
    ) as table:
        heading = table.row()
        for label, _w, _align in columns:
            heading.cell(pdf_text(label))
        for index, entry in enumerate(rows, start=1):
            row = table.row()
            row.cell(str(index))
            row.cell(pdf_text(entry.business_name))
            row.cell(pdf_text(entry.owner_name))
            row.cell(pdf_text(entry.owner_phone))
            row.cell(pdf_text(_quantity(entry.quantity, unit)))
            row.cell(format_idr(entry.amount_idr))
            row.cell(format_idr(entry.paid_idr))
            row.cell(format_idr(entry.owed_idr))
            row.cell(pdf_text(entry.status))
            row.cell(pdf_text(_quantity(entry.handed_over_qty, unit)))
            row.cell("")
        bold = FontFace(emphasis="BOLD")
        total = table.row()
        total.cell(pdf_text(_("Total")), colspan=4, align="RIGHT", style=bold)
        total.cell(pdf_text(_quantity(sum(r.quantity for r in rows), unit)), style=bold)
        total.cell(format_idr(sum(r.amount_idr for r in rows)), style=bold)
        total.cell(format_idr(sum(r.paid_idr for r in rows)), style=bold)
        total.cell(format_idr(sum(r.owed_idr for r in rows)), style=bold)
        total.cell("")
        total.cell(pdf_text(_quantity(sum(r.handed_over_qty for r in rows), unit)), style=bold)
        total.cell("")
    pdf.ln(3)
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        4.5,
        pdf_text(
            _(
                "Dipesan dari pemasok: %(qty)s. Penerima menandatangani saat barang diserahkan.",
                qty=_quantity(quantity, unit),
            )
        ),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    return bytes(pdf.output())


def distribution_csv(coalition: BuyingCoalition) -> str:
    """The distribution list, one row per recipient, amounts as plain integers of rupiah."""
    header = [
        _("Nama usaha"),
        _("Nama pemilik"),
        _("Telepon"),
        _("Jumlah"),
        _("Satuan"),
        _("Total"),
        _("Dibayar"),
        _("Sisa tagihan"),
        _("Status"),
        _("Diserahkan"),
    ]
    unit = unit_label(coalition.unit)
    rows: list[list[object]] = [
        [
            r.business_name,
            r.owner_name,
            r.owner_phone,
            r.quantity,
            unit,
            r.amount_idr,
            r.paid_idr,
            r.owed_idr,
            r.status,
            r.handed_over_qty,
        ]
        for r in distribution_rows(coalition)
    ]
    return _csv(header, rows)


# --- a member's invoice (tagihan) -------------------------------------------------------------------------


def share_invoice_number(share: MemberShare) -> str:
    """``TAG/KOPERASI-MAJU/2025/00012-00034``: the cooperative, the year of the close (in the site's time
    zone, like the purchase order's), the coalition's id and the share's id."""
    coalition = share.coalition
    year = _local(_settled(coalition)[0]).year
    return f"TAG/{coalition.cooperative.slug.upper()}/{year}/{coalition.id:05d}-{share.id:05d}"


def _invoice_stamp(share: MemberShare) -> tuple[str, str]:
    """The stamp across the invoice's head: its colour (``STAMP_COLOURS``) and its text."""
    if share.status is ShareStatus.PAID and share.owed_idr == 0:
        return "paid", _("LUNAS")
    if share.status in SETTLED_AWAY:
        return "cancelled", _("DIBATALKAN")
    if share.status is ShareStatus.DEFAULTED:
        return "unpaid", _("GAGAL BAYAR")
    if share.paid_idr > 0:
        return "unpaid", _("BELUM LUNAS")
    return "unpaid", _("BELUM DIBAYAR")


def _pay_url(share: MemberShare) -> str:
    try:
        return url_for(
            "coalitions.pay_share", coalition_id=share.coalition_id, share_id=share.id, _external=True
        )
    except RuntimeError:  # built outside a request without SERVER_NAME (a CLI run): no link then
        return ""


def _invoice_lines(share: MemberShare, title: str, unit: str) -> list[tuple[str, str, str, int]]:
    """(description, quantity, unit price, subtotal) per line; they add up to ``total_idr + extra_idr``.
    Units received later through a re-allocation get their own goods line and shared-cost line."""
    price = share.unit_price_idr
    lines = [(title, _quantity(share.allocated_qty, unit), format_idr(price), share.goods_idr)]
    extra_goods = share.extra_qty * price
    extra_cost = share.extra_idr - extra_goods
    extra_label = _("Tambahan (pengalihan)")
    if share.extra_qty:
        lines.append(
            (f"{title}\n{extra_label}", _quantity(share.extra_qty, unit), format_idr(price), extra_goods)
        )
    if share.shared_cost_idr:
        lines.append((_("Bagian biaya bersama"), "", "", share.shared_cost_idr))
    if extra_cost:
        lines.append((f"{_('Bagian biaya bersama')}\n{extra_label}", "", "", extra_cost))
    return lines


def share_invoice_pdf(share: MemberShare) -> bytes:
    """A member's invoice for its share as an A4 PDF in the current locale: the cooperative bills the member
    business for its units and its part of the shared costs, shows what was paid and what is still owed, and
    how to pay it (the cooperative's bank account, the pay page)."""
    coalition = share.coalition
    _settled(coalition)
    cooperative = coalition.cooperative
    business = share.business
    number = share_invoice_number(share)
    unit = unit_label(coalition.unit)
    contact_name, contact_phone, contact_email = _contact_manager(cooperative)
    pdf = _new_pdf(
        _("Tagihan %(number)s", number=number),
        cooperative.name,
        _("Tagihan %(number)s · dibuat di Gotong", number=number),
    )
    width = pdf.epw

    # Head: the cooperative (the issuer) on the left, the document's name and its stamp on the right.
    top = pdf.get_y()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(width * 0.6, 7, pdf_text(cooperative.name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    head = _address_lines(cooperative)
    if contact_name:
        head.append(f"{contact_name} ({_('Pengurus koperasi')})")
    if contact_phone:
        head.append(_("Telepon: %(phone)s", phone=contact_phone))
    if contact_email:
        head.append(_("E-mail: %(email)s", email=contact_email))
    for text in head:
        pdf.multi_cell(width * 0.6, 4.5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.6, top)
    pdf.set_font("helvetica", "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(width * 0.4, 9, pdf_text(_("TAGIHAN")), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    stamp, stamp_label = _invoice_stamp(share)
    colour = STAMP_COLOURS[stamp]
    pdf.set_font("helvetica", "B", 13)
    stamp_text = pdf_text(stamp_label)
    stamp_width = pdf.get_string_width(stamp_text) + 8
    pdf.set_xy(pdf.l_margin + width - stamp_width, top + 12)
    pdf.set_draw_color(*colour)
    pdf.set_text_color(*colour)
    pdf.set_line_width(0.8)
    pdf.cell(stamp_width, 9, stamp_text, border=1, align="C")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*INK)
    pdf.set_y(max(left_bottom, top + 24) + 3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)
    if share.status in SETTLED_AWAY:
        pdf.set_font("helvetica", "B", 11)
        pdf.set_text_color(*colour)
        notice = _(
            "%(status)s: bagian ini bukan lagi milik anggota dan tagihan ini tidak perlu dibayar.",
            status=SHARE_STATUS_LABELS[share.status],
        )
        pdf.multi_cell(0, 6, pdf_text(notice), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(2)

    facts = [(_("No. tagihan"), number), (_("Tanggal"), _closed_on(coalition))]
    if share.due_at is not None:
        facts.append((_("Jatuh tempo"), format_date(_local(share.due_at), "long")))
    facts.append((_("Status"), str(SHARE_STATUS_LABELS[share.status])))
    _facts(pdf, facts)
    pdf.ln(3)

    # The member business (the addressee) and what was bought together, side by side.
    top = pdf.get_y()
    half = (width - 8) / 2
    place = [line for line in (business.address, regions.label(business.regency_code)) if line]
    addressee = [(business.name, True), (business.owner_name, False)] + [(line, False) for line in place]
    end_left = _block(pdf, pdf.l_margin, half, _("Kepada"), addressee)
    pdf.set_y(top)
    item = [(coalition.title, True), (f"{_('Pemasok')}: {coalition.supplier_name}", False)]
    end_right = _block(pdf, pdf.l_margin + half + 8, half, _("Barang yang dibeli bersama"), item)
    pdf.set_xy(pdf.l_margin, max(end_left, end_right) + 5)

    # The lines.
    pdf.set_font("helvetica", "", 10)
    with pdf.table(
        col_widths=(84, 30, 30, 36),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5.5,
        padding=1.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
    ) as table:
        heading = table.row()
        for label in (_("Barang"), _("Jumlah"), _("Harga satuan"), _("Subtotal")):
            heading.cell(pdf_text(label))
        for description, quantity, price, subtotal in _invoice_lines(share, coalition.title, unit):
            row = table.row()
            row.cell(pdf_text(description))
            row.cell(pdf_text(quantity))
            row.cell(price)
            row.cell(format_idr(subtotal))
    pdf.ln(2)

    def total_row(label: str, amount: int, bold: bool = False) -> None:
        pdf.set_font("helvetica", "B" if bold else "", 12 if bold else 10)
        pdf.cell(width - 44, 7, pdf_text(label), align="R")
        pdf.cell(44, 7, format_idr(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if share.status in SETTLED_AWAY:  # the lines no longer billed: the total comes down to 0
        total_row(str(SHARE_STATUS_LABELS[share.status]), share.final_idr - share.total_idr - share.extra_idr)
    total_row(_("Total"), share.final_idr, bold=True)
    total_row(_("Sudah dibayar"), share.paid_idr)
    total_row(_("Sisa tagihan"), share.owed_idr, bold=True)
    savings = member_savings(share)
    if savings > 0:
        pdf.ln(1)
        pdf.set_font("helvetica", "", 10)
        pdf.set_text_color(*STAMP_COLOURS["paid"])
        saved = _("Hemat dibanding beli sendiri: %(amount)s", amount=format_idr(savings))
        pdf.multi_cell(0, 5, pdf_text(saved), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
    pdf.ln(4)

    # How to pay.
    if pdf.get_y() > pdf.page_break_trigger - 45:
        pdf.add_page()
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, pdf_text(_("Pembayaran")).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "", 10)
    if share.owed_idr == 0:
        if share.status is ShareStatus.PAID:
            message = _("Bagian ini sudah lunas. Terima kasih!")
        else:
            message = str(SHARE_STATUS_LABELS[share.status])
        pdf.multi_cell(0, 5.5, pdf_text(message), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())
    if share.due_at is not None:
        day = format_date(_local(share.due_at), "long")
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(
            0, 5.5, pdf_text(_("Bayar paling lambat %(day)s.", day=day)), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(1)
    if cooperative.bank_account_number:
        account = [
            (_("Bank"), cooperative.bank_name or ""),
            (_("Nomor rekening"), cooperative.bank_account_number),
        ]
        if cooperative.bank_account_holder:
            account.append((_("Atas nama"), cooperative.bank_account_holder))
        # The reference the manager matches the transfer with is the one of the member's transfer attempt
        # (the pay page makes it); before there is one, the invoice number identifies the share.
        from coalitions.payments import open_attempt

        attempt = open_attempt(share)
        reference = attempt.reference if attempt is not None and attempt.kind.value == "transfer" else number
        account.append((_("Berita transfer"), reference))
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(
            0,
            5.5,
            pdf_text(_("Transfer ke rekening koperasi")),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        _facts(pdf, [(label, value) for label, value in account if value])
    else:
        pdf.multi_cell(
            0,
            5.5,
            pdf_text(_("Koperasi belum mencantumkan rekening bank. Hubungi pengurus koperasi.")),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    url = _pay_url(share)
    if url:
        pdf.ln(2)
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(
            0, 5.5, pdf_text(_("Bayar / lihat cara membayar")), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("helvetica", "U", 10)
        pdf.set_text_color(*STAMP_COLOURS["refunded"])
        pdf.multi_cell(0, 5.5, pdf_text(url), link=url, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
    return bytes(pdf.output())
