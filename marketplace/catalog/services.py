"""The catalog's domain operations: what buyers may see, and the sellers' listing management.

Listing functions take the acting user, check ``accounts.policy``, change rows and flush; the caller commits.
A listing's status changes only through ``transition`` (the state machine in ``PRODUCT_TRANSITIONS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, select, update
from sqlalchemy.orm import joinedload

from marketplace.accounts import policy
from marketplace.catalog.attributes import validate_attributes
from marketplace.catalog.models import UNITS, Product, ProductStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.sectors import Sector
from marketplace.text import slugify

MAX_PRICE_IDR = 100_000_000_000  # Rp100 miliar: far above any listing; catches a mistyped extra zero or three
MAX_QUANTITY = 1_000_000
MAX_DESCRIPTION = 10_000
REVIEW_NOTE_MAX = 500

# --- what buyers see ------------------------------------------------------------------------------------


def is_public(product: Product) -> bool:
    """Shown to buyers: active, in stock or open for pre-order, its business and cooperative not suspended.
    The same rule as a query is ``catalog.search.public_products``."""
    return (
        product.status is ProductStatus.ACTIVE
        and (product.stock > 0 or product.preorder)
        and not product.business.is_suspended
        and (product.cooperative is None or not product.cooperative.is_suspended)
    )


# --- stock: one pool for online orders and offline sales -------------------------------------------------


def take_stock(product: Product, quantity: int) -> int | None:
    """Take ``quantity`` from the product's stock in one conditional ``UPDATE ... WHERE stock >= :qty``, so
    two sales (online checkouts, offline sales) can never take the same last unit, on any database and under
    any concurrency. Returns the units taken: ``quantity``, or 0 for a pre-order (made to order: stock
    untouched); None when there is not that much left (``product.stock`` is then re-read, for the message)."""
    if product.preorder:
        return 0
    result = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(product, ["stock"])
        return None
    return quantity


def return_stock(product_id: int, quantity: int) -> None:
    """Put back units taken by ``take_stock`` (a cancelled order, a voided sale): an atomic increment."""
    if quantity <= 0:
        return
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + quantity)
        .execution_options(synchronize_session=False)
    )


# --- numbers typed by sellers ---------------------------------------------------------------------------

_WHOLE = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")  # 85000 or 85.000 (dots group thousands in Indonesian)


def parse_rupiah(text: str | int) -> int:
    """Whole rupiah from what a seller types: "85000", "85.000", "Rp85.000", "Rp 85.000,-", "85.000,00".

    Raises ValueError with a message to show when it is not a whole, positive amount of rupiah."""
    if isinstance(text, int):
        value = text
    else:
        cleaned = re.sub(r"[\s\u00a0]", "", str(text))
        cleaned = re.sub(r"^(?:rp\.?|idr)", "", cleaned, flags=re.IGNORECASE)
        cleaned = re.sub(r",(?:-|0{1,2})$", "", cleaned)  # "Rp85.000,-" and "85.000,00" are whole rupiah
        if not cleaned:
            raise ValueError(_("Isi harga dalam rupiah, mis. 85.000."))
        if cleaned.startswith("-"):
            raise ValueError(_("Harga tidak boleh negatif."))
        if not _WHOLE.fullmatch(cleaned):
            if re.fullmatch(r"[\d.,]+", cleaned):
                raise ValueError(_("Tulis harga dalam rupiah bulat tanpa sen, mis. 85.000."))
            raise ValueError(_("Harga hanya boleh berisi angka, mis. 85.000."))
        value = int(cleaned.replace(".", ""))
    if value < 1:
        raise ValueError(_("Harga harus lebih dari Rp0."))
    if value > MAX_PRICE_IDR:
        raise ValueError(_("Harga terlalu besar. Periksa lagi jumlah nolnya."))
    return value


def parse_quantity(text: str | int) -> int:
    """A whole, non-negative number of units ("12", "1.500"); raises ValueError with a message."""
    if isinstance(text, int):
        value = text
    else:
        cleaned = re.sub(r"[\s\u00a0]", "", str(text))
        if not cleaned:
            raise ValueError(_("Isi dengan angka, mis. 25."))
        if cleaned.startswith("-"):
            raise ValueError(_("Tidak boleh negatif."))
        if not _WHOLE.fullmatch(cleaned):
            raise ValueError(_("Isi dengan bilangan bulat, mis. 25."))
        value = int(cleaned.replace(".", ""))
    if value < 0:
        raise ValueError(_("Tidak boleh negatif."))
    if value > MAX_QUANTITY:
        raise ValueError(_("Paling besar %(n)s.", n=f"{MAX_QUANTITY:,}".replace(",", ".")))
    return value


# --- the listing state machine --------------------------------------------------------------------------

# Which statuses a listing may move to from each status (None: not yet saved). Nothing else assigns a status.
PRODUCT_TRANSITIONS: Mapping[ProductStatus | None, frozenset[ProductStatus]] = {
    None: frozenset({ProductStatus.DRAFT, ProductStatus.PENDING_REVIEW, ProductStatus.ACTIVE}),
    ProductStatus.DRAFT: frozenset({ProductStatus.PENDING_REVIEW, ProductStatus.ACTIVE}),
    # → active: approved, or moved to a cooperative that needs no approval; → draft: the seller withdraws it.
    ProductStatus.PENDING_REVIEW: frozenset(
        {ProductStatus.ACTIVE, ProductStatus.REJECTED, ProductStatus.DRAFT}
    ),
    # → pending review: its content changed in a cooperative that approves listings.
    ProductStatus.ACTIVE: frozenset({ProductStatus.PAUSED, ProductStatus.PENDING_REVIEW}),
    ProductStatus.PAUSED: frozenset({ProductStatus.ACTIVE, ProductStatus.PENDING_REVIEW}),
    # Resubmitted after a fix: reviewed again, or straight back on sale where no approval is needed.
    ProductStatus.REJECTED: frozenset({ProductStatus.PENDING_REVIEW, ProductStatus.ACTIVE}),
}


def transition(
    product: Product, to_status: ProductStatus, *, reviewer: Any = None, note: str | None = None
) -> None:
    """Move a listing to ``to_status`` or refuse an illegal move. ``reviewer`` marks a manager's decision
    (approval or rejection, which needs ``note``); review fields follow the move."""
    current = product.status
    if to_status not in PRODUCT_TRANSITIONS.get(current, frozenset()):
        raise DomainError(_("Status produk ini tidak dapat diubah dengan cara itu."))
    now = utcnow()
    if to_status is ProductStatus.REJECTED:
        if reviewer is None or not (note or "").strip():
            raise DomainError(_("Tulis alasan penolakan untuk penjual."), field="reason")
        product.reviewed_at, product.reviewed_by = now, reviewer
        product.review_note = note.strip()[:REVIEW_NOTE_MAX]  # type: ignore[union-attr]
    elif to_status is ProductStatus.PENDING_REVIEW:
        product.submitted_at = now
        product.review_note = None
    elif to_status is ProductStatus.ACTIVE and current is not ProductStatus.PAUSED:
        # Published: either a manager approved this content, or it needed nobody's approval (then no
        # earlier review speaks for it any more).
        if current is not ProductStatus.PENDING_REVIEW or reviewer is None:
            product.submitted_at = now
        product.reviewed_at = now if reviewer is not None else None
        product.reviewed_by = reviewer
        product.review_note = None
    product.status = to_status


# --- listing management ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductData:
    title: str
    category: Sector | str
    price_idr: int
    unit: str
    stock: int
    description: str = ""
    min_order_qty: int = 1
    preorder: bool = False
    low_stock_threshold: int = 5
    cooperative_id: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    # The stock the edit form showed: when the seller left it as it was, orders placed meanwhile are kept.
    stock_seen: int | None = None


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses untuk melakukan ini."))


def _require_listable(actor: Any, business: Business) -> None:
    if not policy.can_manage_products(actor, business):
        raise _denied()
    if business.is_suspended:
        raise PermissionDenied(
            _("Usaha ini sedang ditangguhkan, jadi belum bisa menambah atau mengubah produk.")
        )


def listing_cooperatives(business: Business) -> list[Cooperative]:
    """The cooperatives a business may list a product under: where it is an active member (not suspended)."""
    return sorted(
        (
            m.cooperative
            for m in business.memberships
            if m.status is MembershipStatus.ACTIVE and not m.cooperative.is_suspended
        ),
        key=lambda c: c.name,
    )


def _listing_cooperative(business: Business, cooperative_id: int | None) -> Cooperative | None:
    options = listing_cooperatives(business)
    if cooperative_id is None:
        if options:
            raise DomainError(_("Pilih koperasi tempat produk ini dijual."), field="cooperative_id")
        return None
    cooperative = next((c for c in options if c.id == cooperative_id), None)
    if cooperative is None:
        raise DomainError(
            _(
                "Usaha Anda bukan anggota aktif koperasi itu. "
                "Pilih koperasi tempat usaha Anda menjadi anggota."
            ),
            field="cooperative_id",
        )
    return cooperative


def _check_still_listable(product: Product) -> None:
    """Before a listing goes (back) on sale: its cooperative must still be one the business may list under."""
    options = listing_cooperatives(product.business)
    if product.cooperative_id is None and not options:
        return
    if product.cooperative_id is None:
        raise DomainError(_("Pilih dulu koperasi tempat produk ini dijual (Ubah produk)."))
    if all(c.id != product.cooperative_id for c in options):
        raise DomainError(
            _(
                "Usaha Anda bukan lagi anggota aktif %(cooperative)s. Ubah produk dan pilih koperasi lain.",
                cooperative=product.cooperative.name if product.cooperative else "",
            )
        )


def needs_approval(cooperative: Cooperative | None) -> bool:
    return cooperative is not None and cooperative.requires_listing_approval


def _publication_status(product: Product) -> ProductStatus:
    return ProductStatus.PENDING_REVIEW if needs_approval(product.cooperative) else ProductStatus.ACTIVE


def _clean(data: ProductData) -> dict[str, Any]:
    """The product's own fields, checked; attribute errors come as InvalidAttributes (every field at once)."""
    title = " ".join((data.title or "").split())
    if len(title) < 3:
        raise DomainError(_("Judul produk minimal 3 karakter."), field="title")
    if len(title) > 160:
        raise DomainError(_("Judul produk paling banyak 160 karakter."), field="title")
    description = (data.description or "").strip().replace("\r\n", "\n")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(
            _("Deskripsi paling banyak %(n)d karakter.", n=MAX_DESCRIPTION), field="description"
        )
    try:
        category = Sector(data.category)
    except ValueError:
        raise DomainError(_("Pilih kategori produk."), field="category") from None
    if data.unit not in UNITS:
        raise DomainError(_("Pilih satuan yang tersedia."), field="unit")
    numbers = {}
    for name, parse in (
        ("price_idr", parse_rupiah),
        ("stock", parse_quantity),
        ("min_order_qty", parse_quantity),
        ("low_stock_threshold", parse_quantity),
    ):
        try:
            numbers[name] = parse(getattr(data, name))
        except ValueError as exc:
            raise DomainError(str(exc), field=name) from None
    if numbers["min_order_qty"] < 1:
        raise DomainError(_("Minimal pesan paling sedikit 1."), field="min_order_qty")
    return {
        "title": title,
        "description": description,
        "category": category,
        "unit": data.unit,
        "preorder": bool(data.preorder),
        "attributes": validate_attributes(category, data.attributes),
        **numbers,
    }


