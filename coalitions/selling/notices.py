"""Telling people what happened in the selling workflow: an in-app notification (rendered in the reader's
language when shown) for every step, and an e-mail in the recipient's language for the steps that ask for
an answer or concern money (an offer made or decided, the close, the receipt, a payout).

The receivers are connected to ``coalitions.selling.signals`` at import and run inside the service's
transaction: they only insert rows (``notify``'s bulk insert, the outbox of ``send_emails``), so a rollback
of the change takes its notifications with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import url_for
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from coalitions.selling import signals
from coalitions.selling.models import (
    BulkRequest,
    Commitment,
    CommitmentStatus,
    CounterOffer,
    MemberPayout,
    PayoutRecord,
    QualityCheck,
    SellingCoalition,
    SellingStatus,
)
from marketplace.accounts.models import User
from marketplace.catalog.models import unit_label
from marketplace.cooperatives.models import (
    Business,
    Cooperative,
    CooperativeManager,
    Membership,
    MembershipStatus,
)
from marketplace.extensions import db
from marketplace.mail.services import send_emails
from marketplace.money import format_idr
from marketplace.notifications.services import notify, register

Params = dict[str, Any]


def _n(value: Any) -> str:
    return format_number(int(value))  # rendered in the reader's language: 1.500 / 1,500


# --- how each notification reads (rendered when shown, in the reader's language) ---------------------------


def _request_posted(p: Params) -> str:
    return _(
        "Permintaan baru dari %(buyer)s: %(qty)s %(unit)s %(title)s. Kirim penawaran atau buka koalisi "
        "penjualan.",
        buyer=p["buyer"],
        qty=_n(p["qty"]),
        unit=unit_label(p["unit"]),
        title=p["title"],
    )


def _offer_made(p: Params) -> str:
    return _(
        "%(cooperative)s mengirim penawaran untuk permintaan \u201c%(title)s\u201d: %(prices)s.",
        cooperative=p["cooperative"],
        title=p["title"],
        prices=p["prices"],
    )


def _offer_decided(p: Params) -> str:
    if p.get("accepted"):
        return _(
            "%(buyer)s menerima penawaran Anda untuk \u201c%(title)s\u201d. Buka koalisi penjualan.",
            buyer=p["buyer"],
            title=p["title"],
        )
    return _(
        "%(buyer)s menolak penawaran Anda untuk \u201c%(title)s\u201d.", buyer=p["buyer"], title=p["title"]
    )


def _opened(p: Params) -> str:
    return _(
        "Koalisi penjualan baru \u201c%(title)s\u201d: pembeli %(buyer)s butuh %(qty)s %(unit)s. Ikut "
        "berkomitmen sebelum batas waktu.",
        title=p["title"],
        buyer=p["buyer"],
        qty=_n(p["qty"]),
        unit=unit_label(p["unit"]),
    )


def _closed_text(p: Params) -> str:
    status = p["status"]
    if status == SellingStatus.FAILED:
        return _("Koalisi penjualan \u201c%(title)s\u201d gagal: tidak ada komitmen.", title=p["title"])
    if "allocated" in p:
        if status == SellingStatus.AWAITING_BUYER:
            return _(
                "Koalisi penjualan \u201c%(title)s\u201d ditutup: bagian Anda %(qty)s %(unit)s, menunggu "
                "keputusan pembeli atas pemenuhan sebagian.",
                title=p["title"],
                qty=_n(p["allocated"]),
                unit=unit_label(p["unit"]),
            )
        return _(
            "Koalisi penjualan \u201c%(title)s\u201d ditutup: bagian Anda %(qty)s %(unit)s. Bawa barang ke "
            "%(place)s.",
            title=p["title"],
            qty=_n(p["allocated"]),
            unit=unit_label(p["unit"]),
            place=p.get("place", ""),
        )
    if status == SellingStatus.AWAITING_BUYER:
        return _(
            "Koalisi penjualan \u201c%(title)s\u201d ditutup dengan %(qty)s dari %(wanted)s %(unit)s; "
            "pembeli memutuskan apakah menerima sebagian.",
            title=p["title"],
            qty=_n(p["qty"]),
            wanted=_n(p["wanted"]),
            unit=unit_label(p["unit"]),
        )
    return _(
        "Koalisi penjualan \u201c%(title)s\u201d ditutup: %(qty)s %(unit)s akan dikirim.",
        title=p["title"],
        qty=_n(p["qty"]),
        unit=unit_label(p["unit"]),
    )


def _partial(p: Params) -> str:
    if p.get("accepted"):
        return _(
            "Pembeli menerima pemenuhan sebagian koalisi \u201c%(title)s\u201d (%(qty)s %(unit)s). Barang "
            "dikumpulkan.",
            title=p["title"],
            qty=_n(p["qty"]),
            unit=unit_label(p["unit"]),
        )
    return _(
        "Pembeli tidak menerima pemenuhan sebagian: koalisi \u201c%(title)s\u201d gagal; tidak ada yang "
        "dikirim.",
        title=p["title"],
    )


def _cancelled(p: Params) -> str:
    return _(
        "Koalisi penjualan \u201c%(title)s\u201d dibatalkan oleh pengurus: %(reason)s",
        title=p["title"],
        reason=p.get("reason", ""),
    )


def _check(p: Params) -> str:
    if p["rejected"]:
        return _(
            "Pemeriksaan mutu \u201c%(title)s\u201d: %(accepted)s %(unit)s diterima, %(rejected)s %(unit)s "
            "ditolak (%(reason)s). Barang yang ditolak dikembalikan.",
            title=p["title"],
            accepted=_n(p["accepted"]),
            rejected=_n(p["rejected"]),
            unit=unit_label(p["unit"]),
            reason=p.get("reason", ""),
        )
    return _(
        "Pemeriksaan mutu \u201c%(title)s\u201d: %(accepted)s %(unit)s diterima.",
        title=p["title"],
        accepted=_n(p["accepted"]),
        unit=unit_label(p["unit"]),
    )


def _receipt(p: Params) -> str:
    if "payout" in p:
        return _(
            "Pembeli menerima barang koalisi \u201c%(title)s\u201d. Hasil bersih Anda %(payout)s (bruto "
            "%(gross)s, fee %(fee)s, biaya bersama %(cost)s).",
            title=p["title"],
            payout=format_idr(p["payout"]),
            gross=format_idr(p["gross"]),
            fee=format_idr(p["fee"]),
            cost=format_idr(p["cost"]),
        )
    return _(
        "Pembeli mengonfirmasi penerimaan koalisi \u201c%(title)s\u201d: tagihan pembeli %(total)s.",
        title=p["title"],
        total=format_idr(p["total"]),
    )


def _paid(p: Params) -> str:
    return _(
        "Pembeli melunasi koalisi \u201c%(title)s\u201d (%(total)s). Bayarkan hasil ke anggota.",
        title=p["title"],
        total=format_idr(p["total"]),
    )


def _payout(p: Params) -> str:
    return _(
        "Koperasi membayar %(amount)s untuk koalisi \u201c%(title)s\u201d (referensi %(reference)s). Sisa "
        "%(owed)s.",
        amount=format_idr(p["amount"]),
        title=p["title"],
        reference=p["reference"],
        owed=format_idr(p["owed"]),
    )


def _transfer_uploaded(p: Params) -> str:
    return _(
        "%(buyer)s mengunggah bukti transfer %(amount)s untuk koalisi \u201c%(title)s\u201d. Periksa "
        "rekening lalu konfirmasi.",
        buyer=p["buyer"],
        amount=format_idr(p["amount"]),
        title=p["title"],
    )


def _transfer_reviewed(p: Params) -> str:
    if p.get("approved"):
        return _("Transfer Anda untuk koalisi \u201c%(title)s\u201d sudah dikonfirmasi.", title=p["title"])
    return _(
        "Bukti transfer Anda untuk koalisi \u201c%(title)s\u201d ditolak: %(note)s",
        title=p["title"],
        note=p.get("note", ""),
    )


def _checks_finished(p: Params) -> str:
    return _(
        "Pemeriksaan mutu koalisi \u201c%(title)s\u201d selesai: %(qty)s %(unit)s lolos. Konfirmasi "
        "penerimaan barangnya.",
        title=p["title"],
        qty=_n(p["qty"]),
        unit=unit_label(p["unit"]),
    )


RENDERERS: dict[str, Callable[[Params], str]] = {
    "selling.checks_finished": _checks_finished,
    "selling.request_posted": _request_posted,
    "selling.offer_made": _offer_made,
    "selling.offer_decided": _offer_decided,
    "selling.opened": _opened,
    "selling.closed": _closed_text,
    "selling.partial_decided": _partial,
    "selling.cancelled": _cancelled,
    "selling.check_recorded": _check,
    "selling.receipt_confirmed": _receipt,
    "selling.buyer_paid": _paid,
    "selling.payout_recorded": _payout,
    "selling.transfer_uploaded": _transfer_uploaded,
    "selling.transfer_reviewed": _transfer_reviewed,
}
for _kind, _render in RENDERERS.items():
    register(_kind, _render)


# --- who and how -----------------------------------------------------------------------------------------


def _url(endpoint: str, fallback: str, *, external: bool = False, **values: Any) -> str:
    """The page's address; the path it has when the page module is absent or outside a request."""
    try:
        return url_for(endpoint, _external=external, **values)
    except (BuildError, RuntimeError):
        return "" if external else fallback


