"""Console commands: ``flask --app marketplace seed-demo | create-admin | reindex-search | expire-orders |
dashboards snapshot``, ``gotong demo`` (first run)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from marketplace.database import write_unit
from marketplace.extensions import db


def _print_logins(result) -> None:  # type: ignore[no-untyped-def]
    from marketplace.demo import DEMO_PASSWORD

    click.echo(click.style("Demo logins (password for all: ", bold=True) + DEMO_PASSWORD + ")")
    for login in result.logins:
        click.echo(f"  {login.email:<34} {login.role}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill the database with the demo cooperatives, businesses and products (idempotent)."""
    from marketplace.demo import seed_demo

    with write_unit():
        result = seed_demo()
        db.session.commit()
    if result.created:
        click.echo("Demo data created: " + ", ".join(f"{n} {k}" for k, n in result.counts.items()))
    else:
        click.echo("Demo data already present; nothing changed.")
    _print_logins(result)


@click.command("reindex-search")
@with_appcontext
def reindex_search_command() -> None:
    """Recompute every product's search text (after upgrading a database whose products predate it)."""
    from sqlalchemy import select

    from marketplace.catalog.indexing import search_text_of
    from marketplace.catalog.models import Product

    changed = 0
    with write_unit():
        for product in db.session.scalars(select(Product).execution_options(yield_per=500)):
            text = search_text_of(product)
            if product.search_text != text:
                product.search_text = text
                changed += 1
        db.session.commit()
    click.echo(f"Search text refreshed for {changed} products.")


@click.command("expire-orders")
@with_appcontext
def expire_orders_command() -> None:
    """Cancel unpaid orders whose payment time ran out and return their stock. Idempotent: run it from a
    scheduler (cron, systemd timer) every few minutes."""
    from sqlalchemy.exc import SQLAlchemyError

    from marketplace.errors import DomainError
    from marketplace.orders import services

    expired = failed = 0
    for order_id in services.due_for_expiry():
        with write_unit():
            try:
                if services.expire_order(order_id):
                    expired += 1
                db.session.commit()
            except DomainError as error:  # e.g. Stripe unreachable: this order waits for the next run
                db.session.rollback()
                failed += 1
                click.echo(f"Order {order_id} not expired: {error.message}", err=True)
            except SQLAlchemyError as error:  # a lock timeout or deadlock: the next run retries it
                db.session.rollback()
                failed += 1
                click.echo(f"Order {order_id} not expired: {error.__class__.__name__}", err=True)
    click.echo(f"Expired {expired} unpaid orders." + (f" {failed} left for the next run." if failed else ""))


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True, default="Admin Gotong")
@click.option("--phone", prompt=True, default="081200000000")
@click.password_option()
@with_appcontext
def create_admin_command(email: str, name: str, phone: str, password: str) -> None:
    """Create a platform admin (or make an existing account admin)."""
    from marketplace.accounts.services import create_admin
    from marketplace.errors import DomainError

    try:
        with write_unit():
            user = create_admin(email=email, name=name, phone=phone, password=password)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"{user.email} is now a platform admin.")


dashboards_cli = AppGroup("dashboards", help="Dashboards and supervision.")


@dashboards_cli.command("snapshot")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Count activity as of the end of this day (WIB) instead of now, e.g. 2026-05-31.",
)
def snapshot_command(as_of: datetime | None) -> None:
    """Record whether each cooperative is active, for this month (the history behind the progress of
    activation targets). Meant to run daily from a scheduler (cron, systemd timer), e.g. at 01.00 WIB:
    each run replaces the month's figures, so the month keeps its last day's. Idempotent."""
    from datetime import time
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from marketplace.clock import utcnow
    from marketplace.dashboards.activity import month_of, take_snapshot
    from marketplace.dashboards.models import ActivitySnapshot

    moment = utcnow()
    if as_of is not None:
        moment = min(datetime.combine(as_of.date(), time.max, tzinfo=ZoneInfo("Asia/Jakarta")), moment)
    month = month_of(moment)
    with write_unit():
        written = take_snapshot(as_of=moment)
        active = db.session.scalar(
            select(func.count()).where(ActivitySnapshot.month == month, ActivitySnapshot.active.is_(True))
        )
        db.session.commit()
    click.echo(
        f"Activity snapshot for {month:%Y-%m} (as of {moment.isoformat(timespec='minutes')}): "
        f"{written} cooperatives, {active} active."
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(dashboards_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(reindex_search_command)
    app.cli.add_command(expire_orders_command)


@click.group()
def gotong() -> None:
    """Gotong's own commands."""


@gotong.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and demo data, then stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """First run: create the database in instance/, migrate it, seed demo data, serve the site."""
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.demo import seed_demo

    app = create_app()
    with app.app_context():
        click.echo(f"Database: {app.config['SQLALCHEMY_DATABASE_URI']}")
        upgrade()
        with write_unit():
            result = seed_demo()
            db.session.commit()
        click.echo("Demo data created." if result.created else "Demo data already present.")
        _print_logins(result)
    if no_serve:
        return
    click.echo(
        click.style(f"Gotong is running at http://{host}:{port}  (Ctrl+C to stop)", fg="green", bold=True)
    )
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
