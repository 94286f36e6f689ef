"""Forms of the customer pages. They only shape input for the services, which own the rules:
field types and widgets come from the models, business checks from the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guanxi.core.custom_fields import definitions
from guanxi.core.forms import DateInput
from guanxi.core.models import CustomFieldDefinition
from guanxi.customers.models import (
    Account,
    Address,
    Approval,
    Contact,
    Industry,
    Relationship,
    Size,
    Source,
    Standing,
)
from guanxi.customers.regions import PROVINCES
from guanxi.customers.services.common import (
    ACCOUNT_FIELDS,
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    TERMS_FIELDS,
)

ACCOUNT_TARGET = "customers.account"
CONTACT_TARGET = "customers.contact"
CUSTOM_PREFIX = "custom_"

# Profile fields grouped as the form shows them.
ACCOUNT_BASICS = ("kind", "name", "name_en", "registration_id", "industry", "size", "source",
                  "phone", "email", "website")
ACCOUNT_INSIGHT = ("needs", "purchase_channel", "attitude_products", "attitude_service",
                   "attitude_risk", "likelihood_rebuy", "likelihood_recommend",
                   "region_economy", "region_climate", "region_customs", "lifestyle",
                   "description")
FORM_TERMS = ("discount_rate", "payment_terms_days", "settlement_method", "credit_limit")
COMPANY_ONLY = ("registration_id", "industry", "size", "website")

COUNTRIES = [
    ("CN", _("China")), ("HK", _("Hong Kong SAR")), ("MO", _("Macau SAR")), ("TW", _("Taiwan")),
    ("US", _("United States")), ("CA", _("Canada")), ("GB", _("United Kingdom")),
    ("DE", _("Germany")), ("FR", _("France")), ("IT", _("Italy")), ("ES", _("Spain")),
    ("NL", _("Netherlands")), ("RU", _("Russia")), ("JP", _("Japan")),
    ("KR", _("South Korea")), ("SG", _("Singapore")), ("MY", _("Malaysia")),
    ("TH", _("Thailand")), ("VN", _("Vietnam")), ("ID", _("Indonesia")), ("IN", _("India")),
    ("AE", _("United Arab Emirates")), ("SA", _("Saudi Arabia")), ("AU", _("Australia")),
    ("BR", _("Brazil")), ("ZA", _("South Africa")),
]


def province_choices() -> list[tuple[str, str]]:
    english = not (get_language() or "").startswith("zh")
    return [("", "—")] + [(zh, f"{en} {zh}" if english else zh) for _c, zh, en in PROVINCES]


class VersionedForm(forms.Form):
    """A form for an existing record: carries the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def version_value(self, fallback: int) -> int:
        value = self.cleaned_data.get("version")
        return fallback if value is None else value


def _model_fields(model, names) -> dict[str, forms.Field]:
    return forms.fields_for_model(model, fields=list(names),
                                  formfield_callback=_formfield)


def _formfield(field, **kwargs):
    if field.get_internal_type() == "URLField" or type(field).__name__ == "URLField":
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


SCORES = ("attitude_risk", "attitude_products", "attitude_service", "likelihood_rebuy",
          "likelihood_recommend")


def _shape(fields: dict[str, forms.Field]) -> None:
    """Compact widgets: short text areas, phone/email inputs, date pickers, 1–5 selects."""
    for name, field in fields.items():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 2
        if isinstance(field, forms.TypedChoiceField) and field.choices \
                and field.choices[0][0] == "":
            field.choices = [("", "—")] + list(field.choices)[1:]
        if name in SCORES:
            fields[name] = forms.TypedChoiceField(
                label=field.label, required=False, coerce=int, empty_value=None,
                choices=[("", "—"), (1, _("1 – low")), (2, "2"), (3, "3"), (4, "4"),
                         (5, _("5 – high"))])
        if name in ("phone", "mobile"):
            field.widget.input_type = "tel"
            field.widget.attrs.setdefault("autocomplete", "tel")
        if name == "email":
            field.widget.input_type = "email"
        if isinstance(field, forms.DateField):
            field.widget = DateInput()


def custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    T = CustomFieldDefinition.Type
    common: dict[str, Any] = {"label": definition.label, "required": False}
    if definition.type == T.NUMBER:
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if definition.type == T.DATE:
        return forms.DateField(**common, widget=DateInput())
    if definition.type == T.CHOICE:
        return forms.ChoiceField(**common, choices=[("", "—")]
                                 + [(c, c) for c in definition.choices])
    if definition.type == T.MULTI:
        return forms.MultipleChoiceField(**common, choices=[(c, c) for c in definition.choices],
                                         widget=forms.CheckboxSelectMultiple)
    return forms.CharField(**common, max_length=500)