def _coalition_link(coalition_id: int, *, external: bool = False) -> str:
    return _url(
        "selling.detail", f"/koalisi-penjualan/{coalition_id}", external=external, coalition_id=coalition_id
    )


def _request_link(request_id: int, *, external: bool = False) -> str:
    return _url(
        "selling.request_detail",
        f"/koalisi-penjualan/permintaan/{request_id}",
        external=external,
        request_id=request_id,
    )


def manager_ids(cooperative_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(CooperativeManager.user_id)
            .where(CooperativeManager.cooperative_id == cooperative_id)
            .order_by(CooperativeManager.id)
        )
    )


def _users(ids: Iterable[int]) -> list[User]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    return [found[i] for i in wanted if i in found]


def _notify_each(kind: str, entries: list[tuple[int, Params]], link: str) -> None:
    """One notification per entry (a user owning two member businesses gets one for each): the entries go
    out in rounds in which every user appears once, one bulk insert per round."""
    rounds: list[dict[int, Params]] = []
    for user_id, params in entries:
        for batch in rounds:
            if user_id not in batch:
                break
        else:
            batch = {}
            rounds.append(batch)
        batch[user_id] = params
    for batch in rounds:
        notify(list(batch), kind, {}, link, per_user_params=batch)


def _mail_all(
    entries: list[tuple[User, Params]], kind: str, subject: Callable[[Params], str], link_of: Any
) -> None:
    """E-mails in each recipient's language: the subject, the notification's own sentence and the link."""
    messages = []
    for user, params in entries:
        if not user.email:
            continue
        with force_locale(user.locale or "id"):
            body = RENDERERS[kind](params)
            link = link_of(external=True)
            if link:
                body += "\n\n" + _("Buka di Gotong: %(link)s", link=link)
            messages.append((user.email, str(subject(params)), body))
    send_emails(messages)


