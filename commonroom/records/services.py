"""Every write to attendance: registers, office corrections, planned absences and closures.

Each function takes the acting user, checks with ``authz``, validates everything before it
writes, and writes in one transaction with bulk statements (a register of 30 is a handful of
queries, not 30), with a ``MarkChange`` for every mark it changes and an audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, require
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.models import Enrolment, Group, Learner
from commonroom.records.calendar import school_days, term_spans
from commonroom.records.codes import CLOSURE_CODE, CODES, Session, code_problem
from commonroom.records.models import REGISTER_SOURCES, AttendanceMark, MarkChange, Register, Source
from commonroom.records.selectors import RollEntry, register_roll

MAX_MINUTES_LATE = 600


@dataclass(frozen=True)
class MarkEntry:
    """One learner's mark as submitted from a register, with what the user saw of the mark."""

    learner_id: int
    code: str
    explanation: str = ""
    minutes_late: int | None = None  # None: keep what is recorded
    seen_version: int = 0  # 0: the user saw no mark
    seen_code: str | None = None  # the code the user saw (the page sends it)


@dataclass
class SaveResult:
    register: Register
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class Conflict:
    learner_id: int
    name: str
    yours: str
    theirs: str
    by: str
    version: int


class RegisterConflict(ValidationError):
    """Marks changed elsewhere after this user opened the register, or belong to the office. Nothing was saved."""

    def __init__(self, conflicts: list[Conflict], message: str | None = None, *, office: bool = False) -> None:
        self.conflicts = conflicts
        if office:
            template = _("%(name)s: the office recorded %(theirs)s (%(by)s); ask the office to change it.")
        else:
            template = _(
                "%(name)s: another device recorded %(theirs)s (%(by)s) after you opened the register; "
                "you chose %(yours)s. Check and save again."
            )
        errors: dict[str, list[str]] = {
            f"code_{c.learner_id}": [
                template % {"name": c.name, "theirs": c.theirs, "by": c.by or _("someone"), "yours": c.yours or _("no mark")}
            ]
            for c in conflicts
        }
        if message:
            errors["__all__"] = [message]
        super().__init__(errors)


def _check_day(institution_id: int, day: datetime.date) -> str | None:
    if not any(True for _d in school_days(institution_id, day, day)):
        return _("%(day)s is not a school day (a weekday in term).") % {"day": day.strftime("%A %-d %B %Y")}
    return None


def _entry_problem(entry: MarkEntry, session: str, roll: dict[int, RollEntry]) -> tuple[str, str] | None:
    """(field, message) for a bad entry, or None."""
    person = roll.get(entry.learner_id)
    field_name = f"code_{entry.learner_id}"
    if person is None:
        return field_name, _("Learner %(id)s is not on this register that day.") % {"id": entry.learner_id}
    problem = code_problem(entry.code, session, entry.explanation)
    if problem:
        needs_note = entry.code in CODES and CODES[entry.code].needs_explanation and not entry.explanation.strip()
        return (f"note_{entry.learner_id}" if needs_note else field_name), f"{person.name}: {problem}"
    if person.prospective and entry.code != "Z":
        return field_name, _("%(name)s is not yet on roll: only Z can be recorded.") % {"name": person.name}
    if not person.prospective and entry.code == "Z":
        return field_name, _("%(name)s is on roll: Z is only for a learner not yet admitted.") % {"name": person.name}
    if entry.code == CLOSURE_CODE:
        return field_name, _("%(name)s: record a planned closure (#) for the whole school from the attendance page.") % {
            "name": person.name}
    if entry.minutes_late is not None and not 0 <= entry.minutes_late <= MAX_MINUTES_LATE:
        return field_name, _("%(name)s: minutes late must be between 0 and %(max)s.") % {"name": person.name, "max": MAX_MINUTES_LATE}
    return None


def _person_names(person_ids: Iterable[int | None]) -> dict[int, str]:
    from commonroom.people.models import Person

    ids = sorted({pk for pk in person_ids if pk})
    return {p.pk: p.full_name for p in Person.objects.filter(pk__in=ids)} if ids else {}


