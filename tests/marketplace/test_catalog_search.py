"""The public catalog on a fixed data set, on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm) alike."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.catalog import search
from marketplace.catalog.models import ProductStatus
from marketplace.catalog.search import CatalogQuery, from_args
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.conftest import html
from tests.factories import (
    BEKASI,
    DENPASAR,
    SOLOK_SELATAN,
    make_business,
    make_cooperative,
    make_membership,
    make_product,
)

NOW = utcnow()

CATTLE = {
    "species": "sapi",
    "breed": "Simmental",
    "sex": "jantan",
    "age_months": 30,
    "live_weight_kg": 450,
    "price_basis": "per_kg",
    "qurban_eligible": True,
}
GOAT = {
    "species": "kambing",
    "breed": "Peranakan Etawa",
    "sex": "betina",
    "age_months": 20,
    "live_weight_kg": 40,
    "price_basis": "per_head",
    "qurban_eligible": False,
}


@pytest.fixture
def catalog():
    """Three sellers in three provinces, two cooperatives, products of four categories."""
    dolls_coop = make_cooperative(
        name="Koperasi Boneka Bekasi Jaya", slug="boneka-bekasi-jaya", region=BEKASI
    )
    cattle_coop = make_cooperative(
        name="Koperasi Ternak Sangir Makmur", slug="ternak-sangir", region=SOLOK_SELATAN
    )
    dolls = make_business(name="Boneka Ceria Tambun", region=BEKASI)
    farm = make_business(name="Peternakan Bukit Mulya", region=SOLOK_SELATAN, sector=Sector.LIVESTOCK)
    bali = make_business(name="Dapur Bu Komang", region=DENPASAR, sector=Sector.FOOD_DRINK)
    make_membership(dolls_coop, dolls)
    make_membership(cattle_coop, farm)
    p: dict[str, object] = {}

    def add(key, business, title, *, minutes, **kw):  # type: ignore[no-untyped-def]
        p[key] = make_product(business, title, created_at=NOW - timedelta(minutes=minutes), **kw)

    add(
        "teddy",
        dolls,
        "Boneka Beruang Teddy Rajut 30 cm",
        minutes=1,
        price_idr=85_000,
        cooperative=dolls_coop,
        description="Boneka **rajut** lembut, isi dakron.",
        attributes={"material": "Rajut", "age_range": "3+ tahun"},
    )
    add(
        "panda",
        dolls,
        "Boneka Panda Duduk 25 cm",
        minutes=2,
        price_idr=65_000,
        cooperative=dolls_coop,
        description="Boneka panda berbahan velboa.",
        attributes={"material": "Velboa", "age_range": "1+ tahun"},
    )
    add(
        "ondel",
        dolls,
        "Mainan Ondel-ondel Kayu",
        minutes=3,
        price_idr=120_000,
        cooperative=dolls_coop,
        description="Mainan kayu khas Betawi.",
    )
    add(
        "sapi",
        farm,
        "Sapi Simmental Jantan 30 Bulan",
        minutes=4,
        price_idr=62_000,
        unit="kg",
        stock=450,
        category=Sector.LIVESTOCK,
        cooperative=cattle_coop,
        attributes=CATTLE,
        description="Sapi sehat, siap kurban, dipelihara di Sangir.",
    )
    add(
        "kambing",
        farm,
        "Kambing Etawa Betina Indukan",
        minutes=5,
        price_idr=3_500_000,
        unit="ekor",
        stock=3,
        category=Sector.LIVESTOCK,
        cooperative=cattle_coop,
        attributes=GOAT,
        description="Kambing perah penghasil susu.",
    )
    add(
        "keripik",
        bali,
        "Keripik Pisang Cokelat 250 gram",
        minutes=6,
        price_idr=18_000,
        category=Sector.FOOD_DRINK,
        description="Keripik pisang kepok dengan lapisan cokelat.",
        attributes={
            "net_content": "250 gram",
            "shelf_life": "3 bulan",
            "halal_number": "ID51110000123450125",
            "pirt_number": "2065171010123-29",
        },
    )
    add(
        "sambal",
        bali,
        "Sambal Matah Botol",
        minutes=7,
        price_idr=35_000,
        category=Sector.FOOD_DRINK,
        stock=0,
        preorder=True,
        description="Sambal matah segar khas Bali, dibuat setelah dipesan.",
        attributes={"net_content": "150 ml", "shelf_life": "2 minggu", "pirt_number": "2065171010124-29"},
    )
    # Not public, whatever the query:
    add("draft", dolls, "Boneka Rahasia Draf", minutes=8, status=ProductStatus.DRAFT)
    add("review", dolls, "Boneka Menunggu Tinjauan", minutes=9, status=ProductStatus.PENDING_REVIEW)
    add(
        "paused",
        farm,
        "Sapi Bali Dijeda",
        minutes=10,
        status=ProductStatus.PAUSED,
        category=Sector.LIVESTOCK,
        attributes=CATTLE,
    )
    add("soldout", bali, "Keripik Singkong Habis", minutes=11, stock=0, category=Sector.FOOD_DRINK)
    db.session.flush()
    return p


def titles(query: CatalogQuery | dict) -> list[str]:
    if isinstance(query, dict):
        query = from_args(query)
    return [product.title for product in search.search(query).items]


def test_listing_shows_only_public_products_newest_first(catalog):
    result = search.search(CatalogQuery())
    assert [p.title for p in result.items] == [
        "Boneka Beruang Teddy Rajut 30 cm",
        "Boneka Panda Duduk 25 cm",
        "Mainan Ondel-ondel Kayu",
        "Sapi Simmental Jantan 30 Bulan",
        "Kambing Etawa Betina Indukan",
        "Keripik Pisang Cokelat 250 gram",
        "Sambal Matah Botol",  # stock 0 but preorder: public
    ]
    assert (result.total, result.total_capped) == (7, False)


def test_suspended_seller_and_cooperative_hide_their_products(catalog):
    catalog["keripik"].business.suspended_at = NOW
    catalog["sapi"].cooperative.suspended_at = NOW
    db.session.flush()
    found = titles({})
    assert "Keripik Pisang Cokelat 250 gram" not in found
    assert "Sapi Simmental Jantan 30 Bulan" not in found
    assert "Boneka Panda Duduk 25 cm" in found


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # the category's own words count too: the wooden ondel-ondel is in "boneka & mainan"
        (
            "boneka",
            {"Boneka Beruang Teddy Rajut 30 cm", "Boneka Panda Duduk 25 cm", "Mainan Ondel-ondel Kayu"},
        ),
        ("BONEKA rajut", {"Boneka Beruang Teddy Rajut 30 cm"}),
        ("keripik pisang", {"Keripik Pisang Cokelat 250 gram"}),
        ("cokelat", {"Keripik Pisang Cokelat 250 gram"}),
        # words from the description, the seller, the cooperative and the place
        ("susu", {"Kambing Etawa Betina Indukan"}),
        ("Bukit Mulya", {"Sapi Simmental Jantan 30 Bulan", "Kambing Etawa Betina Indukan"}),
        ("Sangir Makmur", {"Sapi Simmental Jantan 30 Bulan", "Kambing Etawa Betina Indukan"}),
        ("denpasar", {"Keripik Pisang Cokelat 250 gram", "Sambal Matah Botol"}),
        # attribute values and category words
        ("simmental", {"Sapi Simmental Jantan 30 Bulan"}),
        ("ternak", {"Sapi Simmental Jantan 30 Bulan", "Kambing Etawa Betina Indukan"}),
        ("kayu betawi", {"Mainan Ondel-ondel Kayu"}),
        ("boneka draf", set()),  # exists, but not public
    ],
)
def test_full_text_search_finds_indonesian_words(catalog, q, expected):
    assert set(titles({"q": q})) == expected


def test_title_match_ranks_above_description_match(catalog):
    found = titles({"q": "boneka"})
    assert found[-1] == "Mainan Ondel-ondel Kayu"
    assert set(found[:2]) == {"Boneka Beruang Teddy Rajut 30 cm", "Boneka Panda Duduk 25 cm"}


def test_a_typo_still_finds_the_product(catalog):
    result = search.search(from_args({"q": "kambimg"}))
    assert [p.title for p in result.items] == ["Kambing Etawa Betina Indukan"]
    assert result.similar is True


def test_search_as_you_type_matches_a_word_prefix(catalog):
    assert titles({"q": "kerip"}) == ["Keripik Pisang Cokelat 250 gram"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "boneka*",
        "(boneka",
        'NEAR("a" "b")',
        "AND OR NOT",
        "title:boneka",
        "-sapi",
        "^kambing",
        "a & b | !c",
        "100%",
        "boneka' OR 1=1 --",
        "\\",
        "🐄 sapi",
        "{title}: x",
        "a" * 300,
    ],
)
def test_query_syntax_characters_never_error(catalog, client, q):
    response = client.get("/produk", query_string={"q": q})
    assert response.status_code == 200
    search.search(from_args({"q": q}))  # and the service itself does not raise


def test_operators_and_little_words_are_not_required_words(catalog):
    assert "Boneka Panda Duduk 25 cm" in titles({"q": '"boneka" AND ('})
    assert titles({"q": "keripik dan pisang"}) == ["Keripik Pisang Cokelat 250 gram"]


def test_filter_by_category_and_species(catalog):
    assert titles({"kategori": "ternak", "f_species": "sapi"}) == ["Sapi Simmental Jantan 30 Bulan"]
    assert titles({"kategori": "ternak", "f_species": "kambing"}) == ["Kambing Etawa Betina Indukan"]
    assert titles({"kategori": "ternak", "f_qurban_eligible": "1"}) == ["Sapi Simmental Jantan 30 Bulan"]
    # an attribute filter of another category (or an unknown value) is ignored, not an error
    assert len(titles({"kategori": "ternak", "f_species": "naga"})) == 2
    assert len(titles({"f_species": "sapi"})) == 7


def test_filter_halal_region_cooperative_price_and_stock(catalog):
    assert titles({"kategori": "makanan_minuman", "f_halal_number": "1"}) == [
        "Keripik Pisang Cokelat 250 gram"
    ]
    assert set(titles({"provinsi": "13"})) == {
        "Sapi Simmental Jantan 30 Bulan",
        "Kambing Etawa Betina Indukan",
    }
    assert set(titles({"provinsi": "51", "kabupaten": "51.71"})) == {
        "Keripik Pisang Cokelat 250 gram",
        "Sambal Matah Botol",
    }
    coop = catalog["teddy"].cooperative
    assert len(titles({"koperasi": str(coop.id)})) == 3
    assert titles({"harga_min": "60.000", "harga_maks": "Rp90.000"}) == [
        "Boneka Beruang Teddy Rajut 30 cm",
        "Boneka Panda Duduk 25 cm",
        "Sapi Simmental Jantan 30 Bulan",
    ]
    assert "Sambal Matah Botol" not in titles({"stok": "1"})


def test_search_and_filter_combine(catalog):
    assert titles({"q": "sapi", "kategori": "ternak", "f_species": "sapi", "provinsi": "13"}) == [
        "Sapi Simmental Jantan 30 Bulan"
    ]
    assert titles({"q": "sapi", "provinsi": "32"}) == []


def test_sort_by_price(catalog):
    cheapest = titles({"urut": "termurah"})
    assert cheapest[:3] == [
        "Keripik Pisang Cokelat 250 gram",
        "Sambal Matah Botol",
        "Sapi Simmental Jantan 30 Bulan",
    ]
    assert titles({"urut": "termahal"})[0] == "Kambing Etawa Betina Indukan"


def test_keyset_pages_cover_everything_once_and_walk_back(catalog, monkeypatch):
    monkeypatch.setattr(search, "PER_PAGE", 3)
    for sort in ("terbaru", "termurah", "termahal"):
        seen: list[str] = []
        pages = []
        args: dict | None = {"urut": sort}
        while args is not None:
            page = search.search(from_args({k: str(v) for k, v in args.items()}))
            pages.append(page)
            seen += [p.title for p in page.items]
            args = page.next_args
        assert len(seen) == 7 and len(set(seen)) == 7, sort
        assert [p.page for p in pages] == [1, 2, 3]
        back = search.search(from_args({k: str(v) for k, v in pages[2].prev_args.items()}))
        assert [p.title for p in back.items] == [p.title for p in pages[1].items]
        assert back.page == 2
        first = search.search(from_args({k: str(v) for k, v in back.prev_args.items()}))
        assert [p.title for p in first.items] == [p.title for p in pages[0].items]
        assert first.prev_args is None


def test_counts_are_capped(catalog, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    result = search.search(CatalogQuery())
    assert (result.total, result.total_capped) == (5, True)


def test_malformed_urls_fall_back_to_sane_defaults(catalog, client):
    for qs in (
        "setelah=!!!&hal=abc",
        "urut=drop+table",
        "harga_min=-5&harga_maks=x",
        "kategori=naga&f_species=sapi",
        "provinsi=99999&kabupaten=zz",
        "koperasi=abc",
        "hal=999999999999999999999",
    ):
        response = client.get(f"/produk?{qs}")
        assert response.status_code == 200, qs


def test_query_round_trips_through_the_url(catalog):
    query = from_args(
        {
            "q": "sapi",
            "kategori": "ternak",
            "f_species": "sapi",
            "provinsi": "13",
            "harga_min": "1000",
            "stok": "1",
            "urut": "termurah",
        }
    )
    assert from_args(query.to_args()) == query


def test_catalog_page_shows_results_count_and_shareable_filters(catalog, client):
    page = html(client.get("/produk?kategori=ternak&f_species=sapi"))
    assert "1 produk" in page
    assert "Sapi Simmental Jantan 30 Bulan" in page
    assert "Kambing Etawa" not in page
    assert 'name="f_species"' in page and '<option value="sapi" selected>' in page
    assert "Rp62.000" in page and "per kg bobot hidup" in page


def test_catalog_page_in_english(catalog, client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = html(client.get("/produk?q=kambimg"))
    assert "Kambing Etawa Betina Indukan" in page


def test_empty_result_suggests_a_way_out(catalog, client):
    page = html(client.get("/produk?q=zzzzqqqq"))
    assert "0 produk" in page
    assert "Tidak ada produk yang cocok." in page


def test_product_page_shows_price_per_kg_attributes_seller_and_related(catalog, client):
    sapi = catalog["sapi"]
    page = html(client.get(f"/produk/{sapi.id}-{sapi.slug}"))
    assert "Rp62.000" in page and "per kg bobot hidup" in page
    assert "Rp27.900.000" in page  # 62.000 × 450 kg
    for shown in (
        "Simmental",
        "Jantan",
        "30 bulan",
        "450 kg",
        "Per kg bobot hidup",
        "Memenuhi syarat kurban",
    ):
        assert shown in page, shown
    assert "Peternakan Bukit Mulya" in page and "Koperasi Ternak Sangir Makmur" in page
    assert "https://wa.me/" in page
    related = re.search(r"Produk serupa(.*)", page, re.S)
    assert related and "Kambing Etawa Betina Indukan" in related.group(1)


def test_product_page_renders_markdown_safely(catalog, client):
    teddy = catalog["teddy"]
    teddy.description = (
        "**Lembut** <script>alert(1)</script> [toko](javascript:alert(1)) ![x](http://evil/x.png)"
    )
    db.session.flush()
    page = html(client.get(f"/produk/{teddy.id}-{teddy.slug}"))
    assert "<strong>Lembut</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert '<img src="http://evil' not in page


def test_product_page_of_a_draft_is_hidden_from_buyers(catalog, client):
    draft = catalog["draft"]
    assert client.get(f"/produk/{draft.id}-{draft.slug}").status_code == 404


def test_product_page_slug_redirects(catalog, client):
    teddy = catalog["teddy"]
    response = client.get(f"/produk/{teddy.id}-nama-lama")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/produk/{teddy.id}-{teddy.slug}")


def test_storefronts_list_and_search_their_own_products(catalog, client):
    business = catalog["sapi"].business
    page = html(client.get(f"/usaha/{business.slug}"))
    assert "Sapi Simmental Jantan 30 Bulan" in page and "Kambing Etawa Betina Indukan" in page
    assert "Boneka Panda" not in page and "Sapi Bali Dijeda" not in page
    page = html(client.get(f"/usaha/{business.slug}?q=kambing"))
    assert "Kambing Etawa Betina Indukan" in page and "Sapi Simmental Jantan 30 Bulan" not in page
    coop = catalog["teddy"].cooperative
    page = html(client.get(f"/koperasi/{coop.slug}?urut=termurah"))
    assert page.index("Boneka Panda Duduk 25 cm") < page.index("Boneka Beruang Teddy Rajut 30 cm")
    assert "Keripik" not in page


def test_home_shows_categories_and_newest_products(catalog, client):
    page = html(client.get("/"))
    assert "Boneka Beruang Teddy Rajut 30 cm" in page
    assert "Boneka Rahasia Draf" not in page
    for label in ("Boneka & mainan", "Ternak", "Makanan & minuman"):
        assert label in page


def test_home_features_the_cooperatives_with_most_members(catalog, client):
    busy = catalog["sapi"].cooperative
    for n in range(3):
        make_membership(busy, make_business(name=f"Peternak Tambahan {n}", region=SOLOK_SELATAN))
    quiet = catalog["teddy"].cooperative
    make_cooperative(name="Koperasi Tanpa Anggota", slug="tanpa-anggota")
    page = html(client.get("/"))
    assert page.index(busy.name) < page.index(quiet.name)
    assert "Koperasi Tanpa Anggota" not in page


# --- hostile or odd input ---------------------------------------------------------------------------------


def _cursor(raw: str) -> str:
    import base64

    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("sort", ["terbaru", "termurah", "termahal"])
def test_a_forged_cursor_is_ignored_not_a_server_error(catalog, client, sort):
    for raw in ("99999999999999999999999:1", "1:99999999999999999999", "-5:-5", "a:b:c", "1:0"):
        response = client.get("/produk", query_string={"urut": sort, "setelah": _cursor(raw), "hal": "2"})
        assert response.status_code == 200, raw
        assert "Boneka Beruang Teddy Rajut 30 cm" in html(response)  # back to the first page


def test_control_characters_in_the_query_are_dropped(catalog, client):
    for q in ("zzqx\x00", "boneka\x00panda", "\x07\x1f"):
        assert client.get("/produk", query_string={"q": q}).status_code == 200
        business = catalog["teddy"].business
        assert client.get(f"/usaha/{business.slug}", query_string={"q": q}).status_code == 200
    assert "Boneka Panda Duduk 25 cm" in titles({"q": "boneka\x00panda"})


def test_ids_too_large_for_a_column_are_not_found(catalog, client):
    for url in (
        "/produk/99999999999999999999999",
        "/produk/99999999999999999999999-x",
        "/produk/3000000000/ubah",
        "/keanggotaan/99999999999999/setujui",
    ):
        assert client.get(url).status_code in (404, 405), url


def test_price_bounds_read_like_rupiah(catalog):
    assert titles({"harga_min": "60.000,00", "harga_maks": "Rp 90.000,-"}) == [
        "Boneka Beruang Teddy Rajut 30 cm",
        "Boneka Panda Duduk 25 cm",
        "Sapi Simmental Jantan 30 Bulan",
    ]
    assert len(titles({"harga_min": "0"})) == 7
    assert len(titles({"harga_min": "murah"})) == 7  # not a price: no bound


def test_part_of_a_word_still_finds_the_title(catalog):
    assert titles({"q": "eddy"}) == ["Boneka Beruang Teddy Rajut 30 cm"]


def test_relevance_ranks_the_newest_matches_when_a_word_is_very_common(catalog, monkeypatch):
    monkeypatch.setattr(search, "RANK_POOL", 2)
    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", 2)
    newest = make_product(
        catalog["teddy"].business,
        "Boneka Kelinci Terbaru",
        created_at=NOW,
        cooperative=catalog["teddy"].cooperative,
    )
    result = search.search(from_args({"q": "boneka"}))
    assert (result.total, result.total_capped) == (2, True)
    assert newest.title in [p.title for p in result.items]
    # Newest-first and price sorts still walk every match.
    assert len(titles({"q": "boneka", "urut": "terbaru"})) == 4


def test_description_headings_do_not_add_a_second_h1_and_meta_is_plain(catalog, client):
    teddy = catalog["teddy"]
    teddy.description = "# Boneka Terbaik\n\n**Lembut** sekali [toko](https://contoh.id)"
    db.session.flush()
    page = html(client.get(f"/produk/{teddy.id}-{teddy.slug}"))
    assert page.count("<h1") == 1
    meta = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert (
        meta and "**" not in meta.group(1) and "](" not in meta.group(1) and "Lembut sekali" in meta.group(1)
    )


def test_reindex_command_makes_old_rows_findable(catalog, app):
    from sqlalchemy import update

    from marketplace.catalog.models import Product

    kambing = catalog["kambing"]
    db.session.execute(update(Product).where(Product.id == kambing.id).values(search_text=""))
    db.session.flush()
    assert titles({"q": "susu"}) == []
    result = app.test_cli_runner().invoke(args=["reindex-search"])
    assert "Search text refreshed for 1 products." in result.output
    db.session.expire_all()
    assert titles({"q": "susu"}) == ["Kambing Etawa Betina Indukan"]


def test_units_read_in_the_visitors_language(catalog, client):
    kambing = catalog["kambing"]
    assert "Rp3.500.000</span>" not in html(client.get("/produk"))  # the price carries its unit
    assert "per ekor" in html(client.get(f"/produk/{kambing.id}-{kambing.slug}"))
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = html(client.get(f"/produk/{kambing.id}-{kambing.slug}"))
    assert "Rp3.500.000 <small>per head</small>" in page
    assert "per ekor" not in page
