"""Platform evidence on an aspect: the figures offered, and attaching one as a frozen snapshot.

An aspect names its measures in the framework file. On the aspect page (and the API) the platform offers
each figure, computed for the review's institution today. Whoever may change the answer may attach it:
the snapshot (figure, numerator and denominator, period, sentence, the date and who attached it) goes
into the answer's evidence and never changes afterwards. Attaching does not bump the answer's version
(it changes no one's level or notes) and a save of the form keeps the snapshots already attached
(``services.answer_save`` reads them under a row lock), so attaching and answering never clash.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import require
from commonroom.common.dates import today
from commonroom.selfreview.measures import MEASURES, Figure, compute
from commonroom.selfreview.models import AspectAnswer

MAX_SNAPSHOTS = 10


@dataclass
class Offer:
    figure: Figure
    attached: dict[str, Any] | None  # the latest snapshot of this measure already attached, if any


def snapshots(answer: AspectAnswer) -> list[dict[str, Any]]:
    return [item for item in answer.evidence or [] if isinstance(item, dict) and item.get("kind") == "measure"]


def offered(actor: Actor, answer: AspectAnswer, on: datetime.date | None = None) -> list[Offer]:
    """The figures the aspect names, for the answer's institution, computed today. The caller has
    checked the actor may read the review."""
    names = list(answer.aspect.measures or [])
    if not names:
        return []
    attached: dict[str, dict[str, Any]] = {}
    for item in snapshots(answer):
        attached[str(item.get("measure"))] = item
    figures = compute(actor, answer.review.institution, names, on or today())
    return [Offer(figure=figure, attached=attached.get(figure.measure)) for figure in figures]


def evidence_attach(*, actor: Actor, answer: AspectAnswer, measure: str, on: datetime.date | None = None) -> dict[str, Any]:
    """Compute ``measure`` now and add its snapshot to the answer's evidence. Only measures the aspect
    names; only figures the actor may see. Returns the snapshot."""
    require(actor, "change", answer)
    if measure not in (answer.aspect.measures or []) or measure not in MEASURES:
        raise ValidationError({"measure": _("This aspect does not offer that evidence.")})
    day = on or today()
    figure = MEASURES[measure](actor, answer.review.institution, day)
    if not figure.available:
        raise ValidationError({"measure": figure.sentence if figure.denominator is None
                               else _("There is nothing to count yet, so there is no figure to attach.")})
    snap = figure.snapshot(computed_on=day, attached_by=(actor.label or "")[:200])
    with transaction.atomic():
        row = AspectAnswer.objects.select_for_update().get(pk=answer.pk)
        if row.review.status != row.review.Status.IN_PROGRESS:
            raise ValidationError(_("This review is completed: its evidence no longer changes."))
        items = list(row.evidence or [])
        if len([i for i in items if isinstance(i, dict) and i.get("kind") == "measure"]) >= MAX_SNAPSHOTS:
            raise ValidationError({"measure": _("Up to %(n)s figures per aspect: remove one first.") % {"n": MAX_SNAPSHOTS}})
        items.append(snap)
        AspectAnswer.objects.filter(pk=row.pk).update(evidence=items)
        audit.record(actor, "selfreview.evidence.attach", row, institution_id=row.institution_id,
                     detail={"review": row.review_id, "measure": measure, "figure": snap["figure"]})
    answer.evidence = items
    return snap


def evidence_remove(*, actor: Actor, answer: AspectAnswer, index: int) -> None:
    """Remove the ``index``-th snapshot (0-based among the snapshots). A snapshot is never edited."""
    require(actor, "change", answer)
    with transaction.atomic():
        row = AspectAnswer.objects.select_for_update().get(pk=answer.pk)
        if row.review.status != row.review.Status.IN_PROGRESS:
            raise ValidationError(_("This review is completed: its evidence no longer changes."))
        items = list(row.evidence or [])
        positions = [i for i, item in enumerate(items) if isinstance(item, dict) and item.get("kind") == "measure"]
        if not 0 <= index < len(positions):
            raise ValidationError({"index": _("There is no such figure on this aspect.")})
        removed = items.pop(positions[index])
        AspectAnswer.objects.filter(pk=row.pk).update(evidence=items)
        audit.record(actor, "selfreview.evidence.remove", row, institution_id=row.institution_id,
                     detail={"review": row.review_id, "measure": removed.get("measure")})
    answer.evidence = items
