from guanxi.integrations.views import automation, exports, imports, preferences, webhooks

app_name = "integrations"
urlpatterns = [*imports.urls, *exports.urls, *webhooks.urls, *automation.urls,
               *preferences.urls]
