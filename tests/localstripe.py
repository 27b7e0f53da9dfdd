"""localstripe, a stateful fake Stripe server (PyPI, test-only) on 127.0.0.1, and what tests use with it.

A pytest plugin (``pytest_plugins = ["tests.localstripe"]``). The port is chosen at import time so that
``STRIPE_TEST_CONFIG`` — merged into the test app's config — can name the URL before the server starts.

- ``localstripe``      (session) starts ``python -m localstripe`` and stops it at the end; its URL.
- ``stripe_webhooks``  localstripe sends its signed webhooks to ``live_server`` during the test, and
                       to nobody outside it (a webhook arriving while another test holds the connection in a
                       rolled-back transaction would write into that test). Use it in ``committing`` tests.
- ``wait_for(predicate)`` polls until a webhook has been handled (localstripe sends it ~1 s after the event).

What localstripe does not do (see ARCHITECTURE.md): idempotency keys, Checkout Sessions; it lets a cancelled
PaymentIntent be captured. It also declines at charge time only 4000000000000341 (not ...0002, which it
declines only when attached to a customer).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import has_app_context


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


LOCALSTRIPE_PORT = _free_port()
LOCALSTRIPE_URL = f"http://127.0.0.1:{LOCALSTRIPE_PORT}"
PUBLISHABLE_KEY = "pk_test_gotong"
WEBHOOK_SECRET = "whsec_gotong_test"
STRIPE_TEST_CONFIG = {
    "STRIPE_SECRET_KEY": "sk_test_gotong",
    "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "STRIPE_API_BASE": LOCALSTRIPE_URL,
    "STRIPE_JS_URL": LOCALSTRIPE_URL + "/js.stripe.com/v3/",
}
WEBHOOK_ID = "gotong"
# localstripe sleeps 1 s before sending an event's webhook; after this long none of a test's is still due.
_WEBHOOK_DELAY = 1.6
_STARTUP_TIMEOUT = 20.0

T = TypeVar("T")


# --- plain HTTP to localstripe (what Stripe.js and the Stripe dashboard would do) ---------------------------


def http(
    method: str,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    json_body: dict[str, Any] | None = None,
    secret: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Call localstripe directly; form-encoded ``data`` (Stripe's own encoding) or a JSON body."""
    headers = {}
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if secret:
        headers["Authorization"] = "Bearer " + STRIPE_TEST_CONFIG["STRIPE_SECRET_KEY"]
    request = urllib.request.Request(  # noqa: S310 (our own local URL)
        LOCALSTRIPE_URL + path, data=body, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own local URL)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:
            return error.code, {"raw": raw.decode(errors="replace")}


def card_token(number: str = "4242424242424242", *, exp_month: int = 12, exp_year: int = 2030) -> str:
    """Tokenise a test card with the publishable key, exactly as Stripe.js ``createToken`` does."""
    status, body = http(
        "POST",
        "/v1/tokens",
        {
            "card[number]": number,
            "card[exp_month]": str(exp_month),
            "card[exp_year]": str(exp_year),
            "card[cvc]": "123",
            "key": PUBLISHABLE_KEY,
        },
    )
    assert status == 200, body
    return str(body["id"])


def authenticate(payment_intent: str, client_secret: str, *, success: bool = True) -> dict[str, Any]:
    """The buyer's 3-D Secure step, as localstripe's Stripe.js ``confirmCardPayment`` performs it."""
    status, body = http(
        "POST",
        f"/v1/payment_intents/{payment_intent}/_authenticate?success={'true' if success else 'false'}",
        json_body={"key": PUBLISHABLE_KEY, "client_secret": client_secret},
    )
    assert status == 200, body
    return body


def set_webhook(url: str, *, events: list[str] | None = None) -> None:
    """Point localstripe's webhook at ``url``; ``events=[]`` mutes it (it has no way to remove one)."""
    payload: dict[str, Any] = {"url": url, "secret": WEBHOOK_SECRET}
    if events is not None:
        payload["events"] = events
    status, body = http("POST", f"/_config/webhooks/{WEBHOOK_ID}", json_body=payload)
    assert status == 200, body


def wait_for(predicate: Callable[[], T], timeout: float = 15, interval: float = 0.1) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    Before each try the test's session ends its transaction (``db.session.rollback()``), so a read sees what
    the live server committed meanwhile (a SQLite reader otherwise keeps its snapshot). Commit your own
    changes before waiting."""
    from marketplace.extensions import db

    deadline = time.monotonic() + timeout
    while True:
        if has_app_context():
            db.session.rollback()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"gave up after {timeout} s waiting for {getattr(predicate, '__name__', predicate)}"
            )
        time.sleep(interval)


# --- fixtures ---------------------------------------------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (our own local URL)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    from tests.conftest import missing

    if importlib.util.find_spec("localstripe") is None:
        missing("localstripe is not installed (pip install localstripe); Stripe tests need it")
    log_dir = Path(tempfile.mkdtemp(prefix="gotong-localstripe-"))
    log_path = log_dir / "localstripe.log"
    # --from-scratch: ignore /tmp/localstripe.pickle (another run's state). It binds '::' (dual-stack).
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(LOCALSTRIPE_PORT), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not _answers(STRIPE_TEST_CONFIG["STRIPE_JS_URL"]):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"localstripe did not start on port {LOCALSTRIPE_PORT}:\n{log_path.read_text()[-3000:]}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield LOCALSTRIPE_URL
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        for path in log_dir.iterdir():
            path.unlink()
        log_dir.rmdir()


_muted_at = [0.0]


@pytest.fixture
def stripe_webhooks(localstripe: str, live_server: str) -> Iterator[str]:
    """localstripe delivers every event's webhook to the live server while the test runs; yields its URL."""
    # A previous test's webhooks still due must not reach this one (they would find its tables emptied and
    # still store their event ids).
    time.sleep(max(0.0, _muted_at[0] + _WEBHOOK_DELAY - time.monotonic()))
    url = live_server + "/webhooks/stripe"
    set_webhook(url)  # events unset: all of them
    try:
        yield url
    finally:
        set_webhook(url, events=[])
        _muted_at[0] = time.monotonic()
