"""An owner lists a bull priced per kg live weight, with photos → the cooperative's manager approves it → a
buyer without an account finds it by searching and filtering by species → the product page shows the right
price per kg and per head. On a 360 px wide phone, with the page's own JavaScript running."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.sectors import Sector
from tests.e2e.browser import log_in, log_out
from tests.factories import (
    SOLOK_SELATAN,
    make_business,
    make_cooperative,
    make_membership,
    make_product,
    make_user,
)

pytestmark = pytest.mark.e2e


def _photo(tmp_path, name: str, colour: tuple[int, int, int]) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_owner_lists_cattle_manager_approves_buyer_finds_it(page, tmp_path):
    manager = make_user("Datuak Rajo Ameh", email="ketua@sangir.id")
    cooperative = make_cooperative(
        manager, name="Koperasi Peternak Sangir Sejahtera", slug="peternak-sangir", region=SOLOK_SELATAN
    )
    owner = make_user("Uda Rizal", email="rizal@contoh.id")
    farm = make_business(
        owner, "Peternakan Bukit Mulya", region=SOLOK_SELATAN, sector=Sector.LIVESTOCK, slug="bukit-mulya"
    )
    make_membership(cooperative, farm)
    # A goat from another farm, so that the species filter has something to leave out.
    other = make_business(name="Kandang Kambing Abai", region=SOLOK_SELATAN, sector=Sector.LIVESTOCK)
    make_product(
        other,
        "Kambing Simmental? Bukan — Kambing Kacang Jantan",
        category=Sector.LIVESTOCK,
        unit="ekor",
        attributes={
            "species": "kambing",
            "breed": "Kacang",
            "sex": "jantan",
            "age_months": 12,
            "price_basis": "per_head",
        },
        description="Kambing kacang, teman sapi Simmental di kandang sebelah.",
    )
    db.session.commit()

    # --- the owner lists the bull ------------------------------------------------------------------
    log_in(page, owner.email)
    page.goto("/usaha/bukit-mulya/produk/baru")
    page.get_by_label("Nama produk").fill("Sapi Simmental Jantan 30 Bulan ±450 kg")
    page.get_by_label("Kategori").select_option("ternak")  # the livestock fields appear without a reload
    page.get_by_label("Jenis ternak").select_option("sapi")
    page.get_by_label("Ras / bangsa").fill("Simmental")
    page.get_by_label("Kelamin").select_option("jantan")
    page.get_by_label("Umur", exact=True).fill("30")
    page.get_by_label("Harga dihitung").select_option("per_kg")
    page.get_by_label("Nomor eartag").fill("SS-2026-0042")
    page.get_by_label("Memenuhi syarat kurban").check()
    page.get_by_label("Deskripsi").fill("Sapi **Simmental** sehat, lengkap SKKH. Dipelihara di Sangir.")
    page.get_by_label("Harga (Rp)").fill("62.000")
    page.get_by_label("Satuan").select_option("kg")
    page.get_by_label("Stok", exact=True).fill("450")
    # Priced per kg but no live weight yet: refused with a clear message, and nothing typed is lost.
    page.get_by_role("button", name="Ajukan ke pengurus").click()
    assert "Harga per kg butuh bobot hidup" in page.content()
    assert page.get_by_label("Ras / bangsa").input_value() == "Simmental"
    assert page.get_by_label("Harga (Rp)").input_value() == "62.000"
    assert db.session.query(Product).filter_by(title="Sapi Simmental Jantan 30 Bulan ±450 kg").count() == 0
    page.get_by_label("Bobot hidup").fill("450")
    page.get_by_role("button", name="Ajukan ke pengurus").click()
    page.wait_for_url("**/ubah#foto")
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    bull = db.session.query(Product).filter_by(title="Sapi Simmental Jantan 30 Bulan ±450 kg").one()
    assert bull.status is ProductStatus.PENDING_REVIEW
    assert bull.price_idr == 62_000 and bull.attributes["live_weight_kg"] == 450

    # Two photos; the first becomes the cover.
    page.locator("input[type=file]").set_input_files(
        [_photo(tmp_path, "depan.jpg", (120, 80, 40)), _photo(tmp_path, "samping.jpg", (90, 60, 30))]
    )
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_load_state()
    assert page.locator(".photo-item").count() == 2
    db.session.rollback()
    assert len(bull.photos) == 2 and bull.cover_thumb == bull.photos[0].thumb_path

    # Not public yet: a buyer cannot find it.
    log_out(page)
    page.goto("/produk?q=simmental")
    assert "Sapi Simmental Jantan 30 Bulan" not in page.content()

    # --- the manager approves ------------------------------------------------------------------------
    log_in(page, manager.email)
    page.goto("/koperasi/peternak-sangir/kelola")
    page.get_by_role("link", name="Tinjau produk anggota").click()
    item = page.locator(".review-item", has_text="Sapi Simmental Jantan 30 Bulan")
    assert "Rp62.000" in item.inner_text() and "per kg bobot hidup" in item.inner_text()
    item.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()
    assert "Tidak ada produk yang menunggu persetujuan." in page.content()
    log_out(page)

    # --- a buyer finds it -----------------------------------------------------------------------------
    page.goto("/")
    page.get_by_placeholder("Cari produk koperasi…").fill("simmental")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/produk?q=simmental")
    cards = page.locator(".product-card")
    assert cards.count() == 2  # the bull, and the goat whose description mentions Simmental
    page.locator("details.filter-panel summary").click()
    page.get_by_role("combobox", name="Kategori").select_option("ternak")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_load_state()
    page.locator("details.filter-panel summary").click()
    page.get_by_label("Jenis ternak").select_option("sapi")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url("**f_species=sapi**")
    assert "q=simmental" in page.url and "kategori=ternak" in page.url  # the URL holds the whole query
    assert cards.count() == 1
    assert "1 produk" in page.locator(".result-count").inner_text()
    card = cards.first
    assert "Rp62.000" in card.inner_text() and "per kg bobot hidup" in card.inner_text()
    assert card.locator("img").get_attribute("src").endswith(".webp")

    card.locator("a").first.click()
    page.wait_for_url(f"**/produk/{bull.id}-*")
    price = page.locator(".price.big").inner_text()
    assert "Rp62.000" in price and "per kg bobot hidup" in price
    assert "≈ Rp27.900.000 per ekor untuk bobot hidup 450 kg" in page.locator(".per-head").inner_text()
    facts = page.locator("dl.attributes").inner_text()
    for shown in ("Sapi", "Simmental", "Jantan", "30 bulan", "450 kg", "SS-2026-0042", "Per kg bobot hidup"):
        assert shown in facts, shown
    assert page.locator(".photo-strip img").count() == 2
    cover = page.locator(".photo-strip img").first.bounding_box()
    assert cover["width"] > 300 and cover["height"] > 200  # a real photo on a phone, not a thin strip
    assert page.locator(".prose strong").inner_text() == "Simmental"
    assert page.get_by_role("link", name="Koperasi Peternak Sangir Sejahtera").is_visible()
    whatsapp = page.get_by_role("link", name="Tanya lewat WhatsApp").get_attribute("href")
    assert whatsapp.startswith("https://wa.me/62")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone


def test_rejection_low_stock_csv_update_and_pause(page, tmp_path):
    manager = make_user("Bu Ketua", email="ketua@boneka.id")
    cooperative = make_cooperative(manager, name="Koperasi Boneka Bekasi", slug="boneka-bekasi")
    owner = make_user("Dewi Lestari", email="dewi@contoh.id")
    shop = make_business(owner, "Boneka Ceria Tambun", slug="boneka-ceria")
    make_membership(cooperative, shop)
    teddy = make_product(shop, "Boneka Teddy Rajut", cooperative=cooperative, price_idr=85_000, stock=40)
    panda = make_product(
        shop,
        "Boneka Panda Duduk",
        cooperative=cooperative,
        price_idr=65_000,
        stock=3,
        slug="boneka-panda-duduk",
    )
    unicorn = make_product(
        shop,
        "Boneka Unicorn Pelangi",
        cooperative=cooperative,
        status=ProductStatus.PENDING_REVIEW,
        slug="boneka-unicorn-pelangi",
        attributes={"material": "Velboa", "age_range": "3+ tahun", "sni_number": "SNI 8124:2010"},
    )
    db.session.commit()

    # The manager rejects a listing, with a reason.
    log_in(page, manager.email)
    page.goto("/koperasi/boneka-bekasi/tinjauan-produk")
    item = page.locator(".review-item", has_text="Boneka Unicorn Pelangi")
    item.get_by_label("Alasan penolakan (dilihat penjual)").fill("Foto belum ada; mohon tambahkan foto asli.")
    item.get_by_role("button", name="Tolak").click()
    page.wait_for_load_state()
    log_out(page)

    # The owner sees the reason and the low-stock alert on their product list.
    log_in(page, owner.email)
    page.goto("/usaha/boneka-ceria/produk")
    assert "Foto belum ada; mohon tambahkan foto asli." in page.locator(f"#produk-{unicorn.id}").inner_text()
    assert "1 produk stoknya menipis" in page.locator(".low-stock-alert").inner_text()
    assert "menipis" in page.locator(f"#produk-{panda.id}").inner_text()

    # Bulk update from the downloaded CSV: a wrong row first (nothing applied), then a right file.
    page.get_by_role("link", name="Ubah harga & stok lewat CSV").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh daftar produk Anda (CSV)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Boneka Panda Duduk" in exported and ";" in exported
    lines = exported.strip().splitlines()
    header, rows = lines[0], lines[1:]
    edited = []
    for row in rows:
        cells = row.split(";")
        if cells[0] == str(panda.id):
            cells[2], cells[3] = "70000", "-5"  # negative stock: refused
        edited.append(";".join(cells))
    bad = tmp_path / "produk.csv"
    bad.write_text("\n".join([header, *edited]) + "\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Unggah dan lihat pratinjau").click()
    page.wait_for_load_state()
    assert "Tidak ada yang diubah." in page.content()
    assert page.locator("table.import-errors").is_visible()
    db.session.rollback()
    assert (panda.price_idr, panda.stock) == (65_000, 3)

    good = tmp_path / "produk-benar.csv"
    good.write_text("\n".join([header, *(r.replace(";-5", ";25") for r in edited)]) + "\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Unggah dan lihat pratinjau").click()
    page.wait_for_load_state()
    changes = page.locator("table.import-changes").inner_text()
    assert "Boneka Panda Duduk" in changes and "Rp65.000" in changes and "Rp70.000" in changes
    page.get_by_role("button", name="Terapkan ke 1 produk").click()
    page.wait_for_load_state()
    db.session.rollback()
    assert (panda.price_idr, panda.stock) == (70_000, 25)
    assert page.locator(".low-stock-alert").count() == 0

    # Pausing hides a listing from the storefront; resuming brings it back.
    page.locator(f"#produk-{teddy.id}").get_by_role("button", name="Jeda").click()
    page.wait_for_load_state()
    page.goto("/usaha/boneka-ceria")
    assert "Boneka Teddy Rajut" not in page.locator("#produk").inner_text()
    assert "Rp70.000" in page.locator("#produk").inner_text()
    page.goto("/usaha/boneka-ceria/produk")
    page.locator(f"#produk-{teddy.id}").get_by_role("button", name="Tayangkan lagi").click()
    page.wait_for_load_state()
    page.goto("/usaha/boneka-ceria")
    assert "Boneka Teddy Rajut" in page.locator("#produk").inner_text()
