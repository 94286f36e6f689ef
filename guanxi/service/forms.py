"""Forms of the service pages: inputs are parsed here, rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role, User
from guanxi.core.forms import DateInput, PickerWidget, TimeInput
from guanxi.service.models import AssignmentRule, Case, Holiday, ServiceTeam, SlaPolicy

CLASS_CHOICES = [("", _("Any")), ("A", "A"), ("B", "B"), ("C", "C")]


def agents():
    return (User.objects.filter(is_active=True, user_roles__role__in=[Role.SERVICE, Role.ADMIN])
            .distinct().order_by("username"))


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Case.Channel.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Case.Priority.choices,
                                 initial=Case.Priority.NORMAL)
    account = forms.IntegerField(label=_("Customer"), required=False, min_value=1,
                                 max_value=2 ** 63 - 1, widget=PickerWidget("customer"))
    contact = forms.IntegerField(label=_("Contact"), required=False, min_value=1,
                                 max_value=2 ** 63 - 1, widget=PickerWidget("contact"))
    product = forms.IntegerField(label=_("Product"), required=False, min_value=1,
                                 max_value=2 ** 63 - 1, widget=PickerWidget("product"))
    requester_email = forms.EmailField(label=_("Requester e-mail"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(
        attrs={"rows": 5}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    resolution = forms.CharField(label=_("Resolution"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.ChoiceField(label=_("Root cause"), required=False,
                                   choices=[("", "—"), *Case.RootCause.choices])
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(),
                                      required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=ServiceTeam.objects.all(),
                                  required=False)
    note = forms.CharField(label=_("Note"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    to = forms.EmailField(label=_("To"), required=False)


class PolicyForm(forms.ModelForm):
    customer_class = forms.ChoiceField(label=_("Customer value class"), choices=CLASS_CHOICES,
                                       required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SlaPolicy
        fields = ["name", "priority", "kind", "customer_class", "first_response_minutes",
                  "resolution_minutes", "active"]


class RuleForm(forms.ModelForm):
    customer_class = forms.ChoiceField(label=_("Customer value class"), choices=CLASS_CHOICES,
                                       required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AssignmentRule
        fields = ["position", "name", "kind", "product_line", "province", "customer_class",
                  "team", "assignee", "active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "kind", "name"]
        widgets = {"date": DateInput()}


class HoursForm(forms.Form):
    """A team's week as one span per weekday (empty: closed)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for wd in range(7):
            self.fields[f"start_{wd}"] = forms.TimeField(required=False, widget=TimeInput())
            self.fields[f"end_{wd}"] = forms.TimeField(required=False, widget=TimeInput())


class TeamForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ServiceTeam
        fields = ["name", "manager", "members", "e_mail"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = agents()
        self.fields["members"].queryset = agents()
