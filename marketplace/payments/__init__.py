"""Payments: the provider protocol, Stripe card payments, bank transfer and cash, webhooks."""
