"""Request-side helpers shared by every blueprint: refusals, redirects, template filters, error pages."""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter, Map

from marketplace import regions
from marketplace.accounts import policy
from marketplace.money import format_idr
from marketplace.phones import display_phone, whatsapp_link
from marketplace.sectors import SECTOR_LABELS


def authorize(allowed: bool) -> None:
    """Refuse with 403 unless the policy allowed it (anonymous users are sent to log in instead)."""
    if allowed:
        return
    if not current_user.is_authenticated:
        from marketplace.extensions import login_manager

        abort(login_manager.unauthorized())
    forbid()


def actor() -> Any:
    """The signed-in user as the real object (services get a model instance, never the proxy)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def forbid() -> NoReturn:
    abort(403)


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site may be a redirect target after login (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        idr=format_idr,
        thousands=format_number,
        region=regions.label,
        region_name=regions.name,
        phone=display_phone,
        date=format_date,
        datetime=format_datetime,
        sector=lambda s: str(SECTOR_LABELS.get(s, s)) if s else "",
    )
    app.jinja_env.globals.update(policy=policy, whatsapp_link=whatsapp_link)

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` bounded to a 32-bit id (SQLite and PostgreSQL integer columns)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_input_guard(app: Flask) -> None:
    """A NUL character fits no text column (PostgreSQL refuses it outright) and no person types one: a form
    that carries one is answered 400 before any view sees it."""

    @app.before_request
    def _refuse_absurd_page() -> None:
        # ?page= feeds db.paginate's OFFSET: a number no database integer holds is a 404, not a 500.
        page = request.args.get("page", "")
        if len(page) > 6:
            abort(404)

    @app.before_request
    def _refuse_nul() -> None:
        if request.method in ("POST", "PUT", "PATCH") and any(
            "\x00" in value for value in request.form.values()
        ):
            abort(400)


def register_error_handlers(app: Flask) -> None:
    messages = {
        400: lambda: _("Permintaan tidak dapat diproses."),
        403: lambda: _("Anda tidak punya akses ke halaman ini."),
        404: lambda: _("Halaman tidak ditemukan."),
        405: lambda: _("Cara membuka halaman ini tidak didukung."),
        413: lambda: _("Berkas yang dikirim terlalu besar."),
        429: lambda: _("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        500: lambda: _("Maaf, terjadi kesalahan di server. Coba lagi sebentar lagi."),
    }

    def render_error(code: int, message: str | None = None):  # type: ignore[no-untyped-def]
        text = message or messages[code]()
        if wants_json():
            return jsonify(error=text, status=code), code
        return render_template("errors/error.html", code=code, message=text), code

    for code in messages:
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(
            400, _("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.")
        )


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
