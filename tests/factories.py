"""Factories: rows made directly (fast), valid by the same rules the services apply."""

from __future__ import annotations

import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from marketplace.accounts.models import OfficerAppointment, User
from marketplace.catalog.models import Product, ProductStatus
from marketplace.clock import utcnow
from marketplace.cooperatives.models import (
    Business,
    Cooperative,
    CooperativeManager,
    CooperativeSector,
    CooperativeType,
    ManagerRole,
    Membership,
    MembershipStatus,
)
from marketplace.extensions import db
from marketplace.sectors import Sector

PASSWORD = "kopi-tubruk-pagi-hari"
_hash_cache: list[str] = []
_seq = itertools.count(1)

BEKASI = ("32", "32.16")
SOLOK_SELATAN = ("13", "13.11")
DENPASAR = ("51", "51.71")


def _password_hash() -> str:
    if not _hash_cache:
        # A cheap hash keeps the suite fast; production hashes with scrypt (tested in test_accounts).
        _hash_cache.append(generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    return _hash_cache[0]


def make_user(name: str = "Siti Aminah", *, email: str | None = None, is_admin: bool = False, **kw) -> User:  # type: ignore[no-untyped-def]
    n = next(_seq)
    user = User(
        name=name,
        email=email or f"user{n}@contoh.id",
        phone=kw.pop("phone", f"+62812{n:08d}"[:14]),
        password_hash=_password_hash(),
        is_admin=is_admin,
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_business(
    owner: User | None = None, name: str | None = None, *, region=BEKASI, sector=Sector.DOLLS_TOYS, **kw
) -> Business:  # type: ignore[no-untyped-def]
    n = next(_seq)
    owner = owner or make_user()
    name = name or f"Usaha Contoh {n}"
    business = Business(
        owner=owner,
        name=name,
        slug=kw.pop("slug", f"usaha-contoh-{n}"),
        nib=kw.pop("nib", f"{9120000000000 + n}"),
        owner_name=owner.name,
        whatsapp=kw.pop("whatsapp", "+6281234567890"),
        province_code=region[0],
        regency_code=region[1],
        address="Jl. Contoh No. 1",
        sector=sector,
        **kw,
    )
    db.session.add(business)
    db.session.flush()
    return business


def make_cooperative(
    manager: User | None = None,
    name: str | None = None,
    *,
    region=BEKASI,
    requires_listing_approval=True,
    **kw,
) -> Cooperative:  # type: ignore[no-untyped-def]
    n = next(_seq)
    manager = manager or make_user("Pak Ketua")
    cooperative = Cooperative(
        name=name or f"Koperasi Contoh {n}",
        slug=kw.pop("slug", f"koperasi-contoh-{n}"),
        legal_entity_number=f"AHU-{n:07d}.AH.01.26.TAHUN 2020",
        nik_koperasi=f"{3216000000000000 + n}",
        coop_type=kw.pop("coop_type", CooperativeType.PRODUCER),
        province_code=region[0],
        regency_code=region[1],
        address="Jl. Koperasi No. 2",
        founded_on=date(2015, 3, 1),
        requires_listing_approval=requires_listing_approval,
        created_by_id=manager.id,
        **kw,
    )
    cooperative.sector_rows.append(CooperativeSector(sector=Sector.DOLLS_TOYS))
    cooperative.managers.append(CooperativeManager(user=manager, role=ManagerRole.CHAIR))
    db.session.add(cooperative)
    db.session.flush()
    return cooperative


def make_membership(
    cooperative: Cooperative, business: Business, status=MembershipStatus.ACTIVE
) -> Membership:  # type: ignore[no-untyped-def]
    now = utcnow()
    membership = Membership(
        cooperative=cooperative,
        business=business,
        status=status,
        joined_at=now if status is MembershipStatus.ACTIVE else None,
        decided_at=None if status is MembershipStatus.PENDING else now,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def make_officer(region_code: str, name: str = "Petugas Dinas") -> User:
    user = make_user(name)
    db.session.add(OfficerAppointment(user=user, region_code=region_code))
    db.session.flush()
    return user


def make_product(
    business: Business | None = None, title: str = "Boneka Beruang Rajut 30 cm", **kw
) -> Product:  # type: ignore[no-untyped-def]
    business = business or make_business()
    product = Product(
        business=business,
        cooperative=kw.pop("cooperative", None),
        title=title,
        slug=kw.pop("slug", "boneka-beruang-rajut-30-cm"),
        description=kw.pop("description", "Boneka rajut buatan tangan."),
        category=kw.pop("category", Sector.DOLLS_TOYS),
        price_idr=kw.pop("price_idr", 85000),
        unit=kw.pop("unit", "pcs"),
        stock=kw.pop("stock", 10),
        status=kw.pop("status", ProductStatus.ACTIVE),
        attributes=kw.pop("attributes", {}),
        **kw,
    )
    db.session.add(product)
    db.session.flush()
    return product


def make_photo_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (800, 600), *, color=(180, 90, 40), exif: bool = False
) -> bytes:  # type: ignore[no-untyped-def]
    """An encoded image for upload tests; ``exif`` adds camera EXIF (make, model, GPS-like comment)."""
    import io

    from PIL import Image

    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, color)
    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "GotongCam"  # Make
        tags[0x0110] = "Model X"  # Model
        tags[0x0112] = 1  # Orientation
        tags[0x9286] = "lokasi rumah penjual"  # UserComment
        options["exif"] = tags.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()


def make_bank_account(owner, bank: str = "BRI", number: str = "002101000123305", holder: str | None = None):  # type: ignore[no-untyped-def]
    """Give a business or cooperative an account for bank-transfer orders."""
    owner.bank_name = bank
    owner.bank_account_number = number
    owner.bank_account_holder = holder or owner.name
    db.session.flush()
    return owner


def make_checkout(
    lines,  # type: ignore[no-untyped-def]
    *,
    buyer: User | None = None,
    payment_method: str = "bank_transfer",
    delivery: str = "delivery",
    email: str = "pembeli@contoh.id",
):
    """Place an order through the real service: ``lines`` is [(product, quantity), ...]. Returns the checkout
    (one order per business in ``checkout.orders``)."""
    from marketplace.orders import services as order_services
    from marketplace.orders.models import DeliveryMethod

    items = {product.id: quantity for product, quantity in lines}
    cart = order_services.build_cart(items)
    data = order_services.CheckoutData(
        contact_name=buyer.name if buyer else "Ibu Pembeli",
        contact_email=buyer.email if buyer else email,
        contact_phone="+6281299990000",
        delivery_method=DeliveryMethod(delivery),
        payment_method=payment_method,
        address="Jl. Melati No. 5" if delivery == "delivery" else None,
        province_code="32" if delivery == "delivery" else None,
        regency_code="32.16" if delivery == "delivery" else None,
    )
    return order_services.place_order(buyer, items, data, cart.digest())


# --- buying coalitions ------------------------------------------------------------------------------------

FEED_TIERS = ((1, 320_000), (100, 300_000), (200, 285_000))  # DOMAIN.md's worked example


def make_coalition(cooperative: Cooperative | None = None, title: str = "Konsentrat pakan sapi 50 kg", **kw):  # type: ignore[no-untyped-def]
    """A buying coalition made directly (``status`` open unless given; any deadline, past ones too)."""
    from datetime import timedelta

    from coalitions.models import BuyingCoalition, CoalitionStatus, CoalitionTier

    cooperative = cooperative or make_cooperative()
    tiers = kw.pop("tiers", FEED_TIERS)
    status = kw.pop("status", CoalitionStatus.OPEN)
    coalition = BuyingCoalition(
        cooperative=cooperative,
        created_by_id=cooperative.managers[0].user_id,
        title=title,
        supplier_name=kw.pop("supplier_name", "CV Pakan Ternak Sejahtera"),
        unit=kw.pop("unit", "karung"),
        moq=kw.pop("moq", 100),
        deadline=kw.pop("deadline", utcnow() + timedelta(days=5)),
        status=status,
        published_at=kw.pop("published_at", None if status is CoalitionStatus.DRAFT else utcnow()),
        **kw,
    )
    coalition.tiers.extend(CoalitionTier(min_qty=q, unit_price_idr=p) for q, p in tiers)
    db.session.add(coalition)
    db.session.flush()
    return coalition


def make_pledge(coalition, business: Business | None = None, quantity: int = 10, tolerance: int = 0, **kw):  # type: ignore[no-untyped-def]
    """An active pledge made directly; the business becomes an active member of the coalition's cooperative
    when it is made here."""
    from coalitions.models import Pledge, PledgeStatus

    if business is None:
        business = make_business()
        make_membership(coalition.cooperative, business)
    pledge = Pledge(
        coalition_id=coalition.id,
        business_id=business.id,
        pledged_by_id=business.owner_id,
        quantity=quantity,
        tolerance=tolerance,
        status=kw.pop("status", PledgeStatus.ACTIVE),
        **kw,
    )
    db.session.add(pledge)
    db.session.flush()
    return pledge
