"""The coalition figures behind the dashboards (coalitions/dashboard.py), on fixed data asserted to the
rupiah: DOMAIN.md's buying worked example (40 + 35 + 20 + 12 sacks at Rp300.000 against the solo
Rp320.000, delivery Rp1.500.000 split by quantity) and its selling worked example (the coffee members'
payouts) in one cooperative."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coalitions import fulfilment, jobs
from coalitions.models import BuyingCoalition, MemberShare, PledgeStatus, ShareStatus
from coalitions.selling import services as selling
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards.sources import coalition_source
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.coalitions.test_selling_payments import deliver_worked_example
from tests.factories import make_coalition, make_pledge
from tests.marketplace.test_query_counts import counting_queries

W_PAYOUT = 23_654_286
PAYOUTS = 23_654_286 + 23_654_286 + 16_855_102 + 15_206_326  # W X Y Z
X_TOTAL = 35 * 300_000 + 490_654  # goods + its part of the delivery (largest remainder)
Y_TOTAL = 20 * 300_000 + 280_374


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    w = deliver_worked_example()
    cooperative, manager, m = w["cooperative"], w["manager"], w["members"]
    coalition = w["coalition"]
    selling.record_buyer_payment(manager, coalition, 84_600_000, "TRF-HOTEL")
    payouts = {p.business.name[-1]: p for p in selling.payouts_of(coalition)}
    selling.record_payout(manager, payouts["W"], 20_000_000, "TRF-BRI-0001")
    m["Y"].sector = Sector.FOOD_DRINK
    m["Z"].sector = Sector.FOOD_DRINK

    success = make_coalition(cooperative, "Konsentrat pakan 50 kg", shared_cost_idr=1_500_000)
    for key, qty in (("W", 40), ("X", 35), ("Y", 20), ("Z", 12)):
        make_pledge(success, m[key], qty)
    failed = make_coalition(cooperative, "Dedak padi 50 kg")
    make_pledge(failed, m["W"], 40)
    db.session.commit()
    for c in (success, failed):
        c.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    report = jobs.run_due()
    assert success.id in report.closed and failed.id in report.closed
    opened = make_coalition(cooperative, "Vitamin ternak")
    make_pledge(opened, m["X"], 10)
    make_pledge(opened, m["W"], 5, status=PledgeStatus.WITHDRAWN)
    db.session.commit()
    db.session.expire_all()

    shares = {
        s.business.name[-1]: s
        for s in db.session.scalars(select(MemberShare).where(MemberShare.coalition_id == success.id))
    }
    shares["W"].paid_idr = shares["W"].total_idr
    shares["W"].status = ShareStatus.PAID
    shares["Z"].status = ShareStatus.DEFAULTED
    fulfilment.absorb(manager, db.session.get(BuyingCoalition, success.id), shares["Z"])
    db.session.commit()
    return {
        "cooperative": cooperative,
        "members": m,
        "selling": coalition,
        "success": success,
        "failed": failed,
        "open": opened,
        "shares": shares,
    }


def test_business_lines_savings_dues_and_payouts(app, world):  # type: ignore[no-untyped-def]
    m = world["members"]
    shares = world["shares"]
    assert [fulfilment.member_savings(shares[k]) for k in "WXYZ"] == [800_000, 700_000, 400_000, 0]
    with app.test_request_context():
        lines = coalition_source().business_lines([m["W"].id])
        # newest first; the withdrawn pledge to the open coalition is not W's
        assert [(line.kind, line.coalition_id) for line in lines] == [
            ("buying", world["failed"].id),
            ("buying", world["success"].id),
            ("selling", world["selling"].id),
        ]
        failed, success, sold = lines
        assert (failed.status_label, failed.savings_idr, failed.amount_due_idr, failed.is_open) == (
            "Gagal",
            0,
            0,
            False,
        )
        assert (success.status_label, success.savings_idr, success.amount_due_idr) == ("Berhasil", 800_000, 0)
        assert success.url == f"/koalisi/{world['success'].id}"
        assert success.cooperative_name == "Koperasi Kopi Bekasi"
        assert (sold.payout_owed_idr, sold.payout_paid_idr) == (W_PAYOUT - 20_000_000, 20_000_000)
        assert sold.status_label == "Dibayar pembeli"

        x_lines = {
            (line.kind, line.coalition_id): line for line in coalition_source().business_lines([m["X"].id])
        }
        opened = x_lines[("buying", world["open"].id)]
        assert opened.is_open and opened.status_label == "Terbuka"
        assert opened.when == world["open"].deadline or opened.when.replace(tzinfo=None) == world[
            "open"
        ].deadline.replace(tzinfo=None)
        assert (
            x_lines[("buying", world["success"].id)].savings_idr,
            x_lines[("buying", world["success"].id)].amount_due_idr,
        ) == (
            700_000,
            X_TOTAL,
        )
        assert x_lines[("selling", world["selling"].id)].payout_owed_idr == 23_654_286
        z_line = next(
            line for line in coalition_source().business_lines([m["Z"].id]) if line.kind == "buying"
        )
        assert (z_line.savings_idr, z_line.amount_due_idr) == (0, 0)  # absorbed by the cooperative

        # several businesses at once, in a constant number of queries
        with counting_queries() as counter:
            every = coalition_source().business_lines([b.id for b in m.values()])
        assert counter["n"] <= 3
        assert len(every) == 3 + 3 + 2 + 2  # W: 3, X: open + success + selling, Y and Z: success + selling
        assert sum(line.savings_idr for line in every) == 1_900_000
        assert coalition_source().business_lines([]) == []


def test_cooperative_summary(app, world):  # type: ignore[no-untyped-def]
    cooperative = world["cooperative"]
    cooperative_id = cooperative.id
    with app.test_request_context():
        with counting_queries() as counter:
            summary = coalition_source().cooperative_summary(cooperative_id)
        assert counter["n"] <= 9  # eight queries (and the test's savepoint)
    assert (summary.open_buying, summary.closed_buying) == (1, 1)
    assert (summary.open_selling, summary.closed_selling) == (0, 1)
    # Members' savings by the per-share rule: the coalition saved 107 sacks × Rp20.000 = Rp2.140.000 at the
    # close (fulfilment.cooperative_savings), but the 12 sacks of Z's share went to the cooperative since.
    assert fulfilment.cooperative_savings(cooperative.id)[0] == 2_140_000
    assert summary.savings_idr == 1_900_000 == 95 * 20_000
    assert summary.shares_due_idr == X_TOTAL + Y_TOTAL == 17_271_028
    assert (summary.payouts_owed_idr, summary.payouts_paid_idr) == (PAYOUTS - 20_000_000, 20_000_000)
    assert [line.coalition_id for line in summary.recent] == [
        world["open"].id,
        world["failed"].id,
        world["success"].id,
        world["selling"].id,
    ]
    success = summary.recent[2]
    assert (success.savings_idr, success.amount_due_idr) == (2_140_000, 17_271_028)
    sold = summary.recent[3]
    assert (sold.payout_owed_idr, sold.payout_paid_idr) == (PAYOUTS - 20_000_000, 20_000_000)


def test_savings_by_sector_follows_member_savings(app, world):  # type: ignore[no-untyped-def]
    cooperative = world["cooperative"]
    ids = select(Cooperative.id).where(Cooperative.id == cooperative.id)
    with counting_queries() as counter:
        by_sector = coalition_source().savings_by_sector(ids, None)
    assert counter["n"] == 1
    # W 800.000 + X 700.000 (dolls & toys); Y 400.000 (food); Z's absorbed share counts 0
    assert by_sector == {Sector.DOLLS_TOYS.value: 1_500_000, Sector.FOOD_DRINK.value: 400_000}
    assert coalition_source().savings_by_sector(ids, utcnow() - timedelta(days=1)) == by_sector
    assert coalition_source().savings_by_sector(ids, utcnow() + timedelta(days=1)) == {}
    nobody = select(Cooperative.id).where(Cooperative.id == -1)
    assert coalition_source().savings_by_sector(nobody, None) == {}


def test_business_coalitions_for_member_activity(app, world):  # type: ignore[no-untyped-def]
    m = world["members"]
    found = coalition_source().business_coalitions([b.id for b in m.values()])
    # W: success + failed buying (the withdrawn pledge does not count) + selling; X: open + success + selling
    assert {k: found[b.id].joined for k, b in m.items()} == {"W": 3, "X": 3, "Y": 2, "Z": 2}
    assert all(found[b.id].last_at is not None for b in m.values())
    assert coalition_source().business_coalitions([]) == {}
