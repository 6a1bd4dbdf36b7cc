from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WeekForm(forms.Form):
    date = forms.DateField(label=_("Go to the week of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": _("Enter a real date, for example 2026-12-07."),
                                           "required": _("Enter a date, for example 2026-12-07.")})
