"""The export page: officers download their province's directory."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from directory.models import Unit

URL = reverse("directory:export")


@pytest.fixture
def units(unit_a, unit_b, other_province):
    Unit.objects.create(name="Sở Y tế tỉnh Khác", province=other_province)


def test_anonymous_goes_to_login(client, db):
    response = client.get(URL, {"fmt": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_method(client_for, officer):
    assert client_for(officer).post(URL).status_code == 405


@pytest.mark.parametrize("person", ["leader", "reporter", "outsider"])
def test_only_officers(client_for, request, person, units):
    assert client_for(request.getfixturevalue(person)).get(URL, {"fmt": "csv"}).status_code == 403


def test_page_and_csv(client_for, officer, units):
    c = client_for(officer)
    assert c.get(URL).status_code == 200
    response = c.get(URL, {"fmt": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Sở Tài chính" in text and "Sở Văn hóa, Thể thao và Du lịch" in text
    assert "Tỉnh Khác" not in text


def test_xlsx(client_for, officer, units):
    response = client_for(officer).get(URL, {"fmt": "xlsx"})
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert {row[0] for row in ws.iter_rows(min_row=2, values_only=True)} == {
        "Sở Tài chính", "Sở Văn hóa, Thể thao và Du lịch"}


def test_unknown_format(client_for, officer):
    assert client_for(officer).get(URL, {"fmt": "pdf"}).status_code == 400
