"""Annual members' meetings (RAT): recorded by a cooperative's managers with their minutes (stored privately),
read by the region's officers, and counted by the activity rule."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from marketplace.cooperatives.models import MembershipStatus
from marketplace.dashboards import rat
from marketplace.dashboards.activity import cooperative_activity
from marketplace.dashboards.models import RatRecord
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import (
    SOLOK_SELATAN,
    make_business,
    make_cooperative,
    make_membership,
    make_officer,
    make_photo_bytes,
    make_user,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _url(cooperative, *parts: str) -> str:  # type: ignore[no-untyped-def]
    return "/".join([f"/koperasi/{cooperative.slug}/rat", *parts])


def _form(**overrides):  # type: ignore[no-untyped-def]
    held = rat.today() - timedelta(days=30)
    data = {
        "held_on": held.isoformat(),
        "financial_year": str(held.year - 1),
        "attendees": "42",
        "notes": "Pengesahan laporan pertanggungjawaban pengurus",
        "minutes": (io.BytesIO(PDF), "Notulen RAT.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(web, cooperative, data):  # type: ignore[no-untyped-def]
    return web.post(_url(cooperative), data, content_type="multipart/form-data")


def _download(web, url: str):  # type: ignore[no-untyped-def]
    """GET a file and close the response (send_file keeps the file open until then)."""
    response = web.get(url)
    response.get_data()
    response.close()
    return response


def _count(cooperative) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).where(RatRecord.cooperative_id == cooperative.id))


def test_manager_records_a_rat_with_pdf_minutes_stored_privately(app: Flask, web) -> None:
    manager = make_user("Bu Ketua")
    cooperative = make_cooperative(manager)
    web.login(manager)

    page = web.get(_url(cooperative))
    assert page.status_code == 200
    assert "12 bulan terakhir" in html(page)

    response = _post(web, cooperative, _form())
    assert response.status_code == 303

    record = db.session.scalars(select(RatRecord).where(RatRecord.cooperative_id == cooperative.id)).one()
    held = rat.today() - timedelta(days=30)
    assert record.held_on == held
    assert record.financial_year == held.year - 1
    assert record.attendees == 42
    assert record.recorded_by_id == manager.id
    assert record.minutes_filename == "Notulen RAT.pdf"
    stored = rat.minutes_file(record)
    assert stored is not None and stored.read_bytes() == PDF
    upload_root = Path(app.config["UPLOAD_FOLDER"])
    assert stored.parent == upload_root / "private" / "rat"
    assert record.minutes_path.endswith(".pdf") and "Notulen" not in record.minutes_path

    listing = html(web.get(_url(cooperative)))
    assert "Notulen RAT.pdf" in listing
    assert str(held.year - 1) in listing

    download = _download(web, _url(cooperative, str(record.id), "notulen"))
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "Notulen RAT.pdf" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]


def test_photo_minutes_are_re_encoded(app: Flask, web) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)
    web.login(manager)
    photo = make_photo_bytes("JPEG", exif=True)
    response = _post(web, cooperative, _form(minutes=(io.BytesIO(photo), "foto-notulen.jpg")))
    assert response.status_code == 303
    record = rat.records(cooperative)[0]
    assert record.minutes_path.endswith(".webp")
    assert record.minutes_filename == "foto-notulen.webp"
    stored = rat.minutes_file(record).read_bytes()
    assert stored[:4] == b"RIFF" and b"GotongCam" not in stored
    download = _download(web, _url(cooperative, str(record.id), "notulen"))
    assert download.status_code == 200 and download.mimetype == "image/webp"


def test_minutes_readers_and_refusals(app: Flask, web) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)  # Kabupaten Bekasi, 32.16
    owner = make_user("Pemilik UMKM")
    make_membership(cooperative, make_business(owner))
    record = rat.record_rat(
        manager,
        cooperative,
        rat.RatData(held_on=rat.today() - timedelta(days=5), financial_year=rat.today().year - 1),
        io.BytesIO(PDF),
        "notulen.pdf",
    )
    db.session.commit()
    url = _url(cooperative, str(record.id), "notulen")

    # anonymous: sent to log in
    anonymous = web.get(url)
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]

    for allowed in (make_officer("32.16"), make_officer("32", "Petugas Provinsi"), make_user(is_admin=True)):
        web.login(allowed)
        response = _download(web, url)
        assert response.status_code == 200 and response.data == PDF
        listing = web.get(_url(cooperative))
        assert listing.status_code == 200 and "notulen.pdf" in html(listing)
        assert "Simpan RAT" not in html(listing) or allowed.is_admin
        if not allowed.is_admin:
            assert _post(web, cooperative, _form(financial_year="2020")).status_code == 403
        web.logout()

    for refused in (make_officer("13.11", "Petugas Solok Selatan"), owner, make_user("Pembeli")):
        web.login(refused)
        assert web.get(url).status_code == 403
        # the page and the form are the managers' only
        assert web.get(_url(cooperative)).status_code == 403
        assert _post(web, cooperative, _form(financial_year="2020")).status_code == 403
        web.logout()
    assert _count(cooperative) == 1

    # a record of another cooperative is not found under this one
    other_manager = make_user()
    other = make_cooperative(other_manager, region=SOLOK_SELATAN)
    web.login(other_manager)
    assert web.get(_url(other, str(record.id), "notulen")).status_code == 404
    assert web.post(_url(other, str(record.id), "hapus")).status_code == 404
    assert _count(cooperative) == 1


def test_bad_input_is_refused_with_the_input_kept(app: Flask, web) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)
    web.login(manager)

    tomorrow = rat.today() + timedelta(days=1)
    future = _post(web, cooperative, _form(held_on=tomorrow.isoformat(), notes="Rapat tahunan di balai desa"))
    assert future.status_code == 422
    page = html(future)
    assert "Tanggal RAT tidak boleh di masa depan." in page
    assert "Rapat tahunan di balai desa" in page
    assert tomorrow.isoformat() in page

    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    renamed = _post(web, cooperative, _form(minutes=(io.BytesIO(exe), "notulen.pdf"), attendees="77"))
    assert renamed.status_code == 422
    page = html(renamed)
    assert "Notulen harus berupa berkas PDF atau foto" in page
    assert 'value="77"' in page

    missing_date = _post(web, cooperative, _form(held_on=None, notes="Tanpa tanggal"))
    assert missing_date.status_code == 422
    assert "Isi tanggal RAT." in html(missing_date)
    assert "Tanpa tanggal" in html(missing_date)

    no_file = _post(web, cooperative, _form(minutes=None))
    assert no_file.status_code == 422
    assert "Lampirkan notulen RAT" in html(no_file)

    negative = _post(web, cooperative, _form(attendees="-3"))
    assert negative.status_code == 422

    assert _count(cooperative) == 0
    folder = rat.minutes_folder()
    assert not folder.exists() or not any(folder.glob("*.exe"))


def test_one_rat_per_financial_year(app: Flask, web) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)
    web.login(manager)
    assert _post(web, cooperative, _form(financial_year="2024")).status_code == 303
    again = _post(web, cooperative, _form(financial_year="2024", notes="RAT kedua"))
    assert again.status_code == 422
    assert "RAT untuk tahun buku 2024 sudah tercatat" in html(again)
    assert "RAT kedua" in html(again)
    assert _count(cooperative) == 1
    assert _post(web, cooperative, _form(financial_year="2023")).status_code == 303
    assert [r.financial_year for r in rat.records(cooperative)] == [2023, 2024]  # same day: latest first


def test_records_are_newest_first(app: Flask) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)
    today = rat.today()
    for days, year in ((800, today.year - 3), (30, today.year - 1), (400, today.year - 2)):
        rat.record_rat(
            manager,
            cooperative,
            rat.RatData(held_on=today - timedelta(days=days), financial_year=year),
            io.BytesIO(PDF),
            "n.pdf",
        )
    assert [r.financial_year for r in rat.records(cooperative)] == [
        today.year - 1,
        today.year - 2,
        today.year - 3,
    ]


def test_a_recent_rat_makes_a_cooperative_active_and_an_old_one_does_not(app: Flask) -> None:
    manager = make_user()
    quiet = make_cooperative(manager)
    # a membership that was never approved is no activity
    make_membership(quiet, make_business(), status=MembershipStatus.PENDING)
    assert cooperative_activity(quiet).active is False

    today = rat.today()
    rat.record_rat(
        manager,
        quiet,
        rat.RatData(held_on=today - timedelta(days=366), financial_year=today.year - 2),
        io.BytesIO(PDF),
        "lama.pdf",
    )
    assert cooperative_activity(quiet).active is False

    rat.record_rat(
        manager,
        quiet,
        rat.RatData(held_on=today - timedelta(days=10), financial_year=today.year - 1),
        io.BytesIO(PDF),
        "baru.pdf",
    )
    activity = cooperative_activity(quiet)
    assert activity.active is True
    assert activity.last_rat_on == today - timedelta(days=10)


def test_manager_deletes_a_mistaken_record(app: Flask, web) -> None:
    manager = make_user()
    cooperative = make_cooperative(manager)
    web.login(manager)
    assert _post(web, cooperative, _form(financial_year="2024")).status_code == 303
    record = rat.records(cooperative)[0]
    stored = rat.minutes_file(record)
    assert stored.exists()

    officer = make_officer("32.16")
    web.logout()
    web.login(officer)
    assert web.post(_url(cooperative, str(record.id), "hapus")).status_code == 403
    web.logout()
    assert _count(cooperative) == 1

    web.login(manager)
    response = web.post(_url(cooperative, str(record.id), "hapus"))
    assert response.status_code == 303
    assert _count(cooperative) == 0
    assert not stored.exists()
    # the year is free again
    assert _post(web, cooperative, _form(financial_year="2024")).status_code == 303
