"""Marking one by one with an annotated feedback file: checked like hand-ins, seen by the learner and family only
once returned, all or nothing with the mark; the API's hand-in, file and feedback-file operations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commonroom.authz.api import NotFound
from commonroom.learning import selectors, services
from commonroom.learning.models import Assignment, Submission

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
DOCX_LIKE = b"PK\x03\x04" + b"\x00" * 64


def _fractions(world) -> Assignment:  # type: ignore[no-untyped-def]
    return Assignment.objects.get(group=world.groups["a1.maths"], title="Fractions")


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_a_feedback_file_is_checked_and_kept_from_the_learner_until_returned(world, client, settings):
    work, teacher = _fractions(world), world.actor("a1.teacher")
    a1 = world.learners["a1.learnerA1"]
    for name, content, message in (("marked.pdf", PNG, "content is PNG"), ("marked.docx", DOCX_LIKE, "PDF or an image"),
                                   ("marked.exe", b"MZ", "PDF or an image")):
        with pytest.raises(ValidationError, match=message) as error:
            services.mark_one(actor=teacher, assignment=work, learner_id=a1.pk, mark="9",
                              feedback_file=SimpleUploadedFile(name, content))
        assert "feedback_file" in error.value.message_dict
    settings.LEARNING_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="too big"):
        services.mark_one(actor=teacher, assignment=work, learner_id=a1.pk, mark="9",
                          feedback_file=SimpleUploadedFile("marked.pdf", PDF + b" " * 200))
    sub = Submission.objects.get(assignment=work, learner=a1)
    assert sub.mark == "7" and not sub.feedback_file  # all or nothing: the mark 9 was not kept
    settings.LEARNING_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(ValidationError) as error:  # a bad mark keeps the file out too, and is named at "mark"
        services.mark_one(actor=teacher, assignment=work, learner_id=a1.pk, mark="11",
                          feedback_file=SimpleUploadedFile("marked.pdf", PDF))
    assert "mark" in error.value.message_dict and not Submission.objects.get(pk=sub.pk).feedback_file
    sub = services.mark_one(actor=teacher, assignment=work, learner_id=a1.pk, mark="9", feedback="See the notes",
                            feedback_file=SimpleUploadedFile("../Marked work.pdf", PDF))
    assert sub is not None and sub.mark == "9" and sub.feedback_file_name == "Marked work.pdf"
    assert "Marked" not in sub.feedback_file.name
    url = f"/homework/hand-ins/{sub.pk}/feedback-file/"
    client.force_login(world.users["a1.teacher"])
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    for persona in ("a1.learnerA1", "parent.a1", "a1.learnerA2", "a1.teacher2", "parent.barred"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 404, persona
    services.assignment_return(actor=teacher, assignment=work)
    for persona, status in (("a1.learnerA1", 200), ("parent.a1", 200), ("a1.head", 200), ("a1.learnerA2", 404),
                            ("parent.barred", 404), ("b1.teacher", 404)):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == status, persona
    client.force_login(world.users["a1.learnerA1"])
    page = client.get(f"/homework/{work.pk}/").content.decode()
    assert "Download your teacher&#x27;s feedback file (Marked work.pdf)" in page or "feedback file (Marked work.pdf)" in page
    item = next(i for i in selectors.homework_for_learner(world.actor("parent.a1"), a1.pk) if i.assignment.pk == work.pk)
    assert item.has_feedback_file and item.mark == "9"
    with pytest.raises(ValidationError):  # returned: nothing more changes
        services.mark_one(actor=teacher, assignment=work, learner_id=a1.pk, remove_feedback_file=True)


def test_mark_one_by_one_through_the_page(world, client):
    work = _fractions(world)
    a1, a2 = world.learners["a1.learnerA1"], world.learners["a1.learnerA2"]
    client.force_login(world.users["a1.teacher"])
    page = client.get(f"/homework/{work.pk}/marks/").content.decode()
    assert f"/homework/{work.pk}/marks/{a1.pk}/" in page
    page = client.get(f"/homework/{work.pk}/marks/{a1.pk}/").content.decode()
    assert "My answer" in page and 'name="feedback_file"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(f"/homework/{work.pk}/marks/{a1.pk}/", {"mark": "x", "feedback": "",
                                                                   "feedback_file": SimpleUploadedFile("m.pdf", PNG)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "content is PNG" in page and "is not a whole number" in page
    data = selectors.mark_one(world.actor("a1.teacher"), work.pk, a1.pk)
    response = client.post(f"/homework/{work.pk}/marks/{a1.pk}/", {"mark": "6", "feedback": "Better",
                                                                   "feedback_file": SimpleUploadedFile("m.png", PNG),
                                                                   "next": "1"})
    assert response.status_code == 302 and data.next is not None
    assert response["Location"] == f"/homework/{work.pk}/marks/{data.next[0]}/"
    sub = Submission.objects.get(assignment=work, learner=a1)
    assert (sub.mark, sub.feedback, sub.feedback_file_type) == ("6", "Better", "image/png")
    old_name = sub.feedback_file.name
    client.post(f"/homework/{work.pk}/marks/{a1.pk}/", {"mark": "6", "feedback": "Better", "remove_feedback_file": "on"})
    sub.refresh_from_db()
    assert not sub.feedback_file and old_name  # the old file is deleted once the change commits
    # a learner who has not handed in can still get a mark and a file (the work was seen in class)
    client.post(f"/homework/{work.pk}/marks/{a2.pk}/", {"mark": "", "feedback": "",
                                                        "feedback_file": SimpleUploadedFile("m.pdf", PDF)})
    assert Submission.objects.get(assignment=work, learner=a2).feedback_file_name == "m.pdf"
    with pytest.raises(NotFound):
        selectors.mark_one(world.actor("a1.teacher"), work.pk, world.learners["b1.learnerA1"].pk)


def test_mark_one_has_a_constant_query_count(world, client, django_assert_max_num_queries):
    from commonroom.learning.tests.test_homework import _more_learners

    work = _fractions(world)
    client.force_login(world.users["a1.teacher"])
    learner = world.learners["a1.learnerA1"].pk
    for extra in (0, 20):
        _more_learners(world, extra)
        with django_assert_max_num_queries(15):
            assert client.get(f"/homework/{work.pk}/marks/{learner}/").status_code == 200


def test_the_api_lists_my_homework_and_serves_hand_ins_and_files(world, client):
    work = _fractions(world)
    a1 = world.learners["a1.learnerA1"]
    sub = Submission.objects.get(assignment=work, learner=a1)
    services.mark_one(actor=world.actor("a1.teacher"), assignment=work, learner_id=a1.pk, mark="8",
                      feedback_file=SimpleUploadedFile("m.pdf", PDF))
    client.force_login(world.users["a1.learnerA1"])
    titles = [row["title"] for row in client.get("/api/v1/assignments").json()]
    assert set(titles) == {"Fractions", "Algebra", "Sketchbook"}  # not the draft Portrait
    row = client.get(f"/api/v1/submissions/{sub.pk}").json()
    assert row["mark"] is None and row["has_feedback_file"] is None  # not returned yet
    assert client.get(f"/api/v1/submissions/{sub.pk}/feedback-file").status_code == 404
    client.force_login(world.users["a1.teacher"])
    assert "Portrait" not in [r["title"] for r in client.get("/api/v1/assignments").json()]  # art is teacher2's
    row = client.get(f"/api/v1/submissions/{sub.pk}").json()
    assert row["mark"] == "8" and row["has_feedback_file"] is True
    assert _body(client.get(f"/api/v1/submissions/{sub.pk}/feedback-file")) == PDF
    assert client.get(f"/api/v1/submissions/{sub.pk}/file").status_code == 404  # a text hand-in: no file
    services.assignment_return(actor=world.actor("a1.teacher"), assignment=work)
    client.force_login(world.users["parent.a1"])
    homework = client.get(f"/api/v1/learners/{a1.pk}/homework").json()
    fractions = next(h for h in homework if h["title"] == "Fractions")
    assert fractions["has_feedback_file"] and fractions["submission_id"] == sub.pk and fractions["mark"] == "8"
    assert client.get(f"/api/v1/submissions/{sub.pk}/feedback-file").status_code == 200
    Assignment.objects.filter(pk=work.pk).update(due_at=timezone.now() - datetime.timedelta(days=1))
