"""The read-only units API at /api/units/: filtered by what the caller may see."""
from __future__ import annotations

import datetime as dt

import pytest

from accounts.services import api_token_create
from directory.models import Alias, Succession, Unit, Website

LIST = "/api/units/"


@pytest.fixture
def units(unit_a, unit_b, other_province):
    Alias.objects.create(text="Sở VHTTDL", unit=unit_a)
    Website.objects.create(unit=unit_a, url="https://svhttdl.thu.gov.vn")
    central = Unit.objects.create(name="Thông tấn xã Việt Nam", short_name="TTXVN", kind="bao_chi_tw")
    hidden = Unit.objects.create(name="Sở Y tế tỉnh Khác", province=other_province)
    Succession.objects.create(predecessor=unit_b, successor=None, kind="dissolved", effective=dt.date(2025, 7, 1))
    return {"central": central, "hidden": hidden}


def names(response) -> set[str]:
    return {u["name"] for u in response.json()["items"]}


def test_anonymous_is_refused(client, units):
    assert client.get(LIST).status_code == 401
    assert client.get(f"{LIST}{units['central'].pk}").status_code == 401


def test_officer_lists_province_and_central(client_for, officer, units):
    response = client_for(officer).get(LIST)
    assert response.status_code == 200
    assert names(response) == {"Sở Văn hóa, Thể thao và Du lịch", "Sở Tài chính", "Thông tấn xã Việt Nam"}
    assert response.json()["count"] == 3


def test_search_and_kind(client_for, officer, units):
    c = client_for(officer)
    assert names(c.get(LIST, {"q": "van hoa"})) == {"Sở Văn hóa, Thể thao và Du lịch"}
    assert names(c.get(LIST, {"kind": "bao_chi_tw"})) == {"Thông tấn xã Việt Nam"}


def test_reporter_sees_own_unit_only(client_for, reporter, unit_a, units):
    c = client_for(reporter)
    assert names(c.get(LIST)) == {"Sở Văn hóa, Thể thao và Du lịch"}
    detail = c.get(f"{LIST}{unit_a.pk}").json()
    assert detail["aliases"] == ["Sở VHTTDL"]
    assert detail["websites"][0]["url"] == "https://svhttdl.thu.gov.vn"
    assert detail["province"] == "Tỉnh Thử"
    assert c.get(f"{LIST}{units['central'].pk}").status_code == 404


def test_detail_of_another_province_is_404(client_for, officer, unit_b, units):
    c = client_for(officer)
    assert c.get(f"{LIST}{units['hidden'].pk}").status_code == 404
    detail = c.get(f"{LIST}{unit_b.pk}").json()
    assert detail["successors"] == [
        {"unit_id": None, "unit": None, "kind": "dissolved", "effective": "2025-07-01", "note": ""}]


def test_bearer_token(client, other_reporter, unit_b, units):
    _, token = api_token_create(user=other_reporter, name="thử")
    response = client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert names(response) == {"Sở Tài chính"}
    assert client.get(LIST, HTTP_AUTHORIZATION="Bearer pw_sai").status_code == 401


def test_read_only(client_for, officer, unit_a):
    c = client_for(officer)
    assert c.post(LIST, {}, content_type="application/json").status_code == 405
    assert c.delete(f"{LIST}{unit_a.pk}").status_code == 405
