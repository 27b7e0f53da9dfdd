"""Selling coalition arithmetic (coalitions.engine): DOMAIN.md's worked example and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalitions.engine import AllocationRule, EngineError, allocate, fee_of, settle_selling

PRICES = {"A": 180_000, "B": 150_000}


def test_the_domain_worked_example() -> None:
    # 500 kg Arabica; commitments W 200 A, X 150 A, Y 120 B, Z 100 A (570 > 500) → uniform: 140/140/120/100.
    assert allocate(AllocationRule.UNIFORM, [200, 150, 120, 100], 500) == [140, 140, 120, 100]
    # QC rejects 10 kg of Z → accepted 490.
    result = settle_selling([{"A": 140}, {"A": 140}, {"B": 120}, {"A": 90}], PRICES, 500, 1_000_000)
    assert [m.gross_idr for m in result.members] == [25_200_000, 25_200_000, 18_000_000, 16_200_000]
    assert [m.fee_idr for m in result.members] == [1_260_000, 1_260_000, 900_000, 810_000]
    assert [m.shared_cost_idr for m in result.members] == [285_714, 285_714, 244_898, 183_674]
    assert [m.payout_idr for m in result.members] == [23_654_286, 23_654_286, 16_855_102, 15_206_326]
    assert result.accepted_qty == 490
    assert result.buyer_total_idr == 84_600_000
    assert result.payouts_idr + result.fees_idr + result.shared_cost_idr == 84_600_000


def test_proportional_allocation_of_the_example() -> None:
    assert sum(allocate(AllocationRule.PROPORTIONAL, [200, 150, 120, 100], 500)) == 500


@pytest.mark.parametrize(
    ("gross", "fee_bp", "fee"),
    [(0, 500, 0), (10, 500, 1), (9, 500, 0), (30, 500, 2), (1_000_000, 250, 25_000), (100, 10_000, 100)],
)
def test_fee_rounds_half_up(gross: int, fee_bp: int, fee: int) -> None:
    assert fee_of(gross, fee_bp) == fee


def test_refusals() -> None:
    with pytest.raises(EngineError):
        fee_of(100, 10_001)
    with pytest.raises(EngineError):
        settle_selling([{"C": 5}], PRICES, 500, 0)  # a grade without a price
    with pytest.raises(EngineError):
        settle_selling([{"A": 1}], PRICES, 500, 10_000_000)  # costs above what the goods earn
    with pytest.raises(EngineError):
        settle_selling([{"A": 0}], PRICES, 500, 1_000)  # costs but nothing accepted


members = st.lists(
    st.fixed_dictionaries({"A": st.integers(0, 500), "B": st.integers(0, 500)}), min_size=1, max_size=30
)


@given(members, st.integers(0, 2_000), st.integers(0, 500_000))
def test_the_money_adds_up(accepted: list[dict[str, int]], fee_bp: int, cost: int) -> None:
    if not sum(sum(m.values()) for m in accepted):
        cost = 0
    try:
        result = settle_selling(accepted, PRICES, fee_bp, cost)
    except EngineError:
        return  # costs larger than a member earns: refused, nothing to check
    assert result.payouts_idr + result.fees_idr + result.shared_cost_idr == result.buyer_total_idr
    assert sum(m.shared_cost_idr for m in result.members) == result.shared_cost_idr
    for lines, member in zip(accepted, result.members, strict=True):
        assert member.gross_idr == lines["A"] * PRICES["A"] + lines["B"] * PRICES["B"]
        assert member.payout_idr >= 0


def test_a_rejection_changes_the_split_of_the_shared_costs() -> None:
    # Without the rejection transport follows 140/140/120/100; rejecting 10 kg of Z: 140/140/120/90.
    before = settle_selling([{"A": 140}, {"A": 140}, {"B": 120}, {"A": 100}], PRICES, 500, 1_000_000)
    after = settle_selling([{"A": 140}, {"A": 140}, {"B": 120}, {"A": 90}], PRICES, 500, 1_000_000)
    assert [m.shared_cost_idr for m in before.members] == [280_000, 280_000, 240_000, 200_000]
    assert [m.shared_cost_idr for m in after.members] == [285_714, 285_714, 244_898, 183_674]
    assert before.buyer_total_idr - after.buyer_total_idr == 10 * 180_000
