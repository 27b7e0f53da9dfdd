"""The scheduler's work for buying coalitions (``flask coalitions close-due`` every few minutes).

Each step is its own short transaction, so one failure (a lock timeout, Stripe unreachable) never undoes the
others and the next run picks up what is left. Every step is idempotent and safe to run in two processes at
once: closing takes the coalition's row lock and skips a closed one; a hold is captured or released under
its own row lock and only while its decision is still pending; defaults are marked once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from coalitions import fulfilment, notices, payments, services
from coalitions.engine import EngineError
from coalitions.models import BuyingCoalition
from marketplace.clock import utcnow
from marketplace.database import write_unit
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.base import GatewayError

log = logging.getLogger("gotong.coalitions.jobs")


@dataclass
class RunReport:
    closed: list[int] = field(default_factory=list)
    not_closed: list[int] = field(default_factory=list)  # left for the next run (a lock timeout ...)
    captured: int = 0
    released: int = 0
    capture_failed: int = 0
    provider_errors: int = 0  # left for the next run
    defaulted: list[int] = field(default_factory=list)
    selling_closed: list[int] = field(default_factory=list)
    requests_closed: int = 0


def close_one(coalition_id: int, now: datetime | None = None) -> bool:
    """Close one due coalition in its own transaction; tell its members after the commit."""
    with write_unit():
        try:
            coalition = db.session.get(BuyingCoalition, coalition_id)
            if coalition is None or not services.close(coalition, now):
                db.session.rollback()
                return False
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    with write_unit():
        notices.coalition_closed(coalition_id)
        db.session.commit()
    return True


def settle_holds(report: RunReport | None = None, coalition_id: int | None = None) -> RunReport:
    """Capture or release the holds decided at a close (or a change), one per transaction."""
    report = report or RunReport()
    ids = payments.pending_hold_ids(coalition_id)
    db.session.rollback()  # end the read: each hold gets its own write transaction
    touched: set[int] = set()
    for payment_id in ids:
        with write_unit():
            try:
                done = payments.carry_out(payment_id)
                payment = db.session.get(payments.CoalitionPayment, payment_id)
                if done == "capture_failed" and payment is not None:
                    notices.capture_failed(payment)
                if payment is not None:
                    touched.add(payment.coalition_id)
                db.session.commit()
            except GatewayError:
                db.session.rollback()
                report.provider_errors += 1
                continue
            except (DomainError, SQLAlchemyError):
                db.session.rollback()
                log.exception("hold %s not settled", payment_id)
                report.provider_errors += 1
                continue
        if done == "captured":
            report.captured += 1
        elif done == "released":
            report.released += 1
        elif done == "capture_failed":
            report.capture_failed += 1
    for touched_id in sorted(touched):
        with write_unit():
            payments.refresh_pending_flag(touched_id)
            db.session.commit()
    return report


def run_due(now: datetime | None = None) -> RunReport:
    """Everything the scheduler does: close due coalitions, settle holds, mark defaults."""
    now = now or utcnow()
    report = RunReport()
    due = services.due_coalition_ids(now)
    db.session.rollback()
    for coalition_id in due:
        try:
            if close_one(coalition_id, now):
                report.closed.append(coalition_id)
        except (DomainError, SQLAlchemyError):
            log.exception("coalition %s not closed", coalition_id)
            report.not_closed.append(coalition_id)
    settle_holds(report)
    close_selling(report, now)
    with write_unit():
        report.defaulted = fulfilment.mark_defaults(now)
        db.session.commit()
    if report.defaulted:
        with write_unit():  # told after the commit: a failure to notify never undoes the defaults
            notices.shares_defaulted(report.defaulted)
            db.session.commit()
    return report


def close_selling(report: RunReport, now: datetime) -> RunReport:
    """Selling coalitions past their commitment deadline (allocation, or waiting for the buyer's word on
    partial fulfilment) and bulk requests past their offer deadline; one transaction each."""
    from coalitions.selling import services as selling
    from coalitions.selling.models import SellingCoalition

    due = selling.due_ids(now)
    db.session.rollback()
    for coalition_id in due:
        with write_unit():
            try:
                coalition = db.session.get(SellingCoalition, coalition_id)
                if coalition is not None and selling.close(coalition, now):
                    db.session.commit()
                    report.selling_closed.append(coalition_id)
                else:
                    db.session.rollback()
            except (DomainError, SQLAlchemyError, EngineError):
                db.session.rollback()
                log.exception("selling coalition %s not closed", coalition_id)
                report.not_closed.append(coalition_id)
    with write_unit():
        report.requests_closed = selling.close_expired_requests(now)
        db.session.commit()
    return report
