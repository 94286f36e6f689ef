"""Page: the signed-in user's notification preferences (which kinds also come by e-mail)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.integrations.services import preferences


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        preferences.set_preferences(request.user,
                                    {kind: kind in chosen for kind in preferences.KINDS})
        messages.success(request, _("Notification settings saved."))
        return redirect("integrations:notification_settings")
    return render(request, "integrations/notification_settings.html",
                  {"rows": preferences.preferences(request.user)})


urls: list = [
    path("notification-settings/", notification_settings, name="notification_settings"),
]
