import io

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace.cooperatives import services
from marketplace.cooperatives.models import Business, Cooperative, ManagerRole, Membership, MembershipStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import make_business, make_cooperative, make_membership, make_user

BUSINESS_FORM = {
    "name": "Boneka Ceria Tambun",
    "nib": "9120 3012 3456 7",
    "owner_name": "Dewi Lestari",
    "whatsapp": "0812 1111 2222",
    "province_code": "32",
    "regency_code": "32.16",
    "address": "Jl. Sultan Hasanudin No. 5, Tambun Selatan",
    "sector": "boneka_mainan",
    "description": "Boneka rajut dan boneka karakter.",
}

COOP_FORM = {
    "name": "Koperasi Perajin Boneka Bekasi",
    "legal_entity_number": "AHU-0004512.AH.01.29.TAHUN 2019",
    "nik_koperasi": "3216 0400 1234 5678",
    "coop_type": "produsen",
    "sectors": ["boneka_mainan", "kerajinan"],
    "province_code": "32",
    "regency_code": "32.16",
    "address": "Jl. Raya Tambun No. 1",
    "founded_on": "2012-05-20",
    "description": "Koperasi para perajin boneka.",
    "requires_listing_approval": "y",
}


def _png(size=(64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 50, 50)).save(out, "PNG")
    return out.getvalue()


