"""Message pages: the family's messages, a conversation, the shared inbox, broadcasts, settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.views import apply_service_errors
from commonroom.messaging import selectors, services
from commonroom.messaging.forms import BroadcastForm, ManageForm, ReplyForm, SettingsForm, StaffReplyForm, StartForm
from commonroom.organisations.models import Institution
from commonroom.people.models import Group


@login_required
def home(request: HttpRequest) -> HttpResponse:
    data = selectors.family_messages(actor_for(request))
    return render(request, "messaging/home.html", {"data": data})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    options = selectors.start_options(actor)
    if not options:
        raise NotFound()
    form = StartForm(request.POST or None, request.FILES or None, options=options)
    if request.method == "GET" and request.GET.get("child") in form.options:  # from the child page
        form.fields["child"].initial = request.GET["child"]
    if request.method == "POST" and form.is_valid():
        option = form.options[form.cleaned_data["child"]]
        try:
            conversation = services.conversation_start(
                actor=actor, learner=option.learner, institution=option.institution,
                addressed_to=form.cleaned_data["addressed_to"], subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"], attachment=form.cleaned_data.get("attachment"))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("messaging:conversation_detail", pk=conversation.pk)
    return render(request, "messaging/conversation_new.html", {"form": form, "options": options})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    view = selectors.conversation_detail(actor, pk, mark_read=request.method == "GET")
    form_class = StaffReplyForm if view.can_manage else ReplyForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_reply(actor=actor, conversation=view.conversation, body=form.cleaned_data["body"],
                                        attachment=form.cleaned_data.get("attachment"),
                                        status=form.cleaned_data.get("status") if view.can_manage else None)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your reply has been sent."))
            return redirect("messaging:conversation_detail", pk=view.conversation.pk)
    manage = ManageForm(colleagues=view.colleagues, initial={
        "status": view.conversation.status, "assignee": view.conversation.assignee_id or ""}) if view.can_manage else None
    return render(request, "messaging/conversation_detail.html", {"view": view, "form": form, "manage": manage})


@login_required
@require_POST
def conversation_manage(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    conversation = get_for(actor, services.Conversation, pk, "manage")
    form = ManageForm(request.POST, colleagues=services.colleagues(conversation.institution_id, actor.on))
    if not form.is_valid():
        messages.error(request, _("Choose a status and who it is assigned to."))
        return redirect("messaging:conversation_detail", pk=conversation.pk)
    assignee = form.cleaned_data["assignee"]
    try:
        services.conversation_update(actor=actor, conversation=conversation, status=form.cleaned_data["status"],
                                     assignee_id=int(assignee) if assignee else None, change_assignee=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Conversation updated."))
    return redirect("messaging:conversation_detail", pk=conversation.pk)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    message = selectors.attachment_of(actor_for(request), pk)
    response = FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_name,
                            content_type=message.attachment_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def inbox(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.inbox(actor_for(request), pk, status=request.GET.get("status", ""),
                           assignee=request.GET.get("assignee", ""), page=request.GET.get("page", 1))
    return render(request, "messaging/inbox.html", {"data": data, "statuses": services.Status.choices})


@login_required
def learner_conversations(request: HttpRequest, pk: int) -> HttpResponse:
    learner, rows = selectors.learner_conversations(actor_for(request), pk)
    return render(request, "messaging/learner_conversations.html", {"learner": learner, "rows": rows})


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.broadcast_detail(actor_for(request), pk)
    return render(request, "messaging/broadcast_detail.html", {"view": view})


@login_required
def broadcast_list(request: HttpRequest, pk: int) -> HttpResponse:
    institution, rows = selectors.institution_broadcasts(actor_for(request), pk)
    return render(request, "messaging/broadcast_list.html", {"institution": institution, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def broadcast_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "messaging_broadcast")
    groups = selectors.broadcast_groups(actor, institution)
    learners = selectors.broadcast_learners(actor, institution)
    initial = {"group": request.GET.get("group", "")}
    form = BroadcastForm(request.POST or None, groups=groups, learners=learners, initial=initial)
    if request.method == "POST" and form.is_valid():
        group = None
        if form.cleaned_data["group"]:
            group = get_for(actor, Group, form.cleaned_data["group"], "messaging_broadcast")
        try:
            broadcast = services.broadcast_send(
                actor=actor, institution=institution, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                group=group, learner_ids=[int(pk) for pk in form.cleaned_data["learners"]] if group is None else None)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Sent to %(n)s parents and carers.") % {"n": broadcast.recipients.count()})
            return redirect("messaging:broadcast_detail", pk=broadcast.pk)
    return render(request, "messaging/broadcast_new.html", {"institution": institution, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def messaging_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "messaging_settings")
    current = services.settings_for(institution.pk)
    form = SettingsForm(request.POST or None, initial={"retention_years": current.retention_years,
                                                       "allow_links": current.allow_links})
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_settings_save(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Messaging settings saved."))
            return redirect("messaging:messaging_settings", pk=institution.pk)
    return render(request, "messaging/settings.html", {"institution": institution, "form": form})