def _coalition(coalition_id: int) -> SellingCoalition | None:
    return db.session.get(SellingCoalition, coalition_id)


def _base(coalition: SellingCoalition) -> Params:
    return {"title": coalition.title, "unit": coalition.unit, "buyer": coalition.buyer_name}


def _committed_members(coalition: SellingCoalition) -> list[tuple[Business, list[Commitment]]]:
    """Businesses with an active commitment, in commitment order, with their commitments."""
    grouped: dict[int, tuple[Business, list[Commitment]]] = {}
    for commitment in db.session.scalars(
        select(Commitment)
        .where(Commitment.coalition_id == coalition.id, Commitment.status == CommitmentStatus.ACTIVE)
        .order_by(Commitment.created_at, Commitment.id)
    ):
        grouped.setdefault(commitment.business_id, (commitment.business, []))[1].append(commitment)
    return list(grouped.values())


# --- receivers --------------------------------------------------------------------------------------------


def on_request_posted(sender: Any, request_id: int, **_kw: Any) -> None:
    """The managers of every cooperative that sees the request (its province, regency and sector)."""
    from coalitions.selling.services import request_visible_to

    request = db.session.get(BulkRequest, request_id)
    if request is None:
        return
    cooperatives = db.session.scalars(
        select(Cooperative).where(
            Cooperative.province_code == request.province_code, Cooperative.suspended_at.is_(None)
        )
    )
    seen = [c.id for c in cooperatives if request_visible_to(c, request)]
    if not seen:
        return
    users = db.session.scalars(
        select(CooperativeManager.user_id).where(CooperativeManager.cooperative_id.in_(seen)).distinct()
    )
    params = {
        "buyer": request.organisation,
        "qty": request.quantity,
        "unit": request.unit,
        "title": request.title,
    }
    notify(list(users), "selling.request_posted", params, _request_link(request.id))


def on_checks_finished(sender: Any, coalition_id: int, **_kw: Any) -> None:
    """The buyer (when it has a Gotong account) is told the goods are ready to be confirmed."""
    from coalitions.selling.services import accepted_by_business

    coalition = db.session.get(SellingCoalition, coalition_id)
    if coalition is None or coalition.buyer_id is None:
        return
    qty = sum(sum(lines.values()) for _b, lines in accepted_by_business(coalition))
    params = {"title": coalition.title, "qty": qty, "unit": coalition.unit}
    notify([coalition.buyer_id], "selling.checks_finished", params, _coalition_link(coalition.id))


