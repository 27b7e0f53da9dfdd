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
    importlib.import_module("coalitions.selling.models")

    # The pages attach their routes to ``bp`` when imported; like the models, by name (they need Flask-WTF
    # and the marketplace packages, which mypy must not follow from here).
    importlib.import_module("coalitions.views")
    importlib.import_module("coalitions.money_views")
    importlib.import_module("coalitions.fulfilment_views")
    importlib.import_module("coalitions.document_views")
    # Card holds and share payments: connects to the coalition signals and claims its webhook events.
    # (By name too, so that mypy does not follow into the Flask modules.)
    payments = importlib.import_module("coalitions.payments")
    handlers = importlib.import_module("marketplace.payments.webhooks").EVENT_HANDLERS
    if payments.apply_provider_event not in handlers:
        handlers.append(payments.apply_provider_event)
    app.register_blueprint(bp)
    selling = importlib.import_module("coalitions.selling")
    for name in selling.MODULES:
        importlib.import_module(name)
    app.register_blueprint(selling.bp)
    app.cli.add_command(importlib.import_module("coalitions.cli").coalitions_cli)
    seeders = app.extensions.setdefault("gotong.demo_seeders", [])
    seed_demo = importlib.import_module("coalitions.demo").seed_demo
    if seed_demo not in seeders:
        seeders.append(seed_demo)
    figures = importlib.import_module("coalitions.dashboard").CoalitionFigures()
    app.extensions["gotong.dashboard_sources"] = figures
    app.extensions["gotong.coalitions"] = True
