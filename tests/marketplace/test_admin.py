from sqlalchemy import select

from marketplace.accounts.models import OfficerAppointment, User
from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_product, make_user


def test_admin_sees_everything_and_searches(web):
    admin = make_user("Admin", is_admin=True)
    make_user("Siti Nurhaliza", email="siti@contoh.id")
    make_cooperative(name="Koperasi Sapi Sangir", slug="koperasi-sapi-sangir")
    make_business(name="Kopi Kintamani Ulian", slug="kopi-kintamani-ulian")
    web.login(admin)
    assert "siti@contoh.id" in html(web.get("/admin/pengguna?q=nurhal"))
    assert "siti@contoh.id" not in html(web.get("/admin/pengguna?q=budi"))
    assert "Koperasi Sapi Sangir" in html(web.get("/admin/koperasi"))
    assert "Kopi Kintamani Ulian" in html(web.get("/admin/usaha?q=kintamani"))


def test_suspending_a_business_hides_it_and_its_products(web):
    admin = make_user("Admin", is_admin=True)
    business = make_business(name="Keripik Tempe Ibu Sri", slug="keripik-tempe-ibu-sri")
    make_product(business, "Keripik Tempe Renyah 250 gram", slug="keripik-tempe", status=ProductStatus.ACTIVE)
    assert "Keripik Tempe Renyah" in html(web.get("/produk"))
    web.login(admin)
    assert (
        web.post(f"/admin/business/{business.id}/tangguhkan", {"reason": "Laporan penipuan"}).status_code
        == 302
    )
    web.logout()
    assert web.get(f"/usaha/{business.slug}").status_code == 404
    assert "Keripik Tempe Renyah" not in html(web.get("/produk"))
    web.login(admin)
    web.post(f"/admin/business/{business.id}/aktifkan")
    web.logout()
    assert web.get(f"/usaha/{business.slug}").status_code == 200


def test_suspending_a_user(web):
    admin = make_user("Admin", is_admin=True)
    user = make_user("Pak Nakal")
    web.login(admin)
    web.post(f"/admin/user/{user.id}/tangguhkan", {"reason": "Spam"})
    db.session.refresh(user)
    assert user.suspended_at is not None and user.suspended_reason == "Spam"
    response = web.post(f"/admin/user/{admin.id}/tangguhkan", {"reason": "x"}, follow_redirects=True)
    assert "tidak dapat menangguhkan akun Anda sendiri" in html(response)


def test_appoint_and_revoke_an_officer(web):
    admin = make_user("Admin", is_admin=True)
    officer = make_user("Bu Petugas", email="petugas@contoh.id")
    web.login(admin)
    response = web.post("/admin/petugas", {"email": "tidak.ada@contoh.id", "region_code": "32.16"})
    assert response.status_code == 422 and "Tidak ada akun dengan e-mail ini" in html(response)
    response = web.post("/admin/petugas", {"email": "petugas@contoh.id", "region_code": "99.99"})
    assert response.status_code == 422 and "Pilih provinsi atau kabupaten/kota yang valid." in html(response)
    assert (
        web.post("/admin/petugas", {"email": "petugas@contoh.id", "region_code": "32.16"}).status_code == 302
    )
    appointment = db.session.scalar(
        select(OfficerAppointment).where(OfficerAppointment.user_id == officer.id)
    )
    assert appointment.region_code == "32.16" and appointment.appointed_by_id == admin.id
    response = web.post("/admin/petugas", {"email": "petugas@contoh.id", "region_code": "32.16"})
    assert "sudah ditugaskan" in html(response)
    assert "Kabupaten Bekasi, Jawa Barat" in html(web.get("/admin/petugas"))
    appointment_id = appointment.id
    web.post(f"/admin/petugas/{appointment_id}/cabut")
    db.session.expunge_all()
    assert db.session.get(OfficerAppointment, appointment_id) is None


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Gotong.id",
            "--name",
            "Boss",
            "--phone",
            "081233334444",
            "--password",
            "admin-yang-kuat-sekali",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@gotong.id"))
    assert user.is_admin
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "x@gotong.id",
            "--name",
            "X",
            "--phone",
            "0812",
            "--password",
            "admin-yang-kuat-sekali",
        ]
    )
    assert result.exit_code != 0 and "Nomor telepon tidak valid" in result.output
