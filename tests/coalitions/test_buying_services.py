"""Buying coalition services on the database: drafting, joining, pledging, progress and the close.

The lifecycle runs on DOMAIN.md's worked example (feed concentrate, tiers 1/100/200 at Rp320.000/300.000/
285.000, MOQ 100, delivery Rp1.500.000; pledges A 40, B 35, C 20, D 12).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coalitions import services
from coalitions.engine import AllocationRule, Outcome
from coalitions.models import (
    BuyingCoalition,
    CoalitionEvent,
    CoalitionStatus,
    JoinPolicy,
    MemberShare,
    PaymentMode,
    PledgeStatus,
)
from coalitions.services import CoalitionData
from coalitions.signals import coalition_closed
from marketplace.clock import utcnow
from marketplace.cooperatives.models import MembershipStatus
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from tests.factories import (
    FEED_TIERS,
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

S = CoalitionStatus


def feed_terms(**changes) -> CoalitionData:  # type: ignore[no-untyped-def]
    data = CoalitionData(
        title="Konsentrat pakan sapi 50 kg",
        supplier_name="CV Pakan Ternak Sejahtera",
        supplier_contact="+6281234500000",
        unit="karung",
        tiers=list(FEED_TIERS),
        moq=100,
        deadline=utcnow() + timedelta(days=5),
        shared_cost_idr=1_500_000,
    )
    return replace(data, **changes)


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    """A cooperative with its manager and four member businesses A, B, C, D (each with its own owner)."""
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager, "Koperasi Peternak Solok Selatan")
    members = {}
    for name in "ABCD":
        business = make_business(make_user(f"Peternak {name}"), f"Peternakan {name}")
        make_membership(cooperative, business)
        members[name] = business
    return cooperative, manager, members


def past_deadline(coalition, delta: timedelta) -> datetime:  # type: ignore[no-untyped-def]
    """A moment ``delta`` after the coalition's deadline (SQLite reads it back naive; it is stored as UTC)."""
    deadline = coalition.deadline
    return (deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC)) + delta


def _pledge(business, coalition, quantity, tolerance=0, **kw):  # type: ignore[no-untyped-def]
    return services.pledge(business.owner, business, coalition, quantity, tolerance, **kw)


# --- the whole lifecycle ----------------------------------------------------------------------------------