def register_save(
    *,
    actor: Actor,
    group: Group,
    day: datetime.date,
    session: str,
    entries: Sequence[MarkEntry],
    source: str = Source.REGISTER,
) -> SaveResult:
    """Save a statutory register: new marks are created, changed marks amended with history.

    Every learner on the register must have a mark once it is saved. An entry whose mark changed on
    another device since the user saw it (its version moved on) and that now differs is a conflict;
    so is a change, by someone who is not attendance staff, to a mark the office recorded (a planned
    absence, a closure, a correction). Conflicts save nothing and ``RegisterConflict`` names them.
    """
    require(actor, "take_register", group)
    if session not in Session.values:
        raise ValidationError({"session": _("Choose the morning (AM) or afternoon (PM) session.")})
    office = can(actor, "amend_attendance", group.institution)
    if day > today():
        raise ValidationError({"__all__": _("A register cannot be taken for a future date; the office records planned absences.")})
    if day < today() and not office:
        raise ValidationError({"__all__": _("Only attendance staff can change a past register: ask the office.")})
    problem = _check_day(group.institution_id, day)
    if problem:
        raise ValidationError({"__all__": problem})
    roll = {row.learner_id: row for row in register_roll(actor, group, day)}
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for entry in entries:
        if entry.learner_id in seen:
            errors.setdefault(f"code_{entry.learner_id}", []).append(_("A learner appears twice."))
        seen.add(entry.learner_id)
        if not entry.code:
            continue
        found = _entry_problem(entry, session, roll)
        if found:
            errors.setdefault(found[0], []).append(found[1])
    if errors:
        raise ValidationError(errors)
    wanted = [entry for entry in entries if entry.code]
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = {
                mark.learner_id: mark
                for mark in AttendanceMark.objects.select_for_update().filter(
                    institution_id=group.institution_id, date=day, session=session, learner_id__in=list(roll),
                )
            }
            unmarked = [roll[pk].name for pk in roll if pk not in existing and pk not in {e.learner_id for e in wanted}]
            if unmarked:
                raise ValidationError({"__all__": [
                    _("Mark everyone on the register before saving. Not marked: %(names)s.") % {"names": ", ".join(unmarked)}
                ]})
            conflicts: list[Conflict] = []
            office_owned: list[Conflict] = []
            to_create: list[AttendanceMark] = []
            to_update: list[AttendanceMark] = []
            changes: list[MarkChange] = []
            unchanged = 0
            for entry in wanted:
                mark = existing.get(entry.learner_id)
                name = roll[entry.learner_id].name
                note = entry.explanation.strip()
                if mark is None:
                    if entry.seen_version:
                        # The user saw a mark that no longer exists: marks are never deleted, so the form is stale.
                        conflicts.append(Conflict(entry.learner_id, name, entry.code, "–", "", 0))
                        continue
                    to_create.append(AttendanceMark(
                        institution_id=group.institution_id, learner_id=entry.learner_id,
                        enrolment_id=roll[entry.learner_id].enrolment_id, date=day, session=session, code=entry.code,
                        explanation=note, minutes_late=entry.minutes_late, source=source,
                        recorded_by_id=actor.person_id, changed_by_id=actor.person_id,
                    ))
                    continue
                minutes = mark.minutes_late if entry.minutes_late is None else entry.minutes_late
                if (mark.code, mark.explanation, mark.minutes_late) == (entry.code, note, minutes):
                    unchanged += 1
                    continue
                moved_on = mark.version != entry.seen_version
                if moved_on and entry.seen_code == entry.code and note == mark.explanation and entry.minutes_late is None:
                    unchanged += 1  # the user left it as it was; another device's newer mark stands
                    continue
                if moved_on:
                    conflicts.append(Conflict(entry.learner_id, name, entry.code, mark.code, str(mark.changed_by_id or ""),
                                              mark.version))
                    continue
                if not office and mark.source not in REGISTER_SOURCES:
                    office_owned.append(Conflict(entry.learner_id, name, entry.code, mark.code,
                                                 str(mark.changed_by_id or ""), mark.version))
                    continue
                changes.append(MarkChange(
                    institution_id=mark.institution_id, mark=mark, from_code=mark.code, to_code=entry.code,
                    from_explanation=mark.explanation, to_explanation=note, from_minutes_late=mark.minutes_late,
                    to_minutes_late=minutes, source=source, changed_by_id=actor.person_id,
                ))
                mark.code, mark.explanation, mark.minutes_late, mark.source = entry.code, note, minutes, source
                mark.version += 1
                mark.changed_by_id = actor.person_id
                mark.updated_at = now
                to_update.append(mark)
            for found_conflicts, is_office in ((conflicts, False), (office_owned, True)):
                if found_conflicts:
                    names = _person_names(int(c.by) for c in found_conflicts if c.by)
                    for c in found_conflicts:
                        c.by = names.get(int(c.by), "") if c.by else ""
                    raise RegisterConflict(found_conflicts, office=is_office)
            AttendanceMark.objects.bulk_create(to_create)
            if to_update:
                AttendanceMark.objects.bulk_update(
                    to_update, ["code", "explanation", "minutes_late", "source", "version", "changed_by", "updated_at"]
                )
                MarkChange.objects.bulk_create(changes)
            register, created = Register.objects.get_or_create(
                institution_id=group.institution_id, group=group, date=day, session=session,
                defaults={"taken_by_id": actor.person_id, "last_saved_by_id": actor.person_id},
            )
            if not created:
                Register.objects.filter(pk=register.pk).update(
                    saves=F("saves") + 1, last_saved_by_id=actor.person_id, updated_at=now
                )
            audit.record(
                actor, "attendance.register_saved", register, institution_id=group.institution_id,
                detail={"group": group.pk, "date": day.isoformat(), "session": session,
                        "created": len(to_create), "changed": len(to_update)},
            )
            if day == today():
                # Alerts to families for today's absences with no reason (N), queued once this save commits.
                from commonroom.notifications.services import absence_alerts_on_commit

                absence_alerts_on_commit(institution_id=group.institution_id, day=day, session=session,
                                         learner_ids=[entry.learner_id for entry in wanted if entry.code == "N"])
    except IntegrityError:
        # Another device created some of these marks between our read and our write.
        raise RegisterConflict(
            [], _("Another device saved this register at the same moment. Nothing of yours was saved: check the marks and save again.")
        ) from None
    return SaveResult(register, len(to_create), len(to_update), unchanged)


