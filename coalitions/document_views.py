"""Downloads of a successfully closed buying coalition's papers: the supplier purchase order and the
distribution list, each as PDF and CSV. Only the managers of the coalition's cooperative (and admins) may
download them; a coalition that did not close successfully has none (404).

A member's invoice (tagihan) for its share is for the owner of the member business as well as for the
cooperative's managers (and admins); a share with nothing due has none (404).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort
from flask_login import current_user, login_required

from coalitions import bp, documents
from coalitions.models import BuyingCoalition, CoalitionStatus, MemberShare, ShareStatus
from marketplace.accounts import policy
from marketplace.extensions import db
from marketplace.web import authorize

S = CoalitionStatus
# After a successful close the order exists, whatever happened to it since.
DOCUMENT_STATUSES = frozenset({S.CLOSED_SUCCESS, S.ORDERED, S.RECEIVED, S.DISTRIBUTED})


def _document_coalition(coalition_id: int) -> BuyingCoalition:
    coalition = db.get_or_404(BuyingCoalition, coalition_id)
    authorize(policy.manages_cooperative(current_user, coalition.cooperative))
    if coalition.status not in DOCUMENT_STATUSES:
        abort(404)
    return coalition


def _download(body: bytes, mimetype: str, file_name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Names, phone numbers and amounts: never kept by a proxy, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _pdf(build: Callable[[BuyingCoalition], bytes], name: str, coalition_id: int) -> Response:
    coalition = _document_coalition(coalition_id)
    return _download(build(coalition), "application/pdf", f"{name}-{coalition.id}.pdf")


def _csv(build: Callable[[BuyingCoalition], str], name: str, coalition_id: int) -> Response:
    coalition = _document_coalition(coalition_id)
    # With a byte order mark Excel reads the file as UTF-8 (names with accents, "×").
    body = ("\ufeff" + build(coalition)).encode("utf-8")
    return _download(body, "text/csv", f"{name}-{coalition.id}.csv")


@bp.get("/<int:coalition_id>/surat-pesanan.pdf")
@login_required
def purchase_order_pdf(coalition_id: int) -> Response:
    return _pdf(documents.purchase_order_pdf, "surat-pesanan", coalition_id)


@bp.get("/<int:coalition_id>/surat-pesanan.csv")
@login_required
def purchase_order_csv(coalition_id: int) -> Response:
    return _csv(documents.purchase_order_csv, "surat-pesanan", coalition_id)


@bp.get("/<int:coalition_id>/distribusi.pdf")
@login_required
def distribution_pdf(coalition_id: int) -> Response:
    return _pdf(documents.distribution_pdf, "distribusi", coalition_id)


@bp.get("/<int:coalition_id>/distribusi.csv")
@login_required
def distribution_csv(coalition_id: int) -> Response:
    return _csv(documents.distribution_csv, "distribusi", coalition_id)


@bp.get("/<int:coalition_id>/bagian/<int:share_id>/tagihan.pdf")
@login_required
def share_invoice_pdf(coalition_id: int, share_id: int) -> Response:
    share = db.get_or_404(MemberShare, share_id)
    if share.coalition_id != coalition_id:
        abort(404)
    authorize(
        policy.owns_business(current_user, share.business)
        or policy.manages_cooperative(current_user, share.coalition.cooperative)
    )
    if share.status is ShareStatus.NOTHING_DUE or share.coalition.closed_at is None:
        abort(404)
    body = documents.share_invoice_pdf(share)
    return _download(body, "application/pdf", f"tagihan-{coalition_id}-{share.id}.pdf")
