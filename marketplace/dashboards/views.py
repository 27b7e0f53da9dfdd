"""The regional office dashboard: the cooperatives of an officer's province or regency (admins: all)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from marketplace.accounts import policy
from marketplace.dashboards import charts, exports, regional
from marketplace.web import authorize

bp = Blueprint("dashboards", __name__, url_prefix="/wilayah")

# Pages of the other supervision screens this one links to (guarded until they all exist).
LINKED_ENDPOINTS = ("supervision.cooperative", "reports.inbox", "targets.index")


def _linked_endpoints() -> dict[str, bool]:
    return {name: name in current_app.view_functions for name in LINKED_ENDPOINTS}


def _supervised_region(code: str) -> None:
    if not regional.is_region_code(code):
        abort(404)
    authorize(policy.can_supervise_region(current_user, code))


def _open_reports(code: str) -> int | None:
    try:  # guard: reports land in this issue
        from marketplace.dashboards import reports
    except ImportError:
        return None
    count = getattr(reports, "open_count_in_region", None)
    return count(code) if count is not None else None


def _targets(dashboard: regional.RegionDashboard) -> list[Any] | None:
    """The region's activation targets with their progress, from the activity this page already read."""
    try:  # guard: targets land in this issue
        from marketplace.dashboards import targets
    except ImportError:
        return None
    found = targets.targets_of(dashboard.code)
    current = targets.RegionActivity(total=dashboard.total, active=dashboard.active)
    day = targets.today(dashboard.as_of)
    return [targets.progress(target, current, day=day) for target in found]


@bp.get("/")
@login_required
def my_regions():
    admin = policy.is_admin(current_user)
    authorize(policy.is_officer(current_user) or admin)
    scopes = policy.officer_scopes(current_user)
    summaries = regional.region_summaries(scopes)
    national = regional.region_summaries(None) if admin else []
    return render_template("dashboards/my_regions.html", summaries=summaries, national=national, admin=admin)


@bp.get("/<code>")
@login_required
def region(code: str):
    _supervised_region(code)
    dashboard = regional.region_dashboard(code)
    inactive_page = regional.paginate(dashboard.inactive_cooperatives, request.args.get("page", 1, type=int))
    all_page = regional.paginate(dashboard.cooperatives, request.args.get("semua", 1, type=int))
    return render_template(
        "dashboards/region.html",
        code=code,
        dashboard=dashboard,
        inactive_page=inactive_page,
        all_page=all_page,
        regency_chart=charts.rows([(r.name, r.active, r.inactive) for r in dashboard.regencies]),
        sector_chart=charts.rows([(r.label, r.online_idr, r.offline_idr) for r in dashboard.sectors]),
        savings_chart=charts.rows([(r.label, r.savings_idr, 0) for r in dashboard.sectors]),
        open_reports=_open_reports(code),
        targets=_targets(dashboard),
        linked=_linked_endpoints(),
        wib_day=regional.wib_day,
    )


@bp.get("/<code>/ekspor/<any('kabupaten','tidak-aktif','sektor','koperasi'):table>.csv")
@login_required
def region_csv(code: str, table: str) -> Response:
    _supervised_region(code)
    filename, header, rows = regional.csv_table(regional.region_dashboard(code), table)
    return exports.csv_response(filename, header, rows)
