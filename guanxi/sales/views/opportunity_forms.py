"""Forms of the opportunity pages: they shape input for the services, which own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import User
from guanxi.accounts.selectors import colleagues
from guanxi.core.forms import DateInput, PickerField, bind_pickers
from guanxi.core.locale import current_currency
from guanxi.customers.models import Account, Source
from guanxi.sales.models import LossReason, Opportunity, Pipeline, Stage, Timeframe
from guanxi.sales.services.opportunities import OpportunityInput


def stage_choices(pipelines: list[Pipeline], open_only: bool = True) -> list:
    """Stages grouped by pipeline, as <optgroup>s."""
    stages = Stage.objects.filter(active=True, pipeline__in=pipelines)
    if open_only:
        stages = stages.filter(kind=Stage.Kind.OPEN)
    groups: dict[int, list] = {p.pk: [] for p in pipelines}
    for stage in stages:
        groups[stage.pipeline_id].append((stage.pk, stage.label))
    return [(p.label, groups[p.pk]) for p in pipelines if groups[p.pk]]


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    customer = PickerField("customer", label=_("Customer"),
                           not_found=_("No customer you can see has this name or number."))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2,
                                initial=0)
    currency = forms.CharField(label=_("Currency"), max_length=3,
                               initial=current_currency)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(),
                                      empty_label=None)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=DateInput())
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100,
                                     required=False,
                                     help_text=_("Empty: the stage's probability."))
    contact = forms.TypedChoiceField(label=_("Contact"), coerce=int, required=False,
                                     empty_value=None)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.MANUAL)
    timeframe = forms.ChoiceField(label=_("Purchase timeframe"), required=False,
                                  choices=[("", "—"), *Timeframe.choices])
    competitors = forms.CharField(label=_("Competitors"), max_length=300, required=False)
    description = forms.CharField(label=_("Notes"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account | None = None,
                 opp: Opportunity | None = None, user: User | None = None,
                 **kwargs: Any) -> None:
        if opp is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(opp, name) for name in (
                    "name", "amount", "currency", "expected_close", "probability",
                    "next_step", "source", "timeframe", "competitors", "description",
                    "version")},
                "contact": opp.contact_id})
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        self.account = account or (opp.account if opp else None)
        if self.account is not None:
            del self.fields["customer"]
            contacts = self.account.contacts.filter(is_active=True)
            self.fields["contact"].choices = [("", "—")] + [(c.pk, c.name) for c in contacts]
        else:
            del self.fields["contact"]
        if opp is not None:
            del self.fields["pipeline"], self.fields["stage"]
        else:
            pipelines = list(Pipeline.objects.filter(active=True))
            self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)
            self.fields["pipeline"].initial = next((p.pk for p in pipelines if p.is_default),
                                                   None)
            self.fields["stage"].choices = stage_choices(pipelines)

    def service_data(self) -> OpportunityInput:
        data = {k: v for k, v in self.cleaned_data.items()
                if k not in ("customer", "version")}
        if data.get("probability") is None:
            data.pop("probability", None)
        return OpportunityInput(**data)


class TeamRoleForm(forms.Form):
    ROLES = [("owner", _("Owner")), ("finder", _("Opportunity finder")),
             ("delivery_owner", _("Delivery owner")),
             ("collection_owner", _("Collection owner"))]
    role = forms.ChoiceField(label=_("Role"), choices=ROLES)
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False,
                                  empty_label="—")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues(actor)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    role = forms.CharField(label=_("What they do"), max_length=60, required=False,
                           help_text=_("For example: technical support, pricing."))

    def __init__(self, *args: Any, actor=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues(actor)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect,
                                choices=[("won", _("Won")), ("lost", _("Lost"))])
    loss_reason = forms.ChoiceField(label=_("Loss reason"), required=False,
                                    choices=[("", "—"), *LossReason.choices])
    loss_note = forms.CharField(label=_("Loss details"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ListFilterForm(forms.Form):
    SORTS = {"updated": "updated_at", "name": "name", "amount": "amount",
             "close": "expected_close", "probability": "probability", "created": "created_at"}
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False,
                                      empty_value=None)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False,
                                   empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, initial="open",
                               choices=[("open", _("Open")), ("won", _("Won")),
                                        ("lost", _("Lost")), ("all", _("All"))])
    owner = forms.ChoiceField(label=_("Owner"), required=False,
                              choices=[("", _("Everyone I can see")), ("me", _("Mine")),
                                       ("team", _("My team"))])
    closing = forms.ChoiceField(label=_("Closing"), required=False,
                                choices=[("", _("Any time")), ("month", _("This month")),
                                         ("quarter", _("This quarter"))])
    sort = forms.CharField(required=False, max_length=20)
    after = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipelines = list(Pipeline.objects.filter(active=True))
        self.fields["pipeline"].choices = [("", _("All pipelines"))] + [
            (p.pk, p.label) for p in pipelines]
        self.fields["stage"].choices = [("", _("All stages"))] + stage_choices(
            pipelines, open_only=False)

    def sort_key(self) -> tuple[str, bool]:
        raw = (self.cleaned_data.get("sort") or "-updated") if self.is_valid() else "-updated"
        desc = raw.startswith("-")
        key = raw.lstrip("-")
        return (key, desc) if key in self.SORTS else ("updated", True)
