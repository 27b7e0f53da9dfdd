"""Bulk price and stock update through the web: template download, preview, all-or-nothing apply."""

import codecs
import io
import re

import pytest

from marketplace.catalog import bulk
from marketplace.catalog.models import ProductStatus
from marketplace.clock import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import make_business, make_product, make_user

_PLAN = re.compile(r'name="plan" type="hidden" value="([^"]+)"')


@pytest.fixture
def seller():  # type: ignore[no-untyped-def]
    owner = make_user("Dewi Lestari")
    business = make_business(owner, "Boneka Ceria")
    bear = make_product(business, "Boneka Beruang", slug="beruang", price_idr=85_000, stock=10)
    rabbit = make_product(
        business, "Boneka Kelinci", slug="kelinci", price_idr=60_000, stock=3, status=ProductStatus.DRAFT
    )
    return owner, business, bear, rabbit


def upload(web, business, text: str, *, bom: bool = True):  # type: ignore[no-untyped-def]
    data = (codecs.BOM_UTF8 if bom else b"") + text.replace("\n", "\r\n").encode("utf-8")
    return web.post(
        f"/usaha/{business.slug}/produk/impor",
        {"file": (io.BytesIO(data), "produk.csv")},
        content_type="multipart/form-data",
    )


def plan_token(response) -> str:  # type: ignore[no-untyped-def]
    match = _PLAN.search(html(response))
    assert match, "no confirm form on the preview"
    return match.group(1)


