"""The notification pages (list, mark all read, open one) and the header's unread badge. Thin: call the
services, commit, redirect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.notifications import services
from marketplace.notifications.forms import ActionForm
from marketplace.notifications.models import Notification
from marketplace.web import safe_next_url

bp = Blueprint("notifications", __name__)

PER_PAGE = 20
RELATIVE_FOR = timedelta(days=7)


def local_link(link: str | None) -> str | None:
    """The link if it is a path on this site, else None (a notification never sends anyone off-site)."""
    target = safe_next_url(link)
    if target is None or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def _item(notification: Notification, *, now: datetime) -> dict[str, Any]:
    """What the list shows of one notification: the sentence, when (relative if recent), where it leads."""
    created = notification.created_at
    if created.tzinfo is None:  # SQLite gives back naive UTC
        created = created.replace(tzinfo=UTC)
    age = now - created
    exact = format_datetime(created, "medium")
    if timedelta(0) <= age < RELATIVE_FOR:
        when = format_timedelta(-age, add_direction=True, threshold=1)
    else:
        when = format_datetime(created, "short")
    return {
        "id": notification.id,
        "message": services.message(notification),
        "unread": notification.read_at is None,
        "link": local_link(notification.link),
        "when": when,
        "exact": exact,
        "iso": created.isoformat(),
    }


@bp.get("/notifikasi")
@login_required
def index() -> str:
    number = request.args.get("page", 1, type=int) or 1
    listing = services.page(current_user.id, number, PER_PAGE)
    return render_template(
        "notifications/index.html",
        page=listing,
        items=[_item(n, now=utcnow()) for n in listing.items],
    )


@bp.post("/notifikasi/baca")
@login_required
def mark_all_read() -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = services.mark_read(current_user.id)
    db.session.commit()
    if changed:
        flash(_("Semua pemberitahuan ditandai sudah dibaca."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifikasi/<int:notification_id>/buka")
@login_required
def open_one(notification_id: int) -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    notification = services.get_for_user(current_user.id, notification_id)
    if notification is None:
        abort(404)
    target = local_link(notification.link)
    services.mark_read(current_user.id, [notification.id])
    db.session.commit()
    return redirect(target or url_for("notifications.index"))


@bp.record_once
def _wire(state: Any) -> None:
    @state.app.context_processor
    def _notification_badge() -> dict[str, Any]:
        return {"notification_unread_count": _unread_for_viewer()}


def _unread_for_viewer() -> int:
    """One COUNT for a signed-in viewer, none for anyone else. An error page rendered after a failed database
    statement must still render: then the badge is simply left out."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return 0
    try:
        return services.unread_count(current_user.id)
    except SQLAlchemyError:
        return 0
