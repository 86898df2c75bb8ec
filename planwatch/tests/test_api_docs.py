"""The REST API publishes its OpenAPI schema and docs page."""
from django.urls import reverse


def test_openapi_schema_lists_the_endpoints(client, db):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/plans", "/api/assignments", "/api/units/", "/api/plans/import"):
        assert any(p.startswith(path) for p in paths), path


def test_docs_page_is_served(client, db):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert b"openapi.json" in r.content


def test_api_refuses_anonymous_reads(client, db):
    assert client.get("/api/plans").status_code == 401
    assert client.get("/api/units/").status_code == 401
