"""``flask coalitions close-due``: run by a scheduler (cron, systemd timer) every few minutes."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from coalitions import services
from coalitions.models import BuyingCoalition
from marketplace.database import write_unit
from marketplace.errors import DomainError
from marketplace.extensions import db

coalitions_cli = AppGroup("coalitions", help="Buying coalitions.")


@coalitions_cli.command("close-due")
def close_due_command() -> None:
    """Close every open coalition whose deadline passed. One transaction per coalition; idempotent and safe
    to run twice or concurrently (each close takes the coalition's row lock and skips a closed one)."""
    closed = failed = 0
    for coalition_id in services.due_coalition_ids():
        with write_unit():
            try:
                coalition = db.session.get(BuyingCoalition, coalition_id)
                if coalition is None or not services.close(coalition):
                    db.session.rollback()
                    continue
                outcome = coalition.outcome.value if coalition.outcome else "?"
                line = f"Coalition {coalition.id} ({coalition.title}): {outcome}"
                if coalition.unit_price_idr:
                    price = f"{coalition.unit_price_idr:,}".replace(",", ".")
                    line += f", {coalition.allocated_qty} {coalition.unit} at Rp{price}"
                db.session.commit()
            except (DomainError, SQLAlchemyError) as error:  # a lock timeout: the next run retries it
                db.session.rollback()
                failed += 1
                click.echo(f"Coalition {coalition_id} not closed: {error.__class__.__name__}", err=True)
                continue
        closed += 1
        click.echo(line)
    click.echo(f"Closed {closed} coalitions." + (f" {failed} left for the next run." if failed else ""))
