"""Forms for absence reports, changes of details and the office's decisions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.liaison.models import AbsenceReport
from commonroom.liaison.services import CONFIRM_CODES, MAX_DETAIL, MAX_NOTE
from commonroom.records.codes import CODES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLANNED_REASONS = [(v, label) for v, label in AbsenceReport.Reason.choices if v != AbsenceReport.Reason.ILLNESS]


class AbsenceReportForm(forms.Form):
    institution = forms.TypedChoiceField(label=_("School"), coerce=int)
    kind = forms.ChoiceField(label=_("What do you want to tell the school?"), choices=AbsenceReport.Kind.choices,
                             widget=forms.RadioSelect, initial=AbsenceReport.Kind.ILL_TODAY)
    sessions = forms.ChoiceField(label=_("Which part of the day?"), choices=AbsenceReport.Sessions.choices,
                                 widget=forms.RadioSelect, initial=AbsenceReport.Sessions.BOTH)
    reason = forms.ChoiceField(label=_("Reason (for a planned absence)"), choices=[("", _("Choose a reason")), *PLANNED_REASONS],
                               required=False)
    first_date = forms.DateField(label=_("First day (for a planned absence)"), required=False, widget=DATE)
    last_date = forms.DateField(label=_("Last day (for a planned absence)"), required=False, widget=DATE,
                                help_text=_("Leave empty for a single day"))
    note = forms.CharField(label=_("Anything the school should know"), required=False, max_length=MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("For example: a temperature since last night. Do not include private medical detail."))

    def __init__(self, *args: Any, institutions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["institution"])
        field.choices = [(i.pk, i.name) for i in institutions]
        if len(institutions) == 1:
            field.initial = institutions[0].pk
            field.widget = forms.HiddenInput()


class DecideAbsenceForm(forms.Form):
    code = forms.ChoiceField(label=_("Attendance code"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE,
                           help_text=_("Needed to decline (the parent reads it), and for code C"))
    replace_present = forms.BooleanField(label=_("Replace sessions already marked present"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = [(c, CODES[c].label) for c in CONFIRM_CODES]


class ContactDetailsForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=MAX_DETAIL["email"], required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}))
    phone = forms.CharField(label=_("Phone number"), max_length=MAX_DETAIL["phone"], required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))


class ChildDetailsForm(forms.Form):
    medical_notes = forms.CharField(label=_("Medical notes"), max_length=MAX_DETAIL["medical_notes"], required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text=_("Conditions, medicines and what to do in an emergency"))
    dietary_needs = forms.CharField(label=_("Dietary needs"), max_length=MAX_DETAIL["dietary_needs"], required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("Allergies, intolerances and diets the kitchen should know"))


class DecideChangeForm(forms.Form):
    note = forms.CharField(label=_("Note to the parent"), required=False, max_length=MAX_NOTE,
                           help_text=_("Needed to reject"))
    # What the record held when the office looked, if it had changed since the parent asked.
    seen_current = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    seen = forms.BooleanField(widget=forms.HiddenInput, required=False)
