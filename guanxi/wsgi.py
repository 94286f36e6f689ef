import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load now what the first request would otherwise load (every view and the API behind
    the URLs, the API schema, the translation catalogues, the login page's templates), so that
    request is fast; under gunicorn's preload this happens once, before the workers fork."""
    from django.conf import settings
    from django.db import connections
    from django.test import RequestFactory
    from django.urls import get_resolver, reverse
    from django.utils import translation

    from guanxi.api import api

    get_resolver().url_patterns  # noqa: B018 - imports the views and the API
    reverse("account_login")  # builds the reverse lookup tables
    api.get_openapi_schema()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            translation.gettext("Guanxi")
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    request = RequestFactory().get(reverse("account_login"), HTTP_HOST=host)
    try:
        response = application(request.environ, lambda status, headers, exc_info=None: None)
        response.close()  # type: ignore[attr-defined]
    finally:
        # A forked worker must open its own database connections.
        connections.close_all()


if os.environ.get("GUANXI_WARM_UP", "1") != "0":
    warm_up()
