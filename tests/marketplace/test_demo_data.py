"""The demo data: what the README promises, idempotent, and every page renders over it in both languages."""

from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Business, Cooperative
from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from tests.conftest import html


def test_seed_demo_is_rich_enough_and_idempotent():
    first = seed_demo()
    assert first.created
    assert first.counts["cooperatives"] >= 6
    assert first.counts["businesses"] >= 40
    assert first.counts["products"] >= 200
    categories = set(db.session.scalars(select(Product.category).distinct()))
    assert {c.value for c in categories} == {
        "boneka_mainan",
        "makanan_minuman",
        "ternak",
        "kerajinan",
        "pertanian",
        "jasa",
    }
    regencies = set(db.session.scalars(select(Cooperative.regency_code)))
    assert {"32.16", "13.11"} <= regencies  # Bekasi, Solok Selatan
    assert any(code.startswith("51.") for code in regencies)  # Bali
    assert any(code.startswith("62.") for code in regencies)  # Central Kalimantan
    from marketplace.orders.models import Order

    statuses = sorted(s.value for s in db.session.scalars(select(Order.status)))
    assert statuses == ["paid", "pending_payment", "pending_payment", "shipped"]
    second = seed_demo()
    assert not second.created and second.counts == first.counts


def test_seed_demo_command_prints_the_logins(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@gotong.id" in result.output and DEMO_PASSWORD in result.output
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "nothing changed" in again.output


def test_every_public_page_renders_over_the_demo_data_in_both_languages(web):
    seed_demo()
    db.session.commit()
    cooperative = db.session.scalar(select(Cooperative).order_by(Cooperative.id))
    business = db.session.scalar(select(Business).order_by(Business.id))
    product = db.session.scalar(select(Product).where(Product.status == "active").order_by(Product.id))
    pages = [
        "/",
        "/produk",
        "/produk?kategori=ternak",
        "/produk?q=boneka",
        "/koperasi",
        "/koperasi?provinsi=13",
        f"/koperasi/{cooperative.slug}",
        f"/usaha/{business.slug}",
        f"/produk/{product.id}-{product.slug}",
        "/akun/masuk",
        "/akun/daftar",
        "/akun/lupa-sandi",
        "/acara",
    ]
    for language in ("id", "en"):
        web.post("/bahasa", {"lang": language})
        for url in pages:
            response = web.get(url)
            assert response.status_code == 200, (language, url)
            assert f'lang="{language}"' in html(response)
    web.post("/bahasa", {"lang": "id"})
    assert "Rp" in html(web.get(f"/produk/{product.id}-{product.slug}"))
    # The demo shows marketing at work: a running campaign and featured products, a bazaar with a booth.
    home = html(web.get("/"))
    assert "Pekan Boneka Bekasi" in home and "Produk pilihan" in home
    assert "Bazar UMKM Tambun" in html(web.get("/acara"))
    sitemap = web.get("/sitemap.xml")
    assert sitemap.status_code == 200 and f"/produk/{product.id}-{product.slug}" in html(sitemap)
    count = db.session.scalar(select(func.count(Product.id)))
    assert count >= 200


def test_demo_admin_can_log_in(web):
    seed_demo()
    db.session.commit()
    response = web.post("/akun/masuk", {"email": "admin@gotong.id", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert web.get("/admin/").status_code == 200


def test_order_pages_render_over_the_demo_data_in_both_languages(web):
    from marketplace.orders.models import Order

    seed_demo()
    db.session.commit()
    orders = list(db.session.scalars(select(Order).order_by(Order.id)))
    seller = orders[0].business
    buyer_pages = ["/keranjang", "/keranjang/pesan", "/pesanan"]
    for order in orders:
        buyer_pages += [
            f"/pesanan/{order.number}",
            f"/bayar/{order.checkout.reference}",
            f"/pesanan/{order.number}/faktur",
        ]
    seller_pages = [f"/usaha/{seller.slug}/pesanan", f"/usaha/{seller.slug}/pesanan?status=semua"]
    seller_pages += [f"/usaha/{seller.slug}/pesanan/{o.number}" for o in orders if o.business_id == seller.id]
    for email, pages in (("pembeli@gotong.id", buyer_pages), (seller.owner.email, seller_pages)):
        web.post("/akun/masuk", {"email": email, "password": DEMO_PASSWORD})
        for language in ("id", "en"):
            web.post("/bahasa", {"lang": language})
            for url in pages:
                response = web.get(url)
                assert response.status_code in (200, 302), (email, language, url)
                if response.status_code == 200:
                    assert f'lang="{language}"' in html(response)
        web.logout()
