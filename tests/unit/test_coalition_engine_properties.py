"""Properties of the buying-coalition arithmetic (coalitions/engine.py), checked with Hypothesis."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from coalitions.engine import (
    AllocationRule,
    CoalitionTerms,
    Outcome,
    PledgeInput,
    Tier,
    allocate_proportional,
    allocate_uniform,
    largest_remainder,
    packs_to_order,
    settle,
    split_cost,
    tier_price,
    worst_case_amount,
)
from marketplace.money import allocate as money_allocate

FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=80, deadline=None)

demand_lists = st.lists(st.integers(min_value=0, max_value=200), max_size=25)
rules = st.sampled_from([allocate_uniform, allocate_proportional])


@st.composite
def demands_and_supply(draw: st.DrawFn) -> tuple[list[int], int]:
    demands = draw(demand_lists)
    supply = draw(st.integers(min_value=0, max_value=sum(demands) + 50))
    return demands, supply


@st.composite
def tier_ladders(draw: st.DrawFn) -> tuple[Tier, ...]:
    count = draw(st.integers(min_value=1, max_value=4))
    steps = draw(st.lists(st.integers(min_value=1, max_value=150), min_size=count, max_size=count))
    cuts = draw(st.lists(st.integers(min_value=0, max_value=30_000), min_size=count, max_size=count))
    tiers = []
    min_qty, price = 0, draw(st.integers(min_value=0, max_value=500_000))
    for step, cut in zip(steps, cuts, strict=True):
        min_qty += step
        tiers.append(Tier(min_qty, price))
        price = max(price - cut, 0)
    return tuple(tiers)


@st.composite
def coalitions(draw: st.DrawFn) -> tuple[CoalitionTerms, list[PledgeInput]]:
    tiers = draw(tier_ladders())
    moq = draw(st.integers(min_value=1, max_value=300))
    pack_size = draw(st.sampled_from([1, 1, 2, 5, 10, 25]))
    capacity = draw(st.none() | st.integers(min_value=moq, max_value=600))
    if capacity is not None and capacity // pack_size * pack_size < moq:
        capacity += pack_size  # a capacity that can reach the MOQ in whole packs
    terms = CoalitionTerms(
        tiers=tiers,
        moq=moq,
        pack_size=pack_size,
        capacity=capacity,
        shared_cost_idr=draw(st.integers(min_value=0, max_value=5_000_000)),
        rule=draw(st.sampled_from(list(AllocationRule))),
    )
    pledges = draw(
        st.lists(
            st.builds(
                PledgeInput,
                st.integers(min_value=0, max_value=120),
                st.integers(min_value=0, max_value=15),
            ),
            max_size=12,
        )
    )
    return terms, pledges


def uniform_level(demands: list[int], supply: int) -> int:
    """λ by brute force: the largest integer with Σ min(d_i, λ) ≤ S (S < Σ d)."""
    level = 0
    while sum(min(d, level + 1) for d in demands) <= supply:
        level += 1
    return level


# ------------------------------------------------------------------------------------------------ allocation


@FAST
@given(demands_and_supply(), rules)
def test_allocations_stay_within_demand_and_supply_and_use_all_they_can(case, allocate):
    demands, supply = case
    result = allocate(demands, supply)

    assert len(result) == len(demands)
    assert all(0 <= a <= d for a, d in zip(result, demands, strict=True))
    assert sum(result) == min(supply, sum(demands))


@FAST
@given(demands_and_supply())
def test_uniform_gives_min_of_demand_and_lambda_plus_pledge_order_leftovers(case):
    demands, supply = case
    result = allocate_uniform(demands, supply)
    if supply >= sum(demands):
        assert result == demands
        return
    level = uniform_level(demands, supply)
    base = [min(d, level) for d in demands]
    extra = [a - b for a, b in zip(result, base, strict=True)]
    assert set(extra) <= {0, 1}
    receivers = [i for i, e in enumerate(extra) if e]
    unsatisfied = [i for i, d in enumerate(demands) if d > level]
    # The leftover units go to the first unsatisfied pledges, one each, in pledge order.
    assert receivers == unsatisfied[: len(receivers)]
    assert len(receivers) < len(unsatisfied)


@FAST
@given(demands_and_supply())
def test_proportional_stays_within_one_unit_of_the_exact_share(case):
    demands, supply = case
    result = allocate_proportional(demands, supply)
    if supply >= sum(demands):
        assert result == demands
        return
    for a, d in zip(result, demands, strict=True):
        assert abs(Fraction(a) - Fraction(supply * d, sum(demands))) < 1


@FAST
@given(
    demands_and_supply().filter(lambda case: len(case[0]) > 0),
    st.data(),
)
def test_uniform_strategy_proofness(case, data):
    # Inflating d_i to d_i' > d_i never gives member i more of what it truly needs:
    # min(alloc_i', d_i) ≤ alloc_i.
    demands, supply = case
    i = data.draw(st.integers(min_value=0, max_value=len(demands) - 1))
    inflated = list(demands)
    inflated[i] += data.draw(st.integers(min_value=1, max_value=300))

    honest = allocate_uniform(demands, supply)[i]
    greedy = allocate_uniform(inflated, supply)[i]

    assert min(greedy, demands[i]) <= honest


@FAST
@given(demands_and_supply(), st.randoms(use_true_random=False))
def test_uniform_results_do_not_depend_on_order_except_the_pledge_order_tie_break(case, random):
    demands, supply = case
    order = list(range(len(demands)))
    random.shuffle(order)
    result = allocate_uniform(demands, supply)
    permuted = allocate_uniform([demands[k] for k in order], supply)

    assert Counter(permuted) == Counter(result)
    # Only the pledge-order leftover unit (among pledges above λ) may move: at most 1 unit per member.
    assert all(abs(permuted[j] - result[k]) <= 1 for j, k in enumerate(order))


@FAST
@given(
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=0, max_value=100),
    st.lists(st.integers(min_value=0, max_value=100), max_size=10),
    st.integers(min_value=0, max_value=500),
    st.randoms(use_true_random=False),
    rules,
)
def test_permuting_members_with_equal_demands_keeps_the_multiset_of_results(
    count, demand, others, supply, random, allocate
):
    demands = [demand] * count + others
    equal = list(range(count))
    shuffled = list(equal)
    random.shuffle(shuffled)
    order = shuffled + list(range(count, len(demands)))  # only the equal-demand members move
    result = allocate(demands, supply)
    permuted = allocate([demands[k] for k in order], supply)

    assert Counter(permuted) == Counter(result)
    assert permuted[count:] == result[count:]


@FAST
@given(demands_and_supply(), st.randoms(use_true_random=False))
def test_proportional_results_permute_with_the_input_when_remainders_are_distinct(case, random):
    demands, supply = case
    total = sum(demands)
    if supply >= total:
        remainders_distinct = True
    else:
        remainders = [supply * d % total for d in demands]
        remainders_distinct = len(set(remainders)) == len(remainders)
    order = list(range(len(demands)))
    random.shuffle(order)
    result = allocate_proportional(demands, supply)
    permuted = allocate_proportional([demands[k] for k in order], supply)

    if remainders_distinct:
        assert permuted == [result[k] for k in order]
    else:  # ties among remainders are broken by pledge order, so only the total is order-free
        assert sum(permuted) == sum(result)


# ----------------------------------------------------------------------------------------------- cost split


@FAST
@given(
    st.integers(min_value=0, max_value=10**10),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any),
)
def test_splits_sum_exactly_and_are_never_negative(total, quantities):
    parts = split_cost(total, quantities)

    assert sum(parts) == total
    assert all(part >= 0 for part in parts)
    assert all(part == 0 for part, q in zip(parts, quantities, strict=True) if q == 0)
    # Within one rupiah of the exact share, and never above its ceiling.
    for part, q in zip(parts, quantities, strict=True):
        exact = Fraction(total * q, sum(quantities))
        assert exact - 1 < part <= -(-total * q // sum(quantities))


@FAST
@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**5), min_size=1, max_size=20).filter(any),
)
def test_the_engine_split_is_the_money_split(total, weights):
    assert largest_remainder(total, weights) == money_allocate(total, weights)


# ---------------------------------------------------------------------------------------------- pack rounding


@FAST
@given(
    st.lists(
        st.builds(
            PledgeInput, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=20)
        ),
        max_size=15,
    ),
    st.integers(min_value=1, max_value=40),
)
def test_pack_rounding(pledges, pack_size):
    result = packs_to_order(pledges, pack_size)
    total = sum(p.quantity for p in pledges)
    tolerance = sum(p.tolerance for p in pledges)
    full, remainder = divmod(total, pack_size)

    assert result.units == result.packs * pack_size == sum(result.allocations)
    assert result.packs == full + (1 if remainder and remainder + tolerance >= pack_size else 0)
    for pledge, got, used, cut in zip(
        pledges, result.allocations, result.tolerance_used, result.trimmed, strict=True
    ):
        assert got == pledge.quantity + used - cut
        assert 0 <= used <= pledge.tolerance
        assert 0 <= cut <= pledge.quantity
        assert not (used and cut)
    assert sum(result.tolerance_used) == max(result.units - total, 0)
    assert sum(result.trimmed) == max(total - result.units, 0)


# ------------------------------------------------------------------------------------------------ settlement


@SLOW
@given(coalitions())
def test_settlement_adds_up(case):
    terms, pledges = case
    result = settle(terms, pledges)
    members = result.members
    total = sum(p.quantity for p in pledges)

    assert len(members) == len(pledges)
    assert result.total_pledged == total
    if total < terms.moq:
        assert result.outcome is Outcome.BELOW_MOQ
    if not result.success:
        assert result.amount_total_idr == result.goods_total_idr == result.savings_total_idr == 0
        assert all(m.amount_idr == m.goods_idr == m.shared_cost_idr == m.allocated == 0 for m in members)
        return

    price = result.unit_price_idr
    assert result.units_ordered == sum(m.allocated for m in members) >= terms.moq
    assert result.units_ordered == result.packs * terms.pack_size
    if terms.capacity is not None:
        assert result.units_ordered <= terms.capacity
    assert price == tier_price(terms.tiers, result.units_ordered)
    assert sum(m.goods_idr for m in members) == result.goods_total_idr == result.units_ordered * price
    assert sum(m.shared_cost_idr for m in members) == result.shared_cost_idr == terms.shared_cost_idr
    assert sum(m.amount_idr for m in members) == result.amount_total_idr
    assert result.amount_total_idr == result.goods_total_idr + terms.shared_cost_idr
    assert sum(m.savings_idr for m in members) == result.savings_total_idr >= 0
    for pledge, member in zip(pledges, members, strict=True):
        assert 0 <= member.allocated <= pledge.quantity + pledge.tolerance
        assert member.goods_idr == member.allocated * price
        assert member.amount_idr == member.goods_idr + member.shared_cost_idr
        assert member.savings_idr == member.allocated * (result.solo_price_idr - price)
        # The card hold always covers the final amount.
        assert member.amount_idr <= worst_case_amount(terms, pledge.quantity + pledge.tolerance)


@SLOW
@given(coalitions())
def test_below_the_moq_nobody_pays(case):
    terms, pledges = case
    below: list[PledgeInput] = []
    for pledge in pledges:  # the longest prefix of the pledges that stays below the MOQ
        if sum(p.quantity for p in below) + pledge.quantity >= terms.moq:
            break
        below.append(pledge)
    result = settle(terms, below)

    assert result.outcome is Outcome.BELOW_MOQ
    assert result.amount_total_idr == result.shared_cost_idr == result.units_ordered == 0
    assert all(m.amount_idr == 0 and m.allocated == 0 for m in result.members)