def mark_amend(
    *,
    actor: Actor,
    mark: AttendanceMark,
    code: str,
    explanation: str,
    reason: str,
    seen_version: int,
    minutes_late: int | None = None,
    source: str = Source.OFFICE,
) -> AttendanceMark:
    """An attendance officer corrects one mark (N to a final code, L to U, ...), saying why."""
    require(actor, "amend", mark)
    errors: dict[str, list[str]] = {}
    problem = code_problem(code, mark.session, explanation)
    if problem:
        errors["code" if code not in CODES or not CODES[code].needs_explanation else "explanation"] = [problem]
    elif code == CLOSURE_CODE:
        errors["code"] = [_("Record a planned closure (#) for the whole school from the attendance page.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the mark is changing: the reason is kept with the register.")]
    if minutes_late is not None and not 0 <= minutes_late <= MAX_MINUTES_LATE:
        errors["minutes_late"] = [_("Minutes late must be between 0 and %(max)s.") % {"max": MAX_MINUTES_LATE}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AttendanceMark.objects.select_for_update().get(pk=mark.pk)
        if locked.version != seen_version:
            raise ValidationError({"code": [_("Someone changed this mark to %(code)s since you opened it: check it and try again.")
                                            % {"code": locked.code}]})
        if (locked.code, locked.explanation, locked.minutes_late) == (code, explanation.strip(), minutes_late):
            raise ValidationError({"code": [_("That is already the mark: nothing to change.")]})
        MarkChange.objects.create(
            institution_id=locked.institution_id, mark=locked, from_code=locked.code, to_code=code,
            from_explanation=locked.explanation, to_explanation=explanation.strip(),
            from_minutes_late=locked.minutes_late, to_minutes_late=minutes_late, reason=reason.strip(),
            source=source, changed_by_id=actor.person_id,
        )
        before = locked.code
        locked.code, locked.explanation, locked.minutes_late, locked.source = code, explanation.strip(), minutes_late, source
        locked.version += 1
        locked.changed_by_id = actor.person_id
        locked.save(update_fields=["code", "explanation", "minutes_late", "source", "version", "changed_by", "updated_at"])
        audit.record(actor, "attendance.mark_amended", locked, learner_id=locked.learner_id,
                     institution_id=locked.institution_id, detail={"from": before, "to": code})
    return locked


@dataclass
class RangeResult:
    created: int = 0
    changed: int = 0
    sessions: list[tuple[datetime.date, str]] = field(default_factory=list)


def _sessions_between(
    institution_id: int, first: datetime.date, first_session: str, last: datetime.date, last_session: str
) -> list[tuple[datetime.date, str]]:
    sessions = []
    for day in school_days(institution_id, first, last, term_spans(institution_id, first, last)):
        for session in (Session.AM, Session.PM):
            if (day, session) < (first, first_session) or (day, session) > (last, last_session):
                continue
            sessions.append((day, str(session)))
    return sessions


def _write_range(
    *, actor: Actor, institution_id: int, cells: list[tuple[int, int, datetime.date, str]], code: str, explanation: str,
    reason: str, source: str,
) -> RangeResult:
    """Create or change (with history) the marks of (learner, enrolment, day, session) cells, in bulk.
    A clash with a save at the same moment is refused with a clear error, and nothing is written."""
    result = RangeResult()
    learner_ids = sorted({cell[0] for cell in cells})
    days = sorted({cell[2] for cell in cells})
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = {
                (m.learner_id, m.date, m.session): m
                for m in AttendanceMark.objects.select_for_update().filter(
                    institution_id=institution_id, learner_id__in=learner_ids, date__gte=days[0], date__lte=days[-1]
                )
            } if cells else {}
            to_create, to_update, changes = [], [], []
            for learner_id, enrolment_id, day, session in cells:
                mark = existing.get((learner_id, day, session))
                if mark is None:
                    to_create.append(AttendanceMark(
                        institution_id=institution_id, learner_id=learner_id, enrolment_id=enrolment_id, date=day,
                        session=session, code=code, explanation=explanation, source=source,
                        recorded_by_id=actor.person_id, changed_by_id=actor.person_id,
                    ))
                elif (mark.code, mark.explanation) != (code, explanation):
                    changes.append(MarkChange(
                        institution_id=institution_id, mark=mark, from_code=mark.code, to_code=code,
                        from_explanation=mark.explanation, to_explanation=explanation,
                        from_minutes_late=mark.minutes_late, to_minutes_late=None, reason=reason, source=source,
                        changed_by_id=actor.person_id,
                    ))
                    mark.code, mark.explanation, mark.minutes_late, mark.source = code, explanation, None, source
                    mark.version += 1
                    mark.changed_by_id, mark.updated_at = actor.person_id, now
                    to_update.append(mark)
            AttendanceMark.objects.bulk_create(to_create, batch_size=1000)
            AttendanceMark.objects.bulk_update(
                to_update, ["code", "explanation", "minutes_late", "source", "version", "changed_by", "updated_at"],
                batch_size=500,
            )
            MarkChange.objects.bulk_create(changes, batch_size=1000)
    except IntegrityError:
        raise ValidationError({"__all__": [_(
            "Someone saved some of these marks at the same moment. Nothing was recorded: try again.")]}) from None
    result.created, result.changed = len(to_create), len(to_update)
    return result


def planned_absence(
    *,
    actor: Actor,
    learner: Learner,
    institution: Institution,
    first: datetime.date,
    first_session: str,
    last: datetime.date,
    last_session: str,
    code: str,
    explanation: str,
) -> RangeResult:
    """Record a known absence (a medical appointment, an interview, study leave) for a run of
    sessions, usually in the future. Sessions already marked are changed, with history."""
    require(actor, "amend_attendance", institution)
    require(actor, "change", learner)
    errors: dict[str, list[str]] = {}
    if (last, last_session) < (first, first_session):
        errors["last"] = [_("The last session must not be before the first.")]
    elif (last - first).days > 366:
        errors["last"] = [_("Record at most a year at a time.")]
    problem = code_problem(code, first_session, explanation)
    if problem:
        errors["explanation" if code in CODES and CODES[code].needs_explanation else "code"] = [problem]
    elif CODES[code].category in ("present", "administrative"):
        errors["code"] = [_("A planned absence needs an absence, activity or not-possible code.")]
    if errors:
        raise ValidationError(errors)
    sessions = _sessions_between(institution.pk, first, first_session, last, last_session)
    if not sessions:
        raise ValidationError({"first": [_("There are no school days in that range.")]})
    enrolments = list(
        Enrolment.objects.filter(institution=institution, learner=learner, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first)).values_list("id", "start_date", "end_date")
    )
    cells = []
    for day, session in sessions:
        enrolment = next((pk for pk, start, end in enrolments if start <= day and (end is None or end >= day)), None)
        if enrolment is None:
            raise ValidationError({"first": [_("%(name)s is not on roll here on %(day)s.")
                                             % {"name": learner.person.full_name, "day": day.isoformat()}]})
        cells.append((learner.pk, enrolment, day, session))
    with transaction.atomic():
        result = _write_range(actor=actor, institution_id=institution.pk, cells=cells, code=code,
                              explanation=explanation.strip(), reason=explanation.strip() or _("Planned absence"),
                              source=Source.PLANNED)
        result.sessions = sessions
        audit.record(actor, "attendance.planned_absence", learner, learner_id=learner.pk, institution_id=institution.pk,
                     detail={"code": code, "from": f"{first} {first_session}", "to": f"{last} {last_session}",
                             "created": result.created, "changed": result.changed})
    return result


