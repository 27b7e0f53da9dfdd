"""Featured products and cooperative campaigns: managing them, and what the home page highlights.

A cooperative's managers run campaigns of their active members' public products (at most
``MAX_CAMPAIGN_PRODUCTS``) and feature members' products (at most ``MAX_FEATURED_PER_COOPERATIVE`` not yet
ended per cooperative); admins feature any public product. What is shown is decided when it is read: a
product that stops being public (paused, sold out, its seller suspended) drops off the home page and the
campaign page by itself, without touching the campaign.

A campaign's status changes only through ``_transition`` (``CAMPAIGN_TRANSITIONS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from marketplace.accounts import policy
from marketplace.catalog import search
from marketplace.catalog.models import Product
from marketplace.catalog.services import is_public
from marketplace.clock import aware, utcnow
from marketplace.cooperatives.models import Business, Cooperative, Membership, MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing.featured_models import (
    Campaign,
    CampaignProduct,
    CampaignStatus,
    FeaturedProduct,
)
from marketplace.text import unique_slug

MAX_CAMPAIGN_PRODUCTS = 24
MAX_FEATURED_PER_COOPERATIVE = 8
MAX_DESCRIPTION = 2000
MAX_WINDOW = timedelta(days=92)  # a campaign or a featuring is a season, not a permanent fixture
HOME_FEATURED = 12
HOME_CAMPAIGNS = 3
HOME_CAMPAIGN_PRODUCTS = 8

CAMPAIGN_TRANSITIONS: Mapping[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.PUBLISHED, CampaignStatus.CANCELLED}),
    CampaignStatus.PUBLISHED: frozenset({CampaignStatus.CANCELLED}),
    CampaignStatus.CANCELLED: frozenset(),
}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Anda tidak punya akses untuk melakukan ini."))


# --- which products a cooperative may promote ----------------------------------------------------------


def _member_ids(cooperative: Cooperative) -> Select[tuple[int]]:
    return select(Membership.business_id).where(
        Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.ACTIVE
    )


def member_public_products(cooperative: Cooperative) -> list[Product]:
    """The public products of the cooperative's active members: what its campaigns and featurings choose
    from."""
    return list(
        db.session.scalars(
            search.public_products()
            .where(Product.business_id.in_(_member_ids(cooperative)))
            .order_by(Business.name, Product.title, Product.id)
        )
    )


def _is_member_product(cooperative: Cooperative, product: Product) -> bool:
    return any(
        m.cooperative_id == cooperative.id and m.status is MembershipStatus.ACTIVE
        for m in product.business.memberships
    )


# --- campaigns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignData:
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    product_ids: Sequence[int] = field(default_factory=list)


def _require_manager(actor: Any, cooperative: Cooperative) -> None:
    if not policy.manages_cooperative(actor, cooperative):
        raise _denied()
    if cooperative.is_suspended:
        raise PermissionDenied(_("Koperasi ini sedang ditangguhkan, jadi belum bisa berpromosi."))


def _check_window(starts_at: datetime, ends_at: datetime, *, field_name: str = "ends_on") -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("campaign and featuring times must be timezone-aware")
    if ends_at <= starts_at:
        raise DomainError(_("Tanggal berakhir harus setelah tanggal mulai."), field=field_name)
    if ends_at <= utcnow():
        raise DomainError(_("Tanggal berakhir sudah lewat."), field=field_name)
    if ends_at - starts_at > MAX_WINDOW:
        raise DomainError(_("Paling lama %(days)d hari.", days=MAX_WINDOW.days), field=field_name)


def _campaign_products(cooperative: Cooperative, product_ids: Sequence[int]) -> list[Product]:
    wanted = list(dict.fromkeys(int(i) for i in product_ids))
    if len(wanted) > MAX_CAMPAIGN_PRODUCTS:
        raise DomainError(
            _("Pilih paling banyak %(n)d produk.", n=MAX_CAMPAIGN_PRODUCTS), field="product_ids"
        )
    if not wanted:
        return []
    found = {
        p.id: p
        for p in db.session.scalars(
            search.public_products().where(
                Product.id.in_(wanted), Product.business_id.in_(_member_ids(cooperative))
            )
        )
    }
    if len(found) != len(wanted):
        raise DomainError(
            _("Hanya produk tayang milik usaha anggota aktif koperasi ini yang bisa dipilih."),
            field="product_ids",
        )
    return [found[i] for i in wanted]


def _clean(cooperative: Cooperative, data: CampaignData) -> tuple[dict[str, Any], list[Product]]:
    title = " ".join((data.title or "").split())
    if not 3 <= len(title) <= 120:
        raise DomainError(_("Judul kampanye 3–120 karakter."), field="title")
    description = (data.description or "").strip().replace("\r\n", "\n")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(
            _("Deskripsi paling banyak %(n)d karakter.", n=MAX_DESCRIPTION), field="description"
        )
    _check_window(data.starts_at, data.ends_at)
    products = _campaign_products(cooperative, data.product_ids)
    values = {
        "title": title,
        "description": description,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
    }
    return values, products


def _set_products(campaign: Campaign, products: list[Product]) -> None:
    by_id = {item.product_id: item for item in campaign.items}
    items = []
    for position, product in enumerate(products):
        item = by_id.get(product.id) or CampaignProduct(product=product)
        item.position = position
        items.append(item)
    campaign.items = items


def create_campaign(actor: Any, cooperative: Cooperative, data: CampaignData) -> Campaign:
    _require_manager(actor, cooperative)
    values, products = _clean(cooperative, data)
    campaign = Campaign(
        cooperative=cooperative,
        slug=unique_slug(Campaign, values["title"]),
        status=CampaignStatus.DRAFT,
        created_by=actor,
        **values,
    )
    db.session.add(campaign)
    _set_products(campaign, products)
    db.session.flush()
    return campaign


def update_campaign(actor: Any, campaign: Campaign, data: CampaignData) -> Campaign:
    """Change a draft or a published campaign (its link stays: the slug does not follow the title)."""
    _require_manager(actor, campaign.cooperative)
    if campaign.status is CampaignStatus.CANCELLED:
        raise DomainError(_("Kampanye yang dibatalkan tidak bisa diubah."))
    values, products = _clean(campaign.cooperative, data)
    if campaign.status is CampaignStatus.PUBLISHED and not products:
        raise DomainError(_("Kampanye yang terbit perlu paling sedikit satu produk."), field="product_ids")
    for name, value in values.items():
        setattr(campaign, name, value)
    _set_products(campaign, products)
    db.session.flush()
    return campaign


def _transition(campaign: Campaign, to_status: CampaignStatus) -> None:
    if to_status not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise DomainError(_("Status kampanye ini tidak dapat diubah dengan cara itu."))
    campaign.status = to_status


def publish_campaign(actor: Any, campaign: Campaign) -> None:
    _require_manager(actor, campaign.cooperative)
    if not campaign.items:
        raise DomainError(_("Pilih dulu paling sedikit satu produk untuk kampanye ini."))
    if aware(campaign.ends_at) <= utcnow():
        raise DomainError(_("Kampanye ini sudah lewat tanggal berakhirnya. Ubah tanggalnya dulu."))
    _transition(campaign, CampaignStatus.PUBLISHED)
    db.session.flush()


def cancel_campaign(actor: Any, campaign: Campaign) -> None:
    if not policy.manages_cooperative(actor, campaign.cooperative):
        raise _denied()
    _transition(campaign, CampaignStatus.CANCELLED)
    db.session.flush()


def campaigns_of(cooperative: Cooperative) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.cooperative_id == cooperative.id)
            .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
        )
    )


def product_counts(campaigns: Sequence[Campaign]) -> dict[int, int]:
    ids = [c.id for c in campaigns]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CampaignProduct.campaign_id, func.count(CampaignProduct.id))
        .where(CampaignProduct.campaign_id.in_(ids))
        .group_by(CampaignProduct.campaign_id)
    )
    return {campaign_id: n for campaign_id, n in rows}


def is_running(campaign: Campaign, now: datetime) -> bool:
    return campaign.status is CampaignStatus.PUBLISHED and aware(campaign.starts_at) <= now < aware(
        campaign.ends_at
    )


def campaign_public_products(campaign: Campaign) -> list[Product]:
    """The campaign's products that are public now, in the campaign's order."""
    return list(
        db.session.scalars(
            search.public_products()
            .join(CampaignProduct, CampaignProduct.product_id == Product.id)
            .where(CampaignProduct.campaign_id == campaign.id)
            .order_by(CampaignProduct.position, CampaignProduct.id)
        )
    )


def can_view_campaign(user: Any, campaign: Campaign) -> bool:
    """Published campaigns of a cooperative in good standing for everybody; the rest for its managers."""
    if campaign.status is CampaignStatus.PUBLISHED and not campaign.cooperative.is_suspended:
        return True
    return policy.manages_cooperative(user, campaign.cooperative)


# --- featured products ------------------------------------------------------------------------------------


def can_feature(actor: Any, product: Product, cooperative: Cooperative | None) -> bool:
    """Admins feature any product; a cooperative's managers their active members' products."""
    if cooperative is None:
        return policy.is_admin(actor)
    return policy.manages_cooperative(actor, cooperative) and _is_member_product(cooperative, product)


def feature_product(
    actor: Any,
    product: Product,
    *,
    cooperative: Cooperative | None,
    ends_at: datetime,
    starts_at: datetime | None = None,
    position: int = 0,
) -> FeaturedProduct:
    """Feature a public product until ``ends_at`` — as an admin (``cooperative`` None) or as a manager of
    ``cooperative``. Featuring a product again moves its window; a manager cannot take over another
    cooperative's or an admin's featuring."""
    if not can_feature(actor, product, cooperative):
        raise _denied()
    if cooperative is not None and cooperative.is_suspended:
        raise PermissionDenied(_("Koperasi ini sedang ditangguhkan, jadi belum bisa berpromosi."))
    if not is_public(product):
        raise DomainError(_("Hanya produk yang sedang tayang yang bisa dijadikan produk pilihan."))
    now = utcnow()
    starts_at = starts_at or now
    _check_window(starts_at, ends_at)
    # Under a row lock, so two managers featuring at once cannot both pass the cap or both insert.
    existing = db.session.scalars(
        select(FeaturedProduct).where(FeaturedProduct.product_id == product.id).with_for_update()
    ).one_or_none()
    if existing is not None and cooperative is not None and existing.cooperative_id != cooperative.id:
        if aware(existing.ends_at) > now:
            raise DomainError(_("Produk ini sudah menjadi produk pilihan."))
    if cooperative is not None:
        taken = db.session.scalar(
            select(func.count(FeaturedProduct.id)).where(
                FeaturedProduct.cooperative_id == cooperative.id,
                FeaturedProduct.ends_at > now,
                FeaturedProduct.product_id != product.id,
            )
        )
        if (taken or 0) >= MAX_FEATURED_PER_COOPERATIVE:
            raise DomainError(
                _(
                    "Koperasi bisa memilih paling banyak %(n)d produk pilihan sekaligus. "
                    "Hapus salah satu dulu.",
                    n=MAX_FEATURED_PER_COOPERATIVE,
                )
            )
    featured = existing or FeaturedProduct(product=product)
    featured.cooperative = cooperative
    featured.featured_by = actor
    featured.starts_at, featured.ends_at, featured.position = starts_at, ends_at, position
    db.session.add(featured)
    db.session.flush()
    return featured


def unfeature_product(actor: Any, featured: FeaturedProduct) -> None:
    """Admins remove any featuring; a cooperative's managers their cooperative's."""
    allowed = policy.is_admin(actor) or (
        featured.cooperative is not None and policy.manages_cooperative(actor, featured.cooperative)
    )
    if not allowed:
        raise _denied()
    db.session.delete(featured)
    db.session.flush()


def featured_of(cooperative: Cooperative | None, now: datetime) -> list[FeaturedProduct]:
    """Featurings not yet ended: a cooperative's, or (None) all of them, for the admin page."""
    query = (
        select(FeaturedProduct)
        .where(FeaturedProduct.ends_at > now)
        .options(joinedload(FeaturedProduct.product).joinedload(Product.business))
        .options(joinedload(FeaturedProduct.cooperative))
        .order_by(FeaturedProduct.starts_at, FeaturedProduct.id)
    )
    if cooperative is not None:
        query = query.where(FeaturedProduct.cooperative_id == cooperative.id)
    return list(db.session.scalars(query))


