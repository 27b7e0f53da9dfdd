"""Buying coalitions under real concurrency: threads with their own app context and database connection.
PostgreSQL only (SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL is where rows are contended)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coalitions import services
from coalitions.models import (
    BuyingCoalition,
    CoalitionEvent,
    CoalitionStatus,
    MemberShare,
    Pledge,
    PledgeStatus,
)
from marketplace.accounts.models import User
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business
from marketplace.database import write_unit
from marketplace.errors import DomainError
from marketplace.extensions import db
from tests.factories import (
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

pytestmark = [pytest.mark.postgres, pytest.mark.committing]


def _run_at_once(app, workers: int, work: Callable[[int], object]) -> tuple[list[object], list[str]]:  # type: ignore[no-untyped-def]
    """Run ``work(n)`` in ``workers`` threads released together; each commits, or rolls back on refusal."""
    barrier = threading.Barrier(workers)
    done: list[object] = []
    refused: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        with app.app_context(), write_unit():
            try:
                barrier.wait()
                result = work(n)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                with lock:
                    refused.append(error.message)
            else:
                with lock:
                    done.append(result)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return done, refused


@pytest.mark.parametrize(("left", "members", "quantity"), [(5, 12, 1), (4, 8, 2), (3, 6, 2)])
def test_pledging_the_last_capacity_at_once_never_oversubscribes(app, left, members, quantity):
    cooperative = make_cooperative()
    coalition = make_coalition(cooperative, capacity=100, moq=50)
    make_pledge(coalition, quantity=100 - left)
    businesses = []
    for n in range(members):
        business = make_business(make_user(f"Peternak {n}"))
        make_membership(cooperative, business)
        businesses.append((business.owner_id, business.id))
    db.session.commit()
    coalition_id = coalition.id

    def pledge(n: int) -> int:
        user_id, business_id = businesses[n]
        return services.pledge(
            db.session.get(User, user_id),
            db.session.get(Business, business_id),
            db.session.get(BuyingCoalition, coalition_id),
            quantity,
        ).id

    done, refused = _run_at_once(app, members, pledge)
    assert len(done) == left // quantity
    assert len(refused) == members - len(done)
    assert all("Kapasitas pemasok" in message for message in refused), refused
    db.session.expire_all()
    total = db.session.scalar(
        select(func.sum(Pledge.quantity)).where(
            Pledge.coalition_id == coalition_id, Pledge.status == PledgeStatus.ACTIVE
        )
    )
    assert total == 100 - left + len(done) * quantity <= 100


def test_concurrent_close_due_settles_each_coalition_exactly_once(app):
    cooperative = make_cooperative()
    past = utcnow() - timedelta(minutes=5)
    coalitions = [make_coalition(cooperative, deadline=past + timedelta(seconds=n), moq=50) for n in range(4)]
    for index, coalition in enumerate(coalitions):
        for quantity in (30, 25, 10 + index)[: 2 + index % 2]:
            make_pledge(coalition, quantity=quantity)
    db.session.commit()
    ids = [c.id for c in coalitions]
    now = utcnow()

    done, refused = _run_at_once(app, 4, lambda _n: services.close_due(now))
    assert not refused
    closed = [coalition_id for batch in done for coalition_id in batch]  # type: ignore[attr-defined]
    assert sorted(closed) == sorted(ids)  # each closed by exactly one of the runs

    db.session.expire_all()
    for coalition_id in ids:
        coalition = db.session.get(BuyingCoalition, coalition_id)
        assert coalition.status is CoalitionStatus.CLOSED_SUCCESS
        pledges = db.session.scalar(select(func.count()).where(Pledge.coalition_id == coalition_id))
        shares = db.session.scalar(select(func.count()).where(MemberShare.coalition_id == coalition_id))
        closes = db.session.scalar(
            select(func.count()).where(
                CoalitionEvent.coalition_id == coalition_id,
                CoalitionEvent.to_status == CoalitionStatus.CLOSED_SUCCESS,
            )
        )
        assert (shares, closes) == (pledges, 1)


def test_close_due_in_two_processes_at_once_settles_and_notifies_once(app):
    """The scheduler's real command, twice at the same moment in two OS processes on the same database."""
    import os
    import subprocess
    import sys

    from marketplace.notifications.models import Notification

    cooperative = make_cooperative()
    past = utcnow() - timedelta(minutes=5)
    coalitions = [make_coalition(cooperative, deadline=past + timedelta(seconds=n), moq=50) for n in range(3)]
    for coalition in coalitions:
        for quantity in (30, 25):
            make_pledge(coalition, quantity=quantity)
    db.session.commit()
    env = {**os.environ, "GOTONG_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False))}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "marketplace", "coalitions", "close-due"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    closed_lines = [
        line for out, _err in outputs for line in out.decode().splitlines() if ": success" in line
    ]
    assert len(closed_lines) == len(coalitions)  # each coalition reported closed by exactly one process

    db.session.expire_all()
    for coalition in coalitions:
        coalition = db.session.get(BuyingCoalition, coalition.id)
        assert coalition.status is CoalitionStatus.CLOSED_SUCCESS
        shares = db.session.scalar(select(func.count()).where(MemberShare.coalition_id == coalition.id))
        assert shares == 2
    owners = [p.business.owner_id for c in coalitions for p in c.pledges]
    success_notes = db.session.scalar(
        select(func.count()).where(Notification.kind == "coalition.success", Notification.user_id.in_(owners))
    )
    assert success_notes == len(owners)  # told once each, not once per process
