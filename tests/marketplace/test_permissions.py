"""The permissions matrix: every protected route, every kind of user, the right answer.

Anonymous users are sent to log in; signed-in users without the relationship get 403; the user with the
relationship (owner, manager, officer of the region, admin) gets through.
"""

from dataclasses import dataclass

import pytest

from marketplace.cooperatives.models import MembershipStatus
from tests.factories import (
    SOLOK_SELATAN,
    make_business,
    make_cooperative,
    make_membership,
    make_officer,
    make_user,
)

ACTORS = [
    "anonymous",
    "buyer",
    "other_owner",
    "other_manager",
    "other_officer",
    "owner",
    "manager",
    "officer",
    "admin",
]


@dataclass
class World:
    users: dict
    business: object
    cooperative: object
    pending: object
    active: object


@pytest.fixture
def world():
    owner = make_user("Pemilik Usaha")
    manager = make_user("Ketua Koperasi")
    cooperative = make_cooperative(manager)
    business = make_business(owner)
    applicant = make_business(make_user("Pelamar"))
    other_manager = make_user("Ketua Lain")
    make_cooperative(other_manager, region=SOLOK_SELATAN)
    other_owner = make_user("Pemilik Lain")
    make_business(other_owner, region=SOLOK_SELATAN)
    users = {
        "anonymous": None,
        "buyer": make_user("Pembeli"),
        "other_owner": other_owner,
        "other_manager": other_manager,
        "other_officer": make_officer("13.11", "Petugas Solok Selatan"),
        "owner": owner,
        "manager": manager,
        "officer": make_officer("32.16", "Petugas Bekasi"),
        "admin": make_user("Admin", is_admin=True),
    }
    return World(
        users=users,
        business=business,
        cooperative=cooperative,
        pending=make_membership(cooperative, applicant, MembershipStatus.PENDING),
        active=make_membership(cooperative, business, MembershipStatus.ACTIVE),
    )


# (method, url builder, actors allowed)
ROUTES = {
    "my space": ("GET", lambda w: "/saya", set(ACTORS) - {"anonymous"}),
    "profile": ("GET", lambda w: "/akun/profil", set(ACTORS) - {"anonymous"}),
    "new business": ("GET", lambda w: "/usaha/baru", set(ACTORS) - {"anonymous"}),
    "new cooperative": ("GET", lambda w: "/koperasi/baru", set(ACTORS) - {"anonymous"}),
    "edit business": ("GET", lambda w: f"/usaha/{w.business.slug}/ubah", {"owner", "admin"}),
    "edit cooperative": ("GET", lambda w: f"/koperasi/{w.cooperative.slug}/ubah", {"manager", "admin"}),
    "manage members": ("GET", lambda w: f"/koperasi/{w.cooperative.slug}/kelola", {"manager", "admin"}),
    "approve member": ("POST", lambda w: f"/keanggotaan/{w.pending.id}/setujui", {"manager", "admin"}),
    "reject member": ("POST", lambda w: f"/keanggotaan/{w.pending.id}/tolak", {"manager", "admin"}),
    "remove member": ("POST", lambda w: f"/keanggotaan/{w.active.id}/keluarkan", {"manager", "admin"}),
    "leave cooperative": ("POST", lambda w: f"/keanggotaan/{w.active.id}/mundur", {"owner"}),
    "add co-manager": ("POST", lambda w: f"/koperasi/{w.cooperative.slug}/pengurus", {"manager", "admin"}),
    "admin home": ("GET", lambda w: "/admin/", {"admin"}),
    "admin users": ("GET", lambda w: "/admin/pengguna", {"admin"}),
    "admin cooperatives": ("GET", lambda w: "/admin/koperasi", {"admin"}),
    "admin businesses": ("GET", lambda w: "/admin/usaha", {"admin"}),
    "admin officers": ("GET", lambda w: "/admin/petugas", {"admin"}),
    "suspend user": ("POST", lambda w: f"/admin/user/{w.users['owner'].id}/tangguhkan", {"admin"}),
    "suspend cooperative": ("POST", lambda w: f"/admin/cooperative/{w.cooperative.id}/tangguhkan", {"admin"}),
    "suspend business": ("POST", lambda w: f"/admin/business/{w.business.id}/tangguhkan", {"admin"}),
    "officer regions": ("GET", lambda w: "/wilayah/", {"officer", "other_officer", "admin"}),
    "region Bekasi": ("GET", lambda w: "/wilayah/32.16", {"officer", "admin"}),
    "province Jawa Barat": ("GET", lambda w: "/wilayah/32", {"admin"}),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_permission_matrix(web, world, route, actor):
    method, url_for_world, allowed = ROUTES[route]
    user = world.users[actor]
    if user is not None:
        web.login(user)
    url = url_for_world(world)
    data = {"email": "pembeli@contoh.id", "reason": "uji"} if method == "POST" else None
    response = web.get(url) if method == "GET" else web.post(url, data)
    if actor == "anonymous":
        assert response.status_code == 302
        assert "/akun/masuk" in response.headers["Location"]
    elif actor in allowed:
        expected = 200 if method == "GET" else 302
        assert response.status_code == expected, f"{actor} should reach {route}"
        if method == "POST":
            assert "/akun/masuk" not in response.headers["Location"]
    else:
        assert response.status_code == 403, f"{actor} must be refused {route}"


def test_post_without_csrf_token_is_refused(web, world):
    web.login(world.users["manager"])
    response = web.post(f"/keanggotaan/{world.pending.id}/setujui", csrf=False)
    assert response.status_code == 400
    assert world.pending.status is MembershipStatus.PENDING


def test_officer_of_a_province_sees_its_regencies(web):
    officer = make_officer("32")
    make_cooperative(name="Koperasi Boneka Tambun", slug="koperasi-boneka-tambun")
    web.login(officer)
    assert "Koperasi Boneka Tambun" in web.get("/wilayah/32.16").get_data(as_text=True)
    assert web.get("/wilayah/32").status_code == 200
    assert web.get("/wilayah/13.11").status_code == 403
    assert web.get("/wilayah/99.99").status_code == 404


def test_applying_with_someone_elses_business_is_refused(web, world):
    web.login(world.users["other_owner"])
    response = web.post(f"/koperasi/{world.cooperative.slug}/daftar", {"business_id": world.business.id})
    # the form only offers the user's own businesses; a forged id is not a valid choice
    assert response.status_code == 302
    assert len(world.cooperative.memberships) == 2
