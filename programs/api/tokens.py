"""Signing in to the API with a token: ``Authorization: Bearer <key>``."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken
from ..models.tokens import digest_of

KEYWORD = "Bearer"
# How stale "last used" may be: noting every request would be a write each.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticate by an API token made in the admin or with ``api_token``."""

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None  # anonymous: reads are open
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Bearer <key>.")
            )
        try:
            key = words[1].decode()
        except UnicodeError:
            key = ""
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest_of(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This token is unknown or revoked.")
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge) rather than 403.
        return f'{KEYWORD} realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token, for the docs' "Authorize" button."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from the admin or `manage.py api_token`. "
            "API 令牌，由管理后台或 `manage.py api_token` 签发。",
        }
