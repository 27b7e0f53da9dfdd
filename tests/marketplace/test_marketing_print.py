"""Printed marketing material: a business's and a cooperative's catalog and flyer, price tags, their QR codes
(read back with zxing-cpp from the PDF itself) and who may print what."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest
import zxingcpp
from flask import url_for
from PIL import Image

from marketplace.catalog.models import ProductPhoto, ProductStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.images import store_photo
from marketplace.marketing import print as printing
from marketplace.marketing.print_views import page_url
from marketplace.sectors import Sector
from tests.coalitions.test_documents import pdf_content
from tests.conftest import html
from tests.factories import (
    make_business,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_product,
    make_user,
)

HOST = "http://localhost"


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # Product ids repeat from test to test (every test rolls back), so each test gets its own folder.
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def add_photo(app, product) -> None:  # type: ignore[no-untyped-def]
    """A photo stored the way an upload stores it (two WebP files under products/<id>/)."""
    folder = Path(app.config["UPLOAD_FOLDER"]) / "products" / str(product.id)
    stored = store_photo(io.BytesIO(make_photo_bytes()), folder, max_bytes=5 * 1024 * 1024)
    prefix = f"products/{product.id}/"
    product.photos.append(
        ProductPhoto(
            path=prefix + stored.name,
            thumb_path=prefix + stored.thumb_name,
            width=stored.width,
            height=stored.height,
        )
    )
    product.cover_thumb = prefix + stored.thumb_name
    db.session.flush()


@pytest.fixture
def shop(app):  # type: ignore[no-untyped-def]
    """A business with public products in two categories (one with a photo) and a draft."""
    owner = make_user("Dewi Lestari")
    business = make_business(
        owner, "Rajut Dewi", slug="rajut-dewi", description="Rajutan tangan dari Bekasi."
    )
    bear = make_product(business, "Boneka Beruang Rajut", slug="boneka-beruang-rajut", price_idr=85_000)
    add_photo(app, bear)
    chips = make_product(
        business,
        "Keripik Tempe Sagu",
        slug="keripik-tempe-sagu",
        category=Sector.FOOD_DRINK,
        price_idr=25_000,
        unit="paket",
        min_order_qty=3,
    )
    draft = make_product(business, "Produk Rahasia Draf", slug="rahasia", status=ProductStatus.DRAFT)
    return owner, business, bear, chips, draft


# --- reading a PDF back ----------------------------------------------------------------------------------


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


_FAX_IMAGE = re.compile(
    rb"<<\s*/BitsPerComponent 1\s*/ColorSpace /DeviceGray\s*/DecodeParms <<[^>]*>>\s*"
    rb"/Filter /CCITTFaxDecode\s*/Height (\d+)\s*/Length (\d+)\s*/Subtype /Image\s*/Type /XObject\s*"
    rb"/Width (\d+)\s*>>\s*stream\n"
)


def _tiff(width: int, height: int, strip: bytes) -> bytes:
    """A one-strip CCITT G4 TIFF around an image stream as fpdf2 stores a 1-bit PNG (BlackIs1)."""
    tags = [(256, width), (257, height), (258, 1), (259, 4), (262, 0), (273, 8), (278, height)]
    tags.append((279, len(strip)))
    out = b"II*\x00" + struct.pack("<I", 8 + len(strip)) + strip + struct.pack("<H", len(tags))
    for tag, value in tags:
        out += struct.pack("<HHII", tag, 4, 1, value)
    return out + b"\x00\x00\x00\x00"


def qr_urls(data: bytes) -> list[str]:
    """The text of every QR code embedded in the PDF (each image once: fpdf2 stores a repeated one once)."""
    found = []
    for match in _FAX_IMAGE.finditer(data):
        height, length, width = map(int, match.groups())
        strip = data[match.end() : match.end() + length]
        image = Image.open(io.BytesIO(_tiff(width, height, strip)))
        found.extend(result.text for result in zxingcpp.read_barcodes(image))
    return found


def shown_text(content: bytes) -> str:
    """The strings drawn on the pages, one space between them (a name wrapped over two lines reads whole)."""
    return " ".join(m.decode("latin-1") for m in re.findall(rb"\((.*?)\) Tj", content))


def jpeg_count(data: bytes) -> int:
    return data.count(b"/Filter /DCTDecode")


def get_pdf(web, url: str) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    response = web.get(url)
    assert response.status_code == 200, html(response)[:500]
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    return data, pdf_content(data)


# --- the documents ----------------------------------------------------------------------------------------


def test_a_business_catalog_has_its_public_products_by_category_with_photo_prices_and_qr(web, shop):
    _owner, _business, bear, chips, _draft = shop
    data, text = get_pdf(web, "/usaha/rajut-dewi/katalog.pdf")  # public: a catalog is marketing material
    assert page_count(data) == 2  # the cover, then both products on one page
    for expected in (
        "Rajut Dewi",
        "Rajutan tangan dari Bekasi.",
        "Boneka Beruang Rajut",
        "Rp85.000 per pcs",
        "Keripik Tempe Sagu",
        "Rp25.000 per paket",
        "Minimal pesan 3 paket",
        "Boneka & mainan",
        "Makanan & minuman",
        "0812-3456-7890",  # the WhatsApp number the storefront shows
    ):
        assert expected.encode() in text, expected
    assert b"Produk Rahasia Draf" not in text  # a draft is never printed
    assert jpeg_count(data) == 1  # the one photo (converted from the stored WebP)
    assert sorted(qr_urls(data)) == sorted(
        [
            f"{HOST}/usaha/rajut-dewi",
            f"{HOST}/produk/{bear.id}-boneka-beruang-rajut",
            f"{HOST}/produk/{chips.id}-keripik-tempe-sagu",
        ]
    )


def test_a_flyer_is_one_page_with_the_products_and_a_big_qr(web, shop):
    data, text = get_pdf(web, "/usaha/rajut-dewi/brosur.pdf")
    assert page_count(data) == 1
    for expected in ("Rajut Dewi", "Boneka Beruang Rajut", "Rp85.000", "Keripik Tempe Sagu", "Rp25.000"):
        assert expected.encode() in text, expected
    assert b"Produk Rahasia Draf" not in text
    assert qr_urls(data) == [f"{HOST}/usaha/rajut-dewi"]


def test_price_tags_for_30_products_fill_two_sheets(web, shop):
    owner, business, bear, chips, draft = shop
    products = [bear, chips] + [
        make_product(business, f"Tas Rajut Model {n:02d}", slug=f"tas-{n}", price_idr=10_000 + n)
        for n in range(28)
    ]
    stranger_product = make_product(make_business(), "Produk Orang Lain", slug="lain")
    web.login(owner)
    query = "&".join(f"produk={p.id}" for p in [*products, draft, stranger_product])
    data, text = get_pdf(web, f"/usaha/rajut-dewi/label-harga.pdf?{query}")
    assert page_count(data) == 2  # 24 labels per A4 sheet
    shown = shown_text(text)
    for product in products:
        assert product.title in shown
    assert b"Rp10.027" in text
    assert b"per paket" in text
    # Another seller's product and a draft are ignored, not printed.
    assert b"Produk Orang Lain" not in text and b"Produk Rahasia Draf" not in text
    assert sorted(qr_urls(data)) == sorted(f"{HOST}/produk/{p.id}-{p.slug}" for p in products)


def test_a_long_name_on_a_label_is_cut_with_an_ellipsis(app, shop):
    _owner, business, *_ = shop
    long = make_product(business, "Boneka " + "sangat panjang sekali " * 6 + "AKHIR", slug="panjang")
    with app.test_request_context():
        data = printing.price_tags_pdf([long], base_url_for=page_url)
    text = pdf_content(data)
    assert b"AKHIR" not in text and b"..." in text


def test_the_qr_png_for_a_product_decodes_to_its_absolute_url(app, shop):
    _owner, _business, bear, *_ = shop
    with app.test_request_context(base_url="https://gotong.example"):
        png = printing.product_qr_png(bear, page_url)
        expected = url_for("catalog.product", product_id=bear.id, slug=bear.slug, _external=True)
    assert expected == f"https://gotong.example/produk/{bear.id}-boneka-beruang-rajut"
    assert png.startswith(b"\x89PNG")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [expected]


def test_a_catalog_without_public_products_says_so(web, app):
    make_business(name="Usaha Baru", slug="usaha-baru")
    data, text = get_pdf(web, "/usaha/usaha-baru/katalog.pdf")
    assert page_count(data) == 2
    assert b"Belum ada produk yang tayang." in text


def test_hundreds_of_products_are_paginated(app, shop):
    _owner, business, *_ = shop
    for n in range(130):
        make_product(business, f"Gantungan Kunci {n:03d}", slug=f"kunci-{n}", price_idr=5_000)
    with app.test_request_context():
        products = printing.printable_products(business)
        data = printing.catalog_pdf(business, products, base_url_for=page_url)
    assert len(products) == 132
    # The cover, then six products a page, a category heading (and its continuation) on each.
    assert 1 + 132 / 6 <= page_count(data) <= 1 + 132 / 6 + 3
    text = pdf_content(data)
    assert b"Gantungan Kunci 000" in text and b"Gantungan Kunci 129" in text
    total = page_count(data)
    assert re.search(rb"\(%d/\) Tj \(%d\) Tj" % (total, total), text)  # "page/total" in the footer


def test_a_cooperative_catalog_lists_its_members_public_products_with_their_sellers(web):
    chair = make_user("Pak Ketua")
    cooperative = make_cooperative(chair, "Koperasi Rajut Bersama", slug="rajut-bersama")
    seller = make_business(make_user("Ani"), "Rajutan Ani", slug="rajutan-ani")
    make_membership(cooperative, seller)
    listed = make_product(seller, "Syal Rajut Wol", slug="syal", cooperative=cooperative, price_idr=120_000)
    make_product(seller, "Topi Tidak Lewat Koperasi", slug="topi")  # listed on its own, not the cooperative's
    data, text = get_pdf(web, "/koperasi/rajut-bersama/katalog.pdf")
    assert b"Koperasi Rajut Bersama" in text
    assert b"Syal Rajut Wol" in text and b"Rp120.000" in text
    assert b"Penjual: Rajutan Ani" in text
    assert b"Topi Tidak Lewat Koperasi" not in text
    assert f"{HOST}/produk/{listed.id}-syal".encode() not in text  # the URL is in the QR, not as text
    assert f"{HOST}/produk/{listed.id}-syal" in qr_urls(data)
    assert f"{HOST}/koperasi/rajut-bersama" in qr_urls(data)

    web.login(chair)
    page = web.get("/koperasi/rajut-bersama/cetak")
    assert page.status_code == 200
    assert "Syal Rajut Wol" in html(page) and "Topi Tidak Lewat Koperasi" not in html(page)
    data, text = get_pdf(web, f"/koperasi/rajut-bersama/label-harga.pdf?produk={listed.id}&per_lembar=8")
    assert page_count(data) == 1 and b"Syal Rajut Wol" in text
    web.logout()
    web.login(seller.owner)  # a member, not a manager
    assert web.get("/koperasi/rajut-bersama/cetak").status_code == 403


def test_english_labels_under_the_english_locale(web, shop):
    web.post("/bahasa", {"lang": "en", "next": "/"})
    _data, text = get_pdf(web, "/usaha/rajut-dewi/katalog.pdf")
    assert b"Food & drink" in text and b"Dolls & toys" in text
    assert b"Minimum order: 3 packs" in text or b"Minimum order: 3 pack" in text
    assert b"Rp25.000 per pack" in text
    assert b"Minimal pesan" not in text and b"Makanan & minuman" not in text


# --- the print page and who may print ---------------------------------------------------------------------


def test_the_owner_print_page_links_the_pdfs_and_offers_only_public_products(web, shop):
    owner, _business, bear, chips, _draft = shop
    web.login(owner)
    page = html(web.get("/usaha/rajut-dewi/cetak"))
    assert "/usaha/rajut-dewi/katalog.pdf" in page and "/usaha/rajut-dewi/brosur.pdf" in page
    assert f'name="produk" value="{bear.id}"' in page and f'name="produk" value="{chips.id}"' in page
    assert "Produk Rahasia Draf" not in page


def test_price_tags_without_a_chosen_product_answer_400_with_the_reason(web, shop):
    owner, _business, _bear, _chips, draft = shop
    web.login(owner)
    for url in ("/usaha/rajut-dewi/label-harga.pdf", f"/usaha/rajut-dewi/label-harga.pdf?produk={draft.id}"):
        response = web.get(url)
        assert response.status_code == 400
        assert "Pilih setidaknya satu produk untuk dicetak label harganya." in html(response)
    assert web.get("/usaha/rajut-dewi/label-harga.pdf?produk=abc").status_code == 400


def test_who_may_print(web, shop):
    _owner, _business, bear, *_ = shop
    tags = f"/usaha/rajut-dewi/label-harga.pdf?produk={bear.id}"
    # Anonymous: the catalog and flyer of a public page are public; the rest asks to log in.
    assert web.get("/usaha/rajut-dewi/katalog.pdf").status_code == 200
    for url in ("/usaha/rajut-dewi/cetak", tags):
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    assert web.get("/usaha/tidak-ada/katalog.pdf").status_code == 404
    assert web.get("/koperasi/tidak-ada/brosur.pdf").status_code == 404
    # Another user: 403.
    web.login(make_user("Orang Lain"))
    assert web.get("/usaha/rajut-dewi/cetak").status_code == 403
    assert web.get(tags).status_code == 403
    web.logout()
    # An admin may.
    web.login(make_user("Admin", is_admin=True))
    assert web.get("/usaha/rajut-dewi/cetak").status_code == 200
    assert web.get(tags).status_code == 200


def test_a_suspended_business_catalog_is_not_public(web, shop):
    owner, business, *_ = shop
    business.suspended_at = utcnow()
    db.session.flush()
    assert web.get("/usaha/rajut-dewi/katalog.pdf").status_code == 404
    web.login(owner)
    _data, text = get_pdf(web, "/usaha/rajut-dewi/katalog.pdf")
    assert b"Boneka Beruang Rajut" not in text  # nothing of a suspended business is public
    assert b"Belum ada produk yang tayang." in text


def test_text_any_seller_typed_prints(app, shop):
    _owner, business, *_ = shop
    odd = make_product(business, "Kopi 王 Arabika ☕ (100% asli)", slug="kopi", description="**Wangi** 🌸")
    with app.test_request_context():
        text = pdf_content(printing.catalog_pdf(business, [odd], base_url_for=page_url))
    assert b"Kopi Wang Arabika ? (100% asli)" in text  # transliterated; an emoji has no letters