def test_owner_downloads_the_template_of_their_products_only(web, seller):
    owner, business, bear, rabbit = seller
    make_product(make_business(make_user()), "Produk Orang Lain", slug="lain")
    web.login(owner)
    response = web.get(f"/usaha/{business.slug}/produk/templat.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="produk-{business.slug}.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(codecs.BOM_UTF8)
    assert response.data.decode("utf-8-sig").splitlines() == [
        "id;title;price_idr;stock",
        f"{bear.id};Boneka Beruang;85000;10",
        f"{rabbit.id};Boneka Kelinci;60000;3",
    ]


def test_preview_then_confirm_applies_every_change(web, seller):
    owner, business, bear, rabbit = seller
    web.login(owner)
    text = (
        f"id;title;price_idr;stock\n{bear.id};Boneka Beruang;90.000;8\n{rabbit.id};Boneka Kelinci;60000;25\n"
    )
    preview = upload(web, business, text)
    assert preview.status_code == 200
    page = html(preview)
    assert "<s>Rp85.000</s> → <strong>Rp90.000</strong>" in page
    assert "<s>10</s> → <strong>8</strong>" in page and "<s>3</s> → <strong>25</strong>" in page
    assert "Terapkan ke 2 produk" in page
    db.session.refresh(bear)
    assert (bear.price_idr, bear.stock) == (85_000, 10)  # a preview changes nothing

    response = web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": plan_token(preview)})
    assert response.status_code == 302 and response.headers["Location"] == f"/usaha/{business.slug}/produk"
    assert "Harga dan stok 2 produk diperbarui." in html(web.get(response.headers["Location"]))
    db.session.refresh(bear)
    db.session.refresh(rabbit)
    assert (bear.price_idr, bear.stock, rabbit.price_idr, rabbit.stock) == (90_000, 8, 60_000, 25)
    assert bear.status is ProductStatus.ACTIVE  # price and stock need no new review


def test_row_errors_are_shown_and_nothing_can_be_applied(web, seller):
    owner, business, bear, rabbit = seller
    foreign = make_product(make_business(make_user()), "Produk Orang Lain", slug="lain")
    web.login(owner)
    text = (
        "id,title,price_idr,stock\n"
        f"{bear.id},Boneka Beruang,90000,8\n"
        f"{foreign.id},entah,1000,1\n"
        f"{rabbit.id},Boneka Kelinci,60000.50,-2\n"
        f"{bear.id},lagi,91000,8\n"
        "999999,tidak ada,1000,1\n"
    )
    response = upload(web, business, text, bom=False)
    assert response.status_code == 422
    page = html(response)
    assert "Tidak ada yang diubah." in page
    assert f"Tidak ada produk dengan id {foreign.id} di usaha ini." in page
    assert "Tidak ada produk dengan id 999999 di usaha ini." in page
    assert "Harga: Tulis harga dalam rupiah bulat tanpa sen" in page and "Stok: Tidak boleh negatif." in page
    assert f"id {bear.id} muncul dua kali (juga di baris 2)." in page
    assert "Produk Orang Lain" not in page.replace(
        f"Tidak ada produk dengan id {foreign.id}", ""
    )  # not revealed
    assert _PLAN.search(page) is None
    db.session.refresh(bear)
    assert (bear.price_idr, bear.stock) == (85_000, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id;title;harga\n1;x;1000\n", "Kolom stock tidak ditemukan"),
        (
            "id;title;price_idr;stock\n1;Bon\u00e9ka;1000;1\n".encode("latin-1"),
            "Berkas bukan teks UTF-8 (baris 2)",
        ),
        (b"PK\x03\x04rest-of-a-zip", "berkas Excel (.xlsx), bukan CSV"),
    ],
)
def test_file_errors_are_explained(web, seller, data, message):
    owner, business, *_ = seller
    web.login(owner)
    response = web.post(
        f"/usaha/{business.slug}/produk/impor",
        {"file": (io.BytesIO(data), "produk.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in html(response)


def test_a_file_without_changes_offers_nothing_to_apply(web, seller):
    owner, business, bear, _rabbit = seller
    web.login(owner)
    page = html(upload(web, business, f"id;title;price_idr;stock\n{bear.id};x;85000;10\n"))
    assert "Berkas ini tidak mengubah harga atau stok apa pun." in page and _PLAN.search(page) is None


def test_nothing_is_applied_when_a_product_changed_since_the_preview(web, seller):
    owner, business, bear, rabbit = seller
    web.login(owner)
    text = f"id;title;price_idr;stock\n{bear.id};x;90000;8\n{rabbit.id};x;65000;30\n"
    token = plan_token(upload(web, business, text))
    rabbit.stock = 2  # an order took one meanwhile
    db.session.commit()
    response = web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": token})
    page = html(web.get(response.headers["Location"]))
    assert "Harga atau stok 1 produk berubah sejak pratinjau (antara lain Boneka Kelinci)" in page
    db.session.refresh(bear)
    db.session.refresh(rabbit)
    assert (bear.price_idr, bear.stock, rabbit.price_idr, rabbit.stock) == (85_000, 10, 60_000, 2)


def test_the_confirm_step_does_not_trust_an_altered_or_foreign_plan(web, app, seller):
    owner, business, bear, _rabbit = seller
    other_owner = make_user("Pemilik Lain")
    other_business = make_business(other_owner)
    web.login(owner)
    forged = bulk.sign_plan(
        [(bear.id, 85_000, 1, 10, 0)], business_id=bear.business_id, secret="bukan-kunci-kita"
    )
    response = web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": forged})
    assert "Pratinjau tidak sah." in html(web.get(response.headers["Location"]))
    # A genuine plan of another business cannot be replayed against this one, nor the other way round.
    theirs = bulk.sign_plan(
        [(bear.id, 85_000, 1, 10, 0)], business_id=other_business.id, secret=app.secret_key
    )
    response = web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": theirs})
    assert "Pratinjau tidak sah." in html(web.get(response.headers["Location"]))
    web.logout()
    web.login(other_owner)
    ours = bulk.sign_plan([(bear.id, 85_000, 1, 10, 0)], business_id=other_business.id, secret=app.secret_key)
    response = web.post(f"/usaha/{other_business.slug}/produk/impor/terapkan", {"plan": ours})
    assert "sudah tidak ada" in html(web.get(response.headers["Location"]))
    db.session.refresh(bear)
    assert (bear.price_idr, bear.stock) == (85_000, 10)


def test_others_and_suspended_businesses_are_refused(web, seller):
    owner, business, bear, _rabbit = seller
    web.login(make_user("Pemilik Lain"))
    assert web.get(f"/usaha/{business.slug}/produk/templat.csv").status_code == 403
    assert web.get(f"/usaha/{business.slug}/produk/impor").status_code == 403
    assert web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": "x"}).status_code == 403
    web.logout()
    business.suspended_at = utcnow()
    db.session.commit()
    with pytest.raises(DomainError):
        bulk.apply_plan(owner, business, [(bear.id, 85_000, 1, 10, 0)])
    web.login(owner)
    assert web.get(f"/usaha/{business.slug}/produk/impor").status_code == 302


def test_confirm_needs_the_csrf_token(web, seller, app):
    owner, business, bear, _rabbit = seller
    web.login(owner)
    token = bulk.sign_plan([(bear.id, 85_000, 1, 10, 0)], business_id=business.id, secret=app.secret_key)
    response = web.post(f"/usaha/{business.slug}/produk/impor/terapkan", {"plan": token}, csrf=False)
    assert response.status_code == 400
    db.session.refresh(bear)
    assert bear.price_idr == 85_000


def test_the_import_page_explains_the_steps(web, seller):
    owner, business, *_ = seller
    web.login(owner)
    page = html(web.get(f"/usaha/{business.slug}/produk/impor"))
    assert f"/usaha/{business.slug}/produk/templat.csv" in page
    assert "Jangan ubah kolom id." in page and "Paling banyak 5.000 baris produk." in page
