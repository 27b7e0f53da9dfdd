"""Share kit: meta tags and JSON-LD of public pages, share and order links, QR codes, sitemap, robots.txt."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image

from marketplace.catalog.models import ProductPhoto, ProductStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.marketing import share
from marketplace.marketing import views as marketing_views
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_membership, make_product, make_user

HOST = "http://localhost"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Head(HTMLParser):
    """Meta tags (by property or name), link rel=canonical, JSON-LD blocks and links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.json_ld: list[str] = []
        self.links: dict[str, dict[str, str]] = {}
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values["content"]
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values["href"]
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "a" and "class" in values:
            self.links.setdefault(values["class"], values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


def parse(page: str) -> _Head:
    parser = _Head()
    parser.feed(page)
    parser.close()
    return parser


def link_with_text(page: str, text: str) -> str:
    """The href of the <a> whose text is ``text``."""
    found: list[str] = []

    class Finder(HTMLParser):
        href: str | None = None

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            if tag == "a":
                self.href = dict(attrs).get("href")

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if self.href is not None and data.strip() == text:
                found.append(self.href)

        def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
            if tag == "a":
                self.href = None

    Finder(convert_charrefs=True).feed(page)
    assert found, f"no link {text!r}"
    return found[0]


def whatsapp_text(url: str) -> str:
    return parse_qs(urlsplit(url).query)["text"][0]


def xml_root(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 — the app's own response, not untrusted input


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    owner = make_user("Dewi Lestari")
    business = make_business(owner, "Boneka Ceria", slug="boneka-ceria", whatsapp="+6281234567890")
    cooperative = make_cooperative(make_user("Pak Ketua"), "Koperasi Maju Bersama", slug="koperasi-maju")
    make_membership(cooperative, business)
    product = make_product(
        business,
        cooperative=cooperative,
        price_idr=85000,
        min_order_qty=2,
        description="Boneka **rajut** buatan tangan, isi dakron.",
    )
    db.session.add(
        ProductPhoto(product=product, path="produk/boneka.webp", thumb_path="t.webp", width=1200, height=900)
    )
    db.session.flush()
    return product


def product_path(product) -> str:  # type: ignore[no-untyped-def]
    return f"/produk/{product.id}-{product.slug}"


# --- product page: meta tags, JSON-LD, share and order links ----------------------------------------------


def test_product_page_meta_tags_and_json_ld(client, shop):
    product = shop
    url = HOST + product_path(product)
    head = parse(html(client.get(product_path(product))))

    assert head.canonical == url
    assert head.meta["og:title"] == "Boneka Beruang Rajut 30 cm"
    assert head.meta["og:description"].startswith(
        "Rp85.000 per pcs · Boneka Ceria · Boneka rajut buatan tangan"
    )
    assert head.meta["og:url"] == url
    assert head.meta["og:type"] == "product"
    assert head.meta["og:image"] == f"{HOST}/media/produk/boneka.webp"
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == ("1200", "900")
    assert head.meta["product:price:amount"] == "85000"
    assert head.meta["product:price:currency"] == "IDR"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:title"] == "Boneka Beruang Rajut 30 cm"
    assert head.meta["twitter:image"] == head.meta["og:image"]
    assert "robots" not in head.meta

    assert len(head.json_ld) == 1
    data = json.loads(head.json_ld[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == product.title
    assert data["sku"] == str(product.id)
    assert data["image"] == [f"{HOST}/media/produk/boneka.webp"]
    assert data["brand"]["name"] == "Boneka Ceria"
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == str(product.price_idr) == "85000"
    assert offer["priceCurrency"] == "IDR"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == url
    assert offer["seller"] == {
        "@type": "Organization",
        "name": "Boneka Ceria",
        "url": f"{HOST}/usaha/boneka-ceria",
    }


def test_product_without_photo_falls_back_to_the_site_logo(client):
    product = make_product(stock=0, preorder=True)
    head = parse(html(client.get(product_path(product))))
    assert head.meta["og:image"] == f"{HOST}/static/img/gotong.svg"
    assert head.meta["twitter:card"] == "summary"
    assert json.loads(head.json_ld[0])["offers"]["availability"] == "https://schema.org/PreOrder"


def test_json_ld_cannot_close_the_script_element(client):
    title = 'Boneka </script><script>alert("x")</script> & co'
    product = make_product(title=title)
    page = html(client.get(product_path(product)))
    assert "<script>alert" not in page
    head = parse(page)
    assert json.loads(head.json_ld[0])["name"] == title
    assert head.meta["og:title"] == title


def test_share_buttons_whatsapp_first_then_facebook_then_copy(client, shop):
    url = HOST + product_path(shop)
    page = html(client.get(product_path(shop)))
    kit = page[page.index('class="share-kit"') :]
    whatsapp, facebook, copy = (
        kit.index(t) for t in ("Bagikan ke WhatsApp", "Bagikan ke Facebook", "Salin tautan")
    )
    assert whatsapp < facebook < copy

    share_href = link_with_text(page, "Bagikan ke WhatsApp")
    assert share_href.startswith("https://wa.me/?text=")
    assert whatsapp_text(share_href).endswith("\n" + url)
    assert "Rp85.000" in whatsapp_text(share_href)
    facebook_href = link_with_text(page, "Bagikan ke Facebook")
    assert parse_qs(urlsplit(facebook_href).query)["u"] == [url]
    assert link_with_text(page, "Salin tautan") == url  # a plain link without script
    assert f'data-copy-link="{url}"' in page and "js/share.js" in page
    assert link_with_text(page, "Unduh QR (PNG)") == f"{HOST}/qr/produk/{shop.id}.png"
    assert link_with_text(page, "Unduh QR (SVG)") == f"{HOST}/qr/produk/{shop.id}.svg"
    assert "<script>" not in page.replace('<script type="application/ld+json">', "")  # no inline script


BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Mobile"


def test_order_via_whatsapp_prefills_product_quantity_price_and_link(client, shop):
    url = HOST + product_path(shop)
    page = html(client.get(product_path(shop)))
    # The button goes through a counting redirect (marketing statistics) to the prefilled chat.
    href = link_with_text(page, "Pesan via WhatsApp")
    assert href.startswith(f"/wa/produk/{shop.id}?jumlah=")
    target = client.get(href, headers={"User-Agent": BROWSER}).headers["Location"]
    assert target.startswith("https://wa.me/6281234567890?text=")
    text = whatsapp_text(target)
    assert "Boneka Ceria" in text
    assert "Boneka Beruang Rajut 30 cm" in text
    assert "Jumlah: 2 pcs" in text  # the minimum order until the buyer types a quantity
    assert "Harga: Rp85.000 per pcs" in text
    assert text.endswith(url)
    # The script swaps the placeholder for the quantity field's value.
    template = unquote(page.split('data-order-template="', 1)[1].split('"', 1)[0].replace("&amp;", "&"))
    assert template == f"/wa/produk/{shop.id}?jumlah=__JUMLAH__" and 'data-quantity-from="add-qty"' in page


def test_order_url_helper(app):
    product = make_product(make_business(whatsapp="0812-3456-7890"), min_order_qty=1)
    with app.test_request_context():
        url = share.product_url(product)
        link = share.whatsapp_order_url(product.business.whatsapp, product, 1500, url)
        assert link is not None and link.startswith("https://wa.me/6281234567890?text=")
        text = whatsapp_text(link)
        assert "Jumlah: 1.500 pcs" in text and text.endswith(url)
        # A landline has no WhatsApp; no number, no button.
        assert share.whatsapp_order_url("021-555-1234", product, 1, url) is None
        assert share.whatsapp_order_url("", product, 1, url) is None


def test_no_order_button_without_a_whatsapp_mobile_number(client):
    product = make_product(make_business(whatsapp="+62215551234"))
    page = html(client.get(product_path(product)))
    assert "Pesan via WhatsApp" not in page
    assert "Bagikan ke WhatsApp" in page


def test_english_page_renders_in_the_buyers_language(web, shop):
    web.post("/bahasa", {"lang": "en"})
    page = html(web.get(product_path(shop)))
    assert '<html lang="en">' in page
    head = parse(page)
    assert head.meta["og:locale"] == "en_US"
    assert json.loads(head.json_ld[0])["offers"]["price"] == "85000"
    href = page.split('class="button whatsapp" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    target = web.get(href, headers={"User-Agent": BROWSER}).headers["Location"]
    with web.client.application.test_request_context(), force_locale("en"):
        expected = share.whatsapp_order_url("+6281234567890", shop, 2, HOST + product_path(shop))
    assert target == expected


def test_indonesian_page_is_the_default(client, shop):
    page = html(client.get(product_path(shop)))
    assert '<html lang="id">' in page
    assert parse(page).meta["og:locale"] == "id_ID"
    assert "Pesan via WhatsApp" in page and "Salin tautan" in page


def test_a_draft_is_previewed_without_share_kit_and_not_indexed(web, shop):
    shop.status = ProductStatus.DRAFT
    db.session.flush()
    web.login(shop.business.owner)
    page = html(web.get(product_path(shop)))
    head = parse(page)
    assert head.meta["robots"] == "noindex"
    assert head.json_ld == []
    assert "share-kit" not in page and "Pesan via WhatsApp" not in page


# --- storefront and cooperative pages ---------------------------------------------------------------------


def test_storefront_and_cooperative_pages_have_meta_and_share_kit(client, shop):
    for path, kind, name in (
        ("/usaha/boneka-ceria", "LocalBusiness", "Boneka Ceria"),
        ("/koperasi/koperasi-maju", "Organization", "Koperasi Maju Bersama"),
    ):
        page = html(client.get(path))
        head = parse(page)
        assert head.canonical == head.meta["og:url"] == HOST + path
        assert head.meta["og:type"] == "website"
        assert head.meta["og:title"] == name
        data = json.loads(head.json_ld[0])
        assert (data["@type"], data["name"], data["url"]) == (kind, name, HOST + path)
        assert data["address"]["addressLocality"] == "Kabupaten Bekasi"
        assert whatsapp_text(link_with_text(page, "Bagikan ke WhatsApp")).endswith(HOST + path)
        qr = path.replace("/usaha/", "/qr/usaha/").replace("/koperasi/", "/qr/koperasi/")
        assert link_with_text(page, "Unduh QR (PNG)") == f"{HOST}{qr}.png"


# --- QR codes ---------------------------------------------------------------------------------------------


def test_product_qr_png_decodes_to_the_page_url(client, shop):
    page_url = parse(html(client.get(product_path(shop)))).canonical
    response = client.get(f"/qr/produk/{shop.id}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == f'attachment; filename="qr-produk-{shop.id}.png"'
    assert response.cache_control.public and response.cache_control.max_age == 86400
    assert decode_qr(response.data) == page_url == HOST + product_path(shop)


def test_product_qr_svg_is_xml(client, shop):
    response = client.get(f"/qr/produk/{shop.id}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = xml_root(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == HOST + product_path(shop)
    assert response.cache_control.max_age == 86400
    again = client.get(f"/qr/produk/{shop.id}.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_storefront_and_cooperative_qr_decode_to_their_pages(client, shop):
    assert decode_qr(client.get("/qr/usaha/boneka-ceria.png").data) == f"{HOST}/usaha/boneka-ceria"
    assert decode_qr(client.get("/qr/koperasi/koperasi-maju.png").data) == f"{HOST}/koperasi/koperasi-maju"
    xml_root(client.get("/qr/usaha/boneka-ceria.svg").data)
    xml_root(client.get("/qr/koperasi/koperasi-maju.svg").data)


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.PENDING_REVIEW, ProductStatus.PAUSED])
def test_no_qr_for_a_product_that_is_not_public(client, shop, status):
    shop.status = status
    db.session.flush()
    assert client.get(f"/qr/produk/{shop.id}.png").status_code == 404
    assert client.get(f"/qr/produk/{shop.id}.svg").status_code == 404


def test_no_qr_for_suspended_or_unknown_pages(web, shop):
    shop.business.suspended_at = utcnow()
    shop.cooperative.suspended_at = utcnow()
    db.session.flush()
    web.login(shop.business.owner)  # the owner still sees the page, but it is not public: no QR
    for path in (
        f"/qr/produk/{shop.id}.png",
        "/qr/usaha/boneka-ceria.png",
        "/qr/usaha/boneka-ceria.svg",
        "/qr/koperasi/koperasi-maju.svg",
        "/qr/usaha/tidak-ada.png",
        "/qr/produk/999999.png",
        f"/qr/produk/{shop.id}.gif",
    ):
        assert web.get(path).status_code == 404, path


# --- sitemap.xml and robots.txt ---------------------------------------------------------------------------


def public_fixture() -> set[str]:
    """Public and private pages side by side; the URLs that must be in the sitemap."""
    owner = make_user()
    open_shop = make_business(owner, slug="toko-buka")
    closed_shop = make_business(owner, slug="toko-tutup", suspended_at=utcnow())
    open_coop = make_cooperative(slug="koperasi-buka")
    closed_coop = make_cooperative(slug="koperasi-tutup", suspended_at=utcnow())
    make_membership(open_coop, open_shop)
    public = [
        make_product(open_shop, cooperative=open_coop, slug="tayang"),
        make_product(open_shop, slug="pre-order", stock=0, preorder=True),
    ]
    make_product(open_shop, slug="draf", status=ProductStatus.DRAFT)
    make_product(open_shop, slug="menunggu", status=ProductStatus.PENDING_REVIEW)
    make_product(open_shop, slug="dijeda", status=ProductStatus.PAUSED)
    make_product(open_shop, slug="ditolak", status=ProductStatus.REJECTED)
    make_product(open_shop, slug="habis", stock=0)
    make_product(closed_shop, slug="toko-ditangguhkan")
    make_product(open_shop, cooperative=closed_coop, slug="koperasi-ditangguhkan")
    return {
        f"{HOST}/",
        f"{HOST}/produk",
        f"{HOST}/koperasi",
        f"{HOST}/usaha/toko-buka",
        f"{HOST}/koperasi/koperasi-buka",
        *(f"{HOST}/produk/{p.id}-{p.slug}" for p in public),
    }


def sitemap_locs(body: bytes, tag: str = "url") -> list[str]:
    root = xml_root(body)
    return [element.findtext(f"{SITEMAP}loc") for element in root.iter(f"{SITEMAP}{tag}")]


def test_sitemap_lists_exactly_the_public_pages(client):
    expected = public_fixture()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = xml_root(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    locs = sitemap_locs(response.data)
    assert len(locs) == len(set(locs))
    assert set(locs) == expected
    lastmods = {
        u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")
    }
    assert lastmods[f"{HOST}/usaha/toko-buka"] == utcnow().date().isoformat()
    assert lastmods[f"{HOST}/"] is None


def test_every_sitemap_page_is_served(client):
    public_fixture()
    for loc in sitemap_locs(client.get("/sitemap.xml").data):
        assert client.get(loc.removeprefix(HOST)).status_code == 200, loc


def test_a_large_sitemap_is_split_into_an_index(client, monkeypatch):
    expected = public_fixture()
    monkeypatch.setattr(marketing_views, "SITEMAP_MAX_URLS", 3)
    index = client.get("/sitemap.xml")
    parts = sitemap_locs(index.data, "sitemap")
    assert xml_root(index.data).tag == f"{SITEMAP}sitemapindex"
    assert parts == [f"{HOST}/sitemap-{n}.xml" for n in range(1, 4)]  # 8 pages, 3 per part
    found: list[str] = []
    for part in parts:
        response = client.get(part.removeprefix(HOST))
        assert response.status_code == 200
        found += sitemap_locs(response.data)
    assert sorted(found) == sorted(expected)
    assert client.get("/sitemap-4.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_private_areas(client, shop):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert f"Sitemap: {HOST}/sitemap.xml" in body.splitlines()
    robots = RobotFileParser()
    robots.parse(body.splitlines())
    for private in (
        "/akun/masuk",
        "/keranjang",
        "/keranjang/pesan",
        "/pesanan/GT-1",
        "/admin/",
        "/dev/outbox",
        "/saya",
    ):
        assert not robots.can_fetch("Googlebot", HOST + private), private
    for public in (
        "/",
        "/produk",
        product_path(shop),
        "/usaha/boneka-ceria",
        "/koperasi/koperasi-maju",
        "/sitemap.xml",
    ):
        assert robots.can_fetch("Googlebot", HOST + public), public
    # Wildcard rules (longest match, as Google reads them) cover what lies below a public page.
    assert "Disallow: /usaha/*/" in body and "Disallow: /produk/*/" in body
