"""Forms of the work pages: activities, support decisions, tasks, e-mail templates and the
compose page. They check types; the services check the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import User
from guanxi.core.forms import DateTimeInput
from guanxi.customers.models import Account, Contact
from guanxi.sales.models import Activity, EmailTemplate, Task

DATETIME = DateTimeInput()


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[
        c for c in Activity.Kind.choices if c[0] != Activity.Kind.EMAIL],
        widget=forms.Select)
    status = forms.ChoiceField(label=_("Status"), choices=[
        (Activity.Status.DONE, _("Done")), (Activity.Status.PLANNED, _("Planned"))],
        widget=forms.RadioSelect, initial=Activity.Status.DONE)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = forms.DateTimeField(label=_("When"), widget=DATETIME, required=False,
                                    help_text=_("Empty: now."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          min_value=0, max_value=24 * 60)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(),
                                     required=False)
    body = forms.CharField(label=_("Notes"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)
    people = forms.CharField(label=_("People"), max_length=300, required=False,
                             help_text=_("Who should join: engineers, managers, experts."))
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0,
                                max_digits=14, decimal_places=2)
    samples = forms.CharField(label=_("Samples"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SUPPORT = ("people", "budget", "samples")

    def __init__(self, *args, account: Account | None = None, editing: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["contact"].queryset = account.contacts.filter(is_active=True)
        else:
            del self.fields["contact"]
        if editing:
            for name in ("kind", "status", *self.SUPPORT):
                del self.fields[name]

    def activity_data(self) -> dict:
        skip = {"contact", "version", *self.SUPPORT}
        return {k: v for k, v in self.cleaned_data.items()
                if k not in skip and v not in (None, "")}

    def support_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.SUPPORT}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(max_length=300, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME)
    all_day = forms.BooleanField(label=_("All day"), required=False, initial=True)
    remind_at = forms.DateTimeField(label=_("Remind me at"), widget=DATETIME, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices,
                                 initial=Task.Priority.NORMAL)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(),
                                      required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, assignees=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if assignees is None:
            del self.fields["assignee"]
        else:
            self.fields["assignee"].queryset = assignees

    def task_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items()
                if k not in ("assignee", "version")}
        data["remind_at"] = data.get("remind_at") or None
        return data


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("open", _("Open")), ("done", _("Done")), ("cancelled", _("Cancelled")),
        ("all", _("All"))])
    due = forms.ChoiceField(label=_("Due"), required=False, choices=[
        ("", _("Any time")), ("overdue", _("Overdue")), ("today", _("Today")),
        ("week", _("Next 7 days"))])
    who = forms.ChoiceField(label=_("Assigned to"), required=False, choices=[
        ("me", _("Me")), ("team", _("My team")), ("created", _("Created by me"))])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Merge fields: {{ contact.name }}, {{ contact.title }}, "
                                       "{{ account.name }}, {{ user.display_name }}, "
                                       "{{ user.email }}, {{ opportunity.name }}."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ComposeForm(forms.Form):
    contact = forms.ModelChoiceField(label=pgettext_lazy("e-mail recipient", "To"),
                                     queryset=Contact.objects.none(), required=False)
    template = forms.ModelChoiceField(label=_("Template"), required=False,
                                      queryset=EmailTemplate.objects.filter(active=True))
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("Message"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        contacts = account.contacts.filter(is_active=True)
        field = self.fields["contact"]
        field.queryset = contacts
        field.label_from_instance = lambda c: f"{c.name} <{c.email}>" if c.email else c.name
        if not self.is_bound and not self.initial.get("contact"):
            # The primary contact with an address, or the first one with an address.
            self.initial["contact"] = contacts.exclude(email="").values_list(
                "pk", flat=True).first()
