"""Alerts over the API: your own choices, a school's settings, undelivered alerts and trying one again."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from commonroom.authz import audit
from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import CSRF_FAILED, DETAIL_ERRORS, id_in_path
from commonroom.notifications import selectors, services
from commonroom.notifications.models import AlertSettings, Delivery
from commonroom.organisations.models import Institution

router = Router(tags=["notifications"])
WRITE = {**DETAIL_ERRORS, **CSRF_FAILED}
UNDELIVERED_LIMIT = 200


class PreferenceIn(Schema):
    kind: str = Field(description="absence, report, incident or message")
    email: bool
    sms: bool = Field(description="text message")


class PreferencesIn(Schema):
    preferences: list[PreferenceIn]


class PreferencesOut(Schema):
    offered: list[str] = Field(description="alert kinds your children's schools send")
    preferences: list[PreferenceIn]


def _my_preferences(request: HttpRequest) -> dict[str, Any]:
    data = selectors.my_alerts(actor_for(request))
    return {"offered": data.kinds, "preferences": [{"kind": kind, "email": email, "sms": sms}
                                                   for kind, (email, sms) in data.channels.items()]}


@router.get("/alerts/preferences", response={200: PreferencesOut, **DETAIL_ERRORS}, summary="Get your alert choices")
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    """For a parent or carer: the channels chosen for each alert kind their children's schools send."""
    return _my_preferences(request)


@router.put("/alerts/preferences", response={200: PreferencesOut, **WRITE}, summary="Choose your alert channels")
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    services.preferences_save(actor=actor_for(request),
                              choices={p.kind: (p.email, p.sms) for p in payload.preferences})
    return _my_preferences(request)


class SettingsIO(Schema):
    offered: list[str] = Field(description="absence, report, incident, message")
    absence_recipients: str = Field(description="priority_one or parental_responsibility")
    min_incident_severity: int = Field(ge=1, le=4)
    retry_limit: int = Field(ge=1, le=10)


class SettingsOut(SettingsIO):
    undelivered: int


def _settings_out(settings: AlertSettings, undelivered: int) -> dict[str, Any]:
    return {"offered": settings.offered, "absence_recipients": settings.absence_recipients,
            "min_incident_severity": settings.min_incident_severity, "retry_limit": settings.retry_limit,
            "undelivered": undelivered}


@router.get("/institutions/{institution_id}/alerts", response={200: SettingsOut, **DETAIL_ERRORS},
            summary="Get the school's alert settings")
def get_settings(request: HttpRequest, institution_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    data = selectors.school_alerts(actor, get_for(actor, Institution, institution_id, "manage_alerts"))
    return _settings_out(data.settings, data.undelivered_count)


@router.put("/institutions/{institution_id}/alerts", response={200: SettingsOut, **WRITE},
            summary="Change the school's alert settings")
def put_settings(request: HttpRequest, payload: SettingsIO, institution_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, "manage_alerts")
    services.settings_save(actor=actor, institution=institution, **payload.dict())
    data = selectors.school_alerts(actor, institution)
    return _settings_out(data.settings, data.undelivered_count)


class DeliveryOut(Schema):
    id: int
    recipient_id: int
    recipient_name: str
    learner_id: int
    learner_name: str
    kind: str
    channel: str
    address: str
    subject: str
    status: str = Field(description="failed, skipped (no usable address) or sending (outcome unknown)")
    attempts: int
    last_error: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


def _delivery_out(row: Delivery) -> dict[str, Any]:
    return {"id": row.pk, "recipient_id": row.recipient_id, "recipient_name": row.recipient.full_name,
            "learner_id": row.learner_id, "learner_name": row.learner.person.full_name, "kind": row.kind,
            "channel": row.channel, "address": row.address, "subject": row.subject, "status": row.status,
            "attempts": row.attempts, "last_error": row.last_error, "created_at": row.created_at,
            "updated_at": row.updated_at}


@router.get("/institutions/{institution_id}/alerts/undelivered", response={200: list[DeliveryOut], **DETAIL_ERRORS},
            summary="List alerts that could not be delivered")
def get_undelivered(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """The newest 200 failed, skipped or stuck alerts at the school (head, senior leaders, office). Audited."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, "manage_alerts")
    rows = list(selectors.undelivered_list(actor, institution)[:UNDELIVERED_LIMIT])
    audit.record_learner_list_read(actor, sorted({row.learner_id for row in rows}), what="alerts_undelivered")
    return [_delivery_out(row) for row in rows]


@router.post("/alerts/deliveries/{delivery_id}/retry", response={200: DeliveryOut, **WRITE},
             summary="Try an undelivered alert again")
def post_retry(request: HttpRequest, delivery_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    delivery = get_for(actor, Delivery, delivery_id, "retry",
                       queryset=Delivery.objects.select_related("recipient", "learner__person"))
    row = services.delivery_retry(actor=actor, delivery=delivery)
    row.learner = delivery.learner
    return _delivery_out(row)
