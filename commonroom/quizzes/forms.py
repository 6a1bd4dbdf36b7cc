"""Forms for questions and quizzes, written for a page without JavaScript: choices, items and pairs are
typed one a line in a text box, and every error names the box (and the line) at fault."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonroom.quizzes import services
from commonroom.quizzes.models import Question, Quiz, Visibility
from commonroom.quizzes.spec import KINDS, QuestionSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
LINES = 5000

# The fields each kind uses, beyond the common ones.
KIND_FIELDS = {
    "single": ("choices",),
    "multiple": ("choices",),
    "true_false": ("correct_tf",),
    "numeric": ("answer", "tolerance"),
    "text": ("accepted", "case_sensitive"),
    "matching": ("pairs", "extra_right"),
    "ordering": ("items",),
}
# Where an error about a part of the spec is shown, for each kind.
SPEC_TO_FORM = {"correct": "choices", "left": "pairs", "right": "pairs", "case_sensitive": "accepted"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


class QuestionForm(forms.Form):
    prompt = forms.CharField(label=_("Question"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Plain text."))
    choices = forms.CharField(
        label=_("Choices"), required=False, max_length=LINES, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One choice a line. Start a right answer with *. To say why a choice is wrong (or right), "
                    "add a bar and the reason, for example “* 3/4 | Both halves are multiplied”."))
    correct_tf = forms.ChoiceField(label=_("The statement is"), required=False, widget=forms.RadioSelect,
                                   choices=[("true", _("True")), ("false", _("False"))])
    answer = forms.CharField(label=_("Right answer (a number)"), required=False, max_length=40,
                             help_text=_("Use a point for decimals, for example 3.5."))
    tolerance = forms.CharField(label=_("Accept answers within"), required=False, max_length=40, initial="0",
                                help_text=_("Either side of the answer, for example 0.05. 0 for exactly the answer."))
    accepted = forms.CharField(label=_("Accepted answers"), required=False, max_length=LINES,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("One a line. Spaces at the ends and repeated spaces are ignored."))
    case_sensitive = forms.BooleanField(label=_("Capital letters matter"), required=False)
    pairs = forms.CharField(label=_("Pairs"), required=False, max_length=LINES, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("One pair a line: the item, an equals sign and its match, for example "
                                        "“France = Paris”. At least two pairs."))
    extra_right = forms.CharField(label=_("Extra wrong matches (optional)"), required=False, max_length=LINES,
                                  widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One a line."))
    items = forms.CharField(label=_("Items, in the right order"), required=False, max_length=LINES,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("One a line, first to last. Learners see them shuffled."))
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100, initial=1)
    skills = forms.CharField(label=_("Tags (skills)"), required=False, max_length=500,
                             help_text=_("Separated by commas, for example “fractions, ratio”."))
    feedback_correct = forms.CharField(label=_("Feedback when right"), required=False, max_length=services.MAX_TEXT,
                                       widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Why it is right."))
    feedback_incorrect = forms.CharField(label=_("Feedback when wrong"), required=False, max_length=services.MAX_TEXT,
                                         widget=forms.Textarea(attrs={"rows": 2}),
                                         help_text=_("Why it is wrong, or the method."))
    visibility = forms.ChoiceField(label=_("Who may use it"), choices=Visibility.choices, initial=Visibility.PRIVATE,
                                   widget=forms.RadioSelect,
                                   help_text=_("Others may put a shared question in their quizzes and copy it; "
                                               "only you can change it."))

    def __init__(self, *args: Any, kind: str, identifier: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.identifier = identifier
        keep = set(KIND_FIELDS[kind])
        for name in [n for fields in KIND_FIELDS.values() for n in fields]:
            if name not in keep and name in self.fields:
                del self.fields[name]
        self.spec: QuestionSpec | None = None

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in KIND_FIELDS[self.kind]]

    def common_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("points", "skills", "feedback_correct", "feedback_incorrect")]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        tags, bad = services.clean_tags((data.get("skills") or "").split(","))
        if bad:
            self.add_error("skills", _("A tag is letters, digits and hyphens: %(bad)s is not.") % {"bad": ", ".join(bad)})
            return data
        try:
            spec_data = getattr(self, f"_data_{self.kind}")(data)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
            return data
        spec = QuestionSpec(kind=self.kind, prompt=data["prompt"].strip(), data=spec_data,
                            feedback_correct=data.get("feedback_correct", "").strip(),
                            feedback_incorrect=data.get("feedback_incorrect", "").strip(), tags=tuple(tags),
                            points=data["points"], identifier=self.identifier)
        for field, messages in services.spec_errors(spec).items():
            target = SPEC_TO_FORM.get(field, field)
            if self.kind == "ordering" and field == "items":
                target = "items"
            self.add_error(target if target in self.fields else None, messages)
        self.spec = spec
        return data

    # One builder per kind: the form's text boxes -> the spec's data.

    def _choices(self, data: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
        choices: list[dict[str, str]] = []
        correct: list[str] = []
        for n, line in enumerate(_lines(data.get("choices", "")), start=1):
            right = line.startswith("*")
            text, _bar, why = line.lstrip("*").partition("|")
            if not text.strip():
                raise forms.ValidationError({"choices": [_("Line %(n)s: the choice has no text.") % {"n": n}]})
            cid = _letters(len(choices))
            choices.append({"id": cid, "text": text.strip(), "feedback": why.strip()})
            if right:
                correct.append(cid)
        if not correct and choices:
            raise forms.ValidationError({"choices": [_("Mark the right answer with * at the start of its line.")]})
        return choices, correct

    def _data_single(self, data: dict[str, Any]) -> dict[str, Any]:
        choices, correct = self._choices(data)
        if len(correct) > 1:
            raise forms.ValidationError({"choices": [_("A single-choice question has one right answer: %(n)s lines "
                                                       "start with *. Use multiple choice for more.") % {"n": len(correct)}]})
        return {"choices": choices, "correct": correct}

    def _data_multiple(self, data: dict[str, Any]) -> dict[str, Any]:
        choices, correct = self._choices(data)
        return {"choices": choices, "correct": correct}

    def _data_true_false(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("correct_tf") not in ("true", "false"):
            raise forms.ValidationError({"correct_tf": [_("Say whether the statement is true or false.")]})
        return {"correct": data["correct_tf"] == "true"}

    def _data_numeric(self, data: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        values: dict[str, float] = {}
        for name, label in (("answer", _("The answer")), ("tolerance", _("The margin"))):
            raw = (data.get(name) or "").strip() or ("0" if name == "tolerance" else "")
            try:
                if "," in raw:
                    raise InvalidOperation
                number = float(Decimal(raw))
                if not math.isfinite(number):
                    raise InvalidOperation
                values[name] = int(number) if number == int(number) and "." not in raw else number
            except (InvalidOperation, ValueError):
                errors[name] = [_("%(label)s must be a number, written with a point for decimals, for example 3.5.")
                                % {"label": label}]
        if errors:
            raise forms.ValidationError(errors)
        return values

    def _data_text(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"accepted": _lines(data.get("accepted", "")), "case_sensitive": bool(data.get("case_sensitive"))}

    def _data_matching(self, data: dict[str, Any]) -> dict[str, Any]:
        left: list[dict[str, str]] = []
        right: list[dict[str, str]] = []
        pairs: list[list[str]] = []
        for n, line in enumerate(_lines(data.get("pairs", "")), start=1):
            a, eq, b = line.partition("=")
            if not eq or not a.strip() or not b.strip():
                raise forms.ValidationError({"pairs": [_("Line %(n)s: write the item, = and its match, for example "
                                                         "“France = Paris”.") % {"n": n}]})
            lid, rid = f"L{len(left) + 1}", f"R{len(right) + 1}"
            left.append({"id": lid, "text": a.strip()})
            right.append({"id": rid, "text": b.strip()})
            pairs.append([lid, rid])
        for line in _lines(data.get("extra_right", "")):
            right.append({"id": f"R{len(right) + 1}", "text": line})
        return {"left": left, "right": right, "pairs": pairs}

    def _data_ordering(self, data: dict[str, Any]) -> dict[str, Any]:
        items = [{"id": f"I{n}", "text": line} for n, line in enumerate(_lines(data.get("items", "")), start=1)]
        return {"items": items, "order": [i["id"] for i in items]}

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        data = question.data
        initial: dict[str, Any] = {"prompt": question.prompt, "points": question.points,
                                   "skills": ", ".join(question.skills or []), "visibility": question.visibility,
                                   "feedback_correct": question.feedback_correct,
                                   "feedback_incorrect": question.feedback_incorrect}
        kind = question.kind
        if kind in ("single", "multiple"):
            marked = set(data.get("correct", []))
            initial["choices"] = "\n".join(
                ("* " if c["id"] in marked else "") + c["text"] + (f" | {c['feedback']}" if c.get("feedback") else "")
                for c in data.get("choices", []))
        elif kind == "true_false":
            initial["correct_tf"] = "true" if data.get("correct") else "false"
        elif kind == "numeric":
            initial["answer"], initial["tolerance"] = str(data.get("answer", "")), str(data.get("tolerance", 0))
        elif kind == "text":
            initial["accepted"] = "\n".join(data.get("accepted", []))
            initial["case_sensitive"] = bool(data.get("case_sensitive"))
        elif kind == "matching":
            left = {i["id"]: i["text"] for i in data.get("left", [])}
            right = {i["id"]: i["text"] for i in data.get("right", [])}
            paired = {b for _a, b in data.get("pairs", [])}
            initial["pairs"] = "\n".join(f"{left.get(a, a)} = {right.get(b, b)}" for a, b in data.get("pairs", []))
            initial["extra_right"] = "\n".join(t for i, t in right.items() if i not in paired)
        elif kind == "ordering":
            items = {i["id"]: i["text"] for i in data.get("items", [])}
            initial["items"] = "\n".join(items.get(i, i) for i in data.get("order", []))
        return initial


def kind_or_none(value: str | None) -> str | None:
    return value if value in KINDS else None


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=services.MAX_TEXT,
                                   widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Plain text."))
    mode = forms.ChoiceField(label=_("Mode"), choices=Quiz.Mode.choices, initial=Quiz.Mode.PRACTICE,
                             widget=forms.RadioSelect)
    opens_date = forms.DateField(label=_("Opens on (optional)"), required=False, widget=DATE)
    opens_time = forms.TimeField(label=_("at"), required=False, widget=TIME)
    closes_date = forms.DateField(label=_("Closes on"), required=False, widget=DATE,
                                  help_text=_("Needed for a test: results are shown after it closes."))
    closes_time = forms.TimeField(label=_("at"), required=False, widget=TIME, initial=datetime.time(17, 0))
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), required=False, min_value=1, max_value=100,
                                          help_text=_("Leave empty for no limit."))
    pool_tags = forms.CharField(label=_("Random questions: tags"), required=False, max_length=500,
                                help_text=_("Separated by commas. Questions with any of these tags form the pool."))
    pool_size = forms.IntegerField(label=_("Random questions: how many"), required=False, min_value=0, max_value=100,
                                   initial=0, help_text=_("Drawn anew for each attempt, besides the questions ticked below."))

    def __init__(self, *args: Any, bank: list[Question], chosen: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bank = bank
        self.chosen = chosen or []

    def question_ids(self) -> list[int]:
        """The ticked questions, in the order of their position boxes (then the bank's order)."""
        if not self.is_bound:
            return self.chosen
        ids = []
        for n, q in enumerate(self.bank):
            if str(q.pk) in self.data.getlist("questions"):  # type: ignore[attr-defined]
                raw = self.data.get(f"order_{q.pk}", "")
                ids.append((int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1000 + n, n, q.pk))
        return [pk for _p, _n, pk in sorted(ids)]

    def _at(self, date: datetime.date | None, time: datetime.time | None, field: str) -> datetime.datetime | None:
        if date is None:
            if time is not None and field == "opens":
                self.add_error("opens_date", _("Give the date as well as the time."))
            return None
        return timezone.make_aware(datetime.datetime.combine(date, time or datetime.time(0, 0)))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"title": data["title"], "instructions": data.get("instructions", ""), "mode": data["mode"],
                "opens_at": self._at(data.get("opens_date"), data.get("opens_time"), "opens"),
                "closes_at": self._at(data.get("closes_date"), data.get("closes_time"), "closes"),
                "attempts_allowed": data.get("attempts_allowed"),
                "pool_tags": (data.get("pool_tags") or "").split(","), "pool_size": data.get("pool_size") or 0,
                "question_ids": self.question_ids()}

    @staticmethod
    def initial_for(quiz: Quiz) -> dict[str, Any]:
        initial: dict[str, Any] = {"title": quiz.title, "instructions": quiz.instructions, "mode": quiz.mode,
                                   "attempts_allowed": quiz.attempts_allowed, "pool_tags": ", ".join(quiz.pool_tags),
                                   "pool_size": quiz.pool_size}
        for name, value in (("opens", quiz.opens_at), ("closes", quiz.closes_at)):
            if value is not None:
                local = timezone.localtime(value)
                initial[f"{name}_date"], initial[f"{name}_time"] = local.date(), local.time().replace(second=0, microsecond=0)
        return initial
