"""Invoices: the printable page and the PDF, their numbers, their stamp, and who may read them."""

from __future__ import annotations

import re
import zlib

import pytest
from flask_babel import force_locale, format_date

from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.invoice_pdf import pdf_text, render_invoice_pdf
from marketplace.orders.models import OrderStatus
from tests.conftest import html
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_cooperative,
    make_membership,
    make_product,
    make_user,
)

# fpdf2 writes "stream\n...\nendstream"; an optional \r before "\nendstream" would eat a compressed
# stream's last byte when it happens to be 0x0d (a date or amount that makes it so failed one run in many).
_STREAM = re.compile(rb"stream\n(.*?)\nendstream", re.S)


def pdf_content(data: bytes) -> bytes:
    """The page content of a PDF as fpdf2 writes it (FlateDecode streams), for searching its text."""
    parts = []
    for stream in _STREAM.findall(data):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts)


@pytest.fixture
def sale():
    """A bank-transfer order of 3 dolls and 2 kg of coffee from one seller, sold under a cooperative."""
    buyer = make_user("Ibu Ratna")
    seller = make_bank_account(make_business(make_user("Pak Darto"), name="Boneka Bekasi"))
    cooperative = make_cooperative(name="Koperasi Maju Bersama")
    make_membership(cooperative, seller)
    doll = make_product(seller, price_idr=85_000, stock=10, cooperative=cooperative)
    coffee = make_product(
        seller, title="Kopi Robusta 1 kg", slug="kopi-robusta", price_idr=1_250_000, unit="kg", stock=5
    )
    checkout = make_checkout([(doll, 3), (coffee, 2)], buyer=buyer)
    db.session.commit()
    return checkout.orders[0]


def _url(order, suffix: str = "") -> str:
    return f"/pesanan/{order.number}/faktur{suffix}"


def test_invoice_page_shows_numbers_lines_amounts_and_unpaid(web, sale):
    web.login(sale.buyer)
    response = web.get(_url(sale))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = html(response)
    assert sale.invoice_number in page and sale.number in page
    assert re.fullmatch(rf"INV/{sale.business_id}/\d{{4}}/00001", sale.invoice_number)
    assert "Boneka Beruang Rajut 30 cm" in page and "Kopi Robusta 1 kg" in page
    assert "Rp85.000" in page and "Rp255.000" in page  # unit price and 3 × it
    assert "Rp1.250.000" in page and "Rp2.500.000" in page
    assert "Rp2.755.000" in page  # the total
    assert "BELUM DIBAYAR" in page and "LUNAS" not in page
    assert "Boneka Bekasi" in page and "Koperasi Maju Bersama" in page  # seller and its cooperative
    assert "Jl. Melati No. 5" in page and "Ibu Ratna" in page  # the buyer and where it goes
    assert "Transfer bank" in page
    assert "002101000123305" in page  # where to transfer, while unpaid
    assert "data-print" in page and "js/print.js" in page and "<script>" not in page
    assert f'href="/pesanan/{sale.number}/faktur.pdf"' in page


def test_paid_invoice_says_lunas_with_the_payment_date(web, sale):
    services.payment_received(services.current_payment(sale))
    db.session.commit()
    assert sale.paid_at is not None
    web.login(sale.buyer)
    page = html(web.get(_url(sale)))
    assert "LUNAS" in page and "BELUM DIBAYAR" not in page
    assert "Tanggal bayar" in page
    assert "002101000123305" not in page  # no transfer instructions on a paid invoice
    pdf = pdf_content(render_invoice_pdf(sale, compress=False))
    assert b"LUNAS" in pdf and b"BELUM DIBAYAR" not in pdf


def test_cancelled_invoice_says_so_clearly(web, sale):
    services.cancel_order(None, sale, "", by="buyer")
    db.session.commit()
    assert sale.status is OrderStatus.CANCELLED
    web.login(sale.buyer)
    page = html(web.get(_url(sale)))
    assert "DIBATALKAN" in page and "tidak perlu dibayar" in page
    assert "BELUM DIBAYAR" not in page and "002101000123305" not in page
    assert b"DIBATALKAN" in render_invoice_pdf(sale, compress=False)


def test_order_cancelled_after_payment_does_not_say_unpaid(web, sale):
    services.payment_received(services.current_payment(sale))
    services.cancel_order(sale.business.owner, sale, "Stok rusak karena banjir.", by="seller")
    db.session.commit()
    assert sale.status is OrderStatus.CANCELLED and sale.paid_at is not None
    web.login(sale.business.owner)
    page = html(web.get(_url(sale)))
    assert "DIBATALKAN" in page and "Stok rusak karena banjir." in page
    assert "tidak perlu dibayar" not in page and "penjual mengembalikan dananya" in page


def test_invoice_numbers_are_sequential_per_seller():
    buyer = make_user()
    first_seller = make_bank_account(make_business())
    second_seller = make_bank_account(make_business())
    doll = make_product(first_seller, stock=20)
    other = make_product(second_seller, slug="lain", stock=20)
    one = make_checkout([(doll, 1)], buyer=buyer).orders[0]
    two, elsewhere = make_checkout([(doll, 1), (other, 1)], buyer=buyer).orders
    assert one.business_id == two.business_id == first_seller.id
    year = one.created_at.year
    assert one.invoice_number == f"INV/{first_seller.id}/{year}/00001"
    assert two.invoice_number == f"INV/{first_seller.id}/{year}/00002"
    assert elsewhere.invoice_number == f"INV/{second_seller.id}/{year}/00001"


