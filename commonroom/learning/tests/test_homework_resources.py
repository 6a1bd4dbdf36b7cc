"""Homework that carries shared resources: attaching them (only from the teacher's bank), who opens them
through the homework (the resources app's rule), withdrawing and copying, the pages and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.learning import selectors, services
from commonroom.learning.models import Assignment, AssignmentResource
from commonroom.resources import services as resource_services
from commonroom.resources.models import Resource
from commonroom.resources.testing_world import resource_named


def _set(world, *, by="a1.teacher", group="a1.maths", **extra) -> Assignment:
    return services.assignment_save(actor=world.actor(by), group=world.groups[group], title="Ratio practice",
                                    due_at=timezone.now() + datetime.timedelta(days=3), state="set", **extra)


def _ids(assignment: Assignment) -> list[int]:
    return list(assignment.resource_links.order_by("position").values_list("resource_id", flat=True))


def _private(world, owner="a1.teacher", title="Private plan") -> Resource:
    return Resource.objects.create(institution=world.institutions["a1"], owner=world.people[owner], title=title,
                                   kind="page", body="<p>Mine</p>", audience="private")


# Services -----------------------------------------------------------------------------------------


def test_a_teacher_attaches_resources_from_their_bank_in_order(world):
    pack, tables, video = (resource_named(world, k) for k in ("a1.pack", "a1.tables", "a1.worksheet"))
    assignment = _set(world, by="a1.teacher2", group="a1.art", resource_ids=[tables.pk, video.pk, pack.pk, tables.pk])
    assert _ids(assignment) == [tables.pk, video.pk, pack.pk]  # once each, in the order given
    assert set(AssignmentResource.objects.filter(assignment=assignment).values_list("institution_id", flat=True)) \
        == {world.institutions["a1"].pk}
    assignment = _set(world, resource_ids=[tables.pk, video.pk, pack.pk])

    services.assignment_save(actor=world.actor("a1.teacher"), group=assignment.group, assignment=assignment,
                             title="Ratio practice", due_at=assignment.due_at, state="set", resource_ids=[pack.pk, tables.pk])
    assert _ids(assignment) == [pack.pk, tables.pk]
    services.assignment_save(actor=world.actor("a1.teacher"), group=assignment.group, assignment=assignment,
                             title="Ratio practice (changed)", due_at=assignment.due_at, state="set")
    assert _ids(assignment) == [pack.pk, tables.pk]  # left out: kept as they are


def test_only_resources_in_the_teachers_bank_can_be_attached(world):
    someone_elses = _private(world, owner="a1.teacher2")
    another_schools = resource_named(world, "b1.video")  # shared with everyone, but b1's: copy it first
    for bad in ([someone_elses.pk], [2**31 - 1], [another_schools.pk]):
        with pytest.raises(ValidationError) as error:
            _set(world, resource_ids=bad)
        assert "resources" in error.value.message_dict
    assert not Assignment.objects.filter(title="Ratio practice").exists()  # nothing stored
    copy = resource_services.resource_copy(actor=world.actor("a1.teacher"), resource=another_schools)
    assert _ids(_set(world, resource_ids=[copy.pk])) == [copy.pk]
    with pytest.raises(ValidationError) as error:
        _set(world, resource_ids=list(range(1, services.MAX_RESOURCES + 2)))
    assert "resources" in error.value.message_dict


def test_a_colleague_keeps_a_resource_attached_that_is_not_in_their_bank(world):
    mine = _private(world, owner="a1.teacher")
    assignment = _set(world, resource_ids=[mine.pk])
    head = world.actor("a1.head")  # manages the group's homework; the private resource is not in their bank
    assert not can(head, "copy", mine) and can(head, "view", mine)
    services.assignment_save(actor=head, group=assignment.group, assignment=assignment, title="Checked",
                             due_at=assignment.due_at, state="set", resource_ids=[mine.pk])
    assert _ids(assignment) == [mine.pk]
    services.assignment_save(actor=head, group=assignment.group, assignment=assignment, title="Checked",
                             due_at=assignment.due_at, state="set", resource_ids=[])
    assert _ids(assignment) == []
    with pytest.raises(ValidationError):  # and once removed, they cannot put it back
        services.assignment_save(actor=head, group=assignment.group, assignment=assignment, title="Checked",
                                 due_at=assignment.due_at, state="set", resource_ids=[mine.pk])


# Who opens them -----------------------------------------------------------------------------------


def test_the_group_its_families_and_staff_open_a_private_resource_attached_to_set_homework(world):
    sheet = resource_named(world, "a1.sheet")  # private to a1.teacher, attached to Fractions (a1 maths)
    for who in ("a1.learnerA1", "a1.learnerB2", "parent.a1", "parent.two", "a1.head", "a1.leader", "a1.teacher"):
        assert get_for(world.actor(who), Resource, sheet.pk) == sheet, who
        assert visible(world.actor(who), Resource).filter(pk=sheet.pk).exists(), who
    for who in ("parent.barred", "a1.teacher2", "a1.tutor", "a1.office", "b1.learnerA1", "b1.teacher", "a1.leaver"):
        with pytest.raises(NotFound):
            get_for(world.actor(who), Resource, sheet.pk)
    learner = world.actor("a1.learnerA1")
    assert not can(learner, "copy", sheet) and not can(learner, "rate", sheet)


def test_a_drafts_resources_are_opened_only_by_those_who_manage_it(world):
    guide = resource_named(world, "a1.sketch")  # private to a1.teacher2, attached to the draft Portrait (a1 art)
    learner = world.actor("a1.learnerA1")
    with pytest.raises(NotFound):
        get_for(learner, Resource, guide.pk)
    assert can(world.actor("a1.head"), "view", guide)
    portrait = Assignment.objects.get(title="Portrait", group=world.groups["a1.art"])
    Assignment.objects.filter(pk=portrait.pk).update(state="set")
    assert get_for(world.actor("a1.learnerA1"), Resource, guide.pk) == guide


def test_a_learner_never_sees_a_private_resource_not_attached_to_their_homework(world):
    plan = _private(world)
    assignment = _set(world, group="a1.art", by="a1.teacher2", resource_ids=[resource_named(world, "a1.tables").pk])
    learner = world.actor("a1.learnerA2")
    assert _ids(assignment) and not visible(learner, Resource).filter(pk=plan.pk).exists()
    assert set(visible(learner, Resource).values_list("title", flat=True)) == {"My notes", "Homework sheet", "Times tables"}


def test_withdrawing_a_resource_takes_it_off_the_homework_and_a_copy_still_works(world):
    tables, pack = resource_named(world, "a1.tables"), resource_named(world, "a1.pack")
    assignment = _set(world, resource_ids=[tables.pk, pack.pk])
    copy = resource_services.resource_copy(actor=world.actor("a1.teacher2"), resource=tables)
    assert copy.source_id == tables.pk and not copy.assignment_links.exists()  # the copy is not attached
    resource_services.resource_withdraw(actor=world.actor("a1.teacher"), resource=tables)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert _ids(assignment) == [pack.pk]
    assert Resource.objects.filter(pk=copy.pk).exists()


def test_attached_resources_cost_one_query_whatever_their_number(world):
    resources = [resource_named(world, k) for k in ("a1.pack", "a1.tables", "a1.worksheet", "a1.notes")]
    one, many = _set(world, resource_ids=[resources[0].pk]), _set(world, resource_ids=[r.pk for r in resources])
    learner = world.actor("a1.learnerA1")
    selectors.attached_resources(learner, [one.pk])  # the actor's groups and schools, loaded once
    with CaptureQueriesContext(connection) as queries:
        found = selectors.attached_resources(learner, [one.pk, many.pk])
    assert len(queries) == 1
    assert [r.title for r in found[many.pk]] == ["Fractions pack", "Times tables", "Worksheet", "My notes"]


# Pages --------------------------------------------------------------------------------------------


def test_the_teacher_searches_and_ticks_resources_in_the_homework_form(world, client):
    client.force_login(world.users["a1.teacher"])
    space = world.groups["a1.maths"].course_space
    page = client.get(f"/courses/{space.pk}/homework/new/", {"q": "times"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Times tables (Link)" in body and "Fractions pack" not in body and "Forces video" not in body
    video = resource_named(world, "a1.tables")
    due = timezone.localtime() + datetime.timedelta(days=4)
    data = {"title": "Forces", "due_date": due.date().isoformat(), "due_time": "08:30", "expected_minutes": "20",
            "resources": [str(video.pk)], "set": "1"}
    saved = client.post(f"/courses/{space.pk}/homework/new/?q=times", data)
    assert saved.status_code == 302
    assignment = Assignment.objects.get(title="Forces")
    assert _ids(assignment) == [video.pk]

    edit = client.get(f"/homework/{assignment.pk}/edit/")
    assert edit.context["form"]["resources"].value() == [video.pk]
    assert "Times tables (Link)" in edit.content.decode()

    other = _private(world, owner="a1.teacher2", title="Not yours")
    refused = client.post(f"/homework/{assignment.pk}/edit/", data | {"resources": [str(other.pk)]})
    assert refused.status_code == 200
    assert refused.context["form"].errors["resources"]
    assert _ids(assignment) == [video.pk]


def test_the_learner_sees_and_opens_the_resources_on_the_homework_page(world, client):
    fractions = Assignment.objects.get(title="Fractions", group=world.groups["a1.maths"])
    sheet = resource_named(world, "a1.sheet")
    client.force_login(world.users["a1.learnerA1"])
    page = client.get(f"/homework/{fractions.pk}/").content.decode()
    assert "Homework sheet" in page and f"/resources/{sheet.pk}/file/" in page
    assert client.get(f"/resources/{sheet.pk}/").status_code == 200
    download = client.get(f"/resources/{sheet.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(world.users["b1.learnerA1"])
    assert client.get(f"/resources/{sheet.pk}/file/").status_code == 404


# API ----------------------------------------------------------------------------------------------


def test_the_api_takes_resource_ids_and_gives_the_resources(world, client):
    client.force_login(world.users["a1.teacher"])
    space = world.groups["a1.maths"].course_space
    pack, video = resource_named(world, "a1.pack"), resource_named(world, "a1.tables")
    due = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    made = client.post(f"/api/v1/courses/{space.pk}/assignments",
                       {"title": "Starters", "due_at": due, "state": "set", "resource_ids": [video.pk, pack.pk]},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["resources"] == [{"id": video.pk, "title": "Times tables", "kind": "link"},
                                        {"id": pack.pk, "title": "Fractions pack", "kind": "page"}]
    other = _private(world, owner="a1.teacher2")
    refused = client.put(f"/api/v1/assignments/{made.json()['id']}",
                         {"title": "Starters", "due_at": due, "state": "set", "resource_ids": [other.pk]},
                         content_type="application/json")
    assert refused.status_code == 422 and "resources" in refused.content.decode()
    client.force_login(world.users["a1.learnerA1"])
    seen = client.get(f"/api/v1/assignments/{made.json()['id']}").json()
    assert [r["id"] for r in seen["resources"]] == [video.pk, pack.pk]
    mine = {a["title"]: a for a in client.get("/api/v1/assignments").json()}
    assert [r["title"] for r in mine["Fractions"]["resources"]] == ["Homework sheet"]


# Files through the API (multipart) ---------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_a_teacher_uploads_a_file_resource_through_the_api_and_attaches_it(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["a1.teacher"])
    made = client.post("/api/v1/resources/files", {"title": "Ratio sheet", "audience": "institution",
                                                   "file": SimpleUploadedFile("ratio.pdf", PDF, "application/pdf")})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["file_name"], body["audience"]) == ("file", "ratio.pdf", "institution")
    assert client.get(body["file_url"]).status_code == 200
    space = world.groups["a1.maths"].course_space
    homework = client.post(f"/api/v1/courses/{space.pk}/assignments",
                           {"title": "Ratio", "due_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
                            "resource_ids": [body["id"]]}, content_type="application/json")
    assert homework.json()["resources"] == [{"id": body["id"], "title": "Ratio sheet", "kind": "file"}]

    before = Resource.objects.count()
    disguised = client.post("/api/v1/resources/files", {"title": "Not a PDF",
                                                        "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", "application/pdf")})
    assert disguised.status_code == 422 and disguised.json()["detail"][0]["loc"][-1] == "file"
    missing = client.post("/api/v1/resources/files", {"title": "No file"})
    assert missing.status_code == 422 and "file" in [d["loc"][-1] for d in missing.json()["detail"]]
    assert Resource.objects.count() == before
    client.force_login(world.users["a1.learnerA1"])
    assert client.post("/api/v1/resources/files", {"title": "x", "file": SimpleUploadedFile("r.pdf", PDF)}).status_code == 404


def test_the_teacher_attaches_a_feedback_file_through_the_api_keeping_the_mark(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonroom.learning.models import Submission

    fractions = Assignment.objects.get(title="Fractions", group=world.groups["a1.maths"])
    learner = world.learners["a1.learnerA1"]
    url = f"/api/v1/assignments/{fractions.pk}/feedback-files"
    client.force_login(world.users["a1.teacher"])
    saved = client.post(url, {"learner_id": learner.pk, "file": SimpleUploadedFile("marked.pdf", PDF, "application/pdf")})
    assert saved.status_code == 200, saved.content
    assert saved.json()["has_feedback_file"] is True and saved.json()["mark"] == "7"  # the mark stays
    submission = Submission.objects.get(assignment=fractions, learner=learner)
    assert submission.feedback_file_name == "marked.pdf" and submission.feedback == "Good work"
    assert client.get(f"/api/v1/submissions/{submission.pk}/feedback-file").status_code == 200

    refused = client.post(url, {"learner_id": learner.pk, "file": SimpleUploadedFile("notes.docx", PDF)})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "file" and "PDF or an image" in refused.json()["detail"][0]["msg"]
    assert client.post(url, {"learner_id": learner.pk}).status_code == 422
    outsider = world.learners["b1.learnerA1"].pk  # not in the group: 404, as missing
    assert client.post(url, {"learner_id": outsider, "file": SimpleUploadedFile("m.pdf", PDF)}).status_code == 404
    client.force_login(world.users["a1.teacher2"])  # does not mark maths
    assert client.post(url, {"learner_id": learner.pk, "file": SimpleUploadedFile("m.pdf", PDF)}).status_code == 404


def test_a_search_that_finds_nothing_says_so_and_keeps_what_is_attached(world, client):
    client.force_login(world.users["a1.teacher"])
    space = world.groups["a1.maths"].course_space
    page = client.get(f"/courses/{space.pk}/homework/new/", {"q": "zzzz"})
    assert "No resources in your bank match" in page.content.decode()
    assert "resources" not in page.context["form"].fields
    fractions = Assignment.objects.get(title="Fractions", group=world.groups["a1.maths"])
    edit = client.get(f"/homework/{fractions.pk}/edit/", {"q": "zzzz"})  # the attached sheet is still offered, ticked
    assert edit.context["form"]["resources"].value() == [resource_named(world, "a1.sheet").pk]


def test_a_feedback_file_needs_set_homework_and_a_learner_the_teacher_may_mark(world, client):
    """A draft is refused at the file, nothing stored; a leaver and a learner of another group are as missing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonroom.learning.models import Submission

    portrait = Assignment.objects.get(title="Portrait", group=world.groups["a1.art"])  # a draft
    client.force_login(world.users["a1.teacher2"])
    before = Submission.objects.count()
    draft = client.post(f"/api/v1/assignments/{portrait.pk}/feedback-files",
                        {"learner_id": world.learners["a1.learnerA2"].pk, "file": SimpleUploadedFile("m.pdf", PDF)})
    assert draft.status_code == 422 and draft.json()["detail"][0]["loc"][-1] == "file"
    assert "Set the homework" in draft.json()["detail"][0]["msg"]
    fractions = Assignment.objects.get(title="Fractions", group=world.groups["a1.maths"])
    client.force_login(world.users["a1.teacher"])
    for key in ("a1.leaver", "b1.learnerA1"):
        answer = client.post(f"/api/v1/assignments/{fractions.pk}/feedback-files",
                             {"learner_id": world.learners[key].pk, "file": SimpleUploadedFile("m.pdf", PDF)})
        assert answer.status_code == 404, key
    assert Submission.objects.count() == before
