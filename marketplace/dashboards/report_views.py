"""Public reports about cooperatives and their triage by the region's officers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
