"""The papers of a selling coalition once the buyer confirmed receipt: the buyer's invoice (faktur) for the
accepted goods, and each member's settlement statement (pernyataan hasil penjualan).

Builders only (the routes are in ``coalitions.selling.payment_views``). Amounts come from what the receipt
stored (``SellingCoalition.buyer_total_idr``, the ``MemberPayout`` rows), never recomputed; the quantities per
grade are read from the quality-control records, which can no longer change after the receipt. The PDFs use
the buying coalition documents' helpers (fpdf2 core fonts, every text through ``pdf_text``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy import select

from coalitions.documents import _address_lines, _block, _contact_manager, _facts, _local, _new_pdf, _quantity
from coalitions.selling.models import (
    SELLING_STATUS_LABELS,
    Commitment,
    CommitmentStatus,
    MemberPayout,
    SellingCoalition,
    SellingStatus,
)
from marketplace.catalog.models import unit_label
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.money import format_idr
from marketplace.orders.invoice_pdf import HEAD_FILL, INK, LINE, MUTED, STAMP_COLOURS, pdf_text

S = SellingStatus
INVOICE_STATUSES = frozenset({S.DELIVERED, S.PAID, S.SETTLED})


@dataclass(frozen=True)
class GradeLine:
    grade: str
    quantity: int
    price_idr: int

    @property
    def subtotal_idr(self) -> int:
        return self.quantity * self.price_idr


def has_invoice(coalition: SellingCoalition) -> bool:
    return coalition.status in INVOICE_STATUSES and coalition.buyer_total_idr is not None


def _commitments(coalition: SellingCoalition, business_id: int | None = None) -> list[Commitment]:
    query = select(Commitment).where(
        Commitment.coalition_id == coalition.id, Commitment.status == CommitmentStatus.ACTIVE
    )
    if business_id is not None:
        query = query.where(Commitment.business_id == business_id)
    return list(db.session.scalars(query.order_by(Commitment.created_at, Commitment.id)))


def _grade_lines(coalition: SellingCoalition, commitments: list[Commitment]) -> list[GradeLine]:
    """Accepted units per grade (in the coalition's grade order) at the coalition's prices."""
    accepted: dict[str, int] = {}
    for commitment in commitments:
        accepted[commitment.grade] = accepted.get(commitment.grade, 0) + sum(
            check.accepted_qty for check in commitment.checks
        )
    return [
        GradeLine(g.grade, accepted[g.grade], g.price_idr) for g in coalition.grades if accepted.get(g.grade)
    ]


def invoice_lines(coalition: SellingCoalition) -> list[GradeLine]:
    """What the buyer is billed: accepted units per grade × the grade's price (adds up to the stored
    ``buyer_total_idr``)."""
    return _grade_lines(coalition, _commitments(coalition))


def _received_on(coalition: SellingCoalition) -> str:
    if coalition.received_at is None:
        return ""
    return format_date(_local(coalition.received_at), "long")


def _year(coalition: SellingCoalition) -> int:
    moment = coalition.received_at or coalition.created_at
    return _local(moment).year


def invoice_number(coalition: SellingCoalition) -> str:
    """``FKT/KOPERASI-MAJU/2025/00012``: the cooperative, the year of the receipt and the coalition's id."""
    return f"FKT/{coalition.cooperative.slug.upper()}/{_year(coalition)}/{coalition.id:05d}"


def statement_number(payout: MemberPayout) -> str:
    coalition = payout.coalition
    return (
        f"PHJ/{coalition.cooperative.slug.upper()}/{_year(coalition)}/{coalition.id:05d}-{payout.business_id}"
    )


def _percent(fee_bp: int) -> str:
    return format_decimal(fee_bp / 100, format="#,##0.##") + "%"


# --- shared layout ----------------------------------------------------------------------------------------


