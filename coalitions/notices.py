"""Telling people what happened in a buying coalition: an in-app notification (rendered in the reader's
language when shown) and, for what needs action or concerns money, an e-mail in the recipient's language.

Called after the change is committed (the close, a default, ...) in a transaction of its own: a failure to
notify never undoes the change. The in-app rows for a coalition's members are written in one bulk insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from coalitions.models import (
    BuyingCoalition,
    CoalitionPayment,
    CoalitionStatus,
    MemberShare,
    Pledge,
    PledgeStatus,
)
from marketplace.accounts.models import User
from marketplace.catalog.models import unit_label
from marketplace.cooperatives.models import Business, CooperativeManager
from marketplace.extensions import db
from marketplace.mail.services import send_email, send_emails
from marketplace.money import format_idr
from marketplace.notifications.services import notify, register


def _n(value: Any) -> str:
    return f"{int(value):,}".replace(",", ".")


def _day(value: str | None) -> str:
    if not value:
        return ""
    return format_date(date.fromisoformat(value[:10]), "long")


# --- how each notification reads (rendered when shown, in the reader's language) ---------------------------

register(
    "coalition.success",
    lambda p: (
        _(
            "Koalisi \u201c%(title)s\u201d berhasil: Anda mendapat %(qty)s %(unit)s seharga %(price)s per "
            "%(unit)s. Total bagian Anda %(amount)s.",
            title=p["title"],
            qty=_n(p["qty"]),
            unit=unit_label(p["unit"]),
            price=format_idr(p["price"]),
            amount=format_idr(p["amount"]),
        )
        + (" " + _("Bayar paling lambat %(day)s.", day=_day(p.get("due"))) if p.get("due") else "")
    ),
)
register(
    "coalition.success_none",
    lambda p: _(
        "Koalisi \u201c%(title)s\u201d berhasil, tetapi kapasitas pemasok tidak cukup untuk komitmen Anda: "
        "Anda tidak mendapat barang dan tidak membayar apa pun.",
        title=p["title"],
    ),
)
register(
    "coalition.failed",
    lambda p: _(
        "Koalisi \u201c%(title)s\u201d gagal: jumlah minimum pesanan tidak tercapai. Tidak ada yang "
        "membayar; dana kartu yang ditahan dilepas.",
        title=p["title"],
    ),
)
register(
    "coalition.cancelled",
    lambda p: _(
        "Koalisi \u201c%(title)s\u201d dibatalkan oleh pengurus: %(reason)s. Tidak ada yang membayar.",
        title=p["title"],
        reason=p.get("reason", ""),
    ),
)
register(
    "coalition.closed_manager",
    lambda p: (
        _(
            "Koalisi \u201c%(title)s\u201d berhasil: %(qty)s %(unit)s seharga %(price)s per %(unit)s. Unduh "
            "surat pesanan untuk pemasok.",
            title=p["title"],
            qty=_n(p["qty"]),
            unit=unit_label(p["unit"]),
            price=format_idr(p["price"]),
        )
        if p.get("success")
        else _("Koalisi \u201c%(title)s\u201d ditutup tanpa hasil (gagal).", title=p["title"])
    ),
)
register(
    "coalition.capture_failed",
    lambda p: _(
        "Dana kartu yang ditahan untuk koalisi \u201c%(title)s\u201d tidak bisa diambil. Bayar bagian Anda "
        "(%(amount)s) dengan kartu atau transfer sebelum jatuh tempo.",
        title=p["title"],
        amount=format_idr(p["amount"]),
    ),
)
register(
    "coalition.defaulted",
    lambda p: _(
        "Bagian Anda di koalisi \u201c%(title)s\u201d (%(amount)s) tidak dibayar sampai jatuh tempo dan "
        "dinyatakan gagal bayar. Hubungi pengurus koperasi.",
        title=p["title"],
        amount=format_idr(p["amount"]),
    ),
)
register(
    "coalition.defaulted_manager",
    lambda p: _(
        "%(business)s tidak membayar bagiannya di koalisi \u201c%(title)s\u201d (%(amount)s). Putuskan: "
        "diambil alih koperasi atau dialihkan ke anggota lain.",
        business=p["business"],
        title=p["title"],
        amount=format_idr(p["amount"]),
    ),
)
register(
    "coalition.extra_units",
    lambda p: _(
        "Anda mendapat tambahan %(qty)s %(unit)s di koalisi \u201c%(title)s\u201d. Tambahan tagihan "
        "%(amount)s.",
        qty=_n(p["qty"]),
        unit=unit_label(p["unit"]),
        title=p["title"],
        amount=format_idr(p["amount"]),
    ),
)
register(
    "coalition.transfer_uploaded",
    lambda p: _(
        "%(business)s mengunggah bukti transfer %(amount)s untuk koalisi \u201c%(title)s\u201d. Periksa "
        "rekening lalu konfirmasi.",
        business=p["business"],
        amount=format_idr(p["amount"]),
        title=p["title"],
    ),
)
register(
    "coalition.transfer_reviewed",
    lambda p: (
        _("Transfer Anda untuk koalisi \u201c%(title)s\u201d sudah dikonfirmasi.", title=p["title"])
        if p.get("approved")
        else _(
            "Bukti transfer Anda untuk koalisi \u201c%(title)s\u201d ditolak: %(note)s",
            title=p["title"],
            note=p.get("note", ""),
        )
    ),
)
register(
    "coalition.invited",
    lambda p: _(
        "%(cooperative)s mengundang %(business)s ikut koalisi pembelian \u201c%(title)s\u201d.",
        cooperative=p["cooperative"],
        business=p["business"],
        title=p["title"],
    ),
)
register(
    "coalition.ready",
    lambda p: _(
        "Barang koalisi \u201c%(title)s\u201d sudah tiba di koperasi dan siap diambil.",
        title=p["title"],
    ),
)


# --- who and how -----------------------------------------------------------------------------------------


def _link(coalition_id: int, external: bool = False) -> str:
    try:
        return url_for("coalitions.detail", coalition_id=coalition_id, _external=external)
    except RuntimeError:  # a CLI run without SERVER_NAME
        return f"/koalisi/{coalition_id}" if not external else ""


def manager_ids(coalition: BuyingCoalition) -> list[int]:
    return list(
        db.session.scalars(
            select(CooperativeManager.user_id).where(
                CooperativeManager.cooperative_id == coalition.cooperative_id
            )
        )
    )


def _render(user: User, subject: Any, body: Any, coalition_id: int) -> tuple[str, str, str]:
    """``subject``/``body`` are callables run in the user's language."""
    with force_locale(user.locale or "id"):
        link = _link(coalition_id, external=True)
        text = body()
        if link:
            text += "\n\n" + _("Lihat koalisi: %(link)s", link=link)
        return user.email, str(subject()), text


