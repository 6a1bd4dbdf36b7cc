"""Forms for the SEN register."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.records.models import NeedType, SenStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEEDS = [("", _("None")), *NeedType.choices]


class SenRecordForm(forms.Form):
    status = forms.ChoiceField(label=_("SEN status"), choices=SenStatus.choices, widget=forms.RadioSelect)
    status_since = forms.DateField(label=_("Since"), widget=DATE,
                                   help_text=_("When this status and these needs began"))
    primary_need = forms.ChoiceField(label=_("Primary need"), choices=NEEDS, required=False)
    secondary_need = forms.ChoiceField(label=_("Secondary need"), choices=NEEDS, required=False)
    teacher_summary = forms.CharField(label=_("Summary for teachers"), required=False, max_length=4000,
                                      widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text=_("What the learner's teachers need to know to teach them"))
    strategies = forms.CharField(label=_("Strategies that help"), required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    plan_detail = forms.CharField(label=_("Support plan in full"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("Seen by the SENCO, the head and senior leaders only"))
    family_summary = forms.CharField(label=_("What we share with the learner and family"), required=False,
                                     max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    share_with_family = forms.BooleanField(label=_("Share the family summary and shared reviews"), required=False)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class ProvisionForm(forms.Form):
    description = forms.CharField(label=_("Provision"), max_length=300,
                                  help_text=_("For example: small-group reading intervention"))
    provider = forms.CharField(label=_("Provided by"), max_length=200, required=False)
    hours_per_week = forms.DecimalField(label=_("Hours a week"), required=False, max_digits=4, decimal_places=1,
                                        min_value=0, max_value=40)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE, required=False)


class ReviewForm(forms.Form):
    due_on = forms.DateField(label=_("Review due"), widget=DATE)
    held_on = forms.DateField(label=_("Held on"), widget=DATE, required=False,
                              help_text=_("Leave blank to plan a review"))
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    shared_with_family = forms.BooleanField(label=_("Share this review's outcome with the learner and family"),
                                            required=False)
