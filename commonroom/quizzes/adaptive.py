"""Adaptive practice: Elo-style ratings per learner skill and per question (pure functions, no DB).

The method and its parameters are explained in docs/adr/0012-adaptive-practice.md. In short:

- each learner has a rating ``theta`` per skill (tag), starting at 0;
- each question has a difficulty ``d``, starting at 0;
- the chance that the learner answers the question right is ``P = 1 / (1 + exp(-(theta - d)))``,
  where ``theta`` is the mean of the learner's ratings over the question's skills;
- after an answer with outcome ``o`` (1 right, 0 wrong, the score's fraction for partial credit)
  every rating of the question's skills moves by ``K_learner(n) * (o - P)`` and the difficulty by
  ``-K_question(m) * (o - P)``, where ``n`` and ``m`` count earlier answers (the "uncertainty function":
  early answers move a rating a lot, later ones less);
- ratings are kept within ``[-RATING_LIMIT, RATING_LIMIT]``;
- a skill is *mastered* after at least ``MASTERY_MIN_ANSWERS`` answers with a rating at which the learner
  would answer a question of average difficulty (``d = 0``) right with probability ``MASTERY_PROBABILITY``.

The next question favours skills that are not yet mastered, aims at a chance of success near
``TARGET_PROBABILITY``, avoids the last few questions asked, and is deterministic given a seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

RATING_LIMIT = 5.0
TARGET_PROBABILITY = 0.7
MASTERY_PROBABILITY = 0.8
NEARLY_PROBABILITY = 0.6
MASTERY_MIN_ANSWERS = 5
AVOID_RECENT = 3
CLOSEST_POOL = 3
# Uncertainty functions K(n) = alpha / (1 + beta * n), with a floor so that a learner's rating keeps following them.
LEARNER_ALPHA = 1.0
LEARNER_BETA = 0.1
LEARNER_FLOOR = 0.2
QUESTION_ALPHA = 1.0
QUESTION_BETA = 0.05
QUESTION_FLOOR = 0.05
# Skill used for a question without tags, so that untagged questions are still rated and chosen.
UNTAGGED = "untagged"

NOT_STARTED = "not_started"
PRACTISING = "practising"
NEARLY = "nearly"
MASTERED = "mastered"
MASTERY_LABELS = {
    NOT_STARTED: "Not started",
    PRACTISING: "Practising",
    NEARLY: "Nearly there",
    MASTERED: "Mastered",
}
MASTERY_ORDER = (NOT_STARTED, PRACTISING, NEARLY, MASTERED)


@dataclass(frozen=True)
class SkillEstimate:
    """A learner's record on one skill."""

    rating: float = 0.0
    answers: int = 0
    correct: int = 0


@dataclass(frozen=True)
class Candidate:
    """A question that may be asked next."""

    id: Hashable
    skills: tuple[str, ...]
    difficulty: float = 0.0


def clamp(value: float, limit: float = RATING_LIMIT) -> float:
    if math.isnan(value):
        return 0.0
    return max(-limit, min(limit, value))


def probability(ability: float, difficulty: float) -> float:
    """Chance of a right answer (logistic in ability minus difficulty), strictly between 0 and 1."""
    x = clamp(ability, 2 * RATING_LIMIT) - clamp(difficulty, 2 * RATING_LIMIT)
    return 1.0 / (1.0 + math.exp(-x))


def learner_k(answers: int) -> float:
    return max(LEARNER_FLOOR, LEARNER_ALPHA / (1.0 + LEARNER_BETA * max(0, answers)))


def question_k(answers: int) -> float:
    return max(QUESTION_FLOOR, QUESTION_ALPHA / (1.0 + QUESTION_BETA * max(0, answers)))


def skills_of(tags: Iterable[str]) -> tuple[str, ...]:
    """The skills a question practises: its tags without repeats, or (UNTAGGED,) when it has none."""
    seen: list[str] = []
    for tag in tags:
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen) or (UNTAGGED,)


def ability_for(estimates: Mapping[str, SkillEstimate], skills: Sequence[str]) -> float:
    """The learner's ability on a question: the mean of their ratings over its skills (0 for an unseen skill)."""
    skills = skills or (UNTAGGED,)
    return sum(estimates.get(s, SkillEstimate()).rating for s in skills) / len(skills)


def outcome_of(score: float, points: float) -> float:
    """An answer's outcome between 0 and 1 (the fraction of the points scored)."""
    if points <= 0:
        return 0.0
    return max(0.0, min(1.0, score / points))


