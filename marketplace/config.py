"""Configuration: defaults here, then ``instance/config.py``, then the environment, then create_app's mapping.

Environment variables are read with the ``GOTONG_`` prefix (``GOTONG_SECRET_KEY``); a few conventional names
are read as they are (``DATABASE_URL``, ``SECRET_KEY``). See README "Configuration".
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


class ConfigError(RuntimeError):
    """The configuration cannot run: raised at start-up with a message that says what to set."""


DEFAULTS: dict[str, Any] = {
    "GOTONG_ENV": "development",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLALCHEMY_RECORD_QUERIES": False,
    "BABEL_DEFAULT_LOCALE": "id",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
    "LANGUAGES": ["id", "en"],
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "LOGO_MAX_BYTES": 3 * 1024 * 1024,
    "MAX_PHOTO_BYTES": 5 * 1024 * 1024,  # per product photo; MAX_CONTENT_LENGTH caps one upload request
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "REPORT_RATE_LIMIT": "5 per hour;20 per day",  # public reports about cooperatives, per IP address
    "PASSWORD_RESET_MAX_AGE": 60 * 60 * 2,
    "MAIL_SERVER": "",
    "MAIL_PORT": 587,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    "MAIL_FROM": "Gotong <noreply@gotong.local>",
    "MAIL_OUTBOX_PAGE": None,  # None: shown when not in production
    "PREFERRED_URL_SCHEME": "http",
    # Payments. PAYMENT_METHODS None: card too when a Stripe secret key is set, else bank transfer and cash.
    "PAYMENT_METHODS": None,
    "STRIPE_SECRET_KEY": "",
    "STRIPE_PUBLISHABLE_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_API_BASE": "",  # only to point at a Stripe stand-in (localstripe in the tests)
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
    "ORDER_PAYMENT_TTL_MINUTES": 24 * 60,  # an unpaid card / transfer order keeps its stock this long
    "CASH_ORDER_TTL_MINUTES": 3 * 24 * 60,  # a cash order the seller has not prepared by then expires
    "PAYMENT_PROOF_MAX_BYTES": 5 * 1024 * 1024,
    "REPORT_PHOTO_MAX_BYTES": 5 * 1024 * 1024,
}

# name in app.config -> type used to parse the environment string
_ENV_KEYS: dict[str, type] = {
    "GOTONG_ENV": str,
    "SECRET_KEY": str,
    "SQLALCHEMY_DATABASE_URI": str,
    "RATELIMIT_STORAGE_URI": str,
    "LOGIN_RATE_LIMIT": str,
    "REPORT_RATE_LIMIT": str,
    "PASSWORD_RESET_MAX_AGE": int,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_FROM": str,
    "MAIL_OUTBOX_PAGE": bool,
    "UPLOAD_FOLDER": str,
    "MAX_PHOTO_BYTES": int,
    "MAX_CONTENT_LENGTH": int,
    "SERVER_NAME": str,
    "PREFERRED_URL_SCHEME": str,
    "PAYMENT_METHODS": str,
    "STRIPE_SECRET_KEY": str,
    "STRIPE_PUBLISHABLE_KEY": str,
    "STRIPE_WEBHOOK_SECRET": str,
    "STRIPE_API_BASE": str,
    "STRIPE_JS_URL": str,
    "ORDER_PAYMENT_TTL_MINUTES": int,
    "CASH_ORDER_TTL_MINUTES": int,
    "PAYMENT_PROOF_MAX_BYTES": int,
    "REPORT_PHOTO_MAX_BYTES": int,
}

_ALIASES = {
    "SQLALCHEMY_DATABASE_URI": ("DATABASE_URL", "GOTONG_DATABASE_URL"),
    "SECRET_KEY": ("SECRET_KEY",),
    "STRIPE_SECRET_KEY": ("STRIPE_SECRET_KEY",),
    "STRIPE_PUBLISHABLE_KEY": ("STRIPE_PUBLISHABLE_KEY",),
    "STRIPE_WEBHOOK_SECRET": ("STRIPE_WEBHOOK_SECRET",),
}


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment gives, parsed."""
    found: dict[str, Any] = {}
    for key, kind in _ENV_KEYS.items():
        names = [key if key.startswith("GOTONG_") else f"GOTONG_{key}", *_ALIASES.get(key, ())]
        for name in names:
            if environ.get(name):
                found[key] = _parse(environ[name], kind)
                break
    return found


def normalise_database_url(url: str) -> str:
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _development_secret(instance_path: Path) -> str:
    """A random key kept in instance/, so development sessions survive a restart. Never used in production."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'gotong.db'}"
    app.config["UPLOAD_FOLDER"] = str(instance_path / "uploads")
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment(os.environ))
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])

    production = app.config["GOTONG_ENV"] == "production"
    app.config["PRODUCTION"] = production
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError(
                "GOTONG_SECRET_KEY is not set. In production Gotong needs a long random secret key, "
                "e.g. GOTONG_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = _development_secret(instance_path)
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if app.config["PAYMENT_METHODS"] is None:
        card = ["card"] if app.config["STRIPE_SECRET_KEY"] else []
        app.config["PAYMENT_METHODS"] = [*card, "bank_transfer", "cash"]
    if app.config["MAIL_OUTBOX_PAGE"] is None:
        app.config["MAIL_OUTBOX_PAGE"] = not production
