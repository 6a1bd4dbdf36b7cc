"""Reads of the question bank, quizzes, attempts and results, each starting from the ``authz`` filter.

For other apps (adaptive practice, QTI export):

- ``visible(actor, Question)`` is the bank a teacher may use; ``question_bank`` narrows it by scope,
  tag and kind;
- ``learner_answers(actor, learner_id)``: a learner's scored answers (spec, correct, when), through the
  ``AttemptAnswer`` rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.common.dates import in_force
from commonroom.people.models import Group, GroupMembership, Learner
from commonroom.people.policies import learner_institutions
from commonroom.quizzes import services
from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, QuizQuestion
from commonroom.quizzes.spec import Result, describe_answer, score
from commonroom.quizzes.taking import Shown, shown

# The bank ------------------------------------------------------------------------------------------


def question_bank(actor: Actor, *, scope: str = "mine", tag: str = "", kind: str = "") -> list[Question]:
    """``mine``: the actor's own questions; ``shared``: others' questions shared with them; ``all``: both."""
    rows = visible(actor, Question).select_related("owner", "institution")
    if scope == "mine":
        rows = rows.filter(owner_id=actor.person_id)
    elif scope == "shared":
        rows = rows.exclude(owner_id=actor.person_id)
    if kind:
        rows = rows.filter(kind=kind)
    questions = list(rows.order_by("-updated_at", "pk")[:500])
    if tag:
        questions = [q for q in questions if tag in (q.skills or [])]
    return questions


def bank_tags(questions: list[Question]) -> list[str]:
    return sorted({t for q in questions for t in (q.skills or [])})


@dataclass
class QuestionView:
    question: Question
    can_manage: bool
    answer: str
    used_in: int


def question_detail(actor: Actor, pk: Any) -> QuestionView:
    question = get_for(actor, Question, pk, queryset=Question.objects.select_related("owner", "institution", "copied_from"))
    return QuestionView(question, can(actor, "manage", question), describe_answer(question.to_spec()),
                        QuizQuestion.objects.filter(question=question).count())


# Quizzes -------------------------------------------------------------------------------------------


@dataclass
class GroupQuizzes:
    group: Group
    quizzes: list[Quiz]
    can_manage: bool


def group_quizzes(actor: Actor, group_pk: Any) -> GroupQuizzes:
    group = get_for(actor, Group, group_pk, "view_quizzes")
    if group.kind != Group.Kind.TEACHING:
        raise NotFound()
    quizzes: list[Quiz] = list(visible(actor, Quiz).filter(group=group).order_by("-created_at", "pk"))
    return GroupQuizzes(group, quizzes, can(actor, "manage_quizzes", group))


def my_quizzes(actor: Actor) -> list[Quiz]:
    """Quizzes of the groups the actor belongs to or staffs today."""
    if actor.person_id is None:
        return []
    groups = Q(group_id__in=sorted(actor.staff_groups)) | Q(
        group_id__in=GroupMembership.objects.filter(in_force(on=actor.on), learner_id=actor.person_id).values("group_id"))
    return list(visible(actor, Quiz).filter(groups).select_related("group").order_by("-created_at", "pk")[:200])


def teaching_groups(actor: Actor) -> list[Group]:
    """The teaching groups whose quizzes the actor manages (for "set a quiz")."""
    return list(Group.objects.filter(pk__in=sorted(actor.staff_groups), kind=Group.Kind.TEACHING)
                .filter(visible_q_manage(actor)).order_by("code"))


def visible_q_manage(actor: Actor) -> Q:
    from commonroom.authz.registry import rule_for

    return rule_for(Group, "manage_quizzes").q(actor)


@dataclass
class QuizView:
    quiz: Quiz
    can_manage: bool
    can_results: bool
    can_take: bool
    is_open: bool
    released: bool
    questions: list[Question] = field(default_factory=list)
    my_attempts: list[Attempt] = field(default_factory=list)
    attempts_left: int | None = None
    current: Attempt | None = None


def quiz_detail(actor: Actor, pk: Any) -> QuizView:
    quiz = get_for(actor, Quiz, pk, queryset=Quiz.objects.select_related("group"))
    manage = can(actor, "manage", quiz)
    view = QuizView(quiz, manage, can(actor, "results", quiz), can(actor, "take", quiz), services.is_open(quiz),
                    services.feedback_released(quiz))
    if manage or view.can_results:
        view.questions = [qq.question for qq in QuizQuestion.objects.filter(quiz=quiz).select_related("question")
                          .order_by("position")]
    if view.can_take and actor.person_id is not None:
        view.my_attempts = list(Attempt.objects.filter(quiz=quiz, learner_id=actor.person_id).order_by("number"))
        view.current = next((a for a in view.my_attempts if a.state == Attempt.State.STARTED), None)
        view.attempts_left = services.attempts_left(quiz, actor.person_id)
    return view


# Attempts ------------------------------------------------------------------------------------------


@dataclass
class AttemptItem:
    shown: Shown
    answer: AttemptAnswer
    result: Result | None
    right_answer: str


@dataclass
class AttemptView:
    attempt: Attempt
    quiz: Quiz
    items: list[AttemptItem]
    released: bool  # score and feedback may be shown
    is_own: bool
    learner_name: str


def attempt_view(actor: Actor, pk: Any) -> AttemptView:
    attempt = get_for(actor, Attempt, pk, queryset=Attempt.objects.select_related("quiz__group", "learner__person"))
    quiz = attempt.quiz
    is_own = attempt.learner_id == actor.person_id
    submitted = attempt.state == Attempt.State.SUBMITTED
    released = submitted and (not is_own or services.feedback_released(quiz))
    if not is_own:
        audit.record_learner_read(actor, attempt.learner, what="quiz_attempt",
                                  institution_ids=set(learner_institutions(actor, attempt.learner_id)),
                                  detail={"attempt": attempt.pk})
    items = []
    for answer in attempt.answers.all().order_by("position"):
        spec = answer.to_spec()
        item = shown(answer.position, spec, seed=str(attempt.token), response=answer.response)
        result = score(spec, answer.response) if released else None
        items.append(AttemptItem(item, answer, result, describe_answer(spec) if released else ""))
    return AttemptView(attempt, quiz, items, released, is_own, attempt.learner.person.full_name)


def my_results(actor: Actor) -> list[Attempt]:
    """The signed-in learner's handed-in attempts (scores shown only where released)."""
    if actor.person_id is None:
        return []
    attempts = list(visible(actor, Attempt).filter(learner_id=actor.person_id, state=Attempt.State.SUBMITTED)
                    .select_related("quiz__group").order_by("-submitted_at")[:200])
    for attempt in attempts:
        attempt.released = services.feedback_released(attempt.quiz)  # type: ignore[attr-defined]
    return attempts


