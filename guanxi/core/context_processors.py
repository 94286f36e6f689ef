from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    roles = user.role_codes if user is not None and user.is_authenticated else frozenset()
    from guanxi.core.locale import current_currency

    return {"user_roles": roles, "LANGUAGES": settings.LANGUAGES,
            "display_currency": current_currency()}
