"""Inviting unit reporters: the officer's page, the email through a real SMTP server on
127.0.0.1, and the public page where the invited person sets a password.

People (planwatch.testing): `officer` invites for `province`; `leader` reads it but
invites nobody; `reporter` already reports for unit_a; `other_officer` belongs to
another province and must not learn that this province's invites exist.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invite, User
from directory.models import Unit

NEW_PASSWORD = "Bao-cao-dung-han-2026"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/invite/([A-Za-z0-9_-]+)/")


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _token_from(message) -> str:
    [token] = set(LINK.findall(_text(message)))
    assert token in _html(message)
    return token


def _invite(client, units, email="nguyen.van.a@so-vhttdl.gov.vn"):
    return client.post(reverse("invite_list"), {"email": email, "units": [u.pk for u in units]})


@pytest.fixture
def press(db):
    """A central press agency: no province, visible to every officer."""
    return Unit.objects.create(name="Báo Nhân Dân", kind="bao_chi_tw")


# --- the happy path ---------------------------------------------------------------------------


def test_invite_email_arrives_with_a_link_that_creates_a_reporter(client_for, officer, unit_a, unit_b, smtp_server):
    client = client_for(officer)
    r = _invite(client, [unit_a, unit_b])
    assert r.status_code == 302 and r["Location"] == reverse("invite_list")

    [message] = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ["nguyen.van.a@so-vhttdl.gov.vn"]
    assert "Lời mời báo cáo" in message["Subject"]
    assert unit_a.name in _text(message) and unit_b.name in _html(message)
    token = _token_from(message)
    invite = Invite.objects.get()
    assert invite.digest == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert token not in str(Invite.objects.values().get())
    lifetime = invite.expires_at - invite.created_at
    assert abs(lifetime - dt.timedelta(days=services.INVITE_DAYS_DEFAULT)) < dt.timedelta(seconds=5)
    # the page lists it as pending
    assert "nguyen.van.a@so-vhttdl.gov.vn" in client.get(reverse("invite_list")).content.decode()

    anonymous = Client()
    path = urlsplit(LINK.search(_text(message)).group(0)).path
    page = anonymous.get(path)
    assert page.status_code == 200
    assert unit_a.name in page.content.decode()
    r = anonymous.post(path, {"username": "nguyenvana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("home")

    user = User.objects.get(username="nguyenvana")
    assert user.role == User.Role.REPORTER and user.province == officer.province
    assert user.email == "nguyen.van.a@so-vhttdl.gov.vn"
    assert set(user.units.all()) == {unit_a, unit_b}  # one person, two units
    assert user.password.startswith("argon2")
    invite.refresh_from_db()
    assert invite.accepted_at and invite.user == user
    assert anonymous.session["_auth_user_id"] == str(user.pk)

    fresh = Client()
    r = fresh.post(reverse("login"), {"username": "nguyenvana", "password": NEW_PASSWORD})
    assert r.status_code == 302 and fresh.session["_auth_user_id"] == str(user.pk)


def test_a_unit_can_have_several_reporters(client_for, officer, reporter, unit_a, smtp_server):
    _invite(client_for(officer), [unit_a], email="tran.thi.b@example.vn")
    services.invite_accept(token=_token_from(smtp_server.messages[0]), username="tranthib", password=NEW_PASSWORD)
    assert set(unit_a.users.values_list("username", flat=True)) == {"baocao.a", "tranthib"}


def test_an_existing_reporter_is_given_the_new_unit(client_for, officer, reporter, unit_a, unit_b, smtp_server):
    reporter.email = "baocao.a@example.vn"
    reporter.save()
    _invite(client_for(officer), [unit_b], email="BaoCao.A@EXAMPLE.vn")
    token = _token_from(smtp_server.messages[0])
    anonymous = Client()
    page = anonymous.get(reverse("invite_accept", args=[token]))
    assert page.status_code == 200
    assert "baocao.a" in page.content.decode() and 'name="password1"' not in page.content.decode()
    r = anonymous.post(reverse("invite_accept", args=[token]))
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert set(reporter.units.all()) == {unit_a, unit_b}
    assert User.objects.filter(email__iexact="baocao.a@example.vn").count() == 1
    assert "_auth_user_id" not in anonymous.session  # they log in with their own password


def test_an_officer_may_invite_for_a_press_agency_without_province(officer, press, smtp_server):
    invite, token = services.invite_create(officer=officer, email="pv@nhandan.vn", units=[press])
    user = services.invite_accept(token=token, username="phongvien", password=NEW_PASSWORD)
    assert invite.province == officer.province and list(user.units.all()) == [press]


# --- links that cannot be used ----------------------------------------------------------------


def _pending(officer, unit, email="x@example.vn"):
    return services.invite_create(officer=officer, email=email, units=[unit])


def test_a_used_link_is_refused(client, officer, unit_a, smtp_server):
    _invite_row, token = _pending(officer, unit_a)
    services.invite_accept(token=token, username="nguoimoi", password=NEW_PASSWORD)
    for method in (client.get, client.post):
        r = method(reverse("invite_accept", args=[token]), {"username": "khac", "password1": NEW_PASSWORD,
                                                          "password2": NEW_PASSWORD})
        assert r.status_code == 410
        assert "đã được sử dụng" in r.content.decode()
    assert not User.objects.filter(username="khac").exists()


def test_an_expired_link_is_refused(client, officer, unit_a, smtp_server):
    invite, token = _pending(officer, unit_a)
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.post(reverse("invite_accept", args=[token]),
                    {"username": "nguoimoi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 410 and "đã hết hạn" in r.content.decode()
    assert not User.objects.filter(username="nguoimoi").exists()
    with pytest.raises(services.InviteError) as exc:
        services.invite_accept(token=token, username="nguoimoi", password=NEW_PASSWORD)
    assert exc.value.reason == "expired"


def test_revoked_and_unknown_links_read_the_same(client_for, client, officer, unit_a, smtp_server):
    invite, token = _pending(officer, unit_a)
    r = client_for(officer).post(reverse("invite_revoke", args=[invite.pk]))
    assert r.status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is not None
    client.logout()
    revoked = client.get(reverse("invite_accept", args=[token]))
    unknown = client.get(reverse("invite_accept", args=["x" * 43]))
    assert revoked.status_code == unknown.status_code == 404
    # the same page, apart from the CSRF token and the address in the language form
    main = lambda r: r.content.decode().split("<main>")[1]  # noqa: E731
    assert main(revoked) == main(unknown)
    assert "không hợp lệ hoặc đã bị thu hồi" in revoked.content.decode()
    assert client.get(reverse("invite_accept", args=["x" * 5000])).status_code == 404


def test_an_accepted_invite_cannot_be_revoked(officer, unit_a, smtp_server):
    invite, token = _pending(officer, unit_a)
    services.invite_accept(token=token, username="nguoimoi", password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.invite_revoke(officer=officer, invite=invite)


# --- what the accept form refuses ----------------------------------------------------------------


def _accept(client, token, username="nguoimoi", password=NEW_PASSWORD, again=None):
    return client.post(reverse("invite_accept", args=[token]),
                       {"username": username, "password1": password, "password2": password if again is None else again})


def test_a_taken_username_is_refused_whatever_its_case(client, officer, reporter, unit_a, smtp_server):
    invite, token = _pending(officer, unit_a)
    r = _accept(client, token, username="BaoCao.A")
    assert r.status_code == 200
    assert "đã có người dùng" in r.content.decode()
    invite.refresh_from_db()
    assert invite.accepted_at is None  # the link still works
    assert _accept(client, token, username="baocao.moi").status_code == 302


@pytest.mark.parametrize("password", ["12345678", "matkhau", "password123", "nguoimoi2026"])
def test_weak_passwords_are_refused(client, officer, unit_a, smtp_server, password):
    _invite_row, token = _pending(officer, unit_a)
    r = _accept(client, token, password=password)
    assert r.status_code == 200
    assert not User.objects.filter(username="nguoimoi").exists()
    assert 'class="overdue"' in r.content.decode()  # the validator's message is shown


def test_passwords_must_match(client, officer, unit_a, smtp_server):
    _invite_row, token = _pending(officer, unit_a)
    r = _accept(client, token, again=NEW_PASSWORD + "x")
    assert r.status_code == 200 and "không khớp" in r.content.decode()
    assert not User.objects.filter(username="nguoimoi").exists()


@pytest.mark.parametrize("username", ["a" * 10_000, "tên có dấu cách", "<script>", ""])
def test_bad_usernames_are_refused(client, officer, unit_a, smtp_server, username):
    _invite_row, token = _pending(officer, unit_a)
    r = _accept(client, token, username=username)
    assert r.status_code == 200
    assert User.objects.filter(role="reporter").count() == 0
    assert "<script>" not in r.content.decode().split("<main>")[1].replace('value="&lt;script&gt;"', "")


def test_a_huge_password_is_refused_without_hashing_it(client, officer, unit_a, smtp_server):
    _invite_row, token = _pending(officer, unit_a)
    r = _accept(client, token, password="Aa1-" * 50_000)
    assert r.status_code == 200
    assert not User.objects.filter(username="nguoimoi").exists()
    with pytest.raises(ValidationError) as exc:
        services.invite_accept(token=token, username="nguoimoi", password="Aa1-" * 50_000)
    assert "password" in exc.value.message_dict


@pytest.mark.parametrize("email", [
    "a@b.c\nBcc: x@y.z", "a@b.c\r\nBcc: x@y.z", "a@b.c, x@y.z", "khongphaidiachi", "a" * 300 + "@example.vn", "",
])
def test_hostile_addresses_are_refused_and_nothing_is_sent(client_for, officer, unit_a, smtp_server, email):
    r = _invite(client_for(officer), [unit_a], email=email)
    assert r.status_code == 200
    assert not Invite.objects.exists()
    assert smtp_server.messages == []
    with pytest.raises(ValidationError):
        services.invite_create(officer=officer, email=email, units=[unit_a])
    assert smtp_server.messages == []


def test_an_officer_address_cannot_be_invited_as_reporter(officer, leader, unit_a, smtp_server):
    leader.email = "lanhdao@example.vn"
    leader.save()
    with pytest.raises(ValidationError):
        services.invite_create(officer=officer, email="lanhdao@example.vn", units=[unit_a])
    assert smtp_server.messages == []


def test_when_the_mail_cannot_be_sent_no_invite_is_left(client_for, officer, unit_a, smtp_server):
    smtp_server.stop()
    r = _invite(client_for(officer), [unit_a])
    assert r.status_code == 200
    assert "Không gửi được thư mời" in r.content.decode()
    assert not Invite.objects.exists()


def test_two_invites_in_a_row_each_work_once(officer, unit_a, unit_b, smtp_server):
    _i1, t1 = _pending(officer, unit_a, email="c@example.vn")
    _i2, t2 = _pending(officer, unit_b, email="c@example.vn")
    user = services.invite_accept(token=t1, username="nguoic", password=NEW_PASSWORD)
    # the second invite finds the account the first created and adds its unit
    assert services.invite_accept(token=t2) == user
    assert set(user.units.all()) == {unit_a, unit_b}


# --- permissions, methods, CSRF ----------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    r = client.get(reverse("invite_list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert client.post(reverse("invite_revoke", args=[1])).status_code == 302


def test_only_officers_open_the_invite_page(client_for, leader, reporter, outsider, smtp_server, unit_a):
    for user in (leader, reporter, outsider):
        client = client_for(user)
        assert client.get(reverse("invite_list")).status_code == 403
        assert _invite(client, [unit_a]).status_code == 403
    assert not Invite.objects.exists() and smtp_server.messages == []


def test_an_officer_invites_only_for_units_they_see(client_for, other_officer, reporter, unit_a, smtp_server):
    r = _invite(client_for(other_officer), [unit_a])
    assert r.status_code == 200  # the unit is not among the choices
    assert not Invite.objects.exists()
    for user in (other_officer, reporter):
        with pytest.raises(PermissionDenied):
            services.invite_create(officer=user, email="x@example.vn", units=[unit_a])
    assert smtp_server.messages == []


def test_the_page_shows_only_the_province_invites_and_reporters(client_for, officer, other_officer, reporter,
                                                                 unit_a, smtp_server):
    far = Unit.objects.create(name="Sở Y tế tỉnh khác", province=other_officer.province)
    services.invite_create(officer=other_officer, email="xa@example.vn", units=[far])
    User.objects.create_user(username="baocao.xa", role="reporter").units.set([far])
    html = client_for(officer).get(reverse("invite_list")).content.decode()
    assert "baocao.a" in html
    assert "xa@example.vn" not in html and "baocao.xa" not in html


def test_revoking_another_province_invite_is_a_404_and_a_leader_gets_403(client_for, officer, leader,
                                                                         other_officer, unit_a, smtp_server):
    invite, _token = _pending(officer, unit_a)
    assert client_for(other_officer).post(reverse("invite_revoke", args=[invite.pk])).status_code == 404
    assert client_for(leader).post(reverse("invite_revoke", args=[invite.pk])).status_code == 403
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_wrong_methods(client_for, client, officer, unit_a, smtp_server):
    invite, token = _pending(officer, unit_a)
    assert client.put(reverse("invite_accept", args=[token])).status_code == 405
    assert client.delete(reverse("invite_accept", args=[token])).status_code == 405
    client = client_for(officer)
    assert client.put(reverse("invite_list")).status_code == 405
    assert client.get(reverse("invite_revoke", args=[invite.pk])).status_code == 405


def test_forms_need_the_csrf_token(officer, unit_a, smtp_server):
    client = Client(enforce_csrf_checks=True)
    _invite_row, token = _pending(officer, unit_a)
    assert _accept(client, token).status_code == 403
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    assert _invite(client, [unit_a]).status_code == 403
    assert Invite.objects.count() == 1


def test_admin_lists_invites_and_adds_none(client, django_user_model, officer, unit_a, smtp_server):
    invite, _token = _pending(officer, unit_a)
    admin = django_user_model.objects.create_superuser("quantri", password=None)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    assert "x@example.vn" in client.get(reverse("admin:accounts_invite_changelist") + "?q=x%40").content.decode()
    assert client.get(reverse("admin:accounts_invite_change", args=[invite.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_invite_add")).status_code == 403


def test_an_address_that_became_an_officer_cannot_accept(client, officer, unit_a, smtp_server):
    _invite_row, token = _pending(officer, unit_a, email="sau.nay@example.vn")
    User.objects.create_user(username="canbo.moi", email="sau.nay@example.vn", role="officer")
    for r in (client.get(reverse("invite_accept", args=[token])), _accept(client, token)):
        assert r.status_code == 409
        assert "cán bộ Sở hoặc lãnh đạo" in r.content.decode()
    assert not User.objects.filter(username="nguoimoi").exists()
