"""The buying-coalition arithmetic (coalitions/engine.py) on DOMAIN.md's worked example and its edges."""

from __future__ import annotations

import pytest

from coalitions.engine import (
    AllocationRule,
    CoalitionTerms,
    EngineError,
    Outcome,
    PledgeInput,
    Tier,
    allocate_proportional,
    allocate_uniform,
    next_tier,
    packs_to_order,
    settle,
    solo_price,
    split_cost,
    tier_price,
    tipping_point,
    validate_tiers,
    worst_case_amount,
)

# DOMAIN.md: feed concentrate, 50 kg sack. 1–99 sacks Rp320.000; 100–199 Rp300.000; ≥200 Rp285.000.
FEED_TIERS = (Tier(1, 320_000), Tier(100, 300_000), Tier(200, 285_000))


def feed_terms(**changes: object) -> CoalitionTerms:
    values: dict[str, object] = {"tiers": FEED_TIERS, "moq": 100, "shared_cost_idr": 1_500_000}
    values.update(changes)
    return CoalitionTerms(**values)  # type: ignore[arg-type]


def pledges(*quantities: int, tolerance: tuple[int, ...] = ()) -> list[PledgeInput]:
    tolerances = tolerance or (0,) * len(quantities)
    return [PledgeInput(q, t) for q, t in zip(quantities, tolerances, strict=True)]


# ------------------------------------------------------------------------------------------ worked example


def test_the_worked_example_of_domain_md():
    result = settle(feed_terms(), pledges(40, 35, 20, 12))

    assert result.outcome is Outcome.SUCCESS and result.success
    assert result.total_pledged == 107
    assert result.units_ordered == 107
    assert result.unit_price_idr == 300_000
    assert result.solo_price_idr == 320_000
    assert [m.allocated for m in result.members] == [40, 35, 20, 12]
    assert [m.goods_idr for m in result.members] == [12_000_000, 10_500_000, 6_000_000, 3_600_000]
    assert [m.shared_cost_idr for m in result.members] == [560_748, 490_654, 280_374, 168_224]
    assert [m.amount_idr for m in result.members] == [12_560_748, 10_990_654, 6_280_374, 3_768_224]
    assert [m.savings_idr for m in result.members] == [800_000, 700_000, 400_000, 240_000]
    assert result.savings_total_idr == 2_140_000
    assert result.goods_total_idr == 32_100_000
    assert result.shared_cost_idr == 1_500_000
    assert result.amount_total_idr == 33_600_000 == sum(m.amount_idr for m in result.members)


def test_the_worked_example_of_uniform_and_proportional_allocation():
    assert allocate_uniform([60, 30, 20], 100) == [50, 30, 20]
    assert allocate_proportional([60, 30, 20], 100) == [55, 27, 18]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(AllocationRule.UNIFORM, [50, 30, 20]), (AllocationRule.PROPORTIONAL, [55, 27, 18])],
)
def test_settle_allocates_a_short_capacity_with_the_chosen_rule(rule, expected):
    result = settle(feed_terms(capacity=100, rule=rule), pledges(60, 30, 20))

    assert result.success
    assert [m.allocated for m in result.members] == expected
    assert result.units_ordered == 100
    assert result.unit_price_idr == 300_000
    assert [m.goods_idr for m in result.members] == [a * 300_000 for a in expected]
    assert sum(m.shared_cost_idr for m in result.members) == 1_500_000


def test_uniform_is_the_default_rule():
    assert feed_terms().rule is AllocationRule.UNIFORM
    assert feed_terms(rule="proportional").rule is AllocationRule.PROPORTIONAL


def test_the_price_is_that_of_the_quantity_delivered_not_pledged():
    # 210 pledged would reach Rp285.000, but the supplier delivers only 199: everybody pays Rp300.000.
    result = settle(feed_terms(capacity=199), pledges(110, 100))

    assert result.total_pledged == 210
    assert result.units_ordered == 199
    assert result.unit_price_idr == 300_000
    assert [m.allocated for m in result.members] == [100, 99]


# ------------------------------------------------------------------------------------------------- failure


