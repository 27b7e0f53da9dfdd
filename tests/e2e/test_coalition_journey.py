"""A buying coalition, on 360 px phones with separate browsers: the manager of a cooperative opens a coalition
with three price tiers (a rising price is refused first, nothing typed is lost) and publishes it; three member
businesses pledge from their own browsers (a quantity that is not a number and a zero are refused) while the
progress line counts down to the next tier; the deadline passes and the scheduler's ``flask coalitions
close-due`` closes it; each member sees the final price, its share of the delivery cost, its total and
savings, a pay button and a notification; the manager downloads the purchase order (PDF) and the distribution
list (CSV)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coalitions.engine import split_cost
from coalitions.forms import JAKARTA
from coalitions.models import BuyingCoalition, CoalitionStatus, Pledge, PledgeStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.e2e.browser import fits_the_phone, log_in
from tests.factories import make_business, make_cooperative, make_membership, make_user

pytestmark = pytest.mark.e2e

TITLE = "Konsentrat pakan sapi 50 kg"
SUPPLIER = "CV Pakan Ternak Sejahtera"
SHARED_COST = 1_500_000
PLEDGES = (("Peternakan Sapi Makmur", 40), ("Ternak Sapi Lestari", 35), ("Sapi Perah Sejahtera", 32))
FINAL_PRICE = 300_000
SOLO_PRICE = 320_000


# --- fixtures and steps -------------------------------------------------------------------------------------


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _submit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _fill_tiers(page, tiers) -> None:  # type: ignore[no-untyped-def]
    for i, (low, price) in enumerate(tiers):
        page.locator(f"#tier_min_{i}").fill(low)
        page.locator(f"#tier_price_{i}").fill(price)


def _field(scope, label: str):  # type: ignore[no-untyped-def]
    """The ``.field`` box of the input labelled ``label`` inside ``scope`` (its error, its hint)."""
    return scope.locator(".field", has=scope.page.get_by_label(label, exact=True))


def _coalition() -> BuyingCoalition:
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    return db.session.scalars(select(BuyingCoalition).where(BuyingCoalition.title == TITLE)).one()


def _active_quantities(coalition_id: int) -> list[int]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Pledge.quantity)
            .where(Pledge.coalition_id == coalition_id, Pledge.status == PledgeStatus.ACTIVE)
            .order_by(Pledge.id)
        )
    )


def _open_from_the_list(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/koalisi")
    card = page.locator(".coalition-card", has_text=TITLE)
    expect(card).to_have_count(1)
    fits_the_phone(page)
    card.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(r"/koalisi/\d+$"))
    expect(page.locator("h1")).to_have_text(TITLE)


def _pledge(page, quantity: str) -> None:  # type: ignore[no-untyped-def]
    join = page.locator(".coalition-join")
    join.get_by_label("Jumlah", exact=True).fill(quantity)
    with page.expect_navigation():
        join.get_by_role("button", name="Ikut", exact=True).click()


def _download(page, link_name: str, tmp_path: Path) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = info.value
    assert download.failure() is None
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


# --- the journey --------------------------------------------------------------------------------------------


def test_manager_opens_members_pledge_deadline_closes_and_everyone_sees_the_result(app, phone, tmp_path):  # type: ignore[no-untyped-def]
    manager = make_user("Pak Hendra", email="ketua@ternak-makmur.id")
    cooperative = make_cooperative(manager, name="Koperasi Peternak Makmur", slug="peternak-makmur")
    owners = []
    for n, (name, _quantity) in enumerate(PLEDGES, start=1):
        owner = make_user(f"Pemilik {n}", email=f"anggota{n}@ternak-makmur.id")
        make_membership(cooperative, make_business(owner, name, slug=f"usaha-ternak-{n}"))
        owners.append(owner)
    db.session.commit()

    # --- the manager drafts the coalition: a rising price is refused, what was typed stays -----------------
    boss = phone()
    log_in(boss, manager.email)
    boss.goto(f"/koalisi/koperasi/{cooperative.slug}/baru")
    expect(boss.locator("h1")).to_have_text("Buka koalisi pembelian")
    fits_the_phone(boss)
    tomorrow = (datetime.now(JAKARTA) + timedelta(days=1)).date().isoformat()
    boss.get_by_label("Barang yang dibeli bersama", exact=True).fill(TITLE)
    boss.get_by_label("Nama pemasok", exact=True).fill(SUPPLIER)
    boss.get_by_label("Kontak pemasok", exact=True).fill("0812-7777-1234")
    boss.get_by_label("Satuan", exact=True).select_option("karung")
    boss.get_by_label("Jumlah minimum pesanan (MOQ)", exact=True).fill("100")
    _fill_tiers(boss, [("1", "285.000"), ("100", "300.000"), ("200", "320.000")])  # the price rises: wrong
    boss.get_by_label("Batas waktu: tanggal", exact=True).fill(tomorrow)
    boss.get_by_label("Jam (WIB)", exact=True).fill("17:00")
    boss.get_by_label("Biaya bersama (Rp, opsional)", exact=True).fill("1.500.000")
    boss.get_by_label("Cara bayar", exact=True).select_option("pay_on_success")
    _submit(boss, "Simpan draf")
    expect(boss.locator(".flash-error")).to_contain_text("Periksa lagi isian yang ditandai di bawah.")
    expect(boss.locator("#tiers-error")).to_contain_text("harga per unit tidak boleh naik")
    assert boss.get_by_label("Barang yang dibeli bersama", exact=True).input_value() == TITLE
    assert boss.get_by_label("Nama pemasok", exact=True).input_value() == SUPPLIER
    assert boss.get_by_label("Jumlah minimum pesanan (MOQ)", exact=True).input_value() == "100"
    assert boss.get_by_label("Batas waktu: tanggal", exact=True).input_value() == tomorrow
    assert boss.get_by_label("Jam (WIB)", exact=True).input_value() == "17:00"
    assert boss.get_by_label("Biaya bersama (Rp, opsional)", exact=True).input_value() == "1.500.000"
    assert boss.get_by_label("Cara bayar", exact=True).input_value() == "pay_on_success"
    assert [boss.locator(f"#tier_price_{i}").input_value() for i in range(3)] == [
        "285.000",
        "300.000",
        "320.000",
    ]
    assert [boss.locator(f"#tier_min_{i}").input_value() for i in range(3)] == ["1", "100", "200"]
    db.session.rollback()
    assert db.session.scalars(select(BuyingCoalition)).all() == []  # nothing saved
    fits_the_phone(boss)

    _fill_tiers(boss, [("1", "320.000"), ("100", "300.000"), ("200", "285.000")])
    _submit(boss, "Simpan draf")
    boss.wait_for_url(re.compile(r"/koalisi/\d+$"))
    expect(boss.locator(".flash-success")).to_contain_text("Draf koalisi disimpan.")
    expect(boss.locator(".coalition-status")).to_have_text("Draf")
    coalition = _coalition()
    assert coalition.status is CoalitionStatus.DRAFT
    assert [(t.min_qty, t.unit_price_idr) for t in coalition.tiers] == [
        (1, 320_000),
        (100, 300_000),
        (200, 285_000),
    ]
    assert (coalition.moq, coalition.shared_cost_idr, coalition.unit) == (100, SHARED_COST, "karung")
    assert coalition.payment_mode.value == "pay_on_success"
    fits_the_phone(boss)
    _submit(boss, "Terbitkan")
    expect(boss.locator(".flash-success")).to_contain_text("Koalisi diterbitkan")
    expect(boss.locator(".coalition-status")).to_have_text("Terbuka")
    expect(boss.locator(".coalition-next")).to_have_text("100 karung lagi untuk mencapai Rp300.000")
    fits_the_phone(boss)
    coalition_url = f"/koalisi/{coalition.id}"

    # --- three members pledge, each from its own phone ------------------------------------------------------
    members = []
    for owner in owners:
        member = phone()
        log_in(member, owner.email)
        members.append(member)
    first, second, third = members

    # The first: letters are refused, the typed text stays; then 40.
    _open_from_the_list(first)
    expect(first.locator(".coalition-next")).to_have_text("100 karung lagi untuk mencapai Rp300.000")
    expect(first.locator(".coalition-join")).to_contain_text(f"Atas nama {PLEDGES[0][0]}")
    _pledge(first, "empat puluh")
    join = first.locator(".coalition-join")
    expect(join.locator(".flash-error")).to_contain_text("Periksa lagi isian yang ditandai di bawah.")
    expect(_field(join, "Jumlah").locator(".error")).to_have_text("Isi dengan bilangan bulat, mis. 25.")
    assert join.get_by_label("Jumlah", exact=True).input_value() == "empat puluh"
    assert _active_quantities(coalition.id) == []
    fits_the_phone(first)
    _pledge(first, "40")
    expect(first.locator(".flash-success")).to_contain_text(f"Komitmen {PLEDGES[0][0]} tercatat.")
    expect(first.locator(".coalition-mine h3")).to_have_text(f"{PLEDGES[0][0]}: 40 karung")
    expect(first.locator(".coalition-next")).to_have_text("60 karung lagi untuk mencapai Rp300.000")
    fits_the_phone(first)

    # The second: zero is refused by the rules, the zero stays; then 35.
    _open_from_the_list(second)
    expect(second.locator(".coalition-next")).to_have_text("60 karung lagi untuk mencapai Rp300.000")
    _pledge(second, "0")
    join = second.locator(".coalition-join")
    expect(_field(join, "Jumlah").locator(".error")).to_have_text("Paling kecil 1.")
    assert join.get_by_label("Jumlah", exact=True).input_value() == "0"
    assert _active_quantities(coalition.id) == [40]
    fits_the_phone(second)
    _pledge(second, "35")
    expect(second.locator(".flash-success")).to_contain_text(f"Komitmen {PLEDGES[1][0]} tercatat.")
    fits_the_phone(second)

    # The third sees 75 pledged: 25 more to reach the next tier; it pledges 32 and the tier is reached.
    _open_from_the_list(third)
    progress = third.locator(".coalition-progress")
    expect(progress).to_contain_text("75 dari minimum 100 karung")
    expect(progress).to_contain_text("harga sekarang Rp320.000 per karung")
    expect(progress.locator(".coalition-next")).to_have_text("25 karung lagi untuk mencapai Rp300.000")
    expect(progress).to_contain_text("2 anggota ikut")
    fits_the_phone(third)
    _pledge(third, "32")
    expect(third.locator(".flash-success")).to_contain_text(f"Komitmen {PLEDGES[2][0]} tercatat.")
    progress = third.locator(".coalition-progress")
    expect(progress).to_contain_text("107 dari minimum 100 karung")
    expect(progress).to_contain_text("harga sekarang Rp300.000 per karung")
    expect(progress.locator(".coalition-next")).to_have_text("93 karung lagi untuk mencapai Rp285.000")
    expect(progress).to_contain_text("3 anggota ikut")
    reached = third.locator(".coalition-tier-table tr.tier-reached")
    expect(reached).to_have_count(1)
    expect(reached).to_contain_text("100–199 karung")
    expect(reached).to_contain_text("Rp300.000")
    expect(reached.locator(".badge")).to_have_text("tercapai")
    fits_the_phone(third)
    assert _active_quantities(coalition.id) == [40, 35, 32]

    # The first member's page follows, too.
    first.reload()
    expect(first.locator(".coalition-next")).to_have_text("93 karung lagi untuk mencapai Rp285.000")

    # --- the deadline passes; the scheduler closes the coalition --------------------------------------------
    coalition = _coalition()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["coalitions", "close-due"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"Coalition {coalition.id} ({TITLE}): success, 107 karung at Rp300.000" in result.output
    assert "Closed 1 coalitions." in result.output
    coalition = _coalition()
    assert coalition.status is CoalitionStatus.CLOSED_SUCCESS
    assert coalition.unit_price_idr == FINAL_PRICE

    # --- each member sees the final price, its share of the delivery cost, total, savings, a pay button -----
    quantities = [q for _name, q in PLEDGES]
    cost_shares = split_cost(SHARED_COST, quantities)
    assert sum(cost_shares) == SHARED_COST
    for member, (name, quantity), cost_share in zip(members, PLEDGES, cost_shares, strict=True):
        member.goto(coalition_url)
        expect(member.locator(".coalition-status")).to_have_text("Berhasil")
        outcome = member.locator(".coalition-outcome")
        expect(outcome).to_contain_text("Berhasil")
        expect(outcome).to_contain_text(
            f"Dipesan 107 karung dengan harga akhir {_rp(FINAL_PRICE)} per karung."
        )
        share = outcome.locator(".coalition-share")
        expect(share).to_have_count(1)  # only its own
        expect(share.locator("h3")).to_contain_text(name)
        facts = share.locator("dl").inner_text()
        total = quantity * FINAL_PRICE + cost_share
        assert f"{quantity} karung" in facts
        assert _rp(FINAL_PRICE) in facts
        assert _rp(quantity * FINAL_PRICE) in facts  # the goods
        assert _rp(cost_share) in facts, (name, cost_share, facts)  # its share of the delivery
        expect(share.locator(".share-total")).to_have_text(_rp(total))
        expect(share.locator(".share-savings")).to_have_text(_rp(quantity * (SOLO_PRICE - FINAL_PRICE)))
        pay = share.get_by_role("link", name=f"Bayar {_rp(total)}")
        expect(pay).to_be_visible()
        assert pay.get_attribute("href").startswith(f"{coalition_url}/bagian/")
        expect(member.locator(".coalition-join")).to_have_count(0)  # no pledging any more
        fits_the_phone(member)

        # One unread notification in the header, and the message on /notifikasi.
        expect(member.locator("header .notif-count")).to_have_text("1")
        member.locator("header .notif-link").click()
        member.wait_for_url("**/notifikasi")
        item = member.locator(".notif-item")
        expect(item).to_have_count(1)
        expect(item).to_have_class(re.compile(r"\bis-unread\b"))
        expect(item.locator(".notif-message")).to_contain_text(
            f"Koalisi \u201c{TITLE}\u201d berhasil: Anda mendapat {quantity} karung seharga "
            f"{_rp(FINAL_PRICE)} per karung. Total bagian Anda {_rp(total)}."
        )
        fits_the_phone(member)

    # The spec's worked numbers, for the record.
    assert cost_shares == [560_748, 490_654, 448_598]

    # --- one member reads the page in English ---------------------------------------------------------------
    third.goto(coalition_url)
    with third.expect_navigation():
        third.get_by_role("button", name="EN").click()
    assert third.locator("html").get_attribute("lang") == "en"
    expect(third.locator(".coalition-outcome h2")).to_have_text("Coalition outcome")
    expect(third.locator("h2", has_text="Price tiers")).to_have_count(1)
    expect(third.locator(".coalition-facts")).to_contain_text("Supplier")
    fits_the_phone(third)

    # --- the manager sees the members' shares and downloads the papers --------------------------------------
    boss.goto(coalition_url)
    expect(boss.locator(".coalition-status")).to_have_text("Berhasil")
    rows = boss.locator("table.coalition-members tbody tr")
    expect(rows).to_have_count(3)
    for (name, quantity), cost_share in zip(PLEDGES, cost_shares, strict=True):
        row = rows.filter(has_text=name)
        expect(row.locator("td").nth(1)).to_have_text(str(quantity))
        expect(row.locator("td").nth(2)).to_have_text(_rp(quantity * FINAL_PRICE + cost_share))
        expect(row.locator("td").nth(4)).to_contain_text("Menunggu pembayaran")
    fits_the_phone(boss)

    name, body = _download(boss, "Surat pesanan untuk pemasok (PDF)", tmp_path)
    assert name == f"surat-pesanan-{coalition.id}.pdf"
    assert body.startswith(b"%PDF")

    distribution = boss.locator(".coalition-documents li", has_text="Daftar pembagian ke anggota")
    with boss.expect_download() as info:
        distribution.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    assert download.suggested_filename == f"distribusi-{coalition.id}.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["Nama usaha"]: int(r["Jumlah"]) for r in rows} == dict(PLEDGES)
    assert {r["Nama usaha"]: int(r["Total"]) for r in rows} == {
        n: q * FINAL_PRICE + c for (n, q), c in zip(PLEDGES, cost_shares, strict=True)
    }
    fits_the_phone(boss)
