"""Assessment over the persona world: the rules against the oracle, marksheets, targets and progress."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.records import assessment_selectors as selectors
from commonroom.records import assessment_services as services
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, GradeSet
from commonroom.testing import oracle

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office", "a1.teacher", "a1.teacher2", "a1.tutor",
            "a1.learnerA1", "a1.learnerA2", "a1.leaver", "b1.head", "b1.teacher", "parent.a1", "parent.two",
            "parent.barred", "la1.officer", "la2.officer", "platform.admin", "nobody", "anonymous"]


def _point(world, key="a1") -> AssessmentPoint:
    return AssessmentPoint.objects.get(institution=world.institutions[key], name="Autumn")


def _aspects(world, key="a1") -> dict[str, Aspect]:
    return {a.kind: a for a in Aspect.objects.filter(institution=world.institutions[key])}


def test_rules_agree_with_the_oracle(world) -> None:
    for persona in PERSONAS:
        actor = world.actor(persona)
        for inst in ("a1", "b1"):
            institution = world.institutions[inst]
            assert can(actor, "manage_assessment", institution) == oracle.may_manage_assessment(persona, inst), persona
            assert can(actor, "view_assessment", institution) == oracle.may_view_institution_assessment(persona, inst)
        for group in ("a1.maths", "a1.art", "a1.formA", "b1.maths"):
            assert can(actor, "enter_grades", world.groups[group]) == oracle.may_enter_grades(persona, group), (persona, group)
            assert can(actor, "view_progress", world.groups[group]) == oracle.may_view_group_progress(persona, group)
        seen = set(visible(actor, AssessmentResult).values_list("pk", flat=True))
        for row in AssessmentResult.objects.select_related("aspect", "learner__person__account", "institution"):
            learner = f"{'a1' if row.institution.urn == '100001' else 'b1'}.{row.learner.person.account.username.split('.')[1]}"
            expected = oracle.may_view_results_of(persona, learner, family_visible=row.aspect.visible_to_families)
            assert (row.pk in seen) == expected, (persona, learner, row.aspect.name)


def test_families_see_only_published_points(world) -> None:
    point = _point(world)
    parent = world.actor("parent.a1")
    assert visible(parent, AssessmentResult).filter(point=point).count() == 2  # attainment and target, not effort
    services.point_set_state(actor=world.actor("a1.office"), point=point, published=False)
    assert not visible(parent, AssessmentResult).filter(point=point).exists()
    assert visible(world.actor("a1.teacher"), AssessmentResult).filter(point=point).count() == 6


def _cells(world, grades: dict[tuple[str, str], str], seen: int = 0) -> list[services.Cell]:
    aspects = _aspects(world)
    return [services.Cell(world.learners[f"a1.{who}"].pk, aspects[kind].pk, value, seen)
            for (who, kind), value in grades.items()]


def test_teacher_fills_a_marksheet_in_one_go(world) -> None:
    point = AssessmentPoint.objects.create(institution=world.institutions["a1"], name="Spring", date=today(),
                                           academic_year=world.groups["a1.maths"].academic_year)
    result = services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=point,
                                      cells=_cells(world, {("learnerA1", "attainment"): "5", ("learnerB1", "attainment"): "9",
                                                           ("learnerA1", "effort"): "4",
                                                           ("learnerB2", "attainment"): ""}))
    assert (result.created, result.changed, result.unchanged) == (3, 0, 1)
    saved = dict(AssessmentResult.objects.filter(point=point, aspect__kind="attainment").values_list("learner_id", "value"))
    assert saved == {world.learners["a1.learnerA1"].pk: "5", world.learners["a1.learnerB1"].pk: "9"}
    assert AuditEvent.objects.filter(action="assessment.grades_saved").count() == 2  # one per learner changed


def test_a_grade_outside_the_set_is_refused_at_its_cell_and_nothing_is_saved(world) -> None:
    point = _point(world)
    aspects = _aspects(world)
    before = list(AssessmentResult.objects.order_by("pk").values_list("pk", "value"))
    with pytest.raises(ValidationError) as caught:
        services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=point,
                                cells=_cells(world, {("learnerB1", "attainment"): "8", ("learnerB2", "attainment"): "10",
                                                     ("learnerB2", "effort"): "A*"}))
    errors = caught.value.message_dict
    b2 = world.learners["a1.learnerB2"].pk
    assert set(errors) == {f"g_{b2}_{aspects['attainment'].pk}", f"g_{b2}_{aspects['effort'].pk}"}
    assert "“10” is not in GCSE 9-1: use one of 9, 8, 7" in errors[f"g_{b2}_{aspects['attainment'].pk}"][0]
    assert "Learnerb2" in errors[f"g_{b2}_{aspects['effort'].pk}"][0]
    assert list(AssessmentResult.objects.order_by("pk").values_list("pk", "value")) == before


def test_a_grade_changed_elsewhere_is_a_conflict(world) -> None:
    point = _point(world)
    row = AssessmentResult.objects.get(point=point, learner=world.learners["a1.learnerA1"], aspect__kind="attainment")
    # Another teacher changed it after this one opened the sheet (they saw version 1, it is now 2).
    services.marksheet_save(actor=world.actor("a1.office"), group=world.groups["a1.maths"], point=point,
                            cells=_cells(world, {("learnerA1", "attainment"): "5"}, seen=1))
    with pytest.raises(services.MarksheetConflict) as caught:
        services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=point,
                                cells=_cells(world, {("learnerA1", "attainment"): "6", ("learnerB1", "attainment"): "3"},
                                             seen=1))
    assert "changed this grade to “5”" in next(iter(caught.value.cells.values()))
    row.refresh_from_db()
    assert (row.value, row.version) == ("5", 2)
    assert not AssessmentResult.objects.filter(point=point, learner=world.learners["a1.learnerB1"]).exists()


def test_clearing_a_grade_deletes_it_and_locked_points_refuse(world) -> None:
    point = _point(world)
    result = services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=point,
                                     cells=_cells(world, {("learnerA2", "effort"): ""}, seen=1))
    assert result.cleared == 1
    services.point_set_state(actor=world.actor("a1.head"), point=point, locked=True)
    with pytest.raises(ValidationError, match="locked"):
        services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=point,
                                cells=_cells(world, {("learnerA2", "effort"): "3"}))


def test_who_may_fill_a_marksheet(world) -> None:
    point = _point(world)
    for persona in ("a1.teacher2", "a1.tutor", "b1.teacher", "parent.a1"):
        with pytest.raises(NotFound):
            services.marksheet_save(actor=world.actor(persona), group=world.groups["a1.maths"], point=point, cells=[])
    with pytest.raises(NotFound):  # a point of another school
        services.marksheet_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"], point=_point(world, "b1"),
                                cells=[])


def test_marksheet_save_takes_the_same_queries_for_any_number_of_cells(world, django_assert_num_queries) -> None:
    point = AssessmentPoint.objects.create(institution=world.institutions["a1"], name="Spring", date=today(),
                                           academic_year=world.groups["a1.maths"].academic_year)
    actor = world.actor("a1.teacher")
    # A first save loads what the actor's rules need (roles, groups, bars) once per request.
    services.marksheet_save(actor=actor, group=world.groups["a1.maths"], point=point,
                            cells=_cells(world, {("learnerA1", "effort"): "1"}))
    small = _cells(world, {("learnerA1", "attainment"): "5"})
    large = _cells(world, {(who, kind): "3" for who in ("learnerA2", "learnerB1", "learnerB2") for kind in ("attainment", "effort")})
    with django_assert_num_queries(9) as small_queries:
        services.marksheet_save(actor=actor, group=world.groups["a1.maths"], point=point, cells=small)
    with django_assert_num_queries(len(small_queries.captured_queries)):
        services.marksheet_save(actor=actor, group=world.groups["a1.maths"], point=point, cells=large)


def test_progress_against_target(world) -> None:
    progress = selectors.learner_progress(world.actor("a1.teacher"), world.learners["a1.learnerA1"].pk)
    maths = progress.subjects[0]
    assert (maths.subject, maths.attainment.value, maths.target.value, maths.status) == ("Mathematics", "4", "6", "below")
    assert maths.effort.value == "2"
    assert AuditEvent.objects.filter(action="read.grades", learner_id=world.learners["a1.learnerA1"].pk).exists()
    family = selectors.learner_progress(world.actor("parent.a1"), world.learners["a1.learnerA1"].pk)
    assert family.subjects[0].effort is None  # staff only
    group = selectors.group_progress(world.actor("a1.teacher"), world.groups["a1.maths"].pk)
    assert group.counts["below"] == 1 and group.counts["above"] == 1 and group.counts["no_grade"] == 2
    _inst, subjects = selectors.institution_progress(world.actor("a1.head"), world.institutions["a1"].pk)
    assert [(s.subject, s.counts["above"], s.counts["below"]) for s in subjects] == [("Mathematics", 1, 1)]


def test_a_teacher_sets_a_target(world) -> None:
    learner = world.learners["a1.learnerB1"]
    target = _aspects(world)["target"]
    services.target_set(actor=world.actor("a1.teacher"), learner=learner, group=world.groups["a1.maths"],
                        aspect_id=target.pk, value="7")
    assert AssessmentResult.objects.get(learner=learner, aspect=target).value == "7"
    with pytest.raises(ValidationError) as caught:
        services.target_set(actor=world.actor("a1.teacher"), learner=learner, group=world.groups["a1.maths"],
                            aspect_id=target.pk, value="12")
    assert "value" in caught.value.message_dict


def test_setting_up_grade_sets_points_and_aspects(world) -> None:
    actor, inst = world.actor("a1.office"), world.institutions["a1"]
    ks2 = services.grade_set_create(actor=actor, institution=inst, name="KS2 standard", kind="list",
                                    grades=services.parse_grade_lines("GDS | Greater depth\nEXS | Expected\nWTS | Working towards"))
    assert list(ks2.grades.values_list("value", "rank")) == [("GDS", 3), ("EXS", 2), ("WTS", 1)]
    assert services.Scale.of(ks2).read(" exs ") == ("EXS", 2)
    pct = services.grade_set_create(actor=actor, institution=inst, name="Percent", kind="number", minimum=0, maximum=100)
    assert services.Scale.of(pct).read("72") == ("72", 72)
    with pytest.raises(ValueError, match="not a whole number"):
        services.Scale.of(pct).read("7.5")
    with pytest.raises(ValidationError) as caught:
        services.grade_set_create(actor=actor, institution=inst, name="ks2 STANDARD", kind="list", grades=[("A", ""), ("a", "")])
    assert set(caught.value.message_dict) == {"name", "grades"}
    year = world.groups["a1.maths"].academic_year
    with pytest.raises(ValidationError, match="within"):
        services.point_create(actor=actor, institution=inst, academic_year_id=year.pk, name="Summer",
                              date=year.end_date + datetime.timedelta(days=1))
    services.point_create(actor=actor, institution=inst, academic_year_id=year.pk, name="Summer", date=year.end_date)
    aspect = services.aspect_create(actor=actor, institution=inst, name="Reading", kind="attainment", grade_set_id=ks2.pk,
                                    subject="English", visible_to_families=True)
    assert aspect in services.aspects_for_subject(inst.pk, "english")
    with pytest.raises(NotFound):
        services.grade_set_create(actor=world.actor("a1.teacher"), institution=inst, name="Mine", kind="list", grades=[("A", "")])
    assert GradeSet.objects.filter(institution=inst).count() == 4
