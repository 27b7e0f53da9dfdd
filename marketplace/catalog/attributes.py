"""Each category's own attributes (DOMAIN.md "Products"): what is stored, how it is validated, shown and
filtered. One table drives the form, the validation, the product page and the catalog filters.

Values are stored in ``Product.attributes`` as JSON: text as str, whole numbers as int, decimals as float,
yes/no as bool. Absent optional values are left out rather than stored empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from marketplace.catalog.models import unit_label
from marketplace.errors import DomainError
from marketplace.sectors import Sector

TEXT, INT, DECIMAL, CHOICE, BOOL = "text", "int", "decimal", "choice", "bool"

# Minimum age (months) for a sacrificial animal, per the common fiqh rule used by Indonesian qurban sellers.
QURBAN_MIN_AGE_MONTHS = {"sapi": 24, "kerbau": 24, "kambing": 12, "domba": 12}


@dataclass(frozen=True)
class Attribute:
    key: str
    label: Any  # lazy string
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    max_length: int = 120
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None  # matched after normalising (upper case, no double spaces)
    pattern_message: Any = None
    placeholder: Any = None
    suffix: str = ""  # shown after a number ("kg", "bulan")
    filterable: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def choice_label(self, value: Any) -> str:
        return str(dict(self.choices).get(value, value))


class InvalidAttributes(DomainError):
    """Several attribute fields are wrong at once; ``errors`` maps attribute key → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_key, first = next(iter(errors.items()))
        super().__init__(first, field=f"attr_{first_key}")
        self.errors = errors


SPECIES = (
    ("sapi", _l("Sapi")),
    ("kerbau", _l("Kerbau")),
    ("kambing", _l("Kambing")),
    ("domba", _l("Domba")),
    ("ayam", _l("Ayam")),
    ("itik", _l("Itik / bebek")),
    ("kelinci", _l("Kelinci")),
)
SEXES = (("jantan", _l("Jantan")), ("betina", _l("Betina")))
PRICE_BASES = (("per_head", _l("Per ekor")), ("per_kg", _l("Per kg bobot hidup")))
AGE_RANGES = (
    ("0+ bulan", _l("0+ bulan")),
    ("6+ bulan", _l("6+ bulan")),
    ("1+ tahun", _l("1+ tahun")),
    ("3+ tahun", _l("3+ tahun")),
    ("6+ tahun", _l("6+ tahun")),
    ("14+ tahun", _l("14+ tahun")),
)

