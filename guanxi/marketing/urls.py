from django.urls import path

from guanxi.marketing.views import tracking

app_name = "marketing"
urlpatterns = [
    path("o/<str:token>.gif", tracking.open_pixel, name="open"),
    path("r/<str:token>/", tracking.click, name="click"),
]