def _mail(user: User, subject: Any, body: Any, coalition_id: int) -> None:
    send_email(*_render(user, subject, body, coalition_id))


def _iso(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def coalition_closed(coalition_id: int) -> None:
    """Every member who pledged gets its own numbers; the managers get the outcome."""
    coalition = db.session.get(BuyingCoalition, coalition_id)
    if coalition is None:
        return
    success = coalition.status is not CoalitionStatus.CLOSED_FAILED
    rows = db.session.execute(
        select(MemberShare, User)
        .join(Business, Business.id == MemberShare.business_id)
        .join(User, User.id == Business.owner_id)
        .where(MemberShare.coalition_id == coalition.id)
    ).all()
    # One notification per share: a user owning two pledging businesses gets one for each (so the rows go
    # out in rounds in which every user appears once; one bulk insert per kind and round).
    rounds: list[dict[str, dict[int, dict[str, Any]]]] = []
    params_of: list[dict[str, Any]] = []
    for share, user in rows:
        if not success:
            kind, params = "coalition.failed", {"title": coalition.title}
        elif share.allocated_qty == 0:
            kind, params = "coalition.success_none", {"title": coalition.title}
        else:
            kind = "coalition.success"
            params = {
                "title": coalition.title,
                "qty": share.allocated_qty,
                "unit": coalition.unit,
                "price": share.unit_price_idr,
                "amount": share.total_idr,
                "due": _iso(share.due_at) if coalition.payment_mode.value == "pay_on_success" else None,
            }
        params_of.append(params)
        for batch in rounds:
            if all(user.id not in users for users in batch.values()):
                break
        else:
            batch = {}
            rounds.append(batch)
        batch.setdefault(kind, {})[user.id] = params
    link = _link(coalition.id)
    for batch in rounds:
        for kind, users in batch.items():
            notify(list(users), kind, {}, link, per_user_params=users)
    notify(
        manager_ids(coalition),
        "coalition.closed_manager",
        {
            "title": coalition.title,
            "success": success,
            "qty": coalition.allocated_qty or 0,
            "unit": coalition.unit,
            "price": coalition.unit_price_idr or 0,
        },
        link,
    )
    mails: list[tuple[str, str, str]] = []
    for (share, user), params in zip(rows, params_of, strict=True):

        def body(share: MemberShare = share, params: dict[str, Any] = params) -> str:
            if not success:
                return str(
                    _("Koalisi \u201c%(title)s\u201d gagal; tidak ada yang membayar.", title=params["title"])
                )
            if share.allocated_qty == 0:
                return str(
                    _("Kapasitas pemasok tidak cukup untuk komitmen Anda; Anda tidak membayar apa pun.")
                )
            lines = [
                _(
                    "Harga akhir: %(price)s per %(unit)s",
                    price=format_idr(share.unit_price_idr),
                    unit=unit_label(coalition.unit),
                ),
                _(
                    "Bagian Anda: %(qty)s %(unit)s",
                    qty=_n(share.allocated_qty),
                    unit=unit_label(coalition.unit),
                ),
                _("Harga barang: %(amount)s", amount=format_idr(share.goods_idr)),
                _("Bagian biaya bersama: %(amount)s", amount=format_idr(share.shared_cost_idr)),
                _("Total: %(amount)s", amount=format_idr(share.total_idr)),
                _("Hemat dibanding beli sendiri: %(amount)s", amount=format_idr(share.savings_idr)),
            ]
            if coalition.payment_mode.value == "pay_on_success" and share.due_at:
                lines.append(_("Bayar paling lambat %(day)s.", day=format_date(share.due_at, "long")))
            else:
                lines.append(_("Jumlah ini diambil dari dana kartu yang ditahan; sisanya dilepas."))
            return "\n".join(str(line) for line in lines)

        mails.append(
            _render(
                user,
                lambda: (
                    _("Koalisi \u201c%(title)s\u201d berhasil", title=coalition.title)
                    if success
                    else _("Koalisi \u201c%(title)s\u201d gagal", title=coalition.title)
                ),
                body,
                coalition.id,
            )
        )
    send_emails(mails)


def coalition_cancelled(coalition: BuyingCoalition) -> None:
    users = db.session.scalars(
        select(User)
        .join(Business, Business.owner_id == User.id)
        .join(Pledge, Pledge.business_id == Business.id)
        .where(Pledge.coalition_id == coalition.id, Pledge.status == PledgeStatus.ACTIVE)
        .distinct()
    ).all()
    params = {"title": coalition.title, "reason": coalition.cancel_reason or ""}
    notify([u.id for u in users], "coalition.cancelled", params, _link(coalition.id))
    for user in users:
        _mail(
            user,
            lambda: _("Koalisi \u201c%(title)s\u201d dibatalkan", title=coalition.title),
            lambda: _(
                "Koalisi \u201c%(title)s\u201d dibatalkan oleh pengurus: %(reason)s. "
                "Tidak ada yang membayar.",
                title=coalition.title,
                reason=coalition.cancel_reason or "",
            ),
            coalition.id,
        )


def capture_failed(payment: CoalitionPayment) -> None:
    owner = payment.business.owner
    params = {"title": payment.coalition.title, "amount": payment.settle_amount_idr or payment.amount_idr}
    if payment.share is not None:
        params["amount"] = payment.share.owed_idr
    notify([owner.id], "coalition.capture_failed", params, _link(payment.coalition_id))
    _mail(
        owner,
        lambda: _("Bayar bagian Anda di koalisi \u201c%(title)s\u201d", title=payment.coalition.title),
        lambda: _(
            "Dana kartu yang ditahan untuk koalisi \u201c%(title)s\u201d tidak bisa diambil. "
            "Bayar bagian Anda (%(amount)s) dengan kartu atau transfer sebelum jatuh tempo.",
            title=payment.coalition.title,
            amount=format_idr(params["amount"]),
        ),
        payment.coalition_id,
    )


def shares_defaulted(share_ids: Iterable[int]) -> None:
    for share_id in share_ids:
        share = db.session.get(MemberShare, share_id)
        if share is None:
            continue
        coalition = share.coalition
        params = {"title": coalition.title, "amount": share.owed_idr, "business": share.business.name}
        owner = share.business.owner
        notify([owner.id], "coalition.defaulted", params, _link(coalition.id))
        notify(manager_ids(coalition), "coalition.defaulted_manager", params, _link(coalition.id))
        _mail(
            owner,
            lambda coalition=coalition: _(
                "Bagian Anda di koalisi \u201c%(title)s\u201d belum dibayar", title=coalition.title
            ),
            lambda params=params: _(
                "Bagian Anda di koalisi \u201c%(title)s\u201d (%(amount)s) "
                "tidak dibayar sampai jatuh tempo dan dinyatakan gagal bayar. Hubungi pengurus koperasi.",
                title=params["title"],
                amount=format_idr(params["amount"]),
            ),
            coalition.id,
        )


def extra_units(coalition: BuyingCoalition, given: dict[int, int]) -> None:
    for share_id, qty in given.items():
        share = db.session.get(MemberShare, share_id)
        if share is None or not qty:
            continue
        notify(
            [share.business.owner_id],
            "coalition.extra_units",
            {"title": coalition.title, "qty": qty, "unit": coalition.unit, "amount": share.owed_idr},
            _link(coalition.id),
        )


def transfer_uploaded(payment: CoalitionPayment) -> None:
    notify(
        manager_ids(payment.coalition),
        "coalition.transfer_uploaded",
        {"title": payment.coalition.title, "business": payment.business.name, "amount": payment.amount_idr},
        _link(payment.coalition_id),
    )


def transfer_reviewed(payment: CoalitionPayment, approved: bool) -> None:
    notify(
        [payment.business.owner_id],
        "coalition.transfer_reviewed",
        {"title": payment.coalition.title, "approved": approved, "note": payment.review_note or ""},
        _link(payment.coalition_id),
    )


def invited(coalition: BuyingCoalition, business: Business) -> None:
    params = {"title": coalition.title, "cooperative": coalition.cooperative.name, "business": business.name}
    notify([business.owner_id], "coalition.invited", params, _link(coalition.id))
    _mail(
        business.owner,
        lambda: _("Undangan koalisi pembelian \u201c%(title)s\u201d", title=coalition.title),
        lambda: _(
            "%(cooperative)s mengundang %(business)s ikut koalisi pembelian \u201c%(title)s\u201d.",
            **params,
        ),
        coalition.id,
    )


def goods_ready(coalition: BuyingCoalition) -> None:
    owners = db.session.scalars(
        select(Business.owner_id)
        .join(MemberShare, MemberShare.business_id == Business.id)
        .where(
            MemberShare.coalition_id == coalition.id, MemberShare.allocated_qty + MemberShare.extra_qty > 0
        )
        .distinct()
    ).all()
    notify(list(owners), "coalition.ready", {"title": coalition.title}, _link(coalition.id))
