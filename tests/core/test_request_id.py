import pytest

pytestmark = pytest.mark.django_db


def test_request_id_is_generated(client):
    response = client.get("/health")
    assert len(response["X-Request-ID"]) == 32


def test_sane_request_id_is_kept(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="abc-123.DEF:4_5")
    assert response["X-Request-ID"] == "abc-123.DEF:4_5"


@pytest.mark.parametrize("candidate", ["has space", "x" * 200, "newline\ninjected", "<script>", ""])
def test_insane_request_id_is_replaced(client, candidate):
    response = client.get("/health", HTTP_X_REQUEST_ID=candidate)
    assert response["X-Request-ID"] != candidate
    assert len(response["X-Request-ID"]) == 32


def test_request_id_in_error_body_matches_header(client):
    response = client.get("/api/v1/tenants/me", HTTP_X_REQUEST_ID="trace-42")
    assert response.json()["error"]["request_id"] == "trace-42"
