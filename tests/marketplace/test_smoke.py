from tests.conftest import html


def test_home_page_is_indonesian(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="id"' in html(response)
    assert "Koperasi dan UMKM menjual bersama" in html(response)
