"""The coalition payment state machines: every legal move is allowed, every other one refused — above all, a
released (cancelled) hold can never become captured, whatever the provider would allow."""

from __future__ import annotations

import pytest

from coalitions.models import CoalitionPayment, CoalitionPaymentStatus, PaymentKind
from coalitions.payments import (
    HOLD_TRANSITIONS,
    SHARE_PAYMENT_TRANSITIONS,
    IllegalPaymentTransition,
    transition,
)

P = CoalitionPaymentStatus
TABLES = {PaymentKind.HOLD: HOLD_TRANSITIONS, PaymentKind.CARD: SHARE_PAYMENT_TRANSITIONS}
MOVES = [(kind, a, b) for kind in TABLES for a in P for b in P if a is not b]


@pytest.mark.parametrize(("kind", "start", "to"), MOVES)
def test_moves(app, kind, start, to):  # type: ignore[no-untyped-def]
    payment = CoalitionPayment(kind=kind, status=start, amount_idr=1000)
    with app.test_request_context():
        if to in TABLES[kind].get(start, frozenset()):
            transition(payment, to)
            assert payment.status is to
        else:
            with pytest.raises(IllegalPaymentTransition):
                transition(payment, to)
            assert payment.status is start


def test_a_released_hold_is_final() -> None:
    assert HOLD_TRANSITIONS[P.CANCELLED] == frozenset()
    assert P.SUCCEEDED not in HOLD_TRANSITIONS[P.PENDING]  # captured only after it was authorized
    assert HOLD_TRANSITIONS[P.SUCCEEDED] == frozenset()
