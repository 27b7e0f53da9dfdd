"""Featured products and cooperative campaigns on the home page; campaign and featuring management."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.catalog.models import ProductStatus
from marketplace.clock import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.marketing import featured
from marketplace.marketing.featured_models import Campaign, CampaignProduct, CampaignStatus, FeaturedProduct
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_membership, make_product, make_user
from tests.marketplace.test_query_counts import counting_queries


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    chair = make_user("Bu Ketua")
    cooperative = make_cooperative(chair, "Koperasi Boneka Bekasi", slug="kop-boneka")
    seller = make_user("Dewi")
    member = make_business(seller, "Boneka Ceria", slug="boneka-ceria")
    make_membership(cooperative, member)
    outsider = make_business(make_user("Budi"), "Toko Luar", slug="toko-luar")
    return {
        "chair": chair,
        "cooperative": cooperative,
        "seller": seller,
        "member": member,
        "product": make_product(member, "Boneka Kelinci Flanel", cooperative=cooperative),
        "second": make_product(member, "Boneka Sapi Rajut", slug="boneka-sapi", cooperative=cooperative),
        "outsider_product": make_product(outsider, "Boneka Impor Luar", slug="boneka-impor"),
        "admin": make_user("Admin", is_admin=True),
    }


def window(days_before: int = 1, days_after: int = 3):  # type: ignore[no-untyped-def]
    now = utcnow()
    return now - timedelta(days=days_before), now + timedelta(days=days_after)


def campaign_of(world, title="Pekan Boneka Bekasi", products=None, status=CampaignStatus.PUBLISHED, **kw):  # type: ignore[no-untyped-def]
    starts_at, ends_at = kw.pop("window", window())
    campaign = Campaign(
        cooperative=world["cooperative"],
        title=title,
        slug=kw.pop("slug", featured.unique_slug(Campaign, title)),
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
    )
    for i, product in enumerate(products if products is not None else [world["product"]]):
        campaign.items.append(CampaignProduct(product=product, position=i))
    db.session.add(campaign)
    db.session.flush()
    return campaign


def feature(product, *, window_=None, cooperative=None):  # type: ignore[no-untyped-def]
    starts_at, ends_at = window_ or window()
    row = FeaturedProduct(product=product, cooperative=cooperative, starts_at=starts_at, ends_at=ends_at)
    db.session.add(row)
    db.session.flush()
    return row


def featured_section(page: str) -> str:
    if 'data-testid="featured-products"' not in page:
        return ""
    return page.split('data-testid="featured-products"', 1)[1].split("</ul>", 1)[0]


# --- the home page ----------------------------------------------------------------------------------------


def test_home_shows_featured_products_only_in_their_window_and_while_public(client, world):
    now = feature(world["product"])
    later = feature(world["second"], window_=(utcnow() + timedelta(days=2), utcnow() + timedelta(days=4)))
    past = feature(world["outsider_product"], window_=window(5, -1))
    db.session.commit()
    section = featured_section(html(client.get("/")))
    assert "Produk pilihan" in html(client.get("/"))
    assert "Boneka Kelinci Flanel" in section
    assert "Boneka Sapi Rajut" not in section
    assert "Boneka Impor Luar" not in section

    later.starts_at = utcnow() - timedelta(minutes=1)
    world["product"].status = ProductStatus.PAUSED  # no longer public: gone from the home page
    db.session.commit()
    section = featured_section(html(client.get("/")))
    assert "Boneka Sapi Rajut" in section and "Boneka Kelinci Flanel" not in section

    world["member"].suspended_at = utcnow()
    db.session.commit()
    assert featured_section(html(client.get("/"))) == ""
    assert now.id and past.id


def test_running_campaign_shows_on_home_and_others_do_not(client, world):
    running = campaign_of(world, "Pekan Boneka Bekasi")
    campaign_of(world, "Kampanye Draf", status=CampaignStatus.DRAFT)
    campaign_of(world, "Kampanye Batal", status=CampaignStatus.CANCELLED)
    campaign_of(world, "Kampanye Lalu", window=window(10, -2))
    campaign_of(world, "Kampanye Nanti", window=window(-2, 5))
    db.session.commit()
    page = html(client.get("/"))
    assert f'data-campaign="{running.slug}"' in page
    assert "Pekan Boneka Bekasi" in page and f"/kampanye/{running.slug}" in page
    for title in ("Kampanye Draf", "Kampanye Batal", "Kampanye Lalu", "Kampanye Nanti"):
        assert title not in page

    world["cooperative"].suspended_at = utcnow()
    db.session.commit()
    assert "Pekan Boneka Bekasi" not in html(client.get("/"))


def test_home_highlights_do_not_query_per_product_or_campaign(client, world):
    def count() -> int:
        with counting_queries() as counter:
            assert client.get("/").status_code == 200
        return counter["n"]

    feature(world["product"])
    campaign_of(world, "Kampanye Satu")
    db.session.commit()
    few = count()
    for i in range(4):
        business = make_business()
        make_membership(world["cooperative"], business)
        products = [
            make_product(business, f"Boneka {i}-{j}", cooperative=world["cooperative"]) for j in range(3)
        ]
        feature(products[0])
        campaign_of(world, f"Kampanye Tambahan {i}", products=products)
    db.session.commit()
    assert count() == few


def test_home_highlights_service_groups_products_by_campaign(world):
    campaign = campaign_of(world, products=[world["second"], world["product"]])
    world["second"].stock = 0  # sold out: left out
    db.session.flush()
    highlights = featured.home_highlights(utcnow())
    assert [(r.campaign.id, [p.title for p in r.products]) for r in highlights.campaigns] == [
        (campaign.id, ["Boneka Kelinci Flanel"])
    ]
    assert highlights.campaigns[0].campaign.cooperative.name == "Koperasi Boneka Bekasi"


# --- public campaign page ---------------------------------------------------------------------------------


def test_public_campaign_page(client, web, world):
    campaign = campaign_of(world, products=[world["product"], world["second"]])
    draft = campaign_of(world, "Kampanye Draf", status=CampaignStatus.DRAFT)
    db.session.commit()
    page = html(client.get(f"/kampanye/{campaign.slug}"))
    assert "Pekan Boneka Bekasi" in page
    assert page.index("Boneka Kelinci Flanel") < page.index("Boneka Sapi Rajut")
    assert client.get(f"/kampanye/{draft.slug}").status_code == 404
    assert client.get("/kampanye/tidak-ada").status_code == 404
    web.login(world["chair"])  # its managers preview a draft
    assert web.get(f"/kampanye/{draft.slug}").status_code == 200


# --- managing campaigns -------------------------------------------------------------------------------------


def _form(world, **changes):  # type: ignore[no-untyped-def]
    today = utcnow().date()
    data = {
        "title": "Pekan Boneka Bekasi",
        "description": "Diskon boneka seminggu.",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=6)).isoformat(),
        "product_ids": [world["product"].id, world["second"].id],
    }
    data.update(changes)
    return data


def test_manager_creates_publishes_and_cancels_a_campaign(web, world):
    web.login(world["chair"])
    assert web.get("/koperasi/kop-boneka/kampanye/baru").status_code == 200
    response = web.post("/koperasi/kop-boneka/kampanye/baru", _form(world))
    assert response.status_code == 302
    campaign = db.session.scalars(db.select(Campaign)).one()
    assert campaign.status is CampaignStatus.DRAFT and campaign.slug == "pekan-boneka-bekasi"
    assert [i.product_id for i in campaign.items] == [world["product"].id, world["second"].id]
    assert "Pekan Boneka Bekasi" in html(web.get("/koperasi/kop-boneka/kampanye"))

    assert web.post(f"/koperasi/kop-boneka/kampanye/{campaign.id}/terbitkan").status_code == 302
    db.session.refresh(campaign)
    assert campaign.status is CampaignStatus.PUBLISHED
    assert "Pekan Boneka Bekasi" in html(web.get("/"))

    response = web.post(
        f"/koperasi/kop-boneka/kampanye/{campaign.id}/ubah",
        _form(world, title="Pekan Boneka Bekasi 2026", product_ids=[world["second"].id]),
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Pekan Boneka Bekasi 2026" and campaign.slug == "pekan-boneka-bekasi"
    assert [i.product_id for i in campaign.items] == [world["second"].id]

    assert web.post(f"/koperasi/kop-boneka/kampanye/{campaign.id}/batalkan").status_code == 302
    db.session.refresh(campaign)
    assert campaign.status is CampaignStatus.CANCELLED
    assert 'data-campaign="pekan-boneka-bekasi"' not in html(web.get("/"))
    assert web.get(f"/kampanye/{campaign.slug}").status_code == 200  # its managers still see it
    web.logout()
    assert web.get(f"/kampanye/{campaign.slug}").status_code == 404


def test_campaign_cannot_include_a_non_members_product_and_keeps_input(web, world):
    web.login(world["chair"])
    response = web.post(
        "/koperasi/kop-boneka/kampanye/baru",
        _form(
            world, title="Kampanye Curang", product_ids=[world["product"].id, world["outsider_product"].id]
        ),
    )
    assert response.status_code == 422
    page = html(response)
    assert "anggota aktif" in page and 'value="Kampanye Curang"' in page
    assert db.session.scalars(db.select(Campaign)).all() == []

    with pytest.raises(DomainError):
        featured.create_campaign(
            world["chair"],
            world["cooperative"],
            featured.CampaignData(
                "Kampanye Draf Produk",
                *window(0, 3),
                product_ids=[make_product(world["member"], "Draf", status=ProductStatus.DRAFT).id],
            ),
        )
    # ends before it starts
    response = web.post(
        "/koperasi/kop-boneka/kampanye/baru",
        _form(world, ends_on=(utcnow().date() - timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 422


def test_campaign_product_limit(world):
    products = [
        make_product(world["member"], f"Boneka {i}", cooperative=world["cooperative"]) for i in range(25)
    ]
    data = featured.CampaignData("Terlalu Banyak", *window(0, 3), product_ids=[p.id for p in products])
    with pytest.raises(DomainError) as error:
        featured.create_campaign(world["chair"], world["cooperative"], data)
    assert error.value.field == "product_ids"


def test_campaign_pages_are_403_for_others(web, world):
    campaign = campaign_of(world)
    db.session.commit()
    web.login(world["seller"])  # a member's owner is not a manager
    assert web.get("/koperasi/kop-boneka/kampanye").status_code == 403
    assert web.get("/koperasi/kop-boneka/kampanye/baru").status_code == 403
    assert web.post("/koperasi/kop-boneka/kampanye/baru", _form(world)).status_code == 403
    assert web.post(f"/koperasi/kop-boneka/kampanye/{campaign.id}/batalkan").status_code == 403
    assert web.post("/koperasi/kop-boneka/pilihan", {"product_id": world["product"].id}).status_code == 403
    assert web.get("/admin/pilihan").status_code == 403
    with pytest.raises(PermissionDenied):
        featured.cancel_campaign(world["seller"], campaign)


def test_actions_need_the_csrf_token(web, world):
    campaign = campaign_of(world, status=CampaignStatus.DRAFT)
    db.session.commit()
    web.login(world["chair"])
    response = web.post(f"/koperasi/kop-boneka/kampanye/{campaign.id}/terbitkan", csrf=False)
    assert response.status_code == 400
    db.session.refresh(campaign)
    assert campaign.status is CampaignStatus.DRAFT


# --- featuring products -------------------------------------------------------------------------------------


def test_manager_features_members_products_up_to_the_cap(web, world):
    web.login(world["chair"])
    response = web.post("/koperasi/kop-boneka/pilihan", {"product_id": world["product"].id})
    assert response.status_code == 302
    row = db.session.scalars(db.select(FeaturedProduct)).one()
    assert row.cooperative_id == world["cooperative"].id and row.product_id == world["product"].id
    assert "Boneka Kelinci Flanel" in featured_section(html(web.get("/")))

    response = web.post("/koperasi/kop-boneka/pilihan", {"product_id": world["outsider_product"].id})
    assert response.status_code == 403  # not a member's product

    for i in range(featured.MAX_FEATURED_PER_COOPERATIVE - 1):
        product = make_product(world["member"], f"Boneka Ekstra {i}", cooperative=world["cooperative"])
        featured.feature_product(
            world["chair"], product, cooperative=world["cooperative"], ends_at=utcnow() + timedelta(days=3)
        )
    db.session.commit()
    response = web.post("/koperasi/kop-boneka/pilihan", {"product_id": world["second"].id})
    assert response.status_code == 422
    assert "paling banyak" in html(response)

    row_id = row.id
    assert web.post(f"/koperasi/kop-boneka/pilihan/{row_id}/hapus").status_code == 302
    db.session.expunge_all()
    assert db.session.get(FeaturedProduct, row_id) is None


def test_admin_features_any_public_product(web, world):
    web.login(world["admin"])
    assert web.get("/admin/pilihan").status_code == 200
    response = web.post("/admin/pilihan", {"product_id": world["outsider_product"].id})
    assert response.status_code == 302
    row = db.session.scalars(db.select(FeaturedProduct)).one()
    assert row.cooperative_id is None
    assert "Boneka Impor Luar" in html(web.get("/admin/pilihan"))

    draft = make_product(world["member"], "Boneka Draf", slug="boneka-draf", status=ProductStatus.DRAFT)
    db.session.commit()
    response = web.post("/admin/pilihan", {"product_id": draft.id})
    assert response.status_code == 422 and f'value="{draft.id}"' in html(response)

    assert web.post(f"/admin/pilihan/{row.id}/hapus").status_code == 302
    assert db.session.scalars(db.select(FeaturedProduct)).all() == []


def test_a_manager_cannot_take_over_an_admins_featuring(world):
    featured.feature_product(
        world["admin"], world["product"], cooperative=None, ends_at=utcnow() + timedelta(days=3)
    )
    with pytest.raises(DomainError):
        featured.feature_product(
            world["chair"],
            world["product"],
            cooperative=world["cooperative"],
            ends_at=utcnow() + timedelta(days=3),
        )
    row = db.session.scalars(db.select(FeaturedProduct)).one()
    with pytest.raises(PermissionDenied):
        featured.unfeature_product(world["chair"], row)
