"""Importing QTI packages into a teacher's question bank, and exporting questions and quizzes as QTI.

The reading and writing of QTI is in ``qti.py`` (pure functions). Here: who may do it, and the writes.

- An import goes into the actor's own bank only (they must be able to keep one: a teacher, head or senior
  leader); optionally it also makes a draft quiz for a teaching group whose quizzes they manage (never a
  registration group: a quiz belongs to a teaching group), holding the items of the
  package's assessment test in the test's order (or every item). The whole package is read and checked before
  anything is written, and everything is written in one transaction: a bad package stores nothing.
- An export holds only questions the actor may read: chosen from their bank and the questions shared with them,
  or the fixed questions of a quiz whose results they see (the group's teachers, the school's head and leaders).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require, visible
from commonroom.organisations.models import Institution
from commonroom.people.models import Group, Person
from commonroom.quizzes import qti
from commonroom.quizzes.models import Question, Quiz, QuizQuestion, Visibility
from commonroom.quizzes.policies import author_institutions
from commonroom.quizzes.qti import QtiError, QtiPackage
from commonroom.quizzes.services import spec_errors

VERSIONS = ("3.0", "2.1")
MAX_QUIZ_QUESTIONS = 100
MAX_EXPORT = 500
NOT_A_TEACHING_GROUP = gettext_lazy("Choose a teaching group you teach: a quiz belongs to a teaching group, not to a "
                                    "registration group (form).")


@dataclass(frozen=True)
class ImportResult:
    questions: list[Question]
    quiz: Quiz | None
    package: QtiPackage


def may_import(actor: Actor) -> bool:
    return actor.person_id is not None and bool(author_institutions(actor))


def _check_fits(package: QtiPackage, filename: str) -> None:
    """The bank's own checks (lengths, at most 100 points) beyond a valid question, which qti.py checks."""
    for number, spec in enumerate(package.questions, start=1):
        errors = spec_errors(spec)
        if errors:
            where = f"item {number}" + (f" ({spec.identifier})" if spec.identifier else "")
            raise QtiError(filename, where, "; ".join(message for messages in errors.values() for message in messages))


def qti_import(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    visibility: str = Visibility.PRIVATE,
    group: Group | None = None,
    quiz_title: str = "",
) -> ImportResult:
    """Read ``data`` (a QTI package or item) into the actor's bank; raises QtiError (nothing written) if bad."""
    if not may_import(actor):
        raise NotFound()
    if group is not None:
        require(actor, "manage_quizzes", group)
        if group.kind != Group.Kind.TEACHING:
            # A tutor manages their form's quizzes rules-wise, but a quiz belongs to a teaching group.
            raise ValidationError({"group": [NOT_A_TEACHING_GROUP]})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": [_("Choose who may use the questions.")]})
    if len(quiz_title) > 200:
        raise ValidationError({"quiz_title": [_("The title is too long: at most 200 characters.")]})
    package = qti.read_package(data, filename)
    _check_fits(package, qti.display_name(filename))
    institutions = author_institutions(actor)
    institution_id = group.institution_id if group is not None and group.institution_id in institutions \
        else min(institutions)
    chosen = package.questions
    if package.has_test:
        chosen = [spec for spec in package.questions if spec.identifier in set(package.test_identifiers)]
    if group is not None and len(chosen) > MAX_QUIZ_QUESTIONS:
        raise QtiError(qti.display_name(filename), "", _(
            "a quiz holds at most %(n)s questions and the package has %(count)s: import it without making a quiz"
        ) % {"n": MAX_QUIZ_QUESTIONS, "count": len(chosen)})
    assert actor.person_id is not None  # may_import checked it
    owner = Person.objects.get(pk=actor.person_id)
    institution = Institution.objects.get(pk=institution_id)
    with transaction.atomic():
        questions = [
            Question.from_spec(spec, owner=owner, institution=institution, visibility=visibility)
            for spec in package.questions
        ]
        for question in questions:
            question.save()  # one by one: bulk_create gives no primary keys on every database we support
        quiz = None
        if group is not None:
            title = " ".join(quiz_title.split()) or package.title or _stem(filename)
            quiz = Quiz.objects.create(
                institution_id=group.institution_id, group=group, title=title[:200], created_by_id=actor.person_id,
                state=Quiz.State.DRAFT, mode=Quiz.Mode.PRACTICE,
            )
            by_identifier = {q.identifier: q for q in questions}
            ordered = [by_identifier[spec.identifier] for spec in chosen] if package.has_test else questions
            QuizQuestion.objects.bulk_create(
                QuizQuestion(institution_id=group.institution_id, quiz=quiz, question=question, position=position)
                for position, question in enumerate(ordered, start=1)
            )
        first = questions[0]
        audit.record(actor, "quizzes.qti_imported", quiz or first, institution_id=institution_id, detail={
            "file": qti.display_name(filename), "version": package.version, "questions": [q.pk for q in questions],
        })
    return ImportResult(questions=questions, quiz=quiz, package=package)


