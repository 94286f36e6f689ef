"""Administration pages: custom fields, audit trail; and the decorator that turns refusals
from access helpers and services into HTTP answers for every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.core import audit_display, selectors, services
from guanxi.core import permissions as perms
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.models import AuditEntry, CustomFieldDefinition

Field = CustomFieldDefinition


def refusals_as_http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound → 404 (missing and not visible look alike); Forbidden → 403 with its message.
    Other domain errors are the view's to show at the field."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapper


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("This page is for administrators."))


# --- Custom fields ------------------------------------------------------------------------

class CustomFieldForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("Record type"), choices=Field.Target.choices)
    key = forms.CharField(label=gettext_lazy("Key"), max_length=40,
                          help_text=gettext_lazy("Lower-case letters, digits and underscores; "
                                                 "used in the API and imports. Fixed once "
                                                 "created."))
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=Field.Type.choices)
    label_en = forms.CharField(label=gettext_lazy("Label (English)"), max_length=80)
    label_zh = forms.CharField(label=gettext_lazy("Label (Chinese)"), max_length=80,
                               required=False)
    choices = forms.CharField(label=gettext_lazy("Choices"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("For choice fields: one choice per line."))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0,
                                  max_value=10000, initial=0,
                                  help_text=gettext_lazy("Fields are shown in this order."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: CustomFieldDefinition | None = None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {
                "target": instance.target, "key": instance.key, "type": instance.type,
                "label_en": instance.label_en, "label_zh": instance.label_zh,
                "choices": "\n".join(instance.choices), "required": instance.required,
                "position": instance.position, "active": instance.active,
                "version": instance.version})
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["active"]
        else:
            for name in ("target", "key", "type"):
                self.fields[name].disabled = True

    def clean_choices(self) -> list[str]:
        lines = self.cleaned_data["choices"].splitlines()
        return [line.strip() for line in lines if line.strip()]


@login_required
@refusals_as_http
def custom_fields(request: HttpRequest) -> HttpResponse:
    _require(perms.can_manage_custom_fields(request.user))
    fields = list(selectors.custom_fields(include_inactive=True))
    groups = [(value, label, [f for f in fields if f.target == value])
              for value, label in Field.Target.choices]
    return render(request, "core/custom_fields.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def custom_field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(perms.can_manage_custom_fields(request.user))
    field = get_visible(selectors.custom_fields(include_inactive=True), pk=pk) if pk else None
    status = 200
    if request.method == "POST" and field and request.POST.get("action") == "deactivate":
        return _deactivate(request, field)
    if request.method == "POST":
        form = CustomFieldForm(request.POST, instance=field)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                if field is None:
                    data.pop("active", None)
                    field = services.create_field(request.user, data)
                else:
                    for name in ("target", "key", "type"):
                        data.pop(name)
                    if field.type not in (Field.Type.CHOICE, Field.Type.MULTI) \
                            and not data["choices"]:
                        data.pop("choices")
                    services.update_field(request.user, field, data, version=version)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Custom field “%(label)s” saved.")
                                 % {"label": field.label})
                return redirect("core:custom_fields")
        else:
            status = 400
    else:
        initial = {"target": request.GET.get("target")} if field is None else None
        form = CustomFieldForm(instance=field, initial=initial) if initial \
            else CustomFieldForm(instance=field)
    return render(request, "core/custom_field_edit.html", {"form": form, "field": field},
                  status=status)


def _deactivate(request: HttpRequest, field: CustomFieldDefinition) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = field.version
    try:
        services.deactivate_field(request.user, field, version=version)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Custom field “%(label)s” deactivated; its stored values "
                                    "stay and come back if you reactivate it.")
                         % {"label": field.label})
    return redirect("core:custom_fields")


# --- Audit trail --------------------------------------------------------------------------

class AuditFilterForm(forms.Form):
    action = forms.CharField(label=gettext_lazy("Action starts with"), required=False,
                             max_length=80)
    actor = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    object_type = forms.CharField(label=gettext_lazy("Record type"), required=False,
                                  max_length=60,
                                  widget=forms.TextInput(attrs={"placeholder":
                                                                "customers.account"}))
    object_id = forms.CharField(label=gettext_lazy("Record id"), required=False, max_length=40)


AUDIT_PAGE_SIZE = 50


@login_required
@refusals_as_http
def audit_trail(request: HttpRequest) -> HttpResponse:
    _require(perms.can_read_audit(request.user))
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            entries = entries.filter(actor__username=data["actor"].strip())
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            entries = entries.filter(object_id=data["object_id"].strip())
    cursor = request.GET.get("after") or None
    try:
        window = selectors.keyset_page(entries, "-at", cursor, AUDIT_PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        window = selectors.keyset_page(entries, "-at", None, AUDIT_PAGE_SIZE)
        cursor = None
    return render(request, "core/audit.html", {
        "form": form, "entries": audit_display.show(window.items), "next_cursor": window.next,
        "paged": bool(cursor)})
