"""Money in buying coalitions, on 360 px phones with the pages' own JavaScript, each person in their own
browser.

Card hold: two members of a cooperative pledge to a card-hold coalition; each is taken to the hold page,
which asks the bank to hold the pledge's worst case (a declined card first, then a good one, typed into
localstripe's stand-in for Stripe.js); the coalition page then says the money is held. The deadline passes
and the scheduler's ``flask coalitions close-due`` captures each hold for exactly the member's share: both
members see their share paid, with nothing left to pay, and localstripe shows each PaymentIntent captured for
that total.

Pay on success by bank transfer: after a successful close a member opens its share, chooses the transfer to
the cooperative's account, sees the account and the KOP-… reference and uploads a photo of the receipt; the
manager finds it waiting for review, is told that a rejection needs a reason, then accepts it; the member sees
the share paid and downloads its invoice (PDF)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from coalitions import engine, services
from coalitions.engine import split_cost
from coalitions.models import (
    BuyingCoalition,
    CoalitionPayment,
    CoalitionPaymentStatus,
    CoalitionStatus,
    MemberShare,
    PaymentKind,
    PaymentMode,
    Pledge,
    PledgeStatus,
    ShareStatus,
)
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.payments.models import WebhookEvent
from tests.coalitions.test_coalition_payments import captured_minor, intent
from tests.e2e.browser import fits_the_phone, log_in
from tests.factories import (
    make_bank_account,
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)
from tests.localstripe import wait_for

pytestmark = pytest.mark.e2e

P = CoalitionPaymentStatus
TITLE = "Konsentrat pakan sapi 50 kg"
SHARED_COST = 1_500_000
FINAL_PRICE = 300_000  # 100 or more karung (tests.factories.FEED_TIERS)
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # the card localstripe declines when charged (see the checkout journey)
DECLINED = "Kartu ditolak oleh bank penerbit. Coba kartu lain."
# The machine may be busy: the page polls the status every second, a hold needs a few round trips.
TIMEOUT_MS = 30_000
PAYMENT_WAIT_MS = 60_000


# --- fixtures and steps -------------------------------------------------------------------------------------


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    """localstripe's stand-in for Stripe.js renders plain inputs named by their placeholders."""
    box = page.locator("#card-element")
    box.locator("input[placeholder=number]").fill(number)
    box.locator("input[placeholder=exp_month]").fill("12")
    box.locator("input[placeholder=exp_year]").fill("30")
    box.locator("input[placeholder=cvc]").fill("123")
    box.locator("input[placeholder=postal_code]").fill("17112")


def _member(cooperative, n: int, name: str):  # type: ignore[no-untyped-def]
    owner = make_user(f"Pemilik {n}", email=f"anggota{n}@ternak-makmur.id")
    business = make_business(owner, name, slug=f"usaha-ternak-{n}")
    make_membership(cooperative, business)
    return owner, business


def _coalition() -> BuyingCoalition:
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    return db.session.scalars(select(BuyingCoalition).where(BuyingCoalition.title == TITLE)).one()


def _pledge_of(coalition_id: int, business_id: int) -> Pledge:
    db.session.rollback()
    return db.session.scalars(
        select(Pledge).where(
            Pledge.coalition_id == coalition_id,
            Pledge.business_id == business_id,
            Pledge.status == PledgeStatus.ACTIVE,
        )
    ).one()


def _holds(pledge_id: int) -> list[CoalitionPayment]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(CoalitionPayment)
            .where(CoalitionPayment.pledge_id == pledge_id, CoalitionPayment.kind == PaymentKind.HOLD)
            .order_by(CoalitionPayment.id)
        )
    )


def _share_of(pledge_id: int) -> MemberShare:
    db.session.rollback()
    return db.session.scalars(select(MemberShare).where(MemberShare.pledge_id == pledge_id)).one()


