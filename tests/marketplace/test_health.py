"""Health assessments through the pages: recording one (score and category, Indonesian and English number
format), band edges through the service, bad input kept, weight sets that change later, follow-ups, weight set
administration, and every refusal (other region, manager, anonymous, CSRF)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.dashboards import health, health_service
from marketplace.dashboards.models import (
    FollowUpAction,
    HealthAssessment,
    HealthCategory,
    HealthWeightSet,
)
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import make_cooperative, make_officer, make_user

ASPECTS = ("capital", "asset_quality", "management", "efficiency", "liquidity", "independence", "identity")


def new_url(cooperative) -> str:  # type: ignore[no-untyped-def]
    return f"/wilayah/koperasi/{cooperative.slug}/penilaian/baru"


def form_data(weight_set_id: int, **scores: int | str) -> dict[str, object]:
    today = health_service.today_wib()
    data: dict[str, object] = {
        "weight_set_id": weight_set_id,
        "assessed_on": today.isoformat(),
        "financial_year": today.year - 1,
        "summary": "Pinjaman macet naik; modal sendiri cukup.",
    }
    for aspect in ASPECTS:
        data[f"score_{aspect}"] = 80
    data.update({f"score_{k}": v for k, v in scores.items()})
    return data


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def bekasi(app):  # type: ignore[no-untyped-def]
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager, "KSP Maju Bersama", slug="ksp-maju-bersama")
    officer = make_officer("32.16", "Bu Petugas Wati")
    return cooperative, officer, manager


def test_officer_records_an_assessment_and_sees_score_and_category(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    web.login(officer)
    form_page = web.get(new_url(cooperative))
    assert form_page.status_code == 200
    default = health_service.find_default_weight_set()
    assert default is not None and default.code == "perdep-06-2016" and default.is_default
    assert default.weights == health.PERDEP_06_2016
    assert f'name="weight_set_id" type="hidden" value="{default.id}"' in html(form_page)

    data = form_data(default.id, capital=79)  # 80 everywhere, one point less on capital (weight 15)
    data["follow_ups-0-description"] = "Tagih pinjaman macet di atas 90 hari"
    data["follow_ups-0-due_on"] = (health_service.today_wib() + timedelta(days=30)).isoformat()
    response = web.post(new_url(cooperative), data)
    assert response.status_code == 302
    row = db.session.scalars(select(HealthAssessment)).one()
    assert row.cooperative_id == cooperative.id
    assert row.score_centi == 7985
    assert row.category is HealthCategory.FAIRLY_HEALTHY
    assert row.weights == health.PERDEP_06_2016
    assert row.scores["capital"] == 79 and row.scores["identity"] == 80
    assert row.assessed_by_id == officer.id
    assert row.weight_set_name == "KSP/USP — Perdep 06/2016"
    assert [f.description for f in row.follow_ups] == ["Tagih pinjaman macet di atas 90 hari"]
    assert response.location.endswith(f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}")

    page = html(web.get(response.location))
    assert "79,85" in page
    assert 'data-category="cukup_sehat"' in page and "Cukup Sehat" in page
    assert "badge status-paused" in page
    # Per aspect: capital 79 × 15 = 11,85 weighted points.
    assert re.search(r'data-aspect="capital">.*?<td>79</td><td>15</td><td>11,85</td>', page, re.S)
    assert "Tagih pinjaman macet di atas 90 hari" in page

    web.post("/bahasa", {"lang": "en"})
    english = html(web.get(response.location))
    assert "79.85" in english and "79,85" not in english


@pytest.mark.parametrize(
    ("weights", "scores", "centi", "category"),
    [
        (None, {}, 8000, HealthCategory.HEALTHY),
        (None, {"capital": 79}, 7985, HealthCategory.FAIRLY_HEALTHY),
        ({"capital": 1, "asset_quality": 99}, {"capital": 79}, 7999, HealthCategory.FAIRLY_HEALTHY),
        (None, dict.fromkeys(ASPECTS, 66), 6600, HealthCategory.FAIRLY_HEALTHY),
        ({"capital": 1, "asset_quality": 99}, {"capital": 65, "asset_quality": 66}, 6599, "dalam_pengawasan"),
        (None, dict.fromkeys(ASPECTS, 51), 5100, HealthCategory.UNDER_SUPERVISION),
        (
            {"capital": 1, "asset_quality": 99},
            {"capital": 50, "asset_quality": 51},
            5099,
            "pengawasan_khusus",
        ),
    ],
)
def test_band_edges_through_the_service(bekasi, weights, scores, centi, category) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    admin = make_user("Admin", is_admin=True)
    weight_set = (
        health_service.create_weight_set(admin, "Uji tepi", weights)
        if weights
        else health_service.default_weight_set()
    )
    full = {a: scores.get(a, 80) for a in ASPECTS}
    data = health_service.AssessmentData(
        weight_set_id=weight_set.id,
        assessed_on=health_service.today_wib(),
        financial_year=health_service.today_wib().year - 1,
        scores=full,
    )
    row = health_service.record_assessment(officer, cooperative, data)
    assert row.score_centi == centi
    assert row.category == HealthCategory(category)


def test_bad_scores_are_shown_and_the_typed_numbers_kept(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    web.login(officer)
    web.get(new_url(cooperative))
    default = health_service.find_default_weight_set()
    assert default is not None
    data = form_data(default.id, capital=101, management=77)
    data["score_liquidity"] = ""  # missing
    data["follow_ups-0-description"] = "Perbaiki pembukuan"
    response = web.post(new_url(cooperative), data)
    assert response.status_code == 422
    page = html(response)
    assert "Nilai harus 0 sampai 100." in page
    assert "Isi nilai aspek ini (0 sampai 100)." in page
    assert 'name="score_capital" type="text" value="101"' in page or 'value="101"' in page
    assert 'value="77"' in page
    assert 'value="Perbaiki pembukuan"' in page
    assert "Pinjaman macet naik; modal sendiri cukup." in page
    assert count(HealthAssessment) == 0

    future = form_data(default.id)
    future["assessed_on"] = (health_service.today_wib() + timedelta(days=1)).isoformat()
    response = web.post(new_url(cooperative), future)
    assert response.status_code == 422
    assert "Tanggal penilaian tidak boleh di masa depan." in html(response)
    assert count(HealthAssessment) == 0


def test_service_refuses_a_missing_or_out_of_range_score(bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    weight_set = health_service.default_weight_set()
    today = health_service.today_wib()
    for scores, field in (({"capital": 101}, "score_capital"), ({"identity": None}, "score_identity")):
        full = {a: 80 for a in ASPECTS} | scores
        data = health_service.AssessmentData(weight_set.id, today, today.year - 1, full)
        with pytest.raises(DomainError) as caught:
            health_service.record_assessment(officer, cooperative, data)
        assert caught.value.field == field


def test_a_weight_set_changed_or_added_later_leaves_past_scores_alone(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    web.login(officer)
    web.get(new_url(cooperative))
    default = health_service.find_default_weight_set()
    assert default is not None
    web.post(new_url(cooperative), form_data(default.id, capital=79))
    row = db.session.scalars(select(HealthAssessment)).one()
    url = f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}"

    # The default set is edited in place, and an admin adds another set through the page.
    default.weights = {**health.PERDEP_06_2016, "capital": 25, "asset_quality": 15}
    db.session.commit()
    web.logout()
    web.login(make_user("Admin", is_admin=True))
    weights = {f"weight_{a}": w for a, w in health.PERDEP_06_2016.items()} | {
        "weight_capital": 5,
        "weight_identity": 20,
    }
    assert web.post("/admin/bobot-kesehatan", {"name": "Pedoman baru", **weights}).status_code == 302
    web.logout()
    web.login(officer)

    db.session.refresh(row)
    assert row.score_centi == 7985 and row.weights == health.PERDEP_06_2016
    page = html(web.get(url))
    assert "79,85" in page
    assert re.search(r'data-aspect="capital">.*?<td>79</td><td>15</td>', page, re.S)


def test_officer_of_another_region_and_the_manager_are_refused(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, manager = bekasi
    default = health_service.default_weight_set()
    row = health_service.record_assessment(
        officer,
        cooperative,
        health_service.AssessmentData(
            default.id,
            health_service.today_wib(),
            2025,
            dict.fromkeys(ASPECTS, 70),
            follow_ups=[health_service.FollowUpData("Kirim laporan keuangan")],
        ),
    )
    db.session.commit()
    follow_up = row.follow_ups[0]
    urls_get = [
        f"/wilayah/koperasi/{cooperative.slug}",
        new_url(cooperative),
        f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}",
    ]
    urls_post = [
        (new_url(cooperative), form_data(default.id)),
        (f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}/tindak-lanjut", {"description": "X"}),
        (f"/wilayah/tindak-lanjut/{follow_up.id}/selesai", {"note": ""}),
    ]
    for outsider in (make_officer("13.11", "Petugas Solok"), manager):
        web.login(outsider)
        for url in urls_get:
            assert web.get(url).status_code == 403, url
        for url, data in urls_post:
            assert web.post(url, data).status_code == 403, url
        web.logout()
    assert count(HealthAssessment) == 1
    assert count(FollowUpAction) == 1
    db.session.refresh(follow_up)
    assert follow_up.done_at is None
    # Anonymous: sent to log in.
    for url in urls_get:
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.location
    with pytest.raises(PermissionDenied):
        health_service.record_assessment(
            manager,
            cooperative,
            health_service.AssessmentData(
                default.id, health_service.today_wib(), 2025, dict.fromkeys(ASPECTS, 70)
            ),
        )


def test_an_assessment_of_another_cooperative_is_not_found_here(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    other = make_cooperative(name="Koperasi Lain")
    default = health_service.default_weight_set()
    row = health_service.record_assessment(
        officer,
        other,
        health_service.AssessmentData(
            default.id, health_service.today_wib(), 2025, dict.fromkeys(ASPECTS, 70)
        ),
    )
    db.session.commit()
    web.login(officer)
    assert web.get(f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}").status_code == 404


def test_missing_csrf_is_refused(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    web.login(officer)
    default = health_service.default_weight_set()
    db.session.commit()
    response = web.post(new_url(cooperative), form_data(default.id), csrf=False)
    assert response.status_code == 400
    assert count(HealthAssessment) == 0


def test_follow_ups_added_later_and_marked_done(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    default = health_service.default_weight_set()
    row = health_service.record_assessment(
        officer,
        cooperative,
        health_service.AssessmentData(
            default.id, health_service.today_wib(), 2025, dict.fromkeys(ASPECTS, 60)
        ),
    )
    db.session.commit()
    web.login(officer)
    base = f"/wilayah/koperasi/{cooperative.slug}/penilaian/{row.id}"
    due = (health_service.today_wib() + timedelta(days=14)).isoformat()
    response = web.post(f"{base}/tindak-lanjut", {"description": "Adakan RAT tahun buku 2025", "due_on": due})
    assert response.status_code == 302
    empty = web.post(f"{base}/tindak-lanjut", {"description": "  "})
    assert empty.status_code == 422 and "Isi tindak lanjutnya." in html(empty)
    follow_up = db.session.scalars(select(FollowUpAction)).one()
    assert follow_up.description == "Adakan RAT tahun buku 2025" and follow_up.due_on.isoformat() == due
    assert "Adakan RAT tahun buku 2025" in html(web.get(f"/wilayah/koperasi/{cooperative.slug}"))

    response = web.post(f"/wilayah/tindak-lanjut/{follow_up.id}/selesai", {"note": "RAT dijadwalkan 12 Mei"})
    assert response.status_code == 302 and response.location.endswith(base)
    db.session.refresh(follow_up)
    assert follow_up.done_at is not None
    assert follow_up.done_note == "RAT dijadwalkan 12 Mei" and follow_up.done_by_id == officer.id
    page = html(web.get(base))
    assert 'data-done="yes"' in page and "RAT dijadwalkan 12 Mei" in page
    # Done once: a second click changes nothing; it no longer shows as open on the cooperative's page.
    first_done = follow_up.done_at
    web.post(f"/wilayah/tindak-lanjut/{follow_up.id}/selesai", {"note": "lagi"})
    db.session.refresh(follow_up)
    assert follow_up.done_at == first_done and follow_up.done_note == "RAT dijadwalkan 12 Mei"
    assert "Adakan RAT tahun buku 2025" not in html(web.get(f"/wilayah/koperasi/{cooperative.slug}"))
    assert web.post(f"/wilayah/tindak-lanjut/{follow_up.id}/selesai", {}, csrf=False).status_code == 400


def test_admins_manage_weight_sets(web, bekasi) -> None:  # type: ignore[no-untyped-def]
    cooperative, officer, _manager = bekasi
    web.login(officer)
    assert web.get("/admin/bobot-kesehatan").status_code == 403
    web.logout()
    web.login(make_user("Admin", is_admin=True))
    page = html(web.get("/admin/bobot-kesehatan"))
    assert "KSP/USP — Perdep 06/2016" in page
    weights = {"weight_capital": 40, "weight_asset_quality": 30, "weight_management": 29} | {
        f"weight_{a}": 0 for a in ("efficiency", "liquidity", "independence", "identity")
    }
    bad = web.post("/admin/bobot-kesehatan", {"name": "Koperasi Konsumen", **weights})
    assert bad.status_code == 422
    assert "Jumlah bobot harus tepat 100 (sekarang 99)." in html(bad)
    assert 'value="Koperasi Konsumen"' in html(bad) and 'value="29"' in html(bad)
    negative = web.post("/admin/bobot-kesehatan", {"name": "Negatif", **weights, "weight_identity": -1})
    assert negative.status_code == 422
    assert count(HealthWeightSet) == 1

    weights["weight_management"] = 30
    assert web.post("/admin/bobot-kesehatan", {"name": "Koperasi Konsumen", **weights}).status_code == 302
    created = db.session.scalars(
        select(HealthWeightSet).where(HealthWeightSet.name == "Koperasi Konsumen")
    ).one()
    assert created.weights == {
        "capital": 40,
        "asset_quality": 30,
        "management": 30,
        "efficiency": 0,
        "liquidity": 0,
        "independence": 0,
        "identity": 0,
    }
    assert created.code == "koperasi-konsumen" and not created.is_default

    # Only the weighted aspects are asked.
    web.logout()
    web.login(officer)
    form = html(web.get(f"{new_url(cooperative)}?bobot={created.id}"))
    assert 'name="score_capital"' in form and 'name="score_identity"' not in form
    response = web.post(
        new_url(cooperative), form_data(created.id, capital=90, asset_quality=80, management=70)
    )
    assert response.status_code == 302
    assert db.session.scalars(select(HealthAssessment)).one().score_centi == 90 * 40 + 80 * 30 + 70 * 30

    # Archive it: no longer offered, and a form still carrying it is refused.
    web.logout()
    web.login(make_user("Admin 2", is_admin=True))
    assert web.post(f"/admin/bobot-kesehatan/{created.id}/arsip", {}).status_code == 302
    db.session.refresh(created)
    assert created.archived_at is not None
    default = health_service.find_default_weight_set()
    assert default is not None
    web.post(f"/admin/bobot-kesehatan/{default.id}/arsip", {})
    db.session.refresh(default)
    assert default.archived_at is None  # the default cannot be archived
    web.logout()
    web.login(officer)
    form = html(web.get(f"{new_url(cooperative)}?bobot={created.id}"))
    assert f'type="hidden" value="{default.id}"' in form and "Koperasi Konsumen" not in form
    stale = web.post(new_url(cooperative), form_data(created.id))
    assert stale.status_code == 422
    assert count(HealthAssessment) == 1
