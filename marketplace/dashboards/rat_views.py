"""Annual members' meetings (RAT) recorded by a cooperative's managers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rat", __name__)
