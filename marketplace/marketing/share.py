"""Share kit: canonical links, share and order links, Open Graph data and schema.org JSON-LD.

Plain functions over the models. They build absolute URLs with ``url_for(..., _external=True)`` and translate
with Flask-Babel, so they need an app (and, for the host of the links, a request) context; nothing here reads
the request's arguments, the session or the database beyond the objects passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import url_for
from flask_babel import format_number
from flask_babel import gettext as _

from marketplace import regions
from marketplace.catalog import attributes
from marketplace.catalog.models import Product, unit_label
from marketplace.catalog.services import is_public
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.errors import DomainError
from marketplace.money import format_idr
from marketplace.phones import normalise_phone
from marketplace.text import markdown_to_text

SCHEMA_ORG = "https://schema.org"
# Stands for the quantity in an order link until the buyer's quantity field fills it in (share.js): letters
# and underscores come out of URL-encoding unchanged, so the script finds it in the encoded link.
QUANTITY_PLACEHOLDER = "__JUMLAH__"
DESCRIPTION_MAX = 200


# --- canonical URLs ---------------------------------------------------------------------------------------


def product_url(product: Product) -> str:
    return url_for("catalog.product", product_id=product.id, slug=product.slug, _external=True)


def business_url(business: Business) -> str:
    return url_for("cooperatives.business", slug=business.slug, _external=True)


def cooperative_url(cooperative: Cooperative) -> str:
    return url_for("cooperatives.cooperative", slug=cooperative.slug, _external=True)


def media_url(path: str) -> str:
    return url_for("site.media", filename=path, _external=True)


def site_logo_url() -> str:
    return url_for("static", filename="img/gotong.svg", _external=True)


def product_image_urls(product: Product) -> list[str]:
    return [media_url(photo.path) for photo in product.photos]


# --- share and order links ---------------------------------------------------------------------------------


def whatsapp_share_url(text: str, url: str) -> str:
    """``https://wa.me/?text=...``: WhatsApp lets the sharer pick the chat; the link ends the message so the
    chat shows its preview."""
    message = f"{text}\n{url}" if text else url
    return "https://wa.me/?text=" + quote(message, safe="")


def facebook_share_url(url: str) -> str:
    return "https://www.facebook.com/sharer/sharer.php?u=" + quote(url, safe="")


def whatsapp_number(phone: str | None) -> str | None:
    """The wa.me form of a seller's WhatsApp number (E.164 digits without "+"), or None when it is not a
    valid Indonesian mobile number (WhatsApp runs on mobile numbers only)."""
    if not phone:
        return None
    try:
        return normalise_phone(phone, mobile_only=True).lstrip("+")
    except DomainError:
        return None


def _order_text(product: Product, quantity: str, url: str) -> str:
    suffix = attributes.price_suffix(product.category, product.attributes or {}, product.unit)
    return _(
        "Halo %(seller)s, saya ingin memesan lewat Gotong:\n"
        "%(product)s\n"
        "Jumlah: %(quantity)s %(unit)s\n"
        "Harga: %(price)s %(suffix)s\n"
        "%(url)s",
        seller=product.business.name,
        product=product.title,
        quantity=quantity,
        unit=unit_label(product.unit),
        price=format_idr(product.price_idr),
        suffix=suffix,
        url=url,
    )


def whatsapp_order_url(phone: str | None, product: Product, quantity: int, url: str) -> str | None:
    """A chat with the seller, prefilled in the buyer's language with the product, quantity and unit, price
    and link; None when the seller has no usable WhatsApp number."""
    number = whatsapp_number(phone)
    if number is None:
        return None
    text = _order_text(product, format_number(quantity), url)
    return f"https://wa.me/{number}?text=" + quote(text, safe="")


def whatsapp_order_url_template(phone: str | None, product: Product, url: str) -> str | None:
    """``whatsapp_order_url`` with ``QUANTITY_PLACEHOLDER`` for the quantity, for the page's script."""
    number = whatsapp_number(phone)
    if number is None:
        return None
    text = _order_text(product, QUANTITY_PLACEHOLDER, url)
    return f"https://wa.me/{number}?text=" + quote(text, safe="")


