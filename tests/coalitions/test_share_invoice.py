"""A member's invoice (tagihan) for its share after a successful close: its number, its lines and totals on
DOMAIN.md's worked example, the paid stamp, a re-allocated extra, how to pay, and who may download it."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from coalitions import documents, fulfilment, jobs
from coalitions.models import BuyingCoalition, CoalitionStatus, ShareStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.coalitions.test_documents import pdf_content
from tests.factories import (
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
ACCOUNT = "0123456789012"


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    """A cooperative with a bank account, its chair and five member businesses A..E."""
    manager = make_user("Pak Ketua", phone="+6281311112222")
    cooperative = make_cooperative(
        manager,
        "Koperasi Peternak Solok Selatan",
        slug="kps-selatan",
        bank_name="Bank Rakyat Indonesia",
        bank_account_number=ACCOUNT,
        bank_account_holder="Kop. Peternak Solok Selatan",
    )
    members = {}
    for name in "ABCDE":
        business = make_business(make_user(f"Peternak {name}"), f"Peternakan {name}")
        make_membership(cooperative, business)
        members[name] = business
    return cooperative, manager, members


def _closed(coop, quantities, **kw):  # type: ignore[no-untyped-def]
    """A coalition on the worked example's terms, pledged and closed through the scheduler's path."""
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative, shared_cost_idr=1_500_000, **kw)
    for name, qty in quantities.items():
        make_pledge(coalition, m[name], qty)
    db.session.commit()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    report = jobs.run_due()
    assert coalition.id in report.closed
    db.session.expire_all()
    return db.session.get(BuyingCoalition, coalition.id)


def _shares(coalition):  # type: ignore[no-untyped-def]
    return {s.business.name[-1]: s for s in fulfilment.shares_of(coalition)}


@pytest.fixture
def closed(coop):  # type: ignore[no-untyped-def]
    coalition = _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    assert coalition.status is CoalitionStatus.CLOSED_SUCCESS
    return coalition, coop[1], coop[2], _shares(coalition)


def _url(share) -> str:  # type: ignore[no-untyped-def]
    return f"/koalisi/{share.coalition_id}/bagian/{share.id}/tagihan.pdf"


def _day(moment, locale: str = "id") -> str:  # type: ignore[no-untyped-def]
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_date(moment.astimezone(JAKARTA).date(), "long", locale=locale)


def _download(web, share):  # type: ignore[no-untyped-def]
    response = web.get(_url(share))
    assert response.status_code == 200
    return pdf_content(response.get_data())


def _has(content: bytes, *texts: str) -> None:
    for text in texts:
        assert text.encode("latin-1") in content, text


# --- the number and the content -----------------------------------------------------------------------------


def test_invoice_number(closed):
    coalition, _manager, _members, shares = closed
    share = shares["A"]
    number = documents.share_invoice_number(share)
    year = coalition.closed_at.replace(tzinfo=coalition.closed_at.tzinfo or UTC).astimezone(JAKARTA).year
    assert number == f"TAG/KPS-SELATAN/{year}/{coalition.id:05d}-{share.id:05d}"


def test_the_owner_downloads_the_invoice_of_its_share(web, closed):
    coalition, _manager, members, shares = closed
    share = shares["A"]
    assert (share.allocated_qty, share.goods_idr, share.shared_cost_idr) == (40, 12_000_000, 560_748)
    assert share.status is ShareStatus.DUE and share.due_at is not None
    web.login(members["A"].owner)
    response = web.get(_url(share))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="tagihan-{coalition.id}-{share.id}.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 portrait
    content = pdf_content(data)
    _has(
        content,
        "TAGIHAN",
        documents.share_invoice_number(share),
        "Koperasi Peternak Solok Selatan",  # the issuer
        "Jl. Koperasi No. 2",
        "Pak Ketua",
        "0813-1111-2222",
        "Peternakan A",  # the addressee
        "Peternak A",
        "Konsentrat pakan sapi 50 kg",  # the item and its supplier
        "CV Pakan Ternak Sejahtera",
        "40 karung",
        "Rp300.000",
        "Rp12.000.000",  # goods
        "Rp560.748",  # the share of the delivery
        "Rp12.560.748",  # the total, still to pay
        "Rp0",  # paid so far
        "Menunggu pembayaran",  # the status
        "BELUM DIBAYAR",
        _day(coalition.closed_at),  # the invoice's date
        _day(share.due_at),  # the due date
        "Bank Rakyat Indonesia",  # how to pay: the account, the reference, the pay page
        ACCOUNT,
        "Kop. Peternak Solok Selatan",
        "Berita transfer",
        f"/koalisi/{coalition.id}/bagian/{share.id}/bayar",
        "Rp800.000",  # saved against the solo price: 40 x (320.000 - 300.000)
    )
    assert content.count(documents.share_invoice_number(share).encode()) >= 2  # the number, the reference
    assert b"http://localhost/koalisi/" in content  # an absolute link
    assert b"LUNAS" not in content


def test_a_paid_share_gets_the_paid_stamp(web, closed):
    _coalition, _manager, members, shares = closed
    share = shares["A"]
    share.paid_idr = share.total_idr
    share.status = ShareStatus.PAID
    db.session.commit()
    web.login(members["A"].owner)
    content = _download(web, share)
    _has(content, "LUNAS", "Bagian ini sudah lunas. Terima kasih!", "Rp12.560.748")
    assert b"BELUM DIBAYAR" not in content
    assert ACCOUNT.encode() not in content  # nothing left to transfer


def test_a_reallocated_extra_has_its_own_lines_and_counts_in_the_total(web, closed):
    _coalition, _manager, members, shares = closed
    share = shares["A"]
    # 5 extra units at 300.000 and 26.168 of the defaulted share's delivery.
    share.extra_qty = 5
    share.extra_idr = 5 * 300_000 + 26_168
    share.paid_idr = share.total_idr
    db.session.commit()
    assert share.final_idr == 12_560_748 + 1_526_168 == 14_086_916
    web.login(members["A"].owner)
    content = _download(web, share)
    _has(
        content,
        "40 karung",  # the close's allocation
        "Rp12.000.000",
        "5 karung",  # the extra units
        "Rp1.500.000",
        "Tambahan (pengalihan)",
        "Rp560.748",  # the shared costs at the close
        "Rp26.168",  # and those of the extra
        "Rp14.086.916",  # the total
        "Rp12.560.748",  # paid so far
        "Rp1.526.168",  # still to pay
        "BELUM LUNAS",
        "Rp900.000",  # saved: 45 x 20.000
    )
    assert b"45 karung" not in content


def test_names_in_other_scripts_do_not_break_the_invoice(closed):
    _coalition, _manager, members, shares = closed
    members["A"].name = "Peternakan 王记 😀"
    db.session.flush()
    data = documents.share_invoice_pdf(shares["A"])  # outside a request: no pay link, still a PDF
    assert data.startswith(b"%PDF") and b"Peternakan Wang Ji" in pdf_content(data)


def test_without_a_bank_account_the_member_is_told_to_ask_the_cooperative(web, closed):
    coalition, _manager, members, shares = closed
    coalition.cooperative.bank_account_number = None
    db.session.commit()
    web.login(members["B"].owner)
    content = _download(web, shares["B"])
    _has(content, "Rp10.990.654", "Koperasi belum mencantumkan rekening bank.")
    assert ACCOUNT.encode() not in content


# --- who may download it ------------------------------------------------------------------------------------


def test_another_member_is_refused(web, closed):
    _coalition, _manager, members, shares = closed
    web.login(members["B"].owner)
    assert web.get(_url(shares["A"])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(web, closed):
    _coalition, _manager, _members, shares = closed
    response = web.get(_url(shares["A"]))
    assert response.status_code == 302
    assert "/akun/masuk" in response.headers["Location"]


def test_the_cooperatives_manager_and_an_admin_may_download(web, closed):
    _coalition, manager, _members, shares = closed
    web.login(manager)
    assert web.get(_url(shares["A"])).status_code == 200
    web.logout()
    admin = make_user("Admin Gotong", is_admin=True)
    db.session.commit()
    web.login(admin)
    assert web.get(_url(shares["D"])).status_code == 200


def test_another_cooperatives_manager_is_refused(web, closed):
    _coalition, _manager, _members, shares = closed
    other = make_user("Bu Ketua Lain")
    make_cooperative(other, "Koperasi Lain")
    db.session.commit()
    web.login(other)
    assert web.get(_url(shares["A"])).status_code == 403


def test_a_share_under_another_coalitions_id_is_not_found(web, coop, closed):
    _coalition, _manager, members, shares = closed
    other = make_coalition(coop[0], title="Vaksin ternak")
    db.session.commit()
    web.login(members["A"].owner)
    assert web.get(f"/koalisi/{other.id}/bagian/{shares['A'].id}/tagihan.pdf").status_code == 404
    assert web.get(f"/koalisi/{shares['A'].coalition_id}/bagian/999999/tagihan.pdf").status_code == 404


def test_a_share_with_nothing_due_has_no_invoice(web, coop):
    coalition = _closed(coop, {"A": 40, "B": 30})  # below the MOQ of 100: failed
    assert coalition.status is CoalitionStatus.CLOSED_FAILED
    share = _shares(coalition)["A"]
    assert share.status is ShareStatus.NOTHING_DUE
    web.login(coop[2]["A"].owner)
    assert web.get(_url(share)).status_code == 404
    web.logout()
    web.login(coop[1])
    assert web.get(_url(share)).status_code == 404


def test_a_share_taken_over_by_the_cooperative_says_it_is_not_to_be_paid(web, closed):
    coalition, manager, _members, shares = closed
    share = shares["D"]
    share.status = ShareStatus.ABSORBED  # set directly: only the document is tested here
    coalition.absorbed_qty, coalition.absorbed_idr = 12, 3_768_224
    db.session.commit()
    web.login(manager)
    content = _download(web, share)
    _has(content, "DIBATALKAN", "Diambil alih koperasi", "-Rp3.768.224", "Rp0")
    assert ACCOUNT.encode() not in content


# --- language -----------------------------------------------------------------------------------------------


def test_english_labels(web, closed):
    _coalition, _manager, members, shares = closed
    share = shares["A"]
    web.login(members["A"].owner)
    with web.client.session_transaction() as session:
        session["lang"] = "en"
    content = _download(web, share)
    _has(
        content,
        "Unit price",
        "Share of shared costs",
        "Paid so far",
        "Still to pay",
        "Due date",
        "Transfer reference",
        "Account number",
        "UNPAID",
        "Awaiting payment",
        _day(share.due_at, "en"),
        "Rp12.560.748",
        documents.share_invoice_number(share),
    )
    for indonesian in ("Harga satuan", "Sisa tagihan", "Jatuh tempo", "BELUM DIBAYAR"):
        assert indonesian.encode() not in content, indonesian
    assert re.search(rb"Rp560\.748", content)
