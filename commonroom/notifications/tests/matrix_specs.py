"""Authorisation specs for the alert pages and API (see commonroom/testing/matrix.py)."""

from __future__ import annotations

from commonroom.testing import oracle_notifications as oracle
from commonroom.testing.matrix import Spec
from commonroom.testing.world import World

INSTITUTIONS = ["a1", "a2", "b1", "solo"]
FAILED = ["a1", "b1"]  # the failed delivery at each (testing_world)


def _delivery(world: World, inst: str) -> int:
    from commonroom.notifications.models import Delivery

    return Delivery.objects.get(key=f"world:{inst}:failed").pk


def prepare(world: World) -> None:
    """Absence alerts on at a1 and b1 (parent.two has a mobile in the world, so their failed text may be tried again)."""
    from commonroom.notifications.models import AlertSettings

    for inst in ("a1", "b1"):
        AlertSettings.objects.create(institution=world.institutions[inst], offered=["absence"])


def _inst_url(suffix: str):  # type: ignore[no-untyped-def]
    return lambda w, t: f"/institutions/{w.institutions[t].pk}/alerts/{suffix}"


PAGE_SPECS = {
    "notifications:my_alerts": Spec(lambda w, t: "/account/alerts/", oracle.is_contact),
    "notifications:school_settings": Spec(_inst_url(""), oracle.may_manage_alerts, INSTITUTIONS),
    "notifications:undelivered": Spec(_inst_url("undelivered/"), oracle.may_manage_alerts, INSTITUTIONS),
    "notifications:retry": Spec(
        lambda w, t: f"/institutions/{w.institutions[t].pk}/alerts/undelivered/{_delivery(w, t)}/retry/",
        oracle.may_manage_alerts, FAILED, method="post", ok=(302,)),
}

SETTINGS_BODY = {"offered": ["absence"], "absence_recipients": "priority_one", "min_incident_severity": 3, "retry_limit": 5}

API_SPECS = {
    ("get", "/api/v1/alerts/preferences"): Spec(lambda w, t: "", oracle.is_contact),
    ("put", "/api/v1/alerts/preferences"): Spec(
        lambda w, t: "", oracle.is_contact, body=lambda w, t: {"preferences": [{"kind": "absence", "email": True, "sms": False}]}),
    ("get", "/api/v1/institutions/{institution_id}/alerts"): Spec(lambda w, t: "", oracle.may_manage_alerts, INSTITUTIONS),
    ("put", "/api/v1/institutions/{institution_id}/alerts"): Spec(
        lambda w, t: "", oracle.may_manage_alerts, INSTITUTIONS, body=lambda w, t: SETTINGS_BODY),
    ("get", "/api/v1/institutions/{institution_id}/alerts/undelivered"): Spec(
        lambda w, t: "", oracle.may_manage_alerts, INSTITUTIONS),
    ("post", "/api/v1/alerts/deliveries/{delivery_id}/retry"): Spec(lambda w, t: "", oracle.may_manage_alerts, FAILED),
}

PLACEHOLDERS = {"{delivery_id}": _delivery}
