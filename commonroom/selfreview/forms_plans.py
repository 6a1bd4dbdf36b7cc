"""Forms for actions (from an aspect) and authority targets. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.organisations.models import Institution
from commonroom.selfreview.models import LEVELS
from commonroom.selfreview.models_plans import Action


class DateInput(forms.DateInput):
    input_type = "date"


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    target_level = forms.TypedChoiceField(label=_("Target level"), coerce=int, choices=[],
                                          help_text=_("The level you want the aspect to reach (1 is the highest)"))
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[], help_text=_("A member of staff"))
    due_on = forms.DateField(label=_("Due date"), widget=DateInput, help_text=_("For example 2027-03-31"))
    cost = forms.DecimalField(label=_("Cost in pounds (optional)"), required=False, min_value=0, max_digits=10,
                              decimal_places=2)
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices, initial=Action.Status.PLANNED)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, colleagues: list[Any], scale: dict[str, str], below: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = [level for level in LEVELS if below is None or level < below]
        self.fields["target_level"].choices = [(lv, f"{lv} · {scale.get(str(lv), '')}") for lv in levels]  # type: ignore[attr-defined]
        self.fields["owner"].choices = [("", _("Choose a member of staff")),  # type: ignore[attr-defined]
                                        *[(p.pk, p.full_name) for p in colleagues]]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["owner_id"] = data.pop("owner")
        return data


class TargetForm(forms.Form):
    title = forms.CharField(label=_("Target"), max_length=200,
                            help_text=_("For example: 80% of schools at the threshold in assessment"))
    framework_slug = forms.ChoiceField(label=_("Framework"), choices=[])
    element_number = forms.TypedChoiceField(label=_("Element"), coerce=int, empty_value=None, required=False, choices=[],
                                            help_text=_("Or every element: the whole review at the threshold"))
    phase = forms.ChoiceField(label=_("Institutions"), required=False,
                              choices=[("", _("Every phase")), *Institution.Phase.choices])
    share = forms.IntegerField(label=_("Share at the threshold (per cent)"), min_value=1, max_value=100)
    due_on = forms.DateField(label=_("By"), widget=DateInput, help_text=_("For example 2027-07-31"))

    def __init__(self, *args: Any, frameworks: list[tuple[str, str]], numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework_slug"].choices = frameworks  # type: ignore[attr-defined]
        self.fields["element_number"].choices = [("", _("Every element")),  # type: ignore[attr-defined]
                                                 *[(n, _("Element %(n)s") % {"n": n}) for n in numbers]]
