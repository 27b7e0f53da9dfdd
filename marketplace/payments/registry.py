"""Which payment methods this installation offers (``GOTONG_PAYMENT_METHODS``), built once at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _

from marketplace.config import ConfigError
from marketplace.payments.base import PaymentError, PaymentProvider

EXTENSION_KEY = "gotong.payments"


def _build(code: str, app: Flask) -> PaymentProvider:
    if code == "card":
        from marketplace.payments.stripe_provider import StripeProvider

        return StripeProvider.from_config(app.config)
    if code == "bank_transfer":
        from marketplace.payments.manual import BankTransferProvider

        return BankTransferProvider()
    if code == "cash":
        from marketplace.payments.manual import CashProvider

        return CashProvider()
    raise ConfigError(
        f"GOTONG_PAYMENT_METHODS names an unknown method {code!r}; known: card, bank_transfer, cash."
    )


def register_payments(app: Flask) -> None:
    methods = app.config["PAYMENT_METHODS"]
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    if not methods:
        raise ConfigError("GOTONG_PAYMENT_METHODS is empty: name at least one of card, bank_transfer, cash.")
    app.extensions[EXTENSION_KEY] = {code: _build(code, app) for code in dict.fromkeys(methods)}


def providers() -> dict[str, PaymentProvider]:
    return current_app.extensions[EXTENSION_KEY]


def get(code: str) -> PaymentProvider:
    provider = providers().get(code)
    if provider is None:
        raise PaymentError(_("Metode pembayaran ini tidak tersedia."), field="payment_method")
    return provider


def available_for(sellers: Sequence[Any]) -> list[PaymentProvider]:
    return [p for p in providers().values() if p.can_pay(sellers)]
