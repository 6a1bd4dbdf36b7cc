"""Pages of the Question Wall: a space's wall (and asking), a thread (and answering), changing or deleting
one's own post, moderation (pin, lock, endorse, hide with a reason, unhide), reporting a post, the reports
queue per space and across one's groups, and the institution's allowed sites."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.wall import selectors, services
from commonroom.wall.forms import AnswerForm, AskForm, EditForm, ReasonForm, SitesForm
from commonroom.wall.models import Post, Report, Thread

_POST_QS = Post.objects.select_related("thread__space__group")


@login_required
@require_http_methods(["GET", "POST"])
def space(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    view = selectors.wall(actor, pk, topic=request.GET.get("topic"), order=request.GET.get("order", "newest"),
                          page=request.GET.get("page", 1))
    form = None
    if view.can_write:
        initial = {"section": view.topic.pk} if view.topic else None
        form = AskForm(request.POST if request.method == "POST" else None, initial=initial, sections=view.sections,
                       may_be_anonymous=actor.is_learner)
        if request.method == "POST" and form.is_valid():
            try:
                thread = services.thread_create(actor=actor, space=view.space, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Your question is on the wall."))
                return redirect("wall:thread", pk=thread.pk)
    elif request.method == "POST":
        return redirect("wall:space", pk=pk)
    return render(request, "wall/space.html", {"view": view, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    view = selectors.thread_detail(actor, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None, may_be_anonymous=actor.is_learner) \
        if view.can_answer else None
    if request.method == "POST":
        if form is None:
            return redirect("wall:thread", pk=pk)
        if form.is_valid():
            try:
                services.post_create(actor=actor, thread=view.thread, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Your answer is on the wall."))
                return redirect("wall:thread", pk=pk)
    return render(request, "wall/thread.html", {"view": view, "form": form})


def _done(request: HttpRequest, error: ValidationError | None, text: str) -> None:
    if error is None:
        messages.success(request, text)
    else:
        for message in error.messages:
            messages.error(request, message)


@login_required
@require_POST
def thread_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    found = get_for(actor, Thread, pk, "moderate")
    action = request.POST.get("action", "")
    try:
        services.thread_moderate(actor=actor, thread=found, action=action)
    except ValidationError as error:
        _done(request, error, "")
    else:
        _done(request, None, {"pin": _("Thread pinned."), "unpin": _("Thread unpinned."), "lock": _("Thread locked."),
                              "unlock": _("Thread unlocked.")}[action])
    return redirect("wall:thread", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    post = get_for(actor, Post, pk, "change", queryset=_POST_QS)
    initial = {"body": post.body, "title": post.thread.title}
    form = EditForm(request.POST if request.method == "POST" else None, initial=initial, is_question=post.is_question)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(actor=actor, post=post, body=form.cleaned_data["body"], title=form.cleaned_data.get("title"))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your post has been changed."))
            return redirect("wall:thread", pk=post.thread_id)
    return render(request, "wall/post_edit.html", {"post": post, "form": form,
                                                   "may_change": services.may_still_change(post)})


@login_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    post = get_for(actor, Post, pk, "change", queryset=_POST_QS)
    try:
        whole = services.post_delete(actor=actor, post=post)
    except ValidationError as error:
        _done(request, error, "")
        return redirect("wall:thread", pk=post.thread_id)
    if whole:
        messages.success(request, _("Your question has been deleted."))
        return redirect("wall:space", pk=post.thread.space_id)
    messages.success(request, _("Your answer has been deleted."))
    return redirect("wall:thread", pk=post.thread_id)


@login_required
@require_POST
def post_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """Endorse, take back an endorsement, or unhide (hiding asks for a reason: ``post_hide``)."""
    actor = actor_for(request)
    post = get_for(actor, Post, pk, "moderate", queryset=_POST_QS)
    action = request.POST.get("action", "")
    if action == "hide":
        return redirect("wall:post_hide", pk=pk)
    try:
        services.post_moderate(actor=actor, post=post, action=action)
    except ValidationError as error:
        _done(request, error, "")
    else:
        _done(request, None, {"endorse": _("Answer endorsed."), "unendorse": _("Endorsement taken back."),
                              "unhide": _("Post shown again.")}.get(action, _("Done.")))
    return redirect("wall:thread", pk=post.thread_id)


@login_required
@require_http_methods(["GET", "POST"])
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    post = get_for(actor, Post, pk, "moderate", queryset=_POST_QS.select_related("author"))
    form = ReasonForm(request.POST or None, label=_("Why are you hiding this post?"),
                      hint=_("Staff see the reason. Learners no longer see the post."))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_moderate(actor=actor, post=post, action="hide", reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Post hidden from learners."))
            return redirect("wall:thread", pk=post.thread_id)
    return render(request, "wall/reason.html", {"post": post, "form": form, "heading": _("Hide a post"),
                                                "button": _("Hide post")})


@login_required
@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    post = get_for(actor, Post, pk, "report", queryset=_POST_QS)
    form = ReasonForm(request.POST or None, label=_("What is wrong with this post?"),
                      hint=_("Only the class’s teachers see your report."))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(actor=actor, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your teachers will look at it."))
            return redirect("wall:thread", pk=post.thread_id)
    return render(request, "wall/reason.html", {"post": post, "form": form, "heading": _("Report a post"),
                                                "button": _("Send report"), "hide_body": True})


@login_required
def space_reports(request: HttpRequest, pk: int) -> HttpResponse:
    space, rows = selectors.reports(actor_for(request), space_id=pk)
    return render(request, "wall/reports.html", {"space": space, "rows": rows})


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _space, rows = selectors.reports(actor_for(request))
    return render(request, "wall/reports.html", {"space": None, "rows": rows})


@login_required
@require_POST
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    report = get_for(actor, Report, pk, "resolve", queryset=Report.objects.select_related("post__thread"))
    try:
        services.report_resolve(actor=actor, report=report, outcome=request.POST.get("outcome", ""))
    except ValidationError as error:
        _done(request, error, "")
    else:
        _done(request, None, _("Report resolved."))
    back = request.POST.get("back")
    if back == "space":
        return redirect("wall:space_reports", pk=report.post.thread.space_id)
    return redirect("wall:reports")


@login_required
@require_http_methods(["GET", "POST"])
def wall_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "wall_settings")
    form = SitesForm(request.POST or None, initial={"sites": "\n".join(services.allowed_sites(institution.pk))})
    if request.method == "POST" and form.is_valid():
        try:
            services.wall_settings_save(actor=actor, institution=institution, sites=form.cleaned_data["sites"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Allowed sites saved."))
            return redirect("wall:settings", pk=institution.pk)
    return render(request, "wall/settings.html", {"institution": institution, "form": form})
