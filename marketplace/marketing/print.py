"""Printed marketing material as A4 PDFs: a product catalog, a one-page flyer and shelf labels (price tags),
each with QR codes back to the online page.

Builders only (the routes are in ``marketing.print_views``). They print public products only
(``catalog.services.is_public``) whatever list they are given, and take ``base_url_for``, a callable giving
the absolute URL of a product, business or cooperative page (the QR codes' target), so they need no request.
They do need an app context (translations in the reader's language, the upload folder for photos). Like the
order invoice they use fpdf2's core fonts: every text goes through ``pdf_text``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import contains_eager

from marketplace import regions
from marketplace.catalog import attributes
from marketplace.catalog.models import Product, unit_label
from marketplace.catalog.search import _visible as visible_products
from marketplace.catalog.services import is_public
from marketplace.clock import utcnow
from marketplace.cooperatives.models import COOPERATIVE_TYPE_LABELS, Business, Cooperative, ManagerRole
from marketplace.extensions import db
from marketplace.marketing.qr import qr_png
from marketplace.money import format_idr
from marketplace.orders.invoice_pdf import HEAD_FILL, INK, LINE, MUTED, _InvoicePDF, pdf_text
from marketplace.phones import display_phone
from marketplace.sectors import SECTOR_LABELS
from marketplace.text import markdown_to_text

Owner = Business | Cooperative
PageUrl = Callable[[Product | Business | Cooperative], str]

# A catalog is a printout, not an export: beyond this many products it is cut (and says so on its cover).
MAX_CATALOG_PRODUCTS = 600
FLYER_PRODUCTS = 6
DESCRIPTION_CHARS = 200
ACCENT = (15, 122, 74)  # the invoice's "paid" green: Gotong's colour on paper


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of self-adhesive labels: ``columns`` × ``rows`` labels of ``width`` × ``height`` mm."""

    columns: int
    rows: int
    width: float
    height: float
    gap_x: float
    gap_y: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:
        return (210 - self.columns * self.width - (self.columns - 1) * self.gap_x) / 2

    @property
    def top(self) -> float:
        return (297 - self.rows * self.height - (self.rows - 1) * self.gap_y) / 2


# The common A4 label sheets (Avery/Tom&Jerry-size): 24 shelf labels, 14 and 8 larger tags.
LABEL_SHEETS = {
    24: LabelSheet(columns=3, rows=8, width=63.5, height=33.9, gap_x=2.5, gap_y=0),
    14: LabelSheet(columns=2, rows=7, width=99.1, height=38.1, gap_x=2.5, gap_y=0),
    8: LabelSheet(columns=2, rows=4, width=99.1, height=67.7, gap_x=2.5, gap_y=0),
}


# --- what is printed ----------------------------------------------------------------------------------


def printable_products(owner: Owner, ids: Iterable[int] | None = None) -> list[Product]:
    """The owner's public products (a cooperative's: those listed under it), by category then title; only
    those among ``ids`` when given (ids of other sellers' products are simply not found)."""
    # The public set's own query (``catalog.search``), with the business and cooperative it joins loaded.
    stmt = visible_products().options(contains_eager(Product.business), contains_eager(Product.cooperative))
    if isinstance(owner, Business):
        stmt = stmt.where(Product.business_id == owner.id)
    else:
        stmt = stmt.where(Product.cooperative_id == owner.id)
    if ids is not None:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        stmt = stmt.where(Product.id.in_(wanted))
    stmt = stmt.order_by(Product.category, Product.title, Product.id).limit(MAX_CATALOG_PRODUCTS + 1)
    return list(db.session.scalars(stmt).unique())


def _public(products: Iterable[Product]) -> list[Product]:
    return [p for p in products if is_public(p)]


def product_qr_png(product: Product, base_url_for: PageUrl) -> bytes:
    """The QR code printed beside a product: its page, as an absolute URL."""
    return qr_png(base_url_for(product))


def price_text(product: Product) -> str:
    """``Rp85.000 per pcs`` (``per kg bobot hidup`` for livestock priced by weight)."""
    suffix = attributes.price_suffix(product.category, product.attributes or {}, product.unit)
    return f"{format_idr(product.price_idr)} {suffix}"


