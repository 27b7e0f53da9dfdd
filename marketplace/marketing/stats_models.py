"""Per-day counters of what buyers do with a seller's listings: product page views, storefront views, clicks
on "Pesan via WhatsApp", add-to-carts. Counted on our own server (no third-party tracker), bots left out.

One row per (business, day, product, kind) holds a running count, bumped by a single
``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1`` (``stats.record``), so concurrent app processes
never lose an update and never read-modify-write. Those four columns are the primary key (the UNIQUE key the
upsert conflicts on): a surrogate serial id would burn a PostgreSQL sequence value on every counted event,
even the ones that only update.

``product_id`` is 0, not NULL, for a count about the storefront itself (``store_view``): a UNIQUE constraint
treats NULLs as distinct, so NULL rows would never conflict and each storefront view would add a row. For the
same reason ``product_id`` carries no foreign key (0 references nothing): a deleted product's counts stay
with its business, which is what happened.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.dbtypes import str_enum
from marketplace.extensions import db

STOREFRONT = 0  # product_id of a count about the business's storefront page, not one product


class CountKind(enum.StrEnum):
    VIEW = "view"  # a product page
    STORE_VIEW = "store_view"  # a business's storefront page
    WA_CLICK = "wa_click"  # "Pesan via WhatsApp"
    ADD_TO_CART = "add_to_cart"


class DailyCount(db.Model):
    __tablename__ = "daily_counts"

    # Key order: business first, then day — every report reads one business (or a cooperative's members)
    # over a range of days. Days are calendar days in Western Indonesia Time, like the sales reports.
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[CountKind] = mapped_column(str_enum(CountKind, "count_kind"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("product_id >= 0", name="product_id_not_negative"),
    )
