"""The installable web app: its manifest, the service worker (served from the site root so it
may control every page) and the page it shows when a page cannot be reached offline.

The service worker keeps no page with anyone's data: pages always come from the network, and
only the shell's static files and the offline page are kept on the phone."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

#: The shell's static files, kept by the service worker for offline use.
SHELL = ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap-icons/bootstrap-icons.min.css",
         "guanxi/app.css", "guanxi/favicon.svg", "vendor/bootstrap/bootstrap.bundle.min.js",
         "vendor/htmx/htmx.min.js", "guanxi/app.js", "vendor/alpinejs/alpine-csp.min.js",
         "guanxi/icons/icon-192.png"]


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse({
        "name": _("Guanxi CRM"),
        "short_name": _("Guanxi"),
        "description": _("Customers, sales, quote to cash and service."),
        "lang": get_language() or "zh-hans",
        "start_url": reverse("customers:home") + "?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#4f46e5",
        "icons": [
            {"src": static("guanxi/icons/icon-192.png"), "sizes": "192x192",
             "type": "image/png", "purpose": "any maskable"},
            {"src": static("guanxi/icons/icon-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "any maskable"},
        ],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(name) for name in SHELL]
    offline_url = reverse("offline")
    # A new static build (hashed names) gives a new cache name, which drops the old cache.
    version = hashlib.sha256("\n".join([offline_url, *shell]).encode()).hexdigest()[:12]
    body = render_to_string("core/pwa/sw.js", {"shell": shell, "offline_url": offline_url,
                                               "version": version})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker in place of a page the phone cannot reach; it holds no
    one's data, so it is kept in the phone's cache."""
    return render(request, "core/pwa/offline.html")


urls = [
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("offline/", offline, name="offline"),
]