def short_description(product: Product, limit: int = DESCRIPTION_CHARS) -> str:
    text = markdown_to_text(product.description or "")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "..."


@dataclass(frozen=True)
class Contact:
    """What the printout gives as contact: only what the online page already shows the public."""

    lines: tuple[tuple[str, str], ...]  # (label, value)


def contact_of(owner: Owner) -> Contact:
    rows: list[tuple[str, str]] = []
    if isinstance(owner, Business):
        rows.append((_("Pemilik"), owner.owner_name))
        rows.append((_("WhatsApp"), display_phone(owner.whatsapp)))
    else:
        chairs = sorted(owner.managers, key=lambda m: m.role is not ManagerRole.CHAIR)
        if chairs:
            rows.append((_("Pengurus"), ", ".join(m.user.name for m in chairs)))
    address = ", ".join(part for part in (owner.address, regions.label(owner.regency_code)) if part)
    rows.append((_("Alamat"), address))
    return Contact(lines=tuple((label, value) for label, value in rows if value))


def _kind_label(owner: Owner) -> str:
    if isinstance(owner, Business):
        return str(SECTOR_LABELS.get(owner.sector, owner.sector))
    return str(COOPERATIVE_TYPE_LABELS.get(owner.coop_type, owner.coop_type))


# --- pictures ---------------------------------------------------------------------------------------------


def _upload(path: str | None) -> io.BytesIO | None:
    """A stored image (WebP) as a JPEG fpdf2 can embed, or None when there is none or it cannot be read
    (a missing file must not cost the seller the whole catalog)."""
    if not path:
        return None
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root):
        return None
    try:
        with Image.open(file) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "PA", "P"):
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = image.convert("RGB")
            out = io.BytesIO()
            flat.save(out, "JPEG", quality=82)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    out.seek(0)
    return out


class _Pictures:
    """Photos and QR codes of one document, each made once even when it appears several times."""

    def __init__(self, base_url_for: PageUrl) -> None:
        self.page_url = base_url_for
        self._photos: dict[str, io.BytesIO | None] = {}
        self._qr: dict[str, bytes] = {}

    def photo(self, path: str | None) -> io.BytesIO | None:
        if not path:
            return None
        if path not in self._photos:
            self._photos[path] = _upload(path)
        data = self._photos[path]
        return io.BytesIO(data.getvalue()) if data else None

    def qr(self, target: Product | Business | Cooperative) -> io.BytesIO:
        url = self.page_url(target)
        if url not in self._qr:
            self._qr[url] = qr_png(url)
        return io.BytesIO(self._qr[url])


def _image_in_box(pdf: FPDF, data: io.BytesIO, x: float, y: float, w: float, h: float) -> None:
    pdf.image(data, x=x, y=y, w=w, h=h, keep_aspect_ratio=True)


def _placeholder(pdf: FPDF, product: Product, x: float, y: float, size: float) -> None:
    """No photo: a tinted square with the product's initial (as the product grid shows it)."""
    pdf.set_fill_color(*HEAD_FILL)
    pdf.set_draw_color(*LINE)
    pdf.rect(x, y, size, size, style="DF")
    pdf.set_xy(x, y + size / 2 - 5)
    pdf.set_font("helvetica", "B", 20)
    pdf.set_text_color(*MUTED)
    pdf.cell(size, 10, pdf_text(product.title[:1]).upper(), align="C")
    pdf.set_text_color(*INK)


# --- text that must fit -----------------------------------------------------------------------------------


def _lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width`` in the current font, at most ``max_lines`` lines, the last one ending
    in "..." when something was cut."""
    text = pdf_text(text).replace("\n", " ")
    if not text:
        return []
    lines = pdf.multi_cell(width, 4, text, dry_run=True, output=MethodReturnValue.LINES, align="L")
    lines = [line.strip() for line in lines]
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + "...") > width:
        last = last[:-1]
    kept[-1] = last.rstrip(" ,.;:") + "..."
    return kept


def _write_lines(pdf: FPDF, x: float, lines: Sequence[str], width: float, height: float) -> None:
    for line in lines:
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _fit_font(pdf: FPDF, text: str, width: float, style: str, size: float, smallest: float) -> None:
    """The largest font size from ``size`` down to ``smallest`` at which ``text`` fits on one line."""
    while size > smallest:
        pdf.set_font("helvetica", style, size)
        if pdf.get_string_width(text) <= width:
            return
        size -= 0.5
    pdf.set_font("helvetica", style, smallest)


# --- the catalog ------------------------------------------------------------------------------------------


class _PagedPDF(_InvoicePDF):
    """A4 with the invoice's footer: a line of text on the left, "page/of" on the right."""


