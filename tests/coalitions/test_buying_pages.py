"""Buying coalition pages and the close-due command, through the web client.

The numbers are DOMAIN.md's worked example (feed concentrate, tiers 1/100/200 at Rp320.000/300.000/285.000,
MOQ 100, delivery Rp1.500.000; pledges A 40, B 35, C 20, D 12).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from coalitions.engine import Outcome
from coalitions.models import (
    BuyingCoalition,
    CoalitionStatus,
    MemberShare,
    Pledge,
    PledgeStatus,
)
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import (
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

S = CoalitionStatus
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    return make_cooperative(make_user("Bu Ketua"))


def manager_of(coop):  # type: ignore[no-untyped-def]
    return coop.managers[0].user


def member(coop, name: str = "Pak Tani"):  # type: ignore[no-untyped-def]
    owner = make_user(name)
    business = make_business(owner)
    make_membership(coop, business)
    return owner, business


def draft_form(**changes) -> dict[str, str]:  # type: ignore[no-untyped-def]
    deadline = (utcnow() + timedelta(days=5)).astimezone(JAKARTA)
    form = {
        "title": "Konsentrat pakan sapi 50 kg",
        "description": "Pakan sapi potong",
        "supplier_name": "CV Pakan Ternak Sejahtera",
        "supplier_contact": "+6281234500000",
        "unit": "karung",
        "moq": "100",
        "pack_size": "",
        "capacity": "",
        "deadline_date": deadline.strftime("%Y-%m-%d"),
        "deadline_time": "17:00",
        "shared_cost_idr": "Rp1.500.000",
        "allocation_rule": "uniform",
        "join_policy": "members",
        "payment_mode": "pay_on_success",
        "payment_due_days": "7",
        "tier_min_0": "1",
        "tier_price_0": "320.000",
        "tier_min_1": "100",
        "tier_price_1": "300.000",
        "tier_min_2": "200",
        "tier_price_2": "285000",
    }
    form.update(changes)
    return form


# --- the manager ------------------------------------------------------------------------------------------


def test_manager_creates_a_draft_with_three_tiers_then_publishes(web, coop):  # type: ignore[no-untyped-def]
    web.login(manager_of(coop))
    page = f"/koalisi/koperasi/{coop.slug}/baru"
    assert web.get(page).status_code == 200
    response = web.post(page, draft_form())
    assert response.status_code == 302, html(response)[:3000]
    coalition = db.session.scalars(
        select(BuyingCoalition).where(BuyingCoalition.cooperative_id == coop.id)
    ).one()
    assert coalition.status is S.DRAFT
    assert [(t.min_qty, t.unit_price_idr) for t in coalition.tiers] == [
        (1, 320_000),
        (100, 300_000),
        (200, 285_000),
    ]
    assert coalition.shared_cost_idr == 1_500_000 and coalition.moq == 100 and coalition.unit == "karung"
    deadline = (
        coalition.deadline
        if coalition.deadline.tzinfo
        else coalition.deadline.replace(tzinfo=ZoneInfo("UTC"))
    )
    assert deadline.astimezone(JAKARTA).strftime("%H:%M") == "17:00"  # typed in WIB, stored in UTC

    listing = html(web.get(f"/koalisi/koperasi/{coop.slug}"))
    assert "Konsentrat pakan sapi 50 kg" in listing and "Draf" in listing

    edit = web.get(f"/koalisi/{coalition.id}/ubah")
    assert edit.status_code == 200 and 'value="300.000"' in html(edit)
    assert web.post(f"/koalisi/{coalition.id}/ubah", draft_form(moq="120")).status_code == 302
    db.session.refresh(coalition)
    assert coalition.moq == 120

    assert web.post(f"/koalisi/{coalition.id}/terbitkan").status_code == 302
    db.session.refresh(coalition)
    assert coalition.status is S.OPEN
    # no more editing once published
    web.post(f"/koalisi/{coalition.id}/ubah", draft_form(moq="150"))
    db.session.refresh(coalition)
    assert coalition.moq == 120


def test_invalid_draft_keeps_what_was_typed(web, coop):  # type: ignore[no-untyped-def]
    web.login(manager_of(coop))
    page = f"/koalisi/koperasi/{coop.slug}/baru"
    response = web.post(
        page, draft_form(moq="", tier_price_1="310.000", tier_price_0="300.000", title="Jagung")
    )
    assert response.status_code == 422
    text = html(response)
    assert 'value="Jagung"' in text and 'value="310.000"' in text
    assert "Isi jumlah minimum pesanan." in text
    # the service's rule about the tiers (prices may not rise with quantity) is shown at the tiers
    response = web.post(page, draft_form(tier_price_1="330.000"))
    assert response.status_code == 422
    assert "Tingkat harga tidak valid" in html(response)
    # card holds only with a deadline at most 6 days away: the service's message
    far = (utcnow() + timedelta(days=10)).astimezone(JAKARTA).strftime("%Y-%m-%d")
    response = web.post(page, draft_form(payment_mode="card_hold", deadline_date=far))
    assert response.status_code == 422
    assert "Tahan dana kartu hanya bisa dipakai" in html(response)
    assert db.session.scalar(select(func.count()).select_from(BuyingCoalition)) == 0


def test_cancel_with_a_reason(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop)
    web.login(manager_of(coop))
    web.post(f"/koalisi/{coalition.id}/batalkan", {"reason": ""})
    db.session.refresh(coalition)
    assert coalition.status is S.OPEN
    web.post(f"/koalisi/{coalition.id}/batalkan", {"reason": "Pemasok menaikkan harga."})
    db.session.refresh(coalition)
    assert coalition.status is S.CANCELLED and coalition.cancel_reason == "Pemasok menaikkan harga."
    assert "Pemasok menaikkan harga." in html(web.get(f"/koalisi/{coalition.id}"))


# --- members ----------------------------------------------------------------------------------------------


def test_member_pledges_changes_and_withdraws(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, shared_cost_idr=1_500_000)
    make_pledge(coalition, quantity=80)
    owner, business = member(coop)
    web.login(owner)

    listing = html(web.get("/koalisi"))
    assert coalition.title in listing
    assert "20 karung lagi untuk mencapai Rp300.000" in listing

    page = f"/koalisi/{coalition.id}"
    assert "20 karung lagi untuk mencapai Rp300.000" in html(web.get(page))
    assert web.post(f"{page}/ikut", {"business_id": business.id, "quantity": "12"}).status_code == 302
    mine = db.session.scalars(select(Pledge).where(Pledge.business_id == business.id)).one()
    assert mine.quantity == 12 and mine.status is PledgeStatus.ACTIVE
    text = html(web.get(page))
    assert "8 karung lagi untuk mencapai Rp300.000" in text
    assert "Rp4.020.000" in text  # worst case: 12 × Rp320.000 + ceil(1.500.000 × 12 / 100)

    assert web.post(f"{page}/komitmen/{mine.id}/ubah", {"quantity": "30"}).status_code == 302
    db.session.refresh(mine)
    assert mine.quantity == 30
    assert web.post(f"{page}/komitmen/{mine.id}/ubah", {"quantity": "nol"}).status_code == 422

    assert web.post(f"{page}/komitmen/{mine.id}/tarik").status_code == 302
    db.session.refresh(mine)
    assert mine.status is PledgeStatus.WITHDRAWN


def test_invalid_pledge_keeps_input(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, capacity=100)
    owner, business = member(coop)
    web.login(owner)
    response = web.post(f"/koalisi/{coalition.id}/ikut", {"business_id": business.id, "quantity": "150"})
    assert response.status_code == 422
    assert "Kapasitas pemasok tinggal 100" in html(response) and 'value="150"' in html(response)
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_pledges_refused_after_the_deadline(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, deadline=utcnow() - timedelta(minutes=1))
    owner, business = member(coop)
    existing = make_pledge(coalition, business, quantity=10)
    web.login(owner)
    page = f"/koalisi/{coalition.id}"
    assert "Ikut koalisi" not in html(web.get(page))
    web.post(f"{page}/komitmen/{existing.id}/ubah", {"quantity": "20"})
    web.post(f"{page}/komitmen/{existing.id}/tarik")
    db.session.refresh(existing)
    assert existing.quantity == 10 and existing.status is PledgeStatus.ACTIVE
    _, other = member(coop, "Bu Dagang")
    other_owner = other.owner
    web.logout()
    web.login(other_owner)
    response = web.post(f"{page}/ikut", {"business_id": other.id, "quantity": "5"})
    assert response.status_code == 422
    assert "Batas waktu koalisi ini sudah lewat" in html(response)
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 1


# --- the close --------------------------------------------------------------------------------------------


def test_close_due_twice_and_the_member_sees_the_worked_example(app, web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, shared_cost_idr=1_500_000)
    owner_a, business_a = member(coop, "Pak A")
    make_pledge(coalition, business_a, quantity=40)
    for quantity in (35, 20, 12):
        make_pledge(coalition, quantity=quantity)
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    runner = app.test_cli_runner()
    first = runner.invoke(args=["coalitions", "close-due"])
    assert first.exit_code == 0, first.output
    assert "Closed 1 coalitions." in first.output and "success" in first.output
    second = runner.invoke(args=["coalitions", "close-due"])
    assert second.exit_code == 0 and "Closed 0 coalitions." in second.output

    db.session.refresh(coalition)
    assert coalition.status is S.CLOSED_SUCCESS and coalition.outcome is Outcome.SUCCESS
    assert coalition.unit_price_idr == 300_000 and coalition.savings_idr == 2_140_000
    assert db.session.scalar(select(func.count()).select_from(MemberShare)) == 4

    web.login(owner_a)
    text = html(web.get(f"/koalisi/{coalition.id}"))
    assert "Rp300.000" in text
    for amount in ("Rp12.000.000", "Rp560.748", "Rp12.560.748", "Rp800.000", "Rp2.140.000"):
        assert amount in text, amount


def test_manager_closes_early_once_moq_is_reached(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop)
    make_pledge(coalition, quantity=60)
    web.login(manager_of(coop))
    web.post(f"/koalisi/{coalition.id}/tutup")
    db.session.refresh(coalition)
    assert coalition.status is S.OPEN  # below the MOQ: refused
    make_pledge(coalition, quantity=40)
    assert "Tutup lebih awal" in html(web.get(f"/koalisi/{coalition.id}"))
    web.post(f"/koalisi/{coalition.id}/tutup")
    db.session.refresh(coalition)
    assert coalition.status is S.CLOSED_SUCCESS and coalition.unit_price_idr == 300_000


# --- refusals ---------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop)
    for url in ("/koalisi", f"/koalisi/{coalition.id}", f"/koalisi/koperasi/{coop.slug}/baru"):
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]


def test_non_managers_may_not_create_edit_publish_or_cancel(web, coop):  # type: ignore[no-untyped-def]
    draft = make_coalition(coop, status=S.DRAFT)
    owner, _business = member(coop)
    web.login(owner)
    assert web.get(f"/koalisi/koperasi/{coop.slug}/baru").status_code == 403
    assert web.post(f"/koalisi/koperasi/{coop.slug}/baru", draft_form()).status_code == 403
    assert web.get(f"/koalisi/koperasi/{coop.slug}").status_code == 403
    assert web.get(f"/koalisi/{draft.id}").status_code == 403  # another's draft
    assert web.get(f"/koalisi/{draft.id}/ubah").status_code == 403
    assert web.post(f"/koalisi/{draft.id}/ubah", draft_form(moq="5")).status_code == 403
    assert web.post(f"/koalisi/{draft.id}/terbitkan").status_code == 403
    assert web.post(f"/koalisi/{draft.id}/batalkan", {"reason": "iseng"}).status_code == 403
    assert web.post(f"/koalisi/{draft.id}/tutup").status_code == 403
    db.session.refresh(draft)
    assert draft.status is S.DRAFT and draft.moq == 100
    assert db.session.scalar(select(func.count()).select_from(BuyingCoalition)) == 1


def test_a_member_cannot_touch_another_business_pledge(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop)
    theirs = make_pledge(coalition, quantity=30)
    owner, _business = member(coop)
    web.login(owner)
    page = f"/koalisi/{coalition.id}"
    assert web.post(f"{page}/komitmen/{theirs.id}/ubah", {"quantity": "1"}).status_code == 403
    assert web.post(f"{page}/komitmen/{theirs.id}/tarik").status_code == 403
    # pledging in another business's name
    response = web.post(f"{page}/ikut", {"business_id": theirs.business_id, "quantity": "1"})
    assert response.status_code == 403
    db.session.refresh(theirs)
    assert theirs.quantity == 30 and theirs.status is PledgeStatus.ACTIVE


def test_non_eligible_user_sees_the_page_without_a_pledge_form(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop)
    outsider = make_user("Orang Luar")
    other_business = make_business(outsider)
    web.login(outsider)
    response = web.get(f"/koalisi/{coalition.id}")
    assert response.status_code == 200 and coalition.title in html(response)
    assert "Ikut koalisi" not in html(response)
    assert coalition.title not in html(web.get("/koalisi"))
    response = web.post(f"/koalisi/{coalition.id}/ikut", {"business_id": other_business.id, "quantity": "5"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_posts_without_csrf_are_refused(web, coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, status=S.DRAFT)
    web.login(manager_of(coop))
    assert web.post(f"/koalisi/{coalition.id}/terbitkan", csrf=False).status_code == 400
    assert web.post(f"/koalisi/koperasi/{coop.slug}/baru", draft_form(), csrf=False).status_code == 400
    db.session.refresh(coalition)
    assert coalition.status is S.DRAFT
