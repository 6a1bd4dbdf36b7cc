"""Every read in liaison, starting from the policy's filter.

``uptake_figures(actor, institution_id)`` is the entry point other apps (the self-review framework)
call for a school's parent uptake.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import in_force
from commonroom.identity.models import User
from commonroom.liaison.models import AbsenceReport, DetailChange
from commonroom.liaison.policies import office_institution_ids
from commonroom.liaison.services import SUGGESTED_CODE, current_value, report_sessions
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner, Person
from commonroom.people.policies import learner_institutions, not_ended
from commonroom.records.codes import ATTENDED_CODES
from commonroom.records.models import AttendanceMark, PublishedReport

RECENT_DAYS = 14


# Absence reports ---------------------------------------------------------------------------------


def reported_absent(learner_ids: Sequence[int], day: datetime.date, session: str, *,
                    institution_id: int | None = None) -> set[int]:
    """Of these learners, those a parent has reported absent (pending or confirmed) for the day and
    session ("AM" or "PM"), optionally at one institution.

    A system function for background tasks (the "no reason given" absence alert): it does no
    authorisation and must not be used to answer a person's request.
    """
    ids = sorted(set(learner_ids))
    if not ids:
        return set()
    reports = AbsenceReport.objects.filter(
        learner_id__in=ids, first_date__lte=day, last_date__gte=day,
        status__in=[AbsenceReport.Status.PENDING, AbsenceReport.Status.CONFIRMED],
        sessions__in=[AbsenceReport.Sessions.BOTH, session],
    )
    if institution_id is not None:
        reports = reports.filter(institution_id=institution_id)
    return set(reports.values_list("learner_id", flat=True))


def child_for_absence(actor: Actor, learner_id: Any) -> tuple[Learner, list[Institution]]:
    """A child the parent may report absent, and the schools they may report at."""
    learner = get_for(actor, Learner, learner_id, action="report_absence",
                      queryset=Learner.objects.select_related("person"))
    ids = sorted(learner_institutions(actor, learner.pk, upcoming=True))
    return learner, list(Institution.objects.filter(pk__in=ids).order_by("name"))


def my_absence_reports(actor: Actor) -> list[AbsenceReport]:
    """The reports this parent made (children they still care for, not barred), newest first."""
    return list(
        visible(actor, AbsenceReport).filter(reported_by_id=actor.person_id)
        .select_related("learner__person", "institution").order_by("-first_date", "-id")[:200]
    )


@dataclass
class QueueRow:
    report: AbsenceReport
    present: list[AttendanceMark]
    suggested_code: str


@dataclass
class AbsenceQueue:
    institution: Institution
    pending: list[QueueRow]
    recent: list[AbsenceReport]


def absence_queue(actor: Actor, institution_id: Any) -> AbsenceQueue:
    """The office's queue: pending reports (with sessions already marked present), and recent decisions."""
    institution = get_for(actor, Institution, institution_id, action="view_absence_reports")
    base = visible(actor, AbsenceReport, "decide").filter(institution=institution).select_related(
        "learner__person", "reported_by", "decided_by")
    pending = list(base.filter(status=AbsenceReport.Status.PENDING).order_by("first_date", "id"))
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    recent = list(base.exclude(status=AbsenceReport.Status.PENDING).filter(decided_at__gte=since)
                  .order_by("-decided_at")[:100])
    present: dict[int, list[AttendanceMark]] = defaultdict(list)
    if pending:
        marks = AttendanceMark.objects.filter(
            institution=institution, learner_id__in=sorted({r.learner_id for r in pending}), code__in=ATTENDED_CODES,
            date__gte=min(r.first_date for r in pending), date__lte=max(r.last_date for r in pending),
        ).order_by("date", "session")
        by_learner: dict[int, list[AttendanceMark]] = defaultdict(list)
        for mark in marks:
            by_learner[mark.learner_id].append(mark)
        for report in pending:
            covered = {(day, session) for day, session in report_sessions(report)} if by_learner.get(report.learner_id) else set()
            present[report.pk] = [m for m in by_learner.get(report.learner_id, []) if (m.date, m.session) in covered]
    audit.record_learner_list_read(actor, sorted({r.learner_id for r in pending}), what="absence_reports")
    rows = [QueueRow(r, present[r.pk], SUGGESTED_CODE.get(r.reason, "I")) for r in pending]
    return AbsenceQueue(institution, rows, recent)