def _close_due(app, coalition_id: int) -> str:  # type: ignore[no-untyped-def]
    """The deadline passes; the scheduler runs ``flask coalitions close-due``."""
    coalition = db.session.get(BuyingCoalition, coalition_id)
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["coalitions", "close-due"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Closed 1 coalitions." in result.output, result.output
    return result.output


def _share_box(page):  # type: ignore[no-untyped-def]
    box = page.locator(".coalition-outcome .coalition-share")
    expect(box).to_have_count(1)  # only its own
    return box


def _bayar(scope):  # type: ignore[no-untyped-def]
    return scope.get_by_role("link", name=re.compile(r"^Bayar\b"))


# --- 1. card holds, captured at the close -------------------------------------------------------------------


def test_members_hold_funds_on_their_cards_and_the_close_captures_each_share(app, phone, stripe_webhooks):  # type: ignore[no-untyped-def]
    manager = make_user("Pak Hendra", email="ketua@ternak-makmur.id")
    cooperative = make_cooperative(manager, name="Koperasi Peternak Makmur", slug="peternak-makmur")
    pledges = (("Peternakan Sapi Makmur", 40), ("Ternak Sapi Lestari", 60))
    owners = [_member(cooperative, n, name) for n, (name, _q) in enumerate(pledges, start=1)]
    coalition = make_coalition(
        cooperative,
        TITLE,
        payment_mode=PaymentMode.CARD_HOLD,
        shared_cost_idr=SHARED_COST,
        deadline=utcnow() + timedelta(days=5),
    )
    db.session.commit()
    coalition_id = coalition.id
    coalition_url = f"/koalisi/{coalition_id}"
    terms = services.terms_of(coalition)
    worst = {q: engine.worst_case_amount(terms, q) for _n, q in pledges}
    assert worst[40] == 40 * 320_000 + 600_000  # the solo price, delivery split over at least the MOQ

    members = []
    for (owner, business), (name, quantity) in zip(owners, pledges, strict=True):
        member = phone()
        members.append(member)
        log_in(member, owner.email)
        member.goto(coalition_url)
        expect(member.locator("h1")).to_have_text(TITLE)
        expect(member.locator(".coalition-facts")).to_contain_text("Rp1.500.000")
        fits_the_phone(member)

        # The pledge: on to the hold page, which asks to hold the worst case.
        join = member.locator(".coalition-join")
        expect(join).to_contain_text(f"Atas nama {name}")
        join.get_by_label("Jumlah", exact=True).fill(str(quantity))
        with member.expect_navigation():
            join.get_by_role("button", name="Ikut", exact=True).click()
        member.wait_for_url(re.compile(rf"/koalisi/{coalition_id}/komitmen/\d+/tahan$"))
        expect(member.locator("h1")).to_have_text("Tahan dana kartu")
        expect(member.locator(".flash-success")).to_contain_text(f"Komitmen {name} tercatat.")
        expect(member.locator(".flash-info")).to_contain_text("Langkah terakhir: tahan dana di kartu Anda")
        expect(member.locator("main")).to_contain_text(f"Komitmen {name}: {quantity} karung.")
        expect(member.locator("main")).to_contain_text(f"menahan paling banyak {_rp(worst[quantity])}")
        pay = member.locator("#card-pay")
        expect(pay).to_have_text(f"Tahan {_rp(worst[quantity])}")
        expect(pay).to_be_enabled()  # Stripe.js loaded and the card form mounted
        fits_the_phone(member)
        made = _pledge_of(coalition_id, business.id)
        (pending,) = _holds(made.id)
        assert (pending.status, pending.amount_idr) == (P.PENDING, worst[quantity])
        assert member.url.endswith(f"/komitmen/{made.id}/tahan")

        if quantity == 40:
            # A declined card: the pledge is not secured; "Coba lagi" brings a fresh hold.
            _fill_card(member, DECLINED_CARD)
            pay.click()
            expect(member.locator("#card-message")).to_have_text(DECLINED, timeout=PAYMENT_WAIT_MS)
            expect(pay).to_have_text("Coba lagi")
            fits_the_phone(member)
            (declined,) = _holds(made.id)
            assert declined.status is P.FAILED
            with member.expect_navigation():
                pay.click()  # "Coba lagi" reloads the page with a new hold
            expect(pay).to_have_text(f"Tahan {_rp(worst[quantity])}")
            expect(pay).to_be_enabled()
            assert [h.status for h in _holds(made.id)] == [P.FAILED, P.PENDING]

        # The good card: once the bank holds the money the page moves on to the coalition.
        _fill_card(member, GOOD_CARD)
        pay.click()
        member.wait_for_url(
            re.compile(rf"/koalisi/{coalition_id}#komitmen-{made.id}$"), timeout=PAYMENT_WAIT_MS
        )
        mine = member.locator(f"#komitmen-{made.id}")
        expect(mine.locator("h3")).to_have_text(f"{name}: {quantity} karung")
        expect(mine.locator(".hold-ok")).to_contain_text(f"Dana ditahan di kartu: {_rp(worst[quantity])}")
        expect(mine.locator(".hold-missing")).to_have_count(0)
        fits_the_phone(member)
        held = _holds(made.id)[-1]
        assert (held.status, held.amount_idr) == (P.AUTHORIZED, worst[quantity])
        pi = intent(str(held.provider_ref))
        assert pi["status"] == "requires_capture" and pi["capture_method"] == "manual"
        assert pi["amount"] == worst[quantity] * 100

    first_pledge = _pledge_of(coalition_id, owners[0][1].id)
    declined_hold, first_hold = _holds(first_pledge.id)
    assert declined_hold.status is P.CANCELLED  # the declined attempt is closed for good ...
    assert intent(str(declined_hold.provider_ref))["status"] == "canceled"  # ... at Stripe too

    # --- the deadline passes; the scheduler closes the coalition and captures the holds ---------------------
    output = _close_due(app, coalition_id)
    assert f"Coalition {coalition_id} ({TITLE}): success, 100 karung at {_rp(FINAL_PRICE)}" in output
    assert "Card holds: 2 captured, 0 released, 0 could not be captured" in output, output
    coalition = _coalition()
    assert coalition.status is CoalitionStatus.CLOSED_SUCCESS and coalition.unit_price_idr == FINAL_PRICE

    cost_shares = split_cost(SHARED_COST, [q for _n, q in pledges])
    assert cost_shares == [600_000, 900_000]
    captured_refs = []
    for member, (_owner, business), (name, quantity), cost_share in zip(
        members, owners, pledges, cost_shares, strict=True
    ):
        total = quantity * FINAL_PRICE + cost_share
        member.reload()
        expect(member.locator(".coalition-status")).to_have_text("Berhasil")
        share_box = _share_box(member)
        expect(share_box.locator("h3")).to_contain_text(name)
        expect(share_box.locator(".share-status")).to_have_text("Lunas")
        expect(share_box.locator(".share-total")).to_have_text(_rp(total))
        facts = share_box.locator("dl").inner_text()
        assert _rp(cost_share) in facts and _rp(quantity * FINAL_PRICE) in facts
        assert "Sisa tagihan" not in facts
        expect(_bayar(member.locator("main"))).to_have_count(0)  # nothing left to pay
        expect(member.locator(".coalition-mine")).to_have_count(0)
        fits_the_phone(member)

        # The books and Stripe agree: the hold was for the worst case, only the share was taken.
        made = _pledge_of(coalition_id, business.id)
        share = _share_of(made.id)
        assert (share.status, share.total_idr, share.paid_idr, share.owed_idr) == (
            ShareStatus.PAID,
            total,
            total,
            0,
        )
        hold = _holds(made.id)[-1]
        assert (hold.status, hold.captured_idr, hold.share_id) == (P.SUCCEEDED, total, share.id)
        ref = str(hold.provider_ref)
        pi = intent(ref)
        assert pi["status"] == "succeeded" and pi["amount"] == worst[quantity] * 100
        assert captured_minor(ref) == total * 100
        captured_refs.append(ref)
    assert first_hold.provider_ref == captured_refs[0]
    assert captured_minor(str(declined_hold.provider_ref)) == 0  # the declined card was never charged

    # localstripe's webhooks about the captures reach the server and change nothing.
    def captures_reported() -> bool:
        rows = db.session.scalars(
            select(WebhookEvent.provider_ref).where(
                WebhookEvent.provider_ref.in_(captured_refs),
                WebhookEvent.event_type == "payment_intent.succeeded",
            )
        )
        return sorted(rows) == sorted(captured_refs)

    wait_for(captures_reported, timeout=PAYMENT_WAIT_MS / 1000)
    for (_owner, business), (_name, quantity), cost_share in zip(owners, pledges, cost_shares, strict=True):
        share = _share_of(_pledge_of(coalition_id, business.id).id)
        assert share.paid_idr == quantity * FINAL_PRICE + cost_share


# --- 2. pay on success: a bank transfer, reviewed by the manager --------------------------------------------


def test_member_pays_its_share_by_bank_transfer_and_the_manager_accepts_it(app, phone, tmp_path: Path):  # type: ignore[no-untyped-def]
    manager = make_user("Pak Hendra", email="ketua@ternak-makmur.id")
    cooperative = make_cooperative(manager, name="Koperasi Peternak Makmur", slug="peternak-makmur")
    make_bank_account(cooperative, bank="BRI", number="002101000777305", holder="Koperasi Peternak Makmur")
    pledges = (("Peternakan Sapi Makmur", 60), ("Ternak Sapi Lestari", 50))
    owners = [_member(cooperative, n, name) for n, (name, _q) in enumerate(pledges, start=1)]
    coalition = make_coalition(
        cooperative, TITLE, payment_mode=PaymentMode.PAY_ON_SUCCESS, shared_cost_idr=SHARED_COST
    )
    made = [
        make_pledge(coalition, business, quantity=q)
        for (_owner, business), (_n, q) in zip(owners, pledges, strict=True)
    ]
    db.session.commit()
    coalition_id, pledge_id = coalition.id, made[0].id
    coalition_url = f"/koalisi/{coalition_id}"
    output = _close_due(app, coalition_id)
    assert f"Coalition {coalition_id} ({TITLE}): success, 110 karung at {_rp(FINAL_PRICE)}" in output
    cost_share = split_cost(SHARED_COST, [q for _n, q in pledges])[0]
    total = 60 * FINAL_PRICE + cost_share
    assert total == 18_818_182
    share = _share_of(pledge_id)
    assert (share.status, share.total_idr) == (ShareStatus.DUE, total)
    share_id = share.id
    proof = tmp_path / "bukti-transfer.png"
    Image.new("RGB", (64, 48), (40, 120, 200)).save(proof, "PNG")

    # --- the member chooses a bank transfer ---------------------------------------------------------------
    owner, _business = owners[0]
    member = phone()
    log_in(member, owner.email)
    member.goto(coalition_url)
    expect(member.locator(".coalition-status")).to_have_text("Berhasil")
    share_box = _share_box(member)
    expect(share_box.locator(".share-status")).to_have_text("Menunggu pembayaran")
    expect(share_box.locator(".share-total")).to_have_text(_rp(total))
    fits_the_phone(member)
    share_box.get_by_role("link", name=f"Bayar {_rp(total)}", exact=True).click()
    member.wait_for_url(f"**/koalisi/{coalition_id}/bagian/{share_id}/bayar")
    expect(member.locator("h1")).to_have_text("Bayar bagian koalisi")
    expect(member.locator("h2")).to_have_text("Pilih cara bayar")
    fits_the_phone(member)
    with member.expect_navigation():
        member.get_by_role("button", name="Transfer bank ke rekening koperasi", exact=True).click()
    member.wait_for_url(f"**/koalisi/{coalition_id}/bagian/{share_id}/bayar")
    facts = member.locator(".transfer-facts")
    expect(facts.locator(".account-number")).to_have_text("002101000777305")
    expect(facts.locator(".reference")).to_have_text(re.compile(r"^KOP-"))
    reference = facts.locator(".reference").inner_text()
    text = facts.inner_text()
    assert _rp(total) in text and "BRI" in text and "Koperasi Peternak Makmur" in text
    fits_the_phone(member)
    db.session.rollback()
    transfer = db.session.scalars(
        select(CoalitionPayment).where(CoalitionPayment.reference == reference)
    ).one()
    assert (transfer.kind, transfer.status, transfer.amount_idr, transfer.share_id) == (
        PaymentKind.TRANSFER,
        P.PENDING,
        total,
        share_id,
    )

    # --- the member uploads the receipt --------------------------------------------------------------------
    member.locator(".proof-form input[type=file]").set_input_files(str(proof))
    with member.expect_navigation():
        member.get_by_role("button", name="Kirim bukti transfer", exact=True).click()
    member.wait_for_url(f"**/koalisi/{coalition_id}/bagian/{share_id}/bayar")
    expect(member.locator(".flash-success")).to_contain_text("Bukti transfer terkirim.")
    expect(member.locator(".flash-info")).to_contain_text("Bukti transfer sudah terkirim")
    expect(member.locator(".transfer-facts")).to_have_count(0)
    fits_the_phone(member)
    db.session.rollback()
    transfer = db.session.get(CoalitionPayment, transfer.id)
    assert transfer.status is P.AWAITING_REVIEW and transfer.proof_path

    # --- the manager reviews it: a rejection needs a reason; then it is accepted ---------------------------
    boss = phone()
    log_in(boss, manager.email)
    boss.goto(coalition_url)
    expect(boss.locator("#transfer")).to_have_text("Transfer menunggu pemeriksaan")
    waiting = boss.locator(".coalition-transfer")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(pledges[0][0])
    expect(waiting).to_contain_text(_rp(total))
    expect(waiting).to_contain_text(reference)
    proof_href = waiting.get_by_role("link", name="Lihat bukti").get_attribute("href")
    seen = boss.request.get(proof_href)
    assert seen.status == 200 and seen.headers["content-type"] == "image/webp"
    fits_the_phone(boss)

    waiting.get_by_label("Keputusan", exact=True).select_option(label="Tolak")
    assert waiting.get_by_label("Catatan / alasan penolakan", exact=True).input_value() == ""
    with boss.expect_navigation():
        waiting.get_by_role("button", name="Simpan", exact=True).click()
    expect(boss.locator(".flash-error")).to_have_text(
        "Tulis alasan penolakan agar anggota tahu apa yang harus diperbaiki."
    )
    waiting = boss.locator(".coalition-transfer")
    expect(waiting).to_have_count(1)  # still waiting: nothing changed
    expect(waiting).to_contain_text(reference)
    fits_the_phone(boss)
    db.session.rollback()
    transfer = db.session.get(CoalitionPayment, transfer.id)
    assert (transfer.status, transfer.review_note, transfer.reviewed_by_id) == (P.AWAITING_REVIEW, None, None)
    assert _share_of(pledge_id).status is ShareStatus.DUE

    waiting.get_by_label("Keputusan", exact=True).select_option(label="Transfer diterima")
    with boss.expect_navigation():
        waiting.get_by_role("button", name="Simpan", exact=True).click()
    expect(boss.locator(".flash-success")).to_have_text("Transfer dikonfirmasi.")
    expect(boss.locator(".coalition-transfer")).to_have_count(0)
    expect(boss.locator("#transfer")).to_have_count(0)
    row = boss.locator("table.coalition-members tbody tr", has_text=pledges[0][0])
    expect(row.locator("td").nth(3)).to_have_text(_rp(total))
    expect(row.locator("td").nth(4)).to_have_text("Lunas")
    fits_the_phone(boss)
    db.session.rollback()
    transfer = db.session.get(CoalitionPayment, transfer.id)
    assert (transfer.status, transfer.reviewed_by_id) == (P.SUCCEEDED, manager.id)
    share = _share_of(pledge_id)
    assert (share.status, share.paid_idr, share.owed_idr) == (ShareStatus.PAID, total, 0)

    # --- the member sees it paid and downloads the invoice -------------------------------------------------
    member.goto(coalition_url)
    share_box = _share_box(member)
    expect(share_box.locator(".share-status")).to_have_text("Lunas")
    expect(_bayar(member.locator("main"))).to_have_count(0)
    assert "Sisa tagihan" not in share_box.locator("dl").inner_text()
    fits_the_phone(member)
    with member.expect_download() as info:
        share_box.get_by_role("link", name="Unduh tagihan (PDF)", exact=True).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"tagihan-{coalition_id}-{share_id}.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")

    # The pay page says so, too; the manager may fetch the same invoice.
    member.goto(f"/koalisi/{coalition_id}/bagian/{share_id}/bayar")
    expect(member.locator(".flash-success")).to_have_text("Bagian ini sudah lunas. Terima kasih!")
    expect(member.locator(".choose-payment")).to_have_count(0)
    fits_the_phone(member)
    invoice = boss.request.get(f"/koalisi/{coalition_id}/bagian/{share_id}/tagihan.pdf")
    assert invoice.status == 200 and invoice.body().startswith(b"%PDF")
