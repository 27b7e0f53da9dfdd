"""Signals the coalition services send, for payments and notifications to plug into.

Receivers run synchronously inside the caller's transaction (the services flush, the caller commits), so a
receiver must be safe to run twice and must not call an outside service (Stripe, mail) before the commit:
record what has to happen in rows of the same transaction and act on them after it (or in a job).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: After a coalition closed (at its deadline or early): ``coalition_id``, ``success`` (bool).
#: On success card holds are captured for each ``MemberShare.total_idr`` (the rest released) and
#: pay-on-success members get an invoice due in ``payment_due_days``; on failure holds are cancelled.
coalition_closed = _signals.signal("coalition-closed")

#: After a coalition was cancelled by its manager: ``coalition_id``. Card holds are cancelled.
coalition_cancelled = _signals.signal("coalition-cancelled")

#: After a pledge was made, changed or withdrawn: ``pledge_id``, ``action`` ("pledged", "changed",
#: "withdrawn"). In card-hold mode a new or changed pledge (re)authorizes a hold for its worst case
#: (``services.member_costs``); a withdrawn pledge's hold is cancelled.
pledge_changed = _signals.signal("pledge-changed")
