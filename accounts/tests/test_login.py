"""The login form, Argon2 hashing and lockout after repeated failures (django-axes)."""
import pytest
from django.test import override_settings
from django.urls import reverse

from planwatch.testing import PASSWORD


@pytest.mark.django_db
def test_login_page_speaks_vietnamese(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert "Đăng nhập" in r.content.decode()
    assert 'lang="vi"' in r.content.decode()


def test_passwords_are_hashed_with_argon2(officer):
    assert officer.password.startswith("argon2")


def test_login_then_logout(client, officer):
    r = client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert r.status_code == 302
    assert client.session.get("_auth_user_id") == str(officer.pk)
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_with_a_message(client, officer):
    r = client.post(reverse("login"), {"username": officer.username, "password": "sai"})
    assert r.status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures(client, officer):
    for _ in range(2):
        r = client.post(reverse("login"), {"username": officer.username, "password": "sai"})
        assert r.status_code == 200
    r = client.post(reverse("login"), {"username": officer.username, "password": "sai"})
    assert r.status_code == 429
    assert "tạm khóa" in r.content.decode()
    # even the right password is refused while locked out
    r = client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_of_one_user_does_not_lock_another(client, officer, leader):
    for _ in range(3):
        client.post(reverse("login"), {"username": officer.username, "password": "sai"})
    r = client.post(reverse("login"), {"username": leader.username, "password": PASSWORD})
    assert r.status_code == 302


def test_login_page_refuses_other_methods(client, db):
    assert client.put(reverse("login")).status_code == 405
