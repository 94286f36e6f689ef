"""Forms of the analytics pages, and the metric filters the customer list shows too."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.analytics import labels


class MetricFilterForm(forms.Form):
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), required=False)
    lifecycle = forms.ChoiceField(label=gettext_lazy("Lifecycle stage"), required=False)
    value_type = forms.ChoiceField(label=gettext_lazy("Value type"), required=False)
    abc = forms.ChoiceField(label=gettext_lazy("ABC class"), required=False,
                            choices=[("", gettext_lazy("Any")), ("A", "A"), ("B", "B"),
                                     ("C", "C")])
    clv_min = forms.DecimalField(label=gettext_lazy("Lifetime value at least"), required=False)
    clv_max = forms.DecimalField(label=gettext_lazy("Lifetime value at most"), required=False)
    churn_min = forms.FloatField(label=gettext_lazy("Churn risk at least"), required=False,
                                 min_value=0, max_value=1)
    cluster = forms.IntegerField(label=gettext_lazy("Cluster"), required=False, min_value=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["segment"].choices = anything + labels.segment_choices()
        self.fields["lifecycle"].choices = anything + labels.lifecycle_choices()
        self.fields["value_type"].choices = anything + labels.value_type_choices()


def cross_sell_fields() -> dict[str, forms.Field]:
    """The customer list's cross-sell filter: customers to whom a product is recommended,
    the product picked by code or name (the catalogue may be long: no drop-down of all)."""
    from guanxi.core.forms import PickerField

    return {"recommend": PickerField(
        "product", label=gettext_lazy("Recommended product"), required=False)}
