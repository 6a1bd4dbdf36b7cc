"""Forms for the register, corrections, planned absences and closures."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.records.codes import CODES, REGISTER_CODES, Session


def code_choices(session: str, *, blank: str | None = None) -> list[tuple[Any, Any]]:
    """Codes for a select: the register's everyday codes first, then every other code, grouped."""
    everyday = [(c, CODES[c].label) for c in REGISTER_CODES if not CODES[c].session or CODES[c].session == session]
    others = [(c.code, c.label) for c in CODES.values()
              if c.code not in REGISTER_CODES and (not c.session or c.session == session)]
    choices: list[tuple[Any, Any]] = [("", blank)] if blank is not None else []
    return [*choices, (_("Everyday codes"), everyday), (_("Other codes"), others)]


class RegisterForm(forms.Form):
    """One select, one note and the seen version per learner on the register."""

    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        choices = code_choices(sheet.session, blank=str(_("Not marked")))
        for row in sheet.rows:
            pk = row.roll.learner_id
            mark = row.mark
            self.fields[f"code_{pk}"] = forms.ChoiceField(
                label=_("Mark for %(name)s") % {"name": row.roll.name}, choices=choices, required=False,
                initial=mark.code if mark else "",
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note for %(name)s") % {"name": row.roll.name}, required=False, max_length=500,
                initial=mark.explanation if mark else "",
            )
            self.fields[f"seen_{pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=0, initial=mark.version if mark else 0
            )
            self.fields[f"was_{pk}"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=2, initial=mark.code if mark else ""
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"row": row, "code": self[f"code_{row.roll.learner_id}"], "note": self[f"note_{row.roll.learner_id}"],
             "seen": self[f"seen_{row.roll.learner_id}"], "was": self[f"was_{row.roll.learner_id}"]}
            for row in self.sheet.rows
        ]


