"""Pages that list rows run a fixed number of queries however many rows there are (no N+1)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.cooperatives.models import MembershipStatus
from marketplace.extensions import db
from tests.factories import make_business, make_cooperative, make_membership, make_officer, make_user


@contextmanager
def counting_queries():
    counter = {"n": 0}

    def count(*_args):  # type: ignore[no-untyped-def]
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(web, url):  # type: ignore[no-untyped-def]
    with counting_queries() as counter:
        assert web.get(url).status_code == 200
    return counter["n"]


@pytest.mark.parametrize("url", ["/admin/pengguna", "/admin/usaha", "/admin/koperasi"])
def test_admin_lists_do_not_query_per_row(web, url):
    admin = make_user("Admin", is_admin=True)
    web.login(admin)

    def add_rows(n):  # type: ignore[no-untyped-def]
        for _ in range(n):
            owner = make_user()
            make_business(owner)
            make_cooperative(owner)
            make_officer("32.16")
        db.session.commit()

    add_rows(2)
    few = _queries(web, url)
    add_rows(10)
    assert _queries(web, url) == few


def test_member_management_and_public_page_do_not_query_per_member(web):
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair)
    web.login(chair)

    def add_members(n):  # type: ignore[no-untyped-def]
        for _ in range(n):
            make_membership(cooperative, make_business(), MembershipStatus.ACTIVE)
            make_membership(cooperative, make_business(), MembershipStatus.PENDING)
        db.session.commit()

    add_members(2)
    manage, public = (
        _queries(web, f"/koperasi/{cooperative.slug}/kelola"),
        _queries(web, f"/koperasi/{cooperative.slug}"),
    )
    add_members(10)
    assert _queries(web, f"/koperasi/{cooperative.slug}/kelola") == manage
    assert _queries(web, f"/koperasi/{cooperative.slug}") == public
