import pytest


@pytest.mark.django_db
def test_health_and_unknown_api_route(client):
    assert client.get("/health").json() == {"status": "ok"}
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]
