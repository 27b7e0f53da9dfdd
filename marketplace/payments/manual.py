"""Methods settled between buyer and seller directly: bank transfer and cash on pickup / COD."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from marketplace.payments.base import (
    ChargeState,
    PaymentError,
    PaymentRequest,
    PaymentStarted,
    RefundRequest,
    RefundResult,
    Settlement,
)


def transfer_account(business: Any) -> Any | None:
    """Whose account a buyer transfers to for this seller: its own, else one of its cooperatives'."""
    if business.has_bank_account:
        return business
    for membership in business.active_memberships:
        if membership.cooperative.has_bank_account:
            return membership.cooperative
    return None


class _Manual:
    settlement = Settlement.PER_ORDER
    refunds_online = False
    accepts_proof = False

    def start(self, request: PaymentRequest) -> PaymentStarted:
        return PaymentStarted(provider_ref=None)

    def cancel(self, provider_ref: str) -> ChargeState:
        return ChargeState.CANCELLED

    def refund(self, request: RefundRequest) -> RefundResult:
        raise PaymentError(_("Pengembalian dana untuk metode ini dilakukan langsung oleh penjual."))


class BankTransferProvider(_Manual):
    code = "bank_transfer"
    accepts_proof = True
    paid_on_handover = False
    ttl_setting = "ORDER_PAYMENT_TTL_MINUTES"
    payment_template = "payments/bank_transfer.html"

    def label(self) -> str:
        return _("Transfer bank")

    def description(self) -> str:
        return _("Transfer ke rekening penjual atau koperasinya, lalu unggah bukti transfer.")

    def can_pay(self, sellers: Sequence[Any]) -> bool:
        return all(transfer_account(seller) is not None for seller in sellers)


class CashProvider(_Manual):
    code = "cash"
    paid_on_handover = True
    ttl_setting = "CASH_ORDER_TTL_MINUTES"
    payment_template = "payments/cash.html"

    def label(self) -> str:
        return _("Tunai saat diambil / COD")

    def description(self) -> str:
        return _("Bayar tunai kepada penjual saat barang diambil atau diantar.")

    def can_pay(self, sellers: Sequence[Any]) -> bool:
        return True