def create_product(actor: Any, business: Business, data: ProductData, *, submit: bool = False) -> Product:
    """A new listing, saved as a draft or (``submit``) sent for approval / put on sale at once."""
    _require_listable(actor, business)
    values = _clean(data)
    cooperative = _listing_cooperative(business, data.cooperative_id)
    product = Product(business=business, cooperative=cooperative, slug=slugify(values["title"]), **values)
    db.session.add(product)
    transition(product, _publication_status(product) if submit else ProductStatus.DRAFT)
    db.session.flush()
    return product


# What a cooperative's approval covers; price, stock and order settings can change any time.
CONTENT_FIELDS = ("title", "description", "category", "attributes")


def update_product(actor: Any, product: Product, data: ProductData, *, submit: bool = False) -> Product:
    """Save changes. Changing the content of a listing in a cooperative that approves listings sends it back
    for review; price, stock, pre-order, low-stock threshold and minimum order do not."""
    _require_listable(actor, product.business)
    values = _clean(data)
    cooperative = _listing_cooperative(product.business, data.cooperative_id)
    # Stock moves with orders: read it again under a row lock; overwrite it only if the seller changed it.
    current_stock = db.session.scalar(select(Product.stock).where(Product.id == product.id).with_for_update())
    if data.stock_seen is not None and values["stock"] == data.stock_seen:
        values["stock"] = current_stock
    changed = product.cooperative_id != (cooperative.id if cooperative else None) or any(
        getattr(product, name) != values[name] for name in CONTENT_FIELDS
    )
    for name, value in values.items():
        setattr(product, name, value)
    product.cooperative = cooperative
    product.slug = slugify(product.title)
    target = _publication_status(product)
    status = product.status
    if submit and status in (ProductStatus.DRAFT, ProductStatus.REJECTED):
        transition(product, target)
    elif status is ProductStatus.PENDING_REVIEW and target is ProductStatus.ACTIVE:
        transition(product, ProductStatus.ACTIVE)  # moved to a cooperative that needs no approval
    elif changed:
        content_changed(product)
    db.session.flush()
    return product


