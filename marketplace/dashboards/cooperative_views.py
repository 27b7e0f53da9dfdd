"""The cooperative managers' dashboard and member roster export."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cooperative_dashboard", __name__)
