"""Coalition figures for the marketplace dashboards (``marketplace.dashboards.sources.CoalitionSource``).

Registered by ``coalitions.init_app`` in ``app.extensions["gotong.dashboard_sources"]``; marketplace reads it
without importing this package.

The rules, so that every dashboard and export agrees with the coalition pages:
- a member's savings in a buying coalition are ``fulfilment.member_savings``: the units it finally receives
  (allocated + re-allocated to it; 0 once its share was absorbed by the cooperative or re-allocated away)
  times (solo price − the unit price reached), where the solo price is the first tier's price;
- what a member still owes for a share is ``MemberShare.owed_idr``: what it pays in all (0 once settled
  away) minus what it paid, never below 0;
- a selling payout still owed is ``MemberPayout.owed_idr`` (payout − paid, never below 0);
- a cooperative's members' savings are ``fulfilment.cooperative_savings``: the sum of the savings written at
  the close of every successful buying coalition (successful = closed with success, at any later step).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal_column, select, union_all

from coalitions.models import (
    COALITION_STATUS_LABELS,
    SETTLED_AWAY,
    BuyingCoalition,
    CoalitionStatus,
    CoalitionTier,
    MemberShare,
    Pledge,
    PledgeStatus,
)
from coalitions.selling.models import (
    SELLING_STATUS_LABELS,
    Commitment,
    CommitmentStatus,
    MemberPayout,
    SellingCoalition,
    SellingEvent,
    SellingStatus,
)
from marketplace.clock import aware as _aware
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.dashboards.sources import CoalitionLine, CooperativeCoalitions, MemberCoalitions
from marketplace.extensions import db

S = CoalitionStatus
SS = SellingStatus

BUSINESS_LINES = 50
RECENT = 10
# A buying coalition that succeeded, at any fulfilment step (as ``fulfilment.cooperative_savings``).
BUYING_SUCCESS = (S.CLOSED_SUCCESS, S.ORDERED, S.RECEIVED, S.DISTRIBUTED)
# A selling coalition closed with an allocation, at any later step.
SELLING_CLOSED = (SS.COMMITTED, SS.CHECKED, SS.DELIVERED, SS.PAID, SS.SETTLED)


def _solo_prices() -> Any:
    """(coalition_id, unit_price_idr) of each buying coalition's first tier: its solo price."""
    first = (
        select(
            CoalitionTier.coalition_id.label("coalition_id"), func.min(CoalitionTier.min_qty).label("min_qty")
        )
        .group_by(CoalitionTier.coalition_id)
        .subquery()
    )
    return (
        select(CoalitionTier.coalition_id.label("coalition_id"), CoalitionTier.unit_price_idr.label("price"))
        .join(
            first,
            and_(
                first.c.coalition_id == CoalitionTier.coalition_id, first.c.min_qty == CoalitionTier.min_qty
            ),
        )
        .subquery()
    )


def _share_savings(solo_price: ColumnElement[int]) -> ColumnElement[int]:
    """``fulfilment.member_savings`` as a column expression over MemberShare."""
    final_qty = MemberShare.allocated_qty + MemberShare.extra_qty
    return case(
        (MemberShare.status.in_(SETTLED_AWAY), 0),
        (solo_price > MemberShare.unit_price_idr, final_qty * (solo_price - MemberShare.unit_price_idr)),
        else_=0,
    )


def _share_owed() -> ColumnElement[int]:
    """``MemberShare.owed_idr`` as a column expression."""
    left = MemberShare.total_idr + MemberShare.extra_idr - MemberShare.paid_idr
    return case((MemberShare.status.in_(SETTLED_AWAY), 0), (left > 0, left), else_=0)


def _payout_owed() -> ColumnElement[int]:
    left = MemberPayout.payout_idr - MemberPayout.paid_idr
    return case((left > 0, left), else_=0)


def _ids_filter(column: ColumnElement[int], ids: Select[Any] | Sequence[int]) -> ColumnElement[bool]:
    return column.in_(ids if isinstance(ids, Select) else list(ids))


def _line(
    kind: str,
    coalition_id: int,
    title: str,
    cooperative_name: str,
    status: Any,
    deadline: datetime,
    closed_at: datetime | None,
    **amounts: Any,
) -> CoalitionLine:
    """One coalition, buying or selling, as a dashboard line (its deadline while open, else its close)."""
    buying = kind == "buying"
    is_open = status is (S.OPEN if buying else SS.OPEN)
    return CoalitionLine(
        kind=kind,
        coalition_id=coalition_id,
        title=title,
        cooperative_name=cooperative_name,
        status_label=str((COALITION_STATUS_LABELS if buying else SELLING_STATUS_LABELS)[status]),
        url=url_for("coalitions.detail" if buying else "selling.detail", coalition_id=coalition_id),
        is_open=is_open,
        when=_aware(deadline if is_open or closed_at is None else closed_at),
        **amounts,
    )


