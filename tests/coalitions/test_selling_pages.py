"""Selling coalition pages through the web client, on DOMAIN.md's worked example: 500 kg roasted Arabica,
grade A Rp180.000/kg, grade B Rp150.000/kg, fee 5 %, transport Rp1.000.000; W 200 A, X 150 A, Y 120 B,
Z 100 A → uniform 140/140/120/100; QC rejects 10 kg of Z; payouts W 23.654.286, X 23.654.286,
Y 16.855.102, Z 15.206.326; the buyer pays 84.600.000."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from coalitions.selling import services as selling
from coalitions.selling.forms import parse_kilograms, parse_percent
from coalitions.selling.models import (
    Commitment,
    CommitmentStatus,
    QualityCheck,
    SellingCoalition,
    SellingStatus,
)
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.coalitions.selling_data import coffee_terms as _terms
from tests.coalitions.selling_data import make_request as _request
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_membership, make_user

S = SellingStatus
JAKARTA = ZoneInfo("Asia/Jakarta")
BASE = "/koalisi-penjualan"


def form_data(**changes) -> dict[str, str]:  # type: ignore[no-untyped-def]
    deadline = (utcnow() + timedelta(days=5)).astimezone(JAKARTA)
    form = {
        "title": "Kopi Arabika sangrai",
        "description": "Sangrai medium, kemasan 1 kg",
        "buyer_name": "Kafe Kopi Kita",
        "buyer_contact": "+6281234500001",
        "unit": "kg",
        "quantity": "500",
        "commit_cap": "",
        "fee_bp": "5",
        "shared_cost_idr": "Rp1.000.000",
        "allocation_rule": "uniform",
        "collection_point": "Gudang koperasi, Jl. Raya Tambun 5",
        "collection_date": (deadline + timedelta(days=5)).strftime("%Y-%m-%d"),
        "deadline_date": deadline.strftime("%Y-%m-%d"),
        "deadline_time": "17:00",
        "delivery_date": "",
        "delivery_place": "",
        "grade_name_0": "A",
        "grade_price_0": "180.000",
        "grade_name_1": "B",
        "grade_price_1": "150000",
    }
    form.update(changes)
    return form


def _open(cooperative, manager, **changes):  # type: ignore[no-untyped-def]
    coalition = selling.create_coalition(manager, cooperative, _terms(**changes))
    selling.publish(manager, coalition)
    return coalition


def _worked_example(coffee, *, request=True):  # type: ignore[no-untyped-def]
    """Committed (allocated 140/140/120/100), ready for quality control."""
    cooperative, manager, m, buyer = coffee
    coalition = selling.create_coalition(
        manager, cooperative, _terms(), request=_request(buyer) if request else None
    )
    selling.publish(manager, coalition)
    for name, grade, qty in (("W", "A", 200), ("X", "A", 150), ("Y", "B", 120), ("Z", "A", 100)):
        selling.commit(m[name].owner, m[name], coalition, grade, qty)
    selling.close(coalition, utcnow() + timedelta(days=6))
    db.session.commit()
    return coalition, {c.business.name[-1]: c for c in selling.active_commitments(coalition)}


# --- parsing ------------------------------------------------------------------------------------------------


def test_fee_and_weight_as_people_type_them():
    assert [parse_percent(t) for t in ("5", "2,5", "2.5", "5 %", "0", "100", "12,75")] == [
        500,
        250,
        250,
        500,
        0,
        10_000,
        1275,
    ]
    for bad in ("abc", "101", "-1", "2,555", ""):
        with pytest.raises(ValueError):
            parse_percent(bad)
    assert [parse_kilograms(t) for t in ("312,5", "312.5", "312", "1.250", "1.250,75", "0,5 kg")] == [
        312_500,
        312_500,
        312_000,
        1_250_000,
        1_250_750,
        500,
    ]
    for bad in ("berat", "0", "1,2345", "-3"):
        with pytest.raises(ValueError):
            parse_kilograms(bad)


# --- the manager ------------------------------------------------------------------------------------------


def test_manager_creates_for_a_known_buyer_edits_and_publishes(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, _buyer = coffee
    web.login(manager)
    page = f"{BASE}/koperasi/{cooperative.slug}/baru"
    assert web.get(page).status_code == 200
    response = web.post(page, form_data(fee_bp="2,5"))
    assert response.status_code == 302, html(response)[:3000]
    coalition = db.session.scalars(select(SellingCoalition)).one()
    assert coalition.status is S.DRAFT and coalition.buyer_id is None
    assert (coalition.buyer_name, coalition.buyer_contact) == ("Kafe Kopi Kita", "+6281234500001")
    assert coalition.fee_bp == 250 and coalition.shared_cost_idr == 1_000_000
    assert coalition.prices == {"A": 180_000, "B": 150_000}
    deadline = coalition.deadline if coalition.deadline.tzinfo else coalition.deadline.replace(tzinfo=UTC)
    assert deadline.astimezone(JAKARTA).strftime("%H:%M") == "17:00"  # typed in WIB, stored in UTC

    listing = html(web.get(f"{BASE}/koperasi/{cooperative.slug}"))
    assert "Kopi Arabika sangrai" in listing and "Draf" in listing

    edit = html(web.get(f"{BASE}/{coalition.id}/ubah"))
    assert 'value="2,5"' in edit and 'value="180.000"' in edit and 'value="1.000.000"' in edit
    response = web.post(f"{BASE}/{coalition.id}/ubah", form_data(fee_bp="5", commit_cap="550"))
    assert response.status_code == 302, html(response)[:3000]
    db.session.refresh(coalition)
    assert coalition.fee_bp == 500 and coalition.commit_cap == 550

    assert web.post(f"{BASE}/{coalition.id}/terbitkan").status_code == 302
    db.session.refresh(coalition)
    assert coalition.status is S.OPEN
    page = html(web.get(f"{BASE}/{coalition.id}"))
    assert "5%" in page and "Rp1.000.000" in page and "Kafe Kopi Kita" in page


def test_a_coalition_from_a_request_is_prefilled_and_keeps_the_agreed_prices(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, buyer = coffee
    request = _request(buyer)
    db.session.commit()
    web.login(manager)
    page = f"{BASE}/koperasi/{cooperative.slug}/dari-permintaan/{request.id}"
    for url in (page, f"{BASE}/koperasi/{cooperative.slug}/baru?permintaan={request.id}"):
        text = html(web.get(url))
        assert 'value="Kopi Arabika sangrai"' in text and 'value="500"' in text, url
        assert 'value="A"' in text and 'value="180.000"' in text and 'value="150.000"' in text
        assert "Hotel Santika Bekasi" in text

    # a price other than the buyer's is refused; what was typed stays, grade rows too
    response = web.post(page, form_data(grade_price_0="170.000", buyer_name=""))
    assert response.status_code == 422
    text = html(response)
    assert "Harga mutu A harus sesuai" in text and 'value="170.000"' in text and 'value="B"' in text
    response = web.post(page, form_data(grade_name_1="C", buyer_name=""))
    assert response.status_code == 422 and "Mutu C tidak diminta pembeli" in html(response)
    assert db.session.scalar(select(func.count()).select_from(SellingCoalition)) == 0

    response = web.post(page, form_data(buyer_name=""))
    assert response.status_code == 302, html(response)[:3000]
    coalition = db.session.scalars(select(SellingCoalition)).one()
    assert coalition.request_id == request.id and coalition.buyer_id == buyer.id
    assert coalition.buyer_name == "Hotel Santika Bekasi" and coalition.prices == {"A": 180_000, "B": 150_000}


def test_a_coalition_from_an_accepted_counter_offer_uses_its_prices(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, buyer = coffee
    request = _request(buyer, grades=[("A", None), ("B", None)])
    offer = selling.make_offer(manager, cooperative, request, [("A", 175_000), ("B", 140_000)])
    selling.decide_offer(buyer, offer, accept=True)
    db.session.commit()
    web.login(manager)
    page = f"{BASE}/koperasi/{cooperative.slug}/dari-permintaan/{request.id}"
    text = html(web.get(page))
    assert 'value="175.000"' in text and 'value="140.000"' in text
    assert web.post(page, form_data(buyer_name="")).status_code == 422  # the request's 180.000 is not agreed
    data = form_data(buyer_name="", grade_price_0="175.000", grade_price_1="140.000")
    assert web.post(page, data).status_code == 302
    assert db.session.scalars(select(SellingCoalition)).one().prices == {"A": 175_000, "B": 140_000}


def test_another_cooperative_cannot_use_a_request_it_does_not_see(web, coffee):  # type: ignore[no-untyped-def]
    _cooperative, _manager, _m, buyer = coffee
    request = _request(buyer)
    elsewhere = make_cooperative(make_user("Ketua Jauh"), region=("31", "31.71"))
    db.session.commit()
    web.login(elsewhere.managers[0].user)
    page = f"{BASE}/koperasi/{elsewhere.slug}/dari-permintaan/{request.id}"
    assert web.get(page).status_code == 403
    assert web.post(page, form_data(buyer_name="")).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SellingCoalition)) == 0


def test_invalid_input_keeps_what_was_typed(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, _buyer = coffee
    web.login(manager)
    page = f"{BASE}/koperasi/{cooperative.slug}/baru"
    response = web.post(
        page,
        form_data(title="Jagung pipil", quantity="", fee_bp="lima", grade_name_2="", grade_price_2="99.000"),
    )
    assert response.status_code == 422
    text = html(response)
    assert 'value="Jagung pipil"' in text and 'value="lima"' in text and 'value="99.000"' in text
    assert 'value="A"' in text and 'value="180.000"' in text
    assert "Isi jumlah yang diminta pembeli." in text and "Tulis persentase seperti 5 atau 2,5." in text
    assert "Isi nama mutu pada setiap baris yang berharga." in text
    # the services' rules, shown at their fields
    response = web.post(page, form_data(buyer_name=""))
    assert response.status_code == 422 and "Isi nama pembeli." in html(response)
    response = web.post(page, form_data(commit_cap="400"))
    assert response.status_code == 422
    assert "Batas komitmen tidak boleh di bawah jumlah yang diminta." in html(response)
    assert 'value="400"' in html(response)
    past = (utcnow() - timedelta(days=1)).astimezone(JAKARTA).strftime("%Y-%m-%d")
    response = web.post(page, form_data(deadline_date=past))
    assert response.status_code == 422 and "Batas waktu harus di masa depan." in html(response)
    assert db.session.scalar(select(func.count()).select_from(SellingCoalition)) == 0


def test_cancel_with_a_reason_and_close_early(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, _buyer = coffee
    first = _open(cooperative, manager, buyer_name="Toko Kopi")
    second = _open(cooperative, manager, buyer_name="Toko Kopi", quantity=100)
    selling.commit(m["W"].owner, m["W"], second, "A", 60)
    db.session.commit()
    web.login(manager)
    web.post(f"{BASE}/{first.id}/batalkan", {"reason": ""})
    db.session.refresh(first)
    assert first.status is S.OPEN
    web.post(f"{BASE}/{first.id}/batalkan", {"reason": "Pembeli membatalkan pesanan."})
    db.session.refresh(first)
    assert first.status is S.CANCELLED
    assert "Pembeli membatalkan pesanan." in html(web.get(f"{BASE}/{first.id}"))

    assert "Tutup lebih awal" not in html(web.get(f"{BASE}/{second.id}"))
    web.post(f"{BASE}/{second.id}/tutup")
    db.session.refresh(second)
    assert second.status is S.OPEN  # 60 of 100: refused
    selling.commit(m["X"].owner, m["X"], second, "B", 50)
    db.session.commit()
    assert "Tutup lebih awal" in html(web.get(f"{BASE}/{second.id}"))
    web.post(f"{BASE}/{second.id}/tutup")
    db.session.refresh(second)
    assert second.status is S.COMMITTED and second.allocated_qty == 100


# --- members ----------------------------------------------------------------------------------------------


def test_members_commit_change_and_withdraw(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, _buyer = coffee
    coalition = _open(cooperative, manager, buyer_name="Toko Kopi")
    db.session.commit()
    web.login(m["W"].owner)
    assert "Kopi Arabika sangrai" in html(web.get(BASE))
    page = f"{BASE}/{coalition.id}"
    assert "Berkomitmen" in html(web.get(page))
    response = web.post(f"{page}/komitmen", {"business_id": m["W"].id, "grade": "A", "quantity": "200"})
    assert response.status_code == 302
    mine = db.session.scalars(select(Commitment).where(Commitment.business_id == m["W"].id)).one()
    assert (mine.grade, mine.quantity, mine.status) == ("A", 200, CommitmentStatus.ACTIVE)
    text = html(web.get(page))
    assert "200 dari 500 kg" in text and "Kurang 300 kg" in text

    response = web.post(f"{page}/komitmen", {"business_id": m["W"].id, "grade": "A", "quantity": "5"})
    assert response.status_code == 422 and "ubah saja jumlahnya" in html(response)
    response = web.post(f"{page}/komitmen", {"business_id": m["W"].id, "grade": "B", "quantity": "banyak"})
    assert response.status_code == 422 and 'value="banyak"' in html(response)

    assert web.post(f"{page}/komitmen/{mine.id}/ubah", {"quantity": "150"}).status_code == 302
    db.session.refresh(mine)
    assert mine.quantity == 150
    response = web.post(f"{page}/komitmen/{mine.id}/ubah", {"quantity": "nol"})
    assert response.status_code == 422 and 'value="nol"' in html(response)

    assert web.post(f"{page}/komitmen/{mine.id}/tarik").status_code == 302
    db.session.refresh(mine)
    assert mine.status is CommitmentStatus.WITHDRAWN


def test_a_member_of_another_cooperative_cannot_commit(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, _buyer = coffee
    coalition = _open(cooperative, manager, buyer_name="Toko Kopi")
    theirs = selling.commit(m["W"].owner, m["W"], coalition, "A", 30)
    other = make_cooperative(make_user("Ketua Lain"), "Koperasi Lain")
    outsider = make_business(make_user("Orang Luar"), "Kebun Luar")
    make_membership(other, outsider)
    db.session.commit()
    web.login(outsider.owner)
    page = f"{BASE}/{coalition.id}"
    assert web.get(page).status_code == 403
    assert "Kopi Arabika sangrai" not in html(web.get(BASE))
    response = web.post(f"{page}/komitmen", {"business_id": outsider.id, "grade": "A", "quantity": "10"})
    assert response.status_code == 403
    assert web.post(f"{page}/komitmen/{theirs.id}/ubah", {"quantity": "1"}).status_code == 403
    assert web.post(f"{page}/komitmen/{theirs.id}/tarik").status_code == 403
    # a member of this cooperative can't touch another member's commitment or commit in their name
    web.logout()
    web.login(m["X"].owner)
    assert web.post(f"{page}/komitmen/{theirs.id}/ubah", {"quantity": "1"}).status_code == 403
    response = web.post(f"{page}/komitmen", {"business_id": m["W"].id, "grade": "B", "quantity": "10"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 1
    db.session.refresh(theirs)
    assert theirs.quantity == 30


def test_drafts_are_the_managers_own(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, buyer = coffee
    draft = selling.create_coalition(manager, cooperative, _terms(), request=_request(buyer))
    db.session.commit()
    for user in (buyer, m["W"].owner):
        web.login(user)
        assert web.get(f"{BASE}/{draft.id}").status_code == 403
        assert web.get(f"{BASE}/{draft.id}/ubah").status_code == 403
        assert web.post(f"{BASE}/{draft.id}/terbitkan").status_code == 403
        assert web.get(f"{BASE}/koperasi/{cooperative.slug}").status_code == 403
        assert web.get(f"{BASE}/koperasi/{cooperative.slug}/baru").status_code == 403
        web.logout()
    db.session.refresh(draft)
    assert draft.status is S.DRAFT
    admin = make_user("Admin", is_admin=True)
    db.session.commit()
    web.login(admin)
    assert web.get(f"{BASE}/{draft.id}").status_code == 200


# --- quality control, receipt, settlement --------------------------------------------------------------


def test_the_worked_example_through_the_pages(web, coffee):  # type: ignore[no-untyped-def]
    _cooperative, manager, m, buyer = coffee
    coalition, by_name = _worked_example(coffee)
    page = f"{BASE}/{coalition.id}"

    web.login(manager)
    text = html(web.get(page))
    assert "Pemeriksaan mutu di titik pengumpulan" in text and "Kebun Kopi Z" in text
    for key in "WXY":
        c = by_name[key]
        url = f"{page}/komitmen/{c.id}/periksa"
        assert (
            web.post(url, {"delivered": str(c.allocated_qty), "accepted": str(c.allocated_qty)}).status_code
            == 302
        )
    z_url = f"{page}/komitmen/{by_name['Z'].id}/periksa"
    response = web.post(z_url, {"delivered": "100", "accepted": "90", "reason": ""})
    assert response.status_code == 422 and 'value="90"' in html(response) and "Wajib diisi." in html(response)
    assert (
        web.post(z_url, {"delivered": "100", "accepted": "90", "reason": "10 kg biji pecah"}).status_code
        == 302
    )
    text = html(web.get(page))
    assert "10 kg biji pecah" in text and "Catatan pemeriksaan mutu" in text
    assert web.post(f"{page}/selesai-periksa").status_code == 302
    web.logout()

    # the buyer: totals only, no quality control
    web.login(buyer)
    text = html(web.get(page))
    assert "490 kg" in text and "Konfirmasi penerimaan barang" in text
    assert "Kebun Kopi W" not in text and "10 kg biji pecah" not in text
    assert web.post(z_url, {"delivered": "1", "accepted": "1"}).status_code == 403
    assert web.post(f"{page}/tutup").status_code == 403
    assert web.post(f"{page}/terima").status_code == 302
    db.session.refresh(coalition)
    assert coalition.status is S.DELIVERED and coalition.buyer_total_idr == 84_600_000
    text = html(web.get(page))
    assert "Rp84.600.000" in text
    for secret in ("Rp23.654.286", "Rp16.855.102", "Rp15.206.326", "Rp285.714", "Kebun Kopi Y"):
        assert secret not in text, secret
    if "selling.pay" in web.client.application.view_functions:
        assert f"{page}/bayar" in text
    web.logout()

    # a member sees their own statement, nobody else's
    web.login(m["W"].owner)
    text = html(web.get(page))
    for amount in ("Rp25.200.000", "Rp1.260.000", "Rp285.714", "Rp23.654.286"):
        assert amount in text, amount
    assert "Rp16.855.102" not in text and "Rp15.206.326" not in text
    assert "Rp23.654.286" in html(web.get(BASE))  # owed, on the list of payouts
    web.logout()
    web.login(m["Z"].owner)
    text = html(web.get(page))
    assert "Rp15.206.326" in text and "10 kg biji pecah" in text and "Rp23.654.286" not in text
    web.logout()

    # the buyer paid (another page's work); the manager records the payouts
    selling.buyer_paid(coalition, 84_600_000)
    db.session.commit()
    web.login(manager)
    payouts = {p.business.name[-1]: p for p in selling.payouts_of(coalition)}
    text = html(web.get(page))
    assert all(f"Rp{amount}" in text for amount in ("23.654.286", "16.855.102", "15.206.326"))
    w_url = f"{page}/pembayaran-anggota/{payouts['W'].id}"
    response = web.post(w_url, {"amount": "23.654.287", "reference": "TRF-1"})
    assert response.status_code == 422 and 'value="23.654.287"' in html(response)
    assert web.post(w_url, {"amount": "20.000.000", "reference": ""}).status_code == 422
    assert web.post(w_url, {"amount": "20.000.000", "reference": "TRF-1"}).status_code == 302
    assert web.post(w_url, {"amount": "3.654.286", "reference": "TRF-2"}).status_code == 302
    for key in "XYZ":
        url = f"{page}/pembayaran-anggota/{payouts[key].id}"
        assert (
            web.post(url, {"amount": str(payouts[key].payout_idr), "reference": f"TRF-{key}"}).status_code
            == 302
        )
    db.session.refresh(coalition)
    assert coalition.status is S.SETTLED
    assert "Selesai dibayarkan" in html(web.get(page))
    web.logout()
    web.login(m["W"].owner)
    text = html(web.get(page))
    assert "TRF-1" in text and "TRF-2" in text


def test_livestock_ear_tags_and_weights(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, _buyer = coffee
    coalition = _open(
        cooperative,
        manager,
        title="Sapi kurban",
        unit="ekor",
        quantity=2,
        grades=[("Sapi > 300 kg", 25_000_000)],
        buyer_name="Masjid Raya Bekasi",
        fee_bp=0,
        shared_cost_idr=0,
    )
    selling.commit(m["W"].owner, m["W"], coalition, "Sapi > 300 kg", 2)
    selling.close(coalition, utcnow() + timedelta(days=6))
    db.session.commit()
    commitment = selling.active_commitments(coalition)[0]
    web.login(manager)
    url = f"{BASE}/{coalition.id}/komitmen/{commitment.id}/periksa"
    response = web.post(
        url, {"delivered": "1", "accepted": "1", "ear_tag": "ID-3216-0001", "weight": "berat"}
    )
    assert response.status_code == 422 and 'value="ID-3216-0001"' in html(response)
    ok = {"delivered": "1", "accepted": "1", "ear_tag": "ID-3216-0001", "weight": "312,5"}
    assert web.post(url, ok).status_code == 302
    rejected = {
        "delivered": "1",
        "accepted": "0",
        "reason": "Pincang",
        "ear_tag": "ID-3216-0002",
        "weight": "280",
    }
    assert web.post(url, rejected).status_code == 302
    checks = db.session.scalars(select(QualityCheck).order_by(QualityCheck.id)).all()
    assert [(c.ear_tag, c.weight_grams, c.accepted_qty) for c in checks] == [
        ("ID-3216-0001", 312_500, 1),
        ("ID-3216-0002", 280_000, 0),
    ]
    text = html(web.get(f"{BASE}/{coalition.id}"))
    assert "312,5 kg" in text and "Pincang" in text
    web.logout()
    web.login(m["W"].owner)
    text = html(web.get(f"{BASE}/{coalition.id}"))
    assert "ID-3216-0002" in text and "Pincang" in text


def test_the_buyer_decides_on_partial_fulfilment(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, buyer = coffee
    coalition = selling.create_coalition(manager, cooperative, _terms(), request=_request(buyer))
    selling.publish(manager, coalition)
    selling.commit(m["W"].owner, m["W"], coalition, "A", 200)
    selling.commit(m["Y"].owner, m["Y"], coalition, "B", 100)
    selling.close(coalition, utcnow() + timedelta(days=6))
    db.session.commit()
    page = f"{BASE}/{coalition.id}"
    web.login(m["W"].owner)
    assert "Terima 300 kg" not in html(web.get(page))
    assert web.post(f"{page}/keputusan-sebagian", {"decision": "accept"}).status_code == 403
    web.logout()
    web.login(buyer)
    assert "Terima 300 kg" in html(web.get(page))
    assert web.post(f"{page}/keputusan-sebagian", {"decision": "maybe"}).status_code == 400
    assert web.post(f"{page}/keputusan-sebagian", {"decision": "accept"}).status_code == 302
    db.session.refresh(coalition)
    assert coalition.status is S.COMMITTED and coalition.partial_accepted is True
    assert "Pembeli menerima 300 kg." in html(web.get(page))  # the history


# --- refusals and language ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, _buyer = coffee
    coalition = _open(cooperative, manager, buyer_name="Toko Kopi")
    db.session.commit()
    for url in (BASE, f"{BASE}/{coalition.id}", f"{BASE}/koperasi/{cooperative.slug}/baru"):
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"], url


def test_posts_without_csrf_are_refused(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, m, _buyer = coffee
    draft = selling.create_coalition(manager, cooperative, _terms(buyer_name="Toko Kopi"))
    coalition = _open(cooperative, manager, buyer_name="Toko Kopi")
    db.session.commit()
    web.login(manager)
    assert web.post(f"{BASE}/{draft.id}/terbitkan", csrf=False).status_code == 400
    assert web.post(f"{BASE}/koperasi/{cooperative.slug}/baru", form_data(), csrf=False).status_code == 400
    web.logout()
    web.login(m["W"].owner)
    data = {"business_id": m["W"].id, "grade": "A", "quantity": "10"}
    assert web.post(f"{BASE}/{coalition.id}/komitmen", data, csrf=False).status_code == 400
    db.session.refresh(draft)
    assert draft.status is S.DRAFT
    assert db.session.scalar(select(func.count()).select_from(SellingCoalition)) == 2
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_english_labels(web, coffee):  # type: ignore[no-untyped-def]
    coalition, _by_name = _worked_example(coffee)
    _cooperative, _manager, _m, buyer = coffee
    web.login(buyer)
    with web.client.session_transaction() as session:
        session["lang"] = "en"
    text = html(web.get(f"{BASE}/{coalition.id}"))
    for label in ("Buyer", "Deadline", "Shared costs", "Total"):
        assert label in text, label
    for indonesian in ("Pembeli</dt>", "Batas waktu</dt>", "Biaya bersama</dt>"):
        assert indonesian not in text, indonesian
    assert "Rp1.000.000" in text


def test_a_buyer_sees_only_their_own_request_and_its_coalition(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, manager, _m, buyer = coffee
    request = _request(buyer)
    coalition = selling.create_coalition(manager, cooperative, _terms(), request=request)
    selling.publish(manager, coalition)
    other_buyer = make_user("Bu Restoran")
    db.session.commit()
    web.login(other_buyer)
    assert web.get(f"{BASE}/permintaan/{request.id}").status_code == 403
    assert web.get(f"{BASE}/{coalition.id}").status_code == 403
    assert web.post(f"{BASE}/{coalition.id}/terima").status_code == 403
    assert "Kopi Arabika sangrai" not in html(web.get(f"{BASE}/permintaan"))
    web.logout()
    web.login(buyer)
    assert web.get(f"{BASE}/permintaan/{request.id}").status_code == 200
    assert web.get(f"{BASE}/{coalition.id}").status_code == 200
