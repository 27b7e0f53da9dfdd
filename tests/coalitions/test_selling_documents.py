"""The papers of a selling coalition on DOMAIN.md's worked example: the buyer's invoice (faktur) for the
accepted goods and each member's settlement statement, their numbers, and who may download them."""

from __future__ import annotations

from typing import Any

from coalitions.selling import documents
from coalitions.selling import services as selling
from marketplace.extensions import db
from tests.coalitions.test_documents import pdf_content
from tests.coalitions.test_selling_payments import ACCOUNT, browser, deliver_worked_example, worked  # noqa: F401
from tests.factories import make_business, make_user


def _invoice_url(coalition_id: int) -> str:
    return f"/koalisi-penjualan/{coalition_id}/faktur.pdf"


def _statement_url(coalition_id: int, business_id: int) -> str:
    return f"/koalisi-penjualan/{coalition_id}/pernyataan/{business_id}.pdf"


def _pdf(response) -> bytes:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    return pdf_content(data)


def test_the_buyers_invoice_has_the_accepted_goods_and_how_to_pay(app, worked: dict[str, Any]) -> None:  # noqa: F811
    coalition = worked["coalition"]
    lines = documents.invoice_lines(coalition)
    assert [(line.grade, line.quantity, line.price_idr, line.subtotal_idr) for line in lines] == [
        ("A", 370, 180_000, 66_600_000),
        ("B", 120, 150_000, 18_000_000),
    ]
    assert sum(line.subtotal_idr for line in lines) == coalition.buyer_total_idr == 84_600_000
    number = documents.invoice_number(coalition)
    assert number.startswith("FKT/KOPI-BEKASI/") and number.endswith(f"/{coalition.id:05d}")

    buyer = browser(app, worked["buyer"])
    text = _pdf(buyer.get(_invoice_url(coalition.id)))
    for shown in (
        "FAKTUR",
        number,
        "Hotel Santika Bekasi",
        "370 kg",
        "120 kg",
        "Rp180.000",
        "Rp150.000",
        "Rp66.600.000",
        "Rp18.000.000",
        "Rp84.600.000",
        "BELUM DIBAYAR",
        ACCOUNT,
    ):
        assert shown.encode() in text, shown
    manager = browser(app, worked["manager"])
    assert b"Rp84.600.000" in _pdf(manager.get(_invoice_url(coalition.id)))

    # Paid: the stamp says so and nothing is owed.
    selling.buyer_paid(coalition, 84_600_000)
    db.session.commit()
    text = _pdf(buyer.get(_invoice_url(coalition.id)))
    assert b"LUNAS" in text and b"BELUM" not in text and b"Rp84.600.000" in text


def test_the_invoice_is_for_the_buyer_and_the_managers_only(app, worked: dict[str, Any]) -> None:  # noqa: F811
    coalition = worked["coalition"]
    for user in (worked["members"]["W"].owner, make_user("Orang Lain")):
        assert browser(app, user).get(_invoice_url(coalition.id)).status_code == 403
    anonymous = app.test_client().get(_invoice_url(coalition.id))
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]
    assert browser(app, worked["buyer"]).get(_invoice_url(999_999)).status_code == 404


def test_no_invoice_before_the_receipt(app) -> None:  # type: ignore[no-untyped-def]
    w = deliver_worked_example(receipt=False)
    assert not documents.has_invoice(w["coalition"])
    assert browser(app, w["buyer"]).get(_invoice_url(w["coalition"].id)).status_code == 404
    w_id = w["members"]["W"].id
    assert browser(app, w["manager"]).get(_statement_url(w["coalition"].id, w_id)).status_code == 404


def test_the_statement_of_a_member_has_its_settlement(app, worked: dict[str, Any]) -> None:  # noqa: F811
    coalition, manager, m = worked["coalition"], worked["manager"], worked["members"]
    owner_w = browser(app, m["W"].owner)
    text = _pdf(owner_w.get(_statement_url(coalition.id, m["W"].id)))
    for shown in (
        "Kebun Kopi W",
        "200 kg",  # committed
        "140 kg",  # allocated, delivered, accepted
        "Rp25.200.000",  # gross
        "Rp1.260.000",  # fee 5 %
        "5%",
        "Rp285.714",  # share of the transport
        "Rp23.654.286",  # payout
        "BELUM DIBAYAR",
    ):
        assert shown.encode() in text, shown
    assert b"Kebun Kopi X" not in text

    # Z: 10 kg rejected, with the reason.
    text = _pdf(browser(app, manager).get(_statement_url(coalition.id, m["Z"].id)))
    for shown in (
        "10 kg biji pecah",
        "90 kg",
        "10 kg",
        "Rp16.200.000",
        "Rp810.000",
        "Rp183.674",
        "Rp15.206.326",
    ):
        assert shown.encode() in text, shown

    # After the payouts the statement lists them with their references.
    selling.buyer_paid(coalition, 84_600_000)
    payouts = {p.business.name[-1]: p for p in selling.payouts_of(coalition)}
    selling.record_payout(manager, payouts["W"], 20_000_000, "TRF-BRI-0001")
    db.session.commit()
    text = _pdf(owner_w.get(_statement_url(coalition.id, m["W"].id)))
    for shown in ("TRF-BRI-0001", "Rp20.000.000", "Rp3.654.286", "DIBAYAR SEBAGIAN"):
        assert shown.encode() in text, shown
    selling.record_payout(manager, payouts["W"], 3_654_286, "TRF-BRI-0002")
    db.session.commit()
    text = _pdf(owner_w.get(_statement_url(coalition.id, m["W"].id)))
    assert b"TRF-BRI-0002" in text and b"LUNAS DIBAYAR" in text


def test_the_statement_is_for_the_member_and_the_managers_only(app, worked: dict[str, Any]) -> None:  # noqa: F811
    coalition, m = worked["coalition"], worked["members"]
    url = _statement_url(coalition.id, m["W"].id)
    for user in (worked["buyer"], m["X"].owner, make_user("Orang Lain")):
        assert browser(app, user).get(url).status_code == 403
    assert browser(app, worked["manager"]).get(url).status_code == 200
    # A business that sold nothing in this coalition has no statement; an unknown business: 404.
    outsider = make_business(make_user("Orang Luar"), "Kebun Luar")
    assert browser(app, outsider.owner).get(_statement_url(coalition.id, outsider.id)).status_code == 404
    assert browser(app, worked["manager"]).get(_statement_url(coalition.id, 999_999)).status_code == 404
