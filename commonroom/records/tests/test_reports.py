"""Written reports over the persona world: rules, writing with placeholders, proof-reading, publishing, PDFs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.records import report_selectors as selectors
from commonroom.records import report_services as services
from commonroom.records.models import AssessmentResult, PublishedReport, ReportComment, ReportCycle, ReportRun
from commonroom.records.report_documents import fill, person_values, placeholder_problems
from commonroom.testing import oracle

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.office", "a1.teacher", "a1.teacher2", "a1.tutor", "a1.learnerA1",
            "a1.learnerA2", "b1.head", "b1.teacher", "parent.a1", "parent.two", "parent.barred", "la1.officer",
            "platform.admin", "nobody", "anonymous"]


def _cycle(world, key="a1", name="Year 10 spring") -> ReportCycle:
    return ReportCycle.objects.get(institution=world.institutions[key], name=name)


def test_rules_agree_with_the_oracle(world) -> None:
    for persona in PERSONAS:
        actor = world.actor(persona)
        for inst in ("a1", "b1"):
            assert can(actor, "manage_reports", world.institutions[inst]) == oracle.may_manage_reports(persona, inst)
            assert can(actor, "view", _cycle(world, inst)) == oracle.may_view_report_cycles(persona, inst), persona
        for group in ("a1.maths", "a1.art", "a1.formA", "a1.formB", "b1.maths"):
            action = {"maths": "write_subject_reports", "art": "write_subject_reports"}.get(group.split(".")[1],
                                                                                             "write_tutor_reports")
            assert can(actor, action, world.groups[group]) == oracle.may_write_reports_for(persona, group), (persona, group)
        seen = set(visible(actor, PublishedReport).values_list("learner_id", flat=True))
        for learner in ("a1.learnerA1", "a1.learnerA2", "b1.learnerA1", "b1.learnerA2"):
            assert (world.learners[learner].pk in seen) == oracle.may_read_published_report(persona, learner), (persona, learner)


def test_placeholders_fill_from_the_records(world) -> None:
    assert placeholder_problems("{name} is {brilliant}") == [
        "Unknown placeholder {brilliant}: use {name}, {fullname}, {they}, {They}, {them}, {their}, {Their}, {grade}, "
        "{target}, {attendance}."]
    person = world.people["a1.learnerA1"]
    person.sex, person.preferred_name = "F", "Jo"
    assert fill("{They} said {name} did {their} best ({target}).", {**person_values(person), "target": "6"}) == \
        "She said Jo did her best (6)."
    sheet = selectors.writing_sheet(world.actor("a1.teacher"), _cycle(world).pk, world.groups["a1.maths"].pk)
    row = next(r for r in sheet.rows if r.learner_id == world.learners["a1.learnerA1"].pk)
    assert row.preview.endswith("grade is 4.") and (row.grade, row.target) == ("4", "6")


def _entries(world, texts: dict[str, str], ready=False, seen=0) -> list[services.CommentEntry]:
    return [services.CommentEntry(world.learners[f"a1.{who}"].pk, text, seen, ready) for who, text in texts.items()]


def test_a_teacher_writes_a_groups_comments_in_one_go(world) -> None:
    cycle = _cycle(world)
    entries = [*_entries(world, {"learnerA2": "{name} leads discussions.", "learnerB1": "Keen."}, ready=True),
               *_entries(world, {"learnerB2": ""})]
    result = services.comments_save(actor=world.actor("a1.teacher"), cycle=cycle, group=world.groups["a1.maths"],
                                    entries=entries)
    assert (result.created, result.changed, result.unchanged) == (2, 0, 1)
    assert ReportComment.objects.filter(cycle=cycle, subject="Mathematics", status="ready").count() == 3
    assert AuditEvent.objects.filter(action="reports.comments_saved").count() == 2


def test_bad_comments_are_refused_at_the_learner_and_nothing_is_saved(world) -> None:
    cycle = _cycle(world)
    before = ReportComment.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.comments_save(actor=world.actor("a1.teacher"), cycle=cycle, group=world.groups["a1.maths"],
                               entries=_entries(world, {"learnerA2": "Fine.", "learnerB1": "{nmae} is keen",
                                                        "learnerB2": "x" * 3001}))
    errors = caught.value.message_dict
    assert set(errors) == {f"c_{world.learners['a1.learnerB1'].pk}", f"c_{world.learners['a1.learnerB2'].pk}"}
    assert "Unknown placeholder {nmae}" in errors[f"c_{world.learners['a1.learnerB1'].pk}"][0]
    assert ReportComment.objects.count() == before


def test_who_may_write_for_a_group(world) -> None:
    cycle = _cycle(world)
    for persona, group in (("a1.teacher2", "a1.maths"), ("a1.teacher", "a1.formA"), ("b1.teacher", "a1.maths"),
                           ("parent.a1", "a1.maths")):
        with pytest.raises(NotFound):
            services.comments_save(actor=world.actor(persona), cycle=cycle, group=world.groups[group], entries=[])
    # The form tutor writes the tutor section; teacher2 (barred from learnerA1) never sees learnerA1 to write about.
    services.comments_save(actor=world.actor("a1.tutor"), cycle=cycle, group=world.groups["a1.formA"],
                           entries=_entries(world, {"learnerA2": "Kind to others."}))
    sheet = selectors.writing_sheet(world.actor("a1.teacher2"), cycle.pk, world.groups["a1.art"].pk)
    assert [r.learner_id for r in sheet.rows] == [world.learners["a1.learnerA2"].pk]


def test_a_comment_changed_elsewhere_is_a_conflict(world) -> None:
    cycle = _cycle(world)
    comment = ReportComment.objects.get(cycle=cycle, subject="Mathematics", learner=world.learners["a1.learnerA1"])
    with pytest.raises(ValidationError, match="someone else changed"):
        services.comments_save(actor=world.actor("a1.teacher"), cycle=cycle, group=world.groups["a1.maths"],
                               entries=_entries(world, {"learnerA1": "Rewritten."}, seen=comment.version - 1 or 9))
    comment.refresh_from_db()
    assert comment.text.startswith("{name} works hard")


def test_proofreading_then_publishing_freezes_the_reports(world) -> None:
    cycle = _cycle(world)
    leader = world.actor("a1.leader")
    with pytest.raises(ValidationError, match="have not been checked"):
        services.cycle_publish(actor=leader, cycle=cycle)
    maths = ReportComment.objects.get(cycle=cycle, subject="Mathematics")
    tutor = ReportComment.objects.get(cycle=cycle, section="tutor")
    with pytest.raises(ValidationError):
        services.comments_check(actor=leader, cycle=cycle, returned={maths.pk: (maths.version, " ")})
    # The draft is not ready to check; a version the proof-reader did not read is left alone.
    assert services.comments_check(actor=leader, cycle=cycle, checked={maths.pk: maths.version + 5,
                                                                       tutor.pk: tutor.version}) == (0, 0)
    assert services.comments_check(actor=leader, cycle=cycle, checked={maths.pk: maths.version}) == (1, 0)
    # Sending an unchanged draft for checking makes it ready; saving drafts again never takes it back.
    services.comments_save(actor=world.actor("a1.tutor"), cycle=cycle, group=world.groups["a1.formA"],
                           entries=_entries(world, {"learnerA1": "A good term."}, ready=True, seen=tutor.version))
    tutor.refresh_from_db()
    assert tutor.status == "ready"
    services.comments_save(actor=world.actor("a1.tutor"), cycle=cycle, group=world.groups["a1.formA"],
                           entries=_entries(world, {"learnerA1": "A good term."}, seen=tutor.version))
    tutor.refresh_from_db()
    assert tutor.status == "ready"
    services.comments_check(actor=leader, cycle=cycle, checked={tutor.pk: tutor.version})
    maths.refresh_from_db()
    assert maths.status == "checked"
    services.comments_save(actor=world.actor("a1.teacher"), cycle=cycle, group=world.groups["a1.maths"],
                           entries=_entries(world, {"learnerA1": maths.text}, seen=maths.version))
    maths.refresh_from_db()
    assert maths.status == "checked"  # an unchanged "save drafts" leaves a checked comment checked
    with pytest.raises(NotFound):
        services.cycle_publish(actor=world.actor("a1.teacher"), cycle=cycle)
    issued = services.cycle_publish(actor=leader, cycle=cycle, footer_note="Test")
    assert issued == 4  # everyone in year 10 now (the leaver has left)
    report = PublishedReport.objects.get(cycle=cycle, learner=world.learners["a1.learnerA1"])
    maths_section = next(s for s in report.document["subjects"] if s["subject"] == "Mathematics")
    assert maths_section["comment"] == "Learnera1 works hard; their grade is 4."
    assert maths_section["grades"] == [{"aspect": "Attainment", "value": "4"}, {"aspect": "Target", "value": "6"}]
    assert report.document["pastoral"][0]["comment"] == "A good term."
    assert report.document["pastoral"][0]["author"] == world.people["a1.tutor"].full_name
    # Frozen: a grade changed afterwards does not change the report as issued.
    AssessmentResult.objects.filter(learner=world.learners["a1.learnerA1"], aspect__kind="attainment").update(value="9")
    report.refresh_from_db()
    assert next(s for s in report.document["subjects"] if s["subject"] == "Mathematics")["grades"][0]["value"] == "4"
    with pytest.raises(ValidationError, match="published"):
        services.comments_save(actor=world.actor("a1.teacher"), cycle=cycle, group=world.groups["a1.maths"], entries=[])


def test_a_cleared_comment_is_withdrawn_and_unpublished_grades_stay_out(world) -> None:
    cycle = _cycle(world)
    leader = world.actor("a1.leader")
    for comment in ReportComment.objects.filter(cycle=cycle):
        services.comments_save(actor=world.actor("a1.teacher" if comment.section == "subject" else "a1.tutor"),
                               cycle=cycle, group=comment.group,
                               entries=[services.CommentEntry(comment.learner_id, "", comment.version)])
    assert not ReportComment.objects.filter(cycle=cycle).exists()
    cycle.point.published = False
    cycle.point.save()
    with pytest.raises(ValidationError, match="publish the assessment point first"):
        services.cycle_publish(actor=leader, cycle=cycle)
    cycle.point.published = True
    cycle.point.save()
    assert services.cycle_publish(actor=leader, cycle=cycle) == 4


def test_a_parent_who_does_not_receive_reports_cannot_read_them(world, client) -> None:
    report = PublishedReport.objects.get(cycle__name="Year 10 autumn", learner=world.learners["a1.learnerA1"])
    link = world.links["parent.a1>a1.learnerA1"]
    link.may_receive_reports = False
    link.save()
    client.force_login(world.users["parent.a1"])
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/learners/{report.learner_id}/").status_code == 200  # the rest of the record as before


def test_a_leader_barred_from_a_learner_cannot_make_or_fetch_the_cycle_pdf(world) -> None:
    from commonroom.authz.models import Role, RoleAssignment

    cycle = _cycle(world, name="Year 10 autumn")
    RoleAssignment.objects.create(person=world.people["a1.teacher2"], role=Role.LEADER, institution=world.institutions["a1"],
                                  start_date=today())
    with pytest.raises(ValidationError, match="may not see"):
        services.run_start(actor=world.actor("a1.teacher2"), cycle=cycle)
    run = ReportRun.objects.create(institution=cycle.institution, cycle=cycle, status="done")
    assert not can(world.actor("a1.teacher2"), "view", run) and can(world.actor("a1.head"), "view", run)


def test_a_stalled_run_is_replaced(world) -> None:
    cycle = _cycle(world, name="Year 10 autumn")
    stalled = ReportRun.objects.create(institution=cycle.institution, cycle=cycle, status="running")
    ReportRun.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.run_start(actor=world.actor("a1.head"), cycle=cycle)
    stalled.refresh_from_db()
    assert run.pk != stalled.pk and stalled.status == "failed"


def test_families_read_published_reports_and_their_pdf(world, client) -> None:
    report = PublishedReport.objects.get(cycle__name="Year 10 autumn", learner=world.learners["a1.learnerA1"])
    client.force_login(world.users["parent.a1"])
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code == 200 and "Steady work." in page.content.decode()
    pdf = client.get(f"/reports/{report.pk}/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="read.report", learner_id=report.learner_id).count() == 2
    client.force_login(world.users["parent.barred"])
    assert client.get(f"/reports/{report.pk}/").status_code == 404


def test_the_whole_cycle_renders_to_one_pdf_in_the_background(world) -> None:
    cycle = _cycle(world, name="Year 10 autumn")
    with pytest.raises(NotFound):
        services.run_start(actor=world.actor("a1.teacher"), cycle=cycle)
    with pytest.raises(ValidationError, match="Publish the cycle first"):
        services.run_start(actor=world.actor("a1.head"), cycle=_cycle(world))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.run_start(actor=world.actor("a1.head"), cycle=cycle)
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (ReportRun.Status.DONE, 2, 2)
    assert run.file.open("rb").read(5) == b"%PDF-"


def test_saving_comments_takes_the_same_queries_for_any_number(world, django_assert_num_queries) -> None:
    cycle = _cycle(world)
    actor = world.actor("a1.teacher")
    def save(texts: dict[str, tuple[str, int]]) -> None:
        services.comments_save(actor=actor, cycle=cycle, group=world.groups["a1.maths"], entries=[
            services.CommentEntry(world.learners[f"a1.{who}"].pk, text, seen) for who, (text, seen) in texts.items()])

    save({"learnerA2": ("Warm-up.", 0)})  # loads what the actor's rules need, once per request
    with django_assert_num_queries(9) as one:  # one comment changed, one new
        save({"learnerA2": ("One.", 1), "learnerB1": ("New.", 0)})
    with django_assert_num_queries(len(one.captured_queries)):  # three changed, one new
        save({"learnerA2": ("Two.", 2), "learnerB1": ("Three.", 1), "learnerA1": ("Four.", 1), "learnerB2": ("Five.", 0)})


def test_setting_up_a_cycle_and_the_comment_bank(world) -> None:
    actor, inst = world.actor("a1.head"), world.institutions["a1"]
    year = world.groups["a1.year10"].academic_year
    with pytest.raises(ValidationError) as caught:
        services.cycle_create(actor=actor, institution=inst, name="year 10 SPRING", academic_year_id=year.pk,
                              year_group_ids=[world.groups["b1.year10"].pk], deadline=today() - datetime.timedelta(days=1))
    assert set(caught.value.message_dict) == {"name", "year_groups", "deadline"}
    cycle = services.cycle_create(actor=actor, institution=inst, name="Year 10 summer", academic_year_id=year.pk,
                                  year_group_ids=[world.groups["a1.year10"].pk], deadline=today(),
                                  subjects=["Mathematics", " "], head_of_year_section=True)
    assert cycle.subjects == ["Mathematics"]
    with pytest.raises(ValidationError, match="not part of this report cycle"):
        services.comments_save(actor=world.actor("a1.teacher2"), cycle=cycle, group=world.groups["a1.art"], entries=[])
    entry = services.bank_entry_add(actor=actor, institution=inst, label="Strength", text="{name} solves problems well.")
    assert entry.subject == ""
    with pytest.raises(ValidationError):
        services.bank_entry_add(actor=actor, institution=inst, label="Bad", text="{nom}")
