"""Benchmark data generator: a fresh Gotong database full of cooperatives, MSMEs and products.

Run from the repository root (the virtualenv with the app installed on PATH)::

    python bench/generate.py --database-url sqlite:////tmp/gotong_bench.db
    python bench/generate.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/gotong_bench \\
        [--products 100000] [--businesses 500] [--cooperatives 50] [--seed 2026]

The target is wiped first (SQLite: the file and its -wal/-shm are deleted; PostgreSQL: schema ``public`` is
dropped and recreated) and rebuilt with the app's real migrations (``flask_migrate.upgrade``). Only databases
whose name (PostgreSQL) or file stem (SQLite) starts with ``gotong_bench`` are touched, unless ``--force``.

Rows are written with SQLAlchemy Core executemany in batches, not one ORM object per row. On SQLite the FTS5
triggers index each row as it is inserted, as in production; ``--rebuild-fts`` instead drops them for the
load, rebuilds both FTS indexes once and recreates the triggers from the migration's own DDL (faster).

The vocabulary (item kinds, variants, breeds, permit numbers, description sentences, people's names) comes
from ``marketplace.demo``; only what the demo lacks for volume (title modifiers, rare "series" names, a few
generic items, name and address parts) is defined here. Everything is derived from ``--seed``; timestamps
are relative to ``--now`` (default: today 00:00 UTC), so the same seed and --now give the same database.

At the end it prints row counts, timings and the database size, and writes ``bench/fixtures.json`` with values
for the load script: a public product (id, slug, URL), a cooperative slug, a common search word, a rare search
phrase, a province with many livestock products, and logins (every generated user shares BENCH_PASSWORD).
"""

from __future__ import annotations

import argparse
import bisect
import importlib.util
import itertools
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from lokal import wilayah
from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import generate_password_hash

from marketplace import create_app, regions
from marketplace.accounts.models import User
from marketplace.catalog.attributes import AGE_RANGES, QURBAN_MIN_AGE_MONTHS, validate_attributes
from marketplace.catalog.indexing import search_text_of
from marketplace.catalog.models import UNITS, Product, ProductStatus
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
from marketplace.database import write_unit
from marketplace.demo import (
    _BREEDS,
    _ITEMS,
    _OWNERS,
    _PHONE_PREFIXES,
    _POULTRY,
    _Breed,
    _Builder,
    _Item,
    _round_price,
    _v,
    _x,
)
from marketplace.extensions import db
from marketplace.phones import normalise_phone
from marketplace.sectors import Sector
from marketplace.text import slugify

ROOT = Path(__file__).resolve().parent.parent
MIGRATION_0002 = ROOT / "migrations" / "versions" / "0002_catalog.py"
DEFAULT_FIXTURES = Path(__file__).resolve().parent / "fixtures.json"
BENCH_PASSWORD = "gotong-bench-2026"  # every generated user logs in with it
EMAIL_DOMAIN = "bench.gotong.id"
FTS_TRIGGERS = ("products_fts_insert", "products_fts_delete", "products_fts_update")

TOYS, FOOD, LIVE, CRAFT, PROD, SERV = (
    Sector.DOLLS_TOYS,
    Sector.FOOD_DRINK,
    Sector.LIVESTOCK,
    Sector.CRAFTS,
    Sector.PRODUCE,
    Sector.SERVICES,
)

# --- vocabulary the demo does not have ------------------------------------------------------------------


def words(listing: str) -> tuple[str, ...]:
    """ "a, b c, d" → ("a", "b c", "d"): long word lists stay readable."""
    return tuple(w.strip() for w in listing.split(","))


# Share of all products per category (the catalog of the real cases: dolls, food and cattle lead).
CATEGORY_SHARE = {TOYS: 0.20, FOOD: 0.27, LIVE: 0.15, CRAFT: 0.16, PROD: 0.14, SERV: 0.08}

# Where the 50 cooperatives sit: weighted toward the real cases, then one each elsewhere. Cycled (after a
# seeded shuffle of the tail) when --cooperatives is not 50.
COOP_REGENCIES = (
    *("32.16",) * 7,  # Kabupaten Bekasi: doll makers, Cikarang marketing
    *("32.75",) * 3,  # Kota Bekasi
    *("13.11",) * 5,  # Solok Selatan: cattle
    *("51.04", "51.04", "51.06", "51.06", "51.71", "51.03", "51.08"),  # Bali: Gianyar, Kintamani, ...
    *("62.06", "62.06", "62.71", "62.03", "62.10"),  # Kalimantan Tengah: Katingan, Palangkaraya, ...
    *words(
        "32.15, 32.73, 32.01, 13.71, 13.04, 13.06, 33.74, 33.20, 33.10, 34.71, 35.07, 35.09, 35.78, "
        "73.71, 73.18, 12.07, 52.03, 53.71, 61.71, 31.75, 36.03, 64.72"
    ),
)

# Weights of a cooperative's main sector, by province.
PROVINCE_SECTORS: dict[str, dict[Sector, float]] = {
    "32": {TOYS: 6, FOOD: 3, CRAFT: 2, SERV: 2, PROD: 1, LIVE: 1},
    "13": {LIVE: 6, PROD: 3, FOOD: 1.5, SERV: 1},
    "51": {FOOD: 4, PROD: 3, CRAFT: 2, LIVE: 1, SERV: 1},
    "62": {CRAFT: 4, PROD: 3, FOOD: 2, LIVE: 1},
}
DEFAULT_SECTORS: dict[Sector, float] = {FOOD: 3, CRAFT: 2, PROD: 2, LIVE: 2, TOYS: 1, SERV: 1}

