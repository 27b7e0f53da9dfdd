"""Money in buying coalitions, over real HTTP against localstripe (tests/localstripe.py).

Card-hold mode: a pledge is secured by a PaymentIntent with manual capture for its worst case
(``engine.worst_case_amount``); at the close each hold is captured for exactly ``MemberShare.total_idr`` and
everything else is released. Pay-on-success mode: after a success each member pays its share by card (paid
from the verified webhook) or by bank transfer with a proof that a manager reviews.

Members use the pages through the web client (the card form's confirm call is made as card_payment.js makes
it: JSON with the page's CSRF token in ``X-CSRFToken``); localstripe is read back over HTTP as the Stripe
dashboard would show it. The numbers are DOMAIN.md's worked example (tiers 1/100/200 at
Rp320.000/300.000/285.000, MOQ 100, delivery Rp1.500.000; pledges 40/35/20/12).
"""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from coalitions import engine, jobs, payments, services
from coalitions.models import (
    BuyingCoalition,
    CoalitionPayment,
    CoalitionPaymentStatus,
    CoalitionStatus,
    MemberShare,
    PaymentKind,
    PaymentMode,
    Pledge,
    PledgeStatus,
    ShareStatus,
)
from marketplace.clock import utcnow
from marketplace.database import write_unit
from marketplace.extensions import db
from marketplace.money import format_idr, to_stripe_amount
from marketplace.notifications.models import Notification
from marketplace.payments.models import WebhookEvent
from tests.conftest import Web, html
from tests.factories import (
    make_bank_account,
    make_business,
    make_coalition,
    make_cooperative,
    make_membership,
    make_photo_bytes,
    make_pledge,
    make_user,
)
from tests.localstripe import authenticate, card_token, http, wait_for
from tests.marketplace.test_payments_stripe import encode, intent_event, post_webhook, sign

P = CoalitionPaymentStatus
VISA = "4242424242424242"
DECLINED = "4000000000000341"  # localstripe declines this one when charged
THREE_D_SECURE = "4000002500003155"

WORKED_PLEDGES = (40, 35, 20, 12)
WORKED_TOTALS = (12_560_748, 10_990_654, 6_280_374, 3_768_224)


# --- helpers ----------------------------------------------------------------------------------------------


@pytest.fixture
def coop():  # type: ignore[no-untyped-def]
    cooperative = make_cooperative(make_user("Bu Ketua"))
    make_bank_account(cooperative, bank="BRI", number="002101000777305", holder="Koperasi Tani Makmur")
    return cooperative


def manager_of(coop):  # type: ignore[no-untyped-def]
    return coop.managers[0].user


def member(coop, name: str = "Pak Tani"):  # type: ignore[no-untyped-def]
    owner = make_user(name)
    business = make_business(owner, name=f"Usaha {name}")
    make_membership(coop, business)
    return owner, business


