from django.contrib import admin
from django.urls import include, path

from guanxi.api import api

urlpatterns = [
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
    path("", include("guanxi.customers.urls")),
]
