"""Public reports about cooperatives: reporting (anonymous or signed in), following by private link, and the
officers' triage inside their regions."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.dashboards import reports
from marketplace.dashboards.activity import region_cooperative_ids
from marketplace.dashboards.models import PublicReport, ReportNote, ReportStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail
from marketplace.notifications import services as notification_services
from marketplace.notifications.models import Notification
from tests.conftest import html
from tests.factories import (
    BEKASI,
    SOLOK_SELATAN,
    make_cooperative,
    make_officer,
    make_photo_bytes,
    make_user,
)

DESCRIPTION = "Koperasi ini menghimpun dana dari warga yang bukan anggota dengan janji bunga 5% per bulan."


def _form(**overrides):  # type: ignore[no-untyped-def]
    data = {"category": "like_bank", "description": DESCRIPTION, "reporter_name": "", "reporter_contact": ""}
    data.update(overrides)
    return data


def _report_via_web(web, cooperative, **overrides):  # type: ignore[no-untyped-def]
    response = web.post(f"/koperasi/{cooperative.slug}/lapor", _form(**overrides))
    assert response.status_code == 302, html(response)[:3000]
    sent = web.get(response.headers["Location"])
    assert sent.status_code == 200
    page = html(sent)
    token = re.search(r"/lapor/status/([\w-]+)", page).group(1)
    reference = re.search(r"LAP-[0-9A-Z]{6}", page).group(0)
    return db.session.scalar(select(PublicReport).where(PublicReport.reference == reference)), token, page


def _make_report(cooperative, status=ReportStatus.RECEIVED, **kw) -> PublicReport:  # type: ignore[no-untyped-def]
    sent = reports.submit_report(
        cooperative, reports.ReportData(category=kw.pop("category", "fraud"), description=DESCRIPTION)
    )
    sent.report.status = status
    db.session.flush()
    return sent.report


# --- reporting and following --------------------------------------------------------------------------------


def test_anonymous_report_is_stored_with_a_hashed_token_and_followed_by_link(web):
    coop = make_cooperative(region=SOLOK_SELATAN)
    officer = make_officer("13")
    other = make_officer("32.16")
    db.session.commit()

    report, token, page = _report_via_web(web, coop, reporter_name="Warga Sangir")

    assert report.status is ReportStatus.RECEIVED
    assert re.fullmatch(r"LAP-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}", report.reference)
    assert report.cooperative_id == coop.id
    assert report.reporter_id is None and report.reporter_name == "Warga Sangir"
    assert report.description == DESCRIPTION
    assert report.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (report.token_hash, report.reference)
    # The confirmation shows the absolute private link and the warning to keep it.
    assert f"http://localhost/lapor/status/{token}" in page
    assert "Simpan tautan ini" in page

    follow = web.get(f"/lapor/status/{token}")
    assert follow.status_code == 200
    assert follow.headers["Cache-Control"] == "private, no-store"
    text = html(follow)
    assert coop.name in text and "Diterima" in text and report.reference in text
    assert web.get("/lapor/status/bukan-token-yang-benar").status_code == 404

    # The officers covering Solok Selatan are told in-app; an officer of Bekasi is not.
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "report.received"))
    assert set(notified) == {officer.id}
    assert other.id not in set(notified)
    sent_note = db.session.scalars(select(Notification).where(Notification.user_id == officer.id)).one()
    assert notification_services.message(sent_note) == (
        f"Laporan masyarakat {report.reference} tentang {coop.name}: "
        "Beroperasi seperti bank (menghimpun dana / meminjamkan ke bukan anggota)."
    )
    assert sent_note.link == f"/wilayah/laporan/{report.reference}"


def test_unknown_cooperative_is_404_and_suspended_one_can_be_reported(web):
    assert web.get("/koperasi/tidak-ada/lapor").status_code == 404
    coop = make_cooperative()
    coop.suspended_at = db.func.now()
    db.session.commit()
    assert web.get(f"/koperasi/{coop.slug}/lapor").status_code == 200
    report, _token, _page = _report_via_web(web, coop)
    assert report.cooperative_id == coop.id


def test_signed_in_report_prefills_and_mails_the_link_in_the_reporters_language(web):
    user = make_user("Budi Santoso", email="budi@contoh.id")
    coop = make_cooperative()
    db.session.commit()
    web.login(user)
    form = html(web.get(f"/koperasi/{coop.slug}/lapor"))
    assert 'value="Budi Santoso"' in form and 'value="budi@contoh.id"' in form

    web.post("/bahasa", {"lang": "en"})
    report, token, _page = _report_via_web(
        web, coop, reporter_name="Budi Santoso", reporter_contact="Budi@Contoh.id"
    )
    assert report.reporter_id == user.id
    assert report.reporter_contact == "budi@contoh.id"
    assert report.locale == "en"
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == "budi@contoh.id")).one()
    assert f"/lapor/status/{token}" in mail.body
    assert report.reference in mail.subject


def test_phone_contact_is_normalised_and_no_mail_is_sent(web):
    coop = make_cooperative()
    db.session.commit()
    report, _token, _page = _report_via_web(web, coop, reporter_contact="0812-3456-7890")
    assert report.reporter_contact == "+6281234567890"
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_bad_input_keeps_what_was_typed(web):
    coop = make_cooperative()
    db.session.commit()
    response = web.post(
        f"/koperasi/{coop.slug}/lapor",
        _form(description="Terlalu pendek", reporter_name="Ani", reporter_contact="ani@contoh.id"),
    )
    assert response.status_code == 422
    page = html(response)
    assert "Terlalu pendek" in page and 'value="Ani"' in page and 'value="ani@contoh.id"' in page
    assert (
        'value="like_bank" checked' in page
        or 'checked value="like_bank"' in page
        or re.search(
            r'<input[^>]*checked[^>]*value="like_bank"|<input[^>]*value="like_bank"[^>]*checked', page
        )
    )
    assert "20" in page  # the minimum length is said

    bad_contact = web.post(f"/koperasi/{coop.slug}/lapor", _form(reporter_contact="bukan kontak"))
    assert bad_contact.status_code == 422
    assert "nomor HP" in html(bad_contact) and DESCRIPTION in html(bad_contact)

    no_category = web.post(f"/koperasi/{coop.slug}/lapor", _form(category=""))
    assert no_category.status_code == 422 and "Pilih jenis masalah." in html(no_category)
    assert db.session.scalars(select(PublicReport)).all() == []


def test_missing_csrf_is_refused(web):
    coop = make_cooperative()
    db.session.commit()
    assert web.post(f"/koperasi/{coop.slug}/lapor", _form(), csrf=False).status_code == 400
    report = _make_report(coop)
    admin = make_user(is_admin=True)
    db.session.commit()
    web.login(admin)
    response = web.post(
        f"/wilayah/laporan/{report.reference}/tindak", {"action": "dismissed", "note": "x"}, csrf=False
    )
    assert response.status_code == 400
    assert db.session.scalars(select(PublicReport)).all() == [report]


def test_reporting_is_rate_limited_per_address(web):
    coop = make_cooperative()
    db.session.commit()
    token = web.csrf()
    statuses = [
        web.post(f"/koperasi/{coop.slug}/lapor", {**_form(), "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert "terlalu banyak laporan" in html(
        web.post(f"/koperasi/{coop.slug}/lapor", {**_form(), "csrf_token": token})
    )
    assert len(db.session.scalars(select(PublicReport)).all()) == 5
    assert web.get(f"/koperasi/{coop.slug}/lapor").status_code == 200  # reading the form is not limited


def test_start_page_finds_cooperatives_by_name(web):
    coop = make_cooperative(name="Koperasi Serba Usaha Maju Bersama")
    make_cooperative(name="Koperasi Tani Subur")
    db.session.commit()
    page = html(web.get("/lapor?q=maju"))
    assert f"/koperasi/{coop.slug}/lapor" in page and "Tani Subur" not in page
    assert "Tidak ada koperasi" in html(web.get("/lapor?q=zzzz"))
    assert "Laporkan masalah koperasi ini" in html(web.get(f"/koperasi/{coop.slug}"))


# --- the photo ----------------------------------------------------------------------------------------------


def test_photo_is_stored_privately_and_served_only_to_the_regions_officers(web, app):
    coop = make_cooperative(region=SOLOK_SELATAN)
    officer = make_officer("13.11")
    outsider = make_officer("32.16")
    db.session.commit()
    response = web.post(
        f"/koperasi/{coop.slug}/lapor",
        {**_form(), "photo": (io.BytesIO(make_photo_bytes(exif=True)), "bukti.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    report = db.session.scalars(select(PublicReport)).one()
    path = reports.photo_file(report)
    assert path is not None and path.exists()
    assert "private" in path.parts and path.suffix == ".webp"
    url = f"/wilayah/laporan/{report.reference}/foto"

    assert web.get(url).status_code == 403  # anonymous
    web.login(outsider)
    assert web.get(url).status_code == 403
    web.logout()
    web.login(officer)
    served = web.get(url)
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert b"GotongCam" not in served.get_data()
    served.close()


def test_a_file_that_is_not_an_image_is_refused_with_the_text_kept(web):
    coop = make_cooperative()
    db.session.commit()
    response = web.post(
        f"/koperasi/{coop.slug}/lapor",
        {**_form(), "photo": (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "a.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "SVG" in html(response) and DESCRIPTION in html(response)
    assert db.session.scalars(select(PublicReport)).all() == []


# --- triage -------------------------------------------------------------------------------------------------


def test_full_triage_flow_and_what_the_reporter_sees(web):
    coop = make_cooperative(region=SOLOK_SELATAN)
    officer = make_officer("13", name="Petugas Rahasia")
    db.session.commit()
    report, token, _page = _report_via_web(web, coop)

    web.login(officer)
    inbox = html(web.get("/wilayah/laporan"))
    assert report.reference in inbox
    assert "Diterima (1)" in inbox

    visit = reports.today_wib() + timedelta(days=3)
    response = web.post(
        f"/wilayah/laporan/{report.reference}/tindak",
        {"action": "visit_planned", "visit_on": visit.isoformat(), "note": "Jadwal dengan camat."},
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.status is ReportStatus.VISIT_PLANNED and report.visit_on == visit

    internal = web.post(
        f"/wilayah/laporan/{report.reference}/tindak",
        {"action": "", "note": "Catatan internal: pengurus menolak ditemui."},
    )
    assert internal.status_code == 302
    resolved = web.post(
        f"/wilayah/laporan/{report.reference}/tindak",
        {
            "action": "resolved",
            "note": "Koperasi sudah dibina dan berhenti menghimpun dana.",
            "for_reporter": "y",
        },
    )
    assert resolved.status_code == 302
    db.session.refresh(report)
    assert report.status is ReportStatus.RESOLVED

    notes = db.session.scalars(
        select(ReportNote).where(ReportNote.report_id == report.id).order_by(ReportNote.id)
    )
    steps = [(n.from_status, n.to_status, n.for_reporter, n.author_id) for n in notes]
    assert steps == [
        (ReportStatus.RECEIVED, ReportStatus.VISIT_PLANNED, False, officer.id),
        (None, None, False, officer.id),
        (ReportStatus.VISIT_PLANNED, ReportStatus.RESOLVED, True, officer.id),
    ]
    detail = html(web.get(f"/wilayah/laporan/{report.reference}"))
    assert "pengurus menolak ditemui" in detail and "Petugas Rahasia" in detail

    web.logout()
    follow = html(web.get(f"/lapor/status/{token}"))
    assert "Selesai ditangani" in follow
    assert "Koperasi sudah dibina dan berhenti menghimpun dana." in follow
    assert "pengurus menolak ditemui" not in follow
    assert "Jadwal dengan camat" not in follow
    assert "Petugas Rahasia" not in follow


def test_visit_date_shows_on_the_reporters_page_while_planned(web):
    coop = make_cooperative(region=BEKASI)
    officer = make_officer("32.16")
    report = _make_report(coop)
    sent = reports.submit_report(coop, reports.ReportData(category="inactive", description=DESCRIPTION))
    visit = reports.today_wib() + timedelta(days=10)
    reports.triage(officer, sent.report, to_status="visit_planned", visit_on=visit)
    db.session.commit()
    page = html(web.get(f"/lapor/status/{sent.token}"))
    assert "Kunjungan lapangan dijadwalkan" in page and str(visit.year) in page
    assert report.status is ReportStatus.RECEIVED


def test_illegal_transitions_are_refused(web):
    coop = make_cooperative(region=BEKASI)
    officer = make_officer("32")
    report = _make_report(coop)
    db.session.commit()
    today = reports.today_wib()

    with pytest.raises(DomainError) as no_date:
        reports.triage(officer, report, to_status="visit_planned")
    assert no_date.value.field == "visit_on"
    with pytest.raises(DomainError) as past:
        reports.triage(officer, report, to_status="visit_planned", visit_on=today - timedelta(days=1))
    assert past.value.field == "visit_on"
    with pytest.raises(DomainError) as silent:
        reports.triage(officer, report, to_status="dismissed", note="", for_reporter=True)
    assert silent.value.field == "note"
    with pytest.raises(DomainError) as hidden:
        reports.triage(officer, report, to_status="resolved", note="Sudah dibina.", for_reporter=False)
    assert hidden.value.field == "for_reporter"
    with pytest.raises(DomainError):
        reports.triage(officer, report, to_status="received", note="kembali")
    with pytest.raises(DomainError):
        reports.triage(officer, report, to_status=None, note="")

    reports.triage(officer, report, to_status="visit_planned", visit_on=today)
    reports.triage(officer, report, to_status="visit_planned", visit_on=today + timedelta(days=7))
    assert report.visit_on == today + timedelta(days=7)
    reports.triage(officer, report, to_status="dismissed", note="Bukan wewenang dinas.", for_reporter=True)
    db.session.commit()
    with pytest.raises(DomainError) as final:
        reports.triage(officer, report, to_status="visit_planned", visit_on=today + timedelta(days=1))
    assert final.value.field == "action"
    db.session.rollback()

    # Over the web: resolved → visit planned re-renders the form with the error and keeps the input.
    resolved = _make_report(coop, status=ReportStatus.RESOLVED)
    received = _make_report(coop)
    db.session.commit()
    web.login(officer)
    response = web.post(
        f"/wilayah/laporan/{resolved.reference}/tindak",
        {"action": "visit_planned", "visit_on": (today + timedelta(days=2)).isoformat(), "note": "Coba lagi"},
    )
    assert response.status_code == 422
    assert "tidak dapat diubah" in html(response) and "Coba lagi" in html(response)
    no_date = web.post(
        f"/wilayah/laporan/{received.reference}/tindak",
        {"action": "visit_planned", "visit_on": "", "note": "Segera dikunjungi"},
    )
    assert no_date.status_code == 422
    assert "Isi tanggal kunjungan" in html(no_date) and "Segera dikunjungi" in html(no_date)
    db.session.refresh(resolved)
    db.session.refresh(received)
    assert resolved.status is ReportStatus.RESOLVED and received.status is ReportStatus.RECEIVED
    assert db.session.scalars(select(ReportNote).where(ReportNote.report_id == received.id)).all() == []


def test_officer_scope_decides_who_sees_and_triages(web):
    coop = make_cooperative(region=SOLOK_SELATAN)
    bekasi_coop = make_cooperative(region=BEKASI)
    report = _make_report(coop)
    bekasi_report = _make_report(bekasi_coop)
    bekasi_officer = make_officer("32.16")
    province_officer = make_officer("13")
    admin = make_user(is_admin=True)
    plain = make_user()
    db.session.commit()
    detail, triage = f"/wilayah/laporan/{report.reference}", f"/wilayah/laporan/{report.reference}/tindak"

    assert web.get("/wilayah/laporan").status_code == 302  # anonymous: to the login page
    assert web.get(detail).status_code == 302

    web.login(bekasi_officer)
    inbox = html(web.get("/wilayah/laporan"))
    assert bekasi_report.reference in inbox and report.reference not in inbox
    assert report.reference not in html(web.get(f"/wilayah/laporan?koperasi={coop.slug}&status=all"))
    assert web.get(detail).status_code == 403
    assert web.post(triage, {"action": "dismissed", "note": "x", "for_reporter": "y"}).status_code == 403
    assert web.get(f"{detail}/foto").status_code == 403
    assert reports.status_counts(bekasi_officer)["open"] == 1
    with pytest.raises(PermissionDenied):
        reports.triage(bekasi_officer, report, to_status=None, note="boleh?")
    web.logout()

    web.login(province_officer)
    inbox = html(web.get("/wilayah/laporan"))
    assert report.reference in inbox and bekasi_report.reference not in inbox
    assert web.get(detail).status_code == 200
    assert web.post(triage, {"action": "", "note": "Diperiksa."}).status_code == 302
    web.logout()

    web.login(admin)
    inbox = html(web.get("/wilayah/laporan"))
    assert report.reference in inbox and bekasi_report.reference in inbox
    only = html(web.get(f"/wilayah/laporan?koperasi={coop.slug}"))
    assert report.reference in only and bekasi_report.reference not in only
    assert web.get(detail).status_code == 200
    web.logout()

    web.login(plain)
    assert web.get("/wilayah/laporan").status_code == 403
    assert web.get(detail).status_code == 403
    assert web.get("/wilayah/laporan/LAP-XXXXXX").status_code == 404


def test_inbox_filters_by_status_newest_first_and_counts(web):
    coop = make_cooperative(region=BEKASI)
    officer = make_officer("32.16")
    first = _make_report(coop)
    planned = _make_report(coop, status=ReportStatus.VISIT_PLANNED)
    done = _make_report(coop, status=ReportStatus.RESOLVED)
    dismissed = _make_report(coop, status=ReportStatus.DISMISSED)
    db.session.commit()
    page = reports.inbox(officer)
    assert [r.id for r in page.items] == [planned.id, first.id]
    assert [r.id for r in reports.inbox(officer, status="resolved").items] == [done.id]
    assert {r.id for r in reports.inbox(officer, status="all").items} == {
        first.id,
        planned.id,
        done.id,
        dismissed.id,
    }
    assert reports.status_counts(officer) == {
        "received": 1,
        "visit_planned": 1,
        "resolved": 1,
        "dismissed": 1,
        "open": 2,
        "all": 4,
    }
    web.login(officer)
    text = html(web.get("/wilayah/laporan?status=resolved"))
    assert done.reference in text and first.reference not in text
    assert "Terbuka (2)" in text


def test_inbox_is_paginated_by_twenty(web):
    coop = make_cooperative(region=BEKASI)
    officer = make_officer("32")
    for _ in range(23):
        _make_report(coop)
    db.session.commit()
    assert len(reports.inbox(officer).items) == 20
    assert len(reports.inbox(officer, page=2).items) == 3
    web.login(officer)
    assert "Halaman 1 dari 2" in html(web.get("/wilayah/laporan"))


# --- counts for the dashboards ------------------------------------------------------------------------------


def test_open_counts_per_cooperative_and_region():
    bekasi_a = make_cooperative(region=BEKASI)
    bekasi_b = make_cooperative(region=BEKASI)
    solok = make_cooperative(region=SOLOK_SELATAN)
    quiet = make_cooperative(region=BEKASI)
    _make_report(bekasi_a)
    _make_report(bekasi_a, status=ReportStatus.VISIT_PLANNED)
    _make_report(bekasi_a, status=ReportStatus.RESOLVED)
    _make_report(bekasi_b, status=ReportStatus.DISMISSED)
    _make_report(bekasi_b)
    _make_report(solok)
    db.session.flush()

    ids = [bekasi_a.id, bekasi_b.id, solok.id, quiet.id]
    assert reports.open_counts(ids) == {bekasi_a.id: 2, bekasi_b.id: 1, solok.id: 1}
    assert reports.open_counts([]) == {}
    assert reports.open_counts(region_cooperative_ids("32.16")) == {bekasi_a.id: 2, bekasi_b.id: 1}
    assert reports.open_count_in_region("32") == 3
    assert reports.open_count_in_region("32.16") == 3
    assert reports.open_count_in_region("13.11") == 1
    assert reports.open_count_in_region("51") == 0
    assert reports.open_count_in_region(None) == 4


def test_reference_retries_on_a_collision(monkeypatch):
    coop = make_cooperative()
    taken = _make_report(coop)
    candidates = iter([taken.reference, "LAP-ZZZZZ2"])
    monkeypatch.setattr(reports, "new_reference", lambda: next(candidates))
    fresh = _make_report(coop)
    assert fresh.reference == "LAP-ZZZZZ2"