# --- schema.org JSON-LD ------------------------------------------------------------------------------------


def availability(product: Product) -> str:
    if product.stock > 0:
        return f"{SCHEMA_ORG}/InStock"
    if product.preorder:
        return f"{SCHEMA_ORG}/PreOrder"
    return f"{SCHEMA_ORG}/OutOfStock"


def _address(regency_code: str, province_code: str, street: str | None = None) -> dict[str, str]:
    address = {
        "@type": "PostalAddress",
        "addressLocality": regions.name(regency_code),
        "addressRegion": regions.name(province_code),
        "addressCountry": "ID",
    }
    if street:
        address["streetAddress"] = street
    return address


def organization_json_ld(
    name: str,
    url: str,
    *,
    description: str = "",
    logo: str | None = None,
    regency_code: str | None = None,
    province_code: str | None = None,
    street: str | None = None,
    kind: str = "Organization",
) -> dict[str, Any]:
    """A schema.org Organization (or a subtype such as LocalBusiness) for a storefront or cooperative."""
    data: dict[str, Any] = {"@context": SCHEMA_ORG, "@type": kind, "name": name, "url": url}
    if description:
        data["description"] = description
    if logo:
        data["logo"] = logo
        data["image"] = logo
    if regency_code and province_code:
        data["address"] = _address(regency_code, province_code, street)
    return data


def business_json_ld(business: Business, url: str) -> dict[str, Any]:
    return organization_json_ld(
        business.name,
        url,
        description=_truncate(business.description or ""),
        logo=media_url(business.logo) if business.logo else None,
        regency_code=business.regency_code,
        province_code=business.province_code,
        kind="LocalBusiness",
    )


def cooperative_json_ld(cooperative: Cooperative, url: str) -> dict[str, Any]:
    return organization_json_ld(
        cooperative.name,
        url,
        description=_truncate(cooperative.description or ""),
        logo=media_url(cooperative.logo) if cooperative.logo else None,
        regency_code=cooperative.regency_code,
        province_code=cooperative.province_code,
        street=cooperative.address,
    )


def product_json_ld(product: Product, url: str) -> dict[str, Any]:
    """schema.org Product with one Offer: the price in whole rupiah as a string ("85000"), IDR."""
    seller = {"@type": "Organization", "name": product.business.name, "url": business_url(product.business)}
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": url,
        "price": str(int(product.price_idr)),
        "priceCurrency": "IDR",
        "availability": availability(product),
        "itemCondition": f"{SCHEMA_ORG}/NewCondition",
        "seller": seller,
        "eligibleQuantity": {
            "@type": "QuantitativeValue",
            "minValue": product.min_order_qty,
            "unitText": unit_label(product.unit),
        },
    }
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Product",
        "name": product.title,
        "description": _truncate(markdown_to_text(product.description or "")) or product.title,
        "sku": str(product.id),
        "url": url,
        "brand": {"@type": "Brand", "name": product.business.name},
        "offers": offer,
    }
    images = product_image_urls(product)
    if images:
        data["image"] = images
    if product.cooperative is not None:
        data["isRelatedTo"] = {
            "@type": "Organization",
            "name": product.cooperative.name,
            "url": cooperative_url(product.cooperative),
        }
    return data


# --- everything a page needs to be shared ------------------------------------------------------------------


