"""Bulk price and stock update from a CSV file: download the template, edit it, preview, apply all or nothing.

The owner downloads ``export_csv`` (id, title, price_idr, stock), edits prices and stock in a spreadsheet and
uploads it. ``preview`` (pure: bytes and the business's current listings in, an ``ImportPreview`` out) reads
it and checks every row; only an error-free preview yields a plan. The plan travels to the confirm step signed
(``sign_plan`` / ``load_plan``), and ``apply_plan`` checks it again against the database, under row locks,
before changing anything: if a price or stock changed since the preview, nothing is applied.

Both separators are read: ``,`` and ``;`` (what Excel writes in an Indonesian locale), and tab; UTF-8 with or
without BOM, and UTF-16 with BOM (Excel's "Unicode text").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.catalog.services import parse_quantity, parse_rupiah
from marketplace.cooperatives.models import Business
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db

MAX_ROWS = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
PLAN_MAX_AGE = 2 * 60 * 60  # seconds a preview may wait for its confirmation
COLUMNS = ("id", "title", "price_idr", "stock")
REQUIRED = ("id", "price_idr", "stock")
HEADER_ALIASES = {
    "id": "id",
    "title": "title",
    "judul": "title",
    "nama": "title",
    "nama_produk": "title",
    "price_idr": "price_idr",
    "harga": "price_idr",
    "harga_rp": "price_idr",
    "stock": "stock",
    "stok": "stock",
}
_PLAN_SALT = "gotong.catalog.bulk-price-stock"
_ID = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")


class Listing(NamedTuple):
    """What the preview needs to know of a product of the business."""

    id: int
    title: str
    price_idr: int
    stock: int


# (product id, old price, new price, old stock, new stock)
PlanItem = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class RowPreview:
    line: int  # as the spreadsheet numbers it: the header is line 1
    product_id: int | None
    title: str = ""
    old_price: int | None = None
    new_price: int | None = None
    old_stock: int | None = None
    new_stock: int | None = None
    errors: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return not self.errors and (self.old_price != self.new_price or self.old_stock != self.new_stock)


@dataclass(frozen=True)
class ImportPreview:
    rows: tuple[RowPreview, ...] = ()
    file_errors: tuple[str, ...] = ()

    @property
    def error_rows(self) -> list[RowPreview]:
        return [row for row in self.rows if row.errors]

    @property
    def changes(self) -> list[RowPreview]:
        return [row for row in self.rows if row.changed]

    @property
    def unchanged_count(self) -> int:
        return sum(1 for row in self.rows if not row.errors and not row.changed)

    @property
    def ok(self) -> bool:
        """Every row is valid: the changes may be applied (all of them)."""
        return not self.file_errors and bool(self.rows) and not self.error_rows

    def plan(self) -> list[PlanItem]:
        if not self.ok:
            raise DomainError(_("Perbaiki dulu semua kesalahan di berkas; tidak ada yang diubah."))
        return [
            (row.product_id, row.old_price, row.new_price, row.old_stock, row.new_stock)  # type: ignore[misc]
            for row in self.changes
        ]


# --- reading the file ---------------------------------------------------------------------------------------


class _FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _decode(data: bytes) -> str:
    if not data.strip():
        raise _FileError(_("Berkas kosong."))
    if data.startswith(b"PK\x03\x04"):
        raise _FileError(
            _(
                "Ini berkas Excel (.xlsx), bukan CSV. Di Excel pilih Simpan Sebagai → CSV UTF-8, "
                "lalu unggah lagi."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _FileError(
            _(
                "Berkas bukan teks UTF-8 (baris %(line)d). Di Excel pilih Simpan Sebagai → "
                "CSV UTF-8 (dipisahkan koma), lalu unggah lagi.",
                line=line,
            )
        ) from None
    if "\x00" in text:
        raise _FileError(_("Berkas ini bukan berkas CSV."))
    return text


def _header_key(cell: str) -> str:
    key = re.sub(r"[\s\-]+", "_", cell.strip().strip("\ufeff").lower())
    return HEADER_ALIASES.get(key, key)


def _split_header(line: str) -> tuple[str, list[str]]:
    """The separator under which the header names the most known columns (',' ';' or tab)."""
    best = (",", [line])
    best_hits = -1
    for delimiter in (";", ",", "\t"):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        hits = sum(1 for cell in cells if _header_key(cell) in COLUMNS)
        if hits > best_hits:
            best, best_hits = (delimiter, cells), hits
    return best


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) for each non-blank row; raises _FileError for a file-level problem."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].strip().lower().replace(" ", "") in {"sep=;", "sep=,", "sep=\t"}:
        start += 1  # Excel's "sep=;" hint line
    if start >= len(lines):
        raise _FileError(_("Berkas kosong."))
    delimiter, header = _split_header(lines[start])
    columns = [_header_key(cell) for cell in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise _FileError(
            _(
                "Kolom %(columns)s tidak ditemukan di baris judul. Baris pertama harus: "
                "id;title;price_idr;stock (unduh templatnya).",
                columns=", ".join(missing),
            )
        )
    index = {name: columns.index(name) for name in COLUMNS if name in columns}
    body = io.StringIO("\n".join(lines[start + 1 :]))
    reader = csv.reader(body, delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                raise _FileError(
                    _(
                        "Berkas berisi lebih dari %(n)s baris produk. Bagi menjadi beberapa berkas.",
                        n=f"{MAX_ROWS:,}".replace(",", "."),
                    )
                )
            line = start + 1 + reader.line_num
            rows.append((line, {name: record[i] if i < len(record) else "" for name, i in index.items()}))
    except csv.Error as exc:
        raise _FileError(_("Berkas CSV rusak di baris %(line)d.", line=start + 1 + reader.line_num)) from exc
    return rows


def _row_preview(
    line: int, cells: Mapping[str, str], listing: Listing | None, product_id: int | None, errors: list[str]
) -> RowPreview:
    new_price = new_stock = None
    try:
        new_price = parse_rupiah(cells.get("price_idr", ""))
    except ValueError as exc:
        errors.append(_("Harga: %(error)s", error=str(exc)))
    try:
        new_stock = parse_quantity(cells.get("stock", ""))
    except ValueError as exc:
        errors.append(_("Stok: %(error)s", error=str(exc)))
    return RowPreview(
        line=line,
        product_id=product_id,
        title=listing.title if listing else cells.get("title", "").strip()[:160],
        old_price=listing.price_idr if listing else None,
        new_price=new_price,
        old_stock=listing.stock if listing else None,
        new_stock=new_stock,
        errors=tuple(errors),
    )


def preview(data: bytes, listings: Mapping[int, Listing]) -> ImportPreview:
    """Every row of the uploaded file checked against the business's current listings."""
    if len(data) > MAX_FILE_BYTES:
        return ImportPreview(
            file_errors=(_("Berkas terlalu besar. Ukuran maksimal %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20),)
        )
    try:
        rows = read_rows(_decode(data))
    except _FileError as error:
        return ImportPreview(file_errors=(error.message,))
    if not rows:
        return ImportPreview(file_errors=(_("Berkas tidak berisi baris produk di bawah baris judul."),))
    seen: dict[int, int] = {}
    previews = []
    for line, cells in rows:
        errors: list[str] = []
        id_text = cells.get("id", "").strip()
        product_id = None
        listing = None
        if not id_text:
            errors.append(_("Kolom id kosong."))
        elif not _ID.fullmatch(id_text):
            errors.append(_("id harus berupa angka, bukan \u201c%(value)s\u201d.", value=id_text[:30]))
        else:
            product_id = int(id_text.replace(".", ""))
            listing = listings.get(product_id)
            if product_id in seen:
                errors.append(
                    _(
                        "id %(id)d muncul dua kali (juga di baris %(line)d).",
                        id=product_id,
                        line=seen[product_id],
                    )
                )
            else:
                seen[product_id] = line
            if listing is None:
                errors.append(_("Tidak ada produk dengan id %(id)d di usaha ini.", id=product_id))
        previews.append(_row_preview(line, cells, listing, product_id, errors))
    return ImportPreview(rows=tuple(previews))


# --- the database side --------------------------------------------------------------------------------------


def current_listings(business: Business) -> dict[int, Listing]:
    rows = db.session.execute(
        select(Product.id, Product.title, Product.price_idr, Product.stock).where(
            Product.business_id == business.id
        )
    )
    return {row.id: Listing(row.id, row.title, row.price_idr, row.stock) for row in rows}


def preview_for_business(business: Business, data: bytes) -> ImportPreview:
    return preview(data, current_listings(business))


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: never let a title run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(products: Iterable[Product]) -> bytes:
    """The template: one row per product, ';'-separated UTF-8 with BOM, as Excel in Indonesia opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for product in products:
        writer.writerow([product.id, _safe_cell(product.title), product.price_idr, product.stock])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def business_csv(business: Business) -> bytes:
    return export_csv(
        db.session.scalars(select(Product).where(Product.business_id == business.id).order_by(Product.id))
    )


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_PLAN_SALT)


def sign_plan(plan: list[PlanItem], *, business_id: int, secret: str) -> str:
    return _serializer(secret).dumps({"business": business_id, "plan": plan})


def load_plan(token: str, *, business_id: int, secret: str, max_age: int = PLAN_MAX_AGE) -> list[PlanItem]:
    """The plan signed by ``sign_plan`` for this business; DomainError when expired, altered or foreign."""
    try:
        payload: Any = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_("Pratinjau sudah kedaluwarsa. Unggah berkasnya lagi.")) from None
    except BadSignature:
        raise DomainError(_("Pratinjau tidak sah. Unggah berkasnya lagi.")) from None
    items = payload.get("plan") if isinstance(payload, dict) else None
    if (
        payload.get("business") != business_id
        or not isinstance(items, list)
        or len(items) > MAX_ROWS
        or not all(
            isinstance(item, list) and len(item) == 5 and all(type(n) is int for n in item) for item in items
        )
    ):
        raise DomainError(_("Pratinjau tidak sah. Unggah berkasnya lagi."))
    return [tuple(item) for item in items]  # type: ignore[misc]


def apply_plan(actor: Any, business: Business, plan: list[PlanItem]) -> int:
    """Apply every change or none: the products are locked and must still have the prices and stock the
    preview showed. Returns how many products changed."""
    if not policy.can_list_products(actor, business):
        raise PermissionDenied(_("Anda tidak punya akses untuk melakukan ini."))
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.business_id == business.id).order_by(Product.id).with_for_update()
        )
    }
    stale = []
    for product_id, old_price, new_price, old_stock, new_stock in plan:
        product = products.get(product_id)
        if product is None:
            raise DomainError(
                _(
                    "Produk dengan id %(id)d sudah tidak ada. Tidak ada yang diubah; unggah berkasnya lagi.",
                    id=product_id,
                )
            )
        try:
            parse_rupiah(new_price)
            parse_quantity(new_stock)
        except ValueError as exc:
            raise DomainError(str(exc)) from None
        if product.price_idr != old_price or product.stock != old_stock:
            stale.append(product.title)
    if stale:
        raise DomainError(
            ngettext(
                "Harga atau stok %(num)d produk berubah sejak pratinjau (antara lain %(title)s). "
                "Tidak ada yang diubah; unggah berkasnya lagi untuk melihat pratinjau terbaru.",
                "Harga atau stok %(num)d produk berubah sejak pratinjau (antara lain %(title)s). "
                "Tidak ada yang diubah; unggah berkasnya lagi untuk melihat pratinjau terbaru.",
                len(stale),
                title=stale[0],
            )
        )
    for product_id, _old_price, new_price, _old_stock, new_stock in plan:
        products[product_id].price_idr = new_price
        products[product_id].stock = new_stock
    db.session.flush()
    return len(plan)
