"""Health score arithmetic (dashboards/health.py): the Perdep 06/2016 weights, band edges at exact hundredths,
refusals, and one assessment worked by hand."""

from __future__ import annotations

import pytest

from marketplace.dashboards import health
from marketplace.dashboards.models import Aspect, HealthCategory

PERDEP = health.PERDEP_06_2016


def all_scores(value: int, **overrides: int) -> dict[str, int]:
    scores = {aspect.value: value for aspect in Aspect}
    scores.update(overrides)
    return scores


def test_perdep_weights_are_the_domain_weights() -> None:
    assert PERDEP == {
        "capital": 15,
        "asset_quality": 25,
        "management": 15,
        "efficiency": 10,
        "liquidity": 15,
        "independence": 10,
        "identity": 10,
    }
    assert sum(PERDEP.values()) == 100
    assert health.check_weights(PERDEP) == PERDEP


def test_category_at_the_band_edges() -> None:
    assert health.category_for(10000) is HealthCategory.HEALTHY
    assert health.category_for(8000) is HealthCategory.HEALTHY
    assert health.category_for(7999) is HealthCategory.FAIRLY_HEALTHY
    assert health.category_for(6600) is HealthCategory.FAIRLY_HEALTHY
    assert health.category_for(6599) is HealthCategory.UNDER_SUPERVISION
    assert health.category_for(5100) is HealthCategory.UNDER_SUPERVISION
    assert health.category_for(5099) is HealthCategory.SPECIAL_SUPERVISION
    assert health.category_for(0) is HealthCategory.SPECIAL_SUPERVISION


def test_exact_weighted_scores_at_the_edges_with_perdep_weights() -> None:
    # Every Perdep weight is a multiple of 5, so a Perdep total moves in steps of 0,05: 80,00 and 79,95 are
    # the two sides of the Sehat edge (79,99 itself needs a weight of 1, see the next test).
    assert health.weighted_score_centi(all_scores(80), PERDEP) == 8000
    assert health.category_for(8000) is HealthCategory.HEALTHY
    # One point less on capital is 0,15 less: 79,85 → Cukup Sehat.
    assert health.weighted_score_centi(all_scores(80, capital=79), PERDEP) == 7985
    assert health.category_for(7985) is HealthCategory.FAIRLY_HEALTHY
    assert health.weighted_score_centi(all_scores(66), PERDEP) == 6600
    assert health.category_for(6600) is HealthCategory.FAIRLY_HEALTHY
    # 66 everywhere but identity 65: 6600 − 10 = 6590 → Dalam Pengawasan.
    assert health.weighted_score_centi(all_scores(66, identity=65), PERDEP) == 6590
    assert health.category_for(6590) is HealthCategory.UNDER_SUPERVISION
    assert health.weighted_score_centi(all_scores(51), PERDEP) == 5100
    assert health.category_for(5100) is HealthCategory.UNDER_SUPERVISION
    assert health.weighted_score_centi(all_scores(51, efficiency=50), PERDEP) == 5090
    assert health.category_for(5090) is HealthCategory.SPECIAL_SUPERVISION


@pytest.mark.parametrize(
    ("scores", "centi", "category"),
    [
        ({"capital": 80, "asset_quality": 80}, 8000, HealthCategory.HEALTHY),
        ({"capital": 79, "asset_quality": 80}, 7999, HealthCategory.FAIRLY_HEALTHY),  # 79 + 80·99
        ({"capital": 66, "asset_quality": 66}, 6600, HealthCategory.FAIRLY_HEALTHY),
        ({"capital": 65, "asset_quality": 66}, 6599, HealthCategory.UNDER_SUPERVISION),
        ({"capital": 51, "asset_quality": 51}, 5100, HealthCategory.UNDER_SUPERVISION),
        ({"capital": 50, "asset_quality": 51}, 5099, HealthCategory.SPECIAL_SUPERVISION),
    ],
)
def test_exact_hundredths_at_the_edges_with_a_weight_of_one(
    scores: dict[str, int], centi: int, category: HealthCategory
) -> None:
    weights = {"capital": 1, "asset_quality": 99}
    assert health.weighted_score_centi(scores, weights) == centi
    assert health.category_for(centi) is category


def test_a_score_worked_by_hand() -> None:
    # capital 80×15 = 1200, asset quality 70×25 = 1750, management 90×15 = 1350, efficiency 60×10 = 600,
    # liquidity 85×15 = 1275, independence 75×10 = 750, identity 100×10 = 1000 → 7925 hundredths = 79,25,
    # Cukup Sehat (66 ≤ 79,25 < 80).
    scores = {
        "capital": 80,
        "asset_quality": 70,
        "management": 90,
        "efficiency": 60,
        "liquidity": 85,
        "independence": 75,
        "identity": 100,
    }
    centi = health.weighted_score_centi(scores, PERDEP)
    assert centi == 7925
    assert health.format_score(centi, "id") == "79,25"
    assert health.format_score(centi, "en") == "79.25"
    assert health.category_for(centi) is HealthCategory.FAIRLY_HEALTHY


def test_format_score_keeps_two_decimals() -> None:
    assert health.format_score(7985) == "79,85"
    assert health.format_score(8000, "en") == "80.00"
    assert health.format_score(505) == "5,05"
    assert health.format_score(10000) == "100,00"


@pytest.mark.parametrize(
    "weights",
    [
        {**PERDEP, "identity": 11},  # 101
        {**PERDEP, "identity": 9},  # 99
        {"capital": 50},
    ],
)
def test_weights_not_adding_up_to_100_are_refused(weights: dict[str, int]) -> None:
    with pytest.raises(health.InvalidWeights):
        health.check_weights(weights)
    with pytest.raises(health.InvalidWeights):
        health.weighted_score_centi(all_scores(80), weights)


def test_negative_fractional_or_unknown_weights_are_refused() -> None:
    with pytest.raises(health.InvalidWeights):
        health.check_weights({"capital": 110, "asset_quality": -10})
    with pytest.raises(health.InvalidWeights):
        health.check_weights({"capital": 50.5, "asset_quality": 49.5})  # type: ignore[dict-item]
    with pytest.raises(health.InvalidWeights):
        health.check_weights({"capital": 50, "luck": 50})


@pytest.mark.parametrize("bad", [101, -1, 79.5, None, True])
def test_a_score_outside_0_to_100_is_refused(bad: object) -> None:
    scores: dict = all_scores(80, capital=bad)  # type: ignore[arg-type]
    if bad is None:
        del scores["capital"]
    with pytest.raises(ValueError, match="capital"):
        health.weighted_score_centi(scores, PERDEP)


def test_an_aspect_weighted_zero_needs_no_score() -> None:
    weights = {"capital": 40, "asset_quality": 60, "identity": 0}
    assert health.weighted_score_centi({"capital": 50, "asset_quality": 100}, weights) == 8000
