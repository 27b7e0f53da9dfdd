from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import policy
from marketplace.catalog import search as catalog_search
from marketplace.cooperatives import services
from marketplace.cooperatives.forms import (
    AddManagerForm,
    ApplyForm,
    BusinessForm,
    CooperativeForm,
    DecisionForm,
    PlainForm,
)
from marketplace.cooperatives.models import (
    COOPERATIVE_TYPE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    Business,
    Cooperative,
    CooperativeManager,
    Membership,
    MembershipStatus,
)
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import stats
from marketplace.marketing.stats_models import CountKind
from marketplace.regions import provinces
from marketplace.web import actor, authorize

bp = Blueprint("cooperatives", __name__)


def _cooperative_or_404(slug: str) -> Cooperative:
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    if not policy.can_view_cooperative(current_user, cooperative):
        abort(404)
    return cooperative


def _business_or_404(slug: str) -> Business:
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    if not policy.can_view_business(current_user, business):
        abort(404)
    return business


def _upload(field) -> object | None:  # type: ignore[no-untyped-def]
    data = field.data
    return data.stream if data and getattr(data, "filename", "") else None


def _fail(form, error: DomainError) -> None:  # type: ignore[no-untyped-def]
    db.session.rollback()
    if not apply_domain_error(form, error):
        flash(error.message, "error")


# --- my space ---------------------------------------------------------------------------------------------


@bp.get("/saya")
@login_required
def my_space():
    managed = services.managed_cooperatives(actor())
    pending = {c.id: len(services.memberships_with_status(c, MembershipStatus.PENDING)) for c in managed}
    from marketplace.orders.services import pending_seller_counts

    return render_template(
        "cooperatives/my_space.html",
        businesses=current_user.businesses,
        order_counts=pending_seller_counts(current_user.businesses),
        managed=managed,
        pending=pending,
        status_labels=MEMBERSHIP_STATUS_LABELS,
        withdraw_form=PlainForm(),
    )


# --- businesses ------------------------------------------------------------------------------------------


def _business_data(form: BusinessForm) -> services.BusinessData:
    return services.BusinessData(
        name=form.name.data,
        nib=form.nib.data,
        owner_name=form.owner_name.data,
        whatsapp=form.whatsapp.data,
        province_code=form.province_code.data,
        regency_code=form.regency_code.data,
        address=form.address.data,
        sector=form.sector.data,
        description=form.description.data or "",
        bank_name=form.bank_name.data or "",
        bank_account_number=form.bank_account_number.data or "",
        bank_account_holder=form.bank_account_holder.data or "",
    )


