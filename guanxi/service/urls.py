from django.urls import path

from guanxi.service.views import cases, sla_settings

app_name = "service"
urlpatterns = [
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/status/", cases.case_status, name="case_status"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:pk>/reply/", cases.case_reply, name="case_reply"),
    path("cases/<int:pk>/note/", cases.case_note, name="case_note"),
    path("cases/<int:pk>/delete/", cases.case_delete, name="case_delete"),
    path("queue/", cases.team_queue, name="my_queue"),
    path("queue/<int:pk>/", cases.team_queue, name="team_queue"),
    path("queue/<int:pk>/take/", cases.take_next, name="take_next"),
    path("settings/", sla_settings.overview, name="settings"),
    path("settings/policies/new/", sla_settings.policy_edit, name="policy_create"),
    path("settings/policies/<int:pk>/", sla_settings.policy_edit, name="policy_edit"),
    path("settings/rules/new/", sla_settings.rule_edit, name="rule_create"),
    path("settings/rules/<int:pk>/", sla_settings.rule_edit, name="rule_edit"),
    path("settings/teams/new/", sla_settings.team_edit, name="team_create"),
    path("settings/teams/<int:pk>/", sla_settings.team_edit, name="team_edit"),
    path("settings/hours/", sla_settings.hours_edit, name="hours_default"),
    path("settings/hours/<int:pk>/", sla_settings.hours_edit, name="hours_team"),
    path("settings/holidays/add/", sla_settings.holiday_add, name="holiday_add"),
    path("settings/holidays/<int:pk>/delete/", sla_settings.holiday_delete,
         name="holiday_delete"),
]
