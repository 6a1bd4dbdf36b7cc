"""Reads for the parent portal: a parent's children, one child's page, school events and the feed.

Every read starts from an ``authz`` rule. The child page shows what the family sees (family-visible
aspects of published points, the SEN family summary when shared, the learner's own part in incidents,
published reports), whoever reads it, so staff checking the page see exactly what parents see.
Its query count does not depend on how many marks, incidents, results or reports the child has.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.authz.registry import rule_for
from commonroom.common.dates import in_force
from commonroom.family.models import CalendarFeed, Event, SchoolContact
from commonroom.organisations.models import Institution, Term
from commonroom.people.models import Enrolment, Group, GroupMembership, GroupStaff, Learner
from commonroom.people.selectors import LearnerProfile, learners_cared_for
from commonroom.records.assessment_selectors import SubjectProgress, summarise
from commonroom.records.codes import CODES, Session
from commonroom.records.models import (
    AssessmentResult,
    AttendanceMark,
    IncidentLearner,
    PublishedReport,
    Reward,
    SenRecord,
    SenReview,
)
from commonroom.records.selectors import Figures, _counts, timezone_date

RECENT_BEHAVIOUR = 10  # incidents and rewards shown per school
UPCOMING_EVENTS = 10


@dataclass
class TodayMark:
    session: str
    session_label: str
    code: str
    meaning: str
    category: str


@dataclass
class BehaviourItem:
    when: datetime.date
    kind: str  # "incident" or "reward"
    category: str
    points: int
    role: str = ""
    severity: str = ""
    note: str = ""


@dataclass
class SchoolSection:
    """Everything on the child page from one school the child is enrolled at."""

    institution: Institution
    enrolment: Enrolment
    contact: SchoolContact | None = None
    year_group: Group | None = None
    registration_group: Group | None = None
    form_tutors: list[GroupStaff] = field(default_factory=list)
    today_marks: list[TodayMark] = field(default_factory=list)
    term: Term | None = None
    term_figures: Figures = field(default_factory=Figures)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    behaviour: list[BehaviourItem] = field(default_factory=list)
    subjects: list[SubjectProgress] = field(default_factory=list)
    sen: SenRecord | None = None
    sen_reviews: list[SenReview] = field(default_factory=list)
    reports: list[PublishedReport] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)  # what the reader can do about the child here
    homework: list[Any] = field(default_factory=list)  # learning.selectors.HomeworkItem, due in the window


@dataclass
class ChildPage:
    learner: Learner
    on: datetime.date
    schools: list[SchoolSection]


def my_children(actor: Actor) -> list[LearnerProfile]:
    """A parent's or carer's children (barred and ended links left out), each with their schools."""
    return learners_cared_for(actor)


def _groups_by_institution(on: datetime.date, learner_id: int) -> dict[int, list[Group]]:
    memberships = (GroupMembership.objects.filter(in_force(on=on), learner_id=learner_id)
                   .select_related("group").order_by("group__kind", "group__code"))
    found: dict[int, list[Group]] = defaultdict(list)
    for row in memberships:
        found[row.group.institution_id].append(row.group)
    return found


def _current_terms(institution_ids: list[int], on: datetime.date) -> dict[int, Term]:
    """Each institution's term today, or else its latest term that has started."""
    terms: dict[int, Term] = {}
    for term in Term.objects.filter(institution_id__in=institution_ids, start_date__lte=on).order_by("start_date"):
        if term.end_date >= on or term.institution_id not in terms or terms[term.institution_id].end_date < on:
            terms[term.institution_id] = term
    return terms


def events_for_learner(actor: Actor, learner: Learner, institution_ids: list[int], group_ids: list[int],
                       since: datetime.date) -> QuerySet[Event]:
    """Published events for the learner (their school's whole-school events, or their groups'), as the actor may see."""
    for_groups = Event.groups.through.objects.filter(group_id__in=group_ids).values("event_id")
    return (visible(actor, Event).filter(published=True, end_date__gte=since)
            .filter(Q(whole_school=True, institution_id__in=institution_ids) | Q(pk__in=for_groups)))


