"""The health score of a cooperative: pure arithmetic, no database.

Score = Σ score(aspect) × weight(aspect) / 100 with whole weights adding up to 100, kept exactly as hundredths
of a point (an integer), so a band edge is never missed by a float: 80,00 is Sehat, 79,99 is Cukup Sehat.
Bands (DOMAIN.md): 80–100 Sehat, 66–<80 Cukup Sehat, 51–<66 Dalam Pengawasan, <51 Dalam Pengawasan Khusus.
"""

from __future__ import annotations

from collections.abc import Mapping

from marketplace.dashboards.models import Aspect, HealthCategory

# Savings and loan cooperatives, Perdep 06/2016 (DOMAIN.md "Supervision").
PERDEP_06_2016: dict[str, int] = {
    Aspect.CAPITAL.value: 15,
    Aspect.ASSET_QUALITY.value: 25,
    Aspect.MANAGEMENT.value: 15,
    Aspect.EFFICIENCY.value: 10,
    Aspect.LIQUIDITY.value: 15,
    Aspect.INDEPENDENCE.value: 10,
    Aspect.IDENTITY.value: 10,
}

# Lower bounds in hundredths of a point, best first.
BANDS: tuple[tuple[int, HealthCategory], ...] = (
    (8000, HealthCategory.HEALTHY),
    (6600, HealthCategory.FAIRLY_HEALTHY),
    (5100, HealthCategory.UNDER_SUPERVISION),
    (0, HealthCategory.SPECIAL_SUPERVISION),
)


class InvalidWeights(ValueError):
    pass


def check_weights(weights: Mapping[str, int]) -> dict[str, int]:
    """Whole, non-negative weights for known aspects that add up to exactly 100."""
    known = {a.value for a in Aspect}
    clean: dict[str, int] = {}
    for aspect, weight in weights.items():
        if aspect not in known:
            raise InvalidWeights(f"unknown aspect {aspect!r}")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise InvalidWeights(f"weight of {aspect} must be a whole number ≥ 0")
        clean[aspect] = weight
    if sum(clean.values()) != 100:
        raise InvalidWeights("weights must add up to 100")
    return clean


def weighted_score_centi(scores: Mapping[str, int], weights: Mapping[str, int]) -> int:
    """The weighted score in hundredths of a point (0..10000). Every weighted aspect needs a score 0..100;
    Σ score × weight is already in hundredths because the weights add up to 100."""
    clean = check_weights(weights)
    total = 0
    for aspect, weight in clean.items():
        if weight == 0:
            continue
        score = scores.get(aspect)
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
            raise ValueError(f"score of {aspect} must be a whole number 0..100")
        total += score * weight
    return total


def category_for(score_centi: int) -> HealthCategory:
    for lower, category in BANDS:
        if score_centi >= lower:
            return category
    return HealthCategory.SPECIAL_SUPERVISION


def format_score(score_centi: int, locale: str = "id") -> str:
    """79,85 (Indonesian) or 79.85 (English)."""
    whole, cents = divmod(score_centi, 100)
    return f"{whole}{',' if locale.startswith('id') else '.'}{cents:02d}"
