from decimal import Decimal

import pytest

from marketplace.money import allocate, format_idr, percent_of, to_stripe_amount


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (1250000, "Rp1.250.000"),
        (0, "Rp0"),
        (999, "Rp999"),
        (1000, "Rp1.000"),
        (84600000, "Rp84.600.000"),
        (-5000, "-Rp5.000"),
    ],
)
def test_format_idr(amount, shown):
    assert format_idr(amount) == shown


def test_delivery_split_of_the_buying_coalition_example():
    # DOMAIN.md: delivery Rp1.500.000 split by quantity over pledges 40, 35, 20, 12.
    assert allocate(1_500_000, [40, 35, 20, 12]) == [560_748, 490_654, 280_374, 168_224]


def test_transport_split_of_the_selling_coalition_example():
    # DOMAIN.md: transport Rp1.000.000 split by accepted kg 140, 140, 120, 90.
    assert allocate(1_000_000, [140, 140, 120, 90]) == [285_714, 285_714, 244_898, 183_674]


def test_ties_go_to_the_earliest_party():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


@pytest.mark.parametrize("total", [0, 1, 7, 1_000_003, 84_600_000])
@pytest.mark.parametrize("weights", [[1], [3, 3, 3], [5, 0, 2], [140, 140, 120, 90], [1, 10**9]])
def test_parts_always_sum_to_the_whole(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


def test_allocate_refuses_nonsense():
    with pytest.raises(ValueError):
        allocate(10, [0, 0])
    with pytest.raises(ValueError):
        allocate(-1, [1])
    with pytest.raises(ValueError):
        allocate(10, [])


def test_percent_fee_rounds_half_up():
    # Fee 5% of the selling example's grosses.
    assert percent_of(25_200_000, 5) == 1_260_000
    assert percent_of(16_200_000, Decimal("5")) == 810_000
    assert percent_of(10, Decimal("5")) == 1  # 0.5 rounds up
    assert percent_of(29, 5) == 1  # 1.45 rounds down


def test_stripe_minor_units():
    assert to_stripe_amount(150_000) == 15_000_000
