"""Account services: API tokens."""
from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text (shown once, never stored)."""
    token = "pw_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name[:100] or "api", digest=_digest(token), prefix=token[3:11])
    return row, token


def api_token_user(*, token: str) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, or inactive user)."""
    if not token or len(token) > 200:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def api_token_revoke(*, token_row: ApiToken) -> None:
    ApiToken.objects.filter(pk=token_row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
