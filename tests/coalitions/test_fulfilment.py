"""After a successful close: shares due, ordering, receipts, hand-over, defaults (absorb / re-allocate),
savings, invitations — services and pages. Money numbers on DOMAIN.md's worked example."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from coalitions import fulfilment, jobs, services
from coalitions.engine import AllocationRule, split_cost
from coalitions.models import (
    BuyingCoalition,
    CoalitionInvitation,
    CoalitionPayment,
    CoalitionStatus,
    JoinPolicy,
    PaymentKind,
    ShareStatus,
)
from marketplace.clock import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.factories import (
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_pledge,
    make_user,
)

S = CoalitionStatus


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    manager = make_user("Pak Ketua")
    cooperative = make_cooperative(manager, "Koperasi Peternak Solok Selatan")
    members = {}
    for name in "ABCDE":
        business = make_business(make_user(f"Peternak {name}"), f"Peternakan {name}")
        make_membership(cooperative, business)
        members[name] = business
    return cooperative, manager, members


def _closed(coop, quantities, **kw):  # type: ignore[no-untyped-def]
    """A coalition on the worked example's terms, pledged and closed through the scheduler's path."""
    cooperative, _manager, m = coop
    coalition = make_coalition(cooperative, shared_cost_idr=1_500_000, **kw)
    for name, qty in quantities.items():
        make_pledge(coalition, m[name], qty)
    db.session.commit()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    report = jobs.run_due()
    assert coalition.id in report.closed
    db.session.expire_all()
    return db.session.get(BuyingCoalition, coalition.id)


def _shares(coalition):  # type: ignore[no-untyped-def]
    return {s.business.name[-1]: s for s in fulfilment.shares_of(coalition)}


def _consistent(coalition):  # type: ignore[no-untyped-def]
    shares = fulfilment.shares_of(coalition)
    assert sum(s.final_qty for s in shares) + coalition.absorbed_qty == coalition.allocated_qty
    assert sum(s.final_idr for s in shares) + coalition.absorbed_idr == coalition.amount_total_idr


def test_success_makes_shares_due_with_the_worked_example_numbers_and_notifies(coop):
    coalition = _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    shares = _shares(coalition)
    assert {k: s.total_idr for k, s in shares.items()} == {
        "A": 12_560_748,
        "B": 10_990_654,
        "C": 6_280_374,
        "D": 3_768_224,
    }
    assert all(s.status is ShareStatus.DUE and s.owed_idr == s.total_idr for s in shares.values())
    closed_at = coalition.closed_at if coalition.closed_at.tzinfo else coalition.closed_at.replace(tzinfo=UTC)
    for share in shares.values():
        due = share.due_at if share.due_at.tzinfo else share.due_at.replace(tzinfo=UTC)
        assert due - closed_at == timedelta(days=coalition.payment_due_days)
    assert {k: fulfilment.member_savings(s) for k, s in shares.items()} == {
        "A": 800_000,
        "B": 700_000,
        "C": 400_000,
        "D": 240_000,
    }
    assert fulfilment.cooperative_savings(coalition.cooperative_id) == (2_140_000, 1)
    # Every member was told (in-app) and the manager too.
    kinds = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    owners = {s.business.owner_id for s in shares.values()}
    assert {u for u, k in kinds if k == "coalition.success"} == owners
    assert any(k == "coalition.closed_manager" for _u, k in kinds)
    _consistent(coalition)


def test_failed_close_leaves_nothing_due_and_tells_members(coop):
    coalition = _closed(coop, {"A": 40, "B": 30})
    assert coalition.status is S.CLOSED_FAILED
    assert all(
        s.status is ShareStatus.NOTHING_DUE and s.owed_idr == 0 for s in fulfilment.shares_of(coalition)
    )
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "coalition.failed"))


def test_order_receive_in_parts_hand_over_and_distribute(coop):
    _cooperative, manager, m = coop
    coalition = _closed(coop, {"A": 60, "B": 47})
    shares = _shares(coalition)
    with pytest.raises(DomainError, match="setelah koalisi dipesan"):
        fulfilment.record_receipt(manager, coalition, 10)
    with pytest.raises(PermissionDenied):
        fulfilment.mark_ordered(m["A"].owner, coalition)
    fulfilment.mark_ordered(manager, coalition)
    fulfilment.record_receipt(manager, coalition, 50, "truk pertama")
    assert coalition.status is S.ORDERED and coalition.received_qty == 50
    with pytest.raises(DomainError, match="tinggal 57"):
        fulfilment.record_receipt(manager, coalition, 58)
    # Hand-over only when paid, only what arrived.
    with pytest.raises(DomainError, match="belum melunasi"):
        fulfilment.hand_over(manager, coalition, shares["A"], 10)
    for share in shares.values():
        share.paid_idr = share.total_idr
        share.status = ShareStatus.PAID
    fulfilment.hand_over(manager, coalition, shares["A"], 50)
    with pytest.raises(DomainError, match="tinggal 0"):
        fulfilment.hand_over(manager, coalition, shares["B"], 1)
    fulfilment.record_receipt(manager, coalition, 57)
    assert coalition.status is S.RECEIVED
    with pytest.raises(DomainError, match="Sisa bagian anggota ini 10"):
        fulfilment.hand_over(manager, coalition, shares["A"], 11)
    fulfilment.hand_over(manager, coalition, shares["A"], 10)
    fulfilment.hand_over(manager, coalition, shares["B"], 47)
    assert coalition.status is S.DISTRIBUTED
    assert [e.to_status for e in coalition.events][-4:] == [
        S.CLOSED_SUCCESS,
        S.ORDERED,
        S.RECEIVED,
        S.DISTRIBUTED,
    ]


def test_unpaid_share_defaults_after_the_due_date_once(coop):
    coalition = _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    shares = _shares(coalition)
    shares["A"].paid_idr = shares["A"].total_idr
    shares["A"].status = ShareStatus.PAID
    db.session.commit()
    before_due = utcnow() + timedelta(days=coalition.payment_due_days - 1)
    assert jobs.run_due(before_due).defaulted == []
    late = utcnow() + timedelta(days=coalition.payment_due_days, minutes=5)
    report = jobs.run_due(late)
    assert sorted(report.defaulted) == sorted(s.id for k, s in shares.items() if k != "A")
    assert jobs.run_due(late).defaulted == []  # idempotent
    db.session.expire_all()
    assert shares["B"].status is ShareStatus.DEFAULTED and shares["A"].status is ShareStatus.PAID
    assert db.session.scalar(
        select(Notification.id).where(Notification.kind == "coalition.defaulted_manager")
    )


def test_a_transfer_under_review_holds_off_the_default(coop):
    coalition = _closed(coop, {"A": 60, "B": 47})
    share = _shares(coalition)["B"]
    db.session.add(
        CoalitionPayment(
            coalition_id=coalition.id,
            pledge_id=share.pledge_id,
            share_id=share.id,
            business_id=share.business_id,
            kind=PaymentKind.TRANSFER,
            status="awaiting_review",
            amount_idr=share.owed_idr,
            captured_idr=0,
            reference="KOP-TEST0001",
        )
    )
    db.session.commit()
    late = utcnow() + timedelta(days=30)
    assert share.id not in jobs.run_due(late).defaulted


def test_absorb_keeps_the_numbers_consistent(coop):
    _cooperative, manager, m = coop
    coalition = _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    shares = _shares(coalition)
    with pytest.raises(DomainError, match="gagal bayar"):
        fulfilment.absorb(manager, coalition, shares["D"])
    shares["D"].status = ShareStatus.DEFAULTED
    with pytest.raises(PermissionDenied):
        fulfilment.absorb(m["A"].owner, coalition, shares["D"])
    fulfilment.absorb(manager, coalition, shares["D"])
    assert shares["D"].status is ShareStatus.ABSORBED and shares["D"].final_qty == 0
    assert (coalition.absorbed_qty, coalition.absorbed_idr) == (12, 3_768_224)
    _consistent(coalition)


def test_reallocate_gives_the_units_to_members_who_lacked_them(coop):
    """Capacity 100 for demands A 60, B 30, C 20 (uniform: A 50, B 30, C 20). C defaults: of its 20 units A,
    who lacked 10, gets 10 and the cooperative the other 10; C's delivery share follows the units."""
    _cooperative, manager, _m = coop
    coalition = _closed(coop, {"A": 60, "B": 30, "C": 20}, capacity=100)
    shares = _shares(coalition)
    assert {k: s.allocated_qty for k, s in shares.items()} == {"A": 50, "B": 30, "C": 20}
    c_cost = shares["C"].shared_cost_idr
    shares["C"].status = ShareStatus.DEFAULTED
    given = fulfilment.reallocate(manager, coalition, shares["C"])
    assert given == {shares["A"].id: 10}
    assert shares["C"].status is ShareStatus.REALLOCATED
    a_cost, coop_cost = split_cost(c_cost, [10, 10])
    assert shares["A"].extra_qty == 10
    assert shares["A"].extra_idr == 10 * 300_000 + a_cost
    assert shares["A"].status is ShareStatus.DUE
    assert shares["A"].final_qty == 60
    assert (coalition.absorbed_qty, coalition.absorbed_idr) == (10, 10 * 300_000 + coop_cost)
    assert fulfilment.member_savings(shares["A"]) == 60 * 20_000
    _consistent(coalition)


