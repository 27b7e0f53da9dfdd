"""A selling coalition from a buyer's bulk request to the members' payouts, on 360 px phones with the pages'
own JavaScript, each person in their own browser (DOMAIN.md "Selling coalition", its worked example).

A hotel's buyer posts a request for 500 kg of roasted Arabica (a zero quantity is refused first, nothing typed
is lost); the manager of a coffee cooperative in Bekasi finds it among the cooperative's requests, turns it
into a selling coalition (the form comes prefilled with the item, unit, quantity, grades and prices), adds the
fee, the transport cost, the allocation rule and the collection point, saves the draft and publishes it.
Four members commit from their own phones (W 200 A, X 150 A, Y 120 B, Z 100 A: 570 of 500 kg); the deadline
passes and the scheduler's ``flask coalitions close-due`` allocates uniformly (140/140/120/100). The manager
records quality control (10 kg of Z rejected: a rejection needs a reason, what was typed stays); the buyer
confirms receipt and pays the 490 kg accepted by card (a declined card first, typed into localstripe's
stand-in for Stripe.js), without ever seeing a member's payout; each member sees its statement and downloads
it (PDF); the manager records each payout and the coalition is settled."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coalitions.forms import JAKARTA
from coalitions.selling.models import (
    BulkRequest,
    Commitment,
    CommitmentStatus,
    MemberPayout,
    RequestStatus,
    SellingCoalition,
    SellingStatus,
)
from marketplace.clock import utcnow
from marketplace.cooperatives.models import CooperativeSector
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.e2e.browser import fits_the_phone, log_in
from tests.factories import make_business, make_cooperative, make_membership, make_user
from tests.localstripe import wait_for

pytestmark = pytest.mark.e2e

S = SellingStatus
ITEM = "Kopi Arabika sangrai"
ORGANISATION = "Hotel Santika Bekasi"
PLACE = "Hotel Santika Bekasi, Jl. Ahmad Yani No. 1, Bekasi"
COLLECTION_POINT = "Gudang Koperasi Kopi Bekasi, Jl. Raya Tambun 5"
REASON = "10 kg biji pecah"
# (letter, grade, committed, allocated, delivered, accepted)
MEMBERS = (
    ("W", "A", 200, 140, 140, 140),
    ("X", "A", 150, 140, 140, 140),
    ("Y", "B", 120, 120, 120, 120),
    ("Z", "A", 100, 100, 100, 90),
)
# DOMAIN.md's worked example: gross, fee (5 %), transport (Rp1.000.000 by accepted kg), payout.
STATEMENTS = {
    "W": (25_200_000, 1_260_000, 285_714, 23_654_286),
    "X": (25_200_000, 1_260_000, 285_714, 23_654_286),
    "Y": (18_000_000, 900_000, 244_898, 16_855_102),
    "Z": (16_200_000, 810_000, 183_674, 15_206_326),
}
BUYER_TOTAL = 84_600_000
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # the card localstripe declines when charged
DECLINED = "Kartu ditolak oleh bank penerbit. Coba kartu lain."
TIMEOUT_MS = 30_000
PAYMENT_WAIT_MS = 60_000


# --- fixtures and steps -------------------------------------------------------------------------------------


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _day(days: int) -> str:
    return (datetime.now(JAKARTA) + timedelta(days=days)).date().isoformat()


def _submit(page, name: str, scope=None) -> int:  # type: ignore[no-untyped-def]
    """Click the submit button ``name`` and wait for the page it leads to; its HTTP status."""
    with page.expect_navigation() as navigation:
        (scope or page).get_by_role("button", name=name, exact=True).click()
    response = navigation.value
    return response.status if response is not None else 0


def _fact(scope, label: str):  # type: ignore[no-untyped-def]
    """The ``<dd>`` after the ``<dt>`` reading ``label`` in a facts list."""
    return scope.locator(f"xpath=.//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def _error_of(scope, label: str):  # type: ignore[no-untyped-def]
    """The error shown under the input labelled ``label`` inside ``scope`` (``<input id>-error``)."""
    input_id = scope.get_by_label(label, exact=True).get_attribute("id")
    return scope.locator(f"[id='{input_id}-error']")


def _business_name(letter: str) -> str:
    return f"Kebun Kopi {letter}"


def _coalition() -> SellingCoalition:
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    return db.session.scalars(select(SellingCoalition).where(SellingCoalition.title == ITEM)).one()


def _bulk_requests() -> list[BulkRequest]:
    db.session.rollback()
    return list(db.session.scalars(select(BulkRequest)))


def _commitments(coalition_id: int) -> dict[str, Commitment]:
    db.session.rollback()
    rows = db.session.scalars(
        select(Commitment).where(
            Commitment.coalition_id == coalition_id, Commitment.status == CommitmentStatus.ACTIVE
        )
    )
    return {row.business.name[-1]: row for row in rows}


def _payouts(coalition_id: int) -> dict[str, MemberPayout]:
    db.session.rollback()
    rows = db.session.scalars(select(MemberPayout).where(MemberPayout.coalition_id == coalition_id))
    return {row.business.name[-1]: row for row in rows}


def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """localstripe's stand-in for Stripe.js renders plain inputs named by their placeholders."""
    box = page.locator("#card-element")
    box.locator("input[placeholder=number]").fill(number)
    box.locator("input[placeholder=exp_month]").fill("12")
    box.locator("input[placeholder=exp_year]").fill("30")
    box.locator("input[placeholder=cvc]").fill("123")
    box.locator("input[placeholder=postal_code]").fill("17112")


