"""Promotion codes: managing them (a business owner for the business's code, a cooperative manager for the
cooperative's code), checking one against a cart, and redeeming it inside checkout's transaction.

Rules a checkout meets (``evaluate``): the code exists, is active, has started and not ended, is not used up
(total and per buyer), covers something in the cart, and the covered part reaches the minimum spend. The
discount is a percentage of the covered (eligible) subtotal, rounded half-up to the rupiah, or a fixed amount
capped at it. It is split over the checkout's orders in proportion to their eligible subtotals by the largest
remainder (``money.allocate``), and an order always keeps at least Rp1 to pay (no payment provider takes a
payment of Rp0), so an order's total is never below Rp1.

``redeem`` runs in ``place_order``'s transaction: it locks the code's row (so two checkouts of one buyer wait
for each other and the per-buyer count is exact), evaluates again, then counts the use with one conditional
``UPDATE ... WHERE usage_limit IS NULL OR redeemed_count < usage_limit`` and records a PromoRedemption.
A redemption stays counted when its order is later cancelled or expires: a use is a use, and giving it back
would let a buyer hold a limited code with orders they never pay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts import policy
from marketplace.catalog.models import Product
from marketplace.clock import aware as _aware
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing.promotion_models import PromoCode, PromoKind, PromoRedemption
from marketplace.money import allocate, format_idr, percent_of

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,29}$")
FIELD = "promo_code"  # the checkout form's field a refusal is shown next to
MIN_ORDER_TOTAL_IDR = 1


class PromoRefused(DomainError):
    """The code cannot be used for this cart (the message says why)."""


# --- reading ------------------------------------------------------------------------------------------------


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()


def by_code(code: str) -> PromoCode | None:
    return db.session.scalars(select(PromoCode).where(PromoCode.code == normalise_code(code))).one_or_none()


def codes_of(owner: Business | Cooperative) -> list[PromoCode]:
    column = PromoCode.business_id if isinstance(owner, Business) else PromoCode.cooperative_id
    return list(
        db.session.scalars(
            select(PromoCode).where(column == owner.id).order_by(PromoCode.active.desc(), PromoCode.id.desc())
        )
    )


def member_business_ids(cooperative_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.business_id).where(
                Membership.cooperative_id == cooperative_id, Membership.status == MembershipStatus.ACTIVE
            )
        )
    )


def owner_products(owner: Business | Cooperative) -> list[Product]:
    """The products a code of this owner may be limited to: the business's, or the cooperative's members'."""
    if isinstance(owner, Business):
        condition = Product.business_id == owner.id
    else:
        condition = Product.business_id.in_(
            select(Membership.business_id).where(
                Membership.cooperative_id == owner.id, Membership.status == MembershipStatus.ACTIVE
            )
        )
    return list(db.session.scalars(select(Product).where(condition).order_by(Product.title, Product.id)))


def can_manage_promos(user: Any, owner: Business | Cooperative) -> bool:
    if isinstance(owner, Business):
        return policy.can_edit_business(user, owner)
    return policy.manages_cooperative(user, owner)


def _owner(promo: PromoCode) -> Business | Cooperative:
    owner = promo.business or promo.cooperative
    assert owner is not None  # the one_owner CHECK
    return owner


# --- managing codes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromoData:
    code: str
    kind: PromoKind
    starts_at: datetime
    percent_bp: int | None = None  # 1000 = 10%
    amount_idr: int | None = None
    min_spend_idr: int = 0
    ends_at: datetime | None = None
    usage_limit: int | None = None
    per_buyer_limit: int | None = None
    product_ids: Sequence[int] | None = None  # None: every product of the owner