COOP_TYPES = (
    (CooperativeType.PRODUCER, 0.66),
    (CooperativeType.MARKETING, 0.14),
    (CooperativeType.SAVINGS_LOAN, 0.10),
    (CooperativeType.CONSUMER, 0.04),
    (CooperativeType.SERVICES, 0.06),
)
COOP_THEMES: dict[Sector, tuple[str, ...]] = {
    TOYS: ("Produsen Boneka", "Perajin Boneka", "Produsen Mainan Anak"),
    FOOD: ("Produsen Pangan", "Pangan Olahan", "Produsen Makanan Ringan"),
    LIVE: ("Peternak Sapi", "Peternak", "Ternak Kambing"),
    CRAFT: ("Perajin", "Produsen Kerajinan", "Perajin Anyaman"),
    PROD: ("Tani", "Petani Kopi", "Tani Hortikultura"),
    SERV: ("Jasa", "Jasa Angkutan"),
}
COOP_WORDS = words(
    "Sejahtera, Mandiri, Jaya, Makmur, Bersatu, Lestari, Maju Bersama, Sentosa, Berkah, Harapan Baru, "
    "Mitra Usaha, Karya Bersama, Gotong Royong, Sinar Harapan, Tunas Mekar"
)
BRAND_WORDS = words(
    "Ceria, Mandiri, Berkah, Sentosa, Lestari, Jaya, Makmur, Barokah, Sumber Rejeki, Cahaya, Mulya, "
    "Abadi, Indah, Sari, Harapan, Bintang, Mekar, Sinar, Amanah, Maju, Setia, Karya, Tunas, Pelangi, "
    "Mutiara, Permata, Gemilang, Utama"
)
BUSINESS_PATTERNS: dict[Sector, tuple[str, ...]] = {
    TOYS: words(
        "Boneka {brand} {place}, Rumah Boneka {place}, Dunia Boneka {nick}, Mainan Kayu {brand}, "
        "Boneka Karakter {place}"
    ),
    FOOD: words(
        "Keripik {hon} {nick}, Dapur {hon} {nick}, Camilan {brand} {place}, Kue {hon} {nick}, "
        "Olahan {brand} {place}"
    ),
    LIVE: words(
        "Ternak Sapi {nick}, Peternakan {brand} {place}, Kandang {brand} {place}, "
        "Kambing {brand} {place}, Kelompok Ternak {place}"
    ),
    CRAFT: ("Anyaman {brand} {place}", "Sanggar {brand} {place}", "Kriya {nick}", "Rotan {brand} {place}"),
    PROD: ("Kebun {brand} {place}", "Tani {brand} {place}", "Kelompok Tani {brand}", "Hasil Bumi {nick}"),
    SERV: ("Jasa {brand} {place}", "Angkutan {brand} {place}", "Karya {nick}", "Layanan {brand} {place}"),
}
BUSINESS_DESCRIPTIONS: dict[Sector, str] = {
    TOYS: "Usaha boneka dan mainan anak di {place} sejak {year} dengan {n} penjahit rumahan.",
    FOOD: "Produsen makanan dan minuman rumahan di {place} sejak {year}, dikerjakan {n} orang.",
    LIVE: "Peternakan rakyat di {place} sejak {year} dengan {n} ekor ternak di kandang sendiri.",
    CRAFT: "Perajin di {place} sejak {year}; {n} perajin mengerjakan setiap produk dengan tangan.",
    PROD: "Kelompok tani di {place} sejak {year} dengan {n} petani anggota.",
    SERV: "Usaha jasa di {place} sejak {year} dengan {n} tenaga kerja.",
}
HONORIFICS = {"51": ("Mbok", "Bli"), "13": ("Uni", "Uda"), "31": ("Mpok", "Bang"), "32": ("Bu", "Pak")}
BALI_ORDER_M = ("I Wayan", "I Made", "I Nyoman", "I Ketut", "I Gede", "I Putu", "I Komang", "I Kadek")
BALI_ORDER_F = ("Ni Luh", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Putu", "Ni Komang", "Ni Kadek", "Ni Wayan")
EXTRA_GIVEN = words(
    "Budi, Asep, Dadang, Joko, Slamet, Yusuf, Irfan, Arif, Teguh, Andi, Rizky, Dimas, Herman, Taufik, "
    "Gunawan, Yohanes, Sri, Ratna, Fitri, Neneng, Euis, Lilis, Endang, Tuti, Yuni, Wulan, Intan, "
    "Sumiati, Nining, Lina"
)
EXTRA_FAMILY = words(
    "Santoso, Wahyuni, Setiawan, Purnomo, Handayani, Siregar, Nasution, Lubis, Harahap, Pratama, "
    "Maharani, Syahputra, Permana, Nugroho, Saputra, Daeng Ngalle, Pakpahan, Manurung"
)
BALI_GIVEN = words("Sudiarta, Mertayasa, Suastika, Juliantari, Adnyana, Pradnyani, Sumerta, Widiastuti")
BALI_NAMES = (*(n.split()[-1] for _l, n in _OWNERS if n.startswith(("I ", "Ni "))), *BALI_GIVEN)
STREETS = ("Merdeka", "Pahlawan", "Sudirman", "Diponegoro", "Ahmad Yani", "Veteran", "Pasar Baru", "Kartini")

# Words added to titles (first ones most often); "{place}" is the seller's regency without "Kabupaten".
TITLE_SUFFIXES: dict[Sector, tuple[str, ...]] = {
    TOYS: words(
        "Kado Ulang Tahun, Lembut, SNI, Hadiah Anak, Bisa Dicuci, Grosir, Premium, Murah, Bordir Nama, "
        "Kado Wisuda, Hadiah Valentine, Khas {place}, Handmade"
    ),
    FOOD: words(
        "Oleh-oleh Khas {place}, Halal, Tanpa Pengawet, Renyah, Homemade, Grosir, Premium, "
        "Kemasan Ekonomis, Hampers, Khas {place}, Resep Keluarga"
    ),
    CRAFT: words(
        "Handmade, Khas {place}, Motif Etnik, Suvenir, Dekorasi Rumah, Ramah Lingkungan, Grosir, Kado, "
        "Premium, Buatan Perajin {place}"
    ),
    PROD: words(
        "Segar, Langsung dari Petani, Panen Baru, Grosir, Organik, Kualitas Ekspor, Khas {place}, "
        "Sortir Manual"
    ),
    SERV: ("Area {place}", "Profesional", "Bergaransi", "Harga Terjangkau", "Cepat", "Berpengalaman"),
    LIVE: ("Sehat", "Bersertifikat SKKH", "Sudah Vaksin", "Gemuk", "Jinak", "Siap Kirim", "Asal {place}"),
}
SUFFIX_SHARE = 0.4


@dataclass(frozen=True)
class Pack:
    """Several pieces sold as one listing: the title part, how many, and the unit the price is for."""

    label: str
    count: int
    unit: str


PACKS: dict[Sector, tuple[Pack, ...]] = {
    TOYS: (Pack("Isi 2", 2, "paket"), Pack("Set Isi 3", 3, "paket"), Pack("1 Lusin", 12, "lusin")),
    FOOD: (Pack("Isi 2", 2, "paket"), Pack("Paket Isi 5", 5, "paket"), Pack("1 Dus Isi 12", 12, "paket")),
    CRAFT: (Pack("Sepasang", 2, "paket"), Pack("Set Isi 3", 3, "paket")),
}
PACK_SHARE = 0.08


@dataclass(frozen=True)
class Dressing:
    """A finished title and the extras in it, which change price, unit and description."""

    title: str
    suffixes: tuple[str, ...] = ()
    series: str | None = None
    pack: Pack | None = None


# Product lines ("Seri ...") of some sellers: a Zipf tail of rare words, for searches with few results.
SERIES = words(
    "Cendrawasih Merah, Kakatua Jambul Kuning, Elang Jawa, Merak Hijau, Rangkong Gading, Maleo Senkawor, "
    "Nuri Kepala Hitam, Kasuari Gelambir, Anggrek Bulan, Melati Putih, Rafflesia Arnoldii, "
    "Kantong Semar, Edelweis Bromo, Cempaka Kuning, Kenanga Wangi, Sedap Malam, Wijaya Kusuma, "
    "Teratai Biru, Komodo Rinca, Anoa Dataran Rendah, Tarsius Tangkoko, Babirusa Togean, Pesut Mahakam, "
    "Badak Bercula Satu, Owa Jawa, Orangutan Tapanuli, Bekantan Hidung Panjang, Lutung Kelabu, "
    "Penyu Belimbing, Kupu-kupu Raja Helena, Jalak Putih, Gelatik Jawa, Cucak Rawa, Kepodang Kuning, "
    "Kuau Raja, Celepuk Rinjani, Trulek Jawa, Kenari Emas, Beo Nias, Pelatuk Bawang, Rusa Timor, "
    "Kuskus Beruang, Trenggiling Jawa, Landak Raya, Banteng Jawa, Tapir Asia, Kukang Jawa, Binturong Hitam, "
    "Dugong Dugon, Hiu Paus, Pari Manta, Ikan Napoleon, Bunga Padma, Cendana Wangi"
)
SERIES_SHARE = 0.12

# A few items for sellers outside the demo's regions. "{area}" and "{origin}" are filled per seller.
EXTRA_ITEMS: dict[str, _Item] = {
    "batik_tulis": _Item(
        CRAFT,
        "Kain Batik Tulis {X} {V}",
        _v(("2 Meter", 350000, "2 × 1,15 meter"), ("2,5 Meter", 425000, "2,5 × 1,15 meter")),
        "Kain batik tulis {x} berukuran {a} yang dicanting tangan di atas katun primisima. Setiap lembar "
        "dikerjakan dua sampai empat minggu, sehingga motifnya sedikit berbeda satu sama lain.",
        attrs={"material": "Katun primisima", "technique": "Batik tulis"},
        extras=_x(
            ("Motif Parang", 0, "motif parang"),
            ("Motif Kawung", 0, "motif kawung"),
            ("Motif Truntum", 0, "motif truntum"),
            ("Motif Mega Mendung", 25000, "motif mega mendung"),
            ("Motif Sidomukti", 25000, "motif sidomukti"),
        ),
        variant_attr="dimensions",
        stock=(2, 25),
    ),
    "tenun": _Item(
        CRAFT,
        "Kain Tenun Ikat {X} {V}",
        _v(("Selendang", 250000, "200 × 50 cm"), ("Sarung", 750000, "180 × 120 cm")),
        "Kain tenun ikat {x} berukuran {a}, ditenun dengan alat tenun bukan mesin dari benang yang diikat "
        "dan dicelup satu per satu. Warnanya dari akar mengkudu dan daun tarum.",
        attrs={"material": "Benang katun", "technique": "Tenun ikat ATBM"},
        extras=_x(("Motif Kuda", 0, "motif kuda"), ("Motif Manusia", 0, "motif manusia"), "Motif Bunga"),
        variant_attr="dimensions",
        stock=(1, 15),
    ),
    "rendang": _Item(
        FOOD,
        "Rendang Daging Sapi {V}",
        _v(("250 gram", 95000), ("500 gram", 180000)),
        "Rendang daging sapi khas Minang yang dimasak perlahan hingga kering dengan santan dan rempah, tahan "
        "lama tanpa pengawet. Kemasan vakum {v}.",
        attrs={"shelf_life": "3 bulan (kemasan vakum)"},
        variant_attr="net_content",
        stock=(10, 80),
    ),
    "beras": _Item(
        PROD,
        "Beras {V} per kg",
        _v(("Pandan Wangi", 15500), ("IR 64 Medium", 12500), ("Rojolele", 14500), ("Merah Organik", 22000)),
        "Beras {v} dari sawah anggota, digiling baru dan disortir tanpa pemutih atau pewangi. Harga per kg "
        "dengan pembelian minimal 5 kg, dikemas karung 5, 10 atau 25 kg.",
        unit="kg",
        attrs={"origin": "{origin}", "harvest": "Oktober 2026"},
        variant_attr="variety",
        stock=(200, 3000),
        moq=5,
    ),
    "jahit": _Item(
        SERV,
        "Jasa Jahit {V}",
        _v(
            ("Seragam Sekolah", 150000),
            ("Kebaya Brokat", 350000),
            ("Gamis", 175000),
            ("Permak Celana", 25000),
        ),
        "Jasa jahit {v} sesuai ukuran badan oleh penjahit berpengalaman; bahan dari pelanggan atau kami "
        "carikan. Ukur di tempat atau kirim baju contoh.",
        attrs={"service_area": "{area}", "lead_time": "7–14 hari kerja"},
        stock=(10, 60),
    ),
    "katering": _Item(
        SERV,
        "Katering {V}",
        _v(
            ("Nasi Kotak Ayam Bakar", 35000, None, 20),
            ("Tumpeng Mini", 45000, None, 10),
            ("Snack Box", 15000),
        ),
        "Katering {v} untuk rapat, pengajian dan hajatan, dimasak pagi hari dan diantar tepat waktu. Menu "
        "bisa disesuaikan; tersedia pilihan tanpa pedas untuk anak.",
        unit="paket",
        attrs={"service_area": "{area}", "lead_time": "Pesan paling lambat H-2"},
        stock=(50, 500),
        moq=10,
    ),
    "foto_produk": _Item(
        SERV,
        "Jasa Foto Produk UMKM {V}",
        _v(("Paket 10 Foto", 250000), ("Paket 25 Foto", 500000)),
        "Foto produk berlatar putih dan foto suasana untuk katalog, marketplace dan media sosial, {v} sudah "
        "termasuk penyuntingan. Produk dikirim ke studio atau kami datang ke tempat usaha.",
        unit="paket",
        attrs={"service_area": "{area}", "lead_time": "3 hari kerja"},
        stock=(5, 30),
    ),
}
EXTRA_BREEDS: dict[str, _Breed] = {
    "domba_garut": _Breed(
        "domba",
        "Garut",
        "Domba Garut",
        ((8, 24), (25, 60)),
        ((10, 30), (20, 40)),
        (75, 90),
        (2_000_000, 6_000_000),
        0.0,
        12,
        "bertanduk melingkar dengan daging padat, domba asli Priangan",
    ),
    "kerbau": _Breed(
        "kerbau",
        "Kerbau Lumpur",
        "Kerbau",
        ((24, 48), (350, 550)),
        ((30, 60), (300, 450)),
        (55, 62),
        (20_000_000, 40_000_000),
        0.3,
        24,
        "kuat, tahan pakan kasar dan terbiasa di sawah",
    ),
    "boer": _Breed(
        "kambing",
        "Boer",
        "Kambing Boer",
        ((8, 18), (35, 70)),
        ((12, 30), (35, 55)),
        (75, 90),
        (3_000_000, 7_000_000),
        0.0,
        12,
        "kambing pedaging berkepala cokelat yang cepat besar",
    ),
}
ITEMS: dict[str, _Item] = {**_ITEMS, **EXTRA_ITEMS}
BREEDS: dict[str, _Breed] = {**_BREEDS, **EXTRA_BREEDS}
POULTRY = "unggas"

# Items that name their home in the title or description: mostly sold there, rarely elsewhere.
_BALI, _JAKARTA_BEKASI, _SUMBAR, _KALTENG = ("51",), ("31", "32", "36"), ("13",), ("62",)
HOME: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        words(
            "sambal_matah, sambal_bali, pie_susu, loloh, loloh_paket, base_genep, kacang, dodol_bali, "
            "kopi_bubuk, kopi_sangrai, kopi_drip, cascara, green_bean, jeruk, jeruk_peti, sayur"
        ),
        _BALI,
    ),
    **dict.fromkeys(
        words(
            "dodol_betawi, bir_pletok, bir_pletok_paket, ondel, batik_bekasi, kemeja_batik, truk_bekasi, "
            "pindahan, sablon"
        ),
        _JAKARTA_BEKASI,
    ),
    **dict.fromkeys(("truk_ternak", "angkut_padang", "ib_sapi", "pesisir", "rendang"), _SUMBAR),
    **dict.fromkeys(("madu_hutan", "lanjung", "tikar_purun", "batik_bintik", "manik"), _KALTENG),
    "batik_tulis": ("32", "33", "34", "35"),
    "tenun": ("52", "53"),
    "domba_garut": ("32",),
    "kerbau": ("13", "62"),
}
assert set(HOME) <= {*ITEMS, *BREEDS}, set(HOME) - {*ITEMS, *BREEDS}
HOME_WEIGHT, GENERIC_WEIGHT, AWAY_WEIGHT = 8.0, 3.0, 0.15

