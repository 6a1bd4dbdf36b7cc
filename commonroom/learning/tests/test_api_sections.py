"""A course space's sections over the API: add, change, remove; errors at the field; nothing for others."""

from __future__ import annotations

from django.test import Client

from commonroom.authz.models import AuditEvent
from commonroom.learning import services
from commonroom.learning.models import CourseSpace, Section


def _signed_in(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _space(world, group: str = "a1.maths") -> CourseSpace:
    return services.space_for_group(actor=world.actor("a1.teacher"), group=world.groups[group])


def test_a_teacher_adds_changes_and_removes_a_section(world):
    space = _space(world)
    client = _signed_in(world, "a1.teacher")
    made = client.post(f"/api/v1/courses/{space.pk}/sections", {
        "title": "Week 3: ratio", "body": "Read chapter 4.",
        "links": [{"title": "Ratio videos", "url": "https://www.bbc.co.uk/bitesize"}, {"url": "https://example.org/x"}]},
        content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["title"] == "Week 3: ratio"
    assert body["links"] == [{"title": "Ratio videos", "url": "https://www.bbc.co.uk/bitesize"},
                             {"title": "example.org", "url": "https://example.org/x"}]
    section = Section.objects.get(pk=body["id"])
    assert section.space_id == space.pk and section.institution_id == space.institution_id
    assert AuditEvent.objects.filter(action="learning.section_saved", object_id=str(section.pk)).exists()
    assert body["title"] in [s["title"] for s in client.get(f"/api/v1/courses/{space.pk}").json()["sections"]]

    changed = client.put(f"/api/v1/course-sections/{section.pk}", {"title": "Week 3: ratio and proportion"},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["links"] == []
    section.refresh_from_db()
    assert section.title == "Week 3: ratio and proportion"

    assert client.delete(f"/api/v1/course-sections/{section.pk}").status_code == 204
    assert not Section.objects.filter(pk=section.pk).exists()


def test_bad_input_is_refused_at_its_field_and_nothing_is_stored(world):
    space = _space(world)
    client = _signed_in(world, "a1.teacher")
    before = Section.objects.count()
    for payload, field in (
        ({"title": "  "}, "title"),
        ({"title": "Links", "links": [{"title": "ok", "url": "https://example.org/"}, {"url": "javascript:alert(1)"}]},
         "links"),
        ({"title": "x" * 201}, "title"),
    ):
        answer = client.post(f"/api/v1/courses/{space.pk}/sections", payload, content_type="application/json")
        assert answer.status_code == 422, (payload, answer.content)
        assert field in answer.content.decode(), answer.content
    refused = client.post(f"/api/v1/courses/{space.pk}/sections", {"title": "L", "links": [{"url": "ftp://x"}]},
                          content_type="application/json").json()
    assert "Line 1" in str(refused)
    assert Section.objects.count() == before


def test_a_learner_or_another_schools_teacher_cannot_touch_a_space(world):
    space = _space(world)
    section = Section.objects.create(institution_id=space.institution_id, space=space, position=9, title="Mine")
    for persona in ("a1.learnerA1", "b1.teacher", "parent.a1"):
        client = _signed_in(world, persona)
        assert client.post(f"/api/v1/courses/{space.pk}/sections", {"title": "No"},
                           content_type="application/json").status_code == 404
        assert client.put(f"/api/v1/course-sections/{section.pk}", {"title": "No"},
                          content_type="application/json").status_code == 404
        assert client.delete(f"/api/v1/course-sections/{section.pk}").status_code == 404
    section.refresh_from_db()
    assert section.title == "Mine"
