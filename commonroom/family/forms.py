"""Forms for school events and the school's contact details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    all_day = forms.TypedChoiceField(label=_("When"), choices=[("1", _("All day (one or more days)")), ("0", _("At set times"))],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    start_date = forms.DateField(label=_("First day"), required=False, widget=DATE, help_text=_("For an all-day event"))
    end_date = forms.DateField(label=_("Last day"), required=False, widget=DATE,
                               help_text=_("For an all-day event; leave blank for one day"))
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text=_("For an event at set times"))
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DATETIME,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text=_("For an event at set times"))
    whole_school = forms.TypedChoiceField(label=_("Who is it for?"),
                                          choices=[("1", _("The whole school")), ("0", _("The groups chosen below"))],
                                          coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    group_ids = forms.TypedMultipleChoiceField(label=_("Groups"), required=False, coerce=int,
                                               widget=forms.CheckboxSelectMultiple)
    published = forms.BooleanField(label=_("Publish it: families see it on their child's page and calendar"),
                                   required=False)

    def __init__(self, *args: Any, group_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_ids"].choices = group_choices  # type: ignore[attr-defined]


class SchoolContactForm(forms.Form):
    address = forms.CharField(label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    note = forms.CharField(label=_("Note for families"), required=False, max_length=300,
                           help_text=_("For example: the office is open 8am to 4pm"))