def report_for_decision(actor: Actor, report_id: Any) -> AbsenceReport:
    return get_for(actor, AbsenceReport, report_id, action="decide",
                   queryset=AbsenceReport.objects.select_related("learner__person", "institution"))


def register_notes(actor: Actor, group: Group, day: datetime.date, session: str, learner_ids: list[int]) -> dict[int, str]:
    """Learner id -> "Reported by parent: ill" for pending reports covering this register's session.

    Shown to whoever takes the register (the tutor or the office): they need to know when marking.
    """
    if not learner_ids or not can(actor, "take_register", group):
        return {}
    notes: dict[int, str] = {}
    reports = AbsenceReport.objects.filter(
        institution_id=group.institution_id, status=AbsenceReport.Status.PENDING, learner_id__in=learner_ids,
        first_date__lte=day, last_date__gte=day,
    ).order_by("id")
    for report in reports:
        if report.covers(session):
            notes[report.learner_id] = str(report.get_reason_display()).lower()
    return notes


# Changes of details ------------------------------------------------------------------------------


def my_detail_changes(actor: Actor) -> list[DetailChange]:
    return list(visible(actor, DetailChange).filter(requested_by_id=actor.person_id)
                .select_related("learner__person").order_by("-created_at", "-id")[:200])


def my_children(actor: Actor) -> list[Learner]:
    """Children whose details this parent may ask to change."""
    return list(visible(actor, Learner, "request_detail_change").select_related("person").order_by(
        "person__family_name", "person__given_name"))


def my_person(actor: Actor) -> Person | None:
    """The signed-in user's own Person row (their own email and phone), or None for an account without one.

    Reading one's own record needs no rule; it is here so that views never query people themselves."""
    return Person.objects.filter(pk=actor.person_id).first() if actor.person_id else None


@dataclass
class ChangeRow:
    change: DetailChange
    current: str

    @property
    def stale(self) -> bool:
        return self.current != self.change.old_value


@dataclass
class ChangeQueue:
    institution: Institution
    pending: list[ChangeRow]
    recent: list[DetailChange]


def _changes_at(actor: Actor, institution: Institution) -> QuerySet[DetailChange]:
    """Requests this office decides at this institution: its learners' and its learners' parents'."""
    enrolled = Enrolment.objects.filter(not_ended(actor.on), institution=institution).values("learner_id")
    parents = ContactLink.objects.filter(in_force(on=actor.on), access_barred=False, learner_id__in=enrolled).values(
        "contact_id")
    return visible(actor, DetailChange, "decide").filter(
        Q(learner_id__in=enrolled) | Q(learner__isnull=True, person_id__in=parents))


def detail_change_queue(actor: Actor, institution_id: Any) -> ChangeQueue:
    institution = get_for(actor, Institution, institution_id, action="decide_detail_changes")
    base = _changes_at(actor, institution).select_related("person", "learner__person", "requested_by", "decided_by")
    pending = list(base.filter(status=DetailChange.Status.PENDING).order_by("created_at", "id"))
    # The values on the records now, in two queries whatever the number of requests.
    person_ids = sorted({c.person_id for c in pending if c.learner_id is None})
    learner_ids = sorted({c.learner_id for c in pending if c.learner_id is not None})
    people: dict[int, dict[str, Any]] = {p["pk"]: dict(p) for p in Person.objects.filter(pk__in=person_ids).values("pk", "email", "phone")} if person_ids else {}
    learners: dict[int, dict[str, Any]] = ({row["pk"]: dict(row) for row in Learner.objects.filter(pk__in=learner_ids).values("pk", "medical_notes", "dietary_needs")}
                if learner_ids else {})
    rows = []
    for change in pending:
        source = learners.get(change.learner_id) if change.learner_id is not None else people.get(change.person_id)
        rows.append(ChangeRow(change, str(source[change.field]) if source else ""))
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    recent = list(base.exclude(status=DetailChange.Status.PENDING).filter(decided_at__gte=since, decided_by__isnull=False)
                  .order_by("-decided_at")[:100])
    audit.record_learner_list_read(actor, learner_ids, what="detail_changes")
    return ChangeQueue(institution, rows, recent)


def change_for_decision(actor: Actor, institution_id: Any, change_id: Any) -> tuple[Institution, DetailChange, str]:
    """A request this office may decide, with the institution it decides for (``institution_id`` None:
    the first of the actor's office institutions where the request belongs) and the record's value now."""
    if institution_id is None:
        change = get_for(actor, DetailChange, change_id, action="decide")
        for candidate in sorted(office_institution_ids(actor)):
            if _changes_at(actor, Institution(pk=candidate)).filter(pk=change.pk).exists():
                institution_id = candidate
                break
        else:
            raise NotFound()
    institution = get_for(actor, Institution, institution_id, action="decide_detail_changes")
    change = get_for(actor, DetailChange, change_id, action="decide",
                     queryset=_changes_at(actor, institution).select_related("person", "learner__person"))
    return institution, change, current_value(change)


