"""Browser tests: the app served on 127.0.0.1 by a real WSGI server in a thread, driven by Playwright in
Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator

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