def _head(pdf: FPDF, cooperative: Cooperative, title: str, stamp: str, stamp_label: str) -> None:
    """The cooperative (the issuer) on the left; the document's name and its stamp on the right."""
    width = pdf.epw
    contact_name, contact_phone, contact_email = _contact_manager(cooperative)
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
    pdf.set_xy(pdf.l_margin + width * 0.55, top)
    pdf.set_font("helvetica", "B", 16)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width * 0.45, 8, pdf_text(title), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    colour = STAMP_COLOURS[stamp]
    pdf.set_font("helvetica", "B", 13)
    stamp_text = pdf_text(stamp_label)
    stamp_width = pdf.get_string_width(stamp_text) + 8
    pdf.set_xy(pdf.l_margin + width - stamp_width, pdf.get_y() + 2)
    pdf.set_draw_color(*colour)
    pdf.set_text_color(*colour)
    pdf.set_line_width(0.8)
    pdf.cell(stamp_width, 9, stamp_text, border=1, align="C")
    right_bottom = pdf.get_y() + 9
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*INK)
    pdf.set_y(max(left_bottom, right_bottom, top + 24) + 3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, pdf_text(text).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _table(pdf: FPDF, widths: tuple[float, ...], align: tuple[str, ...], rows: list[list[str]]) -> None:
    """A table whose first row is the heading."""
    pdf.set_font("helvetica", "", 9.5)
    with pdf.table(
        col_widths=widths,
        text_align=align,
        line_height=5.5,
        padding=1.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(pdf_text(cell))
    pdf.ln(2)


def _total_row(pdf: FPDF, label: str, amount: int, *, bold: bool = False) -> None:
    width = pdf.epw
    pdf.set_font("helvetica", "B" if bold else "", 11 if bold else 10)
    pdf.cell(width - 44, 6.5, pdf_text(label), align="R")
    pdf.cell(44, 6.5, format_idr(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, text: str, *, bold: bool = False) -> None:
    pdf.set_font("helvetica", "B" if bold else "", 10)
    pdf.multi_cell(0, 5.5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# --- the buyer's invoice ----------------------------------------------------------------------------------


def _invoice_stamp(coalition: SellingCoalition, owed: int) -> tuple[str, str]:
    if owed == 0:
        return "paid", _("LUNAS")
    if coalition.paid_idr > 0:
        return "unpaid", _("BELUM LUNAS")
    return "unpaid", _("BELUM DIBAYAR")


def invoice_pdf(coalition: SellingCoalition) -> bytes:
    """The buyer's invoice as an A4 PDF in the current locale: the accepted goods per grade at the agreed
    prices, the total, what was paid and what is still owed, and how to pay it (the cooperative's bank
    account and the reference to write on the transfer)."""
    if not has_invoice(coalition):
        raise ValueError(f"selling coalition {coalition.id} has no invoice (receipt not confirmed)")
    cooperative = coalition.cooperative
    number = invoice_number(coalition)
    unit = unit_label(coalition.unit)
    total = coalition.buyer_total_idr or 0
    owed = max(total - coalition.paid_idr, 0)
    pdf = _new_pdf(
        _("Faktur %(number)s", number=number),
        cooperative.name,
        _("Faktur %(number)s · dibuat di Gotong", number=number),
    )
    _head(pdf, cooperative, _("FAKTUR"), *_invoice_stamp(coalition, owed))
    _facts(
        pdf,
        [
            (_("No. faktur"), number),
            (_("Tanggal diterima"), _received_on(coalition)),
            (_("Status"), str(SELLING_STATUS_LABELS[coalition.status])),
        ],
    )
    pdf.ln(3)

    width = pdf.epw
    half = (width - 8) / 2
    top = pdf.get_y()
    buyer = [(coalition.buyer_name, True), (coalition.buyer_contact, False)]
    if coalition.buyer is not None:
        buyer.append((coalition.buyer.email, False))
    end_left = _block(pdf, pdf.l_margin, half, _("Kepada"), buyer)
    pdf.set_y(top)
    delivered = [(coalition.title, True)]
    if coalition.delivery_place:
        delivered.append((_("Tempat kirim: %(place)s", place=coalition.delivery_place), False))
    delivered.append((_("Diterima: %(qty)s", qty=_quantity(coalition.accepted_qty or 0, unit)), False))
    end_right = _block(pdf, pdf.l_margin + half + 8, half, _("Barang"), delivered)
    pdf.set_xy(pdf.l_margin, max(end_left, end_right) + 5)

    rows = [[_("Barang"), _("Diterima"), _("Harga satuan"), _("Subtotal")]]
    for line in invoice_lines(coalition):
        rows.append(
            [
                _("%(title)s, mutu %(grade)s", title=coalition.title, grade=line.grade),
                _quantity(line.quantity, unit),
                format_idr(line.price_idr),
                format_idr(line.subtotal_idr),
            ]
        )
    _table(pdf, (84, 30, 30, 36), ("LEFT", "RIGHT", "RIGHT", "RIGHT"), rows)
    _total_row(pdf, _("Total"), total, bold=True)
    _total_row(pdf, _("Sudah dibayar"), coalition.paid_idr)
    _total_row(pdf, _("Sisa tagihan"), owed, bold=True)
    pdf.ln(4)

    if pdf.get_y() > pdf.page_break_trigger - 45:
        pdf.add_page()
    _heading(pdf, _("Pembayaran"))
    if owed == 0:
        _paragraph(pdf, _("Faktur ini sudah lunas. Terima kasih!"))
        return bytes(pdf.output())
    if cooperative.bank_account_number:
        from coalitions.selling.payments import TRANSFER, open_attempt

        attempt = open_attempt(coalition)
        # The reference the manager matches the transfer with is the buyer's transfer attempt's (the pay page
        # makes it); before there is one, the invoice number identifies the debt.
        reference = attempt.reference if attempt is not None and attempt.kind == TRANSFER else number
        account = [
            (_("Bank"), cooperative.bank_name or ""),
            (_("Nomor rekening"), cooperative.bank_account_number),
            (_("Atas nama"), cooperative.bank_account_holder or ""),
            (_("Nominal"), format_idr(owed)),
            (_("Berita transfer"), reference),
        ]
        _paragraph(pdf, _("Transfer ke rekening koperasi"), bold=True)
        _facts(pdf, [(label, value) for label, value in account if value])
    else:
        _paragraph(pdf, _("Koperasi belum mencantumkan rekening bank. Hubungi pengurus koperasi."))
    return bytes(pdf.output())


# --- a member's settlement statement ----------------------------------------------------------------------


def statement_pdf(payout: MemberPayout) -> bytes:
    """A member's settlement statement as an A4 PDF in the current locale: its commitments and what it was
    allocated, delivered, and what quality control accepted or rejected (with the reasons); the gross by
    grade, the cooperative's fee, its share of the shared costs, the payout, the payments recorded with
    their references, and what is still owed to it."""
    coalition = payout.coalition
    cooperative = coalition.cooperative
    business = payout.business
    unit = unit_label(coalition.unit)
    number = statement_number(payout)
    pdf = _new_pdf(
        _("Pernyataan hasil penjualan %(number)s", number=number),
        cooperative.name,
        _("Pernyataan %(number)s · dibuat di Gotong", number=number),
    )
    if payout.owed_idr == 0:
        stamp = ("paid", _("LUNAS DIBAYAR"))
    elif payout.paid_idr > 0:
        stamp = ("unpaid", _("DIBAYAR SEBAGIAN"))
    else:
        stamp = ("unpaid", _("BELUM DIBAYAR"))
    _head(pdf, cooperative, _("PERNYATAAN HASIL PENJUALAN"), *stamp)
    _facts(
        pdf,
        [
            (_("No. pernyataan"), number),
            (_("Koalisi"), coalition.title),
            (_("Pembeli"), coalition.buyer_name),
            (_("Diterima pembeli"), _received_on(coalition)),
            (_("Status koalisi"), str(SELLING_STATUS_LABELS[coalition.status])),
        ],
    )
    pdf.ln(2)
    place = [line for line in (business.address,) if line]
    _block(
        pdf,
        pdf.l_margin,
        pdf.epw,
        _("Anggota"),
        [(business.name, True), (business.owner_name, False)] + [(line, False) for line in place],
    )

    commitments = _commitments(coalition, business.id)
    _heading(pdf, _("Komitmen dan pemeriksaan mutu"))
    rows = [[_("Mutu"), _("Komitmen"), _("Bagian"), _("Dibawa"), _("Diterima"), _("Ditolak"), _("Alasan")]]
    for commitment in commitments:
        delivered = sum(c.delivered_qty for c in commitment.checks)
        accepted = sum(c.accepted_qty for c in commitment.checks)
        reasons = "; ".join(dict.fromkeys(c.reason for c in commitment.checks if c.reason))
        rows.append(
            [
                commitment.grade,
                _quantity(commitment.quantity, unit),
                _quantity(commitment.allocated_qty or 0, unit),
                _quantity(delivered, unit),
                _quantity(accepted, unit),
                _quantity(delivered - accepted, unit),
                reasons,
            ]
        )
    _table(
        pdf, (18, 22, 22, 22, 22, 22, 52), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"), rows
    )

    _heading(pdf, _("Hasil penjualan"))
    rows = [[_("Mutu"), _("Diterima"), _("Harga satuan"), _("Bruto")]]
    for line in _grade_lines(coalition, commitments):
        rows.append(
            [
                line.grade,
                _quantity(line.quantity, unit),
                format_idr(line.price_idr),
                format_idr(line.subtotal_idr),
            ]
        )
    _table(pdf, (84, 30, 30, 36), ("LEFT", "RIGHT", "RIGHT", "RIGHT"), rows)
    _total_row(pdf, _("Bruto"), payout.gross_idr)
    _total_row(pdf, _("Dikurangi fee koperasi (%(pct)s)", pct=_percent(coalition.fee_bp)), payout.fee_idr)
    _total_row(pdf, _("Dikurangi bagian biaya bersama"), payout.shared_cost_idr)
    _total_row(pdf, _("Hasil bersih untuk anggota"), payout.payout_idr, bold=True)
    if coalition.shared_cost_idr:
        pdf.set_font("helvetica", "", 8.5)
        pdf.set_text_color(*MUTED)
        note = _(
            "Biaya bersama %(cost)s dibagi menurut jumlah yang diterima: %(qty)s dari %(total)s.",
            cost=format_idr(coalition.shared_cost_idr),
            qty=_quantity(payout.accepted_qty, unit),
            total=_quantity(coalition.accepted_qty or 0, unit),
        )
        pdf.multi_cell(0, 4.5, pdf_text(note), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)

    if pdf.get_y() > pdf.page_break_trigger - 40:
        pdf.add_page()
    _heading(pdf, _("Pembayaran ke anggota"))
    if payout.records:
        rows = [[_("Tanggal"), _("Referensi"), _("Jumlah")]]
        for record in payout.records:
            rows.append(
                [
                    format_date(_local(record.paid_at), "medium"),
                    record.reference,
                    format_idr(record.amount_idr),
                ]
            )
        _table(pdf, (40, 104, 36), ("LEFT", "LEFT", "RIGHT"), rows)
    else:
        _paragraph(pdf, _("Belum ada pembayaran yang dicatat."))
    _total_row(pdf, _("Sudah dibayar"), payout.paid_idr)
    _total_row(pdf, _("Sisa yang harus dibayarkan koperasi"), payout.owed_idr, bold=True)
    if coalition.status is S.DELIVERED:
        pdf.ln(2)
        _paragraph(pdf, _("Koperasi membayar anggota setelah pembeli melunasi fakturnya."))
    return bytes(pdf.output())
