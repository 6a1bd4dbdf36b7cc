"""The week of a learner or a teacher: homework due, lessons, school events, term dates and holidays.

One selector, ``upcoming_for(actor, start, end)``, gathers typed ``CalendarItem`` rows from every
registered source. A source is a function ``(actor, context) -> list[CalendarItem]``; another app adds
one with ``register_source(name, fn)`` (quiz deadlines, for example). Each source reads through
``authz`` (``visible``/``get_for``) and runs a fixed number of queries, so the whole week costs the same
for a learner in two classes or in twelve. The ``Context`` is built once per call: the actor's groups
and schools today and the window's days, shared by the sources.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz.actor import Actor
from commonroom.authz.api import visible
from commonroom.authz.models import INSTITUTION_ROLES
from commonroom.common.dates import in_force

# What a calendar item is; the page and the API name them in words.
HOMEWORK, LESSON, EVENT, TERM, HOLIDAY = "homework", "lesson", "event", "term", "holiday"
KINDS = (HOMEWORK, LESSON, EVENT, TERM, HOLIDAY)
MAX_DAYS = 62  # the longest window one call may ask for


@dataclass
class CalendarItem:
    """One thing on the calendar. ``day``..``last_day`` are the local days it covers (inclusive); a timed item
    also has ``starts_at``/``ends_at`` (a homework deadline: both the due time)."""

    kind: str
    title: str
    day: datetime.date
    last_day: datetime.date | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    where: str = ""  # the class, the room or the school
    detail: str = ""  # words: a hand-in's status, how many handed in, the teacher
    url: str = ""
    uid: str = ""

    @property
    def all_day(self) -> bool:
        return self.starts_at is None

    @property
    def end_day(self) -> datetime.date:
        return self.last_day or self.day

    def sort_key(self) -> tuple:
        return (self.day, self.starts_at is not None, self.starts_at or timezone.now(), KINDS.index(self.kind) if self.kind in KINDS else len(KINDS), self.title)


@dataclass
class Context:
    """What the sources share for one call: the window and who the actor is today."""

    actor: Actor
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end_at(self) -> datetime.datetime:
        return self.start_at + datetime.timedelta(days=(self.end - self.start).days + 1)

    @cached_property
    def learner_group_ids(self) -> list[int]:
        """The groups the actor is a learner in today (one query, none for staff-only accounts)."""
        from commonroom.people.models import GroupMembership

        if self.actor.person_id is None or not self.actor.is_learner:
            return []
        return sorted(GroupMembership.objects.filter(in_force(on=self.actor.on), learner_id=self.actor.person_id)
                      .values_list("group_id", flat=True))

    @cached_property
    def institution_ids(self) -> list[int]:
        """The schools the actor learns at (enrolments in force) or works at."""
        from commonroom.people.models import Enrolment

        ids = set(self.actor.institutions_where(*INSTITUTION_ROLES))
        if self.actor.person_id is not None and self.actor.is_learner:
            ids |= set(Enrolment.objects.filter(in_force(on=self.actor.on), learner_id=self.actor.person_id)
                       .values_list("institution_id", flat=True))
        return sorted(ids)

    @cached_property
    def institution_names(self) -> dict[int, str]:
        from commonroom.organisations.models import Institution

        if not self.institution_ids:
            return {}
        return dict(visible(self.actor, Institution).filter(pk__in=self.institution_ids).values_list("pk", "name"))

    @cached_property
    def terms(self) -> list[tuple[int, str, datetime.date, datetime.date]]:
        """(institution, name, first day, last day) of the schools' terms near the window (one query)."""
        from commonroom.organisations.models import Term

        if not self.institution_ids:
            return []
        margin = datetime.timedelta(days=200)
        return list(Term.objects.filter(institution_id__in=self.institution_ids, start_date__lte=self.end + margin,
                                        end_date__gte=self.start - margin)
                    .order_by("start_date").values_list("institution_id", "name", "start_date", "end_date"))

    @cached_property
    def closures(self) -> set[tuple[int, datetime.date]]:
        """(institution, day) of whole-school closures (the # code) inside the window (one query)."""
        from commonroom.records.codes import CLOSURE_CODE
        from commonroom.records.models import AttendanceMark

        if not self.institution_ids:
            return set()
        return set(AttendanceMark.objects.filter(institution_id__in=self.institution_ids, date__gte=self.start,
                                                 date__lte=self.end, code=CLOSURE_CODE)
                   .order_by().values_list("institution_id", "date").distinct())

    def in_term(self, institution_id: int, day: datetime.date) -> bool:
        return any(inst == institution_id and first <= day <= last for inst, _n, first, last in self.terms)


Source = Callable[[Context], Iterable[CalendarItem]]
_SOURCES: dict[str, tuple[Source, frozenset[str]]] = {}


