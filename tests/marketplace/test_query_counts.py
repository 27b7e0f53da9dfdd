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


def test_catalog_pages_do_not_query_per_product(web):
    from marketplace.catalog.models import ProductPhoto, ProductStatus
    from tests.factories import make_product

    chair = make_user("Ketua")
    cooperative = make_cooperative(chair)
    owner = make_user("Pemilik")
    shop = make_business(owner, slug="toko-boneka")
    make_membership(cooperative, shop)
    first = make_product(shop, cooperative=cooperative)

    def add_products(n):  # type: ignore[no-untyped-def]
        for i in range(n):
            business = make_business()
            make_membership(cooperative, business)
            product = make_product(business, f"Boneka Kain {i}", cooperative=cooperative)
            product.photos.append(
                ProductPhoto(path=f"p/{i}.webp", thumb_path=f"p/{i}-t.webp", width=1, height=1)
            )
            make_product(
                shop, f"Boneka Antre {i}", cooperative=cooperative, status=ProductStatus.PENDING_REVIEW
            )
        db.session.commit()

    urls = [
        "/",
        "/produk",
        "/produk?q=boneka",
        "/produk?q=boneka&urut=termurah",
        f"/produk/{first.id}-{first.slug}",
        "/usaha/toko-boneka",
        f"/koperasi/{cooperative.slug}",
    ]
    add_products(2)
    few = {url: _queries(web, url) for url in urls}
    add_products(8)
    many = {url: _queries(web, url) for url in urls}
    # never more queries with more products (the product page may need one fewer: related products from
    # the same cooperative then fill the list on their own)
    assert all(many[url] <= few[url] for url in urls), (few, many)
    web.login(chair)
    review = f"/koperasi/{cooperative.slug}/tinjauan-produk"
    few_review = _queries(web, review)
    add_products(3)
    assert _queries(web, review) == few_review
    web.logout()
    web.login(owner)
    mine = "/usaha/toko-boneka/produk"
    few_mine = _queries(web, mine)
    add_products(3)
    assert _queries(web, mine) == few_mine