def content_changed(product: Product) -> None:
    """A listing's content (text, category, attributes, cooperative, new photos) changed: in a cooperative
    that approves listings a live or paused listing goes back for review. A rejected listing stays rejected,
    reason and all, until its owner resubmits it (they may fix it over several saves)."""
    if product.status in (ProductStatus.ACTIVE, ProductStatus.PAUSED) and needs_approval(product.cooperative):
        transition(product, ProductStatus.PENDING_REVIEW)


def take_off_sale_in(business: Business, cooperative: Cooperative) -> int:
    """The business is no longer an active member of the cooperative: its listings there stop selling under
    the cooperative's name — live ones are paused, ones awaiting review return to draft. The owner can move
    them to another cooperative. Returns how many listings changed."""
    changed = 0
    for product in db.session.scalars(
        select(Product)
        .where(Product.business_id == business.id, Product.cooperative_id == cooperative.id)
        .with_for_update()
    ):
        if product.status is ProductStatus.ACTIVE:
            transition(product, ProductStatus.PAUSED)
        elif product.status is ProductStatus.PENDING_REVIEW:
            transition(product, ProductStatus.DRAFT)
        else:
            continue
        changed += 1
    db.session.flush()
    return changed


def submit_product(actor: Any, product: Product) -> None:
    """Send a draft or a rejected listing for approval, or put it on sale where no approval is needed."""
    _require_listable(actor, product.business)
    if product.status not in (ProductStatus.DRAFT, ProductStatus.REJECTED):
        raise DomainError(_("Produk ini sudah diajukan atau sudah tayang."))
    _check_still_listable(product)
    transition(product, _publication_status(product))
    db.session.flush()


