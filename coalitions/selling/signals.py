"""Signals the selling services send (after flushing, inside the caller's transaction), for notifications.

Receivers must only write rows (in-app notifications, outbox e-mails) and be safe to run twice.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A buyer posted a bulk request: ``request_id``.
request_posted = _signals.signal("selling-request-posted")
#: The buyer cancelled a bulk request: ``request_id`` (pending offers were declined).
request_cancelled = _signals.signal("selling-request-cancelled")
#: A cooperative sent a counter-offer: ``offer_id``.
offer_made = _signals.signal("selling-offer-made")
#: The buyer accepted or declined a counter-offer: ``offer_id``, ``accepted``.
offer_decided = _signals.signal("selling-offer-decided")
#: A selling coalition was published (members may commit): ``coalition_id``.
coalition_opened = _signals.signal("selling-coalition-opened")
#: A selling coalition closed for commitments: ``coalition_id`` (status committed, awaiting_buyer or failed).
coalition_closed = _signals.signal("selling-coalition-closed")
#: The buyer decided on partial fulfilment: ``coalition_id``, ``accepted``.
partial_decided = _signals.signal("selling-partial-decided")
#: A selling coalition was cancelled: ``coalition_id``.
coalition_cancelled = _signals.signal("selling-coalition-cancelled")
#: Quality control recorded a delivery: ``check_id``.
check_recorded = _signals.signal("selling-check-recorded")
#: The manager finished quality control; the buyer may confirm receipt: ``coalition_id``.
checks_finished = _signals.signal("selling-checks-finished")
#: The buyer confirmed receipt; the settlement is stored: ``coalition_id``.
receipt_confirmed = _signals.signal("selling-receipt-confirmed")
#: The buyer paid in full: ``coalition_id``.
buyer_paid = _signals.signal("selling-buyer-paid")
#: The cooperative recorded a payout to a member: ``record_id``.
payout_recorded = _signals.signal("selling-payout-recorded")