def test_lifecycle_on_the_domain_worked_example(coop):
    cooperative, manager, m = coop
    coalition = services.create_draft(manager, cooperative, feed_terms(title="Pakan"))
    assert coalition.status is S.DRAFT
    # Editing a draft replaces the tier ladder (same min_qty values: the unique constraint must not trip).
    services.update_draft(
        manager, coalition, feed_terms(tiers=[(200, 285_000), (1, 320_000), (100, 300_000)])
    )
    assert coalition.title == "Konsentrat pakan sapi 50 kg"
    assert [(t.min_qty, t.unit_price_idr) for t in coalition.tiers] == list(FEED_TIERS)
    with pytest.raises(DomainError, match="sedang tidak menerima"):
        _pledge(m["A"], coalition, 10)  # not published yet

    services.publish(manager, coalition)
    assert coalition.status is S.OPEN and coalition.published_at is not None
    with pytest.raises(DomainError, match="draf"):
        services.update_draft(manager, coalition, feed_terms())

    pledges = {
        name: _pledge(m[name], coalition, qty) for name, qty in zip("ABCD", (40, 35, 20, 12), strict=True)
    }

    progress = services.progress(coalition)
    assert (progress.total_pledged, progress.member_count, progress.unit_price_idr) == (107, 4, 300_000)
    assert (progress.next_tier_units, progress.next_tier_price_idr) == (93, 285_000)
    assert progress.moq_reached and progress.is_open and progress.capacity_left is None
    assert timedelta(days=4) < progress.time_left <= timedelta(days=5)

    costs = services.member_costs(coalition, pledges["A"])
    # Worst case for the card hold: solo price, and at most ceil(1.500.000 · 40 / MOQ) of the delivery.
    assert costs.worst_case_idr == 40 * 320_000 + 600_000
    assert (costs.current_idr, costs.unit_price_idr, costs.succeeds_now) == (12_560_748, 300_000, True)

    # Not due yet: the scheduler does nothing.
    assert services.close_due(utcnow()) == []
    assert services.close(coalition, utcnow()) is False

    sent = []
    after = past_deadline(coalition, timedelta(minutes=1))
    with coalition_closed.connected_to(lambda sender, **kw: sent.append(kw)):
        assert services.close_due(after) == [coalition.id]
    assert sent == [{"coalition_id": coalition.id, "success": True}]

    db.session.expire_all()
    coalition = db.session.get(BuyingCoalition, coalition.id)
    assert coalition.status is S.CLOSED_SUCCESS and coalition.outcome is Outcome.SUCCESS
    assert coalition.closed_at is not None
    assert (coalition.total_pledged_qty, coalition.allocated_qty, coalition.unit_price_idr) == (
        107,
        107,
        300_000,
    )
    assert coalition.goods_total_idr == 32_100_000
    assert coalition.amount_total_idr == 33_600_000
    assert coalition.savings_idr == 2_140_000

    shares = {s.pledge_id: s for s in coalition.shares}
    expected = {  # goods, delivery, savings
        "A": (12_000_000, 560_748, 800_000),
        "B": (10_500_000, 490_654, 700_000),
        "C": (6_000_000, 280_374, 400_000),
        "D": (3_600_000, 168_224, 240_000),
    }
    for name, (goods, delivery, savings) in expected.items():
        share = shares[pledges[name].id]
        assert share.business_id == m[name].id
        assert (share.allocated_qty, share.unit_price_idr) == (pledges[name].quantity, 300_000)
        assert (share.goods_idr, share.shared_cost_idr, share.savings_idr) == (goods, delivery, savings)
        assert share.total_idr == goods + delivery
    assert sum(s.shared_cost_idr for s in shares.values()) == 1_500_000
    final = services.member_costs(coalition, pledges["D"])
    assert (final.current_idr, final.final) == (3_768_224, True)

    # Closed: pledges are refused, and the manager cannot cancel any more.
    with pytest.raises(DomainError):
        services.change_pledge(m["A"].owner, pledges["A"], 50, now=after)
    with pytest.raises(DomainError, match="tidak bisa dibatalkan"):
        services.cancel(manager, coalition, "Pemasok mundur")

    for step in (S.ORDERED, S.RECEIVED, S.DISTRIBUTED):
        services.advance_fulfilment(manager, coalition, step)
    assert coalition.status is S.DISTRIBUTED
    history = db.session.scalars(
        select(CoalitionEvent.to_status)
        .where(CoalitionEvent.coalition_id == coalition.id)
        .order_by(CoalitionEvent.id)
    ).all()
    assert history == [S.DRAFT, S.OPEN, S.CLOSED_SUCCESS, S.ORDERED, S.RECEIVED, S.DISTRIBUTED]


def test_below_moq_fails_and_nobody_pays(coop):
    cooperative, manager, m = coop
    coalition = make_coalition(cooperative, shared_cost_idr=1_500_000)
    _pledge(m["A"], coalition, 40)
    _pledge(m["B"], coalition, 35)
    after = past_deadline(coalition, timedelta(seconds=1))
    assert services.close_due(after) == [coalition.id]
    assert coalition.status is S.CLOSED_FAILED and coalition.outcome is Outcome.BELOW_MOQ
    assert coalition.total_pledged_qty == 75
    assert (coalition.allocated_qty, coalition.amount_total_idr, coalition.savings_idr) == (0, 0, 0)
    assert len(coalition.shares) == 2
    for share in coalition.shares:
        assert (share.allocated_qty, share.goods_idr, share.shared_cost_idr, share.total_idr) == (0, 0, 0, 0)
    with pytest.raises(DomainError):
        services.advance_fulfilment(manager, coalition, S.ORDERED)