# About 92% live overall; listings wait for review only where the cooperative reviews them.
STATUS_SHARE = {
    True: (
        (ProductStatus.ACTIVE, 0.90),
        (ProductStatus.PENDING_REVIEW, 0.05),
        (ProductStatus.DRAFT, 0.025),
        (ProductStatus.PAUSED, 0.025),
    ),
    False: ((ProductStatus.ACTIVE, 0.93), (ProductStatus.DRAFT, 0.04), (ProductStatus.PAUSED, 0.03)),
}


# --- plain records of what was generated -----------------------------------------------------------------


@dataclass
class Coop:
    id: int
    name: str
    slug: str
    regency: str
    coop_type: CooperativeType
    sectors: tuple[Sector, ...]
    requires_approval: bool
    chair_id: int
    created_at: datetime
    size: float  # relative number of members it attracts
    legal_entity_number: str
    nik: str
    founded_on: date
    transient: Cooperative  # never added to a session: what search_text_of reads

    @property
    def province(self) -> str:
        return regions.province_of(self.regency)


@dataclass
class Biz:
    id: int
    owner_id: int
    owner_name: str
    name: str
    slug: str
    nib: str
    regency: str
    place: str  # kecamatan
    address: str
    sector: Sector
    coops: list[Coop]
    permit: str  # food permit: "pirt" or "bpom"
    sni: str  # one SNI certificate per toy maker
    created_at: datetime
    size: float  # relative number of listings
    transient: Business  # never added to a session: what search_text_of reads
    lines: dict[Sector, tuple[list[str], list[float]]] = field(default_factory=dict)

    @property
    def province(self) -> str:
        return regions.province_of(self.regency)


@dataclass
class Stats:
    products: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    series: Counter[str] = field(default_factory=Counter)
    livestock_by_province: Counter[str] = field(default_factory=Counter)
    zero_stock: int = 0
    preorder: int = 0
    validated: int = 0


# --- helpers ---------------------------------------------------------------------------------------------


def short_region(code: str) -> str:
    """ "Kabupaten Bekasi" → "Bekasi", "Kota Bekasi" → "Bekasi"."""
    name = regions.name(code)
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@cache
def kecamatans(regency: str) -> tuple[str, ...]:
    return tuple(w.code for w in wilayah.list_wilayah(regency)) or (regency,)


@cache
def villages(kecamatan: str) -> tuple[tuple[str, str, str], ...]:
    """(type, name, postal code) of the desa/kelurahan of a kecamatan."""
    return tuple((w.type, w.name, w.postal_code or "") for w in wilayah.list_wilayah(kecamatan))


@cache
def cached_slug(title: str) -> str:
    return slugify(title)


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def clip_title(title: str, limit: int = 160) -> str:
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0]


