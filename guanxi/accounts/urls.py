from django.urls import path

from guanxi.accounts import views
from guanxi.accounts.views import people

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("language/", views.language, name="language"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    # Administrators: people and the team tree.
    path("users/", people.user_list, name="users"),
    path("users/invite/", people.invite, name="invite"),
    path("users/<int:pk>/", people.user_detail, name="user"),
    path("users/<int:pk>/deactivate/", people.deactivate, name="deactivate"),
    path("users/<int:pk>/reactivate/", people.reactivate, name="reactivate"),
    path("users/<int:pk>/reset-two-factor/", people.reset_two_factor, name="reset_two_factor"),
    path("teams/", people.teams, name="teams"),
    path("teams/<int:pk>/", people.team_edit, name="team"),
]
