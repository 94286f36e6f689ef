"""The public survey link (no login): its own namespace, outside the signed-in pages."""

from django.urls import path

from guanxi.service.views import surveys

app_name = "service_survey"
urlpatterns = [path("<str:token>/", surveys.answer, name="answer")]
