"""Product feeds for Google Merchant Center (RSS 2.0, g: namespace) and Meta catalogs (CSV)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from marketplace.catalog.models import ProductPhoto, ProductStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.marketing import feeds
from tests.factories import make_business, make_cooperative, make_membership, make_product, make_user

HOST = "http://localhost"
G = "{http://base.google.com/ns/1.0}"
GOOGLE_REQUIRED = ("id", "image_link", "availability", "price", "condition", "brand", "identifier_exists")


def xml_root(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 — the app's own response, not untrusted input


def photo(product, name: str = "a") -> None:  # type: ignore[no-untyped-def]
    product.photos.append(
        ProductPhoto(path=f"produk/{product.id}-{name}.webp", thumb_path="t.webp", width=800, height=800)
    )
    db.session.flush()


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    business = make_business(make_user("Dewi"), "Boneka Ceria", slug="boneka-ceria")
    cooperative = make_cooperative(make_user("Pak Ketua"), "Koperasi Maju", slug="koperasi-maju")
    make_membership(cooperative, business)
    in_stock = make_product(
        business,
        "Boneka Beruang <Rajut> & Pita",
        cooperative=cooperative,
        price_idr=85000,
        description="Boneka **rajut** buatan tangan.",
    )
    photo(in_stock, "a")
    photo(in_stock, "b")
    preorder = make_product(
        business, '=HYPERLINK("x")', slug="boneka-pesan", cooperative=cooperative, stock=0, preorder=True
    )
    photo(preorder)
    sold_out = make_product(business, "Boneka Habis", slug="boneka-habis", cooperative=cooperative, stock=0)
    photo(sold_out)
    draft = make_product(business, "Boneka Draf", slug="boneka-draf", status=ProductStatus.DRAFT)
    photo(draft)
    no_photo = make_product(business, "Boneka Tanpa Foto", slug="boneka-tanpa-foto", cooperative=cooperative)
    return {
        "business": business,
        "cooperative": cooperative,
        "in_stock": in_stock,
        "preorder": preorder,
        "sold_out": sold_out,
        "draft": draft,
        "no_photo": no_photo,
    }


def items_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {item.findtext(f"{G}id"): item for item in root.iter("item")}


@pytest.mark.parametrize("kind,slug", [("usaha", "boneka-ceria"), ("koperasi", "koperasi-maju")])
def test_google_feed_is_valid_rss_with_required_fields(client, shop, kind, slug):
    response = client.get(f"/{kind}/{slug}/feed/google.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    assert response.cache_control.public and response.cache_control.max_age == 3600
    root = xml_root(response.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None and channel.findtext("title") and channel.findtext("link", "").startswith(HOST)
    items = items_by_id(root)
    # only public products with a photo: no draft, no sold-out listing, none without a picture
    assert set(items) == {str(shop["in_stock"].id), str(shop["preorder"].id)}
    for item in items.values():
        for name in GOOGLE_REQUIRED:
            assert (item.findtext(f"{G}{name}") or "").strip(), name
        for name in ("title", "description", "link"):
            assert (item.findtext(name) or "").strip(), name
        assert item.findtext("link").startswith(f"{HOST}/produk/")
        assert item.findtext(f"{G}image_link").startswith(f"{HOST}/media/produk/")
        price = item.findtext(f"{G}price")
        amount, currency = price.split(" ")
        assert currency == "IDR" and amount.endswith(".00") and amount[:-3].isdigit()
        assert item.findtext(f"{G}condition") == "new"
        assert item.findtext(f"{G}brand") == "Boneka Ceria"
        assert item.findtext(f"{G}product_type") == "Boneka & mainan"  # the sector, in Indonesian
        assert item.findtext(f"{G}identifier_exists") == "no"

    product = shop["in_stock"]
    item = items[str(product.id)]
    assert item.findtext("title") == "Boneka Beruang <Rajut> & Pita"  # escaped in the XML, intact when parsed
    assert item.findtext("description") == "Boneka rajut buatan tangan."
    assert item.findtext("link") == f"{HOST}/produk/{product.id}-{product.slug}"
    assert item.findtext(f"{G}price") == "85000.00 IDR"
    assert item.findtext(f"{G}availability") == "in_stock"
    assert [e.text for e in item.findall(f"{G}additional_image_link")] == [
        f"{HOST}/media/produk/{product.id}-b.webp"
    ]
    assert items[str(shop["preorder"].id)].findtext(f"{G}availability") == "preorder"


def test_availability_values_including_out_of_stock(shop):
    assert feeds.google_availability(shop["in_stock"]) == "in_stock"
    assert feeds.google_availability(shop["preorder"]) == "preorder"
    assert feeds.google_availability(shop["sold_out"]) == "out_of_stock"
    assert feeds.meta_availability(shop["in_stock"]) == "in stock"
    assert feeds.meta_availability(shop["preorder"]) == "preorder"
    assert feeds.meta_availability(shop["sold_out"]) == "out of stock"


def test_feed_labels_stay_indonesian_for_an_english_visitor(client, shop):
    with client.session_transaction() as session:
        session["lang"] = "en"
    root = xml_root(client.get("/usaha/boneka-ceria/feed/google.xml").data)
    assert {item.findtext(f"{G}product_type") for item in root.iter("item")} == {"Boneka & mainan"}


def test_control_characters_never_break_the_xml(client, shop):
    shop["in_stock"].title = "Boneka\x01 \x1bBeruang"
    shop["in_stock"].description = "Lembut\x0b sekali"
    db.session.commit()
    root = xml_root(client.get("/usaha/boneka-ceria/feed/google.xml").data)
    item = items_by_id(root)[str(shop["in_stock"].id)]
    assert item.findtext("title") == "Boneka Beruang"
    assert item.findtext("description") == "Lembut sekali"


@pytest.mark.parametrize("kind,slug", [("usaha", "boneka-ceria"), ("koperasi", "koperasi-maju")])
def test_meta_feed_is_csv_with_header_and_rows(client, shop, kind, slug):
    response = client.get(f"/{kind}/{slug}/feed/meta.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.cache_control.public and response.cache_control.max_age == 3600
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(feeds.META_COLUMNS)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {str(shop["in_stock"].id), str(shop["preorder"].id)}
    for row in rows:
        assert all(row[column] for column in feeds.META_COLUMNS)
        assert row["condition"] == "new"
        assert row["link"].startswith(f"{HOST}/produk/") and row["image_link"].startswith(f"{HOST}/media/")
    first = by_id[str(shop["in_stock"].id)]
    assert first["title"] == "Boneka Beruang <Rajut> & Pita"
    assert first["price"] == "85000 IDR"
    assert first["availability"] == "in stock"
    assert first["brand"] == "Boneka Ceria"
    preorder = by_id[str(shop["preorder"].id)]
    assert preorder["availability"] == "preorder"
    assert preorder["title"] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet


def test_feeds_of_a_suspended_or_unknown_owner_are_404(client, shop):
    shop["business"].suspended_at = utcnow()
    db.session.commit()
    for url in ("/usaha/boneka-ceria/feed/google.xml", "/usaha/boneka-ceria/feed/meta.csv"):
        assert client.get(url).status_code == 404
    # the cooperative's feed leaves the suspended seller's products out
    root = xml_root(client.get("/koperasi/koperasi-maju/feed/google.xml").data)
    assert list(root.iter("item")) == []
    shop["cooperative"].suspended_at = utcnow()
    db.session.commit()
    assert client.get("/koperasi/koperasi-maju/feed/meta.csv").status_code == 404
    assert client.get("/usaha/tidak-ada/feed/google.xml").status_code == 404


def test_feed_answers_in_a_fixed_number_of_queries(client, shop):
    from tests.marketplace.test_query_counts import counting_queries

    def count() -> int:
        with counting_queries() as counter:
            assert client.get("/koperasi/koperasi-maju/feed/google.xml").status_code == 200
        return counter["n"]

    few = count()
    for i in range(6):
        business = make_business()
        make_membership(shop["cooperative"], business)
        product = make_product(business, f"Boneka {i}", cooperative=shop["cooperative"])
        photo(product)
    db.session.commit()
    assert count() == few
