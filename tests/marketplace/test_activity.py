"""The activity rule (DOMAIN.md "Supervision"): active when in the last 12 months a cooperative recorded a
sale, a coalition, a new member or a RAT — at its boundaries, one statement for a whole region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from marketplace.clock import utcnow
from marketplace.cooperatives.models import Membership, MembershipStatus
from marketplace.dashboards import activity
from marketplace.dashboards.activity import ActivityKind
from marketplace.dashboards.models import ActivitySnapshot, RatRecord
from marketplace.extensions import db
from marketplace.marketing.event_models import OfflineSale, PaymentMethod
from marketplace.orders.models import OrderStatus
from tests.factories import (
    make_bank_account,
    make_business,
    make_checkout,
    make_coalition,
    make_cooperative,
    make_membership,
    make_product,
)

NOW = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)  # 12:00 WIB (the database holds UTC)


def _bare_cooperative():  # type: ignore[no-untyped-def]
    """A cooperative that has done nothing at all (its member joined long ago)."""
    cooperative = make_cooperative()
    business = make_business()
    membership = make_membership(cooperative, business)
    membership.joined_at = NOW - timedelta(days=800)
    db.session.flush()
    return cooperative, business


def _sale(cooperative, business, at: datetime, status: OrderStatus = OrderStatus.PAID):  # type: ignore[no-untyped-def]
    product = make_product(business, cooperative=cooperative, stock=50)
    if not business.has_bank_account:
        make_bank_account(business)
    order = make_checkout([(product, 1)]).orders[0]
    assert order.cooperative_id == cooperative.id
    order.status = status  # fixture: the order's history is not what is under test here
    order.created_at = at
    db.session.flush()
    return order


def _offline_sale(business, at: datetime, *, voided: bool = False) -> OfflineSale:
    sale = OfflineSale(
        business_id=business.id,
        title="Boneka",
        unit="pcs",
        quantity=1,
        unit_price_idr=50_000,
        total_idr=50_000,
        method=PaymentMethod.CASH,
        sold_at=at,
        voided_at=at if voided else None,
    )
    db.session.add(sale)
    db.session.flush()
    return sale


@pytest.mark.parametrize(("days_ago", "active"), [(364, True), (365, True), (366, False)])
def test_an_online_sale_counts_for_365_days(days_ago: int, active: bool) -> None:
    cooperative, business = _bare_cooperative()
    _sale(cooperative, business, NOW - timedelta(days=days_ago))

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.active is active
    assert found.counts(ActivityKind.SALE) is active
    assert found.last == (ActivityKind.SALE, NOW - timedelta(days=days_ago))


def test_a_cooperative_with_nothing_recorded_is_inactive_and_says_so() -> None:
    cooperative = make_cooperative()

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.active is False
    assert found.last is None
    assert found.last_sale_at is found.last_coalition_at is found.last_member_at is found.last_rat_on is None


def test_unpaid_and_cancelled_orders_are_not_sales() -> None:
    cooperative, business = _bare_cooperative()
    _sale(cooperative, business, NOW - timedelta(days=3), OrderStatus.PENDING_PAYMENT)
    _sale(cooperative, business, NOW - timedelta(days=2), OrderStatus.CANCELLED)
    _sale(cooperative, business, NOW - timedelta(days=400), OrderStatus.COMPLETED)

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.active is False
    assert found.last_sale_at == NOW - timedelta(days=400)  # what it last did, shown to the officer


def test_offline_sales_of_active_members_count_unless_voided() -> None:
    cooperative, business = _bare_cooperative()
    _offline_sale(business, NOW - timedelta(days=10), voided=True)
    assert activity.cooperative_activity(cooperative, as_of=NOW).active is False

    _offline_sale(business, NOW - timedelta(days=364))
    found = activity.cooperative_activity(cooperative, as_of=NOW)
    assert found.active is True
    assert found.last_sale_at == NOW - timedelta(days=364)

    # A business that left the cooperative no longer sells for it.
    membership = db.session.scalars(select(Membership).where(Membership.business_id == business.id)).one()
    membership.status = MembershipStatus.WITHDRAWN
    db.session.flush()
    assert activity.cooperative_activity(cooperative, as_of=NOW).active is False


@pytest.mark.parametrize(("days_ago", "active"), [(364, True), (366, False)])
def test_a_new_member_counts_for_a_year(days_ago: int, active: bool) -> None:
    cooperative, _ = _bare_cooperative()
    make_membership(cooperative, make_business()).joined_at = NOW - timedelta(days=days_ago)
    db.session.flush()

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.active is active
    assert found.last == (ActivityKind.MEMBER, NOW - timedelta(days=days_ago))


@pytest.mark.parametrize(("days_ago", "active"), [(364, True), (366, False)])
def test_a_rat_counts_from_the_day_it_was_held(days_ago: int, active: bool) -> None:
    cooperative, _ = _bare_cooperative()
    held = NOW.date() - timedelta(days=days_ago)
    db.session.add(RatRecord(cooperative_id=cooperative.id, held_on=held, financial_year=held.year - 1))
    db.session.flush()

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.active is active
    assert found.last_rat_on == held
    assert found.counts(ActivityKind.RAT) is active


def test_a_published_coalition_counts_and_a_draft_does_not() -> None:
    from coalitions.models import CoalitionStatus

    cooperative, _ = _bare_cooperative()
    make_coalition(cooperative, status=CoalitionStatus.DRAFT)
    assert activity.cooperative_activity(cooperative, as_of=NOW).active is False

    make_coalition(cooperative, status=CoalitionStatus.CLOSED_FAILED, published_at=NOW - timedelta(days=364))
    found = activity.cooperative_activity(cooperative, as_of=NOW)
    assert found.active is True
    assert found.last == (ActivityKind.COALITION, NOW - timedelta(days=364))


def test_asked_about_a_past_date_later_activity_is_ignored() -> None:
    cooperative, business = _bare_cooperative()
    _sale(cooperative, business, NOW - timedelta(days=5))

    earlier = activity.cooperative_activity(cooperative, as_of=NOW - timedelta(days=30))

    assert earlier.active is False
    assert earlier.last_sale_at is None


def test_a_whole_region_is_one_statement(app) -> None:  # type: ignore[no-untyped-def]
    cooperatives = [_bare_cooperative()[0] for _ in range(6)]
    _sale(cooperatives[0], make_business(), NOW - timedelta(days=1))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = activity.activities(activity.region_cooperative_ids("32.16"), as_of=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(statements) == 1
    assert {c.id for c in cooperatives} <= set(found)
    assert found[cooperatives[0].id].active is True
    assert [found[c.id].active for c in cooperatives[1:]] == [False] * 5


def test_region_scopes() -> None:
    bekasi = make_cooperative()
    solok = make_cooperative(region=("13", "13.11"))

    def ids(code):  # type: ignore[no-untyped-def]
        return set(db.session.scalars(activity.region_cooperative_ids(code)))

    assert bekasi.id in ids("32.16") and solok.id not in ids("32.16")
    assert bekasi.id in ids("32") and solok.id not in ids("32")
    assert solok.id in ids("13") and solok.id in ids("13.11")
    assert {bekasi.id, solok.id} <= ids(None)


def test_a_snapshot_records_the_month_once_and_follows_changes() -> None:
    cooperative, business = _bare_cooperative()

    activity.take_snapshot(as_of=NOW)
    activity.take_snapshot(as_of=NOW)  # idempotent
    rows = db.session.scalars(
        select(ActivitySnapshot).where(ActivitySnapshot.cooperative_id == cooperative.id)
    ).all()
    assert [(r.month, r.active) for r in rows] == [(date(2026, 11, 1), False)]

    _sale(cooperative, business, NOW - timedelta(hours=1))
    activity.take_snapshot(as_of=NOW)
    db.session.expire_all()
    rows = db.session.scalars(
        select(ActivitySnapshot).where(ActivitySnapshot.cooperative_id == cooperative.id)
    ).all()
    assert [(r.month, r.active) for r in rows] == [(date(2026, 11, 1), True)]


def test_the_window_is_measured_from_now_by_default() -> None:
    cooperative, business = _bare_cooperative()
    _sale(cooperative, business, utcnow() - timedelta(days=364))

    assert activity.cooperative_activity(cooperative).active is True


def test_a_draft_cancelled_unpublished_is_not_a_coalition() -> None:
    from coalitions.models import CoalitionStatus

    cooperative, _ = _bare_cooperative()
    make_coalition(cooperative, status=CoalitionStatus.CANCELLED, published_at=None)

    assert activity.cooperative_activity(cooperative, as_of=NOW).active is False


def test_a_later_coalition_does_not_hide_one_inside_a_past_window() -> None:
    from coalitions.models import CoalitionStatus

    cooperative, _ = _bare_cooperative()
    make_coalition(cooperative, status=CoalitionStatus.CLOSED_FAILED, published_at=NOW - timedelta(days=100))
    make_coalition(cooperative, status=CoalitionStatus.OPEN, published_at=NOW - timedelta(days=5))

    earlier = activity.cooperative_activity(cooperative, as_of=NOW - timedelta(days=30))

    assert earlier.active is True
    assert earlier.last_coalition_at == NOW - timedelta(days=100)


def test_an_as_of_in_wib_means_the_same_moment_as_in_utc() -> None:
    from zoneinfo import ZoneInfo

    wib = ZoneInfo("Asia/Jakarta")
    cooperative, business = _bare_cooperative()
    # 1 June 02:00 WIB is 31 May 19:00 UTC: after the end of 31 May WIB (16:59 UTC), before 1 June 03:00 WIB.
    _sale(cooperative, business, datetime(2026, 6, 1, 2, 0, tzinfo=wib).astimezone(UTC))

    end_of_may = activity.cooperative_activity(cooperative, as_of=datetime(2026, 5, 31, 23, 59, tzinfo=wib))
    june = activity.cooperative_activity(cooperative, as_of=datetime(2026, 6, 1, 3, 0, tzinfo=wib))

    assert (end_of_may.active, end_of_may.last_sale_at) == (False, None)
    assert june.active is True


def test_offline_sales_before_joining_are_not_the_cooperatives() -> None:
    cooperative = make_cooperative()
    business = make_business()
    make_membership(cooperative, business).joined_at = NOW - timedelta(days=10)
    db.session.flush()
    _offline_sale(business, NOW - timedelta(days=20))  # sold on its own, before it joined

    found = activity.cooperative_activity(cooperative, as_of=NOW)

    assert found.last_sale_at is None
    assert found.last == (ActivityKind.MEMBER, NOW - timedelta(days=10))
