"""Demo data for ``flask --app marketplace seed-demo``: the real cases behind Gotong, in miniature.

Seven cooperatives (doll makers in Kabupaten Bekasi, a marketing cooperative in Cikarang, two cattle
cooperatives in Solok Selatan of which one is dormant, food and drink producers in Gianyar, coffee farmers in
Kintamani, rattan and forest-produce makers in Katingan), about fifty MSMEs with their owners, and a few
hundred products across all six categories. Everything is deterministic (``random.Random(2026)``); only the
timestamps are relative to "now", so that "newest" and "joined in the last 12 months" mean something.

``seed_demo`` adds and flushes but does not commit, and does nothing when the demo admin already exists.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from marketplace import regions
from marketplace.accounts.models import OfficerAppointment, User
from marketplace.catalog.models import UNITS, Product, ProductStatus
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
from marketplace.text import slugify

DEMO_PASSWORD = "gotong-demo-2026"  # noqa: S105 - published on purpose: the demo logins
DOMAIN = "gotong.id"
ADMIN_EMAIL = f"admin@{DOMAIN}"
SEED = 2026


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


@dataclass(frozen=True)
class SeedResult:
    created: bool
    logins: list[DemoLogin]
    counts: dict[str, int]


TOYS, FOOD, LIVE, CRAFT, PROD, SERV = (
    Sector.DOLLS_TOYS,
    Sector.FOOD_DRINK,
    Sector.LIVESTOCK,
    Sector.CRAFTS,
    Sector.PRODUCE,
    Sector.SERVICES,
)

# --- people ---------------------------------------------------------------------------------------------
# (e-mail local part, full name). Phones are generated; every demo user shares DEMO_PASSWORD.

_STAFF = (
    ("admin", "Rahmawati Kusumaningrum", "platform admin"),
    ("dinas.bekasi", "Hendro Wibowo", "regional officer, Kabupaten Bekasi (Dinas Koperasi dan UKM)"),
    ("dinas.sumbar", "Yenni Marlina", "regional officer, Sumatera Barat province (Dinas Koperasi dan UKM)"),
    ("pembeli", "Fitri Handayani", "buyer (no business)"),
)
_OFFICERS = (("dinas.bekasi", "32.16"), ("dinas.sumbar", "13"))

_OWNERS = (
    # Kabupaten Bekasi — doll makers
    ("ketua.boneka", "H. Ahmad Suryadi"),
    ("pengurus.boneka", "Siti Rohmah"),
    ("pemilik.boneka1", "Dedi Kurniawan"),
    ("pemilik.boneka2", "Nurhayati"),
    ("pemilik.boneka3", "Rudi Hartono"),
    ("pemilik.boneka4", "Yuliana Safitri"),
    ("pemilik.boneka5", "Agus Salim"),
    ("pemilik.boneka6", "Hendra Wijaya"),
    ("pemilik.boneka7", "Wati Susilawati"),
    ("pemilik.boneka8", "Eko Prasetyo"),
    ("pemilik.boneka9", "Johan Tanuwijaya"),
    # Kabupaten Bekasi — marketing cooperative
    ("ketua.cikarang", "Bambang Sutrisno"),
    ("pemilik.cikarang1", "Ida Farida"),
    ("pemilik.cikarang2", "Romlah"),
    ("pemilik.cikarang3", "Dewi Lestari"),
    ("pemilik.cikarang4", "Fajar Ramadhan"),
    ("pemilik.cikarang5", "Rina Marlina"),
    ("pemilik.cikarang6", "Ujang Sopandi"),
    # Kabupaten Solok Selatan
    ("ketua.sangir", "Syafrizal"),
    ("pemilik.sangir1", "Yusrizal"),
    ("pemilik.sangir2", "Elfi Susanti"),
    ("pemilik.sangir3", "Nofrianto"),
    ("pemilik.sangir4", "Deswita"),
    ("pemilik.sangir5", "Zulkifli"),
    ("pemilik.sangir6", "Rahmat Hidayat"),
    ("pemilik.sangir7", "Afrizon"),
    ("ketua.pagu", "Darmawi"),
    ("pemilik.pagu1", "Zainal Abidin"),
    # Bali — Gianyar food and drink
    ("ketua.gianyar", "I Wayan Sudarma"),
    ("pemilik.gianyar1", "Ni Luh Putu Ariani"),
    ("pemilik.gianyar2", "Ni Made Sukerti"),
    ("pemilik.gianyar3", "I Ketut Arsana"),
    ("pemilik.gianyar4", "Ni Komang Tri Astuti"),
    ("pemilik.gianyar5", "I Nyoman Suardana"),
    ("pemilik.gianyar6", "Ni Kadek Wulandari"),
    # Bali — Kintamani coffee and produce
    ("ketua.kintamani", "I Gede Ngurah Wirawan"),
    ("pemilik.kintamani1", "I Made Suarjana"),
    ("pemilik.kintamani2", "I Nyoman Sukadana"),
    ("pemilik.kintamani3", "Ni Wayan Sri Utami"),
    ("pemilik.kintamani4", "I Ketut Darma"),
    # Kalimantan Tengah — Katingan
    ("ketua.katingan", "Dedy Tingang"),
    ("pemilik.katingan1", "Maria Bungai"),
    ("pemilik.katingan2", "Yanti Ranying"),
    ("pemilik.katingan3", "Pardi Lambung"),
    ("pemilik.katingan4", "Sabran Ahmad"),
    ("pemilik.katingan5", "Herlina Tuah"),
)

_PHONE_PREFIXES = ("812", "813", "821", "822", "852", "853", "811", "857", "856", "878", "877", "895", "838")

# --- cooperatives ---------------------------------------------------------------------------------------


class _Coop(NamedTuple):
    key: str
    name: str
    coop_type: CooperativeType
    regency: str
    sectors: tuple[Sector, ...]
    address: str
    founded_on: date
    requires_approval: bool
    legal_entity_number: str
    nik_koperasi: str
    chair: str
    co_managers: tuple[str, ...]
    description: str


_COOPS = (
    _Coop(
        "boneka",
        "Koperasi Boneka Bekasi Jaya",
        CooperativeType.PRODUCER,
        "32.16",
        (TOYS,),
        "Jl. Raya Sultan Hasanudin No. 112, Desa Tambun, Kec. Tambun Selatan, Kabupaten Bekasi 17510",
        date(2011, 3, 14),
        True,
        "AHU-0004512.AH.01.29.TAHUN 2019",
        "3216070020001129",
        "ketua.boneka",
        ("pengurus.boneka",),
        "Koperasi produsen para perajin boneka di Tambun, Cibitung, Setu dan Cikarang, sentra yang memasok "
        "sebagian besar boneka di Indonesia. Anggota memproduksi boneka beruang, boneka karakter, boneka "
        "wisuda dan mainan edukasi kayu untuk pasar grosir Jakarta serta pesanan maskot perusahaan. Setiap "
        "produk anggota ditinjau pengurus sebelum tayang untuk menjaga mutu dan kepatuhan SNI mainan.",
    ),
    _Coop(
        "cikarang",
        "Koperasi Pemasaran Cikarang Mandiri",
        CooperativeType.MARKETING,
        "32.16",
        (FOOD, CRAFT, SERV, TOYS),
        "Ruko Cikarang Square Blok B No. 7, Jl. Raya Cikarang–Cibarusah, Kec. Cikarang Selatan, "
        "Kabupaten Bekasi 17530",
        date(2016, 8, 22),
        False,
        "AHU-0011873.AH.01.29.TAHUN 2016",
        "3216110010002216",
        "ketua.cikarang",
        (),
        "Koperasi pemasaran yang membantu UMKM Cikarang dan sekitarnya menjual ke kawasan industri dan "
        "perumahan. Anggota memasarkan makanan olahan khas Betawi, batik Bekasi, anyaman bambu serta jasa "
        "sablon dan angkutan; koperasi mengurus promosi, etalase bersama dan pesanan pembeli korporat.",
    ),
    _Coop(
        "sangir",
        "Koperasi Peternak Sangir Sejahtera",
        CooperativeType.PRODUCER,
        "13.11",
        (LIVE, PROD, SERV),
        "Jl. Raya Padang Aro–Muara Labuh Km 3, Nagari Lubuk Gadang, Kec. Sangir, Kabupaten Solok Selatan "
        "27779",
        date(2014, 5, 10),
        False,
        "AHU-0002964.AH.01.29.TAHUN 2018",
        "1311030010000514",
        "ketua.sangir",
        (),
        "Koperasi peternak sapi potong dan kambing di Kecamatan Sangir, Sangir Jujuan dan Pauh Duo. Anggota "
        "memelihara sapi Simmental, Limousin, Bali, PO dan Pesisir dengan hijauan dari kebun sendiri, dan "
        "koperasi mengurus pemeriksaan kesehatan hewan (SKKH) sebelum penjualan. Menjelang Iduladha koperasi "
        "mengumpulkan sapi dan kambing kurban anggota untuk pembeli di Padang, Pekanbaru dan Jakarta.",
    ),
    _Coop(
        "pagu",
        "Koperasi Ternak Saiyo Sakato Sungai Pagu",
        CooperativeType.PRODUCER,
        "13.11",
        (LIVE,),
        "Jl. Raya Muara Labuh No. 23, Nagari Pasar Muara Labuh, Kec. Sungai Pagu, Kabupaten Solok Selatan "
        "27776",
        date(2003, 11, 2),
        True,
        "34/BH/KDK.3.11/XI/2003",
        "1311020010000311",
        "ketua.pagu",
        (),
        "Koperasi peternak sapi yang didirikan tahun 2003 oleh kelompok tani ternak di Sungai Pagu. Sejak "
        "2019 koperasi ini tidak aktif: Rapat Anggota Tahunan tidak lagi diadakan, penjualan bersama "
        "terhenti "
        "dan sebagian besar anggota menjual ternaknya sendiri ke pedagang pengumpul. Pengurus yang tersisa "
        "sedang menyiapkan pengaktifan kembali bersama Dinas Koperasi dan UKM Kabupaten Solok Selatan.",
    ),
    _Coop(
        "gianyar",
        "Koperasi Pangan Gianyar Sejahtera",
        CooperativeType.PRODUCER,
        "51.04",
        (FOOD,),
        "Jl. Raya Sukawati No. 88, Desa Sukawati, Kec. Sukawati, Kabupaten Gianyar 80582",
        date(2015, 2, 17),
        False,
        "AHU-0007391.AH.01.29.TAHUN 2015",
        "5104010020000215",
        "ketua.gianyar",
        (),
        "Koperasi produsen makanan dan minuman rumahan di Gianyar dan Denpasar. Anggota membuat pie susu, "
        "keripik, sambal matah, loloh dan bumbu base genep; sebagian besar sudah bersertifikat halal dan "
        "memiliki izin P-IRT. Koperasi memasok toko oleh-oleh, hotel dan katering di Ubud serta Denpasar.",
    ),
    _Coop(
        "kintamani",
        "Koperasi Tani Kopi Kintamani Lestari",
        CooperativeType.PRODUCER,
        "51.06",
        (PROD, FOOD),
        "Jl. Raya Penelokan–Kintamani, Desa Batur Selatan, Kec. Kintamani, Kabupaten Bangli 80652",
        date(2010, 7, 9),
        True,
        "AHU-0003348.AH.01.29.TAHUN 2017",
        "5106040010000710",
        "ketua.kintamani",
        (),
        "Koperasi petani kopi arabika, jeruk dan sayur di lereng Gunung Batur. Kopi anggota dipetik merah, "
        "diolah basah (full wash), honey maupun natural dan dijual sebagai biji mentah, biji sangrai dan "
        "kopi bubuk berindikasi geografis Kopi Arabika Kintamani Bali. Pengurus meninjau setiap produk "
        "sebelum tayang agar mutu dan asal kopi terjaga.",
    ),
    _Coop(
        "katingan",
        "Koperasi Produsen Rotan Katingan Bersatu",
        CooperativeType.PRODUCER,
        "62.06",
        (CRAFT, PROD, FOOD),
        "Jl. Tjilik Riwut No. 17, Kel. Kasongan Lama, Kec. Katingan Hilir, Kabupaten Katingan 74413",
        date(2013, 9, 25),
        False,
        "AHU-0009126.AH.01.29.TAHUN 2014",
        "6206010020000913",
        "ketua.katingan",
        (),
        "Koperasi perajin rotan dan purun serta pemungut hasil hutan di sepanjang Sungai Katingan. Anggota "
        "menganyam tas, lanjung dan tikar bermotif Dayak, membuat batik benang bintik, serta memanen madu "
        "kelulut dan getah karet dari kebun rakyat. Koperasi membantu pengeringan, pengemasan dan pengiriman "
        "ke Palangka Raya, Banjarmasin dan Jawa.",
    ),
)

# --- products: item templates ---------------------------------------------------------------------------


class _V(NamedTuple):
    """A variant: title part, price in rupiah, attribute value (defaults to the label), MOQ, unit."""

    label: str
    price: int
    attr: str | None = None
    moq: int | None = None
    unit: str | None = None


class _X(NamedTuple):
    """An extra option (colour, flavour, motif): title part, price difference, phrase for the description."""

    label: str = ""
    delta: int = 0
    phrase: str | None = None


def _v(*rows: tuple[Any, ...]) -> tuple[_V, ...]:
    return tuple(_V(*row) for row in rows)


def _x(*rows: tuple[Any, ...] | str) -> tuple[_X, ...]:
    return tuple(_X(row) if isinstance(row, str) else _X(*row) for row in rows)


@dataclass(frozen=True)
class _Item:
    """Products of one kind. Title and description use {V}/{v} (variant), {X}/{x} (extra), {a} (attribute)."""

    category: Sector
    title: str
    variants: tuple[_V, ...]
    desc: str
    unit: str = "pcs"
    attrs: dict[str, Any] = field(default_factory=dict)
    extras: tuple[_X, ...] = (_X(),)
    variant_attr: str | None = None
    stock: tuple[int, int] = (10, 120)
    moq: int = 1


_VELBOA = "Kain velboa, isi dakron silikon"
_KAYU = "Kayu pinus, cat water-based tidak beracun"
_COLOURS = _x("Cokelat", "Krem", "Merah Muda", "Putih", "Abu-abu")
_KOPI_PROCESS = _x(("Full Wash", 0, "full wash"), ("Natural", 10000, "natural"), ("Honey", 5000, "honey"))


def _toy(material: str, age: str = "3+ tahun") -> dict[str, Any]:
    return {"material": material, "age_range": age}


def _shelf(life: str, net: str | None = None) -> dict[str, Any]:
    return {"shelf_life": life} | ({"net_content": net} if net else {})


_ITEMS: dict[str, _Item] = {
    # ---- boneka & mainan
    "teddy": _Item(
        TOYS,
        "Boneka Beruang Teddy {X} {V}",
        _v(("30 cm", 65000), ("50 cm", 120000), ("80 cm", 210000), ("1 Meter", 325000)),
        "Boneka beruang Teddy warna {x} setinggi {v} dengan bulu lembut, pita leher satin dan mata bordir "
        "yang tidak bisa dicabut. Isi dakron silikon membuatnya tetap empuk dan tidak menggumpal setelah "
        "dicuci.",
        attrs=_toy(_VELBOA),
        extras=_COLOURS,
        stock=(15, 120),
    ),
    "teddy_jumbo": _Item(
        TOYS,
        "Boneka Beruang Jumbo {X} {V}",
        _v(("1,2 Meter", 365000), ("1,5 Meter", 450000)),
        "Boneka beruang jumbo setinggi {v} warna {x}, cukup besar untuk dipeluk orang dewasa dan menjadi "
        "hiasan "
        "sudut kamar. Dijahit dengan benang nilon ganda dan dikirim dalam kemasan vakum agar ongkos kirim "
        "hemat.",
        attrs=_toy("Kain rasfur, isi dakron silikon"),
        extras=_x("Cokelat", "Krem", "Putih", "Merah Muda"),
        stock=(3, 25),
    ),
    "kelinci": _Item(
        TOYS,
        "Boneka Kelinci Telinga Panjang {X} {V}",
        _v(("35 cm", 75000), ("50 cm", 115000), ("70 cm", 170000)),
        "Boneka kelinci warna {x} dengan telinga panjang yang bisa ditekuk dan ekor bulat dari bulu rasfur. "
        "Ukuran {v}, ringan dan pas untuk teman tidur anak.",
        attrs=_toy("Kain rasfur, isi dakron"),
        extras=_x("Putih", "Merah Muda", "Abu-abu"),
    ),
    "panda": _Item(
        TOYS,
        "Boneka Panda Duduk {V}",
        _v(("25 cm", 55000), ("40 cm", 95000), ("60 cm", 155000)),
        "Boneka panda posisi duduk setinggi {v} dengan kombinasi velboa hitam dan putih yang tidak luntur. "
        "Bagian bawah diberi dakron padat agar bisa duduk tegak di meja atau rak.",
        attrs=_toy(_VELBOA),
    ),
    "kucing": _Item(
        TOYS,
        "Boneka Kucing {X} {V}",
        _v(("30 cm", 60000), ("50 cm", 110000)),
        "Boneka kucing {x} berukuran {v} dengan kumis bordir dan kaki berisi dakron padat. Bahan yelvo halus "
        "dan tidak mudah rontok, aman dipeluk si kecil.",
        attrs=_toy("Kain yelvo, isi dakron silikon"),
        extras=_x("Oren", ("Belang Tiga", 0, "belang tiga (kucing telon)"), "Abu-abu"),
    ),
    "dino": _Item(
        TOYS,
        "Boneka Dinosaurus T-Rex {X} {V}",
        _v(("40 cm", 85000), ("60 cm", 135000), ("90 cm", 225000)),
        "Boneka T-Rex warna {x} sepanjang {v} dengan gigi dan duri punggung dari kain flanel lembut, bukan "
        "plastik. Favorit anak penggemar dinosaurus dan aman dibawa tidur.",
        attrs=_toy("Kain velboa dan flanel, isi dakron"),
        extras=_x("Hijau", "Biru", "Ungu"),
    ),
    "unicorn": _Item(
        TOYS,
        "Boneka Unicorn Pelangi {V}",
        _v(("35 cm", 80000), ("55 cm", 130000)),
        "Boneka unicorn putih dengan surai pelangi dari benang wol dan tanduk keemasan dari kain satin "
        "berisi "
        "dakron. Ukuran {v}, cocok untuk kado ulang tahun anak.",
        attrs=_toy("Kain velboa dan satin, isi dakron silikon"),
    ),
    "jerapah": _Item(
        TOYS,
        "Boneka Jerapah {V}",
        _v(("50 cm", 100000), ("80 cm", 170000)),
        "Boneka jerapah setinggi {v} dengan motif totol dari velboa cetak dan leher yang diberi jahitan "
        "penguat. Tetap berdiri tegak sebagai hiasan kamar bayi.",
        attrs=_toy(_VELBOA),
    ),
    "wisuda": _Item(
        TOYS,
        "Boneka Wisuda Beruang Toga {X} {V}",
        _v(("25 cm", 55000), ("35 cm", 85000), ("45 cm", 120000)),
        "Boneka beruang bertoga {x} setinggi {v} lengkap dengan topi wisuda, gulungan ijazah dan selempang. "
        "Nama wisudawan dan tahun lulus dibordir gratis; tulis di catatan pesanan.",
        attrs=_toy(_VELBOA),
        extras=_x("Hitam", "Biru Dongker", "Merah Marun"),
        stock=(20, 200),
    ),
    "hijab": _Item(
        TOYS,
        "Boneka Hijab Muslimah {X} {V}",
        _v(("30 cm", 70000), ("45 cm", 110000)),
        "Boneka anak perempuan berhijab dengan gamis {x} yang bisa dilepas dan dicuci. Tinggi {v}; wajah "
        "disulam tangan sehingga aman tanpa kancing atau manik kecil.",
        attrs=_toy("Kain velboa dan katun, isi dakron"),
        extras=_x("Biru Muda", "Ungu Lavender", "Hijau Tosca", "Merah Muda"),
    ),
    "bantal": _Item(
        TOYS,
        "Bantal Leher Karakter {V}",
        _v(("Kucing", 45000), ("Beruang", 45000), ("Panda", 45000), ("Rubah", 48000), ("Dinosaurus", 48000)),
        "Bantal leher berbentuk U dengan kepala karakter {v} yang menahan leher saat tidur di mobil atau "
        "pesawat. Sarungnya bisa dilepas dan dicuci mesin.",
        attrs=_toy("Kain minky, isi dakron silikon"),
    ),
    "puppet": _Item(
        TOYS,
        "Boneka Tangan Fabel {V}",
        _v(("Kancil", 38000), ("Buaya", 38000), ("Harimau", 40000), ("Gajah", 40000), ("Kura-kura", 38000)),
        "Boneka tangan {v} untuk mendongeng cerita fabel Nusantara di rumah, PAUD dan TK. Mulutnya bisa "
        "digerakkan dengan jari dan ukurannya pas di tangan orang dewasa maupun anak.",
        attrs=_toy("Kain flanel dan velboa"),
        stock=(20, 150),
    ),
    "punakawan": _Item(
        TOYS,
        "Boneka Punakawan {V}",
        _v(("Semar", 65000), ("Gareng", 65000), ("Petruk", 65000), ("Bagong", 65000), ("Set Isi 4", 240000)),
        "Boneka tokoh punakawan ({V}) setinggi 35 cm berbusana kain batik asli. Mengenalkan wayang kepada "
        "anak dengan cara yang lucu dan bisa dipeluk.",
        attrs=_toy("Kain velboa dan batik, isi dakron"),
    ),
    "ondel": _Item(
        TOYS,
        "Boneka Ondel-ondel Mini Sepasang {V}",
        _v(("30 cm", 85000), ("50 cm", 145000)),
        "Sepasang boneka ondel-ondel laki-laki dan perempuan setinggi {v}, ikon budaya Betawi yang dekat "
        "dengan "
        "Bekasi. Cocok untuk suvenir tamu, hiasan meja kantor dan oleh-oleh khas.",
        attrs=_toy("Kain satin dan velboa, isi dakron"),
    ),
    "maskot": _Item(
        TOYS,
        "Boneka Maskot Custom Logo Perusahaan {V}",
        _v(("25 cm", 75000), ("40 cm", 125000)),
        "Boneka maskot sesuai desain dan warna perusahaan atau sekolah, setinggi {v}, dengan logo bordir "
        "komputer. Contoh (sample) selesai 7 hari kerja dan produksi massal 3–4 minggu; pemesanan minimal 50 "
        "pcs.",
        attrs=_toy(_VELBOA),
        stock=(500, 2000),
        moq=50,
    ),
    "kayu": _Item(
        TOYS,
        "{V}",
        _v(
            ("Puzzle Huruf Kayu A–Z", 65000),
            ("Balok Susun Kayu 50 Keping", 125000),
            ("Mainan Sortir Bentuk Kayu", 85000),
            ("Papan Pasak Angka 1–10", 75000),
            ("Kereta Balok Kayu Huruf", 145000),
            ("Jam Edukasi Kayu", 55000),
            ("Puzzle Peta Indonesia Kayu", 95000),
            ("Menara Donat Kayu Pelangi", 45000),
            ("Mainan Memancing Magnet Kayu", 79000),
            ("Papan Pasak Warna Montessori", 89000),
        ),
        "{V} untuk melatih motorik halus, mengenal warna dan berhitung. Dibuat dari kayu pinus yang "
        "diampelas "
        "halus, sudutnya dibulatkan dan dicat dengan cat water-based tidak beracun.",
        attrs=_toy(_KAYU),
        stock=(10, 80),
    ),
    # ---- makanan & minuman
    "keripik_singkong": _Item(
        FOOD,
        "Keripik Singkong {X} {V}",
        _v(("150 gram", 15000), ("250 gram", 22000), ("500 gram", 35000)),
        "Keripik singkong rasa {x} dari singkong lokal yang diiris tipis dan digoreng dengan minyak baru "
        "setiap "
        "hari. Kemasan {v} dengan ziplock agar tetap renyah setelah dibuka.",
        attrs=_shelf("6 bulan"),
        extras=_x("Original", "Balado", "Pedas Manis", "Bawang Gurih"),
        variant_attr="net_content",
        stock=(30, 300),
    ),
    "keripik_pisang": _Item(
        FOOD,
        "Keripik Pisang {X} {V}",
        _v(("150 gram", 16000), ("250 gram", 24000), ("400 gram", 35000)),
        "Keripik pisang kepok rasa {x}, diiris memanjang dan digoreng renyah tanpa pengawet. Isi {v}, cocok "
        "untuk camilan keluarga dan oleh-oleh.",
        attrs=_shelf("4 bulan"),
        extras=_x("Manis", "Asin Gurih", "Cokelat"),
        variant_attr="net_content",
        stock=(30, 250),
    ),
    "keripik_ubi": _Item(
        FOOD,
        "Keripik Ubi Ungu {X} {V}",
        _v(("150 gram", 17000), ("250 gram", 25000)),
        "Keripik rasa {x} dari ubi ungu pilihan dengan warna alami tanpa pewarna tambahan. Kemasan {v}, "
        "gurih "
        "dan renyah.",
        attrs=_shelf("4 bulan"),
        extras=_x("Original", "Balado"),
        variant_attr="net_content",
        stock=(30, 200),
    ),
    "keripik_tempe": _Item(
        FOOD,
        "Keripik Tempe {X} {V}",
        _v(("200 gram", 18000), ("400 gram", 32000)),
        "Keripik tempe tipis dari kedelai pilihan, dibalut tepung beras berbumbu rasa {x}. Isi {v}, renyah, "
        "tahan lama dan cocok sebagai lauk maupun camilan.",
        attrs=_shelf("3 bulan"),
        extras=_x("Original", "Pedas", "Daun Jeruk"),
        variant_attr="net_content",
        stock=(30, 250),
    ),
    "sambal_matah": _Item(
        FOOD,
        "Sambal Matah {X} Botol {V}",
        _v(("150 ml", 28000), ("250 ml", 42000)),
        "Sambal matah khas Bali dari bawang merah, cabai rawit, serai dan daun jeruk segar dengan minyak "
        "kelapa. Varian {x} dalam botol kaca {v}, dipasteurisasi sehingga tahan lebih lama.",
        unit="botol",
        attrs=_shelf("3 bulan (simpan di kulkas setelah dibuka)"),
        extras=_x("Original", "Ekstra Pedas"),
        variant_attr="net_content",
        stock=(20, 150),
    ),
    "sambal_bali": _Item(
        FOOD,
        "Sambal {V} Botol 150 ml",
        _v(("Embe", 27000), ("Bongkot", 30000), ("Terasi Bali", 27000), ("Bawang Kintamani", 28000)),
        "Sambal {V} racikan rumahan Bali dengan cabai segar, tanpa pengawet buatan. Pas untuk nasi hangat, "
        "ayam betutu dan ikan bakar.",
        unit="botol",
        attrs=_shelf("2 bulan (simpan di kulkas setelah dibuka)", "150 ml"),
        stock=(20, 120),
    ),
    "pie_susu": _Item(
        FOOD,
        "Pie Susu Bali {X} {V}",
        _v(
            ("Isi 10", 25000, "10 × 35 gram"),
            ("Isi 20", 48000, "20 × 35 gram"),
            ("Isi 30", 70000, "30 × 35 gram"),
        ),
        "Pie susu khas Bali rasa {x} dengan kulit renyah dan isian susu lembut yang tidak terlalu manis. "
        "Kemasan {v} dalam kotak oleh-oleh, tahan dua minggu pada suhu ruang.",
        unit="paket",
        attrs=_shelf("14 hari"),
        extras=_x("Original", "Cokelat", "Keju", "Pandan"),
        variant_attr="net_content",
        stock=(20, 200),
    ),
    "loloh": _Item(
        FOOD,
        "Loloh {V} Botol 350 ml",
        _v(("Cemcem", 12000), ("Kunyit Asam", 12000), ("Sembung", 13000), ("Daun Kayu Manis", 13000)),
        "Loloh {V}, minuman herbal tradisional Bali yang diolah dari daun dan rempah segar tanpa pengawet. "
        "Paling segar diminum dingin.",
        unit="botol",
        attrs=_shelf("5 hari (simpan dingin)", "350 ml"),
        stock=(20, 100),
    ),
    "loloh_paket": _Item(
        FOOD,
        "Paket Loloh {V} 6 Botol",
        _v(("Cemcem", 65000), ("Kunyit Asam", 65000), ("Campur", 70000)),
        "Enam botol loloh {v} 350 ml dalam kotak pendingin, praktis untuk arisan, rapat banjar dan hidangan "
        "tamu. Diantar di Gianyar dan Denpasar pada hari yang sama dengan produksi.",
        unit="paket",
        attrs=_shelf("5 hari (simpan dingin)", "6 × 350 ml"),
        stock=(5, 40),
    ),
    "base_genep": _Item(
        FOOD,
        "Bumbu Bali {X} {V}",
        _v(("100 gram", 18000), ("250 gram", 35000), ("1 kg", 120000)),
        "Bumbu {X} siap pakai, diulek dari bawang, cabai, kunyit, lengkuas, kencur dan terasi sesuai resep "
        "dapur Bali. Kemasan {v}; simpan di kulkas dan cukup ditumis untuk memasak ayam, ikan atau sayur.",
        attrs=_shelf("3 bulan di kulkas, 6 bulan beku"),
        extras=_x("Base Genep", "Base Be Siap", ("Base Sate Lilit", 2000), "Base Rajang"),
        variant_attr="net_content",
        stock=(15, 120),
    ),
    "kacang": _Item(
        FOOD,
        "{V}",
        _v(
            ("Kacang Kapri Bali 200 gram", 20000, "200 gram"),
            ("Kacang Kapri Bali 400 gram", 35000, "400 gram"),
            ("Kacang Disko Pedas 200 gram", 22000, "200 gram"),
            ("Kacang Tojin Bawang 250 gram", 24000, "250 gram"),
        ),
        "{V} olahan rumahan Sukawati, digoreng renyah dengan bumbu bawang putih dan daun jeruk. Dikemas "
        "rapat "
        "agar tetap garing sampai enam bulan.",
        attrs=_shelf("6 bulan"),
        variant_attr="net_content",
        stock=(30, 200),
    ),
    "dodol_bali": _Item(
        FOOD,
        "Dodol Bali {X} {V}",
        _v(("250 gram", 25000), ("500 gram", 45000)),
        "Dodol Bali {x} dari ketan, santan kelapa dan gula aren, dimasak hingga delapan jam lalu dibungkus "
        "kulit jagung kering. Isi {v}.",
        attrs=_shelf("2 bulan"),
        extras=_x("Ketan Hitam", "Nangka", ("Salak Bali", 0, "salak Bali")),
        variant_attr="net_content",
        stock=(20, 150),
    ),
    "dodol_betawi": _Item(
        FOOD,
        "Dodol Betawi {X} {V}",
        _v(("500 gram", 45000), ("1 kg", 85000)),
        "Dodol Betawi {x} yang diaduk di kuali besar selama delapan jam dengan santan kelapa dan gula merah. "
        "Legit dan tidak lengket di gigi; isi {v}.",
        attrs=_shelf("2 bulan"),
        extras=_x("Ketan Hitam", "Ketan Putih", "Durian"),
        variant_attr="net_content",
        stock=(15, 120),
    ),
    "bir_pletok": _Item(
        FOOD,
        "Bir Pletok Betawi {V}",
        _v(("Botol 250 ml", 15000, "250 ml"), ("Botol 600 ml", 30000, "600 ml")),
        "Minuman rempah khas Betawi dari jahe, serai, kayu secang dan cengkih, tanpa alkohol dan tanpa "
        "pengawet. Nikmat diminum hangat maupun dingin.",
        unit="botol",
        attrs=_shelf("3 bulan"),
        variant_attr="net_content",
        stock=(30, 240),
    ),
    "bir_pletok_paket": _Item(
        FOOD,
        "Paket Bir Pletok Betawi {V}",
        _v(("12 Botol 250 ml", 170000, "12 × 250 ml"), ("24 Botol 250 ml", 330000, "24 × 250 ml")),
        "Bir pletok (minuman rempah tanpa alkohol) dalam kardus isi {v}, untuk hajatan, rapat kantor dan "
        "parsel. Gratis antar untuk pemesanan di Cikarang dan Tambun.",
        unit="paket",
        attrs=_shelf("3 bulan"),
        variant_attr="net_content",
        stock=(5, 40),
    ),
    "kue_kering": _Item(
        FOOD,
        "{V}",
        _v(
            ("Nastar Nanas Premium Toples 500 gram", 95000, "500 gram"),
            ("Kastengel Keju Edam Toples 500 gram", 110000, "500 gram"),
            ("Putri Salju Toples 500 gram", 85000, "500 gram"),
            ("Kue Semprit Kacang Toples 250 gram", 45000, "250 gram"),
            ("Lidah Kucing Toples 250 gram", 48000, "250 gram"),
            ("Hampers Kue Kering Isi 4 Toples", 350000, "4 × 500 gram", None, "paket"),
        ),
        "{V} buatan rumahan dengan mentega dan telur segar, dipanggang dalam jumlah kecil setiap hari. Cocok "
        "untuk sajian Lebaran, Natal dan bingkisan kantor.",
        attrs=_shelf("2 bulan"),
        variant_attr="net_content",
        stock=(10, 80),
    ),
    "kopi_bubuk": _Item(
        FOOD,
        "Kopi Arabika Kintamani Bubuk {X} {V}",
        _v(("250 gram", 55000), ("500 gram", 105000), ("1 kg", 200000)),
        "Kopi arabika Kintamani proses {x} yang disangrai medium lalu digiling sedang, cocok untuk tubruk, "
        "V60 "
        "maupun mesin espresso rumahan. Aroma jeruk dan gula aren khas kebun di ketinggian 1.200–1.600 mdpl.",
        attrs=_shelf("12 bulan"),
        extras=_KOPI_PROCESS,
        variant_attr="net_content",
        stock=(20, 200),
    ),
    "kopi_sangrai": _Item(
        FOOD,
        "Biji Kopi Sangrai Arabika Kintamani {X} {V}",
        _v(("250 gram", 60000), ("500 gram", 115000), ("1 kg", 225000)),
        "Biji kopi arabika Kintamani utuh dengan tingkat sangrai {x}, digiling sesaat sebelum diseduh agar "
        "aromanya tetap segar. Dikemas dalam kantong aluminium foil berkatup satu arah; isi {v}.",
        attrs=_shelf("12 bulan"),
        extras=_x("Light Roast", "Medium Roast", "Dark Roast"),
        variant_attr="net_content",
        stock=(20, 150),
    ),
    "kopi_drip": _Item(
        FOOD,
        "Kopi Drip Bag Arabika Kintamani {X} Isi {V}",
        _v(("10", 65000, "10 × 10 gram"), ("20", 120000, "20 × 10 gram")),
        "Kopi arabika Kintamani proses {x} dalam kantong saring (drip bag) sekali seduh: sobek, gantung di "
        "cangkir dan tuang air panas. Praktis untuk kantor, perjalanan dan kamar hotel.",
        unit="paket",
        attrs=_shelf("9 bulan"),
        extras=_KOPI_PROCESS,
        variant_attr="net_content",
        stock=(20, 150),
    ),
    "cascara": _Item(
        FOOD,
        "Teh Cascara Kulit Kopi Kintamani {V}",
        _v(("100 gram", 45000), ("250 gram", 95000)),
        "Cascara, kulit buah kopi arabika yang dikeringkan dan diseduh seperti teh, dengan rasa manis buah "
        "dan sedikit asam. Isi {v}; seduh 10 gram dengan 250 ml air panas selama lima menit.",
        attrs=_shelf("12 bulan"),
        variant_attr="net_content",
        stock=(20, 120),
    ),
    "madu_kelulut": _Item(
        FOOD,
        "Madu Kelulut Murni {V}",
        _v(("150 ml", 95000), ("250 ml", 150000), ("500 ml", 275000)),
        "Madu lebah kelulut (trigona) dari sarang di kebun dan hutan rakyat Katingan, rasanya manis asam "
        "segar "
        "dan lebih encer dari madu biasa. Dipanen tanpa dipanaskan dan dikemas dalam botol kaca {v}.",
        unit="botol",
        attrs=_shelf("24 bulan"),
        variant_attr="net_content",
        stock=(10, 80),
    ),
    "madu_hutan": _Item(
        FOOD,
        "Madu Hutan Kalimantan {V}",
        _v(("250 ml", 85000), ("500 ml", 160000), ("1 liter", 295000)),
        "Madu hutan dari lebah liar (Apis dorsata) yang dipanen secara lestari oleh pemungut madu di hulu "
        "Sungai Katingan. Disaring dua kali tanpa pemanasan; kemasan botol {v}.",
        unit="botol",
        attrs=_shelf("24 bulan"),
        variant_attr="net_content",
        stock=(10, 80),
    ),
    # ---- kerajinan
    "tas_rotan": _Item(
        CRAFT,
        "Tas Rotan {V} {X}",
        _v(
            ("Selempang Bulat", 185000, "Diameter 20 cm"),
            ("Jinjing Sedang", 275000, "30 × 12 × 22 cm"),
            ("Jinjing Besar", 350000, "40 × 15 × 30 cm"),
        ),
        "Tas rotan {v} berukuran {a}, dianyam tangan dengan {x}. Rotan direbus, dijemur dan dipernis agar "
        "kuat "
        "serta tidak berjamur; satu tas dikerjakan dua sampai empat hari.",
        attrs={"material": "Rotan sega dan rotan irit", "technique": "Anyaman tangan, finishing pernis"},
        extras=_x(
            ("Motif Dayak Ngaju", 0, "motif Dayak Ngaju"),
            ("Motif Batang Garing", 15000, "motif pohon kehidupan Batang Garing"),
            ("Polos Natural", -10000, "anyaman polos warna alami"),
        ),
        variant_attr="dimensions",
        stock=(3, 30),
    ),
    "lanjung": _Item(
        CRAFT,
        "Keranjang Lanjung Rotan {V}",
        _v(
            ("Tinggi 40 cm", 225000, "Tinggi 40 cm, diameter 30 cm"),
            ("Tinggi 60 cm", 325000, "Tinggi 60 cm, diameter 38 cm"),
        ),
        "Lanjung, keranjang punggung tradisional Dayak untuk membawa hasil kebun, dianyam dari rotan utuh "
        "dengan tali sandang kulit kayu. Kini banyak dipakai sebagai keranjang cucian, pot tanaman atau "
        "dekorasi; ukuran {a}.",
        attrs={"material": "Rotan utuh dan kulit kayu", "technique": "Anyaman tangan tradisional"},
        variant_attr="dimensions",
        stock=(3, 20),
    ),
    "tikar_purun": _Item(
        CRAFT,
        "Tikar Purun {X} {V}",
        _v(("100 × 150 cm", 85000), ("150 × 200 cm", 135000), ("200 × 300 cm", 225000)),
        "Tikar anyaman purun {x} berukuran {v} dari rumput purun rawa gambut Katingan yang dipipihkan dan "
        "dijemur. Sejuk untuk alas duduk dan tidur, ringan dan mudah digulung.",
        attrs={
            "material": "Purun danau (Lepironia articulata)",
            "technique": "Anyaman tangan, pewarna alami",
        },
        extras=_x(("Motif Kotak Warna", 10000, "motif kotak berwarna"), ("Polos Natural", 0, "warna alami")),
        variant_attr="dimensions",
        stock=(5, 40),
    ),
    "tas_purun": _Item(
        CRAFT,
        "Tas Purun Jinjing {V}",
        _v(
            ("Kecil", 45000, "25 × 10 × 20 cm"),
            ("Sedang", 65000, "35 × 12 × 28 cm"),
            ("Belanja Besar", 75000, "42 × 15 × 35 cm"),
        ),
        "Tas jinjing dari anyaman purun dengan pegangan kain dan lapisan dalam, pengganti kantong plastik "
        "untuk belanja ke pasar. Ukuran {a}.",
        attrs={"material": "Purun danau, pegangan kain katun", "technique": "Anyaman tangan, dijahit"},
        variant_attr="dimensions",
        stock=(10, 80),
    ),
    "kap_lampu": _Item(
        CRAFT,
        "Kap Lampu Gantung Rotan {V}",
        _v(
            ("Diameter 30 cm", 165000, "Diameter 30 cm, tinggi 25 cm"),
            ("Diameter 45 cm", 245000, "Diameter 45 cm, tinggi 35 cm"),
        ),
        "Kap lampu gantung {v} dari rotan irit yang dianyam rapat sehingga cahayanya jatuh berpola hangat. "
        "Dilengkapi fitting E27 dan kabel 1 meter; cocok untuk kafe dan teras rumah.",
        attrs={"material": "Rotan irit", "technique": "Anyaman tangan, finishing pernis doff"},
        variant_attr="dimensions",
        stock=(3, 25),
    ),
    "nampan": _Item(
        CRAFT,
        "Nampan Rotan Bulat {V}",
        _v(
            ("Diameter 30 cm", 95000),
            ("Diameter 40 cm", 135000),
            ("Set Isi 3", 215000, "Diameter 25, 30 dan 40 cm"),
        ),
        "Nampan rotan ({a}) dengan pinggiran tinggi dan pegangan samping, kuat untuk menyajikan minuman dan "
        "kue. Dipernis food grade sehingga mudah dilap.",
        attrs={"material": "Rotan sega dan triplek alas", "technique": "Anyaman tangan"},
        variant_attr="dimensions",
        stock=(5, 40),
    ),
    "batik_bintik": _Item(
        CRAFT,
        "Kain Batik Benang Bintik {X} {V}",
        _v(("Cap", 175000, "Batik cap"), ("Tulis", 450000, "Batik tulis")),
        "Batik benang bintik khas Kalimantan Tengah {x}, dibuat dengan teknik {v} di atas kain katun "
        "primisima. "
        "Ukuran 2 × 1,15 meter, warnanya cerah dan tidak luntur setelah dicuci.",
        attrs={"material": "Katun primisima", "dimensions": "2 × 1,15 meter"},
        extras=_x(
            ("Motif Batang Garing", 0, "motif Batang Garing"),
            ("Motif Balanga", 0, "motif guci Balanga"),
            ("Motif Burung Tingang", 20000, "motif burung Tingang"),
        ),
        variant_attr="technique",
        stock=(3, 30),
    ),
    "manik": _Item(
        CRAFT,
        "{V}",
        _v(
            ("Gelang Manik Dayak", 35000, "Diameter 6 cm"),
            ("Kalung Manik Dayak Motif Enggang", 85000, "Panjang 45 cm"),
            ("Tas Manik Dayak Jinjing", 245000, "22 × 8 × 16 cm"),
            ("Ikat Kepala Manik Dayak", 125000, "Lingkar 56 cm"),
        ),
        "{V} dironce tangan dari manik-manik kaca warna cerah dengan pola khas Dayak. Ukuran {a}; cocok "
        "untuk "
        "suvenir, busana adat dan hadiah.",
        attrs={"material": "Manik-manik kaca dan benang nilon", "technique": "Ronce manik tangan"},
        variant_attr="dimensions",
        stock=(5, 60),
    ),
    "batik_bekasi": _Item(
        CRAFT,
        "Kain Batik Bekasi {X} {V}",
        _v(
            ("Cap", 165000, "Batik cap"),
            ("Tulis", 425000, "Batik tulis"),
            ("Kombinasi Cap Tulis", 265000, "Batik cap kombinasi tulis"),
        ),
        "Kain batik khas Bekasi {x} dengan teknik {a}, dikerjakan perajin di Setu dan Tambun. Ukuran 2 × "
        "1,15 "
        "meter, cocok untuk kemeja, seragam kantor dan kain kebaya.",
        attrs={"material": "Katun primisima", "dimensions": "2 × 1,15 meter"},
        extras=_x(
            ("Motif Bambu Kuning", 0, "motif bambu kuning"),
            ("Motif Ondel-ondel", 0, "motif ondel-ondel"),
            ("Motif Tugu Juang", 0, "motif Tugu Juang Bekasi"),
            ("Motif Burung Kuntul", 10000, "motif burung kuntul Muara Gembong"),
        ),
        variant_attr="technique",
        stock=(3, 40),
    ),
    "kemeja_batik": _Item(
        CRAFT,
        "Kemeja Batik Bekasi Lengan Pendek Ukuran {V}",
        _v(
            ("M", 185000, "Lebar dada 104 cm, panjang 72 cm"),
            ("L", 185000, "Lebar dada 110 cm, panjang 74 cm"),
            ("XL", 195000, "Lebar dada 116 cm, panjang 76 cm"),
            ("XXL", 205000, "Lebar dada 122 cm, panjang 78 cm"),
        ),
        "Kemeja batik Bekasi lengan pendek ukuran {V} dengan furing di bagian badan dan kancing batok "
        "kelapa. "
        "Motif bambu kuning dan ondel-ondel, cocok untuk seragam Jumat kantor dan kondangan.",
        attrs={"material": "Katun primisima batik cap", "technique": "Batik cap, dijahit penjahit anggota"},
        variant_attr="dimensions",
        stock=(5, 40),
    ),
    "anyaman_bambu": _Item(
        CRAFT,
        "{V}",
        _v(
            ("Besek Bambu 15 × 15 cm Isi 50", 75000, "15 × 15 × 6 cm", None, "paket"),
            ("Tampah Bambu Diameter 40 cm", 18000, "Diameter 40 cm"),
            ("Kap Lampu Bambu Anyam", 125000, "Diameter 35 cm"),
            ("Kukusan Bambu Kerucut", 12000, "Tinggi 30 cm"),
            ("Keranjang Parsel Bambu Set Isi 3", 85000, "Diameter 25, 30 dan 35 cm"),
            ("Tempat Tisu Anyaman Bambu", 35000, "24 × 13 × 9 cm"),
        ),
        "{V} dari bambu tali yang dianyam tangan oleh perajin Cabangbungin, dijemur dan diasap agar awet "
        "serta "
        "tidak dimakan bubuk. Ukuran {a}; cocok untuk wadah hantaran, hajatan dan dekorasi.",
        attrs={"material": "Bambu tali", "technique": "Anyaman tangan, diasap"},
        variant_attr="dimensions",
        stock=(10, 150),
    ),
    # ---- pertanian
    "green_bean": _Item(
        PROD,
        "Green Bean Arabika Kintamani {X} {V}",
        _v(("Grade 1", 140000), ("Grade 2", 120000), ("Peaberry", 160000)),
        "Biji kopi mentah arabika Kintamani proses {x}, kadar air 11–12% dengan mutu {v} sesuai SNI "
        "2907:2008. "
        "Cocok untuk roastery dan kafe; sampel 200 gram bisa dikirim sebelum pembelian besar.",
        unit="kg",
        attrs={
            "variety": "Arabika S795 dan Kopyol",
            "origin": "Kintamani, Kabupaten Bangli",
            "harvest": "Juli 2026",
        },
        extras=_KOPI_PROCESS,
        variant_attr="grade",
        stock=(100, 800),
        moq=5,
    ),
    "jeruk": _Item(
        PROD,
        "Jeruk Siam Kintamani {V}",
        _v(("Grade A", 22000), ("Grade B", 16000), ("Super", 26000)),
        "Jeruk siam dari kebun di lereng Gunung Batur, manis segar dengan kulit tipis dan banyak air. Mutu "
        "{v}, "
        "dipetik sehari sebelum dikirim.",
        unit="kg",
        attrs={
            "variety": "Jeruk siam (Citrus nobilis)",
            "origin": "Songan, Kintamani",
            "harvest": "November 2026",
        },
        variant_attr="grade",
        stock=(200, 1500),
        moq=5,
    ),
    "jeruk_peti": _Item(
        PROD,
        "Jeruk Siam Kintamani Peti 15 kg {V}",
        _v(("Grade A", 315000), ("Grade B", 225000)),
        "Satu peti kayu berisi 15 kg jeruk siam Kintamani mutu {v}, disortir ukuran dan siap dikirim ke toko "
        "buah atau hotel. Harga sudah termasuk peti dan pengemasan.",
        unit="paket",
        attrs={
            "variety": "Jeruk siam (Citrus nobilis)",
            "origin": "Songan, Kintamani",
            "harvest": "November 2026",
        },
        variant_attr="grade",
        stock=(10, 60),
    ),
    "sayur": _Item(
        PROD,
        "{V}",
        _v(
            ("Kubis Kintamani", 7000, "Kubis bulat Grand 11"),
            ("Tomat Buah Merah", 9000, "Tomat servo"),
            ("Bawang Merah Kintamani", 38000, "Bawang merah lokal Batur"),
            ("Cabai Rawit Merah", 45000, "Cabai rawit dewata"),
            ("Sawi Putih", 8000, "Sawi putih (petsai)"),
            ("Daun Bawang Prei", 15000, "Bawang prei"),
            ("Wortel Kintamani", 10000, "Wortel lokal"),
        ),
        "{V} segar dari ladang dataran tinggi di tepi Danau Batur, dipanen pagi hari dan sampai di Denpasar, "
        "Gianyar dan Badung keesokan harinya. Harga per kg dengan pembelian minimal 5 kg, cocok untuk hotel, "
        "restoran dan katering.",
        unit="kg",
        attrs={"origin": "Kedisan, Kintamani", "harvest": "November 2026", "grade": "A"},
        variant_attr="variety",
        stock=(50, 600),
        moq=5,
    ),
    "kompos": _Item(
        PROD,
        "Pupuk Kompos Kotoran Sapi Karung {V}",
        _v(("25 kg", 35000), ("50 kg", 65000)),
        "Kompos dari kotoran sapi anggota koperasi yang difermentasi enam minggu, sudah matang, tidak berbau "
        "dan diayak halus. Karung {v}, cocok untuk sayur, kopi dan tanaman hias.",
        unit="karung",
        attrs={
            "variety": "Kompos kotoran sapi fermentasi",
            "origin": "Sangir, Solok Selatan",
            "harvest": "Oktober 2026",
            "grade": "Halus (diayak)",
        },
        stock=(40, 300),
    ),
    "bibit_rumput": _Item(
        PROD,
        "Bibit Rumput {V} Stek Isi 100 Batang",
        _v(("Odot", 50000, "Rumput gajah mini (odot)"), ("Gajah Pakchong", 75000, "Rumput gajah Pakchong")),
        "Stek bibit rumput {v} dari kebun hijauan pakan anggota, siap tanam dan cepat tumbuh. Satu paket 100 "
        "batang cukup untuk sekitar 100 m² lahan.",
        unit="paket",
        attrs={"origin": "Sungai Kunyit, Sangir", "harvest": "November 2026", "grade": "Bibit pilihan"},
        variant_attr="variety",
        stock=(10, 80),
    ),
    "silase": _Item(
        PROD,
        "Silase Jagung Pakan Sapi Karung {V}",
        _v(
            ("40 kg", 60000),
        ),
        "Silase dari tanaman jagung muda yang dicacah dan difermentasi kedap udara selama 21 hari, pakan "
        "berserat yang disukai sapi. Tahan disimpan hingga enam bulan selama karung tertutup rapat.",
        unit="karung",
        attrs={
            "variety": "Jagung hibrida",
            "origin": "Sangir, Solok Selatan",
            "harvest": "September 2026",
            "grade": "Fermentasi 21 hari",
        },
        stock=(30, 200),
        moq=5,
    ),
    "jagung": _Item(
        PROD,
        "Jagung Pipil Kering untuk Pakan Ternak {V}",
        _v(
            ("Kadar Air 14%", 6500, "Kadar air 14%"),
        ),
        "Jagung pipil kering dari petani Sangir, dijemur dan disortir sehingga bebas jamur. Harga per kg "
        "dengan pembelian minimal 50 kg, dikemas karung 50 kg.",
        unit="kg",
        attrs={
            "variety": "Jagung hibrida kuning",
            "origin": "Sangir, Solok Selatan",
            "harvest": "Oktober 2026",
        },
        variant_attr="grade",
        stock=(500, 4000),
        moq=50,
    ),
    "karet": _Item(
        PROD,
        "Getah Karet (Bokar) Bersih {V}",
        _v(("KKK 50%", 11500), ("KKK 60%", 13500)),
        "Bahan olah karet rakyat berbentuk slab dengan {V} (kadar karet kering), dibekukan dengan asap cair "
        "tanpa campuran tanah atau tatal. Dijual per kg, minimal 500 kg, ditimbang di gudang koperasi di "
        "Kasongan.",
        unit="kg",
        attrs={
            "variety": "Karet klon PB 260 dan lokal",
            "origin": "Tewang Sangalang Garing, Katingan",
            "harvest": "November 2026",
        },
        variant_attr="grade",
        stock=(2000, 8000),
        moq=500,
    ),
    "rotan_mentah": _Item(
        PROD,
        "Rotan {V} Kering",
        _v(("Sega Asalan", 14000), ("Irit Poles", 18000), ("Taman Asalan", 12000)),
        "Rotan {v} hasil kebun rakyat Katingan yang sudah dijemur dan diasap belerang sehingga tidak "
        "berjamur. "
        "Panjang batang 3–4 meter, diikat per 25 kg, untuk perajin mebel dan anyaman.",
        unit="kg",
        attrs={
            "variety": "Rotan (Calamus spp.)",
            "origin": "Katingan, Kalimantan Tengah",
            "harvest": "Oktober 2026",
        },
        variant_attr="grade",
        stock=(500, 3000),
        moq=100,
    ),
    # ---- jasa
    "truk_bekasi": _Item(
        SERV,
        "{V}",
        _v(
            ("Sewa Truk Engkel Box dengan Sopir", 850000),
            ("Sewa Truk CDD Bak Terbuka dengan Sopir", 1100000),
            ("Sewa Pick Up L300 dengan Sopir", 550000),
        ),
        "{V} untuk angkutan barang UMKM, pindahan dan distribusi ke kawasan industri Cikarang. Harga per "
        "hari "
        "(maksimal 12 jam) sudah termasuk sopir dan BBM dalam kota; tol dan parkir ditanggung penyewa.",
        unit="hari",
        attrs={
            "service_area": "Kabupaten dan Kota Bekasi, Jakarta, Karawang",
            "lead_time": "Pesan paling lambat H-1",
        },
        stock=(10, 25),
    ),
    "pindahan": _Item(
        SERV,
        "Jasa Pindahan Rumah {V}",
        _v(
            ("Jabodetabek Paket Lengkap", 1500000),
        ),
        "Paket pindahan rumah atau kos dengan truk engkel, tiga tenaga angkut dan bahan pengemas (kardus, "
        "plastik wrap, bubble wrap). Bongkar-pasang lemari dan ranjang sederhana sudah termasuk.",
        unit="paket",
        attrs={"service_area": "Jabodetabek", "lead_time": "Jadwalkan 3 hari sebelumnya"},
        stock=(5, 15),
    ),
    "sablon": _Item(
        SERV,
        "{V}",
        _v(
            ("Sablon Kaos Plastisol 1 Warna", 25000, None, 24),
            ("Sablon Kaos DTF Full Color", 45000, None, 12),
            ("Sablon Tote Bag Kanvas", 22000, None, 50),
            ("Bordir Logo Seragam Kerja", 15000, None, 24),
            ("Cetak Spanduk Flexi 280 gram", 25000, None, 1, "meter"),
        ),
        "{V} untuk seragam pabrik, komunitas, acara kantor dan promosi UMKM; harga sudah termasuk film dan "
        "setting desain sederhana. Kirim file desain lewat WhatsApp, proof digital dikirim sebelum produksi.",
        attrs={
            "service_area": "Cikarang, Cibitung, Tambun dan sekitarnya (kirim ke seluruh Indonesia)",
            "lead_time": "3–5 hari kerja",
        },
        stock=(500, 5000),
    ),
    "truk_ternak": _Item(
        SERV,
        "Sewa Truk Angkut Ternak Colt Diesel {V}",
        _v(
            ("dengan Sopir dan Kernet", 850000),
        ),
        "Truk bak kayu berpagar tinggi untuk mengangkut sapi dan kambing, muat hingga 4 ekor sapi dewasa. "
        "Harga per hari untuk wilayah Solok Selatan; perjalanan ke luar kabupaten dihitung terpisah.",
        unit="hari",
        attrs={
            "service_area": "Kabupaten Solok Selatan dan sekitarnya",
            "lead_time": "Pesan paling lambat H-2",
        },
        stock=(10, 25),
    ),
    "angkut_padang": _Item(
        SERV,
        "Angkut Sapi Solok Selatan–{V} per Trip (Maks. 4 Ekor)",
        _v(("Padang", 1750000), ("Pekanbaru", 3500000)),
        "Jasa antar ternak dari kandang anggota di Solok Selatan sampai ke {V}, termasuk sopir, kernet, "
        "pakan "
        "di perjalanan dan surat jalan ternak. Sangat dicari menjelang Iduladha; pesan lebih awal.",
        unit="paket",
        attrs={
            "service_area": "Solok Selatan ke Padang dan Pekanbaru",
            "lead_time": "Pesan paling lambat H-3",
        },
        stock=(5, 20),
    ),
    "ib_sapi": _Item(
        SERV,
        "Jasa {V} Sapi",
        _v(("Inseminasi Buatan (IB)", 150000), ("Pemeriksaan Kebuntingan (PKB)", 100000)),
        "Layanan {V} oleh inseminator dan petugas kesehatan hewan bersertifikat yang bermitra dengan "
        "koperasi, "
        "datang ke kandang peternak. Harga per ekor, semen beku Simmental atau Limousin tersedia.",
        unit="ekor",
        attrs={
            "service_area": "Kecamatan Sangir, Sangir Jujuan, Sangir Batang Hari",
            "lead_time": "1–2 hari",
        },
        stock=(20, 60),
    ),
}

# --- products: livestock --------------------------------------------------------------------------------


class _Breed(NamedTuple):
    species: str
    breed: str
    label: str
    male: tuple[tuple[int, int], tuple[int, int]]  # (age range in months, live-weight range in kg)
    female: tuple[tuple[int, int], tuple[int, int]] | None
    kg_price: tuple[int, int]  # thousand rupiah per kg live weight
    head_price: tuple[int, int]  # per-head price bounds
    per_kg_share: float  # share of listings priced per kg live weight
    qurban_age: int
    trait: str


_SAPI_HEAD = (18_000_000, 35_000_000)
_KAMBING_HEAD = (2_500_000, 4_500_000)

_BREEDS: dict[str, _Breed] = {
    "limousin": _Breed(
        "sapi",
        "Limousin",
        "Sapi Limousin",
        ((24, 36), (420, 560)),
        ((30, 48), (380, 470)),
        (57, 63),
        _SAPI_HEAD,
        0.35,
        24,
        "berpostur panjang dengan perdagingan tebal khas Limousin",
    ),
    "simmental": _Breed(
        "sapi",
        "Simmental",
        "Sapi Simmental",
        ((24, 36), (450, 580)),
        ((30, 48), (400, 480)),
        (56, 62),
        _SAPI_HEAD,
        0.35,
        24,
        "bertubuh besar, berwarna merah bata dengan muka putih khas Simmental",
    ),
    "bali": _Breed(
        "sapi",
        "Bali",
        "Sapi Bali",
        ((24, 36), (300, 400)),
        ((30, 60), (260, 320)),
        (60, 65),
        _SAPI_HEAD,
        0.2,
        24,
        "sapi lokal yang tahan panas, jinak dan persentase karkasnya tinggi",
    ),
    "po": _Breed(
        "sapi",
        "Peranakan Ongole (PO)",
        "Sapi PO",
        ((24, 36), (330, 450)),
        ((30, 60), (300, 380)),
        (57, 62),
        _SAPI_HEAD,
        0.25,
        24,
        "berpunuk dan bergelambir, kuat dan mudah beradaptasi",
    ),
    "pesisir": _Breed(
        "sapi",
        "Pesisir",
        "Sapi Pesisir",
        ((24, 36), (180, 260)),
        None,
        (60, 65),
        _SAPI_HEAD,
        1.0,
        24,
        "sapi asli Sumatera Barat bertubuh kecil dengan daging padat dan rendah lemak",
    ),
    "etawa": _Breed(
        "kambing",
        "Peranakan Etawa (PE)",
        "Kambing Etawa",
        ((12, 24), (40, 62)),
        ((14, 30), (35, 50)),
        (62, 72),
        _KAMBING_HEAD,
        0.0,
        12,
        "bertelinga panjang menggantung dengan bulu surai tebal di kaki belakang",
    ),
    "kambing_kacang": _Breed(
        "kambing",
        "Kacang",
        "Kambing Kacang",
        ((12, 18), (24, 30)),
        None,
        (95, 105),
        _KAMBING_HEAD,
        0.0,
        12,
        "kambing lokal yang lincah, tahan penyakit dan dagingnya gurih",
    ),
}

# Poultry: (title, species, breed, sex, age in months, live weight in kg, price per head, description)
_POULTRY = (
    (
        "Ayam Kampung Jantan Siap Potong",
        "ayam",
        "Ayam Kampung",
        "jantan",
        5,
        1,
        95000,
        "Ayam kampung jantan umur lima bulan dengan bobot 1,2–1,5 kg, diumbar di kebun dan diberi dedak "
        "serta "
        "jagung. Dagingnya padat, cocok untuk gulai dan ayam bakar.",
    ),
    (
        "Ayam Kampung Betina Petelur Aktif",
        "ayam",
        "Ayam Kampung",
        "betina",
        8,
        1,
        85000,
        "Induk ayam kampung yang sedang aktif bertelur, cocok untuk memulai ternak rumahan. Sudah divaksin "
        "ND "
        "dan dijual beserta catatan vaksinnya.",
    ),
    (
        "Itik Bayang Betina Siap Bertelur",
        "itik",
        "Itik Bayang",
        "betina",
        5,
        2,
        90000,
        "Itik Bayang, itik lokal Sumatera Barat yang produktif bertelur, umur lima bulan dan siap bertelur "
        "dalam dua sampai tiga minggu. Dipelihara di kandang panggung dekat sawah.",
    ),
    (
        "Itik Bayang Jantan Pedaging",
        "itik",
        "Itik Bayang",
        "jantan",
        4,
        2,
        80000,
        "Itik Bayang jantan umur empat bulan dengan bobot sekitar 1,8 kg, pas untuk gulai itik lado mudo. "
        "Dijual hidup, bisa dipotong dan dibersihkan dengan tambahan Rp10.000 per ekor.",
    ),
)

# --- businesses -----------------------------------------------------------------------------------------


class _Biz(NamedTuple):
    owner: str
    coops: tuple[str, ...]
    name: str
    regency: str
    place: str
    address: str
    sector: Sector
    description: str
    items: tuple[tuple[str, int], ...] = ()
    status: MembershipStatus = MembershipStatus.ACTIVE
    permit: str = "pirt"  # food permit: "pirt" (home industry) or "bpom" (MD)
    message: str = ""
    reason: str | None = None


_BEKASI = "Kabupaten Bekasi"
_BIZ = (
    # ---- Koperasi Boneka Bekasi Jaya
    _Biz(
        "ketua.boneka",
        ("boneka",),
        "Boneka Ceria Tambun",
        "32.16",
        "Tambun Selatan",
        f"Kp. Bulak RT 003/RW 005, Desa Mekarsari, Kec. Tambun Selatan, {_BEKASI} 17510",
        TOYS,
        "Usaha boneka keluarga sejak 1998 dengan 25 penjahit rumahan di Mekarsari. Spesialis boneka beruang, "
        "kelinci dan panda untuk grosir Pasar Asemka dan toko kado.",
        (("teddy", 4), ("kelinci", 2), ("panda", 2)),
    ),
    _Biz(
        "pengurus.boneka",
        ("boneka",),
        "Rumah Boneka Cibitung",
        "32.16",
        "Cibitung",
        f"Jl. Raya Wanasari No. 21, Desa Wanasari, Kec. Cibitung, {_BEKASI} 17520",
        TOYS,
        "Produsen boneka karakter hewan dengan mesin bordir komputer sendiri. Menerima pesanan toko daring "
        "dan reseller di seluruh Indonesia.",
        (("kucing", 3), ("unicorn", 2), ("dino", 2), ("jerapah", 1)),
    ),
    _Biz(
        "pemilik.boneka1",
        ("boneka",),
        "Dunia Boneka Setu",
        "32.16",
        "Setu",
        f"Kp. Cibening RT 002/RW 004, Desa Cibening, Kec. Setu, {_BEKASI} 17320",
        TOYS,
        "Perajin boneka dan bantal karakter di Setu yang mempekerjakan ibu-ibu sekitar kampung. Dikenal "
        "dengan boneka ondel-ondel mini sebagai oleh-oleh khas Bekasi.",
        (("teddy", 3), ("bantal", 3), ("ondel", 2)),
    ),
    _Biz(
        "pemilik.boneka2",
        ("boneka",),
        "Boneka Wisuda Mekarsari",
        "32.16",
        "Tambun Selatan",
        f"Perum Mekarsari Permai Blok C2 No. 14, Desa Mekarsari, Kec. Tambun Selatan, {_BEKASI} 17510",
        TOYS,
        "Boneka wisuda dengan bordir nama untuk TK, SD sampai perguruan tinggi. Ramai pesanan menjelang "
        "musim "
        "wisuda Mei–Agustus.",
        (("wisuda", 7),),
    ),
    _Biz(
        "pemilik.boneka2",
        ("boneka",),
        "Boneka Hijab Aisyah",
        "32.16",
        "Tambun Selatan",
        f"Jl. Kampung Rawa Kalong No. 8, Desa Setiamekar, Kec. Tambun Selatan, {_BEKASI} 17510",
        TOYS,
        "Boneka anak berhijab dengan busana yang bisa dilepas, dijahit dari kain sisa produksi konveksi "
        "busana muslim di sekitar Tambun.",
        (("hijab", 6),),
    ),
    _Biz(
        "pemilik.boneka3",
        ("boneka",),
        "Kayu Pintar Cikarang",
        "32.16",
        "Cikarang Selatan",
        f"Jl. Industri Selatan 5 Blok PP No. 3, Desa Pasirsari, Kec. Cikarang Selatan, {_BEKASI} 17530",
        TOYS,
        "Bengkel mainan edukasi kayu untuk PAUD, TK dan rumah. Semua produk memakai kayu pinus bersertifikat "
        "dan cat berbahan dasar air.",
        (("kayu", 9),),
    ),
    _Biz(
        "pemilik.boneka4",
        ("boneka",),
        "Boneka Karakter Sukatani",
        "32.16",
        "Sukatani",
        f"Kp. Sukamanah RT 001/RW 002, Desa Sukamanah, Kec. Sukatani, {_BEKASI} 17630",
        TOYS,
        "Boneka tokoh wayang, fabel dan dinosaurus untuk sekolah dan pendongeng. Bekerja sama dengan "
        "sanggar dongeng di Bekasi dan Jakarta.",
        (("dino", 2), ("unicorn", 1), ("punakawan", 4), ("puppet", 2)),
    ),
    _Biz(
        "pemilik.boneka5",
        ("boneka", "cikarang"),
        "Jumbo Teddy Cikarang",
        "32.16",
        "Cikarang Utara",
        f"Jl. Raya Industri No. 45, Desa Pasirgombong, Kec. Cikarang Utara, {_BEKASI} 17530",
        TOYS,
        "Spesialis boneka beruang ukuran besar untuk kado wisuda, ulang tahun dan hari kasih sayang. Anggota "
        "dua koperasi: produsen boneka dan pemasaran Cikarang.",
        (("teddy_jumbo", 6), ("teddy", 2)),
    ),
    _Biz(
        "pemilik.boneka6",
        ("boneka",),
        "Boneka Maskot Sentosa",
        "32.16",
        "Cikarang Barat",
        f"Kawasan Pergudangan Cikarang Barat Blok A No. 9, Desa Telaga Asih, Kec. Cikarang Barat, {_BEKASI} "
        f"17530",
        TOYS,
        "Pembuat boneka maskot dan suvenir perusahaan dengan kapasitas 5.000 pcs per bulan. Pelanggannya "
        "pabrik di kawasan industri Cikarang, bank daerah dan sekolah.",
        (("maskot", 2), ("puppet", 3), ("wisuda", 2)),
    ),
    _Biz(
        "pemilik.boneka7",
        ("boneka",),
        "Boneka Lucu Tarumajaya",
        "32.16",
        "Tarumajaya",
        f"Jl. Raya Tarumajaya No. 102, Desa Pahlawan Setia, Kec. Tarumajaya, {_BEKASI} 17214",
        TOYS,
        "Usaha rumahan boneka hewan dan bantal leher yang dipasarkan lewat pasar daring dan titip jual di "
        "minimarket sekitar Tarumajaya.",
        (("kelinci", 2), ("panda", 1), ("kucing", 2), ("bantal", 2)),
    ),
    _Biz(
        "pemilik.boneka8",
        ("boneka",),
        "Boneka Mungil Babelan",
        "32.16",
        "Babelan",
        f"Kp. Babelan Kota RT 004/RW 001, Desa Babelan Kota, Kec. Babelan, {_BEKASI} 17610",
        TOYS,
        "Perajin boneka gantungan kunci dan boneka mini untuk suvenir pernikahan, dengan enam penjahit "
        "rumahan.",
        status=MembershipStatus.PENDING,
        message="Kami perajin boneka mini di Babelan dengan enam penjahit. Mohon diterima sebagai anggota "
        "agar bisa ikut pesanan grosir dan pelatihan SNI dari koperasi.",
    ),
    _Biz(
        "pemilik.boneka9",
        ("boneka",),
        "Grosir Mainan Impor Bekasi",
        "32.75",
        "Bekasi Selatan",
        "Ruko Bekasi Square Blok B No. 12, Jl. Ahmad Yani, Kec. Bekasi Selatan, Kota Bekasi 17148",
        TOYS,
        "Distributor mainan anak dan boneka impor untuk toko mainan di Bekasi dan Jakarta Timur.",
        status=MembershipStatus.REJECTED,
        message="Kami ingin bergabung untuk memasarkan mainan kami lewat koperasi.",
        reason="Koperasi Boneka Bekasi Jaya adalah koperasi produsen; anggotanya perajin yang membuat "
        "sendiri bonekanya. Usaha ini menjual ulang mainan impor, sehingga belum memenuhi syarat "
        "keanggotaan.",
    ),
    # ---- Koperasi Pemasaran Cikarang Mandiri
    _Biz(
        "ketua.cikarang",
        ("cikarang",),
        "Angkutan Barokah Cikarang",
        "32.16",
        "Cikarang Selatan",
        f"Jl. Raya Cikarang–Cibarusah Km 4 No. 17, Desa Sukaresmi, Kec. Cikarang Selatan, {_BEKASI} 17530",
        SERV,
        "Penyewaan truk engkel, CDD dan pick up dengan sopir untuk UMKM dan pabrik di Cikarang. Armada "
        "delapan kendaraan dengan sopir berpengalaman.",
        (("truk_bekasi", 3), ("pindahan", 1)),
    ),
    _Biz(
        "pemilik.cikarang1",
        ("cikarang",),
        "Keripik Tempe Bu Ida",
        "32.16",
        "Karangbahagia",
        f"Kp. Pulo RT 002/RW 003, Desa Karangsetia, Kec. Karangbahagia, {_BEKASI} 17530",
        FOOD,
        "Keripik tempe dan singkong rumahan yang sudah bersertifikat halal dan P-IRT. Memasok kantin pabrik "
        "dan warung di sekitar Cikarang.",
        (("keripik_tempe", 6), ("keripik_singkong", 2)),
    ),
    _Biz(
        "pemilik.cikarang2",
        ("cikarang",),
        "Dodol & Bir Pletok Mpok Romlah",
        "32.16",
        "Tambun Selatan",
        f"Kp. Pulo Puter RT 005/RW 002, Desa Lambangsari, Kec. Tambun Selatan, {_BEKASI} 17510",
        FOOD,
        "Dodol Betawi dan bir pletok resep keluarga sejak tiga generasi. Ramai pesanan menjelang Lebaran dan "
        "hajatan.",
        (("dodol_betawi", 5), ("bir_pletok", 2), ("bir_pletok_paket", 1)),
    ),
    _Biz(
        "pemilik.cikarang3",
        ("cikarang",),
        "Batik Bekasi Sekar Bambu",
        "32.16",
        "Setu",
        f"Jl. Raya Setu–Cibitung No. 33, Desa Lubangbuaya, Kec. Setu, {_BEKASI} 17320",
        CRAFT,
        "Sanggar batik khas Bekasi yang mengangkat motif bambu kuning, ondel-ondel dan Tugu Juang. Membuka "
        "kelas membatik untuk pelajar setiap Sabtu.",
        (("batik_bekasi", 6), ("kemeja_batik", 3)),
    ),
    _Biz(
        "pemilik.cikarang3",
        ("cikarang",),
        "Anyaman Bambu Cabangbungin",
        "32.16",
        "Cabangbungin",
        f"Kp. Gabus RT 003/RW 001, Desa Lenggahjaya, Kec. Cabangbungin, {_BEKASI} 17720",
        CRAFT,
        "Kelompok perajin anyaman bambu di utara Kabupaten Bekasi yang membuat besek, tampah dan dekorasi "
        "untuk hajatan dan katering.",
        (("anyaman_bambu", 6),),
    ),
    _Biz(
        "pemilik.cikarang4",
        ("cikarang",),
        "Sablon Kreasi Cibitung",
        "32.16",
        "Cibitung",
        f"Jl. Raya Cibitung No. 77, Desa Wanajaya, Kec. Cibitung, {_BEKASI} 17520",
        SERV,
        "Jasa sablon kaos, tote bag, bordir seragam dan cetak spanduk untuk pabrik, komunitas dan UMKM.",
        (("sablon", 5),),
    ),
    _Biz(
        "pemilik.cikarang5",
        ("cikarang",),
        "Kue Kering Ummi Rina",
        "32.16",
        "Cikarang Timur",
        f"Perumahan Graha Asri Blok F5 No. 20, Desa Jatireja, Kec. Cikarang Timur, {_BEKASI} 17530",
        FOOD,
        "Kue kering rumahan untuk Lebaran, Natal dan hampers kantor, dibuat dengan mentega asli dan tanpa "
        "pengawet.",
        (("kue_kering", 6),),
    ),
    _Biz(
        "pemilik.cikarang6",
        ("cikarang",),
        "Keripik Pisang Mang Ujang",
        "32.16",
        "Cikarang Barat",
        f"Kp. Cikedokan RT 001/RW 004, Desa Cikedokan, Kec. Cikarang Barat, {_BEKASI} 17530",
        FOOD,
        "Keripik pisang dan opak singkong goreng yang dijual keliling ke sekolah dan warung.",
        status=MembershipStatus.PENDING,
        message="Assalamualaikum, saya produsen keripik pisang di Cikedokan dan sedang mengurus P-IRT. Ingin "
        "bergabung supaya produk bisa ikut etalase koperasi di kawasan industri.",
    ),
    # ---- Koperasi Peternak Sangir Sejahtera
    _Biz(
        "ketua.sangir",
        ("sangir",),
        "Sapi Limousin Sangir",
        "13.11",
        "Sangir",
        "Jorong Lubuk Gadang Timur, Nagari Lubuk Gadang, Kec. Sangir, Kabupaten Solok Selatan 27779",
        LIVE,
        "Peternakan sapi Limousin dengan 40 ekor sapi penggemukan dan kebun rumput odot dua hektare. Menjual "
        "sapi potong dan sapi kurban ke Padang dan Jakarta.",
        (("limousin", 6),),
    ),
    _Biz(
        "pemilik.sangir1",
        ("sangir",),
        "Peternakan Simmental Lubuk Gadang",
        "13.11",
        "Sangir",
        "Jorong Sungai Pangkua, Nagari Lubuk Gadang Selatan, Kec. Sangir, Kabupaten Solok Selatan 27779",
        LIVE,
        "Kelompok ternak sapi Simmental yang memakai kawin suntik (IB) dan pakan fermentasi. Sapi jantan "
        "dijual sebagai sapi potong, betina sebagai indukan.",
        (("simmental", 6),),
    ),
    _Biz(
        "pemilik.sangir2",
        ("sangir",),
        "Kambing Etawa Padang Aro",
        "13.11",
        "Sangir",
        "Jorong Pasar Padang Aro, Nagari Lubuk Gadang, Kec. Sangir, Kabupaten Solok Selatan 27779",
        LIVE,
        "Peternakan kambing Peranakan Etawa dan kambing kacang dengan kandang panggung. Menyediakan kambing "
        "aqiqah dan kurban.",
        (("etawa", 6), ("kambing_kacang", 2)),
    ),
    _Biz(
        "pemilik.sangir3",
        ("sangir",),
        "Ternak Sapi Bali Sangir Jujuan",
        "13.11",
        "Sangir Jujuan",
        "Jorong Bidar Alam, Nagari Bidar Alam, Kec. Sangir Jujuan, Kabupaten Solok Selatan 27779",
        LIVE,
        "Peternak sapi Bali dan PO di sekitar kebun sawit dan karet rakyat, dengan sistem integrasi "
        "sapi–kebun.",
        (("bali", 5), ("po", 2)),
    ),
    _Biz(
        "pemilik.sangir3",
        ("sangir",),
        "Angkutan Ternak Sangir Jaya",
        "13.11",
        "Sangir",
        "Jl. Lintas Padang Aro–Muara Labuh, Nagari Lubuk Gadang, Kec. Sangir, Kabupaten Solok Selatan 27779",
        SERV,
        "Angkutan ternak dan layanan kesehatan reproduksi sapi untuk anggota koperasi dan peternak sekitar.",
        (("truk_ternak", 1), ("angkut_padang", 2), ("ib_sapi", 2)),
    ),
    _Biz(
        "pemilik.sangir4",
        ("sangir",),
        "Kebun Rumput Odot Sungai Kunyit",
        "13.11",
        "Sangir",
        "Jorong Sungai Kunyit, Nagari Lubuk Gadang Utara, Kec. Sangir, Kabupaten Solok Selatan 27779",
        PROD,
        "Kebun hijauan pakan dan pengolahan kompos yang memasok bibit rumput, silase dan jagung pakan untuk "
        "peternak di Solok Selatan.",
        (("kompos", 2), ("bibit_rumput", 2), ("silase", 1), ("jagung", 1)),
    ),
    _Biz(
        "pemilik.sangir5",
        ("sangir",),
        "Sapi Pesisir & PO Bukit Mulya",
        "13.11",
        "Sangir Balai Janggo",
        "Jorong Bukit Mulya, Nagari Talunan Maju, Kec. Sangir Balai Janggo, Kabupaten Solok Selatan 27779",
        LIVE,
        "Peternak sapi Pesisir, sapi asli Sumatera Barat, dan sapi PO. Menjual ternak berdasarkan bobot "
        "hidup "
        "dengan timbangan koperasi.",
        (("pesisir", 3), ("po", 3)),
    ),
    _Biz(
        "pemilik.sangir6",
        ("sangir",),
        "Ayam Kampung & Itik Pauh Duo",
        "13.11",
        "Pauh Duo",
        "Jorong Pinang Awan, Nagari Pauh Duo Nan Batigo, Kec. Pauh Duo, Kabupaten Solok Selatan 27776",
        LIVE,
        "Peternakan unggas rakyat: ayam kampung dan itik Bayang yang dipelihara semi-umbaran di pinggir "
        "sawah.",
        (("unggas", 4),),
    ),
    _Biz(
        "pemilik.sangir7",
        ("sangir",),
        "Kambing Boer Sangir Batang Hari",
        "13.11",
        "Sangir Batang Hari",
        "Jorong Abai, Nagari Abai, Kec. Sangir Batang Hari, Kabupaten Solok Selatan 27779",
        LIVE,
        "Peternak muda yang memulai usaha kambing Boer persilangan dengan 30 ekor induk.",
        status=MembershipStatus.PENDING,
        message="Saya peternak kambing di Abai dengan 30 ekor induk. Ingin bergabung agar bisa ikut "
        "penjualan kambing kurban bersama dan pembelian pakan koperasi.",
    ),
    # ---- Koperasi Ternak Saiyo Sakato Sungai Pagu (dormant)
    _Biz(
        "ketua.pagu",
        ("pagu",),
        "Ternak Sapi Darmawi",
        "13.11",
        "Sungai Pagu",
        "Jorong Pasar Muara Labuh, Nagari Pasir Talang, Kec. Sungai Pagu, Kabupaten Solok Selatan 27776",
        LIVE,
        "Peternak sapi PO dan Bali skala kecil, pengurus koperasi sejak pendiriannya tahun 2003.",
    ),
    _Biz(
        "pemilik.pagu1",
        ("pagu",),
        "Kelompok Ternak Koto Baru",
        "13.11",
        "Sungai Pagu",
        "Jorong Koto Baru, Nagari Koto Baru, Kec. Sungai Pagu, Kabupaten Solok Selatan 27776",
        LIVE,
        "Kelompok tani ternak sapi dengan 12 anggota yang dulu menjual bersama lewat koperasi.",
    ),
    _Biz(
        "pemilik.sangir5",
        ("pagu",),
        "Ternak Zulkifli Pasir Talang",
        "13.11",
        "Sungai Pagu",
        "Jorong Pasir Talang Timur, Nagari Pasir Talang, Kec. Sungai Pagu, Kabupaten Solok Selatan 27776",
        LIVE,
        "Kandang pembibitan sapi milik keluarga Zulkifli di Sungai Pagu, kini dikelola dari Bukit Mulya.",
    ),
    # ---- Koperasi Pangan Gianyar Sejahtera
    _Biz(
        "ketua.gianyar",
        ("gianyar",),
        "Pie Susu Dewata Sukawati",
        "51.04",
        "Sukawati",
        "Jl. Raya Sukawati No. 45, Desa Sukawati, Kec. Sukawati, Kabupaten Gianyar 80582",
        FOOD,
        "Produsen pie susu dengan dapur bersertifikat BPOM yang memasok toko oleh-oleh di Sukawati, Ubud dan "
        "bandara. Memproduksi 3.000 pie per hari.",
        (("pie_susu", 8),),
        permit="bpom",
    ),
    _Biz(
        "pemilik.gianyar1",
        ("gianyar",),
        "Sambal Matah Mbok Luh",
        "51.04",
        "Ubud",
        "Jl. Raya Andong No. 12, Desa Petulu, Kec. Ubud, Kabupaten Gianyar 80571",
        FOOD,
        "Sambal khas Bali dalam botol kaca untuk restoran, vila dan wisatawan. Cabai dan bawang dibeli dari "
        "petani Kintamani.",
        (("sambal_matah", 4), ("sambal_bali", 4)),
    ),
    _Biz(
        "pemilik.gianyar2",
        ("gianyar",),
        "Keripik Singkong Bu Made",
        "51.04",
        "Blahbatuh",
        "Br. Pande, Desa Blahbatuh, Kec. Blahbatuh, Kabupaten Gianyar 80581",
        FOOD,
        "Keripik singkong aneka rasa yang digoreng setiap pagi dan dititipkan ke warung serta toko oleh-oleh "
        "di Gianyar.",
        (("keripik_singkong", 7), ("keripik_ubi", 1)),
    ),
    _Biz(
        "pemilik.gianyar3",
        ("gianyar",),
        "Loloh Sehat Tegallalang",
        "51.04",
        "Tegallalang",
        "Br. Tegallalang, Desa Tegallalang, Kec. Tegallalang, Kabupaten Gianyar 80561",
        FOOD,
        "Loloh (jamu khas Bali) dari daun cemcem, kunyit dan sembung yang dipetik di kebun sendiri.",
        (("loloh", 4), ("loloh_paket", 3)),
    ),
    _Biz(
        "pemilik.gianyar4",
        ("gianyar",),
        "Base Genep Dapur Bali",
        "51.71",
        "Denpasar Selatan",
        "Jl. Tukad Badung No. 38, Renon, Kec. Denpasar Selatan, Kota Denpasar 80226",
        FOOD,
        "Bumbu Bali siap pakai untuk rumah tangga, katering dan dapur hotel di Denpasar dan Badung.",
        (("base_genep", 8),),
        permit="bpom",
    ),
    _Biz(
        "pemilik.gianyar5",
        ("gianyar",),
        "Kacang & Dodol Sari Merta",
        "51.04",
        "Sukawati",
        "Br. Kebon, Desa Singapadu, Kec. Sukawati, Kabupaten Gianyar 80582",
        FOOD,
        "Camilan kacang dan dodol Bali untuk oleh-oleh dan upacara, diproduksi di dapur keluarga di "
        "Singapadu.",
        (("kacang", 4), ("dodol_bali", 4)),
    ),
    _Biz(
        "pemilik.gianyar6",
        ("gianyar",),
        "Keripik Pisang Kadek Payangan",
        "51.04",
        "Payangan",
        "Br. Kelusa, Desa Kelusa, Kec. Payangan, Kabupaten Gianyar 80572",
        FOOD,
        "Keripik pisang dan ubi ungu dari hasil kebun warga Payangan, dikemas ziplock untuk toko modern.",
        (("keripik_pisang", 6), ("keripik_ubi", 3)),
    ),
    # ---- Koperasi Tani Kopi Kintamani Lestari
    _Biz(
        "ketua.kintamani",
        ("kintamani",),
        "Kopi Kintamani Ulian",
        "51.06",
        "Kintamani",
        "Br. Ulian, Desa Ulian, Kec. Kintamani, Kabupaten Bangli 80652",
        PROD,
        "Unit pengolahan kopi subak abian di Desa Ulian dengan kebun 35 hektare milik 60 petani. Mengolah "
        "kopi "
        "full wash, honey dan natural serta menyangrai sendiri.",
        (("kopi_bubuk", 4), ("green_bean", 3), ("kopi_sangrai", 2)),
        permit="bpom",
    ),
    _Biz(
        "pemilik.kintamani1",
        ("kintamani",),
        "Kopi Arabika Desa Catur",
        "51.06",
        "Kintamani",
        "Br. Catur, Desa Catur, Kec. Kintamani, Kabupaten Bangli 80652",
        PROD,
        "Petani dan pengolah kopi arabika di Desa Catur yang menjual green bean ke roastery di Bali dan "
        "Jawa.",
        (("green_bean", 4), ("kopi_bubuk", 3)),
    ),
    _Biz(
        "pemilik.kintamani2",
        ("kintamani",),
        "Jeruk Siam Kintamani Songan",
        "51.06",
        "Kintamani",
        "Br. Songan, Desa Songan A, Kec. Kintamani, Kabupaten Bangli 80652",
        PROD,
        "Kebun jeruk siam keluarga di Songan yang memasok pasar induk, toko buah dan hotel di Bali selatan.",
        (("jeruk", 3), ("jeruk_peti", 2)),
    ),
    _Biz(
        "pemilik.kintamani2",
        ("kintamani",),
        "Sayur Dataran Tinggi Batur",
        "51.06",
        "Kintamani",
        "Br. Kedisan, Desa Kedisan, Kec. Kintamani, Kabupaten Bangli 80652",
        PROD,
        "Kelompok petani sayur di tepi Danau Batur yang mengirim sayur segar ke hotel dan restoran setiap "
        "hari.",
        (("sayur", 7),),
    ),
    _Biz(
        "pemilik.kintamani3",
        ("kintamani",),
        "Kopi Subak Abian Belantih",
        "51.06",
        "Kintamani",
        "Br. Belantih, Desa Belantih, Kec. Kintamani, Kabupaten Bangli 80652",
        FOOD,
        "Roastery milik subak abian Belantih yang menyangrai kopi anggota dalam jumlah kecil untuk kafe dan "
        "penikmat kopi.",
        (("kopi_sangrai", 6), ("kopi_bubuk", 2)),
    ),
    _Biz(
        "pemilik.kintamani4",
        ("kintamani",),
        "Kopi Natural Satra",
        "51.06",
        "Kintamani",
        "Br. Satra, Desa Satra, Kec. Kintamani, Kabupaten Bangli 80652",
        FOOD,
        "Pengolah kopi proses natural dan cascara dari kebun keluarga di Desa Satra.",
        (("kopi_drip", 4), ("cascara", 2)),
    ),
    # ---- Koperasi Produsen Rotan Katingan Bersatu
    _Biz(
        "ketua.katingan",
        ("katingan",),
        "Rotan Katingan Lestari",
        "62.06",
        "Katingan Hilir",
        "Jl. Tjilik Riwut Km 2, Kel. Kasongan Baru, Kec. Katingan Hilir, Kabupaten Katingan 74413",
        CRAFT,
        "Sentra anyaman rotan di Kasongan dengan 30 perajin, memproduksi tas, kap lampu dan perlengkapan "
        "rumah tangga bermotif Dayak.",
        (("tas_rotan", 5), ("kap_lampu", 2), ("nampan", 2)),
    ),
    _Biz(
        "pemilik.katingan1",
        ("katingan",),
        "Anyaman Lanjung Bungai",
        "62.06",
        "Katingan Tengah",
        "Desa Tumbang Lahang, Kec. Katingan Tengah, Kabupaten Katingan 74463",
        CRAFT,
        "Perajin lanjung dan tas rotan tradisional yang mewarisi teknik anyam Dayak Ngaju dari orang tuanya.",
        (("lanjung", 2), ("tas_rotan", 3), ("nampan", 1)),
    ),
    _Biz(
        "pemilik.katingan2",
        ("katingan",),
        "Tikar Purun Mendawai",
        "62.06",
        "Mendawai",
        "Kel. Mendawai, Kec. Mendawai, Kabupaten Katingan 74462",
        CRAFT,
        "Kelompok ibu-ibu penganyam purun dari rawa gambut Mendawai, membuat tikar dan tas belanja.",
        (("tikar_purun", 6), ("tas_purun", 3)),
    ),
    _Biz(
        "pemilik.katingan3",
        ("katingan",),
        "Madu Kelulut Tumbang Samba",
        "62.06",
        "Katingan Tengah",
        "Jl. Tumbang Samba–Tumbang Sanamang, Kel. Tumbang Samba, Kec. Katingan Tengah, Kabupaten Katingan "
        "74463",
        FOOD,
        "Budidaya lebah kelulut di 200 stup kayu dan pemungutan madu hutan bersama warga hulu Katingan.",
        (("madu_kelulut", 3), ("madu_hutan", 3)),
    ),
    _Biz(
        "pemilik.katingan4",
        ("katingan",),
        "Karet & Rotan Tewang Sangalang Garing",
        "62.06",
        "Tewang Sangalang Garing",
        "Desa Pendahara, Kec. Tewang Sangalang Garing, Kabupaten Katingan 74455",
        PROD,
        "Pengepul bahan olah karet dan rotan mentah dari kebun anggota, dengan gudang dan timbangan sendiri.",
        (("karet", 2), ("rotan_mentah", 3)),
    ),
    _Biz(
        "pemilik.katingan5",
        ("katingan",),
        "Benang Bintik & Manik Herlina",
        "62.71",
        "Jekan Raya",
        "Jl. G. Obos No. 27, Kel. Menteng, Kec. Jekan Raya, Kota Palangkaraya 73112",
        CRAFT,
        "Sanggar batik benang bintik dan kerajinan manik Dayak di Palangka Raya, menjual kain batik dan "
        "aksesori "
        "untuk seragam dinas serta wisatawan.",
        (("batik_bintik", 5), ("manik", 4)),
    ),
)

# Where a product lands when its business is in several cooperatives: the first active one, except these.
_ALTERNATE_COOP = {"Jumbo Teddy Cikarang": ("teddy", "cikarang")}

_MAKER_SENTENCE = {
    TOYS: (
        "Dijahit oleh perajin {b} di {p}.",
        "Produksi {b} di {p}, anggota koperasi perajin boneka Bekasi.",
    ),
    FOOD: ("Diproduksi oleh {b} di {p}.", "Olahan dapur {b}, {p}."),
    LIVE: ("Dari kandang {b} di {p}.",),
    CRAFT: ("Karya perajin {b} di {p}.", "Dikerjakan tangan oleh {b}, {p}."),
    PROD: ("Dari kebun anggota {b} di {p}.", "Dipasok oleh {b}, {p}."),
    SERV: ("Dilayani oleh {b}, {p}.",),
}
_CLOSING = {
    TOYS: (
        "Bisa dibungkus kado tanpa biaya tambahan.",
        "Harga grosir tersedia untuk pembelian di atas 50 pcs.",
        "Lulus uji SNI mainan anak.",
    ),
    FOOD: (
        "Tersedia harga khusus untuk toko oleh-oleh dan reseller.",
        "Dikirim dengan bubble wrap dan kardus tebal.",
    ),
    CRAFT: (
        "Setiap produk buatan tangan sehingga motif dan ukuran bisa sedikit berbeda.",
        "Menerima pesanan partai besar untuk suvenir, hotel dan toko.",
    ),
    PROD: (
        "Harga bisa dinegosiasikan untuk pembelian rutin.",
        "Bisa dikirim lewat ekspedisi atau diambil di gudang koperasi.",
    ),
    SERV: ("Konfirmasi jadwal lewat WhatsApp sebelum memesan.",),
    LIVE: (),
}

# --- building -------------------------------------------------------------------------------------------


_BANKS = ("BRI", "BNI", "Bank Mandiri", "BSI", "BCA", "Bank Nagari", "BPD Bali", "Bank Kalteng")


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def _demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin(_email(local), role) for local, _name, role in _STAFF if local != "pembeli"]
    for coop in _COOPS:
        logins.append(DemoLogin(_email(coop.chair), f"manager (chair) of {coop.name}"))
        logins.extend(DemoLogin(_email(local), f"co-manager of {coop.name}") for local in coop.co_managers)
    owners = {
        "pemilik.boneka1": "MSME owner: Dunia Boneka Setu (doll maker)",
        "pemilik.boneka5": "MSME owner: Jumbo Teddy Cikarang (member of two cooperatives)",
        "pemilik.boneka8": "MSME owner: Boneka Mungil Babelan (membership application pending)",
        "pemilik.sangir2": "MSME owner: Kambing Etawa Padang Aro (livestock)",
        "pemilik.gianyar1": "MSME owner: Sambal Matah Mbok Luh (food, Bali)",
        "pemilik.katingan2": "MSME owner: Tikar Purun Mendawai (crafts, Central Kalimantan)",
    }
    logins.extend(DemoLogin(_email(local), role) for local, role in owners.items())
    logins.extend(DemoLogin(_email(local), role) for local, _name, role in _STAFF if local == "pembeli")
    return logins


def _counts() -> dict[str, int]:
    def count(model: type) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "users": count(User),
        "cooperatives": count(Cooperative),
        "businesses": count(Business),
        "memberships": count(Membership),
        "products": count(Product),
    }


def _round_price(price: float) -> int:
    step = 1000 if price >= 100_000 else 500
    return max(step, round(price / step) * step)


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


class _Builder:
    """Builds the demo rows with one seeded random generator, in a fixed order."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = utcnow()
        self.users: dict[str, User] = {}
        self.coops: dict[str, Cooperative] = {}
        self.titles: set[str] = set()
        self.nibs: set[str] = set()
        self.ear_tag = 11
        self.skkh = 40
        self.sni = ""
        # (product, cooperative key) for the status pass at the end
        self.products: list[tuple[Product, str]] = []

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    # ---- people
    def phone(self, index: int) -> str:
        prefix = _PHONE_PREFIXES[index % len(_PHONE_PREFIXES)]
        return f"+62{prefix}{self.rng.randint(1_000_000, 9_999_999)}{index % 10}"

    def add_users(self) -> None:
        password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: scrypt is slow on purpose
        people = [(local, name) for local, name, _role in _STAFF] + list(_OWNERS)
        for index, (local, name) in enumerate(people):
            user = User(
                email=_email(local),
                name=name,
                phone=self.phone(index),
                password_hash=password_hash,
                is_admin=local == "admin",
                created_at=self.ago(self.rng.uniform(120, 160)),
            )
            db.session.add(user)
            self.users[local] = user
        db.session.flush()
        admin = self.users["admin"]
        for local, region in _OFFICERS:
            assert regions.is_province(region) or regions.is_regency(region), region
            db.session.add(
                OfficerAppointment(
                    user=self.users[local], region_code=region, appointed_by=admin, created_at=self.ago(118)
                )
            )

    # ---- cooperatives
    def add_cooperatives(self) -> None:
        for coop in _COOPS:
            assert regions.is_regency(coop.regency), coop.regency
            row = Cooperative(
                name=coop.name,
                slug=slugify(coop.name),
                legal_entity_number=coop.legal_entity_number,
                nik_koperasi=coop.nik_koperasi,
                coop_type=coop.coop_type,
                province_code=regions.province_of(coop.regency),
                regency_code=coop.regency,
                address=coop.address,
                description=coop.description,
                founded_on=coop.founded_on,
                requires_listing_approval=coop.requires_approval,
                created_by_id=self.users[coop.chair].id,
                created_at=self.ago(self.rng.uniform(100, 115)),
            )
            row.sector_rows = [CooperativeSector(sector=sector) for sector in sorted(coop.sectors)]
            chair = self.users[coop.chair]
            row.managers = [CooperativeManager(user=chair, role=ManagerRole.CHAIR, created_at=row.created_at)]
            for local in coop.co_managers:
                row.managers.append(
                    CooperativeManager(
                        user=self.users[local], role=ManagerRole.CO_MANAGER, created_at=self.ago(60)
                    )
                )
            # Every cooperative takes transfers for members without an account of their own.
            row.bank_name = self.rng.choice(_BANKS)
            row.bank_account_number = f"{self.rng.randint(10**12, 10**13 - 1)}"
            row.bank_account_holder = coop.name
            db.session.add(row)
            self.coops[coop.key] = row

    # ---- businesses and memberships
    def nib(self) -> str:
        while True:
            nib = f"{self.rng.choice('129')}{self.rng.randint(10**11, 10**12 - 1)}"
            if nib not in self.nibs:
                self.nibs.add(nib)
                return nib

    def add_business(self, spec: _Biz) -> Business:
        coop_specs = {c.key: c for c in _COOPS}
        assert regions.is_regency(spec.regency), spec.regency
        for key in spec.coops:
            province = regions.province_of(coop_specs[key].regency)
            assert regions.is_regency_of(spec.regency, province), spec.name
        owner = self.users[spec.owner]
        business = Business(
            owner=owner,
            name=spec.name,
            slug=slugify(spec.name),
            nib=self.nib(),
            owner_name=owner.name,
            whatsapp=owner.phone,
            province_code=regions.province_of(spec.regency),
            regency_code=spec.regency,
            address=spec.address,
            sector=spec.sector,
            description=spec.description,
            created_at=self.ago(self.rng.uniform(95, 110)),
        )
        if self.rng.random() < 0.5:  # about half take transfers into their own account
            business.bank_name = self.rng.choice(_BANKS)
            business.bank_account_number = f"{self.rng.randint(10**9, 10**10 - 1)}"
            business.bank_account_holder = owner.name
        db.session.add(business)
        for key in spec.coops:
            self.add_membership(business, key, spec)
        return business

    def add_membership(self, business: Business, key: str, spec: _Biz) -> None:
        coop = self.coops[key]
        coop_spec = next(c for c in _COOPS if c.key == key)
        chair = self.users[coop_spec.chair]
        membership = Membership(cooperative=coop, business=business, status=spec.status, message=spec.message)
        if spec.status is MembershipStatus.PENDING:
            membership.applied_at = self.ago(self.rng.uniform(1, 6))
        elif spec.status is MembershipStatus.REJECTED:
            membership.applied_at = self.ago(41)
            membership.decided_at = self.ago(38)
            membership.decided_by = chair
            membership.decision_reason = spec.reason
        else:
            founded = datetime.combine(coop_spec.founded_on, datetime.min.time(), tzinfo=UTC)
            if key == "pagu":  # dormant: nobody has joined since the early years
                joined = founded + timedelta(days=self.rng.randint(30, 700))
            elif spec.owner == coop_spec.chair:
                joined = founded
            else:
                joined = max(founded + timedelta(days=30), self.ago(self.rng.randint(40, 1600)))
            membership.applied_at = joined - timedelta(days=self.rng.randint(3, 14))
            membership.decided_at = joined
            membership.joined_at = joined
            membership.decided_by = None if spec.owner == coop_spec.chair else chair
        db.session.add(membership)

    # ---- products
    def permit_attrs(self, business: Business, permit: str) -> dict[str, str]:
        rng = self.rng
        region = business.regency_code.replace(".", "")
        issued = f"{rng.randint(1, 12):02d}{rng.choice(('23', '24', '25'))}"
        halal = f"ID{business.province_code}110000{rng.randint(10000, 99999)}{issued}"
        if permit == "bpom":
            bpom = f"MD {rng.randint(2, 3)}{rng.randint(10**10, 10**11 - 1)}"
            return {"halal_number": halal, "bpom_number": bpom}
        # P-IRT: packaging (1), food type (2), regency (4), producer (2), product (4), valid-until year (2)
        kind = f"{rng.choice('25')}{rng.randint(1, 16):02d}"
        serial = f"{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
        pirt = f"{kind}{region}{serial}{rng.choice(('29', '30', '31'))}"
        return {"halal_number": halal, "pirt_number": pirt}

    def description(self, body: str, category: Sector, business: Business, place: str) -> str:
        maker = self.rng.choice(_MAKER_SENTENCE[category]).format(b=business.name, p=place)
        parts = [body, maker]
        closings = _CLOSING[category]
        if closings and _sentences(body) <= 2 and self.rng.random() < 0.6:
            parts.append(self.rng.choice(closings))
        return " ".join(parts)

    def add_product(
        self,
        business: Business,
        coop_key: str,
        *,
        title: str,
        description: str,
        category: Sector,
        price: int,
        unit: str,
        stock: int,
        moq: int,
        attributes: dict[str, Any],
    ) -> None:
        assert unit in UNITS, unit
        self.titles.add(title)
        created = self.ago(self.rng.uniform(0.2, 90))
        product = Product(
            business=business,
            cooperative=self.coops[coop_key],
            title=title,
            slug=slugify(title),
            description=description,
            category=category,
            price_idr=price,
            unit=unit,
            stock=stock,
            min_order_qty=moq,
            status=ProductStatus.ACTIVE,
            attributes=attributes,
            created_at=created,
            updated_at=created + timedelta(hours=self.rng.uniform(0, 48)),
        )
        if product.updated_at > self.now:
            product.updated_at = self.now
        db.session.add(product)
        self.products.append((product, coop_key))

    def stock_for(self, item: _Item) -> int:
        roll = self.rng.random()
        if item.category in (SERV,) or item.moq > 1:
            return self.rng.randint(*item.stock)
        if roll < 0.03:
            return 0
        if roll < 0.08:
            return self.rng.randint(1, 4)
        return self.rng.randint(*item.stock)

    def add_items(
        self, business: Business, spec: _Biz, coop_key: str, key: str, count: int, place: str
    ) -> None:
        item = _ITEMS[key]
        combos = [(v, x) for v in item.variants for x in item.extras]
        self.rng.shuffle(combos)
        made = 0
        for variant, extra in combos:
            if made >= count:
                break
            title = " ".join(item.title.format(V=variant.label, X=extra.label).split())
            if title in self.titles:
                continue
            attr_value = variant.attr or variant.label
            body = item.desc.format(
                V=variant.label,
                v=variant.label.lower(),
                X=extra.label,
                x=extra.phrase or extra.label.lower(),
                a=attr_value[:1].lower() + attr_value[1:],
            )
            price = variant.price + extra.delta
            if item.category is not SERV and price >= 40_000:
                price *= self.rng.choice((0.95, 1.0, 1.0, 1.05))
            price = _round_price(price)
            if item.category is TOYS:
                price = min(max(price, 35_000), 450_000)
            attributes: dict[str, Any] = dict(item.attrs)
            if item.variant_attr:
                attributes[item.variant_attr] = attr_value
            if item.category is TOYS:
                attributes["sni_number"] = self.sni
            elif item.category is FOOD:
                attributes.update(self.permit_attrs(business, spec.permit))
            elif item.category is PROD:
                attributes.setdefault("grade", "A")
                attributes.setdefault("variety", variant.label)
            self.add_product(
                business,
                coop_key,
                title=title,
                description=self.description(body, item.category, business, place),
                category=item.category,
                price=price,
                unit=variant.unit or item.unit,
                stock=self.stock_for(item),
                moq=variant.moq or item.moq,
                attributes=attributes,
            )
            made += 1

    def livestock_attrs(
        self, species: str, breed: str, sex: str, age: int, weight: int, basis: str
    ) -> dict[str, Any]:
        self.ear_tag += 1
        self.skkh += self.rng.randint(1, 3)
        qurban_age = {"sapi": 24, "kambing": 12, "domba": 12}.get(species)
        return {
            "species": species,
            "breed": breed,
            "sex": sex,
            "age_months": age,
            "live_weight_kg": weight,
            "ear_tag": f"SS-2026-{self.ear_tag:04d}",
            "skkh_number": f"524.3/{self.skkh:04d}/SKKH/Disnak-SS/2026",
            "price_basis": basis,
            "qurban_eligible": bool(qurban_age and sex == "jantan" and age >= qurban_age),
        }

    @staticmethod
    def age_text(months: int) -> str:
        if months % 12 == 0:
            return f"{months // 12} Tahun"
        if months > 12 and months % 6 == 0:
            return f"{months // 12},5 Tahun"
        return f"{months} Bulan"

    def add_livestock(self, business: Business, coop_key: str, key: str, count: int, place: str) -> None:
        rng = self.rng
        breed = _BREEDS[key]
        made = attempts = 0
        while made < count and attempts < count * 20:
            attempts += 1
            female = breed.female is not None and rng.random() < 0.25
            sex = "betina" if female else "jantan"
            age_range, weight_range = (breed.female if female else breed.male) or breed.male
            age = rng.randint(*age_range)
            if breed.species == "sapi":
                age -= age % 3  # farmers count cattle age in quarters
            step = 5 if breed.species == "sapi" else 1
            weight = weight_range[0] + step * rng.randint(0, (weight_range[1] - weight_range[0]) // step)
            per_kg = rng.random() < breed.per_kg_share
            qurban = not female and age >= breed.qurban_age
            prefix = f"{breed.label} {sex.capitalize()}"
            if qurban and not per_kg and rng.random() < 0.5:
                prefix += " Siap Kurban"
            elif female:
                prefix += " Indukan"
            title = f"{prefix} {self.age_text(age)} ±{weight} kg"
            if per_kg:
                title += " (Harga per kg Hidup)"
            if title in self.titles:
                continue
            kg_price = rng.randint(*breed.kg_price) * 1000
            attributes = self.livestock_attrs(
                breed.species, breed.breed, sex, age, weight, "per_kg" if per_kg else "per_head"
            )
            sentences = [
                f"{breed.label} {sex} umur {age} bulan dengan bobot hidup sekitar {weight} kg, "
                f"{breed.trait}.",
                f"Dari kandang {business.name} di {place}; sudah diperiksa dokter hewan, dilengkapi SKKH dan "
                f"eartag {attributes['ear_tag']}.",
            ]
            if per_kg:
                price, unit, stock, moq = kg_price, "kg", weight, weight
                sentences.append(
                    "Harga dihitung per kg bobot hidup dan ditimbang ulang di timbangan koperasi saat serah "
                    f"terima; pesanan minimal satu ekor utuh (±{weight} kg)."
                )
            else:
                step = 100_000 if breed.species == "sapi" else 50_000
                price = round(weight * kg_price / step) * step
                price = min(max(price, breed.head_price[0]), breed.head_price[1])
                unit, stock, moq = "ekor", 1, 1
                sentences.append("Harga per ekor, termasuk perawatan di kandang sampai hari pengambilan.")
            if attributes["qurban_eligible"]:
                sentences.append("Memenuhi syarat hewan kurban: cukup umur, sehat dan tidak cacat.")
            elif female:
                sentences.append("Cocok sebagai indukan; riwayat kawin suntik (IB) tersedia.")
            self.add_product(
                business,
                coop_key,
                title=title,
                description=" ".join(sentences),
                category=LIVE,
                price=price,
                unit=unit,
                stock=stock,
                moq=moq,
                attributes=attributes,
            )
            made += 1

    def add_poultry(self, business: Business, coop_key: str, count: int, place: str) -> None:
        for title, species, breed, sex, age, weight, price, body in _POULTRY[:count]:
            attributes = self.livestock_attrs(species, breed, sex, age, weight, "per_head")
            description = f"{body} Dari kandang {business.name} di {place}; harga per ekor."
            self.add_product(
                business,
                coop_key,
                title=title,
                description=description,
                category=LIVE,
                price=price,
                unit="ekor",
                stock=self.rng.randint(20, 80),
                moq=1,
                attributes=attributes,
            )

    def add_products(self, business: Business, spec: _Biz) -> None:
        if spec.status is not MembershipStatus.ACTIVE:
            return
        place = f"{spec.place}, {regions.name(spec.regency)}"
        self.sni = f"SNI ISO 8124-1:2010 / {self.rng.randint(10000, 99999)}"  # one certificate per maker
        for key, count in spec.items:
            coop_key = spec.coops[0]
            alternate = _ALTERNATE_COOP.get(spec.name)
            if alternate and alternate[0] == key:
                coop_key = alternate[1]
            if key == "unggas":
                self.add_poultry(business, coop_key, count, place)
            elif key in _BREEDS:
                self.add_livestock(business, coop_key, key, count, place)
            else:
                self.add_items(business, spec, coop_key, key, count, place)

    def set_statuses(self) -> None:
        """Most listings are live; a few await review, a couple are drafts or paused."""
        rng = self.rng
        in_review = [p for p, key in self.products if key == "boneka"]
        for product in rng.sample(in_review, 6):
            product.status = ProductStatus.PENDING_REVIEW
        others = [p for p, key in self.products if key in ("gianyar", "katingan", "cikarang", "sangir")]
        chosen = rng.sample(others, 4)
        for product in chosen[:2]:
            product.status = ProductStatus.DRAFT
        for product in chosen[2:]:
            product.status = ProductStatus.PAUSED

    def build(self) -> None:
        self.add_users()
        self.add_cooperatives()
        for spec in _BIZ:
            business = self.add_business(spec)
            self.add_products(business, spec)
        self.set_statuses()
        db.session.flush()
        self.add_orders()
        self.add_marketing()
        # Features outside marketplace (the coalitions) add their demo data through the app's registry.
        for seed in current_app.extensions.get("gotong.demo_seeders", ()):
            seed(self.coops, self.users)
        # Supervision last: its activity snapshots read everything above.
        from marketplace.dashboards.demo import seed_supervision

        seed_supervision(self)

    # ---- marketing: a running campaign and featured products on the home page, a bazaar with a booth
    def add_marketing(self) -> None:
        from datetime import timedelta

        from marketplace.clock import utcnow
        from marketplace.marketing import events, featured
        from marketplace.marketing.event_models import EventKind

        now = utcnow()
        boneka = self.coops["boneka"]
        manager = boneka.managers[0].user
        dolls = events.booth_candidates(boneka)[:6]
        if not dolls:
            return
        campaign = featured.create_campaign(
            manager,
            boneka,
            featured.CampaignData(
                title="Pekan Boneka Bekasi",
                description="Sepekan boneka rajut dan boneka kain buatan perajin Tambun, Setu dan Cikarang.",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=6),
                product_ids=[p.id for p in dolls],
            ),
        )
        featured.publish_campaign(manager, campaign)
        for position, product in enumerate(dolls[:3]):
            featured.feature_product(
                manager, product, cooperative=boneka, ends_at=now + timedelta(days=14), position=position
            )
        start = (now + timedelta(days=9)).replace(hour=2, minute=0, second=0, microsecond=0)  # 09.00 WIB
        bazaar = events.create_event(
            manager,
            events.EventData(
                title="Bazar UMKM Tambun",
                kind=EventKind.BAZAAR,
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                place="Lapangan Kantor Kecamatan Tambun Selatan",
                address="Jl. Raya Sultan Hasanudin, Tambun Selatan, Kabupaten Bekasi",
                province_code=boneka.province_code,
                regency_code=boneka.regency_code,
                description="Bazar produk UMKM anggota koperasi se-Kabupaten Bekasi: boneka, makanan khas "
                "Betawi, batik dan kerajinan bambu.",
                booth_capacity=30,
            ),
            cooperative=boneka,
        )
        events.publish_event(manager, bazaar)
        booth = events.book_booth(manager, bazaar, boneka)
        events.set_booth_products(manager, booth, [p.id for p in dolls[:3]])
        db.session.flush()

    # ---- orders: the demo buyer's orders in several states, so sellers' and buyer's pages show real work
    def add_orders(self) -> None:
        from marketplace.catalog.services import is_public
        from marketplace.orders import services as orders
        from marketplace.orders.models import DeliveryMethod

        buyer = self.users["pembeli"]
        by_owner = {b.owner.email: b for b in db.session.scalars(select(Business))}

        def items(owner: str, count: int) -> dict[int, int]:
            business = by_owner[_email(owner)]
            products = [p for p in business.products if is_public(p) and p.stock >= 10][:count]
            return {p.id: max(p.min_order_qty, 2) for p in products}

        def place(owner: str, method: str, delivery: DeliveryMethod, count: int = 1):  # type: ignore[no-untyped-def]
            wanted = items(owner, count)
            data = orders.CheckoutData(
                contact_name=buyer.name,
                contact_email=buyer.email,
                contact_phone=buyer.phone,
                delivery_method=delivery,
                payment_method=method,
                address="Jl. Cempaka No. 12, RT 03/RW 05, Kel. Jatiwaringin"
                if delivery == "delivery"
                else None,
                province_code="32" if delivery == "delivery" else None,
                regency_code="32.75" if delivery == "delivery" else None,
                postal_code="17411" if delivery == "delivery" else None,
            )
            return orders.place_order(buyer, wanted, data, orders.build_cart(wanted).digest()).orders[0]

        seller = by_owner[_email("pemilik.boneka1")].owner
        shipped = place("pemilik.boneka1", "bank_transfer", DeliveryMethod.DELIVERY, 2)
        orders.payment_received(orders.current_payment(shipped), actor=seller)
        orders.mark_packed(seller, shipped)
        orders.mark_shipped(seller, shipped, "JNE", "JNE0123456789")
        to_pack = place("pemilik.boneka1", "bank_transfer", DeliveryMethod.DELIVERY)
        orders.payment_received(orders.current_payment(to_pack), actor=seller)
        place("pemilik.boneka1", "cash", DeliveryMethod.PICKUP)
        place("pemilik.gianyar1", "bank_transfer", DeliveryMethod.PICKUP)
        db.session.flush()


def seed_demo() -> SeedResult:
    """Add the demo data (flush, no commit). Does nothing if the demo admin already exists."""
    logins = _demo_logins()
    if db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return SeedResult(created=False, logins=logins, counts=_counts())
    _Builder().build()
    return SeedResult(created=True, logins=logins, counts=_counts())
