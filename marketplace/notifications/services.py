"""In-app notifications: send to many users at once, count, list, mark read, render in the viewer's language.

A feature registers each of its kinds once, at import, with a function that turns the stored parameters into a
sentence through Flask-Babel's ``gettext``; the sentence is made when the notification is *shown*, so each
reader sees it in their own language::

    from flask_babel import gettext as _
    from marketplace.notifications import services as notifications

    notifications.register(
        "coalition.closed",
        lambda p: _("Koalisi %(title)s sudah ditutup.", title=p["title"]),
    )

    notifications.notify(user_ids, "coalition.closed", {"title": c.title}, link=f"/koalisi/{c.id}")
    db.session.commit()  # the caller commits

Services never commit; ``notify`` inserts with one bulk INSERT and flushes nothing itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, insert, select, update

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification

log = logging.getLogger("gotong.notifications")

Renderer = Callable[[dict[str, Any]], str]

KIND_MAX = 60
LINK_MAX = 300

_renderers: dict[str, Renderer] = {}


def register(kind: str, render: Renderer) -> None:
    """Make ``kind`` known: ``render(params)`` returns the message in the current locale (use ``gettext``).

    Registering a kind again replaces its renderer."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"notification kind must be 1 to {KIND_MAX} characters: {kind!r}")
    _renderers[kind] = render


def generic_message() -> str:
    return _("Ada pemberitahuan baru.")


def message(notification: Notification) -> str:
    """The notification as a sentence in the current locale; an unknown kind or unusable params give the
    generic text instead of an error."""
    render = _renderers.get(notification.kind)
    if render is None:
        return generic_message()
    try:
        return str(render(dict(notification.params or {})))
    except (KeyError, TypeError, ValueError, IndexError):
        log.warning(
            "Notification %s of kind %r has parameters its renderer cannot use",
            notification.id,
            notification.kind,
            exc_info=True,
        )
        return generic_message()


def notify(
    user_ids: Iterable[int],
    kind: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    *,
    per_user_params: Mapping[int, Mapping[str, Any]] | None = None,
) -> int:
    """Notify each user once (duplicates in ``user_ids`` are dropped) with one bulk INSERT; returns how many.

    ``per_user_params[user_id]`` is merged over ``params`` for that user. The caller commits."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"notification kind must be 1 to {KIND_MAX} characters: {kind!r}")
    link = link or ""
    if len(link) > LINK_MAX:
        raise ValueError(f"notification link longer than {LINK_MAX} characters")
    recipients = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not recipients:
        return 0
    shared = dict(params or {})
    extra = per_user_params or {}
    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "kind": kind,
            "params": {**shared, **extra[user_id]} if user_id in extra else dict(shared),
            "link": link,
            "created_at": now,
        }
        for user_id in recipients
    ]
    db.session.execute(insert(Notification), rows)
    return len(rows)


def _of_user(user_id: int):  # type: ignore[no-untyped-def]
    return select(Notification).where(Notification.user_id == user_id)


def _newest_first(statement):  # type: ignore[no-untyped-def]
    return statement.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index."""
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(db.session.scalar(statement) or 0)


def recent(user_id: int, limit: int = 5) -> list[Notification]:
    """The user's newest notifications, read or not."""
    return list(db.session.scalars(_newest_first(_of_user(user_id)).limit(limit)))


def page(user_id: int, page: int, per_page: int = 20) -> Pagination:
    """One page of the user's notifications, newest first (a page past the end is empty, not an error)."""
    return db.paginate(
        _newest_first(_of_user(user_id)),
        page=max(int(page), 1),
        per_page=per_page,
        error_out=False,
        count=True,
    )


def get_for_user(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it belongs to ``user_id``; None otherwise (someone else's is as good as absent)."""
    return db.session.scalar(_of_user(user_id).where(Notification.id == notification_id))


def mark_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read — all of them, or only ``ids`` — in one UPDATE.

    Ids of other users' notifications are ignored. Returns how many rows changed."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        if not wanted:
            return 0
        statement = statement.where(Notification.id.in_(wanted))
    result = db.session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