def test_reallocate_a_paid_member_owes_only_the_extra(coop):
    _cooperative, manager, _m = coop
    coalition = _closed(
        coop, {"A": 60, "B": 30, "C": 20}, capacity=100, allocation_rule=AllocationRule.PROPORTIONAL
    )
    shares = _shares(coalition)
    assert {k: s.allocated_qty for k, s in shares.items()} == {"A": 55, "B": 27, "C": 18}
    for key in "AB":
        shares[key].paid_idr = shares[key].total_idr
        shares[key].status = ShareStatus.PAID
    shares["C"].status = ShareStatus.DEFAULTED
    given = fulfilment.reallocate(manager, coalition, shares["C"])
    # Unmet demand A 5, B 3 (≤ 18 units): both fully served, the cooperative keeps 10.
    assert given == {shares["A"].id: 5, shares["B"].id: 3}
    assert shares["A"].status is ShareStatus.DUE and shares["A"].owed_idr == shares["A"].extra_idr
    assert coalition.absorbed_qty == 10
    _consistent(coalition)
    with pytest.raises(DomainError, match="gagal bayar"):
        fulfilment.reallocate(manager, coalition, shares["C"])


# --- pages ------------------------------------------------------------------------------------------------


def test_member_sees_their_share_and_the_manager_the_table(web, coop):  # type: ignore[no-untyped-def]
    _cooperative, manager, m = coop
    coalition = _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    web.login(m["A"].owner)
    html = web.get(f"/koalisi/{coalition.id}").get_data(as_text=True)
    assert "Rp12.560.748" in html and "Rp560.748" in html and "Rp800.000" in html
    assert "Peternakan B" not in html  # only their own share
    assert "/bayar" in html
    web.logout()
    web.login(manager)
    html = web.get(f"/koalisi/{coalition.id}").get_data(as_text=True)
    for name in "ABCD":
        assert f"Peternakan {name}" in html
    assert "surat-pesanan.pdf" in html and "distribusi.csv" in html


