"""Product photos: checked and re-encoded uploads in two sizes, cover, order, deletion with the files."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalog import photos
from marketplace.catalog.models import MAX_PHOTOS, Product, ProductPhoto, ProductStatus
from marketplace.clock import utcnow
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import (
    make_business,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_product,
    make_user,
)


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # Product ids repeat from test to test (every test rolls back), so each test gets its own folder.
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    owner = make_user("Dewi Lestari")
    business = make_business(owner)
    cooperative = make_cooperative(requires_listing_approval=True)
    make_membership(cooperative, business)
    product = make_product(business, cooperative=cooperative, status=ProductStatus.DRAFT)
    return owner, product


def upload_root(app) -> Path:  # type: ignore[no-untyped-def]
    return Path(app.config["UPLOAD_FOLDER"])


def post_photos(web, product, *files):  # type: ignore[no-untyped-def]
    return web.post(
        f"/produk/{product.id}/foto",
        {"photos": [(io.BytesIO(data), name) for data, name in files]},
        content_type="multipart/form-data",
    )


def stored(product) -> list[ProductPhoto]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(ProductPhoto).where(ProductPhoto.product_id == product.id).order_by(ProductPhoto.position)
        )
    )


def test_jpeg_with_exif_is_stored_as_clean_webp_in_two_sizes(web, app, shop):
    owner, product = shop
    original = make_photo_bytes("JPEG", (2400, 1800), exif=True)
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "GotongCam"  # the upload does carry EXIF
    web.login(owner)
    response = post_photos(web, product, (original, "kamera.jpg"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/produk/{product.id}/ubah#foto"
    [photo] = stored(product)
    assert photo.path.startswith(f"products/{product.id}/") and photo.path.endswith(".webp")
    assert (photo.width, photo.height, photo.position) == (1200, 900, 0)
    db.session.refresh(product)
    assert product.cover_thumb == photo.thumb_path
    root = upload_root(app)
    with Image.open(root / photo.path) as large, Image.open(root / photo.thumb_path) as thumb:
        assert large.format == "WEBP" and thumb.format == "WEBP"
        assert large.size == (1200, 900) and thumb.size == (400, 300)
        for image in (large, thumb):
            assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
            assert dict(image.getexif()) == {}
    assert b"GotongCam" not in (root / photo.path).read_bytes()
    media = web.get(f"/media/{photo.thumb_path}")
    assert media.status_code == 200 and media.mimetype == "image/webp"
    media.close()
    assert "1 foto ditambahkan." in html(web.get(response.headers["Location"]))


def test_several_photos_in_one_upload_and_content_sniffing(web, shop):
    owner, product = shop
    web.login(owner)
    response = post_photos(
        web,
        product,
        (make_photo_bytes("PNG", (300, 500)), "depan.png"),
        (make_photo_bytes("WEBP", (640, 480)), "samping.webp"),
        (make_photo_bytes("PNG", (200, 200)), "sebenarnya-png.jpg"),  # a PNG named .jpg: we read the content
    )
    assert response.status_code == 302
    assert [(p.position, p.width, p.height) for p in stored(product)] == [
        (0, 300, 500),
        (1, 640, 480),
        (2, 200, 200),
    ]
    assert "3 foto ditambahkan." in html(web.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"Ini hanya catatan harga, bukan foto.", "foto.jpg", "Berkas ini bukan gambar yang bisa dibaca."),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "Berkas SVG bukan gambar yang diterima.",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "menyamar.png", "Berkas SVG bukan gambar"),
        (make_photo_bytes("GIF", (50, 50)), "animasi.gif", "Hanya gambar JPEG, PNG atau WebP yang diterima."),
        (make_photo_bytes("JPEG")[:200], "terpotong.jpg", "Berkas ini bukan gambar yang bisa dibaca."),
        (b"", "kosong.jpg", None),
    ],
)
def test_bad_uploads_are_refused_clearly_and_leave_nothing(web, app, shop, payload, name, message):
    owner, product = shop
    web.login(owner)
    response = post_photos(web, product, (payload, name))
    assert response.status_code == 302
    page = html(web.get(response.headers["Location"]))
    if message:
        assert f"{name} tidak diunggah: {message}" in page
    else:
        assert "Pilih foto yang akan diunggah." in page or "Berkas kosong." in page
    assert stored(product) == []
    assert not (upload_root(app) / "products" / str(product.id)).exists()


def test_oversized_photo_is_refused(web, app, shop, monkeypatch):
    owner, product = shop
    # (Kept under 500 kB: larger bodies make the test client spool them to a file it never closes.)
    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 256 * 1024)
    noise = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
    big = io.BytesIO()
    noise.save(big, "PNG")
    assert 256 * 1024 < len(big.getvalue()) < 400 * 1024
    web.login(owner)
    response = post_photos(web, product, (big.getvalue(), "besar.png"))
    assert "besar.png tidak diunggah: Berkas terlalu besar. Ukuran maksimal 0,25 MB." in html(
        web.get(response.headers["Location"])
    )
    assert stored(product) == []


def test_the_default_photo_limit_is_5_mb(app):
    assert app.config["MAX_PHOTO_BYTES"] == 5 * 1024 * 1024


def test_a_request_over_the_upload_limit_returns_to_the_form(web, app, shop, monkeypatch):
    owner, product = shop
    web.login(owner)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    response = post_photos(web, product, (b"x" * 60_000, "besar.jpg"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/produk/{product.id}/ubah#foto"
    assert "Kiriman terlalu besar" in html(web.get(response.headers["Location"]))


def test_good_and_bad_files_in_one_upload(web, shop):
    owner, product = shop
    web.login(owner)
    response = post_photos(web, product, (make_photo_bytes(), "bagus.jpg"), (b"bukan gambar", "catatan.jpg"))
    page = html(web.get(response.headers["Location"]))
    assert "1 foto ditambahkan." in page and "catatan.jpg tidak diunggah" in page
    assert len(stored(product)) == 1


def test_at_most_eight_photos(web, shop):
    owner, product = shop
    web.login(owner)
    post_photos(
        web, product, *[(make_photo_bytes(size=(60, 60)), f"f{i}.jpg") for i in range(MAX_PHOTOS - 1)]
    )
    response = post_photos(
        web, product, (make_photo_bytes(size=(60, 60)), "ke8.jpg"), (make_photo_bytes(), "ke9.jpg")
    )
    page = html(web.get(response.headers["Location"]))
    assert "ke9.jpg tidak diunggah: Sudah 8 foto, batas per produk." in page
    assert len(stored(product)) == MAX_PHOTOS
    assert 'name="photos"' not in page  # the upload form is gone at the limit


def test_reorder_keeps_the_cover_on_the_first_photo(web, shop):
    owner, product = shop
    web.login(owner)
    post_photos(web, product, *[(make_photo_bytes(size=(100 + i, 100)), f"{i}.jpg") for i in range(3)])
    first, second, third = stored(product)
    web.post(f"/produk/{product.id}/foto/{third.id}/geser", {"direction": "naik"})
    assert [p.id for p in stored(product)] == [first.id, third.id, second.id]
    web.post(f"/produk/{product.id}/foto/{third.id}/geser", {"direction": "naik"})
    assert [p.id for p in stored(product)] == [third.id, first.id, second.id]
    db.session.refresh(product)
    assert product.cover_thumb == third.thumb_path
    web.post(f"/produk/{product.id}/foto/{third.id}/geser", {"direction": "naik"})  # already first: stays
    web.post(f"/produk/{product.id}/foto/{second.id}/geser", {"direction": "turun"})  # already last: stays
    assert [p.id for p in stored(product)] == [third.id, first.id, second.id]
    assert [p.position for p in stored(product)] == [0, 1, 2]
    assert (
        web.post(f"/produk/{product.id}/foto/{third.id}/geser", {"direction": "samping"}).status_code == 400
    )


def test_delete_photo_removes_its_files_and_moves_the_cover(web, app, shop):
    owner, product = shop
    web.login(owner)
    post_photos(web, product, (make_photo_bytes(), "a.jpg"), (make_photo_bytes(), "b.jpg"))
    first, second = stored(product)
    root = upload_root(app)
    first_files = [root / first.path, root / first.thumb_path]
    assert all(path.exists() for path in first_files)
    response = web.post(f"/produk/{product.id}/foto/{first.id}/hapus")
    assert response.status_code == 302
    assert not any(path.exists() for path in first_files)
    assert [(p.id, p.position) for p in stored(product)] == [(second.id, 0)]
    db.session.refresh(product)
    assert product.cover_thumb == second.thumb_path
    web.post(f"/produk/{product.id}/foto/{second.id}/hapus")
    db.session.refresh(product)
    assert product.cover_thumb is None and stored(product) == []
    assert not (root / "products" / str(product.id)).exists()


def test_deleting_a_product_deletes_its_photo_files(web, app, shop):
    owner, product = shop
    web.login(owner)
    post_photos(web, product, (make_photo_bytes(), "a.jpg"))
    [photo] = stored(product)
    root = upload_root(app)
    folder = root / "products" / str(product.id)
    files = [root / photo.path, root / photo.thumb_path]
    assert all(path.exists() for path in files)
    web.post(f"/produk/{product.id}/hapus")
    assert db.session.scalar(select(func.count(Product.id))) == 0
    assert db.session.scalar(select(func.count(ProductPhoto.id))) == 0
    assert not any(path.exists() for path in files)
    assert not folder.exists()


def test_files_of_an_upload_that_rolls_back_are_removed(app, shop):
    owner, product = shop
    result = photos.add_photos(owner, product, [("a.jpg", io.BytesIO(make_photo_bytes()))])
    [photo] = result.added
    path = upload_root(app) / photo.path
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_a_rolled_back_photo_deletion_keeps_the_files(app, shop):
    owner, product = shop
    photos.add_photos(owner, product, [("a.jpg", io.BytesIO(make_photo_bytes()))])
    db.session.commit()
    [photo] = stored(product)
    photos.delete_photo(owner, product, photo)
    db.session.rollback()
    assert (upload_root(app) / photo.path).exists()


def test_new_photos_send_an_approved_listing_back_for_review_deleting_does_not(web, shop):
    owner, product = shop
    product.status = ProductStatus.ACTIVE
    product.reviewed_at = utcnow()
    db.session.commit()
    web.login(owner)
    post_photos(web, product, (make_photo_bytes(), "a.jpg"))
    db.session.refresh(product)
    assert product.status is ProductStatus.PENDING_REVIEW
    product.status = ProductStatus.ACTIVE
    db.session.commit()
    [photo] = stored(product)
    web.post(f"/produk/{product.id}/foto/{photo.id}/hapus")
    db.session.refresh(product)
    assert product.status is ProductStatus.ACTIVE


def test_others_cannot_touch_the_photos(web, shop):
    owner, product = shop
    web.login(owner)
    post_photos(web, product, (make_photo_bytes(), "a.jpg"))
    [photo] = stored(product)
    other_product = make_product(make_business(owner), slug="lain")
    db.session.commit()
    # A photo id under another product of the same owner is not found there.
    assert web.post(f"/produk/{other_product.id}/foto/{photo.id}/hapus").status_code == 404
    web.logout()
    web.login(make_user("Pemilik Lain"))
    assert post_photos(web, product, (make_photo_bytes(), "b.jpg")).status_code == 404  # a draft of others
    assert web.post(f"/produk/{product.id}/foto/{photo.id}/hapus").status_code == 404
    assert web.post(f"/produk/{product.id}/foto/{photo.id}/geser", {"direction": "turun"}).status_code == 404
    assert len(stored(product)) == 1


def test_logos_still_go_through_the_single_size_store(app):
    from marketplace.images import store_image

    name = store_image(
        io.BytesIO(make_photo_bytes("PNG", (1000, 800))),
        upload_root(app) / "logos",
        max_bytes=3 * 1024 * 1024,
        max_side=512,
    )
    with Image.open(upload_root(app) / "logos" / name) as logo:
        assert logo.format == "WEBP" and logo.size == (512, 410)
