"""Coalition figures for the marketplace dashboards (``marketplace.dashboards.sources.CoalitionSource``).

Registered by ``coalitions.init_app`` in ``app.extensions["gotong.dashboard_sources"]``; marketplace reads it
without importing this package.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from coalitions.models import BuyingCoalition, CoalitionStatus
from coalitions.selling.models import SellingCoalition, SellingStatus


class CoalitionFigures:
    def last_coalition_columns(self, cooperative_id: ColumnElement[int]) -> list[ColumnElement[Any]]:
        # A buying coalition counts from when it was published; a selling one (which has no publication
        # time) from when it was created, once it left the draft state.
        buying = (
            select(func.max(func.coalesce(BuyingCoalition.published_at, BuyingCoalition.created_at)))
            .where(
                BuyingCoalition.cooperative_id == cooperative_id,
                BuyingCoalition.status != CoalitionStatus.DRAFT,
            )
            .scalar_subquery()
        )
        selling = (
            select(func.max(SellingCoalition.created_at))
            .where(
                SellingCoalition.cooperative_id == cooperative_id,
                SellingCoalition.status != SellingStatus.DRAFT,
            )
            .scalar_subquery()
        )
        return [buying, selling]
