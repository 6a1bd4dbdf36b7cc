"""Who may take, amend and read attendance, in the school's words.

- A form tutor takes the statutory register of their registration group; office and attendance
  staff and leaders (head, senior leader, office) may take any registration group's register at
  their institution, and they alone amend marks afterwards.
- A learner's marks are read by whoever may see the learner (the learner, their parents and
  carers unless barred, their teachers, whole-institution staff, the authority's officers).
- Figures for a group: its staff, whole-institution staff, the authority's officers. Figures and the
  persistent-absence list for an institution: whole-institution staff and the authority's officers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import INSTITUTION_ROLES, OFFICE_ROLES, ROLE_MANAGERS, WHOLE_INSTITUTION_ROLES, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution
from commonroom.organisations.policies import officer_of_institutions_authority
from commonroom.people.models import Enrolment, Group, GroupMembership, GroupStaff, Learner
from commonroom.people.policies import (
    ThroughLearner,
    barred_learner_ids,
    guardian_of,
    is_the_learner,
    learner_institutions,
    not_barred,
    not_ended,
    officer_of_groups_authority,
    staff_at_learners_institution,
    staffs_group,
    teaches_learner,
    whole_institution_staff_of_group,
)
from commonroom.records.models import (
    AssessmentResult,
    AttendanceMark,
    Incident,
    IncidentLearner,
    LessonMark,
    PublishedReport,
    ReportComment,
    ReportCycle,
    ReportRun,
    Reward,
    SenEpisode,
    SenProvision,
    SenRecord,
    SenReview,
    TimetableSlot,
)

ATTENDANCE_STAFF = OFFICE_ROLES  # head, senior leader, office and attendance staff


def _tutored(actor: Actor) -> list[int]:
    return sorted(group for group, roles in actor.staff_groups.items() if GroupStaff.Role.TUTOR in roles)


def _office_at(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*ATTENDANCE_STAFF)


def _takes_register_check(actor: Actor, group: Group) -> bool:
    if group.kind != Group.Kind.REGISTRATION:
        return False
    return group.pk in _tutored(actor) or group.institution_id in _office_at(actor)


def _takes_register_q(actor: Actor) -> Q:
    routes = NOTHING
    if _tutored(actor):
        routes |= Q(pk__in=_tutored(actor))
    if _office_at(actor):
        routes |= Q(institution_id__in=_office_at(actor))
    return Q(kind=Group.Kind.REGISTRATION) & routes


takes_register = Predicate(
    "tutors the registration group, or is attendance staff at its institution", _takes_register_check, _takes_register_q
)
register(
    Group,
    take_register=takes_register,
    view_attendance=staffs_group | whole_institution_staff_of_group | officer_of_groups_authority,
)

whole_institution_staff = Predicate(
    "has a whole-institution role there",
    lambda actor, inst: inst.pk in actor.institutions_where(*WHOLE_INSTITUTION_ROLES),
    lambda actor: Q(pk__in=sorted(actor.institutions_where(*WHOLE_INSTITUTION_ROLES)))
    if actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    else NOTHING,
)
attendance_staff = Predicate(
    "is attendance staff or a leader there",
    lambda actor, inst: inst.pk in _office_at(actor),
    lambda actor: Q(pk__in=sorted(_office_at(actor))) if _office_at(actor) else NOTHING,
)
register(
    Institution,
    view_attendance=whole_institution_staff | officer_of_institutions_authority,
    amend_attendance=attendance_staff,
)


def _amend_check(actor: Actor, mark: AttendanceMark) -> bool:
    return mark.institution_id in _office_at(actor) and mark.learner_id not in barred_learner_ids(actor)


def _amend_q(actor: Actor) -> Q:
    if not _office_at(actor):
        return NOTHING
    q = Q(institution_id__in=sorted(_office_at(actor)))
    barred = barred_learner_ids(actor)
    return q & ~Q(learner_id__in=sorted(barred)) if barred else q


# Who reads a mark. The learner and their parents and carers (not barred) read every mark, from any
# school. Staff read marks recorded at their own school only: whole-school staff every mark there
# (a leaver's too: the register is the school's record), a teacher or tutor the marks of learners they
# teach; an authority officer the marks recorded at the authority's schools. A bar wins over all.
def _not_barred_mark(actor: Actor, mark: AttendanceMark) -> bool:
    return mark.learner_id not in barred_learner_ids(actor)


def _not_barred_marks_q(actor: Actor) -> Q:
    barred = barred_learner_ids(actor)
    return ~Q(learner_id__in=sorted(barred)) if barred else Q()


def _school_staff_mark_check(actor: Actor, mark: AttendanceMark) -> bool:
    return mark.institution_id in actor.institutions_where(*WHOLE_INSTITUTION_ROLES) and _not_barred_mark(actor, mark)


def _school_staff_mark_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    return Q(institution_id__in=sorted(mine)) & _not_barred_marks_q(actor) if mine else NOTHING


def _teacher_mark_check(actor: Actor, mark: AttendanceMark) -> bool:
    return (mark.institution_id in actor.institutions_where(*INSTITUTION_ROLES)
            and teaches_learner.check(actor, mark.learner) and _not_barred_mark(actor, mark))


def _teacher_mark_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*INSTITUTION_ROLES)
    if not mine or not actor.staff_groups:
        return NOTHING
    return (Q(institution_id__in=sorted(mine)) & Q(learner_id__in=Learner.objects.filter(teaches_learner.q(actor)).values("pk"))
            & _not_barred_marks_q(actor))


def _officer_mark_check(actor: Actor, mark: AttendanceMark) -> bool:
    return (mark.institution.local_authority_id in actor.authorities_where(Role.LA_OFFICER)
            and _not_barred_mark(actor, mark))


def _officer_mark_q(actor: Actor) -> Q:
    mine = actor.authorities_where(Role.LA_OFFICER)
    return Q(institution__local_authority_id__in=sorted(mine)) & _not_barred_marks_q(actor) if mine else NOTHING


marks_school_staff = Predicate("has a whole-school role where the mark was recorded (not barred)",
                               _school_staff_mark_check, _school_staff_mark_q)
marks_teacher = Predicate("teaches the learner at the school where the mark was recorded (not barred)",
                          _teacher_mark_check, _teacher_mark_q)
marks_officer = Predicate("is an officer of the authority of the school where the mark was recorded (not barred)",
                          _officer_mark_check, _officer_mark_q)
# The routes to every mark at a school (whole-school staff, the authority's officers): part of the
# view rule below, used on its own for school-wide lists once view_attendance is checked.
school_wide_marks = marks_school_staff | marks_officer
register(
    AttendanceMark,
    view=ThroughLearner((is_the_learner | guardian_of) & not_barred, name="the learner, or a parent or carer (not barred)")
    | marks_school_staff | marks_teacher | marks_officer,
    # Who (who changed it, and why) is for staff: learners and families see the marks themselves.
    view_history=marks_school_staff | marks_teacher,
    amend=Predicate("is attendance staff where the mark was recorded (not barred)", _amend_check, _amend_q),
)


# Behaviour and rewards.
#
# - Teachers record incidents and rewards for learners they teach; whole-institution staff for any
#   learner at their school. Nobody records for a learner they are barred from.
# - A whole incident (its description and everyone involved) is read by whole-institution staff at
#   the school, by whoever recorded it and by its follow-up owner, never by someone barred from a
#   learner involved. A learner's own involvement (category, date, role, points) and their rewards
#   are read by whoever may see the learner.
# - The school's summary: whole-institution staff and the authority's officers. Categories, points
#   and alert thresholds: the head and senior leaders.

records_behaviour_for = (teaches_learner | staff_at_learners_institution) & not_barred
register(Learner, record_behaviour=records_behaviour_for)


def _incident_check(actor: Actor, incident: Incident) -> bool:
    involved = {row.learner_id for row in incident.learners.all()}
    if involved & barred_learner_ids(actor):
        return False
    # The recorder and the follow-up owner read it while they still work at the school.
    return incident.institution_id in actor.institutions_where(*WHOLE_INSTITUTION_ROLES) or (
        actor.person_id is not None
        and actor.person_id in (incident.recorded_by_id, incident.follow_up_owner_id)
        and incident.institution_id in actor.institutions_where(*INSTITUTION_ROLES)
    )


def _incident_q(actor: Actor) -> Q:
    routes = NOTHING
    staff_at = actor.institutions_where(*INSTITUTION_ROLES)
    if actor.person_id is not None and staff_at:
        routes |= (Q(recorded_by_id=actor.person_id) | Q(follow_up_owner_id=actor.person_id)) & Q(
            institution_id__in=sorted(staff_at))
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    if mine:
        routes |= Q(institution_id__in=sorted(mine))
    barred = barred_learner_ids(actor)
    if barred:
        routes &= ~Q(pk__in=IncidentLearner.objects.filter(learner_id__in=sorted(barred)).values("incident_id"))
    return routes


def _follow_up_check(actor: Actor, incident: Incident) -> bool:
    if incident.follow_up_owner_id is None or not _incident_check(actor, incident):
        return False
    return actor.person_id == incident.follow_up_owner_id or incident.institution_id in actor.institutions_where(
        *WHOLE_INSTITUTION_ROLES)


def _follow_up_q(actor: Actor) -> Q:
    routes = NOTHING
    if actor.person_id is not None and actor.institutions_where(*INSTITUTION_ROLES):
        routes |= Q(follow_up_owner_id=actor.person_id, institution_id__in=sorted(actor.institutions_where(*INSTITUTION_ROLES)))
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    if mine:
        routes |= Q(institution_id__in=sorted(mine), follow_up_owner__isnull=False)
    return routes & _incident_q(actor)


register(Incident, follow_up=Predicate("is the follow-up owner, or whole-school staff (not barred)",
                                       _follow_up_check, _follow_up_q))
register(Incident, view=Predicate("whole-school staff, the recorder or the follow-up owner (not barred)",
                                  _incident_check, _incident_q))
register(IncidentLearner, view=ThroughLearner((is_the_learner | guardian_of) & not_barred, name="the learner, or a parent or carer (not barred)")
         | marks_school_staff | marks_teacher | marks_officer)
register(Reward, view=ThroughLearner((is_the_learner | guardian_of) & not_barred, name="the learner, or a parent or carer (not barred)")
         | marks_school_staff | marks_teacher | marks_officer)
behaviour_managers = Predicate(
    "is the head or a senior leader there",
    lambda actor, inst: inst.pk in actor.institutions_where(*ROLE_MANAGERS),
    lambda actor: Q(pk__in=sorted(actor.institutions_where(*ROLE_MANAGERS)))
    if actor.institutions_where(*ROLE_MANAGERS)
    else NOTHING,
)
register(
    Institution,
    view_behaviour=whole_institution_staff | officer_of_institutions_authority,
    manage_behaviour=behaviour_managers,
)


# The school's week and lessons.
#
# - Office and attendance staff and leaders set the school day, rooms, terms and the timetable.
# - Everyone who works at the school sees its timetable; a teacher sees their own week.
# - A lesson register is taken by the lesson's teacher, a teacher of the group, or attendance staff.
# - Lesson marks are read like attendance marks (the learner and family; staff of the school that
#   recorded them; the authority's officers).


def _lesson_check(actor: Actor, slot: TimetableSlot) -> bool:
    if slot.institution_id in _office_at(actor):
        return True
    if slot.institution_id not in actor.institutions_where(*INSTITUTION_ROLES):
        return False  # a teacher who has left the school takes no more registers there
    return actor.person_id == slot.teacher_id or GroupStaff.Role.TEACHER in actor.staff_groups.get(slot.group_id, frozenset())


def _lesson_q(actor: Actor) -> Q:
    routes = NOTHING
    staff_at = actor.institutions_where(*INSTITUTION_ROLES)
    if actor.person_id is not None and staff_at:
        teaching = sorted(g for g, roles in actor.staff_groups.items() if GroupStaff.Role.TEACHER in roles)
        mine = Q(teacher_id=actor.person_id) | (Q(group_id__in=teaching) if teaching else NOTHING)
        routes |= mine & Q(institution_id__in=sorted(staff_at))
    if _office_at(actor):
        routes |= Q(institution_id__in=sorted(_office_at(actor)))
    return routes


works_there = Predicate(
    "holds a role there",
    lambda actor, inst: inst.pk in actor.institutions_where(*INSTITUTION_ROLES),
    lambda actor: Q(pk__in=sorted(actor.institutions_where(*INSTITUTION_ROLES)))
    if actor.institutions_where(*INSTITUTION_ROLES)
    else NOTHING,
)
register(Institution, manage_timetable=attendance_staff, view_timetable=works_there)


def _lesson_view_check(actor: Actor, slot: TimetableSlot) -> bool:
    if slot.institution_id in actor.institutions_where(*INSTITUTION_ROLES):
        return True
    return actor.person_id is not None and GroupMembership.objects.filter(
        in_force(on=actor.on), group_id=slot.group_id, learner_id=actor.person_id).exists()


def _lesson_view_q(actor: Actor) -> Q:
    routes = NOTHING
    staff_at = actor.institutions_where(*INSTITUTION_ROLES)
    if staff_at:
        routes |= Q(institution_id__in=sorted(staff_at))
    if actor.person_id is not None:
        routes |= Q(group_id__in=GroupMembership.objects.filter(in_force(on=actor.on), learner_id=actor.person_id)
                    .values("group_id"))
    return routes


# A lesson on the timetable is seen by everyone who works at the school and by the group's learners (their
# calendar's week).
register(
    TimetableSlot,
    take_register=Predicate("teaches the lesson or the group, or is attendance staff there", _lesson_check, _lesson_q),
    view=Predicate("works at the school, or is a learner in the group", _lesson_view_check, _lesson_view_q),
)
register(LessonMark, view=ThroughLearner((is_the_learner | guardian_of) & not_barred, name="the learner, or a parent or carer (not barred)")
         | marks_school_staff | marks_teacher | marks_officer)


# Assessment.
#
# - Leaders and the office (the school's data managers) set up grade sets, assessment points and
#   aspects, lock and publish points, and may fill any marksheet at their school.
# - A teacher of a teaching group fills its marksheet while the point is open, and sets targets for
#   its learners in its subject.
# - Results are read like attendance marks by staff (whole-school staff and the authority's officers
#   at the school that recorded them; a teacher for the learners they teach). The learner and their
#   parents and carers (not barred) read the aspects marked visible to families, once the point is
#   published.

register(Institution, manage_assessment=attendance_staff,
         view_assessment=whole_institution_staff | officer_of_institutions_authority)


def _teaches_group_check(actor: Actor, group: Group) -> bool:
    return (group.kind == Group.Kind.TEACHING and group.institution_id in actor.institutions_where(*INSTITUTION_ROLES)
            and GroupStaff.Role.TEACHER in actor.staff_groups.get(group.pk, frozenset()))


def _teaches_group_q(actor: Actor) -> Q:
    teaching = sorted(g for g, roles in actor.staff_groups.items() if GroupStaff.Role.TEACHER in roles)
    staff_at = actor.institutions_where(*INSTITUTION_ROLES)
    if not teaching or not staff_at:
        return NOTHING
    return Q(kind=Group.Kind.TEACHING, pk__in=teaching, institution_id__in=sorted(staff_at))


def _data_manager_group_check(actor: Actor, group: Group) -> bool:
    return group.kind == Group.Kind.TEACHING and group.institution_id in _office_at(actor)


def _data_manager_group_q(actor: Actor) -> Q:
    return Q(kind=Group.Kind.TEACHING, institution_id__in=sorted(_office_at(actor))) if _office_at(actor) else NOTHING


register(
    Group,
    enter_grades=Predicate("teaches the teaching group", _teaches_group_check, _teaches_group_q)
    | Predicate("manages assessment at the group's school", _data_manager_group_check, _data_manager_group_q),
    view_progress=staffs_group | whole_institution_staff_of_group | officer_of_groups_authority,
)


def _family_sees_result(result: AssessmentResult) -> bool:
    return result.aspect.visible_to_families and result.point.published


register(
    AssessmentResult,
    view=ThroughLearner((is_the_learner | guardian_of) & not_barred,
                        extra=Q(aspect__visible_to_families=True, point__published=True),
                        extra_check=_family_sees_result,
                        name="the learner, or a parent or carer (not barred), for visible aspects of published points")
    | marks_school_staff | marks_teacher | marks_officer,
)


# Special educational needs: narrow by design.
#
# - The SENCO and the head keep the SEN register (status, needs, plan, provision, reviews); senior
#   leaders read all of it. Nobody else at the school sees the plan's detail.
# - A learner's teachers and tutors read the summary they need to teach: status, needs, the summary
#   for teachers and the strategies.
# - The learner and their parents and carers (not barred) read what the school chooses to share:
#   the family summary when shared, and reviews marked as shared.
# - The authority's officers and other staff (office, DSL) see none of it here.
# - Every read is audited (the views call ``audit.record_learner_read``).

SEN_MANAGERS = (Role.SENCO, Role.HEAD)
SEN_READERS = (Role.SENCO, Role.HEAD, Role.LEADER)


def _sen_role_rule(name: str, roles: tuple[str, ...], *, through_record: bool = False) -> Predicate:
    field = "record__institution_id" if through_record else "institution_id"
    learner_field = "record__learner_id" if through_record else "learner_id"

    def check(actor: Actor, row: Any) -> bool:
        record = row.record if through_record else row
        return record.institution_id in actor.institutions_where(*roles) and record.learner_id not in barred_learner_ids(actor)

    def q(actor: Actor) -> Q:
        mine = actor.institutions_where(*roles)
        if not mine:
            return NOTHING
        found = Q(**{f"{field}__in": sorted(mine)})
        barred = barred_learner_ids(actor)
        return found & ~Q(**{f"{learner_field}__in": sorted(barred)}) if barred else found

    return Predicate(name, check, q)


sen_reader = _sen_role_rule("is the SENCO, the head or a senior leader at the school (not barred)", SEN_READERS)
sen_manager = _sen_role_rule("is the SENCO or the head at the school (not barred)", SEN_MANAGERS)
sen_family = ThroughLearner((is_the_learner | guardian_of) & not_barred, extra=Q(share_with_family=True),
                            extra_check=lambda record: record.share_with_family,
                            name="the learner, or a parent or carer (not barred), when the school shares it")
register(
    SenRecord,
    view=sen_reader,
    view_summary=sen_reader | Predicate("teaches the learner at the school that holds the record (not barred)",
                                        _teacher_mark_check, _teacher_mark_q),
    view_family=sen_family,
    manage=sen_manager,
)
for _model in (SenEpisode, SenProvision):
    register(_model, view=_sen_role_rule("is the SENCO, the head or a senior leader at the school (not barred)",
                                         SEN_READERS, through_record=True))
register(
    SenReview,
    view=_sen_role_rule("is the SENCO, the head or a senior leader at the school (not barred)", SEN_READERS,
                        through_record=True)
    | Predicate("the learner, or a parent or carer (not barred), for a review shared with the family",
                lambda actor, review: review.shared_with_family and review.record.share_with_family
                and sen_family.check(actor, review.record),
                lambda actor: Q(shared_with_family=True, record__in=SenRecord.objects.filter(sen_family.q(actor)))),
)


def _sen_managers_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*SEN_MANAGERS)
    return Q(pk__in=sorted(mine)) if mine else NOTHING


def _sen_readers_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*SEN_READERS)
    return Q(pk__in=sorted(mine)) if mine else NOTHING


register(
    Institution,
    manage_sen=Predicate("is the SENCO or the head there", lambda actor, inst: inst.pk in actor.institutions_where(*SEN_MANAGERS),
                         _sen_managers_q),
    view_sen_register=Predicate("is the SENCO, the head or a senior leader there",
                                lambda actor, inst: inst.pk in actor.institutions_where(*SEN_READERS), _sen_readers_q),
)


def _opens_sen_record_check(actor: Actor, learner: Learner) -> bool:
    mine = actor.institutions_where(*SEN_MANAGERS)
    return (bool(mine & learner_institutions(actor, learner.pk, upcoming=True).keys())
            and learner.pk not in barred_learner_ids(actor))


def _opens_sen_record_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*SEN_MANAGERS)
    if not mine:
        return NOTHING
    q = Q(pk__in=Enrolment.objects.filter(not_ended(actor.on), institution_id__in=sorted(mine)).values("learner_id"))
    barred = barred_learner_ids(actor)
    return q & ~Q(pk__in=sorted(barred)) if barred else q


register(Learner, open_sen_record=Predicate("is the SENCO or the head where the learner is enrolled (not barred)",
                                            _opens_sen_record_check, _opens_sen_record_q))


# Written reports.
#
# - The head and senior leaders set up report cycles, keep the comment bank, proof-read (check or
#   return comments) and publish.
# - Everyone who works at the school sees its cycles and their progress.
# - A teacher writes the subject comments for the teaching groups they teach; a form tutor the tutor
#   comments for their registration group; a head of year the head-of-year comments for the year.
#   Leaders may write any. Nobody writes about a learner they are barred from (the services check).
# - A published report is read by the learner and their parents and carers (not barred), by
#   whole-school staff at the school that issued it and by the learner's teachers there.

report_leaders = behaviour_managers  # the head and senior leaders
register(Institution, manage_reports=report_leaders, view_reports=works_there)


def _group_role_check(kind: str, role: str) -> Any:
    def check(actor: Actor, group: Group) -> bool:
        if group.kind != kind or group.institution_id not in actor.institutions_where(*INSTITUTION_ROLES):
            return False
        return role in actor.staff_groups.get(group.pk, frozenset()) or group.institution_id in actor.institutions_where(
            *ROLE_MANAGERS)

    return check


def _group_role_q(kind: str, role: str) -> Any:
    def q(actor: Actor) -> Q:
        staff_at = actor.institutions_where(*INSTITUTION_ROLES)
        mine = sorted(g for g, roles in actor.staff_groups.items() if role in roles)
        routes = Q(pk__in=mine, institution_id__in=sorted(staff_at)) if mine and staff_at else NOTHING
        leading = actor.institutions_where(*ROLE_MANAGERS)
        if leading:
            routes |= Q(institution_id__in=sorted(leading))
        return Q(kind=kind) & routes

    return q


register(
    Group,
    write_subject_reports=Predicate("teaches the teaching group, or leads the school",
                                    _group_role_check(Group.Kind.TEACHING, GroupStaff.Role.TEACHER),
                                    _group_role_q(Group.Kind.TEACHING, GroupStaff.Role.TEACHER)),
    write_tutor_reports=Predicate("tutors the registration group, or leads the school",
                                  _group_role_check(Group.Kind.REGISTRATION, GroupStaff.Role.TUTOR),
                                  _group_role_q(Group.Kind.REGISTRATION, GroupStaff.Role.TUTOR)),
    write_year_reports=Predicate("is head of the year group, or leads the school",
                                 _group_role_check(Group.Kind.YEAR, GroupStaff.Role.HEAD_OF_YEAR),
                                 _group_role_q(Group.Kind.YEAR, GroupStaff.Role.HEAD_OF_YEAR)),
)
register(
    ReportCycle,
    view=Predicate("works at the school", lambda actor, cycle: cycle.institution_id in actor.institutions_where(*INSTITUTION_ROLES),
                   lambda actor: Q(institution_id__in=sorted(actor.institutions_where(*INSTITUTION_ROLES)))
                   if actor.institutions_where(*INSTITUTION_ROLES) else NOTHING),
    manage=Predicate("is the head or a senior leader at the school",
                     lambda actor, cycle: cycle.institution_id in actor.institutions_where(*ROLE_MANAGERS),
                     lambda actor: Q(institution_id__in=sorted(actor.institutions_where(*ROLE_MANAGERS)))
                     if actor.institutions_where(*ROLE_MANAGERS) else NOTHING),
)
register(
    ReportComment,
    view=Predicate("leads the school, or wrote the comment (not barred)",
                   lambda actor, c: c.learner_id not in barred_learner_ids(actor) and (
                       c.institution_id in actor.institutions_where(*ROLE_MANAGERS)
                       or (c.author_id == actor.person_id and c.institution_id in actor.institutions_where(*INSTITUTION_ROLES))),
                   lambda actor: _not_barred_marks_q(actor) & ((Q(institution_id__in=sorted(actor.institutions_where(*ROLE_MANAGERS)))
                                                          if actor.institutions_where(*ROLE_MANAGERS) else NOTHING)
                                                  | (Q(author_id=actor.person_id,
                                                       institution_id__in=sorted(actor.institutions_where(*INSTITUTION_ROLES)))
                                                     if actor.person_id and actor.institutions_where(*INSTITUTION_ROLES) else NOTHING))),
)


def _receives_reports_q(actor: Actor) -> Q:
    from commonroom.people.models import ContactLink

    links = ContactLink.objects.filter(in_force(on=actor.on), contact_id=actor.person_id, access_barred=False,
                                       may_receive_reports=True)
    return Q(pk__in=links.values("learner_id"))


guardian_receiving_reports = Predicate(
    "is a parent or carer who receives reports",
    lambda actor, learner: Learner.objects.filter(_receives_reports_q(actor), pk=learner.pk).exists()
    if learner.pk in actor.cared_for_learner_ids else False,
    _receives_reports_q,
)
register(PublishedReport, view=ThroughLearner((is_the_learner | guardian_receiving_reports) & not_barred,
                                              name="the learner, or a parent or carer who receives reports (not barred)")
         | marks_school_staff | marks_teacher)


# A whole cycle's PDF holds every learner's report: the head and senior leaders, never someone barred
# from a learner in it.
def _run_check(actor: Actor, run: ReportRun) -> bool:
    if run.institution_id not in actor.institutions_where(*ROLE_MANAGERS):
        return False
    barred = barred_learner_ids(actor)
    return not (barred and PublishedReport.objects.filter(cycle_id=run.cycle_id, learner_id__in=sorted(barred)).exists())


def _run_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*ROLE_MANAGERS)
    if not mine:
        return NOTHING
    q = Q(institution_id__in=sorted(mine))
    barred = barred_learner_ids(actor)
    if barred:
        q &= ~Q(cycle_id__in=PublishedReport.objects.filter(learner_id__in=sorted(barred)).values("cycle_id"))
    return q


register(ReportRun, view=Predicate("leads the school, and is barred from nobody in the cycle", _run_check, _run_q))