def _choose_card(page) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("h2", has_text="Pilih cara bayar")).to_have_count(1)
    assert _submit(page, "Kartu debit/kredit") == 200
    pay = page.locator("#card-pay")
    expect(pay).to_have_text(f"Bayar {_rp(BUYER_TOTAL)}")
    expect(pay).to_be_enabled()  # Stripe.js loaded and the card form mounted


# --- the journey --------------------------------------------------------------------------------------------


def test_buyer_request_becomes_a_coalition_members_deliver_buyer_pays_and_members_are_paid(  # type: ignore[no-untyped-def]
    app, phone, stripe_webhooks, tmp_path: Path
):
    manager = make_user("Bu Ketua", email="ketua@kopi-bekasi.id")
    cooperative = make_cooperative(manager, "Koperasi Kopi Bekasi", slug="kopi-bekasi")
    cooperative.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    owners = {}
    for letter, *_rest in MEMBERS:
        owner = make_user(f"Petani {letter}", email=f"petani-{letter.lower()}@kopi-bekasi.id")
        business = make_business(owner, _business_name(letter), slug=f"kebun-kopi-{letter.lower()}")
        make_membership(cooperative, business)
        owners[letter] = owner
    buyer_user = make_user("Pak Hotel", email="pembelian@santika-bekasi.id")
    db.session.commit()
    slug = cooperative.slug

    # --- the buyer posts the request: a zero quantity is refused, what was typed stays ----------------------
    buyer = phone()
    log_in(buyer, buyer_user.email)
    buyer.goto("/koalisi-penjualan/permintaan/baru")
    expect(buyer.locator("h1")).to_have_text("Minta penawaran dari koperasi")
    fits_the_phone(buyer)
    delivery_day, offer_day = _day(20), _day(3)
    buyer.get_by_label("Nama lembaga atau usaha pembeli", exact=True).fill(ORGANISATION)
    buyer.get_by_label("Barang yang dicari", exact=True).fill(ITEM)
    buyer.get_by_label("Kategori", exact=True).select_option(label="Pertanian")
    buyer.get_by_label("Jumlah", exact=True).fill("0")  # the mistake
    buyer.get_by_label("Satuan", exact=True).select_option("kg")
    buyer.locator("#grade_name_0").fill("A")
    buyer.locator("#grade_price_0").fill("180.000")
    buyer.locator("#grade_name_1").fill("B")
    buyer.locator("#grade_price_1").fill("150.000")
    buyer.get_by_label("Tanggal kirim", exact=True).fill(delivery_day)
    buyer.get_by_label("Tempat kirim", exact=True).fill(PLACE)
    buyer.get_by_label("Provinsi", exact=True).select_option(label="Jawa Barat")
    buyer.get_by_label("Batas penawaran: tanggal", exact=True).fill(offer_day)
    assert buyer.get_by_label("Jam (WIB)", exact=True).input_value() == "17:00"
    assert _submit(buyer, "Kirim permintaan") == 422
    expect(buyer.locator(".flash-error")).to_contain_text("Periksa lagi isian yang ditandai di bawah.")
    expect(_error_of(buyer, "Jumlah")).to_have_text("Paling kecil 1.")
    assert buyer.get_by_label("Jumlah", exact=True).input_value() == "0"
    assert buyer.get_by_label("Nama lembaga atau usaha pembeli", exact=True).input_value() == ORGANISATION
    assert buyer.get_by_label("Barang yang dicari", exact=True).input_value() == ITEM
    assert buyer.get_by_label("Kategori", exact=True).input_value() == Sector.PRODUCE.value
    assert [buyer.locator(f"#grade_name_{i}").input_value() for i in range(2)] == ["A", "B"]
    assert [buyer.locator(f"#grade_price_{i}").input_value() for i in range(2)] == ["180.000", "150.000"]
    assert buyer.get_by_label("Tanggal kirim", exact=True).input_value() == delivery_day
    assert buyer.get_by_label("Tempat kirim", exact=True).input_value() == PLACE
    assert buyer.get_by_label("Provinsi", exact=True).input_value() == "32"
    assert buyer.get_by_label("Batas penawaran: tanggal", exact=True).input_value() == offer_day
    assert _bulk_requests() == []  # nothing saved
    fits_the_phone(buyer)

    buyer.get_by_label("Jumlah", exact=True).fill("500")
    assert _submit(buyer, "Kirim permintaan") == 200
    buyer.wait_for_url(re.compile(r"/koalisi-penjualan/permintaan/\d+$"))
    expect(buyer.locator(".flash-success")).to_contain_text("Permintaan terkirim ke koperasi")
    expect(buyer.locator("h1")).to_have_text(ITEM)
    facts = buyer.locator(".coalition-facts")
    expect(_fact(facts, "Pembeli")).to_have_text(ORGANISATION)
    expect(_fact(facts, "Jumlah")).to_have_text("500 kg")
    expect(_fact(facts, "Kategori")).to_have_text("Pertanian")
    grades = buyer.locator("table.request-grades tbody tr")
    expect(grades).to_have_count(2)
    expect(grades.nth(0)).to_contain_text("Rp180.000")
    expect(grades.nth(1)).to_contain_text("Rp150.000")
    fits_the_phone(buyer)
    (bulk,) = _bulk_requests()
    assert (bulk.quantity, bulk.unit, bulk.province_code, bulk.regency_code) == (500, "kg", "32", None)
    assert bulk.sector is Sector.PRODUCE and bulk.status is RequestStatus.OPEN
    assert [(g.grade, g.price_idr) for g in bulk.grades] == [("A", 180_000), ("B", 150_000)]
    request_url = f"/koalisi-penjualan/permintaan/{bulk.id}"

    # --- the manager finds it and turns it into a selling coalition ---------------------------------------
    boss = phone()
    log_in(boss, manager.email)
    boss.goto(f"/koalisi-penjualan/koperasi/{slug}/permintaan")
    card = boss.locator(".coalition-card", has_text=ITEM)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("500 kg")
    expect(card).to_contain_text(ORGANISATION)
    fits_the_phone(boss)
    card.get_by_role("link", name=ITEM).click()
    boss.wait_for_url(f"**{request_url}")
    expect(boss.locator("h1")).to_have_text(ITEM)
    fits_the_phone(boss)
    boss.get_by_role("link", name="Jadikan koalisi penjualan", exact=True).click()
    boss.wait_for_url(re.compile(rf"/koalisi-penjualan/koperasi/{slug}/(dari-permintaan/{bulk.id}|baru\?)"))
    expect(boss.locator("h1")).to_have_text("Buka koalisi penjualan")
    expect(boss.locator(".coalition-facts")).to_contain_text(ORGANISATION)
    # Prefilled from the request: item, unit, quantity, grades and prices.
    assert boss.get_by_label("Barang yang dijual bersama", exact=True).input_value() == ITEM
    assert boss.get_by_label("Satuan", exact=True).input_value() == "kg"
    assert boss.get_by_label("Jumlah yang diminta pembeli", exact=True).input_value() == "500"
    assert [boss.locator(f"#grade_name_{i}").input_value() for i in range(3)] == ["A", "B", ""]
    assert [boss.locator(f"#grade_price_{i}").input_value() for i in range(2)] == ["180.000", "150.000"]
    fits_the_phone(boss)
    deadline_day, collection_day = _day(5), _day(7)
    boss.get_by_label("Biaya koperasi (%)", exact=True).fill("5")
    boss.get_by_label("Biaya bersama (Rp, opsional)", exact=True).fill("1.000.000")
    boss.get_by_label("Pembagian bila komitmen melebihi permintaan", exact=True).select_option("uniform")
    boss.get_by_label("Batas komitmen: tanggal", exact=True).fill(deadline_day)
    boss.get_by_label("Jam (WIB)", exact=True).fill("17:00")
    boss.get_by_label("Titik pengumpulan", exact=True).fill(COLLECTION_POINT)
    boss.get_by_label("Tanggal pengumpulan", exact=True).fill(collection_day)
    assert _submit(boss, "Simpan draf") == 200
    boss.wait_for_url(re.compile(r"/koalisi-penjualan/\d+$"))
    expect(boss.locator(".flash-success")).to_contain_text("Draf koalisi penjualan disimpan.")
    expect(boss.locator(".coalition-status")).to_have_text("Draf")
    fits_the_phone(boss)
    coalition = _coalition()
    assert coalition.status is S.DRAFT
    assert (coalition.request_id, coalition.buyer_id, coalition.buyer_name) == (
        bulk.id,
        buyer_user.id,
        ORGANISATION,
    )
    assert (coalition.quantity, coalition.unit, coalition.fee_bp, coalition.shared_cost_idr) == (
        500,
        "kg",
        500,
        1_000_000,
    )
    assert coalition.allocation_rule.value == "uniform"
    assert [(g.grade, g.price_idr) for g in coalition.grades] == [("A", 180_000), ("B", 150_000)]
    coalition_id = coalition.id
    coalition_url = f"/koalisi-penjualan/{coalition_id}"
    db.session.rollback()
    assert db.session.get(BulkRequest, bulk.id).status is RequestStatus.TAKEN

    assert _submit(boss, "Terbitkan") == 200
    expect(boss.locator(".flash-success")).to_contain_text("Koalisi diterbitkan")
    expect(boss.locator(".coalition-status")).to_have_text("Terbuka")
    facts = boss.locator(".coalition-facts")
    expect(_fact(facts, "Biaya koperasi")).to_have_text("5%")
    expect(_fact(facts, "Biaya bersama")).to_contain_text("Rp1.000.000")
    expect(_fact(facts, "Titik pengumpulan")).to_have_text(COLLECTION_POINT)
    expect(boss.locator(".coalition-progress .coalition-next")).to_have_text("Kurang 500 kg")
    fits_the_phone(boss)
    assert _coalition().status is S.OPEN

    # --- four members commit, each from its own phone -----------------------------------------------------
    members = {}
    for letter, grade, committed, *_rest in MEMBERS:
        member = phone()
        members[letter] = member
        log_in(member, owners[letter].email)
        member.goto("/koalisi-penjualan")
        card = member.locator(".coalition-card", has_text=ITEM)
        expect(card).to_have_count(1)
        expect(card).to_contain_text(f"untuk {ORGANISATION}")
        fits_the_phone(member)
        card.get_by_role("link", name=ITEM).click()
        member.wait_for_url(f"**{coalition_url}")
        expect(member.locator("h1")).to_have_text(ITEM)
        join = member.locator("#ikut")
        expect(join).to_contain_text(f"Atas nama {_business_name(letter)}")
        fits_the_phone(member)
        join.get_by_label("Mutu", exact=True).select_option(grade)
        join.get_by_label("Jumlah", exact=True).fill(str(committed))
        assert _submit(member, "Berkomitmen", join) == 200
        expect(member.locator(".flash-success")).to_have_text(f"Komitmen {_business_name(letter)} tercatat.")
        expect(member.locator(".coalition-mine h3")).to_have_text(
            f"{_business_name(letter)}: mutu {grade}, {committed} kg"
        )
        fits_the_phone(member)

    # Committed against requested: 570 of 500 kg, per grade.
    for member in members.values():
        member.reload()
        progress = member.locator(".coalition-progress")
        expect(progress).to_contain_text("570 dari 500 kg diminta pembeli")
        expect(progress).to_contain_text("Lebih 70 kg: bagian dibagi saat ditutup.")
        expect(progress).to_contain_text("4 anggota berkomitmen")
        rows = member.locator("table.selling-grades tbody tr")
        expect(rows.nth(0)).to_contain_text("Rp180.000")
        expect(rows.nth(0).locator("td").nth(2)).to_have_text("450 kg")
        expect(rows.nth(1).locator("td").nth(2)).to_have_text("120 kg")
        expect(rows.nth(2)).to_contain_text("diminta 500 kg")
        expect(rows.nth(2)).to_contain_text("570 kg")
        fits_the_phone(member)
    assert {k: c.quantity for k, c in _commitments(coalition_id).items()} == {
        letter: committed for letter, _g, committed, *_rest in MEMBERS
    }

    # --- the deadline passes; the scheduler closes the coalition and allocates ----------------------------
    coalition = _coalition()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["coalitions", "close-due"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Closed 1 selling coalitions for commitments." in result.output, result.output
    coalition = _coalition()
    assert (coalition.status, coalition.committed_qty, coalition.allocated_qty) == (S.COMMITTED, 570, 500)
    assert {k: c.allocated_qty for k, c in _commitments(coalition_id).items()} == {
        letter: allocated for letter, _g, _c, allocated, *_rest in MEMBERS
    }
    for letter, _grade, _committed, allocated, *_rest in MEMBERS:
        member = members[letter]
        member.reload()
        expect(member.locator(".coalition-status")).to_have_text("Pengumpulan barang")
        mine = member.locator(".coalition-mine")
        expect(mine).to_contain_text(f"Bagian yang dikirim: {allocated} kg")
        expect(mine).to_contain_text(f"antar ke {COLLECTION_POINT}")
        expect(member.locator("#ikut")).to_have_count(0)  # no committing any more
        expect(member.locator("main")).to_contain_text(
            "Ditutup dengan komitmen 570 kg; dibagi 500 dari 500 kg."
        )
        fits_the_phone(member)

    # --- the manager records quality control: Z's rejection needs a reason --------------------------------
    boss.goto(coalition_url)
    expect(boss.locator(".coalition-status")).to_have_text("Pengumpulan barang")
    expect(boss.locator("details.selling-check")).to_have_count(4)
    fits_the_phone(boss)
    for letter, grade, _committed, _allocated, delivered, accepted in MEMBERS:
        name = _business_name(letter)
        check = boss.locator("details.selling-check", has_text=name)
        expect(check.locator("summary")).to_have_text(f"Catat pengiriman {name} (mutu {grade})")
        check.locator("summary").click()
        check.get_by_label("Jumlah dibawa", exact=True).fill(str(delivered))
        check.get_by_label("Jumlah lolos pemeriksaan", exact=True).fill(str(accepted))
        if accepted < delivered:
            # First without a reason: refused, nothing recorded, what was typed stays.
            assert _submit(boss, "Simpan pemeriksaan", check) == 422
            check = boss.locator("details.selling-check", has_text=name)
            expect(check).to_have_attribute("open", "")
            expect(_error_of(check, "Alasan penolakan")).to_have_text("Wajib diisi.")
            assert check.get_by_label("Jumlah dibawa", exact=True).input_value() == str(delivered)
            assert check.get_by_label("Jumlah lolos pemeriksaan", exact=True).input_value() == str(accepted)
            fits_the_phone(boss)
            assert _commitments(coalition_id)[letter].checks == []
            check.get_by_label("Alasan penolakan", exact=True).fill(REASON)
        assert _submit(boss, "Simpan pemeriksaan", check) == 200
        expect(boss.locator(".flash-success")).to_have_text(f"Pemeriksaan mutu {name} dicatat.")
        expect(boss.locator(f"#qc-{_commitments(coalition_id)[letter].id} td").nth(3)).to_have_text(
            f"{accepted} kg"
        )
        fits_the_phone(boss)
    records = boss.locator("table.coalition-members", has=boss.locator("th", has_text="Ear tag"))
    z_row = records.locator("tbody tr", has_text=_business_name("Z"))
    expect(z_row.locator("td").nth(2)).to_have_text("100")
    expect(z_row.locator("td").nth(3)).to_have_text("90")
    expect(z_row.locator("td").nth(4)).to_have_text("10")
    expect(z_row.locator("td").nth(5)).to_have_text(REASON)
    checks = _commitments(coalition_id)
    assert {
        k: [(q.delivered_qty, q.accepted_qty, q.reason) for q in c.checks] for k, c in checks.items()
    } == {
        "W": [(140, 140, "")],
        "X": [(140, 140, "")],
        "Y": [(120, 120, "")],
        "Z": [(100, 90, REASON)],
    }

    # --- the manager finishes quality control ---------------------------------------------------------------
    assert _submit(boss, "Selesai pemeriksaan mutu") == 200
    expect(boss.locator(".coalition-status")).to_have_text("Siap diserahkan ke pembeli")
    fits_the_phone(boss)

    # --- the buyer confirms receipt and pays by card (a declined card first) ------------------------------
    buyer.goto("/koalisi-penjualan")
    card = buyer.locator(".coalition-card", has_text=ITEM)
    expect(card).to_have_count(1)
    card.get_by_role("link", name=ITEM).click()
    buyer.wait_for_url(f"**{coalition_url}")
    section = buyer.locator("#pembeli")
    expect(section).to_contain_text("Barang yang lolos pemeriksaan mutu di titik pengumpulan: 490 kg.")
    fits_the_phone(buyer)
    assert _submit(buyer, "Konfirmasi penerimaan barang", section) == 200
    expect(buyer.locator(".flash-success")).to_contain_text("Penerimaan barang dikonfirmasi")
    expect(buyer.locator(".coalition-status")).to_have_text("Diterima pembeli")
    section = buyer.locator("#pembeli")
    expect(_fact(section, "Diterima")).to_have_text("490 kg")
    expect(_fact(section, "Total tagihan")).to_have_text(_rp(BUYER_TOTAL))
    expect(_fact(section, "Sudah dibayar")).to_have_text("Rp0")
    fits_the_phone(buyer)
    coalition = _coalition()
    assert (coalition.status, coalition.accepted_qty, coalition.buyer_total_idr) == (
        S.DELIVERED,
        490,
        BUYER_TOTAL,
    )
    assert {k: p.payout_idr for k, p in _payouts(coalition_id).items()} == {
        k: v[3] for k, v in STATEMENTS.items()
    }

    section.get_by_role("link", name=f"Bayar {_rp(BUYER_TOTAL)}", exact=True).click()
    buyer.wait_for_url(f"**{coalition_url}/bayar")
    expect(buyer.locator("h1")).to_have_text("Bayar koalisi penjualan")
    lines = buyer.locator("table.selling-invoice tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("370 kg")
    expect(lines.nth(0)).to_contain_text(_rp(370 * 180_000))
    expect(lines.nth(1)).to_contain_text("120 kg")
    expect(lines.nth(1)).to_contain_text(_rp(120 * 150_000))
    expect(_fact(buyer.locator("main"), "Sisa tagihan")).to_have_text(_rp(BUYER_TOTAL))
    fits_the_phone(buyer)

    _choose_card(buyer)
    fits_the_phone(buyer)
    pay = buyer.locator("#card-pay")
    _fill_card(buyer, DECLINED_CARD)
    pay.click()
    expect(buyer.locator("#card-message")).to_have_text(DECLINED, timeout=PAYMENT_WAIT_MS)
    expect(pay).to_have_text("Coba lagi")
    fits_the_phone(buyer)
    assert _coalition().paid_idr == 0
    with buyer.expect_navigation():
        pay.click()  # "Coba lagi" reloads the page: the declined attempt is over, the choice comes back
    _choose_card(buyer)
    _fill_card(buyer, GOOD_CARD)
    buyer.locator("#card-pay").click()
    # Paid once localstripe's webhook has reached the server; the page then reloads itself.
    expect(buyer.locator(".flash-success")).to_have_text(
        "Tagihan ini sudah lunas. Terima kasih!", timeout=PAYMENT_WAIT_MS
    )
    expect(_fact(buyer.locator("main"), "Status")).to_have_text("Dibayar pembeli")
    expect(buyer.locator("#card-payment")).to_have_count(0)
    fits_the_phone(buyer)

    def paid() -> bool:
        return _coalition().status is S.PAID

    wait_for(paid, timeout=PAYMENT_WAIT_MS / 1000)
    assert _coalition().paid_idr == BUYER_TOTAL

    buyer.goto(coalition_url)
    expect(buyer.locator(".coalition-status")).to_have_text("Dibayar pembeli")
    section = buyer.locator("#pembeli")
    expect(_fact(section, "Sudah dibayar")).to_have_text(_rp(BUYER_TOTAL))
    expect(section.get_by_role("link", name=re.compile(r"^Bayar\b"))).to_have_count(0)
    fits_the_phone(buyer)
    # The buyer sees totals only: never a member's name, settlement or payout.
    text = buyer.locator("main").inner_text()
    for letter, (gross, fee, transport, payout) in STATEMENTS.items():
        assert _business_name(letter) not in text
        for amount in (gross, fee, transport, payout):
            assert _rp(amount) not in text, (letter, amount)
    assert REASON not in text
    expect(buyer.locator("#rincian-anda")).to_have_count(0)

    # --- each member sees its statement and downloads it --------------------------------------------------
    for letter, _grade, _committed, _allocated, _delivered, accepted in MEMBERS:
        gross, fee, transport, payout = STATEMENTS[letter]
        member = members[letter]
        member.goto(coalition_url)
        expect(member.locator(".coalition-status")).to_have_text("Dibayar pembeli")
        statement = member.locator("#rincian-anda")
        expect(statement.locator("h3")).to_have_text(_business_name(letter))  # only its own
        expect(_fact(statement, "Diterima pembeli")).to_have_text(f"{accepted} kg")
        expect(_fact(statement, "Hasil kotor")).to_have_text(_rp(gross))
        expect(_fact(statement, "Biaya koperasi (5%)")).to_have_text(f"−{_rp(fee)}")
        expect(_fact(statement, "Bagian biaya bersama")).to_have_text(f"−{_rp(transport)}")
        expect(_fact(statement, "Hak Anda")).to_have_text(_rp(payout))
        expect(_fact(statement, "Sudah dibayar")).to_have_text("Rp0")
        expect(_fact(statement, "Belum dibayarkan")).to_have_text(_rp(payout))
        text = member.locator("main").inner_text()
        for other, (_g, _f, _t, other_payout) in STATEMENTS.items():
            if other_payout != payout:
                assert _rp(other_payout) not in text, (letter, other)
        own_checks = member.locator(".coalition-mine table.coalition-members tbody tr")
        expect(own_checks).to_have_count(1)
        if letter == "Z":
            expect(own_checks.locator("td").nth(4)).to_have_text("10")
            expect(own_checks.locator("td").nth(5)).to_contain_text(REASON)
            expect(own_checks.locator("td").nth(5)).to_contain_text("(dikembalikan ke Anda)")
        fits_the_phone(member)

        link = statement.get_by_role("link", name="Unduh rincian (PDF)", exact=True)
        if app.view_functions.get("selling.statement_pdf") is not None:
            with member.expect_download() as info:
                link.click()
            download = info.value
            assert download.failure() is None
            assert download.suggested_filename.endswith(".pdf")
            target = tmp_path / f"{letter}-{download.suggested_filename}"
            download.save_as(target)
            assert target.read_bytes().startswith(b"%PDF")
        else:
            expect(link).to_have_count(0)

    # --- the manager records each payout; the coalition is settled ----------------------------------------
    boss.goto(coalition_url)
    expect(boss.locator(".coalition-status")).to_have_text("Dibayar pembeli")
    ledger = boss.locator("table.coalition-members", has=boss.locator("th", has_text="Hak anggota"))
    expect(ledger.locator("tbody tr")).to_have_count(4)
    fits_the_phone(boss)
    for letter, *_rest in MEMBERS:
        name = _business_name(letter)
        payout = STATEMENTS[letter][3]
        row = ledger.locator("tbody tr", has_text=name)
        expect(row.locator("td").nth(2)).to_have_text(_rp(payout))
        expect(row.locator("td").nth(4)).to_have_text(_rp(payout))
        form = boss.locator("details.selling-payout", has_text=name)
        expect(form.locator("summary")).to_have_text(f"Catat pembayaran ke {name}")
        form.locator("summary").click()
        form.get_by_label("Jumlah dibayarkan (Rp)", exact=True).fill(f"{payout:,}".replace(",", "."))
        form.get_by_label("Nomor referensi transfer", exact=True).fill(f"TRF-KOPI-{letter}")
        assert _submit(boss, "Simpan pembayaran", form) == 200
        expect(boss.locator(".flash-success")).to_have_text(f"Pembayaran ke {name} dicatat.")
        ledger = boss.locator("table.coalition-members", has=boss.locator("th", has_text="Hak anggota"))
        expect(ledger.locator("tbody tr", has_text=name).locator("td").nth(4)).to_have_text("Lunas")
        fits_the_phone(boss)
    expect(boss.locator(".coalition-status")).to_have_text("Selesai dibayarkan")
    expect(boss.locator("details.selling-payout")).to_have_count(0)
    fits_the_phone(boss)
    coalition = _coalition()
    assert coalition.status is S.SETTLED
    assert {k: (p.paid_idr, p.owed_idr) for k, p in _payouts(coalition_id).items()} == {
        k: (v[3], 0) for k, v in STATEMENTS.items()
    }

    # --- W sees its payout paid ---------------------------------------------------------------------------
    w = members["W"]
    w.goto(coalition_url)
    expect(w.locator(".coalition-status")).to_have_text("Selesai dibayarkan")
    statement = w.locator("#rincian-anda")
    expect(_fact(statement, "Sudah dibayar")).to_have_text(_rp(23_654_286))
    expect(_fact(statement, "Belum dibayarkan")).to_have_text("Rp0")
    expect(statement.locator("ul li")).to_have_count(1)
    expect(statement.locator("ul li")).to_contain_text(f"{_rp(23_654_286)} · TRF-KOPI-W")
    fits_the_phone(w)
    w.goto("/koalisi-penjualan")
    row = w.locator("#pembayaran tbody tr", has_text=ITEM)
    expect(row.locator("td").nth(2)).to_have_text(_rp(23_654_286))
    expect(row.locator("td").nth(3)).to_have_text(_rp(23_654_286))  # "Dibayar"
    expect(row.locator("td").nth(4)).to_have_text("Lunas")
    fits_the_phone(w)
