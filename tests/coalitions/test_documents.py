"""A closed buying coalition's papers: the supplier purchase order and the distribution list (PDF and CSV),
their numbers on DOMAIN.md's worked example, and who may download them."""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import timedelta

import pytest

from coalitions import documents, services
from coalitions.models import SHARE_STATUS_LABELS, BuyingCoalition, CoalitionStatus, ShareStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.factories import (
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

S = CoalitionStatus
PLEDGES = {"A": 40, "B": 35, "C": 20, "D": 12}
# goods + delivery per member (DOMAIN.md): A 12.000.000 + 560.748, ...
EXPECTED = {
    "A": (40, 12_560_748),
    "B": (35, 10_990_654),
    "C": (20, 6_280_374),
    "D": (12, 3_768_224),
}
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
    # Parentheses and backslashes are escaped inside PDF strings.
    return b"\n".join(parts).replace(b"\\(", b"(").replace(b"\\)", b")").replace(b"\\\\", b"\\")


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # BOM, for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    """A cooperative with its manager and four member businesses A, B, C, D (each with its own owner)."""
    manager = make_user("Pak Ketua", phone="+6281311112222")
    cooperative = make_cooperative(manager, "Koperasi Peternak Solok Selatan", slug="kps-selatan")
    members = {}
    for name in "ABCD":
        business = make_business(make_user(f"Peternak {name}"), f"Peternakan {name}")
        make_membership(cooperative, business)
        members[name] = business
    return cooperative, manager, members


def close_feed_coalition(cooperative, members, **terms):  # type: ignore[no-untyped-def]
    """DOMAIN.md's worked example, pledged in the order A, B, C, D and closed at its deadline."""
    coalition = make_coalition(
        cooperative,
        description="Pakan konsentrat sapi potong, karung 50 kg.",
        supplier_contact="Bu Rina, 0811-2233-4455",
        shared_cost_idr=1_500_000,
        deadline=utcnow() - timedelta(minutes=1),
        **terms,
    )
    for name, quantity in PLEDGES.items():
        make_pledge(coalition, members[name], quantity)
    assert services.close(coalition, utcnow()) is True
    db.session.commit()
    return db.session.get(BuyingCoalition, coalition.id)


@pytest.fixture
def closed(coop):  # type: ignore[no-untyped-def]
    cooperative, manager, members = coop
    coalition = close_feed_coalition(cooperative, members)
    assert coalition.status is S.CLOSED_SUCCESS
    assert (coalition.allocated_qty, coalition.unit_price_idr) == (107, 300_000)
    return coalition, manager, members


def _url(coalition, document: str) -> str:  # type: ignore[no-untyped-def]
    return f"/koalisi/{coalition.id}/{document}"


# --- the purchase order -------------------------------------------------------------------------------------


def test_purchase_order_number(closed):
    coalition, _manager, _members = closed
    number = documents.purchase_order_number(coalition)
    assert re.fullmatch(rf"PO/KPS-SELATAN/20\d\d/{coalition.id:05d}", number)
    assert number.split("/")[2] in {str(coalition.closed_at.year), str(coalition.closed_at.year + 1)}


def test_purchase_order_pdf_download(web, closed):
    coalition, manager, _members = closed
    web.login(manager)
    response = web.get(_url(coalition, "surat-pesanan.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="surat-pesanan-{coalition.id}.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 portrait
    content = pdf_content(data)
    for text in (
        "Surat Pesanan (Purchase Order)",
        documents.purchase_order_number(coalition),
        "CV Pakan Ternak Sejahtera",
        "Bu Rina, 0811-2233-4455",
        "Konsentrat pakan sapi 50 kg",
        "107 karung",
        "Rp300.000",
        "Rp32.100.000",  # goods: 107 x 300.000
        "Rp1.500.000",  # the delivery
        "Rp33.600.000",  # the total
        "Koperasi Peternak Solok Selatan",
        "Jl. Koperasi No. 2",
        "Pak Ketua",  # the contact and the signature
        "0813-1111-2222",
    ):
        assert text.encode("latin-1") in content, text


def test_purchase_order_csv_numbers_equal_the_coalitions(web, closed):
    coalition, manager, _members = closed
    web.login(manager)
    response = web.get(_url(coalition, "surat-pesanan.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="surat-pesanan-{coalition.id}.csv"'
    )
    item, shared = read_csv(response)
    number = documents.purchase_order_number(coalition)
    assert item["No. surat pesanan"] == number and shared["No. surat pesanan"] == number
    assert item["Pemasok"] == "CV Pakan Ternak Sejahtera"
    assert item["Barang"] == coalition.title
    assert int(item["Jumlah"]) == coalition.allocated_qty == 107
    assert int(item["Harga satuan"]) == coalition.unit_price_idr == 300_000
    assert int(item["Subtotal"]) == coalition.goods_total_idr == 32_100_000
    assert int(shared["Subtotal"]) == coalition.shared_cost_idr == 1_500_000
    assert shared["Jumlah"] == ""
    assert int(item["Subtotal"]) + int(shared["Subtotal"]) == coalition.amount_total_idr == 33_600_000


def test_pack_size_shows_packs_and_the_distribution_still_adds_up(coop):
    cooperative, _manager, members = coop
    # 107 pledged in packs of 10, no tolerance: 10 packs, 100 units (still the MOQ).
    coalition = close_feed_coalition(cooperative, members, pack_size=10)
    assert (coalition.packs_ordered, coalition.allocated_qty) == (10, 100)
    content = pdf_content(documents.purchase_order_pdf(coalition))
    assert b"10 kemasan \xd7 10 karung" in content
    assert b"100 karung" in content
    po = list(csv.DictReader(io.StringIO(documents.purchase_order_csv(coalition))))
    assert (po[0]["Jumlah"], po[0]["Jumlah kemasan"], po[0]["Per kemasan"]) == ("100", "10", "10")
    rows = documents.distribution_rows(coalition)
    assert sum(r.quantity for r in rows) == coalition.allocated_qty == 100


# --- the distribution list ----------------------------------------------------------------------------------


def test_distribution_csv_rows_and_totals(web, closed):
    coalition, manager, members = closed
    web.login(manager)
    response = web.get(_url(coalition, "distribusi.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="distribusi-{coalition.id}.csv"'
    rows = read_csv(response)
    assert [r["Nama usaha"] for r in rows] == [f"Peternakan {n}" for n in "ABCD"]
    shares = {s.business_id: s for s in coalition.shares}
    for row, name in zip(rows, "ABCD", strict=True):
        quantity, amount = EXPECTED[name]
        share = shares[members[name].id]
        assert (int(row["Jumlah"]), int(row["Total"])) == (quantity, amount)
        assert row["Nama pemilik"] == f"Peternak {name}"
        assert row["Telepon"].startswith("08")
        assert int(row["Dibayar"]) == share.paid_idr == 0
        assert int(row["Sisa tagihan"]) == share.owed_idr == amount
        assert row["Status"] == str(SHARE_STATUS_LABELS[share.status])
        assert int(row["Diserahkan"]) == 0
        assert row["Satuan"] == "karung"
    assert sum(int(r["Jumlah"]) for r in rows) == coalition.allocated_qty == 107
    assert sum(int(r["Total"]) for r in rows) == coalition.amount_total_idr == 33_600_000


def test_distribution_rows_follow_payments_and_handovers(closed):
    coalition, _manager, members = closed
    share = next(s for s in coalition.shares if s.business_id == members["B"].id)
    share.paid_idr = 10_990_654
    share.status = ShareStatus.PAID
    share.handed_over_qty = 35
    db.session.flush()
    row = next(r for r in documents.distribution_rows(coalition) if r.business_name == "Peternakan B")
    assert (row.quantity, row.amount_idr, row.paid_idr, row.owed_idr) == (35, 10_990_654, 10_990_654, 0)
    assert (row.status, row.handed_over_qty, row.is_cooperative) == ("Lunas", 35, False)


def test_distribution_pdf_lists_every_member_for_signing(web, closed):
    coalition, manager, _members = closed
    web.login(manager)
    response = web.get(_url(coalition, "distribusi.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="distribusi-{coalition.id}.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [0 0 841.89 595.28]" in data  # A4 landscape
    content = pdf_content(data)
    for name in "ABCD":
        assert f"Peternakan {name}".encode() in content
    for text in ("Tanda tangan", "Rp12.560.748", "Rp3.768.224", "107 karung", "Rp33.600.000"):
        assert text.encode() in content, text


def test_a_long_distribution_list_breaks_pages_and_repeats_the_header(coop):
    cooperative, _manager, _members = coop
    coalition = make_coalition(cooperative, deadline=utcnow() - timedelta(minutes=1))
    for n in range(60):
        business = make_business(make_user(f"Peternak {n:02d}"), f"Peternakan Nomor {n:02d}")
        make_membership(cooperative, business)
        make_pledge(coalition, business, 2)
    assert services.close(coalition, utcnow()) is True
    rows = documents.distribution_rows(coalition)
    assert len(rows) == 60 and sum(r.quantity for r in rows) == coalition.allocated_qty == 120
    data = documents.distribution_pdf(coalition)
    pages = len(re.findall(rb"/Type /Page\s", data))
    assert pages >= 3
    assert pdf_content(data).count(b"Tanda tangan") == pages  # the table's header on every page
    assert b"Peternakan Nomor 59" in pdf_content(data)


def test_the_cooperatives_absorbed_share_has_its_own_row(web, closed):
    coalition, manager, members = closed
    share = next(s for s in coalition.shares if s.business_id == members["D"].id)
    share.status = ShareStatus.ABSORBED
    coalition.absorbed_qty = 12
    coalition.absorbed_idr = 3_768_224
    db.session.commit()

    rows = documents.distribution_rows(coalition)
    assert [r.business_name for r in rows] == [
        "Peternakan A",
        "Peternakan B",
        "Peternakan C",
        "Koperasi Peternak Solok Selatan",
    ]
    own = rows[-1]
    assert own.is_cooperative and (own.quantity, own.amount_idr, own.owed_idr) == (12, 3_768_224, 0)
    assert own.owner_name == "Pak Ketua"
    assert sum(r.quantity for r in rows) == coalition.allocated_qty == 107

    web.login(manager)
    csv_rows = read_csv(web.get(_url(coalition, "distribusi.csv")))
    assert (csv_rows[-1]["Nama usaha"], csv_rows[-1]["Jumlah"], csv_rows[-1]["Total"]) == (
        "Koperasi Peternak Solok Selatan",
        "12",
        "3768224",
    )
    assert csv_rows[-1]["Status"] == "Diambil alih koperasi"
    assert "Peternakan D" not in {r["Nama usaha"] for r in csv_rows}
    assert sum(int(r["Jumlah"]) for r in csv_rows) == 107
    assert b"Koperasi Peternak Solok Selatan" in pdf_content(
        web.get(_url(coalition, "distribusi.pdf")).get_data()
    )


def test_a_formula_typed_as_a_name_stays_text_in_the_csv(coop):
    cooperative, _manager, members = coop
    members["A"].name = '=HYPERLINK("http://x")'
    db.session.flush()
    coalition = close_feed_coalition(cooperative, members)
    rows = list(csv.DictReader(io.StringIO(documents.distribution_csv(coalition))))
    assert rows[0]["Nama usaha"] == '\'=HYPERLINK("http://x")'


def test_names_in_other_scripts_do_not_break_the_pdf(coop):
    cooperative, _manager, members = coop
    members["A"].name = "Peternakan 王记 😀"
    db.session.flush()
    coalition = close_feed_coalition(cooperative, members)
    data = documents.distribution_pdf(coalition)
    assert data.startswith(b"%PDF") and b"Peternakan Wang Ji" in pdf_content(data)


# --- who may download them ----------------------------------------------------------------------------------

DOCUMENTS = ("surat-pesanan.pdf", "surat-pesanan.csv", "distribusi.pdf", "distribusi.csv")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_member_who_is_not_a_manager_is_refused(web, closed, document):
    coalition, _manager, members = closed
    web.login(members["A"].owner)
    assert web.get(_url(coalition, document)).status_code == 403


@pytest.mark.parametrize("document", DOCUMENTS)
def test_another_cooperatives_manager_is_refused(web, closed, document):
    coalition, _manager, _members = closed
    other = make_user("Bu Ketua Lain")
    make_cooperative(other, "Koperasi Lain")
    db.session.commit()
    web.login(other)
    assert web.get(_url(coalition, document)).status_code == 403


@pytest.mark.parametrize("document", DOCUMENTS)
def test_anonymous_visitors_are_sent_to_log_in(web, closed, document):
    coalition, _manager, _members = closed
    response = web.get(_url(coalition, document))
    assert response.status_code == 302
    assert "/akun/masuk" in response.headers["Location"]


def test_an_admin_may_download(web, closed):
    coalition, _manager, _members = closed
    admin = make_user("Admin Gotong", is_admin=True)
    db.session.commit()
    web.login(admin)
    for document in DOCUMENTS:
        assert web.get(_url(coalition, document)).status_code == 200, document


@pytest.mark.parametrize("status", [S.ORDERED, S.RECEIVED, S.DISTRIBUTED])
def test_documents_stay_available_after_ordering(web, closed, status):
    coalition, manager, _members = closed
    coalition.status = status  # set directly: only the availability is tested here
    db.session.commit()
    web.login(manager)
    for document in DOCUMENTS:
        assert web.get(_url(coalition, document)).status_code == 200, document


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_open_coalition_has_no_documents(web, coop, document):
    cooperative, manager, members = coop
    coalition = make_coalition(cooperative)
    make_pledge(coalition, members["A"], 40)
    db.session.commit()
    web.login(manager)
    assert web.get(_url(coalition, document)).status_code == 404


def test_a_failed_coalition_has_no_documents(web, coop):
    cooperative, manager, members = coop
    coalition = make_coalition(cooperative, deadline=utcnow() - timedelta(minutes=1))
    make_pledge(coalition, members["A"], 40)  # below the MOQ of 100
    assert services.close(coalition, utcnow()) is True
    db.session.commit()
    assert coalition.status is S.CLOSED_FAILED
    web.login(manager)
    for document in DOCUMENTS:
        assert web.get(_url(coalition, document)).status_code == 404, document


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_unknown_coalition_is_not_found(web, coop, document):
    _cooperative, manager, _members = coop
    db.session.commit()
    web.login(manager)
    assert web.get(f"/koalisi/999999/{document}").status_code == 404


# --- language -----------------------------------------------------------------------------------------------


def test_english_headers(web, closed):
    coalition, manager, _members = closed
    web.login(manager)
    with web.client.session_transaction() as session:
        session["lang"] = "en"
    rows = read_csv(web.get(_url(coalition, "distribusi.csv")))
    assert {"Business name", "Owner's name", "Phone", "Quantity", "Paid", "Status"} <= set(rows[0])
    assert int(rows[0]["Quantity"]) == 40
    po = read_csv(web.get(_url(coalition, "surat-pesanan.csv")))
    assert {"Buyer", "Supplier", "Items", "Quantity", "Unit", "Unit price", "Subtotal"} <= set(po[0])
    content = pdf_content(web.get(_url(coalition, "surat-pesanan.pdf")).get_data())
    assert b"Unit price" in content and b"Harga satuan" not in content
    assert b"Rp32.100.000" in content