def test_manager_pages_order_receive_hand_over(web, coop):  # type: ignore[no-untyped-def]
    _cooperative, manager, m = coop
    coalition = _closed(coop, {"A": 60, "B": 47})
    shares = _shares(coalition)
    for share in shares.values():
        share.paid_idr = share.total_idr
        share.status = ShareStatus.PAID
    db.session.commit()
    web.login(m["A"].owner)
    page = f"/koalisi/{coalition.id}"
    assert web.post(f"{page}/dipesan").status_code == 403
    web.logout()
    web.login(manager)
    assert web.post(f"{page}/dipesan", csrf=False).status_code == 400
    assert web.post(f"{page}/dipesan").status_code == 302
    response = web.post(f"{page}/terima", {"quantity": "200"}, follow_redirects=True)
    assert "tinggal 107" in response.get_data(as_text=True)
    web.post(f"{page}/terima", {"quantity": "107", "note": "lengkap"})
    db.session.expire_all()
    assert coalition.status is S.RECEIVED
    for share in shares.values():
        assert (
            web.post(f"{page}/bagian/{share.id}/serahkan", {"quantity": str(share.final_qty)}).status_code
            == 302
        )
    db.session.expire_all()
    assert coalition.status is S.DISTRIBUTED
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "coalition.ready"))


def test_defaulted_share_pages(web, coop):  # type: ignore[no-untyped-def]
    _cooperative, manager, _m = coop
    coalition = _closed(coop, {"A": 60, "B": 30, "C": 20}, capacity=100)
    shares = _shares(coalition)
    shares["C"].status = ShareStatus.DEFAULTED
    shares["B"].status = ShareStatus.DEFAULTED
    db.session.commit()
    web.login(manager)
    page = f"/koalisi/{coalition.id}"
    html = web.get(page).get_data(as_text=True)
    assert "Alihkan ke anggota lain" in html
    assert web.post(f"{page}/bagian/{shares['C'].id}/alihkan").status_code == 302
    assert web.post(f"{page}/bagian/{shares['B'].id}/ambil-alih").status_code == 302
    db.session.expire_all()
    assert shares["C"].status is ShareStatus.REALLOCATED and shares["B"].status is ShareStatus.ABSORBED
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "coalition.extra_units"))
    _consistent(coalition)
    other = make_coalition(make_cooperative(make_user("Lain"), "Koperasi Lain"))
    db.session.commit()
    assert web.post(f"/koalisi/{other.id}/bagian/{shares['A'].id}/ambil-alih").status_code == 403


