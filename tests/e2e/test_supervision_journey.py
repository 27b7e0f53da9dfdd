"""Supervision, on 360 px phones with separate browsers. Kabupaten Bekasi has two cooperatives: one sold
through Gotong a few days ago, the other has done nothing since its last RAT 400 days ago. A member of the
public (no account) reports the dormant one from its public page: a too-short description is refused next to
the field first (nothing typed is lost), then the report goes out and the confirmation page gives its
reference and a private follow-up link. Bekasi's officer opens the regional dashboard (1 of 2 cooperatives
inactive, one open report), drills into the dormant cooperative (inactive, and why: its RAT and its last new
member are more than 12 months old), records a health assessment (a score of 101 is refused first, nothing
typed is lost) whose weighted score is 58,25 — "Dalam Pengawasan" — with a follow-up, then triages the report:
a field visit planned with an internal note, then resolved with a note for the reporter. The reporter's
private page shows "Selesai ditangani" and that note, never the internal one nor the officer's name. Solok
Selatan's officer is refused the Bekasi report and the Bekasi dashboard."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.clock import utcnow
from marketplace.dashboards.models import (
    HealthAssessment,
    HealthCategory,
    PublicReport,
    RatRecord,
    ReportCategory,
    ReportNote,
    ReportStatus,
)
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from tests.e2e.browser import fits_the_phone, log_in
from tests.factories import (
    BEKASI,
    SOLOK_SELATAN,
    make_bank_account,
    make_business,
    make_checkout,
    make_cooperative,
    make_membership,
    make_officer,
    make_product,
)

pytestmark = pytest.mark.e2e

JAKARTA = ZoneInfo("Asia/Jakarta")
ACTIVE = "Koperasi Produsen Tani Makmur Bekasi"
DORMANT = "Koperasi Serba Usaha Papan Nama Jaya"
OFFICER = "Bu Rina Wulandari"
SHORT = "Tutup terus."  # 12 characters: under the 20 a report needs
DESCRIPTION = (
    "Kantor koperasi di Jl. Raya Cikarang selalu tutup sejak awal tahun lalu. Hanya ada papan nama; "
    "anggota tidak pernah diundang rapat dan tidak tahu ke mana simpanan wajib mereka."
)
INTERNAL_NOTE = "Internal: cek akta dan daftar anggota di arsip dinas sebelum berangkat."
REPORTER_NOTE = (
    "Petugas sudah mengunjungi kantor koperasi. Pengurus diminta menyelenggarakan RAT dalam tiga bulan; "
    "koperasi masuk pengawasan dinas."
)
FOLLOW_UP = "Selenggarakan RAT tahun buku terakhir"
# Perdep 06/2016 weights (capital 15, asset quality 25, management 15, efficiency 10, liquidity 15,
# independence 10, identity 10): 900 + 1250 + 1050 + 600 + 825 + 400 + 800 = 5825 -> 58,25, which is
# "Dalam Pengawasan" (51 to under 66).
SCORES = {
    "Permodalan": 60,
    "Kualitas aktiva produktif": 50,
    "Manajemen": 70,
    "Efisiensi": 60,
    "Likuiditas": 55,
    "Kemandirian dan pertumbuhan": 40,
    "Jatidiri koperasi": 80,
}
SCORE_CENTI = 5825


# --- fixtures and steps -------------------------------------------------------------------------------------


def _goto(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page; another change may be restarting part of the app, so a 5xx is retried a few times."""
    for _attempt in range(5):
        response = page.goto(url)
        if response is None or response.status < 500:
            return
        page.wait_for_timeout(1_000)
    raise AssertionError(f"{url} answered {response.status}")


def _submit(page, name: str) -> int:  # type: ignore[no-untyped-def]
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name, exact=True).click()
    return navigation.value.status


def _field(page, label: str):  # type: ignore[no-untyped-def]
    return page.locator(".field", has=page.get_by_label(label, exact=True))


def _day(value: date) -> str:
    """A date as the pages show it (the ``|date`` filter: Babel's medium format in Indonesian)."""
    return format_date(value, "medium", locale="id")


def _wib(moment: datetime) -> date:
    return moment.astimezone(JAKARTA).date()


def _member_since(cooperative, at: datetime):  # type: ignore[no-untyped-def]
    business = make_business(region=BEKASI)
    membership = make_membership(cooperative, business)
    membership.joined_at = at
    db.session.flush()
    return business


