import re

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail
from tests.conftest import html
from tests.factories import PASSWORD, make_user

GOOD = {
    "name": "Dewi Lestari",
    "email": "Dewi@Contoh.id",
    "phone": "0812-3456-7890",
    "password": "boneka-bekasi-laris",
    "password_confirm": "boneka-bekasi-laris",
}


def test_register_creates_the_account_and_logs_in(web):
    response = web.post("/akun/daftar", GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "dewi@contoh.id"))
    assert user is not None
    assert user.phone == "+6281234567890"
    assert user.password_hash.startswith("scrypt:")
    assert "boneka-bekasi-laris" not in user.password_hash
    page = html(web.get("/saya"))
    assert "<h1>Usaha & koperasi saya</h1>" in page


def test_duplicate_email_is_refused_and_typed_values_are_kept(web):
    make_user(email="dewi@contoh.id")
    response = web.post("/akun/daftar", GOOD)
    assert response.status_code == 422
    page = html(response)
    assert "E-mail ini sudah terdaftar" in page
    assert 'value="Dewi Lestari"' in page
    assert 'value="0812-3456-7890"' in page
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email == "dewi@contoh.id")) == 1


def test_weak_password_is_refused_with_a_clear_message(web):
    response = web.post("/akun/daftar", {**GOOD, "password": "12345", "password_confirm": "12345"})
    assert response.status_code == 422
    assert "Kata sandi minimal 10 karakter." in html(response)
    assert 'value="Dewi Lestari"' in html(response)
    response = web.post("/akun/daftar", {**GOOD, "password": "1234567890", "password_confirm": "1234567890"})
    assert "terlalu mudah ditebak" in html(response)
    assert db.session.scalar(select(User).where(User.email == "dewi@contoh.id")) is None


def test_malformed_phone_and_email_are_refused(web):
    response = web.post("/akun/daftar", {**GOOD, "phone": "12345", "email": "bukan-email"})
    page = html(response)
    assert response.status_code == 422
    assert "Nomor telepon tidak valid" in page
    assert "Tulis alamat e-mail yang valid" in page
    assert 'aria-invalid="true"' in page
    assert 'value="12345"' in page


def test_mismatched_confirmation(web):
    response = web.post("/akun/daftar", {**GOOD, "password_confirm": "lain-lagi-sandinya"})
    assert "Kedua kata sandi tidak sama." in html(response)


def test_login_wrong_password_keeps_email_and_says_so(web):
    user = make_user(email="budi@contoh.id")
    response = web.post("/akun/masuk", {"email": "budi@contoh.id", "password": "salah-sandi-sekali"})
    assert response.status_code == 422
    assert "E-mail atau kata sandi salah." in html(response)
    assert 'value="budi@contoh.id"' in html(response)
    assert web.get("/saya").status_code == 302  # still anonymous
    web.login(user)
    assert web.get("/saya").status_code == 200


def test_unknown_email_gets_the_same_message(web):
    response = web.post("/akun/masuk", {"email": "tidak.ada@contoh.id", "password": "apa-saja-sandinya"})
    assert "E-mail atau kata sandi salah." in html(response)


def test_login_redirects_only_to_local_next(web):
    user = make_user()
    response = web.post(
        "/akun/masuk", {"email": user.email, "password": PASSWORD, "next": "https://jahat.example/"}
    )
    assert response.headers["Location"] == "/saya"
    web.logout()
    response = web.post("/akun/masuk", {"email": user.email, "password": PASSWORD, "next": "/koperasi"})
    assert response.headers["Location"] == "/koperasi"


def test_logout_needs_post_with_csrf(web):
    user = make_user()
    web.login(user)
    assert web.get("/akun/keluar").status_code == 405
    assert web.post("/akun/keluar", csrf=False).status_code == 400
    assert web.get("/saya").status_code == 200
    assert web.logout().status_code == 302
    assert web.get("/saya").status_code == 302


def test_suspended_user_cannot_log_in_and_is_logged_out(web):
    user = make_user()
    web.login(user)
    user.suspended_at = db.func.now()
    db.session.commit()
    assert web.get("/saya").status_code == 302
    response = web.post("/akun/masuk", {"email": user.email, "password": PASSWORD})
    assert "ditangguhkan" in html(response)


