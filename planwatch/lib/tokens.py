"""Secret links that the server can show again but never stores in clear.

A link token is an HMAC of (purpose, row id, nonce) under SECRET_KEY. The row keeps only
its random nonce: a copy of the database alone does not give the links, the officer can
display a unit's link as often as needed, and revoking is replacing the nonce. Used by
report-request token links (reporting.Target) and personal calendar feeds (accounts.User).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

NONCE_BYTES = 16


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def make(purpose: str, pk: int, nonce: str) -> str:
    """The token for row `pk`: "<pk>.<32 url-safe characters>" (190 bits of HMAC)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{pk}:{nonce}".encode(), hashlib.sha256).digest()
    return f"{pk}.{base64.urlsafe_b64encode(mac[:24]).decode().rstrip('=')}"


def split(token: str) -> int | None:
    """The row id a token claims, or None when the token is malformed."""
    head, _, tail = token.partition(".")
    if not head.isdigit() or len(head) > 12 or len(tail) != 32:
        return None
    return int(head)


def check(purpose: str, token: str, pk: int, nonce: str | None) -> bool:
    """True when `token` is the current token of row `pk` (False once revoked)."""
    if not nonce:
        return False
    return hmac.compare_digest(token.encode(), make(purpose, pk, nonce).encode())
