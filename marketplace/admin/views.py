"""Platform administration: users, cooperatives, businesses, suspension, regional officers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import regions
from marketplace.accounts import policy
from marketplace.accounts import services as account_services
from marketplace.accounts.models import OfficerAppointment, User
from marketplace.admin.forms import AppointOfficerForm, SuspendForm
from marketplace.catalog.models import Product
from marketplace.cooperatives import services as cooperative_services
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.web import actor, authorize

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only() -> None:
    authorize(policy.is_admin(current_user))


def _search(query, *columns):  # type: ignore[no-untyped-def]
    q = (request.args.get("q") or "").strip().lower()
    if q:
        query = query.where(or_(*(func.lower(c).contains(q, autoescape=True) for c in columns)))
    return query, q


@bp.get("/")
def index():
    def count(model):  # type: ignore[no-untyped-def]
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    stats = {
        "users": count(User),
        "cooperatives": count(Cooperative),
        "businesses": count(Business),
        "products": count(Product),
        "officers": count(OfficerAppointment),
    }
    return render_template("admin/index.html", stats=stats)


@bp.get("/pengguna")
def users():
    # The roles column reads three relationships per user: load them in three queries, not three per row.
    query = select(User).options(
        selectinload(User.officer_appointments),
        selectinload(User.manager_roles),
        selectinload(User.businesses),
    )
    query, q = _search(query.order_by(User.created_at.desc()), User.name, User.email)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, q=q, form=SuspendForm())


@bp.get("/koperasi")
def cooperatives():
    query, q = _search(select(Cooperative).order_by(Cooperative.name), Cooperative.name)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/cooperatives.html", page=page, q=q, form=SuspendForm())


@bp.get("/usaha")
def businesses():
    query = select(Business).options(joinedload(Business.owner)).order_by(Business.name)
    query, q = _search(query, Business.name, Business.nib)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/businesses.html", page=page, q=q, form=SuspendForm())


def _suspension(target_kind: str, target_id: int, suspend: bool):  # type: ignore[no-untyped-def]
    form = SuspendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if target_kind == "user":
            user = db.get_or_404(User, target_id)
            if suspend:
                account_services.suspend_user(actor(), user, form.reason.data or "")
            else:
                account_services.unsuspend_user(actor(), user)
            name, endpoint = user.name, "admin.users"
        else:
            model = Cooperative if target_kind == "cooperative" else Business
            target = db.get_or_404(model, target_id)
            cooperative_services.set_suspended(actor(), target, suspend)
            name = target.name
            endpoint = "admin.cooperatives" if target_kind == "cooperative" else "admin.businesses"
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(request.referrer or url_for("admin.index"))
    db.session.commit()
    flash(
        _("%(name)s ditangguhkan.", name=name) if suspend else _("%(name)s diaktifkan kembali.", name=name),
        "success",
    )
    return redirect(url_for(endpoint, q=request.args.get("q") or None))


@bp.post("/<any(user,cooperative,business):kind>/<int:target_id>/tangguhkan")
def suspend(kind: str, target_id: int):
    return _suspension(kind, target_id, True)


@bp.post("/<any(user,cooperative,business):kind>/<int:target_id>/aktifkan")
def unsuspend(kind: str, target_id: int):
    return _suspension(kind, target_id, False)


def _region_choices() -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", _("— Pilih wilayah —"))]
    for code, name in regions.provinces():
        choices.append((code, _("Provinsi %(name)s (seluruh kabupaten/kota)", name=name)))
        choices.extend((r_code, f"— {r_name}") for r_code, r_name in regions.regencies(code))
    return choices


@bp.route("/petugas", methods=["GET", "POST"])
def officers():
    form = AppointOfficerForm()
    form.region_code.choices = _region_choices()
    status = 200
    if form.validate_on_submit():
        try:
            appointment = account_services.appoint_officer(
                current_user, email=form.email.data, region_code=form.region_code.data
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error) or flash(error.message, "error")
            status = 422
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s ditugaskan sebagai petugas %(region)s.",
                    name=appointment.user.name,
                    region=regions.label(appointment.region_code),
                ),
                "success",
            )
            return redirect(url_for("admin.officers"))
    elif request.method == "POST":
        status = 422
    appointments = db.session.scalars(
        select(OfficerAppointment)
        .join(OfficerAppointment.user)
        .order_by(OfficerAppointment.region_code, User.name)
    ).all()
    return render_template(
        "admin/officers.html", form=form, appointments=appointments, plain=SuspendForm()
    ), status


@bp.post("/petugas/<int:appointment_id>/cabut")
def revoke_officer(appointment_id: int):
    appointment = db.get_or_404(OfficerAppointment, appointment_id)
    if not SuspendForm().validate_on_submit():
        abort(400)
    account_services.revoke_officer(actor(), appointment)
    db.session.commit()
    flash(_("Penugasan petugas dicabut."), "success")
    return redirect(url_for("admin.officers"))