def test_close_due_twice_settles_once(coop):
    cooperative, _manager, m = coop
    first = make_coalition(cooperative, deadline=utcnow() - timedelta(hours=2))
    second = make_coalition(cooperative, deadline=utcnow() - timedelta(hours=1), moq=10)
    not_due = make_coalition(cooperative, deadline=utcnow() + timedelta(hours=1), moq=10)
    for coalition in (first, second, not_due):
        make_pledge(coalition, m["A"], 60)
        make_pledge(coalition, m["B"], 50)
    now = utcnow()
    assert services.close_due(now) == [first.id, second.id]
    assert services.close_due(now) == []
    assert services.close(first, now) is False
    counts = dict(
        db.session.execute(
            select(MemberShare.coalition_id, func.count()).group_by(MemberShare.coalition_id)
        ).all()
    )
    assert counts == {first.id: 2, second.id: 2}
    assert not_due.status is S.OPEN


def test_pack_rounding_uses_tolerance_and_stores_it(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative, tiers=((1, 10_000),), moq=15, pack_size=10)
    a = _pledge(m["A"], coalition, 13)
    b = _pledge(m["B"], coalition, 5, 2)  # 18 pledged: B's tolerance of 2 completes the second pack
    assert services.close(coalition, past_deadline(coalition, timedelta(seconds=1))) is True
    assert (coalition.status, coalition.allocated_qty, coalition.packs_ordered) == (S.CLOSED_SUCCESS, 20, 2)
    share_a, share_b = (
        db.session.scalar(select(MemberShare).where(MemberShare.pledge_id == p.id)) for p in (a, b)
    )
    assert (share_a.allocated_qty, share_b.allocated_qty, share_b.tolerance_used) == (13, 7, 2)


def test_early_close_needs_the_manager_and_the_moq(coop):
    cooperative, manager, m = coop
    coalition = make_coalition(cooperative)
    _pledge(m["A"], coalition, 60)
    with pytest.raises(DomainError, match="minimum pesanan"):
        services.close(coalition, actor=manager, early=True)
    _pledge(m["B"], coalition, 45)
    with pytest.raises(PermissionDenied):
        services.close(coalition, actor=m["A"].owner, early=True)
    assert services.close(coalition, actor=manager, early=True) is True
    assert coalition.status is S.CLOSED_SUCCESS and coalition.unit_price_idr == 300_000
    assert coalition.events[-1].actor_id == manager.id


# --- drafting rules and permissions -----------------------------------------------------------------------


def test_only_a_manager_of_the_cooperative_creates_and_publishes(coop):
    cooperative, manager, m = coop
    other_manager = make_cooperative().managers[0].user
    for outsider in (m["A"].owner, other_manager, None):
        with pytest.raises(PermissionDenied):
            services.create_draft(outsider, cooperative, feed_terms())
    draft = services.create_draft(manager, cooperative, feed_terms())
    with pytest.raises(PermissionDenied):
        services.publish(m["A"].owner, draft)
    with pytest.raises(PermissionDenied):
        services.cancel(other_manager, draft, "bukan urusan saya")
    assert draft.status is S.DRAFT


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tiers": []}, "tiers", "minimal satu tingkat"),
        ({"tiers": [(1, 300_000), (100, 320_000)]}, "tiers", "tidak boleh naik"),
        ({"tiers": [(1, 300_000), (1, 290_000)]}, "tiers", "harus berbeda"),
        ({"moq": 0}, "moq", "Paling kecil 1"),
        ({"capacity": 90}, "capacity", "tidak akan pernah berhasil"),
        ({"deadline": utcnow() - timedelta(minutes=1)}, "deadline", "masa depan"),
        ({"title": "  "}, "title", "nama barang"),
        ({"unit": "ton"}, "unit", "satuan"),
    ],
)
def test_draft_input_is_validated(coop, changes, field, message):
    cooperative, manager, _m = coop
    with pytest.raises(DomainError, match=message) as refused:
        services.create_draft(manager, cooperative, feed_terms(**changes))
    assert refused.value.field == field