def child_page(actor: Actor, learner_id: Any) -> ChildPage:
    """The child page, section by section and school by school. NotFound unless the actor may read it. Audited once."""
    on = actor.on
    learner = get_for(actor, Learner, learner_id, "view_family_page", queryset=Learner.objects.select_related("person"))
    enrolments = list(Enrolment.objects.filter(in_force(on=on), learner=learner).select_related("institution")
                      .order_by("start_date", "pk"))
    institution_ids = [e.institution_id for e in enrolments]
    sections = {e.institution_id: SchoolSection(e.institution, e) for e in enrolments}
    for contact in SchoolContact.objects.filter(institution_id__in=institution_ids):
        sections[contact.institution_id].contact = contact

    groups = _groups_by_institution(on, learner.pk)
    all_groups = [g for rows in groups.values() for g in rows]
    tutors: dict[int, list[GroupStaff]] = defaultdict(list)
    registration_ids = [g.pk for g in all_groups if g.kind == Group.Kind.REGISTRATION]
    for row in (GroupStaff.objects.filter(in_force(on=on), group_id__in=registration_ids, role=GroupStaff.Role.TUTOR)
                .select_related("person").order_by("person__family_name")):
        tutors[row.group_id].append(row)
    for inst_id, rows in groups.items():
        section = sections.get(inst_id)
        if section is None:
            continue
        section.year_group = next((g for g in rows if g.kind == Group.Kind.YEAR), None)
        section.registration_group = next((g for g in rows if g.kind == Group.Kind.REGISTRATION), None)
        if section.registration_group is not None:
            section.form_tutors = tutors.get(section.registration_group.pk, [])

    # Attendance: today's marks, and this term's figures week by week (one query each, whatever the numbers).
    marks = visible(actor, AttendanceMark).filter(learner=learner, institution_id__in=institution_ids)
    for mark in marks.filter(date=on).order_by("session"):
        code = CODES.get(mark.code)
        if mark.institution_id in sections:
            sections[mark.institution_id].today_marks.append(TodayMark(
                mark.session, str(Session(mark.session).label), mark.code,
                str(code.meaning) if code else mark.code, str(code.category.label) if code else ""))  # type: ignore[attr-defined]
    terms = _current_terms(institution_ids, on)
    if terms:
        in_term = Q()
        for inst_id, term in terms.items():
            in_term |= Q(institution_id=inst_id, date__gte=term.start_date, date__lte=min(term.end_date, on))
        weekly = (marks.filter(in_term).order_by().annotate(week=TruncWeek("date"))
                  .values("institution_id", "week").annotate(**_counts()).order_by("week"))
        for counts in weekly:
            week = counts["week"]
            week = week.date() if isinstance(week, datetime.datetime) else week
            figures = Figures.of(counts)
            section = sections[counts["institution_id"]]
            section.weeks.append({"week": week, "figures": figures})
            total = section.term_figures
            section.term_figures = Figures(total.possible + figures.possible, total.attended + figures.attended,
                                           total.authorised + figures.authorised, total.unauthorised + figures.unauthorised)
        for inst_id, term in terms.items():
            sections[inst_id].term = term

    # Behaviour: the child's own part in recent incidents (never the description, which may name others), and rewards.
    since = on - datetime.timedelta(days=365)
    involvement = (visible(actor, IncidentLearner)
                   .filter(learner=learner, institution_id__in=institution_ids, incident__occurred_at__date__gte=since)
                   .select_related("incident__category").order_by("-incident__occurred_at")[:RECENT_BEHAVIOUR * 4])
    for part in involvement:
        items = sections[part.institution_id].behaviour
        if len([i for i in items if i.kind == "incident"]) < RECENT_BEHAVIOUR:
            items.append(BehaviourItem(timezone_date(part.incident.occurred_at), "incident", part.incident.category.name,
                                       part.points, role=part.get_role_display(),
                                       severity=part.incident.get_severity_display()))
    rewards = (visible(actor, Reward).filter(learner=learner, institution_id__in=institution_ids, awarded_on__gte=since)
               .select_related("category").order_by("-awarded_on", "-id")[:RECENT_BEHAVIOUR * 4])
    for reward in rewards:
        items = sections[reward.institution_id].behaviour
        if len([i for i in items if i.kind == "reward"]) < RECENT_BEHAVIOUR:
            items.append(BehaviourItem(reward.awarded_on, "reward", reward.category.name, reward.points, note=reward.note))
    for section in sections.values():
        section.behaviour.sort(key=lambda item: item.when, reverse=True)

    # Assessment: aspects marked visible to families, published points only (the family rule, for every reader).
    results = list(
        visible(actor, AssessmentResult)
        .filter(learner=learner, institution_id__in=institution_ids, aspect__visible_to_families=True, point__published=True)
        .select_related("point", "aspect", "aspect__grade_set")
        .order_by("point__date", "point_id", "subject", "aspect__position")
    )
    by_subject: dict[int, dict[str, list[AssessmentResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        by_subject[result.institution_id][result.subject].append(result)
    for inst_id, subjects in by_subject.items():
        sections[inst_id].subjects = [summarise(subject, rows) for subject, rows in sorted(subjects.items())]

    # SEN: the family summary, when the school shares it, and the reviews it shares.
    sen_rule = (rule_for(SenRecord, "view_family").q(actor) | rule_for(SenRecord, "view_summary").q(actor)
                | rule_for(SenRecord, "view").q(actor))
    shared = SenRecord.objects.filter(sen_rule).filter(learner=learner, institution_id__in=institution_ids,
                                                      share_with_family=True)
    for record in shared:
        sections[record.institution_id].sen = record
    # Always one query (a subquery on the shared records), so the count does not depend on there being any.
    for review in (SenReview.objects.filter(record__in=shared.values("pk"), shared_with_family=True, held_on__isnull=False)
                   .order_by("-held_on")):
        sections[review.institution_id].sen_reviews.append(review)

    # Published reports, from the school that issued them.
    for report in (visible(actor, PublishedReport).filter(learner=learner, institution_id__in=institution_ids)
                   .select_related("cycle").order_by("-issued_at")[:20]):
        sections[report.institution_id].reports.append(report)

    # Upcoming events for the child's school and groups.
    group_ids = [g.pk for g in all_groups]
    for event in events_for_learner(actor, learner, institution_ids, group_ids, on).order_by(
            "start_date", "starts_at", "title")[:UPCOMING_EVENTS * 2]:
        if len(sections[event.institution_id].events) < UPCOMING_EVENTS:
            sections[event.institution_id].events.append(event)

    _add_homework(actor, learner, sections, on)
    _add_actions(actor, learner, sections)

    if actor.person_id != learner.pk:
        audit.record_learner_read(
            actor, learner, what="family_page", institution_ids=set(institution_ids),
            authority_ids={e.institution.local_authority_id for e in enrolments if e.institution.local_authority_id})
    return ChildPage(learner, on, [sections[e.institution_id] for e in enrolments])


# School events -----------------------------------------------------------------------------------


def institution_events(actor: Actor, institution_id: Any) -> tuple[Institution, list[Event], bool]:
    """A school's events for those who work there (drafts included), newest last; whether the actor manages them."""
    from commonroom.authz.api import can

    institution = get_for(actor, Institution, institution_id, "view_events")
    events = list(visible(actor, Event).filter(institution=institution).prefetch_related("groups")
                  .order_by("-start_date", "title")[:500])
    return institution, events, can(actor, "manage_events", institution)


def managed_institution(actor: Actor, institution_id: Any) -> Institution:
    return get_for(actor, Institution, institution_id, "manage_events")


def managed_event(actor: Actor, institution: Institution, event_id: Any) -> Event:
    return get_for(actor, Event, event_id, "manage", queryset=Event.objects.filter(institution=institution)
                   .prefetch_related("groups"))


def event_group_choices(institution: Institution, on: datetime.date) -> list[tuple[int, str]]:
    """Year, registration and teaching groups of the school's current academic year(s)."""
    groups = Group.objects.filter(institution=institution, academic_year__start_date__lte=on,
                                  academic_year__end_date__gte=on).order_by("kind", "code")
    return [(g.pk, f"{g.name} ({g.get_kind_display()})") for g in groups]


def school_contact(institution: Institution) -> SchoolContact | None:
    return SchoolContact.objects.filter(institution=institution).first()


# The calendar feed -------------------------------------------------------------------------------


def live_feed(actor: Actor) -> CalendarFeed | None:
    if actor.person_id is None:
        return None
    return CalendarFeed.objects.filter(person_id=actor.person_id, revoked_at__isnull=True).first()


@dataclass
class FeedItem:
    uid: str
    summary: str
    institution: str
    description: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None  # inclusive, for all-day items
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    stamp: datetime.datetime | None = None


def feed_items(actor: Actor) -> list[FeedItem]:
    """What a person's calendar feed holds, as that person: term dates, events and report dates for their
    children (links in force, not barred) and for themself if they are a learner, and homework deadlines
    for their classes."""
    from django.utils import timezone

    on = actor.on
    own: set[int] = {actor.person_id} if actor.person_id is not None and actor.is_learner else set()
    learner_ids = sorted(set(actor.cared_for_learner_ids) | own)
    if not learner_ids:
        return []
    enrolments = list(Enrolment.objects.filter(in_force(on=on), learner_id__in=learner_ids).select_related("institution"))
    institutions = {e.institution_id: e.institution for e in enrolments}
    names = {pk: inst.name for pk, inst in institutions.items()}
    now = timezone.now()
    items: list[FeedItem] = []
    horizon = on - datetime.timedelta(days=180)
    for term in Term.objects.filter(institution_id__in=list(institutions), end_date__gte=horizon).order_by("start_date"):
        items.append(FeedItem(f"term-{term.pk}@commonroom", f"{term.name} ({names[term.institution_id]})",
                              names[term.institution_id], start_date=term.start_date, end_date=term.end_date,
                              stamp=term.updated_at))
    group_ids = list(GroupMembership.objects.filter(in_force(on=on), learner_id__in=learner_ids).values_list("group_id", flat=True))
    for_groups = Event.groups.through.objects.filter(group_id__in=group_ids).values("event_id")
    events = (visible(actor, Event).filter(published=True, end_date__gte=horizon)
              .filter(Q(whole_school=True, institution_id__in=list(institutions)) | Q(pk__in=for_groups))
              .order_by("start_date")[:1000])
    for event in events:
        item = FeedItem(f"event-{event.pk}@commonroom", event.title, names.get(event.institution_id, ""),
                        description=event.description, stamp=event.updated_at)
        if event.all_day:
            item.start_date, item.end_date = event.start_date, event.end_date
        else:
            item.starts_at, item.ends_at = event.starts_at, event.ends_at
        items.append(item)
    children = {learner.pk: learner.person.full_name
                for learner in Learner.objects.filter(pk__in=learner_ids).select_related("person")}
    for report in (visible(actor, PublishedReport).filter(learner_id__in=learner_ids, institution_id__in=list(institutions))
                   .select_related("cycle").order_by("-issued_at")[:200]):
        day = timezone.localtime(report.issued_at).date()
        items.append(FeedItem(f"report-{report.pk}@commonroom",
                              f"Report published: {report.cycle.name} ({children.get(report.learner_id, '')})",
                              names.get(report.institution_id, ""), start_date=day, end_date=day, stamp=report.issued_at))
    from commonroom.learning.models import Assignment

    for assignment in (visible(actor, Assignment).filter(state=Assignment.State.SET, group_id__in=group_ids,
                                                        due_at__date__gte=horizon)
                       .select_related("group").order_by("due_at")[:500]):
        items.append(FeedItem(f"homework-{assignment.pk}@commonroom",
                              f"Homework due: {assignment.title} ({assignment.group.subject or assignment.group.name})",
                              names.get(assignment.institution_id, ""), description=assignment.instructions[:500],
                              starts_at=assignment.due_at, ends_at=assignment.due_at, stamp=assignment.updated_at))
    for item in items:
        item.stamp = item.stamp or now
    return items


def _add_actions(actor: Actor, learner: Learner, sections: dict[int, SchoolSection]) -> None:
    """Links to what this reader may do about the child at each school, each decided by its own app's rule."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if learner.pk not in actor.cared_for_learner_ids:
        return  # each of these is something only a parent or carer does
    report_absence = can(actor, "report_absence", learner)
    write = can(actor, "messaging_start", learner)
    details = can(actor, "request_detail_change", learner)
    for inst_id, section in sections.items():
        if report_absence:
            section.actions.append({"label": _("Report an absence"),
                                    "url": reverse("liaison:absence_report", args=[learner.pk])})
        if write:
            section.actions.append({"label": _("Send a message to the school"),
                                    "url": f"{reverse('messaging:conversation_new')}?child={learner.pk}-{inst_id}"})
        if details:
            section.actions.append({"label": _("Update medical notes or dietary needs"),
                                    "url": reverse("liaison:child_details", args=[learner.pk])})


HOMEWORK_WINDOW = datetime.timedelta(days=14)
HOMEWORK_SHOWN = 10


def _add_homework(actor: Actor, learner: Learner, sections: dict[int, SchoolSection], on: datetime.date) -> None:
    """Homework set for the child's classes, due in the fortnight either side of today, through the learning
    platform's own selector (and its rule: readers it does not let in simply see no homework section)."""
    from commonroom.authz.api import NotFound
    from commonroom.learning.selectors import homework_for_learner

    tz = timezone.get_current_timezone()
    window = (datetime.datetime.combine(on - HOMEWORK_WINDOW, datetime.time.min, tzinfo=tz),
              datetime.datetime.combine(on + HOMEWORK_WINDOW + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))
    try:
        # The page's own read event covers the read; only the fortnight either side of today is loaded.
        items = homework_for_learner(actor, learner.pk, audit_read=False, due_between=window)
    except NotFound:
        return
    for item in sorted(items, key=lambda item: item.due_at):
        due = timezone_date(item.due_at)
        section = sections.get(item.assignment.group.institution_id)
        if section is not None and abs(due - on) <= HOMEWORK_WINDOW and len(section.homework) < HOMEWORK_SHOWN:
            section.homework.append(item)
