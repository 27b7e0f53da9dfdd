"""Category attributes (DOMAIN.md "Products"): each category's own fields, with a message per wrong field."""

import pytest

from marketplace.catalog.attributes import (
    InvalidAttributes,
    displayed_attributes,
    price_per_head,
    validate_attributes,
)
from marketplace.sectors import Sector

GOAT = {
    "species": "kambing",
    "breed": "Peranakan Etawa",
    "sex": "jantan",
    "age_months": "14",
    "price_basis": "per_head",
}
SNACK = {"net_content": "250 gram", "shelf_life": "6 bulan"}
DOLL = {"material": "kain velboa", "age_range": "3+ tahun", "sni_number": "SNI ISO 8124-1:2010 / 12345"}


def errors_of(category, raw):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidAttributes) as caught:
        validate_attributes(category, raw)
    return caught.value.errors


def test_livestock_values_are_typed_and_cleaned():
    values = validate_attributes(
        Sector.LIVESTOCK,
        {**GOAT, "species": " Kambing ", "live_weight_kg": "35,5", "qurban_eligible": "y", "junk": "x"},
    )
    assert values == {
        "species": "kambing",
        "breed": "Peranakan Etawa",
        "sex": "jantan",
        "age_months": 14,
        "live_weight_kg": 35.5,
        "price_basis": "per_head",
        "qurban_eligible": True,
    }


def test_livestock_priced_per_kg_needs_the_live_weight():
    errors = errors_of(Sector.LIVESTOCK, {**GOAT, "price_basis": "per_kg"})
    assert errors == {"live_weight_kg": "Harga per kg butuh bobot hidup untuk menghitung harga per ekor."}
    values = validate_attributes(Sector.LIVESTOCK, {**GOAT, "price_basis": "per_kg", "live_weight_kg": "32"})
    assert price_per_head(Sector.LIVESTOCK, values, 95_000) == 3_040_000


@pytest.mark.parametrize(
    ("species", "age", "message"),
    [
        ("kambing", "11", "Hewan kurban harus berumur minimal 12 bulan."),
        ("sapi", "20", "Hewan kurban harus berumur minimal 24 bulan."),
        ("ayam", "12", "Hanya sapi, kerbau, kambing dan domba yang bisa untuk kurban."),
    ],
)
def test_qurban_age_and_species_rule(species, age, message):
    raw = {**GOAT, "species": species, "age_months": age, "qurban_eligible": "on"}
    assert errors_of(Sector.LIVESTOCK, raw) == {"qurban_eligible": message}


@pytest.mark.parametrize(("species", "age"), [("kambing", "12"), ("domba", "13"), ("sapi", "24")])
def test_qurban_accepts_animals_old_enough(species, age):
    values = validate_attributes(
        Sector.LIVESTOCK, {**GOAT, "species": species, "age_months": age, "qurban_eligible": True}
    )
    assert values["qurban_eligible"] is True


def test_food_needs_a_pirt_or_a_bpom_number():
    assert errors_of(Sector.FOOD_DRINK, SNACK) == {
        "pirt_number": "Isi nomor P-IRT atau nomor BPOM (salah satu wajib untuk pangan olahan)."
    }
    with_pirt = validate_attributes(Sector.FOOD_DRINK, {**SNACK, "pirt_number": "P-IRT No. 2063201010123-29"})
    assert with_pirt["pirt_number"] == "206320101012329"
    with_bpom = validate_attributes(Sector.FOOD_DRINK, {**SNACK, "bpom_number": "md 224510001234"})
    assert with_bpom["bpom_number"] == "MD 224510001234"


@pytest.mark.parametrize(
    ("raw", "key", "message"),
    [
        ({"pirt_number": "12345"}, "pirt_number", "Nomor P-IRT terdiri dari 15–17 angka."),
        ({"bpom_number": "MK 224510001234"}, "bpom_number", "Nomor BPOM diawali MD atau ML lalu 12 angka"),
        (
            {"pirt_number": "206320101012329", "halal_number": "HALAL-123"},
            "halal_number",
            "Nomor sertifikat halal BPJPH diawali ID lalu angka",
        ),
    ],
)
def test_food_certificate_formats(raw, key, message):
    errors = errors_of(Sector.FOOD_DRINK, {**SNACK, **raw})
    assert message in errors[key]


def test_halal_number_is_normalised_to_upper_case():
    values = validate_attributes(
        Sector.FOOD_DRINK, {**SNACK, "pirt_number": "206320101012329", "halal_number": "id32110000123450125"}
    )
    assert values["halal_number"] == "ID32110000123450125"


def test_every_wrong_field_is_reported_at_once():
    errors = errors_of(Sector.LIVESTOCK, {"species": "unta", "age_months": "dua", "sex": ""})
    assert errors["species"] == "Pilih salah satu pilihan yang tersedia."
    assert errors["age_months"] == "Isi dengan bilangan bulat, mis. 18."
    assert errors["sex"] == "Kelamin wajib diisi."
    assert errors["breed"] == "Ras / bangsa wajib diisi."
    assert errors["price_basis"] == "Harga dihitung wajib diisi."


def test_number_limits_and_text_length():
    errors = errors_of(
        Sector.LIVESTOCK, {**GOAT, "age_months": "400", "live_weight_kg": "0", "ear_tag": "x" * 41}
    )
    assert errors == {
        "age_months": "Paling besar 360.",
        "live_weight_kg": "Paling kecil 0,1.",
        "ear_tag": "Paling banyak 40 karakter.",
    }


def test_toys_need_an_sni_certificate():
    assert errors_of(Sector.DOLLS_TOYS, {**DOLL, "sni_number": ""}) == {
        "sni_number": "Nomor sertifikat SNI wajib diisi."
    }
    assert "SNI" in errors_of(Sector.DOLLS_TOYS, {**DOLL, "sni_number": "??"})["sni_number"]
    assert validate_attributes(Sector.DOLLS_TOYS, DOLL)["age_range"] == "3+ tahun"


def test_optional_values_left_empty_are_not_stored():
    values = validate_attributes(Sector.CRAFTS, {"material": "rotan", "technique": "  ", "dimensions": ""})
    assert values == {"material": "rotan"}


def test_displayed_attributes_follow_the_category_order():
    values = validate_attributes(Sector.LIVESTOCK, {**GOAT, "live_weight_kg": "35", "qurban_eligible": True})
    shown = dict(displayed_attributes(Sector.LIVESTOCK, values))
    assert shown["Jenis ternak"] == "Kambing"
    assert shown["Umur"] == "14 bulan"
    assert shown["Bobot hidup"] == "35 kg"
    assert shown["Memenuhi syarat kurban"] == "Ya"


def test_price_per_head_is_exact_and_rounds_half_up():
    from marketplace.catalog.attributes import price_per_head

    per_kg = {"price_basis": "per_kg"}
    assert price_per_head("ternak", {**per_kg, "live_weight_kg": 450}, 62_000) == 27_900_000
    assert price_per_head("ternak", {**per_kg, "live_weight_kg": 450.5}, 62_001) == 27_931_451  # .5 up
    assert price_per_head("ternak", {**per_kg, "live_weight_kg": 2.5}, 85_001) == 212_503  # 212.502,5
    assert price_per_head("ternak", {"price_basis": "per_head", "live_weight_kg": 450}, 62_000) is None
    assert price_per_head("boneka_mainan", {**per_kg, "live_weight_kg": 2}, 1000) is None
