"""Authorisation specs for course spaces and homework (see ``commonroom/testing/matrix.py``).

Targets name a group (``a1.maths``: its space, or its homework "Fractions", set and due in a week;
``a1.art.draft``: the draft "Portrait") or, for a hand-in's file, a learner (their "Fractions" hand-in,
given a file in ``prepare``)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from commonroom.testing import oracle
from commonroom.testing import oracle_learning as ol
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

SPACES = ["a1.maths", "a1.art", "a1.formA", "b1.maths"]
HOMEWORK = ["a1.maths", "a1.art.draft", "b1.maths"]
MARKABLE = ["a1.maths", "b1.maths"]
LEARNERS = ["a1.learnerA1", "a1.learnerB1", "a1.leaver", "b1.learnerA1", "solo.learnerA1"]
FILES = ["a1.learnerA1", "b1.learnerA1"]
TITLES = {"maths": "Fractions", "art.draft": "Portrait"}


def _space(world: World, target: str) -> int:
    from commonroom.learning.models import CourseSpace

    return CourseSpace.objects.get(group=world.groups[target]).pk


def _assignment(world: World, target: str) -> int:
    from commonroom.learning.models import Assignment

    inst, _dot, rest = target.partition(".")
    group = rest.removesuffix(".draft")
    return Assignment.objects.get(group=world.groups[f"{inst}.{group}"], title=TITLES[rest]).pk


def _section(world: World, target: str) -> int:
    from commonroom.learning.models import Section

    return Section.objects.get(space__group=world.groups[target]).pk


def _file_of(world: World, learner: str) -> int:
    from commonroom.learning.models import Submission

    return Submission.objects.get(learner=world.learners[learner], assignment__title="Fractions").pk


# Hand-ins by learner: learnerB1's is their Algebra hand-in (returned), the others' their Fractions one (not yet).
HAND_INS = ["a1.learnerA1", "a1.learnerB1", "b1.learnerA1", "b1.learnerB1"]
RETURNED = {"learnerB1"}
TO_MARK = ["a1.learnerA1", "a1.learnerA2", "b1.learnerB2"]


def _hand_in(world: World, learner: str) -> int:
    from commonroom.learning.models import Submission

    title = "Algebra" if learner.split(".")[1] in RETURNED else "Fractions"
    return Submission.objects.get(learner=world.learners[learner], assignment__title=title).pk


def prepare(world: World) -> None:
    from commonroom.learning.models import Submission

    for key in FILES:
        submission = Submission.objects.get(learner=world.learners[key], assignment__title="Fractions")
        submission.file.save("x", ContentFile(b"%PDF-1.4\n%matrix\n"), save=False)
        submission.file_name, submission.file_type = "answer.pdf", "application/pdf"
        submission.save()
    for key in HAND_INS:
        submission = Submission.objects.get(pk=_hand_in(world, key))
        if not submission.file:
            submission.file.save("x", ContentFile(b"%PDF-1.4\n%matrix\n"), save=False)
            submission.file_name, submission.file_type = "answer.pdf", "application/pdf"
        submission.feedback_file.save("y", ContentFile(b"%PDF-1.4\n%feedback\n"), save=False)
        submission.feedback_file_name, submission.feedback_file_type = "marked.pdf", "application/pdf"
        submission.save()


def _maths(learner: str) -> str:
    return f"{learner.split('.')[0]}.maths"


def _view_hand_in(persona: str, target: str) -> bool:
    return ol.may_view_hand_in(persona, target, _maths(target))


def _feedback_allowed(persona: str, target: str) -> bool:
    return ol.may_get_feedback_file(persona, target, _maths(target), target.split(".")[1] in RETURNED)


def _mark_one_url(world: World, target: str) -> str:
    return f"/homework/{_assignment(world, _maths(target))}/marks/{world.learners[target].pk}/"


def _homework_allowed(persona: str, target: str) -> bool:
    if target.endswith(".draft"):
        return ol.may_manage_space(persona, target.removesuffix(".draft"))
    return ol.may_view_set_homework(persona, target)


def _manage_homework(persona: str, target: str) -> bool:
    return ol.may_manage_space(persona, target.removesuffix(".draft"))


def _body(world: World, target: str) -> dict:
    due = (timezone.now() + datetime.timedelta(days=5)).isoformat()
    return {"title": "From the matrix", "due_at": due, "state": "set", "mark_out_of": 10}


def _marks_body(world: World, target: str) -> dict:
    inst = target.split(".")[0]
    return {"marks": [{"learner_id": world.learners[f"{inst}.learnerA2"].pk, "mark": "5", "feedback": "ok"}]}


PAGE_SPECS = {
    "learning:my_courses": Spec(lambda w, t: "/courses/", SIGNED_IN),
    "learning:homework": Spec(lambda w, t: "/homework/", SIGNED_IN),
    "learning:course": Spec(lambda w, t: f"/courses/{_space(w, t)}/", ol.may_view_space, SPACES),
    "learning:group_course": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/course/", ol.may_view_space,
                                  ["a1.maths", "a1.formB", "a1.year10", "b1.maths"], ok=(302,)),
    "learning:section_new": Spec(lambda w, t: f"/courses/{_space(w, t)}/sections/new/", ol.may_manage_space, SPACES),
    "learning:assignment_new": Spec(lambda w, t: f"/courses/{_space(w, t)}/homework/new/", ol.may_manage_space, SPACES),
    "learning:section_edit": Spec(lambda w, t: f"/course-sections/{_section(w, t)}/edit/", ol.may_manage_space, SPACES),
    "learning:section_delete": Spec(lambda w, t: f"/course-sections/{_section(w, t)}/delete/", ol.may_manage_space,
                                    ["a1.art", "b1.maths"], method="post", ok=(302,)),
    "learning:assignment": Spec(lambda w, t: f"/homework/{_assignment(w, t)}/", _homework_allowed, HOMEWORK),
    "learning:assignment_edit": Spec(lambda w, t: f"/homework/{_assignment(w, t)}/edit/", _manage_homework, HOMEWORK),
    "learning:marks": Spec(lambda w, t: f"/homework/{_assignment(w, t)}/marks/", _manage_homework, MARKABLE),
    "learning:return": Spec(lambda w, t: f"/homework/{_assignment(w, t)}/return/", _manage_homework, MARKABLE,
                            method="post", ok=(302,)),
    "learning:submission_file": Spec(lambda w, t: f"/homework/hand-ins/{_file_of(w, t)}/file/",
                                     lambda p, t: ol.may_view_hand_in(p, t, f"{t.split('.')[0]}.maths"), FILES),
    "learning:mark_one": Spec(_mark_one_url, lambda p, t: ol.may_mark_hand_in(p, t, _maths(t)), TO_MARK),
    "learning:feedback_file": Spec(lambda w, t: f"/homework/hand-ins/{_hand_in(w, t)}/feedback-file/", _feedback_allowed,
                                   HAND_INS),
    "learning:learner_homework": Spec(lambda w, t: f"/learners/{w.learners[t].pk}/homework/", oracle.may_view_learner,
                                      LEARNERS),
}

API_SPECS = {
    ("get", "/api/v1/courses"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/courses/{space_id}"): Spec(lambda w, t: "", ol.may_view_space, SPACES),
    ("get", "/api/v1/courses/{space_id}/assignments"): Spec(lambda w, t: "", ol.may_view_space, SPACES),
    ("post", "/api/v1/courses/{space_id}/assignments"): Spec(lambda w, t: "", ol.may_manage_space, SPACES, ok=(201,),
                                                             body=_body),
    ("get", "/api/v1/assignments/{assignment_id}"): Spec(lambda w, t: "", _homework_allowed, HOMEWORK),
    ("put", "/api/v1/assignments/{assignment_id}"): Spec(lambda w, t: "", _manage_homework, HOMEWORK, body=_body),
    ("post", "/api/v1/assignments/{assignment_id}/submissions"): Spec(
        lambda w, t: "", lambda p, t: ol.may_hand_in(p, t), MARKABLE, ok=(201,), body=lambda w, t: {"text": "matrix"}),
    ("get", "/api/v1/assignments/{assignment_id}/submissions"): Spec(lambda w, t: "", _homework_allowed, HOMEWORK),
    ("put", "/api/v1/assignments/{assignment_id}/marks"): Spec(lambda w, t: "", _manage_homework, MARKABLE,
                                                               body=_marks_body),
    ("post", "/api/v1/assignments/{assignment_id}/return"): Spec(lambda w, t: "", _manage_homework, MARKABLE),
    ("get", "/api/v1/learners/{learner_id}/homework"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/assignments"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/submissions/{submission_id}"): Spec(lambda w, t: "", _view_hand_in, HAND_INS),
    ("get", "/api/v1/submissions/{submission_id}/file"): Spec(lambda w, t: "", _view_hand_in, HAND_INS),
    ("get", "/api/v1/submissions/{submission_id}/feedback-file"): Spec(lambda w, t: "", _feedback_allowed, HAND_INS),
    # JSON carries no file: those who mark the homework are told to attach one (422); everyone else gets 404.
    ("post", "/api/v1/assignments/{assignment_id}/feedback-files"): Spec(lambda w, t: "", _manage_homework, MARKABLE,
                                                                         ok=(422,), body=lambda w, t: {}),
}

PLACEHOLDERS = {"{space_id}": _space, "{assignment_id}": _assignment, "{submission_id}": _hand_in}

# A space's sections over the API (learning/api_sections.py); {section_id} is filled by the resources specs.
_SECTION_BODY = {"title": "Week 9", "body": "From the matrix", "links": [{"title": "BBC Bitesize", "url": "https://www.bbc.co.uk/bitesize"}]}
API_SPECS |= {
    ("post", "/api/v1/courses/{space_id}/sections"): Spec(lambda w, t: "", ol.may_manage_space, SPACES, ok=(201,),
                                                          body=lambda w, t: _SECTION_BODY),
    ("put", "/api/v1/course-sections/{section_id}"): Spec(lambda w, t: "", ol.may_manage_space, SPACES,
                                                          body=lambda w, t: _SECTION_BODY),
    ("delete", "/api/v1/course-sections/{section_id}"): Spec(lambda w, t: "", ol.may_manage_space, SPACES, ok=(204,)),
}
CONTRACT_BODIES = {
    ("post", "/api/v1/courses/{space_id}/sections"): {"title": "Contract"},
    ("put", "/api/v1/course-sections/{section_id}"): {"title": "Contract", "links": [{"url": "https://example.org/"}]},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    """For the OpenAPI contract test: a hand-in (a1.learnerA1's Fractions, given a feedback file) and a missing id."""
    from commonroom.learning.models import Submission

    submission = Submission.objects.get(pk=_hand_in(world, "a1.learnerA1"))
    if not submission.feedback_file:
        submission.feedback_file.save("y", ContentFile(b"%PDF-1.4\n%feedback\n"), save=False)
        submission.feedback_file_name, submission.feedback_file_type = "marked.pdf", "application/pdf"
        submission.save()
    return {"submission_id": [submission.pk, 987654321]}
