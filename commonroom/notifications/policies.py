"""Who may do what with alerts, in the school's words.

- The head, senior leaders and the office (``OFFICE_ROLES``) set which alerts their school sends and
  see, and try again, the alerts that could not be delivered (``Institution.manage_alerts``).
- A delivery is read by the person it was sent to, while they are not barred from the child it is
  about, and by the office of the school that sent it (not about a child they are barred from).
  Only the office tries one again.
- A contact's own choices of channels are theirs alone: the services act on the actor's own person,
  so they need no rule here.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import OFFICE_ROLES
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.notifications.models import Delivery
from commonroom.organisations.models import Institution
from commonroom.people.policies import barred_learner_ids


def _office_at(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*OFFICE_ROLES)


manages_alerts = Predicate(
    "is the head, a senior leader or the office there",
    lambda actor, inst: inst.pk in _office_at(actor),
    lambda actor: Q(pk__in=sorted(_office_at(actor))) if _office_at(actor) else NOTHING,
)
register(Institution, manage_alerts=manages_alerts)


def _not_barred_q(actor: Actor) -> Q:
    barred = barred_learner_ids(actor)
    return ~Q(learner_id__in=sorted(barred)) if barred else EVERYTHING


def _office_check(actor: Actor, delivery: Delivery) -> bool:
    return delivery.institution_id in _office_at(actor) and delivery.learner_id not in barred_learner_ids(actor)


def _office_q(actor: Actor) -> Q:
    mine = _office_at(actor)
    return Q(institution_id__in=sorted(mine)) & _not_barred_q(actor) if mine else NOTHING


def _recipient_check(actor: Actor, delivery: Delivery) -> bool:
    return (actor.person_id is not None and delivery.recipient_id == actor.person_id
            and delivery.learner_id not in barred_learner_ids(actor))


def _recipient_q(actor: Actor) -> Q:
    return Q(recipient_id=actor.person_id) & _not_barred_q(actor) if actor.person_id is not None else NOTHING


office_of_delivery = Predicate("is the office of the school that sent it (not barred)", _office_check, _office_q)
register(
    Delivery,
    view=Predicate("was sent to them (not barred)", _recipient_check, _recipient_q) | office_of_delivery,
    retry=office_of_delivery,
)