def register_source(name: str, source: Source, kinds: Iterable[str]) -> None:
    """Add a source of calendar items giving items of ``kinds`` (by name: the same name again replaces it). A
    call that asks for other kinds does not run it."""
    _SOURCES[name] = (source, frozenset(kinds))


def upcoming_for(actor: Actor, start: datetime.date, end: datetime.date, *,
                 kinds: Iterable[str] | None = None) -> list[CalendarItem]:
    """Everything on the actor's calendar from ``start`` to ``end`` (inclusive), in order of day and time.
    ``kinds`` keeps only those kinds. Nothing for an anonymous actor. A fixed number of queries."""
    if actor.person_id is None or end < start:
        return []
    end = min(end, start + datetime.timedelta(days=MAX_DAYS - 1))
    context = Context(actor, start, end)
    wanted = set(kinds) if kinds is not None else None
    items: list[CalendarItem] = []
    for source, gives in _SOURCES.values():
        if wanted is not None and not gives & wanted:
            continue
        items.extend(item for item in source(context) if wanted is None or item.kind in wanted)
    return sorted(items, key=CalendarItem.sort_key)


@dataclass
class Day:
    day: datetime.date
    items: list[CalendarItem] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_for(actor: Actor, day: datetime.date) -> list[Day]:
    """The Monday-to-Sunday week holding ``day``: each day with the items that fall on it (an event over
    several days is shown on each)."""
    monday = monday_of(day)
    days = [Day(monday + datetime.timedelta(days=n)) for n in range(7)]
    for item in upcoming_for(actor, monday, monday + datetime.timedelta(days=6)):
        for entry in days:
            if item.day <= entry.day <= item.end_day:
                entry.items.append(item)
    return days


# Sources ------------------------------------------------------------------------------------------


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def homework_for_learners(context: Context) -> list[CalendarItem]:
    """Homework due in the learner's classes, with their hand-in's status (three queries)."""
    from commonroom.learning.selectors import homework_for_learner

    actor = context.actor
    if not context.learner_group_ids or actor.person_id is None:
        return []
    rows = homework_for_learner(actor, actor.person_id, due_between=(context.start_at, context.end_at))
    return [CalendarItem(HOMEWORK, row.assignment.title, _local_day(row.due_at), starts_at=row.due_at,
                         ends_at=row.due_at, where=row.group_name, detail=row.status,
                         url=reverse("learning:assignment", args=[row.assignment.pk]), uid=f"homework-{row.assignment.pk}")
            for row in rows]


def homework_for_teachers(context: Context) -> list[CalendarItem]:
    """Homework due that the actor manages (their classes), with how many have handed it in (three queries)."""
    from commonroom.learning.models import Assignment
    from commonroom.learning.policies import MANAGING_GROUP_ROLES
    from commonroom.learning.selectors import handed_in_counts
    from commonroom.people.models import GroupMembership

    actor = context.actor
    managed = sorted(g for g, roles in actor.staff_groups.items() if roles & MANAGING_GROUP_ROLES)
    if not managed:
        return []
    assignments = list(visible(actor, Assignment, "manage").filter(
        group_id__in=managed, state=Assignment.State.SET, due_at__gte=context.start_at, due_at__lt=context.end_at)
        .select_related("group").order_by("due_at", "pk"))
    if not assignments:
        return []
    counts = handed_in_counts([a.pk for a in assignments])
    sizes = dict(GroupMembership.objects.filter(in_force(on=actor.on), group_id__in=sorted({a.group_id for a in assignments}))
                 .values("group_id").annotate(n=Count("learner_id", distinct=True)).values_list("group_id", "n"))
    return [CalendarItem(HOMEWORK, a.title, _local_day(a.due_at), starts_at=a.due_at, ends_at=a.due_at, where=a.group.name,
                         detail=_("%(n)s of %(total)s handed in") % {"n": counts.get(a.pk, 0), "total": sizes.get(a.group_id, 0)},
                         url=reverse("learning:assignment", args=[a.pk]), uid=f"homework-{a.pk}")
            for a in assignments]


