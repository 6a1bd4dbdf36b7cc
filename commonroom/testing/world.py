"""The persona world every authorisation test runs over.

Two authorities (``la1``, ``la2``) with two institutions each (``a1``, ``a2`` in la1; ``b1``, ``b2``
in la2) and one institution without an authority (``solo``). In each institution:

    <inst>.head  <inst>.leader  <inst>.senco  <inst>.dsl  <inst>.office
                     whole-institution roles; the leader (a senior leader) may also enrol learners
                     and grant teacher and office roles, but not change the institution's settings
    <inst>.teacher   teaches the teaching group <inst>.maths (learners of both forms)
    <inst>.teacher2  teaches <inst>.art (form A learners only)
    <inst>.tutor     tutors form A (<inst>.formA)
    <inst>.learnerA1, <inst>.learnerA2   in form A
    <inst>.learnerB1, <inst>.learnerB2   in form B (tutored by nobody with an account)
    <inst>.leaver    enrolment ended last term: nobody at the school sees them any more

Every learner has an AM (/) and a PM (N) attendance mark six weeks ago. At a1 and b1 there is an
incident six weeks ago (learnerA1 instigator, learnerB1 affected) and a reward for learnerA2, and a
maths lesson in period P1 on today's weekday (six weeks ago learnerA1 missed it). At a1 and b1 there
are maths grades at a published "Autumn" point (learnerA1 below target, learnerA2 above; attainment
and target visible to families, effort staff-only), and SEN records: learnerA1 on SEN support, shared
with the family; learnerB1 with an EHC plan, not shared. Each of a1 and b1 has a report cycle being
written ("Year 10 spring": a maths comment on learnerA1, ready to check, and a tutor's draft) and a
published one ("Year 10 autumn": reports issued for learnerA1 and learnerA2, and a finished PDF run).
learnerA1 also has what a CTF from their primary school brought: a key stage 2 maths result and the
primary in their school history.

Across institutions:

    parent.a1         parent of a1.learnerA1
    parent.two        parent of a1.learnerA2 and of b1.learnerA1 (children in two authorities); has a UK mobile
    parent.barred     barred by a court order from a1.learnerA1 (who has parent.a1 too)
    a1.teacher2       ALSO a barred contact of a1.learnerA1: although they teach art to form A, the
                      bar wins, and they see nothing of a1.learnerA1 (a1.learnerA2 as usual)
    la1.officer, la2.officer     local-authority officers
    platform.admin    the platform administrator
    nobody            an account with no role and no relationship

Every persona has an account whose username is its name. ``World`` gives objects by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role, RoleAssignment
from commonroom.common.dates import today
from commonroom.demo.terms import term_pattern
from commonroom.identity.models import User
from commonroom.organisations.models import AcademicYear, Institution, LocalAuthority, Term
from commonroom.people.identifiers import make_uln, make_upn
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person

INSTITUTIONS = {
    # name: (authority, kind, phase, urn, estab)
    "a1": ("la1", Institution.Kind.SECONDARY, Institution.Phase.SECONDARY, "100001", "4001"),
    "a2": ("la1", Institution.Kind.PRIMARY, Institution.Phase.PRIMARY, "100002", "2001"),
    "b1": ("la2", Institution.Kind.SECONDARY, Institution.Phase.SECONDARY, "100003", "4002"),
    "b2": ("la2", Institution.Kind.SPECIAL, Institution.Phase.ALL_THROUGH, "100004", "7001"),
    "solo": (None, Institution.Kind.FE_COLLEGE, Institution.Phase.POST_16, "100005", ""),
}
AUTHORITIES = {"la1": ("Northmere (test)", "801"), "la2": ("Southvale (test)", "802")}
STAFF_ROLES = {"head": Role.HEAD, "leader": Role.LEADER, "senco": Role.SENCO, "dsl": Role.DSL, "office": Role.OFFICE}
LEARNERS = ("learnerA1", "learnerA2", "learnerB1", "learnerB2", "leaver")


@dataclass
class World:
    authorities: dict[str, LocalAuthority] = field(default_factory=dict)
    institutions: dict[str, Institution] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    learners: dict[str, Learner] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    links: dict[str, ContactLink] = field(default_factory=dict)

    def actor(self, persona: str) -> Actor:
        if persona == "anonymous":
            return Actor(person_id=None, label="anonymous")
        return Actor.for_user(self.users[persona])

    @property
    def personas(self) -> list[str]:
        return [*sorted(self.users), "anonymous"]


def _person(world: World, name: str, given: str, family: str, **extra: object) -> Person:
    person = Person.objects.create(given_name=given, family_name=family, email=f"{name}@example.org", **extra)
    world.people[name] = person
    return person


def _account(world: World, name: str, person: Person) -> User:
    user = User(username=name, email=f"{name}@example.org", person=person)
    user.set_password("correct horse battery staple")
    user.save()
    world.users[name] = user
    return user


def build_world() -> World:
    world = World()
    start = today() - datetime.timedelta(days=200)
    year_start = datetime.date(today().year - (1 if today().month < 9 else 0), 9, 1)
    for key, (name, number) in AUTHORITIES.items():
        world.authorities[key] = LocalAuthority.objects.create(name=name, la_number=number)
    serial = 0
    for key, (la, kind, phase, urn, estab) in INSTITUTIONS.items():
        authority = world.authorities.get(la) if la else None
        inst = Institution.objects.create(
            name=f"{key.upper()} {kind.label} (test)",
            kind=kind,
            phase=phase,
            urn=urn,
            local_authority=authority,
            la_number=authority.la_number if authority else "",
            estab_number=estab,
        )
        world.institutions[key] = inst
        year = AcademicYear.objects.create(
            institution=inst, name=f"{year_start.year}/{str(year_start.year + 1)[2:]}", start_date=year_start,
            end_date=datetime.date(year_start.year + 1, 8, 31),
        )
        for term_name, first, last in term_pattern(year_start.year):
            Term.objects.create(institution=inst, academic_year=year, name=term_name, start_date=first, end_date=last)
        year_group = Group.objects.create(institution=inst, academic_year=year, kind=Group.Kind.YEAR, code="Y10",
                                          name="Year 10", nc_year=10)
        for form in ("A", "B"):
            world.groups[f"{key}.form{form}"] = Group.objects.create(
                institution=inst, academic_year=year, kind=Group.Kind.REGISTRATION, code=f"10{form}",
                name=f"10{form}", nc_year=10, year_group=year_group,
            )
        world.groups[f"{key}.year10"] = year_group
        world.groups[f"{key}.maths"] = Group.objects.create(
            institution=inst, academic_year=year, kind=Group.Kind.TEACHING, code="10Ma1", name="10 Maths set 1",
            subject="Mathematics", nc_year=10,
        )
        world.groups[f"{key}.art"] = Group.objects.create(
            institution=inst, academic_year=year, kind=Group.Kind.TEACHING, code="10Ar", name="10 Art",
            subject="Art", nc_year=10,
        )
        # Staff.
        for label, role in STAFF_ROLES.items():
            person = _person(world, f"{key}.{label}", label.title(), f"{key.upper()}-staff")
            RoleAssignment.objects.create(person=person, role=role, institution=inst, start_date=start)
            _account(world, f"{key}.{label}", person)
        for label, group, group_role in (
            ("teacher", "maths", GroupStaff.Role.TEACHER),
            ("teacher2", "art", GroupStaff.Role.TEACHER),
            ("tutor", "formA", GroupStaff.Role.TUTOR),
        ):
            person = _person(world, f"{key}.{label}", label.title(), f"{key.upper()}-staff")
            RoleAssignment.objects.create(person=person, role=Role.TEACHER, institution=inst, start_date=start)
            GroupStaff.objects.create(institution=inst, group=world.groups[f"{key}.{group}"], person=person,
                                      role=group_role, start_date=start)
            _account(world, f"{key}.{label}", person)
        # Learners.
        for label in LEARNERS:
            serial += 1
            person = _person(world, f"{key}.{label}", label.title(), f"{key.upper()}-learner",
                             date_of_birth=datetime.date(year_start.year - 15, 3, 1))
            learner = Learner.objects.create(
                person=person, upn=make_upn(inst.la_number or "999", estab or "9999", 20, serial),
                uln=make_uln(100000000 + serial * 7919) or make_uln(100000001 + serial * 7919),
            )
            world.learners[f"{key}.{label}"] = learner
            ended = label == "leaver"
            Enrolment.objects.create(
                institution=inst, learner=learner, start_date=start,
                end_date=today() - datetime.timedelta(days=30) if ended else None,
            )
            form = "formB" if label.startswith("learnerB") else "formA"
            groups = [f"{key}.year10", f"{key}.{form}", f"{key}.maths"]
            if form == "formA":
                groups.append(f"{key}.art")
            for group in groups:
                GroupMembership.objects.create(
                    institution=inst, group=world.groups[group], learner=learner, start_date=start,
                    end_date=today() - datetime.timedelta(days=30) if ended else None,
                )
            _account(world, f"{key}.{label}", person)
    # Attendance: one morning and one afternoon mark six weeks ago for every learner (the leaver was on roll then).
    from commonroom.records.models import AttendanceMark

    marked = today() - datetime.timedelta(days=42)
    while marked.weekday() >= 5:
        marked -= datetime.timedelta(days=1)
    AttendanceMark.objects.bulk_create(
        AttendanceMark(institution_id=enrolment.institution_id, learner_id=enrolment.learner_id, enrolment=enrolment,
                       date=marked, session=session, code=code)
        for enrolment in Enrolment.objects.all()
        for session, code in (("AM", "/"), ("PM", "N"))
    )
    # Families.
    def link(name: str, parent: Person, learner_key: str, barred: bool = False, priority: int | None = None) -> None:
        world.links[name] = ContactLink.objects.create(
            learner=world.learners[learner_key], contact=parent, relationship=ContactLink.Relationship.PARENT,
            priority=priority or (2 if barred else 1), access_barred=barred, start_date=start,
        )

    _account(world, "parent.a1", _person(world, "parent.a1", "Alex", "Parent"))
    link("parent.a1>a1.learnerA1", world.people["parent.a1"], "a1.learnerA1")
    _account(world, "parent.two", _person(world, "parent.two", "Sam", "Twohomes", phone="07700 900123"))
    link("parent.two>a1.learnerA2", world.people["parent.two"], "a1.learnerA2")
    link("parent.two>b1.learnerA1", world.people["parent.two"], "b1.learnerA1")
    _account(world, "parent.barred", _person(world, "parent.barred", "Chris", "Barred"))
    link("parent.barred>a1.learnerA1", world.people["parent.barred"], "a1.learnerA1", barred=True)
    link("a1.teacher2>a1.learnerA1", world.people["a1.teacher2"], "a1.learnerA1", barred=True, priority=3)
    # Behaviour: at a1 and b1, an incident six weeks ago (recorded by the teacher, followed up by the tutor)
    # with learnerA1 as instigator and learnerB1 affected, and a reward for learnerA2.
    from django.utils import timezone

    from commonroom.records.models import BehaviourCategory, Incident, IncidentLearner, Reward

    for key in ("a1", "b1"):
        inst = world.institutions[key]
        incident_kind = BehaviourCategory.objects.create(institution=inst, kind="incident", name="Disrupting learning",
                                                         points=2)
        reward_kind = BehaviourCategory.objects.create(institution=inst, kind="reward", name="Commendation", points=1)
        incident = Incident.objects.create(
            institution=inst, category=incident_kind, severity=1, occurred_at=timezone.now() - datetime.timedelta(days=43),
            location="Room 4", description="Talking over the teacher", recorded_by=world.people[f"{key}.teacher"],
            follow_up_owner=world.people[f"{key}.tutor"],
        )
        IncidentLearner.objects.create(institution=inst, incident=incident, learner=world.learners[f"{key}.learnerA1"],
                                       role="instigator", points=2)
        IncidentLearner.objects.create(institution=inst, incident=incident, learner=world.learners[f"{key}.learnerB1"],
                                       role="target")
        Reward.objects.create(institution=inst, category=reward_kind, learner=world.learners[f"{key}.learnerA2"], points=1,
                              awarded_on=today() - datetime.timedelta(days=43), recorded_by=world.people[f"{key}.teacher"])
    # The week: at a1 and b1, maths in P1 on today's weekday, taught by the teacher; six weeks ago (the
    # same weekday) learnerA1 was absent from it and learnerA2 present.
    from commonroom.records.models import LessonMark, Period, TimetableSlot

    for key in ("a1", "b1"):
        inst = world.institutions[key]
        period = Period.objects.create(institution=inst, name="P1", kind="lesson", session="AM",
                                       starts=datetime.time(9, 0), ends=datetime.time(10, 0))
        slot = TimetableSlot.objects.create(institution=inst, group=world.groups[f"{key}.maths"], period=period,
                                            academic_year=world.groups[f"{key}.maths"].academic_year,
                                            weekday=today().weekday(), teacher=world.people[f"{key}.teacher"])
        for who, status in (("learnerA1", "absent"), ("learnerA2", "present")):
            LessonMark.objects.create(institution=inst, slot=slot, learner=world.learners[f"{key}.{who}"],
                                      date=today() - datetime.timedelta(days=42), status=status)
    # Assessment at a1 and b1: grade sets GCSE 9-1 and Effort 1-4, a published autumn point, aspects
    # Attainment and Target (visible to families) and Effort (staff only), and maths results: learnerA1
    # attainment 4 against a target of 6 (below), learnerA2 attainment 7 against 6 (above).
    from commonroom.records.models import (
        Aspect,
        AssessmentPoint,
        AssessmentResult,
        Grade,
        GradeSet,
        PriorSchool,
        SenEpisode,
        SenProvision,
        SenRecord,
        SenReview,
        StageResult,
    )

    for key in ("a1", "b1"):
        inst = world.institutions[key]
        year = world.groups[f"{key}.maths"].academic_year
        gcse = GradeSet.objects.create(institution=inst, name="GCSE 9-1")
        for rank in range(1, 10):
            Grade.objects.create(institution=inst, grade_set=gcse, value=str(rank), rank=rank)
        effort = GradeSet.objects.create(institution=inst, name="Effort 1-4")
        for rank, label in enumerate(("Poor", "Inconsistent", "Good", "Excellent"), start=1):
            Grade.objects.create(institution=inst, grade_set=effort, value=str(rank), label=label, rank=rank)
        point = AssessmentPoint.objects.create(institution=inst, academic_year=year, name="Autumn",
                                               date=today() - datetime.timedelta(days=14), published=True)
        aspects = {
            "attainment": Aspect.objects.create(institution=inst, name="Attainment", kind="attainment", grade_set=gcse,
                                                visible_to_families=True, position=1),
            "effort": Aspect.objects.create(institution=inst, name="Effort", kind="effort", grade_set=effort, position=2),
            "target": Aspect.objects.create(institution=inst, name="Target", kind="target", grade_set=gcse,
                                            visible_to_families=True, position=3),
        }
        for who, grades in (("learnerA1", {"attainment": 4, "effort": 2, "target": 6}),
                            ("learnerA2", {"attainment": 7, "effort": 4, "target": 6})):
            for aspect, value in grades.items():
                AssessmentResult.objects.create(
                    institution=inst, learner=world.learners[f"{key}.{who}"], point=point, aspect=aspects[aspect],
                    subject="Mathematics", value=str(value), rank=value, group=world.groups[f"{key}.maths"],
                    recorded_by=world.people[f"{key}.teacher"],
                )
        # SEN: learnerA1 on SEN support for a specific learning difficulty, shared with the family (one
        # review shared, one not); learnerB1 with an EHC plan for autism, not shared.
        a1_record = SenRecord.objects.create(
            institution=inst, learner=world.learners[f"{key}.learnerA1"], status="K", status_since=start,
            primary_need="SPLD", teacher_summary="Dyslexia: give printed notes", strategies="Cream paper; extra time",
            plan_detail="Reading intervention three times a week", family_summary="Extra reading support each week",
            share_with_family=True,
        )
        SenEpisode.objects.create(institution=inst, record=a1_record, status="K", primary_need="SPLD", start_date=start)
        SenProvision.objects.create(institution=inst, record=a1_record, description="Reading intervention",
                                    hours_per_week=1, start_date=start)
        SenReview.objects.create(institution=inst, record=a1_record, due_on=today() - datetime.timedelta(days=60),
                                 held_on=today() - datetime.timedelta(days=58), outcome="Reading age up a year",
                                 shared_with_family=True)
        SenReview.objects.create(institution=inst, record=a1_record, due_on=today() + datetime.timedelta(days=60))
        b1_record = SenRecord.objects.create(
            institution=inst, learner=world.learners[f"{key}.learnerB1"], status="E", status_since=start,
            primary_need="ASD", secondary_need="SLCN", teacher_summary="Warn of changes to routine",
            plan_detail="EHC plan outcomes", family_summary="", share_with_family=False,
        )
        SenEpisode.objects.create(institution=inst, record=b1_record, status="E", primary_need="ASD",
                                  secondary_need="SLCN", start_date=start)
        # What learnerA1's CTF from their primary school brought: a key stage 2 result and the school.
        StageResult.objects.create(institution=inst, learner=world.learners[f"{key}.learnerA1"], stage="KS2",
                                   subject="MAT", method="TT", component="SCS", year=year_start.year - 4, result="104",
                                   source_laestab=f"{inst.la_number}2001")
        PriorSchool.objects.create(institution=inst, learner=world.learners[f"{key}.learnerA1"],
                                   laestab=f"{inst.la_number}2001", name="Primary (test)",
                                   entry_date=datetime.date(year_start.year - 10, 9, 1),
                                   leaving_date=datetime.date(year_start.year - 4, 7, 20))
    # Written reports at a1 and b1: "Year 10 spring" is being written (a maths comment on learnerA1 by
    # the teacher, ready to check; a tutor comment on learnerA1, a draft); "Year 10 autumn" is published,
    # with a report issued for learnerA1 and learnerA2.
    from django.utils import timezone as tz

    from commonroom.records.models import PublishedReport, ReportComment, ReportCycle, ReportRun

    for key in ("a1", "b1"):
        inst = world.institutions[key]
        year = world.groups[f"{key}.year10"].academic_year
        point = AssessmentPoint.objects.get(institution=inst, name="Autumn")
        writing = ReportCycle.objects.create(institution=inst, name="Year 10 spring", academic_year=year, point=point,
                                             deadline=today() + datetime.timedelta(days=14))
        writing.year_groups.set([world.groups[f"{key}.year10"]])
        ReportComment.objects.create(institution=inst, cycle=writing, learner=world.learners[f"{key}.learnerA1"],
                                     section="subject", subject="Mathematics", group=world.groups[f"{key}.maths"],
                                     text="{name} works hard; {their} grade is {grade}.", status="ready",
                                     author=world.people[f"{key}.teacher"])
        ReportComment.objects.create(institution=inst, cycle=writing, learner=world.learners[f"{key}.learnerA1"],
                                     section="tutor", group=world.groups[f"{key}.formA"], text="A good term.",
                                     author=world.people[f"{key}.tutor"])
        issued = ReportCycle.objects.create(institution=inst, name="Year 10 autumn", academic_year=year, point=point,
                                            deadline=today() - datetime.timedelta(days=7), status="published",
                                            published_at=tz.now() - datetime.timedelta(days=7))
        issued.year_groups.set([world.groups[f"{key}.year10"]])
        for who in ("learnerA1", "learnerA2"):
            PublishedReport.objects.create(
                institution=inst, cycle=issued, learner=world.learners[f"{key}.{who}"], issued_at=issued.published_at,
                document={"school_name": inst.name, "cycle_name": issued.name,
                          "issued_on": (today() - datetime.timedelta(days=7)).isoformat(),
                          "learner_name": world.people[f"{key}.{who}"].full_name, "upn_hint": "", "year_group": "Year 10",
                          "registration_group": "10A", "attendance": None,
                          "subjects": [{"subject": "Mathematics", "teachers": ["T. Teacher"],
                                        "grades": [{"aspect": "Attainment", "value": "5"}], "comment": "Steady work."}],
                          "pastoral": [], "footer_note": "Test world"},
            )
        ReportRun.objects.create(institution=inst, cycle=issued, status="done", total=2, done=2,
                                 requested_by=world.people[f"{key}.head"])
    # Authority and platform.
    for la in ("la1", "la2"):
        person = _person(world, f"{la}.officer", "Officer", la.upper())
        RoleAssignment.objects.create(person=person, role=Role.LA_OFFICER, local_authority=world.authorities[la],
                                      start_date=start)
        _account(world, f"{la}.officer", person)
    admin = _person(world, "platform.admin", "Platform", "Admin")
    RoleAssignment.objects.create(person=admin, role=Role.PLATFORM_ADMIN, start_date=start)
    _account(world, "platform.admin", admin)
    _account(world, "nobody", _person(world, "nobody", "No", "Body"))
    for extend in world_extensions():
        extend(world)
    return world


def world_extensions() -> list:  # type: ignore[type-arg]
    """``extend(world)`` from every ``commonroom/<app>/testing_world.py``, in app order: later apps add
    their rows to the persona world there (and describe them in that module's docstring)."""
    import importlib
    import pkgutil

    import commonroom

    found = []
    for info in sorted(pkgutil.iter_modules(commonroom.__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"commonroom.{info.name}.testing_world")
        except ModuleNotFoundError as error:
            if error.name != f"commonroom.{info.name}.testing_world":
                raise
            continue
        found.append(module.extend)
    return found


def load_world() -> World:
    """Rebuild the ``World`` index from a database that ``build_world`` already filled."""
    world = World()
    world.authorities = {key: LocalAuthority.objects.get(la_number=number) for key, (_n, number) in AUTHORITIES.items()}
    world.institutions = {key: Institution.objects.get(urn=spec[3]) for key, spec in INSTITUTIONS.items()}
    world.users = {user.username: user for user in User.objects.select_related("person")}
    world.people = {name: user.person for name, user in world.users.items() if user.person_id}
    learners = Learner.objects.in_bulk([person.pk for person in world.people.values()])
    world.learners = {name: learners[person.pk] for name, person in world.people.items() if person.pk in learners}
    for key, inst in world.institutions.items():
        for group in Group.objects.filter(institution=inst):
            suffix = {"10A": "formA", "10B": "formB", "Y10": "year10", "10Ma1": "maths", "10Ar": "art"}[group.code]
            world.groups[f"{key}.{suffix}"] = group
    for row in ContactLink.objects.select_related("contact__account", "learner__person__account"):
        world.links[f"{row.contact.account.username}>{row.learner.person.account.username}"] = row
    return world
