"""Selling coalition services on the database, on DOMAIN.md's worked example: 500 kg roasted Arabica, grade A
Rp180.000/kg, grade B Rp150.000/kg, fee 5 %, transport Rp1.000.000; W 200 A, X 150 A, Y 120 B, Z 100 A →
uniform 140/140/120/100; QC rejects 10 kg of Z; payouts W 23.654.286, X 23.654.286, Y 16.855.102,
Z 15.206.326; buyer pays 84.600.000."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coalitions.selling import services as selling
from coalitions.selling.models import (
    CommitmentStatus,
    MemberPayout,
    OfferStatus,
    RequestStatus,
    SellingStatus,
)
from marketplace.clock import utcnow
from marketplace.cooperatives.models import CooperativeSector
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.coalitions.selling_data import coffee_terms as _terms
from tests.coalitions.selling_data import make_request as _request
from tests.factories import make_business, make_cooperative, make_user

S = SellingStatus


def test_the_worked_example_end_to_end(coffee):
    cooperative, manager, m, buyer = coffee
    request = _request(buyer)
    assert request in selling.open_requests_for(cooperative)
    coalition = selling.create_coalition(manager, cooperative, _terms(), request=request)
    assert request.status is RequestStatus.TAKEN and coalition.buyer_id == buyer.id
    selling.publish(manager, coalition)
    for name, grade, qty in (("W", "A", 200), ("X", "A", 150), ("Y", "B", 120), ("Z", "A", 100)):
        selling.commit(m[name].owner, m[name], coalition, grade, qty)
    progress = selling.progress(coalition)
    assert (progress.committed, progress.oversubscribed) == (570, 70)
    assert {g.grade: g.committed for g in progress.grades} == {"A": 450, "B": 120}

    assert selling.close(coalition, utcnow() + timedelta(days=6))
    assert coalition.status is S.COMMITTED
    by_name = {c.business.name[-1]: c for c in selling.active_commitments(coalition)}
    assert {k: c.allocated_qty for k, c in by_name.items()} == {"W": 140, "X": 140, "Y": 120, "Z": 100}

    for key in "WXY":
        selling.record_check(manager, by_name[key], by_name[key].allocated_qty, by_name[key].allocated_qty)
    with pytest.raises(DomainError):  # a rejection needs a reason
        selling.record_check(manager, by_name["Z"], 100, 90)
    selling.record_check(manager, by_name["Z"], 100, 90, "10 kg biji pecah")

    with pytest.raises(DomainError, match="belum selesai memeriksa"):
        selling.confirm_receipt(buyer, coalition)  # quality control is still going on
    with pytest.raises(PermissionDenied):
        selling.finish_checks(buyer, coalition)
    selling.finish_checks(manager, coalition)
    selling.reopen_checks(manager, coalition)  # a late record: back to the collection point
    selling.finish_checks(manager, coalition)
    with pytest.raises(DomainError):  # no quality control after it was finished
        selling.record_check(manager, by_name["Z"], 1, 0, "x")
    selling.confirm_receipt(buyer, coalition)
    assert coalition.status is S.DELIVERED
    assert (coalition.accepted_qty, coalition.buyer_total_idr, coalition.fees_idr) == (
        490,
        84_600_000,
        4_230_000,
    )
    payouts = {p.business.name[-1]: p for p in selling.payouts_of(coalition)}
    assert {k: p.payout_idr for k, p in payouts.items()} == {
        "W": 23_654_286,
        "X": 23_654_286,
        "Y": 16_855_102,
        "Z": 15_206_326,
    }
    assert {k: p.shared_cost_idr for k, p in payouts.items()} == {
        "W": 285_714,
        "X": 285_714,
        "Y": 244_898,
        "Z": 183_674,
    }

    with pytest.raises(PermissionDenied):  # only the cooperative's managers record the buyer's money
        selling.record_buyer_payment(m["W"].owner, coalition, 1_000, "TRF")
    with pytest.raises(DomainError):  # never more than the buyer owes
        selling.record_buyer_payment(manager, coalition, 84_600_001, "TRF-HOTEL")
    selling.record_buyer_payment(manager, coalition, 50_000_000, "TRF-HOTEL-1")
    assert coalition.status is S.DELIVERED and selling.buyer_owes(coalition) == 34_600_000
    selling.buyer_paid(coalition, 34_600_000)
    assert coalition.status is S.PAID
    with pytest.raises(DomainError):  # paid in full: nothing more is taken
        selling.buyer_paid(coalition, 1)
    with pytest.raises(DomainError):
        selling.record_payout(manager, payouts["W"], 23_654_287, "TRF-1")
    selling.record_payout(manager, payouts["W"], 20_000_000, "TRF-1")
    selling.record_payout(manager, payouts["W"], 3_654_286, "TRF-2")
    for key in "XYZ":
        selling.record_payout(manager, payouts[key], payouts[key].payout_idr, f"TRF-{key}")
    assert coalition.status is S.SETTLED
    total = sum(p.payout_idr for p in payouts.values()) + coalition.fees_idr + coalition.shared_cost_idr
    assert total == 84_600_000


def test_counter_offer_accepted_then_coalition_at_the_offered_prices(coffee):
    cooperative, manager, _m, buyer = coffee
    request = _request(buyer, grades=[("A", None), ("B", None)])  # "make me an offer"
    other = make_cooperative(make_user("Ketua Lain"), "Koperasi Lain")
    other.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    first = selling.make_offer(manager, cooperative, request, [("A", 175_000), ("B", 140_000)], "Siap kirim")
    competing = selling.make_offer(other.managers[0].user, other, request, [("A", 170_000)])
    with pytest.raises(PermissionDenied):
        selling.decide_offer(manager, first, accept=True)  # only the buyer answers
    selling.decide_offer(buyer, first, accept=True)
    assert (first.status, competing.status, request.status) == (
        OfferStatus.ACCEPTED,
        OfferStatus.DECLINED,
        RequestStatus.TAKEN,
    )
    with pytest.raises(DomainError):  # prices must be the agreed ones
        selling.create_coalition(manager, cooperative, _terms(), request=request)
    coalition = selling.create_coalition(
        manager, cooperative, _terms(grades=[("A", 175_000), ("B", 140_000)]), request=request
    )
    assert coalition.prices == {"A": 175_000, "B": 140_000}
    with pytest.raises(DomainError):  # the other cooperative can't take it any more
        selling.create_coalition(other.managers[0].user, other, _terms(), request=request)


def test_under_subscribed_partial_accepted_or_declined(coffee):
    cooperative, manager, m, buyer = coffee
    for accept, expected in ((True, S.COMMITTED), (False, S.FAILED)):
        coalition = selling.create_coalition(manager, cooperative, _terms(), request=_request(buyer))
        selling.publish(manager, coalition)
        selling.commit(m["W"].owner, m["W"], coalition, "A", 200)
        selling.commit(m["Y"].owner, m["Y"], coalition, "B", 100)
        selling.close(coalition, utcnow() + timedelta(days=6))
        assert coalition.status is S.AWAITING_BUYER and coalition.allocated_qty == 300
        with pytest.raises(PermissionDenied):
            selling.decide_partial(m["W"].owner, coalition, accept=True)
        selling.decide_partial(buyer, coalition, accept=accept)
        assert coalition.status is expected


def test_permissions_and_deadlines(coffee):
    cooperative, manager, m, buyer = coffee
    outsider = make_business(make_user("Orang Luar"), "Kebun Luar")
    coalition = selling.create_coalition(manager, cooperative, _terms(), request=_request(buyer))
    selling.publish(manager, coalition)
    with pytest.raises(PermissionDenied):
        selling.commit(outsider.owner, outsider, coalition, "A", 10)  # not a member
    with pytest.raises(PermissionDenied):
        selling.commit(m["X"].owner, m["W"], coalition, "A", 10)  # not their business
    with pytest.raises(PermissionDenied):
        selling.create_coalition(m["W"].owner, cooperative, _terms(buyer_name="Toko"))
    row = selling.commit(m["W"].owner, m["W"], coalition, "A", 10)
    with pytest.raises(DomainError):
        selling.commit(m["W"].owner, m["W"], coalition, "A", 5)  # one per grade: change it instead
    with pytest.raises(DomainError):
        selling.commit(m["W"].owner, m["W"], coalition, "C", 5)  # no such grade
    later = utcnow() + timedelta(days=6)
    with pytest.raises(DomainError):
        selling.change_commitment(m["W"].owner, row, 20, now=later)
    with pytest.raises(DomainError):
        selling.withdraw_commitment(m["W"].owner, row, now=later)
    selling.withdraw_commitment(m["W"].owner, row)
    assert row.status is CommitmentStatus.WITHDRAWN


def test_a_cap_on_commitments(coffee):
    cooperative, manager, m, _buyer = coffee
    coalition = selling.create_coalition(manager, cooperative, _terms(commit_cap=550, buyer_name="Toko Kopi"))
    selling.publish(manager, coalition)
    selling.commit(m["W"].owner, m["W"], coalition, "A", 500)
    with pytest.raises(DomainError, match="Sisa kuota komitmen 50"):
        selling.commit(m["X"].owner, m["X"], coalition, "A", 60)
    selling.commit(m["X"].owner, m["X"], coalition, "A", 50)
    assert db.session.scalar(select(MemberPayout.id)) is None


def test_a_request_without_prices_needs_an_accepted_offer(coffee):
    cooperative, manager, _m, buyer = coffee
    request = _request(buyer, grades=[("A", None), ("B", 150_000)])
    with pytest.raises(DomainError, match="belum menyetujui harga mutu A"):
        selling.create_coalition(manager, cooperative, _terms(), request=request)
    coalition = selling.create_coalition(
        manager, cooperative, _terms(grades=[("B", 150_000)]), request=request
    )
    with pytest.raises(DomainError, match="sudah dijadikan"):  # a double submit: no second coalition
        selling.create_coalition(manager, cooperative, _terms(grades=[("B", 150_000)]), request=request)
    assert coalition.prices == {"B": 150_000}


def test_shared_costs_above_a_members_earnings_can_be_lowered_or_the_coalition_cancelled(coffee):
    cooperative, manager, m, _buyer = coffee
    coalition = selling.create_coalition(
        manager, cooperative, _terms(shared_cost_idr=80_000_000, buyer_name="Toko Kopi")
    )
    selling.publish(manager, coalition)
    selling.commit(m["W"].owner, m["W"], coalition, "A", 490)
    selling.commit(m["Y"].owner, m["Y"], coalition, "B", 10)
    selling.close(coalition, utcnow() + timedelta(days=6))
    for c in selling.active_commitments(coalition):
        selling.record_check(manager, c, c.allocated_qty, c.allocated_qty)
    with pytest.raises(
        DomainError, match="turunkan biaya bersama"
    ):  # Y earns 1.500.000, its share of costs 1.600.000
        selling.finish_checks(manager, coalition)
    selling.set_shared_cost(manager, coalition, 1_000_000)
    selling.finish_checks(manager, coalition)
    selling.cancel(manager, coalition, "Pembeli membatalkan pesanan")
    assert coalition.status is S.CANCELLED


def test_a_suspended_cooperative_cannot_publish_or_take_commitments(coffee):
    cooperative, manager, m, _buyer = coffee
    coalition = selling.create_coalition(manager, cooperative, _terms(buyer_name="Toko Kopi"))
    cooperative.suspended_at = utcnow()
    with pytest.raises(DomainError, match="dibekukan"):
        selling.publish(manager, coalition)
    assert not selling.may_commit(m["W"].owner, m["W"], coalition)
