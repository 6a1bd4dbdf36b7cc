"""Forms for course spaces and homework."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonroom.learning.models import Assignment
from commonroom.learning.services import ALLOWED_TYPES, MAX_TEXT
from commonroom.people.models import Group
from commonroom.records.models import AssessmentPoint, GradeSet

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("A topic or a week, for example “Week 1: fractions”"))
    body = forms.CharField(label=_("Text"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Plain text. Line breaks are kept."))
    links = forms.CharField(label=_("Links"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One a line: a title, a bar and the address, for example "
                                        "“BBC Bitesize | https://www.bbc.co.uk/bitesize”. http and https only."))


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=MAX_TEXT,
                                   widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Plain text. Line breaks are kept."))
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    due_time = forms.TimeField(label=_("Due time"), widget=TIME, initial=datetime.time(8, 30))
    expected_minutes = forms.IntegerField(label=_("Expected time, in minutes"), min_value=1, max_value=600, initial=30)
    allow_late = forms.BooleanField(label=_("Accept late work (it is recorded as late)"), required=False, initial=True)
    grade_set = forms.ModelChoiceField(label=_("Grade set"), required=False, queryset=GradeSet.objects.none(),
                                       empty_label=_("None"), help_text=_("Mark with one of the school's grade sets"))
    mark_out_of = forms.IntegerField(label=_("Or a mark out of"), required=False, min_value=1, max_value=1000)
    point = forms.ModelChoiceField(label=_("Send marks to the assessment record at"), required=False,
                                   queryset=AssessmentPoint.objects.none(), empty_label=_("Do not send"))
    aspect = forms.ChoiceField(label=_("As the aspect"), required=False, choices=[])
    resources = forms.TypedMultipleChoiceField(
        label=_("Resources"), required=False, coerce=int, choices=[], widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the resources learners should use: yours, or shared with you. Those already attached come "
                    "first, in their order; untick one to take it off the homework."))

    def __init__(self, *args: Any, group: Group, resource_choices: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if resource_choices:
            choices: Any = self.fields["resources"]
            choices.choices = [(r.pk, f"{r.title} ({r.get_kind_display()})") for r in resource_choices]
        else:  # nothing attached and nothing found: no empty list, and what is attached stays as it is
            del self.fields["resources"]
        from commonroom.records.assessment_services import aspects_for_subject

        grade_sets: Any = self.fields["grade_set"]
        grade_sets.queryset = GradeSet.objects.filter(institution_id=group.institution_id).order_by("name")
        points: Any = self.fields["point"]
        points.queryset = AssessmentPoint.objects.filter(institution_id=group.institution_id, locked=False,
                                                         academic_year_id=group.academic_year_id).order_by("date")
        aspect: Any = self.fields["aspect"]
        aspect.choices = [("", _("None"))] + [(str(a.pk), a.name) for a in aspects_for_subject(group.institution_id, group.subject)]
        if group.kind != Group.Kind.TEACHING:
            del self.fields["point"], self.fields["aspect"]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        due = timezone.make_aware(datetime.datetime.combine(data["due_date"], data["due_time"]))
        return {"title": data["title"], "instructions": data["instructions"], "due_at": due,
                "expected_minutes": data["expected_minutes"], "allow_late": data["allow_late"],
                "grade_set_id": data["grade_set"].pk if data.get("grade_set") else None,
                "mark_out_of": data.get("mark_out_of"),
                "aspect_id": int(data["aspect"]) if data.get("aspect") else None,
                "point_id": data["point"].pk if data.get("point") else None,
                "resource_ids": list(data.get("resources") or []) if "resources" in self.fields else None}

    @staticmethod
    def initial_for(assignment: Assignment) -> dict[str, Any]:
        local = timezone.localtime(assignment.due_at)
        return {"title": assignment.title, "instructions": assignment.instructions, "due_date": local.date(),
                "due_time": local.time().replace(second=0, microsecond=0), "expected_minutes": assignment.expected_minutes,
                "allow_late": assignment.allow_late, "grade_set": assignment.grade_set_id,
                "mark_out_of": assignment.mark_out_of, "aspect": str(assignment.aspect_id or ""),
                "point": assignment.point_id,
                "resources": list(assignment.resource_links.order_by("position", "pk").values_list("resource_id", flat=True))}


class HandInForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label=_("Attach a file"), required=False,
                           help_text=_("Allowed: %(types)s.") % {"types": ", ".join(sorted(ALLOWED_TYPES))})


class MarkOneForm(forms.Form):
    mark = forms.CharField(label=_("Mark"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))
    feedback = forms.CharField(label=_("Written feedback"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    on_paper = forms.BooleanField(label=_("Handed in on paper"), required=False)
    feedback_file = forms.FileField(label=_("Annotated feedback file (optional)"), required=False,
                                    help_text=_("The work marked up, as a PDF or an image; at most 10 MB. It replaces any "
                                                "earlier file. The learner gets it when you return the work."))
    remove_feedback_file = forms.BooleanField(label=_("Remove the feedback file"), required=False)
