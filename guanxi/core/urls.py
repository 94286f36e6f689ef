from django.urls import path

from guanxi.core import list_views, notification_views, views

app_name = "core"
urlpatterns = [
    path("custom-fields/", views.custom_fields, name="custom_fields"),
    path("custom-fields/new/", views.custom_field_edit, name="custom_field_create"),
    path("custom-fields/<int:pk>/", views.custom_field_edit, name="custom_field_edit"),
    path("audit/", views.audit_trail, name="audit"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/menu/", notification_views.notification_menu,
         name="notification_menu"),
    path("notifications/read/", notification_views.notification_read,
         name="notification_read"),
    path("notifications/<int:pk>/", notification_views.notification_open,
         name="notification_open"),
    path("lists/<slug:key>/views/", list_views.view_save, name="list_view_save"),
    path("lists/<slug:key>/views/<int:pk>/delete/", list_views.view_delete,
         name="list_view_delete"),
    path("lists/<slug:key>/views/<int:pk>/default/", list_views.view_default,
         name="list_view_default"),
    path("lists/<slug:key>/bulk/", list_views.bulk, name="list_bulk"),
    path("lists/<slug:key>/<int:pk>/inline/", list_views.inline_edit, name="list_inline"),
]