def _stem(filename: str) -> str:
    name = qti.display_name(filename)
    return re.sub(r"\.(zip|xml)$", "", name, flags=re.IGNORECASE) or "Imported quiz"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "questions"


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise ValidationError({"version": [_("Choose QTI 3.0 or 2.1.")]})


def qti_export_questions(*, actor: Actor, question_ids: Sequence[int], version: str = "3.0",
                         title: str = "") -> tuple[str, bytes]:
    """(filename, zip) of the chosen questions, in the order given; NotFound if any is not the actor's to read."""
    _check_version(version)
    ids = list(dict.fromkeys(question_ids))
    if not ids:
        raise ValidationError({"question_ids": [_("Choose at least one question to export.")]})
    if len(ids) > MAX_EXPORT:
        raise ValidationError({"question_ids": [_("Export at most %(n)s questions at once.") % {"n": MAX_EXPORT}]})
    found = {q.pk: q for q in visible(actor, Question).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise NotFound()
    questions = [found[pk] for pk in ids]
    title = " ".join(title.split()) or _("Questions")
    data = qti.export_package([q.to_spec() for q in questions], title, version=version)
    audit.record(actor, "quizzes.qti_exported", questions[0], institution_id=questions[0].institution_id,
                 detail={"questions": ids, "version": version})
    return f"{_slug(title)}-qti{version.replace('.', '')}.zip", data


def qti_export_quiz(*, actor: Actor, quiz: Quiz, version: str = "3.0") -> tuple[str, bytes]:
    """(filename, zip) of the quiz's fixed questions in order, with an assessment test carrying its title."""
    require(actor, "results", quiz)
    _check_version(version)
    rows = QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("position", "pk")
    questions = [row.question for row in rows]
    if not questions:
        raise ValidationError({"quiz": [_("The quiz has no fixed questions to export (its questions are drawn at "
                                          "random from the bank when a learner starts).")]})
    data = qti.export_package([q.to_spec() for q in questions], quiz.title, version=version)
    audit.record(actor, "quizzes.qti_exported", quiz, institution_id=quiz.institution_id,
                 detail={"questions": [q.pk for q in questions], "version": version})
    return f"{_slug(quiz.title)}-qti{version.replace('.', '')}.zip", data


def importable_groups(actor: Actor) -> list[Group]:
    """The teaching groups whose quizzes the actor manages: where an import may make a quiz (never a
    registration group: a quiz belongs to a teaching group)."""
    return list(visible(actor, Group, "manage_quizzes").filter(kind=Group.Kind.TEACHING).order_by("name", "pk"))


def exportable_questions(actor: Actor) -> list[Question]:
    """The actor's own questions, then those shared with them."""
    rows = list(visible(actor, Question).select_related("owner").order_by("-updated_at", "pk")[:MAX_EXPORT])
    return sorted(rows, key=lambda q: q.owner_id != actor.person_id)