def withdraw_submission(actor: Any, product: Product) -> None:
    """The seller takes a listing back from the review queue; it becomes a draft again."""
    if not policy.can_manage_products(actor, product.business):
        raise _denied()
    if product.status is not ProductStatus.PENDING_REVIEW:
        raise DomainError(_("Produk ini tidak sedang menunggu persetujuan."))
    transition(product, ProductStatus.DRAFT)
    db.session.flush()


def pause_product(actor: Any, product: Product) -> None:
    if not policy.can_manage_products(actor, product.business):
        raise _denied()
    if product.status is not ProductStatus.ACTIVE:
        raise DomainError(_("Hanya produk yang sedang tayang yang bisa dijeda."))
    transition(product, ProductStatus.PAUSED)
    db.session.flush()


def resume_product(actor: Any, product: Product) -> None:
    """Back on sale. Only a live listing can be paused, and a content edit while paused already sends it to
    review, so a paused listing's content is what was live: it goes straight back."""
    _require_listable(actor, product.business)
    if product.status is not ProductStatus.PAUSED:
        raise DomainError(_("Produk ini tidak sedang dijeda."))
    _check_still_listable(product)
    transition(product, ProductStatus.ACTIVE)
    db.session.flush()


def delete_product(actor: Any, product: Product) -> None:
    """Delete the listing and (once the transaction commits) its photo files."""
    from marketplace.catalog.photos import discard_after_commit

    if not policy.can_manage_products(actor, product.business):
        raise _denied()
    discard_after_commit([p for photo in product.photos for p in (photo.path, photo.thumb_path)])
    db.session.delete(product)
    db.session.flush()