@bp.route("/usaha/baru", methods=["GET", "POST"])
@login_required
def new_business():
    form = BusinessForm()
    if request.method == "GET":
        form.owner_name.data = current_user.name
        form.whatsapp.data = current_user.phone
    form.setup_regions()
    if form.validate_on_submit():
        try:
            business = services.create_business(actor(), _business_data(form), _upload(form.logo))
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Usaha %(name)s sudah dibuat. Langkah berikutnya: daftarkan ke koperasi.",
                    name=business.name,
                ),
                "success",
            )
            return redirect(url_for("cooperatives.business", slug=business.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("cooperatives/business_form.html", form=form, business=None), status


@bp.route("/usaha/<slug>/ubah", methods=["GET", "POST"])
@login_required
def edit_business(slug: str):
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    authorize(policy.can_edit_business(current_user, business))
    form = BusinessForm(obj=business)
    form.setup_regions()
    if form.validate_on_submit():
        try:
            services.update_business(actor(), business, _business_data(form), _upload(form.logo))
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Perubahan usaha disimpan."), "success")
            return redirect(url_for("cooperatives.business", slug=business.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("cooperatives/business_form.html", form=form, business=business), status


@bp.get("/usaha/<slug>")
def business(slug: str):
    business = _business_or_404(slug)
    stats.count(CountKind.STORE_VIEW, business.id)
    query = catalog_search.from_args(request.args, business_id=business.id)
    return render_template(
        "cooperatives/business.html", business=business, query=query, results=catalog_search.search(query)
    )


# --- cooperatives ----------------------------------------------------------------------------------------


@bp.get("/koperasi")
def directory():
    province = request.args.get("provinsi") or None
    coop_type = request.args.get("jenis") or None
    q = request.args.get("q") or None
    page = db.paginate(
        services.public_cooperatives(province_code=province, coop_type=coop_type, q=q),
        per_page=24,
        error_out=False,
    )
    counts = services.member_counts([c.id for c in page.items])
    return render_template(
        "cooperatives/directory.html",
        page=page,
        counts=counts,
        provinces=provinces(),
        type_labels=COOPERATIVE_TYPE_LABELS,
        province=province,
        coop_type=coop_type,
        q=q or "",
    )


def _cooperative_data(form: CooperativeForm) -> services.CooperativeData:
    return services.CooperativeData(
        name=form.name.data,
        legal_entity_number=form.legal_entity_number.data,
        nik_koperasi=form.nik_koperasi.data,
        coop_type=form.coop_type.data,
        sectors=tuple(form.sectors.data or ()),
        province_code=form.province_code.data,
        regency_code=form.regency_code.data,
        address=form.address.data,
        description=form.description.data or "",
        founded_on=form.founded_on.data,
        requires_listing_approval=bool(form.requires_listing_approval.data),
        bank_name=form.bank_name.data or "",
        bank_account_number=form.bank_account_number.data or "",
        bank_account_holder=form.bank_account_holder.data or "",
    )


@bp.route("/koperasi/baru", methods=["GET", "POST"])
@login_required
def new_cooperative():
    form = CooperativeForm()
    form.setup_regions()
    if form.validate_on_submit():
        try:
            cooperative = services.create_cooperative(actor(), _cooperative_data(form), _upload(form.logo))
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Koperasi %(name)s sudah dibuat. Anda tercatat sebagai ketua pengurus.",
                    name=cooperative.name,
                ),
                "success",
            )
            return redirect(url_for("cooperatives.manage", slug=cooperative.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("cooperatives/cooperative_form.html", form=form, cooperative=None), status


@bp.route("/koperasi/<slug>/ubah", methods=["GET", "POST"])
@login_required
def edit_cooperative(slug: str):
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    form = CooperativeForm(obj=cooperative)
    if request.method == "GET":
        form.sectors.data = [s.value for s in cooperative.sectors]
        form.coop_type.data = cooperative.coop_type.value
    form.setup_regions()
    if form.validate_on_submit():
        try:
            services.update_cooperative(actor(), cooperative, _cooperative_data(form), _upload(form.logo))
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Perubahan koperasi disimpan."), "success")
            return redirect(url_for("cooperatives.cooperative", slug=cooperative.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("cooperatives/cooperative_form.html", form=form, cooperative=cooperative), status


def _apply_form(cooperative: Cooperative) -> ApplyForm | None:
    if not current_user.is_authenticated:
        return None
    member_ids = {
        m.business_id
        for m in cooperative.memberships
        if m.status in (MembershipStatus.ACTIVE, MembershipStatus.PENDING)
    }
    eligible = [b for b in current_user.businesses if b.id not in member_ids and not b.is_suspended]
    if not eligible:
        return None
    form = ApplyForm()
    form.business_id.choices = [(b.id, b.name) for b in eligible]
    return form


@bp.get("/koperasi/<slug>")
def cooperative(slug: str):
    cooperative = _cooperative_or_404(slug)
    members = services.active_members(cooperative)
    query = catalog_search.from_args(request.args, cooperative_id=cooperative.id)
    own_memberships = []
    if current_user.is_authenticated:
        own_ids = {b.id for b in current_user.businesses}
        own_memberships = [m for m in cooperative.memberships if m.business_id in own_ids]
    return render_template(
        "cooperatives/cooperative.html",
        cooperative=cooperative,
        members=members,
        query=query,
        results=catalog_search.search(query),
        apply_form=_apply_form(cooperative),
        own_memberships=own_memberships,
        status_labels=MEMBERSHIP_STATUS_LABELS,
        type_labels=COOPERATIVE_TYPE_LABELS,
    )


@bp.post("/koperasi/<slug>/daftar")
@login_required
def apply(slug: str):
    cooperative = _cooperative_or_404(slug)
    form = _apply_form(cooperative)
    if form is None:
        flash(_("Anda belum punya usaha yang bisa didaftarkan ke koperasi ini."), "error")
        return redirect(url_for("cooperatives.cooperative", slug=slug))
    if form.validate_on_submit():
        business = db.get_or_404(Business, form.business_id.data)
        authorize(policy.owns_business(current_user, business))
        try:
            services.apply_for_membership(actor(), cooperative, business, form.message.data or "")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Pendaftaran %(business)s terkirim. Pengurus koperasi akan meninjaunya.",
                    business=business.name,
                ),
                "success",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("cooperatives.cooperative", slug=slug))


@bp.get("/koperasi/<slug>/kelola")
@login_required
def manage(slug: str):
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    return render_template(
        "cooperatives/manage.html",
        cooperative=cooperative,
        pending=services.memberships_with_status(cooperative, MembershipStatus.PENDING),
        members=services.memberships_with_status(cooperative, MembershipStatus.ACTIVE),
        decision_form=DecisionForm(),
        manager_form=AddManagerForm(),
        plain_form=PlainForm(),
        can_manage_managers=policy.can_manage_managers(current_user, cooperative),
    )


def _membership_action(membership_id: int, action: str):  # type: ignore[no-untyped-def]
    membership = db.get_or_404(Membership, membership_id)
    authorize(policy.manages_cooperative(current_user, membership.cooperative))
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    business_name = membership.business.name
    try:
        if action == "approve":
            services.approve_membership(actor(), membership)
            message = _("%(business)s sekarang anggota koperasi.", business=business_name)
        elif action == "reject":
            services.reject_membership(actor(), membership, form.reason.data or "")
            message = _("Pendaftaran %(business)s ditolak.", business=business_name)
        else:
            services.remove_member(actor(), membership, form.reason.data or "")
            message = _("%(business)s dikeluarkan dari koperasi.", business=business_name)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("cooperatives.manage", slug=membership.cooperative.slug))


@bp.post("/keanggotaan/<int:membership_id>/setujui")
@login_required
def approve(membership_id: int):
    return _membership_action(membership_id, "approve")


@bp.post("/keanggotaan/<int:membership_id>/tolak")
@login_required
def reject(membership_id: int):
    return _membership_action(membership_id, "reject")


@bp.post("/keanggotaan/<int:membership_id>/keluarkan")
@login_required
def remove(membership_id: int):
    return _membership_action(membership_id, "remove")


@bp.post("/keanggotaan/<int:membership_id>/mundur")
@login_required
def withdraw(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    authorize(policy.owns_business(current_user, membership.business))
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_membership(actor(), membership)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "Keanggotaan %(business)s di %(cooperative)s diakhiri.",
                business=membership.business.name,
                cooperative=membership.cooperative.name,
            ),
            "success",
        )
    return redirect(url_for("cooperatives.my_space"))


@bp.post("/koperasi/<slug>/pengurus")
@login_required
def add_manager(slug: str):
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.can_manage_managers(current_user, cooperative))
    form = AddManagerForm()
    if form.validate_on_submit():
        try:
            manager = services.add_co_manager(actor(), cooperative, form.email.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s sekarang pengurus koperasi.", name=manager.user.name), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("cooperatives.manage", slug=slug))


@bp.post("/koperasi/<slug>/pengurus/<int:manager_id>/hapus")
@login_required
def remove_manager(slug: str, manager_id: int):
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.can_manage_managers(current_user, cooperative))
    manager = db.get_or_404(CooperativeManager, manager_id)
    if manager.cooperative_id != cooperative.id:
        abort(404)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.remove_manager(actor(), cooperative, manager)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Pengurus dihapus."), "success")
    return redirect(url_for("cooperatives.manage", slug=slug))
