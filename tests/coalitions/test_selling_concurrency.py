"""Selling coalitions under real concurrency (PostgreSQL, threads with their own connections): members
committing the last units under the cap, and the close run by two schedulers at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coalitions.selling import services as selling
from coalitions.selling.models import (
    Commitment,
    CommitmentStatus,
    SellingCoalition,
    SellingEvent,
    SellingStatus,
)
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business
from marketplace.extensions import db
from tests.coalitions.selling_data import coffee_terms as _terms
from tests.coalitions.test_buying_concurrency import _run_at_once
from tests.factories import make_business, make_cooperative, make_membership, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.committing]


def _coalition_with_members(count: int, **terms):  # type: ignore[no-untyped-def]
    manager = make_user("Bu Ketua")
    cooperative = make_cooperative(manager, "Koperasi Kopi Bersama")
    members = []
    for n in range(count):
        business = make_business(make_user(f"Petani {n}"), f"Kebun {n}")
        make_membership(cooperative, business)
        members.append(business)
    coalition = selling.create_coalition(manager, cooperative, _terms(buyer_name="Hotel", **terms))
    selling.publish(manager, coalition)
    db.session.commit()
    return coalition.id, [b.id for b in members]


@pytest.mark.parametrize(("taken", "workers", "quantity"), [(540, 12, 10), (549, 8, 1), (500, 10, 25)])
def test_commitments_racing_for_the_cap_never_exceed_it(app, taken, workers, quantity):
    coalition_id, members = _coalition_with_members(workers + 1, commit_cap=550)
    first = db.session.get(Business, members[0])
    selling.commit(first.owner, first, db.session.get(SellingCoalition, coalition_id), "A", taken)
    db.session.commit()

    def work(n: int) -> object:
        business = db.session.get(Business, members[n + 1])
        return selling.commit(
            business.owner, business, db.session.get(SellingCoalition, coalition_id), "B", quantity
        )

    done, refused = _run_at_once(app, workers, work)
    assert len(done) == (550 - taken) // quantity
    assert len(refused) == workers - len(done)
    assert all("kuota" in message or "batas" in message for message in refused), refused
    total = db.session.scalar(
        select(func.sum(Commitment.quantity)).where(
            Commitment.coalition_id == coalition_id, Commitment.status == CommitmentStatus.ACTIVE
        )
    )
    assert total == taken + len(done) * quantity <= 550


def test_two_schedulers_close_a_selling_coalition_once(app):
    coalition_id, members = _coalition_with_members(4)
    for business_id, qty in zip(members, (200, 150, 120, 100), strict=True):
        business = db.session.get(Business, business_id)
        selling.commit(business.owner, business, db.session.get(SellingCoalition, coalition_id), "A", qty)
    db.session.commit()
    later = utcnow() + timedelta(days=6)

    done, refused = _run_at_once(
        app, 4, lambda _n: selling.close(db.session.get(SellingCoalition, coalition_id), later)
    )
    assert not refused and sorted(done) == [False, False, False, True]
    db.session.expire_all()
    coalition = db.session.get(SellingCoalition, coalition_id)
    assert coalition.status is SellingStatus.COMMITTED and coalition.allocated_qty == 500
    closes = db.session.scalar(
        select(func.count()).where(
            SellingEvent.coalition_id == coalition_id, SellingEvent.to_status == SellingStatus.COMMITTED
        )
    )
    assert closes == 1
