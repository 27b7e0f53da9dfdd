"""The arithmetic of buying coalitions: tiers, pack rounding, allocation, cost split and settlement.

PURE functions over frozen dataclasses: no Flask, no database, no I/O, standard library only, integers only
(no floats anywhere). Money is whole rupiah. DOMAIN.md ("Money", "Buying coalition") states the rules; the
choices it leaves open are made here and documented where they are made:

* **Pledge order.** Every sequence of pledges is taken in pledge order (earliest first): the caller passes
  them ordered by creation. Ties are always broken in favour of the earlier pledge.
* **Largest remainder** (:func:`split_cost`, :func:`allocate_proportional`): each party gets the floor of its
  exact share; the units left over go one each to the largest fractional remainders, ties to the earliest
  party. It is the rule of ``marketplace.money.allocate``, kept engine-local so the engine imports nothing.
* **Price basis.** The all-units tier price is taken on the quantity actually **allocated** (what the supplier
  delivers after pack rounding and capacity), not on the quantity pledged, so nobody pays the price of a tier
  the supplier did not deliver.
* **MOQ.** Success needs the total pledged to reach the MOQ (the tipping point) *and* the quantity actually
  ordered after pack rounding and capacity to reach it too: a supplier's MOQ binds what is ordered.
* **Pack rounding** follows Foodsoft: see :func:`packs_to_order`.
* **Capacity** is applied in whole packs (``floor(capacity / m) * m``), see :func:`settle`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AllocationRule",
    "CoalitionTerms",
    "EngineError",
    "MemberSettlement",
    "Outcome",
    "PackResult",
    "PledgeInput",
    "SellerSettlement",
    "SellingSettlement",
    "Settlement",
    "Tier",
    "allocate",
    "allocate_proportional",
    "allocate_uniform",
    "fee_of",
    "largest_remainder",
    "next_tier",
    "packs_to_order",
    "settle",
    "settle_selling",
    "solo_price",
    "split_cost",
    "tier_price",
    "tipping_point",
    "validate_tiers",
    "worst_case_amount",
]


class EngineError(ValueError):
    """Input the coalition arithmetic cannot work with (bad tiers, negative quantities, ...)."""


# --------------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Tier:
    """From ``min_qty`` units on, every unit costs ``unit_price_idr`` (all-units pricing)."""

    min_qty: int
    unit_price_idr: int


@dataclass(frozen=True, slots=True)
class PledgeInput:
    """One member's pledge: the ``quantity`` wanted and the ``tolerance`` of extra units it accepts so that
    the last pack can be completed (Foodsoft's tolerance; 0 when there is no pack size)."""

    quantity: int
    tolerance: int = 0

    def __post_init__(self) -> None:
        _check_int(self.quantity, "pledged quantity")
        _check_int(self.tolerance, "tolerance")


class AllocationRule(StrEnum):
    """How a short supply is shared: see :func:`allocate_uniform` and :func:`allocate_proportional`."""

    UNIFORM = "uniform"
    PROPORTIONAL = "proportional"


@dataclass(frozen=True, slots=True)
class CoalitionTerms:
    """What the cooperative manager set when opening the coalition.

    ``pack_size`` 1 means units are ordered one by one; ``capacity`` ``None`` means no limit on what the
    supplier delivers; ``shared_cost_idr`` (e.g. delivery) is split by allocated quantity.
    """

    tiers: tuple[Tier, ...]
    moq: int
    pack_size: int = 1
    capacity: int | None = None
    shared_cost_idr: int = 0
    rule: AllocationRule = AllocationRule.UNIFORM

    def __post_init__(self) -> None:
        # Accept any sequence of tiers but store a tuple, so the terms stay immutable and hashable.
        object.__setattr__(self, "tiers", tuple(self.tiers))
        validate_tiers(self.tiers)
        if self.moq < 1:
            raise EngineError("The minimum order quantity (MOQ) must be at least 1.")
        if self.pack_size < 1:
            raise EngineError("The pack size must be at least 1.")
        _check_int(self.shared_cost_idr, "shared cost")
        if self.capacity is not None:
            _check_int(self.capacity, "capacity")
            if self.capacity // self.pack_size * self.pack_size < self.moq:
                raise EngineError(
                    "The supplier's capacity (in whole packs) is below the MOQ: "
                    "the coalition could never succeed."
                )
        try:  # the rule's stored value ("uniform") is accepted too
            object.__setattr__(self, "rule", AllocationRule(self.rule))
        except ValueError:
            raise EngineError(f"Unknown allocation rule: {self.rule!r}.") from None


def _check_int(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EngineError(f"The {what} must be a whole number, not {value!r}.")
    if value < 0:
        raise EngineError(f"The {what} must not be negative.")


# ---------------------------------------------------------------------------------------------------- tiers


def validate_tiers(tiers: Sequence[Tier]) -> None:
    """Raise :class:`EngineError` unless ``tiers`` is a usable price ladder.

    Non-empty; first ``min_qty`` ≥ 1; ``min_qty`` strictly increasing; prices ≥ 0 and non-increasing.
    """
    if not tiers:
        raise EngineError("At least one price tier is needed.")
    for tier in tiers:
        if not isinstance(tier, Tier):
            raise EngineError(f"Not a price tier: {tier!r}.")
        for value, what in ((tier.min_qty, "tier's minimum quantity"), (tier.unit_price_idr, "tier's price")):
            if isinstance(value, bool) or not isinstance(value, int):
                raise EngineError(f"The {what} must be a whole number, not {value!r}.")
        if tier.unit_price_idr < 0:
            raise EngineError("A tier's price must not be negative.")
    if tiers[0].min_qty < 1:
        raise EngineError("The first tier must start at a quantity of at least 1.")
    for lower, upper in itertools.pairwise(tiers):
        if upper.min_qty <= lower.min_qty:
            raise EngineError("Tier minimum quantities must be strictly increasing.")
        if upper.unit_price_idr > lower.unit_price_idr:
            raise EngineError("A larger tier must not have a higher unit price.")


def _tier_index(tiers: Sequence[Tier], quantity: int) -> int:
    """Index of the tier ``quantity`` reached; the first tier for quantities below its minimum."""
    validate_tiers(tiers)
    _check_int(quantity, "quantity")
    index = bisect.bisect_right([tier.min_qty for tier in tiers], quantity) - 1
    return max(index, 0)


def tier_price(tiers: Sequence[Tier], quantity: int) -> int:
    """All-units unit price at ``quantity``: the price of the highest tier reached.

    Below the first tier's minimum the first tier's price applies (it is also the solo price).
    """
    return tiers[_tier_index(tiers, quantity)].unit_price_idr


def solo_price(tiers: Sequence[Tier]) -> int:
    """What one member would pay per unit alone: the first tier's price."""
    validate_tiers(tiers)
    return tiers[0].unit_price_idr


def next_tier(tiers: Sequence[Tier], quantity: int) -> tuple[int, int] | None:
    """``(units still needed, that tier's price)`` for the next *cheaper* tier, or ``None`` at the cheapest.

    For the progress line "12 more sacks to reach Rp300.000". A following tier with the same price as the
    current one is skipped: reaching it would change nothing.
    """
    current = _tier_index(tiers, quantity)
    price_now = tiers[current].unit_price_idr
    for tier in tiers[current:]:
        if tier.min_qty > quantity and tier.unit_price_idr < price_now:
            return tier.min_qty - quantity, tier.unit_price_idr
    return None


def tipping_point(total: int, moq: int) -> bool:
    """The coalition succeeds iff the total pledged reaches the minimum order quantity."""
    return total >= moq


# ----------------------------------------------------------------------------------------- pack rounding


@dataclass(frozen=True, slots=True)
class PackResult:
    """Packs to order and the units each member receives (in pledge order).

    ``allocations[i] = quantity_i + tolerance_used[i] - trimmed[i]`` and ``sum(allocations) == units``
    ``== packs * pack_size``.
    """

    pack_size: int
    packs: int
    units: int
    allocations: tuple[int, ...]
    tolerance_used: tuple[int, ...]
    trimmed: tuple[int, ...]


def packs_to_order(pledges: Sequence[PledgeInput], pack_size: int) -> PackResult:
    """Foodsoft's pack rounding, and how the ordered units are given out.

    With ``Q = Σ quantity`` and ``r = Q mod m``: ``packs = floor(Q / m)``, plus one more iff ``r > 0`` and
    ``r + Σ tolerance ≥ m``. Tolerance only completes the last, already started pack; it never opens a pack
    on its own (with ``r == 0`` it adds nothing, even if ``Σ tolerance ≥ m``).

    Giving out the units (``Σ allocations == packs · m`` always):

    * every member first gets its quantity;
    * if the last pack is completed, the ``m − r`` missing units are taken from the members' tolerance in
      pledge order (earliest pledge first), each only as much as still needed;
    * if the last pack is not ordered, its ``r`` units cannot be delivered: they are trimmed from the **last**
      pledges first (latest pledge loses first, possibly down to 0, then the one before it, ...).
    """
    if isinstance(pack_size, bool) or not isinstance(pack_size, int) or pack_size < 1:
        raise EngineError("The pack size must be a whole number of at least 1.")
    quantities = [pledge.quantity for pledge in pledges]
    allocations = list(quantities)
    tolerance_used = [0] * len(pledges)
    trimmed = [0] * len(pledges)
    total = sum(quantities)
    packs, remainder = divmod(total, pack_size)
    if remainder:
        missing = pack_size - remainder
        if sum(pledge.tolerance for pledge in pledges) >= missing:
            packs += 1
            for i, pledge in enumerate(pledges):
                if not missing:
                    break
                used = min(pledge.tolerance, missing)
                tolerance_used[i] = used
                allocations[i] += used
                missing -= used
        else:
            to_trim = remainder
            for i in range(len(pledges) - 1, -1, -1):
                if not to_trim:
                    break
                cut = min(allocations[i], to_trim)
                trimmed[i] = cut
                allocations[i] -= cut
                to_trim -= cut
    return PackResult(
        pack_size=pack_size,
        packs=packs,
        units=packs * pack_size,
        allocations=tuple(allocations),
        tolerance_used=tuple(tolerance_used),
        trimmed=tuple(trimmed),
    )


# -------------------------------------------------------------------------------------------- allocation


def _check_amounts(values: Sequence[int], what: str) -> None:
    for value in values:
        _check_int(value, what)


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` units in proportion to ``weights`` by the largest remainder method.

    Each party gets ``floor(total · w / Σw)``; the units left over go one each to the largest fractional
    remainders, ties to the earliest party. The parts always sum exactly to ``total``. A party with a zero
    remainder never receives a leftover unit (so nobody gets more than the ceiling of its exact share).
    """
    _check_int(total, "total")
    _check_amounts(weights, "weight")
    if not weights:
        raise EngineError("There is nobody to split among.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise EngineError("Cannot split by weights that are all zero.")
    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        part, rest = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append(rest)
    leftover = total - sum(parts)
    if leftover:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            parts[i] += 1
    return parts


def allocate_uniform(demands: Sequence[int], supply: int) -> list[int]:
    """Uniform rule: each pledge gets ``min(d_i, λ)``, ``λ`` the largest integer with ``Σ min(d_i, λ) ≤ S``.

    The ``S − Σ min(d_i, λ)`` units left over (fewer than the pledges still unsatisfied, by the choice of
    λ) go one each to the unsatisfied pledges (``d_i > λ``) in pledge order. If ``S ≥ Σ d`` everybody gets its
    demand. Inflating a pledge never yields more of what a member truly needs: with ``d_i' > d_i``,
    ``min(alloc_i', d_i) ≤ alloc_i``. O(n log n).
    """
    _check_amounts(demands, "demand")
    _check_int(supply, "supply")
    if supply >= sum(demands):
        return list(demands)
    ordered = sorted(demands)
    count = len(ordered)
    satisfied_sum = 0  # Σ of the demands below the current one: those are fully served at this λ
    level = 0
    for k, demand in enumerate(ordered):
        if satisfied_sum + (count - k) * demand > supply:
            level = (supply - satisfied_sum) // (count - k)
            break
        satisfied_sum += demand
    allocations = [min(demand, level) for demand in demands]
    leftover = supply - sum(allocations)
    for i, demand in enumerate(demands):
        if not leftover:
            break
        if demand > level:
            allocations[i] += 1
            leftover -= 1
    return allocations


def allocate_proportional(demands: Sequence[int], supply: int) -> list[int]:
    """Proportional rule: ``S · d_i / Σ d`` by the largest remainder (ties to the earliest pledge).

    Never more than ``d_i``; if ``S ≥ Σ d`` everybody gets its demand.
    """
    _check_amounts(demands, "demand")
    _check_int(supply, "supply")
    if supply >= sum(demands):
        return list(demands)
    return largest_remainder(supply, demands)


def split_cost(total_idr: int, quantities: Sequence[int]) -> list[int]:
    """Split a shared cost (rupiah) by quantity, largest remainder; the parts sum exactly to ``total_idr``.

    Raises :class:`EngineError` when there is nobody or every quantity is zero.
    """
    return largest_remainder(total_idr, quantities)


# -------------------------------------------------------------------------------------------- settlement


class Outcome(StrEnum):
    SUCCESS = "success"
    BELOW_MOQ = "below_moq"  # total pledged below the MOQ: the tipping point was not reached
    ORDER_BELOW_MOQ = "order_below_moq"  # pledges reached it, but whole packs / capacity fall below it


@dataclass(frozen=True, slots=True)
class MemberSettlement:
    """One pledge's result (same position as its pledge). All amounts are 0 on failure."""

    quantity: int  # pledged
    tolerance: int  # declared
    tolerance_used: int  # taken to complete the last pack
    allocated: int  # units the member receives and pays for
    goods_idr: int  # allocated · unit price
    shared_cost_idr: int  # its share of the shared costs, by allocated quantity
    amount_idr: int  # goods + shared cost: what the member pays
    savings_idr: int  # allocated · (solo price − unit price)


@dataclass(frozen=True, slots=True)
class Settlement:
    outcome: Outcome
    total_pledged: int
    packs: int  # packs ordered (= units ordered when the pack size is 1)
    units_ordered: int  # = Σ allocated
    solo_price_idr: int
    unit_price_idr: int  # p(units ordered) on success, 0 on failure
    goods_total_idr: int
    shared_cost_idr: int  # charged (0 on failure)
    amount_total_idr: int  # = goods + shared cost
    savings_total_idr: int
    members: tuple[MemberSettlement, ...]

    @property
    def success(self) -> bool:
        return self.outcome is Outcome.SUCCESS


def _failed(
    terms: CoalitionTerms, pledges: Sequence[PledgeInput], outcome: Outcome, total_pledged: int
) -> Settlement:
    members = tuple(MemberSettlement(p.quantity, p.tolerance, 0, 0, 0, 0, 0, 0) for p in pledges)
    return Settlement(
        outcome=outcome,
        total_pledged=total_pledged,
        packs=0,
        units_ordered=0,
        solo_price_idr=solo_price(terms.tiers),
        unit_price_idr=0,
        goods_total_idr=0,
        shared_cost_idr=0,
        amount_total_idr=0,
        savings_total_idr=0,
        members=members,
    )


def settle(terms: CoalitionTerms, pledges: Sequence[PledgeInput]) -> Settlement:
    """Settle a buying coalition at its deadline, in the order of DOMAIN.md. ``pledges`` in pledge order.

    1. ``Q = Σ quantity``; fail (``BELOW_MOQ``, nobody pays) unless ``Q ≥ MOQ``.
    2. Pack rounding when ``m > 1`` (:func:`packs_to_order`): tolerance may complete the last pack.
    3. Capacity: the supplier delivers at most ``C = floor(capacity / m) · m`` units (whole packs). If the
       packs ordered exceed it, then ``C ≤ Q`` (``C`` is at least one pack less than rounding ordered, hence
       at most ``floor(Q / m) · m``), so ``C`` is allocated among the pledged quantities — tolerance plays
       no part — with the coalition's rule (uniform by default, or proportional).
    4. Fail (``ORDER_BELOW_MOQ``) if the units actually ordered are below the MOQ.
    5. Unit price ``p = p(units ordered)`` — on what is allocated and delivered, not on ``Q``: nobody pays the
       price of a tier the supplier did not deliver.
    6. Per member: goods ``a_i · p``; shared costs split by ``a_i`` (largest remainder);
       amount = goods + share; savings ``a_i · (solo − p)``.

    O(n log n) in the number of pledges.
    """
    for pledge in pledges:
        if not isinstance(pledge, PledgeInput):
            raise EngineError(f"Not a pledge: {pledge!r}.")
    quantities = [pledge.quantity for pledge in pledges]
    total_pledged = sum(quantities)
    if not tipping_point(total_pledged, terms.moq):
        return _failed(terms, pledges, Outcome.BELOW_MOQ, total_pledged)

    m = terms.pack_size
    if m > 1:
        packed = packs_to_order(pledges, m)
        allocations = list(packed.allocations)
        tolerance_used = list(packed.tolerance_used)
    else:
        allocations = list(quantities)
        tolerance_used = [0] * len(pledges)

    if terms.capacity is not None:
        deliverable = terms.capacity // m * m
        if sum(allocations) > deliverable:
            if terms.rule is AllocationRule.PROPORTIONAL:
                allocations = allocate_proportional(quantities, deliverable)
            else:
                allocations = allocate_uniform(quantities, deliverable)
            tolerance_used = [0] * len(pledges)

    units = sum(allocations)
    if units < terms.moq:
        return _failed(terms, pledges, Outcome.ORDER_BELOW_MOQ, total_pledged)

    solo = solo_price(terms.tiers)
    price = tier_price(terms.tiers, units)
    shares = split_cost(terms.shared_cost_idr, allocations)
    members = tuple(
        MemberSettlement(
            quantity=pledge.quantity,
            tolerance=pledge.tolerance,
            tolerance_used=used,
            allocated=allocated,
            goods_idr=allocated * price,
            shared_cost_idr=share,
            amount_idr=allocated * price + share,
            savings_idr=allocated * (solo - price),
        )
        for pledge, used, allocated, share in zip(pledges, tolerance_used, allocations, shares, strict=True)
    )
    goods_total = units * price
    return Settlement(
        outcome=Outcome.SUCCESS,
        total_pledged=total_pledged,
        packs=units // m,
        units_ordered=units,
        solo_price_idr=solo,
        unit_price_idr=price,
        goods_total_idr=goods_total,
        shared_cost_idr=terms.shared_cost_idr,
        amount_total_idr=goods_total + terms.shared_cost_idr,
        savings_total_idr=units * (solo - price),
        members=members,
    )


def worst_case_amount(terms: CoalitionTerms, quantity_with_tolerance: int) -> int:
    """The most a member pledging ``quantity_with_tolerance`` units (quantity + tolerance) can be charged.

    For a card hold. A member never receives more than its quantity plus tolerance, and never pays more than
    the solo price per unit (prices do not increase along the tiers). Its shared-cost share is
    ``floor(K·a/A)`` or one more, and the extra rupiah only goes to a non-zero remainder, so it is at most
    ``ceil(K·a/A)``; on success ``A ≥ MOQ`` (step 4 of :func:`settle`) and ``a ≤ quantity_with_tolerance``,
    hence the share is at most ``min(K, ceil(K · quantity_with_tolerance / MOQ))``.
    """
    _check_int(quantity_with_tolerance, "quantity")
    cost = terms.shared_cost_idr
    cost_bound = min(cost, -(-cost * quantity_with_tolerance // terms.moq))
    return solo_price(terms.tiers) * quantity_with_tolerance + cost_bound


# ------------------------------------------------------------------------------------- selling coalitions


def allocate(rule: AllocationRule, demands: Sequence[int], supply: int) -> list[int]:
    """Allocate ``supply`` units among ``demands`` (in commitment/pledge order) with the coalition's rule."""
    if rule is AllocationRule.PROPORTIONAL:
        return allocate_proportional(demands, supply)
    return allocate_uniform(demands, supply)


FEE_BASIS = 10_000  # fees in basis points: 500 = 5 %


def fee_of(gross_idr: int, fee_bp: int) -> int:
    """``round(f · gross)`` with ``f = fee_bp / 10 000``, halves rounded up (integers only)."""
    _check_int(gross_idr, "gross")
    _check_int(fee_bp, "fee")
    if fee_bp > FEE_BASIS:
        raise EngineError("A fee cannot exceed 100 %.")
    return (gross_idr * fee_bp * 2 + FEE_BASIS) // (2 * FEE_BASIS)


@dataclass(frozen=True, slots=True)
class SellerSettlement:
    """One member's settlement in a selling coalition (same position as its input)."""

    accepted_qty: int  # Σ over grades of what quality control accepted
    gross_idr: int  # Σ_g price_g · accepted_g
    fee_idr: int  # the cooperative's fee: round(f · gross)
    shared_cost_idr: int  # its share of the shared costs K, by accepted quantity (largest remainder)
    payout_idr: int  # gross − fee − shared cost: what the cooperative owes the member


@dataclass(frozen=True, slots=True)
class SellingSettlement:
    members: tuple[SellerSettlement, ...]
    accepted_qty: int
    buyer_total_idr: int  # = Σ gross: what the buyer pays for the accepted goods
    fees_idr: int
    shared_cost_idr: int
    payouts_idr: int  # payouts + fees + shared cost = buyer total


def settle_selling(
    accepted: Sequence[dict[str, int]], prices: dict[str, int], fee_bp: int, shared_cost_idr: int
) -> SellingSettlement:
    """DOMAIN.md "Selling coalition": per member ``i`` with accepted quantities per grade,
    ``gross_i = Σ_g price_g · accepted_{i,g}``, ``fee_i = round(f · gross_i)``, ``cost_i`` = its share of
    ``K`` by accepted quantity (largest remainder, ties to the earlier member), ``payout_i = gross_i − fee_i −
    cost_i``. ``accepted`` in commitment order. A payout may not go below zero: shared costs larger than what
    the goods earn are refused (the manager must lower them).
    """
    _check_int(shared_cost_idr, "shared cost")
    for grade, price in prices.items():
        _check_int(price, f"price of grade {grade}")
    quantities: list[int] = []
    grosses: list[int] = []
    for lines in accepted:
        quantity = gross = 0
        for grade, qty in lines.items():
            _check_int(qty, "accepted quantity")
            if qty and grade not in prices:
                raise EngineError(f"No price for grade {grade!r}.")
            quantity += qty
            gross += qty * prices.get(grade, 0)
        quantities.append(quantity)
        grosses.append(gross)
    total_qty = sum(quantities)
    if shared_cost_idr and not total_qty:
        raise EngineError("Shared costs but nothing was accepted to share them by.")
    costs = split_cost(shared_cost_idr, quantities) if shared_cost_idr else [0] * len(quantities)
    members = []
    for quantity, gross, cost in zip(quantities, grosses, costs, strict=True):
        fee = fee_of(gross, fee_bp)
        payout = gross - fee - cost
        if payout < 0:
            raise EngineError("The shared costs exceed what a member's accepted goods earn.")
        members.append(SellerSettlement(quantity, gross, fee, cost, payout))
    return SellingSettlement(
        members=tuple(members),
        accepted_qty=total_qty,
        buyer_total_idr=sum(grosses),
        fees_idr=sum(m.fee_idr for m in members),
        shared_cost_idr=shared_cost_idr if total_qty else 0,
        payouts_idr=sum(m.payout_idr for m in members),
    )