def test_create_business_normalises_and_shows_it(web):
    owner = make_user("Dewi Lestari")
    web.login(owner)
    response = web.post(
        "/usaha/baru",
        {**BUSINESS_FORM, "logo": (io.BytesIO(_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, html(response)
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert business.nib == "9120301234567"
    assert business.whatsapp == "+6281211112222"
    assert business.regency_code == "32.16"
    assert business.logo.startswith("logos/") and business.logo.endswith(".webp")
    assert business.bank_name is None and not business.has_bank_account
    page = html(web.get(f"/usaha/{business.slug}"))
    assert "Boneka Ceria Tambun" in page and "Kabupaten Bekasi, Jawa Barat" in page
    assert "https://wa.me/6281211112222" in page
    media = web.get(f"/media/{business.logo}")
    assert media.status_code == 200 and media.mimetype == "image/webp"
    media.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nib": "12345"}, "NIB harus 13 angka"),
        ({"nib": "91203012345AB"}, "NIB harus 13 angka"),
        ({"whatsapp": "021 2345678"}, "Nomor WhatsApp harus nomor HP"),
        ({"whatsapp": "123"}, "Nomor telepon tidak valid"),
        ({"regency_code": "13.11"}, "tidak ada di provinsi yang dipilih"),
        ({"province_code": ""}, "Pilih provinsi."),
        ({"name": ""}, "Nama usaha wajib diisi."),
        ({"bank_name": "BRI"}, "Isi bank, nomor rekening dan nama pemilik rekening sekaligus"),
        (
            {"bank_name": "BRI", "bank_account_number": "12ab", "bank_account_holder": "Dewi"},
            "5 sampai 20 angka",
        ),
    ],
)
def test_business_form_errors_keep_typed_values(web, change, message):
    web.login(make_user())
    response = web.post("/usaha/baru", {**BUSINESS_FORM, **change})
    assert response.status_code == 422
    page = html(response)
    assert message in page
    assert 'value="Jl. Sultan Hasanudin No. 5, Tambun Selatan"' in page
    assert db.session.scalar(select(db.func.count(Business.id))) == 0


def test_duplicate_nib_is_refused(web):
    make_business(nib="9120301234567")
    web.login(make_user())
    response = web.post("/usaha/baru", BUSINESS_FORM)
    assert response.status_code == 422
    assert "NIB ini sudah dipakai" in html(response)


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"this is not an image", "logo.png", "bukan gambar"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "bukan gambar",
        ),
        (b"GIF89a" + b"\x00" * 100, "logo.jpg", "bukan gambar"),
    ],
)
def test_bad_logo_is_refused_clearly(web, payload, name, message):
    web.login(make_user())
    response = web.post(
        "/usaha/baru",
        {**BUSINESS_FORM, "logo": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in html(response)


def test_oversized_logo_is_refused(web, app):
    web.login(make_user())
    app.config["LOGO_MAX_BYTES"] = 1000
    try:
        response = web.post(
            "/usaha/baru",
            {**BUSINESS_FORM, "logo": (io.BytesIO(_png((400, 400))), "logo.png")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["LOGO_MAX_BYTES"] = 3 * 1024 * 1024
    assert response.status_code == 422
    assert "Berkas terlalu besar" in html(response)


def test_jpeg_logo_is_reencoded_without_exif(app, tmp_path):
    image = Image.new("RGB", (800, 600), (10, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x010E] = "Lokasi rumah -6.2, 107.1"  # ImageDescription
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    assert b"KameraRahasia" in raw.getvalue()
    raw.seek(0)
    name = services.store_logo(raw)
    stored = app.config["UPLOAD_FOLDER"] + "/" + name
    with Image.open(stored) as result:
        assert result.format == "WEBP"
        assert max(result.size) == 512
        assert not result.getexif()
    with open(stored, "rb") as f:
        assert b"KameraRahasia" not in f.read()


def test_create_cooperative_makes_the_founder_its_chair(web):
    founder = make_user("Haji Rahmat")
    web.login(founder)
    response = web.post("/koperasi/baru", COOP_FORM)
    assert response.status_code == 302, html(response)
    cooperative = db.session.scalar(select(Cooperative))
    assert cooperative.nik_koperasi == "3216040012345678"
    assert cooperative.requires_listing_approval is True
    assert {s.value for s in cooperative.sectors} == {"boneka_mainan", "kerajinan"}
    assert [(m.user_id, m.role) for m in cooperative.managers] == [(founder.id, ManagerRole.CHAIR)]
    page = html(web.get(f"/koperasi/{cooperative.slug}"))
    assert "Koperasi Perajin Boneka Bekasi" in page and "Koperasi Produsen" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nik_koperasi": "123"}, "NIK Koperasi harus 16 angka."),
        ({"sectors": []}, "Pilih minimal satu sektor usaha."),
        ({"founded_on": "2999-01-01"}, "Tanggal berdiri tidak boleh di masa depan."),
        ({"regency_code": "51.71"}, "tidak ada di provinsi yang dipilih"),
    ],
)
def test_cooperative_form_errors(web, change, message):
    web.login(make_user())
    response = web.post("/koperasi/baru", {**COOP_FORM, **change})
    assert response.status_code == 422
    assert message in html(response)
    assert 'value="Jl. Raya Tambun No. 1"' in html(response)


def test_membership_journey(web):
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair)
    owner = make_user("Pemilik")
    business = make_business(owner, "Boneka Ceria")
    web.login(owner)
    page = html(web.get(f"/koperasi/{cooperative.slug}"))
    assert "Ajukan keanggotaan" in page
    response = web.post(
        f"/koperasi/{cooperative.slug}/daftar", {"business_id": business.id, "message": "Mohon diterima"}
    )
    assert response.status_code == 302
    membership = db.session.scalar(select(Membership))
    assert membership.status is MembershipStatus.PENDING and membership.message == "Mohon diterima"
    # applying twice is refused
    assert "Ajukan keanggotaan" not in html(web.get(f"/koperasi/{cooperative.slug}"))
    assert "Boneka Ceria" not in html(web.get(f"/koperasi/{cooperative.slug}")).split("Anggota")[-1]

    web.logout()
    web.login(chair)
    assert "Boneka Ceria" in html(web.get(f"/koperasi/{cooperative.slug}/kelola"))
    assert web.post(f"/keanggotaan/{membership.id}/setujui").status_code == 302
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.ACTIVE and membership.joined_at is not None
    assert membership.decided_by_id == chair.id
    public = html(web.get(f"/koperasi/{cooperative.slug}"))
    assert f"/usaha/{business.slug}" in public

    assert web.post(f"/keanggotaan/{membership.id}/keluarkan", {"reason": "Tidak aktif"}).status_code == 302
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.REMOVED and membership.decision_reason == "Tidak aktif"
    assert f"/usaha/{business.slug}" not in html(web.get(f"/koperasi/{cooperative.slug}"))


def test_reject_with_reason_is_shown_to_the_owner(web):
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair)
    owner = make_user("Pemilik")
    business = make_business(owner)
    membership = make_membership(cooperative, business, MembershipStatus.PENDING)
    web.login(chair)
    web.post(f"/keanggotaan/{membership.id}/tolak", {"reason": "NIB belum terverifikasi"})
    web.logout()
    web.login(owner)
    page = html(web.get("/saya"))
    assert "Ditolak" in page and "NIB belum terverifikasi" in page
    # and may apply again
    services.apply_for_membership(owner, cooperative, business)
    assert membership.status is MembershipStatus.PENDING and membership.decision_reason is None


def test_owner_can_withdraw_and_leave(web):
    owner = make_user()
    business = make_business(owner)
    cooperative = make_cooperative()
    membership = make_membership(cooperative, business, MembershipStatus.ACTIVE)
    web.login(owner)
    assert web.post(f"/keanggotaan/{membership.id}/mundur").status_code == 302
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.WITHDRAWN


def test_membership_state_machine_refuses_illegal_transitions():
    cooperative = make_cooperative()
    membership = make_membership(cooperative, make_business(), MembershipStatus.REJECTED)
    with pytest.raises(DomainError):
        services.transition(membership, MembershipStatus.ACTIVE)
    with pytest.raises(DomainError):
        services.transition(membership, MembershipStatus.REMOVED)
    active = make_membership(cooperative, make_business(), MembershipStatus.ACTIVE)
    with pytest.raises(DomainError):
        services.transition(active, MembershipStatus.REJECTED)
    with pytest.raises(DomainError):
        services.transition(active, MembershipStatus.PENDING)


def test_every_legal_membership_transition():
    for source, target in services.MEMBERSHIP_TRANSITIONS:
        membership = make_membership(make_cooperative(), make_business(), source or MembershipStatus.PENDING)
        if source is None:
            membership = Membership(cooperative=membership.cooperative, business=make_business(), status=None)
            db.session.add(membership)
        services.transition(membership, target)
        assert membership.status is target


def test_co_managers(web):
    chair = make_user("Ketua")
    cooperative = make_cooperative(chair)
    helper = make_user("Wakil", email="wakil@contoh.id")
    web.login(chair)
    response = web.post(
        f"/koperasi/{cooperative.slug}/pengurus", {"email": "tidak.ada@contoh.id"}, follow_redirects=True
    )
    assert "Tidak ada akun Gotong dengan e-mail ini" in html(response)
    web.post(f"/koperasi/{cooperative.slug}/pengurus", {"email": "wakil@contoh.id"})
    db.session.refresh(cooperative)
    co = next(m for m in cooperative.managers if m.user_id == helper.id)
    assert co.role is ManagerRole.CO_MANAGER
    web.logout()
    # a co-manager manages members but cannot name managers
    web.login(helper)
    assert web.get(f"/koperasi/{cooperative.slug}/kelola").status_code == 200
    assert web.post(f"/koperasi/{cooperative.slug}/pengurus", {"email": "wakil@contoh.id"}).status_code == 403
    web.logout()
    web.login(chair)
    chair_row = next(m for m in cooperative.managers if m.role is ManagerRole.CHAIR)
    response = web.post(f"/koperasi/{cooperative.slug}/pengurus/{chair_row.id}/hapus", follow_redirects=True)
    assert "Ketua koperasi tidak dapat dihapus" in html(response)
    web.post(f"/koperasi/{cooperative.slug}/pengurus/{co.id}/hapus")
    db.session.refresh(cooperative)
    assert [m.user_id for m in cooperative.managers] == [chair.id]


def test_suspended_cooperative_is_hidden_from_the_public(web):
    cooperative = make_cooperative()
    cooperative.suspended_at = db.func.now()
    db.session.commit()
    assert web.get(f"/koperasi/{cooperative.slug}").status_code == 404
    assert cooperative.name not in html(web.get("/koperasi"))


def test_directory_filters(web):
    make_cooperative(name="Koperasi Sapi Sangir", region=("13", "13.11"), slug="koperasi-sapi-sangir")
    make_cooperative(name="Koperasi Boneka Tambun", slug="koperasi-boneka-tambun")
    page = html(web.get("/koperasi?provinsi=13"))
    assert "Koperasi Sapi Sangir" in page and "Koperasi Boneka Tambun" not in page
    page = html(web.get("/koperasi?q=boneka"))
    assert "Koperasi Boneka Tambun" in page and "Koperasi Sapi Sangir" not in page


def test_region_api(web):
    data = web.get("/api/wilayah/13").get_json()
    assert {"code": "13.11", "name": "Kabupaten Solok Selatan"} in data["regencies"]
    response = web.get("/api/wilayah/99")
    assert response.status_code == 404 and response.get_json()["error"]


def test_a_business_bank_account_is_saved_with_its_digits(web):
    owner = make_user()
    web.login(owner)
    form = {
        **BUSINESS_FORM,
        "bank_name": "BRI",
        "bank_account_number": "0021-01-000123-30-5",
        "bank_account_holder": "Dewi Lestari",
    }
    assert web.post("/usaha/baru", form).status_code == 302
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert (business.bank_name, business.bank_account_number) == ("BRI", "002101000123305")