def load_migration_0002() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gotong_migration_0002", MIGRATION_0002)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the generator ---------------------------------------------------------------------------------------


class Generator:
    """Builds every row from one seeded random generator, in a fixed order, and inserts them in batches."""

    def __init__(self, args: argparse.Namespace, now: datetime) -> None:
        self.args = args
        self.now = now
        self.rng = random.Random(args.seed)
        # The demo's permit numbers and seller sentences, drawn from our generator.
        self.demo = _Builder()
        self.demo.rng = self.rng
        self.password_hash = generate_password_hash(BENCH_PASSWORD)
        self.users: list[dict[str, Any]] = []
        self.coops: list[Coop] = []
        self.businesses: list[Biz] = []
        self.memberships: list[dict[str, Any]] = []
        self.names: set[str] = set()
        self.numbers: set[tuple[str, str]] = set()
        self.ear_tag = 0
        self.titles: dict[int, set[str]] = defaultdict(set)  # per business: a seller does not repeat a title
        self.stats = Stats()
        self.given, self.family = self._name_pools()

    # ---- people
    @staticmethod
    def _name_pools() -> tuple[list[str], list[str]]:
        given: list[str] = list(EXTRA_GIVEN)
        family: list[str] = list(EXTRA_FAMILY)
        for _local, full in _OWNERS:
            words = full.removeprefix("H. ").split()
            if words[0] in ("I", "Ni"):
                continue
            given.append(words[0])
            if len(words) > 1:
                family.append(" ".join(words[1:]))
        return sorted(set(given)), sorted(set(family))

    def person(self, province: str) -> tuple[str, bool]:
        """A name typical of the province, and whether it is a woman's (for the honorific)."""
        rng = self.rng
        female = rng.random() < 0.45
        if province == "51":
            order = rng.choice(BALI_ORDER_F if female else BALI_ORDER_M)
            return f"{order} {rng.choice(BALI_NAMES)}", female
        first = rng.choice(self.given)
        if rng.random() < 0.15:
            return first, female
        return f"{first} {rng.choice(self.family)}", female

    def add_user(self, name: str, local: str, created_at: datetime, *, admin: bool = False) -> int:
        user_id = len(self.users) + 1
        assert user_id < 10_000, "phone numbers embed the user id"
        phone = f"+62{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randint(1000, 9999)}{user_id:04d}"
        last_login = self.now - timedelta(days=self.rng.uniform(0, 60)) if self.rng.random() < 0.7 else None
        self.users.append(
            {
                "id": user_id,
                "email": f"{local}@{EMAIL_DOMAIN}",
                "name": name,
                "phone": phone,
                "password_hash": self.password_hash,
                "is_admin": admin,
                "locale": None,
                "suspended_at": None,
                "suspended_reason": None,
                "created_at": created_at,
                "last_login_at": last_login,
            }
        )
        return user_id

    def unique(self, kind: str, make: Callable[[], str]) -> str:
        """A value from ``make()`` not produced before for ``kind``."""
        for _ in range(1000):
            value = make()
            if (kind, value) not in self.numbers:
                self.numbers.add((kind, value))
                return value
        raise RuntimeError(f"cannot find a unique {kind}")

    # ---- cooperatives
    def coop_regencies(self, count: int) -> list[str]:
        for code in COOP_REGENCIES:
            assert regions.is_regency(code), code
        if count == len(COOP_REGENCIES):
            return list(COOP_REGENCIES)
        pool = list(COOP_REGENCIES)
        self.rng.shuffle(pool)
        return [pool[i % len(pool)] for i in range(count)]

    def build_cooperatives(self) -> None:
        rng = self.rng
        self.add_user("Admin Bench", "admin", self.now - timedelta(days=450), admin=True)
        self.add_user("Pembeli Bench", "pembeli", self.now - timedelta(days=300))
        for index, regency in enumerate(self.coop_regencies(self.args.cooperatives), start=1):
            province = regions.province_of(regency)
            coop_type = weighted(rng, COOP_TYPES)
            weights = PROVINCE_SECTORS.get(province, DEFAULT_SECTORS)
            main = weighted(rng, list(weights.items()))
            others = [s for s in weights if s != main]
            extra = {
                CooperativeType.PRODUCER: rng.choice((0, 0, 1)),
                CooperativeType.SERVICES: 1,
                CooperativeType.MARKETING: rng.randint(2, 3),
                CooperativeType.SAVINGS_LOAN: rng.randint(2, 3),
                CooperativeType.CONSUMER: 2,
            }[coop_type]
            if coop_type is CooperativeType.SERVICES:
                main, others = SERV, [s for s in weights if s != SERV]
            sectors = (main, *rng.sample(others, min(extra, len(others))))
            name = self.coop_name(coop_type, main, regency)
            created = self.now - timedelta(days=rng.uniform(400, 430))
            chair_name, _female = self.person(province)
            chair_id = self.add_user(chair_name, f"ketua.{index:03d}", created - timedelta(hours=2))
            founded = rng.randint(1995, 2022)
            legal = self.unique("legal", lambda y=founded, r=regency: self.legal_entity_number(y, r))
            nik = self.unique(
                "nik",
                lambda r=regency: (
                    f"{r.replace('.', '')}{rng.randint(10, 99)}{rng.randint(0, 10**10 - 1):010d}"
                ),
            )
            assert len(nik) == 16 and nik.isdigit()
            coop = Coop(
                id=index,
                name=name,
                slug=self.unique("coop_slug", lambda name=name: slugify(name)),
                regency=regency,
                coop_type=coop_type,
                sectors=sectors,
                requires_approval=rng.random() < 0.35,
                chair_id=chair_id,
                created_at=created,
                size=rng.lognormvariate(0, 0.8),
                legal_entity_number=legal,
                nik=nik,
                founded_on=date(founded, rng.randint(1, 12), rng.randint(1, 28)),
                transient=Cooperative(name=name),
            )
            self.coops.append(coop)

    def legal_entity_number(self, founded: int, regency: str) -> str:
        """Kemenkumham's AHU number since 2012; before that the Dinas Koperasi's "BH" decree number."""
        rng = self.rng
        if founded >= 2012:
            return f"AHU-{rng.randint(1, 20000):07d}.AH.01.29.TAHUN {rng.randint(founded, 2023)}"
        month = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[rng.randint(0, 11)]
        province, city = regency.split(".")
        return f"{rng.randint(1, 400)}/BH/KDK.{int(province)}.{int(city)}/{month}/{founded}"

    def coop_name(self, coop_type: CooperativeType, main: Sector, regency: str) -> str:
        rng = self.rng
        for _ in range(200):
            place = short_region(regency) if rng.random() < 0.6 else self.kecamatan_name(regency)
            word = rng.choice(COOP_WORDS)
            if coop_type is CooperativeType.MARKETING:
                name = f"Koperasi Pemasaran {place} {word}"
            elif coop_type is CooperativeType.SAVINGS_LOAN:
                name = f"Koperasi Simpan Pinjam {word} {place}"
            elif coop_type is CooperativeType.CONSUMER:
                name = f"Koperasi Konsumen {word} {place}"
            else:
                name = f"Koperasi {rng.choice(COOP_THEMES[main])} {word} {place}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("cannot name a cooperative")

    def kecamatan_name(self, regency: str) -> str:
        return regions.name(self.rng.choice(kecamatans(regency))) or short_region(regency)

    def address(self, regency: str, kecamatan: str) -> str:
        rng = self.rng
        found = villages(kecamatan)
        kind, village, postal = rng.choice(found) if found else ("desa", regions.name(kecamatan), "")
        province = regions.province_of(regency)
        if province == "51":
            street = f"Br. {village}"
        elif province == "13":
            street = f"Jorong {village}"
        elif rng.random() < 0.4:
            street = f"Kp. {village} RT {rng.randint(1, 9):03d}/RW {rng.randint(1, 12):03d}"
        else:
            road = rng.choice((f"Raya {regions.name(kecamatan)}", *STREETS))
            street = f"Jl. {road} No. {rng.randint(1, 250)}"
        area = "Kel." if kind == "kelurahan" else "Desa"
        district = f"Kec. {regions.name(kecamatan)}, {regions.name(regency)}"
        return f"{street}, {area} {village}, {district} {postal}".strip()

    # ---- businesses
    def build_businesses(self) -> None:
        rng = self.rng
        by_province: dict[str, list[Coop]] = defaultdict(list)
        for coop in self.coops:
            by_province[coop.province].append(coop)
        coop_weights = [c.size for c in self.coops]
        for index in range(1, self.args.businesses + 1):
            coop = rng.choices(self.coops, weights=coop_weights)[0]
            sector = rng.choices(coop.sectors, weights=[3] + [1] * (len(coop.sectors) - 1))[0]
            province = coop.province
            regency = coop.regency if rng.random() < 0.7 else rng.choice(regions.regencies(province))[0]
            kecamatan = rng.choice(kecamatans(regency))
            place = regions.name(kecamatan) or short_region(regency)
            owner, female = self.person(province)
            created = coop.created_at + timedelta(days=rng.uniform(3, 25))
            owner_id = self.add_user(owner, f"pemilik.{index:04d}", created - timedelta(hours=1))
            name = self.business_name(sector, owner, female, place, province)
            coops = [coop]
            partners = [c for c in by_province[province] if c is not coop and sector in c.sectors]
            if partners and rng.random() < 0.3:
                coops.append(rng.choice(partners))
            biz = Biz(
                id=index,
                owner_id=owner_id,
                owner_name=owner,
                name=name,
                slug=self.unique("biz_slug", lambda name=name: slugify(name)),
                nib=self.unique("nib", lambda: f"{rng.choice('129')}{rng.randint(10**11, 10**12 - 1)}"),
                regency=regency,
                place=place,
                address=self.address(regency, kecamatan),
                sector=sector,
                coops=coops,
                permit="bpom" if rng.random() < 0.25 else "pirt",
                sni=f"SNI ISO 8124-1:2010 / {rng.randint(10000, 99999)}",
                created_at=created,
                size=min(rng.lognormvariate(0, 0.9), 10.0),  # a few sellers list ~1% of the catalog
                transient=Business(name=name, regency_code=regency, province_code=province),
            )
            self.choose_lines(biz)
            self.businesses.append(biz)
            for member_of in coops:
                self.add_membership(biz, member_of, MembershipStatus.ACTIVE)
            others = [c for c in by_province[province] if c not in coops]
            if others and rng.random() < 0.04:  # an application still waiting for the chair
                self.add_membership(biz, rng.choice(others), MembershipStatus.PENDING)

    def business_name(self, sector: Sector, owner: str, female: bool, place: str, province: str) -> str:
        rng = self.rng
        words = owner.split()
        nick = words[-1] if words[0] in ("I", "Ni") else words[0]
        hon_f, hon_m = HONORIFICS.get(province, ("Bu", "Pak"))
        for attempt in range(200):
            pattern = rng.choice(BUSINESS_PATTERNS[sector])
            name = pattern.format(
                brand=rng.choice(BRAND_WORDS), place=place, nick=nick, hon=hon_f if female else hon_m
            )
            if attempt > 20:
                name = f"{name} {rng.choice(BRAND_WORDS)}"
            if name not in self.names and len(name) <= 120:
                self.names.add(name)
                return name
        raise RuntimeError("cannot name a business")

    def add_membership(self, biz: Biz, coop: Coop, status: MembershipStatus) -> None:
        rng = self.rng
        applied = max(biz.created_at, coop.created_at) + timedelta(hours=rng.uniform(1, 48))
        decided = applied + timedelta(days=rng.uniform(0.5, 4)) if status is MembershipStatus.ACTIVE else None
        if status is MembershipStatus.PENDING:
            applied = self.now - timedelta(days=rng.uniform(1, 20))
        self.memberships.append(
            {
                "id": len(self.memberships) + 1,
                "cooperative_id": coop.id,
                "business_id": biz.id,
                "status": status,
                "message": "" if status is MembershipStatus.ACTIVE else "Mohon diterima sebagai anggota.",
                "decision_reason": None,
                "applied_at": applied,
                "decided_at": decided,
                "decided_by_id": coop.chair_id if decided else None,
                "joined_at": decided,
            }
        )

    def choose_lines(self, biz: Biz) -> None:
        """The item kinds a business makes: its sector's, plus sometimes one more category of its coop."""
        rng = self.rng
        categories = [biz.sector]
        others = [s for s in biz.coops[0].sectors if s != biz.sector]
        if rng.random() < 0.15:
            categories.append(rng.choice(others) if others else FOOD)
        for category in categories:
            if category is LIVE:
                keys = [*BREEDS, POULTRY]
            else:
                keys = [k for k, item in ITEMS.items() if item.category is category]
            weights = []
            for key in keys:
                home = HOME.get(key)
                weights.append(
                    GENERIC_WEIGHT if home is None else HOME_WEIGHT if biz.province in home else AWAY_WEIGHT
                )
            # Bigger sellers make more kinds of things.
            count = min(len(keys), max(2, round(rng.uniform(1.5, 4) * (1 + math.log1p(biz.size)))))
            chosen: list[str] = []
            while len(chosen) < count:
                key = rng.choices(keys, weights=weights)[0]
                if key not in chosen:
                    chosen.append(key)
            biz.lines[category] = (chosen, [1 / (rank + 1) for rank in range(len(chosen))])

    # ---- products
    def sellers(self) -> dict[Sector, tuple[list[Biz], list[float]]]:
        """Per category: the businesses selling it, and cumulative weights (a few big sellers, many small)."""
        found: dict[Sector, tuple[list[Biz], list[float]]] = {}
        for category in Sector:
            sellers = [b for b in self.businesses if category in b.lines]
            assert sellers, f"no business sells {category}"
            weights = [b.size * (1.0 if b.sector is category else 0.3) for b in sellers]
            found[category] = (sellers, list(itertools.accumulate(weights)))
        return found

    def product_rows(self, batch_size: int) -> Iterator[list[dict[str, Any]]]:
        rng = self.rng
        total = self.args.products
        # Ids follow creation time, as in a live catalog; newer listings are a little denser.
        ages = sorted((365 * rng.random() ** 1.2 for _ in range(total)), reverse=True)
        categories = rng.choices(list(CATEGORY_SHARE), weights=list(CATEGORY_SHARE.values()), k=total)
        sellers = self.sellers()
        batch: list[dict[str, Any]] = []
        for index, (age, category) in enumerate(zip(ages, categories, strict=True), start=1):
            pool, cumulative = sellers[category]
            biz = pool[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            batch.append(self.product(index, biz, category, self.now - timedelta(days=age)))
            if len(batch) == batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def product(self, product_id: int, biz: Biz, category: Sector, created: datetime) -> dict[str, Any]:
        rng = self.rng
        keys, weights = biz.lines[category]
        key = rng.choices(keys, weights=weights)[0]
        eligible = [c for c in biz.coops if category in c.sectors]
        coop = rng.choice(eligible) if eligible else biz.coops[0]
        if category is LIVE:
            fields = self.livestock(biz, key)
        else:
            fields = self.item(biz, key)
        attributes = fields["attributes"]
        if product_id % 25 == 1 or self.stats.categories[category] == 0:
            cleaned = validate_attributes(category, attributes)
            assert cleaned == attributes, (fields["title"], attributes, cleaned)
            self.stats.validated += 1

        transient = Product(
            title=fields["title"], description=fields["description"], category=category, attributes=attributes
        )
        set_committed_value(transient, "business", biz.transient)
        set_committed_value(transient, "cooperative", coop.transient)

        status = weighted(rng, STATUS_SHARE[coop.requires_approval])
        submitted = reviewed = reviewer = None
        if coop.requires_approval and status is not ProductStatus.DRAFT:
            submitted = min(created + timedelta(minutes=rng.uniform(2, 60)), self.now)
            if status is not ProductStatus.PENDING_REVIEW:
                reviewed = min(submitted + timedelta(hours=rng.uniform(1, 72)), self.now)
                reviewer = coop.chair_id
        age = self.now - created
        updated = created + min(age, timedelta(days=30)) * rng.random()
        updated = max(updated, reviewed or updated)
        if updated > self.now:
            updated = self.now

        stats = self.stats
        stats.products += 1
        stats.statuses[status.value] += 1
        stats.categories[category] += 1
        stats.zero_stock += fields["stock"] == 0
        stats.preorder += fields["preorder"]
        if category is LIVE and status is ProductStatus.ACTIVE:
            stats.livestock_by_province[biz.province] += 1
        if fields["series"]:
            stats.series[fields["series"]] += 1
        return {
            "id": product_id,
            "business_id": biz.id,
            "cooperative_id": coop.id,
            "title": fields["title"],
            "slug": cached_slug(fields["title"]),
            "description": fields["description"],
            "category": category,
            "price_idr": fields["price"],
            "unit": fields["unit"],
            "stock": fields["stock"],
            "min_order_qty": fields["moq"],
            "preorder": fields["preorder"],
            "low_stock_threshold": 1 if category is LIVE else rng.choice((3, 5, 5, 10)),
            "status": status,
            "attributes": attributes,
            "search_text": search_text_of(transient),
            "cover_thumb": None,
            "submitted_at": submitted,
            "reviewed_at": reviewed,
            "reviewed_by_id": reviewer,
            "review_note": None,
            "created_at": created,
            "updated_at": updated,
        }

    def dress_title(self, base: str, category: Sector, biz: Biz) -> Dressing:
        """The base title with a marketplace seller's extras ("Isi 2", "Khas Gianyar", "Seri Owa Jawa"),
        unique among the seller's own titles: each retry adds more extras."""
        rng = self.rng
        taken = self.titles[biz.id]
        choices = TITLE_SUFFIXES[category]
        pack_choices = PACKS.get(category, ())
        for attempt in range(10):
            wanted = (rng.random() < SUFFIX_SHARE) + (attempt >= 1) + (attempt >= 3) + (attempt >= 6)
            suffixes: list[str] = []
            while len(suffixes) < min(wanted, len(choices)):
                suffix = rng.choices(choices, weights=SUFFIX_WEIGHTS[category])[0]
                if suffix not in suffixes:
                    suffixes.append(suffix)
            series = None
            if category not in (LIVE, SERV) and (rng.random() < SERIES_SHARE or attempt >= 5):
                series = rng.choices(SERIES, weights=SERIES_WEIGHTS)[0]
            pack = None
            if pack_choices and (rng.random() < PACK_SHARE or attempt >= 4):
                pack = rng.choice(pack_choices)
            place = short_region(biz.regency)
            parts = [base, pack.label if pack else "", *(s.format(place=place) for s in suffixes)]
            title = clip_title(" ".join(p for p in (*parts, f"Seri {series}" if series else "") if p))
            if title not in taken or attempt == 9:
                taken.add(title)
                return Dressing(title, tuple(suffixes), series, pack)
        raise AssertionError("unreachable")

    def stock(self, low: int, high: int) -> tuple[int, bool]:
        roll = self.rng.random()
        if roll < 0.05:
            return 0, self.rng.random() < 0.4  # sold out; some take pre-orders for the next batch
        stock = self.rng.randint(1, 4) if roll < 0.10 else self.rng.randint(low, high)
        return stock, self.rng.random() < 0.03

    def item(self, biz: Biz, key: str) -> dict[str, Any]:
        rng = self.rng
        item = ITEMS[key]
        variant = rng.choice(item.variants)
        extra = rng.choice(item.extras)
        base = " ".join(item.title.format(V=variant.label, X=extra.label).split())
        dressed = self.dress_title(base, item.category, biz)
        series = dressed.series
        attr_value = variant.attr or variant.label
        body = item.desc.format(
            V=variant.label,
            v=variant.label.lower(),
            X=extra.label,
            x=extra.phrase or extra.label.lower(),
            a=attr_value[:1].lower() + attr_value[1:],
        )
        place = f"{biz.place}, {regions.name(biz.regency)}"
        description = self.demo.description(body, item.category, biz.transient, place)
        if series:
            description += f" Bagian dari seri {series} {biz.name}, dengan label dan kemasan khusus."

        price: float = variant.price + extra.delta
        if price >= 40_000:
            price *= rng.choice((0.9, 0.95, 1.0, 1.0, 1.05, 1.1))
        if item.category is TOYS:
            price = min(max(price, 35_000), 450_000)
        moq = variant.moq or item.moq
        unit = variant.unit or item.unit
        if "Premium" in dressed.suffixes:
            price *= 1.12
        if "Grosir" in dressed.suffixes:
            price *= 0.92
            moq = max(moq, rng.choice((6, 12, 24)))
        if dressed.pack:
            price *= dressed.pack.count * 0.95
            unit = dressed.pack.unit
            description += f" Satu pesanan berisi {dressed.pack.count} pcs."
        price = _round_price(price)
        assert unit in UNITS, unit

        area = f"{regions.name(biz.regency)} dan sekitarnya"
        attributes: dict[str, Any] = {
            k: v.format(area=area, origin=place) if isinstance(v, str) and "{" in v else v
            for k, v in item.attrs.items()
        }
        if item.variant_attr:
            attributes[item.variant_attr] = attr_value
        if item.category is TOYS:
            attributes["sni_number"] = biz.sni
            if rng.random() < 0.15:
                attributes["age_range"] = rng.choice(AGE_RANGES)[0]
        elif item.category is FOOD:
            attributes.update(self.demo.permit_attrs(biz.transient, biz.permit))
        elif item.category is PROD:
            attributes.setdefault("grade", "A")
            attributes.setdefault("variety", variant.label)
        elif item.category is SERV and HOME.get(key) and biz.province not in HOME[key]:
            attributes["service_area"] = area  # a Bekasi truck hire, offered by a seller elsewhere
        stock, preorder = self.stock(*item.stock)
        return {
            "title": dressed.title,
            "description": description,
            "price": price,
            "unit": unit,
            "stock": stock,
            "moq": moq,
            "preorder": preorder,
            "attributes": attributes,
            "series": series,
        }

    def livestock(self, biz: Biz, key: str) -> dict[str, Any]:
        rng = self.rng
        self.ear_tag += 1
        ear_tag = f"{biz.regency.replace('.', '')}-{self.now.year}-{self.ear_tag:06d}"
        skkh = f"524.3/{self.ear_tag:06d}/SKKH/{biz.regency.replace('.', '')}/{self.now.year}"
        place = f"{biz.place}, {regions.name(biz.regency)}"
        if key == POULTRY:
            title, species, breed_name, sex, age, weight, price, body = rng.choice(_POULTRY)
            attributes = self.livestock_attrs(
                species, breed_name, sex, age, weight, "per_head", ear_tag, skkh
            )
            stock, preorder = self.stock(10, 80)
            return {
                "title": self.dress_title(title, LIVE, biz).title,
                "description": f"{body} Dari kandang {biz.name} di {place}; harga per ekor.",
                "price": _round_price(price * rng.choice((0.9, 1.0, 1.0, 1.1))),
                "unit": "ekor",
                "stock": stock,
                "moq": 1,
                "preorder": preorder,
                "attributes": attributes,
                "series": None,
            }
        breed = BREEDS[key]
        female = breed.female is not None and rng.random() < 0.25
        sex = "betina" if female else "jantan"
        age_range, weight_range = (breed.female if female else breed.male) or breed.male
        age = rng.randint(*age_range)
        if breed.species == "sapi":
            age -= age % 3  # farmers count cattle age in quarters
        step = 5 if breed.species in ("sapi", "kerbau") else 1
        weight = weight_range[0] + step * rng.randint(0, (weight_range[1] - weight_range[0]) // step)
        per_kg = rng.random() < breed.per_kg_share
        qurban_age = QURBAN_MIN_AGE_MONTHS.get(breed.species)
        qurban = not female and qurban_age is not None and age >= qurban_age
        prefix = f"{breed.label} {sex.capitalize()}"
        if qurban and not per_kg and rng.random() < 0.5:
            prefix += " Siap Kurban"
        elif female:
            prefix += " Indukan"
        title = f"{prefix} {_Builder.age_text(age)} ±{weight} kg"
        if per_kg:
            title += " (Harga per kg Hidup)"
        title = self.dress_title(title, LIVE, biz).title
        attributes = self.livestock_attrs(
            breed.species, breed.breed, sex, age, weight, "per_kg" if per_kg else "per_head", ear_tag, skkh
        )
        kg_price = rng.randint(*breed.kg_price) * 1000
        sentences = [
            f"{breed.label} {sex} umur {age} bulan dengan bobot hidup sekitar {weight} kg, {breed.trait}.",
            f"Dari kandang {biz.name} di {place}; sudah diperiksa dokter hewan, dilengkapi SKKH dan eartag "
            f"{ear_tag}.",
        ]
        sold = rng.random() < 0.05
        if per_kg:
            price, unit, moq = kg_price, "kg", weight
            stock = 0 if sold else weight
            sentences.append(
                "Harga dihitung per kg bobot hidup dan ditimbang ulang saat serah terima; pesanan minimal "
                f"satu ekor utuh (±{weight} kg)."
            )
        else:
            round_to = 100_000 if breed.species in ("sapi", "kerbau") else 50_000
            price = round(weight * kg_price / round_to) * round_to
            price = min(max(price, breed.head_price[0]), breed.head_price[1])
            unit, moq = "ekor", 1
            stock = 0 if sold else (1 if rng.random() < 0.7 else rng.randint(2, 6))
            sentences.append("Harga per ekor, termasuk perawatan di kandang sampai hari pengambilan.")
        if attributes["qurban_eligible"]:
            sentences.append("Memenuhi syarat hewan kurban: cukup umur, sehat dan tidak cacat.")
        elif female:
            sentences.append("Cocok sebagai indukan; riwayat kawin suntik (IB) tersedia.")
        return {
            "title": title,
            "description": " ".join(sentences),
            "price": price,
            "unit": unit,
            "stock": stock,
            "moq": moq,
            "preorder": sold and rng.random() < 0.3,
            "attributes": attributes,
            "series": None,
        }

    @staticmethod
    def livestock_attrs(
        species: str, breed: str, sex: str, age: int, weight: int, basis: str, ear_tag: str, skkh: str
    ) -> dict[str, Any]:
        minimum = QURBAN_MIN_AGE_MONTHS.get(species)
        return {
            "species": species,
            "breed": breed,
            "sex": sex,
            "age_months": age,
            "live_weight_kg": weight,
            "ear_tag": ear_tag,
            "skkh_number": skkh,
            "price_basis": basis,
            "qurban_eligible": bool(minimum is not None and sex == "jantan" and age >= minimum),
        }

    # ---- rows for the small tables
    def cooperative_rows(self) -> list[dict[str, Any]]:
        rows = []
        for coop in self.coops:
            sectors = ", ".join(s.value.replace("_", " ") for s in coop.sectors)
            rows.append(
                {
                    "id": coop.id,
                    "name": coop.name,
                    "slug": coop.slug,
                    "legal_entity_number": coop.legal_entity_number,
                    "nik_koperasi": coop.nik,
                    "coop_type": coop.coop_type,
                    "province_code": coop.province,
                    "regency_code": coop.regency,
                    "address": self.address(coop.regency, self.rng.choice(kecamatans(coop.regency))),
                    "description": (
                        f"{coop.name} menghimpun UMKM {sectors} di {regions.label(coop.regency)}. "
                        "Koperasi membantu anggota memasarkan produk, membeli bahan baku bersama dan "
                        "mengurus perizinan."
                    ),
                    "logo": None,
                    "founded_on": coop.founded_on,
                    "requires_listing_approval": coop.requires_approval,
                    "suspended_at": None,
                    "created_by_id": coop.chair_id,
                    "created_at": coop.created_at,
                    "updated_at": coop.created_at,
                }
            )
        return rows

    def business_rows(self) -> list[dict[str, Any]]:
        rows = []
        for biz in self.businesses:
            owner = self.users[biz.owner_id - 1]
            description = BUSINESS_DESCRIPTIONS[biz.sector].format(
                place=biz.place, year=self.rng.randint(1995, 2023), n=self.rng.randint(2, 60)
            )
            rows.append(
                {
                    "id": biz.id,
                    "owner_id": biz.owner_id,
                    "name": biz.name,
                    "slug": biz.slug,
                    "nib": biz.nib,
                    "owner_name": biz.owner_name,
                    "whatsapp": owner["phone"],
                    "province_code": biz.province,
                    "regency_code": biz.regency,
                    "address": biz.address,
                    "sector": biz.sector,
                    "description": description,
                    "logo": None,
                    "suspended_at": None,
                    "created_at": biz.created_at,
                    "updated_at": biz.created_at,
                }
            )
        return rows


SERIES_WEIGHTS = zipf_weights(len(SERIES), 1.3)
SUFFIX_WEIGHTS = {category: zipf_weights(len(choices), 0.8) for category, choices in TITLE_SUFFIXES.items()}


# --- database --------------------------------------------------------------------------------------------


def database_name(url: URL) -> str:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise SystemExit("SQLite needs a file: sqlite:////tmp/gotong_bench.db")
        return Path(url.database).stem
    if backend == "postgresql":
        return url.database or ""
    raise SystemExit(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


def reset_database(url: URL, force: bool) -> None:
    """Empty the target, refusing anything that does not look like a benchmark database."""
    name = database_name(url)
    if (name == "test" or not name.startswith("gotong_bench")) and not force:
        raise SystemExit(
            f"refusing to wipe database {name!r}: its name must start with 'gotong_bench' (use --force)"
        )
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        version = conn.dialect.server_version_info or (0,)
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        if version >= (15,):  # PostgreSQL 15's own default: owned by the database owner, USAGE for all
            conn.execute(text("CREATE SCHEMA public AUTHORIZATION pg_database_owner"))
            conn.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))
        else:
            conn.execute(text("CREATE SCHEMA public"))
            conn.execute(text("GRANT ALL ON SCHEMA public TO PUBLIC"))
    engine.dispose()


def migrate(url: str) -> Flask:
    import flask_migrate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "GOTONG_ENV": "development"})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def insert_rows(table: Table, rows: list[dict[str, Any]], batch_size: int) -> None:
    for start in range(0, len(rows), batch_size):
        db.session.execute(insert(table), rows[start : start + batch_size])


