"""The cooperative managers' dashboard and member roster export."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace import regions
from marketplace.cooperatives.models import Cooperative
from marketplace.dashboards import business as business_dashboard
from marketplace.dashboards import charts, exports, regional
from marketplace.dashboards import cooperative as dashboard
from marketplace.dashboards.activity import ACTIVITY_LABELS, ActivityKind
from marketplace.extensions import db
from marketplace.sectors import SECTOR_LABELS
from marketplace.web import authorize

bp = Blueprint("cooperative_dashboard", __name__)


def _cooperative(slug: str) -> Cooperative:
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(dashboard.can_view_cooperative_dashboard(current_user, cooperative))
    return cooperative


def _sector(value: str) -> str:
    try:
        return str(SECTOR_LABELS[value])  # type: ignore[index]
    except KeyError:
        return value


MEMBERS_PER_PAGE = 50


@bp.get("/koperasi/<slug>/dasbor")
@login_required
def index(slug: str) -> str:
    cooperative = _cooperative(slug)
    days = business_dashboard.period_days(request.args.get("hari", type=int))
    data = dashboard.cooperative_dashboard(cooperative, days)
    # Hundreds of members: the page shows them 50 at a time; the roster CSV holds them all.
    members_page = regional.paginate(
        data.members.rows, request.args.get("anggota", type=int), MEMBERS_PER_PAGE
    )
    return render_template(
        "dashboards/cooperative.html",
        cooperative=cooperative,
        data=data,
        sales=data.sales,
        chart=charts.columns(data.sales.chart_points()),
        periods=business_dashboard.PERIODS,
        activity_kinds=list(ActivityKind),
        activity_labels=ACTIVITY_LABELS,
        has_rat="rat.index" in current_app.view_functions,
        members_page=members_page,
    )


@bp.get("/koperasi/<slug>/anggota.csv")
@login_required
def roster_csv(slug: str) -> Response:
    cooperative = _cooperative(slug)
    rows = dashboard.member_rows(cooperative)
    return exports.csv_response(
        f"anggota-{cooperative.slug}.csv",
        [str(h) for h in dashboard.ROSTER_HEADER],
        dashboard.roster_rows(rows, _sector, regions.label),
    )
