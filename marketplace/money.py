"""Rupiah: whole rupiah as integers. Formatting, fair splitting, and Stripe's minor units."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def format_idr(amount: int | None) -> str:
    """``1250000`` → ``Rp1.250.000`` (dot thousands, no space, no decimals)."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` rupiah in proportion to ``weights`` by the largest remainder method.

    Each party gets ``floor(total * w / sum(w))``; the rupiah left over go one each to the largest fractional
    remainders, ties to the earliest party (lowest index). The parts always sum exactly to ``total``.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if not weights:
        raise ValueError("nothing to allocate to")
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def percent_of(amount: int, percent: Decimal | int | str) -> int:
    """``percent``% of ``amount``, rounded half-up to the rupiah."""
    value = Decimal(amount) * Decimal(str(percent)) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_stripe_amount(amount_idr: int) -> int:
    """Stripe treats IDR as a two-decimal currency: Rp150.000 → 15000000."""
    return int(amount_idr) * 100


def from_stripe_amount(amount: int) -> int:
    return int(amount) // 100
