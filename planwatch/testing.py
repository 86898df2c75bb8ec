"""Shared test fixtures: the named people every view test uses (pytest plugin, loaded
by the root conftest.py).

Each person has a comment on what they may see. They live in a small directory of
their own (not the demo data) so tests do not depend on its exact contents; tests of
resolution load the demo directory itself.
"""
from __future__ import annotations

import pytest

PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads go to a per-test folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def province(db):
    from directory.models import Province

    return Province.objects.create(name="Tỉnh Thử", code="tinh-thu")


@pytest.fixture
def other_province(db):
    from directory.models import Province

    return Province.objects.create(name="Tỉnh Khác", code="tinh-khac")


@pytest.fixture
def unit_a(province):
    from directory.models import Unit

    return Unit.objects.create(name="Sở Văn hóa, Thể thao và Du lịch", kind="so_nganh", province=province)


@pytest.fixture
def unit_b(province):
    from directory.models import Unit

    return Unit.objects.create(name="Sở Tài chính", kind="so_nganh", province=province)


def _user(username, **fields):
    from accounts.models import User

    units = fields.pop("units", [])
    u = User.objects.create_user(username=username, password=PASSWORD, **fields)
    if units:
        u.units.set(units)
    return u


@pytest.fixture
def officer(province):
    """Department officer of `province`: reads and edits everything in it."""
    return _user("canbo.so", role="officer", province=province, first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def leader(province):
    """Leader of `province`: reads everything in it, edits nothing."""
    return _user("lanhdao", role="leader", province=province)


@pytest.fixture
def reporter(unit_a):
    """Reporter of unit_a: sees unit_a's assignments and nothing of unit_b."""
    return _user("baocao.a", role="reporter", units=[unit_a])


@pytest.fixture
def other_reporter(unit_b):
    """Reporter of unit_b: must never see unit_a's work."""
    return _user("baocao.b", role="reporter", units=[unit_b])


@pytest.fixture
def other_officer(other_province):
    """Officer of another province: sees nothing of `province`."""
    return _user("canbo.khac", role="officer", province=other_province)


@pytest.fixture
def outsider(db):
    """Logged in, but with no province and no unit: sees nothing."""
    return _user("nguoingoai", role="reporter")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as `user` (force_login: the
    login form and its lockout are tested on their own)."""

    def make(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
