"""API tokens: stored as digests, shown once, revocable; TokenAuth sets request.user."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from accounts.api_auth import TokenAuth
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke, api_token_user


def test_token_round_trip_and_revocation(officer):
    row, token = api_token_create(user=officer, name="máy chủ báo cáo")
    assert token not in row.digest and token.startswith("pw_")
    assert api_token_user(token=token) == officer
    row.refresh_from_db()
    assert row.last_used_at is not None
    api_token_revoke(token_row=row)
    assert api_token_user(token=token) is None


@pytest.mark.parametrize("bad", ["", "pw_nope", "x" * 5000, "pw_'; DROP TABLE accounts_user; --"])
def test_unknown_tokens_are_refused(officer, bad):
    api_token_create(user=officer, name="t")
    assert api_token_user(token=bad) is None


def test_inactive_user_token_is_refused(officer):
    _, token = api_token_create(user=officer, name="t")
    officer.is_active = False
    officer.save()
    assert api_token_user(token=token) is None


def test_bearer_auth_sets_request_user(officer):
    _, token = api_token_create(user=officer, name="t")
    request = RequestFactory().get("/api/plans", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert TokenAuth()(request) == officer
    assert request.user == officer
    assert TokenAuth()(RequestFactory().get("/api/plans", HTTP_AUTHORIZATION="Bearer wrong")) is None


def test_createtoken_command_prints_the_token_once(officer):
    out = StringIO()
    call_command("createtoken", officer.username, "--name", "cli", stdout=out)
    token = out.getvalue().strip()
    assert api_token_user(token=token) == officer
    assert ApiToken.objects.get(user=officer).name == "cli"
    with pytest.raises(CommandError):
        call_command("createtoken", "khong-co-ai")
