"""Forms of the administrators' user and team pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role, Team, User


def team_choices() -> list[tuple[str, str]]:
    """Teams indented by depth, in tree order."""
    return [("", "—")] + [(str(t.pk), "\u3000" * (t.path.count("/") - 2) + t.name)
                          for t in Team.objects.order_by("path")]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 initial=settings.LANGUAGE_CODE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices()


class MembershipForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices()


class DeactivateForm(forms.Form):
    transfer_to = forms.ModelChoiceField(
        label=_("Hand their records to"), required=False,
        queryset=User.objects.none(),
        help_text=_("Leave empty to keep the records with them (a manager can reassign "
                    "them later)."))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = (User.objects.filter(is_active=True)
                                               .exclude(pk=user.pk).order_by("username"))


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices,
                             initial=Team.Kind.TEAM)
    parent = forms.ChoiceField(label=_("Under"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = team_choices()
