import pytest

from marketplace import create_app
from marketplace.config import ConfigError, from_environment, normalise_database_url
from tests.conftest import html
from tests.factories import make_user


def test_factory_applies_overrides(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k", "TESTING": True}
    )
    assert app.config["TESTING"] and app.config["SECRET_KEY"] == "k"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "id"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "coalitions" in app.blueprints


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="GOTONG_SECRET_KEY"):
        create_app({"GOTONG_ENV": "production", "SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_cookies_are_secure():
    app = create_app(
        {"GOTONG_ENV": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["MAIL_OUTBOX_PAGE"] is False


def test_environment_settings_are_parsed():
    found = from_environment(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "GOTONG_MAIL_PORT": "2525",
            "GOTONG_MAIL_USE_TLS": "false",
            "GOTONG_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        }
    )
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgres://u@h/db"
    assert found["MAIL_PORT"] == 2525 and found["MAIL_USE_TLS"] is False
    assert found["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_session_cookie_flags(web):
    response = web.post("/akun/masuk", {"email": make_user().email, "password": "kopi-tubruk-pagi-hari"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_switch_is_remembered(web):
    assert 'lang="id"' in html(web.get("/"))
    # an English browser still gets Indonesian until the user chooses
    assert "Semua koperasi" in html(web.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    web.post("/bahasa", {"lang": "en", "next": "/koperasi"})
    page = html(web.get("/"))
    assert 'lang="en"' in page
    assert "Cooperatives and MSMEs selling together, buying together." in page
    assert web.post("/bahasa", {"lang": "fr"}).status_code == 400


def test_language_choice_is_stored_on_the_account(web, app):
    user = make_user()
    web.login(user)
    web.post("/bahasa", {"lang": "en"})
    assert user.locale == "en"
    fresh = app.test_client()
    from tests.conftest import Web

    other = Web(fresh)
    other.login(user)
    assert 'lang="en"' in html(other.get("/"))


def test_language_switch_redirects_only_locally(web):
    response = web.post("/bahasa", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_errors_are_translated_pages_and_json(web):
    response = web.get("/tidak-ada-halaman")
    assert response.status_code == 404 and "Halaman tidak ditemukan." in html(response)
    response = web.get("/api/tidak-ada")
    assert response.status_code == 404 and response.get_json()["error"] == "Halaman tidak ditemukan."


def test_security_headers(web):
    response = web.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