def on_offer_made(sender: Any, offer_id: int, **_kw: Any) -> None:
    offer = db.session.get(CounterOffer, offer_id)
    if offer is None:
        return
    request = offer.request
    params = {
        "cooperative": offer.cooperative.name,
        "title": request.title,
        "prices": ", ".join(f"{p.grade} {format_idr(p.price_idr)}" for p in offer.prices),
    }
    notify([request.buyer_id], "selling.offer_made", params, _request_link(request.id))
    _mail_all(
        [(request.buyer, params)],
        "selling.offer_made",
        lambda p: _("Penawaran untuk permintaan \u201c%(title)s\u201d", title=p["title"]),
        lambda external: _request_link(request.id, external=external),
    )


def on_offer_decided(sender: Any, offer_id: int, accepted: bool, **_kw: Any) -> None:
    offer = db.session.get(CounterOffer, offer_id)
    if offer is None:
        return
    request = offer.request
    params = {"buyer": request.organisation, "title": request.title, "accepted": bool(accepted)}
    users = _users(manager_ids(offer.cooperative_id))
    notify([u.id for u in users], "selling.offer_decided", params, _request_link(request.id))
    _mail_all(
        [(u, params) for u in users],
        "selling.offer_decided",
        lambda p: (
            _("Penawaran untuk \u201c%(title)s\u201d diterima", title=p["title"])
            if p["accepted"]
            else _("Penawaran untuk \u201c%(title)s\u201d ditolak", title=p["title"])
        ),
        lambda external: _request_link(request.id, external=external),
    )


def on_coalition_opened(sender: Any, coalition_id: int, **_kw: Any) -> None:
    """The owners of the cooperative's active member businesses may commit."""
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    owners = db.session.scalars(
        select(Business.owner_id)
        .join(Membership, Membership.business_id == Business.id)
        .where(
            Membership.cooperative_id == coalition.cooperative_id,
            Membership.status == MembershipStatus.ACTIVE,
            Business.suspended_at.is_(None),
        )
        .distinct()
    )
    params = {**_base(coalition), "qty": coalition.quantity}
    notify(list(owners), "selling.opened", params, _coalition_link(coalition.id))


def on_coalition_closed(sender: Any, coalition_id: int, **_kw: Any) -> None:
    """Each committed member its allocation; the managers and the buyer the outcome. E-mail to all."""
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    base = {
        **_base(coalition),
        "status": coalition.status.value,
        "qty": coalition.allocated_qty or 0,
        "wanted": coalition.quantity,
        "place": coalition.collection_point,
    }
    members: list[tuple[int, Params]] = []
    for business, commitments in _committed_members(coalition):
        params = {**base}
        if coalition.status is not SellingStatus.FAILED:
            params["allocated"] = sum(c.allocated_qty or 0 for c in commitments)
            params["business"] = business.name
        members.append((business.owner_id, params))
    others = manager_ids(coalition.cooperative_id)
    if coalition.buyer_id is not None:
        others.append(coalition.buyer_id)
    link = _coalition_link(coalition.id)
    _notify_each("selling.closed", members, link)
    notify(others, "selling.closed", base, link)
    by_id = {u.id: u for u in _users([uid for uid, _p in members] + others)}
    mails = [(by_id[uid], p) for uid, p in members if uid in by_id]
    mails += [(by_id[uid], base) for uid in dict.fromkeys(others) if uid in by_id]
    _mail_all(
        mails,
        "selling.closed",
        lambda p: _("Koalisi penjualan \u201c%(title)s\u201d ditutup", title=p["title"]),
        lambda external: _coalition_link(coalition.id, external=external),
    )


def on_partial_decided(sender: Any, coalition_id: int, accepted: bool, **_kw: Any) -> None:
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    params = {**_base(coalition), "accepted": bool(accepted), "qty": coalition.allocated_qty or 0}
    users = manager_ids(coalition.cooperative_id) + [b.owner_id for b, _c in _committed_members(coalition)]
    notify(users, "selling.partial_decided", params, _coalition_link(coalition.id))


def on_coalition_cancelled(sender: Any, coalition_id: int, **_kw: Any) -> None:
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    params = {**_base(coalition), "reason": coalition.cancel_reason or ""}
    users = [b.owner_id for b, _c in _committed_members(coalition)]
    if coalition.buyer_id is not None:
        users.append(coalition.buyer_id)
    notify(users, "selling.cancelled", params, _coalition_link(coalition.id))


