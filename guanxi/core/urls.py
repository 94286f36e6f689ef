from django.urls import path

from guanxi.core import views

app_name = "core"
urlpatterns = [
    path("custom-fields/", views.custom_fields, name="custom_fields"),
    path("custom-fields/new/", views.custom_field_edit, name="custom_field_create"),
    path("custom-fields/<int:pk>/", views.custom_field_edit, name="custom_field_edit"),
    path("audit/", views.audit_trail, name="audit"),
]
