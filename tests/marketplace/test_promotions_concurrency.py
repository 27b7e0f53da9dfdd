"""No over-use of a promotion code: many checkouts at once, each in its own thread with its own database
connection. PostgreSQL only (SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL is where the code's
row is really contended)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from marketplace.clock import utcnow
from marketplace.database import write_unit
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.marketing import promotions
from marketplace.marketing.promotion_models import PromoCode, PromoKind, PromoRedemption
from marketplace.orders import services
from marketplace.orders.models import Checkout, DeliveryMethod, Order
from tests.factories import make_business, make_product

pytestmark = [pytest.mark.postgres, pytest.mark.committing]


def _race(app, product_id: int, code: str, emails: list[str]) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        cart = services.build_cart({product_id: 1})
        quote = promotions.evaluate(code, cart, None, emails[0])
        digest = cart.digest(code, quote.discount_idr)
    barrier = threading.Barrier(len(emails))
    placed: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def buy(n: int) -> None:
        with app.app_context(), write_unit():
            data = services.CheckoutData(
                f"Pembeli {n}", emails[n], "+6281200000000", DeliveryMethod.PICKUP, "cash", promo_code=code
            )
            barrier.wait()
            try:
                services.place_order(None, {product_id: 1}, data, digest)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                with lock:
                    refused.append(error.message)
            else:
                with lock:
                    placed.append(n)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return len(placed), refused


def _code(usage_limit: int | None = None, per_buyer_limit: int | None = None) -> tuple[int, int]:
    business = make_business()
    product = make_product(business, price_idr=50_000, stock=100)
    promo = promotions.create_promo(
        business.owner,
        business,
        promotions.PromoData(
            code="REBUTAN",
            kind=PromoKind.FIXED,
            amount_idr=5_000,
            starts_at=utcnow(),
            usage_limit=usage_limit,
            per_buyer_limit=per_buyer_limit,
        ),
    )
    db.session.commit()
    return product.id, promo.id


def _assert_outcome(promo_id: int, placed: int) -> None:
    db.session.expire_all()
    promo = db.session.get(PromoCode, promo_id)
    assert promo.redeemed_count == placed
    assert db.session.scalar(select(func.count()).select_from(PromoRedemption)) == placed
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == placed
    totals = db.session.scalars(select(Order.total_idr)).all()
    assert totals == [45_000] * placed


def test_twelve_checkouts_race_for_a_code_used_five_times(app):
    product_id, promo_id = _code(usage_limit=5)
    placed, refused = _race(app, product_id, "REBUTAN", [f"b{n}@contoh.id" for n in range(12)])
    assert placed == 5
    assert len(refused) == 7
    assert all("sudah habis" in message for message in refused), refused
    _assert_outcome(promo_id, placed)


def test_one_buyer_in_six_tabs_uses_a_once_per_buyer_code_once(app):
    product_id, promo_id = _code(per_buyer_limit=1)
    placed, refused = _race(app, product_id, "REBUTAN", ["sama@contoh.id"] * 6)
    assert placed == 1
    assert len(refused) == 5
    assert all("sudah pernah memakai" in message for message in refused), refused
    _assert_outcome(promo_id, placed)