def _sale(cooperative, business, at: datetime):  # type: ignore[no-untyped-def]
    """A paid order through the cooperative (as in tests/marketplace/test_activity.py)."""
    product = make_product(business, cooperative=cooperative, stock=50)
    make_bank_account(business)
    order = make_checkout([(product, 1)]).orders[0]
    assert order.cooperative_id == cooperative.id
    order.status = OrderStatus.PAID  # fixture: the order's history is not what is under test here
    order.created_at = at
    db.session.flush()
    return order


# --- the journey --------------------------------------------------------------------------------------------


def test_officer_drills_into_an_inactive_cooperative_assesses_it_and_triages_a_report(phone):  # type: ignore[no-untyped-def]
    now = utcnow().replace(hour=5, minute=0, second=0, microsecond=0)  # 12.00 WIB: no day boundary near
    today = _wib(utcnow())
    active = make_cooperative(name=ACTIVE, slug="tani-makmur-bekasi", region=BEKASI)
    seller = _member_since(active, now - timedelta(days=730))
    _sale(active, seller, now - timedelta(days=3))
    dormant = make_cooperative(name=DORMANT, slug="papan-nama-jaya", region=BEKASI)
    joined = now - timedelta(days=730)
    _member_since(dormant, joined)
    rat_day = _wib(now) - timedelta(days=400)
    db.session.add(RatRecord(cooperative_id=dormant.id, held_on=rat_day, financial_year=rat_day.year - 1))
    officer = make_officer(BEKASI[1], name=OFFICER)
    solok_officer = make_officer(SOLOK_SELATAN[1], name="Pak Andi Solok")
    db.session.commit()

    # --- a member of the public reports the dormant cooperative ---------------------------------------------
    public = phone()
    _goto(public, f"/koperasi/{dormant.slug}")
    expect(public.locator("h1")).to_contain_text(DORMANT)
    with public.expect_navigation():
        public.get_by_role("link", name="Laporkan masalah koperasi ini").click()
    public.wait_for_url(f"**/koperasi/{dormant.slug}/lapor")
    fits_the_phone(public)
    public.get_by_label("Tidak aktif / hanya papan nama").check()
    public.get_by_label("Ceritakan masalahnya").fill(SHORT)
    public.get_by_label("Nama Anda (boleh kosong)").fill("Pak Darto")
    public.get_by_label("E-mail atau nomor HP (boleh kosong)").fill("darto@contoh.id")
    assert _submit(public, "Kirim laporan") == 422
    expect(_field(public, "Ceritakan masalahnya").locator(".error")).to_have_text(
        "Uraian 20 sampai 5000 karakter."
    )
    assert public.get_by_label("Ceritakan masalahnya").get_attribute("aria-invalid") == "true"
    # Nothing typed is lost.
    assert public.get_by_label("Ceritakan masalahnya").input_value() == SHORT
    expect(public.get_by_label("Tidak aktif / hanya papan nama")).to_be_checked()
    assert public.get_by_label("Nama Anda (boleh kosong)").input_value() == "Pak Darto"
    assert public.get_by_label("E-mail atau nomor HP (boleh kosong)").input_value() == "darto@contoh.id"
    fits_the_phone(public)
    db.session.rollback()
    assert db.session.scalars(select(PublicReport)).first() is None

    public.get_by_label("Ceritakan masalahnya").fill(DESCRIPTION)
    _submit(public, "Kirim laporan")
    public.wait_for_url("**/lapor/terkirim/*")
    expect(public.locator("h1")).to_have_text("Laporan terkirim")
    reference = public.get_by_test_id("report-reference").inner_text()
    assert re.fullmatch(r"LAP-[2-9A-HJKMNP-Z]{6}", reference), reference
    follow_link = public.get_by_test_id("follow-link").get_attribute("href")
    assert re.search(r"/lapor/status/[^/]+$", follow_link), follow_link
    assert public.get_by_test_id("follow-link").inner_text() == follow_link
    expect(public.locator("main")).to_contain_text("Tautan yang sama juga kami kirim ke darto@contoh.id.")
    fits_the_phone(public)
    db.session.rollback()
    report = db.session.scalars(select(PublicReport)).one()
    assert (report.reference, report.cooperative_id, report.category, report.status) == (
        reference,
        dormant.id,
        ReportCategory.INACTIVE,
        ReportStatus.RECEIVED,
    )
    assert report.description == DESCRIPTION and report.reporter_id is None
    assert (report.reporter_name, report.reporter_contact) == ("Pak Darto", "darto@contoh.id")

    # The private link works in any browser, with no account: the report was received, no news yet.
    _goto(public, follow_link)
    expect(public.get_by_test_id("report-status")).to_have_text("Diterima")
    expect(public.locator("main")).to_contain_text("Belum ada kabar.")

    # --- the officer: the regional dashboard ----------------------------------------------------------------
    desk = phone()
    log_in(desk, officer.email)
    _goto(desk, "/wilayah/")
    scope = desk.locator(f"a.dash-tile[data-scope='{BEKASI[1]}']")
    expect(scope).to_contain_text("Kabupaten Bekasi")
    expect(scope).to_contain_text("1 dari 2 tidak aktif")
    expect(desk.locator("a.dash-tile[data-scope]")).to_have_count(1)  # only their own regency
    fits_the_phone(desk)
    with desk.expect_navigation():
        scope.click()
    desk.wait_for_url(f"**/wilayah/{BEKASI[1]}")
    expect(desk.locator("h1")).to_contain_text("Kabupaten Bekasi")
    expect(desk.locator("[data-tile=total] strong")).to_have_text("2")
    expect(desk.locator("[data-tile=active] strong")).to_have_text("1")
    expect(desk.locator("[data-tile=inactive]")).to_contain_text("1 dari 2 tidak aktif")
    expect(desk.locator("[data-tile=reports] strong")).to_have_text("1")
    fits_the_phone(desk)
    inactive_rows = desk.locator("#table-tidak-aktif tbody tr")
    expect(inactive_rows).to_have_count(1)
    row = desk.locator(f"#table-tidak-aktif tr[data-cooperative='{dormant.id}']")
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(DORMANT)
    expect(cells.nth(2)).to_have_text("RAT terakhir")  # what it last did, and when
    expect(cells.nth(3)).to_have_text(_day(rat_day))
    expect(cells.nth(4)).to_have_text("1")  # its one active member
    expect(desk.locator("#tidak-aktif")).not_to_contain_text(ACTIVE)

    # --- drilling into the dormant cooperative --------------------------------------------------------------
    with desk.expect_navigation():
        row.get_by_role("link", name=DORMANT).click()
    desk.wait_for_url(f"**/wilayah/koperasi/{dormant.slug}")
    expect(desk.locator("h1")).to_have_text(DORMANT)
    expect(desk.locator("#keaktifan [data-activity]")).to_have_text("Tidak aktif")
    expect(desk.locator("#keaktifan [data-activity]")).to_have_attribute("data-activity", "inactive")
    # Why: the RAT and the last new member are older than 12 months, and nothing else happened.
    rat_row = desk.locator("#keaktifan tr[data-kind=rat]")
    expect(rat_row.locator("td").first).to_have_text(_day(rat_day))
    expect(rat_row.locator("td[data-counts]")).to_have_attribute("data-counts", "no")
    member_row = desk.locator("#keaktifan tr[data-kind=member]")
    expect(member_row.locator("td").first).to_have_text(_day(_wib(joined)))
    expect(member_row.locator("td[data-counts]")).to_have_attribute("data-counts", "no")
    for kind in ("sale", "coalition"):
        expect(desk.locator(f"#keaktifan tr[data-kind={kind}] td").first).to_have_text("Belum ada")
    expect(desk.locator("#keaktifan td[data-counts=yes]")).to_have_count(0)
    expect(desk.locator("#rat tr[data-rat]")).to_have_count(1)
    expect(desk.locator("#laporan [data-open-reports]")).to_have_attribute("data-open-reports", "1")
    expect(desk.locator("#penilaian")).to_contain_text("Belum ada penilaian kesehatan.")
    fits_the_phone(desk)

    # --- a health assessment: 101 first ---------------------------------------------------------------------
    with desk.expect_navigation():
        desk.get_by_role("link", name="Catat penilaian baru").click()
    desk.wait_for_url(f"**/wilayah/koperasi/{dormant.slug}/penilaian/baru")
    expect(desk.locator("h1")).to_have_text("Penilaian kesehatan baru")
    assert desk.get_by_label("Tanggal penilaian").input_value() == today.isoformat()
    assert desk.get_by_label("Tahun buku yang dinilai").input_value() == str(today.year - 1)
    fits_the_phone(desk)
    for label, score in SCORES.items():
        desk.get_by_label(label, exact=True).fill("101" if label == "Manajemen" else str(score))
    desk.get_by_label("Ringkasan temuan").fill("Kantor tutup; RAT terakhir lebih dari setahun lalu.")
    desk.locator("#follow_ups-0-description").fill(FOLLOW_UP)
    due = today + timedelta(days=90)
    desk.locator("#follow_ups-0-due_on").fill(due.isoformat())
    assert _submit(desk, "Simpan penilaian") == 422
    expect(_field(desk, "Manajemen").locator(".error")).to_have_text("Nilai harus 0 sampai 100.")
    assert desk.get_by_label("Manajemen", exact=True).get_attribute("aria-invalid") == "true"
    for label, score in SCORES.items():  # nothing typed is lost, the wrong value included
        expected = "101" if label == "Manajemen" else str(score)
        assert desk.get_by_label(label, exact=True).input_value() == expected, label
    assert desk.locator("#follow_ups-0-description").input_value() == FOLLOW_UP
    assert desk.locator("#follow_ups-0-due_on").input_value() == due.isoformat()
    assert desk.get_by_label("Ringkasan temuan").input_value().startswith("Kantor tutup")
    fits_the_phone(desk)
    db.session.rollback()
    assert db.session.scalars(select(HealthAssessment)).first() is None

    desk.get_by_label("Manajemen", exact=True).fill(str(SCORES["Manajemen"]))
    _submit(desk, "Simpan penilaian")
    desk.wait_for_url(re.compile(rf"/wilayah/koperasi/{dormant.slug}/penilaian/\d+$"))
    expect(desk.locator(".flash-success")).to_contain_text("Penilaian kesehatan disimpan.")
    total = desk.locator(".assessment-total")
    expect(total.locator("[data-score]")).to_have_text("58,25")
    expect(total.locator("[data-category]")).to_have_text("Dalam Pengawasan")
    expect(desk.locator(".assessment-aspects tbody tr")).to_have_count(7)
    expect(desk.locator(".assessment-aspects tr[data-aspect=asset_quality] td")).to_have_text(
        ["50", "25", "12,50"]
    )
    expect(desk.locator(".assessment-aspects tfoot td").last).to_have_text("58,25")
    follow_up = desk.locator("#tindak-lanjut li[data-follow-up]")
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_contain_text(FOLLOW_UP)
    expect(follow_up).to_contain_text(f"tenggat {_day(due)}")
    expect(follow_up).to_have_attribute("data-done", "no")
    fits_the_phone(desk)
    db.session.rollback()
    assessment = db.session.scalars(select(HealthAssessment)).one()
    assert (assessment.cooperative_id, assessment.assessed_by_id) == (dormant.id, officer.id)
    assert (assessment.score_centi, assessment.category) == (SCORE_CENTI, HealthCategory.UNDER_SUPERVISION)
    assert (assessment.assessed_on, assessment.financial_year) == (today, today.year - 1)
    assert assessment.scores == {
        "capital": 60,
        "asset_quality": 50,
        "management": 70,
        "efficiency": 60,
        "liquidity": 55,
        "independence": 40,
        "identity": 80,
    }
    assert [(f.description, f.due_on, f.done_at) for f in assessment.follow_ups] == [(FOLLOW_UP, due, None)]

    # The cooperative's page lists it, and its open follow-up.
    with desk.expect_navigation():
        desk.get_by_role("link", name=f"← {DORMANT}").click()
    listed = desk.locator(f"#penilaian tr[data-assessment='{assessment.id}']")
    expect(listed.locator("[data-score]")).to_have_text("58,25")
    expect(listed).to_contain_text("Dalam Pengawasan")
    expect(desk.locator("#tindak-lanjut tr[data-follow-up]")).to_contain_text(FOLLOW_UP)
    fits_the_phone(desk)

    # --- the public report: a field visit, then resolved ----------------------------------------------------
    with desk.expect_navigation():
        desk.locator("#laporan").get_by_role("link", name="Lihat laporan").click()
    desk.wait_for_url(f"**/wilayah/laporan?koperasi={dormant.slug}")
    report_row = desk.locator(f"tr[data-reference='{reference}']")
    expect(desk.locator(".reports-table tbody tr")).to_have_count(1)
    expect(report_row).to_contain_text("Tidak aktif / hanya papan nama")
    expect(report_row).to_contain_text("Diterima")
    fits_the_phone(desk)
    with desk.expect_navigation():
        report_row.get_by_role("link", name=reference).click()
    desk.wait_for_url(f"**/wilayah/laporan/{reference}")
    expect(desk.get_by_test_id("report-status")).to_have_text("Diterima")
    expect(desk.locator("main")).to_contain_text(DESCRIPTION)
    expect(desk.locator("main")).to_contain_text("Pak Darto")
    fits_the_phone(desk)

    visit_day = today + timedelta(days=7)
    desk.get_by_label("Kunjungan lapangan dijadwalkan", exact=True).check()
    desk.get_by_label("Tanggal kunjungan lapangan").fill(visit_day.isoformat())
    desk.get_by_label("Catatan", exact=True).fill(INTERNAL_NOTE)
    _submit(desk, "Simpan")
    desk.wait_for_url(f"**/wilayah/laporan/{reference}")
    expect(desk.locator(".flash-success")).to_contain_text("Status laporan: Kunjungan lapangan dijadwalkan.")
    expect(desk.get_by_test_id("report-status")).to_have_text("Kunjungan lapangan dijadwalkan")
    expect(desk.locator("main")).to_contain_text(format_date(visit_day, "long", locale="id"))
    history = desk.locator(".report-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(OFFICER)
    expect(history.first).to_contain_text("Internal")
    expect(history.first).to_contain_text(INTERNAL_NOTE)
    db.session.rollback()
    report = db.session.get(PublicReport, report.id)
    assert (report.status, report.visit_on) == (ReportStatus.VISIT_PLANNED, visit_day)

    desk.get_by_label("Selesai ditangani", exact=True).check()
    desk.get_by_label("Catatan", exact=True).fill(REPORTER_NOTE)
    desk.get_by_label("Tampilkan catatan ini kepada pelapor").check()
    _submit(desk, "Simpan")
    expect(desk.locator(".flash-success")).to_contain_text("Status laporan: Selesai ditangani.")
    expect(desk.get_by_test_id("report-status")).to_have_text("Selesai ditangani")
    expect(history).to_have_count(2)
    expect(history.last).to_contain_text("Dilihat pelapor")
    expect(desk.locator("main")).to_contain_text("Laporan ini sudah ditutup")
    fits_the_phone(desk)
    db.session.rollback()
    report = db.session.get(PublicReport, report.id)
    assert report.status is ReportStatus.RESOLVED
    notes = db.session.scalars(
        select(ReportNote).where(ReportNote.report_id == report.id).order_by(ReportNote.id)
    ).all()
    assert [(n.from_status, n.to_status, n.note, n.for_reporter, n.author_id) for n in notes] == [
        (ReportStatus.RECEIVED, ReportStatus.VISIT_PLANNED, INTERNAL_NOTE, False, officer.id),
        (ReportStatus.VISIT_PLANNED, ReportStatus.RESOLVED, REPORTER_NOTE, True, officer.id),
    ]

    # The dashboard has no open report left.
    _goto(desk, f"/wilayah/{BEKASI[1]}")
    expect(desk.locator("[data-tile=reports] strong")).to_have_text("0")

    # --- the reporter follows up with the private link ------------------------------------------------------
    _goto(public, follow_link)
    expect(public.locator("h1")).to_have_text(f"Laporan {reference}")
    expect(public.get_by_test_id("report-status")).to_have_text("Selesai ditangani")
    reporter_notes = public.locator(".report-notes li")
    expect(reporter_notes).to_have_count(1)
    expect(reporter_notes.first).to_contain_text(REPORTER_NOTE)
    page_text = public.locator("body").inner_text()
    assert INTERNAL_NOTE not in page_text
    assert OFFICER not in page_text
    assert "Pak Andi Solok" not in page_text
    fits_the_phone(public)

    # --- another regency's officer sees none of it ----------------------------------------------------------
    solok = phone()
    log_in(solok, solok_officer.email)
    assert solok.goto(f"/wilayah/laporan/{reference}").status == 403
    assert solok.goto(f"/wilayah/{BEKASI[1]}").status == 403
    assert solok.goto(f"/wilayah/koperasi/{dormant.slug}").status == 403
    _goto(solok, "/wilayah/laporan?status=all")
    expect(solok.locator(f"tr[data-reference='{reference}']")).to_have_count(0)