# --- the home page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningCampaign:
    campaign: Campaign
    products: list[Product]


@dataclass(frozen=True)
class Highlights:
    featured: list[Product]
    campaigns: list[RunningCampaign]


def featured_products(now: datetime, limit: int = HOME_FEATURED) -> list[Product]:
    """Products featured now that are still public (one query)."""
    return list(
        db.session.scalars(
            search.public_products()
            .join(FeaturedProduct, FeaturedProduct.product_id == Product.id)
            .where(FeaturedProduct.starts_at <= now, FeaturedProduct.ends_at > now)
            .order_by(FeaturedProduct.position, FeaturedProduct.starts_at.desc(), FeaturedProduct.id)
            .limit(limit)
        )
    )


def running_campaigns(
    now: datetime, limit: int = HOME_CAMPAIGNS, per_campaign: int | None = HOME_CAMPAIGN_PRODUCTS
) -> list[RunningCampaign]:
    """Published campaigns in their window, of cooperatives in good standing, with their public products
    (one query: each row is a public product and its campaign). A campaign none of whose products is public
    any more is left out."""
    host = aliased(Cooperative)
    running = (
        select(Campaign.id)
        .join(host, Campaign.cooperative)
        .where(
            Campaign.status == CampaignStatus.PUBLISHED,
            Campaign.starts_at <= now,
            Campaign.ends_at > now,
            host.suspended_at.is_(None),
        )
        .order_by(Campaign.ends_at, Campaign.id)
        .limit(limit)
    )
    stmt = (
        search.public_products()
        .join(CampaignProduct, CampaignProduct.product_id == Product.id)
        .join(Campaign, Campaign.id == CampaignProduct.campaign_id)
        .join(host, Campaign.cooperative)
        .where(Campaign.id.in_(running.scalar_subquery()))
        .add_columns(Campaign)
        .options(contains_eager(Campaign.cooperative.of_type(host)))
        .order_by(Campaign.ends_at, Campaign.id, CampaignProduct.position, CampaignProduct.id)
    )
    grouped: dict[int, RunningCampaign] = {}
    for product, campaign in db.session.execute(stmt):
        entry = grouped.setdefault(campaign.id, RunningCampaign(campaign, []))
        if per_campaign is None or len(entry.products) < per_campaign:
            entry.products.append(product)
    return list(grouped.values())


def home_highlights(now: datetime | None = None) -> Highlights:
    now = now or utcnow()
    return Highlights(featured=featured_products(now), campaigns=running_campaigns(now))