def on_check_recorded(sender: Any, check_id: int, **_kw: Any) -> None:
    check = db.session.get(QualityCheck, check_id)
    if check is None:
        return
    commitment = check.commitment
    coalition = commitment.coalition
    params = {
        **_base(coalition),
        "grade": commitment.grade,
        "accepted": check.accepted_qty,
        "rejected": check.rejected_qty,
        "reason": check.reason,
    }
    notify([commitment.business.owner_id], "selling.check_recorded", params, _coalition_link(coalition.id))


def on_receipt_confirmed(sender: Any, coalition_id: int, **_kw: Any) -> None:
    """Each member its payout; the managers the buyer's total. E-mail to all."""
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    base = {**_base(coalition), "total": coalition.buyer_total_idr or 0}
    payouts = db.session.scalars(
        select(MemberPayout).where(MemberPayout.coalition_id == coalition.id).order_by(MemberPayout.id)
    ).all()
    members = [
        (
            p.business.owner_id,
            {
                **base,
                "business": p.business.name,
                "gross": p.gross_idr,
                "fee": p.fee_idr,
                "cost": p.shared_cost_idr,
                "payout": p.payout_idr,
            },
        )
        for p in payouts
    ]
    managers = manager_ids(coalition.cooperative_id)
    link = _coalition_link(coalition.id)
    _notify_each("selling.receipt_confirmed", members, link)
    notify(managers, "selling.receipt_confirmed", base, link)
    by_id = {u.id: u for u in _users([uid for uid, _p in members] + managers)}
    mails = [(by_id[uid], p) for uid, p in members if uid in by_id]
    mails += [(by_id[uid], base) for uid in managers if uid in by_id]
    _mail_all(
        mails,
        "selling.receipt_confirmed",
        lambda p: _("Barang koalisi \u201c%(title)s\u201d diterima pembeli", title=p["title"]),
        lambda external: _coalition_link(coalition.id, external=external),
    )


def on_buyer_paid(sender: Any, coalition_id: int, **_kw: Any) -> None:
    coalition = _coalition(coalition_id)
    if coalition is None:
        return
    params = {**_base(coalition), "total": coalition.buyer_total_idr or 0}
    notify(manager_ids(coalition.cooperative_id), "selling.buyer_paid", params, _coalition_link(coalition.id))


def on_payout_recorded(sender: Any, record_id: int, **_kw: Any) -> None:
    record = db.session.get(PayoutRecord, record_id)
    if record is None:
        return
    payout = record.payout
    coalition = payout.coalition
    owner = payout.business.owner
    params = {
        **_base(coalition),
        "amount": record.amount_idr,
        "reference": record.reference,
        "owed": payout.owed_idr,
    }
    notify([owner.id], "selling.payout_recorded", params, _coalition_link(coalition.id))
    _mail_all(
        [(owner, params)],
        "selling.payout_recorded",
        lambda p: _("Pembayaran hasil koalisi \u201c%(title)s\u201d", title=p["title"]),
        lambda external: _coalition_link(coalition.id, external=external),
    )


signals.request_posted.connect(on_request_posted)
signals.offer_made.connect(on_offer_made)
signals.offer_decided.connect(on_offer_decided)
signals.coalition_opened.connect(on_coalition_opened)
signals.coalition_closed.connect(on_coalition_closed)
signals.partial_decided.connect(on_partial_decided)
signals.coalition_cancelled.connect(on_coalition_cancelled)
signals.check_recorded.connect(on_check_recorded)
signals.checks_finished.connect(on_checks_finished)
signals.receipt_confirmed.connect(on_receipt_confirmed)
signals.buyer_paid.connect(on_buyer_paid)
signals.payout_recorded.connect(on_payout_recorded)


# --- called by the payment pages (after the change, in its transaction) -----------------------------------


def transfer_uploaded(payment: Any) -> None:
    coalition = payment.coalition
    notify(
        manager_ids(coalition.cooperative_id),
        "selling.transfer_uploaded",
        {"title": coalition.title, "buyer": coalition.buyer_name, "amount": payment.amount_idr},
        _url("selling.transfers", f"/koalisi-penjualan/{coalition.id}/transfer", coalition_id=coalition.id),
    )


def transfer_reviewed(payment: Any, approved: bool) -> None:
    coalition = payment.coalition
    if coalition.buyer_id is None:
        return
    notify(
        [coalition.buyer_id],
        "selling.transfer_reviewed",
        {"title": coalition.title, "approved": approved, "note": payment.review_note or ""},
        _url("selling.pay", f"/koalisi-penjualan/{coalition.id}/bayar", coalition_id=coalition.id),
    )
