"""An officer's view of one cooperative: activity, health assessments and follow-ups."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__)
