"""The MSME (UMKM) owner's dashboard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("business_dashboard", __name__)
