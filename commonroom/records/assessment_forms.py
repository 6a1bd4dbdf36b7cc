"""Forms for setting up assessment, the marksheet grid and targets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.organisations.models import AcademicYear
from commonroom.records.assessment_services import Cell, cell_key, parse_grade_lines
from commonroom.records.models import Aspect, GradeSet


class GradeSetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example GCSE 9-1, or Working towards, at, greater depth"))
    kind = forms.ChoiceField(label=_("Grades are"), choices=GradeSet.Kind.choices, widget=forms.RadioSelect,
                             initial=GradeSet.Kind.LIST)
    grades = forms.CharField(
        label=_("Grades, best first"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For a list: one grade per line, best first. Add a meaning after a bar: EXS | Expected standard"),
    )
    minimum = forms.IntegerField(label=_("Lowest number"), required=False, min_value=-1_000_000, max_value=1_000_000,
                                 help_text=_("For whole numbers, such as 0"))
    maximum = forms.IntegerField(label=_("Highest number"), required=False, min_value=-1_000_000, max_value=1_000_000,
                                 help_text=_("For whole numbers, such as 100"))

    def grade_rows(self) -> list[tuple[str, str]]:
        return parse_grade_lines(self.cleaned_data.get("grades") or "")


class PointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example Autumn data collection"))
    academic_year = forms.ModelChoiceField(label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=None)
    date = forms.DateField(label=_("Date the grades describe"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, institution: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = AcademicYear.objects.filter(institution=institution).order_by("-start_date")  # type: ignore[attr-defined]


class PointEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    date = forms.DateField(label=_("Date the grades describe"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class AspectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example Attainment, Effort, Target grade"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Aspect.Kind.choices)
    grade_set = forms.ModelChoiceField(label=_("Grade set"), queryset=GradeSet.objects.none(), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=100, required=False,
                              help_text=_("Leave blank for every subject"))
    visible_to_families = forms.BooleanField(label=_("Learners and families see it once a point is published"),
                                             required=False)
    position = forms.IntegerField(label=_("Column order"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, institution: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade_set"].queryset = GradeSet.objects.filter(institution=institution)  # type: ignore[attr-defined]


class MarksheetForm(forms.Form):
    """One text box per learner and aspect (a grade), with the version of the grade the user saw."""

    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for row in sheet.rows:
            for aspect in sheet.aspects:
                result = row.cells[aspect.pk]
                key = cell_key(row.learner_id, aspect.pk)
                self.fields[key] = forms.CharField(
                    label=_("%(aspect)s for %(name)s") % {"aspect": aspect.name, "name": row.name}, required=False,
                    max_length=20, initial=result.value if result else "",
                    widget=forms.TextInput(attrs={
                        "class": "govuk-input--width-3 cr-grade", "list": f"grades-{aspect.grade_set_id}",
                        "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                    }),
                )
                self.fields[f"v_{row.learner_id}_{aspect.pk}"] = forms.IntegerField(
                    widget=forms.HiddenInput, required=False, min_value=0, initial=result.version if result else 0
                )

    def grid(self) -> list[dict[str, Any]]:
        return [
            {"row": row, "cells": [(aspect, self[cell_key(row.learner_id, aspect.pk)], self[f"v_{row.learner_id}_{aspect.pk}"])
                                   for aspect in self.sheet.aspects]}
            for row in self.sheet.rows
        ]

    def cells(self) -> list[Cell]:
        data = self.cleaned_data
        return [
            Cell(row.learner_id, aspect.pk, data.get(cell_key(row.learner_id, aspect.pk)) or "",
                 data.get(f"v_{row.learner_id}_{aspect.pk}") or 0)
            for row in self.sheet.rows for aspect in self.sheet.aspects
        ]


class TargetForm(forms.Form):
    group = forms.ChoiceField(label=_("Subject (teaching group)"))
    aspect = forms.ChoiceField(label=_("Target"))
    value = forms.CharField(label=_("Target grade"), max_length=20,
                            widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "autocomplete": "off"}))

    def __init__(self, *args: Any, groups: list[Any], aspects: list[Aspect], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, f"{g.subject} ({g.name})") for g in groups]  # type: ignore[attr-defined]
        self.fields["aspect"].choices = [(a.pk, f"{a.name} ({a.subject or _('every subject')})") for a in aspects]  # type: ignore[attr-defined]


class PointStateForm(forms.Form):
    action = forms.ChoiceField(choices=[("lock", "lock"), ("unlock", "unlock"), ("publish", "publish"),
                                        ("unpublish", "unpublish")])
