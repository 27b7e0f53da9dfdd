"""Pages of the events calendar: the public list and event page; create, edit, publish and cancel for the
cooperative managers and officers who run an event; booking a booth and choosing what it brings for a
cooperative's managers. Thin: parse the form, call marketing.events, commit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from marketplace import regions
from marketplace.accounts import policy
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.marketing import events
from marketplace.marketing.event_forms import (
    ORGANISER_OFFICER,
    BoothProductsForm,
    EventForm,
    ReasonForm,
    local,
    zone_of,
)
from marketplace.marketing.event_models import EVENT_KIND_LABELS, EVENT_STATUS_LABELS, Booth, Event
from marketplace.orders.forms import ActionForm
from marketplace.web import actor, authorize

bp = Blueprint("events", __name__)


@bp.app_template_filter("event_time")
def event_time(moment: Any, event: Event, fmt: str = "EEEE, d MMMM y · HH.mm") -> str:
    """A moment of an event in the event's own local time (WIB, WITA or WIT), with the zone's short name."""
    from babel.dates import format_datetime
    from flask_babel import get_locale

    moment = local(moment, event.province_code)
    zone = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}[
        str(zone_of(event.province_code))
    ]
    return f"{format_datetime(moment, fmt, tzinfo=moment.tzinfo, locale=get_locale())} {zone}"


def _event(slug: str) -> Event:
    event = db.one_or_404(select(Event).where(Event.slug == slug))
    if not events.can_view_event(current_user, event):
        abort(404)
    return event


def _managed_event(slug: str) -> Event:
    event = db.one_or_404(select(Event).where(Event.slug == slug))
    authorize(events.can_manage_event(actor(), event))
    return event


def _can_create(user: Any) -> bool:
    return bool(events.organisable_cooperatives(user)) or events.can_organise_as_officer(user)


# --- public ---------------------------------------------------------------------------------------------


@bp.get("/acara")
def index() -> str:
    province = request.args.get("provinsi", "")
    if province and not regions.is_province(province):
        province = ""
    past = request.args.get("lalu") == "1"
    listed = events.past_events(province or None) if past else events.upcoming_events(province or None)
    user = current_user
    return render_template(
        "events/index.html",
        events=listed,
        past=past,
        province=province,
        provinces=regions.provinces(),
        kind_labels=EVENT_KIND_LABELS,
        drafts=events.managed_drafts(user) if user.is_authenticated else [],
        can_create=user.is_authenticated and _can_create(user),
    )


@bp.get("/acara/<slug>")
def event(slug: str) -> str:
    event = _event(slug)
    booths = events.event_booths(event)
    user = current_user
    my_cooperatives = events.organisable_cooperatives(user) if user.is_authenticated else []
    booked = {booth.cooperative_id for booth in booths}
    return render_template(
        "events/event.html",
        event=event,
        booths=booths,
        booth_products={booth.id: events.public_booth_products(booth) for booth in booths},
        kind_labels=EVENT_KIND_LABELS,
        status_labels=EVENT_STATUS_LABELS,
        can_manage=events.can_manage_event(user, event),
        my_cooperatives=my_cooperatives,
        booked=booked,
        is_over=event.is_over(),
        full=event.booth_capacity is not None and len(booths) >= event.booth_capacity,
        action_form=ActionForm(),
        cancel_form=ReasonForm(),
    )


# --- organisers -------------------------------------------------------------------------------------------


def _organiser_choices(user: Any) -> list[tuple[str, str]]:
    choices = [(f"koperasi:{c.id}", c.name) for c in events.organisable_cooperatives(user)]
    if events.can_organise_as_officer(user):
        choices.append((ORGANISER_OFFICER, _("Dinas / petugas wilayah (atas nama saya)")))
    return choices


def _render_form(form: EventForm, event: Event | None, status: int) -> tuple[str, int]:
    form.setup_regions()
    return render_template("events/form.html", form=form, event=event), status


def _fail(form: EventForm, event: Event | None, error: DomainError) -> tuple[str, int]:
    db.session.rollback()
    if error.field in ("starts_at", "ends_at"):
        error.field = "ends_on"
    if not apply_domain_error(form, error):
        flash(error.message, "error")
    return _render_form(form, event, 422)


@bp.route("/acara/baru", methods=["GET", "POST"])
@login_required
def new() -> Any:
    user = actor()
    choices = _organiser_choices(user)
    authorize(bool(choices))
    form = EventForm()
    form.organiser.choices = choices
    if not form.is_submitted():
        wanted = request.args.get("koperasi")
        for value, _label in choices:
            if wanted and value.startswith("koperasi:"):
                cooperative = db.session.get(Cooperative, int(value.split(":", 1)[1]))
                if cooperative is not None and cooperative.slug == wanted:
                    form.organiser.data = value
        return _render_form(form, None, 200)
    form.setup_regions()
    if not form.validate():
        return _render_form(form, None, 422)
    cooperative = None
    if form.organiser.data.startswith("koperasi:"):
        cooperative = db.session.get(Cooperative, int(form.organiser.data.split(":", 1)[1]))
    try:
        created = events.create_event(user, form.to_data(), cooperative=cooperative)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        return _fail(form, None, error)
    db.session.commit()
    flash(_("Acara disimpan sebagai draf. Terbitkan bila sudah siap."), "success")
    return redirect(url_for("events.event", slug=created.slug))


@bp.route("/acara/<slug>/ubah", methods=["GET", "POST"])
@login_required
def edit(slug: str) -> Any:
    event = _managed_event(slug)
    form = EventForm()
    del form.organiser
    if not form.is_submitted():
        form.fill_from(event)
        return _render_form(form, event, 200)
    form.setup_regions()
    if not form.validate():
        return _render_form(form, event, 422)
    try:
        events.update_event(actor(), event, form.to_data())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        return _fail(form, event, error)
    db.session.commit()
    flash(_("Perubahan acara disimpan."), "success")
    return redirect(url_for("events.event", slug=event.slug))


@bp.post("/acara/<slug>/terbitkan")
@login_required
def publish(slug: str) -> Response:
    event = _managed_event(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        events.publish_event(actor(), event)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.event", slug=slug))
    db.session.commit()
    flash(_("Acara diterbitkan dan tampil di kalender."), "success")
    return redirect(url_for("events.event", slug=slug))


@bp.post("/acara/<slug>/batalkan")
@login_required
def cancel(slug: str) -> Any:
    event = _managed_event(slug)
    form = ReasonForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.reason.errors) or _("Tulis alasan pembatalan."), "error")
        return redirect(url_for("events.event", slug=slug))
    try:
        events.cancel_event(actor(), event, form.reason.data)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.event", slug=slug))
    db.session.commit()
    flash(_("Acara dibatalkan."), "success")
    return redirect(url_for("events.event", slug=slug))


# --- booths -----------------------------------------------------------------------------------------------


def _booth_context(slug: str, coop_slug: str) -> tuple[Event, Cooperative]:
    event = _event(slug)
    cooperative = db.one_or_404(select(Cooperative).where(Cooperative.slug == coop_slug))
    authorize(policy.manages_cooperative(actor(), cooperative))
    return event, cooperative


def _render_booth(
    event: Event,
    cooperative: Cooperative,
    booth: Booth | None,
    form: BoothProductsForm,
    status: int = 200,
    chosen: list[int] | None = None,
) -> tuple[str, int]:
    candidates = events.booth_candidates(cooperative) if booth is not None else []
    if chosen is None:
        chosen = [item.product_id for item in booth.items] if booth is not None else []
    form.product_ids.choices = [(p.id, p.title) for p in candidates]
    saved = [item.product_id for item in booth.items] if booth is not None else []
    return (
        render_template(
            "events/booth.html",
            event=event,
            cooperative=cooperative,
            booth=booth,
            form=form,
            candidates=candidates,
            chosen=set(chosen),
            max_products=events.MAX_BOOTH_PRODUCTS,
            tags_url=(
                url_for("printing.cooperative_price_tags", slug=cooperative.slug, produk=saved)
                if saved
                else None
            ),
            action_form=ActionForm(),
            is_over=event.is_over(),
        ),
        status,
    )


@bp.route("/acara/<slug>/booth/<coop_slug>", methods=["GET", "POST"])
@login_required
def booth(slug: str, coop_slug: str) -> Any:
    event, cooperative = _booth_context(slug, coop_slug)
    booth = events.booth_of(event, cooperative)
    form = BoothProductsForm()
    if request.method == "GET":
        return _render_booth(event, cooperative, booth, form)
    if booth is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    chosen = [int(i) for i in form.product_ids.data or []]
    try:
        events.set_booth_products(actor(), booth, chosen)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        booth = events.booth_of(event, cooperative)
        form.product_ids.errors = [error.message]
        return _render_booth(event, cooperative, booth, form, 422, chosen=chosen)
    db.session.commit()
    flash(_("Produk booth disimpan (%(n)s produk). Cetak label harganya di bawah.", n=len(chosen)), "success")
    return redirect(url_for("events.booth", slug=slug, coop_slug=coop_slug))


@bp.post("/acara/<slug>/booth/<coop_slug>/pesan")
@login_required
def book(slug: str, coop_slug: str) -> Response:
    event, cooperative = _booth_context(slug, coop_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        events.book_booth(actor(), event, cooperative, request.form.get("note", ""))
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.event", slug=slug))
    db.session.commit()
    flash(_("Booth dipesan. Sekarang pilih produk yang dibawa."), "success")
    return redirect(url_for("events.booth", slug=slug, coop_slug=coop_slug))


@bp.post("/acara/<slug>/booth/<coop_slug>/batal")
@login_required
def cancel_booth(slug: str, coop_slug: str) -> Response:
    event, cooperative = _booth_context(slug, coop_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    booth = events.booth_of(event, cooperative)
    if booth is None:
        abort(404)
    try:
        events.cancel_booth(actor(), booth)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("events.booth", slug=slug, coop_slug=coop_slug))
    db.session.commit()
    flash(_("Pesanan booth dibatalkan."), "success")
    return redirect(url_for("events.event", slug=slug))
