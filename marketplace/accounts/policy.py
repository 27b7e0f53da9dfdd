"""Who may do what: every permission in Gotong is decided here, from relationships.

Owns this business, manages this cooperative, officer of this region, platform admin. Views call these
functions and answer 403 on False (``marketplace.web.authorize``); services receive the acting user and
may call them too. No role column decides anything on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marketplace import regions

if TYPE_CHECKING:
    from marketplace.catalog.models import Product
    from marketplace.cooperatives.models import Business, Cooperative


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def owns_business(user: Any, business: Business) -> bool:
    return _signed_in(user) and business.owner_id == user.id


def can_edit_business(user: Any, business: Business) -> bool:
    return owns_business(user, business) or is_admin(user)


def manages_cooperative(user: Any, cooperative: Cooperative) -> bool:
    if not _signed_in(user):
        return False
    return is_admin(user) or any(m.user_id == user.id for m in cooperative.managers)


def chairs_cooperative(user: Any, cooperative: Cooperative) -> bool:
    from marketplace.cooperatives.models import ManagerRole

    if not _signed_in(user):
        return False
    return is_admin(user) or any(
        m.user_id == user.id and m.role is ManagerRole.CHAIR for m in cooperative.managers
    )


def can_manage_managers(user: Any, cooperative: Cooperative) -> bool:
    """Naming and removing co-managers is for the chair (and admins)."""
    return chairs_cooperative(user, cooperative)


def officer_scopes(user: Any) -> list[str]:
    if not _signed_in(user):
        return []
    return [a.region_code for a in user.officer_appointments]


def is_officer(user: Any) -> bool:
    return bool(officer_scopes(user))


def can_supervise_region(user: Any, region_code: str) -> bool:
    """Admins see every region; an officer sees the regions inside their province or regency scope."""
    if is_admin(user):
        return True
    return any(regions.covers(scope, region_code) for scope in officer_scopes(user))


def can_supervise_cooperative(user: Any, cooperative: Cooperative) -> bool:
    return can_supervise_region(user, cooperative.regency_code)


def can_view_cooperative(user: Any, cooperative: Cooperative) -> bool:
    """A suspended cooperative is hidden from the public, not from its managers, officers or admins."""
    if not cooperative.is_suspended:
        return True
    return manages_cooperative(user, cooperative) or can_supervise_cooperative(user, cooperative)


def can_view_business(user: Any, business: Business) -> bool:
    if not business.is_suspended:
        return True
    return can_edit_business(user, business)


def can_view_product(user: Any, product: Product) -> bool:
    """Public listings for everybody; the rest for the seller, and for the cooperative's managers once it
    was submitted (a draft is the seller's own)."""
    from marketplace.catalog.models import ProductStatus
    from marketplace.catalog.services import is_public

    if is_public(product):
        return True
    if can_manage_products(user, product.business):
        return True
    return (
        product.status is not ProductStatus.DRAFT
        and product.cooperative is not None
        and manages_cooperative(user, product.cooperative)
    )


def can_manage_products(user: Any, business: Business) -> bool:
    """See the business's own product list (drafts included), pause and delete its listings."""
    return can_edit_business(user, business)


def can_list_products(user: Any, business: Business) -> bool:
    """Create, change, submit and resume listings: a suspended business cannot list."""
    return can_manage_products(user, business) and not business.is_suspended


def can_edit_product(user: Any, product: Product) -> bool:
    return can_list_products(user, product.business)


def can_review_product(user: Any, product: Product) -> bool:
    """Approve or reject a listing: the managers of the cooperative it is listed under (and admins)."""
    return product.cooperative is not None and manages_cooperative(user, product.cooperative)


def can_apply_with(user: Any, business: Business) -> bool:
    return owns_business(user, business) and not business.is_suspended
