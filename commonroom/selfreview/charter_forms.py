"""Forms of the Charter pages: commitment, asking for recognition, the officer's decision, the assessor's visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.selfreview.models import CharterStage


class CommitForm(forms.Form):
    notes = forms.CharField(label=_("What the institution commits to (optional)"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class RequestForm(forms.Form):
    note = forms.CharField(label=_("A note for the authority's adviser (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("confirm", _("Confirm: the institution is Recognised")),
                                          ("decline", _("Do not confirm now"))])
    adviser_reference = forms.CharField(label=_("Adviser's reference"), required=False, max_length=100,
                                        help_text=_("Needed to confirm: the reference of the adviser's visit or report"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "confirm" and not (data.get("adviser_reference") or "").strip():
            self.add_error("adviser_reference", _("Enter the adviser's reference for the recognition."))
        return data


class VisitForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage assessed"), widget=forms.RadioSelect,
                              choices=[(CharterStage.ICT_MARK, CharterStage.ICT_MARK.label),
                                       (CharterStage.EXCELLENCE, CharterStage.EXCELLENCE.label)])
    visit_date = forms.DateField(label=_("Date of the visit"), help_text=_("For example 2027-03-14"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect,
                                choices=[("awarded", _("Awarded")), ("not_yet", _("Not yet: a further visit is needed"))])
    notes = forms.CharField(label=_("Notes (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
