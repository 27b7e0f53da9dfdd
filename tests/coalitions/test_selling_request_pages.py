"""Bulk request pages through the web client: a hotel asks for 500 kg of roasted Arabica (grade A at
Rp180.000/kg, grade B "make me an offer"), the coffee cooperative of Bekasi answers, the buyer decides.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import select

from coalitions.selling import services as selling
from coalitions.selling.models import BulkRequest, CounterOffer, OfferStatus, RequestStatus
from coalitions.selling.request_views import take_url
from marketplace.clock import utcnow
from marketplace.cooperatives.models import CooperativeSector
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.conftest import html
from tests.factories import BEKASI, DENPASAR, make_business, make_cooperative, make_membership, make_user

JAKARTA = ZoneInfo("Asia/Jakarta")
NEW = "/koalisi-penjualan/permintaan/baru"
MINE = "/koalisi-penjualan/permintaan"


def _coop(name: str, *, region=BEKASI, sector: Sector | None = Sector.PRODUCE):  # type: ignore[no-untyped-def]
    cooperative = make_cooperative(make_user(f"Ketua {name}"), name, region=region)
    if sector is not None:
        cooperative.sector_rows.append(CooperativeSector(sector=sector))
    db.session.flush()
    return cooperative


def manager_of(cooperative):  # type: ignore[no-untyped-def]
    return cooperative.managers[0].user


@pytest.fixture
def coffee():  # type: ignore[no-untyped-def]
    """The coffee cooperative of Bekasi and a hotel buyer."""
    return _coop("Koperasi Kopi Bekasi"), make_user("Pak Hotel")


def request_form(**changes: str) -> dict[str, str]:
    deadline = (utcnow() + timedelta(days=3)).astimezone(JAKARTA)
    form = {
        "organisation": "Hotel Santika Bekasi",
        "title": "Kopi Arabika sangrai",
        "sector": Sector.PRODUCE.value,
        "quantity": "500",
        "unit": "kg",
        "grade_name_0": "A",
        "grade_price_0": "Rp180.000",
        "grade_name_1": "B",
        "grade_price_1": "",
        "grade_name_2": "",
        "grade_price_2": "",
        "grade_name_3": "",
        "grade_price_3": "",
        "delivery_date": (deadline + timedelta(days=17)).strftime("%Y-%m-%d"),
        "delivery_place": "Jl. Ahmad Yani No. 1, Bekasi",
        "province_code": BEKASI[0],
        "regency_code": "",
        "offer_deadline_date": deadline.strftime("%Y-%m-%d"),
        "offer_deadline_time": "17:00",
        "notes": "Sangrai medium, kemasan 1 kg",
    }
    form.update(changes)
    return form


def post_request(buyer, **changes):  # type: ignore[no-untyped-def]
    """A request made through the service (the form is tested on its own)."""
    data = selling.RequestData(
        organisation="Hotel Santika Bekasi",
        title="Kopi Arabika sangrai",
        sector=Sector.PRODUCE,
        quantity=500,
        unit="kg",
        grades=[("A", 180_000), ("B", None)],
        delivery_date=utcnow().date() + timedelta(days=20),
        delivery_place="Jl. Ahmad Yani No. 1, Bekasi",
        province_code=BEKASI[0],
        offer_deadline=utcnow() + timedelta(days=3),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    bulk = selling.create_request(buyer, data)
    db.session.commit()
    return bulk


def page(bulk) -> str:  # type: ignore[no-untyped-def]
    return f"/koalisi-penjualan/permintaan/{bulk.id}"


def offer_data(cooperative, *prices: str, note: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    prefix = f"k{cooperative.id}-"
    data = {f"{prefix}price_{i}": price for i, price in enumerate(prices)}
    data[f"{prefix}note"] = note
    return data


def make_offer(web, cooperative, bulk, *prices: str, note: str = ""):  # type: ignore[no-untyped-def]
    return web.post(
        f"{page(bulk)}/tawar/{cooperative.slug}",
        offer_data(cooperative, *prices, note=note),
        prefix=f"k{cooperative.id}-",
    )


def offers_of(bulk) -> list[CounterOffer]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(CounterOffer).where(CounterOffer.request_id == bulk.id).order_by(CounterOffer.id)
        )
    )


# --- the buyer posts a request ------------------------------------------------------------------------------


def test_buyer_posts_a_request_with_a_priced_and_an_open_grade(web, coffee):  # type: ignore[no-untyped-def]
    _cooperative, buyer = coffee
    web.login(buyer)
    form_page = web.get(NEW)
    assert form_page.status_code == 200
    assert 'name="grade_name_3"' in html(form_page) and '<option value="32">' in html(form_page)

    response = web.post(NEW, request_form(regency_code=BEKASI[1], quantity="1.500"))
    assert response.status_code == 302, html(response)[:3000]
    bulk = db.session.scalars(select(BulkRequest).where(BulkRequest.buyer_id == buyer.id)).one()
    assert response.headers["Location"].endswith(page(bulk))
    assert (bulk.organisation, bulk.title, bulk.sector, bulk.quantity, bulk.unit) == (
        "Hotel Santika Bekasi",
        "Kopi Arabika sangrai",
        Sector.PRODUCE,
        1500,
        "kg",
    )
    assert [(g.grade, g.price_idr) for g in bulk.grades] == [("A", 180_000), ("B", None)]
    assert (bulk.province_code, bulk.regency_code, bulk.status) == ("32", "32.16", RequestStatus.OPEN)
    deadline = bulk.offer_deadline if bulk.offer_deadline.tzinfo else bulk.offer_deadline.replace(tzinfo=UTC)
    assert deadline.astimezone(JAKARTA).strftime("%H:%M") == "17:00"  # typed in WIB, stored in UTC
    assert bulk.notes == "Sangrai medium, kemasan 1 kg"

    shown = html(web.get(page(bulk)))
    assert "Kopi Arabika sangrai" in shown and "Rp180.000" in shown and "minta penawaran" in shown
    assert "17.00 WIB" in shown
    listing = html(web.get(MINE))
    assert "Kopi Arabika sangrai" in listing and "Terbuka" in listing and "0 penawaran" in listing


def test_a_request_for_the_whole_province(web, coffee):  # type: ignore[no-untyped-def]
    _cooperative, buyer = coffee
    web.login(buyer)
    assert web.post(NEW, request_form(grade_price_0="")).status_code == 302
    bulk = db.session.scalars(select(BulkRequest).where(BulkRequest.buyer_id == buyer.id)).one()
    assert bulk.regency_code is None
    assert [(g.grade, g.price_idr) for g in bulk.grades] == [("A", None), ("B", None)]


def test_invalid_input_keeps_what_was_typed_and_shows_the_errors(web, coffee):  # type: ignore[no-untyped-def]
    _cooperative, buyer = coffee
    web.login(buyer)
    response = web.post(NEW, request_form(title="", quantity="lima ratus", grade_price_2="150.000"))
    assert response.status_code == 422
    body = html(response)
    assert "Isi nama barang yang dicari." in body
    assert 'value="lima ratus"' in body  # what was typed, shown back
    assert 'value="Hotel Santika Bekasi"' in body and 'value="Rp180.000"' in body
    assert "Isi nama mutu pada setiap baris yang diberi harga." in body
    assert "Sangrai medium, kemasan 1 kg" in body

    no_grades = html(web.post(NEW, request_form(grade_name_0="", grade_price_0="", grade_name_1="")))
    assert "Isi minimal satu mutu." in no_grades

    yesterday = (utcnow() - timedelta(days=1)).astimezone(JAKARTA).strftime("%Y-%m-%d")
    past = web.post(NEW, request_form(offer_deadline_date=yesterday))  # refused by the service
    assert past.status_code == 422
    assert "Batas penawaran harus di masa depan." in html(past) and f'value="{yesterday}"' in html(past)

    wrong_region = web.post(NEW, request_form(regency_code=DENPASAR[1]))
    assert wrong_region.status_code == 422
    assert "Kabupaten/kota ini tidak ada di provinsi yang dipilih." in html(wrong_region)

    same_grade = web.post(NEW, request_form(grade_name_1="a"))
    assert same_grade.status_code == 422 and "Nama mutu tidak boleh sama" in html(same_grade)
    assert db.session.scalar(select(BulkRequest.id).where(BulkRequest.buyer_id == buyer.id)) is None


def test_my_requests_empty_state(web, coffee):  # type: ignore[no-untyped-def]
    web.login(coffee[1])
    body = html(web.get(MINE))
    assert "belum pernah mengirim permintaan" in body and f'href="{NEW}"' in body


# --- who sees a request -------------------------------------------------------------------------------------


def test_only_the_cooperatives_it_is_aimed_at_see_it(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bali = _coop("Koperasi Kopi Kintamani", region=DENPASAR)
    toys = _coop("Koperasi Boneka Bekasi", sector=None)  # Bekasi, but dolls and toys only
    bulk = post_request(buyer)

    web.login(manager_of(cooperative))
    assert web.get(page(bulk)).status_code == 200
    listing = html(web.get(f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan"))
    assert "Kopi Arabika sangrai" in listing and "Belum ditawar" in listing

    for other in (bali, toys):
        web.logout()
        web.login(manager_of(other))
        assert web.get(page(bulk)).status_code == 403
        own_list = web.get(f"/koalisi-penjualan/koperasi/{other.slug}/permintaan")
        assert own_list.status_code == 200 and "Kopi Arabika sangrai" not in html(own_list)
        assert make_offer(web, other, bulk, "175.000", "140.000").status_code == 403
        # and not the cooperative list of somebody else's cooperative either
        assert web.get(f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan").status_code == 403

    web.logout()
    web.login(make_user("Orang Lain"))
    assert web.get(page(bulk)).status_code == 403
    web.logout()
    web.login(make_user("Admin", is_admin=True))
    assert web.get(page(bulk)).status_code == 200


def test_regency_narrows_who_sees_it(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bogor = _coop("Koperasi Kopi Bogor", region=("32", "32.01"))
    bulk = post_request(buyer, regency_code=BEKASI[1])
    web.login(manager_of(bogor))
    assert web.get(page(bulk)).status_code == 403
    web.logout()
    web.login(manager_of(cooperative))
    assert web.get(page(bulk)).status_code == 200


def test_anonymous_users_are_sent_to_log_in(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    for url in (NEW, MINE, page(bulk), f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan"):
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"], url


# --- counter-offers -----------------------------------------------------------------------------------------


def test_a_manager_makes_an_offer_then_withdraws_it(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    web.login(manager_of(cooperative))
    form = html(web.get(page(bulk)))
    assert f'name="k{cooperative.id}-price_0"' in form and 'value="180.000"' in form  # the buyer's price

    missing = make_offer(web, cooperative, bulk, "180.000", "")
    assert missing.status_code == 422
    assert "Isi harga untuk mutu ini." in html(missing) and 'value="180.000"' in html(missing)
    assert offers_of(bulk) == []

    response = make_offer(web, cooperative, bulk, "180.000", "Rp150.000", note="Panen Juli")
    assert response.status_code == 302 and response.headers["Location"].endswith(page(bulk))
    (offer,) = offers_of(bulk)
    assert offer.status is OfferStatus.PENDING and offer.note == "Panen Juli"
    assert [(p.grade, p.price_idr) for p in offer.prices] == [("A", 180_000), ("B", 150_000)]
    shown = html(web.get(page(bulk)))
    assert "Menunggu jawaban pembeli" in shown and f"/koalisi-penjualan/tawaran/{offer.id}/tarik" in shown
    listing = html(web.get(f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan"))
    assert "Menunggu jawaban pembeli" in listing

    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tarik").status_code == 302
    db.session.refresh(offer)
    assert offer.status is OfferStatus.WITHDRAWN


def test_a_non_manager_cannot_offer_or_withdraw(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    member = make_business(make_user("Petani W"), "Kebun Kopi W")
    make_membership(cooperative, member)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    db.session.commit()
    for user in (member.owner, buyer):
        web.login(user)
        assert make_offer(web, cooperative, bulk, "170.000", "140.000").status_code == 403
        assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tarik").status_code == 403
        web.logout()
    assert len(offers_of(bulk)) == 1 and offer.status is OfferStatus.PENDING


# --- the buyer decides --------------------------------------------------------------------------------------


def test_the_buyer_accepts_one_offer_and_the_other_is_declined(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    rival = _coop("Koperasi Tani Cikarang")
    bulk = post_request(buyer)
    web.login(manager_of(cooperative))
    assert make_offer(web, cooperative, bulk, "180.000", "150.000").status_code == 302
    web.logout()
    web.login(manager_of(rival))
    assert make_offer(web, rival, bulk, "178.000", "145.000").status_code == 302
    first, second = offers_of(bulk)
    rival_page = html(web.get(page(bulk)))
    assert "Koperasi Kopi Bekasi" not in rival_page  # a cooperative does not see its rivals' offers
    web.logout()

    web.login(buyer)
    shown = html(web.get(page(bulk)))
    assert "Koperasi Kopi Bekasi" in shown and "Koperasi Tani Cikarang" in shown and "Rp145.000" in shown
    assert "2 penawaran" in html(web.get(MINE))
    response = web.post(f"/koalisi-penjualan/tawaran/{first.id}/terima")
    assert response.status_code == 302 and response.headers["Location"].endswith(page(bulk))
    db.session.refresh(bulk)
    assert (first.status, second.status, bulk.status) == (
        OfferStatus.ACCEPTED,
        OfferStatus.DECLINED,
        RequestStatus.TAKEN,
    )
    shown = html(web.get(page(bulk)))
    assert "Diambil koperasi" in shown and "/terima" not in shown
    # too late for the other one
    web.post(f"/koalisi-penjualan/tawaran/{second.id}/terima")
    db.session.refresh(second)
    assert second.status is OfferStatus.DECLINED

    web.logout()
    web.login(manager_of(cooperative))
    listing = html(web.get(f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan"))
    assert "Penawaran diterima pembeli" in listing and "Kopi Arabika sangrai" in listing
    if "selling.new_from_request" in current_app.view_functions:
        with current_app.test_request_context():
            link = take_url(cooperative, bulk.id)
        assert link and link in html(web.get(page(bulk))) and link in listing


def test_the_buyer_declines_an_offer(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    db.session.commit()
    web.login(buyer)
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tolak").status_code == 302
    db.session.refresh(offer)
    db.session.refresh(bulk)
    assert (offer.status, bulk.status) == (OfferStatus.DECLINED, RequestStatus.OPEN)
    assert "Ditolak" in html(web.get(page(bulk)))


def test_after_the_offer_deadline_no_more_offers_or_acceptance(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    bulk.offer_deadline = utcnow() - timedelta(minutes=1)  # the scheduler has not closed it yet
    db.session.commit()
    web.login(buyer)
    shown = html(web.get(page(bulk)))
    assert "Batas penawaran sudah lewat" in shown and "/terima" not in shown
    web.post(f"/koalisi-penjualan/tawaran/{offer.id}/terima")  # refused by the service, told why
    db.session.refresh(offer)
    assert offer.status is OfferStatus.PENDING
    web.logout()
    web.login(manager_of(cooperative))
    shown = html(web.get(page(bulk)))
    assert f'name="k{cooperative.id}-price_0"' not in shown and "Jadikan koalisi penjualan" not in shown
    assert make_offer(web, cooperative, bulk, "170.000", "140.000").status_code == 422
    assert len(offers_of(bulk)) == 1


def test_only_the_buyer_answers_an_offer(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    db.session.commit()
    web.login(manager_of(cooperative))
    assert "/terima" not in html(web.get(page(bulk)))
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/terima").status_code == 403
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tolak").status_code == 403
    db.session.refresh(offer)
    assert offer.status is OfferStatus.PENDING


def test_the_buyer_cancels_the_request(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    db.session.commit()
    web.login(manager_of(cooperative))
    assert web.post(f"{page(bulk)}/batalkan").status_code == 403
    web.logout()
    web.login(buyer)
    assert web.post(f"{page(bulk)}/batalkan").status_code == 302
    db.session.refresh(bulk)
    db.session.refresh(offer)
    assert (bulk.status, offer.status) == (RequestStatus.CANCELLED, OfferStatus.DECLINED)
    assert "Dibatalkan" in html(web.get(page(bulk)))
    assert web.post(f"{page(bulk)}/batalkan").status_code == 302  # refused, told why, nothing changes
    web.logout()
    web.login(manager_of(cooperative))
    assert "Kopi Arabika sangrai" not in html(
        web.get(f"/koalisi-penjualan/koperasi/{cooperative.slug}/permintaan")
    )
    assert make_offer(web, cooperative, bulk, "1", "1").status_code == 422


def test_a_coalition_made_from_the_request_is_linked(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer, grades=[("A", 180_000)])
    coalition = selling.create_coalition(
        manager_of(cooperative),
        cooperative,
        selling.CoalitionData(
            title="Kopi Arabika sangrai",
            unit="kg",
            quantity=500,
            grades=[("A", 180_000)],
            collection_point="Gudang koperasi",
            collection_date=utcnow().date() + timedelta(days=10),
            deadline=utcnow() + timedelta(days=2),
        ),
        request=bulk,
    )
    db.session.commit()
    web.login(buyer)
    shown = web.get(page(bulk))
    assert shown.status_code == 200 and "Diambil koperasi" in html(shown)
    if "selling.detail" in current_app.view_functions:
        assert f'href="/koalisi-penjualan/{coalition.id}"' in html(shown)


# --- CSRF and language --------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(web, coffee):  # type: ignore[no-untyped-def]
    cooperative, buyer = coffee
    bulk = post_request(buyer)
    offer = selling.make_offer(manager_of(cooperative), cooperative, bulk, [("A", 180_000), ("B", 150_000)])
    db.session.commit()
    web.login(buyer)
    assert web.post(NEW, request_form(), csrf=False).status_code == 400
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/terima", csrf=False).status_code == 400
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tolak", csrf=False).status_code == 400
    assert web.post(f"{page(bulk)}/batalkan", csrf=False).status_code == 400
    web.logout()
    web.login(manager_of(cooperative))
    offer_post = web.post(
        f"{page(bulk)}/tawar/{cooperative.slug}", offer_data(cooperative, "1", "1"), csrf=False
    )
    assert offer_post.status_code == 400
    assert web.post(f"/koalisi-penjualan/tawaran/{offer.id}/tarik", csrf=False).status_code == 400
    db.session.refresh(offer)
    db.session.refresh(bulk)
    assert (offer.status, bulk.status, len(offers_of(bulk))) == (OfferStatus.PENDING, RequestStatus.OPEN, 1)


def test_english_labels(web, coffee):  # type: ignore[no-untyped-def]
    web.login(coffee[1])
    with web.client.session_transaction() as session:
        session["lang"] = "en"
    body = html(web.get(NEW))
    assert "Province" in body and "Regency/city" in body and "Unit price (Rp)" in body and "Quantity" in body
    assert "Provinsi" not in body and "Harga per satuan" not in body
