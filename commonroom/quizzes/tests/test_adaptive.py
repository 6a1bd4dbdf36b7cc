"""Properties of the adaptive-practice functions (Elo ratings per skill and per question)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonroom.quizzes import adaptive
from commonroom.quizzes.adaptive import Candidate, SkillEstimate

ratings = st.floats(min_value=-adaptive.RATING_LIMIT, max_value=adaptive.RATING_LIMIT, allow_nan=False)
counts = st.integers(min_value=0, max_value=10_000)
outcomes = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
skill_names = st.sampled_from(["fractions", "ratio", "algebra", "angles", "area"])
estimates_st = st.dictionaries(
    skill_names,
    st.builds(SkillEstimate, rating=ratings, answers=st.integers(0, 50), correct=st.just(0)),
)


def logistic(x):
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize(
    ("ability", "difficulty", "expected"),
    [(0, 0, 0.5), (1, 0, 0.7310585786), (0, 1, 0.2689414214), (2, -1, 0.9525741268), (-5, 5, 0.0000453979)],
)
def test_probability_is_the_logistic_of_ability_minus_difficulty(ability, difficulty, expected):
    assert adaptive.probability(ability, difficulty) == pytest.approx(expected, abs=1e-9)


@given(ratings, ratings)
def test_probability_is_strictly_between_0_and_1_and_symmetric(a, d):
    p = adaptive.probability(a, d)
    assert 0 < p < 1
    assert p + adaptive.probability(d, a) == pytest.approx(1.0)


@given(ratings, ratings, ratings)
def test_probability_rises_with_ability_and_falls_with_difficulty(a, b, d):
    lo, hi = sorted((a, b))
    assert adaptive.probability(lo, d) <= adaptive.probability(hi, d)
    assert adaptive.probability(d, hi) <= adaptive.probability(d, lo)


def test_worked_example_first_answer():
    # A new learner (rating 0, no answers) answers a new question (difficulty 0) right:
    # P = 0.5, K_learner(0) = 1, K_question(0) = 1, so the rating goes to 0.5 and the difficulty to -0.5.
    update = adaptive.record_answer({}, skills=("fractions",), difficulty=0.0, question_answers=0, outcome=1.0)
    assert update.expected == 0.5
    assert update.estimates == {"fractions": SkillEstimate(rating=0.5, answers=1, correct=1)}
    assert update.difficulty == -0.5


def test_worked_example_later_answer():
    # Rating 1.0 after 10 answers, difficulty 0.5 after 20 answers, wrong answer:
    # P = logistic(0.5); K_learner(10) = 1/(1+0.1*10) = 0.5; K_question(20) = 1/(1+0.05*20) = 0.5.
    p = logistic(0.5)
    update = adaptive.record_answer(
        {"ratio": SkillEstimate(rating=1.0, answers=10, correct=7)},
        skills=("ratio",),
        difficulty=0.5,
        question_answers=20,
        outcome=0.0,
    )
    assert update.expected == pytest.approx(p)
    assert update.estimates["ratio"].rating == pytest.approx(1.0 - 0.5 * p)
    assert update.estimates["ratio"].answers == 11
    assert update.estimates["ratio"].correct == 7
    assert update.difficulty == pytest.approx(0.5 + 0.5 * p)


@pytest.mark.parametrize(("n", "k"), [(0, 1.0), (10, 0.5), (30, 0.25), (40, 0.2), (1000, 0.2)])
def test_learner_k_shrinks_to_its_floor(n, k):
    assert adaptive.learner_k(n) == pytest.approx(k)


@pytest.mark.parametrize(("n", "k"), [(0, 1.0), (20, 0.5), (60, 0.25), (380, 0.05), (10_000, 0.05)])
def test_question_k_shrinks_to_its_floor(n, k):
    assert adaptive.question_k(n) == pytest.approx(k)


@given(ratings, st.integers(0, 200), ratings, counts, outcomes)
def test_estimates_move_the_right_way_and_stay_bounded(rating, answers, difficulty, q_answers, outcome):
    before = SkillEstimate(rating=rating, answers=answers)
    update = adaptive.record_answer(
        {"algebra": before}, skills=("algebra",), difficulty=difficulty, question_answers=q_answers, outcome=outcome
    )
    after = update.estimates["algebra"]
    assert after.answers == answers + 1
    assert -adaptive.RATING_LIMIT <= after.rating <= adaptive.RATING_LIMIT
    assert -adaptive.RATING_LIMIT <= update.difficulty <= adaptive.RATING_LIMIT
    if outcome > update.expected:  # did better than predicted: learner up, question easier
        assert after.rating >= rating
        assert update.difficulty <= difficulty
    elif outcome < update.expected:
        assert after.rating <= rating
        assert update.difficulty >= difficulty


@given(ratings, st.integers(0, 200), ratings, counts)
def test_a_right_answer_never_counts_less_than_a_wrong_one(rating, answers, difficulty, q_answers):
    est = {"area": SkillEstimate(rating=rating, answers=answers)}
    right = adaptive.record_answer(est, skills=("area",), difficulty=difficulty, question_answers=q_answers, outcome=1)
    wrong = adaptive.record_answer(est, skills=("area",), difficulty=difficulty, question_answers=q_answers, outcome=0)
    assert right.estimates["area"].rating > wrong.estimates["area"].rating
    assert right.difficulty < wrong.difficulty
    assert right.estimates["area"].correct == wrong.estimates["area"].correct + 1


@given(estimates_st, st.lists(skill_names, min_size=1, max_size=3), ratings, outcomes)
def test_only_the_questions_skills_change(estimates, skills, difficulty, outcome):
    update = adaptive.record_answer(
        estimates, skills=skills, difficulty=difficulty, question_answers=0, outcome=outcome
    )
    assert set(update.estimates) == set(skills)


def test_untagged_questions_are_rated_under_one_skill():
    update = adaptive.record_answer({}, skills=(), difficulty=0.0, question_answers=0, outcome=1.0)
    assert set(update.estimates) == {adaptive.UNTAGGED}


def test_many_right_answers_lead_to_mastery_and_many_wrong_ones_do_not():
    est = {}
    labels = []
    for _ in range(12):
        update = adaptive.record_answer(est, skills=("fractions",), difficulty=0.0, question_answers=0, outcome=1.0)
        est = {**est, **update.estimates}
        labels.append(adaptive.mastery(est["fractions"]))
    assert labels[0] != adaptive.MASTERED  # one answer is never enough
    assert labels[adaptive.MASTERY_MIN_ANSWERS - 2] != adaptive.MASTERED
    assert labels[-1] == adaptive.MASTERED
    est = {}
    for _ in range(30):
        update = adaptive.record_answer(est, skills=("fractions",), difficulty=0.0, question_answers=0, outcome=0.0)
        est = {**est, **update.estimates}
    assert adaptive.mastery(est["fractions"]) == adaptive.PRACTISING


@pytest.mark.parametrize(
    ("estimate", "label"),
    [
        (None, adaptive.NOT_STARTED),
        (SkillEstimate(rating=3.0, answers=0), adaptive.NOT_STARTED),
        (SkillEstimate(rating=3.0, answers=4), adaptive.NEARLY),  # too few answers to be mastered
        (SkillEstimate(rating=math.log(4) + 1e-9, answers=5), adaptive.MASTERED),  # P(d=0) just over 0.8
        (SkillEstimate(rating=math.log(4) - 1e-3, answers=50), adaptive.NEARLY),
        (SkillEstimate(rating=math.log(1.5) + 1e-9, answers=3), adaptive.NEARLY),  # P(d=0) just over 0.6
        (SkillEstimate(rating=math.log(1.5) - 1e-3, answers=3), adaptive.PRACTISING),
        (SkillEstimate(rating=-2.0, answers=20), adaptive.PRACTISING),
    ],
)
def test_mastery_labels(estimate, label):
    assert adaptive.mastery(estimate) == label


@given(st.integers(0, 100), ratings, ratings)
def test_mastery_is_monotone_in_rating(answers, a, b):
    lo, hi = sorted((a, b))
    order = adaptive.MASTERY_ORDER
    lo_label = adaptive.mastery(SkillEstimate(rating=lo, answers=answers))
    hi_label = adaptive.mastery(SkillEstimate(rating=hi, answers=answers))
    assert order.index(lo_label) <= order.index(hi_label)


# Choosing the next question

MASTERED_EST = SkillEstimate(rating=3.0, answers=20, correct=19)


def test_no_candidates_gives_none():
    assert adaptive.choose_next([], {}) is None


@given(
    st.lists(st.tuples(skill_names, ratings), min_size=1, max_size=12),
    st.sets(skill_names),
    st.integers(),
)
def test_selection_favours_unmastered_skills(questions, mastered, seed):
    candidates = [Candidate(id=i, skills=(s,), difficulty=d) for i, (s, d) in enumerate(questions)]
    estimates = {s: MASTERED_EST for s in mastered}
    chosen = adaptive.choose_next(candidates, estimates, seed=seed)
    assert chosen is not None
    if any(s not in mastered for s, _ in questions):
        assert chosen.skills[0] not in mastered


@given(st.lists(ratings, min_size=4, max_size=12, unique=True), st.integers())
def test_selection_is_among_the_closest_to_the_target(difficulties, seed):
    candidates = [Candidate(id=i, skills=("ratio",), difficulty=d) for i, d in enumerate(difficulties)]
    chosen = adaptive.choose_next(candidates, {}, seed=seed)
    distances = sorted(abs(adaptive.probability(0.0, d) - 0.7) for d in difficulties)
    assert abs(adaptive.probability(0.0, chosen.difficulty) - 0.7) <= distances[adaptive.CLOSEST_POOL - 1] + 1e-9


def test_selection_targets_a_chance_of_success_near_0_7():
    # Ability 0: difficulty -ln(0.7/0.3) = -0.847 gives exactly 0.7. With the pool cut to one, it is always chosen.
    candidates = [Candidate(id=n, skills=("angles",), difficulty=d) for n, d in enumerate([2.0, 0.0, -0.847, -3.0])]
    for seed in range(20):
        chosen = adaptive.choose_next(candidates, {}, seed=seed, avoid=0)
        assert chosen.id in {1, 2, 3}  # the three nearest: P = 0.70, 0.50, 0.95 (not 0.12)
    adaptive_pool = adaptive.CLOSEST_POOL
    try:
        adaptive.CLOSEST_POOL = 1
        assert adaptive.choose_next(candidates, {}, seed=1).id == 2
    finally:
        adaptive.CLOSEST_POOL = adaptive_pool


@given(st.lists(st.tuples(skill_names, ratings), min_size=5, max_size=12), st.integers(), st.data())
def test_the_last_few_are_not_repeated(questions, seed, data):
    candidates = [Candidate(id=i, skills=(s,), difficulty=d) for i, (s, d) in enumerate(questions)]
    recent = data.draw(st.lists(st.sampled_from(range(len(candidates))), max_size=6))
    chosen = adaptive.choose_next(candidates, {}, recent=recent, seed=seed)
    assert chosen.id not in recent[-adaptive.AVOID_RECENT :]


def test_a_recent_question_is_asked_again_when_nothing_else_is_left():
    only = Candidate(id="q1", skills=("area",))
    assert adaptive.choose_next([only], {}, recent=["q1"]) == only


@settings(max_examples=50)
@given(
    st.lists(st.tuples(skill_names, ratings), min_size=1, max_size=12),
    estimates_st,
    st.lists(st.integers(0, 11), max_size=5),
    st.integers(),
)
def test_selection_is_deterministic_given_a_seed(questions, estimates, recent, seed):
    candidates = [Candidate(id=i, skills=(s,), difficulty=d) for i, (s, d) in enumerate(questions)]
    first = adaptive.choose_next(candidates, estimates, recent=recent, seed=seed)
    assert first in candidates
    for _ in range(3):
        assert adaptive.choose_next(list(reversed(candidates)), estimates, recent=recent, seed=seed) == first


def test_different_seeds_give_variety():
    candidates = [Candidate(id=i, skills=("algebra",), difficulty=-0.85) for i in range(6)]
    chosen = {adaptive.choose_next(candidates, {}, seed=s).id for s in range(40)}
    assert len(chosen) == adaptive.CLOSEST_POOL


def test_a_simulated_learner_is_steered_to_the_skill_they_have_not_mastered():
    # A learner who always gets fractions right and ratio wrong: after a while, every question is on ratio.
    candidates = [
        Candidate(id=f"{s}{i}", skills=(s,), difficulty=0.0) for s in ("fractions", "ratio") for i in range(5)
    ]
    est: dict[str, SkillEstimate] = {}
    recent: list = []
    asked = []
    for turn in range(40):
        q = adaptive.choose_next(candidates, est, recent=recent, seed=turn)
        outcome = 1.0 if q.skills[0] == "fractions" else 0.0
        update = adaptive.record_answer(
            est, skills=q.skills, difficulty=q.difficulty, question_answers=0, outcome=outcome
        )
        est = {**est, **update.estimates}
        recent.append(q.id)
        asked.append(q.skills[0])
    assert adaptive.mastery(est["fractions"]) == adaptive.MASTERED
    assert adaptive.mastery(est["ratio"]) == adaptive.PRACTISING
    assert set(asked[-10:]) == {"ratio"}


@pytest.mark.parametrize(
    ("score", "points", "outcome"), [(1, 1, 1.0), (0, 1, 0.0), (1, 2, 0.5), (5, 2, 1.0), (1, 0, 0.0)]
)
def test_outcome_of(score, points, outcome):
    assert adaptive.outcome_of(score, points) == outcome


def test_summarise_lists_every_skill_with_its_label():
    rows = adaptive.summarise({"ratio": MASTERED_EST}, skills=["area"])
    assert rows == [("area", SkillEstimate(), adaptive.NOT_STARTED), ("ratio", MASTERED_EST, adaptive.MASTERED)]
    assert adaptive.success_percent(SkillEstimate(rating=0.0)) == 50
    assert adaptive.success_percent(SkillEstimate(rating=math.log(4))) == 80