def test_below_the_moq_the_coalition_fails_and_nobody_pays():
    result = settle(feed_terms(), pledges(40, 35, 20))

    assert result.outcome is Outcome.BELOW_MOQ and not result.success
    assert result.total_pledged == 95
    assert result.units_ordered == result.packs == result.unit_price_idr == 0
    assert result.goods_total_idr == result.shared_cost_idr == result.amount_total_idr == 0
    assert result.savings_total_idr == 0
    for member in result.members:
        assert member.allocated == member.tolerance_used == 0
        assert member.goods_idr == member.shared_cost_idr == member.amount_idr == member.savings_idr == 0
    assert [m.quantity for m in result.members] == [40, 35, 20]


def test_no_pledges_fail():
    result = settle(feed_terms(), [])
    assert result.outcome is Outcome.BELOW_MOQ
    assert result.members == ()


def test_exactly_the_moq_succeeds():
    assert tipping_point(100, 100)
    assert not tipping_point(99, 100)
    assert settle(feed_terms(), pledges(60, 40)).success


def test_it_fails_when_whole_packs_fall_below_the_moq():
    # 107 pledged reaches the MOQ, but in packs of 60 only one pack (60 sacks) can be ordered.
    result = settle(feed_terms(pack_size=60), pledges(40, 35, 20, 12))

    assert result.outcome is Outcome.ORDER_BELOW_MOQ
    assert result.amount_total_idr == 0
    assert all(m.amount_idr == 0 for m in result.members)


# --------------------------------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("quantity", "price"),
    [
        (0, 320_000),
        (1, 320_000),
        (99, 320_000),
        (100, 300_000),
        (199, 300_000),
        (200, 285_000),
        (10**6, 285_000),
    ],
)
def test_tier_price_at_the_edges(quantity, price):
    assert tier_price(FEED_TIERS, quantity) == price


def test_below_the_first_tier_the_first_price_applies():
    assert tier_price((Tier(10, 5_000), Tier(20, 4_000)), 3) == 5_000


def test_solo_price_is_the_first_tier_price():
    assert solo_price(FEED_TIERS) == 320_000


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, (100, 300_000)),
        (88, (12, 300_000)),  # "12 more sacks to reach Rp300.000"
        (99, (1, 300_000)),
        (100, (100, 285_000)),
        (107, (93, 285_000)),
        (200, None),
        (5_000, None),
    ],
)
def test_next_tier(quantity, expected):
    assert next_tier(FEED_TIERS, quantity) == expected


def test_next_tier_skips_a_tier_with_the_same_price():
    tiers = (Tier(1, 100), Tier(10, 100), Tier(20, 90))
    assert next_tier(tiers, 5) == (15, 90)
    assert next_tier((Tier(1, 100), Tier(10, 100)), 5) is None


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ((), "At least one"),
        ((Tier(0, 100),), "at least 1"),
        ((Tier(1, -1),), "negative"),
        ((Tier(1, 100), Tier(1, 90)), "strictly increasing"),
        ((Tier(10, 100), Tier(5, 90)), "strictly increasing"),
        ((Tier(1, 100), Tier(10, 110)), "higher unit price"),
        ((Tier(1, 100), (10, 90)), "Not a price tier"),
        ((Tier(1, 1.5),), "whole number"),
    ],
)
def test_bad_tiers_are_refused(tiers, message):
    with pytest.raises(EngineError, match=message):
        validate_tiers(tiers)
    with pytest.raises(EngineError):
        CoalitionTerms(tiers=tiers, moq=1)


def test_equal_prices_on_consecutive_tiers_are_allowed():
    validate_tiers((Tier(1, 100), Tier(10, 100), Tier(20, 0)))


def test_engine_error_is_a_value_error():
    assert issubclass(EngineError, ValueError)


@pytest.mark.parametrize(
    "changes",
    [
        {"moq": 0},
        {"pack_size": 0},
        {"shared_cost_idr": -1},
        {"capacity": 99},
        {"capacity": 110, "pack_size": 60},  # one whole pack of 60 < MOQ 100: it could never succeed
        {"rule": "by lottery"},
    ],
)
def test_bad_terms_are_refused(changes):
    with pytest.raises(EngineError):
        feed_terms(**changes)


