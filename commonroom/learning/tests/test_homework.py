"""Course spaces and homework: the rules, handing in, files, marking, returning, the flow into the
assessment record, and pinned query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from commonroom.authz.api import NotFound, can, visible
from commonroom.learning import selectors, services
from commonroom.learning.models import Assignment, CourseSpace, Section, Submission
from commonroom.people.models import Group, GroupMembership, Learner, Person
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, GradeSet

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _set(world, group="a1.maths", *, by="a1.teacher", due=datetime.timedelta(days=2), **extra) -> Assignment:
    return services.assignment_save(actor=world.actor(by), group=world.groups[group], title="Homework", due_at=timezone.now() + due,
                                    state="set", **extra)


def _past(assignment: Assignment, hours: int = 1) -> Assignment:
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - datetime.timedelta(hours=hours))
    assignment.refresh_from_db()
    return assignment


# Rules --------------------------------------------------------------------------------------------


def test_learners_see_only_their_groups_spaces_and_homework(world):
    art = world.groups["a1.art"]
    assert can(world.actor("a1.learnerA1"), "view_course", art)
    assert not can(world.actor("a1.learnerB1"), "view_course", art)  # a learner of another group
    titles = {a.title for a in visible(world.actor("a1.learnerB1"), Assignment)}
    assert "Sketchbook" not in titles and "Fractions" in titles
    assert "Portrait" not in {a.title for a in visible(world.actor("a1.learnerA1"), Assignment)}  # a draft
    assert "Portrait" in {a.title for a in visible(world.actor("a1.teacher2"), Assignment)}
    assert not visible(world.actor("b1.learnerA1"), Assignment).filter(institution=world.institutions["a1"]).exists()


def test_parents_see_their_own_childs_homework_only(world):
    a1 = world.learners["a1.learnerA1"].pk
    titles = [item.assignment.title for item in selectors.homework_for_learner(world.actor("parent.a1"), a1)]
    assert set(titles) == {"Fractions", "Algebra", "Sketchbook"}
    with pytest.raises(NotFound):
        selectors.homework_for_learner(world.actor("parent.two"), a1)
    with pytest.raises(NotFound):
        selectors.homework_for_learner(world.actor("parent.barred"), a1)
    assert not visible(world.actor("parent.barred"), Assignment).exists()
    assert not visible(world.actor("parent.barred"), Submission).exists()
    two = selectors.homework_for_learner(world.actor("parent.two"), world.learners["a1.learnerA2"].pk)
    algebra = next(item for item in two if item.assignment.title == "Algebra")
    assert algebra.overdue and not algebra.handed_in and algebra.status == "Overdue: not handed in"


def test_a_barred_teacher_neither_sees_nor_marks_the_learner(world):
    actor = world.actor("a1.teacher2")
    sketch = Assignment.objects.get(group=world.groups["a1.art"], title="Sketchbook")
    grid = selectors.marks_grid(actor, sketch.pk)
    names = {row.learner_id for row in grid.rows}
    assert world.learners["a1.learnerA1"].pk not in names and world.learners["a1.learnerA2"].pk in names
    theirs = Submission.objects.get(assignment=sketch, learner=world.learners["a1.learnerA1"])
    assert not can(actor, "view", theirs) and not can(actor, "mark", theirs)
    with pytest.raises(ValidationError):
        services.marks_save(actor=actor, assignment=sketch, rows=[services.MarkRow(world.learners["a1.learnerA1"].pk, "", "x")])
    with pytest.raises(NotFound):
        selectors.homework_for_learner(actor, world.learners["a1.learnerA1"].pk)


def test_only_those_who_manage_the_group_set_homework(world):
    for persona in ("a1.learnerA1", "a1.teacher2", "a1.senco", "b1.head", "parent.a1"):
        with pytest.raises(NotFound):
            _set(world, by=persona)
    assert _set(world, by="a1.head").state == "set"
    assert _set(world, "a1.formA", by="a1.tutor").group.kind == Group.Kind.REGISTRATION


# Course spaces ------------------------------------------------------------------------------------


def test_a_space_is_made_on_first_sight_and_follows_the_group(world, client):
    form_b = world.groups["a1.formB"]
    assert not CourseSpace.objects.filter(group=form_b).exists()
    client.force_login(world.users["a1.learnerB1"])
    response = client.get(f"/groups/{form_b.pk}/course/")
    space = CourseSpace.objects.get(group=form_b)
    assert response.status_code == 302 and response["Location"] == f"/courses/{space.pk}/"
    # Membership is not copied: a learner who joins the group sees the space at once, one who leaves no longer does.
    newcomer = world.learners["a1.learnerA1"]
    assert not can(world.actor("a1.learnerA1"), "view", space)
    GroupMembership.objects.create(institution=form_b.institution, group=form_b, learner=newcomer,
                                   start_date=timezone.localdate())
    assert can(world.actor("a1.learnerA1"), "view", space)
    GroupMembership.objects.filter(group=form_b, learner=world.learners["a1.learnerB1"]).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert not can(world.actor("a1.learnerB1"), "view", space)


def test_sync_course_spaces_creates_each_teaching_groups_space_once(world):
    out = io.StringIO()
    CourseSpace.objects.filter(group=world.groups["a2.maths"]).delete()
    call_command("sync_course_spaces", "--institution", world.institutions["a2"].urn, stdout=out)
    assert CourseSpace.objects.filter(group=world.groups["a2.maths"]).exists()
    assert CourseSpace.objects.filter(group=world.groups["a2.art"]).exists()
    assert not CourseSpace.objects.filter(group=world.groups["a2.formB"]).exists()  # registration groups: on demand
    call_command("sync_course_spaces", "--institution", world.institutions["a2"].urn, stdout=out)
    assert out.getvalue().splitlines()[-1].endswith(": 0 course spaces created.")


def test_sections_keep_text_plain_and_links_to_the_web(world, client):
    space = CourseSpace.objects.get(group=world.groups["a1.maths"])
    actor = world.actor("a1.teacher")
    with pytest.raises(ValidationError) as error:
        services.section_save(actor=actor, space=space, title="Week 2", links="Bad | javascript:alert(1)")
    assert "links" in error.value.message_dict
    services.section_save(actor=actor, space=space, title="Week 2", body="<script>x</script>\nLine two",
                          links="Maths | https://example.org/maths\nhttp://example.com")
    client.force_login(world.users["a1.learnerA1"])
    html = client.get(f"/courses/{space.pk}/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;<br>Line two" in html and "<script>x" not in html
    assert 'href="https://example.org/maths"' in html and ">example.com<" in html
    section = Section.objects.get(space=space, title="Week 2")
    assert section.position == 1
    with pytest.raises(NotFound):
        services.section_save(actor=world.actor("a1.learnerA1"), space=space, title="Mine")


# Handing in -------------------------------------------------------------------------------------


def test_hand_in_resubmit_until_the_deadline_then_late_or_refused(world):
    learner = world.actor("a1.learnerA2")
    work = _set(world, mark_out_of=10)
    first = services.hand_in(actor=learner, assignment=work, text="one")
    again = services.hand_in(actor=learner, assignment=work, text="two")
    assert first.pk == again.pk and again.attempts == 2 and again.text == "two" and not again.late
    _past(work)
    with pytest.raises(ValidationError, match="stands"):
        services.hand_in(actor=learner, assignment=work, text="three")
    late = services.hand_in(actor=world.actor("a1.learnerA1"), assignment=work, text="sorry")
    assert late.late
    strict = _past(_set(world, allow_late=False))
    with pytest.raises(ValidationError, match="does not take late work"):
        services.hand_in(actor=learner, assignment=strict, text="late")
    with pytest.raises(NotFound):  # not in the group
        services.hand_in(actor=world.actor("a1.learnerB1"), assignment=_set(world, "a1.art", by="a1.teacher2"), text="x")
    with pytest.raises(ValidationError):
        services.hand_in(actor=learner, assignment=_set(world), text="  ")


def test_files_are_checked_by_content_and_size_and_served_as_attachments(world, client, settings):
    work = _set(world)
    learner = world.actor("a1.learnerA2")
    with pytest.raises(ValidationError, match="content is PNG"):
        services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("essay.pdf", PNG))
    with pytest.raises(ValidationError, match="cannot be handed in"):
        services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("run.exe", b"MZ" + b"\x00" * 10))
    with pytest.raises(ValidationError, match="not plain text"):
        services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("notes.txt", PNG))
    settings.LEARNING_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="too big"):
        services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("essay.pdf", PDF + b" " * 200))
    assert not Submission.objects.filter(assignment=work).exists()
    settings.LEARNING_MAX_UPLOAD_BYTES = 10_000
    sub = services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("../../My essay.pdf", PDF))
    assert sub.file_name == "My essay.pdf" and sub.file_type == "application/pdf" and "essay" not in sub.file.name
    client.force_login(world.users["a1.teacher"])
    response = client.get(f"/homework/hand-ins/{sub.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(world.users["a1.learnerA1"])
    assert client.get(f"/homework/hand-ins/{sub.pk}/file/").status_code == 404
    txt = services.hand_in(actor=learner, assignment=work, upload=SimpleUploadedFile("notes.txt", "Café notes".encode()))
    assert txt.file_type == "text/plain" and txt.attempts == 2


def test_hand_in_through_the_page(world, client):
    work = _set(world)
    client.force_login(world.users["a1.learnerA2"])
    response = client.post(f"/homework/{work.pk}/", {"text": "", "file": SimpleUploadedFile("a.pdf", PNG)})
    assert response.status_code == 200 and "content is PNG" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    response = client.post(f"/homework/{work.pk}/", {"text": "My answer", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302
    assert Submission.objects.get(assignment=work, learner=world.learners["a1.learnerA2"]).file_name == "a.pdf"


# Marking and returning ----------------------------------------------------------------------------


def test_marks_are_seen_only_after_return(world, client):
    work = _set(world, mark_out_of=20)
    a2 = world.learners["a1.learnerA2"]
    services.hand_in(actor=world.actor("a1.learnerA2"), assignment=work, text="done")
    teacher = world.actor("a1.teacher")
    with pytest.raises(ValidationError) as error:
        services.marks_save(actor=teacher, assignment=work, rows=[services.MarkRow(a2.pk, "21")])
    assert f"m_{a2.pk}" in error.value.message_dict
    b1 = world.learners["a1.learnerB1"]
    assert services.marks_save(actor=teacher, assignment=work, rows=[
        services.MarkRow(a2.pk, "15", "Nice"), services.MarkRow(b1.pk, "9", "", on_paper=True)]) == 2
    paper = Submission.objects.get(assignment=work, learner=b1)
    assert paper.on_paper and paper.handed_in
    for persona, learner in (("a1.learnerA2", a2), ("parent.two", a2)):
        item = next(i for i in selectors.homework_for_learner(world.actor(persona), learner.pk) if i.assignment.pk == work.pk)
        assert item.handed_in and item.mark == "" and item.feedback == ""
    client.force_login(world.users["a1.learnerA2"])
    assert "Nice" not in client.get(f"/homework/{work.pk}/").content.decode()
    assert client.get(f"/api/v1/assignments/{work.pk}/submissions").json()[0]["mark"] is None
    assert services.assignment_return(actor=teacher, assignment=work) == 0
    item = next(i for i in selectors.homework_for_learner(world.actor("parent.two"), a2.pk) if i.assignment.pk == work.pk)
    assert item.mark == "15" and item.feedback == "Nice" and item.status == "Returned"
    assert "Nice" in client.get(f"/homework/{work.pk}/").content.decode()
    with pytest.raises(ValidationError):
        services.assignment_return(actor=teacher, assignment=work)
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.marks_save(actor=teacher, assignment=work, rows=[services.MarkRow(a2.pk, "1")])
    with pytest.raises(ValidationError):
        services.hand_in(actor=world.actor("a1.learnerA2"), assignment=work, text="more")


def test_the_marks_grid_page_saves_in_one_go(world, client):
    work = _set(world, mark_out_of=10)
    client.force_login(world.users["a1.teacher"])
    a1, a2 = world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk
    response = client.post(f"/homework/{work.pk}/marks/", {f"m_{a1}": "11", f"f_{a1}": "keep me", f"m_{a2}": "5"})
    body = response.content.decode()
    assert response.status_code == 200 and "outside 0 to 10" in body and "keep me" in body
    assert not Submission.objects.filter(assignment=work).exists()
    response = client.post(f"/homework/{work.pk}/marks/", {f"m_{a1}": "9", f"m_{a2}": "5", f"p_{a2}": "1"})
    assert response.status_code == 302
    assert dict(Submission.objects.filter(assignment=work).values_list("learner_id", "mark")) == {a1: "9", a2: "5"}
    assert client.post(f"/homework/{work.pk}/return/").status_code == 302
    assert Assignment.objects.get(pk=work.pk).returned


def test_returned_marks_flow_into_the_assessment_record(world):
    inst = world.institutions["a1"]
    attainment = Aspect.objects.get(institution=inst, kind="attainment")
    point = AssessmentPoint.objects.get(institution=inst, name="Autumn")
    gcse = GradeSet.objects.get(institution=inst, name="GCSE 9-1")
    with pytest.raises(ValidationError) as error:
        _set(world, aspect_id=attainment.pk, point_id=point.pk, mark_out_of=10)
    assert "grade_set" in error.value.message_dict
    work = _set(world, aspect_id=attainment.pk, point_id=point.pk, grade_set_id=gcse.pk)
    teacher = world.actor("a1.teacher")
    a1, b2 = world.learners["a1.learnerA1"], world.learners["a1.learnerB2"]
    with pytest.raises(ValidationError):  # not a GCSE grade
        services.marks_save(actor=teacher, assignment=work, rows=[services.MarkRow(a1.pk, "A*")])
    services.marks_save(actor=teacher, assignment=work, rows=[services.MarkRow(a1.pk, "5"), services.MarkRow(b2.pk, "8")])
    assert AssessmentResult.objects.get(learner=a1, aspect=attainment, point=point).value == "4"  # not before return
    assert services.assignment_return(actor=teacher, assignment=work) == 2
    after = AssessmentResult.objects.get(learner=a1, aspect=attainment, point=point)
    assert (after.value, after.rank, after.version) == ("5", 5, 2)
    new = AssessmentResult.objects.get(learner=b2, aspect=attainment, point=point)
    assert new.value == "8" and new.group_id == world.groups["a1.maths"].pk and new.recorded_by_id == world.people["a1.teacher"].pk
    from commonroom.authz.models import AuditEvent

    assert AuditEvent.objects.filter(action="assessment.grades_saved", learner_id=b2.pk).exists()
    assert AuditEvent.objects.filter(action="learning.returned", object_id=str(work.pk)).exists()


def test_a_locked_point_stops_the_return_and_nothing_is_returned(world):
    inst = world.institutions["a1"]
    attainment = Aspect.objects.get(institution=inst, kind="attainment")
    point = AssessmentPoint.objects.get(institution=inst, name="Autumn")
    work = _set(world, aspect_id=attainment.pk, point_id=point.pk, grade_set_id=attainment.grade_set_id)
    services.marks_save(actor=world.actor("a1.teacher"), assignment=work, rows=[services.MarkRow(world.learners["a1.learnerA1"].pk, "6")])
    AssessmentPoint.objects.filter(pk=point.pk).update(locked=True)
    with pytest.raises(ValidationError, match="locked"):
        services.assignment_return(actor=world.actor("a1.teacher"), assignment=work)
    assert not Assignment.objects.get(pk=work.pk).returned


# For the parent portal ----------------------------------------------------------------------------


def test_overdue_without_hand_in_names_each_learner_who_missed_it(world):
    work = _past(_set(world), hours=1)
    services_due = timezone.localtime(work.due_at).date()
    Submission.objects.create(institution=work.institution, assignment=work, learner=world.learners["a1.learnerA1"],
                              handed_in_at=timezone.now(), text="x", attempts=1)
    pairs = {(a.pk, learner.pk) for a, learner in selectors.overdue_without_hand_in(services_due) if a.pk == work.pk}
    expected = {world.learners[f"a1.{who}"].pk for who in ("learnerA2", "learnerB1", "learnerB2")}
    assert pairs == {(work.pk, pk) for pk in expected}


# Query counts -------------------------------------------------------------------------------------


def _more_homework(world, n: int) -> None:
    for i in range(n):
        work = services.assignment_save(
            actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], title=f"Extra {i}",
            due_at=timezone.now() + datetime.timedelta(days=1 + i), state="set", mark_out_of=10)
        services.hand_in(actor=world.actor("a1.learnerA1"), assignment=work, text="x")


def _more_learners(world, n: int) -> None:
    group = world.groups["a1.maths"]
    for i in range(n):
        person = Person.objects.create(given_name=f"Extra{i}", family_name="Learner")
        learner = Learner.objects.create(person=person)
        GroupMembership.objects.create(institution=group.institution, group=group, learner=learner,
                                       start_date=timezone.localdate() - datetime.timedelta(days=1))


@pytest.mark.parametrize("extra", [0, 12])
def test_the_to_do_list_has_a_constant_query_count(world, client, django_assert_max_num_queries, extra):
    _more_homework(world, extra)
    client.force_login(world.users["a1.learnerA1"])
    with django_assert_max_num_queries(13):
        response = client.get("/homework/")
    assert response.status_code == 200 and response.content.decode().count("Handed in") >= extra


@pytest.mark.parametrize("extra", [0, 25])
def test_the_marks_grid_has_a_constant_query_count(world, client, django_assert_max_num_queries, extra):
    _more_learners(world, extra)
    work = Assignment.objects.get(group=world.groups["a1.maths"], title="Fractions")
    client.force_login(world.users["a1.teacher"])
    with django_assert_max_num_queries(14):
        assert client.get(f"/homework/{work.pk}/marks/").status_code == 200
    rows = {f"m_{pk}": "3" for pk in GroupMembership.objects.filter(group=work.group).values_list("learner_id", flat=True)}
    with django_assert_max_num_queries(17):
        assert client.post(f"/homework/{work.pk}/marks/", rows).status_code == 302
    assert Submission.objects.filter(assignment=work, mark="3").count() == 4 + extra


def test_homework_for_learner_has_a_constant_query_count(world, django_assert_max_num_queries):
    _more_homework(world, 8)
    actor = world.actor("parent.a1")
    with django_assert_max_num_queries(8):
        items = selectors.homework_for_learner(actor, world.learners["a1.learnerA1"].pk)
    assert len(items) >= 11
