"""Business sectors, which are also the product categories of the catalog (DOMAIN.md "Products")."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Sector(enum.StrEnum):
    DOLLS_TOYS = "boneka_mainan"
    FOOD_DRINK = "makanan_minuman"
    LIVESTOCK = "ternak"
    CRAFTS = "kerajinan"
    PRODUCE = "pertanian"
    SERVICES = "jasa"


SECTOR_LABELS = {
    Sector.DOLLS_TOYS: _l("Boneka & mainan"),
    Sector.FOOD_DRINK: _l("Makanan & minuman"),
    Sector.LIVESTOCK: _l("Ternak"),
    Sector.CRAFTS: _l("Kerajinan"),
    Sector.PRODUCE: _l("Pertanian"),
    Sector.SERVICES: _l("Jasa"),
}


def sector_choices() -> list[tuple[str, str]]:
    return [(s.value, str(SECTOR_LABELS[s])) for s in Sector]