class CoalitionFigures:
    # --- one member business (or several, e.g. every business of one owner) ---------------------------------

    def business_lines(self, business_ids: Sequence[int]) -> list[CoalitionLine]:
        """Every buying coalition these businesses pledged to (pledge not withdrawn) and selling coalition
        they committed to (an active commitment), newest first (by the coalition's creation), at most 50.
        Two queries whatever the number of coalitions."""
        ids = list(business_ids)
        if not ids:
            return []
        solo = _solo_prices()
        buying = db.session.execute(
            select(
                BuyingCoalition.id,
                BuyingCoalition.title,
                BuyingCoalition.status,
                BuyingCoalition.deadline,
                BuyingCoalition.closed_at,
                BuyingCoalition.created_at,
                Cooperative.name,
                Pledge.business_id,
                func.coalesce(_share_savings(solo.c.price), 0),
                func.coalesce(_share_owed(), 0),
            )
            .join(BuyingCoalition, BuyingCoalition.id == Pledge.coalition_id)
            .join(Cooperative, Cooperative.id == BuyingCoalition.cooperative_id)
            .outerjoin(MemberShare, MemberShare.pledge_id == Pledge.id)
            .outerjoin(solo, solo.c.coalition_id == BuyingCoalition.id)
            .where(Pledge.business_id.in_(ids), Pledge.status != PledgeStatus.WITHDRAWN)
            .order_by(BuyingCoalition.created_at.desc(), BuyingCoalition.id.desc(), Pledge.id.desc())
            .limit(BUSINESS_LINES)
        ).all()
        joined = (
            select(Commitment.coalition_id, Commitment.business_id)
            .where(Commitment.business_id.in_(ids), Commitment.status == CommitmentStatus.ACTIVE)
            .distinct()
            .subquery()
        )
        selling = db.session.execute(
            select(
                SellingCoalition.id,
                SellingCoalition.title,
                SellingCoalition.status,
                SellingCoalition.deadline,
                SellingCoalition.closed_at,
                SellingCoalition.created_at,
                Cooperative.name,
                joined.c.business_id,
                func.coalesce(_payout_owed(), 0),
                func.coalesce(MemberPayout.paid_idr, 0),
            )
            .select_from(joined)
            .join(SellingCoalition, SellingCoalition.id == joined.c.coalition_id)
            .join(Cooperative, Cooperative.id == SellingCoalition.cooperative_id)
            .outerjoin(
                MemberPayout,
                and_(
                    MemberPayout.coalition_id == joined.c.coalition_id,
                    MemberPayout.business_id == joined.c.business_id,
                ),
            )
            .order_by(SellingCoalition.created_at.desc(), SellingCoalition.id.desc())
            .limit(BUSINESS_LINES)
        ).all()
        lines: list[tuple[datetime, int, CoalitionLine]] = []
        for cid, title, status, deadline, closed_at, created, coop, business_id, savings, due in buying:
            line = _line(
                "buying",
                cid,
                title,
                coop,
                status,
                deadline,
                closed_at,
                business_id=business_id,
                savings_idr=int(savings),
                amount_due_idr=int(due),
            )
            lines.append((_aware(created), cid, line))
        for cid, title, status, deadline, closed_at, created, coop, business_id, owed, paid in selling:
            line = _line(
                "selling",
                cid,
                title,
                coop,
                status,
                deadline,
                closed_at,
                business_id=business_id,
                payout_owed_idr=int(owed),
                payout_paid_idr=int(paid),
            )
            lines.append((_aware(created), cid, line))
        lines.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [line for _created, _id, line in lines[:BUSINESS_LINES]]

    def business_coalitions(self, business_ids: Select[Any] | Sequence[int]) -> dict[int, MemberCoalitions]:
        """Per business: the latest pledge (not withdrawn) or active commitment, and how many coalitions it
        joined (a selling coalition counts once whatever the number of grades committed). One grouped query
        over both kinds."""
        pledges = select(
            Pledge.business_id.label("business_id"),
            literal_column("'b'").label("kind"),
            Pledge.coalition_id.label("coalition_id"),
            Pledge.created_at.label("at"),
        ).where(_ids_filter(Pledge.business_id, business_ids), Pledge.status == PledgeStatus.ACTIVE)
        commitments = select(
            Commitment.business_id.label("business_id"),
            literal_column("'s'").label("kind"),
            Commitment.coalition_id.label("coalition_id"),
            Commitment.created_at.label("at"),
        ).where(
            _ids_filter(Commitment.business_id, business_ids), Commitment.status == CommitmentStatus.ACTIVE
        )
        both = union_all(pledges, commitments).subquery()
        rows = db.session.execute(
            select(
                both.c.business_id,
                func.max(both.c.at),
                func.count(distinct(both.c.coalition_id)).filter(both.c.kind == "b"),
                func.count(distinct(both.c.coalition_id)).filter(both.c.kind == "s"),
            ).group_by(both.c.business_id)
        )
        return {
            business_id: MemberCoalitions(last_at=_aware(last), joined=int(buying) + int(selling))
            for business_id, last, buying, selling in rows
        }

    # --- one cooperative ------------------------------------------------------------------------------------

    def cooperative_summary(self, cooperative_id: int) -> CooperativeCoalitions:
        """Open and successful counts, members' savings, shares still due, payouts owed and paid, and the 10
        most recent coalitions (drafts included: the managers' own list), in eight queries whatever their
        number."""
        open_buying, closed_buying = db.session.execute(
            select(
                func.count(BuyingCoalition.id).filter(BuyingCoalition.status == S.OPEN),
                func.count(BuyingCoalition.id).filter(BuyingCoalition.status.in_(BUYING_SUCCESS)),
            ).where(BuyingCoalition.cooperative_id == cooperative_id)
        ).one()
        # Members' savings by the per-share rule (as on the members' own and the regional dashboards), so a
        # share the cooperative took over after the close is not counted as a member's saving.
        solo = _solo_prices()
        savings = db.session.scalar(
            select(func.coalesce(func.sum(_share_savings(solo.c.price)), 0))
            .join(BuyingCoalition, BuyingCoalition.id == MemberShare.coalition_id)
            .join(solo, solo.c.coalition_id == MemberShare.coalition_id)
            .where(
                BuyingCoalition.cooperative_id == cooperative_id,
                BuyingCoalition.status.in_(BUYING_SUCCESS),
            )
        )
        shares_due = db.session.scalar(
            select(func.coalesce(func.sum(_share_owed()), 0))
            .join(BuyingCoalition, BuyingCoalition.id == MemberShare.coalition_id)
            .where(
                BuyingCoalition.cooperative_id == cooperative_id,
                BuyingCoalition.status.in_(BUYING_SUCCESS),
            )
        )
        open_selling, closed_selling = db.session.execute(
            select(
                func.count(SellingCoalition.id).filter(SellingCoalition.status == SS.OPEN),
                func.count(SellingCoalition.id).filter(SellingCoalition.status.in_(SELLING_CLOSED)),
            ).where(SellingCoalition.cooperative_id == cooperative_id)
        ).one()
        owed, paid = db.session.execute(
            select(
                func.coalesce(func.sum(_payout_owed()), 0), func.coalesce(func.sum(MemberPayout.paid_idr), 0)
            )
            .join(SellingCoalition, SellingCoalition.id == MemberPayout.coalition_id)
            .where(SellingCoalition.cooperative_id == cooperative_id)
        ).one()
        return CooperativeCoalitions(
            open_buying=int(open_buying),
            open_selling=int(open_selling),
            closed_buying=int(closed_buying),
            closed_selling=int(closed_selling),
            savings_idr=int(savings),
            payouts_owed_idr=int(owed),
            payouts_paid_idr=int(paid),
            shares_due_idr=int(shares_due or 0),
            recent=self._recent(cooperative_id),
        )

    def _recent(self, cooperative_id: int) -> list[CoalitionLine]:
        name = db.session.scalar(select(Cooperative.name).where(Cooperative.id == cooperative_id)) or ""
        due = (
            select(func.coalesce(func.sum(_share_owed()), 0))
            .where(MemberShare.coalition_id == BuyingCoalition.id)
            .correlate(BuyingCoalition)
            .scalar_subquery()
        )
        buying = db.session.execute(
            select(
                BuyingCoalition.id,
                BuyingCoalition.title,
                BuyingCoalition.status,
                BuyingCoalition.deadline,
                BuyingCoalition.closed_at,
                BuyingCoalition.created_at,
                BuyingCoalition.savings_idr,
                due,
            )
            .where(BuyingCoalition.cooperative_id == cooperative_id)
            .order_by(BuyingCoalition.created_at.desc(), BuyingCoalition.id.desc())
            .limit(RECENT)
        ).all()
        owed = (
            select(func.coalesce(func.sum(_payout_owed()), 0))
            .where(MemberPayout.coalition_id == SellingCoalition.id)
            .correlate(SellingCoalition)
            .scalar_subquery()
        )
        paid = (
            select(func.coalesce(func.sum(MemberPayout.paid_idr), 0))
            .where(MemberPayout.coalition_id == SellingCoalition.id)
            .correlate(SellingCoalition)
            .scalar_subquery()
        )
        selling = db.session.execute(
            select(
                SellingCoalition.id,
                SellingCoalition.title,
                SellingCoalition.status,
                SellingCoalition.deadline,
                SellingCoalition.closed_at,
                SellingCoalition.created_at,
                owed,
                paid,
            )
            .where(SellingCoalition.cooperative_id == cooperative_id)
            .order_by(SellingCoalition.created_at.desc(), SellingCoalition.id.desc())
            .limit(RECENT)
        ).all()
        lines: list[tuple[datetime, str, int, CoalitionLine]] = []
        for cid, title, status, deadline, closed_at, created, savings, amount_due in buying:
            succeeded = status in BUYING_SUCCESS
            line = _line(
                "buying",
                cid,
                title,
                name,
                status,
                deadline,
                closed_at,
                savings_idr=int(savings or 0) if succeeded else 0,
                amount_due_idr=int(amount_due or 0) if succeeded else 0,
            )
            lines.append((_aware(created), "b", cid, line))
        for cid, title, status, deadline, closed_at, created, owed_idr, paid_idr in selling:
            line = _line(
                "selling",
                cid,
                title,
                name,
                status,
                deadline,
                closed_at,
                payout_owed_idr=int(owed_idr or 0),
                payout_paid_idr=int(paid_idr or 0),
            )
            lines.append((_aware(created), "s", cid, line))
        lines.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
        return [line for *_key, line in lines[:RECENT]]

    def savings_by_sector(self, cooperative_ids: Select[Any], since: datetime | None) -> dict[str, int]:
        """Members' savings (rupiah) in the successful buying coalitions of these cooperatives closed at or
        after ``since`` (None: ever), by the member business's sector value, in one grouped query over
        MemberShare.

        The rule is ``fulfilment.member_savings`` per share: final units (allocated + received through a
        re-allocation) × (solo price − unit price reached), where the solo price is the first tier's price;
        a share absorbed by the cooperative or re-allocated to other members counts 0 (its units are no
        longer the member's). So the sum can be below the coalitions' ``savings_idr`` written at the close
        (which still includes units the cooperative later took over)."""
        solo = _solo_prices()
        savings = func.sum(_share_savings(solo.c.price))
        stmt = (
            select(Business.sector, savings)
            .join(BuyingCoalition, BuyingCoalition.id == MemberShare.coalition_id)
            .join(solo, solo.c.coalition_id == MemberShare.coalition_id)
            .join(Business, Business.id == MemberShare.business_id)
            .where(
                BuyingCoalition.cooperative_id.in_(cooperative_ids),
                BuyingCoalition.status.in_(BUYING_SUCCESS),
            )
            .group_by(Business.sector)
        )
        if since is not None:
            stmt = stmt.where(BuyingCoalition.closed_at >= since)
        result: dict[str, int] = {}
        for sector, total in db.session.execute(stmt):
            if total:
                key = sector.value if hasattr(sector, "value") else str(sector)
                result[key] = int(total)
        return result

    # --- activity -------------------------------------------------------------------------------------------

    def last_coalition_columns(
        self, cooperative_id: ColumnElement[int], as_of: datetime
    ) -> list[ColumnElement[Any]]:
        # A coalition counts from when it was published: a buying one by its publication time (a draft
        # cancelled unpublished has none), a selling one by its history's move from draft to open.
        buying = (
            select(func.max(BuyingCoalition.published_at))
            .where(
                BuyingCoalition.cooperative_id == cooperative_id,
                BuyingCoalition.published_at.is_not(None),
                BuyingCoalition.published_at <= as_of,
            )
            .scalar_subquery()
        )
        selling = (
            select(func.max(SellingEvent.created_at))
            .join(SellingCoalition, SellingCoalition.id == SellingEvent.coalition_id)
            .where(
                SellingCoalition.cooperative_id == cooperative_id,
                SellingEvent.to_status == SellingStatus.OPEN,
                SellingEvent.created_at <= as_of,
            )
            .scalar_subquery()
        )
        return [buying, selling]
