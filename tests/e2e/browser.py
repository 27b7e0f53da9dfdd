"""Steps every browser journey takes: logging in and out through the real forms, and checking that a page
fits a 360 px phone."""

from __future__ import annotations

from tests.factories import PASSWORD


def log_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/akun/masuk")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/saya")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("details.menu summary").click()
    with page.expect_navigation():  # the logout POST and its redirect, done before the next step
        page.get_by_role("button", name="Keluar").click()
    assert page.locator("details.menu summary").inner_text() == "Menu"  # no longer signed in


def fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing on the page is wider than the phone (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
