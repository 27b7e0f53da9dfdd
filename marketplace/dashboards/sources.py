"""What the coalitions package tells the dashboards.

Marketplace never imports coalitions (ARCHITECTURE.md); ``coalitions.init_app`` registers an object that
satisfies ``CoalitionSource`` in ``app.extensions["gotong.dashboard_sources"]`` and the dashboards read it
through ``coalition_source()``. Without it (an app built without coalitions) the dashboards show no coalition
figures rather than failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import ColumnElement, Select

EXTENSION_KEY = "gotong.dashboard_sources"


@dataclass(frozen=True)
class CoalitionLine:
    """One coalition as one member business (or a cooperative's manager) sees it on a dashboard."""

    kind: str  # "buying" | "selling"
    coalition_id: int
    title: str
    cooperative_name: str
    status_label: str
    url: str
    is_open: bool  # still taking pledges / commitments
    when: datetime  # the deadline while open, else when it closed
    business_id: int | None = None  # the member it is about (None on a cooperative's list)
    savings_idr: int = 0  # buying: saved against the solo price
    amount_due_idr: int = 0  # buying: what the member still owes for its share
    payout_owed_idr: int = 0  # selling: still to be paid out to the member
    payout_paid_idr: int = 0  # selling: paid out to the member so far


@dataclass(frozen=True)
class MemberCoalitions:
    """How a member business took part in coalitions: the latest pledge or commitment and how many
    coalitions it joined (withdrawn pledges and commitments do not count)."""

    last_at: datetime | None = None
    joined: int = 0


@dataclass(frozen=True)
class CooperativeCoalitions:
    open_buying: int = 0
    open_selling: int = 0
    closed_buying: int = 0  # successful, at any fulfilment step
    closed_selling: int = 0  # closed with an allocation, at any later step
    savings_idr: int = 0  # members' savings over every successful buying coalition
    payouts_owed_idr: int = 0  # selling: settled amounts still to be paid out to members
    payouts_paid_idr: int = 0
    shares_due_idr: int = 0  # buying: what members still owe for their shares
    recent: list[CoalitionLine] = field(default_factory=list)  # newest first, at most 10


class CoalitionSource(Protocol):
    def business_lines(self, business_ids: Sequence[int]) -> list[CoalitionLine]:
        """Every coalition these businesses pledged or committed to (newest first, at most 50)."""

    def cooperative_summary(self, cooperative_id: int) -> CooperativeCoalitions:
        """A cooperative's coalitions in a few aggregate queries."""

    def savings_by_sector(self, cooperative_ids: Select[Any], since: datetime | None) -> dict[str, int]:
        """Members' savings (rupiah) in successful buying coalitions of these cooperatives closed since
        ``since`` (None: ever), by the member business's sector value."""

    def business_coalitions(self, business_ids: Select[Any] | Sequence[int]) -> dict[int, MemberCoalitions]:
        """For each of these businesses that joined a coalition: when it last pledged or committed and how
        many coalitions it joined, in one grouped query per coalition kind."""

    def last_coalition_columns(
        self, cooperative_id: ColumnElement[int], as_of: datetime
    ) -> list[ColumnElement[Any]]:
        """Correlated scalar subqueries, one per coalition kind: the latest moment up to ``as_of`` (UTC) a
        coalition of the cooperative whose id is ``cooperative_id`` was published (drafts do not count)."""


class _NoCoalitions:
    def business_lines(self, business_ids: Sequence[int]) -> list[CoalitionLine]:
        return []

    def cooperative_summary(self, cooperative_id: int) -> CooperativeCoalitions:
        return CooperativeCoalitions()

    def savings_by_sector(self, cooperative_ids: Select[Any], since: datetime | None) -> dict[str, int]:
        return {}

    def business_coalitions(self, business_ids: Select[Any] | Sequence[int]) -> dict[int, MemberCoalitions]:
        return {}

    def last_coalition_columns(
        self, cooperative_id: ColumnElement[int], as_of: datetime
    ) -> list[ColumnElement[Any]]:
        return []


def coalition_source() -> CoalitionSource:
    source = current_app.extensions.get(EXTENSION_KEY)
    return source if source is not None else _NoCoalitions()