def fix_sequences() -> None:
    """Explicit ids were inserted: move PostgreSQL's serial sequences past them."""
    for table in ("users", "cooperatives", "businesses", "memberships", "cooperative_managers", "products"):
        highest = f"(SELECT coalesce(max(id), 1) FROM {table})"
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})"))


def sqlite_triggers(drop: bool) -> None:
    if drop:
        for name in FTS_TRIGGERS:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        return
    migration = load_migration_0002()
    statements = migration.sqlite_search_ddl()
    triggers = [s for s in statements if s.lstrip().startswith("CREATE TRIGGER")]
    rebuilds = [s for s in statements if "'rebuild'" in s]
    assert len(triggers) == len(FTS_TRIGGERS) and len(rebuilds) == 2, "0002_catalog's DDL changed"
    for statement in rebuilds + triggers:
        db.session.execute(text(statement))


def finish_database(dialect: str) -> None:
    if dialect == "sqlite":
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.execute("ANALYZE")
            conn.execute("PRAGMA optimize")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def database_size(dialect: str, url: URL) -> dict[str, str]:
    def mb(n: int) -> str:
        return f"{n / 2**20:.1f} MB"

    if dialect == "sqlite":
        path = Path(url.database or "")
        wal = Path(f"{path}-wal")
        return {"file": mb(path.stat().st_size), "wal": mb(wal.stat().st_size if wal.exists() else 0)}
    row = db.session.execute(
        text(
            "SELECT pg_database_size(current_database()), pg_total_relation_size('products'), "
            "pg_relation_size('products'), pg_indexes_size('products')"
        )
    ).one()
    return {
        "database": mb(row[0]),
        "products_total": mb(row[1]),
        "products_heap": mb(row[2]),
        "products_indexes": mb(row[3]),
    }


