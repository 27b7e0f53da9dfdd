"""Sellers' listing management and the managers' approval: forms, the state machine and who may do what."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from marketplace.catalog import services
from marketplace.catalog.models import Product, ProductStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Cooperative, MembershipStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_membership, make_product, make_user

DOLL_FORM = {
    "title": "Boneka Beruang Rajut 30 cm",
    "category": "boneka_mainan",
    "description": "Boneka **rajut** buatan tangan.\n\n- benang katun\n- isi dakron",
    "price_idr": "Rp85.000",
    "unit": "pcs",
    "stock": "12",
    "min_order_qty": "2",
    "low_stock_threshold": "3",
    "attr_material": "benang katun",
    "attr_age_range": "3+ tahun",
    "attr_sni_number": "SNI ISO 8124-1:2010 / 12345",
}


@dataclass
class Shop:
    owner: object
    business: Business
    chair: object
    cooperative: Cooperative


def make_shop(*, requires_approval: bool = True, name: str = "Boneka Ceria") -> Shop:
    owner = make_user("Dewi Lestari")
    business = make_business(owner, name, sector=Sector.DOLLS_TOYS)
    chair = make_user("Pak Ketua")
    cooperative = make_cooperative(chair, requires_listing_approval=requires_approval)
    make_membership(cooperative, business)
    return Shop(owner, business, chair, cooperative)


def form_for(shop: Shop, **changes) -> dict:  # type: ignore[no-untyped-def]
    return {**DOLL_FORM, "cooperative_id": str(shop.cooperative.id), **changes}


def only_product() -> Product:
    return db.session.scalars(select(Product)).one()


DOLL_ATTRIBUTES = {
    "material": "benang katun",
    "age_range": "3+ tahun",
    "sni_number": "SNI ISO 8124-1:2010 / 12345",
}


def listed(shop: Shop, status=ProductStatus.ACTIVE, **kw) -> Product:  # type: ignore[no-untyped-def]
    """A listing of the shop whose content is what DOLL_FORM submits (so a form post changes nothing else)."""
    kw.setdefault("attributes", dict(DOLL_ATTRIBUTES))
    kw.setdefault("description", DOLL_FORM["description"])
    return make_product(shop.business, cooperative=shop.cooperative, status=status, **kw)


# --- creating -----------------------------------------------------------------------------------------------


def test_owner_saves_a_draft_with_typed_price_and_attributes(web):
    shop = make_shop()
    web.login(shop.owner)
    page = html(web.get(f"/usaha/{shop.business.slug}/produk/baru"))
    assert 'name="attr_sni_number"' in page and "mis. SNI ISO 8124-1:2010 / 12345" in page
    assert "Ajukan ke pengurus" in page and "Ganti kategori" in page

    response = web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, action="draft"))
    assert response.status_code == 302, html(response)
    product = only_product()
    assert response.headers["Location"] == f"/produk/{product.id}/ubah#foto"
    assert product.status is ProductStatus.DRAFT and product.submitted_at is None
    assert (product.price_idr, product.stock, product.min_order_qty, product.low_stock_threshold) == (
        85_000,
        12,
        2,
        3,
    )
    assert product.slug == "boneka-beruang-rajut-30-cm"
    assert product.cooperative_id == shop.cooperative.id and product.business_id == shop.business.id
    assert product.attributes == {
        "material": "benang katun",
        "age_range": "3+ tahun",
        "sni_number": "SNI ISO 8124-1:2010 / 12345",
    }
    edit = html(web.get(f"/produk/{product.id}/ubah"))
    assert 'value="85.000"' in edit and 'value="benang katun"' in edit
    listing = html(web.get(f"/usaha/{shop.business.slug}/produk"))
    assert "Boneka Beruang Rajut 30 cm" in listing and "Draf" in listing and "Rp85.000" in listing
    assert 'aria-current="page">Semua (1)' in listing


@pytest.mark.parametrize(("requires_approval", "status"), [(True, "pending_review"), (False, "active")])
def test_submitting_follows_the_cooperatives_approval_rule(web, requires_approval, status):
    shop = make_shop(requires_approval=requires_approval)
    web.login(shop.owner)
    response = web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, action="submit"))
    assert response.status_code == 302
    product = only_product()
    assert product.status is ProductStatus(status)
    assert product.submitted_at is not None
    web.logout()
    public = web.get(f"/produk/{product.id}-{product.slug}")
    assert public.status_code == (200 if status == "active" else 404)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attr_sni_number": ""}, "Nomor sertifikat SNI wajib diisi."),
        ({"attr_sni_number": "??"}, "Tulis nomor sertifikat SNI"),
        ({"attr_age_range": "99 tahun"}, "Pilih salah satu pilihan yang tersedia."),
        ({"price_idr": "85.000,50"}, "Tulis harga dalam rupiah bulat tanpa sen"),
        ({"price_idr": "85.5"}, "Tulis harga dalam rupiah bulat tanpa sen"),
        ({"price_idr": ""}, "Harga wajib diisi."),
        ({"price_idr": "-100"}, "Harga tidak boleh negatif."),
        ({"stock": "-1"}, "Tidak boleh negatif."),
        ({"stock": "2,5"}, "Isi dengan bilangan bulat"),
        ({"min_order_qty": "0"}, "Minimal pesan paling sedikit 1."),
        ({"title": "ab"}, "Nama produk 3 sampai 160 karakter."),
        ({"unit": "ton"}, "Not a valid choice"),
    ],
)
def test_form_errors_are_per_field_and_keep_what_was_typed(web, changes, message):
    shop = make_shop()
    web.login(shop.owner)
    response = web.post(
        f"/usaha/{shop.business.slug}/produk/baru",
        form_for(shop, action="submit", attr_material="katun jepang", **changes),
    )
    assert response.status_code == 422
    page = html(response)
    assert message in page
    assert 'value="katun jepang"' in page  # the attribute typed is kept
    if changes.get("price_idr"):
        assert f'value="{changes["price_idr"]}"' in page
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_every_attribute_error_shows_at_once_with_the_form_errors(web):
    shop = make_shop()
    web.login(shop.owner)
    response = web.post(
        f"/usaha/{shop.business.slug}/produk/baru",
        form_for(shop, title="", attr_material="", attr_sni_number=""),
    )
    page = html(response)
    assert "Nama produk wajib diisi." in page
    assert "Bahan wajib diisi." in page and "Nomor sertifikat SNI wajib diisi." in page


def test_category_refresh_rerenders_the_attribute_fields_without_saving(web):
    shop = make_shop()
    web.login(shop.owner)
    response = web.post(
        f"/usaha/{shop.business.slug}/produk/baru",
        form_for(shop, category="ternak", refresh="1", title="Kambing Etawa jantan"),
    )
    assert response.status_code == 200
    page = html(response)
    assert 'id="attribute-fields"><fieldset class="attribute-fields" data-category="ternak"' in page
    assert 'id="attr_species" name="attr_species"><option value="">— Pilih —</option>' in page
    assert 'id="attr_qurban_eligible" name="attr_qurban_eligible" type="checkbox"' in page
    assert 'name="attr_sni_number"' not in page.split("<template")[0]  # the toy fields are gone
    assert "Harga per kg memerlukan bobot hidup" in page  # the category's note
    assert 'value="Kambing Etawa jantan"' in page
    assert "wajib diisi" not in page  # nothing was validated
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_livestock_listing_with_qurban_rule(web):
    shop = make_shop()
    web.login(shop.owner)
    goat = {
        **form_for(shop, action="draft"),
        "title": "Kambing Etawa jantan",
        "category": "ternak",
        "unit": "ekor",
        "price_idr": "95.000",
        "attr_species": "kambing",
        "attr_breed": "Peranakan Etawa",
        "attr_sex": "jantan",
        "attr_age_months": "10",
        "attr_price_basis": "per_kg",
        "attr_qurban_eligible": "y",
    }
    page = html(web.post(f"/usaha/{shop.business.slug}/produk/baru", goat))
    assert "Hewan kurban harus berumur minimal 12 bulan." in page
    assert "Harga per kg butuh bobot hidup" in page
    response = web.post(
        f"/usaha/{shop.business.slug}/produk/baru",
        {**goat, "attr_age_months": "14", "attr_live_weight_kg": "32,5"},
    )
    assert response.status_code == 302
    assert only_product().attributes["live_weight_kg"] == 32.5


def test_cooperative_must_be_one_where_the_business_is_an_active_member(web):
    shop = make_shop()
    other = make_cooperative()
    make_membership(other, shop.business, MembershipStatus.PENDING)
    web.login(shop.owner)
    page = html(web.get(f"/usaha/{shop.business.slug}/produk/baru"))
    assert f'<option value="{shop.cooperative.id}"' in page and f'<option value="{other.id}"' not in page
    for cooperative_id in (str(other.id), ""):
        response = web.post(
            f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, cooperative_id=cooperative_id)
        )
        assert response.status_code == 422
    assert "Usaha Anda bukan anggota aktif koperasi itu." in html(
        web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, cooperative_id=str(other.id)))
    )
    assert "Pilih koperasi tempat produk ini dijual." in html(
        web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, cooperative_id=""))
    )
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_business_without_active_membership_lists_without_a_cooperative(web):
    owner = make_user()
    business = make_business(owner)
    web.login(owner)
    page = html(web.get(f"/usaha/{business.slug}/produk/baru"))
    assert "belum menjadi anggota aktif koperasi" in page and "Tayangkan sekarang" in page
    response = web.post(f"/usaha/{business.slug}/produk/baru", {**DOLL_FORM, "action": "submit"})
    assert response.status_code == 302
    product = only_product()
    assert product.cooperative_id is None and product.status is ProductStatus.ACTIVE


# --- editing and the review rules ---------------------------------------------------------------------------


def test_price_and_stock_changes_keep_an_approved_listing_on_sale(web):
    shop = make_shop()
    product = listed(shop, reviewed_at=utcnow())
    web.login(shop.owner)
    response = web.post(
        f"/produk/{product.id}/ubah",
        form_for(
            shop, price_idr="90.000", stock="4", min_order_qty="1", low_stock_threshold="5", preorder="y"
        ),
    )
    assert response.status_code == 302, html(response)
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE
    assert (product.price_idr, product.stock, product.preorder, product.low_stock_threshold) == (
        90_000,
        4,
        True,
        5,
    )


def test_saving_the_form_does_not_undo_stock_sold_meanwhile(web):
    shop = make_shop(requires_approval=False)
    product = listed(shop, stock=10)
    web.login(shop.owner)
    page = html(web.get(f"/produk/{product.id}/ubah"))
    assert 'name="stock_seen" type="hidden" value="10"' in page
    product.stock = 8  # two sold while the seller was typing
    db.session.commit()
    web.post(f"/produk/{product.id}/ubah", form_for(shop, stock="10", stock_seen="10", description="Baru."))
    db.session.refresh(product)
    assert product.stock == 8 and product.description == "Baru."
    web.post(f"/produk/{product.id}/ubah", form_for(shop, stock="20", stock_seen="8"))
    db.session.refresh(product)
    assert product.stock == 20  # a count the seller typed wins


def test_content_changes_send_an_active_listing_back_for_review(web):
    shop = make_shop()
    product = listed(shop, reviewed_at=utcnow())
    web.login(shop.owner)
    response = web.post(f"/produk/{product.id}/ubah", form_for(shop, title="Boneka Beruang Jumbo 60 cm"))
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW and product.submitted_at is not None
    assert product.slug == "boneka-beruang-jumbo-60-cm"
    assert "menunggu persetujuan pengurus" in html(web.get(response.headers["Location"]))


def test_content_changes_in_a_cooperative_without_approval_stay_on_sale(web):
    shop = make_shop(requires_approval=False)
    product = listed(shop)
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/ubah", form_for(shop, title="Boneka Beruang Jumbo 60 cm"))
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE and product.title == "Boneka Beruang Jumbo 60 cm"


def test_manager_approves_and_the_listing_goes_public(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PENDING_REVIEW, submitted_at=utcnow())
    web.login(shop.chair)
    queue = html(web.get(f"/koperasi/{shop.cooperative.slug}/tinjauan-produk"))
    assert product.title in queue and "Boneka Ceria" in queue
    assert web.post(f"/produk/{product.id}/setujui").status_code == 302
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE
    assert product.reviewed_by_id == shop.chair.id and product.reviewed_at is not None
    assert f'id="produk-{product.id}"' not in html(
        web.get(f"/koperasi/{shop.cooperative.slug}/tinjauan-produk")
    )
    web.logout()
    assert web.get(f"/produk/{product.id}-{product.slug}").status_code == 200


def test_rejection_needs_a_reason_the_owner_sees_and_can_resubmit(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PENDING_REVIEW, submitted_at=utcnow())
    web.login(shop.chair)
    web.post(f"/produk/{product.id}/tolak", {"reason": "   "})
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW
    web.post(f"/produk/{product.id}/tolak", {"reason": "Foto buram; tulis nomor SNI lengkap."})
    db.session.refresh(product)
    assert product.status is ProductStatus.REJECTED
    assert product.review_note == "Foto buram; tulis nomor SNI lengkap."
    web.logout()

    web.login(shop.owner)
    assert "Foto buram; tulis nomor SNI lengkap." in html(web.get(f"/usaha/{shop.business.slug}/produk"))
    edit = html(web.get(f"/produk/{product.id}/ubah"))
    assert "Foto buram; tulis nomor SNI lengkap." in edit and "Simpan & ajukan ulang" in edit
    assert "1 produk ditolak pengurus" in html(web.get("/saya"))
    # "Simpan saja" keeps a half-done fix (and the reason) with the owner ...
    web.post(
        f"/produk/{product.id}/ubah",
        form_for(shop, description="Foto baru, nomor SNI lengkap.", action="save"),
    )
    db.session.refresh(product)
    assert product.status is ProductStatus.REJECTED
    assert product.review_note == "Foto buram; tulis nomor SNI lengkap."
    assert product.description == "Foto baru, nomor SNI lengkap."
    # ... "Simpan & ajukan ulang" sends it back to the manager.
    web.post(
        f"/produk/{product.id}/ubah",
        form_for(shop, description="Foto baru, nomor SNI lengkap.", action="submit"),
    )
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW and product.review_note is None


def test_rejected_listing_with_only_a_price_change_stays_rejected_until_resubmitted(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.REJECTED, review_note="Harga terlalu mahal")
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/ubah", form_for(shop, price_idr="70.000", action="save"))
    db.session.refresh(product)
    assert product.status is ProductStatus.REJECTED and product.price_idr == 70_000
    assert web.post(f"/produk/{product.id}/ajukan").status_code == 302
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW


def test_a_manager_reviews_only_their_own_cooperatives_listings(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PENDING_REVIEW)
    other_chair = make_user("Ketua Lain")
    other = make_cooperative(other_chair)
    web.login(other_chair)
    # A submission is hidden from other cooperatives' managers altogether.
    assert web.get(f"/produk/{product.id}-{product.slug}").status_code == 404
    assert web.post(f"/produk/{product.id}/setujui").status_code == 404
    assert web.post(f"/produk/{product.id}/tolak", {"reason": "tidak suka"}).status_code == 404
    assert web.get(f"/koperasi/{shop.cooperative.slug}/tinjauan-produk").status_code == 403
    assert product.title not in html(web.get(f"/koperasi/{other.slug}/tinjauan-produk"))
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW
    # The owner cannot approve their own listing either.
    web.logout()
    web.login(shop.owner)
    assert web.post(f"/produk/{product.id}/setujui").status_code == 403


def test_approving_something_not_pending_is_refused(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.ACTIVE)
    web.login(shop.chair)
    response = web.post(f"/produk/{product.id}/setujui")
    assert "tidak sedang menunggu persetujuan" in html(web.get(response.headers["Location"]))


# --- who may see and change what ----------------------------------------------------------------------------


def test_another_owner_cannot_see_or_edit_a_draft(web):
    shop = make_shop()
    draft = listed(shop, status=ProductStatus.DRAFT)
    intruder = make_user("Pemilik Lain")
    make_business(intruder)
    web.login(intruder)
    assert web.get(f"/produk/{draft.id}-{draft.slug}").status_code == 404
    assert web.get(f"/produk/{draft.id}/ubah").status_code == 404
    assert web.post(f"/produk/{draft.id}/ubah", form_for(shop, title="Dibajak")).status_code == 404
    assert web.post(f"/produk/{draft.id}/hapus").status_code == 404
    assert web.post(f"/produk/{draft.id}/ajukan").status_code == 404
    assert web.get(f"/usaha/{shop.business.slug}/produk").status_code == 403
    assert web.get(f"/usaha/{shop.business.slug}/produk/baru").status_code == 403
    db.session.refresh(draft)
    assert draft.title == "Boneka Beruang Rajut 30 cm" and draft.status is ProductStatus.DRAFT


def test_another_owner_is_refused_changes_to_a_public_listing(web):
    shop = make_shop()
    product = listed(shop)
    web.login(make_user("Pemilik Lain"))
    assert web.get(f"/produk/{product.id}-{product.slug}").status_code == 200
    assert web.get(f"/produk/{product.id}/ubah").status_code == 403
    assert web.post(f"/produk/{product.id}/jeda").status_code == 403
    assert web.post(f"/produk/{product.id}/hapus").status_code == 403
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_the_cooperative_manager_does_not_see_drafts_but_sees_submissions(web):
    shop = make_shop()
    draft = listed(shop, status=ProductStatus.DRAFT)
    pending = listed(shop, status=ProductStatus.PENDING_REVIEW, title="Boneka Kelinci", slug="boneka-kelinci")
    web.login(shop.chair)
    assert web.get(f"/produk/{draft.id}-{draft.slug}").status_code == 404
    assert web.get(f"/produk/{pending.id}-{pending.slug}").status_code == 200
    assert web.get(f"/produk/{pending.id}/ubah").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(web):
    shop = make_shop()
    product = listed(shop)
    for url in (
        f"/usaha/{shop.business.slug}/produk",
        f"/produk/{product.id}/ubah",
        f"/koperasi/{shop.cooperative.slug}/tinjauan-produk",
    ):
        response = web.get(url)
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]


def test_admin_may_manage_and_review(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PENDING_REVIEW)
    web.login(make_user("Admin", is_admin=True))
    assert web.get(f"/produk/{product.id}/ubah").status_code == 200
    assert web.post(f"/produk/{product.id}/setujui").status_code == 302
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_posts_without_csrf_token_are_refused(web):
    shop = make_shop()
    product = listed(shop)
    web.login(shop.owner)
    assert web.post(f"/produk/{product.id}/jeda", csrf=False).status_code == 400
    assert web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop), csrf=False).status_code == 400
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_a_suspended_business_cannot_list(web):
    shop = make_shop()
    draft = listed(shop, status=ProductStatus.DRAFT)
    shop.business.suspended_at = utcnow()
    db.session.commit()
    web.login(shop.owner)
    response = web.get(f"/usaha/{shop.business.slug}/produk/baru")
    assert response.status_code == 302
    assert "ditangguhkan" in html(web.get(response.headers["Location"]))
    assert (
        web.post(f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, action="submit")).status_code
        == 302
    )
    web.post(f"/produk/{draft.id}/ajukan")
    assert db.session.scalar(select(func.count(Product.id))) == 1
    db.session.refresh(draft)
    assert draft.status is ProductStatus.DRAFT
    with pytest.raises(DomainError, match="ditangguhkan"):
        services.submit_product(shop.owner, draft)


# --- pause, resume, withdraw, delete ------------------------------------------------------------------------


def test_pause_and_resume(web):
    shop = make_shop()
    product = listed(shop, reviewed_at=utcnow())
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/jeda")
    db.session.refresh(product)
    assert product.status is ProductStatus.PAUSED
    web.logout()
    assert web.get(f"/produk/{product.id}-{product.slug}").status_code == 404
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/lanjutkan")
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_resuming_goes_back_live_without_a_new_review(web):
    # Pausing changes no content (an edit while paused goes to review), so what resumes is what was live —
    # also for a listing published before the cooperative began approving listings.
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PAUSED, reviewed_at=None)
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/lanjutkan")
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_resuming_after_leaving_the_cooperative_is_refused(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PAUSED, reviewed_at=utcnow())
    membership = shop.business.memberships[0]
    membership.status = MembershipStatus.WITHDRAWN
    other = make_cooperative()
    make_membership(other, shop.business)
    db.session.commit()
    web.login(shop.owner)
    response = web.post(f"/produk/{product.id}/lanjutkan")
    assert "bukan lagi anggota aktif" in html(web.get(response.headers["Location"]))
    db.session.refresh(product)
    assert product.status is ProductStatus.PAUSED


def test_withdrawing_a_submission_makes_it_a_draft(web):
    shop = make_shop()
    product = listed(shop, status=ProductStatus.PENDING_REVIEW)
    web.login(shop.owner)
    web.post(f"/produk/{product.id}/tarik")
    db.session.refresh(product)
    assert product.status is ProductStatus.DRAFT


def test_delete_asks_first_and_deletes_the_row(web):
    shop = make_shop()
    product = listed(shop)
    web.login(shop.owner)
    confirm = web.get(f"/produk/{product.id}/hapus")
    assert confirm.status_code == 200 and "Hapus produk ini?" in html(confirm)
    assert db.session.get(Product, product.id) is not None  # a GET deletes nothing
    response = web.post(f"/produk/{product.id}/hapus")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Product.id))) == 0
    assert "dihapus" in html(web.get(response.headers["Location"]))


# --- the state machine --------------------------------------------------------------------------------------


def test_the_state_machine_refuses_illegal_moves():
    product = make_product(status=ProductStatus.DRAFT)
    for illegal in (ProductStatus.PAUSED, ProductStatus.REJECTED, ProductStatus.DRAFT):
        with pytest.raises(DomainError):
            services.transition(product, illegal)
    product = make_product(status=ProductStatus.ACTIVE, slug="lain")
    with pytest.raises(DomainError):
        services.transition(product, ProductStatus.REJECTED)
    with pytest.raises(DomainError):
        services.transition(product, ProductStatus.DRAFT)
    pending = make_product(status=ProductStatus.PENDING_REVIEW, slug="tiga")
    with pytest.raises(DomainError, match="alasan"):
        services.transition(pending, ProductStatus.REJECTED, reviewer=make_user())  # no reason
    assert pending.status is ProductStatus.PENDING_REVIEW


def test_every_status_is_in_the_transition_table():
    assert set(services.PRODUCT_TRANSITIONS) == {None, *ProductStatus}
    reachable = set().union(*services.PRODUCT_TRANSITIONS.values())
    assert reachable == set(ProductStatus)


def test_pause_is_only_for_listings_on_sale():
    shop = make_shop()
    draft = listed(shop, status=ProductStatus.DRAFT)
    with pytest.raises(DomainError, match="sedang tayang"):
        services.pause_product(shop.owner, draft)


def test_preorder_listings_are_public_at_zero_stock():
    shop = make_shop()
    preorder = listed(shop, stock=0, preorder=True)
    sold_out = listed(shop, stock=0, slug="habis")
    assert services.is_public(preorder) and not services.is_public(sold_out)
    shop.cooperative.suspended_at = utcnow()
    assert not services.is_public(preorder)


# --- the owner's list and "my space" ------------------------------------------------------------------------


def test_product_list_counts_and_highlights_low_stock(web):
    shop = make_shop()
    listed(shop, title="Boneka Hampir Habis", slug="a", stock=2, low_stock_threshold=5)
    listed(shop, title="Boneka Stok Banyak", slug="b", stock=50)
    listed(shop, title="Boneka Pesanan", slug="c", stock=0, preorder=True)
    web.login(shop.owner)
    page = html(web.get(f"/usaha/{shop.business.slug}/produk"))
    assert "1 produk stoknya menipis" in page
    assert page.count("is-low-stock") == 1
    assert "Rp85.000" in page and "Pre-order" in page
    low = html(web.get(f"/usaha/{shop.business.slug}/produk?stok=menipis"))
    assert "Boneka Hampir Habis" in low and "Boneka Stok Banyak" not in low
    my_space = html(web.get("/saya"))
    assert f"/usaha/{shop.business.slug}/produk" in my_space
    assert "Kelola produk (3)" in my_space and "1 produk stoknya menipis" in my_space


def test_status_filter(web):
    shop = make_shop()
    listed(shop, title="Boneka Tayang", slug="a")
    listed(shop, title="Boneka Draf", slug="b", status=ProductStatus.DRAFT)
    web.login(shop.owner)
    page = html(web.get(f"/usaha/{shop.business.slug}/produk?status=draft"))
    assert "Boneka Draf" in page and "Boneka Tayang" not in page
    assert "Tayang (1)" in page and "Draf (1)" in page and "Semua (2)" in page


def test_my_space_links_the_review_queue_with_its_count(web):
    shop = make_shop()
    listed(shop, status=ProductStatus.PENDING_REVIEW)
    web.login(shop.chair)
    page = html(web.get("/saya"))
    assert f"/koperasi/{shop.cooperative.slug}/tinjauan-produk" in page
    assert 'Tinjau produk <span class="badge">1</span>' in page


def test_product_list_does_not_query_per_product(web):
    from tests.marketplace.test_query_counts import counting_queries

    shop = make_shop()
    web.login(shop.owner)

    def queries() -> int:
        with counting_queries() as counter:
            assert web.get(f"/usaha/{shop.business.slug}/produk").status_code == 200
        return counter["n"]

    listed(shop, slug="a")
    db.session.commit()
    few = queries()
    for n in range(8):
        cooperative = make_cooperative() if n % 2 else shop.cooperative
        make_product(shop.business, slug=f"p{n}", cooperative=cooperative, stock=n)
    db.session.commit()
    assert queries() == few


# (url builder, who gets the page); everybody else signed in gets 403, anonymous visitors the login page.
MANAGEMENT_PAGES = {
    "product list": (lambda s, p: f"/usaha/{s.business.slug}/produk", {"owner", "admin"}),
    "new product": (lambda s, p: f"/usaha/{s.business.slug}/produk/baru", {"owner", "admin"}),
    "edit product": (lambda s, p: f"/produk/{p.id}/ubah", {"owner", "admin"}),
    "delete product": (lambda s, p: f"/produk/{p.id}/hapus", {"owner", "admin"}),
    "import": (lambda s, p: f"/usaha/{s.business.slug}/produk/impor", {"owner", "admin"}),
    "template": (lambda s, p: f"/usaha/{s.business.slug}/produk/templat.csv", {"owner", "admin"}),
    "review queue": (lambda s, p: f"/koperasi/{s.cooperative.slug}/tinjauan-produk", {"manager", "admin"}),
}


@pytest.mark.parametrize("actor", ["anonymous", "buyer", "other_owner", "manager", "owner", "admin"])
@pytest.mark.parametrize("page", list(MANAGEMENT_PAGES))
def test_management_pages_permission_matrix(web, page, actor):
    shop = make_shop()
    product = listed(shop)
    other_owner = make_user("Pemilik Lain")
    make_business(other_owner)
    users = {
        "anonymous": None,
        "buyer": make_user("Pembeli"),
        "other_owner": other_owner,
        "manager": shop.chair,
        "owner": shop.owner,
        "admin": make_user("Admin", is_admin=True),
    }
    url_of, allowed = MANAGEMENT_PAGES[page]
    if users[actor] is not None:
        web.login(users[actor])
    response = web.get(url_of(shop, product))
    if actor == "anonymous":
        assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    else:
        assert response.status_code == (200 if actor in allowed else 403), f"{actor} on {page}"


# --- leaving the cooperative ------------------------------------------------------------------------------


def _membership(shop: Shop):  # type: ignore[no-untyped-def]
    from marketplace.cooperatives.models import Membership

    return db.session.scalars(
        select(Membership).where(
            Membership.business_id == shop.business.id, Membership.cooperative_id == shop.cooperative.id
        )
    ).one()


def test_a_removed_member_stops_selling_under_the_cooperative(web):
    shop = make_shop()
    live = listed(shop, reviewed_at=utcnow())
    waiting = listed(
        shop, status=ProductStatus.PENDING_REVIEW, title="Boneka Menunggu", slug="boneka-menunggu"
    )
    draft = listed(shop, status=ProductStatus.DRAFT, title="Boneka Draf", slug="boneka-draf")
    web.login(shop.chair)
    response = web.post(f"/keanggotaan/{_membership(shop).id}/keluarkan", {"reason": "Tidak aktif setahun"})
    assert response.status_code == 302
    for product in (live, waiting, draft):
        db.session.refresh(product)
    assert (live.status, waiting.status, draft.status) == (
        ProductStatus.PAUSED,
        ProductStatus.DRAFT,
        ProductStatus.DRAFT,
    )
    assert live.title not in html(web.get(f"/koperasi/{shop.cooperative.slug}"))
    web.logout()
    assert web.get(f"/produk/{live.id}-{live.slug}").status_code == 404


def test_a_member_who_leaves_takes_their_listings_off_sale(web):
    shop = make_shop()
    live = listed(shop, reviewed_at=utcnow())
    web.login(shop.owner)
    assert web.post(f"/keanggotaan/{_membership(shop).id}/mundur").status_code == 302
    db.session.refresh(live)
    assert live.status is ProductStatus.PAUSED
    # Resuming under a cooperative it left is refused with a clear message.
    web.post(f"/produk/{live.id}/lanjutkan")
    db.session.refresh(live)
    assert live.status is ProductStatus.PAUSED


def test_a_manager_cannot_approve_a_listing_of_a_business_that_left(web):
    from marketplace.cooperatives.models import MembershipStatus

    shop = make_shop()
    waiting = listed(shop, status=ProductStatus.PENDING_REVIEW, submitted_at=utcnow())
    _membership(shop).status = MembershipStatus.REMOVED  # e.g. removed in another tab meanwhile
    db.session.commit()
    web.login(shop.chair)
    web.post(f"/produk/{waiting.id}/setujui")
    db.session.refresh(waiting)
    assert waiting.status is ProductStatus.PENDING_REVIEW


def test_a_nul_character_in_a_form_is_refused_cleanly(web):
    shop = make_shop()
    web.login(shop.owner)
    response = web.post(
        f"/usaha/{shop.business.slug}/produk/baru", form_for(shop, title="Boneka\x00 Beruang")
    )
    assert response.status_code == 400
    assert db.session.scalars(select(Product)).first() is None
