"""Adaptive practice reads: what a learner may practise, a turn's feedback, mastery per skill.

Each starts from the policy's filter (``visible``/``get_for``); reads of another learner's skills are audited.
Query counts are constant in the number of skills, learners and turns (pinned in tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import get_for, visible
from commonroom.learning.services import group_roll
from commonroom.people.models import Group, Learner
from commonroom.people.policies import learner_institutions
from commonroom.quizzes import adaptive
from commonroom.quizzes.models import Quiz
from commonroom.quizzes.practice_models import PracticeTurn, SkillRating


def practisable_quizzes(actor: Actor) -> QuerySet[Quiz]:
    """Quizzes the actor may practise adaptively now (a learner's practice quizzes, set and open)."""
    return visible(actor, Quiz, "practise").select_related("group").order_by("group__name", "title", "pk")


def quiz_to_practise(actor: Actor, pk: object) -> Quiz:
    return get_for(actor, Quiz, pk, "practise", queryset=Quiz.objects.select_related("group", "institution"))


@dataclass(frozen=True)
class SkillRow:
    skill: str
    estimate: adaptive.SkillEstimate
    label: str

    @property
    def label_text(self) -> str:
        return adaptive.MASTERY_LABELS[self.label]

    @property
    def percent(self) -> int:
        return adaptive.success_percent(self.estimate)

    @property
    def mastered(self) -> bool:
        return self.label == adaptive.MASTERED


def _row(rating: SkillRating | None, skill: str) -> SkillRow:
    est = (adaptive.SkillEstimate(rating=rating.rating, answers=rating.answers, correct=rating.correct)
           if rating is not None else adaptive.SkillEstimate())
    return SkillRow(skill=skill, estimate=est, label=adaptive.mastery(est))


@dataclass
class TurnView:
    turn: PracticeTurn
    skills: list[SkillRow]
    right_answer: str


def turn_view(actor: Actor, pk: object) -> TurnView:
    """An answered turn with its feedback and the learner's mastery now on its skills (the learner, or the
    group's teachers). Not yet answered: 404 (the question is answered on the practice page)."""
    from commonroom.quizzes.practice_services import turn_spec
    from commonroom.quizzes.spec import describe_answer

    turn = get_for(actor, PracticeTurn, pk, queryset=PracticeTurn.objects.select_related("quiz", "quiz__group"))
    if not turn.answered:
        from commonroom.authz.api import NotFound

        raise NotFound()
    skills = sorted(adaptive.skills_of(turn.skills or ()))
    ratings = {r.skill: r for r in visible(actor, SkillRating).filter(
        institution_id=turn.institution_id, learner_id=turn.learner_id, skill__in=skills)}
    if actor.person_id != turn.learner_id:
        audit.record(actor, "read.practice", turn, learner_id=turn.learner_id, institution_id=turn.institution_id)
    return TurnView(turn=turn, skills=[_row(ratings.get(s), s) for s in skills],
                    right_answer=describe_answer(turn_spec(turn)))


@dataclass
class LearnerSkills:
    learner: Learner
    by_institution: list[tuple[str, list[SkillRow]]]

    @property
    def rows(self) -> list[SkillRow]:
        return [row for _name, rows in self.by_institution for row in rows]


def skills_for_learner(actor: Actor, learner_id: object) -> LearnerSkills:
    """A learner's mastery per skill (by school, then skill), for whoever may see the learner. Three queries,
    plus the audit of a read by anyone but the learner."""
    learner = get_for(actor, Learner, learner_id, queryset=Learner.objects.select_related("person"))
    rows = list(visible(actor, SkillRating).filter(learner_id=learner.pk).select_related("institution")
                .order_by("institution__name", "institution_id", "skill"))
    groups: dict[int, tuple[str, list[SkillRow]]] = {}
    for rating in rows:
        groups.setdefault(rating.institution_id, (rating.institution.name, []))[1].append(_row(rating, rating.skill))
    if actor.person_id != learner.pk and rows:
        audit.record_learner_read(actor, learner, what="skills",
                                  institution_ids=set(learner_institutions(actor, learner.pk)))
    return LearnerSkills(learner=learner, by_institution=list(groups.values()))


@dataclass
class SkillSummary:
    skill: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ordered(self) -> list[tuple[str, str, int]]:
        return [(label, adaptive.MASTERY_LABELS[label], self.counts.get(label, 0)) for label in adaptive.MASTERY_ORDER]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percent_mastered(self) -> int:
        return round(100 * self.counts.get(adaptive.MASTERED, 0) / self.total) if self.total else 0


@dataclass
class GroupMastery:
    group: Group
    skills: list[str]
    learners: list[tuple[int, str, list[SkillRow]]]
    summary: list[SkillSummary]


def group_skills(group_id: int) -> list[str]:
    """The skills practised in the group's quizzes (from the turns answered there)."""
    found: set[str] = set()
    for skills in (PracticeTurn.objects.filter(quiz__group_id=group_id, answered_at__isnull=False)
                   .values_list("skills", flat=True).distinct()):
        found.update(skills or ())
    return sorted(found)


def group_mastery(actor: Actor, group_id: object) -> GroupMastery:
    """Mastery per skill for every learner in the group (any the actor is barred from left out), on the skills
    practised in the group's quizzes, and how many learners are at each level per skill. Constant queries."""
    group = get_for(actor, Group, group_id, "manage_course")
    roll = group_roll(actor, group.pk)
    skills = group_skills(group.pk)
    ratings = {(r.learner_id, r.skill): r for r in visible(actor, SkillRating).filter(
        institution_id=group.institution_id, learner_id__in=sorted(roll), skill__in=skills)}
    learners = []
    summary = {s: SkillSummary(skill=s) for s in skills}
    for learner_id, name in roll.items():
        row = [_row(ratings.get((learner_id, s)), s) for s in skills]
        for cell in row:
            summary[cell.skill].counts[cell.label] = summary[cell.skill].counts.get(cell.label, 0) + 1
        learners.append((learner_id, name, row))
    if skills:
        audit.record_learner_list_read(actor, list(roll), what="skills")
    return GroupMastery(group=group, skills=skills, learners=learners, summary=list(summary.values()))


def turns_answered(quiz: Quiz, learner_id: int) -> int:
    return PracticeTurn.objects.filter(quiz=quiz, learner_id=learner_id, answered_at__isnull=False).count()