def _validate(
    owner: Business | Cooperative, data: PromoData, promo: PromoCode | None
) -> tuple[str, list[Product]]:
    code = normalise_code(data.code)
    if not CODE_PATTERN.match(code):
        raise DomainError(
            _("Kode 3–30 huruf atau angka (boleh tanda - dan _), tanpa spasi, mis. MERDEKA10."), field="code"
        )
    clash = db.session.scalar(select(PromoCode.id).where(PromoCode.code == code))
    if clash is not None and (promo is None or clash != promo.id):
        raise DomainError(_("Kode %(code)s sudah dipakai. Pilih kode lain.", code=code), field="code")
    if data.kind is PromoKind.PERCENT:
        if data.percent_bp is None or not 1 <= data.percent_bp <= 10_000:
            raise DomainError(_("Isi persen potongan antara 0,01 dan 100."), field="percent")
    elif data.amount_idr is None or data.amount_idr < 1:
        raise DomainError(_("Isi potongan dalam rupiah, paling sedikit Rp1."), field="amount_idr")
    if data.min_spend_idr < 0:
        raise DomainError(_("Belanja minimal tidak boleh negatif."), field="min_spend_idr")
    if data.starts_at.tzinfo is None or (data.ends_at is not None and data.ends_at.tzinfo is None):
        raise ValueError("promotion dates must be timezone-aware")
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise DomainError(_("Tanggal berakhir harus sesudah tanggal mulai."), field="ends_at")
    for limit, name in ((data.usage_limit, "usage_limit"), (data.per_buyer_limit, "per_buyer_limit")):
        if limit is not None and limit < 1:
            raise DomainError(_("Batas pemakaian paling sedikit 1 (kosongkan bila tanpa batas)."), field=name)
    products: list[Product] = []
    if data.product_ids is not None:
        wanted = set(data.product_ids)
        if not wanted:
            raise DomainError(_("Pilih paling sedikit satu produk."), field="product_ids")
        allowed = {p.id: p for p in owner_products(owner)}
        if not wanted <= allowed.keys():
            raise DomainError(_("Ada produk yang bukan milik usaha atau anggota ini."), field="product_ids")
        products = [allowed[i] for i in sorted(wanted)]
    return code, products


def _apply(promo: PromoCode, code: str, products: list[Product], data: PromoData) -> None:
    promo.code = code
    promo.kind = data.kind
    promo.percent_bp = data.percent_bp if data.kind is PromoKind.PERCENT else None
    promo.amount_idr = data.amount_idr if data.kind is PromoKind.FIXED else None
    promo.min_spend_idr = data.min_spend_idr
    # Stored in UTC (SQLite keeps the wall time and drops the offset).
    promo.starts_at = data.starts_at.astimezone(UTC)
    promo.ends_at = data.ends_at.astimezone(UTC) if data.ends_at is not None else None
    promo.usage_limit = data.usage_limit
    promo.per_buyer_limit = data.per_buyer_limit
    promo.all_products = data.product_ids is None
    promo.products = products


def create_promo(actor: Any, owner: Business | Cooperative, data: PromoData) -> PromoCode:
    if not can_manage_promos(actor, owner):
        raise PermissionDenied(_("Anda tidak punya akses untuk membuat kode promo di sini."))
    code, products = _validate(owner, data, None)
    promo = PromoCode(
        business_id=owner.id if isinstance(owner, Business) else None,
        cooperative_id=owner.id if isinstance(owner, Cooperative) else None,
        redeemed_count=0,
        active=True,
        created_by_id=getattr(actor, "id", None),
    )
    _apply(promo, code, products, data)
    db.session.add(promo)
    db.session.flush()
    return promo


def update_promo(actor: Any, promo: PromoCode, data: PromoData) -> PromoCode:
    """Change a code's terms; uses already counted stay counted (a lower total limit can mean "used up")."""
    owner = _owner(promo)
    if not can_manage_promos(actor, owner):
        raise PermissionDenied(_("Anda tidak punya akses untuk mengubah kode promo ini."))
    code, products = _validate(owner, data, promo)
    if promo.redeemed_count and code != promo.code:
        # Invoices and order pages already issued name the code: it keeps its name once it was used.
        raise DomainError(_("Kode yang sudah dipakai pembeli tidak bisa diganti namanya."), field="code")
    _apply(promo, code, products, data)
    db.session.flush()
    return promo