def count_matches(dialect: str, words: str) -> dict[str, int]:
    """Rows the app's full-text index finds for ``words`` (all terms), in any status and only public ones."""
    public = "p.status = 'active' AND (p.stock > 0 OR p.preorder)"
    if dialect == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"' for w in words.split())
        sql = (
            "SELECT count(*), count(*) FILTER (WHERE {public}) FROM products_fts "
            "JOIN products p ON p.id = products_fts.rowid WHERE products_fts MATCH :q"
        )
        params = {"q": match}
    else:
        sql = (
            "SELECT count(*), count(*) FILTER (WHERE {public}) FROM products p "
            "WHERE p.search_vector @@ websearch_to_tsquery('indonesian', :q)"
        )
        params = {"q": words}
    total, shown = db.session.execute(text(sql.format(public=public)), params).one()
    return {"all": total, "public": shown}


def choose_fixtures(gen: Generator, dialect: str) -> dict[str, Any]:
    # Unambiguously public whatever the app's rule for pre-orders: active, in stock, nobody suspended.
    in_stock = "p.status = 'active' AND p.stock > 0 AND NOT p.preorder"
    product = db.session.execute(
        text(
            "SELECT p.id, p.slug, p.title, p.business_id FROM products p "
            f"WHERE {in_stock} AND p.id >= :middle ORDER BY p.id LIMIT 1"
        ),
        {"middle": gen.stats.products // 2},
    ).one()
    coop = db.session.execute(
        text(
            "SELECT c.id, c.slug, c.name, count(*) AS n FROM products p "
            f"JOIN cooperatives c ON c.id = p.cooperative_id WHERE {in_stock} "
            "GROUP BY c.id, c.slug, c.name ORDER BY n DESC, c.id LIMIT 1"
        )
    ).one()
    province, livestock = gen.stats.livestock_by_province.most_common(1)[0]
    # The rarest product line the index really finds at least a few times (its words may occur elsewhere).
    found = {name.lower(): count_matches(dialect, name.lower())["all"] for name in gen.stats.series}
    floor = 5 if any(n >= 5 for n in found.values()) else 1
    rare = min((n, name) for name, n in found.items() if n >= floor)[1]
    owner = next(b for b in gen.businesses if b.id == product.business_id)
    chair = next(c for c in gen.coops if c.id == coop.id)
    common = {word: count_matches(dialect, word) for word in ("boneka", "kopi", "sapi")}
    return {
        "seed": gen.args.seed,
        "products": gen.stats.products,
        "public_product": {
            "id": product.id,
            "slug": product.slug,
            "title": product.title,
            "url": f"/produk/{product.id}-{product.slug}",
        },
        "cooperative": {
            "slug": coop.slug,
            "name": coop.name,
            "url": f"/koperasi/{coop.slug}",
            "public_products": coop.n,
        },
        "common_search_word": "boneka",
        "rare_search_phrase": rare,
        "livestock_province_code": province,
        "livestock_province_name": regions.name(province),
        "livestock_province_products": livestock,
        "logins": {
            "password": BENCH_PASSWORD,
            "admin": f"admin@{EMAIL_DOMAIN}",
            "buyer": f"pembeli@{EMAIL_DOMAIN}",
            "manager": gen.users[chair.chair_id - 1]["email"],
            "owner": gen.users[owner.owner_id - 1]["email"],
        },
        "search_matches": {dialect: {**common, rare: count_matches(dialect, rare)}},
    }


def write_fixtures(path: Path, fixtures: dict[str, Any], dialect: str) -> None:
    """Write the fixtures, keeping the other dialect's match counts when the data set is the same."""
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except ValueError:
            old = {}
        same = {k: v for k, v in old.items() if k != "search_matches"} == {
            k: v for k, v in fixtures.items() if k != "search_matches"
        }
        if same:
            for other, counts in old.get("search_matches", {}).items():
                if other != dialect:
                    fixtures["search_matches"][other] = counts
    path.write_text(json.dumps(fixtures, indent=2, ensure_ascii=False) + "\n")


def load_products(gen: Generator, products: Table) -> float:
    """Insert the products batch by batch (one commit each); returns the seconds spent generating rows."""
    generating = 0.0
    started = time.perf_counter()
    batches = gen.product_rows(gen.args.batch_size)
    while True:
        before = time.perf_counter()
        batch = next(batches, None)
        generating += time.perf_counter() - before
        if batch is None:
            return generating
        db.session.execute(insert(products), batch)
        db.session.commit()
        rate = gen.stats.products / (time.perf_counter() - started)
        print(
            f"  products {gen.stats.products:>7,} / {gen.args.products:,}  ({rate:,.0f} rows/s)", flush=True
        )


# --- main ------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", required=True, help="sqlite:////tmp/gotong_bench.db or postgresql+psycopg://..."
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--businesses", type=int, default=500)
    parser.add_argument("--cooperatives", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--now", type=date.fromisoformat, default=None, help="reference date (default: today, UTC)"
    )
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument(
        "--rebuild-fts",
        action="store_true",
        help="SQLite: drop the FTS triggers for the bulk load, then rebuild the indexes (about 2x faster)",
    )
    parser.add_argument("--force", action="store_true", help="wipe a database not named gotong_bench*")
    args = parser.parse_args(argv)
    if args.cooperatives < 1 or args.businesses < args.cooperatives or args.products < 1:
        parser.error("need at least one cooperative, as many businesses as cooperatives, and some products")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    url = make_url(args.database_url)
    dialect = url.get_backend_name()
    today = args.now or datetime.now(UTC).date()
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        timings[name] = time.perf_counter() - since
        return time.perf_counter()

    reset_database(url, args.force)
    app = migrate(args.database_url)
    mark = lap("schema (reset + migrations)", started)

    with app.app_context(), write_unit():
        gen = Generator(args, now)
        gen.build_cooperatives()
        gen.build_businesses()
        for user in gen.users:
            assert normalise_phone(user["phone"], mobile_only=True) == user["phone"], user["phone"]
        tables = db.metadata.tables
        insert_rows(tables[User.__tablename__], gen.users, args.batch_size)
        insert_rows(tables[Cooperative.__tablename__], gen.cooperative_rows(), args.batch_size)
        sectors = [{"cooperative_id": c.id, "sector": s} for c in gen.coops for s in c.sectors]
        insert_rows(tables[CooperativeSector.__tablename__], sectors, args.batch_size)
        managers = [
            {
                "id": c.id,
                "cooperative_id": c.id,
                "user_id": c.chair_id,
                "role": ManagerRole.CHAIR,
                "created_at": c.created_at,
            }
            for c in gen.coops
        ]
        insert_rows(tables[CooperativeManager.__tablename__], managers, args.batch_size)
        insert_rows(tables[Business.__tablename__], gen.business_rows(), args.batch_size)
        insert_rows(tables[Membership.__tablename__], gen.memberships, args.batch_size)
        db.session.commit()
        mark = lap("users, cooperatives, businesses", mark)

        bulk_fts = dialect == "sqlite" and args.rebuild_fts
        if bulk_fts:
            sqlite_triggers(drop=True)
        generating = load_products(gen, tables[Product.__tablename__])
        mark = lap("products", mark)
        timings["  of which generating rows in Python"] = generating
        if bulk_fts:
            sqlite_triggers(drop=False)
            db.session.commit()
            mark = lap("FTS5 rebuild + triggers", mark)
        if dialect == "postgresql":
            fix_sequences()
            db.session.commit()
        db.session.close()
        finish_database(dialect)
        mark = lap("ANALYZE / optimize", mark)

        counts = {
            name: db.session.scalar(text(f"SELECT count(*) FROM {name}"))
            for name in words(
                "users, cooperatives, cooperative_sectors, cooperative_managers, businesses, "
                "memberships, products"
            )
        }
        if dialect == "sqlite":
            counts["products_fts"] = db.session.scalar(text("SELECT count(*) FROM products_fts"))
            triggers = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
            assert set(FTS_TRIGGERS) <= set(triggers), triggers
        fixtures = choose_fixtures(gen, dialect)
        size = database_size(dialect, url)
        db.session.commit()
        lap("fixtures + checks", mark)

    write_fixtures(args.fixtures, fixtures, dialect)
    elapsed = time.perf_counter() - started
    stats = gen.stats
    print(
        f"\nGotong bench data on {url.render_as_string(hide_password=True)} (seed {args.seed}, now {today})"
    )
    for name, count in counts.items():
        print(f"  {name:<22} {count:>9,}")
    print("  statuses   " + ", ".join(f"{k} {v:,}" for k, v in stats.statuses.most_common()))
    print("  categories " + ", ".join(f"{k} {v:,}" for k, v in stats.categories.most_common()))
    print(
        f"  stock 0: {stats.zero_stock:,}  preorder: {stats.preorder:,}  "
        f"attributes validated: {stats.validated:,} products"
    )
    print("  size       " + ", ".join(f"{k} {v}" for k, v in size.items()))
    for name, seconds in timings.items():
        print(f"  {name:<36} {seconds:8.1f} s")
    print(f"  {'total':<36} {elapsed:8.1f} s")
    print(f"\nfixtures ({args.fixtures}):")
    print(json.dumps(fixtures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
