"""``flask coalitions close-due``: run by a scheduler (cron, systemd timer) every few minutes."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from coalitions import jobs
from coalitions.models import BuyingCoalition
from marketplace.extensions import db

coalitions_cli = AppGroup("coalitions", help="Buying and selling coalitions.")


@coalitions_cli.command("close-due")
def close_due_command() -> None:
    """Close every open coalition whose deadline passed, capture or release card holds, mark shares not paid
    by their due date as defaulted, close selling coalitions for commitments and expired bulk requests.
    One transaction per step; idempotent and safe to run twice or concurrently."""
    report = jobs.run_due()
    for coalition_id in report.closed:
        coalition = db.session.get(BuyingCoalition, coalition_id)
        if coalition is None:
            continue
        outcome = coalition.outcome.value if coalition.outcome else "?"
        line = f"Coalition {coalition.id} ({coalition.title}): {outcome}"
        if coalition.unit_price_idr:
            price = f"{coalition.unit_price_idr:,}".replace(",", ".")
            line += f", {coalition.allocated_qty} {coalition.unit} at Rp{price}"
        click.echo(line)
    for coalition_id in report.not_closed:
        click.echo(f"Coalition {coalition_id} not closed; left for the next run.", err=True)
    click.echo(f"Closed {len(report.closed)} coalitions.")
    if report.captured or report.released or report.capture_failed or report.provider_errors:
        click.echo(
            f"Card holds: {report.captured} captured, {report.released} released, "
            f"{report.capture_failed} could not be captured (invoiced instead), "
            f"{report.provider_errors} left for the next run."
        )
    if report.selling_closed:
        click.echo(f"Closed {len(report.selling_closed)} selling coalitions for commitments.")
    if report.requests_closed:
        click.echo(f"{report.requests_closed} bulk requests past their offer deadline closed.")
    if report.defaulted:
        click.echo(f"{len(report.defaulted)} shares not paid by their due date marked defaulted.")
