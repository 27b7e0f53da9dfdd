"""Browser tests: the app served on 127.0.0.1 by a real WSGI server in a thread, driven by Playwright in
Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import CHROMIUM, missing


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    # A phone: 360 px wide, as most of Gotong's users see it.
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, base_url=live_server, locale="id-ID"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, request) -> Iterator[Callable[[], object]]:  # type: ignore[no-untyped-def]
    """A fresh phone per person: its own 360 px browser context, so its own cookies (like ``page``). A test
    module may set ``TIMEOUT_MS`` for slower steps (card payments)."""
    contexts = []
    timeout = getattr(request.module, "TIMEOUT_MS", 10_000)

    def open_phone():  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport={"width": 360, "height": 780},
            base_url=live_server,
            locale="id-ID",
            accept_downloads=True,
        )
        context.set_default_timeout(timeout)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()