def _truncate(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


@dataclass(frozen=True)
class SharePage:
    """The Open Graph / Twitter card data, JSON-LD and share links of one public page."""

    public: bool
    title: str
    description: str
    url: str
    image: str
    og_type: str = "website"
    image_width: int | None = None
    image_height: int | None = None
    image_is_photo: bool = False
    price_idr: int | None = None
    json_ld: dict[str, Any] = field(default_factory=dict)
    qr_svg_url: str = ""
    qr_png_url: str = ""
    share_text: str = ""
    order_url: str | None = None
    order_url_template: str | None = None

    @property
    def whatsapp_share(self) -> str:
        return whatsapp_share_url(self.share_text, self.url)

    @property
    def facebook_share(self) -> str:
        return facebook_share_url(self.url)


def business_is_public(business: Business) -> bool:
    return not business.is_suspended


def cooperative_is_public(cooperative: Cooperative) -> bool:
    return not cooperative.is_suspended


def _qr_urls(endpoint: str, **values: Any) -> tuple[str, str]:
    return (
        url_for(endpoint, fmt="svg", **values, _external=True),
        url_for(endpoint, fmt="png", **values, _external=True),
    )


def product_page(product: Product) -> SharePage:
    url = product_url(product)
    price = format_idr(product.price_idr)
    suffix = attributes.price_suffix(product.category, product.attributes or {}, product.unit)
    text = markdown_to_text(product.description or "")
    description = _truncate(f"{price} {suffix} · {product.business.name} · {text}".rstrip(" ·"))
    photo = product.photos[0] if product.photos else None
    svg, png = _qr_urls("marketing.product_qr", product_id=product.id)
    return SharePage(
        public=is_public(product),
        title=product.title,
        description=description,
        url=url,
        image=media_url(photo.path) if photo else site_logo_url(),
        image_width=photo.width if photo else None,
        image_height=photo.height if photo else None,
        image_is_photo=photo is not None,
        og_type="product",
        price_idr=product.price_idr,
        json_ld=product_json_ld(product, url),
        qr_svg_url=svg,
        qr_png_url=png,
        share_text=_(
            "%(product)s, %(price)s %(suffix)s di Gotong", product=product.title, price=price, suffix=suffix
        ),
        order_url=whatsapp_order_url(product.business.whatsapp, product, product.min_order_qty, url),
        order_url_template=whatsapp_order_url_template(product.business.whatsapp, product, url),
    )


def business_page(business: Business) -> SharePage:
    url = business_url(business)
    svg, png = _qr_urls("marketing.business_qr", slug=business.slug)
    place = regions.label(business.regency_code)
    return SharePage(
        public=business_is_public(business),
        title=business.name,
        description=_truncate(business.description or "")
        or _("Produk %(name)s dari %(place)s di Gotong.", name=business.name, place=place),
        url=url,
        image=media_url(business.logo) if business.logo else site_logo_url(),
        json_ld=business_json_ld(business, url),
        qr_svg_url=svg,
        qr_png_url=png,
        share_text=_("%(name)s di Gotong", name=business.name),
    )


def cooperative_page(cooperative: Cooperative) -> SharePage:
    url = cooperative_url(cooperative)
    svg, png = _qr_urls("marketing.cooperative_qr", slug=cooperative.slug)
    place = regions.label(cooperative.regency_code)
    return SharePage(
        public=cooperative_is_public(cooperative),
        title=cooperative.name,
        description=_truncate(cooperative.description or "")
        or _("Produk anggota %(name)s, %(place)s, di Gotong.", name=cooperative.name, place=place),
        url=url,
        image=media_url(cooperative.logo) if cooperative.logo else site_logo_url(),
        json_ld=cooperative_json_ld(cooperative, url),
        qr_svg_url=svg,
        qr_png_url=png,
        share_text=_("%(name)s di Gotong", name=cooperative.name),
    )


def share_page(obj: Product | Business | Cooperative) -> SharePage:
    if isinstance(obj, Product):
        return product_page(obj)
    if isinstance(obj, Business):
        return business_page(obj)
    if isinstance(obj, Cooperative):
        return cooperative_page(obj)
    raise TypeError(f"nothing to share for {type(obj).__name__}")
