"""Authentication for the REST API: the browser session (with CSRF) or a bearer token.

    from accounts.api_auth import api_auth
    router = Router(auth=api_auth)

Both set request.user, so endpoints filter through accounts.permissions as views do."""
from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from .services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token=token)
        if user is None:
            return None
        request.user = user
        return user


api_auth = [TokenAuth(), django_auth]
