from django.urls import path

from guanxi.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("runs/", views.run_list, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("customers/", views.customer_metrics, name="customers"),
    path("import/", views.transaction_import, name="import"),
    path("settings/", views.settings_edit, name="settings"),
]
