"""Bulk price/stock CSV: reading, row checks and the signed plan, without a database."""

import codecs
from types import SimpleNamespace

import pytest

from marketplace.catalog import bulk
from marketplace.catalog.bulk import Listing
from marketplace.catalog.services import parse_quantity, parse_rupiah
from marketplace.errors import DomainError

LISTINGS = {
    11: Listing(11, "Boneka Beruang", 85_000, 10),
    12: Listing(12, "Kopi Arabika Kintamani 250 g", 65_000, 40),
    13: Listing(13, "Keripik Tempe", 15_000, 0),
}


def csv_bytes(text: str, *, bom: bool = False, encoding: str = "utf-8") -> bytes:
    data = text.replace("\n", "\r\n").encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("85000", 85_000),
        ("85.000", 85_000),
        ("Rp85.000", 85_000),
        ("Rp 1.250.000,-", 1_250_000),
        ("85.000,00", 85_000),
        (" 7 ", 7),
        (85_000, 85_000),
    ],
)
def test_rupiah_as_sellers_type_it(typed, rupiah):
    assert parse_rupiah(typed) == rupiah


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("85000,50", "tanpa sen"),
        ("85.5", "tanpa sen"),
        ("85,000", "tanpa sen"),
        ("-5000", "tidak boleh negatif"),
        ("delapan", "hanya boleh berisi angka"),
        ("0", "lebih dari Rp0"),
        ("", "Isi harga"),
        ("999.999.999.999", "terlalu besar"),
    ],
)
def test_rupiah_refusals(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_rupiah(typed)


def test_quantities():
    assert parse_quantity("1.500") == 1500
    assert parse_quantity("0") == 0
    for bad, message in [
        ("-1", "negatif"),
        ("2,5", "bilangan bulat"),
        ("", "angka"),
        ("2000000", "Paling besar"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_quantity(bad)


def test_semicolon_file_with_bom_as_indonesian_excel_saves_it():
    text = "id;title;price_idr;stock\n11;Boneka Beruang;90.000;8\n12;Kopi;65000;40\n13;Keripik;15000;25\n"
    preview = bulk.preview(csv_bytes(text, bom=True), LISTINGS)
    assert preview.ok
    assert [(r.product_id, r.old_price, r.new_price, r.old_stock, r.new_stock) for r in preview.changes] == [
        (11, 85_000, 90_000, 10, 8),
        (13, 15_000, 15_000, 0, 25),
    ]
    assert preview.unchanged_count == 1
    assert preview.plan() == [(11, 85_000, 90_000, 10, 8), (13, 15_000, 15_000, 0, 25)]


def test_comma_file_with_quoted_titles_and_blank_lines():
    text = 'id,title,price_idr,stock\n\n12,"Kopi, Arabika ""Kintamani""",70000,40\n\n'
    preview = bulk.preview(csv_bytes(text), LISTINGS)
    assert preview.ok
    assert preview.changes[0].title == "Kopi Arabika Kintamani 250 g"  # the stored title, not the file's
    assert preview.changes[0].line == 3


def test_header_aliases_and_column_order_and_excel_sep_line():
    text = "sep=;\nStok;Harga;ID\n5;86000;11\n"
    preview = bulk.preview(csv_bytes(text), LISTINGS)
    assert preview.ok
    assert preview.plan() == [(11, 85_000, 86_000, 10, 5)]


def test_utf16_export_of_excel_is_read():
    text = "id\ttitle\tprice_idr\tstock\n11\tBoneka\t85000\t9\n"
    preview = bulk.preview(text.encode("utf-16"), LISTINGS)
    assert preview.ok and preview.plan() == [(11, 85_000, 85_000, 10, 9)]


def test_row_errors_are_reported_per_row_and_nothing_is_planned():
    text = (
        "id;title;price_idr;stock\n"
        "11;Boneka;90000;8\n"
        "99;Punya orang lain;1000;1\n"
        "12;Kopi;65000,5;-3\n"
        "11;Boneka lagi;91000;8\n"
        "abc;?;1;1\n"
        ";tanpa id;1000;1\n"
    )
    preview = bulk.preview(csv_bytes(text), LISTINGS)
    assert not preview.ok
    errors = {row.line: row.errors for row in preview.error_rows}
    assert errors[3] == ("Tidak ada produk dengan id 99 di usaha ini.",)
    assert errors[4] == (
        "Harga: Tulis harga dalam rupiah bulat tanpa sen, mis. 85.000.",
        "Stok: Tidak boleh negatif.",
    )
    assert errors[5] == ("id 11 muncul dua kali (juga di baris 2).",)
    assert errors[6][0] == "id harus berupa angka, bukan \u201cabc\u201d."
    assert errors[7] == ("Kolom id kosong.",)
    assert 2 not in errors  # the good row has no error, but nothing is applied
    with pytest.raises(DomainError, match="Perbaiki dulu"):
        preview.plan()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id;title;stock\n11;x;3\n", "Kolom price_idr tidak ditemukan"),
        (b"nama,harga\nBoneka,1000\n", "Kolom id, stock tidak ditemukan"),
        ("id;title;price_idr;stock\n11;Bon\u00e9ka;1000;1\n".encode("cp1252"), "bukan teks UTF-8 (baris 2)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "berkas Excel (.xlsx)"),
        (b"", "Berkas kosong."),
        (b"id;title;price_idr;stock\n", "tidak berisi baris produk"),
        (b"id;title;price_idr;stock\n11;\x00;1;1\n", "bukan berkas CSV"),
    ],
)
def test_file_level_errors(data, message):
    preview = bulk.preview(data, LISTINGS)
    assert not preview.ok
    assert message in " ".join(preview.file_errors)


def test_more_than_5000_rows_is_refused():
    rows = "".join(f"{i};x;1000;1\n" for i in range(1, bulk.MAX_ROWS + 2))
    preview = bulk.preview(csv_bytes("id;title;price_idr;stock\n" + rows), LISTINGS)
    assert preview.file_errors == (
        "Berkas berisi lebih dari 5.000 baris produk. Bagi menjadi beberapa berkas.",
    )


def test_exactly_5000_rows_is_read():
    listings = {i: Listing(i, f"P{i}", 1000, 1) for i in range(1, bulk.MAX_ROWS + 1)}
    rows = "".join(f"{i};x;1500;1\n" for i in range(1, bulk.MAX_ROWS + 1))
    preview = bulk.preview(csv_bytes("id;title;price_idr;stock\n" + rows), listings)
    assert preview.ok and len(preview.plan()) == bulk.MAX_ROWS


def test_oversized_file_is_refused_before_reading():
    preview = bulk.preview(b"x" * (bulk.MAX_FILE_BYTES + 1), LISTINGS)
    assert "terlalu besar" in preview.file_errors[0]


def test_export_is_the_template_and_neutralises_formulas():
    products = [
        SimpleNamespace(id=11, title="Boneka; Beruang", price_idr=85_000, stock=10),
        SimpleNamespace(id=12, title='=HYPERLINK("http://x")', price_idr=1, stock=0),
    ]
    data = bulk.export_csv(products)
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "id;title;price_idr;stock"
    assert '11;"Boneka; Beruang";85000;10' in text
    assert "'=HYPERLINK" in text
    # What we export reads back unchanged.
    listings = {p.id: Listing(p.id, p.title, p.price_idr, p.stock) for p in products}
    preview = bulk.preview(data, listings)
    assert preview.ok and preview.changes == [] and preview.unchanged_count == 2


def test_signed_plan_round_trip_and_refusals():
    plan = [(11, 85_000, 90_000, 10, 8)]
    token = bulk.sign_plan(plan, business_id=5, secret="s3cret")
    assert bulk.load_plan(token, business_id=5, secret="s3cret") == plan
    with pytest.raises(DomainError, match="tidak sah"):
        bulk.load_plan(token, business_id=6, secret="s3cret")  # another business
    with pytest.raises(DomainError, match="tidak sah"):
        bulk.load_plan(token[:-2] + "xx", business_id=5, secret="s3cret")  # altered
    with pytest.raises(DomainError, match="tidak sah"):
        bulk.load_plan(token, business_id=5, secret="other")
    with pytest.raises(DomainError, match="kedaluwarsa"):
        bulk.load_plan(token, business_id=5, secret="s3cret", max_age=-1)
