"""Forms for the signed-in user's own pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import ApiToken


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False,
                                   help_text=_("How colleagues see you, e.g. 王芳."))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False,
                                  help_text=_("Times are shown in this zone."))
    currency = forms.ChoiceField(label=_("Display currency"), required=False,
                                 help_text=_("New opportunities, contracts, expenses and products "
                                             "start in this currency. Amounts are never "
                                             "converted: each record keeps its own."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from guanxi.accounts.services import currency_codes, time_zone_names

        site_zone = _("Site default (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", site_zone)] + [
            (name, name) for name in sorted(time_zone_names())]
        site_currency = _("Site default (%(currency)s)") % {"currency": settings.GUANXI_CURRENCY}
        self.fields["currency"].choices = [("", site_currency)] + [
            (code, code) for code in currency_codes()]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What uses the token, e.g. “ERP sync”."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices,
                              initial=ApiToken.Scope.READ)
    days = forms.IntegerField(label=_("Expires after (days)"), min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        max_days = settings.GUANXI_API_TOKEN_MAX_DAYS
        field = self.fields["days"]
        field.max_value = max_days
        field.validators.append(MaxValueValidator(max_days))
        field.widget.attrs["max"] = max_days
        field.initial = min(settings.GUANXI_API_TOKEN_DEFAULT_DAYS, max_days)
        field.help_text = _("Every token expires, after at most %(max)d days.") % {
            "max": max_days}
