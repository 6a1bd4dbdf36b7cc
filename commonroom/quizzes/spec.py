"""The shared question format: what a question is, whether it is well formed, and how a response scores.

Pure Python, no Django: the question bank (``quizzes.Question``), QTI import/export and adaptive practice
all speak ``QuestionSpec``. See docs/quizzes.md for the ``data`` and ``response`` shapes of each kind.

``score`` never raises on a malformed response: a response of the wrong shape, an unknown id or an
unparseable number is simply wrong (score 0) with a feedback line that says why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("single", "multiple", "true_false", "numeric", "text", "matching", "ordering")

KIND_LABELS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "true_false": "True or false",
    "numeric": "Number",
    "text": "Short text",
    "matching": "Matching",
    "ordering": "Ordering",
}

_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    prompt: str
    data: dict
    feedback_correct: str = ""
    feedback_incorrect: str = ""
    tags: tuple[str, ...] = ()
    points: int = 1
    identifier: str = ""


@dataclass(frozen=True)
class Result:
    correct: bool
    score: float
    feedback: str
    choice_feedback: dict[str, str] = field(default_factory=dict)


# --- validation --------------------------------------------------------------------------------------


def _is_id(value: str) -> bool:
    return bool(value.strip()) and len(value) <= 64


def _items(data: dict, key: str, label: str, errors: list[str], *, minimum: int) -> list[str]:
    """Check a list of {"id", "text"} and return its ids (errors appended, naming the item at fault)."""
    raw = data.get(key)
    if not isinstance(raw, list):
        errors.append(f"{label}: a list is needed.")
        return []
    ids: list[str] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(f"{label} {n}: must have an id and a text.")
            continue
        item_id = str(item.get("id") or "")
        text = item.get("text")
        if not _is_id(item_id):
            errors.append(f"{label} {n}: the id is missing.")
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{label} {n} ({item_id}): the text is empty.")
        if "feedback" in item and not isinstance(item["feedback"], str):
            errors.append(f"{label} {n} ({item_id}): the feedback must be text.")
        if item_id in ids:
            errors.append(f"{label} {n}: the id {item_id} is used twice.")
        ids.append(item_id)
    if len(raw) < minimum:
        errors.append(f"{label}: at least {minimum} are needed.")
    return ids


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return None
    return float(value)


def validate_spec(spec: QuestionSpec) -> list[str]:
    """Human-readable errors, each naming the part at fault; [] when the question is well formed."""
    errors: list[str] = []
    if spec.kind not in KINDS:
        return [f"Unknown kind {spec.kind!r}: use one of {', '.join(KINDS)}."]
    if not isinstance(spec.prompt, str) or not spec.prompt.strip():
        errors.append("Prompt: enter the question.")
    if isinstance(spec.points, bool) or not isinstance(spec.points, int) or spec.points < 1:
        errors.append("Points: a whole number of 1 or more.")
    tags = spec.tags if isinstance(spec.tags, (tuple, list)) else [spec.tags]
    for tag in tags:
        if not isinstance(tag, str) or not _TAG.match(tag):
            errors.append(f"Tags: {tag!r} is not a lower-case slug (letters, digits and hyphens).")
    for name in ("feedback_correct", "feedback_incorrect", "identifier"):
        if not isinstance(getattr(spec, name), str):
            errors.append(f"{name}: must be text.")
    data = spec.data
    if not isinstance(data, dict):
        errors.append("Data: must be a mapping.")
        return errors
    kind = spec.kind
    if kind in ("single", "multiple"):
        ids = _items(data, "choices", "Choice", errors, minimum=2)
        correct = data.get("correct")
        if not isinstance(correct, list) or not all(isinstance(c, str) for c in correct):
            errors.append("Correct: a list of choice ids is needed.")
        else:
            for c in correct:
                if c not in ids:
                    errors.append(f"Correct: {c!r} is not one of the choices.")
            if len(set(correct)) != len(correct):
                errors.append("Correct: a choice is listed twice.")
            if kind == "single" and len(correct) != 1:
                errors.append("Correct: a single-choice question has exactly one right answer.")
            if kind == "multiple" and not correct:
                errors.append("Correct: mark at least one right answer.")
    elif kind == "true_false":
        if not isinstance(data.get("correct"), bool):
            errors.append("Correct: must be true or false.")
    elif kind == "numeric":
        if _number(data.get("answer")) is None:
            errors.append("Answer: a number is needed.")
        tolerance = _number(data.get("tolerance", 0))
        if tolerance is None or tolerance < 0:
            errors.append("Tolerance: a number of 0 or more.")
    elif kind == "text":
        accepted = data.get("accepted")
        if not isinstance(accepted, list) or not accepted:
            errors.append("Accepted answers: at least one is needed.")
        else:
            for n, answer in enumerate(accepted, start=1):
                if not isinstance(answer, str) or not answer.strip():
                    errors.append(f"Accepted answer {n}: is empty.")
        if not isinstance(data.get("case_sensitive", False), bool):
            errors.append("Case sensitive: must be true or false.")
    elif kind == "matching":
        left = _items(data, "left", "Left item", errors, minimum=2)
        right = _items(data, "right", "Right item", errors, minimum=2)
        pairs = data.get("pairs")
        if not isinstance(pairs, list) or not pairs:
            errors.append("Pairs: at least one pair is needed.")
        else:
            seen: set[str] = set()
            for n, pair in enumerate(pairs, start=1):
                if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                    errors.append(f"Pair {n}: must be [left id, right id].")
                    continue
                a, b = pair
                if not isinstance(a, str) or not isinstance(b, str):
                    errors.append(f"Pair {n}: must be [left id, right id].")
                    continue
                if a not in left:
                    errors.append(f"Pair {n}: {a!r} is not a left item.")
                if b not in right:
                    errors.append(f"Pair {n}: {b!r} is not a right item.")
                if a in seen:
                    errors.append(f"Pair {n}: {a!r} is paired twice.")
                seen.add(a)
    elif kind == "ordering":
        ids = _items(data, "items", "Item", errors, minimum=2)
        order = data.get("order")
        if not isinstance(order, list):
            errors.append("Order: a list of item ids is needed.")
        elif sorted(map(str, order)) != sorted(ids) or len(order) != len(ids):
            errors.append("Order: must list every item exactly once.")
    return errors


# --- scoring -----------------------------------------------------------------------------------------


def normalise_text(value: str, *, case_sensitive: bool = False) -> str:
    """Trimmed, inner whitespace collapsed to one space, and folded unless case matters."""
    text = _WS.sub(" ", value.strip())
    return text if case_sensitive else text.casefold()


def parse_number(value: object) -> tuple[Decimal | None, str]:
    """A response to a numeric question as a Decimal, or None and why it could not be read."""
    if isinstance(value, bool):
        return None, "Enter a number."
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "Enter a number."
        return Decimal(str(value)), ""
    if not isinstance(value, str) or not value.strip():
        return None, "Enter a number."
    text = value.strip().replace(" ", "")
    if "," in text:
        return None, "Write the number without commas; use a point for decimals, for example 3.5."
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"{value.strip()[:40]!r} is not a number."
    if not number.is_finite():
        return None, "Enter a number."
    return number, ""


def _choice_feedback(data: dict, chosen: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for choice in data.get("choices", []):
        if isinstance(choice, dict) and isinstance(choice.get("id"), str) and choice["id"] in chosen \
                and choice.get("feedback"):
            out[str(choice["id"])] = str(choice["feedback"])
    return out


def _result(spec: QuestionSpec, correct: bool, fraction: float = -1.0, note: str = "",
            choice_feedback: dict[str, str] | None = None) -> Result:
    if fraction < 0:
        fraction = 1.0 if correct else 0.0
    base = spec.feedback_correct if correct else spec.feedback_incorrect
    feedback = " ".join(part for part in (note, base) if part)
    return Result(correct=correct, score=round(spec.points * fraction, 4), feedback=feedback,
                  choice_feedback=choice_feedback or {})


def score(spec: QuestionSpec, response: object) -> Result:
    """Score one response; malformed responses are wrong, never an exception."""
    try:
        return _score(spec, response)
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError, RecursionError):
        return _result(spec, False, note="This answer could not be read.")


def _score(spec: QuestionSpec, response: object) -> Result:
    data = spec.data if isinstance(spec.data, dict) else {}
    kind = spec.kind
    if response is None or response == "" or response == [] or response == {}:
        return _result(spec, False, note="No answer given.")
    if kind == "single":
        if not isinstance(response, str):
            return _result(spec, False, note="Choose one answer.")
        correct = response in data.get("correct", [])
        return _result(spec, correct, choice_feedback=_choice_feedback(data, {response}))
    if kind == "multiple":
        if isinstance(response, str):
            response = [response]
        if not isinstance(response, (list, tuple, set)) or not all(isinstance(r, str) for r in response):
            return _result(spec, False, note="Choose one or more answers.")
        chosen = set(response)
        correct = chosen == set(data.get("correct", []))
        return _result(spec, correct, choice_feedback=_choice_feedback(data, chosen))
    if kind == "true_false":
        if isinstance(response, str) and response.strip().lower() in ("true", "false"):
            response = response.strip().lower() == "true"
        if not isinstance(response, bool):
            return _result(spec, False, note="Answer true or false.")
        return _result(spec, response is data.get("correct"))
    if kind == "numeric":
        number, why = parse_number(response)
        if number is None:
            return _result(spec, False, note=why)
        try:
            answer = Decimal(str(data["answer"]))
            tolerance = Decimal(str(data.get("tolerance", 0)))
        except (KeyError, InvalidOperation, TypeError):
            return _result(spec, False)
        return _result(spec, abs(number - answer) <= tolerance)
    if kind == "text":
        if not isinstance(response, str):
            return _result(spec, False, note="Type an answer.")
        case_sensitive = bool(data.get("case_sensitive", False))
        given = normalise_text(response, case_sensitive=case_sensitive)
        accepted = {normalise_text(a, case_sensitive=case_sensitive) for a in data.get("accepted", [])
                    if isinstance(a, str)}
        return _result(spec, given in accepted)
    if kind == "matching":
        pairs = [p for p in data.get("pairs", []) if isinstance(p, (list, tuple)) and len(p) == 2]
        if not isinstance(response, dict) or not pairs:
            return _result(spec, False, note="Match each item.")
        right = sum(1 for a, b in pairs if response.get(a) == b)
        return _result(spec, right == len(pairs), fraction=right / len(pairs))
    if kind == "ordering":
        if not isinstance(response, (list, tuple)):
            return _result(spec, False, note="Put the items in order.")
        return _result(spec, list(response) == list(data.get("order", [])))
    return _result(spec, False, note="This question cannot be scored.")


def correct_response(spec: QuestionSpec) -> Any:
    """The right answer, in the response shape of the kind (for feedback and tests)."""
    data = spec.data
    if spec.kind == "single":
        return data["correct"][0]
    if spec.kind == "multiple":
        return list(data["correct"])
    if spec.kind == "true_false":
        return data["correct"]
    if spec.kind == "numeric":
        return data["answer"]
    if spec.kind == "text":
        return data["accepted"][0]
    if spec.kind == "matching":
        return {a: b for a, b in data["pairs"]}
    if spec.kind == "ordering":
        return list(data["order"])
    raise ValueError(spec.kind)


def describe_answer(spec: QuestionSpec) -> str:
    """The right answer in words, for a learner reading feedback."""
    data = spec.data
    kind = spec.kind
    if kind in ("single", "multiple"):
        texts = {c["id"]: c["text"] for c in data.get("choices", [])}
        return "; ".join(texts.get(c, c) for c in data.get("correct", []))
    if kind == "true_false":
        return "True" if data.get("correct") else "False"
    if kind == "numeric":
        answer = data.get("answer")
        tolerance = data.get("tolerance", 0) or 0
        return f"{answer} (give or take {tolerance})" if tolerance else f"{answer}"
    if kind == "text":
        return " or ".join(str(a) for a in data.get("accepted", []))
    if kind == "matching":
        left = {c["id"]: c["text"] for c in data.get("left", [])}
        right = {c["id"]: c["text"] for c in data.get("right", [])}
        return "; ".join(f"{left.get(a, a)} → {right.get(b, b)}" for a, b in data.get("pairs", []))
    if kind == "ordering":
        items = {c["id"]: c["text"] for c in data.get("items", [])}
        return ", ".join(items.get(i, i) for i in data.get("order", []))
    return ""
