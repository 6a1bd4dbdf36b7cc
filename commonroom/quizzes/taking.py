"""How a drawn question is shown in the one-page form and how the form's answers are read back.

Choices are shown in the order the teacher wrote them; the items of an ordering question and the right
column of a matching question are shuffled (otherwise the answer is on the page), by a shuffle seeded by
the attempt's token, so a reload shows the same order. Field names: ``q<position>`` for one answer,
``q<position>-<n>`` for the n-th item of a matching or ordering question.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from commonroom.quizzes.spec import QuestionSpec


@dataclass
class Shown:
    position: int
    spec: QuestionSpec
    name: str
    choices: list[dict[str, str]] = field(default_factory=list)  # single, multiple
    rows: list[dict[str, str]] = field(default_factory=list)  # matching (left) and ordering (items), with a field name
    options: list[dict[str, str]] = field(default_factory=list)  # matching (right), ordering (1..n)
    response: Any = None
    value: str = ""  # numeric and text: what to put back in the box
    selected: list[str] = field(default_factory=list)  # single and multiple
    chosen: dict[str, str] = field(default_factory=dict)  # matching and ordering: row field -> option value


def _shuffled(items: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


def shown(position: int, spec: QuestionSpec, *, seed: str, response: Any = None) -> Shown:
    data = spec.data
    item = Shown(position=position, spec=spec, name=f"q{position}", response=response)
    if spec.kind in ("single", "multiple"):
        item.choices = [{"id": c["id"], "text": c["text"]} for c in data.get("choices", [])]
        if isinstance(response, str):
            item.selected = [response]
        elif isinstance(response, list):
            item.selected = [str(r) for r in response]
    elif spec.kind == "true_false":
        item.selected = [] if response is None else ["true" if response is True else "false" if response is False else ""]
    elif spec.kind in ("numeric", "text"):
        item.value = "" if response is None else str(response)
    elif spec.kind == "matching":
        item.rows = [{"id": left["id"], "text": left["text"], "field": f"q{position}-{n}"}
                     for n, left in enumerate(data.get("left", []), start=1)]
        item.options = [{"id": r["id"], "text": r["text"]} for r in _shuffled(data.get("right", []), f"{seed}-{position}")]
        if isinstance(response, dict):
            item.chosen = {row["field"]: str(response.get(row["id"], "")) for row in item.rows}
    elif spec.kind == "ordering":
        items = _shuffled(data.get("items", []), f"{seed}-{position}")
        item.rows = [{"id": it["id"], "text": it["text"], "field": f"q{position}-{n}"} for n, it in enumerate(items, start=1)]
        item.options = [{"id": str(n), "text": str(n)} for n in range(1, len(items) + 1)]
        if isinstance(response, list):
            place = {str(i): str(n) for n, i in enumerate(response, start=1)}
            item.chosen = {row["field"]: place.get(row["id"], "") for row in item.rows}
    return item


def read_response(item: Shown, post: QueryDict) -> Any:
    """The learner's response to one shown question, in the spec's response shape (None when blank)."""
    kind, name = item.spec.kind, item.name
    if kind == "single":
        return post.get(name) or None
    if kind == "multiple":
        return [v for v in post.getlist(name) if v] or None
    if kind == "true_false":
        value = post.get(name, "")
        return True if value == "true" else False if value == "false" else None
    if kind in ("numeric", "text"):
        value = post.get(name, "")[:500]
        return value if value.strip() else None
    if kind == "matching":
        pairs = {row["id"]: post.get(row["field"], "") for row in item.rows}
        pairs = {k: v for k, v in pairs.items() if v}
        return pairs or None
    if kind == "ordering":
        raw = [post.get(row["field"], "") for row in item.rows]
        if not any(raw):
            return None
        # A blank or repeated place is kept as given: the order is then simply wrong, never an error.
        places = [(int(v) if v.isascii() and v.isdigit() and len(v) <= 4 else 999, n, row["id"]) for n, (v, row) in enumerate(zip(raw, item.rows, strict=True))]
        return [i for _p, _n, i in sorted(places)]
    return None
