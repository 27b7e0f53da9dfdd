"""Test harness.

One app per session on ``TEST_DATABASE_URL`` (default: a SQLite file in a temporary folder), its schema built
by the real migrations. Each test runs inside a transaction rolled back at the end (savepoint pattern), so
application code may commit freely. Browser tests (``e2e``) and tests that need committed data across
connections (``committing``) run outside that transaction and the tables are emptied afterwards.

``@pytest.mark.postgres`` tests need PostgreSQL and ``@pytest.mark.e2e`` tests need Chromium: they skip with a
reason when it is absent, and FAIL instead when ``GOTONG_REQUIRE_ALL=1`` (CI sets it).
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from marketplace import create_app
from marketplace.extensions import db, limiter

# localstripe: session fixtures start it on 127.0.0.1 and deliver its webhooks to the app served by the tests;
# card payments of the test app point at it.
from tests.localstripe import (  # noqa: F401 (fixtures are found by name here)
    STRIPE_TEST_CONFIG,
    localstripe,
    stripe_webhooks,
)

REQUIRE_ALL = os.environ.get("GOTONG_REQUIRE_ALL") == "1"
CHROMIUM = os.environ.get("GOTONG_CHROMIUM", "/usr/bin/chromium")
_TMP = Path(tempfile.mkdtemp(prefix="gotong-tests-"))
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


def missing(reason: str) -> None:
    """Skip for a missing dependency — or fail, when the run must be complete."""
    if REQUIRE_ALL:
        pytest.fail(f"GOTONG_REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not IS_POSTGRES:
        missing("this test needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
    "UPLOAD_FOLDER": str(_TMP / "uploads"),
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": None,
    "MAIL_SERVER": "",
    **STRIPE_TEST_CONFIG,
}


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, ``g`` and DB session.

    (Flask reuses an already pushed app context for a request, and the tests push one for the factories.)
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context() and db.session.registry.has():
            db.session.expire_all()  # the test's own session sees what the request committed
        return response


def _reset_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if IS_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(TEST_CONFIG)
    app.test_client_class = IsolatedClient
    _reset_schema(app)
    # Sessions join the per-test outer transaction through savepoints, so app code can commit/rollback.
    with app.app_context():
        db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _database(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    limiter.reset()
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("committing"):
        with app.app_context():
            yield
        _empty_tables(app)
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        db.session.remove()
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session app served over real HTTP on 127.0.0.1 in a thread: for the browser and for webhooks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gotong-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


# --- web client -------------------------------------------------------------------------------------------

_CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


class Web:
    """A test client that fills in the CSRF token the way a browser does: from a page it loaded."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, page: str = "/") -> str:
        html = self.client.get(page).get_data(as_text=True)
        match = _CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, *, prefix: str = "", csrf: bool = True, **kwargs):  # type: ignore[no-untyped-def]
        payload = dict(data or {})
        if csrf:
            payload.setdefault(f"{prefix}csrf_token", self.csrf())
        return self.client.post(url, data=payload, **kwargs)

    def login(self, user, password: str | None = None):  # type: ignore[no-untyped-def]
        from tests.factories import PASSWORD

        response = self.post("/akun/masuk", {"email": user.email, "password": password or PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):  # type: ignore[no-untyped-def]
        return self.post("/akun/keluar")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def web(client: FlaskClient) -> Web:
    return Web(client)


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)