def lessons(context: Context) -> list[CalendarItem]:
    """The actor's lessons (their groups' as a learner, the ones they teach as a teacher) on each school day of
    the window: the right weekday and cycle week, inside a term and the academic year, the school not closed.
    Two queries (and the shared terms and closures)."""
    from commonroom.records.models import SchoolWeek, TimetableSlot

    actor = context.actor
    mine = Q(teacher_id=actor.person_id)
    if context.learner_group_ids:
        mine |= Q(group_id__in=context.learner_group_ids)
    slots = list(visible(actor, TimetableSlot).filter(mine, academic_year__start_date__lte=context.end,
                                                      academic_year__end_date__gte=context.start)
                 .select_related("group", "period", "room", "academic_year", "teacher"))
    if not slots:
        return []
    weeks = SchoolWeek.objects.in_bulk(sorted({s.institution_id for s in slots}))
    tz = timezone.get_current_timezone()
    items = []
    for day in context.days:
        if day.weekday() > 4:
            continue
        for slot in slots:
            week = weeks.get(slot.institution_id)
            cycle = week.cycle_week(day) if week is not None else 1
            if (slot.weekday != day.weekday() or slot.cycle_week != cycle
                    or not slot.academic_year.start_date <= day <= slot.academic_year.end_date
                    or not context.in_term(slot.institution_id, day) or (slot.institution_id, day) in context.closures):
                continue
            teaching = slot.teacher_id == actor.person_id
            where = slot.room.name if slot.room else ""
            detail = "" if teaching else _("with %(name)s") % {"name": slot.teacher.full_name}
            url = reverse("records:lesson_register", args=[slot.pk, day.isoformat()]) if teaching else ""
            items.append(CalendarItem(
                LESSON, f"{slot.group.subject or slot.group.name} ({slot.group.name})" if slot.group.subject else slot.group.name,
                day, starts_at=datetime.datetime.combine(day, slot.period.starts, tzinfo=tz),
                ends_at=datetime.datetime.combine(day, slot.period.ends, tzinfo=tz), where=where, detail=detail, url=url,
                uid=f"lesson-{slot.pk}-{day.isoformat()}"))
    return items


def events(context: Context) -> list[CalendarItem]:
    """Published school events for the actor's schools (whole school) or groups, overlapping the window (one query)."""
    from commonroom.family.models import Event

    actor = context.actor
    groups = set(context.learner_group_ids) | set(actor.staff_groups)
    if not context.institution_ids and not groups:
        return []
    for_groups = Event.groups.through.objects.filter(group_id__in=sorted(groups)).values("event_id")
    rows = (visible(actor, Event).filter(published=True, start_date__lte=context.end, end_date__gte=context.start)
            .filter(Q(whole_school=True, institution_id__in=context.institution_ids) | Q(pk__in=for_groups))
            .order_by("start_date", "starts_at", "pk")[:200])
    items = []
    for event in rows:
        item = CalendarItem(EVENT, event.title, event.start_date, last_day=event.end_date,
                            where=context.institution_names.get(event.institution_id, ""), detail=event.description[:300],
                            uid=f"event-{event.pk}")
        if not event.all_day and event.starts_at and event.ends_at:
            item.starts_at, item.ends_at = event.starts_at, event.ends_at
            item.day, item.last_day = _local_day(event.starts_at), _local_day(event.ends_at)
        items.append(item)
    return items


def term_dates(context: Context) -> list[CalendarItem]:
    """The first and last day of each term, school holidays (weekdays between two terms) and closures inside a
    term, for the actor's schools (the shared terms and closures: two queries)."""
    items: list[CalendarItem] = []
    names = context.institution_names
    by_school: dict[int, list[tuple[str, datetime.date, datetime.date]]] = {}
    for inst, name, first, last in context.terms:
        by_school.setdefault(inst, []).append((name, first, last))
        school = names.get(inst, "")
        if context.start <= first <= context.end:
            items.append(CalendarItem(TERM, _("First day of %(term)s") % {"term": name}, first, where=school,
                                      uid=f"term-start-{inst}-{first}"))
        if context.start <= last <= context.end:
            items.append(CalendarItem(TERM, _("Last day of %(term)s") % {"term": name}, last, where=school,
                                      uid=f"term-end-{inst}-{last}"))
    for inst, terms in by_school.items():
        school = names.get(inst, "")
        for (_a, _b, last), (_next, next_first, _c) in itertools.pairwise(terms):
            first_off, last_off = max(last + datetime.timedelta(days=1), context.start), min(next_first - datetime.timedelta(days=1), context.end)
            if first_off <= last_off:
                items.append(CalendarItem(HOLIDAY, _("School holiday (back on %(day)s)") % {"day": f"{next_first:%A} {next_first.day} {next_first:%B}"},
                                          first_off, last_day=last_off, where=school, uid=f"holiday-{inst}-{first_off}"))
    for inst, day in sorted(context.closures):
        if day.weekday() < 5 and context.in_term(inst, day):
            items.append(CalendarItem(HOLIDAY, _("School closed"), day, where=names.get(inst, ""), uid=f"closed-{inst}-{day}"))
    return items


register_source("homework_for_learners", homework_for_learners, [HOMEWORK])
register_source("homework_for_teachers", homework_for_teachers, [HOMEWORK])
register_source("lessons", lessons, [LESSON])
register_source("events", events, [EVENT])
register_source("term_dates", term_dates, [TERM, HOLIDAY])
