"""Attendance pages. Thin: parse, read through the selectors (which go through authz), call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.common.dates import today
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.people.models import Learner
from commonroom.records import selectors, services
from commonroom.records.codes import CODES, Session, present_code
from commonroom.records.forms import (
    BehaviourSettingsForm,
    CategoryForm,
    ClosureForm,
    DateRangeForm,
    IncidentForm,
    LessonRegisterForm,
    MarkAmendForm,
    PeriodForm,
    PlannedAbsenceForm,
    RegisterForm,
    RewardForm,
    RoomForm,
    SchoolWeekForm,
    SlotForm,
    TermForm,
)


def _range(request: HttpRequest, institution_id: int | None) -> tuple[DateRangeForm, Any, Any]:
    form = DateRangeForm(request.GET or None)
    start, end = form.range(selectors.default_range(institution_id, today()))
    return form, start, end


@login_required
def registers(request: HttpRequest) -> HttpResponse:
    """The registers this person takes today, and for attendance staff every register at their school."""
    actor = actor_for(request)
    day = today()
    offices = list(visible(actor, Institution, "amend_attendance").order_by("name"))
    schools = [{"institution": inst, "groups": selectors.institution_registers(actor, inst, day)} for inst in offices]
    return render(request, "records/registers.html", {
        "day": day, "mine": selectors.my_registers(actor, day), "schools": schools,
        "missing": selectors.my_missing_from_lessons(actor, day),
    })


def _entries(form: RegisterForm) -> list[services.MarkEntry]:
    entries = []
    for row in form.sheet.rows:
        pk = row.roll.learner_id
        code = form.cleaned_data.get(f"code_{pk}") or ""
        seen = form.cleaned_data.get(f"seen_{pk}") or 0
        was = form.cleaned_data.get(f"was_{pk}")
        entries.append(services.MarkEntry(pk, code, form.cleaned_data.get(f"note_{pk}") or "", None, seen, was))
    return entries


def _after_conflict(sheet: Any, posted: QueryDict, conflict_ids: set[int]) -> QueryDict:
    """The form to show after a conflict: the latest marks where the user changed nothing or clashed,
    their own choices elsewhere, and the versions they have now seen."""
    data = posted.copy()
    for row in sheet.rows:
        pk = row.roll.learner_id
        current = row.mark.code if row.mark else ""
        if pk in conflict_ids or posted.get(f"code_{pk}", "") == posted.get(f"was_{pk}", ""):
            data[f"code_{pk}"] = current
        data[f"seen_{pk}"] = str(row.mark.version if row.mark else 0)
        data[f"was_{pk}"] = current
    return data


@login_required
@require_http_methods(["GET", "POST"])
def register_take(request: HttpRequest, pk: int, day: Any, session: str) -> HttpResponse:
    if session not in Session.values:
        raise NotFound()
    actor = actor_for(request)
    sheet = selectors.register_sheet(actor, pk, day, session)
    form = RegisterForm(sheet=sheet)
    notice = ""
    if request.method == "POST" and request.POST.get("action") == "all_present":
        data = request.POST.copy()
        for row in sheet.rows:
            key = f"code_{row.roll.learner_id}"
            if not data.get(key):
                data[key] = "Z" if row.roll.prospective else present_code(session)
        form = RegisterForm(data, sheet=sheet)
        notice = _("Everyone not yet marked is now present. Change the exceptions, then save the register.")
    elif request.method == "POST":
        form = RegisterForm(request.POST, sheet=sheet)
        if form.is_valid():
            try:
                result = services.register_save(actor=actor, group=sheet.group, day=day, session=session,
                                                entries=_entries(form))
            except services.RegisterConflict as conflict:
                sheet = selectors.register_sheet(actor, pk, day, session)
                form = RegisterForm(_after_conflict(sheet, request.POST, {c.learner_id for c in conflict.conflicts}),
                                    sheet=sheet)
                apply_service_errors(form, conflict)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Register saved: %(created)s new marks, %(changed)s changed.")
                                 % {"created": result.created, "changed": result.changed})
                return redirect(request.path)
    from commonroom.liaison.selectors import register_notes

    return render(request, "records/register.html", {
        "sheet": sheet, "form": form, "notice": notice, "is_today": day == today(),
        "can_amend": can(actor, "amend_attendance", sheet.group.institution),
        # Absences parents reported for this session and the office has not yet decided (liaison).
        "reported": register_notes(actor, sheet.group, day, session, [row.roll.learner_id for row in sheet.rows]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def mark_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A mark, its whole history, and (for attendance staff) the form to correct it."""
    actor = actor_for(request)
    mark, history = selectors.mark_for(actor, pk)
    may_amend = can(actor, "amend", mark)
    form = None
    if may_amend:
        form = MarkAmendForm(request.POST if request.method == "POST" else None, session=mark.session,
                             initial={"code": mark.code, "explanation": mark.explanation,
                                      "minutes_late": mark.minutes_late, "seen_version": mark.version})
        if request.method == "POST" and form.is_valid():
            try:
                services.mark_amend(actor=actor, mark=mark, code=form.cleaned_data["code"],
                                    explanation=form.cleaned_data["explanation"], reason=form.cleaned_data["reason"],
                                    seen_version=form.cleaned_data["seen_version"],
                                    minutes_late=form.cleaned_data["minutes_late"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The mark is changed; the history keeps what it was."))
                return redirect("records:mark_detail", mark.pk)
    elif request.method == "POST":
        raise NotFound()
    first = history[0] if history else None
    original = first.from_code if first else mark.code
    return render(request, "records/mark_detail.html", {
        "mark": mark, "form": form, "history": history, "show_history": history is not None,
        "original": CODES[original].label if original in CODES else original,
        "original_explanation": first.from_explanation if first else mark.explanation,
    })


def _chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for a week-by-week chart in a 100-high SVG: one 10-wide slot per week."""
    bars = []
    for index, week in enumerate(weeks):
        figures = week["figures"]
        pct = float(figures.attendance_pct or 0)
        label = (_("Week beginning %(day)s: %(pct)s%% attendance") % {"day": week["week"].strftime("%-d %b"), "pct": figures.attendance_pct}
                 if figures.possible else _("Week beginning %(day)s: no possible sessions") % {"day": week["week"].strftime("%-d %b")})
        bars.append({"x": index * 10 + 1, "y": round(100 - pct, 1), "height": round(pct, 1), "low": figures.persistent,
                     "empty": not figures.possible, "label": label})
    return {"width": max(len(weeks), 1) * 10, "bars": bars}


@login_required
def learner_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form, start, end = _range(request, None)
    data = selectors.learner_attendance(actor, pk, start, end)
    for item in data.enrolments:
        item.chart = _chart(item.weeks)  # type: ignore[attr-defined]
    return render(request, "records/learner_attendance.html", {"data": data, "range_form": range_form})


@login_required
@require_http_methods(["GET", "POST"])
def planned_absence(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    learner = get_for(actor, Learner, pk, action="change", queryset=Learner.objects.select_related("person"))
    institution = selectors.attendance_office_for(actor, learner)
    form = PlannedAbsenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.planned_absence(actor=actor, learner=learner, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Recorded for %(count)s sessions.") % {"count": len(result.sessions)})
            return redirect("records:learner_attendance", learner.pk)
    return render(request, "records/planned_absence.html", {"form": form, "learner": learner, "institution": institution})


@login_required
def institution_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form, start, end = _range(request, pk)
    data = selectors.institution_attendance(actor, pk, start, end)
    return render(request, "records/institution_attendance.html", {
        "data": data, "range_form": range_form, "can_amend": can(actor, "amend_attendance", data.institution),
        "query": request.GET.urlencode(),
    })


@login_required
def absentees(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form, start, end = _range(request, pk)
    severe = request.GET.get("severe") == "1"
    institution, page = selectors.persistent_absentees(actor, pk, start, end, severe_only=severe,
                                                       page_number=request.GET.get("page"))
    return render(request, "records/absentees.html", {
        "institution": institution, "page": page, "range_form": range_form, "severe": severe, "start": start, "end": end,
    })


@login_required
def outstanding(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="amend_attendance")
    return render(request, "records/outstanding.html", {
        "institution": institution, "marks": selectors.outstanding_marks(actor, institution),
    })


@login_required
@require_http_methods(["GET", "POST"])
def closure(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="amend_attendance")
    form = ClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.closure_record(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The closure is recorded: %(created)s marks added, %(changed)s changed.")
                             % {"created": result.created, "changed": result.changed})
            return redirect(reverse("records:institution_attendance", args=[institution.pk]))
    return render(request, "records/closure.html", {"form": form, "institution": institution})


@login_required
def group_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form = DateRangeForm(request.GET or None)
    start, end = range_form.range((None, None))  # type: ignore[arg-type]  # the selector fills in the school's year
    data = selectors.group_figures(actor, pk, start, end)
    return render(request, "records/group_attendance.html", {
        "group": data.group, "figures": data.figures, "data": data, "range_form": range_form,
        "start": data.start, "end": data.end,
    })


# Behaviour and rewards ---------------------------------------------------------------------------


@login_required
def behaviour_home(request: HttpRequest) -> HttpResponse:
    """The groups this person can record for, their alerts, and the school summaries they may read."""
    from commonroom.people.selectors import staff_groups

    actor = actor_for(request)
    return render(request, "records/behaviour_home.html", {
        "groups": staff_groups(actor),
        "alerts": selectors.my_behaviour_alerts(actor),
        "schools": list(visible(actor, Institution, "view_behaviour").order_by("name")),
    })


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, pk: int) -> HttpResponse:
    import datetime

    from django.utils import timezone

    actor = actor_for(request)
    group, learners = selectors.recordable_members(actor, pk)
    now = timezone.localtime()
    form = IncidentForm(
        request.POST if request.method == "POST" else None,
        categories=selectors.category_choices(group.institution_id, "incident"),
        staff=selectors.staff_choices(group.institution_id, today()), learners=learners,
        initial={"occurred_on": now.date(), "occurred_time": now.time().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        occurred = timezone.make_aware(datetime.datetime.combine(data["occurred_on"], data["occurred_time"]))
        try:
            incident = services.incident_record(
                actor=actor, institution=group.institution, category_id=int(data["category"]),
                severity=data["severity"], occurred_at=occurred, location=data["location"],
                description=data["description"], action_taken=data["action_taken"],
                follow_up_owner_id=int(data["follow_up_owner"]) if data["follow_up_owner"] else None,
                involved=form.involved(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("records:incident_detail", incident.pk)
    return render(request, "records/incident_new.html", {"form": form, "group": group})


@login_required
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    group, learners = selectors.recordable_members(actor, pk)
    form = RewardForm(request.POST if request.method == "POST" else None,
                      categories=selectors.category_choices(group.institution_id, "reward"), learners=learners,
                      initial={"awarded_on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rewards = services.reward_record(
                actor=actor, institution=group.institution, category_id=int(data["category"]),
                learner_ids=[int(pk) for pk in data["learners"]], awarded_on=data["awarded_on"], note=data["note"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(count)s rewards given.") % {"count": len(rewards)})
            return redirect("people:group_detail", group.pk)
    return render(request, "records/reward_new.html", {"form": form, "group": group})


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    incident, involved = selectors.incident_detail(actor, pk)
    if request.method == "POST":
        services.incident_follow_up_done(actor=actor, incident=incident)
        messages.success(request, _("The follow-up is marked done."))
        return redirect("records:incident_detail", incident.pk)
    may_close = not incident.follow_up_done and can(actor, "follow_up", incident)
    return render(request, "records/incident_detail.html", {"incident": incident, "involved": involved, "may_close": may_close})


@login_required
def learner_behaviour(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form, start, end = _range(request, None)
    data = selectors.learner_behaviour(actor, pk, start, end)
    return render(request, "records/learner_behaviour.html", {"data": data, "range_form": range_form})


@login_required
def institution_behaviour(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    range_form, start, end = _range(request, pk)
    data = selectors.institution_behaviour(actor, pk, start, end)
    return render(request, "records/institution_behaviour.html", {
        "data": data, "range_form": range_form, "can_manage": can(actor, "manage_behaviour", data.institution),
    })


@login_required
@require_http_methods(["GET", "POST"])
def behaviour_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="manage_behaviour")
    points, days = selectors.behaviour_settings(institution.pk)
    which = request.POST.get("form") if request.method == "POST" else None
    category_form = CategoryForm(request.POST if which == "category" else None, prefix="category")
    settings_form = BehaviourSettingsForm(request.POST if which == "settings" else None, prefix="settings",
                                          initial={"alert_points": points, "alert_days": days})
    try:
        if which == "category" and category_form.is_valid():
            services.behaviour_category_save(actor=actor, institution=institution, **category_form.cleaned_data)
            messages.success(request, _("The category is added."))
            return redirect(request.path)
        if which == "settings" and settings_form.is_valid():
            services.behaviour_settings_save(actor=actor, institution=institution, **settings_form.cleaned_data)
            messages.success(request, _("The alert threshold is saved."))
            return redirect(request.path)
        if which == "toggle":
            category = next((c for c in selectors.categories_of(institution.pk) if str(c.pk) == request.POST.get("category")), None)
            if category is None:
                raise NotFound()
            services.behaviour_category_save(actor=actor, institution=institution, kind=category.kind, name=category.name,
                                             points=category.points, active=not category.active, category_id=category.pk)
            return redirect(request.path)
    except ValidationError as error:
        apply_service_errors(category_form if which == "category" else settings_form, error)
    return render(request, "records/behaviour_settings.html", {
        "institution": institution, "categories": selectors.categories_of(institution.pk),
        "category_form": category_form, "settings_form": settings_form,
    })


# The school's week and lessons -------------------------------------------------------------------


@login_required
def my_timetable(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    day = today()
    return render(request, "records/my_timetable.html", {"day": day, "timetable": selectors.my_timetable(actor, day),
                                                          "weekdays": selectors.WEEKDAYS})


@login_required
@require_http_methods(["GET", "POST"])
def lesson_register(request: HttpRequest, pk: int, day: Any) -> HttpResponse:
    actor = actor_for(request)
    sheet = selectors.lesson_sheet(actor, pk, day)
    form = LessonRegisterForm(request.POST if request.method == "POST" else None, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_register_save(actor=actor, slot=sheet.slot, day=day, entries=form.entries())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lesson register saved."))
            return redirect(request.path)
    return render(request, "records/lesson_register.html", {"sheet": sheet, "form": form})


@login_required
def institution_timetable(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    data = selectors.institution_timetable(actor, pk)
    may_manage = can(actor, "manage_timetable", data["institution"])
    form = None
    if may_manage:
        form = SlotForm(request.POST if request.method == "POST" else None,
                        choices=selectors.timetable_choices(data["institution"].pk, today()))
        if request.method == "POST" and form.is_valid():
            try:
                services.slot_add(actor=actor, institution=data["institution"], group_id=form.cleaned_data["group"],
                                  period_id=form.cleaned_data["period"], weekday=form.cleaned_data["weekday"],
                                  cycle_week=form.cleaned_data["cycle_week"], teacher_id=form.cleaned_data["teacher"],
                                  room_id=form.cleaned_data["room"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The lesson is on the timetable."))
                return redirect(request.path)
    elif request.method == "POST":
        raise NotFound()
    day = today()
    return render(request, "records/institution_timetable.html", {
        **data, "form": form, "may_manage": may_manage, "weekdays": selectors.WEEKDAYS, "today": day,
        "today_weekday": day.weekday(), "today_cycle": selectors.cycle_week_on(data["institution"].pk, day),
        # Attendance staff take any lesson's register (covering for an absent teacher, say).
        "may_take": can(actor, "amend_attendance", data["institution"]),
    })


@login_required
@require_http_methods(["POST"])
def slot_remove(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    from commonroom.records.models import TimetableSlot

    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="manage_timetable")
    slot = TimetableSlot.objects.filter(pk=slot_pk, institution=institution).select_related("institution").first()
    if slot is None:
        raise NotFound()
    try:
        services.slot_remove(actor=actor, slot=slot)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The lesson is taken off the timetable."))
    return redirect("records:institution_timetable", institution.pk)


@login_required
@require_http_methods(["GET", "POST"])
def school_week(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="manage_timetable")
    data = selectors.institution_timetable(actor, pk)
    week = data["week"]
    which = request.POST.get("form") if request.method == "POST" else None
    forms_by_name = {
        "week": SchoolWeekForm(request.POST if which == "week" else None, prefix="week", initial={
            "cycle_weeks": week.cycle_weeks, "cycle_starts": week.cycle_starts, "register_open_minutes": week.register_open_minutes}),
        "period": PeriodForm(request.POST if which == "period" else None, prefix="period"),
        "room": RoomForm(request.POST if which == "room" else None, prefix="room"),
        "term": TermForm(request.POST if which == "term" else None, prefix="term"),
    }
    actions: dict[str, Any] = {"week": services.school_week_save, "period": services.period_add, "room": services.room_add,
               "term": services.term_add}
    if which in forms_by_name and forms_by_name[which].is_valid():
        form = forms_by_name[which]
        try:
            actions[which](actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(request.path)
    return render(request, "records/school_week.html", {**data, **{f"{k}_form": v for k, v in forms_by_name.items()}})


@login_required
def missing_from_lessons(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="view_attendance")
    day = today()
    return render(request, "records/missing.html", {"institution": institution, "day": day,
                                                     "missing": selectors.missing_from_lessons(actor, institution, day)})
