"""In-app notifications: bulk sending, rendering in the viewer's language, the list, the header badge."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, func, insert, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications import services as notifications
from marketplace.notifications.models import Notification
from tests.conftest import html
from tests.factories import PASSWORD, _password_hash, make_user

KIND = "test.page"  # a message with an English translation in the catalogue, so both languages can be checked


@pytest.fixture(autouse=True)
def _kinds():  # type: ignore[no-untyped-def]
    notifications.register(
        KIND, lambda p: _("Halaman %(page)d dari %(pages)d", page=p["page"], pages=p["pages"])
    )
    notifications.register("test.plain", lambda p: _("Pesanan %(number)s", number=p["number"]))
    yield


@contextmanager
def statements():  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def rows_of(user: User) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def badge(page: str) -> str | None:
    match = re.search(r'<span class="notif-count"[^>]*>([^<]+)</span>', page)
    return match.group(1) if match else None


# --- services -----------------------------------------------------------------------------------------------


def test_notify_and_render_in_the_viewers_language(app):
    user = make_user()
    assert notifications.notify([user.id], KIND, {"page": 2, "pages": 5}, link="/pesanan") == 1
    db.session.commit()
    (row,) = rows_of(user)
    assert (row.kind, row.params, row.link, row.read_at) == (KIND, {"page": 2, "pages": 5}, "/pesanan", None)
    assert row.created_at is not None
    with app.test_request_context():
        with force_locale("id"):
            assert notifications.message(row) == "Halaman 2 dari 5"
        with force_locale("en"):
            assert notifications.message(row) == "Page 2 of 5"


def test_the_list_page_renders_in_the_language_the_viewer_chose(web):
    user = make_user()
    notifications.notify([user.id], KIND, {"page": 3, "pages": 7})
    db.session.commit()
    web.login(user)
    assert "Halaman 3 dari 7" in html(web.get("/notifikasi"))
    web.post("/bahasa", {"lang": "en"})
    page = html(web.get("/notifikasi"))
    assert "Page 3 of 7" in page and "Halaman 3 dari 7" not in page


def test_bulk_notify_of_ten_thousand_users_is_one_bulk_insert(app):
    hashed = _password_hash()
    user_ids = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "name": f"Anggota {n}",
                    "email": f"massal{n}@contoh.id",
                    "phone": "+6281200000000",
                    "password_hash": hashed,
                }
                for n in range(10_000)
            ],
        )
    )
    assert len(user_ids) == 10_000
    with statements() as seen:
        count = notifications.notify(user_ids, KIND, {"page": 1, "pages": 1}, link="/koalisi/1")
    assert count == 10_000
    assert all(s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS") for s in seen), seen[:3]
    assert len(seen) <= 20  # batches of the one executemany, never a statement per row
    total = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == KIND))
    assert total == 10_000


def test_notify_drops_duplicate_recipients_and_merges_per_user_params(app):
    a, b = make_user(), make_user()
    sent = notifications.notify(
        [a.id, b.id, a.id, a.id], "test.plain", {"number": "G-1"}, per_user_params={b.id: {"number": "G-2"}}
    )
    assert sent == 2
    assert [r.params for r in rows_of(a)] == [{"number": "G-1"}]
    assert [r.params for r in rows_of(b)] == [{"number": "G-2"}]
    assert notifications.notify([], KIND) == 0


def test_unread_count_recent_page_and_mark_read_touch_only_the_users_rows(app):
    a, b = make_user(), make_user()
    for n in range(3):
        notifications.notify([a.id, b.id], "test.plain", {"number": f"G-{n}"})
    assert notifications.unread_count(a.id) == 3
    newest = notifications.recent(a.id, limit=2)
    assert [r.params["number"] for r in newest] == ["G-2", "G-1"]
    assert notifications.page(a.id, 1, 2).total == 3
    b_row = rows_of(b)[0]
    # Someone else's id is ignored: one UPDATE limited to the user's own rows.
    assert notifications.mark_read(a.id, [newest[0].id, b_row.id]) == 1
    assert notifications.unread_count(a.id) == 2
    assert notifications.unread_count(b.id) == 3
    assert notifications.mark_read(a.id) == 2
    assert notifications.unread_count(a.id) == 0
    assert notifications.unread_count(b.id) == 3
    assert notifications.mark_read(a.id, []) == 0


def test_unknown_kind_and_bad_params_render_the_generic_text(app):
    user = make_user()
    notifications.notify([user.id], "no.such.kind", {"x": 1})
    notifications.notify([user.id], KIND, {"page": 1})  # "pages" missing: KeyError in the renderer
    notifications.notify([user.id], KIND, {"page": "satu", "pages": 2})  # wrong type for %d
    with app.test_request_context(), force_locale("id"):
        assert {notifications.message(r) for r in rows_of(user)} == {"Ada pemberitahuan baru."}


def test_notify_refuses_an_overlong_kind_or_link(app):
    user = make_user()
    with pytest.raises(ValueError):
        notifications.notify([user.id], "k" * 61)
    with pytest.raises(ValueError):
        notifications.notify([user.id], KIND, link="/" + "a" * 300)


# --- pages --------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_and_see_no_bell(web):
    response = web.get("/notifikasi")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    assert 'class="notif-link"' not in html(web.get("/"))
    assert web.post("/notifikasi/baca").status_code == 302


def test_header_shows_the_unread_count_with_an_accessible_label(web):
    user = make_user()
    web.login(user)
    page = html(web.get("/"))
    assert 'class="notif-link"' in page and 'href="/notifikasi"' in page and badge(page) is None
    notifications.notify([user.id], "test.plain", {"number": "G-1"})
    notifications.notify([user.id], "test.plain", {"number": "G-2"})
    notifications.notify([make_user().id], "test.plain", {"number": "G-3"})
    db.session.commit()
    page = html(web.get("/"))
    assert badge(page) == "2"
    assert 'aria-label="Pemberitahuan, 2 belum dibaca"' in page


def test_header_badge_caps_at_99(web):
    user = make_user()
    for _n in range(120):
        notifications.notify([user.id], "test.plain", {"number": "G"})
    db.session.commit()
    web.login(user)
    assert badge(html(web.get("/"))) == "99+"


def test_the_badge_costs_one_count_query_and_none_for_anonymous(web):
    with statements() as seen:
        assert web.get("/").status_code == 200
    assert not [s for s in seen if "notifications" in s]
    user = make_user()
    db.session.commit()
    web.login(user)
    with statements() as seen:
        assert web.get("/").status_code == 200
    assert len([s for s in seen if "notifications" in s]) == 1


def test_list_shows_messages_newest_first_and_marks_unread(web):
    user = make_user()
    notifications.notify([user.id], "test.plain", {"number": "G-LAMA"})
    db.session.flush()
    notifications.mark_read(user.id)
    notifications.notify([user.id], "test.plain", {"number": "G-BARU"}, link="/pesanan")
    db.session.commit()
    web.login(user)
    page = html(web.get("/notifikasi"))
    assert page.index("Pesanan G-BARU") < page.index("Pesanan G-LAMA")
    items = re.findall(r'<li class="card notif-item([^"]*)"', page)
    assert items == [" is-unread", ""]
    assert "Belum dibaca:" in page
    assert "yang lalu" in page  # a recent one shows a relative date
    assert "Tandai semua sudah dibaca" in page


def test_empty_list(web):
    web.login(make_user())
    page = html(web.get("/notifikasi"))
    assert "Belum ada pemberitahuan" in page and "Tandai semua sudah dibaca" not in page


def test_list_is_paginated(web):
    user = make_user()
    for n in range(25):
        notifications.notify([user.id], "test.plain", {"number": f"N{n:02d}"})
    db.session.commit()
    web.login(user)
    first, second = html(web.get("/notifikasi")), html(web.get("/notifikasi?page=2"))
    assert first.count('class="card notif-item') == 20 and second.count('class="card notif-item') == 5
    assert web.get("/notifikasi?page=99").status_code == 200


def test_params_are_escaped(web):
    user = make_user()
    notifications.notify([user.id], "test.plain", {"number": "<script>alert(1)</script>"})
    db.session.commit()
    web.login(user)
    page = html(web.get("/notifikasi"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_mark_all_read(web):
    user, other = make_user(), make_user()
    notifications.notify([user.id, other.id], "test.plain", {"number": "G-1"})
    notifications.notify([user.id], "test.plain", {"number": "G-2"})
    db.session.commit()
    web.login(user)
    response = web.post("/notifikasi/baca")
    assert response.status_code == 302 and response.headers["Location"] == "/notifikasi"
    assert notifications.unread_count(user.id) == 0
    assert notifications.unread_count(other.id) == 1
    page = html(web.get("/notifikasi"))
    assert badge(page) is None and "is-unread" not in page


def test_opening_one_marks_it_read_and_follows_its_link(web):
    user = make_user()
    notifications.notify([user.id], "test.plain", {"number": "G-1"}, link="/pesanan?status=baru")
    notifications.notify([user.id], "test.plain", {"number": "G-2"})
    db.session.commit()
    first, second = sorted(rows_of(user), key=lambda r: r.id)
    web.login(user)
    response = web.post(f"/notifikasi/{first.id}/buka")
    assert response.status_code == 302 and response.headers["Location"] == "/pesanan?status=baru"
    assert first.read_at is not None and second.read_at is None
    # One without a link is marked read and leads back to the list.
    response = web.post(f"/notifikasi/{second.id}/buka")
    assert response.headers["Location"] == "/notifikasi" and second.read_at is not None


@pytest.mark.parametrize(
    "link", ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_a_link_off_the_site_is_not_followed(web, link):
    user = make_user()
    notifications.notify([user.id], "test.plain", {"number": "G-1"}, link=link)
    db.session.commit()
    (row,) = rows_of(user)
    web.login(user)
    assert "evil.example" not in html(web.get("/notifikasi"))
    response = web.post(f"/notifikasi/{row.id}/buka")
    assert response.status_code == 302 and response.headers["Location"] == "/notifikasi"
    assert row.read_at is not None


def test_another_users_notification_is_not_found(web):
    owner, intruder = make_user(), make_user()
    notifications.notify([owner.id], "test.plain", {"number": "G-1"}, link="/pesanan")
    db.session.commit()
    (row,) = rows_of(owner)
    web.login(intruder)
    assert web.post(f"/notifikasi/{row.id}/buka").status_code == 404
    assert web.post("/notifikasi/999999/buka").status_code == 404
    assert row.read_at is None
    assert "Pesanan G-1" not in html(web.get("/notifikasi"))


def test_posts_without_the_csrf_token_are_refused(web):
    user = make_user()
    notifications.notify([user.id], "test.plain", {"number": "G-1"}, link="/pesanan")
    db.session.commit()
    (row,) = rows_of(user)
    web.login(user, PASSWORD)
    assert web.post("/notifikasi/baca", csrf=False).status_code == 400
    assert web.post(f"/notifikasi/{row.id}/buka", csrf=False).status_code == 400
    assert notifications.unread_count(user.id) == 1