def test_card_hold_only_with_a_deadline_at_most_six_days_away(coop):
    cooperative, manager, _m = coop
    eight_days = feed_terms(payment_mode=PaymentMode.CARD_HOLD, deadline=utcnow() + timedelta(days=8))
    with pytest.raises(DomainError, match="paling lama 6 hari") as refused:
        services.create_draft(manager, cooperative, eight_days)
    assert refused.value.field == "payment_mode" and "7 hari" in refused.value.message
    ok = services.create_draft(
        manager, cooperative, replace(eight_days, deadline=utcnow() + timedelta(days=5))
    )
    assert ok.payment_mode is PaymentMode.CARD_HOLD
    # Publishing checks again: a draft left lying around can fall out of the window... or past its deadline.
    with pytest.raises(DomainError, match="masa depan"):
        services.publish(manager, ok, now=utcnow() + timedelta(days=6))


def test_cancel_needs_a_reason_and_stops_pledges(coop):
    cooperative, manager, m = coop
    coalition = make_coalition(cooperative)
    _pledge(m["A"], coalition, 10)
    with pytest.raises(DomainError, match="alasan"):
        services.cancel(manager, coalition, "   ")
    services.cancel(manager, coalition, "Pemasok menaikkan harga")
    assert (coalition.status, coalition.cancel_reason) == (S.CANCELLED, "Pemasok menaikkan harga")
    with pytest.raises(DomainError, match="sedang tidak menerima"):
        _pledge(m["B"], coalition, 10)
    assert services.close_due(past_deadline(coalition, timedelta(days=1))) == []


def test_illegal_transitions_are_refused(coop):
    cooperative, _manager, _m = coop
    coalition = make_coalition(cooperative, status=S.DRAFT)
    for to in (S.CLOSED_SUCCESS, S.ORDERED, S.DISTRIBUTED):
        with pytest.raises(services.IllegalTransition):
            services.transition(coalition, to)
    assert coalition.status is S.DRAFT


# --- who may join, and pledge rules -----------------------------------------------------------------------


def test_only_active_members_pledge_and_only_for_their_own_business(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative)
    outsider = make_business(make_user("Pedagang Luar"))
    make_membership(make_cooperative(), outsider)  # a member elsewhere
    pending = make_business(make_user("Calon Anggota"))
    make_membership(cooperative, pending, MembershipStatus.PENDING)
    for business in (outsider, pending):
        assert not services.may_join(business.owner, business, coalition)
        with pytest.raises(PermissionDenied, match="anggota aktif"):
            _pledge(business, coalition, 5)
    # A member's business, but pledged by somebody else.
    with pytest.raises(PermissionDenied):
        services.pledge(m["B"].owner, m["A"], coalition, 5)
    assert services.may_join(m["A"].owner, m["A"], coalition)


def test_invited_outsider_may_join_when_invitations_count(coop):
    cooperative, manager, _m = coop
    outsider = make_business(make_user("Peternak Tetangga"))
    members_only = make_coalition(cooperative)
    with pytest.raises(DomainError, match="hanya untuk anggota"):
        services.invite(manager, members_only, outsider)
    coalition = make_coalition(cooperative, join_policy=JoinPolicy.MEMBERS_AND_INVITED)
    assert not services.may_join(outsider.owner, outsider, coalition)
    with pytest.raises(PermissionDenied):
        services.invite(outsider.owner, coalition, outsider)
    services.invite(manager, coalition, outsider)
    services.invite(manager, coalition, outsider)  # safe to repeat
    assert len(coalition.invitations) == 1
    assert services.may_join(outsider.owner, outsider, coalition)
    assert _pledge(outsider, coalition, 25).is_active