# Uptake ------------------------------------------------------------------------------------------


@dataclass
class YearUptake:
    """Uptake among the parents of one year group (or the whole school)."""

    label: str
    nc_year: int | None
    learners: int = 0
    contacts: int = 0  # parents and carers (link in force, not barred) of learners on roll
    accounts: int = 0  # of those, with an account they have signed in to at least once
    active_30_days: int = 0  # signed in within the last 30 days
    reports_issued: int = 0  # published reports for these learners at this school
    reports_read: int = 0  # of those, read by at least one of the learner's parents
    messages_sent: int = 0  # copies of the school's broadcasts sent to these parents
    messages_read: int = 0  # of those, opened

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def accounts_pct(self) -> float | None:
        return self._pct(self.accounts, self.contacts)

    @property
    def active_pct(self) -> float | None:
        return self._pct(self.active_30_days, self.contacts)

    @property
    def reports_read_pct(self) -> float | None:
        return self._pct(self.reports_read, self.reports_issued)

    @property
    def messages_read_pct(self) -> float | None:
        return self._pct(self.messages_read, self.messages_sent)


@dataclass
class ParentUptake:
    person_id: int
    name: str
    children: list[str]
    years: list[str]
    has_account: bool
    last_login: datetime.datetime | None
    reports_issued: int
    reports_read: list[str] = field(default_factory=list)  # "<child>: <cycle>" for each report they opened
    messages_received: int = 0  # the school's broadcasts sent to them
    messages_read: int = 0  # of those, opened

    @property
    def activated(self) -> bool:
        return self.last_login is not None


@dataclass
class UptakeFigures:
    institution_id: int
    institution_name: str
    on: datetime.date
    years: list[YearUptake]
    total: YearUptake
    parents: list[ParentUptake]


NO_YEAR = "—"