# --- review by the cooperative's managers ---------------------------------------------------------------


def _require_reviewer(actor: Any, product: Product) -> None:
    if not policy.can_review_product(actor, product):
        raise _denied()
    if product.status is not ProductStatus.PENDING_REVIEW:
        raise DomainError(_("Produk ini tidak sedang menunggu persetujuan."))


def approve_product(actor: Any, product: Product) -> None:
    _require_reviewer(actor, product)
    _check_still_listable(product)  # its business may have left the cooperative since it was submitted
    transition(product, ProductStatus.ACTIVE, reviewer=actor)
    db.session.flush()


def reject_product(actor: Any, product: Product, reason: str) -> None:
    """Refuse a listing; the reason is shown to the seller, who can fix and resubmit it."""
    _require_reviewer(actor, product)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(
            _("Tulis alasan penolakan agar penjual tahu apa yang perlu diperbaiki."), field="reason"
        )
    if len(reason) > REVIEW_NOTE_MAX:
        raise DomainError(_("Alasan paling banyak %(n)d karakter.", n=REVIEW_NOTE_MAX), field="reason")
    transition(product, ProductStatus.REJECTED, reviewer=actor, note=reason)
    db.session.flush()


# --- queries for the sellers' and managers' pages ---------------------------------------------------------


def low_stock_condition() -> ColumnElement[bool]:
    """SQL twin of ``Product.is_low_stock``."""
    return and_(Product.preorder.is_(False), Product.stock <= Product.low_stock_threshold)


def business_products(
    business: Business, *, status: ProductStatus | None = None, low_stock: bool = False
) -> Select[tuple[Product]]:
    query = (
        select(Product)
        .where(Product.business_id == business.id)
        .options(joinedload(Product.cooperative))
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status is not None:
        query = query.where(Product.status == status)
    if low_stock:
        query = query.where(low_stock_condition())
    return query


def status_counts(business: Business) -> dict[ProductStatus, int]:
    rows = db.session.execute(
        select(Product.status, func.count(Product.id))
        .where(Product.business_id == business.id)
        .group_by(Product.status)
    )
    counts = dict.fromkeys(ProductStatus, 0)
    counts.update({ProductStatus(status): n for status, n in rows})
    return counts


@dataclass(frozen=True)
class ListingSummary:
    total: int = 0
    low_stock: int = 0
    rejected: int = 0


def listing_summaries(businesses: Iterable[Business]) -> dict[int, ListingSummary]:
    """Per business: how many products, how many low on stock, how many rejected, in one query."""
    ids = [b.id for b in businesses]
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Product.business_id,
            func.count(Product.id),
            func.count(Product.id).filter(low_stock_condition()),
            func.count(Product.id).filter(Product.status == ProductStatus.REJECTED),
        )
        .where(Product.business_id.in_(ids))
        .group_by(Product.business_id)
    )
    return {business_id: ListingSummary(total, low, rejected) for business_id, total, low, rejected in rows}


def review_queue(cooperative: Cooperative) -> Select[tuple[Product]]:
    return (
        select(Product)
        .where(Product.cooperative_id == cooperative.id, Product.status == ProductStatus.PENDING_REVIEW)
        .options(joinedload(Product.business))
        .order_by(Product.submitted_at, Product.id)
    )


def pending_review_counts(cooperatives: Iterable[Cooperative]) -> dict[int, int]:
    ids = [c.id for c in cooperatives]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Product.cooperative_id, func.count(Product.id))
        .where(Product.cooperative_id.in_(ids), Product.status == ProductStatus.PENDING_REVIEW)
        .group_by(Product.cooperative_id)
    )
    return {cooperative_id: n for cooperative_id, n in rows}