def card_coalition(coop, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("shared_cost_idr", 1_500_000)
    kw.setdefault("deadline", utcnow() + timedelta(days=5))
    return make_coalition(coop, payment_mode=PaymentMode.CARD_HOLD, **kw)


def sync() -> None:
    """End the test's own transaction (factories' rows become visible to requests and jobs; a SQLite reader
    drops its snapshot) and forget cached rows."""
    db.session.commit()
    db.session.expire_all()


def browser(app, user) -> Web:  # type: ignore[no-untyped-def]
    """A separate logged-in browser for ``user``."""
    sync()
    web = Web(app.test_client())
    web.login(user)
    return web


_ATTR = re.compile(r'data-([\w-]+)="([^"]*)"')


def card_form(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The card form's data attributes (what card_payment.js reads)."""
    text = html(response)
    assert response.status_code == 200, text[:2000]
    start = text.find('id="card-payment"')
    assert start != -1, "no card form on the page"
    tag = text[text.rfind("<div", 0, start) : text.find(">", start)]
    return {name: value.replace("&amp;", "&") for name, value in _ATTR.findall(tag)}


def confirm(web: Web, form: dict[str, str], number: str = VISA):  # type: ignore[no-untyped-def]
    """What card_payment.js does after Stripe.js tokenised the card."""
    return web.client.post(
        form["confirm-url"],
        json={"token": card_token(number)},
        headers={"X-CSRFToken": form["csrf-token"], "Accept": "application/json"},
    )


def reference_of(form: dict[str, str]) -> str:
    match = re.search(r"/koalisi/bayar/([^/]+)/kartu", form["confirm-url"])
    assert match, form
    return match.group(1)


def payment(reference: str) -> CoalitionPayment:
    sync()
    return db.session.scalars(select(CoalitionPayment).where(CoalitionPayment.reference == reference)).one()


def holds(pledge_id: int) -> list[CoalitionPayment]:
    sync()
    return list(
        db.session.scalars(
            select(CoalitionPayment)
            .where(CoalitionPayment.pledge_id == pledge_id, CoalitionPayment.kind == PaymentKind.HOLD)
            .order_by(CoalitionPayment.id)
        )
    )


def pledge_page(web: Web, coalition_id: int, business, quantity: int) -> Pledge:  # type: ignore[no-untyped-def]
    """The member pledges on the coalition page; in card-hold mode it is sent on to the hold page."""
    response = web.post(
        f"/koalisi/{coalition_id}/ikut", {"business_id": business.id, "quantity": str(quantity)}
    )
    assert response.status_code == 302, html(response)[:2000]
    sync()
    made = db.session.scalars(
        select(Pledge).where(
            Pledge.coalition_id == coalition_id,
            Pledge.business_id == business.id,
            Pledge.status == PledgeStatus.ACTIVE,
        )
    ).one()
    assert response.headers["Location"].endswith(f"/koalisi/{coalition_id}/komitmen/{made.id}/tahan")
    return made


def hold_page(web: Web, pledge: Pledge):  # type: ignore[no-untyped-def]
    return web.get(f"/koalisi/{pledge.coalition_id}/komitmen/{pledge.id}/tahan")


def secure(web: Web, coalition_id: int, business, quantity: int) -> tuple[Pledge, CoalitionPayment]:  # type: ignore[no-untyped-def]
    """Pledge on the page, then authorize the hold with a good card: the pledge counts."""
    made = pledge_page(web, coalition_id, business, quantity)
    form = card_form(hold_page(web, made))
    answer = confirm(web, form)
    assert answer.status_code == 200 and answer.get_json()["state"] == "authorized", answer.get_json()
    hold = payment(reference_of(form))
    assert hold.status is P.AUTHORIZED
    return made, hold


def choose(web: Web, coalition_id: int, share_id: int, how: str):  # type: ignore[no-untyped-def]
    """On the share's page the member picks how to pay (``kartu`` / ``transfer``: a POST with the page's CSRF
    token); the page then shows that attempt."""
    url = f"/koalisi/{coalition_id}/bagian/{share_id}/bayar"
    response = web.post(url, {"cara": how, "csrf_token": web.csrf(url)})
    assert response.status_code == 302, html(response)[:2000]
    assert response.headers["Location"].endswith(url)
    return web.get(url)


def intent(provider_ref: str) -> dict[str, Any]:
    status, body = http("GET", f"/v1/payment_intents/{provider_ref}", secret=True)
    assert status == 200, body
    return body


def charge_of(provider_ref: str) -> dict[str, Any] | None:
    charge = intent(provider_ref).get("latest_charge")
    if isinstance(charge, str):
        status, charge = http("GET", f"/v1/charges/{charge}", secret=True)
        assert status == 200, charge
    return charge


def captured_minor(provider_ref: str) -> int:
    """What Stripe took (minor units): ``amount_received``, or — localstripe has none — the charge's amount
    captured less the remainder it refunded."""
    body = intent(provider_ref)
    if "amount_received" in body:
        return int(body["amount_received"])
    charge = charge_of(provider_ref)
    if not charge or not charge.get("captured") or charge.get("status") != "succeeded":
        return 0
    return int(charge["amount"]) - int(charge.get("amount_refunded") or 0)


def worst(coalition: BuyingCoalition, quantity: int) -> int:
    return engine.worst_case_amount(services.terms_of(coalition), quantity)


def past_deadline(coalition: BuyingCoalition) -> None:
    sync()
    coalition.deadline = utcnow() - timedelta(minutes=1)
    sync()


def run_due() -> jobs.RunReport:
    sync()
    report = jobs.run_due(utcnow())
    sync()
    return report


def share_of(pledge_id: int) -> MemberShare:
    sync()
    return db.session.scalars(select(MemberShare).where(MemberShare.pledge_id == pledge_id)).one()


def notifications(user_id: int, kind: str) -> list[Notification]:
    sync()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        )
    )


# --- 1. a pledge secured by a card hold ---------------------------------------------------------------------


def test_a_pledge_is_secured_by_a_hold_for_its_worst_case(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Pak A")
    web = browser(app, owner)

    made = pledge_page(web, coalition.id, business, 40)
    expected = worst(coalition, 40)
    assert expected == 40 * 320_000 + 600_000  # the solo price, and delivery split over at least the MOQ
    page = hold_page(web, made)
    assert format_idr(expected) in html(page)
    form = card_form(page)
    hold = payment(reference_of(form))
    assert (hold.kind, hold.status, hold.amount_idr) == (PaymentKind.HOLD, P.PENDING, expected)
    assert hold.pledge_id == made.id and hold.provider_ref

    # Before the card: the coalition page says the pledge is not secured.
    assert "Dana belum ditahan" in html(web.get(f"/koalisi/{coalition.id}"))

    answer = confirm(web, form)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"state": "authorized"}
    hold = payment(hold.reference)
    assert hold.status is P.AUTHORIZED and hold.captured_idr == 0
    pi = intent(str(hold.provider_ref))
    assert pi["status"] == "requires_capture"
    assert pi["capture_method"] == "manual"
    assert pi["amount"] == to_stripe_amount(expected) == expected * 100
    assert pi["currency"] == "idr"
    assert pi["metadata"]["reference"] == hold.reference

    text = html(web.get(f"/koalisi/{coalition.id}"))
    assert "Dana ditahan di kartu: " + format_idr(expected) in text
    assert "Dana belum ditahan" not in text
    assert not payments.needs_hold(made)
    # The hold page now only says so (no second hold).
    again = hold_page(web, made)
    assert again.status_code == 302
    assert len(holds(made.id)) == 1


