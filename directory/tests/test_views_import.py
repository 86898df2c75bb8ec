"""The import page: officers only, one transaction, errors listed by line."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import Unit

URL = reverse("directory:import")
HEADER = "name,short_name,kind,parent,province,valid_from,valid_to,aliases,websites,email"


def upload(text: str, name: str = "don-vi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_anonymous_goes_to_login(client, db):
    for response in (client.get(URL), client.post(URL)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods(client_for, officer, method):
    assert getattr(client_for(officer), method)(URL).status_code == 405


@pytest.mark.parametrize("person", ["leader", "reporter", "other_reporter", "outsider"])
def test_only_officers(client_for, request, person):
    c = client_for(request.getfixturevalue(person))
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"file": upload(HEADER + "\nSở Nội vụ,,,,,,,,,\n")}).status_code == 403
    assert not Unit.objects.filter(name="Sở Nội vụ").exists()


def test_officer_imports_into_own_province(client_for, officer, province):
    c = client_for(officer)
    assert c.get(URL).status_code == 200
    response = c.post(URL, {"file": upload(HEADER + "\nSở Nội vụ,,so_nganh,,,,,Sở NV,,\n")})
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:unit_list")
    unit = Unit.objects.get(name="Sở Nội vụ")
    assert unit.province == province
    assert "1 đơn vị mới" in c.get(response["Location"]).content.decode()


def test_bad_file_writes_nothing_and_lists_lines(client_for, officer, province):
    body = HEADER + "\nSở Nội vụ,,so_nganh,,,,,,,\nSở Khác,,loại lạ,,,,,,,\n=cmd,,,,,,,,,\n"
    response = client_for(officer).post(URL, {"file": upload(body)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dòng 3" in html and "Dòng 4" in html
    assert "không có gì được ghi" in html
    assert Unit.objects.count() == 0


def test_other_province_rows_are_refused(client_for, officer, other_province):
    response = client_for(officer).post(URL, {"file": upload(HEADER + "\nSở Nội vụ,,,,Tỉnh Khác,,,,,\n")})
    assert response.status_code == 400
    assert "Tỉnh Khác" in response.content.decode()
    assert Unit.objects.count() == 0


def test_no_file_and_too_big(client_for, officer, settings):
    c = client_for(officer)
    assert c.post(URL).status_code == 400
    settings.DIRECTORY_IMPORT_MAX_BYTES = 50
    response = c.post(URL, {"file": upload(HEADER + "\n" + "Sở Nội vụ,,,,,,,,,\n" * 5)})
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()


def test_superuser_picks_a_province(client, django_user_model, province):
    admin = django_user_model.objects.create_superuser("quantri", password="x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(URL, {"province": province.pk, "file": upload(HEADER + "\nSở Nội vụ,,,,,,,,,\n")})
    assert response.status_code == 302
    assert Unit.objects.get(name="Sở Nội vụ").province == province