def closure_record(
    *, actor: Actor, institution: Institution, day: datetime.date, sessions: Sequence[str], reason: str
) -> RangeResult:
    """A planned whole-school closure: code # for every learner on roll, for the chosen sessions."""
    require(actor, "amend_attendance", institution)
    errors: dict[str, list[str]] = {}
    if not sessions or any(s not in Session.values for s in sessions):
        errors["sessions"] = [_("Choose the morning, the afternoon or both.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the school is closed (for example, a staff training day).")]
    problem = _check_day(institution.pk, day)
    if problem:
        errors["day"] = [problem]
    if errors:
        raise ValidationError(errors)
    on_roll = list(
        Enrolment.objects.filter(institution=institution, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("learner_id", "start_date").values_list("learner_id", "id")
    )
    enrolment_of = dict(on_roll)  # the latest-starting enrolment in force wins
    cells = [(learner_id, enrolment_id, day, str(s)) for learner_id, enrolment_id in sorted(enrolment_of.items())
             for s in sessions]
    with transaction.atomic():
        result = _write_range(actor=actor, institution_id=institution.pk, cells=cells, code=CLOSURE_CODE,
                              explanation=reason.strip(), reason=reason.strip(), source=Source.CLOSURE)
        result.sessions = [(day, str(s)) for s in sessions]
        audit.record(actor, "attendance.closure", institution, institution_id=institution.pk,
                     detail={"date": day.isoformat(), "sessions": list(sessions), "learners": len(enrolment_of)})
    return result


# Behaviour and rewards ---------------------------------------------------------------------------

# Who carries an incident's points: those who caused it, not those it happened to or who saw it.
POINTS_FOR_ROLES = {"instigator", "participant"}
MAX_INVOLVED = 60


def _learners_for_behaviour(
    actor: Actor, institution: Institution, learner_ids: Sequence[int], on: datetime.date, field_name: str
) -> tuple[dict[int, Learner], dict[str, list[str]]]:
    """The learners, if the actor may record behaviour for each and each is on roll at the school that day."""
    from commonroom.authz.api import visible
    from commonroom.authz.models import INSTITUTION_ROLES

    if institution.pk not in actor.institutions_where(*INSTITUTION_ROLES):
        raise NotFound()  # behaviour is recorded by staff of the school it is recorded at
    errors: dict[str, list[str]] = {}
    allowed = visible(actor, Learner, "record_behaviour").filter(pk__in=list(learner_ids))
    on_roll = set(
        Enrolment.objects.filter(institution=institution, learner_id__in=list(learner_ids), start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).values_list("learner_id", flat=True)
    )
    learners = {lr.pk: lr for lr in allowed.select_related("person")}
    for pk in learner_ids:
        if pk not in learners:
            errors.setdefault(field_name, []).append(
                _("Learner %(id)s is not one you can record behaviour for.") % {"id": pk})
        elif pk not in on_roll:
            errors.setdefault(field_name, []).append(
                _("%(name)s is not on roll here on %(day)s.") % {"name": learners[pk].person.full_name, "day": on.isoformat()})
    return learners, errors


def _category(institution: Institution, category_id: int | None, kind: str) -> Any:
    from commonroom.records.models import BehaviourCategory

    if category_id is None:
        return None
    return BehaviourCategory.objects.filter(pk=category_id, institution=institution, kind=kind, active=True).first()


def incident_record(
    *,
    actor: Actor,
    institution: Institution,
    category_id: int | None,
    severity: int,
    occurred_at: datetime.datetime,
    location: str,
    description: str,
    action_taken: str,
    follow_up_owner_id: int | None,
    involved: Sequence[tuple[int, str]],
) -> Any:
    """Record one incident with every learner involved and their roles, in one transaction."""
    from commonroom.authz.models import RoleAssignment
    from commonroom.common.dates import in_force
    from commonroom.records.models import Incident, IncidentLearner

    errors: dict[str, list[str]] = {}
    category = _category(institution, category_id, "incident")
    if category is None:
        errors["category"] = [_("Choose one of the school's incident categories.")]
    if severity not in Incident.Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("An incident cannot be in the future.")]
    if not description.strip():
        errors["description"] = [_("Describe what happened.")]
    roles = IncidentLearner.Role.values
    if not involved:
        errors["learners"] = [_("Choose at least one learner involved.")]
    elif len(involved) > MAX_INVOLVED:
        errors["learners"] = [_("Record at most %(max)s learners at once.") % {"max": MAX_INVOLVED}]
    if any(role not in roles for _pk, role in involved):
        errors.setdefault("learners", []).append(_("Choose a role for each learner involved."))
    if len({pk for pk, _r in involved}) != len(involved):
        errors.setdefault("learners", []).append(_("A learner appears twice."))
    day = timezone.localtime(occurred_at).date()
    _learners, problems = _learners_for_behaviour(actor, institution, [pk for pk, _r in involved], day, "learners")
    for key, messages in problems.items():
        errors.setdefault(key, []).extend(messages)
    if follow_up_owner_id is not None and not RoleAssignment.objects.filter(
        in_force(on=day), person_id=follow_up_owner_id, institution=institution
    ).exists():
        errors["follow_up_owner"] = [_("The follow-up owner must work at this school.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            institution=institution, category=category, severity=severity, occurred_at=occurred_at,
            location=location.strip(), description=description.strip(), action_taken=action_taken.strip(),
            follow_up_owner_id=follow_up_owner_id, recorded_by_id=actor.person_id,
        )
        IncidentLearner.objects.bulk_create(
            IncidentLearner(institution=institution, incident=incident, learner_id=pk, role=role,
                            points=category.points if role in POINTS_FOR_ROLES else 0)
            for pk, role in involved
        )
        audit.record_for_learners(actor, "behaviour.incident_recorded", incident, [pk for pk, _r in involved],
                                  institution_id=institution.pk, detail={"category": category.name})
        from commonroom.notifications.services import incident_alerts_on_commit

        incident_alerts_on_commit(incident_id=incident.pk)  # the task checks the school's severity and roles
    return incident


def reward_record(
    *,
    actor: Actor,
    institution: Institution,
    category_id: int | None,
    learner_ids: Sequence[int],
    awarded_on: datetime.date,
    note: str = "",
) -> list[Any]:
    """Give one reward to one or many learners at once (one row each, one insert)."""
    from commonroom.records.models import Reward

    errors: dict[str, list[str]] = {}
    category = _category(institution, category_id, "reward")
    if category is None:
        errors["category"] = [_("Choose one of the school's reward categories.")]
    if not learner_ids:
        errors["learners"] = [_("Choose at least one learner.")]
    elif len(set(learner_ids)) != len(learner_ids):
        errors["learners"] = [_("A learner appears twice.")]
    if awarded_on > today():
        errors["awarded_on"] = [_("A reward cannot be dated in the future.")]
    _learners, problems = _learners_for_behaviour(actor, institution, list(learner_ids), awarded_on, "learners")
    for key, messages in problems.items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rewards = Reward.objects.bulk_create(
            Reward(institution=institution, category=category, learner_id=pk, points=category.points,
                   awarded_on=awarded_on, note=note.strip(), recorded_by_id=actor.person_id)
            for pk in learner_ids
        )
        audit.record_for_learners(actor, "behaviour.reward_given", institution, list(learner_ids),
                                  institution_id=institution.pk, detail={"category": category.name})
    return rewards


def incident_follow_up_done(*, actor: Actor, incident: Any) -> None:
    """The follow-up owner, or whole-school staff, mark the follow-up done."""
    require(actor, "follow_up", incident)
    with transaction.atomic():
        type(incident).objects.filter(pk=incident.pk).update(follow_up_done=True, updated_at=timezone.now())
        audit.record(actor, "behaviour.follow_up_done", incident, institution_id=incident.institution_id)


def behaviour_category_save(
    *, actor: Actor, institution: Institution, kind: str, name: str, points: int, active: bool = True,
    category_id: int | None = None,
) -> Any:
    from commonroom.records.models import BehaviourCategory

    require(actor, "manage_behaviour", institution)
    errors: dict[str, list[str]] = {}
    if kind not in BehaviourCategory.Kind.values:
        errors["kind"] = [_("Choose incident or reward.")]
    if not name.strip():
        errors["name"] = [_("Give the category a name.")]
    if not 0 <= points <= 100:
        errors["points"] = [_("Points must be between 0 and 100.")]
    clash = BehaviourCategory.objects.filter(institution=institution, kind=kind, name__iexact=name.strip())
    if category_id:
        clash = clash.exclude(pk=category_id)
    if clash.exists():
        errors["name"] = [_("There is already a category with this name.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if category_id:
            category = BehaviourCategory.objects.get(pk=category_id, institution=institution)
            category.kind, category.name, category.points, category.active = kind, name.strip(), points, active
            category.save()
        else:
            category = BehaviourCategory.objects.create(institution=institution, kind=kind, name=name.strip(),
                                                        points=points, active=active)
        audit.record(actor, "behaviour.category_saved", category, institution_id=institution.pk,
                     detail={"name": category.name, "points": points, "active": active})
    return category


def behaviour_settings_save(*, actor: Actor, institution: Institution, alert_points: int, alert_days: int) -> Any:
    from commonroom.records.models import BehaviourSettings

    require(actor, "manage_behaviour", institution)
    errors: dict[str, list[str]] = {}
    if not 1 <= alert_points <= 1000:
        errors["alert_points"] = [_("Enter a number of points from 1 to 1,000.")]
    if not 1 <= alert_days <= 366:
        errors["alert_days"] = [_("Enter a number of days from 1 to 366.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        settings_row, _created = BehaviourSettings.objects.update_or_create(
            institution=institution, defaults={"alert_points": alert_points, "alert_days": alert_days})
        audit.record(actor, "behaviour.settings_saved", institution, institution_id=institution.pk,
                     detail={"alert_points": alert_points, "alert_days": alert_days})
    return settings_row


# The school's week: periods, rooms, terms, the timetable, lesson registers ----------------------


def school_week_save(
    *, actor: Actor, institution: Institution, cycle_weeks: int, cycle_starts: datetime.date | None,
    register_open_minutes: int,
) -> Any:
    from commonroom.records.models import SchoolWeek

    require(actor, "manage_timetable", institution)
    errors: dict[str, list[str]] = {}
    if cycle_weeks not in (1, 2):
        errors["cycle_weeks"] = [_("Choose a one- or two-week cycle.")]
    if cycle_weeks == 2 and cycle_starts is None:
        errors["cycle_starts"] = [_("Give a Monday in week A, so that Commonroom knows which week is which.")]
    if cycle_starts is not None and cycle_starts.weekday() != 0:
        errors["cycle_starts"] = [_("Week A must begin on a Monday.")]
    if not 1 <= register_open_minutes <= 30:
        errors["register_open_minutes"] = [_("A register closes no more than 30 minutes after it opens.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        week, _created = SchoolWeek.objects.update_or_create(institution=institution, defaults={
            "cycle_weeks": cycle_weeks, "cycle_starts": cycle_starts, "register_open_minutes": register_open_minutes})
        audit.record(actor, "timetable.week_saved", institution, institution_id=institution.pk,
                     detail={"cycle_weeks": cycle_weeks, "register_open_minutes": register_open_minutes})
    return week


def period_add(
    *, actor: Actor, institution: Institution, name: str, kind: str, session: str, starts: datetime.time,
    ends: datetime.time,
) -> Any:
    from commonroom.records.models import Period

    require(actor, "manage_timetable", institution)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the period a name.")]
    elif Period.objects.filter(institution=institution, name__iexact=name.strip()).exists():
        errors["name"] = [_("There is already a period with this name.")]
    if kind not in Period.Kind.values:
        errors["kind"] = [_("Choose registration, lesson or break.")]
    if session not in Session.values:
        errors["session"] = [_("Choose the morning or the afternoon.")]
    if starts >= ends:
        errors["ends"] = [_("A period must end after it starts.")]
    elif Period.objects.filter(institution=institution, starts__lt=ends, ends__gt=starts).exists():
        errors["starts"] = [_("This overlaps another period.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = Period.objects.create(institution=institution, name=name.strip(), kind=kind, session=session,
                                       starts=starts, ends=ends)
        audit.record(actor, "timetable.period_added", period, institution_id=institution.pk)
    return period


def room_add(*, actor: Actor, institution: Institution, name: str) -> Any:
    from commonroom.records.models import Room

    require(actor, "manage_timetable", institution)
    if not name.strip():
        raise ValidationError({"name": [_("Give the room a name.")]})
    if Room.objects.filter(institution=institution, name__iexact=name.strip()).exists():
        raise ValidationError({"name": [_("There is already a room with this name.")]})
    with transaction.atomic():
        room = Room.objects.create(institution=institution, name=name.strip())
        audit.record(actor, "timetable.room_added", room, institution_id=institution.pk)
    return room


def term_add(*, actor: Actor, institution: Institution, name: str, start_date: datetime.date, end_date: datetime.date) -> Any:
    from commonroom.organisations.models import AcademicYear, Term

    require(actor, "manage_timetable", institution)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the term a name.")]
    if start_date > end_date:
        errors["end_date"] = [_("A term must end on or after the day it starts.")]
    year = AcademicYear.objects.filter(institution=institution, start_date__lte=start_date, end_date__gte=end_date).first()
    if year is None and not errors:
        errors["start_date"] = [_("The term must fall inside one of the school's academic years.")]
    if not errors and Term.objects.filter(institution=institution, start_date__lte=end_date, end_date__gte=start_date).exists():
        errors["start_date"] = [_("This overlaps another term.")]
    if not errors and Term.objects.filter(institution=institution, academic_year=year, name__iexact=name.strip()).exists():
        errors["name"] = [_("There is already a term with this name in that year.")]
    if errors or year is None:
        raise ValidationError(errors)
    with transaction.atomic():
        term = Term.objects.create(institution=institution, academic_year=year, name=name.strip(), start_date=start_date,
                                   end_date=end_date)
        audit.record(actor, "timetable.term_added", term, institution_id=institution.pk)
    return term


def slot_add(
    *, actor: Actor, institution: Institution, group_id: int | None, period_id: int | None, weekday: int,
    cycle_week: int, teacher_id: int | None, room_id: int | None,
) -> Any:
    """Place a teaching group in a period with a teacher (and a room); clashes are named."""
    from commonroom.authz.models import RoleAssignment
    from commonroom.common.dates import in_force
    from commonroom.records.models import Period, Room, SchoolWeek, TimetableSlot

    require(actor, "manage_timetable", institution)
    errors: dict[str, list[str]] = {}
    group = Group.objects.filter(pk=group_id, institution=institution, kind=Group.Kind.TEACHING).first() if group_id else None
    period = Period.objects.filter(pk=period_id, institution=institution, kind=Period.Kind.LESSON).first() if period_id else None
    room = Room.objects.filter(pk=room_id, institution=institution).first() if room_id else None
    week = SchoolWeek.objects.filter(institution=institution).first()
    if group is None:
        errors["group"] = [_("Choose one of the school's teaching groups.")]
    if period is None:
        errors["period"] = [_("Choose one of the school's lesson periods.")]
    if room_id and room is None:
        errors["room"] = [_("Choose one of the school's rooms.")]
    if weekday not in range(5):
        errors["weekday"] = [_("Choose a weekday.")]
    if cycle_week not in (1, 2) or (cycle_week == 2 and (week is None or week.cycle_weeks == 1)):
        errors["cycle_week"] = [_("The school runs a one-week timetable: choose week A.")]
    if teacher_id is None or not RoleAssignment.objects.filter(in_force(), person_id=teacher_id, institution=institution).exists():
        errors["teacher"] = [_("Choose a member of staff at this school.")]
    if not errors:
        same_time = TimetableSlot.objects.filter(period=period, weekday=weekday, cycle_week=cycle_week,
                                                 academic_year_id=group.academic_year_id).select_related("group")  # type: ignore[union-attr]
        for other in same_time:
            if other.group_id == group.pk:  # type: ignore[union-attr]
                errors.setdefault("group", []).append(_("%(group)s already has a lesson then.") % {"group": group.name})  # type: ignore[union-attr]
            if other.teacher_id == teacher_id:
                errors.setdefault("teacher", []).append(_("This teacher already teaches %(group)s then.") % {"group": other.group.name})
            if room is not None and other.room_id == room.pk:
                errors.setdefault("room", []).append(_("%(room)s is taken by %(group)s then.") % {"room": room.name, "group": other.group.name})
    if errors or group is None or period is None or teacher_id is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            slot = TimetableSlot.objects.create(institution=institution, academic_year_id=group.academic_year_id, group=group,
                                                period=period, weekday=weekday,
                                                cycle_week=cycle_week, teacher_id=teacher_id, room=room)
            audit.record(actor, "timetable.slot_added", slot, institution_id=institution.pk)
    except IntegrityError:
        raise ValidationError({"__all__": [_("Someone placed a lesson there at the same moment: check the timetable.")]}) from None
    return slot


def slot_remove(*, actor: Actor, slot: Any) -> None:
    require(actor, "manage_timetable", slot.institution)
    if slot.marks.exists():
        raise ValidationError({"__all__": [_("Registers have been taken in this lesson: it stays on the timetable for the record.")]})
    with transaction.atomic():
        audit.record(actor, "timetable.slot_removed", slot, institution_id=slot.institution_id,
                     detail={"group": slot.group_id, "weekday": slot.weekday, "period": slot.period_id})
        slot.delete()


def lesson_register_save(*, actor: Actor, slot: Any, day: datetime.date, entries: Sequence[tuple[int, str]]) -> int:
    """Save a lesson's register: one status per learner in the group that day, in bulk."""
    from commonroom.records.models import LessonMark
    from commonroom.records.selectors import lesson_roll, slot_runs_on

    require(actor, "take_register", slot)
    office = can(actor, "amend_attendance", slot.institution)
    if day > today():
        raise ValidationError({"__all__": _("A lesson register cannot be taken for a future date.")})
    if day < today() and not office:
        raise ValidationError({"__all__": _("Only attendance staff can change a past lesson register.")})
    if not slot_runs_on(slot, day):
        raise ValidationError({"__all__": _("This lesson does not take place on %(day)s.") % {"day": day.strftime("%A %-d %B %Y")}})
    roll = {row.learner_id: row for row in lesson_roll(actor, slot, day)}
    errors: dict[str, list[str]] = {}
    if len({learner_id for learner_id, _s in entries}) != len(entries):
        errors.setdefault("__all__", []).append(_("A learner appears twice."))
    for learner_id, status in entries:
        if learner_id not in roll:
            errors.setdefault(f"status_{learner_id}", []).append(_("Learner %(id)s is not in this lesson.") % {"id": learner_id})
        elif status not in LessonMark.Status.values:
            errors.setdefault(f"status_{learner_id}", []).append(_("%(name)s: choose present, late, absent or elsewhere.") % {
                "name": roll[learner_id].name})
    missing = [roll[pk].name for pk in roll if pk not in {learner_id for learner_id, _s in entries}]
    if missing:
        errors.setdefault("__all__", []).append(_("Mark everyone in the lesson. Not marked: %(names)s.") % {"names": ", ".join(missing)})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {m.learner_id: m for m in LessonMark.objects.select_for_update().filter(slot=slot, date=day)}
        existing_status = {pk: m.status for pk, m in existing.items()}
        to_create, to_update = [], []
        for learner_id, status in entries:
            mark = existing.get(learner_id)
            if mark is None:
                to_create.append(LessonMark(institution_id=slot.institution_id, slot=slot, learner_id=learner_id, date=day,
                                            status=status, recorded_by_id=actor.person_id))
            elif mark.status != status:
                mark.status, mark.recorded_by_id, mark.updated_at = status, actor.person_id, timezone.now()
                to_update.append(mark)
        try:
            with transaction.atomic():
                LessonMark.objects.bulk_create(to_create)
        except IntegrityError:
            raise ValidationError({"__all__": [_("Another device saved this register at the same moment: check and save again.")]}) from None
        LessonMark.objects.bulk_update(to_update, ["status", "recorded_by", "updated_at"])
        audit.record(actor, "attendance.lesson_register_saved", slot, institution_id=slot.institution_id,
                     detail={"date": day.isoformat(), "created": len(to_create), "changed": len(to_update)})
        # A changed lesson mark is recorded per learner, with what it was, so nothing changes silently.
        for mark in to_update:
            audit.record(actor, "attendance.lesson_mark_changed", mark, learner_id=mark.learner_id,
                         institution_id=slot.institution_id,
                         detail={"date": day.isoformat(), "from": existing_status[mark.learner_id], "to": mark.status})
    return len(to_create) + len(to_update)