def test_login_is_rate_limited(web):
    user = make_user()
    token = web.csrf()
    statuses = [
        web.post(
            "/akun/masuk", {"email": user.email, "password": "salah-sandi-1234", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429


def _reset_link(email: str) -> str:
    mail = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.recipient == email).order_by(OutboxEmail.id.desc())
    ).first()
    assert mail is not None, "no reset e-mail in the outbox"
    return re.search(r"https?://\S+", mail.body).group(0)


def test_password_reset_journey(web):
    user = make_user(email="rina@contoh.id")
    response = web.post("/akun/lupa-sandi", {"email": "RINA@contoh.id"})
    assert response.status_code == 302
    link = _reset_link("rina@contoh.id")
    path = link.split("localhost", 1)[1]
    assert web.get(path).status_code == 200
    response = web.post(path, {"password": "pendek", "password_confirm": "pendek"})
    assert "minimal 10 karakter" in html(response)
    response = web.post(
        path, {"password": "sandi-baru-yang-panjang", "password_confirm": "sandi-baru-yang-panjang"}
    )
    assert response.status_code == 302
    # the link works once
    assert web.get(path).status_code == 302
    assert web.post("/akun/masuk", {"email": user.email, "password": PASSWORD}).status_code == 422
    web.login(user, "sandi-baru-yang-panjang")


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(web):
    response = web.post("/akun/lupa-sandi", {"email": "siapa@contoh.id"}, follow_redirects=True)
    assert "Jika e-mail itu terdaftar" in html(response)
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == "siapa@contoh.id")) is None


def test_forged_reset_token_is_refused(web):
    response = web.get("/akun/atur-ulang-sandi/palsu.token.ini", follow_redirects=True)
    assert "tidak valid" in html(response)


def test_outbox_page_shows_mail_in_development(web, app):
    make_user(email="rina@contoh.id")
    web.post("/akun/lupa-sandi", {"email": "rina@contoh.id"})
    page = html(web.get("/dev/outbox"))
    assert "Atur ulang kata sandi Gotong" in page
    app.config["MAIL_OUTBOX_PAGE"] = False
    try:
        assert web.get("/dev/outbox").status_code == 404
    finally:
        app.config["MAIL_OUTBOX_PAGE"] = True


def test_profile_edit_and_password_change(web):
    user = make_user(email="ani@contoh.id")
    other = make_user(email="lain@contoh.id")
    web.login(user)
    response = web.post(
        "/akun/profil",
        {
            "action": "profile",
            "profile-name": "Ani Wijaya",
            "profile-email": "lain@contoh.id",
            "profile-phone": "081298765432",
        },
        prefix="profile-",
    )
    assert response.status_code == 422
    assert "sudah dipakai akun lain" in html(response)
    assert 'value="Ani Wijaya"' in html(response)
    response = web.post(
        "/akun/profil",
        {
            "action": "profile",
            "profile-name": "Ani Wijaya",
            "profile-email": "ani@contoh.id",
            "profile-phone": "081298765432",
        },
        prefix="profile-",
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.phone) == ("Ani Wijaya", "+6281298765432")
    response = web.post(
        "/akun/profil",
        {
            "action": "password",
            "password-current_password": "salah-sekali-ini",
            "password-new_password": "sandi-baru-yang-panjang",
            "password-new_password_confirm": "sandi-baru-yang-panjang",
        },
        prefix="password-",
    )
    assert "Kata sandi saat ini salah." in html(response)
    response = web.post(
        "/akun/profil",
        {
            "action": "password",
            "password-current_password": PASSWORD,
            "password-new_password": "sandi-baru-yang-panjang",
            "password-new_password_confirm": "sandi-baru-yang-panjang",
        },
        prefix="password-",
    )
    assert response.status_code == 302
    assert web.get("/saya").status_code == 200  # this session was renewed
    assert other.email == "lain@contoh.id"


def test_password_change_ends_other_sessions(app, web):
    user = make_user()
    web.login(user)
    second = app.test_client()
    from tests.conftest import Web

    other_device = Web(second)
    other_device.login(user)
    web.post(
        "/akun/profil",
        {
            "action": "password",
            "password-current_password": PASSWORD,
            "password-new_password": "sandi-baru-yang-panjang",
            "password-new_password_confirm": "sandi-baru-yang-panjang",
        },
        prefix="password-",
    )
    assert other_device.get("/saya").status_code == 302


def test_overlong_email_on_the_profile_is_a_form_error_not_a_crash(web):
    user = make_user()
    web.login(user)
    response = web.post(
        "/akun/profil",
        {
            "action": "profile",
            "profile-name": "Ani",
            "profile-email": "a" * 250 + "@contoh.id",
            "profile-phone": "081298765432",
        },
        prefix="profile-",
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html(response)
