"""Reads about alerts: a contact's choices and recent alerts, a school's settings and undelivered alerts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require, visible
from commonroom.notifications.models import DEFAULT_CHANNELS, AlertSettings, Delivery
from commonroom.notifications.services import channels_of, contact_links, kinds_offered_to, settings_for, undelivered
from commonroom.organisations.models import Institution

RECENT = 20


@dataclass
class MyAlerts:
    kinds: list[str]
    channels: dict[str, tuple[bool, bool]]
    children: list[str]
    recent: list[Delivery] = field(default_factory=list)


def my_alerts(actor: Actor) -> MyAlerts:
    """The actor's own choices and recent alerts. Only contacts (not barred, link in force) have any."""
    links = contact_links(actor.person_id)
    if not links:
        raise NotFound()
    kinds = kinds_offered_to(actor.person_id)
    chosen = channels_of([actor.person_id]) if actor.person_id else {}
    channels = {kind: chosen.get((actor.person_id, kind), DEFAULT_CHANNELS[kind]) for kind in kinds}  # type: ignore[arg-type]
    recent = list(visible(actor, Delivery).filter(recipient_id=actor.person_id)
                  .select_related("learner__person", "institution").order_by("-created_at", "-id")[:RECENT])
    return MyAlerts(kinds, channels, sorted({link.learner.person.full_name for link in links}), recent)


@dataclass
class SchoolAlerts:
    institution: Institution
    settings: AlertSettings
    undelivered_count: int


def school_alerts(actor: Actor, institution: Institution) -> SchoolAlerts:
    require(actor, "manage_alerts", institution)
    return SchoolAlerts(institution, settings_for(institution.pk), undelivered_list(actor, institution).count())


def undelivered_list(actor: Actor, institution: Institution) -> QuerySet[Delivery]:
    require(actor, "manage_alerts", institution)
    return (undelivered(institution.pk) & visible(actor, Delivery, "retry")).select_related(
        "recipient", "learner__person").order_by("-updated_at", "-id")
