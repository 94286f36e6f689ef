"""Forms of the lead pages. They only shape the input: the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Team, User
from guanxi.core.forms import PickerField, bind_pickers
from guanxi.customers.models import Source
from guanxi.sales.models import Lead, LeadRoutingRule, Timeframe, WebForm

BLANK = [("", "—")]


class LeadForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    province = forms.CharField(label=_("Province"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=40, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices,
                               initial=Source.MANUAL)
    source_detail = forms.CharField(label=_("Source detail"), max_length=200, required=False,
                                    help_text=_("Which exhibition, campaign or referrer."))
    timeframe = forms.ChoiceField(label=_("Purchase timeframe"), choices=Timeframe.choices,
                                  initial=Timeframe.MONTHS_3)
    interest = forms.CharField(label=_("Interested in"), max_length=200, required=False)
    budget = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2,
                                required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: Lead | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {
                f: getattr(instance, f) for f in self.base_fields if f != "version"
            } | {"version": instance.version})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any status")), ("open", _("Open"))] + list(Lead.Status.choices))
    timeframe = forms.ChoiceField(label=_("Purchase timeframe"), required=False,
                                  choices=[("", _("Any timeframe"))] + list(Timeframe.choices))
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("Any source"))] + list(Source.choices))
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=[
        ("", _("Anyone")), ("me", _("Mine")), ("none", _("Not assigned"))])


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, users=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False,
                             help_text=_("Why this lead will not buy (it feeds the analysis)."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConvertForm(forms.Form):
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200,
                                       required=False,
                                       help_text=_("Empty: the customer's name."))
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer = PickerField("customer", required=False,
                           label=_("Or add to a customer we already have"))
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10000,
                                  initial=0, help_text=_("Rules are tried in this order."))
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("Any source"))] + list(Source.choices))
    timeframe = forms.ChoiceField(label=_("Purchase timeframe"), required=False,
                                  choices=[("", _("Any timeframe"))] + list(Timeframe.choices))
    province = forms.CharField(label=_("Province"), max_length=40, required=False,
                               help_text=_("Empty: any region."))
    user = forms.ModelChoiceField(label=_("Assign to"), required=False,
                                  queryset=User.objects.filter(is_active=True))
    team = forms.ModelChoiceField(label=_("Or round robin within team"), required=False,
                                  queryset=Team.objects.all())
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: LeadRoutingRule | None = None,
                 **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {
                "name": instance.name, "position": instance.position,
                "source": instance.source, "timeframe": instance.timeframe,
                "province": instance.province, "user": instance.user_id,
                "team": instance.team_id, "active": instance.active,
                "version": instance.version})
        super().__init__(*args, **kwargs)


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices,
                               initial=Source.WEBSITE)
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.all())
    thank_you = forms.CharField(label=_("Thank-you message"), max_length=300, required=False)
    allowed_origins = forms.CharField(
        label=_("Allowed websites"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Origins that may embed the form (https://www.example.com), one per "
                    "line; empty: any."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: WebForm | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {
                "name": instance.name, "source": instance.source, "team": instance.team_id,
                "thank_you": instance.thank_you, "allowed_origins": instance.allowed_origins,
                "version": instance.version})
        super().__init__(*args, **kwargs)


class PublicLeadForm(forms.Form):
    """What a website visitor fills in. ``website`` is the honeypot: people never see it."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    province = forms.CharField(label=_("Province"), max_length=40, required=False)
    timeframe = forms.ChoiceField(label=_("When do you plan to buy?"),
                                  choices=Timeframe.choices, initial=Timeframe.MONTHS_3)
    interest = forms.CharField(label=_("What are you interested in?"), max_length=200,
                               required=False)
    notes = forms.CharField(label=_("Your message"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    subscribe = forms.BooleanField(
        label=_("Send me news and offers by e-mail (you will be asked to confirm)"),
        required=False)
    website = forms.CharField(required=False, label=_("Leave this empty"))
    stamp = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give a phone number or an e-mail so we can answer."))
        return data
