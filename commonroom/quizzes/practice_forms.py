"""The form for answering one question, built from its kind; works without JavaScript.

``response()`` gives the answer in the shape ``spec.score`` expects (docs/quizzes.md).
"""

from __future__ import annotations

import random
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.quizzes.spec import QuestionSpec, parse_number

MAX_TEXT = 500


def _texts(items: Any) -> list[tuple[str, str]]:
    return [(str(i.get("id")), str(i.get("text", ""))) for i in items or () if isinstance(i, dict)]


class AnswerForm(forms.Form):
    turn = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, spec: QuestionSpec, shuffle_seed: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        data = spec.data if isinstance(spec.data, dict) else {}
        kind = spec.kind
        prompt = spec.prompt
        if kind == "single":
            self.fields["response"] = forms.ChoiceField(
                label=prompt, choices=_texts(data.get("choices")), widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")})
        elif kind == "multiple":
            self.fields["response"] = forms.MultipleChoiceField(
                label=prompt, choices=_texts(data.get("choices")), widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose every answer that is right."),
                error_messages={"required": _("Choose at least one answer.")})
        elif kind == "true_false":
            self.fields["response"] = forms.ChoiceField(
                label=prompt, choices=[("true", _("True")), ("false", _("False"))], widget=forms.RadioSelect,
                error_messages={"required": _("Choose true or false.")})
        elif kind == "numeric":
            self.fields["response"] = forms.CharField(
                label=prompt, max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                help_text=_("A number, with a point for decimals, for example 3.5."),
                error_messages={"required": _("Enter a number.")})
        elif kind == "text":
            self.fields["response"] = forms.CharField(
                label=prompt, max_length=MAX_TEXT, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                error_messages={"required": _("Type your answer.")})
        elif kind == "matching":
            right = [("", _("Choose…")), *_texts(data.get("right"))]
            for left_id, text in _texts(data.get("left")):
                self.fields[f"match_{left_id}"] = forms.ChoiceField(
                    label=text, choices=right, error_messages={"required": _("Choose a match for “%s”.") % text})
        elif kind == "ordering":
            items = _texts(data.get("items"))
            random.Random(shuffle_seed).shuffle(items)  # the order shown is not the answer (the API shows the same)
            positions = [("", _("Choose…"))] + [(str(n), str(n)) for n in range(1, len(items) + 1)]
            for item_id, text in items:
                self.fields[f"order_{item_id}"] = forms.ChoiceField(
                    label=text, choices=positions,
                    error_messages={"required": _("Give “%s” a position.") % text})

    @property
    def is_grouped(self) -> bool:
        """Matching and ordering ask one thing about several items: shown in a fieldset headed by the prompt."""
        return self.spec.kind in ("matching", "ordering")

    def answer_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name != "turn"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.spec.kind == "numeric" and cleaned.get("response"):
            number, why = parse_number(cleaned["response"])
            if number is None:
                self.add_error("response", why)
        if self.spec.kind == "ordering" and not self.errors:
            chosen = [cleaned.get(name) for name in self.fields if name.startswith("order_")]
            if len(set(chosen)) != len(chosen):
                self.add_error(None, _("Give each item a different position."))
        return cleaned

    def response(self) -> object:
        cleaned = self.cleaned_data
        kind = self.spec.kind
        if kind == "true_false":
            return cleaned["response"] == "true"
        if kind == "multiple":
            return list(cleaned["response"])
        if kind == "matching":
            return {name.removeprefix("match_"): value for name, value in cleaned.items() if name.startswith("match_")}
        if kind == "ordering":
            pairs = [(int(value), name.removeprefix("order_")) for name, value in cleaned.items() if name.startswith("order_")]
            return [item for _pos, item in sorted(pairs)]
        return cleaned["response"]
