from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def site(request: HttpRequest) -> dict[str, Any]:
    """The banner flag and the navigation for the signed-in user (links only to pages they can use)."""
    nav: list[dict[str, Any]] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from commonroom.authz.actor import actor_for

        actor = actor_for(request)
        items = [(_("Home"), reverse("home"))]
        from commonroom.authz.models import INSTITUTION_ROLES, OFFICE_ROLES, WHOLE_INSTITUTION_ROLES, Role

        if actor.institutions_where(*INSTITUTION_ROLES):
            # Staff: the shared inbox of their (first) institution; every role there may open it. (Staff who are
            # also parents reach their children from the home page.)
            first = min(actor.institutions_where(*INSTITUTION_ROLES))
            items.append((_("Inbox"), reverse("messaging:inbox", args=[first])))
        elif actor.cared_for_learner_ids:  # a parent, or a parent who is also a governor or an officer
            items.append((_("Your children"), reverse("family:children")))
            items.append((_("Messages"), reverse("messaging:home")))

        if any("tutor" in roles for roles in actor.staff_groups.values()) or actor.institutions_where(*OFFICE_ROLES):
            items.append((_("Registers"), reverse("records:registers")))
        if actor.staff_groups or actor.institutions_where(*WHOLE_INSTITUTION_ROLES):
            items.append((_("Behaviour"), reverse("records:behaviour")))
        if actor.staff_groups or actor.institutions_where(*WHOLE_INSTITUTION_ROLES):
            items.append((_("Assessment"), reverse("records:assessment")))
            items.append((_("Reports"), reverse("records:reports")))
        if actor.institutions_where(Role.TEACHER):
            items.append((_("Timetable"), reverse("records:my_timetable")))
        if actor.staff_groups:
            items.append((_("Courses"), reverse("learning:my_courses")))
            items.append((_("Quizzes"), reverse("quizzes:my_quizzes")))
            items.append((_("Calendar"), reverse("calendar:week")))
        elif not actor.role_rows and not actor.cared_for_learner_ids and actor.is_learner:
            items.append((_("Homework"), reverse("learning:homework")))
            items.append((_("Courses"), reverse("learning:my_courses")))
            items.append((_("Quizzes"), reverse("quizzes:my_quizzes")))
            items.append((_("Practice"), reverse("practice:home")))
            items.append((_("Calendar"), reverse("calendar:week")))
        if actor.institutions_where(Role.HEAD, Role.LEADER, Role.SENCO, Role.TEACHER):  # resources.policies.BANK_ROLES
            items.append((_("Resources"), reverse("resources:search")))
        if actor.institutions_where(Role.HEAD, Role.LEADER, Role.GOVERNOR) or actor.authorities_where(
                Role.LA_OFFICER, Role.ASSESSOR):
            items.append((_("Self-review"), reverse("selfreview:reviews")))
        if actor.is_platform_admin:
            items.append((_("Manage"), reverse("organisations:manage")))
        items.append((_("Account"), reverse("identity:account")))
        nav = [{"label": label, "url": url, "current": request.path == url} for label, url in items]
    return {"demo_mode": settings.DEMO_MODE, "nav": nav}