def test_a_declined_card_leaves_the_pledge_unsecured_and_a_retry_makes_a_new_hold(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Pak B")
    web = browser(app, owner)
    made = pledge_page(web, coalition.id, business, 35)

    first_form = card_form(hold_page(web, made))
    answer = confirm(web, first_form, DECLINED)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["state"] == "failed" and body["reload"] is True
    assert body["message"] == "Kartu ditolak oleh bank penerbit. Coba kartu lain."
    first = payment(reference_of(first_form))
    assert first.status is P.FAILED and first.failure_message
    assert intent(str(first.provider_ref))["status"] == "requires_payment_method"

    sync()
    assert payments.needs_hold(made)
    text = html(web.get(f"/koalisi/{coalition.id}"))
    assert "Dana belum ditahan" in text and f"/komitmen/{made.id}/tahan" in text

    # The retry: a new hold (new PaymentIntent), authorized with another card.
    second_form = card_form(hold_page(web, made))
    assert reference_of(second_form) != first.reference
    answer = confirm(web, second_form, VISA)
    assert answer.get_json() == {"state": "authorized"}
    second = payment(reference_of(second_form))
    assert second.status is P.AUTHORIZED and second.provider_ref != first.provider_ref
    assert second.amount_idr == worst(coalition, 35)
    assert intent(str(second.provider_ref))["status"] == "requires_capture"
    # The declined attempt is closed for good, at Stripe too.
    first = payment(first.reference)
    assert first.status is P.CANCELLED and first.settle_action is None
    assert intent(str(first.provider_ref))["status"] == "canceled"
    assert "Dana ditahan di kartu" in html(web.get(f"/koalisi/{coalition.id}"))


def test_three_d_secure_for_a_hold_is_finished_in_the_page(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Bu 3DS")
    web = browser(app, owner)
    made = pledge_page(web, coalition.id, business, 20)
    form = card_form(hold_page(web, made))
    answer = confirm(web, form, THREE_D_SECURE).get_json()
    assert answer["state"] == "requires_action" and answer["client_secret"]
    hold = payment(reference_of(form))
    assert hold.status is P.PROCESSING
    assert web.get(form["status-url"]).get_json() == {"paid": False, "status": "processing", "reload": False}

    authenticate(str(hold.provider_ref), answer["client_secret"], success=True)
    assert web.get(form["status-url"]).get_json() == {"paid": True, "status": "authorized", "reload": False}
    assert payment(hold.reference).status is P.AUTHORIZED
    assert intent(str(hold.provider_ref))["status"] == "requires_capture"


# --- 2. changing the pledge ---------------------------------------------------------------------------------


def test_a_bigger_pledge_needs_a_new_hold_which_releases_the_old_one(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Pak C")
    web = browser(app, owner)
    made, old = secure(web, coalition.id, business, 40)

    response = web.post(f"/koalisi/{coalition.id}/komitmen/{made.id}/ubah", {"quantity": "50"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/komitmen/{made.id}/tahan")
    # Until the new hold is authorized the old one stays (the pledge shows it is not covered).
    old = payment(old.reference)
    assert old.status is P.AUTHORIZED and old.settle_action is None
    assert intent(str(old.provider_ref))["status"] == "requires_capture"
    sync()
    assert payments.needs_hold(made)
    assert "Dana belum ditahan" in html(web.get(f"/koalisi/{coalition.id}"))

    form = card_form(hold_page(web, made))
    assert format_idr(worst(coalition, 50)) in html(hold_page(web, made))
    assert confirm(web, form).get_json() == {"state": "authorized"}
    new = payment(reference_of(form))
    assert new.status is P.AUTHORIZED and new.amount_idr == worst(coalition, 50)
    assert intent(str(new.provider_ref))["amount"] == worst(coalition, 50) * 100
    old = payment(old.reference)
    assert old.status is P.CANCELLED and old.settle_action is None
    assert intent(str(old.provider_ref))["status"] == "canceled"
    sync()
    assert payments.covering_hold(made).id == new.id  # type: ignore[union-attr]

    # A smaller pledge stays covered by the hold it has.
    response = web.post(f"/koalisi/{coalition.id}/komitmen/{made.id}/ubah", {"quantity": "30"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/koalisi/{coalition.id}")
    sync()
    assert made.quantity == 30 and not payments.needs_hold(made)
    new = payment(new.reference)
    assert new.status is P.AUTHORIZED and new.settle_action is None
    assert intent(str(new.provider_ref))["status"] == "requires_capture"
    assert len(holds(made.id)) == 2


# --- 3. withdrawing -----------------------------------------------------------------------------------------


def test_withdrawing_releases_the_hold_at_stripe(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Bu D")
    web = browser(app, owner)
    made, hold = secure(web, coalition.id, business, 12)

    response = web.post(f"/koalisi/{coalition.id}/komitmen/{made.id}/tarik")
    assert response.status_code == 302
    sync()
    assert made.status is PledgeStatus.WITHDRAWN
    hold = payment(hold.reference)
    assert hold.status is P.CANCELLED and hold.settle_action is None and hold.captured_idr == 0
    assert intent(str(hold.provider_ref))["status"] == "canceled"
    assert captured_minor(str(hold.provider_ref)) == 0
    sync()
    assert coalition.holds_pending is False


# --- 4. the close succeeds ----------------------------------------------------------------------------------


def test_a_success_captures_each_share_exactly_and_releases_the_rest(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    secured = []
    for n, quantity in enumerate(WORKED_PLEDGES):
        owner, business = member(coop, f"Anggota {'ABCD'[n]}")
        secured.append(secure(browser(app, owner), coalition.id, business, quantity))
    # E pledges but never authorizes the hold: the pledge lapses at the deadline, its hold is released.
    owner_e, business_e = member(coop, "Anggota E")
    web_e = browser(app, owner_e)
    pledge_e = pledge_page(web_e, coalition.id, business_e, 30)
    hold_e = payment(reference_of(card_form(hold_page(web_e, pledge_e))))
    assert hold_e.status is P.PENDING and hold_e.provider_ref
    coalition_id = coalition.id

    past_deadline(coalition)
    report = run_due()
    assert report.closed == [coalition_id]
    assert (report.captured, report.released, report.capture_failed, report.provider_errors) == (4, 1, 0, 0)

    coalition = db.session.get(BuyingCoalition, coalition_id)
    sync()
    assert coalition.status is CoalitionStatus.CLOSED_SUCCESS
    assert coalition.total_pledged_qty == 107 and coalition.unit_price_idr == 300_000
    assert coalition.holds_pending is False
    for (made, hold), total in zip(secured, WORKED_TOTALS, strict=True):
        share = share_of(made.id)
        assert share.total_idr == total
        assert (share.status, share.paid_idr, share.owed_idr) == (ShareStatus.PAID, total, 0)
        hold = payment(hold.reference)
        assert hold.status is P.SUCCEEDED and hold.captured_idr == total and hold.share_id == share.id
        assert hold.settle_action is None
        pi = intent(str(hold.provider_ref))
        assert pi["status"] == "succeeded"
        assert pi["amount"] == hold.amount_idr * 100  # the hold was for the worst case ...
        assert captured_minor(str(hold.provider_ref)) == total * 100  # ... only the share was taken

    sync()
    assert pledge_e.status is PledgeStatus.LAPSED
    assert db.session.scalar(select(func.count()).where(MemberShare.pledge_id == pledge_e.id)) == 0
    assert db.session.scalar(select(func.count()).where(MemberShare.coalition_id == coalition_id)) == 4
    hold_e = payment(hold_e.reference)
    assert hold_e.status is P.CANCELLED
    assert intent(str(hold_e.provider_ref))["status"] == "canceled"

    # The scheduler runs again: nothing is closed or captured twice.
    again = run_due()
    assert again.closed == [] and (again.captured, again.released, again.capture_failed) == (0, 0, 0)
    for (made, hold), total in zip(secured, WORKED_TOTALS, strict=True):
        assert share_of(made.id).paid_idr == total
        assert payment(hold.reference).captured_idr == total
        assert captured_minor(str(hold.provider_ref)) == total * 100


# --- 5. the close fails / the manager cancels ---------------------------------------------------------------


def test_a_failed_close_releases_every_hold_and_nobody_is_charged(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    secured = []
    for n, quantity in enumerate((40, 35)):
        owner, business = member(coop, f"Kecil {n}")
        secured.append(secure(browser(app, owner), coalition.id, business, quantity))
    coalition_id = coalition.id

    past_deadline(coalition)
    report = run_due()
    assert report.closed == [coalition_id]
    assert (report.captured, report.released, report.capture_failed) == (0, 2, 0)
    coalition = db.session.get(BuyingCoalition, coalition_id)
    sync()
    assert coalition.status is CoalitionStatus.CLOSED_FAILED and coalition.holds_pending is False
    for made, hold in secured:
        share = share_of(made.id)
        assert (share.status, share.total_idr, share.paid_idr) == (ShareStatus.NOTHING_DUE, 0, 0)
        hold = payment(hold.reference)
        assert hold.status is P.CANCELLED and hold.captured_idr == 0
        assert intent(str(hold.provider_ref))["status"] == "canceled"
        assert captured_minor(str(hold.provider_ref)) == 0


def test_cancelling_the_coalition_releases_the_holds(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    secured = []
    for n, quantity in enumerate((60, 50)):
        owner, business = member(coop, f"Batal {n}")
        secured.append(secure(browser(app, owner), coalition.id, business, quantity))
    manager = browser(app, manager_of(coop))
    response = manager.post(f"/koalisi/{coalition.id}/batalkan", {"reason": "Pemasok berhenti berjualan."})
    assert response.status_code == 302
    sync()
    assert coalition.status is CoalitionStatus.CANCELLED and coalition.holds_pending is False
    for _made, hold in secured:
        hold = payment(hold.reference)
        assert hold.status is P.CANCELLED and hold.captured_idr == 0
        assert intent(str(hold.provider_ref))["status"] == "canceled"
        assert captured_minor(str(hold.provider_ref)) == 0
    assert run_due().captured == 0


# --- 6. a released hold is never captured; capturing is idempotent ------------------------------------------


@pytest.mark.parametrize("released_at_stripe", [True, False], ids=["released", "row-only"])
def test_a_cancelled_hold_is_never_captured(app, localstripe, coop, released_at_stripe):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Pak Lepas")
    web = browser(app, owner)
    made, hold = secure(web, coalition.id, business, 40)
    if released_at_stripe:
        assert web.post(f"/koalisi/{coalition.id}/komitmen/{made.id}/tarik").status_code == 302
        hold = payment(hold.reference)
        assert intent(str(hold.provider_ref))["status"] == "canceled"
        # (localstripe itself would still capture this cancelled PaymentIntent: our state machine guards)
    else:
        hold.status = P.CANCELLED  # released in our books; the provider still holds the money
    hold.settle_action = "capture"
    hold.settle_amount_idr = 1_000_000
    sync()

    with pytest.raises(payments.IllegalPaymentTransition), write_unit():
        payments.carry_out(hold.id)
    db.session.rollback()
    # The scheduler refuses it the same way (and keeps going).
    report = jobs.settle_holds()
    assert (report.captured, report.provider_errors) == (0, 1)

    hold = payment(hold.reference)
    assert hold.status is P.CANCELLED and hold.captured_idr == 0
    expected = "canceled" if released_at_stripe else "requires_capture"
    assert intent(str(hold.provider_ref))["status"] == expected
    assert captured_minor(str(hold.provider_ref)) == 0
    charge = charge_of(str(hold.provider_ref))
    assert charge is not None and charge["captured"] is False
    assert P.SUCCEEDED not in payments.HOLD_TRANSITIONS[P.CANCELLED]


# --- 7. a capture that fails --------------------------------------------------------------------------------


@pytest.mark.committing
def test_a_failed_capture_leaves_the_share_due_and_the_member_pays_by_card(app, stripe_webhooks):  # type: ignore[no-untyped-def]
    coop = make_cooperative(make_user("Bu Ketua"))
    coalition = card_coalition(coop)
    owner_a, business_a = member(coop, "Pak Lancar")
    owner_b, business_b = member(coop, "Bu Gagal")
    web_a, web_b = browser(app, owner_a), browser(app, owner_b)
    pledge_a, hold_a = secure(web_a, coalition.id, business_a, 60)
    pledge_b, hold_b = secure(web_b, coalition.id, business_b, 50)
    coalition_id, owner_b_id, owner_a_id = coalition.id, owner_b.id, owner_a.id

    # The bank dropped B's hold (as when it expires): Stripe no longer lets it be captured.
    status, body = http("POST", f"/v1/payment_intents/{hold_b.provider_ref}/cancel", {}, secret=True)
    assert status == 200 and body["status"] == "canceled"

    past_deadline(coalition)
    report = run_due()
    assert report.closed == [coalition_id]
    assert (report.captured, report.capture_failed) == (1, 1)

    share_a, share_b = share_of(pledge_a.id), share_of(pledge_b.id)
    assert share_a.status is ShareStatus.PAID and share_a.paid_idr == share_a.total_idr > 0
    assert captured_minor(str(hold_a.provider_ref)) == share_a.total_idr * 100
    hold_b = payment(hold_b.reference)
    assert hold_b.status is P.FAILED and hold_b.failure_message and hold_b.captured_idr == 0
    assert hold_b.settle_action is None
    assert share_b.status is ShareStatus.DUE and share_b.paid_idr == 0 and share_b.total_idr > 0
    assert share_b.due_at is not None
    (notice,) = notifications(owner_b_id, "coalition.capture_failed")
    assert notice.params["amount"] == share_b.total_idr
    assert notifications(owner_a_id, "coalition.capture_failed") == []

    # B pays the share by card on the share's page; it counts once the webhook arrives.
    page = choose(web_b, coalition_id, share_b.id, "kartu")
    form = card_form(page)
    assert format_idr(share_b.total_idr) in html(page)
    attempt = payment(reference_of(form))
    assert (attempt.kind, attempt.status, attempt.amount_idr) == (
        PaymentKind.CARD,
        P.PENDING,
        share_b.total_idr,
    )
    assert intent(str(attempt.provider_ref))["capture_method"] != "manual"
    answer = confirm(web_b, form)
    assert answer.status_code == 200 and answer.get_json() == {"state": "succeeded"}
    sync()
    assert payment(attempt.reference).status is P.PROCESSING  # not paid until the webhook says so

    wait_for(lambda: share_of(pledge_b.id).status is ShareStatus.PAID)
    share_b = share_of(pledge_b.id)
    assert share_b.paid_idr == share_b.total_idr and share_b.owed_idr == 0
    attempt = payment(attempt.reference)
    assert attempt.status is P.SUCCEEDED and attempt.succeeded_at is not None
    assert captured_minor(str(attempt.provider_ref)) == share_b.total_idr * 100
    assert payment(hold_b.reference).status is P.FAILED  # the dropped hold was never captured

    # The capture's own success webhook (A's hold) changes nothing.
    wait_for(
        lambda: db.session.scalar(
            select(func.count()).where(WebhookEvent.provider_ref == hold_a.provider_ref)
        )
    )
    assert share_of(pledge_a.id).paid_idr == share_a.total_idr
    assert payment(hold_a.reference).captured_idr == share_a.total_idr


# --- 8. pay on success: bank transfer, reviewed by a manager ------------------------------------------------


def _pay_on_success_closed(coop):  # type: ignore[no-untyped-def]
    coalition = make_coalition(coop, shared_cost_idr=1_500_000)
    owner_a, business_a = member(coop, "Pak Transfer")
    owner_b, business_b = member(coop, "Bu Tetangga")
    pledge_a = make_pledge(coalition, business_a, quantity=60)
    pledge_b = make_pledge(coalition, business_b, quantity=50)
    past_deadline(coalition)
    assert run_due().closed == [coalition.id]
    return coalition, (owner_a, pledge_a), (owner_b, pledge_b)


def assert_image(response) -> None:  # type: ignore[no-untyped-def]
    try:
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert response.headers["Cache-Control"] == "private, no-store"
    finally:
        response.close()  # send_file's open file


def _proof(name: str = "bukti.png") -> tuple[io.BytesIO, str]:
    return io.BytesIO(make_photo_bytes("PNG", (64, 48))), name


def test_pay_on_success_by_bank_transfer_reviewed_by_the_manager(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition, (owner_a, pledge_a), _b = _pay_on_success_closed(coop)
    share = share_of(pledge_a.id)
    assert share.status is ShareStatus.DUE and share.total_idr == 60 * 300_000 + 818_182
    web = browser(app, owner_a)
    page_url = f"/koalisi/{coalition.id}/bagian/{share.id}/bayar"

    choices = html(web.get(page_url))
    assert 'name="cara" value="transfer"' in choices and 'name="cara" value="kartu"' in choices
    page = choose(web, coalition.id, share.id, "transfer")
    text = html(page)
    assert page.status_code == 200
    (transfer,) = db.session.scalars(
        select(CoalitionPayment).where(CoalitionPayment.share_id == share.id)
    ).all()
    assert (transfer.kind, transfer.status, transfer.amount_idr) == (
        PaymentKind.TRANSFER,
        P.PENDING,
        share.total_idr,
    )
    for shown in (
        "BRI",
        "002101000777305",
        "Koperasi Tani Makmur",
        transfer.reference,
        format_idr(share.total_idr),
    ):
        assert shown in text
    assert choose(web, coalition.id, share.id, "transfer").status_code == 200  # the same attempt again
    assert db.session.scalar(select(func.count()).where(CoalitionPayment.share_id == share.id)) == 1

    proof_url = f"/koalisi/bayar/{transfer.reference}/bukti"
    token = web.csrf(page_url)
    response = web.client.post(
        proof_url, data={"csrf_token": token, "proof": _proof()}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    transfer = payment(transfer.reference)
    assert transfer.status is P.AWAITING_REVIEW and transfer.proof_path
    assert "sedang memeriksanya" in html(web.get(page_url))
    assert_image(web.get(proof_url))

    manager = browser(app, manager_of(coop))
    detail = html(manager.get(f"/koalisi/{coalition.id}"))
    assert transfer.reference in detail
    assert_image(manager.get(proof_url))
    review_url = f"/koalisi/{coalition.id}/transfer/{transfer.reference}/periksa"

    # A rejection needs a reason; with one, the payment goes back to the member.
    refused = manager.post(review_url, {"decision": "reject", "note": ""})
    assert refused.status_code == 422  # the page again, the choice kept, the error beside the note
    again = refused.get_data(as_text=True)
    assert 'value="reject" selected' in again and "Tulis alasan penolakan" in again
    assert payment(transfer.reference).status is P.AWAITING_REVIEW
    assert manager.post(review_url, {"decision": "", "note": "x"}).status_code == 422
    assert (
        manager.post(review_url, {"decision": "reject", "note": "Nominal tidak sesuai."}).status_code == 302
    )
    transfer = payment(transfer.reference)
    assert transfer.status is P.PENDING and transfer.review_note == "Nominal tidak sesuai."
    assert share_of(pledge_a.id).status is ShareStatus.DUE
    assert "Nominal tidak sesuai." in html(web.get(page_url))

    token = web.csrf(page_url)
    assert (
        web.client.post(
            proof_url,
            data={"csrf_token": token, "proof": _proof("lagi.png")},
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    assert payment(transfer.reference).status is P.AWAITING_REVIEW
    assert manager.post(review_url, {"decision": "approve", "note": ""}).status_code == 302
    transfer = payment(transfer.reference)
    assert transfer.status is P.SUCCEEDED and transfer.reviewed_by_id == manager_of(coop).id
    share = share_of(pledge_a.id)
    assert (share.status, share.paid_idr, share.owed_idr) == (ShareStatus.PAID, share.total_idr, 0)
    assert "sudah lunas" in html(web.get(page_url))
    # Reviewing again finds nothing waiting.
    assert manager.post(review_url, {"decision": "approve"}).status_code == 422
    assert share_of(pledge_a.id).paid_idr == share.total_idr


def test_refusals_on_someone_elses_share_and_payment(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition, (owner_a, pledge_a), (owner_b, _pledge_b) = _pay_on_success_closed(coop)
    share_a = share_of(pledge_a.id)
    pay_page = f"/koalisi/{coalition.id}/bagian/{share_a.id}/bayar"
    web_a, web_b = browser(app, owner_a), browser(app, owner_b)
    manager = browser(app, manager_of(coop))
    csrf_a, csrf_b = web_a.csrf(), web_b.csrf()

    def post_card(web: Web, ref: str, csrf: str | None):  # type: ignore[no-untyped-def]
        headers = {"Accept": "application/json"}
        if csrf:
            headers["X-CSRFToken"] = csrf
        return web.client.post(f"/koalisi/bayar/{ref}/kartu", json={"token": card_token()}, headers=headers)

    def post_proof(web: Web, ref: str, csrf: str | None):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = {"proof": _proof()}
        if csrf:
            data["csrf_token"] = csrf
        return web.client.post(f"/koalisi/bayar/{ref}/bukti", data=data, content_type="multipart/form-data")

    # Another member can't open the share's page nor choose how it is paid.
    assert web_b.get(pay_page).status_code == 403
    for how in ("kartu", "transfer"):
        assert web_b.post(pay_page, {"cara": how}).status_code == 403
    assert web_a.post(pay_page, {"cara": "kartu"}, csrf=False).status_code == 400
    assert db.session.scalar(select(func.count()).where(CoalitionPayment.share_id == share_a.id)) == 0

    # A card attempt of A's: B can't confirm it (403 JSON) nor read its status; no CSRF token: 400.
    card_ref = reference_of(card_form(choose(web_a, coalition.id, share_a.id, "kartu")))
    response = post_card(web_b, card_ref, csrf_b)
    assert response.status_code == 403 and response.get_json()["error"]
    assert web_b.get(f"/koalisi/bayar/{card_ref}/status").status_code == 403
    assert post_card(web_a, card_ref, None).status_code == 400
    card = payment(card_ref)
    assert card.status is P.PENDING
    assert intent(str(card.provider_ref))["status"] == "requires_payment_method"

    # A switches to a bank transfer (the card attempt is stopped at Stripe): B can't upload a proof for it.
    assert choose(web_a, coalition.id, share_a.id, "transfer").status_code == 200
    card = payment(card_ref)
    assert card.status is P.CANCELLED and intent(str(card.provider_ref))["status"] == "canceled"
    (transfer,) = db.session.scalars(
        select(CoalitionPayment).where(
            CoalitionPayment.share_id == share_a.id, CoalitionPayment.kind == PaymentKind.TRANSFER
        )
    ).all()
    assert post_proof(web_b, transfer.reference, csrf_b).status_code == 403
    response = post_card(web_b, transfer.reference, csrf_b)
    assert response.status_code == 403 and response.get_json()["error"]
    assert web_b.get(f"/koalisi/bayar/{transfer.reference}/bukti").status_code == 403
    assert post_proof(web_a, transfer.reference, None).status_code == 400

    # Only a manager of the coalition's cooperative reviews a transfer.
    review_url = f"/koalisi/{coalition.id}/transfer/{transfer.reference}/periksa"
    assert web_a.post(review_url, {"decision": "approve"}).status_code == 403
    assert web_b.post(review_url, {"decision": "approve"}).status_code == 403
    stranger = browser(app, make_cooperative(make_user("Ketua Lain")).managers[0].user)
    assert stranger.post(review_url, {"decision": "approve"}).status_code == 403
    assert manager.post(review_url, {"decision": "approve"}, csrf=False).status_code == 400

    # Unknown references and shares: 404.
    assert web_a.get("/koalisi/bayar/KOP-NOPE/status").status_code == 404
    assert web_a.get("/koalisi/bayar/KOP-NOPE/bukti").status_code == 404
    assert post_card(web_a, "KOP-NOPE", csrf_a).status_code == 404
    assert post_proof(web_a, "KOP-NOPE", csrf_a).status_code == 404
    assert (
        manager.post(
            f"/koalisi/{coalition.id}/transfer/KOP-NOPE/periksa", {"decision": "approve"}
        ).status_code
        == 404
    )
    assert web_a.get(f"/koalisi/{coalition.id}/bagian/999999/bayar").status_code == 404

    # None of it paid or changed anything.
    transfer = payment(transfer.reference)
    assert transfer.status is P.PENDING and transfer.proof_path is None and transfer.reviewed_by_id is None
    share = share_of(pledge_a.id)
    assert (share.status, share.paid_idr) == (ShareStatus.DUE, 0)


def test_another_member_cannot_use_someone_elses_hold(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner_a, business_a = member(coop, "Pak Pemilik")
    owner_b, _business_b = member(coop, "Bu Lain")
    web_a = browser(app, owner_a)
    made = pledge_page(web_a, coalition.id, business_a, 10)
    form = card_form(hold_page(web_a, made))

    web_b = browser(app, owner_b)
    assert hold_page(web_b, made).status_code == 403
    response = web_b.client.post(
        form["confirm-url"],
        json={"token": card_token()},
        headers={"X-CSRFToken": web_b.csrf(), "Accept": "application/json"},
    )
    assert response.status_code == 403 and response.get_json()["error"]
    hold = payment(reference_of(form))
    assert hold.status is P.PENDING
    assert intent(str(hold.provider_ref))["status"] == "requires_payment_method"


# --- 9. webhook replay --------------------------------------------------------------------------------------


def _delivered_event(intent_id: str, event_type: str) -> dict[str, Any]:
    starting_after = None
    while True:
        query = f"/v1/events?type={event_type}&limit=100" + (
            f"&starting_after={starting_after}" if starting_after else ""
        )
        status, page = http("GET", query, secret=True)
        assert status == 200, page
        for event in page["data"]:
            if event["data"]["object"]["id"] == intent_id:
                return event
        if not page["has_more"]:
            raise AssertionError(f"no {event_type} event for {intent_id}")
        starting_after = page["data"][-1]["id"]


@pytest.mark.committing
def test_a_share_paid_by_card_and_its_webhook_replayed_is_paid_once(app, stripe_webhooks):  # type: ignore[no-untyped-def]
    coop = make_cooperative(make_user("Bu Ketua"))
    coalition, (owner_a, pledge_a), _b = _pay_on_success_closed(coop)
    share = share_of(pledge_a.id)
    web = browser(app, owner_a)
    form = card_form(choose(web, coalition.id, share.id, "kartu"))
    attempt = payment(reference_of(form))
    assert confirm(web, form).get_json() == {"state": "succeeded"}
    wait_for(lambda: share_of(pledge_a.id).status is ShareStatus.PAID)
    intent_id = str(attempt.provider_ref)
    event = _delivered_event(intent_id, "payment_intent.succeeded")
    payload = encode(event)

    for _ in range(2):
        assert post_webhook(stripe_webhooks, payload, sign(payload)) == 200
    time.sleep(0.2)
    sync()
    rows = db.session.scalars(select(WebhookEvent).where(WebhookEvent.provider_ref == intent_id)).all()
    assert [r.event_id for r in rows] == [event["id"]]
    share = share_of(pledge_a.id)
    assert (share.status, share.paid_idr) == (ShareStatus.PAID, share.total_idr)
    attempt = payment(attempt.reference)
    assert attempt.status is P.SUCCEEDED
    assert db.session.scalar(select(func.count()).where(CoalitionPayment.share_id == share.id)) == 1


def _webhook(web: Web, event: dict[str, Any]) -> int:
    """Stripe's signed event, delivered to the app (no CSRF: the signature authenticates it)."""
    payload = encode(event)
    return web.client.post("/webhooks/stripe", data=payload, headers=sign(payload)).status_code


def test_a_capture_whose_answer_was_lost_is_completed_by_the_webhook_once(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner_a, business_a = member(coop, "Pak Hilang")
    owner_b, business_b = member(coop, "Bu Biasa")
    web_a = browser(app, owner_a)
    pledge_a, hold_a = secure(web_a, coalition.id, business_a, 60)
    pledge_b, hold_b = secure(browser(app, owner_b), coalition.id, business_b, 50)
    coalition_id = coalition.id
    past_deadline(coalition)
    assert jobs.close_one(coalition_id, utcnow())
    share_a = share_of(pledge_a.id)
    hold_a = payment(hold_a.reference)
    assert hold_a.settle_action == "capture" and hold_a.settle_amount_idr == share_a.total_idr

    # Our capture reached Stripe but its answer was lost: Stripe's webhook is the word.
    pi = str(hold_a.provider_ref)
    status, body = http(
        "POST",
        f"/v1/payment_intents/{pi}/capture",
        {"amount_to_capture": share_a.total_idr * 100},
        secret=True,
    )
    assert status == 200 and body["status"] == "succeeded"
    event = intent_event(
        "payment_intent.succeeded",
        pi,
        hold_a.amount_idr * 100,
        amount_received=share_a.total_idr * 100,
        capture_method="manual",
    )
    for _ in range(2):  # and Stripe sends it again
        assert _webhook(web_a, event) == 200
        hold_a = payment(hold_a.reference)
        assert hold_a.status is P.SUCCEEDED and hold_a.settle_action is None
        assert hold_a.captured_idr == share_a.total_idr
        share_a = share_of(pledge_a.id)
        assert (share_a.status, share_a.paid_idr) == (ShareStatus.PAID, share_a.total_idr)
    sync()
    assert db.session.scalar(select(func.count()).where(WebhookEvent.event_id == event["id"])) == 1

    report = jobs.settle_holds()
    assert (report.captured, report.capture_failed, report.provider_errors) == (1, 0, 0)  # B's only
    assert captured_minor(pi) == share_a.total_idr * 100
    share_b = share_of(pledge_b.id)
    assert (share_b.status, share_b.paid_idr) == (ShareStatus.PAID, share_b.total_idr)
    assert captured_minor(str(hold_b.provider_ref)) == share_b.total_idr * 100
    assert share_of(pledge_a.id).paid_idr == share_a.total_idr


def test_a_hold_the_bank_dropped_no_longer_secures_the_pledge(app, localstripe, coop):  # type: ignore[no-untyped-def]
    coalition = card_coalition(coop)
    owner, business = member(coop, "Pak Kedaluwarsa")
    web = browser(app, owner)
    made, hold = secure(web, coalition.id, business, 40)
    pi = str(hold.provider_ref)
    status, _body = http("POST", f"/v1/payment_intents/{pi}/cancel", {}, secret=True)
    assert status == 200
    event = intent_event("payment_intent.canceled", pi, hold.amount_idr * 100, capture_method="manual")
    assert _webhook(web, event) == 200
    assert _webhook(web, event) == 200
    hold = payment(hold.reference)
    assert hold.status is P.CANCELLED and hold.settle_action is None
    assert payments.needs_hold(db.session.get(Pledge, made.id))
    assert "Dana belum ditahan" in html(web.get(f"/koalisi/{coalition.id}"))
    # A new hold secures it again.
    form = card_form(hold_page(web, made))
    assert reference_of(form) != hold.reference
    assert confirm(web, form).get_json() == {"state": "authorized"}
    assert not payments.needs_hold(db.session.get(Pledge, made.id))


# --- PostgreSQL: two schedulers settle the same holds at once -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.committing
def test_two_schedulers_settling_at_once_capture_each_hold_once(app, localstripe):  # type: ignore[no-untyped-def]
    coop = make_cooperative(make_user("Bu Ketua"))
    coalition = card_coalition(coop)
    secured = []
    for n, quantity in enumerate(WORKED_PLEDGES):
        owner, business = member(coop, f"Serentak {n}")
        secured.append(secure(browser(app, owner), coalition.id, business, quantity))
    coalition_id = coalition.id
    past_deadline(coalition)
    with write_unit():
        assert services.close(db.session.get(BuyingCoalition, coalition_id), utcnow())
        db.session.commit()
    sync()

    barrier = threading.Barrier(2)
    reports: list[jobs.RunReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def settle() -> None:
        with app.app_context():
            try:
                barrier.wait()
                report = jobs.settle_holds()
                with lock:
                    reports.append(report)
            except BaseException as error:  # reported below
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=settle) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    assert sum(r.captured for r in reports) == 4
    assert sum(r.provider_errors + r.capture_failed for r in reports) == 0

    sync()
    for (made, hold), total in zip(secured, WORKED_TOTALS, strict=True):
        share = share_of(made.id)
        assert (share.status, share.paid_idr) == (ShareStatus.PAID, total)
        hold = payment(hold.reference)
        assert hold.status is P.SUCCEEDED and hold.captured_idr == total
        assert captured_minor(str(hold.provider_ref)) == total * 100
