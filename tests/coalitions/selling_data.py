"""The selling coalition tests' world: DOMAIN.md's worked example (a coffee cooperative in Bekasi with
members W, X, Y, Z and a hotel buyer; 500 kg Arabica, grades A Rp180.000 and B Rp150.000, fee 5 %, transport
Rp1.000.000)."""

from __future__ import annotations

from datetime import timedelta

from coalitions.selling import services as selling
from marketplace.clock import utcnow
from marketplace.cooperatives.models import CooperativeSector
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.factories import BEKASI, make_business, make_cooperative, make_membership, make_user


def coffee_world():  # type: ignore[no-untyped-def]
    """A coffee cooperative in Bekasi with members W, X, Y, Z, and a hotel buyer."""
    manager = make_user("Bu Ketua")
    cooperative = make_cooperative(manager, "Koperasi Kopi Bekasi")
    cooperative.sector_rows.append(CooperativeSector(sector=Sector.PRODUCE))
    members = {}
    for name in "WXYZ":
        business = make_business(make_user(f"Petani {name}"), f"Kebun Kopi {name}")
        make_membership(cooperative, business)
        members[name] = business
    buyer = make_user("Pak Hotel")
    db.session.flush()
    return cooperative, manager, members, buyer


def make_request(buyer, **changes):  # type: ignore[no-untyped-def]
    data = selling.RequestData(
        organisation="Hotel Santika Bekasi",
        title="Kopi Arabika sangrai",
        sector=Sector.PRODUCE,
        quantity=500,
        unit="kg",
        grades=[("A", 180_000), ("B", 150_000)],
        delivery_date=utcnow().date() + timedelta(days=20),
        delivery_place="Jl. Ahmad Yani No. 1, Bekasi",
        province_code=BEKASI[0],
        offer_deadline=utcnow() + timedelta(days=3),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return selling.create_request(buyer, data)


def coffee_terms(**changes):  # type: ignore[no-untyped-def]
    data = selling.CoalitionData(
        title="Kopi Arabika sangrai",
        unit="kg",
        quantity=500,
        grades=[("A", 180_000), ("B", 150_000)],
        collection_point="Gudang koperasi, Jl. Raya Tambun 5",
        collection_date=utcnow().date() + timedelta(days=10),
        deadline=utcnow() + timedelta(days=5),
        fee_bp=500,
        shared_cost_idr=1_000_000,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data