def test_invite_businesses_of_other_cooperatives(web, coop):  # type: ignore[no-untyped-def]
    cooperative, manager, m = coop
    outsider = make_business(make_user("Bu Luar"), "Tani Makmur Bekasi")
    make_membership(make_cooperative(make_user("Ketua Lain"), "Koperasi Bekasi"), outsider)
    coalition = make_coalition(cooperative, join_policy=JoinPolicy.MEMBERS_AND_INVITED)
    members_only = make_coalition(cooperative, title="Hanya anggota")
    db.session.commit()
    web.login(manager)
    html = web.get(f"/koalisi/{coalition.id}/undang?q=makmur").get_data(as_text=True)
    assert "Tani Makmur Bekasi" in html
    assert "Peternakan A" not in web.get(f"/koalisi/{coalition.id}/undang?q=peternakan").get_data(
        as_text=True
    )
    assert (
        web.post(f"/koalisi/{coalition.id}/undang?q=makmur", {"business_id": outsider.id}).status_code == 302
    )
    assert db.session.scalar(
        select(CoalitionInvitation.id).where(CoalitionInvitation.business_id == outsider.id)
    )
    assert db.session.scalar(
        select(Notification.id).where(
            Notification.kind == "coalition.invited", Notification.user_id == outsider.owner_id
        )
    )
    # The invited owner can now pledge.
    assert services.may_join(outsider.owner, outsider, coalition)
    assert web.get(f"/koalisi/{members_only.id}/undang").status_code == 302
    web.logout()
    web.login(m["A"].owner)
    assert web.get(f"/koalisi/{coalition.id}/undang?q=makmur").status_code == 403


def _transfer(share, status="awaiting_review", reference="KOP-TEST0002"):  # type: ignore[no-untyped-def]
    payment = CoalitionPayment(
        coalition_id=share.coalition_id,
        pledge_id=share.pledge_id,
        share_id=share.id,
        business_id=share.business_id,
        kind=PaymentKind.TRANSFER,
        status=status,
        amount_idr=share.owed_idr,
        captured_idr=0,
        reference=reference,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def test_a_share_paid_meanwhile_is_never_credited_twice(coop):
    from coalitions import payments

    _cooperative, manager, _m = coop
    coalition = _closed(coop, {"A": 60, "B": 47})
    share = _shares(coalition)["A"]
    transfer = _transfer(share)
    share.paid_idr = share.total_idr  # paid another way meanwhile (a captured hold, a card)
    share.status = ShareStatus.PAID
    with pytest.raises(DomainError, match="sudah lunas atau berubah"):
        payments.review_transfer(manager, transfer, approve=True)
    assert share.paid_idr == share.total_idr


def test_a_defaulted_share_with_a_transfer_under_review_is_not_taken_over(coop):
    _cooperative, manager, _m = coop
    coalition = _closed(coop, {"A": 60, "B": 47})
    share = _shares(coalition)["B"]
    share.status = ShareStatus.DEFAULTED
    _transfer(share)
    for resolve in (fulfilment.absorb, fulfilment.reallocate):
        with pytest.raises(DomainError, match="sedang diproses atau diperiksa"):
            resolve(manager, coalition, share)
    assert share.status is ShareStatus.DEFAULTED and coalition.absorbed_qty == 0


def test_an_owner_of_two_pledging_businesses_is_told_about_each(coop):
    cooperative, _manager, m = coop
    second = make_business(m["A"].owner, "Peternakan A Dua")
    make_membership(cooperative, second)
    coalition = make_coalition(cooperative, shared_cost_idr=1_500_000)
    make_pledge(coalition, m["A"], 60)
    make_pledge(coalition, second, 47)
    db.session.commit()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    jobs.run_due()
    rows = db.session.scalars(
        select(Notification).where(
            Notification.user_id == m["A"].owner_id, Notification.kind == "coalition.success"
        )
    ).all()
    assert sorted(r.params["qty"] for r in rows) == [47, 60]


def test_every_member_gets_an_email_with_their_numbers_in_their_language(coop):
    from marketplace.mail.models import OutboxEmail

    _cooperative, _manager, m = coop
    m["B"].owner.locale = "en"
    _closed(coop, {"A": 40, "B": 35, "C": 20, "D": 12})
    mails = {e.recipient: e for e in db.session.scalars(select(OutboxEmail))}
    a, b = mails[m["A"].owner.email], mails[m["B"].owner.email]
    assert "berhasil" in a.subject and "Rp12.560.748" in a.body and "Rp560.748" in a.body
    assert "succeeded" in b.subject and "Rp10.990.654" in b.body and "Final price: Rp300.000" in b.body
    assert len([r for r in mails if r in {x.owner.email for x in m.values()}]) == 4
