"""The MSME (UMKM) owner's dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace.cooperatives.models import Business
from marketplace.dashboards import business as dashboard
from marketplace.dashboards import charts, exports
from marketplace.extensions import db
from marketplace.web import authorize

bp = Blueprint("business_dashboard", __name__)


def _business(slug: str) -> Business:
    business = db.one_or_404(select(Business).where(Business.slug == slug))
    authorize(dashboard.can_view_business_dashboard(current_user, business))
    return business


def _days() -> int:
    return dashboard.period_days(request.args.get("hari", type=int))


@bp.get("/usaha/<slug>/dasbor")
@login_required
def index(slug: str) -> str:
    business = _business(slug)
    data = dashboard.business_dashboard(business, _days())
    return render_template(
        "dashboards/business.html",
        business=business,
        data=data,
        sales=data.sales,
        chart=charts.columns(data.sales.chart_points()),
        periods=dashboard.PERIODS,
    )


@bp.get("/usaha/<slug>/dasbor/penjualan.csv")
@login_required
def sales_csv(slug: str) -> Response:
    business = _business(slug)
    days = _days()
    overview = dashboard.business_sales(business, days)
    return exports.csv_response(
        f"penjualan-{business.slug}-{days}-hari.csv",
        [str(h) for h in dashboard.SALES_CSV_HEADER],
        dashboard.sales_csv_rows(overview),
    )
