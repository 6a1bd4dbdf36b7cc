"""Forms for written reports: setting up a cycle, the comment bank, writing and proof-reading."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.organisations.models import AcademicYear
from commonroom.people.models import Group
from commonroom.records.models import AssessmentPoint
from commonroom.records.report_documents import PLACEHOLDERS

PLACEHOLDER_HELP = _("You can use placeholders, filled from the records: ") + ", ".join("{" + k + "}" for k in PLACEHOLDERS)


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example: Year 10 summer report"))
    academic_year = forms.ModelChoiceField(label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=None)
    year_groups = forms.ModelMultipleChoiceField(label=_("Year groups"), queryset=Group.objects.none(),
                                                 widget=forms.CheckboxSelectMultiple)
    subjects = forms.CharField(label=_("Subjects"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("One per line. Leave blank for every subject the learners are taught."))
    point = forms.ModelChoiceField(label=_("Grades from"), queryset=AssessmentPoint.objects.none(), required=False,
                                   empty_label=_("No grades"), help_text=_("The assessment point whose grades the report shows"))
    tutor_section = forms.BooleanField(label=_("Form tutor comments"), required=False, initial=True)
    head_of_year_section = forms.BooleanField(label=_("Head of year comments"), required=False)
    include_attendance = forms.BooleanField(label=_("Show attendance this year"), required=False, initial=True)
    deadline = forms.DateField(label=_("Deadline for comments"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, institution: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = AcademicYear.objects.filter(institution=institution).order_by("-start_date")  # type: ignore[attr-defined]
        self.fields["year_groups"].queryset = Group.objects.filter(institution=institution, kind=Group.Kind.YEAR).order_by("-academic_year__start_date", "nc_year")  # type: ignore[attr-defined]
        self.fields["year_groups"].label_from_instance = lambda g: f"{g.name} ({g.academic_year.name})"  # type: ignore[attr-defined]
        self.fields["point"].queryset = AssessmentPoint.objects.filter(institution=institution).order_by("-date")  # type: ignore[attr-defined]

    def subject_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("subjects") or "").splitlines() if line.strip()]


class BankEntryForm(forms.Form):
    label = forms.CharField(label=_("Short name"), max_length=100, help_text=_("For example: Strength: problem solving"))
    subject = forms.CharField(label=_("Subject"), max_length=100, required=False, help_text=_("Blank: every subject"))
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000,
                           help_text=PLACEHOLDER_HELP)


class WritingForm(forms.Form):
    """One comment per learner, the version seen, and an optional comment-bank entry to add to it."""

    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        bank = [("", _("Add from the comment bank…"))] + [(str(e.pk), e.label) for e in sheet.bank]
        for row in sheet.rows:
            self.fields[f"c_{row.learner_id}"] = forms.CharField(
                label=_("Comment for %(name)s") % {"name": row.name}, required=False, max_length=3000,
                initial=row.comment.text if row.comment else "", widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields[f"v_{row.learner_id}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=0, initial=row.comment.version if row.comment else 0)
            if sheet.bank:
                self.fields[f"b_{row.learner_id}"] = forms.ChoiceField(
                    label=_("Add a comment-bank entry for %(name)s") % {"name": row.name}, choices=bank, required=False)

    def rows(self) -> list[dict[str, Any]]:
        return [{"row": row, "text": self[f"c_{row.learner_id}"], "seen": self[f"v_{row.learner_id}"],
                 "bank": self[f"b_{row.learner_id}"] if self.sheet.bank else None} for row in self.sheet.rows]

    def texts(self) -> dict[int, str]:
        """Each learner's text, with any chosen bank entry added as a new paragraph."""
        bank = {str(e.pk): e.text for e in self.sheet.bank}
        out = {}
        for row in self.sheet.rows:
            text = (self.cleaned_data.get(f"c_{row.learner_id}") or "").strip()
            chosen = self.cleaned_data.get(f"b_{row.learner_id}") or ""
            if chosen in bank:
                text = f"{text}\n\n{bank[chosen]}".strip()
            out[row.learner_id] = text
        return out


class ProofreadForm(forms.Form):
    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proof_rows = rows
        for row in rows:
            pk = row.comment.pk
            self.fields[f"d_{pk}"] = forms.ChoiceField(
                label=_("Decision for %(name)s") % {"name": row.name}, widget=forms.RadioSelect, required=False,
                choices=[("", _("Leave for now")), ("checked", _("Checked")), ("returned", _("Return to the author"))], initial="")
            self.fields[f"note_{pk}"] = forms.CharField(label=_("What needs changing"), required=False, max_length=500)
            self.fields[f"ver_{pk}"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=row.comment.version)

    def items(self) -> list[dict[str, Any]]:
        return [{"row": row, "decision": self[f"d_{row.comment.pk}"], "note": self[f"note_{row.comment.pk}"],
                 "version": self[f"ver_{row.comment.pk}"]} for row in self.proof_rows]