def update_estimate(estimate: SkillEstimate, *, expected: float, outcome: float) -> SkillEstimate:
    """A learner's skill after one answer whose predicted chance of success was ``expected``."""
    outcome = max(0.0, min(1.0, outcome))
    rating = clamp(estimate.rating + learner_k(estimate.answers) * (outcome - expected))
    return SkillEstimate(
        rating=rating,
        answers=estimate.answers + 1,
        correct=estimate.correct + (1 if outcome >= 1.0 else 0),
    )


def update_difficulty(difficulty: float, *, answers: int, expected: float, outcome: float) -> float:
    """A question's difficulty after one answer (``answers`` = answers it had before)."""
    outcome = max(0.0, min(1.0, outcome))
    return clamp(difficulty - question_k(answers) * (outcome - expected))


@dataclass(frozen=True)
class AnswerUpdate:
    expected: float
    estimates: dict[str, SkillEstimate]
    difficulty: float


def record_answer(
    estimates: Mapping[str, SkillEstimate],
    *,
    skills: Sequence[str],
    difficulty: float,
    question_answers: int,
    outcome: float,
) -> AnswerUpdate:
    """Everything one answer changes: the learner's estimate on each of the question's skills, and its difficulty.

    Only the skills of the question are returned in ``estimates``; the others are unchanged.
    """
    skills = skills_of(skills)
    expected = probability(ability_for(estimates, skills), difficulty)
    new = {
        skill: update_estimate(estimates.get(skill, SkillEstimate()), expected=expected, outcome=outcome)
        for skill in skills
    }
    return AnswerUpdate(
        expected=expected,
        estimates=new,
        difficulty=update_difficulty(difficulty, answers=question_answers, expected=expected, outcome=outcome),
    )


def mastery(estimate: SkillEstimate | None) -> str:
    """The mastery label of one skill (one of MASTERY_ORDER)."""
    if estimate is None or estimate.answers == 0:
        return NOT_STARTED
    chance = probability(estimate.rating, 0.0)
    if estimate.answers >= MASTERY_MIN_ANSWERS and chance >= MASTERY_PROBABILITY:
        return MASTERED
    if chance >= NEARLY_PROBABILITY:
        return NEARLY
    return PRACTISING


def is_mastered(estimate: SkillEstimate | None) -> bool:
    return mastery(estimate) == MASTERED


def choose_next(
    candidates: Sequence[Candidate],
    estimates: Mapping[str, SkillEstimate],
    *,
    recent: Sequence[Hashable] = (),
    seed: int | str = 0,
    target: float = TARGET_PROBABILITY,
    avoid: int = AVOID_RECENT,
) -> Candidate | None:
    """The next question to ask, or None when there are no candidates.

    1. Leave out the last ``avoid`` questions in ``recent`` (most recent last), unless that leaves nothing.
    2. If some of the rest practise a skill that is not mastered, keep only those.
    3. Among them, take the ``CLOSEST_POOL`` whose chance of success is nearest ``target`` and pick one
       with a random generator seeded by ``seed`` (so the same record and seed give the same question).
    """
    if not candidates:
        return None
    recent_ids = set(list(recent)[-avoid:]) if avoid > 0 else set()
    pool = [c for c in candidates if c.id not in recent_ids] or list(candidates)
    unmastered = [c for c in pool if any(not is_mastered(estimates.get(s)) for s in skills_of(c.skills))]
    pool = unmastered or pool

    def distance(c: Candidate) -> tuple[float, str]:
        p = probability(ability_for(estimates, skills_of(c.skills)), c.difficulty)
        return (round(abs(p - target), 9), str(c.id))

    ranked = sorted(pool, key=distance)
    closest = ranked[:CLOSEST_POOL]
    rng = random.Random(str(seed))  # a string seed is hashed the same way in every process
    return closest[rng.randrange(len(closest))]


def summarise(
    estimates: Mapping[str, SkillEstimate], skills: Iterable[str] = ()
) -> list[tuple[str, SkillEstimate, str]]:
    """(skill, estimate, mastery label) for every skill in ``estimates`` and ``skills``, sorted by skill."""
    names = sorted(set(estimates) | set(skills))
    return [(name, estimates.get(name, SkillEstimate()), mastery(estimates.get(name))) for name in names]


def success_percent(estimate: SkillEstimate) -> int:
    """The rating shown to a learner: the chance in percent of answering a question of average difficulty right."""
    return round(100 * probability(estimate.rating, 0.0))
