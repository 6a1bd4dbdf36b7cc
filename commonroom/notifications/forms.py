"""Forms for alerts: a contact's channels per kind, and the school's settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.notifications.models import OFFERED_KINDS, AlertKind, AlertSettings, Channel


class PreferencesForm(forms.Form):
    """One group of checkboxes (email, text) per alert kind the person's children's schools offer."""

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[f"channels_{kind}"] = forms.MultipleChoiceField(
                label=AlertKind(kind).label, choices=Channel.choices, required=False,
                widget=forms.CheckboxSelectMultiple, help_text=_("Leave both unticked for no alert of this kind."))

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {name.removeprefix("channels_"): (Channel.EMAIL in value, Channel.SMS in value)
                for name, value in self.cleaned_data.items()}


class SettingsForm(forms.Form):
    offered = forms.MultipleChoiceField(
        label=_("Alerts the school sends"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind, AlertKind(kind).label) for kind in OFFERED_KINDS],
        help_text=_("Families choose email, text or neither for each alert you switch on."))
    absence_recipients = forms.ChoiceField(label=_("Who is told about an absence with no reason"),
                                           choices=AlertSettings.AbsenceRecipients.choices, widget=forms.RadioSelect)
    min_incident_severity = forms.TypedChoiceField(
        label=_("Alert for behaviour incidents of this severity or higher"), coerce=int,
        choices=[(1, _("Low")), (2, _("Moderate")), (3, _("High")), (4, _("Serious"))])
    retry_limit = forms.IntegerField(label=_("Tries before an alert is reported as undelivered"), min_value=1,
                                     max_value=10, widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}))
