from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from guanxi.api import api
from guanxi.core import health, observability, pwa

# The admin signs in through the same page as everyone: throttled, with the second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("metrics", observability.metrics, name="metrics"),
    *pwa.urls,
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("me/", include("guanxi.accounts.urls")),
    path("settings/", include("guanxi.core.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("data/", include("guanxi.integrations.urls")),
    path("orders/", include("guanxi.orders.urls")),
    path("service/", include("guanxi.service.urls")),
    path("survey/", include("guanxi.service.survey_urls")),
    path("marketing/", include("guanxi.marketing.urls")),
    path("", include("guanxi.customers.urls")),
]

# Error answers that work without the database; JSON under /api/.
handler400 = "guanxi.core.error_pages.bad_request"
handler403 = "guanxi.core.error_pages.permission_denied"
handler404 = "guanxi.core.error_pages.page_not_found"
handler500 = "guanxi.core.error_pages.server_error"