def test_pledges_are_refused_after_the_deadline(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative)
    early = _pledge(m["A"], coalition, 10)
    late = past_deadline(coalition, timedelta(seconds=1))
    with pytest.raises(DomainError, match="sudah lewat"):
        _pledge(m["B"], coalition, 10, now=late)
    with pytest.raises(DomainError, match="sudah lewat"):
        services.change_pledge(m["A"].owner, early, 20, now=late)
    with pytest.raises(DomainError, match="sudah lewat"):
        services.withdraw(m["A"].owner, early, now=late)
    assert (early.quantity, early.status) == (10, PledgeStatus.ACTIVE)


def test_capacity_is_never_exceeded_and_the_message_says_what_is_left(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative, capacity=100, moq=50)
    a = _pledge(m["A"], coalition, 90)
    with pytest.raises(DomainError, match="tinggal 10 karung"):
        _pledge(m["B"], coalition, 20)
    _pledge(m["B"], coalition, 10)
    with pytest.raises(DomainError, match="sudah habis"):
        _pledge(m["C"], coalition, 1)
    with pytest.raises(DomainError, match="tinggal 90 karung"):
        services.change_pledge(m["A"].owner, a, 95)
    services.change_pledge(m["A"].owner, a, 80)
    assert services.progress(coalition).capacity_left == 10


def test_change_withdraw_and_pledge_again(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative, pack_size=5, moq=10, tiers=((1, 50_000),))
    a = _pledge(m["A"], coalition, 7, 3)
    b = _pledge(m["B"], coalition, 4)
    with pytest.raises(DomainError, match="sudah ikut"):
        _pledge(m["A"], coalition, 1)
    with pytest.raises(DomainError, match="kurang dari isi satu kemasan"):
        services.change_pledge(m["A"].owner, a, 7, 5)
    with pytest.raises(DomainError, match="Paling kecil 1"):
        services.change_pledge(m["A"].owner, a, 0)
    with pytest.raises(PermissionDenied):
        services.withdraw(m["B"].owner, a)
    services.change_pledge(m["A"].owner, a, 9, 1)
    services.withdraw(m["A"].owner, a)
    with pytest.raises(DomainError, match="sudah ditarik"):
        services.withdraw(m["A"].owner, a)
    again = _pledge(m["A"], coalition, 6)
    # The new pledge takes its place after B's.
    assert [p.id for p in services.active_pledges(coalition)] == [b.id, again.id]
    assert services.progress(coalition).total_pledged == 10


def test_tolerance_only_with_a_pack_size(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative)
    with pytest.raises(DomainError, match="per kemasan") as refused:
        _pledge(m["A"], coalition, 10, 2)
    assert refused.value.field == "tolerance"


def test_member_costs_before_the_moq_estimate_a_success_at_the_minimum(coop):
    cooperative, _manager, m = coop
    coalition = make_coalition(
        cooperative, shared_cost_idr=1_000_000, allocation_rule=AllocationRule.PROPORTIONAL
    )
    a = _pledge(m["A"], coalition, 30)
    _pledge(m["B"], coalition, 20)
    costs = services.member_costs(coalition, a)
    assert not costs.succeeds_now
    # Were it to succeed at the minimum (100 sacks): the 100-sack price, delivery split over 100 sacks.
    assert (costs.unit_price_idr, costs.current_idr) == (300_000, 30 * 300_000 + 300_000)
    assert costs.worst_case_idr == 30 * 320_000 + 300_000  # ceil(1.000.000 · 30 / 100)
    assert costs.current_idr <= costs.worst_case_idr
    progress = services.progress(coalition)
    assert (progress.units_to_moq, progress.next_tier_units, progress.next_tier_price_idr) == (
        50,
        50,
        300_000,
    )
