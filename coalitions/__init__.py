"""Joint buying and selling coalitions. ``init_app`` plugs them into the marketplace application."""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask

bp = Blueprint("coalitions", __name__, url_prefix="/koalisi")


def init_app(app: Flask) -> None:
    # The models join the shared metadata here (create_app calls this), so Alembic's autogenerate, the
    # migration test and the test harness see the coalition tables; marketplace never imports them itself.
    # Imported by name so that `mypy --strict coalitions/engine.py` (CI) does not follow this package into
    # the untyped Flask models.
    importlib.import_module("coalitions.models")

    # The coalition pages, signal receivers and CLI arrive with the coalition issues; the blueprint is
    # registered now so that URLs and templates have their place.
    app.register_blueprint(bp)
    app.extensions["gotong.coalitions"] = True
