from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    roles = user.role_codes if user is not None and user.is_authenticated else frozenset()
    return {"user_roles": roles, "LANGUAGES": settings.LANGUAGES}
