"""Pages: the question bank (list, write, change, copy), a group's quizzes (list, set, change), taking a
quiz (one page, all questions, no JavaScript), an attempt's result and feedback, and a quiz's results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.views import apply_service_errors
from commonroom.people.models import Group
from commonroom.quizzes import selectors, services
from commonroom.quizzes.forms import QuestionForm, QuizForm, kind_or_none
from commonroom.quizzes.models import Attempt, Question, Quiz, QuizQuestion
from commonroom.quizzes.policies import is_author
from commonroom.quizzes.spec import KIND_LABELS, KINDS
from commonroom.quizzes.taking import read_response, shown

# The bank ------------------------------------------------------------------------------------------


@login_required
def bank(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not is_author(actor):
        raise NotFound()
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in ("mine", "shared", "all") else "mine"
    tag = request.GET.get("tag", "")[:50]
    kind = kind_or_none(request.GET.get("kind")) or ""
    questions = selectors.question_bank(actor, scope=scope, tag=tag, kind=kind)
    return render(request, "quizzes/bank.html", {
        "questions": questions, "scope": scope, "tag": tag, "kind": kind, "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "tags": selectors.bank_tags(questions) if not tag else [tag]})


def _question_form(request: HttpRequest, kind: str, question: Question | None) -> HttpResponse:
    actor = actor_for(request)
    form = QuestionForm(request.POST or None, kind=kind, identifier=question.identifier if question else "",
                        initial=QuestionForm.initial_for(question) if question else None)
    if request.method == "POST" and form.is_valid() and form.spec is not None:
        try:
            saved = services.question_save(actor=actor, spec=form.spec, visibility=form.cleaned_data["visibility"],
                                           question=question)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect("quizzes:question", pk=saved.pk)
    return render(request, "quizzes/question_form.html", {"form": form, "question": question, "kind": kind,
                                                           "kind_label": KIND_LABELS[kind]})


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not is_author(actor):
        raise NotFound()
    kind = kind_or_none(request.GET.get("kind"))
    if kind is None:
        return render(request, "quizzes/question_kind.html", {"kinds": [(k, KIND_LABELS[k]) for k in KINDS]})
    return _question_form(request, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for(actor_for(request), Question, pk, "manage")
    return _question_form(request, question.kind, question)


@login_required
def question(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.question_detail(actor_for(request), pk)
    preview = shown(0, view.question.to_spec(), seed=f"preview-{view.question.pk}")
    return render(request, "quizzes/question.html", {"view": view, "q": view.question, "preview": preview,
                                                      "kind_label": KIND_LABELS.get(view.question.kind, "")})


@login_required
@require_POST
def question_copy(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    original = get_for(actor, Question, pk)
    copy = services.question_copy(actor=actor, question=original)
    messages.success(request, _("Copied into your bank: change it as you like."))
    return redirect("quizzes:question_edit", pk=copy.pk)


# Quizzes -------------------------------------------------------------------------------------------


@login_required
def my_quizzes(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    quizzes = selectors.my_quizzes(actor)
    return render(request, "quizzes/my_quizzes.html", {
        "quizzes": quizzes, "results": selectors.my_results(actor) if actor.is_learner else [],
        "groups": selectors.teaching_groups(actor), "is_author": is_author(actor), "now": selectors.now()})


@login_required
def group_quizzes(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.group_quizzes(actor_for(request), pk)
    return render(request, "quizzes/group_quizzes.html", {"data": data})


def _quiz_form(request: HttpRequest, group: Group, quiz: Quiz | None) -> HttpResponse:
    actor = actor_for(request)
    bank = selectors.questions_for_quiz_form(actor, group, quiz)
    chosen = list(QuizQuestion.objects.filter(quiz=quiz).order_by("position").values_list("question_id", flat=True)) if quiz else []
    form = QuizForm(request.POST or None, bank=bank, chosen=chosen, initial=QuizForm.initial_for(quiz) if quiz else None)
    if request.method == "POST" and form.is_valid():
        state = Quiz.State.SET if "set" in request.POST else Quiz.State.DRAFT
        try:
            values = form.service_values()
            if form.errors:
                raise ValidationError({})
            saved = services.quiz_save(actor=actor, group=group, quiz=quiz, state=state, **values)
        except ValidationError as error:
            if getattr(error, "error_dict", None) or error.messages:
                apply_service_errors(form, _map_quiz_errors(error))
        else:
            messages.success(request, _("Quiz set: the group's learners can see it.") if state == Quiz.State.SET
                             else _("Draft saved: learners do not see it yet."))
            return redirect("quizzes:quiz", pk=saved.pk)
    ids = form.question_ids()
    order = {pk: n for n, pk in enumerate(ids, start=1)}
    rows = [(q, q.pk in order, order.get(q.pk, "")) for q in bank]
    rows.sort(key=lambda r: (not r[1], r[2] if r[1] else 0))
    return render(request, "quizzes/quiz_form.html", {"form": form, "group": group, "quiz": quiz, "rows": rows,
                                                       "question_error": form.errors.get("question_ids") if form.errors else None})


def _map_quiz_errors(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    names = {"opens_at": "opens_date", "closes_at": "closes_date", "question_ids": "__all__", "state": "__all__"}
    mapped: dict[str, list[str]] = {}
    for field, messages_ in error.message_dict.items():
        mapped.setdefault(names.get(field, field), []).extend(messages_)
    return ValidationError(mapped)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_for(actor_for(request), Group, pk, "manage_quizzes")
    if group.kind != Group.Kind.TEACHING:
        raise NotFound()
    return _quiz_form(request, group, None)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_for(actor_for(request), Quiz, pk, "manage", queryset=Quiz.objects.select_related("group"))
    return _quiz_form(request, quiz.group, quiz)


@login_required
def quiz(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.quiz_detail(actor_for(request), pk)
    return render(request, "quizzes/quiz.html", {"view": view})


@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the start page (or the attempt in progress). POST: start an attempt and go to its form."""
    actor = actor_for(request)
    quiz_ = get_for(actor, Quiz, pk, "take", queryset=Quiz.objects.select_related("group"))
    if request.method == "POST":
        try:
            attempt = services.attempt_start(actor=actor, quiz=quiz_)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("quizzes:quiz", pk=pk)
        return redirect("quizzes:attempt", pk=attempt.pk)
    current = Attempt.objects.filter(quiz=quiz_, learner_id=actor.person_id, state=Attempt.State.STARTED).first()
    if current is not None:
        return redirect("quizzes:attempt", pk=current.pk)
    return redirect("quizzes:quiz", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """The attempt: the form while in progress (for its learner), the answers and feedback once handed in."""
    actor = actor_for(request)
    view = selectors.attempt_view(actor, pk)
    errors: list[str] = []
    if request.method == "POST":
        if not view.is_own:
            raise NotFound()
        responses = {item.shown.position: read_response(item.shown, request.POST) for item in view.items}
        try:
            services.attempt_submit(actor=actor, attempt=view.attempt, token=request.POST.get("token", ""),
                                    responses=responses)
        except ValidationError as error:
            errors = error.messages
            for item in view.items:  # keep what was typed
                item.shown = shown(item.shown.position, item.shown.spec, seed=str(view.attempt.token),
                                   response=responses.get(item.shown.position))
        else:
            if view.attempt.state == Attempt.State.SUBMITTED:
                messages.info(request, _("These answers were already handed in."))
            else:
                messages.success(request, _("Your answers have been handed in."))
            return redirect("quizzes:attempt", pk=pk)
    return render(request, "quizzes/attempt.html", {"view": view, "errors": errors,
                                                     "in_progress": view.attempt.state == Attempt.State.STARTED})


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.quiz_results(actor_for(request), pk)
    bars = [{"n": n, "y": (n - 1) * 24, "width": round(300 * (s.facility or 0)),
             "label": f"{s.percent}%" if s.percent is not None else "–"} for n, s in enumerate(data.stats, start=1)]
    return render(request, "quizzes/results.html", {"data": data, "bars": bars, "chart_height": len(bars) * 24 + 4})
