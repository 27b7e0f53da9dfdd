"""The events calendar: who creates and runs events, booth booking and capacity, what a booth may bring, the
public pages in both languages."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import ProductStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing import events
from marketplace.marketing.event_models import Booth, Event, EventKind, EventStatus, aware
from tests.conftest import html
from tests.factories import (
    DENPASAR,
    make_business,
    make_cooperative,
    make_membership,
    make_officer,
    make_product,
    make_user,
)


def data(
    title: str = "Bazar UMKM Hari Koperasi", *, days: int = 3, region=("32", "32.16"), **kw
) -> events.EventData:  # type: ignore[no-untyped-def]
    start = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    return events.EventData(
        title=title,
        kind=kw.pop("kind", EventKind.BAZAAR),
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        place=kw.pop("place", "Alun-alun Kota Bekasi"),
        address=kw.pop("address", "Jl. Veteran No. 1"),
        province_code=region[0],
        regency_code=region[1],
        description=kw.pop("description", "Bazar produk anggota koperasi se-Bekasi."),
        **kw,
    )


@pytest.fixture
def manager():
    return make_user("Pak Ketua")


@pytest.fixture
def coop(manager):
    return make_cooperative(manager, "Koperasi Rajut Bekasi", slug="koperasi-rajut-bekasi")


@pytest.fixture
def member_products(coop):
    """Three public products of two active members, listed under the cooperative."""
    a = make_business(make_user("Dewi"), "Rajut Dewi", slug="rajut-dewi")
    b = make_business(make_user("Sari"), "Kue Sari", slug="kue-sari")
    make_membership(coop, a)
    make_membership(coop, b)
    return [
        make_product(a, "Boneka Beruang Rajut", slug="boneka", cooperative=coop, price_idr=85_000),
        make_product(a, "Tas Rajut Mini", slug="tas", cooperative=coop, price_idr=120_000),
        make_product(b, "Kue Lapis Legit", slug="lapis", cooperative=coop, price_idr=150_000),
    ]


def published(manager, coop, **kw) -> Event:  # type: ignore[no-untyped-def]
    event = events.create_event(manager, data(**kw), cooperative=coop)
    events.publish_event(manager, event)
    return event


# --- creating and running events --------------------------------------------------------------------------


def test_manager_creates_and_publishes_for_their_cooperative(manager, coop):
    event = events.create_event(manager, data(), cooperative=coop)
    assert (
        event.status is EventStatus.DRAFT and event.cooperative_id == coop.id and event.organiser_id is None
    )
    assert event.slug == "bazar-umkm-hari-koperasi"
    assert events.upcoming_events() == []  # a draft is not listed
    events.publish_event(manager, event)
    assert event.status is EventStatus.PUBLISHED and event.published_at is not None
    assert events.upcoming_events() == [event] and events.upcoming_events("32") == [event]
    assert events.upcoming_events("51") == []
    with pytest.raises(PermissionDenied):
        events.create_event(make_user("Bukan Pengurus"), data(), cooperative=coop)


def test_officer_creates_in_their_region_only(coop):
    officer = make_officer("32")  # Jawa Barat: Bekasi is inside
    event = events.create_event(officer, data("Pelatihan Pengemasan", kind=EventKind.TRAINING))
    assert event.organiser_id == officer.id and event.cooperative_id is None
    events.publish_event(officer, event)
    assert event.is_published
    with pytest.raises(DomainError) as refused:
        events.create_event(officer, data("Di Bali", region=DENPASAR))
    assert refused.value.field == "regency_code"
    # An officer of another region may not run it; one of a regency inside may; a plain user creates nothing.
    bali = make_officer("51")
    with pytest.raises(PermissionDenied):
        events.update_event(bali, event, data("Diubah"))
    with pytest.raises(PermissionDenied):
        events.cancel_event(bali, event, "tidak suka")
    events.update_event(make_officer("32.16"), event, data("Pelatihan Pengemasan Produk"))
    assert event.title == "Pelatihan Pengemasan Produk"
    with pytest.raises(PermissionDenied):
        events.create_event(make_user("Warga"), data())


def test_event_rules(manager, coop):
    bad = data()
    bad.ends_at = bad.starts_at
    with pytest.raises(DomainError) as refused:
        events.create_event(manager, bad, cooperative=coop)
    assert refused.value.field == "ends_at"
    with pytest.raises(DomainError) as refused:
        events.create_event(manager, data(region=("32", "51.71")), cooperative=coop)
    assert refused.value.field == "regency_code"
    past = events.create_event(manager, data(days=-5), cooperative=coop)
    with pytest.raises(DomainError, match="sudah lewat"):
        events.publish_event(manager, past)
    baru = events.create_event(manager, data("Baru"), cooperative=coop)
    assert baru.slug != "baru"  # /acara/baru is the form


def test_booking_a_booth_capacity_and_refusals(manager, coop):
    event = published(manager, coop, booth_capacity=2)
    booth = events.book_booth(manager, event, coop, "Dekat pintu masuk")
    assert booth.cooperative_id == coop.id and booth.note == "Dekat pintu masuk"
    with pytest.raises(DomainError, match="sudah memesan"):
        events.book_booth(manager, event, coop)
    second = make_cooperative(make_user("Bu Ketua"))
    events.book_booth(second.managers[0].user, event, second)
    third = make_cooperative(make_user("Pak Lain"))
    with pytest.raises(DomainError, match="penuh"):
        events.book_booth(third.managers[0].user, event, third)
    with pytest.raises(PermissionDenied):
        events.book_booth(manager, event, third)  # not their cooperative
    with pytest.raises(DomainError) as refused:
        events.update_event(manager, event, data(booth_capacity=1))
    assert refused.value.field == "booth_capacity"
    events.cancel_booth(manager, booth)
    events.book_booth(third.managers[0].user, event, third)
    assert db.session.scalar(select(db.func.count()).select_from(Booth)) == 2


def test_no_booth_at_a_draft_cancelled_or_past_event(manager, coop):
    draft = events.create_event(manager, data(), cooperative=coop)
    with pytest.raises(DomainError, match="belum diterbitkan"):
        events.book_booth(manager, draft, coop)
    event = published(manager, coop, title="Pameran Kopi")
    with pytest.raises(DomainError):
        events.cancel_event(manager, event, " ")
    events.cancel_event(manager, event, "Hujan deras")
    assert event.is_cancelled and event.cancel_reason == "Hujan deras"
    with pytest.raises(DomainError, match="dibatalkan"):
        events.book_booth(manager, event, coop)
    over = published(manager, coop, title="Bazar Kemarin")
    over.starts_at, over.ends_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.session.flush()
    with pytest.raises(DomainError, match="sudah selesai"):
        events.book_booth(manager, over, coop)
    assert over in events.past_events()


def test_booth_products_are_the_members_public_products_only(manager, coop, member_products):
    event = published(manager, coop)
    booth = events.book_booth(manager, event, coop)
    outsider = make_product(make_business(), "Produk Bukan Anggota", slug="luar")
    draft = make_product(
        member_products[0].business, "Draf", slug="draf", cooperative=coop, status=ProductStatus.DRAFT
    )
    left = make_business(make_user("Keluar"), "Usaha Keluar", slug="keluar")
    make_membership(coop, left, status=MembershipStatus.REMOVED)
    removed = make_product(left, "Produk Mantan Anggota", slug="mantan", cooperative=coop)
    assert {p.id for p in events.booth_candidates(coop)} == {p.id for p in member_products}
    for wrong in (outsider, draft, removed):
        with pytest.raises(DomainError) as refused:
            events.set_booth_products(manager, booth, [member_products[0].id, wrong.id])
        assert refused.value.field == "product_ids"
    ids = [p.id for p in member_products]
    events.set_booth_products(manager, booth, ids)
    assert [item.product_id for item in booth.items] == ids
    events.set_booth_products(manager, booth, ids[1:])
    assert [item.product_id for item in booth.items] == ids[1:]
    with pytest.raises(DomainError, match="Paling banyak"):
        events.set_booth_products(manager, booth, list(range(1, events.MAX_BOOTH_PRODUCTS + 2)))
    with pytest.raises(PermissionDenied):
        events.set_booth_products(make_user("Orang"), booth, ids)


# --- pages --------------------------------------------------------------------------------------------------


def test_manager_creates_publishes_books_and_chooses_products_through_the_pages(
    web, manager, coop, member_products
):
    web.login(manager)
    form = html(web.get("/acara/baru"))
    assert "Acara baru" in form and "Koperasi Rajut Bekasi" in form
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    fields = {
        "organiser": f"koperasi:{coop.id}",
        "title": "Bazar Rajut Akhir Tahun",
        "kind": "bazaar",
        "starts_on": day,
        "starts_time": "09:00",
        "ends_on": day,
        "ends_time": "08:00",
        "place": "Gedung Juang",
        "address": "Jl. Sultan Hasanudin",
        "province_code": "32",
        "regency_code": "32.16",
        "description": "Rajutan anggota.",
        "booth_capacity": "20",
    }
    response = web.post("/acara/baru", fields)
    assert response.status_code == 422
    page = html(response)
    assert "Waktu selesai harus sesudah waktu mulai." in page and 'value="Bazar Rajut Akhir Tahun"' in page
    response = web.post("/acara/baru", {**fields, "ends_time": "17:00"})
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert aware(event.starts_at).astimezone(UTC).hour == 2  # 09.00 WIB is 02.00 UTC
    url = f"/acara/{event.slug}"
    assert web.post(f"{url}/terbitkan").status_code == 302
    assert db.session.get(Event, event.id).is_published
    assert web.post(f"{url}/booth/{coop.slug}/pesan", {"note": ""}).status_code == 302
    booth_url = f"{url}/booth/{coop.slug}"
    page = html(web.get(booth_url))
    assert all(p.title in page for p in member_products)
    ids = [p.id for p in member_products]
    response = web.post(booth_url, {"product_ids": ids})
    assert response.status_code == 302
    page = html(web.get(booth_url))
    tags = f"/koperasi/{coop.slug}/label-harga.pdf?" + "&amp;".join(f"produk={i}" for i in ids)
    assert tags in page
    response = web.get(tags.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # A product that is not the members' is refused with the reason, the choice kept.
    outsider = make_product(make_business(), "Produk Luar", slug="luar")
    response = web.post(booth_url, {"product_ids": [ids[0], outsider.id]})
    assert response.status_code == 422
    assert "Pilih hanya produk tayang" in html(response)


def test_public_event_page_shows_booths_and_products(client, manager, coop, member_products):
    event = published(manager, coop)
    booth = events.book_booth(manager, event, coop)
    events.set_booth_products(manager, booth, [p.id for p in member_products])
    member_products[2].status = ProductStatus.PAUSED  # a paused product drops out of the public page
    db.session.flush()
    page = html(client.get(f"/acara/{event.slug}"))
    assert "Bazar UMKM Hari Koperasi" in page and "Alun-alun Kota Bekasi" in page and "WIB" in page
    assert "Koperasi Rajut Bekasi" in page
    assert "Boneka Beruang Rajut" in page and "Rp85.000" in page and "Tas Rajut Mini" in page
    assert f"/produk/{member_products[0].id}-boneka" in page
    assert "Kue Lapis Legit" not in page
    listing = html(client.get("/acara"))
    assert "Bazar UMKM Hari Koperasi" in listing
    assert "Bazar UMKM Hari Koperasi" not in html(client.get("/acara?provinsi=51"))


def test_drafts_are_hidden_and_cancelled_events_say_so(client, web, manager, coop):
    draft = events.create_event(manager, data("Draf Rahasia"), cooperative=coop)
    assert client.get(f"/acara/{draft.slug}").status_code == 404
    event = published(manager, coop, title="Pameran Batal")
    events.cancel_event(manager, event, "Gedung direnovasi")
    page = html(client.get(f"/acara/{event.slug}"))
    assert "Acara ini dibatalkan." in page and "Gedung direnovasi" in page
    web.login(manager)
    assert "Draf Rahasia" in html(web.get("/acara"))


def test_officer_pages_and_another_region_is_refused(web, manager, coop):
    officer = make_officer("32")
    event = events.create_event(officer, data("Pelatihan Dinas"))
    web.login(make_officer("51"))
    assert web.get(f"/acara/{event.slug}/ubah").status_code == 403
    assert web.post(f"/acara/{event.slug}/terbitkan").status_code == 403
    web.logout()
    web.login(officer)
    assert "Pelatihan Dinas" in html(web.get(f"/acara/{event.slug}/ubah"))
    assert web.post(f"/acara/{event.slug}/terbitkan").status_code == 302
    assert db.session.get(Event, event.id).is_published
    web.logout()
    web.login(make_user("Warga Biasa"))
    assert web.get("/acara/baru").status_code == 403
    assert web.get(f"/acara/{event.slug}/booth/{coop.slug}").status_code == 403


def test_pages_in_indonesian_and_english(web, manager, coop):
    event = published(manager, coop)
    page = html(web.get("/acara"))
    assert 'lang="id"' in page and "Kalender acara" in page
    assert "Mulai" in html(web.get(f"/acara/{event.slug}"))
    web.post("/bahasa", {"lang": "en", "next": "/acara"})
    page = html(web.get("/acara"))
    assert 'lang="en"' in page and "Bazar UMKM Hari Koperasi" in page
    event_page = html(web.get(f"/acara/{event.slug}"))
    assert 'lang="en"' in event_page and event.starts_at.strftime("%Y") in event_page
    # Dates follow the language (English month and day names).
    assert any(
        day in event_page
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