def _new_pdf(title: str, author: str, footer: str) -> _PagedPDF:
    pdf = _PagedPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=False, margin=18)
    pdf.set_title(pdf_text(title))
    pdf.set_author(pdf_text(author))
    pdf.set_creator("Gotong")
    pdf.footer_text = pdf_text(footer)
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*INK)
    return pdf


def _contact_block(pdf: FPDF, contact: Contact, x: float, width: float) -> None:
    pdf.set_x(x)
    pdf.set_font("helvetica", "B", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, pdf_text(_("Kontak")).upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    for label, value in contact.lines:
        pdf.set_x(x)
        pdf.set_font("helvetica", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(24, 5.5, pdf_text(label))
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - 24, 5.5, pdf_text(value), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(x)


def _cover(pdf: _PagedPDF, owner: Owner, count: int, cut: bool, pictures: _Pictures) -> None:
    pdf.add_page()
    width = pdf.epw
    y = pdf.t_margin
    logo = pictures.photo(owner.logo)
    if logo is not None:
        _image_in_box(pdf, logo, pdf.l_margin, y, 36, 36)
        y += 42
    pdf.set_fill_color(*ACCENT)
    pdf.rect(pdf.l_margin, y, 30, 1.6, style="F")
    pdf.set_xy(pdf.l_margin, y + 5)
    pdf.set_font("helvetica", "B", 11)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 6, pdf_text(_("Katalog produk")).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "B", 26)
    for line in _lines(pdf, owner.name, width, 3):
        pdf.cell(0, 12, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 12)
    pdf.set_text_color(*MUTED)
    region = regions.label(owner.regency_code)
    pdf.cell(0, 7, pdf_text(" · ".join(p for p in (_kind_label(owner), region) if p)))
    pdf.ln(10)
    pdf.set_text_color(*INK)
    description = markdown_to_text(owner.description or "")
    if description:
        pdf.set_font("helvetica", "", 11)
        for line in _lines(pdf, description, width, 8):
            pdf.cell(0, 5.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
    pdf.set_font("helvetica", "", 10)
    pdf.set_text_color(*MUTED)
    if count:
        summary = _("%(n)d produk, dicetak %(date)s", n=count, date=format_date(utcnow(), "long"))
    else:
        summary = _("Dicetak %(date)s", date=format_date(utcnow(), "long"))
    pdf.cell(0, 5, pdf_text(summary), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if cut:
        pdf.multi_cell(
            0,
            5,
            pdf_text(
                _(
                    "Katalog ini memuat %(n)d produk pertama; semua produk ada di halaman kami.",
                    n=MAX_CATALOG_PRODUCTS,
                )
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_text_color(*INK)

    # Contact on the left, the page's QR code on the right, at the foot of the cover.
    qr_size = 55
    top = pdf.h - 18 - qr_size - 14
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, top - 6, pdf.l_margin + width, top - 6)
    pdf.set_y(top)
    _contact_block(pdf, contact_of(owner), pdf.l_margin, width - qr_size - 10)
    qr_x = pdf.l_margin + width - qr_size
    pdf.image(pictures.qr(owner), x=qr_x, y=top, w=qr_size, h=qr_size)
    pdf.set_xy(qr_x - 10, top + qr_size)
    pdf.set_font("helvetica", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(qr_size + 10, 3.8, pdf_text(_("Pindai untuk membuka halaman kami di Gotong")), align="C")
    url = pictures.page_url(owner)
    pdf.set_xy(pdf.l_margin, top + qr_size + 2)
    _fit_font(pdf, url, width - qr_size - 14, "", 9, 6)
    pdf.cell(width - qr_size - 14, 5, pdf_text(url), link=url)
    pdf.set_text_color(*INK)


ROW_HEIGHT = 40.0
PHOTO = 32.0
ROW_QR = 26.0


def _category_heading(pdf: FPDF, label: str) -> None:
    pdf.set_fill_color(*HEAD_FILL)
    pdf.set_font("helvetica", "B", 12)
    pdf.set_text_color(*INK)
    pdf.cell(0, 8, " " + pdf_text(label), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _product_row(pdf: FPDF, product: Product, show_seller: bool, pictures: _Pictures) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    photo = pictures.photo(product.cover_thumb)
    if photo is not None:
        _image_in_box(pdf, photo, x, y, PHOTO, PHOTO)
    else:
        _placeholder(pdf, product, x, y, PHOTO)
    text_x = x + PHOTO + 5
    text_w = pdf.epw - PHOTO - 5 - ROW_QR - 5
    pdf.set_xy(text_x, y)
    pdf.set_font("helvetica", "B", 11)
    _write_lines(pdf, text_x, _lines(pdf, product.title, text_w, 2), text_w, 5)
    pdf.set_x(text_x)
    pdf.set_font("helvetica", "B", 12)
    pdf.set_text_color(*ACCENT)
    pdf.cell(text_w, 6, pdf_text(price_text(product)), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*MUTED)
    pdf.set_font("helvetica", "", 8.5)
    facts = [_("Minimal pesan %(n)d %(unit)s", n=product.min_order_qty, unit=unit_label(product.unit))]
    if show_seller:
        facts.append(_("Penjual: %(name)s", name=product.business.name))
    _write_lines(pdf, text_x, _lines(pdf, " · ".join(facts), text_w, 1), text_w, 4)
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "", 8.5)
    _write_lines(pdf, text_x, _lines(pdf, short_description(product), text_w, 3), text_w, 3.8)
    qr_x = pdf.l_margin + pdf.epw - ROW_QR
    pdf.image(pictures.qr(product), x=qr_x, y=y, w=ROW_QR, h=ROW_QR, link=pictures.page_url(product))
    pdf.set_xy(qr_x - 4, y + ROW_QR)
    pdf.set_font("helvetica", "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(ROW_QR + 8, 3.5, pdf_text(_("Pindai untuk memesan")), align="C")
    pdf.set_text_color(*INK)
    bottom = y + ROW_HEIGHT
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, bottom - 3, pdf.l_margin + pdf.epw, bottom - 3)
    pdf.set_xy(pdf.l_margin, bottom)


def _group(products: Sequence[Product]) -> list[tuple[str, list[Product]]]:
    """Products by category, categories in the order of their (translated) names, products by title."""
    groups: dict[str, list[Product]] = {}
    for product in products:
        label = str(SECTOR_LABELS.get(product.category, product.category))
        groups.setdefault(label, []).append(product)
    return [
        (label, sorted(items, key=lambda p: (p.title.casefold(), p.id)))
        for label, items in sorted(groups.items(), key=lambda item: item[0].casefold())
    ]


def catalog_pdf(owner: Owner, products: Iterable[Product], *, base_url_for: PageUrl) -> bytes:
    """The owner's catalog, A4 portrait: a cover (name, logo, region, description, contact and a QR code to
    the owner's page), then the public products by category, each with its photo, price, minimum order,
    a short description (and its seller, in a cooperative's catalog) and a QR code to its page."""
    items = _public(products)
    cut = len(items) > MAX_CATALOG_PRODUCTS
    items = items[:MAX_CATALOG_PRODUCTS]
    pictures = _Pictures(base_url_for)
    pdf = _new_pdf(
        _("Katalog %(name)s", name=owner.name),
        owner.name,
        _("Katalog %(name)s · %(url)s", name=owner.name, url=base_url_for(owner)),
    )
    _cover(pdf, owner, len(items), cut, pictures)
    show_seller = isinstance(owner, Cooperative)
    limit = pdf.h - 18
    pdf.add_page()
    if not items:
        pdf.set_y(pdf.t_margin + 40)
        pdf.set_font("helvetica", "B", 14)
        pdf.multi_cell(
            0, 8, pdf_text(_("Belum ada produk yang tayang.")), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, pdf_text(_("Pindai kode QR di sampul untuk melihat halaman kami.")), align="C")
        return bytes(pdf.output())
    for label, group in _group(items):
        if pdf.get_y() + 10 + ROW_HEIGHT > limit:
            pdf.add_page()
        _category_heading(pdf, label)
        for product in group:
            if pdf.get_y() + ROW_HEIGHT > limit:
                pdf.add_page()
                _category_heading(pdf, _("%(category)s (lanjutan)", category=label))
            _product_row(pdf, product, show_seller, pictures)
    return bytes(pdf.output())


# --- the flyer --------------------------------------------------------------------------------------------


def flyer_pdf(owner: Owner, products: Iterable[Product], *, base_url_for: PageUrl) -> bytes:
    """One A4 page: a headline, up to six public products in a 3 × 2 grid with photo and price, the
    contact and a big QR code to the owner's page."""
    featured = _public(products)[:FLYER_PRODUCTS]
    pictures = _Pictures(base_url_for)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(pdf_text(_("Brosur %(name)s", name=owner.name)))
    pdf.set_author(pdf_text(owner.name))
    pdf.set_creator("Gotong")
    pdf.add_page()
    width = pdf.epw

    # Headline band.
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 48, style="F")
    logo = pictures.photo(owner.logo)
    text_x = pdf.l_margin
    if logo is not None:
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(pdf.l_margin, 8, 32, 32, style="F")
        _image_in_box(pdf, logo, pdf.l_margin + 1, 9, 30, 30)
        text_x += 38
    text_w = pdf.l_margin + width - text_x
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(text_x, 10)
    name = pdf_text(owner.name)
    _fit_font(pdf, name, text_w, "B", 26, 14)
    pdf.cell(text_w, 12, name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 12)
    tagline = _("Produk pilihan dari %(region)s", region=regions.label(owner.regency_code) or owner.name)
    pdf.set_x(text_x)
    pdf.cell(text_w, 7, pdf_text(tagline), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(text_x)
    pdf.set_font("helvetica", "", 10)
    description = markdown_to_text(owner.description or "")
    _write_lines(pdf, text_x, _lines(pdf, description, text_w, 2), text_w, 4.5)
    pdf.set_text_color(*INK)

    # The products: 3 columns × 2 rows.
    columns, gap = 3, 6
    cell_w = (width - gap * (columns - 1)) / columns
    cell_h = 72
    top = 54
    if not featured:
        pdf.set_xy(pdf.l_margin, top + 30)
        pdf.set_font("helvetica", "B", 14)
        pdf.multi_cell(0, 8, pdf_text(_("Belum ada produk yang tayang.")), align="C")
    for index, product in enumerate(featured):
        x = pdf.l_margin + (index % columns) * (cell_w + gap)
        y = top + (index // columns) * (cell_h + gap)
        pdf.set_draw_color(*LINE)
        pdf.rect(x, y, cell_w, cell_h)
        photo_size = cell_w - 8
        photo = pictures.photo(product.cover_thumb)
        if photo is not None:
            _image_in_box(pdf, photo, x + 4, y + 4, photo_size, photo_size - 8)
        else:
            _placeholder(pdf, product, x + 4 + 4, y + 4, photo_size - 8)
        pdf.set_xy(x + 3, y + photo_size - 1)
        pdf.set_font("helvetica", "B", 10)
        _write_lines(pdf, x + 3, _lines(pdf, product.title, cell_w - 6, 2), cell_w - 6, 4.5)
        pdf.set_xy(x + 3, y + cell_h - 9)
        price = pdf_text(format_idr(product.price_idr))
        _fit_font(pdf, price, cell_w - 6, "B", 14, 9)
        pdf.set_text_color(*ACCENT)
        pdf.cell(cell_w - 6, 6, price)
        pdf.set_text_color(*MUTED)
        pdf.set_font("helvetica", "", 8)
        suffix = attributes.price_suffix(product.category, product.attributes or {}, product.unit)
        pdf.set_xy(x + 3, y + cell_h - 4.5)
        pdf.cell(cell_w - 6, 3.5, pdf_text(suffix))
        pdf.set_text_color(*INK)

    # Contact and the big QR code.
    qr_size = 55
    bottom_top = pdf.h - 12 - qr_size - 6
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, bottom_top - 5, pdf.l_margin + width, bottom_top - 5)
    pdf.set_y(bottom_top)
    pdf.set_font("helvetica", "B", 16)
    contact_w = width - qr_size - 8
    pdf.multi_cell(contact_w, 8, pdf_text(_("Pesan sekarang!")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _contact_block(pdf, contact_of(owner), pdf.l_margin, contact_w)
    pdf.ln(3)
    pdf.set_font("helvetica", "", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        contact_w,
        5,
        pdf_text(_("Pindai kode QR untuk melihat semua produk dan memesan langsung.")),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    url = base_url_for(owner)
    _fit_font(pdf, url, contact_w, "", 9, 6)
    pdf.cell(contact_w, 5, pdf_text(url), link=url)
    pdf.set_text_color(*INK)
    qr_x = pdf.l_margin + width - qr_size
    pdf.image(pictures.qr(owner), x=qr_x, y=bottom_top, w=qr_size, h=qr_size, link=url)
    return bytes(pdf.output())


# --- price tags / shelf labels ----------------------------------------------------------------------------


def _label(pdf: FPDF, product: Product, x: float, y: float, sheet: LabelSheet, pictures: _Pictures) -> None:
    pad = 2.5 if sheet.height < 50 else 4
    qr_size = min(sheet.height - 2 * pad, sheet.width * 0.4)
    text_x = x + pad
    text_w = sheet.width - 3 * pad - qr_size
    scale = 1.0 if sheet.height < 50 else 1.5
    pdf.set_draw_color(*LINE)
    pdf.rect(x, y, sheet.width, sheet.height)  # a cutting guide; label sheets are pre-cut anyway

    pdf.set_xy(text_x, y + pad)
    pdf.set_font("helvetica", "B", 8 * scale)
    pdf.set_text_color(*INK)
    _write_lines(pdf, text_x, _lines(pdf, product.title, text_w, 2), text_w, 3.4 * scale)
    price = pdf_text(format_idr(product.price_idr))
    price_y = y + sheet.height - pad - (13 if scale == 1 else 22)
    pdf.set_xy(text_x, price_y)
    _fit_font(pdf, price, text_w, "B", 15 * scale, 8)
    pdf.cell(text_w, 6 * scale, price, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 7 * scale)
    suffix = attributes.price_suffix(product.category, product.attributes or {}, product.unit)
    pdf.set_x(text_x)
    pdf.cell(text_w, 3.2 * scale, pdf_text(suffix), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*MUTED)
    pdf.set_font("helvetica", "", 6 * scale)
    seller = _lines(pdf, product.business.name, text_w, 1)
    _write_lines(pdf, text_x, seller, text_w, 3 * scale)
    pdf.set_text_color(*INK)
    pdf.image(
        pictures.qr(product),
        x=x + sheet.width - pad - qr_size,
        y=y + (sheet.height - qr_size) / 2,
        w=qr_size,
        h=qr_size,
    )


def price_tags_pdf(products: Iterable[Product], *, base_url_for: PageUrl, per_page: int = 24) -> bytes:
    """Shelf labels for the public ``products`` on A4 label sheets (``per_page`` 24: 3 × 8 labels of
    63.5 × 33.9 mm; 14 and 8: larger tags), as many pages as needed: name (two lines at most), price,
    unit, seller and a QR code to the product's page."""
    if per_page not in LABEL_SHEETS:
        raise ValueError(f"no label sheet with {per_page} labels per page")
    sheet = LABEL_SHEETS[per_page]
    items = _public(products)
    pictures = _Pictures(base_url_for)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(0, 0, 0)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(pdf_text(_("Label harga")))
    pdf.set_creator("Gotong")
    if not items:
        pdf.add_page()
    for index, product in enumerate(items):
        slot = index % sheet.per_page
        if slot == 0:
            pdf.add_page()
        column, row = slot % sheet.columns, slot // sheet.columns
        x = sheet.left + column * (sheet.width + sheet.gap_x)
        y = sheet.top + row * (sheet.height + sheet.gap_y)
        _label(pdf, product, x, y, sheet, pictures)
    return bytes(pdf.output())
