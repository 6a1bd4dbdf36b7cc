"""A light contract check of the API against its own OpenAPI schema.

For every operation the schema lists, call it as each kind of persona (and anonymously) and check
that the status is one the operation declares and that the body has the declared shape. A new
operation is covered without touching this file; one that answers with an undeclared status, or
a body that does not match its schema, fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonroom.config.api import api
from commonroom.identity.services import token_create
from commonroom.testing.matrix import app_spec_modules

PERSONAS = [
    "a1.head",
    "a1.senco",
    "a1.office",
    "a1.teacher",
    "a1.tutor",
    "a1.learnerA1",
    "a1.leaver",
    "parent.a1",
    "parent.two",
    "parent.barred",
    "la1.officer",
    "b1.head",
    "platform.admin",
    "nobody",
    "anonymous",
]
MISSING_ID = 987654321
TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def conforms(value: Any, schema: dict[str, Any], components: dict[str, Any], where: str = "$") -> list[str]:
    """The ways ``value`` breaks ``schema`` (a small subset of JSON Schema: enough for our responses)."""
    if "$ref" in schema:
        return conforms(value, components[schema["$ref"].rsplit("/", 1)[-1]], components, where)
    if "anyOf" in schema:
        options = [conforms(value, option, components, where) for option in schema["anyOf"]]
        return [] if any(not problems for problems in options) else [f"{where}: matches no anyOf option"]
    if "allOf" in schema:
        return [problem for part in schema["allOf"] for problem in conforms(value, part, components, where)]
    expected = schema.get("type")
    if expected is None:
        return []
    if not isinstance(value, TYPES[expected]) or (expected in {"integer", "number"} and isinstance(value, bool)):
        return [f"{where}: expected {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    problems: list[str] = []
    if expected == "object":
        properties = schema.get("properties", {})
        problems += [f"{where}.{key}: missing" for key in schema.get("required", []) if key not in value]
        problems += [f"{where}.{key}: not in the schema" for key in value if properties and key not in properties]
        for key, sub in properties.items():
            if key in value:
                problems += conforms(value[key], sub, components, f"{where}.{key}")
    if expected == "array":
        for index, item in enumerate(value):
            problems += conforms(item, schema.get("items", {}), components, f"{where}[{index}]")
    return problems


@pytest.fixture
def path_values(world) -> dict[str, list[int]]:
    """For each path parameter: a real record someone may see, and one that does not exist."""
    from commonroom.common.dates import today
    from commonroom.records.models import AttendanceMark

    token, _secret = token_create(actor=world.actor("a1.head"), user=world.users["a1.head"], name="contract")
    learner = world.learners["a1.learnerA1"]
    mark = AttendanceMark.objects.create(institution=world.institutions["a1"], learner=learner,
                                         enrolment=learner.enrolments.get(), date=today(), session="AM", code="N")
    from django.utils import timezone

    from commonroom.records.models import BehaviourCategory, Incident, IncidentLearner

    category = BehaviourCategory.objects.create(institution=world.institutions["a1"], kind="incident", name="X", points=1)
    incident = Incident.objects.create(institution=world.institutions["a1"], category=category, severity=1,
                                       occurred_at=timezone.now(), description="x", recorded_by=world.people["a1.teacher"])
    IncidentLearner.objects.create(institution=world.institutions["a1"], incident=incident, learner=learner, role="witness")
    from commonroom.records.models import TimetableSlot

    slot = TimetableSlot.objects.get(group=world.groups["a1.maths"])
    from commonroom.learning.models import Assignment, CourseSpace
    from commonroom.notifications.models import Delivery
    from commonroom.records.models import AssessmentPoint, PublishedReport, ReportCycle

    values = {
        "delivery_id": [Delivery.objects.get(key="world:a1:failed").pk, MISSING_ID],
        "slot_id": [slot.pk, MISSING_ID],
        "incident_id": [incident.pk, MISSING_ID],
        "mark_id": [mark.pk, MISSING_ID],
        "institution_id": [world.institutions["a1"].pk, MISSING_ID],
        "group_id": [world.groups["a1.maths"].pk, world.groups["a1.formA"].pk, MISSING_ID],
        "learner_id": [world.learners["a1.learnerA1"].pk, MISSING_ID],
        "token_id": [token.pk, MISSING_ID],
        "point_id": [AssessmentPoint.objects.get(institution=world.institutions["a1"], name="Autumn").pk, MISSING_ID],
        "cycle_id": [ReportCycle.objects.get(institution=world.institutions["a1"], name="Year 10 spring").pk, MISSING_ID],
        "report_id": [PublishedReport.objects.get(learner=learner).pk, MISSING_ID],
        **_selfreview_values(world),
        "event_id": [_family_event_id(), MISSING_ID],
        **_messaging_values(),
        "space_id": [CourseSpace.objects.get(group=world.groups["a1.maths"]).pk, MISSING_ID],
        "assignment_id": [Assignment.objects.get(group=world.groups["a1.maths"], title="Fractions").pk, MISSING_ID],
    }
    # Later apps add their own path parameters (``contract_path_values(world)`` in their matrix_specs).
    for module in app_spec_modules():
        if hasattr(module, "contract_path_values"):
            values.update(module.contract_path_values(world))
    return values


def _selfreview_values(world) -> dict[str, list[int]]:
    from commonroom.selfreview.models import Aspect, Framework
    from commonroom.selfreview.testing_world import review_named

    schools = Framework.objects.get(slug="schools", version=1)
    return {"framework_version_id": [schools.pk, MISSING_ID],
            "self_review_id": [review_named(world, "a1.current").pk, MISSING_ID],
            "framework_aspect_id": [Aspect.objects.get(element__framework=schools, code="2a-1").pk, MISSING_ID]}


def _family_event_id() -> int:
    from commonroom.family.models import Event

    return Event.objects.get(title="Form A trip").pk


def _messaging_values() -> dict[str, list[int]]:
    from commonroom.messaging.models import Broadcast, Conversation

    return {"conversation_id": [Conversation.objects.get(subject="World: tutor").pk, MISSING_ID],
            "broadcast_id": [Broadcast.objects.get(subject="World: form A trip").pk, MISSING_ID]}


def client_for(world, persona: str, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def urls_for(path: str, op: dict[str, Any], path_values: dict[str, list[int]]) -> list[str]:
    urls = [path]
    for parameter in op.get("parameters", []):
        if parameter["in"] != "path":
            continue
        name = parameter["name"]
        assert name in path_values, f"add a value for the path parameter {name!r} to path_values"
        urls = [url.replace("{" + name + "}", str(value)) for url in urls for value in path_values[name]]
    return urls


BODIES = {
    ("post", "/api/v1/tokens"): {"name": "contract check"},
    ("put", "/api/v1/groups/{group_id}/register"): {"date": "2000-01-03", "session": "AM", "marks": []},
    ("post", "/api/v1/attendance/marks/{mark_id}/amend"): {"code": "I", "reason": "Parent phoned", "seen_version": 1},
    ("post", "/api/v1/incidents"): {"institution_id": 1, "category_id": 1, "severity": 1,
                                    "occurred_at": "2026-01-01T10:00:00Z", "description": "x", "learners": []},
    ("post", "/api/v1/rewards"): {"institution_id": 1, "category_id": 1, "learner_ids": []},
    ("put", "/api/v1/lessons/{slot_id}/register"): {"date": "2000-01-03", "marks": []},
    ("post", "/api/v1/institutions/{institution_id}/import"): {"groups": "code,name,kind\nZZ9,Contract,teaching\n"},
    ("put", "/api/v1/groups/{group_id}/marksheets/{point_id}"): {"grades": []},
    ("put", "/api/v1/report-cycles/{cycle_id}/groups/{group_id}/comments"): {"comments": []},
    # OneRoster exchange (JSON carries no file: the operation answers its declared 422)
    ("post", "/api/v1/institutions/{institution_id}/oneroster"): {"dry_run": True},
    # CTF exchange (JSON carries no file: the import answers 422 to those who may import)
    ("post", "/api/v1/institutions/{institution_id}/ctf/import"): {"dry_run": True},
    ("post", "/api/v1/institutions/{institution_id}/ctf/export"): {"learner_ids": [1], "qualifier": "full"},
    # Alerts
    ("put", "/api/v1/alerts/preferences"): {"preferences": [{"kind": "absence", "email": True, "sms": False}]},
    ("put", "/api/v1/institutions/{institution_id}/alerts"): {"offered": ["absence"], "absence_recipients": "priority_one",
                                                           "min_incident_severity": 3, "retry_limit": 5},
    ("post", "/api/v1/alerts/deliveries/{delivery_id}/retry"): {},
    # Self-review: a save from version 0 of an answer already saved answers the declared 409
    ("post", "/api/v1/self-review/reviews"): {"institution_id": 1, "framework_id": 1},
    ("put", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}"): {"level": 3, "version": 0},
    # The parent portal
    ("post", "/api/v1/institutions/{institution_id}/events"): {"title": "Contract", "start_date": "2030-01-03"},
    ("put", "/api/v1/events/{event_id}"): {"title": "Contract", "start_date": "2030-01-03"},
    ("post", "/api/v1/calendar-feed"): {},
    # Messaging
    ("post", "/api/v1/conversations"): {"learner_id": 1, "institution_id": 1, "addressed_to": "office",
                                        "subject": "Contract", "body": "x"},
    ("post", "/api/v1/conversations/{conversation_id}/messages"): {"body": "Contract reply"},
    ("put", "/api/v1/conversations/{conversation_id}/handling"): {"status": "open", "assignee_id": None},
    ("post", "/api/v1/broadcasts"): {"institution_id": 1, "group_id": 1, "subject": "Contract", "body": "x"},
    # Course spaces and homework
    ("post", "/api/v1/courses/{space_id}/assignments"): {"title": "Contract", "due_at": "2099-01-01T10:00:00Z"},
    ("put", "/api/v1/assignments/{assignment_id}"): {"title": "Contract", "due_at": "2099-01-01T10:00:00Z", "state": "set"},
    ("post", "/api/v1/assignments/{assignment_id}/submissions"): {"text": "Contract"},
    ("put", "/api/v1/assignments/{assignment_id}/marks"): {"marks": []},
    ("post", "/api/v1/assignments/{assignment_id}/return"): {},
    # JSON carries no file: those who mark the homework get the declared 422
    ("post", "/api/v1/assignments/{assignment_id}/feedback-files"): {},
}
# Later apps add bodies for their own writes (``CONTRACT_BODIES`` in their matrix_specs).
for _module in app_spec_modules():
    BODIES.update(getattr(_module, "CONTRACT_BODIES", {}))


def test_the_schema_has_operations():
    assert len(operations()) >= 10


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_as_declared(world, path_values, persona):
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    failures: list[str] = []
    for method, path, op in operations():
        body = BODIES.get((method, path))
        if method in {"post", "put", "patch"}:
            assert body is not None, f"add a request body for {method.upper()} {path} to BODIES"
        variants = [False, True] if method not in {"get", "head", "options"} else [False]
        for url in urls_for(path, op, path_values):
            for enforce_csrf in variants:
                client = client_for(world, persona, enforce_csrf=enforce_csrf)
                kwargs: dict[str, Any] = {}
                if body is not None:
                    kwargs = {"data": body, "content_type": "application/json"}
                response = getattr(client, method)(url, **kwargs)
                label = f"{persona} {method.upper()} {url}{' (CSRF enforced)' if enforce_csrf else ''}"
                responses = {str(status): spec for status, spec in op["responses"].items()}
                declared = responses.get(str(response.status_code))
                if declared is None:
                    failures.append(f"{label}: {response.status_code} is not declared ({sorted(responses)})")
                    continue
                content = declared.get("content", {}).get("application/json")
                if content is None:
                    continue
                assert response["Content-Type"].startswith("application/json"), label
                problems = conforms(response.json(), content["schema"], components)
                failures += [f"{label}: {problem}" for problem in problems]
                if persona == "anonymous":
                    assert response.status_code == 401, label
    assert not failures, "\n".join(failures)


def test_schema_names_are_unique_across_apps() -> None:
    """Two ninja schemas with one class name share one entry in the OpenAPI components, so one app's
    operation would be documented with another's shape. Every schema used by an operation has its own name."""
    from ninja import Schema

    seen: dict[str, set[str]] = {}

    def walk(annotation: Any) -> None:
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, Schema):
                where = f"{candidate.__module__}.{candidate.__qualname__}"
                if where in seen.setdefault(candidate.__name__, set()):
                    continue
                seen[candidate.__name__].add(where)
                for field in candidate.model_fields.values():
                    walk(field.annotation)
            elif candidate is not annotation:
                walk(candidate)

    for _prefix, router in api._routers:  # ninja keeps its routers here
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    if model is None:
                        continue
                    for field in model.model_fields.values():
                        walk(field.annotation)
    clashes = {name: sorted(where) for name, where in seen.items() if len(where) > 1}
    assert not clashes, f"rename one of each: {clashes}"
