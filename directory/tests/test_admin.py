"""The directory's admin pages load for a superuser, with search and inlines."""
import pytest
from django.urls import reverse

from directory.models import Alias, Succession, UnitGroup, Website


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser("quantri", password="x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admin_pages(admin_client_, province, unit_a, unit_b):
    group = UnitGroup.objects.create(name="Các Sở, Ban, ngành", province=province, kinds=["so_nganh"])
    alias = Alias.objects.create(text="Sở VHTTDL", unit=unit_a)
    site = Website.objects.create(unit=unit_a, url="https://svhttdl.thu.gov.vn")
    succ = Succession.objects.create(predecessor=unit_b, successor=unit_a, effective="2025-07-01")
    pages = [reverse("admin:directory_unit_changelist") + "?q=van+hoa",
             reverse("admin:directory_unit_change", args=[unit_a.pk]),
             reverse("admin:directory_unit_add"),
             reverse("admin:directory_province_changelist"),
             reverse("admin:directory_unitgroup_change", args=[group.pk]),
             reverse("admin:directory_alias_change", args=[alias.pk]),
             reverse("admin:directory_website_change", args=[site.pk]),
             reverse("admin:directory_succession_change", args=[succ.pk])]
    for page in pages:
        assert admin_client_.get(page).status_code == 200, page
    html = admin_client_.get(reverse("admin:directory_unit_change", args=[unit_a.pk])).content.decode()
    assert "Sở VHTTDL" in html and "https://svhttdl.thu.gov.vn" in html


def test_admin_needs_staff(client_for, officer):
    response = client_for(officer).get(reverse("admin:directory_unit_changelist"))
    assert response.status_code == 302