def test_capacity_is_checked_in_whole_packs():
    assert feed_terms(capacity=119, pack_size=20).capacity == 119  # 100 in whole packs reaches the MOQ
    with pytest.raises(EngineError, match="below the MOQ"):
        feed_terms(capacity=119, pack_size=30)  # 90 in whole packs


def test_bad_pledges_are_refused():
    with pytest.raises(EngineError, match="negative"):
        PledgeInput(-1)
    with pytest.raises(EngineError, match="negative"):
        PledgeInput(1, -2)
    with pytest.raises(EngineError, match="whole number"):
        PledgeInput(1.5)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- pack rounding


def test_tolerance_completes_the_last_pack_in_pledge_order():
    # Packs of 10; 7 + 8 = 15 → one pack and 5 over; tolerance 3 + 4 ≥ 5 missing → a second pack.
    result = packs_to_order(pledges(7, 8, tolerance=(3, 4)), 10)

    assert result.packs == 2 and result.units == 20
    assert result.tolerance_used == (3, 2)  # the earlier pledge's tolerance is used first
    assert result.allocations == (10, 10)
    assert result.trimmed == (0, 0)


def test_tolerance_is_used_only_as_far_as_needed():
    result = packs_to_order(pledges(9, 9, 1, tolerance=(5, 5, 5)), 10)

    assert result.packs == 2
    assert result.tolerance_used == (1, 0, 0)
    assert result.allocations == (10, 9, 1)


def test_tolerance_alone_never_opens_a_pack():
    exact = packs_to_order(pledges(6, 4, tolerance=(10, 10)), 10)
    assert exact.packs == 1 and exact.allocations == (6, 4) and exact.tolerance_used == (0, 0)

    nothing = packs_to_order(pledges(0, 0, tolerance=(10, 25)), 10)
    assert nothing.packs == 0 and nothing.allocations == (0, 0)


def test_too_little_tolerance_leaves_the_last_pack_out_and_trims_the_last_pledges_first():
    # Packs of 10; 6 + 5 + 3 = 14 → one pack; the 4 left over are cut from C (3) then B (1).
    result = packs_to_order(pledges(6, 5, 3, tolerance=(1, 1, 0)), 10)

    assert result.packs == 1 and result.units == 10
    assert result.trimmed == (0, 1, 3)
    assert result.allocations == (6, 4, 0)
    assert result.tolerance_used == (0, 0, 0)


def test_below_one_pack_everything_is_trimmed():
    result = packs_to_order(pledges(3, 4), 10)
    assert result.packs == 0 and result.allocations == (0, 0) and result.trimmed == (3, 4)


def test_a_pack_size_of_one_changes_nothing():
    result = packs_to_order(pledges(3, 4, tolerance=(9, 9)), 1)
    assert result.packs == 7 and result.allocations == (3, 4) and result.tolerance_used == (0, 0)


def test_bad_pack_size_is_refused():
    with pytest.raises(EngineError):
        packs_to_order(pledges(3), 0)


def test_settle_with_packs_trims_the_latest_pledge():
    # Packs of 10: 107 → 10 packs; D (the latest) loses the 7 sacks that do not fill a pack.
    result = settle(feed_terms(pack_size=10), pledges(40, 35, 20, 12))

    assert result.success
    assert result.packs == 10 and result.units_ordered == 100
    assert [m.allocated for m in result.members] == [40, 35, 20, 5]
    assert result.unit_price_idr == 300_000
    assert [m.shared_cost_idr for m in result.members] == [600_000, 525_000, 300_000, 75_000]
    assert result.savings_total_idr == 100 * 20_000


def test_settle_with_packs_uses_tolerance_and_prices_what_is_ordered():
    # Packs of 10: 195 + tolerance 5 → 20 packs = 200 sacks, which reaches the Rp285.000 tier.
    result = settle(feed_terms(pack_size=10), pledges(100, 95, tolerance=(0, 5)))

    assert result.units_ordered == 200 and result.packs == 20
    assert [m.allocated for m in result.members] == [100, 100]
    assert [m.tolerance_used for m in result.members] == [0, 5]
    assert result.unit_price_idr == 285_000
    assert [m.goods_idr for m in result.members] == [28_500_000, 28_500_000]