def uptake_figures(actor: Actor, institution_id: Any) -> UptakeFigures:
    """Parent uptake at a school today: accounts activated, active in the last 30 days, published
    reports read (from the audit trail's ``read.report`` events by the learner's contacts) and the
    school's broadcasts opened, by year group and for the whole school, with a row per parent. Eight
    queries whatever the number of parents.

    Raises ``NotFound`` unless the actor may ``view_parent_uptake`` at the institution (head, senior
    leader, office there).
    """
    institution = get_for(actor, Institution, institution_id, action="view_parent_uptake")
    on = actor.on
    enrolled = Enrolment.objects.filter(in_force(on=on), institution=institution).values("learner_id")
    learners = {pk: name for pk, name in (
        (row[0], f"{row[2] or row[1]} {row[3]}") for row in Learner.objects.filter(pk__in=enrolled).values_list(
            "pk", "person__given_name", "person__preferred_name", "person__family_name"))}
    year_of: dict[int, tuple[int | None, str]] = {}
    for learner_id, nc_year, kind in (
        GroupMembership.objects.filter(in_force(on=on), institution=institution, learner_id__in=enrolled,
                                       group__nc_year__isnull=False, group__kind__in=[Group.Kind.YEAR, Group.Kind.REGISTRATION],
                                       group__academic_year__start_date__lte=on, group__academic_year__end_date__gte=on)
        .order_by("learner_id", "-group__kind").values_list("learner_id", "group__nc_year", "group__kind")
    ):
        if learner_id not in year_of or kind == Group.Kind.YEAR:
            year_of[learner_id] = (nc_year, _("Year %(year)s") % {"year": nc_year})
    links: dict[int, set[int]] = defaultdict(set)  # contact -> learners
    names: dict[int, str] = {}
    for contact_id, learner_id, given, preferred, family in ContactLink.objects.filter(
        in_force(on=on), access_barred=False, learner_id__in=enrolled
    ).values_list("contact_id", "learner_id", "contact__given_name", "contact__preferred_name", "contact__family_name"):
        links[contact_id].add(learner_id)
        names[contact_id] = f"{preferred or given} {family}"
    logins: dict[int, datetime.datetime | None] = {}
    for person_id, last_login in User.objects.filter(person_id__in=ContactLink.objects.filter(
            in_force(on=on), access_barred=False, learner_id__in=enrolled).values("contact_id"),
            is_active=True).values_list("person_id", "last_login"):
        previous = logins.get(person_id)
        logins[person_id] = max(filter(None, (previous, last_login)), default=None)
    reports = list(PublishedReport.objects.filter(institution=institution, learner_id__in=enrolled)
                   .values_list("pk", "learner_id", "cycle__name", "issued_at").order_by("learner_id", "issued_at"))
    report_of = {pk: (learner_id, cycle) for pk, learner_id, cycle, _at in reports}
    reports_by_learner: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for pk, learner_id, _cycle, issued_at in reports:
        reports_by_learner[learner_id].append((pk, issued_at))
    read_by: dict[int, set[int]] = defaultdict(set)  # report -> contacts who read it
    events = AuditEvent.objects.filter(
        action="read.report", object_type="people.learner", learner_id__in=enrolled,
        actor_id__in=ContactLink.objects.filter(in_force(on=on), access_barred=False, learner_id__in=enrolled).values("contact_id"),
    ).values_list("actor_id", "learner_id", "detail", "at")
    for actor_id, learner_id, detail, at in events:
        if learner_id not in links.get(actor_id, ()):
            continue
        report_id = (detail or {}).get("report")
        if report_id is None:  # an older event without the report: the latest issued before the read
            issued = [pk for pk, issued_at in reports_by_learner.get(learner_id, []) if issued_at <= at]
            report_id = issued[-1] if issued else None
        if report_id in report_of and report_of[report_id][0] == learner_id:
            read_by[report_id].add(actor_id)
    # Broadcasts from this school: one row per parent it was sent to, with when they opened it.
    from commonroom.messaging.models import BroadcastRecipient

    received: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # contact -> [sent, read]
    for person_id, read_at in BroadcastRecipient.objects.filter(
            institution=institution, person_id__in=list(links)).values_list("person_id", "read_at"):
        received[person_id][0] += 1
        received[person_id][1] += read_at is not None
    cutoff = timezone.now() - datetime.timedelta(days=30)
    by_year: dict[int | None, YearUptake] = {}
    total = YearUptake(label=_("All years"), nc_year=None)

    def bucket(learner_id: int) -> YearUptake:
        nc_year, label = year_of.get(learner_id, (None, NO_YEAR))
        if nc_year not in by_year:
            by_year[nc_year] = YearUptake(label=label, nc_year=nc_year)
        return by_year[nc_year]

    for learner_id in learners:
        bucket(learner_id).learners += 1
        total.learners += 1
    for contact_id, children in links.items():
        login = logins.get(contact_id)
        for target in {id(b): b for b in (bucket(c) for c in children)}.values():
            target.contacts += 1
            target.accounts += login is not None
            target.active_30_days += login is not None and login >= cutoff
            target.messages_sent += received[contact_id][0] if contact_id in received else 0
            target.messages_read += received[contact_id][1] if contact_id in received else 0
        total.contacts += 1
        total.accounts += login is not None
        total.active_30_days += login is not None and login >= cutoff
        if contact_id in received:
            total.messages_sent += received[contact_id][0]
            total.messages_read += received[contact_id][1]
    for pk, (learner_id, _cycle) in report_of.items():
        target = bucket(learner_id)
        target.reports_issued += 1
        total.reports_issued += 1
        if read_by.get(pk):
            target.reports_read += 1
            total.reports_read += 1
    parents = []
    for contact_id in sorted(links, key=lambda pk: (names[pk].split(" ")[-1], names[pk], pk)):
        ordered = sorted(links[contact_id], key=lambda pk: learners.get(pk, ""))
        read = [f"{learners[report_of[pk][0]]}: {report_of[pk][1]}" for pk in sorted(report_of)
                if contact_id in read_by.get(pk, set())]
        parents.append(ParentUptake(
            person_id=contact_id, name=names[contact_id], children=[learners[c] for c in ordered],
            years=sorted({year_of.get(c, (None, NO_YEAR))[1] for c in ordered}),
            has_account=contact_id in logins, last_login=logins.get(contact_id),
            reports_issued=sum(len(reports_by_learner.get(c, [])) for c in ordered), reports_read=read,
            messages_received=received[contact_id][0] if contact_id in received else 0,
            messages_read=received[contact_id][1] if contact_id in received else 0,
        ))
    years = [by_year[key] for key in sorted(by_year, key=lambda k: (k is None, k or 0))]
    return UptakeFigures(institution.pk, institution.name, on, years, total, parents)
