"""Fixtures shared by the coalition tests."""

from __future__ import annotations

import pytest

from tests.coalitions.selling_data import coffee_world


@pytest.fixture
def coffee():  # type: ignore[no-untyped-def]
    """A coffee cooperative in Bekasi with members W, X, Y, Z, and a hotel buyer."""
    return coffee_world()
