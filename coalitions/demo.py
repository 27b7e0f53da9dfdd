"""Demo data of the coalitions (``flask seed-demo``): an open buying coalition for cattle feed, a successful
one for doll stuffing with shares to pay and hand over, a hotel's bulk request in Bali and an open selling
coalition of cattle for Idul Adha. ``init_app`` registers :func:`seed_demo` with the marketplace's demo
builder, which calls it with its cooperatives and users by key (marketplace never imports coalitions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from coalitions import notices
from coalitions import services as coalitions
from coalitions.selling import services as selling
from marketplace.clock import utcnow
from marketplace.cooperatives.models import Business, Membership, MembershipStatus
from marketplace.extensions import db
from marketplace.sectors import Sector


def seed_demo(cooperatives: dict[str, Any], users: dict[str, Any]) -> None:
    """Buying then selling coalitions over the demo cooperatives (flush, no commit)."""

    def members(key: str) -> list[Business]:
        return list(
            db.session.scalars(
                select(Business)
                .join(Membership, Membership.business_id == Business.id)
                .where(
                    Membership.cooperative_id == cooperatives[key].id,
                    Membership.status == MembershipStatus.ACTIVE,
                    Business.suspended_at.is_(None),
                )
                .order_by(Business.id)
            )
        )

    def open_one(key: str, data: coalitions.CoalitionData, pledges: list[int]) -> Any:
        cooperative = cooperatives[key]
        manager = cooperative.managers[0].user
        coalition = coalitions.create_draft(manager, cooperative, data)
        coalitions.publish(manager, coalition)
        for business, quantity in zip(members(key), pledges, strict=False):
            coalitions.pledge(business.owner, business, coalition, quantity)
        return coalition, manager

    now = utcnow()
    open_one(
        "sangir",
        coalitions.CoalitionData(
            title="Konsentrat pakan sapi potong 50 kg",
            description="Pakan konsentrat protein 16% untuk penggemukan sapi, karung 50 kg, dikirim ke "
            "gudang koperasi di Padang Aro.",
            supplier_name="CV Pakan Ternak Sejahtera Padang",
            supplier_contact="+62751 445566 · pemasaran@pakansejahtera.co.id",
            unit="karung",
            tiers=[(1, 320_000), (100, 300_000), (200, 285_000)],
            moq=100,
            deadline=now + timedelta(days=5),
            shared_cost_idr=1_500_000,
        ),
        [40, 25, 12],
    )
    coalition, manager = open_one(
        "boneka",
        coalitions.CoalitionData(
            title="Dakron isi boneka premium 1 kg",
            description="Serat dakron (polyester) putih bersih untuk isi boneka, bal 1 kg.",
            supplier_name="PT Serat Lembut Nusantara",
            supplier_contact="+6221 8901234",
            unit="kg",
            tiers=[(1, 42_000), (50, 38_000), (150, 35_000)],
            moq=50,
            deadline=now + timedelta(days=3),
            shared_cost_idr=250_000,
        ),
        [30, 25, 20, 15],
    )
    coalitions.close(coalition, actor=manager, early=True)
    notices.coalition_closed(coalition.id)  # the members' bell shows their numbers
    db.session.flush()
    _selling(cooperatives, users, members)


def _selling(cooperatives: dict[str, Any], users: dict[str, Any], members: Any) -> None:

    now = utcnow()
    buyer = users["pembeli"]
    gianyar = cooperatives["gianyar"]
    selling.create_request(
        buyer,
        selling.RequestData(
            organisation="Hotel Alam Ubud",
            title="Sambal matah botol 250 ml",
            sector=Sector.FOOD_DRINK,
            quantity=300,
            unit="botol",
            grades=[("Botol kaca 250 ml", 35_000), ("Botol plastik 250 ml", None)],
            delivery_date=(now + timedelta(days=21)).date(),
            delivery_place="Jl. Raya Sanggingan, Ubud, Gianyar",
            province_code=gianyar.province_code,
            offer_deadline=now + timedelta(days=4),
            notes="Untuk sarapan tamu hotel selama tiga bulan; kemasan berlabel dan tanggal kedaluwarsa.",
        ),
    )
    sangir = cooperatives["sangir"]
    manager = sangir.managers[0].user
    cattle = selling.create_coalition(
        manager,
        sangir,
        selling.CoalitionData(
            title="Sapi kurban Idul Adha",
            description="Sapi bali dan simental sehat, umur cukup, lengkap surat keterangan kesehatan hewan.",
            unit="ekor",
            quantity=20,
            grades=[("Sapi > 300 kg", 22_000_000), ("Sapi 250–300 kg", 18_500_000)],
            buyer_name="Panitia Kurban Masjid Raya Padang Aro",
            buyer_contact="+6281266001122",
            collection_point="Kandang koperasi, Nagari Lubuk Gadang, Sangir",
            collection_date=(now + timedelta(days=14)).date(),
            deadline=now + timedelta(days=7),
            fee_bp=200,
            shared_cost_idr=3_000_000,
        ),
    )
    selling.publish(manager, cattle)
    herd = [("Sapi > 300 kg", 6), ("Sapi 250–300 kg", 5), ("Sapi > 300 kg", 3)]
    for business, (grade, quantity) in zip(members("sangir"), herd, strict=False):
        selling.commit(business.owner, business, cattle, grade, quantity)
    db.session.flush()
