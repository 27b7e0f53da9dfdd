"""The officer's page of one cooperative: activity status with why, RAT records, assessment history (chart and
table), open follow-ups and reports, the CSV of the history, and who may see it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from marketplace.clock import utcnow
from marketplace.cooperatives.models import Membership, MembershipStatus
from marketplace.dashboards import exports, health_service
from marketplace.dashboards.activity import JAKARTA
from marketplace.dashboards.models import (
    FollowUpAction,
    HealthAssessment,
    PublicReport,
    RatRecord,
    ReportCategory,
    ReportStatus,
)
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale, PaymentMethod
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_officer, make_user


def page_url(cooperative) -> str:  # type: ignore[no-untyped-def]
    return f"/wilayah/koperasi/{cooperative.slug}"


def old_member(cooperative, years: int = 3):  # type: ignore[no-untyped-def]
    """A member that joined long ago (so "new member" does not make the cooperative active)."""
    business = make_business()
    joined = utcnow() - timedelta(days=365 * years)
    db.session.add(
        Membership(
            cooperative=cooperative,
            business=business,
            status=MembershipStatus.ACTIVE,
            joined_at=joined,
            decided_at=joined,
        )
    )
    db.session.flush()
    return business


def offline_sale(business, days_ago: int) -> OfflineSale:  # type: ignore[no-untyped-def]
    sale = OfflineSale(
        business_id=business.id,
        title="Boneka rajut",
        unit="pcs",
        quantity=1,
        unit_price_idr=85_000,
        total_idr=85_000,
        method=PaymentMethod.CASH,
        sold_at=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(sale)
    db.session.flush()
    return sale


def activity_cells(page: str) -> dict[str, str]:
    """kind -> 'yes'/'no' from the activity table."""
    return dict(re.findall(r'data-kind="(\w+)">.*?data-counts="(yes|no)"', page, re.S))


def assessment(cooperative, officer, on: date, centi: int, year: int | None = None) -> HealthAssessment:  # type: ignore[no-untyped-def]
    from marketplace.dashboards import health

    row = HealthAssessment(
        cooperative_id=cooperative.id,
        assessed_on=on,
        financial_year=year or on.year - 1,
        weight_set_name="KSP/USP — Perdep 06/2016",
        weights=dict(health.PERDEP_06_2016),
        scores={},
        score_centi=centi,
        category=health.category_for(centi),
        assessed_by_id=officer.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_a_sale_364_days_ago_keeps_the_cooperative_active(web) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    offline_sale(old_member(cooperative), days_ago=364)
    web.login(make_officer("32.16"))
    page = html(web.get(page_url(cooperative)))
    assert 'data-activity="active"' in page and "Aktif" in page
    assert activity_cells(page) == {"sale": "yes", "coalition": "no", "member": "no", "rat": "no"}


def test_a_sale_366_days_ago_does_not(web) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    sale = offline_sale(old_member(cooperative), days_ago=366)
    web.login(make_officer("32.16"))
    page = html(web.get(page_url(cooperative)))
    assert 'data-activity="inactive"' in page and "Tidak aktif" in page
    assert activity_cells(page) == {"sale": "no", "coalition": "no", "member": "no", "rat": "no"}
    # ... and the page says when that last sale was (the "why").
    sold_on = sale.sold_at.astimezone(JAKARTA).date()
    sale_row = re.search(r'data-kind="sale">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    assert str(sold_on.year) in sale_row and "Belum ada" not in sale_row


def test_a_rat_200_days_ago_alone_keeps_it_active_and_is_listed(web) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    held = utcnow().astimezone(JAKARTA).date() - timedelta(days=200)
    db.session.add(
        RatRecord(cooperative_id=cooperative.id, held_on=held, financial_year=held.year - 1, attendees=41)
    )
    db.session.flush()
    web.login(make_officer("32"))  # the province's officer covers the regency
    page = html(web.get(page_url(cooperative)))
    assert 'data-activity="active"' in page
    assert activity_cells(page) == {"sale": "no", "coalition": "no", "member": "no", "rat": "yes"}
    year = held.year - 1
    assert re.search(rf'data-rat="\d+">.*?<td>{year}</td>\s*<td>41</td>', page, re.S)
    assert "Tidak ada" in page  # no minutes uploaded


def test_rat_minutes_and_open_reports_link_to_their_pages(web, app) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    record = RatRecord(
        cooperative_id=cooperative.id,
        held_on=date(2025, 4, 12),
        financial_year=2024,
        minutes_path="rat/notulen-uji.pdf",
        minutes_filename="notulen-rat-2024.pdf",
    )
    db.session.add(record)
    db.session.flush()
    web.login(make_officer("32.16"))
    page = html(web.get(page_url(cooperative)))
    assert "notulen-rat-2024.pdf" in page
    if "rat.minutes" in app.view_functions:
        assert f'href="/koperasi/{cooperative.slug}/rat/{record.id}/notulen"' in page
    if "reports.inbox" in app.view_functions:
        assert f"/wilayah/laporan?koperasi={cooperative.slug}" in page


def test_profile_counts_active_members_and_names_managers(web) -> None:  # type: ignore[no-untyped-def]
    chair = make_user("Bu Ketua Rahayu")
    cooperative = make_cooperative(chair, "Koperasi Sejahtera Bekasi")
    old_member(cooperative)
    old_member(cooperative)
    web.login(make_officer("32.16"))
    page = html(web.get(page_url(cooperative)))
    assert "Koperasi Sejahtera Bekasi" in page
    assert "Bu Ketua Rahayu" in page
    assert "data-members>2<" in page
    assert "Kabupaten Bekasi" in page
    assert f'href="/koperasi/{cooperative.slug}"' in page  # the public page


def test_history_table_chart_and_csv_match(web) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    officer = make_officer("32.16", "Pak Petugas Hadi")
    assessment(cooperative, officer, date(2024, 3, 5), 6590)
    assessment(cooperative, officer, date(2025, 3, 10), 7985)
    newest = assessment(cooperative, officer, date(2026, 2, 20), 8000)
    db.session.add(
        FollowUpAction(
            assessment_id=newest.id,
            cooperative_id=cooperative.id,
            description="Susun SOP penagihan pinjaman",
            due_on=date(2026, 6, 30),
        )
    )
    db.session.flush()
    web.login(officer)
    page = html(web.get(page_url(cooperative)))
    scores = re.findall(r"<td data-score>([^<]+)</td>", page)
    assert scores == ["80,00", "79,85", "65,90"]  # newest first
    assert page.count("<rect") == 3  # one column per assessment
    assert "Susun SOP penagihan pinjaman" in page
    assert "Sehat" in page and "Cukup Sehat" in page and "Dalam Pengawasan" in page

    response = web.get(f"/wilayah/koperasi/{cooperative.slug}/penilaian.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = exports.parse_csv(response.data)
    assert rows[0] == ["Tanggal penilaian", "Tahun buku", "Skor", "Kategori", "Penilai"]
    assert rows[1:] == [
        ["2026-02-20", "2025", "80,00", "Sehat", "Pak Petugas Hadi"],
        ["2025-03-10", "2024", "79,85", "Cukup Sehat", "Pak Petugas Hadi"],
        ["2024-03-05", "2023", "65,90", "Dalam Pengawasan", "Pak Petugas Hadi"],
    ]
    assert [r[2] for r in rows[1:]] == scores
    # The table's category cells say the same as the CSV.
    table = re.findall(r'data-assessment="\d+">.*?<span class="badge [\w-]+">([^<]+)</span>', page, re.S)
    assert table == [r[3] for r in rows[1:]]


def test_open_reports_are_counted(web) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    for n, status in enumerate((ReportStatus.RECEIVED, ReportStatus.VISIT_PLANNED, ReportStatus.RESOLVED)):
        db.session.add(
            PublicReport(
                reference=f"LAP-TEST{n}",
                token_hash=f"{n:064d}",
                cooperative_id=cooperative.id,
                category=ReportCategory.LIKE_A_BANK,
                description="Menghimpun dana dari bukan anggota.",
                status=status,
            )
        )
    db.session.flush()
    web.login(make_officer("32.16"))
    page = html(web.get(page_url(cooperative)))
    assert 'data-open-reports="2"' in page
    assert health_service.open_report_count(cooperative) == 2


def test_officer_of_another_region_manager_and_anonymous_are_refused(web) -> None:  # type: ignore[no-untyped-def]
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager)
    csv_url = f"/wilayah/koperasi/{cooperative.slug}/penilaian.csv"
    anonymous = web.get(page_url(cooperative))
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.location
    web.login(make_officer("13.11"))
    assert web.get(page_url(cooperative)).status_code == 403
    assert web.get(csv_url).status_code == 403
    web.logout()
    web.login(manager)
    assert web.get(page_url(cooperative)).status_code == 403
    assert web.get(csv_url).status_code == 403
    web.logout()
    web.login(make_user("Admin", is_admin=True))
    assert web.get(page_url(cooperative)).status_code == 200
    assert web.get("/wilayah/koperasi/tidak-ada").status_code == 404


@pytest.fixture
def counting(app):  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def count(*_args):  # type: ignore[no-untyped-def]
        counter["n"] += 1

    engine = db.engines[None]
    event.listen(engine, "before_cursor_execute", count)
    yield counter
    event.remove(engine, "before_cursor_execute", count)


def test_the_page_does_not_query_per_assessment(web, counting) -> None:  # type: ignore[no-untyped-def]
    cooperative = make_cooperative()
    officer = make_officer("32.16")
    web.login(officer)

    def add(n: int, start: int) -> None:
        for i in range(n):
            row = assessment(cooperative, officer, date(2010 + start + i, 1, 1), 7000 + i)
            db.session.add(
                FollowUpAction(assessment_id=row.id, cooperative_id=cooperative.id, description=f"Tugas {i}")
            )
            held = date(2010 + start + i, 2, 1)
            db.session.add(
                RatRecord(cooperative_id=cooperative.id, held_on=held, financial_year=held.year - 1)
            )
        db.session.flush()

    url = page_url(cooperative)
    add(1, 0)
    web.get(url)
    counting["n"] = 0
    web.get(url)
    few = counting["n"]
    add(6, 1)
    counting["n"] = 0
    page = html(web.get(url))
    assert page.count("data-follow-up=") == 7
    assert counting["n"] == few
