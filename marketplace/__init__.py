"""Gotong: the marketplace application package."""

from marketplace.app import create_app

__all__ = ["create_app"]