class MarkAmendForm(forms.Form):
    code = forms.ChoiceField(label=_("New mark"))
    explanation = forms.CharField(label=_("Explanation"), required=False, max_length=500,
                                  help_text=_("Needed for codes B, C and Y7"))
    minutes_late = forms.IntegerField(label=_("Minutes late"), required=False, min_value=0, max_value=600)
    reason = forms.CharField(label=_("Why is the mark changing?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, session: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = code_choices(session)


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return data

    def range(self, default: tuple[datetime.date, datetime.date]) -> tuple[datetime.date, datetime.date]:
        if not self.is_valid():
            return default
        return self.cleaned_data.get("start") or default[0], self.cleaned_data.get("end") or default[1]


SESSION_CHOICES = [(Session.AM.value, _("Morning (AM)")), (Session.PM.value, _("Afternoon (PM)"))]


class PlannedAbsenceForm(forms.Form):
    first = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    first_session = forms.ChoiceField(label=_("From the"), choices=SESSION_CHOICES, widget=forms.RadioSelect, initial="AM")
    last = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_session = forms.ChoiceField(label=_("To the end of the"), choices=SESSION_CHOICES, widget=forms.RadioSelect,
                                     initial="PM")
    code = forms.ChoiceField(label=_("Code"))
    explanation = forms.CharField(label=_("Explanation"), max_length=500, required=False,
                                  help_text=_("For example: hospital appointment at 10:00"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = [
            (c.code, c.label) for c in CODES.values() if c.category not in ("present", "administrative")
        ]


class ClosureForm(forms.Form):
    day = forms.DateField(label=_("Date of the closure"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sessions = forms.MultipleChoiceField(label=_("Sessions"), choices=SESSION_CHOICES, widget=forms.CheckboxSelectMultiple,
                                         initial=["AM", "PM"])
    reason = forms.CharField(label=_("Reason"), max_length=500, help_text=_("For example: staff training day"))


class IncidentForm(forms.Form):
    """An incident, with a role select per learner of the group (blank: not involved)."""

    category = forms.ChoiceField(label=_("Category"))
    severity = forms.TypedChoiceField(label=_("Severity"), coerce=int, widget=forms.RadioSelect)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    occurred_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    location = forms.CharField(label=_("Location"), required=False, max_length=100)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    action_taken = forms.CharField(label=_("Action taken"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_owner = forms.ChoiceField(label=_("Follow-up owner"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], staff: list[tuple[int, str]],
                 learners: list[Any], **kwargs: Any) -> None:
        from commonroom.records.models import Incident, IncidentLearner

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("Choose a category")), *categories]
        cast(forms.ChoiceField, self.fields["severity"]).choices = Incident.Severity.choices
        cast(forms.ChoiceField, self.fields["follow_up_owner"]).choices = [("", _("Nobody")), *staff]
        self.learners = learners
        roles = [("", _("Not involved")), *IncidentLearner.Role.choices]
        for learner in learners:
            self.fields[f"role_{learner.pk}"] = forms.ChoiceField(
                label=learner.person.full_name, choices=roles, required=False)

    def involved(self) -> list[tuple[int, str]]:
        return [(lr.pk, self.cleaned_data[f"role_{lr.pk}"]) for lr in self.learners if self.cleaned_data.get(f"role_{lr.pk}")]

    def role_fields(self) -> list[Any]:
        return [self[f"role_{lr.pk}"] for lr in self.learners]

    def detail_fields(self) -> list[Any]:
        return [self[name] for name in ("category", "severity", "occurred_on", "occurred_time", "location",
                                        "description", "action_taken", "follow_up_owner")]


class RewardForm(forms.Form):
    category = forms.ChoiceField(label=_("Reward"))
    learners = forms.MultipleChoiceField(label=_("Learners"), widget=forms.CheckboxSelectMultiple)
    awarded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300, help_text=_("What it was for"))

    def __init__(self, *args: Any, categories: list[tuple[int, str]], learners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("Choose a reward")), *categories]
        cast(forms.ChoiceField, self.fields["learners"]).choices = [(lr.pk, lr.person.full_name) for lr in learners]


class CategoryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect,
                             choices=[("incident", _("Incident")), ("reward", _("Reward"))])
    name = forms.CharField(label=_("Name"), max_length=100)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=100)


class BehaviourSettingsForm(forms.Form):
    alert_points = forms.IntegerField(label=_("Alert at this many incident points"), min_value=1, max_value=1000)
    alert_days = forms.IntegerField(label=_("Counted over this many days"), min_value=1, max_value=366)


class SchoolWeekForm(forms.Form):
    cycle_weeks = forms.TypedChoiceField(label=_("Timetable cycle"), coerce=int, widget=forms.RadioSelect,
                                         choices=[(1, _("One week")), (2, _("Two weeks (week A and week B)"))])
    cycle_starts = forms.DateField(label=_("Week A begins"), required=False, help_text=_("A Monday in week A"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    register_open_minutes = forms.IntegerField(label=_("Minutes a register stays open"), min_value=1, max_value=30)


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("For example P1 or AM registration"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("registration", _("Registration")), ("lesson", _("Lesson")),
                                                        ("break", _("Break"))])
    session = forms.ChoiceField(label=_("Session"), choices=SESSION_CHOICES)
    starts = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Room name"), max_length=50)


class TermForm(forms.Form):
    name = forms.CharField(label=_("Term name"), max_length=50, help_text=_("For example Spring term"))
    start_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SlotForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Teaching group"), coerce=int)
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=[
        (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday"))])
    period = forms.TypedChoiceField(label=_("Period"), coerce=int)
    cycle_week = forms.TypedChoiceField(label=_("Week"), coerce=int, choices=[(1, _("Week A")), (2, _("Week B"))], initial=1)
    teacher = forms.TypedChoiceField(label=_("Teacher"), coerce=int)
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", _("Choose a group")), *choices["groups"]]
        cast(forms.ChoiceField, self.fields["period"]).choices = [("", _("Choose a period")), *choices["periods"]]
        cast(forms.ChoiceField, self.fields["teacher"]).choices = [("", _("Choose a teacher")), *choices["teachers"]]
        cast(forms.ChoiceField, self.fields["room"]).choices = [("", _("No room")), *choices["rooms"]]


class LessonRegisterForm(forms.Form):
    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        from commonroom.records.models import LessonMark

        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for roll, mark in sheet.rows:
            self.fields[f"status_{roll.learner_id}"] = forms.ChoiceField(
                label=_("%(name)s") % {"name": roll.name}, choices=LessonMark.Status.choices, widget=forms.RadioSelect,
                initial=mark.status if mark else LessonMark.Status.PRESENT,
            )

    def rows(self) -> list[Any]:
        return [self[f"status_{roll.learner_id}"] for roll, _mark in self.sheet.rows]

    def entries(self) -> list[tuple[int, str]]:
        return [(roll.learner_id, self.cleaned_data[f"status_{roll.learner_id}"]) for roll, _mark in self.sheet.rows]
