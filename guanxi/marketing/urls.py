from django.urls import path

from guanxi.marketing.views import care, channels, pages, sms, sms_settings, tracking

app_name = "marketing"
urlpatterns = [
    path("", pages.campaign_list, name="campaigns"),
    path("campaigns/new/", pages.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", pages.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/calls/", channels.call_list, name="calls"),
    path("campaigns/<int:pk>/check-in/", channels.check_in, name="checkin"),
    path("campaigns/<int:pk>/links/", channels.links, name="links"),
    path("e/<str:token>/", channels.register, name="register"),
    path("campaigns/<int:pk>/sms/", sms_settings.campaign_sms, name="campaign_sms"),
    path("campaigns/<int:pk>/<slug:action>/", pages.campaign_action, name="campaign_action"),
    path("segments/", pages.segment_list, name="segments"),
    path("segments/new/", pages.segment_create, name="segment_create"),
    path("segments/count/", pages.segment_count, name="segment_count"),
    path("greetings/", care.greeting_list, name="greetings"),
    path("greetings/new/", care.greeting_create, name="greeting_create"),
    path("greetings/<int:pk>/", care.greeting_detail, name="greeting"),
    path("greetings/<int:pk>/edit/", care.greeting_edit, name="greeting_edit"),
    path("greetings/<int:pk>/active/", care.greeting_toggle, name="greeting_toggle"),
    path("holidays/", care.holidays, name="holidays"),
    path("sms/settings/", sms_settings.sms_settings, name="sms_settings"),
    path("sms/templates/new/", sms_settings.sms_template_create, name="sms_template_create"),
    path("sms/templates/<int:pk>/", sms_settings.sms_template_edit, name="sms_template"),
    path("sms/templates/<int:pk>/delete/", sms_settings.sms_template_delete,
         name="sms_template_delete"),
    path("o/<str:token>.gif", tracking.open_pixel, name="open"),
    path("r/<str:token>/", tracking.click, name="click"),
    path("sms/<str:provider>/<str:kind>/<str:token>/", sms.callback, name="sms_callback"),
]
