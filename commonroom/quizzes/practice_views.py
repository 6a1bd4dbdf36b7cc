"""Adaptive practice pages: one question at a time, feedback straight away, mastery per skill.

The flow is post/redirect/get and works without JavaScript: the practice page shows the learner's open
turn (served once, so a reload shows the same question); posting an answer records it and redirects to
the turn's feedback, whose "Next question" goes back to the practice page. Posting the same turn again
(a double click, the back button) shows the first answer's feedback and changes nothing.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.views import apply_service_errors
from commonroom.quizzes import adaptive, practice_selectors, practice_services
from commonroom.quizzes.practice_forms import AnswerForm
from commonroom.quizzes.practice_models import PracticeTurn


@login_required
def practice_home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "quizzes/practice/home.html", {
        "quizzes": list(practice_selectors.practisable_quizzes(actor)), "is_learner": actor.is_learner})


@login_required
@require_http_methods(["GET", "POST"])
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    quiz = practice_selectors.quiz_to_practise(actor, pk)
    if request.method == "POST":
        turn = get_for(actor, PracticeTurn, request.POST.get("turn"), "answer",
                       queryset=PracticeTurn.objects.select_related("quiz", "quiz__group"))
        if turn.quiz_id != quiz.pk:
            raise NotFound()
        if turn.answered:  # a second submit of the same question: its first answer stands
            return redirect("practice:turn", pk=turn.pk)
        form = AnswerForm(request.POST, spec=practice_services.turn_spec(turn), shuffle_seed=turn.pk)
        if form.is_valid():
            try:
                practice_services.practice_answer(actor=actor, turn=turn, response=form.response())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect("practice:turn", pk=turn.pk)
    else:
        served = practice_services.practice_next(actor=actor, quiz=quiz)
        if served is None:
            return render(request, "quizzes/practice/practice.html", {"quiz": quiz, "turn": None})
        turn = served
        form = AnswerForm(initial={"turn": turn.pk}, spec=practice_services.turn_spec(turn), shuffle_seed=turn.pk)
    return render(request, "quizzes/practice/practice.html", {
        "quiz": quiz, "turn": turn, "form": form,
        "answered": practice_selectors.turns_answered(quiz, turn.learner_id)})


@login_required
def turn(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    view = practice_selectors.turn_view(actor, pk)
    return render(request, "quizzes/practice/turn.html", {
        "view": view, "own": actor.person_id == view.turn.learner_id})


@login_required
def my_skills(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    data = practice_selectors.skills_for_learner(actor, actor.person_id) if actor.is_learner else None
    return render(request, "quizzes/practice/skills.html", {"data": data, "own": True, "labels": adaptive.MASTERY_LABELS})


@login_required
def learner_skills(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    data = practice_selectors.skills_for_learner(actor, pk)
    return render(request, "quizzes/practice/skills.html", {
        "data": data, "own": actor.person_id == data.learner.pk, "labels": adaptive.MASTERY_LABELS})


@login_required
def group_skills(request: HttpRequest, pk: int) -> HttpResponse:
    data = practice_selectors.group_mastery(actor_for(request), pk)
    return render(request, "quizzes/practice/group_skills.html", {"data": data})