def set_active(actor: Any, promo: PromoCode, active: bool) -> PromoCode:
    if not can_manage_promos(actor, _owner(promo)):
        raise PermissionDenied(_("Anda tidak punya akses untuk mengubah kode promo ini."))
    promo.active = active
    db.session.flush()
    return promo


def deactivate_promo(actor: Any, promo: PromoCode) -> PromoCode:
    return set_active(actor, promo, False)


# --- checking a code against a cart -------------------------------------------------------------------------


@dataclass(frozen=True)
class PromoQuote:
    """What a code gives this cart: per seller (business id) the eligible subtotal and the discount share."""

    promo_id: int
    code: str
    eligible_by_business: dict[int, int] = field(default_factory=dict)
    discount_by_business: dict[int, int] = field(default_factory=dict)

    @property
    def eligible_idr(self) -> int:
        return sum(self.eligible_by_business.values())

    @property
    def discount_idr(self) -> int:
        return sum(self.discount_by_business.values())

    def discount_for(self, business_id: int) -> int:
        return self.discount_by_business.get(business_id, 0)


def _when(moment: datetime) -> str:
    return format_datetime(_aware(moment), "d MMM yyyy, HH.mm")


def _buyer_uses(promo_id: int, buyer: Any | None, email: str) -> int:
    """Uses by this buyer: their account's, and any made with their e-mail (a guest checkout counts too)."""
    who = PromoRedemption.email == email.strip().lower()
    if buyer is not None and getattr(buyer, "id", None) is not None:
        who = or_(who, PromoRedemption.user_id == buyer.id)
    return db.session.scalar(
        select(func.count()).select_from(PromoRedemption).where(PromoRedemption.promo_id == promo_id, who)
    )


def _covers(promo: PromoCode, members: set[int] | None, chosen: set[int]) -> Any:
    def applies(product: Product) -> bool:
        if promo.business_id is not None:
            owned = product.business_id == promo.business_id
        else:
            owned = members is not None and product.business_id in members
        return owned and (promo.all_products or product.id in chosen)

    return applies


def _refuse(message: str) -> PromoRefused:
    return PromoRefused(message, field=FIELD)


def _unknown(code: str) -> PromoRefused:
    return _refuse(_("Kode promo %(code)s tidak dikenal. Periksa lagi penulisannya.", code=code[:30]))


def check(promo: PromoCode, cart: Any, buyer: Any | None, email: str, now: datetime) -> PromoQuote:
    """The quote for ``cart`` (an ``orders.services.Cart``), or PromoRefused with the reason."""
    code = promo.code
    if not promo.active or _owner(promo).is_suspended:
        raise _refuse(_("Kode promo %(code)s sudah tidak berlaku.", code=code))
    if _aware(promo.starts_at) > now:
        raise _refuse(
            _("Kode promo %(code)s baru berlaku mulai %(when)s.", code=code, when=_when(promo.starts_at))
        )
    if promo.ends_at is not None and _aware(promo.ends_at) <= now:
        raise _refuse(
            _("Kode promo %(code)s sudah berakhir pada %(when)s.", code=code, when=_when(promo.ends_at))
        )
    if promo.usage_limit is not None and promo.redeemed_count >= promo.usage_limit:
        raise _refuse(_("Kuota kode promo %(code)s sudah habis.", code=code))
    if promo.per_buyer_limit is not None and _buyer_uses(promo.id, buyer, email) >= promo.per_buyer_limit:
        if promo.per_buyer_limit == 1:
            raise _refuse(_("Anda sudah pernah memakai kode promo %(code)s.", code=code))
        raise _refuse(
            _(
                "Anda sudah memakai kode promo %(code)s %(n)s kali, batas untuk tiap pembeli.",
                code=code,
                n=promo.per_buyer_limit,
            )
        )
    members = member_business_ids(promo.cooperative_id) if promo.cooperative_id is not None else None
    chosen = {p.id for p in promo.products} if not promo.all_products else set()
    applies = _covers(promo, members, chosen)
    eligible: dict[int, int] = {}
    subtotals: dict[int, int] = {}
    for group in cart.groups:
        amount = sum(line.line_total_idr for line in group.lines if applies(line.product))
        if amount > 0:
            eligible[group.business.id] = amount
            subtotals[group.business.id] = group.subtotal_idr
    if not eligible:
        raise _refuse(
            _(
                "Kode promo %(code)s tidak berlaku untuk produk di keranjang Anda "
                "(hanya untuk produk %(owner)s).",
                code=code,
                owner=promo.owner_name,
            )
        )
    eligible_total = sum(eligible.values())
    if eligible_total < promo.min_spend_idr:
        raise _refuse(
            _(
                "Kode promo %(code)s berlaku untuk belanja minimal %(min)s dari produk %(owner)s; "
                "tambah %(more)s lagi.",
                code=code,
                min=format_idr(promo.min_spend_idr),
                owner=promo.owner_name,
                more=format_idr(promo.min_spend_idr - eligible_total),
            )
        )
    if promo.kind is PromoKind.PERCENT:
        discount = percent_of(eligible_total, Decimal(promo.percent_bp or 0) / 100)
    else:
        discount = promo.amount_idr or 0
    discount = min(discount, eligible_total)
    ids = list(eligible)  # the cart's seller order: the orders are created in it (ties go to the earliest)
    shares = allocate(discount, [eligible[i] for i in ids])
    # A share never exceeds its order's eligible subtotal (discount <= eligible total); an order fully
    # discounted keeps Rp1 to pay, since no provider takes a payment of Rp0.
    capped = {i: min(share, subtotals[i] - MIN_ORDER_TOTAL_IDR) for i, share in zip(ids, shares, strict=True)}
    return PromoQuote(
        promo_id=promo.id, code=code, eligible_by_business=eligible, discount_by_business=capped
    )


