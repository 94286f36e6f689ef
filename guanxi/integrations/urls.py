from guanxi.integrations.views import automation, exports, imports, webhooks

app_name = "integrations"
urlpatterns = [*imports.urls, *exports.urls, *webhooks.urls, *automation.urls]
