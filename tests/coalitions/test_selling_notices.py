"""Who is told what in the selling workflow (DOMAIN.md's worked example): one in-app notification per step to
the right people, and e-mails (outbox, in the recipient's language) for the steps about offers, the close,
the receipt and payouts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coalitions.selling import services as selling
from marketplace.clock import utcnow
from marketplace.cooperatives.models import (
    CooperativeManager,
    CooperativeSector,
    ManagerRole,
    MembershipStatus,
)
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail
from marketplace.notifications.models import Notification
from marketplace.notifications.services import generic_message, message
from marketplace.sectors import Sector
from tests.factories import DENPASAR, make_business, make_cooperative, make_membership, make_user


def _rows(kind: str) -> list[Notification]:
    db.session.flush()
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))
    )


def _who(kind: str) -> Counter[int]:
    return Counter(n.user_id for n in _rows(kind))


def _mails() -> list[OutboxEmail]:
    db.session.flush()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def _read(notification: Notification, locale: str = "id") -> str:
    with force_locale(locale):
        text = message(notification)
    assert text != generic_message()
    return text


@pytest.fixture
def world() -> dict[str, Any]:
    manager = make_user("Bu Ketua")
    deputy = make_user("Pak Wakil", locale="en")  # e-mails in English for this one
    cooperative = make_cooperative(manager, "Koperasi Kopi Bekasi")
    cooperative.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    db.session.add(CooperativeManager(cooperative=cooperative, user=deputy, role=ManagerRole.CO_MANAGER))
    members = {}
    for name in "WXYZ":
        business = make_business(make_user(f"Petani {name}"), f"Kebun Kopi {name}")
        make_membership(cooperative, business)
        members[name] = business
    applicant = make_business(make_user("Calon Anggota"), "Kebun Calon")
    make_membership(cooperative, applicant, status=MembershipStatus.PENDING)
    # Cooperatives that must not hear of the request: another sector, another province.
    crafts = make_cooperative(make_user("Ketua Kerajinan"), "Koperasi Kerajinan")
    bali = make_cooperative(make_user("Ketua Bali"), "Koperasi Bali", region=DENPASAR)
    bali.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    buyer = make_user("Pak Hotel")
    db.session.flush()
    return {
        "cooperative": cooperative,
        "managers": [manager, deputy],
        "members": members,
        "applicant": applicant,
        "outsiders": [crafts.managers[0].user, bali.managers[0].user],
        "buyer": buyer,
    }


def _request(buyer, **changes):  # type: ignore[no-untyped-def]
    data = selling.RequestData(
        organisation="Hotel Santika Bekasi",
        title="Kopi Arabika sangrai",
        sector=Sector.PRODUCE,
        quantity=500,
        unit="kg",
        grades=[("A", None), ("B", None)],
        delivery_date=utcnow().date() + timedelta(days=20),
        delivery_place="Jl. Ahmad Yani No. 1, Bekasi",
        province_code="32",
        offer_deadline=utcnow() + timedelta(days=3),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return selling.create_request(buyer, data)


def _terms(**changes):  # type: ignore[no-untyped-def]
    data = selling.CoalitionData(
        title="Kopi Arabika sangrai",
        unit="kg",
        quantity=500,
        grades=[("A", 180_000), ("B", 150_000)],
        collection_point="Gudang koperasi, Jl. Raya Tambun 5",
        collection_date=utcnow().date() + timedelta(days=10),
        deadline=utcnow() + timedelta(days=5),
        fee_bp=500,
        shared_cost_idr=1_000_000,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_every_step_of_the_worked_example_tells_the_right_people(world: dict[str, Any]) -> None:
    cooperative, (manager, deputy), m, buyer = (
        world["cooperative"],
        world["managers"],
        world["members"],
        world["buyer"],
    )
    managers = Counter({manager.id: 1, deputy.id: 1})
    owners = {name: business.owner for name, business in m.items()}

    # The request: the managers of the cooperatives that see it, nobody else.
    request = _request(buyer)
    assert _who("selling.request_posted") == managers
    assert "Hotel Santika Bekasi" in _read(_rows("selling.request_posted")[0])

    # An offer: the buyer (in-app and e-mail); the buyer's answer: the cooperative's managers (both).
    offer = selling.make_offer(manager, cooperative, request, [("A", 180_000), ("B", 150_000)])
    assert _who("selling.offer_made") == Counter({buyer.id: 1})
    assert "Rp180.000" in _read(_rows("selling.offer_made")[0])
    assert [mail.recipient for mail in _mails()] == [buyer.email]
    selling.decide_offer(buyer, offer, accept=True)
    assert _who("selling.offer_decided") == managers
    assert sorted(mail.recipient for mail in _mails()[1:]) == sorted([manager.email, deputy.email])

    # Opened: the active members (not the applicant).
    coalition = selling.create_coalition(manager, cooperative, _terms(), request=request)
    selling.publish(manager, coalition)
    assert _who("selling.opened") == Counter({o.id: 1 for o in owners.values()})

    # Closed: each member its allocation; the managers and the buyer the outcome; e-mail to all of them.
    for name, grade, qty in (("W", "A", 200), ("X", "A", 150), ("Y", "B", 120), ("Z", "A", 100)):
        selling.commit(owners[name], m[name], coalition, grade, qty)
    before = len(_mails())
    selling.close(coalition, utcnow() + timedelta(days=6))
    rows = {n.user_id: n for n in _rows("selling.closed")}
    assert _who("selling.closed") == Counter({o.id: 1 for o in owners.values()}) + managers + Counter(
        {buyer.id: 1}
    )
    assert {name: rows[o.id].params["allocated"] for name, o in owners.items()} == {
        "W": 140,
        "X": 140,
        "Y": 120,
        "Z": 100,
    }
    assert "140 kg" in _read(rows[owners["W"].id])
    assert "allocated" not in rows[buyer.id].params
    closed_mails = _mails()[before:]
    assert sorted(mail.recipient for mail in closed_mails) == sorted(
        [o.email for o in owners.values()] + [manager.email, deputy.email, buyer.email]
    )
    assert all("Kopi Arabika sangrai" in mail.subject for mail in closed_mails)

    # Quality control: that member only, with the rejection and its reason.
    by_name = {c.business.name[-1]: c for c in selling.active_commitments(coalition)}
    for key in "WXY":
        selling.record_check(manager, by_name[key], by_name[key].allocated_qty, by_name[key].allocated_qty)
    selling.record_check(manager, by_name["Z"], 100, 90, "10 kg biji pecah")
    assert _who("selling.check_recorded") == Counter({o.id: 1 for o in owners.values()})
    (z_check,) = [n for n in _rows("selling.check_recorded") if n.user_id == owners["Z"].id]
    assert (z_check.params["accepted"], z_check.params["rejected"]) == (90, 10)
    assert "10 kg biji pecah" in _read(z_check)

    # Receipt: each member its payout, the managers the buyer's total; e-mail to all of them.
    before = len(_mails())
    selling.finish_checks(manager, coalition)
    selling.confirm_receipt(buyer, coalition)
    rows = {n.user_id: n for n in _rows("selling.receipt_confirmed")}
    assert _who("selling.receipt_confirmed") == Counter({o.id: 1 for o in owners.values()}) + managers
    assert {name: rows[o.id].params["payout"] for name, o in owners.items()} == {
        "W": 23_654_286,
        "X": 23_654_286,
        "Y": 16_855_102,
        "Z": 15_206_326,
    }
    assert "Rp23.654.286" in _read(rows[owners["W"].id])
    assert "Rp84.600.000" in _read(rows[manager.id])
    assert len(_mails()) - before == 6
    assert any(
        "Rp23.654.286" in mail.body for mail in _mails()[before:] if mail.recipient == owners["W"].email
    )

    # The buyer paid: the managers.
    selling.buyer_paid(coalition, 84_600_000)
    assert _who("selling.buyer_paid") == managers

    # A payout: that member, in-app and e-mail.
    before = len(_mails())
    payout_w = next(p for p in selling.payouts_of(coalition) if p.business_id == m["W"].id)
    selling.record_payout(manager, payout_w, 20_000_000, "TRF-BRI-0001")
    (row,) = _rows("selling.payout_recorded")
    assert row.user_id == owners["W"].id and row.params["owed"] == 3_654_286
    assert "TRF-BRI-0001" in _read(row)
    (mail,) = _mails()[before:]
    assert mail.recipient == owners["W"].email and "TRF-BRI-0001" in mail.body

    # Nobody outside was ever told anything.
    outsiders = [u.id for u in world["outsiders"]] + [world["applicant"].owner_id]
    assert db.session.scalars(select(Notification).where(Notification.user_id.in_(outsiders))).all() == []


def test_partial_fulfilment_and_cancellation(world: dict[str, Any]) -> None:
    cooperative, (manager, deputy), m, buyer = (
        world["cooperative"],
        world["managers"],
        world["members"],
        world["buyer"],
    )
    coalition = selling.create_coalition(
        manager, cooperative, _terms(), request=_request(buyer, grades=[("A", 180_000), ("B", 150_000)])
    )
    selling.publish(manager, coalition)
    selling.commit(m["W"].owner, m["W"], coalition, "A", 200)
    selling.commit(m["Y"].owner, m["Y"], coalition, "B", 100)
    selling.close(coalition, utcnow() + timedelta(days=6))
    closed = {n.user_id: n for n in _rows("selling.closed")}
    assert closed[m["W"].owner_id].params["allocated"] == 200
    assert "menunggu keputusan pembeli" in _read(closed[m["W"].owner_id])

    selling.decide_partial(buyer, coalition, accept=True)
    expected = Counter({manager.id: 1, deputy.id: 1, m["W"].owner_id: 1, m["Y"].owner_id: 1})
    assert _who("selling.partial_decided") == expected
    assert "300 kg" in _read(_rows("selling.partial_decided")[0])

    other = selling.create_coalition(manager, cooperative, _terms(buyer_name="Toko Kopi Maju"))
    selling.publish(manager, other)
    selling.commit(m["X"].owner, m["X"], other, "A", 50)
    selling.cancel(manager, other, "Pembeli membatalkan pesanan")
    assert _who("selling.cancelled") == Counter({m["X"].owner_id: 1})  # this one has no Gotong buyer
    assert "Pembeli membatalkan pesanan" in _read(_rows("selling.cancelled")[0])

    third = selling.create_coalition(
        manager,
        cooperative,
        _terms(),
        request=_request(buyer, title="Kopi Robusta", grades=[("A", 180_000), ("B", 150_000)]),
    )
    selling.publish(manager, third)
    selling.commit(m["Z"].owner, m["Z"], third, "A", 30)
    selling.cancel(manager, third, "Harga berubah")
    assert _who("selling.cancelled") == Counter({m["X"].owner_id: 1, m["Z"].owner_id: 1, buyer.id: 1})
