"""Writes for action plans and authority targets. Every refusal is a ValidationError keyed by the field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import require
from commonroom.common.dates import today
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.selfreview.models import LEVELS, AspectAnswer, Framework, Review
from commonroom.selfreview.models_plans import Action, AuthorityTarget
from commonroom.selfreview.services import colleagues_of

ACTION_FIELDS = ("title", "target_level", "owner_id", "due_on", "cost", "status", "notes")


def _check_action(values: dict[str, Any], institution_id: int, level: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Say what will be done.")]
    target = values.get("target_level")
    if target not in LEVELS:
        errors["target_level"] = [_("Choose a target level from 1 to 5.")]
    elif level is not None and target >= level:
        errors["target_level"] = [_("The target must be better than the level now (%(level)s): choose a lower number.")
                                  % {"level": level}]
    if values.get("owner_id") not in {p.pk for p in colleagues_of(institution_id)}:
        errors["owner"] = [_("Choose a member of staff of this institution as the owner.")]
    if not isinstance(values.get("due_on"), datetime.date):
        errors["due_on"] = [_("Give the date the action is due.")]
    cost = values.get("cost")
    if cost is not None and (not isinstance(cost, Decimal) or cost < 0 or cost >= Decimal("100000000")):
        errors["cost"] = [_("Give the cost in pounds, for example 1250 or 99.50 (or leave it empty).")]
    if values.get("status", Action.Status.PLANNED) not in Action.Status.values:
        errors["status"] = [_("Choose a status.")]
    return errors


def action_add(*, actor: Actor, review: Review, answer: AspectAnswer, values: dict[str, Any]) -> Action:
    """A leader adds an action from an aspect of one of their institution's reviews. The target must be better
    than the aspect's level in that review (when it has one)."""
    require(actor, "plan_actions", review.institution)
    assert actor.person_id is not None  # leaders are people
    errors = _check_action(values, review.institution_id, answer.level)
    if answer.level == 1:
        errors["target_level"] = [_("This aspect is already at level 1, the highest: there is no better level to aim for.")]
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        institution_id=review.institution_id, review=review, aspect_id=answer.aspect_id, title=values["title"].strip()[:200],
        level_when_added=answer.level, target_level=values["target_level"], owner_id=values["owner_id"],
        due_on=values["due_on"], cost=values.get("cost"), status=values.get("status") or Action.Status.PLANNED,
        notes=(values.get("notes") or "").strip(), added_on=today(), added_by_id=actor.person_id)
    audit.record(actor, "selfreview.action.add", action, institution_id=review.institution_id,
                 detail={"aspect": answer.aspect.code})
    return action


def action_update(*, actor: Actor, action: Action, values: dict[str, Any]) -> Action:
    require(actor, "change", action)
    errors = _check_action(values, action.institution_id, action.level_when_added)
    if errors:
        raise ValidationError(errors)
    action.title = values["title"].strip()[:200]
    action.target_level = values["target_level"]
    action.owner_id = values["owner_id"]
    action.due_on = values["due_on"]
    action.cost = values.get("cost")
    action.status = values.get("status") or action.status
    action.notes = (values.get("notes") or "").strip()
    action.save()
    audit.record(actor, "selfreview.action.change", action, institution_id=action.institution_id,
                 detail={"status": action.status})
    return action


def _check_target(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Name the target, for example \"80% at the threshold in assessment\".")]
    slug = values.get("framework_slug")
    numbers = set()
    if not Framework.objects.filter(slug=slug).exists():
        errors["framework_slug"] = [_("Choose a framework.")]
    else:
        numbers = set(Framework.objects.filter(slug=slug).values_list("elements__number", flat=True))
    element = values.get("element_number")
    if element is not None and slug and numbers and element not in numbers:
        errors["element_number"] = [_("That framework has no element %(number)s (it has %(numbers)s).") % {
            "number": element, "numbers": ", ".join(str(n) for n in sorted(numbers))}]
    if (values.get("phase") or "") not in ("", *Institution.Phase.values):
        errors["phase"] = [_("Choose a phase, or every phase.")]
    share = values.get("share")
    if not isinstance(share, int) or not 1 <= share <= 100:
        errors["share"] = [_("Give a share from 1 to 100 per cent.")]
    if not isinstance(values.get("due_on"), datetime.date):
        errors["due_on"] = [_("Give the date the target is due.")]
    return errors


def target_add(*, actor: Actor, authority: LocalAuthority, values: dict[str, Any]) -> AuthorityTarget:
    require(actor, "set_self_review_targets", authority)
    assert actor.person_id is not None
    errors = _check_target(values)
    if errors:
        raise ValidationError(errors)
    target = AuthorityTarget.objects.create(
        local_authority=authority, title=values["title"].strip()[:200], framework_slug=values["framework_slug"],
        element_number=values.get("element_number"), phase=values.get("phase") or "", share=values["share"],
        due_on=values["due_on"], created_by_id=actor.person_id)
    audit.record(actor, "selfreview.target.add", target, detail={"authority": authority.pk})
    return target


def target_update(*, actor: Actor, target: AuthorityTarget, values: dict[str, Any]) -> AuthorityTarget:
    require(actor, "change", target)
    errors = _check_target(values)
    if errors:
        raise ValidationError(errors)
    target.title = values["title"].strip()[:200]
    target.framework_slug = values["framework_slug"]
    target.element_number = values.get("element_number")
    target.phase = values.get("phase") or ""
    target.share = values["share"]
    target.due_on = values["due_on"]
    target.save()
    audit.record(actor, "selfreview.target.change", target, detail={"authority": target.local_authority_id})
    return target


def target_delete(*, actor: Actor, target: AuthorityTarget) -> None:
    require(actor, "change", target)
    audit.record(actor, "selfreview.target.delete", target, detail={"authority": target.local_authority_id})
    target.delete()
