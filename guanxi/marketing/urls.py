from django.urls import path

from guanxi.marketing.views import channels, pages, sms, tracking

app_name = "marketing"
urlpatterns = [
    path("", pages.campaign_list, name="campaigns"),
    path("campaigns/new/", pages.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", pages.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/calls/", channels.call_list, name="calls"),
    path("campaigns/<int:pk>/check-in/", channels.check_in, name="checkin"),
    path("campaigns/<int:pk>/links/", channels.links, name="links"),
    path("e/<str:token>/", channels.register, name="register"),
    path("campaigns/<int:pk>/<slug:action>/", pages.campaign_action, name="campaign_action"),
    path("segments/", pages.segment_list, name="segments"),
    path("segments/new/", pages.segment_create, name="segment_create"),
    path("segments/count/", pages.segment_count, name="segment_count"),
    path("o/<str:token>.gif", tracking.open_pixel, name="open"),
    path("r/<str:token>/", tracking.click, name="click"),
    path("sms/<str:provider>/<str:kind>/<str:token>/", sms.callback, name="sms_callback"),
]
