"""Joint buying and selling coalitions. ``init_app`` plugs them into the marketplace application."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("coalitions", __name__, url_prefix="/koalisi")


def init_app(app: Flask) -> None:
    # The coalition pages, signal receivers and CLI arrive with the coalition issues; the blueprint is
    # registered now so that URLs and templates have their place.
    app.register_blueprint(bp)
    app.extensions["gotong.coalitions"] = True
