"""Joint selling: bulk requests, counter-offers, selling coalitions, quality control, payouts.

``bp`` carries every page (buyers' requests, cooperatives' offers and coalitions, members' commitments and
statements); ``coalitions.init_app`` imports the page modules and the notification receivers by name.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("selling", __name__, url_prefix="/koalisi-penjualan")

#: Imported by ``coalitions.init_app``: they attach routes to ``bp`` or connect signal receivers.
MODULES = (
    "coalitions.selling.request_views",
    "coalitions.selling.views",
    "coalitions.selling.payment_views",
    "coalitions.selling.notices",
)
