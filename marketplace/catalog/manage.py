"""Listing management: sellers' products, photos and bulk price/stock update; the managers' review queue.

Thin views: parse the form, call ``catalog.services`` / ``photos`` / ``bulk``, commit once, redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from marketplace.accounts import policy
from marketplace.catalog import bulk, photos, services
from marketplace.catalog.attributes import InvalidAttributes, displayed_attributes, validate_attributes
from marketplace.catalog.forms import (
    ActionForm,
    AttributeForm,
    ImportConfirmForm,
    ImportUploadForm,
    MovePhotoForm,
    PhotoUploadForm,
    ProductForm,
    RejectForm,
    attribute_form,
    category_note,
)
from marketplace.catalog.models import MAX_PHOTOS, PRODUCT_STATUS_LABELS, Product, ProductPhoto, ProductStatus
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.images import megabytes
from marketplace.sectors import Sector
from marketplace.web import actor, authorize, forbid

bp = Blueprint("listings", __name__)

PER_PAGE = 30
PREVIEW_ROWS_SHOWN = 300  # a 5,000-row preview would not load on a slow phone; the counts tell the rest


# --- loading with permission --------------------------------------------------------------------------------


def _seller_business(slug: str) -> Business:
    business = db.first_or_404(select(Business).where(Business.slug == slug))
    if not policy.can_manage_products(current_user, business):
        if not policy.can_view_business(current_user, business):
            abort(404)
        forbid()
    return business


def _seller_product(product_id: int) -> Product:
    """The product for its seller; others get 404 when they may not even see it (a draft), else 403."""
    product = db.get_or_404(Product, product_id)
    if not policy.can_manage_products(current_user, product.business):
        if not policy.can_view_product(current_user, product):
            abort(404)
        forbid()
    return product


def _listable_or_redirect(business: Business) -> BaseResponse | None:
    if business.is_suspended:
        flash(_("Usaha ini sedang ditangguhkan, jadi belum bisa menambah atau mengubah produk."), "error")
        return redirect(url_for("listings.products", slug=business.slug))
    return None


def _fail(error: DomainError, form: Any = None) -> None:
    db.session.rollback()
    if form is None or not apply_domain_error(form, error):
        flash(error.message, "error")


def _flash_status(before: ProductStatus | None, product: Product) -> None:
    """Tell the seller where the listing stands when an action moved it."""
    after = product.status
    if after is before:
        return
    if after is ProductStatus.PENDING_REVIEW:
        flash(
            _(
                "%(title)s menunggu persetujuan pengurus %(cooperative)s sebelum tayang.",
                title=product.title,
                cooperative=product.cooperative.name if product.cooperative else "",
            ),
            "info",
        )
    elif after is ProductStatus.ACTIVE:
        flash(_("%(title)s sekarang tayang di Gotong.", title=product.title), "success")
    elif after is ProductStatus.PAUSED:
        flash(
            _(
                "%(title)s dijeda: tidak tampil untuk pembeli sampai Anda menayangkannya lagi.",
                title=product.title,
            ),
            "success",
        )
    elif after is ProductStatus.DRAFT:
        flash(_("%(title)s kembali menjadi draf.", title=product.title), "success")


@bp.app_context_processor
def _listing_helpers() -> dict[str, Any]:
    # For "my space": counts per business and per managed cooperative, one query each when called.
    return {"listing_summaries": services.listing_summaries, "review_counts": services.pending_review_counts}


@bp.errorhandler(413)
def _too_large(_error: Exception) -> BaseResponse:
    """An upload over MAX_CONTENT_LENGTH: back to the form with a message rather than a bare error page."""
    limit_mb = megabytes(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    flash(
        _(
            "Kiriman terlalu besar (maksimal %(mb)s MB sekali kirim). Kirim lebih sedikit foto sekaligus.",
            mb=limit_mb,
        ),
        "error",
    )
    args = request.view_args or {}
    if "product_id" in args:
        return redirect(url_for("listings.edit_product", product_id=args["product_id"], _anchor="foto"))
    if "slug" in args and request.endpoint in ("listings.import_products", "listings.confirm_import"):
        return redirect(url_for("listings.import_products", slug=args["slug"]))
    return redirect(url_for("cooperatives.my_space"))


# --- the seller's product list ------------------------------------------------------------------------------


@bp.get("/usaha/<slug>/produk")
@login_required
def products(slug: str) -> str:
    business = _seller_business(slug)
    status_value = request.args.get("status")
    status = ProductStatus(status_value) if status_value in set(ProductStatus) else None
    low_stock = request.args.get("stok") == "menipis"
    page = db.paginate(
        services.business_products(business, status=status, low_stock=low_stock),
        per_page=PER_PAGE,
        error_out=False,
    )
    counts = services.status_counts(business)
    return render_template(
        "catalog/manage/products.html",
        business=business,
        page=page,
        status=status,
        low_stock=low_stock,
        counts=counts,
        total=sum(counts.values()),
        summary=services.listing_summaries([business]).get(business.id, services.ListingSummary()),
        cooperatives=services.listing_cooperatives(business),
        status_labels=PRODUCT_STATUS_LABELS,
        needs_approval=services.needs_approval,
        action_form=ActionForm(),
    )


# --- create and edit ----------------------------------------------------------------------------------------


def _chosen_category(form: ProductForm, fallback: Sector) -> Sector:
    value = form.category.data
    return Sector(value) if value in set(Sector) else fallback


def _attribute_forms(current: AttributeForm) -> list[AttributeForm]:
    """Empty attribute fields of the other categories, for the script that switches them without a reload."""
    return [attribute_form(sector) for sector in Sector if sector is not current.category]


def _save_product(
    form: ProductForm, attrs: AttributeForm, save: Callable[[services.ProductData, bool], Product]
) -> Product | None:
    """Validate both forms (showing every error at once), then let the service save; None on failure."""
    valid = form.validate_on_submit()
    try:
        validate_attributes(attrs.category, attrs.raw_values())  # type: ignore[arg-type]
    except InvalidAttributes as error:
        attrs.set_errors(error.errors)
        valid = False
    if not valid:
        return None
    data = services.ProductData(**form.data_for_service(), attributes=attrs.raw_values())
    try:
        return save(data, request.form.get("action") == "submit")
    except InvalidAttributes as error:
        db.session.rollback()
        attrs.set_errors(error.errors)
    except DomainError as error:
        _fail(error, form)
    return None


def _render_form(
    form: ProductForm,
    attrs: AttributeForm,
    business: Business,
    cooperatives: list[Cooperative],
    *,
    product: Product | None = None,
    status: int = 200,
) -> tuple[str, int]:
    chosen = next((c for c in cooperatives if c.id == form.cooperative_id.data), None)
    return (
        render_template(
            "catalog/manage/form.html",
            form=form,
            attrs=attrs,
            other_attrs=_attribute_forms(attrs),
            category_note=category_note,
            business=business,
            product=product,
            cooperatives=cooperatives,
            approval=services.needs_approval(chosen),
            status_labels=PRODUCT_STATUS_LABELS,
            photos=photos.ordered_photos(product) if product else [],
            max_photos=MAX_PHOTOS,
            max_photo_mb=megabytes(current_app.config["MAX_PHOTO_BYTES"]),
            photo_form=PhotoUploadForm(formdata=None),
            move_form=MovePhotoForm(formdata=None),
            action_form=ActionForm(formdata=None),
        ),
        status,
    )


@bp.route("/usaha/<slug>/produk/baru", methods=["GET", "POST"])
@login_required
def new_product(slug: str) -> Any:
    business = _seller_business(slug)
    if (refused := _listable_or_redirect(business)) is not None:
        return refused
    cooperatives = services.listing_cooperatives(business)
    form = ProductForm()
    form.setup(cooperatives)
    if request.method == "GET":
        form.category.data = business.sector.value
        form.cooperative_id.data = cooperatives[0].id if cooperatives else None
    category = _chosen_category(form, business.sector)
    attrs = attribute_form(category, request.form if request.method == "POST" else None)
    if request.method == "POST" and "refresh" not in request.form:
        product = _save_product(
            form, attrs, lambda data, submit: services.create_product(actor(), business, data, submit=submit)
        )
        if product is not None:
            db.session.commit()
            flash(_("%(title)s disimpan. Tambahkan fotonya di bawah.", title=product.title), "success")
            _flash_status(ProductStatus.DRAFT, product)
            return redirect(url_for("listings.edit_product", product_id=product.id, _anchor="foto"))
        return _render_form(form, attrs, business, cooperatives, status=422)
    return _render_form(form, attrs, business, cooperatives)


@bp.route("/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int) -> Any:
    product = _seller_product(product_id)
    business = product.business
    if (refused := _listable_or_redirect(business)) is not None:
        return refused
    cooperatives = services.listing_cooperatives(business)
    form = ProductForm(obj=product)
    form.setup(cooperatives)
    if request.method == "GET":
        form.stock_seen.data = product.stock
    category = _chosen_category(form, product.category)
    if request.method == "POST":
        attrs = attribute_form(category, request.form)
    else:
        attrs = attribute_form(category, values=product.attributes)
    if request.method == "POST" and "refresh" not in request.form:
        before = product.status
        saved = _save_product(
            form, attrs, lambda data, submit: services.update_product(actor(), product, data, submit=submit)
        )
        if saved is not None:
            db.session.commit()
            flash(_("Perubahan %(title)s disimpan.", title=saved.title), "success")
            _flash_status(before, saved)
            return redirect(url_for("listings.products", slug=business.slug, _anchor=f"produk-{saved.id}"))
        return _render_form(form, attrs, business, cooperatives, product=product, status=422)
    return _render_form(form, attrs, business, cooperatives, product=product)


# --- status actions -----------------------------------------------------------------------------------------


def _status_action(product_id: int, action: Callable[[Any, Product], None]) -> BaseResponse:
    product = _seller_product(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    before = product.status
    try:
        action(actor(), product)
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        _flash_status(before, product)
    return redirect(url_for("listings.products", slug=product.business.slug, _anchor=f"produk-{product.id}"))


@bp.post("/produk/<int:product_id>/ajukan")
@login_required
def submit_product(product_id: int) -> BaseResponse:
    return _status_action(product_id, services.submit_product)


@bp.post("/produk/<int:product_id>/tarik")
@login_required
def withdraw_product(product_id: int) -> BaseResponse:
    return _status_action(product_id, services.withdraw_submission)


@bp.post("/produk/<int:product_id>/jeda")
@login_required
def pause_product(product_id: int) -> BaseResponse:
    return _status_action(product_id, services.pause_product)


@bp.post("/produk/<int:product_id>/lanjutkan")
@login_required
def resume_product(product_id: int) -> BaseResponse:
    return _status_action(product_id, services.resume_product)


@bp.route("/produk/<int:product_id>/hapus", methods=["GET", "POST"])
@login_required
def delete_product(product_id: int) -> Any:
    """GET asks for confirmation; only the POST of that page deletes."""
    product = _seller_product(product_id)
    business = product.business
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = product.title
        try:
            services.delete_product(actor(), product)
        except DomainError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("%(title)s dihapus.", title=title), "success")
        return redirect(url_for("listings.products", slug=business.slug))
    return render_template("catalog/manage/delete.html", product=product, form=form)


# --- photos -------------------------------------------------------------------------------------------------


def _photos_page(product: Product) -> BaseResponse:
    return redirect(url_for("listings.edit_product", product_id=product.id, _anchor="foto"))


@bp.post("/produk/<int:product_id>/foto")
@login_required
def upload_photos(product_id: int) -> BaseResponse:
    product = _seller_product(product_id)
    form = PhotoUploadForm()
    if not form.validate_on_submit():
        for message in form.photos.errors:
            flash(message, "error")
        return _photos_page(product)
    uploads = [(f.filename or "", f.stream) for f in form.photos.data if f and f.filename]
    before = product.status
    try:
        result = photos.add_photos(actor(), product, uploads)
    except DomainError as error:
        _fail(error)
        return _photos_page(product)
    db.session.commit()
    if result.added:
        flash(
            ngettext("%(num)d foto ditambahkan.", "%(num)d foto ditambahkan.", len(result.added)), "success"
        )
        _flash_status(before, product)
    for filename, reason in result.refused:
        flash(_("%(file)s tidak diunggah: %(reason)s", file=filename, reason=reason), "error")
    return _photos_page(product)


def _product_photo(product: Product, photo_id: int) -> ProductPhoto:
    photo = db.get_or_404(ProductPhoto, photo_id)
    if photo.product_id != product.id:
        abort(404)
    return photo


@bp.post("/produk/<int:product_id>/foto/<int:photo_id>/geser")
@login_required
def move_photo(product_id: int, photo_id: int) -> BaseResponse:
    product = _seller_product(product_id)
    photo = _product_photo(product, photo_id)
    form = MovePhotoForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        photos.move_photo(actor(), product, photo, -1 if form.direction.data == "naik" else 1)
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
    return _photos_page(product)


@bp.post("/produk/<int:product_id>/foto/<int:photo_id>/hapus")
@login_required
def delete_photo(product_id: int, photo_id: int) -> BaseResponse:
    product = _seller_product(product_id)
    photo = _product_photo(product, photo_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        photos.delete_photo(actor(), product, photo)
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(_("Foto dihapus."), "success")
    return _photos_page(product)


# --- bulk price and stock update ----------------------------------------------------------------------------


@bp.get("/usaha/<slug>/produk/templat.csv")
@login_required
def export_products(slug: str) -> Response:
    business = _seller_business(slug)
    return Response(
        bulk.business_csv(business),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="produk-{business.slug}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/usaha/<slug>/produk/impor", methods=["GET", "POST"])
@login_required
def import_products(slug: str) -> Any:
    business = _seller_business(slug)
    if (refused := _listable_or_redirect(business)) is not None:
        return refused
    form = ImportUploadForm()
    preview = confirm = None
    status = 200
    if form.validate_on_submit():
        preview = bulk.preview_for_business(business, form.file.data.read(bulk.MAX_FILE_BYTES + 1))
        if preview.ok and preview.changes:
            token = bulk.sign_plan(preview.plan(), business_id=business.id, secret=current_app.secret_key)
            confirm = ImportConfirmForm(formdata=None, plan=token)
        status = 200 if preview.ok else 422
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "catalog/manage/import.html",
            business=business,
            form=form,
            preview=preview,
            confirm=confirm,
            shown=PREVIEW_ROWS_SHOWN,
            max_rows=bulk.MAX_ROWS,
        ),
        status,
    )


@bp.post("/usaha/<slug>/produk/impor/terapkan")
@login_required
def confirm_import(slug: str) -> BaseResponse:
    business = _seller_business(slug)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = bulk.load_plan(form.plan.data, business_id=business.id, secret=current_app.secret_key)
        changed = bulk.apply_plan(actor(), business, plan)
    except DomainError as error:
        _fail(error)
        return redirect(url_for("listings.import_products", slug=business.slug))
    db.session.commit()
    flash(
        ngettext(
            "Harga dan stok %(num)d produk diperbarui.", "Harga dan stok %(num)d produk diperbarui.", changed
        ),
        "success",
    )
    return redirect(url_for("listings.products", slug=business.slug))


# --- the cooperative managers' review queue -----------------------------------------------------------------


@bp.get("/koperasi/<slug>/tinjauan-produk")
@login_required
def review_queue(slug: str) -> str:
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    authorize(policy.manages_cooperative(current_user, cooperative))
    page = db.paginate(
        services.review_queue(cooperative).options(selectinload(Product.photos)), per_page=20, error_out=False
    )
    return render_template(
        "catalog/manage/review.html",
        cooperative=cooperative,
        page=page,
        approve_form=ActionForm(formdata=None),
        reject_form=RejectForm(formdata=None),
        attributes_of=lambda p: displayed_attributes(p.category, p.attributes or {}),
    )


def _reviewed_product(product_id: int) -> Product:
    product = db.get_or_404(Product, product_id)
    if not policy.can_view_product(current_user, product):
        abort(404)
    authorize(policy.can_review_product(current_user, product))
    return product


def _back_to_queue(product: Product) -> BaseResponse:
    if product.cooperative is None:
        return redirect(url_for("cooperatives.my_space"))
    return redirect(url_for("listings.review_queue", slug=product.cooperative.slug))


@bp.post("/produk/<int:product_id>/setujui")
@login_required
def approve_product(product_id: int) -> BaseResponse:
    product = _reviewed_product(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.approve_product(actor(), product)
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(_("%(title)s disetujui dan sekarang tayang.", title=product.title), "success")
    return _back_to_queue(product)


@bp.post("/produk/<int:product_id>/tolak")
@login_required
def reject_product(product_id: int) -> BaseResponse:
    product = _reviewed_product(product_id)
    form = RejectForm()
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(message, "error")
        return _back_to_queue(product)
    try:
        services.reject_product(actor(), product, form.reason.data or "")
    except DomainError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(_("%(title)s ditolak; penjual melihat alasan Anda.", title=product.title), "success")
    return _back_to_queue(product)