CATEGORY_ATTRIBUTES: dict[Sector, tuple[Attribute, ...]] = {
    Sector.DOLLS_TOYS: (
        Attribute("material", _l("Bahan"), required=True, placeholder=_l("mis. kain velboa, isi dakron")),
        Attribute("age_range", _l("Usia anak"), CHOICE, required=True, choices=AGE_RANGES, filterable=True),
        Attribute(
            "sni_number",
            _l("Nomor sertifikat SNI"),
            required=True,
            pattern=r"^[A-Z0-9][A-Z0-9 ./:\-]{4,79}$",
            pattern_message=_l("Tulis nomor sertifikat SNI (SPPT-SNI) seperti tertera di sertifikat."),
            placeholder=_l("mis. SNI ISO 8124-1:2010 / 12345"),
        ),
    ),
    Sector.FOOD_DRINK: (
        Attribute("net_content", _l("Berat / isi bersih"), required=True, placeholder=_l("mis. 250 gram")),
        Attribute("shelf_life", _l("Daya simpan"), required=True, placeholder=_l("mis. 6 bulan")),
        Attribute(
            "halal_number",
            _l("Nomor sertifikat halal"),
            pattern=r"^ID\d{10,20}$",
            pattern_message=_l(
                "Nomor sertifikat halal BPJPH diawali ID lalu angka, mis. ID32110000123450125."
            ),
            filterable=True,
        ),
        Attribute(
            "pirt_number",
            _l("Nomor P-IRT"),
            pattern=r"^\d{15,17}$",
            pattern_message=_l("Nomor P-IRT terdiri dari 15–17 angka."),
        ),
        Attribute(
            "bpom_number",
            _l("Nomor BPOM (MD/ML)"),
            pattern=r"^(MD|ML) ?\d{12}$",
            pattern_message=_l("Nomor BPOM diawali MD atau ML lalu 12 angka, mis. MD 224510001234."),
        ),
    ),
    Sector.LIVESTOCK: (
        Attribute("species", _l("Jenis ternak"), CHOICE, required=True, choices=SPECIES, filterable=True),
        Attribute(
            "breed", _l("Ras / bangsa"), required=True, placeholder=_l("mis. Simmental, Peranakan Etawa")
        ),
        Attribute("sex", _l("Kelamin"), CHOICE, required=True, choices=SEXES, filterable=True),
        Attribute("age_months", _l("Umur"), INT, required=True, minimum=0, maximum=360, suffix="bulan"),
        Attribute("live_weight_kg", _l("Bobot hidup"), DECIMAL, minimum=0.1, maximum=2000, suffix="kg"),
        Attribute("ear_tag", _l("Nomor eartag"), max_length=40),
        Attribute("skkh_number", _l("Nomor SKKH"), max_length=80),
        Attribute("price_basis", _l("Harga dihitung"), CHOICE, required=True, choices=PRICE_BASES),
        Attribute("qurban_eligible", _l("Memenuhi syarat kurban"), BOOL, filterable=True),
    ),
    Sector.CRAFTS: (
        Attribute("material", _l("Bahan"), required=True, placeholder=_l("mis. rotan sega, katun primisima")),
        Attribute("technique", _l("Teknik"), placeholder=_l("mis. batik tulis, anyaman tangan")),
        Attribute("dimensions", _l("Ukuran"), placeholder=_l("mis. 40 × 30 × 25 cm")),
    ),
    Sector.PRODUCE: (
        Attribute("origin", _l("Asal"), required=True, placeholder=_l("mis. Kintamani, Bangli")),
        Attribute("variety", _l("Varietas")),
        Attribute("grade", _l("Mutu / grade")),
        Attribute("harvest", _l("Waktu panen"), placeholder=_l("mis. November 2026")),
    ),
    Sector.SERVICES: (
        Attribute("service_area", _l("Wilayah layanan"), required=True, placeholder=_l("mis. Jabodetabek")),
        Attribute("lead_time", _l("Waktu pemesanan"), placeholder=_l("mis. pesan 3 hari sebelumnya")),
    ),
}


def attributes_for(category: Sector | str) -> tuple[Attribute, ...]:
    return CATEGORY_ATTRIBUTES.get(Sector(category), ())


def find_attribute(category: Sector | str, key: str) -> Attribute | None:
    return next((a for a in attributes_for(category) if a.key == key), None)