def learner_answers(actor: Actor, learner_id: int) -> list[AttemptAnswer]:
    """A learner's scored answers, oldest first, as far as the actor may see them."""
    return list(visible(actor, AttemptAnswer).filter(attempt__learner_id=learner_id, attempt__state=Attempt.State.SUBMITTED)
                .select_related("attempt").order_by("attempt__submitted_at", "position"))


# Results -------------------------------------------------------------------------------------------


@dataclass
class LearnerRow:
    learner_id: int
    name: str
    attempts: int
    best: float | None
    latest: float | None
    latest_attempt_id: int | None


@dataclass
class QuestionStat:
    question_id: int
    prompt: str
    kind: str
    answered: int
    correct: int

    @property
    def facility(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.correct / self.answered) if self.answered else None


@dataclass
class Results:
    quiz: Quiz
    rows: list[LearnerRow]
    stats: list[QuestionStat]
    max_score: int


def question_stats(actor: Actor, pk: Any) -> tuple[Quiz, list[QuestionStat]]:
    """Per question: how many handed-in answers, how many right (facility = right / answered)."""
    quiz = get_for(actor, Quiz, pk, "results", queryset=Quiz.objects.select_related("group"))
    counts = (AttemptAnswer.objects.filter(attempt__quiz=quiz, attempt__state=Attempt.State.SUBMITTED,
                                           question__isnull=False)
              .values("question_id").annotate(n=Count("pk"), right=Count("pk", filter=Q(correct=True))))
    by_id = {row["question_id"]: row for row in counts}
    fixed = list(QuizQuestion.objects.filter(quiz=quiz).order_by("position").values_list("question_id", flat=True))
    order = fixed + sorted(pk for pk in by_id if pk not in fixed)
    prompts = {q.pk: q for q in Question.objects.filter(pk__in=order).only("pk", "prompt", "kind")}
    stats = [QuestionStat(pk, prompts[pk].prompt, prompts[pk].kind, by_id.get(pk, {}).get("n", 0),
                          by_id.get(pk, {}).get("right", 0)) for pk in order if pk in prompts]
    return quiz, stats


def quiz_results(actor: Actor, pk: Any) -> Results:
    quiz, stats = question_stats(actor, pk)
    barred = _barred(actor)
    members = list(GroupMembership.objects.filter(in_force(on=actor.on), group_id=quiz.group_id)
                   .exclude(learner_id__in=barred).values_list("learner_id", flat=True))
    attempts = list(Attempt.objects.filter(quiz=quiz, state=Attempt.State.SUBMITTED).exclude(learner_id__in=barred)
                    .order_by("learner_id", "number").values_list("learner_id", "pk", "score"))
    ids = sorted(set(members) | {a[0] for a in attempts})
    names = {pk: f"{given} {family}" for pk, given, family in Learner.objects.filter(pk__in=ids)
             .values_list("pk", "person__given_name", "person__family_name")}
    rows = []
    for learner_id in sorted(ids, key=lambda i: (names.get(i, "").split(" ")[-1], names.get(i, ""), i)):
        mine = [a for a in attempts if a[0] == learner_id]
        scores = [a[2] for a in mine if a[2] is not None]
        rows.append(LearnerRow(learner_id, names.get(learner_id, ""), len(mine), max(scores) if scores else None,
                               mine[-1][2] if mine else None, mine[-1][1] if mine else None))
    audit.record_learner_list_read(actor, ids, what="quiz_results")
    max_score = Attempt.objects.filter(quiz=quiz).values_list("max_score", flat=True).first() or sum(
        q.points for q in Question.objects.filter(pk__in=QuizQuestion.objects.filter(quiz=quiz).values("question_id")))
    return Results(quiz, rows, stats, max_score)


def _barred(actor: Actor) -> list[int]:
    from commonroom.people.policies import barred_learner_ids

    return sorted(barred_learner_ids(actor))


def now() -> Any:
    return timezone.now()


def questions_for_quiz_form(actor: Actor, group: Group, quiz: Quiz | None, *, limit: int = 300) -> list[Question]:
    """The questions the quiz form offers: those already on the quiz (whoever's they are: the quiz is the
    group's, managed by this actor), then the most recently changed ones this actor may use."""
    from commonroom.authz.api import require

    require(actor, "manage_quizzes", group)
    on_quiz = list(Question.objects.filter(pk__in=QuizQuestion.objects.filter(quiz=quiz).values("question_id"))
                   .select_related("owner")) if quiz else []
    seen = {q.pk for q in on_quiz}
    recent = [q for q in visible(actor, Question).select_related("owner").order_by("-updated_at", "pk")[:limit]
              if q.pk not in seen]
    return on_quiz + recent
