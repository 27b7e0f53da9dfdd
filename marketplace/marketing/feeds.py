"""Product feeds of a business or a cooperative for Google Merchant Center (RSS 2.0 with the ``g:`` namespace)
and Meta (Facebook/Instagram) catalogs (CSV).

Only public products (the catalog's rule), since a feed item must land on a page that opens. Both catalogs
require an image, so a product without a photo is left out rather than shown with the site's logo (which
the catalogs disapprove as a placeholder). Prices are whole rupiah: "85000.00 IDR" for Google,
"85000 IDR" for Meta. The XML is built with ElementTree (it escapes), after dropping the control characters
XML 1.0 cannot carry; the CSV with the csv module, a text cell starting with = + - @ prefixed with ' so a
spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalog import search
from marketplace.catalog.models import Product, ProductPhoto
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db
from marketplace.marketing import share
from marketplace.sectors import SECTOR_LABELS
from marketplace.text import markdown_to_text

GOOGLE_NS = "http://base.google.com/ns/1.0"
MAX_ITEMS = 10_000
TITLE_MAX = 150  # Google's limit; Meta allows 200
DESCRIPTION_MAX = 5000  # both catalogs' limit
ADDITIONAL_IMAGES_MAX = 10
META_COLUMNS = (
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
)

ET.register_namespace("g", GOOGLE_NS)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Owner = Business | Cooperative


def feed_products(owner: Owner) -> list[Product]:
    """The owner's public products with photos (one query for the products, one for their photos):
    a business's own, or those listed under a cooperative."""
    column = Product.business_id if isinstance(owner, Business) else Product.cooperative_id
    public_ids = search.public_products().with_only_columns(Product.id).where(column == owner.id)
    query = (
        select(Product)
        .where(Product.id.in_(public_ids), Product.id.in_(select(ProductPhoto.product_id)))
        .options(joinedload(Product.business), selectinload(Product.photos))
        .order_by(Product.id)
        .limit(MAX_ITEMS)
    )
    return list(db.session.scalars(query))


def _clean(text: str, limit: int) -> str:
    text = " ".join(_NOT_XML.sub("", text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(product: Product) -> str:
    return _clean(product.title, TITLE_MAX)


def _description(product: Product) -> str:
    return _clean(markdown_to_text(product.description or ""), DESCRIPTION_MAX) or _title(product)


def google_availability(product: Product) -> str:
    if product.stock > 0:
        return "in_stock"
    if product.preorder:
        return "preorder"
    return "out_of_stock"


def meta_availability(product: Product) -> str:
    return google_availability(product).replace("_", " ")


def google_price(product: Product) -> str:
    return f"{int(product.price_idr)}.00 IDR"


def meta_price(product: Product) -> str:
    return f"{int(product.price_idr)} IDR"


def _sector(product: Product) -> str:
    return str(SECTOR_LABELS.get(product.category, product.category))


def google_feed(owner: Owner, products: Iterable[Product]) -> bytes:
    """Google Merchant Center RSS 2.0 feed."""
    g = f"{{{GOOGLE_NS}}}"
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = _clean(owner.name, TITLE_MAX)
    ET.SubElement(channel, "link").text = (
        share.business_url(owner) if isinstance(owner, Business) else share.cooperative_url(owner)
    )
    ET.SubElement(channel, "description").text = _clean(
        markdown_to_text(owner.description or "") or owner.name, DESCRIPTION_MAX
    )
    for product in products:
        images = share.product_image_urls(product)
        if not images:
            continue
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, f"{g}id").text = str(product.id)
        ET.SubElement(item, "title").text = _title(product)
        ET.SubElement(item, "description").text = _description(product)
        ET.SubElement(item, "link").text = share.product_url(product)
        ET.SubElement(item, f"{g}image_link").text = images[0]
        for extra in images[1 : 1 + ADDITIONAL_IMAGES_MAX]:
            ET.SubElement(item, f"{g}additional_image_link").text = extra
        ET.SubElement(item, f"{g}availability").text = google_availability(product)
        ET.SubElement(item, f"{g}price").text = google_price(product)
        ET.SubElement(item, f"{g}condition").text = "new"
        ET.SubElement(item, f"{g}brand").text = _clean(product.business.name, 70)
        ET.SubElement(item, f"{g}product_type").text = _sector(product)
        ET.SubElement(item, f"{g}identifier_exists").text = "no"
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: never let seller text run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def meta_feed(products: Iterable[Product]) -> str:
    """Meta (Facebook/Instagram) catalog CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(META_COLUMNS)
    for product in products:
        images = share.product_image_urls(product)
        if not images:
            continue
        writer.writerow(
            (
                str(product.id),
                _cell(_title(product)),
                _cell(_description(product)),
                meta_availability(product),
                "new",
                meta_price(product),
                share.product_url(product),
                images[0],
                _cell(_clean(product.business.name, 100)),
            )
        )
    return out.getvalue()