def _clean_text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _parse(attr: Attribute, raw: Any) -> Any:
    """One value from a form or CSV string (or an already typed value); raises ValueError with a message."""
    if attr.kind == BOOL:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "y", "ya", "yes", "true", "on"}
    text = _clean_text(str(raw))
    if attr.kind == TEXT:
        if len(text) > attr.max_length:
            raise ValueError(_("Paling banyak %(n)d karakter.", n=attr.max_length))
        if attr.pattern:
            text = text.upper()
            if attr.key == "pirt_number":  # printed as "P-IRT No. 2063201010123-29": keep the digits
                text = re.sub(r"^P-?IRT( NO\.?)?", "", text).replace("-", "").replace(" ", "")
            if not re.fullmatch(attr.pattern, text):
                raise ValueError(str(attr.pattern_message))
        return text
    if attr.kind == CHOICE:
        value = text.lower() if attr.key != "age_range" else text
        if value not in dict(attr.choices):
            raise ValueError(_("Pilih salah satu pilihan yang tersedia."))
        return value
    number_text = text.replace(" ", "")
    if attr.kind == INT:
        if not re.fullmatch(r"\d+", number_text):
            raise ValueError(_("Isi dengan bilangan bulat, mis. 18."))
        number: float = int(number_text)
    else:
        # Indonesian numbers: dots group thousands ("1.200"), a comma is the decimal mark ("350,5").
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", number_text):
            number_text = number_text.replace(".", "")
        if not re.fullmatch(r"\d+([.,]\d+)?", number_text):
            raise ValueError(_("Isi dengan angka, mis. 350 atau 350,5."))
        number = float(number_text.replace(",", "."))
        if number.is_integer():
            number = int(number)
    if attr.minimum is not None and number < attr.minimum:
        raise ValueError(_("Paling kecil %(n)s.", n=_number_text(attr.minimum)))
    if attr.maximum is not None and number > attr.maximum:
        raise ValueError(_("Paling besar %(n)s.", n=_number_text(attr.maximum)))
    return number


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def validate_attributes(category: Sector | str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed, cleaned attributes for ``category`` from raw input; raises InvalidAttributes listing every
    wrong field. Keys not belonging to the category are dropped."""
    category = Sector(category)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for attr in attributes_for(category):
        raw_value = raw.get(attr.key)
        empty = raw_value is None or (not isinstance(raw_value, bool) and _clean_text(str(raw_value)) == "")
        if attr.kind == BOOL:
            values[attr.key] = False if empty else _parse(attr, raw_value)
            continue
        if empty:
            if attr.required:
                errors[attr.key] = _("%(label)s wajib diisi.", label=attr.label)
            continue
        try:
            values[attr.key] = _parse(attr, raw_value)
        except ValueError as exc:
            errors[attr.key] = str(exc)
    for key, message in _cross_checks(category, values, errors).items():
        errors.setdefault(key, message)
    if errors:
        raise InvalidAttributes(errors)
    return values


def _cross_checks(category: Sector, values: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if category is Sector.FOOD_DRINK:
        if (
            not values.get("pirt_number")
            and not values.get("bpom_number")
            and not ({"pirt_number", "bpom_number"} & errors.keys())
        ):
            found["pirt_number"] = _(
                "Isi nomor P-IRT atau nomor BPOM (salah satu wajib untuk pangan olahan)."
            )
    if category is Sector.LIVESTOCK:
        if values.get("price_basis") == "per_kg" and not values.get("live_weight_kg"):
            found["live_weight_kg"] = _("Harga per kg butuh bobot hidup untuk menghitung harga per ekor.")
        if values.get("qurban_eligible"):
            minimum = QURBAN_MIN_AGE_MONTHS.get(values.get("species", ""))
            if minimum is None:
                found["qurban_eligible"] = _("Hanya sapi, kerbau, kambing dan domba yang bisa untuk kurban.")
            elif values.get("age_months", 0) < minimum:
                found["qurban_eligible"] = _("Hewan kurban harus berumur minimal %(n)d bulan.", n=minimum)
    return found


def display_value(attr: Attribute, value: Any) -> str:
    """A stored value as shown to people ("Jantan", "350 kg", "Ya")."""
    if attr.kind == BOOL:
        return _("Ya") if value else _("Tidak")
    if attr.kind == CHOICE:
        return attr.choice_label(value)
    if attr.kind in (INT, DECIMAL):
        number = _number_text(value)
        if attr.suffix == "bulan":
            return ngettext("%(num)d bulan", "%(num)d bulan", int(value))
        return f"{number} {attr.suffix}".strip()
    return str(value)


def displayed_attributes(category: Sector | str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) for the product page, in the category's order, skipping absent ones."""
    shown = []
    for attr in attributes_for(category):
        if attr.key in values and values[attr.key] not in (None, ""):
            shown.append((str(attr.label), display_value(attr, values[attr.key])))
    return shown


def searchable_words(category: Sector | str, values: Mapping[str, Any]) -> str:
    """Words from the attributes worth finding a product by (species, breed, material, origin, ...)."""
    words = []
    for attr in attributes_for(category):
        value = values.get(attr.key)
        if value in (None, "", False) or attr.kind in (INT, DECIMAL) or attr.pattern:
            continue
        if attr.kind == BOOL:
            words.append(str(attr.label))
        else:
            words.append(str(value))
    return " ".join(words)


def price_per_head(category: Sector | str, values: Mapping[str, Any], price_idr: int) -> int | None:
    """For livestock priced per kg live weight: the price of the whole animal, rounded half-up to the rupiah
    (DOMAIN.md "Money"); the weight is taken as written (350,5 kg), never through a binary float product."""
    if Sector(category) is not Sector.LIVESTOCK or values.get("price_basis") != "per_kg":
        return None
    weight = values.get("live_weight_kg")
    if not weight:
        return None
    exact = Decimal(price_idr) * Decimal(str(weight))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price_suffix(category: Sector | str, values: Mapping[str, Any], unit: str) -> str:
    if Sector(category) is Sector.LIVESTOCK and values.get("price_basis") == "per_kg":
        return _("per kg bobot hidup")
    return _("per %(unit)s", unit=unit_label(unit))
