"""The unit list: who sees which units, diacritics-insensitive search, kind filter."""
from __future__ import annotations

import pytest
from django.urls import reverse

from directory.models import Alias, Unit

URL = reverse("directory:unit_list")


@pytest.fixture
def directory(province, other_province, unit_a, unit_b):
    """unit_a, unit_b and a newspaper of `province`, a central agency, and a unit of
    another province."""
    bao = Unit.objects.create(name="Báo Đắk Nông", kind="bao_chi_dp", province=province, is_demo=True)
    Alias.objects.create(text="Sở VHTTDL", unit=unit_a)
    Unit.objects.create(name="Thông tấn xã Việt Nam", short_name="TTXVN", kind="bao_chi_tw")
    Unit.objects.create(name="Sở Y tế tỉnh Khác", kind="so_nganh", province=other_province)
    return bao


def names(response) -> set[str]:
    return {u.name for u in response.context["page"]}


def test_anonymous_goes_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_method(client_for, officer):
    assert client_for(officer).post(URL).status_code == 405


def test_officer_sees_the_province_and_central_units(client_for, officer, directory):
    response = client_for(officer).get(URL)
    assert response.status_code == 200
    assert names(response) == {
        "Báo Đắk Nông", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tài chính", "Thông tấn xã Việt Nam"}
    assert reverse("directory:import") in response.content.decode()


def test_leader_sees_the_same_but_may_not_import(client_for, leader, directory):
    response = client_for(leader).get(URL)
    assert len(names(response)) == 4
    assert reverse("directory:import") not in response.content.decode()


@pytest.mark.parametrize("person, expected", [
    ("reporter", {"Sở Văn hóa, Thể thao và Du lịch"}),
    ("other_reporter", {"Sở Tài chính"}),
    ("other_officer", {"Sở Y tế tỉnh Khác", "Thông tấn xã Việt Nam"}),
    ("outsider", set()),
])
def test_others_see_only_their_own(client_for, directory, request, person, expected):
    response = client_for(request.getfixturevalue(person)).get(URL)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("q, expected", [
    ("dak nong", {"Báo Đắk Nông"}),
    ("ĐẮK NÔNG", {"Báo Đắk Nông"}),
    ("bao dak", {"Báo Đắk Nông"}),
    ("van hoa du lich", {"Sở Văn hóa, Thể thao và Du lịch"}),
    ("VHTTDL", {"Sở Văn hóa, Thể thao và Du lịch"}),  # an alias
    ("TTXVN", {"Thông tấn xã Việt Nam"}),  # a short name
    ("y te", set()),  # another province's unit stays hidden
    ("không có đơn vị này", set()),
])
def test_search_ignores_diacritics(client_for, officer, directory, q, expected):
    assert names(client_for(officer).get(URL, {"q": q})) == expected


def test_filter_by_kind(client_for, officer, directory):
    assert names(client_for(officer).get(URL, {"kind": "bao_chi_dp"})) == {"Báo Đắk Nông"}
    assert len(names(client_for(officer).get(URL, {"kind": "not-a-kind"}))) == 4


def test_demo_units_are_labelled(client_for, officer, directory):
    html = client_for(officer).get(URL).content.decode()
    assert html.count("Dữ liệu mẫu") == 1
