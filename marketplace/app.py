"""The application factory. The only marketplace module that imports coalitions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import coalitions
from marketplace import config as config_module
from marketplace.database import register_database

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        "marketplace",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    config_module.load(app, config)
    register_database(app)
    _register_payments(app)
    _register_extensions(app)
    _register_blueprints(app)
    _register_web(app)
    _register_cli(app)
    coalitions.init_app(app)
    return app


def _register_extensions(app: Flask) -> None:
    from marketplace.accounts.auth import register_login
    from marketplace.extensions import csrf, db, limiter, migrate
    from marketplace.i18n import register_i18n

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    register_login(app)
    register_i18n(app, ROOT / "translations")


def _register_payments(app: Flask) -> None:
    from marketplace.payments.registry import register_payments

    register_payments(app)


def _register_blueprints(app: Flask) -> None:
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.web import DatabaseInteger

    # Every <int:...> in a URL is a database id: one that no column can hold is a 404, not a 500.
    app.url_map.converters["int"] = DatabaseInteger
    from marketplace.admin.views import bp as admin_bp
    from marketplace.catalog.manage import bp as listings_bp
    from marketplace.catalog.views import bp as catalog_bp
    from marketplace.cooperatives.views import bp as cooperatives_bp
    from marketplace.dashboards import models as _dashboard_models  # noqa: F401 (metadata sees the tables)
    from marketplace.dashboards.business_views import bp as business_dashboard_bp
    from marketplace.dashboards.cooperative_views import bp as cooperative_dashboard_bp
    from marketplace.dashboards.rat_views import bp as rat_bp
    from marketplace.dashboards.report_views import bp as reports_bp
    from marketplace.dashboards.supervision_views import bp as supervision_bp
    from marketplace.dashboards.target_views import bp as targets_bp
    from marketplace.dashboards.views import bp as dashboards_bp
    from marketplace.marketing.event_views import bp as events_bp
    from marketplace.marketing.featured_views import bp as campaigns_bp
    from marketplace.marketing.feeds_views import bp as feeds_bp
    from marketplace.marketing.offline_views import bp as offline_bp
    from marketplace.marketing.print_views import bp as printing_bp
    from marketplace.marketing.promotion_views import bp as promotions_bp
    from marketplace.marketing.stats_views import bp as stats_bp
    from marketplace.marketing.views import bp as marketing_bp
    from marketplace.notifications import models as _notification_models  # noqa: F401 (metadata sees the table)
    from marketplace.notifications.views import bp as notifications_bp
    from marketplace.orders.invoices import bp as invoices_bp
    from marketplace.orders.sales import bp as sales_bp
    from marketplace.orders.views import bp as orders_bp
    from marketplace.payments.views import bp as payments_bp
    from marketplace.payments.webhooks import bp as webhooks_bp
    from marketplace.site.views import bp as site_bp

    for blueprint in (
        site_bp,
        accounts_bp,
        cooperatives_bp,
        catalog_bp,
        listings_bp,
        orders_bp,
        payments_bp,
        webhooks_bp,
        sales_bp,
        invoices_bp,
        admin_bp,
        dashboards_bp,
        business_dashboard_bp,
        cooperative_dashboard_bp,
        rat_bp,
        targets_bp,
        supervision_bp,
        reports_bp,
        notifications_bp,
        promotions_bp,
        marketing_bp,
        printing_bp,
        campaigns_bp,
        feeds_bp,
        events_bp,
        offline_bp,
        stats_bp,
    ):
        app.register_blueprint(blueprint)


def _register_web(app: Flask) -> None:
    from marketplace.web import (
        register_error_handlers,
        register_input_guard,
        register_security_headers,
        register_template_helpers,
    )

    register_template_helpers(app)
    register_input_guard(app)
    register_error_handlers(app)
    register_security_headers(app)


def _register_cli(app: Flask) -> None:
    from marketplace.cli import register_cli

    register_cli(app)
