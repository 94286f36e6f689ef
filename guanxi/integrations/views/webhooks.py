"""Pages: webhooks for administrators — subscriptions, their delivery log and redelivery."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, Forbidden, NotFound
from guanxi.core.events import event_types
from guanxi.core.forms import add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.integrations import hooks_selectors as selectors
from guanxi.integrations.models import WebhookDelivery, WebhookSubscription
from guanxi.integrations.services import webhooks

SHOW_ONCE = "integrations.webhook_new_signing_key"


class WebhookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    url = forms.CharField(label=gettext_lazy("Address"), max_length=500,
                          help_text=gettext_lazy("Where Guanxi posts the events (http or https). "
                                                 "Internal network addresses are refused."))
    events = forms.MultipleChoiceField(label=gettext_lazy("Events"),
                                       widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: WebhookSubscription | None = None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name, "url": instance.url,
                                          "events": instance.events, "active": instance.active,
                                          "version": instance.version})
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(k, str(v)) for k, v in event_types().items()]


def _sub(request: HttpRequest, pk: int) -> WebhookSubscription:
    return get_visible(selectors.subscriptions(request.user), pk=pk)


@login_required
@refusals_as_http
def webhook_list(request: HttpRequest) -> HttpResponse:
    subs = list(selectors.subscriptions(request.user))
    return render(request, "integrations/webhooks/list.html", {"subscriptions": subs})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def webhook_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    sub = _sub(request, pk) if pk else None
    if sub is None:
        webhooks.require_admin(request.user)
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST, instance=sub)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                if sub is None:
                    sub = webhooks.create_subscription(request.user, data)
                    request.session[SHOW_ONCE] = [sub.pk, sub.secret]
                else:
                    webhooks.update_subscription(request.user, sub, data, version)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Webhook “%(name)s” saved.") % {"name": sub.name})
                return redirect("integrations:webhook", sub.pk)
        else:
            status = 400
    else:
        form = WebhookForm(instance=sub)
    return render(request, "integrations/webhooks/edit.html", {"form": form, "sub": sub},
                  status=status)


@login_required
@refusals_as_http
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    status = request.GET.get("status") or ""
    if status not in WebhookDelivery.Status.values:
        status = ""
    deliveries = selectors.deliveries(request.user, sub, status or None)[:100]
    shown = request.session.pop(SHOW_ONCE, None)
    secret = shown[1] if shown and shown[0] == sub.pk else None
    return render(request, "integrations/webhooks/detail.html", {
        "sub": sub, "deliveries": deliveries, "secret": secret, "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "event_labels": [str(event_types().get(e, e)) for e in sub.events]})


@require_POST
@login_required
@refusals_as_http
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    try:
        secret = webhooks.rotate_secret(request.user, sub, int(request.POST.get("version", 0)))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session[SHOW_ONCE] = [sub.pk, secret]
    return redirect("integrations:webhook", sub.pk)


@require_POST
@login_required
@refusals_as_http
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    webhooks.delete_subscription(request.user, sub)
    messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": sub.name})
    return redirect("integrations:webhooks")


@require_POST
@login_required
@refusals_as_http
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_visible(selectors.deliveries(request.user), pk=pk)
    webhooks.redeliver(request.user, delivery)
    messages.success(request, _("The event will be sent again."))
    return redirect("integrations:webhook", delivery.subscription_id)


urls: list = [
    path("webhooks/", webhook_list, name="webhooks"),
    path("webhooks/new/", webhook_edit, name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/edit/", webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/rotate-secret/", webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/delete/", webhook_delete, name="webhook_delete"),
    path("webhooks/deliveries/<int:pk>/redeliver/", delivery_redeliver,
         name="webhook_redeliver"),
]
