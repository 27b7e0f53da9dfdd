"""Languages: Bahasa Indonesia by default, English on request (remembered in the session and the profile)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, session
from flask_login import current_user

from marketplace.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands, mails from scheduled jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Indonesian first: the browser's Accept-Language does not override the default.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_i18n(app: Flask, translations: Path) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(translations))
    babel.init_app(app, locale_selector=select_locale)
