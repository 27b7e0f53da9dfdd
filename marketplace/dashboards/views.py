"""Supervision for regional officers: the cooperatives of their province or regency."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from marketplace import regions
from marketplace.accounts import policy
from marketplace.cooperatives import services as cooperative_services
from marketplace.web import authorize

bp = Blueprint("dashboards", __name__, url_prefix="/wilayah")


@bp.get("/")
@login_required
def my_regions():
    authorize(policy.is_officer(current_user) or policy.is_admin(current_user))
    scopes = policy.officer_scopes(current_user)
    return render_template("dashboards/my_regions.html", scopes=scopes)


@bp.get("/<code>")
@login_required
def region(code: str):
    if not (regions.is_province(code) or regions.is_regency(code)):
        abort(404)
    authorize(policy.can_supervise_region(current_user, code))
    cooperatives = cooperative_services.cooperatives_in_region(code)
    counts = cooperative_services.member_counts([c.id for c in cooperatives])
    sub_regions = regions.regencies(code) if "." not in code else ()
    return render_template(
        "dashboards/region.html", code=code, cooperatives=cooperatives, counts=counts, sub_regions=sub_regions
    )
