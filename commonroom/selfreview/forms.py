"""Forms for starting a review, assigning elements and answering an aspect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.selfreview.models import LEVELS, Aspect, Element, Framework


class StartForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.none(), empty_label=None,
                                       widget=forms.RadioSelect)
    title = forms.CharField(label=_("Name of the review (optional)"), max_length=200, required=False,
                            help_text=_("For example: Spring review 2027. Left blank, it is named after the framework and month."))

    def __init__(self, *args: Any, frameworks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    def __init__(self, *args: Any, elements: list[Element], colleagues: list[Any], current: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Not assigned (leaders answer it)")), *[(str(p.pk), p.full_name) for p in colleagues]]
        for element in elements:
            self.fields[f"element_{element.pk}"] = forms.ChoiceField(
                label=str(element), choices=choices, required=False, initial=str(current.get(element.pk, "")))


class AnswerForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, required=False, empty_value=None,
                                   widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Why this level: what you saw, and what would move it up"))
    evidence = forms.CharField(
        label=_("Evidence"), required=False, max_length=16000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item a line: a web address starting https:// (or http://), or a note naming a record, "
                    "for example \"Governors' minutes, 12 March\""))
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, aspect: Aspect, scale: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (level, f"{level} · {scale.get(str(level), '')}: {aspect.descriptors[str(level)]}") for level in reversed(LEVELS)
        ]
        self.fields["level"].help_text = _("The threshold for this aspect is level %(level)s or better (1 is the highest).") % {
            "level": aspect.threshold}


def evidence_text(items: list[dict[str, str]]) -> str:
    return "\n".join(item.get("url") or item.get("text") or "" for item in items if item.get("kind") != "measure")


class EvidenceFileForm(forms.Form):
    file = forms.FileField(label=_("Add a file as evidence"), required=False,
                           help_text=_("PDF, an image, a Word, Excel, PowerPoint or OpenDocument file, or plain text; "
                                       "up to 10 MB."))