def evaluate(code: str, cart: Any, buyer: Any | None, email: str, now: datetime | None = None) -> PromoQuote:
    """Check a code the buyer typed against their cart (nothing is counted)."""
    normalised = normalise_code(code)
    if not normalised:
        raise _refuse(_("Isi kode promo."))
    promo = by_code(normalised)
    if promo is None:
        raise _unknown(normalised)
    return check(promo, cart, buyer, email, now or utcnow())


def redeem(
    code: str,
    cart: Any,
    *,
    checkout: Any,
    buyer: Any | None,
    email: str,
    now: datetime | None = None,
) -> PromoQuote:
    """Use the code for this checkout, inside its transaction: lock the code's row, check everything again
    (the per-buyer count is exact under the lock), count the use with a conditional UPDATE, record it."""
    now = now or utcnow()
    normalised = normalise_code(code)
    promo_id = db.session.scalar(select(PromoCode.id).where(PromoCode.code == normalised))
    if promo_id is None:
        raise _unknown(normalised)
    promo = db.session.scalars(
        select(PromoCode)
        .where(PromoCode.id == promo_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    quote = check(promo, cart, buyer, email, now)
    counted = db.session.execute(
        update(PromoCode)
        .where(
            PromoCode.id == promo.id,
            or_(PromoCode.usage_limit.is_(None), PromoCode.redeemed_count < PromoCode.usage_limit),
        )
        .values(redeemed_count=PromoCode.redeemed_count + 1)
        .returning(PromoCode.redeemed_count)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if counted is None:
        raise _refuse(_("Kuota kode promo %(code)s sudah habis.", code=promo.code))
    set_committed_value(promo, "redeemed_count", counted)  # the loaded row agrees with the database
    db.session.add(
        PromoRedemption(
            promo_id=promo.id,
            checkout_id=checkout.id,
            user_id=getattr(buyer, "id", None),
            email=email.strip().lower(),
            discount_idr=quote.discount_idr,
        )
    )
    db.session.flush()
    return quote


def discount_given(promos: Iterable[PromoCode]) -> dict[int, int]:
    ids = [p.id for p in promos]
    if not ids:
        return {}
    rows = db.session.execute(
        select(PromoRedemption.promo_id, func.sum(PromoRedemption.discount_idr))
        .where(PromoRedemption.promo_id.in_(ids))
        .group_by(PromoRedemption.promo_id)
    )
    return {promo_id: int(total or 0) for promo_id, total in rows}
