"""Guanxi's API tokens, so both sides authenticate the same requests the same way (its own
module: DRF imports it while the views import DRF)."""

import hashlib

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication

from peer_app.models import Token


class BearerToken(authentication.BaseAuthentication):
    """Guanxi's API tokens (a SHA-256 of the secret is stored), so both sides authenticate the
    same requests the same way."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        digest = hashlib.sha256(header[7:].encode()).hexdigest()
        token = (Token.objects.select_related("user")
                 .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                         key_hash=digest, revoked_at__isnull=True, user__is_active=True)
                 .first())
        return (token.user, token) if token else None