def test_capacity_counts_in_whole_packs_and_ignores_tolerance():
    # Packs of 10, capacity 125 → 120 deliverable (12 packs) < 130 pledged: uniform over the quantities.
    result = settle(feed_terms(pack_size=10, capacity=125), pledges(80, 50, tolerance=(9, 9)))

    assert result.units_ordered == 120 and result.packs == 12
    assert [m.allocated for m in result.members] == [70, 50]
    assert [m.tolerance_used for m in result.members] == [0, 0]


# -------------------------------------------------------------------------------------- allocation, split


def test_uniform_leftover_goes_to_unsatisfied_pledges_in_pledge_order():
    # λ = 3 (3+3+3+2 = 11 ≤ 12; λ = 4 would need 4+4+4+2 = 14): one unit left, to the first unsatisfied.
    assert allocate_uniform([5, 5, 5, 2], 12) == [4, 3, 3, 2]
    assert allocate_uniform([2, 5, 5, 5], 12) == [2, 4, 3, 3]


def test_allocation_with_enough_supply_gives_every_demand():
    assert allocate_uniform([3, 0, 7], 10) == [3, 0, 7]
    assert allocate_uniform([3, 0, 7], 99) == [3, 0, 7]
    assert allocate_proportional([3, 0, 7], 10) == [3, 0, 7]
    assert allocate_uniform([], 5) == []
    assert allocate_proportional([], 0) == []


def test_allocation_of_nothing():
    assert allocate_uniform([3, 4], 0) == [0, 0]
    assert allocate_proportional([3, 4], 0) == [0, 0]


def test_proportional_ties_go_to_the_earliest_pledge():
    assert allocate_proportional([1, 1, 1], 2) == [1, 1, 0]
    assert allocate_proportional([2, 2, 2], 4) == [2, 1, 1]


@pytest.mark.parametrize("allocate", [allocate_uniform, allocate_proportional])
def test_bad_allocation_input_is_refused(allocate):
    with pytest.raises(EngineError):
        allocate([3, -1], 2)
    with pytest.raises(EngineError):
        allocate([3, 1], -2)


def test_split_cost():
    assert split_cost(1_500_000, [40, 35, 20, 12]) == [560_748, 490_654, 280_374, 168_224]
    assert split_cost(10, [1, 1, 1]) == [4, 3, 3]
    assert split_cost(0, [1, 2]) == [0, 0]
    assert split_cost(7, [0, 5]) == [0, 7]


@pytest.mark.parametrize("quantities", [[], [0, 0, 0]])
def test_split_cost_needs_some_quantity(quantities):
    with pytest.raises(EngineError):
        split_cost(1_000, quantities)


def test_split_cost_refuses_a_negative_cost():
    with pytest.raises(EngineError):
        split_cost(-1, [1])


# ------------------------------------------------------------------------------------------------ card hold


def test_worst_case_amount_covers_the_final_amount():
    terms = feed_terms()
    # Solo price for every unit, plus the share of the delivery if only the MOQ were ordered.
    assert worst_case_amount(terms, 40) == 40 * 320_000 + 600_000
    assert worst_case_amount(terms, 12) == 12 * 320_000 + 180_000
    assert worst_case_amount(terms, 1) == 320_000 + 15_000
    assert worst_case_amount(terms, 500) == 500 * 320_000 + 1_500_000  # never more than the whole cost
    assert worst_case_amount(terms, 0) == 0

    result = settle(terms, pledges(40, 35, 20, 12))
    for member in result.members:
        assert member.amount_idr <= worst_case_amount(terms, member.quantity + member.tolerance)


def test_worst_case_rounds_the_cost_share_up():
    terms = CoalitionTerms(tiers=(Tier(1, 10),), moq=3, shared_cost_idr=10)
    assert worst_case_amount(terms, 1) == 10 + 4  # ceil(10 / 3)
    # Three members of one unit: the largest-remainder split gives 4, 3, 3.
    result = settle(terms, pledges(1, 1, 1))
    assert [m.shared_cost_idr for m in result.members] == [4, 3, 3]
