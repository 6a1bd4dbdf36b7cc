"""Parent portal pages: your children, one child's page, school events, the calendar address and feed."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from commonroom.authz.actor import Actor, actor_for
from commonroom.common.views import apply_service_errors
from commonroom.family import selectors, services
from commonroom.family.forms import EventForm, SchoolContactForm
from commonroom.family.ical import render_feed
from commonroom.family.models import Event
from commonroom.records.views import _chart

log = logging.getLogger("commonroom.family.feed")


@login_required
def children(request: HttpRequest) -> HttpResponse:
    return render(request, "family/children.html", {"children": selectors.my_children(actor_for(request))})


@login_required
def child(request: HttpRequest, learner_id: int) -> HttpResponse:
    page = selectors.child_page(actor_for(request), learner_id)
    for section in page.schools:
        section.chart = _chart(section.weeks)  # type: ignore[attr-defined]
    response = render(request, "family/child.html", {"page": page})
    response["Cache-Control"] = "private, no-store"
    return response


# School events -----------------------------------------------------------------------------------


@login_required
def events(request: HttpRequest, pk: int) -> HttpResponse:
    institution, rows, may_manage = selectors.institution_events(actor_for(request), pk)
    return render(request, "family/events.html", {"institution": institution, "events": rows, "may_manage": may_manage})


def _event_values(form: EventForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


def _event_initial(event: Event) -> dict[str, Any]:
    return {
        "title": event.title, "description": event.description, "all_day": "1" if event.all_day else "0",
        "start_date": event.start_date, "end_date": event.end_date,
        "starts_at": timezone.localtime(event.starts_at) if event.starts_at else None,
        "ends_at": timezone.localtime(event.ends_at) if event.ends_at else None,
        "whole_school": "1" if event.whole_school else "0", "group_ids": [g.pk for g in event.groups.all()],
        "published": event.published,
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.managed_institution(actor, pk)
    form = EventForm(request.POST or None, group_choices=selectors.event_group_choices(institution, actor.on))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=actor, institution=institution, **_event_values(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Event “%(title)s” added.") % {"title": event.title})
            return redirect("family:events", pk=institution.pk)
    return render(request, "family/event_form.html", {"institution": institution, "form": form, "title": _("Add an event")})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.managed_institution(actor, pk)
    event = selectors.managed_event(actor, institution, event_pk)
    form = EventForm(request.POST or None, initial=_event_initial(event),
                     group_choices=selectors.event_group_choices(institution, actor.on))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=actor, event=event, **_event_values(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Event “%(title)s” saved.") % {"title": event.title})
            return redirect("family:events", pk=institution.pk)
    return render(request, "family/event_form.html", {"institution": institution, "form": form, "event": event,
                                                      "title": _("Change an event")})


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.managed_institution(actor, pk)
    event = selectors.managed_event(actor, institution, event_pk)
    if request.method == "POST":
        title = event.title
        services.event_delete(actor=actor, event=event)
        messages.success(request, _("Event “%(title)s” deleted.") % {"title": title})
        return redirect("family:events", pk=institution.pk)
    return render(request, "family/event_delete.html", {"institution": institution, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def school_contact(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.managed_institution(actor, pk)
    contact = selectors.school_contact(institution)
    initial = {name: getattr(contact, name) for name in ("address", "phone", "email", "website", "note")} if contact else {}
    form = SchoolContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_contact_save(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("family:events", pk=institution.pk)
    return render(request, "family/school_contact.html", {"institution": institution, "form": form})


# The calendar feed -------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """Make (or replace) and revoke the private calendar address. The address is shown once, when made."""
    actor = actor_for(request)
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.feed_revoke(actor=actor):
                messages.success(request, _("Your calendar address no longer works."))
            return redirect("family:calendar")
        _feed, token = services.feed_create(actor=actor)
        new_url = request.build_absolute_uri(f"/calendar/{token}.ics")
    return render(request, "family/calendar.html", {"feed": selectors.live_feed(actor), "new_url": new_url})


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no sign-in, the secret in the address is the key. Logged by feed number only."""
    feed = services.feed_for_token(token)
    if feed is None:
        log.info("calendar feed: unknown or revoked address")
        raise Http404()
    services.feed_used(feed)
    actor = Actor(person_id=feed.person_id, label=f"calendar feed {feed.pk}")
    items = selectors.feed_items(actor)
    log.info("calendar feed %s served, %s items", feed.pk, len(items))
    response = HttpResponse(render_feed(items), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="commonroom.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response