class CustomFieldsMixin:
    """Adds ``custom_<key>`` fields for the target's active custom field definitions."""

    custom_target = ACCOUNT_TARGET

    def add_custom_fields(self, existing: dict[str, Any] | None = None) -> None:
        self.custom_definitions = definitions(self.custom_target)
        for d in self.custom_definitions:
            name = CUSTOM_PREFIX + d.key
            self.fields[name] = custom_form_field(d)
            if d.required:
                self.fields[name].widget.attrs["required"] = True
                self.fields[name].required_marker = True
            if existing and d.key in existing and not self.is_bound:
                self.initial[name] = existing[d.key]

    def custom_names(self) -> list[str]:
        return [CUSTOM_PREFIX + d.key for d in self.custom_definitions]

    def custom(self):
        return [self[n] for n in self.custom_names()]

    def custom_values(self) -> dict[str, Any]:
        """The custom values in the form the services expect (strings, ISO dates, lists)."""
        values: dict[str, Any] = {}
        for d in self.custom_definitions:
            value = self.cleaned_data.get(CUSTOM_PREFIX + d.key)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            values[d.key] = value if value not in (None, "", []) else None
        return values


class AccountForm(CustomFieldsMixin, VersionedForm):
    """Profile, commercial terms (on create, or while pending) and custom fields."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=400,
                           help_text=_("Separate tags with commas."))

    def __init__(self, *args, account: Account | None = None, with_terms: bool = True,
                 with_tags: bool = True, **kwargs) -> None:
        if account is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(account, f) for f in ACCOUNT_FIELDS + TERMS_FIELDS}
            kwargs["initial"]["version"] = account.version
        super().__init__(*args, **kwargs)
        profile = _model_fields(Account, ACCOUNT_FIELDS)
        profile["kind"].widget = forms.RadioSelect(choices=Account.Kind.choices)
        profile["name"].widget.attrs["autofocus"] = True
        _shape(profile)
        self.fields.update(profile)
        self.with_terms = with_terms
        if with_terms:
            terms = _model_fields(Account, FORM_TERMS)
            terms["discount_rate"].help_text = ""
            self.fields.update(terms)
        if not with_tags:
            del self.fields["tags"]
        if account is None:
            del self.fields["version"]
        self.add_custom_fields(account.custom if account else None)

    def basics(self):
        return [self[n] for n in ACCOUNT_BASICS]

    def insight(self):
        return [self[n] for n in ACCOUNT_INSIGHT]

    def terms(self):
        return [self[n] for n in FORM_TERMS] if self.with_terms else []

    def profile_data(self) -> dict[str, Any]:
        names = ACCOUNT_FIELDS + (FORM_TERMS if self.with_terms else ())
        return {n: self.cleaned_data.get(n) for n in names}

    def tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]


class CreateAccountForm(AccountForm):
    force = forms.BooleanField(label=_("Create anyway: this is a different customer"),
                               required=False)

    def __init__(self, *args, owners=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"] = forms.ModelChoiceField(
                owners, label=_("Owner"), required=False, empty_label=_("— me —"),
                help_text=_("The sales rep who will follow this customer."))


class ContactForm(CustomFieldsMixin, VersionedForm):
    custom_target = CONTACT_TARGET
    LAYOUT = ("name", "name_en", "title", "department", "mobile", "phone", "email", "wechat",
              "gender", "birthday", "is_primary", "notes")

    def __init__(self, *args, contact: Contact | None = None, required: bool = True,
                 with_custom: bool = True, **kwargs) -> None:
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(contact, f) for f in CONTACT_FIELDS}
            kwargs["initial"]["version"] = contact.version
        super().__init__(*args, **kwargs)
        fields = _model_fields(Contact, CONTACT_FIELDS)
        _shape(fields)
        fields["name"].required = required
        self.fields.update(fields)
        if contact is None:
            del self.fields["version"]
        self.custom_definitions = []
        if with_custom:
            self.add_custom_fields(contact.custom if contact else None)

    def data_for_service(self) -> dict[str, Any]:
        return {n: self.cleaned_data.get(n) for n in CONTACT_FIELDS}

    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(n) for n in CONTACT_FIELDS if n != "is_primary")


class AddressForm(VersionedForm):
    def __init__(self, *args, address: Address | None = None, **kwargs) -> None:
        if address is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(address, f) for f in ADDRESS_FIELDS}
            kwargs["initial"]["version"] = address.version
        super().__init__(*args, **kwargs)
        fields = _model_fields(Address, ADDRESS_FIELDS)
        fields["country"] = forms.ChoiceField(label=_("Country / region"), choices=COUNTRIES,
                                              initial="CN")
        fields["province"] = forms.ChoiceField(label=_("Province"), choices=province_choices(),
                                               required=False)
        fields["lines"].widget.attrs["rows"] = 3
        self.fields.update(fields)
        if address is None:
            del self.fields["version"]

    def data_for_service(self) -> dict[str, Any]:
        return {n: self.cleaned_data.get(n) for n in ADDRESS_FIELDS}

    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(n) for n in
                       ("province", "city", "district", "street", "lines", "postal_code"))


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("What happened?"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4, "autofocus": True}))
    contact = forms.ModelChoiceField(Contact.objects.none(), label=_("With"), required=False,
                                     empty_label=_("— nobody in particular —"))

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = account.contacts.filter(is_active=True)


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags"), required=False, max_length=400,
                           help_text=_("Separate tags with commas."))

    def tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()]


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label=_("Colleague"))

    def __init__(self, *args, users, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class RelationshipForm(forms.Form):
    from_contact = forms.ModelChoiceField(Contact.objects.none(), label=_("Person"))
    kind = forms.ChoiceField(label=_("Relationship"), choices=Relationship.Kind.choices)
    to_contact = forms.IntegerField(label=_("Related to"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_contact"].queryset = account.contacts.filter(is_active=True)


class ConfirmForm(VersionedForm):
    """A removal: only the version the user saw."""


class ListFilterForm(forms.Form):
    """The customer list's filters; every field is optional and forgiving."""

    SORTS = {
        "name": "name_key", "owner": "owner__display_name", "industry": "industry",
        "province": "province", "completeness": "completeness", "updated": "updated_at",
        "follow_up": "last_follow_up_at", "phone": "phone",
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.ChoiceField(label=_("Owner"), required=False,
                              choices=[("", _("Anyone")), ("me", _("Me"))])
    industry = forms.ChoiceField(label=_("Industry"), required=False,
                                 choices=[("", _("Any"))] + Industry.choices)
    size = forms.ChoiceField(label=_("Size"), required=False,
                             choices=[("", _("Any"))] + Size.choices)
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("Any"))] + Source.choices)
    approval = forms.ChoiceField(label=_("Approval"), required=False,
                                 choices=[("", _("Any"))] + Approval.choices)
    standing = forms.ChoiceField(label=_("Standing"), required=False,
                                 choices=[("", _("Any"))] + Standing.choices)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    pool = forms.ChoiceField(label=_("Public pool"), required=False,
                             choices=[("", _("Any")), ("yes", _("In the pool")),
                                      ("no", _("Owned"))])
    below = forms.IntegerField(label=_("Completeness below"), required=False, min_value=1,
                               max_value=100, widget=forms.NumberInput(attrs={"placeholder": "%"}))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.custom_filters = [d for d in definitions(ACCOUNT_TARGET)
                               if d.type in (CustomFieldDefinition.Type.CHOICE,
                                             CustomFieldDefinition.Type.MULTI)]
        for d in self.custom_filters:
            self.fields[CUSTOM_PREFIX + d.key] = forms.ChoiceField(
                label=d.label, required=False,
                choices=[("", _("Any"))] + [(c, c) for c in d.choices])
        # Filters other apps contribute (customer value …): their own fields, by group.
        from guanxi.customers.filters import contributed_filters

        self.contributed = []
        for entry in contributed_filters():
            names = []
            for name, field in entry.form_fields().items():
                self.fields[name] = field
                names.append(name)
            self.contributed.append((entry, names))

    def custom_fields(self):
        return [(d, self[CUSTOM_PREFIX + d.key]) for d in self.custom_filters]

    def contributed_groups(self) -> list[tuple[Any, list]]:
        """(label, bound fields) of each contributed filter group, for the template."""
        return [(entry.label, [self[n] for n in names]) for entry, names in self.contributed]

    def contributed_names(self) -> list[str]:
        return [n for _entry, names in self.contributed for n in names]

    def sort_key(self) -> tuple[str, bool]:
        """(column, descending) of the requested sort, defaulting to the latest updated."""
        raw = (self.cleaned_data.get("sort") or "-updated") if self.is_valid() else "-updated"
        desc = raw.startswith("-")
        name = raw.lstrip("-")
        if name not in self.SORTS:
            return "updated", True
        return name, desc
