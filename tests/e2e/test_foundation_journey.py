"""Register → create a business → apply to a cooperative → the manager approves → the business shows on the
cooperative page; the page is Indonesian, then switched to English. On a 360 px wide phone."""

import pytest

from marketplace.extensions import db
from tests.e2e.browser import log_in, log_out
from tests.factories import PASSWORD, make_cooperative, make_user

pytestmark = pytest.mark.e2e


def test_register_join_cooperative_and_get_approved(page):
    manager = make_user("Haji Rahmat", email="ketua@contoh.id")
    cooperative = make_cooperative(
        manager, name="Koperasi Perajin Boneka Bekasi", slug="koperasi-perajin-boneka-bekasi"
    )
    db.session.commit()

    # The home page greets in Indonesian.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert "Koperasi dan UMKM menjual bersama" in page.locator("h1").inner_text()

    # Register, with one mistake first: the form says what is wrong and keeps what was typed.
    page.goto("/akun/daftar")
    page.get_by_label("Nama lengkap").fill("Dewi Lestari")
    page.get_by_label("E-mail").fill("dewi@contoh.id")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label("Kata sandi", exact=True).fill("pendek")
    page.get_by_label("Ulangi kata sandi").fill("pendek")
    page.get_by_role("button", name="Daftar").click()
    assert "Kata sandi minimal 10 karakter." in page.content()
    assert page.get_by_label("Nama lengkap").input_value() == "Dewi Lestari"
    page.get_by_label("Kata sandi", exact=True).fill("boneka-bekasi-laris")
    page.get_by_label("Ulangi kata sandi").fill("boneka-bekasi-laris")
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_url("**/saya")
    assert "Selamat datang di Gotong, Dewi Lestari!" in page.content()

    # Create a business; the regency list follows the province.
    page.get_by_role("link", name="+ Tambah usaha").click()
    page.get_by_label("Nama usaha").fill("Boneka Ceria Tambun")
    page.get_by_label("NIB (Nomor Induk Berusaha)").fill("9120301234567")
    page.get_by_label("Nomor WhatsApp").fill("0812 1111 2222")
    page.get_by_label("Sektor usaha").select_option("boneka_mainan")
    page.get_by_label("Provinsi").select_option("32")
    page.wait_for_function("document.querySelector('#regency_code').options.length > 1")
    page.get_by_label("Kabupaten/kota").select_option("32.16")
    page.get_by_label("Alamat").fill("Jl. Sultan Hasanudin No. 5, Tambun Selatan")
    page.get_by_role("button", name="Buat usaha").click()
    page.wait_for_url("**/usaha/boneka-ceria-tambun")
    assert "Kabupaten Bekasi, Jawa Barat" in page.content()

    # Apply to the cooperative.
    page.goto(f"/koperasi/{cooperative.slug}")
    page.get_by_label("Pesan untuk pengurus (opsional)").fill("Kami perajin boneka rajut sejak 2015.")
    page.get_by_role("button", name="Ajukan keanggotaan").click()
    assert "Pendaftaran Boneka Ceria Tambun terkirim" in page.content()
    assert "Menunggu persetujuan" in page.content()
    log_out(page)

    # The manager approves.
    log_in(page, "ketua@contoh.id", PASSWORD)
    page.get_by_role("link", name="Kelola anggota").click()
    application = page.locator("article", has_text="Boneka Ceria Tambun")
    assert "Kami perajin boneka rajut sejak 2015." in application.inner_text()
    application.get_by_role("button", name="Setujui").click()
    assert "Boneka Ceria Tambun sekarang anggota koperasi." in page.content()
    log_out(page)

    # The business is listed on the cooperative's public page.
    page.goto(f"/koperasi/{cooperative.slug}")
    assert "Boneka Ceria Tambun" in page.locator("#anggota").inner_text()

    # Switch to English; the choice is remembered on the next page.
    page.get_by_role("button", name="EN").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#anggota h2").inner_text().startswith("Members")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Cooperatives and MSMEs selling together, buying together." in page.locator("h1").inner_text()
    # Nothing overflows a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
