import pytest

from marketplace import regions
from marketplace.errors import DomainError
from marketplace.phones import normalise_phone, whatsapp_link


def test_regions_come_from_the_packaged_dataset():
    provinces = dict(regions.provinces())
    assert len(provinces) == 38
    assert provinces["32"] == "Jawa Barat"
    assert dict(regions.regencies("13"))["13.11"] == "Kabupaten Solok Selatan"
    assert regions.label("32.16") == "Kabupaten Bekasi, Jawa Barat"
    assert regions.is_regency_of("32.16", "32")
    assert not regions.is_regency_of("32.16", "13")
    assert regions.regencies("99") == ()


def test_officer_scope_covers_its_own_regions_only():
    assert regions.covers("32", "32.16")
    assert regions.covers("32.16", "32.16")
    assert not regions.covers("32.16", "32.17")
    assert not regions.covers("3", "32.16")
    assert not regions.covers("13", "32.16")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
    ],
)
def test_phone_numbers_are_stored_as_e164(raw, e164):
    assert normalise_phone(raw) == e164


def test_whatsapp_needs_a_mobile_number():
    assert normalise_phone("021 2345678") == "+62212345678"
    with pytest.raises(DomainError) as error:
        normalise_phone("021 2345678", mobile_only=True, field="whatsapp")
    assert error.value.field == "whatsapp"


@pytest.mark.parametrize("raw", ["", "12", "08123", "halo", "+1 202 555 0100"])
def test_malformed_phone_numbers_are_refused(raw):
    with pytest.raises(DomainError):
        normalise_phone(raw)


def test_whatsapp_link():
    assert whatsapp_link("+6281234567890", "Halo kak") == "https://wa.me/6281234567890?text=Halo%20kak"
