"""Pages: my course spaces, a course space and its sections, homework (to-do list, setting, handing in,
the marks grid, returning), and a hand-in's file served as an attachment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.views import apply_service_errors
from commonroom.learning import selectors, services
from commonroom.learning.forms import AssignmentForm, HandInForm, MarkOneForm, SectionForm
from commonroom.learning.models import Assignment, CourseSpace, Section, Submission
from commonroom.people.models import Group, Learner


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    spaces = selectors.my_course_spaces(actor_for(request))
    return render(request, "learning/my_courses.html", {"spaces": spaces})


@login_required
def group_course(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's course space, created the first time someone who may see it opens it."""
    actor = actor_for(request)
    group = get_for(actor, Group, pk, "view_course")
    space = services.space_for_group(actor=actor, group=group)
    return redirect("learning:course", pk=space.pk)


@login_required
def course(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.course_space(actor_for(request), pk)
    return render(request, "learning/course.html", {"data": data})


@login_required
@require_http_methods(["GET", "POST"])
def section_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    space = get_for(actor, CourseSpace, pk, "manage", queryset=CourseSpace.objects.select_related("group"))
    return _section_form(request, space, None)


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    section = get_for(actor, Section, pk, "manage", queryset=Section.objects.select_related("space__group"))
    return _section_form(request, section.space, section)


def _section_form(request: HttpRequest, space: CourseSpace, section: Section | None) -> HttpResponse:
    initial = {"title": section.title, "body": section.body, "links": services.links_text(section.links)} if section else {}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_save(actor=actor_for(request), space=space, section=section, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Section saved."))
            return redirect("learning:course", pk=space.pk)
    return render(request, "learning/section_form.html", {"space": space, "section": section, "form": form})


@login_required
@require_POST
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    section = get_for(actor, Section, pk, "manage")
    services.section_delete(actor=actor, section=section)
    messages.success(request, _("Section deleted."))
    return redirect("learning:course", pk=section.space_id)


@login_required
def homework(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's to-do list across all their classes; staff see the homework they set."""
    actor = actor_for(request)
    items = selectors.homework_for_learner(actor, actor.person_id) if actor.is_learner and actor.person_id else []
    return render(request, "learning/homework.html", {"items": items, "is_learner": actor.is_learner,
                                                       "spaces": [] if actor.is_learner else selectors.my_course_spaces(actor)})


@login_required
def learner_homework(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner's homework for their parents and carers, teachers and the school's leaders."""
    actor = actor_for(request)
    items = selectors.homework_for_learner(actor, pk)
    learner = Learner.objects.select_related("person").get(pk=pk)
    return render(request, "learning/learner_homework.html", {"items": items, "learner": learner})


def _assignment_form(request: HttpRequest, group: Group, assignment: Assignment | None) -> HttpResponse:
    actor = actor_for(request)
    query = request.GET.get("q", "")[:200]
    form = AssignmentForm(request.POST or None, group=group, initial=AssignmentForm.initial_for(assignment) if assignment else None,
                          resource_choices=selectors.resources_to_attach(actor, group, assignment, query,
                                                                         request.POST.getlist("resources")))
    if request.method == "POST" and form.is_valid():
        state = Assignment.State.SET if "set" in request.POST else Assignment.State.DRAFT
        try:
            saved = services.assignment_save(actor=actor, group=group, assignment=assignment, state=state,
                                             **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Homework set.") if state == Assignment.State.SET else _("Draft saved."))
            return redirect("learning:assignment", pk=saved.pk)
    return render(request, "learning/assignment_form.html", {"group": group, "assignment": assignment, "form": form,
                                                             "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    space = get_for(actor, CourseSpace, pk, "manage", queryset=CourseSpace.objects.select_related("group"))
    return _assignment_form(request, space.group, None)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, pk, "manage", queryset=Assignment.objects.select_related("group"))
    return _assignment_form(request, assignment.group, assignment)


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    """The homework: instructions for everyone who sees it, the hand-in form for a learner of the group."""
    actor = actor_for(request)
    view = selectors.assignment_detail(actor, pk)
    form = HandInForm(request.POST or None, request.FILES or None) if view.can_hand_in else None
    if request.method == "POST":
        if form is None:
            return redirect("learning:assignment", pk=pk)
        if form.is_valid():
            try:
                services.hand_in(actor=actor, assignment=view.assignment, text=form.cleaned_data["text"],
                                 upload=form.cleaned_data.get("file"))
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Your work has been handed in."))
                return redirect("learning:assignment", pk=pk)
    space = CourseSpace.objects.filter(group_id=view.assignment.group_id).first()
    return render(request, "learning/assignment.html", {"view": view, "form": form, "space": space})


@login_required
@require_http_methods(["GET", "POST"])
def marks(request: HttpRequest, pk: int) -> HttpResponse:
    """The marks grid: every learner, their hand-in, a mark, feedback and "handed in on paper"; saved at once."""
    actor = actor_for(request)
    grid = selectors.marks_grid(actor, pk)
    errors: dict[str, list[str]] = {}
    values: dict[int, tuple[str, str, bool]] = {
        row.learner_id: (row.submission.mark, row.submission.feedback, row.submission.on_paper) if row.submission
        else ("", "", False) for row in grid.rows}
    if request.method == "POST":
        rows = []
        for row in grid.rows:
            i = row.learner_id
            mark, feedback = request.POST.get(f"m_{i}", "")[:50], request.POST.get(f"f_{i}", "")[:services.MAX_TEXT + 1]
            paper = request.POST.get(f"p_{i}") == "1"
            values[i] = (mark, feedback, paper)
            rows.append(services.MarkRow(i, mark, feedback, paper))
        try:
            count = services.marks_save(actor=actor, assignment=grid.assignment, rows=rows)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            messages.success(request, _("Marks saved for %(n)s learners.") % {"n": count})
            return redirect("learning:marks", pk=pk)
    lines = [(row, values[row.learner_id], errors.get(f"m_{row.learner_id}", []) + errors.get(f"f_{row.learner_id}", []))
             for row in grid.rows]
    return render(request, "learning/marks.html", {"grid": grid, "lines": lines, "errors": errors,
                                                    "top_errors": errors.get("__all__", [])})


@login_required
@require_http_methods(["GET", "POST"])
def mark_one(request: HttpRequest, pk: int, learner_id: int) -> HttpResponse:
    """Mark one learner's work: their hand-in, a mark, written feedback, "on paper" and an annotated feedback file."""
    actor = actor_for(request)
    data = selectors.mark_one(actor, pk, learner_id)
    sub = data.submission
    initial = {"mark": sub.mark, "feedback": sub.feedback, "on_paper": sub.on_paper} if sub else {}
    form = MarkOneForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            services.mark_one(actor=actor, assignment=data.assignment, learner_id=learner_id, mark=values["mark"],
                              feedback=values["feedback"], on_paper=values["on_paper"],
                              feedback_file=values.get("feedback_file"), remove_feedback_file=values["remove_feedback_file"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved for %(name)s.") % {"name": data.name})
            if "next" in request.POST and data.next is not None:
                return redirect("learning:mark_one", pk=pk, learner_id=data.next[0])
            return redirect("learning:mark_one", pk=pk, learner_id=learner_id)
    return render(request, "learning/mark_one.html", {"data": data, "form": form})


@login_required
def feedback_file(request: HttpRequest, pk: int) -> FileResponse:
    """A hand-in's annotated feedback file: for its markers, and for the learner and family once returned."""
    submission: Submission = selectors.feedback_file(actor_for(request), pk)
    return _download(submission.feedback_file, submission.feedback_file_name or "feedback", submission.feedback_file_type)


def _download(field: Any, name: str, content_type: str) -> FileResponse:
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def return_work(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, pk, "manage")
    try:
        sent = services.assignment_return(actor=actor, assignment=assignment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = _("Work returned: learners and their families now see marks and feedback.")
        if sent:
            text += " " + _("%(n)s marks went to the assessment record.") % {"n": sent}
        messages.success(request, text)
    return redirect("learning:marks", pk=pk)


@login_required
def submission_file(request: HttpRequest, pk: int) -> FileResponse:
    """A hand-in's file, only for those who may see the hand-in, always as a download."""
    submission: Submission = selectors.submission_file(actor_for(request), pk)
    response = FileResponse(submission.file.open("rb"), as_attachment=True,
                            filename=submission.file_name or "homework", content_type=submission.file_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