def test_pdf_response_is_an_a4_pdf_with_the_number_and_total(web, sale):
    web.login(sale.buyer)
    response = web.get(_url(sale, ".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    expected_name = sale.invoice_number.replace("/", "-") + ".pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{expected_name}"'
    data = response.get_data()
    assert data.startswith(b"%PDF")
    content = pdf_content(data)
    assert sale.invoice_number.encode() in content
    assert b"Rp2.755.000" in content and b"Rp1.250.000" in content
    assert b"BELUM DIBAYAR" in content
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 in points
    # The plain rendering keeps its text readable in the bytes, with no decompression needed.
    raw = render_invoice_pdf(sale, compress=False)
    assert raw.startswith(b"%PDF") and sale.invoice_number.encode() in raw and b"Rp2.755.000" in raw


def test_names_with_emoji_and_non_latin_letters_render():
    seller = make_bank_account(make_business(name="Kopi 😀 王记 ꦗꦮ Ñuñoa"))
    product = make_product(seller, title="Teh 🍵 「緑」 — spesial", slug="teh")
    buyer = make_user("Σοφία 👩‍🌾 Nguyễn")
    order = make_checkout([(product, 1)], buyer=buyer).orders[0]
    data = render_invoice_pdf(order, compress=False)
    assert data.startswith(b"%PDF")
    assert b"Wang Ji" in data  # transliterated
    assert "Ñuñoa".encode("latin-1") in data  # Latin-1 kept as it is
    assert b"Sophia" in data or b"Sofia" in data
    assert render_invoice_pdf(order).startswith(b"%PDF")


def test_pdf_text_is_always_latin_1():
    for text in ["Kopi 😀 王记", "ꦗꦮ", "“kutip” — ok", "Zürich ×2", "a\u200bb\u0000c\td", None]:
        out = pdf_text(text)
        out.encode("latin-1")  # never raises
    assert pdf_text("Zürich ×2") == "Zürich ×2"
    assert pdf_text("王记 😀 toko") == "Wang Ji toko"
    assert pdf_text(None) == ""


def test_seller_and_admin_may_read_the_invoice(web, sale):
    web.login(sale.business.owner)
    assert web.get(_url(sale)).status_code == 200
    assert web.get(_url(sale, ".pdf")).status_code == 200
    web.logout()
    web.login(make_user("Admin", is_admin=True))
    db.session.commit()
    assert web.get(_url(sale)).status_code == 200


def test_strangers_are_refused(web, sale):
    stranger = make_user("Orang Lain")
    other_seller = make_business(make_user("Penjual Lain"))
    db.session.commit()
    web.login(stranger)
    assert web.get(_url(sale)).status_code == 403
    assert web.get(_url(sale, ".pdf")).status_code == 403
    web.logout()
    web.login(other_seller.owner)
    assert web.get(_url(sale)).status_code == 403
    assert web.get(_url(sale, ".pdf")).status_code == 403
    assert web.get("/pesanan/GTTIDAKADA-1/faktur").status_code == 404
    assert web.get("/pesanan/GTTIDAKADA-1/faktur.pdf").status_code == 404


def test_guest_reads_with_the_private_key_only(web):
    seller = make_bank_account(make_business())
    order = make_checkout([(make_product(seller), 1)]).orders[0]  # a guest checkout
    db.session.commit()
    key = order.checkout.access_token

    response = web.get(_url(order) + f"?k={key}")
    assert response.status_code == 200
    page = html(response)
    assert order.invoice_number in page
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert f"/pesanan/{order.number}/faktur.pdf?k={key}" in page  # the PDF link carries the key
    pdf = web.get(_url(order, ".pdf") + f"?k={key}")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")

    assert web.get(_url(order) + "?k=salah").status_code == 403
    assert web.get(_url(order, ".pdf") + "?k=" + "x" * len(key)).status_code == 403
    assert web.get(_url(order) + "?k=%C3%A9").status_code == 403  # non-ASCII: wrong, not a crash
    # Without a key a guest is asked to sign in (as everywhere else), never shown the invoice.
    response = web.get(_url(order))
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]

    # The buyer's own pages remember the key in the session.
    with web.client.session_transaction() as session:
        session["checkout_tokens"] = {order.checkout.reference: key}
    assert web.get(_url(order)).status_code == 200
    with web.client.session_transaction() as session:
        session["checkout_tokens"] = {order.checkout.reference: "salah"}
    assert web.get(_url(order)).status_code == 302


def test_english_reader_gets_an_english_pdf(web, sale):
    web.login(sale.buyer)
    assert web.post("/bahasa", {"lang": "en"}).status_code == 302
    response = web.get(_url(sale, ".pdf"))
    assert response.status_code == 200
    content = pdf_content(response.get_data())
    assert b"Products" in content  # the column heading, from the English catalog
    with force_locale("en"):
        english_date = format_date(sale.created_at, "long")
    assert english_date.encode("latin-1") in content  # dates in English
    assert b"Rp2.755.000" in content and b"Rp1.250.000" in content  # rupiah look the same in English
    with force_locale("id"):
        indonesian = pdf_content(render_invoice_pdf(sale))
    assert b"Produk" in indonesian and b"Products" not in indonesian
