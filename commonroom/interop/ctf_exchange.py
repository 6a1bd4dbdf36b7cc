"""Common Transfer Files in and out of Commonroom: the import (preview, then all or nothing) and the export.

``ctf_preview`` reads a file and decides, for each pupil, what importing it would do:

- **create**: no learner has this UPN (as their UPN or their former UPN): a new person and learner,
  enrolled here, with everything the file carries that Commonroom keeps;
- **update**: a learner with this UPN exists and the file's name and date of birth agree with theirs
  (at least two of surname, forename and date of birth): only what Commonroom lacks is added (ULN,
  former UPN, an enrolment here, the year group, contacts not yet linked, the SEN history here, prior
  attendance, key stage results, earlier schools). Names and dates of birth are never changed: a
  difference is reported as a warning for the office to check;
- **skip**, with the reason: everything in the file is already here; the actor is barred from the
  learner; the UPN belongs to a learner whose name and date of birth differ (never merged); the ULN
  belongs to another learner; Commonroom knows the pupil under the file's *former* UPN.

``ctf_import`` plans again and writes the plan in one transaction with bulk inserts, so a second
import of the same file adds nothing. ``ctf_export`` builds a file for learners who are or were
enrolled at the school. What maps to what, and what is left out, is in docs/ctf.md.

Every function takes the acting user and goes through the authz layer: ``enrol`` on the institution
for both directions, and the ``transfer`` rules (``interop/policies.py``) for what an export reads.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import in_force, today
from commonroom.common.models import check_same_institution
from commonroom.interop.ctf import (
    ACCEPTED_VERSIONS,
    CURRENT_VERSION,
    AttendanceYear,
    Contact,
    CtfError,
    CtfFile,
    CtfHeader,
    CtfPupil,
    CtfSchool,
    Phone,
    SchoolHistoryEntry,
    SenEpisode,
    SenNeed,
    StageResult,
    ctf_file_name,
    ctf_version_for,
    read_ctf,
    validate_export,
    write_ctf,
)
from commonroom.interop.ctf.model import LOST_PUPILS_ESTAB, LOST_PUPILS_LEA, UNKNOWN_ESTAB, UNKNOWN_LEA
from commonroom.organisations.models import AcademicYear, Institution
from commonroom.people.identifiers import normalise_upn, uln_problem, upn_problem
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner, Person
from commonroom.people.policies import barred_learner_ids, not_ended
from commonroom.records import models as records
from commonroom.records.models import NeedType, SenStatus
from commonroom.records.selectors import attendance_by_academic_year

SUPPLIER_ID = "Commonroom"
AUDIT_EXPORT = "export.ctf"
AUDIT_EXPORT_LEARNER = "export.ctf.learner"
AUDIT_IMPORT = "import.ctf"
AUDIT_IMPORT_CREATED = "import.ctf.learner_created"
AUDIT_IMPORT_UPDATED = "import.ctf.learner_updated"
QUALIFIERS = ("full", "partial")
_LAESTAB = re.compile(r"[0-9]{7}")
_LEA = re.compile(r"[0-9]{3}")
_ESTAB = re.compile(r"[0-9]{4}")
_MAX_SESSIONS = 2**31 - 1  # PositiveIntegerField
_MAX_PRIORITY = 99
_MAX_ID = 2**63 - 1  # a database id

# --- Mappings ---------------------------------------------------------------------------------------------------

# The Common Basic Data Set's "relationship to pupil" codes, as we read them (check against the CBDS
# before relying on the rarer ones). Anything else, or nothing, is "other relative or contact".
_R = ContactLink.Relationship
RELATIONSHIP_FROM_CTF: dict[str, str] = {
    "PAM": _R.MOTHER, "PAF": _R.FATHER,
    "STM": _R.STEP_PARENT, "STF": _R.STEP_PARENT,
    "FOM": _R.FOSTER_CARER, "FOF": _R.FOSTER_CARER,
    "CAM": _R.CARER, "CAF": _R.CARER,
    "GRM": _R.GRANDPARENT, "GRF": _R.GRANDPARENT,
}
# Out again: (female, male, sex not known). CTF codes are gendered; a parent whose sex Commonroom does
# not know is sent as "REL" (other relative), a carer as "OTH", rather than guessing.
RELATIONSHIP_TO_CTF: dict[str, tuple[str, str, str]] = {
    _R.MOTHER: ("PAM", "PAM", "PAM"),
    _R.FATHER: ("PAF", "PAF", "PAF"),
    _R.PARENT: ("PAM", "PAF", "REL"),
    _R.STEP_PARENT: ("STM", "STF", "REL"),
    _R.GRANDPARENT: ("GRM", "GRF", "REL"),
    _R.FOSTER_CARER: ("FOM", "FOF", "OTH"),
    _R.CARER: ("CAM", "CAF", "OTH"),
    _R.OTHER: ("OTH", "OTH", "OTH"),
}
# School Action (A) and School Action Plus (P) became SEN support in 2014, statements (S) EHC plans.
SEN_STATUS_FROM_CTF = {"N": SenStatus.NONE, "K": SenStatus.SUPPORT, "E": SenStatus.EHC_PLAN,
                       "A": SenStatus.SUPPORT, "P": SenStatus.SUPPORT, "S": SenStatus.EHC_PLAN}
NEED_TYPES = frozenset(NeedType.values)
# National curriculum year: N1 and N2 are the two nursery years, R reception (Group.nc_year -2, -1, 0).
NC_YEAR_FROM_CTF: dict[str, int] = {"N1": -2, "N2": -1, "R": 0, **{str(year): year for year in range(1, 15)}}
NC_YEAR_TO_CTF = {number: code for code, number in NC_YEAR_FROM_CTF.items()}

# The longest value each field keeps (the models' lengths).
_PERSON_NAME, _PHONE, _EMAIL = 100, 30, 254
_STAGE_LIMITS = {"stage": 10, "subject": 20, "method": 10, "component": 40, "locale": 10, "result_status": 20,
                 "result_qualifier": 20, "result": 40}
_STAGE_ELEMENTS = {"stage": "Stage", "subject": "Subject", "method": "Method", "component": "Component",
                   "locale": "Locale", "result_status": "ResultStatus", "result_qualifier": "ResultQualifier",
                   "result": "Result"}


def _fold(value: str | None) -> str:
    """A name as compared: case and spacing ignored."""
    return " ".join((value or "").split()).casefold()


def _pupil_where(position: int, pupil: CtfPupil) -> str:
    return f"Pupil {position} ({pupil.label})"


# --- The plan ---------------------------------------------------------------------------------------------------

ADDS = ("identifiers", "enrolment", "year_group", "contacts", "sen_episodes", "prior_attendance", "stage_results",
        "prior_schools")


@dataclass
class _Changes:
    """What importing one pupil writes. Filled by the plan, written by ``ctf_import``."""

    uln: str | None = None
    former_upn: str | None = None
    enrol: bool = False
    year_group: Group | None = None
    contacts: list[Contact] = field(default_factory=list)
    sen: tuple[SenEpisode, ...] = ()
    needs: tuple[str, str] = ("", "")
    attendance: list[AttendanceYear] = field(default_factory=list)
    results: list[StageResult] = field(default_factory=list)
    schools: list[tuple[str, SchoolHistoryEntry]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "identifiers": int(bool(self.uln or self.former_upn)),
            "enrolment": int(self.enrol),
            "year_group": int(self.year_group is not None),
            "contacts": len(self.contacts),
            "sen_episodes": len(self.sen),
            "prior_attendance": len(self.attendance),
            "stage_results": len(self.results),
            "prior_schools": len(self.schools),
        }


@dataclass
class PupilPlan:
    """One pupil of the file: what importing would do and why."""

    position: int
    upn: str
    name: str
    action: str  # "create", "update" or "skip"
    reason: str
    warnings: list[str] = field(default_factory=list)
    learner_id: int | None = None
    changes: _Changes = field(default_factory=_Changes, repr=False)
    pupil: CtfPupil | None = field(default=None, repr=False)
    learner: Learner | None = field(default=None, repr=False)

    @property
    def adds(self) -> dict[str, int]:
        return self.changes.counts() if self.action != "skip" else dict.fromkeys(ADDS, 0)


@dataclass
class CtfPlan:
    institution_id: int
    source_name: str
    source_laestab: str
    dest_laestab: str
    version: str
    qualifier: str
    generated_at: datetime.datetime
    join_date: datetime.date
    rows: list[PupilPlan]

    def counts(self) -> dict[str, int]:
        totals = {"pupils": len(self.rows), "create": 0, "update": 0, "skip": 0, **dict.fromkeys(ADDS, 0)}
        for row in self.rows:
            totals[row.action] += 1
            for name, count in row.adds.items():
                totals[name] += count
        return totals

    @property
    def warnings(self) -> int:
        return sum(len(row.warnings) for row in self.rows)


@dataclass
class CtfImportReport:
    plan: CtfPlan
    created_ids: list[int]
    updated_ids: list[int]

    def counts(self) -> dict[str, int]:
        return self.plan.counts()


# --- Checks before planning ---------------------------------------------------------------------------------------


def _check_destination(header: CtfHeader, institution: Institution) -> None:
    dest = header.dest
    if dest.lea == UNKNOWN_LEA and dest.estab == UNKNOWN_ESTAB:
        return
    if dest.lea == LOST_PUPILS_LEA or dest.estab == LOST_PUPILS_ESTAB:
        raise CtfError(_("This file was sent to the lost pupils database (MMMMMMM), not to a school, so it was not "
                         "imported. Ask the sending school for a file addressed to this school."))
    if (institution.laestab and dest.laestab == institution.laestab) or (dest.urn and dest.urn == institution.urn):
        return
    raise CtfError(_(
        "This file is addressed to another school (LAESTAB %(dest)s), not to %(school)s (%(here)s), so it was not "
        "imported. Check it is the right file, or ask the sending school to send it to this school."
    ) % {"dest": dest.laestab, "school": institution.name, "here": institution.laestab or _("no LAESTAB")})


def _check_values(ctf: CtfFile) -> list[str]:
    """Values the reader accepted that Commonroom cannot keep whole: each names the pupil and element."""
    problems: list[str] = []

    def too_long(where: str, element: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            problems.append(_("%(where)s: %(element)s is longer than %(limit)s characters, the most Commonroom keeps.")
                            % {"where": where, "element": element, "limit": limit})

    for position, pupil in enumerate(ctf.pupils, 1):
        where = _pupil_where(position, pupil)
        too_long(where, "<Surname>", pupil.surname, _PERSON_NAME)
        too_long(where, "<Forename>", pupil.forename, _PERSON_NAME)
        too_long(where, "<BasicDetails>/<PreferredForename>", pupil.preferred_forename, _PERSON_NAME)
        for number, phone in enumerate(pupil.phones, 1):
            too_long(where, f"<Phones>/<Phone>[{number}]/<PhoneNo>", phone.number, _PHONE)
        for number, contact in enumerate(pupil.contacts, 1):
            path = f"<Contacts>/<Contact>[{number}]/"
            too_long(where, f"{path}<Surname>", contact.surname, _PERSON_NAME)
            too_long(where, f"{path}<Forename>", contact.forename, _PERSON_NAME)
            for phone_number, phone in enumerate(contact.phones, 1):
                too_long(where, f"{path}<Phones>/<Phone>[{phone_number}]/<PhoneNo>", phone.number, _PHONE)
        for number, year in enumerate(pupil.attendance, 1):
            for element, value in (("SessionsPossible", year.sessions_possible),
                                   ("SessionsAuthorised", year.sessions_authorised),
                                   ("SessionsUnauthorised", year.sessions_unauthorised)):
                if value > _MAX_SESSIONS:
                    problems.append(_("%(where)s: <Attendance>/<YearData>[%(n)s]/<%(element)s> is too large.")
                                    % {"where": where, "n": number, "element": element})
        for number, result in enumerate(pupil.stage_results, 1):
            for name, limit in _STAGE_LIMITS.items():
                too_long(where, f"<StageAssessments>/<StageAssessment>[{number}]/<{_STAGE_ELEMENTS[name]}>",
                         getattr(result, name), limit)
        for number, school in enumerate(pupil.school_history, 1):
            too_long(where, f"<SchoolHistory>/<School>[{number}]/<SchoolName>", school.school_name, 200)
            too_long(where, f"<SchoolHistory>/<School>[{number}]/<LeavingReason>", school.leaving_reason, 40)
    return problems


def _email(value: str | None, where: str, warnings: list[str]) -> str:
    if not value:
        return ""
    try:
        if len(value) > _EMAIL:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        warnings.append(_("%(where)s is not an e-mail address Commonroom can use; it was left out.") % {"where": where})
        return ""
    return value


# --- Planning ---------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """What the database already holds about the file's pupils, read in a fixed number of queries."""

    institution: Institution
    join_date: datetime.date
    source_laestab: str
    by_upn: dict[str, Learner]
    by_former: dict[str, Learner]
    uln_owner: dict[str, int]
    barred: frozenset[int]
    enrolled_here: set[int]
    year_groups: dict[int, Group]
    in_a_year_group: set[int]  # learners already in one of this year's year groups here
    contact_names: dict[int, dict[tuple[str, str], bool]]  # learner -> (surname, forename) -> barred
    sen_here: set[int]
    attendance_keys: set[tuple[int, int, str]]
    result_keys: set[tuple[Any, ...]]
    school_keys: set[tuple[int, str, datetime.date | None]]


def _context(actor: Actor, institution: Institution, ctf: CtfFile, join_date: datetime.date) -> _Context:
    upns = [pupil.upn for pupil in ctf.pupils]
    formers = [pupil.former_upn for pupil in ctf.pupils if pupil.former_upn]
    # Identity is matched across every learner in Commonroom (people exist once), as the CSV import
    # does; nothing read here is shown beyond "this UPN is known" and which fields differ.
    matches = list(
        Learner.objects.select_related("person").filter(
            Q(upn__in=upns) | Q(former_upn__in=upns) | Q(upn__in=formers)
        )
    )
    by_upn = {learner.upn: learner for learner in matches if learner.upn}
    by_former = {learner.former_upn: learner for learner in matches if learner.former_upn}
    ulns = [pupil.uln for pupil in ctf.pupils if pupil.uln]
    uln_owner: dict[str, int] = {
        uln: pk for uln, pk in Learner.objects.filter(uln__in=ulns).values_list("uln", "pk") if uln
    } if ulns else {}
    ids = [learner.pk for learner in matches]
    year = AcademicYear.objects.filter(
        institution=institution, start_date__lte=join_date, end_date__gte=join_date
    ).first()
    year_groups: dict[int, Group] = {}
    if year is not None:
        for group in Group.objects.filter(institution=institution, academic_year=year, kind=Group.Kind.YEAR,
                                          nc_year__isnull=False).order_by("code", "pk"):
            year_groups.setdefault(group.nc_year, group)  # type: ignore[arg-type]
    contact_names: dict[int, dict[tuple[str, str], bool]] = {}
    enrolled_here: set[int] = set()
    in_a_year_group: set[int] = set()
    sen_here: set[int] = set()
    attendance_keys: set[tuple[int, int, str]] = set()
    result_keys: set[tuple[Any, ...]] = set()
    school_keys: set[tuple[int, str, datetime.date | None]] = set()
    if ids:
        enrolled_here = set(Enrolment.objects.filter(not_ended(join_date), institution=institution, learner_id__in=ids)
                            .values_list("learner_id", flat=True))
        if year is not None:
            in_a_year_group = set(
                GroupMembership.objects.filter(not_ended(join_date), institution=institution, learner_id__in=ids,
                                               group__academic_year=year, group__kind=Group.Kind.YEAR)
                .values_list("learner_id", flat=True)
            )
        for learner_id, family, given, barred in ContactLink.objects.filter(learner_id__in=ids).values_list(
            "learner_id", "contact__family_name", "contact__given_name", "access_barred"
        ):
            names = contact_names.setdefault(learner_id, {})
            key = (_fold(family), _fold(given))
            names[key] = names.get(key, False) or barred
        sen_here = set(records.SenRecord.objects.filter(institution=institution, learner_id__in=ids)
                       .values_list("learner_id", flat=True))
        attendance_keys = set(records.PriorAttendance.objects.filter(institution=institution, learner_id__in=ids)
                              .values_list("learner_id", "year", "source_laestab"))
        result_keys = set(records.StageResult.objects.filter(institution=institution, learner_id__in=ids)
                          .values_list("learner_id", "stage", "subject", "method", "component", "year"))
        school_keys = set(records.PriorSchool.objects.filter(institution=institution, learner_id__in=ids)
                          .values_list("learner_id", "laestab", "entry_date"))
    return _Context(
        institution=institution, join_date=join_date, source_laestab=ctf.header.source.laestab, by_upn=by_upn,
        by_former=by_former, uln_owner=uln_owner, barred=barred_learner_ids(actor), enrolled_here=enrolled_here,
        year_groups=year_groups, in_a_year_group=in_a_year_group, contact_names=contact_names, sen_here=sen_here,
        attendance_keys=attendance_keys, result_keys=result_keys, school_keys=school_keys,
    )


def _sen_changes(pupil: CtfPupil, where: str, warnings: list[str]) -> tuple[tuple[SenEpisode, ...], tuple[str, str]]:
    episodes = []
    for number, episode in enumerate(pupil.sen_episodes, 1):
        if episode.provision in SEN_STATUS_FROM_CTF:
            episodes.append(episode)
        else:
            warnings.append(_("%(where)s: <SENhistory>/<SEN>[%(n)s] has the provision %(code)s, which Commonroom does "
                              "not know; that episode was left out.") % {"where": where, "n": number,
                                                                          "code": episode.provision[:10]})
    needs: list[SenNeed] = []
    for need in sorted(pupil.sen_needs, key=lambda n: n.rank):
        if need.need_type not in NEED_TYPES:
            warnings.append(_("%(where)s: the SEN need type %(code)s is not one Commonroom knows; it was left out.")
                            % {"where": where, "code": need.need_type[:10]})
        elif need.need_type not in {n.need_type for n in needs}:
            needs.append(need)
    if len(needs) > 2:
        warnings.append(_("%(where)s: Commonroom keeps a primary and a secondary SEN need; the others were left out.")
                        % {"where": where})
    kept = (needs[0].need_type if needs else "", needs[1].need_type if len(needs) > 1 else "")
    return tuple(sorted(episodes, key=lambda e: e.start_date)), kept


def _laestab_of(entry: SchoolHistoryEntry) -> str:
    if entry.lea and entry.estab and _LEA.fullmatch(entry.lea) and _ESTAB.fullmatch(entry.estab):
        return entry.lea + entry.estab
    return ""


def _fill(row: PupilPlan, pupil: CtfPupil, ctx: _Context, learner_id: int | None, where: str) -> None:
    """Everything the file carries that this learner does not have here yet (all of it for a new learner)."""
    changes = row.changes
    known = learner_id is not None
    if not known or learner_id not in ctx.enrolled_here:
        changes.enrol = True
    nc_year = NC_YEAR_FROM_CTF.get(pupil.nc_year_actual or "")
    group = ctx.year_groups.get(nc_year) if nc_year is not None else None
    if group is not None and learner_id not in ctx.in_a_year_group:
        changes.year_group = group
    # Contacts: those not yet linked to the learner, matched by name. A name that matches a barred
    # contact is never added again as an ordinary one.
    linked = ctx.contact_names.get(learner_id, {}) if learner_id is not None else {}
    seen: set[tuple[str, str]] = set()
    for number, contact in enumerate(pupil.contacts, 1):
        name = (_fold(contact.surname), _fold(contact.forename))
        if name in seen:
            continue
        seen.add(name)
        if name in linked:
            if linked[name]:
                row.warnings.append(_("%(where)s: <Contacts>/<Contact>[%(n)s] has the name of a contact whose access "
                                      "to this learner is barred; it was not added. Check with the sending school.")
                                    % {"where": where, "n": number})
            continue
        changes.contacts.append(contact)
    if not known or learner_id not in ctx.sen_here:
        changes.sen, changes.needs = _sen_changes(pupil, where, row.warnings)
    years: set[int] = set()
    for year in pupil.attendance:
        if year.year in years or (learner_id, year.year, ctx.source_laestab) in ctx.attendance_keys:
            continue
        years.add(year.year)
        if year.sessions_authorised + year.sessions_unauthorised > year.sessions_possible:
            row.warnings.append(_("%(where)s: in %(year)s the sessions of absence are more than the sessions possible.")
                                % {"where": where, "year": year.year})
        changes.attendance.append(year)
    results: set[tuple[Any, ...]] = set()
    for result in pupil.stage_results:
        result_key = (learner_id, result.stage, result.subject, result.method or "", result.component or "", result.year)
        if result_key in results or result_key in ctx.result_keys:
            continue
        results.add(result_key)
        changes.results.append(result)
    schools: set[tuple[Any, ...]] = set()
    for entry in pupil.school_history:
        laestab = _laestab_of(entry)
        school_key = (learner_id, laestab, entry.entry_date)
        if school_key in schools or school_key in ctx.school_keys:
            continue
        schools.add(school_key)
        changes.schools.append((laestab, entry))


def _identity_differences(pupil: CtfPupil, person: Person) -> list[str]:
    differences = []
    if _fold(pupil.surname) != _fold(person.family_name):
        differences.append("surname")
    if _fold(pupil.forename) not in {_fold(person.given_name), _fold(person.preferred_name)}:
        differences.append("forename")
    if person.date_of_birth is not None and pupil.dob != person.date_of_birth:
        differences.append("dob")
    return differences


_DIFFERENCE_WORDS = {"surname": "surname", "forename": "forename", "dob": "date of birth"}


def _plan_pupil(position: int, pupil: CtfPupil, ctx: _Context, seen_ulns: set[str]) -> PupilPlan:
    where = _pupil_where(position, pupil)
    row = PupilPlan(position=position, upn=pupil.upn, name=f"{pupil.surname}, {pupil.forename}", action="skip",
                    reason="", pupil=pupil)
    candidates = {learner.pk: learner for learner in (ctx.by_upn.get(pupil.upn), ctx.by_former.get(pupil.upn)) if learner}
    newer = ctx.by_upn.get(pupil.former_upn) if pupil.former_upn else None
    if len(candidates) > 1:
        row.reason = _("Two learners in Commonroom have this UPN (one as their UPN, one as their former UPN). Ask the "
                       "office to check their records; nothing was merged.")
        return row
    if not candidates:
        if newer is not None:
            row.reason = _("Commonroom knows this pupil by the file's former UPN %(former)s. Change the UPN on their "
                           "record first, then import again.") % {"former": pupil.former_upn}
            return row
        if pupil.uln and (pupil.uln in ctx.uln_owner or pupil.uln in seen_ulns):
            row.reason = _("The ULN %(uln)s already belongs to another learner. Ask the office to check; nothing was "
                           "imported for this pupil.") % {"uln": pupil.uln}
            return row
        if pupil.uln:
            seen_ulns.add(pupil.uln)
        row.action, row.reason = "create", _("New to Commonroom.")
        _fill(row, pupil, ctx, None, where)
        return row
    learner = next(iter(candidates.values()))
    row.learner_id, row.learner = learner.pk, learner
    if learner.pk in ctx.barred:
        row.reason = _("You cannot import this learner: your access to their record is barred.")
        return row
    differences = _identity_differences(pupil, learner.person)
    if len(differences) >= 2:
        row.reason = _("This UPN belongs to a learner whose name and date of birth differ from the file's. Ask the "
                       "office to check; nothing was merged.")
        return row
    for difference in differences:
        row.warnings.append(_("%(where)s: the file's %(what)s differs from Commonroom's record; it was not changed.")
                            % {"where": where, "what": _DIFFERENCE_WORDS[difference]})
    if learner.upn != pupil.upn:
        row.warnings.append(_("%(where)s: Commonroom knows this learner by a newer UPN; the file gives their former "
                              "one.") % {"where": where})
    if pupil.uln and not learner.uln:
        owner = ctx.uln_owner.get(pupil.uln)
        if owner not in (None, learner.pk) or pupil.uln in seen_ulns:
            row.warnings.append(_("%(where)s: the ULN belongs to another learner; it was not added.") % {"where": where})
        else:
            row.changes.uln = pupil.uln
            seen_ulns.add(pupil.uln)
    elif pupil.uln and learner.uln != pupil.uln:
        row.warnings.append(_("%(where)s: the file's ULN differs from Commonroom's record; it was not changed.")
                            % {"where": where})
    if pupil.former_upn and not learner.former_upn and pupil.former_upn != learner.upn:
        row.changes.former_upn = pupil.former_upn
    _fill(row, pupil, ctx, learner.pk, where)
    if not any(row.changes.counts().values()):
        row.reason = _("Already here, with everything the file holds.")
        return row
    row.action, row.reason = "update", _("Known to Commonroom: what is missing here will be added.")
    return row


def _check_emails(row: PupilPlan) -> None:
    """Warn, in the plan, about e-mail addresses that will be left out because they are not addresses."""
    if row.pupil is None or row.action == "skip":
        return
    where = _pupil_where(row.position, row.pupil)
    if row.action == "create":
        _email(row.pupil.email, f"{where}: <Email>", row.warnings)
    for contact in row.changes.contacts:
        number = row.pupil.contacts.index(contact) + 1
        _email(contact.email, f"{where}: <Contacts>/<Contact>[{number}]/<Email>", row.warnings)


def _plan(actor: Actor, institution: Institution, ctf: CtfFile, join_date: datetime.date) -> CtfPlan:
    _check_destination(ctf.header, institution)
    problems = _check_values(ctf)
    if problems:
        raise CtfError(problems)
    ctx = _context(actor, institution, ctf, join_date)
    seen_ulns: set[str] = set()
    rows = [_plan_pupil(position, pupil, ctx, seen_ulns) for position, pupil in enumerate(ctf.pupils, 1)]
    for row in rows:
        _check_emails(row)
    header = ctf.header
    return CtfPlan(
        institution_id=institution.pk, source_name=header.source.name or "", source_laestab=header.source.laestab,
        dest_laestab=header.dest.laestab, version=header.version, qualifier=header.qualifier,
        generated_at=header.generated_at, join_date=join_date, rows=rows,
    )


def ctf_preview(*, actor: Actor, institution: Institution, data: bytes, join_date: datetime.date | None = None) -> CtfPlan:
    """What importing ``data`` would do, pupil by pupil; nothing is written. A refused file raises
    :class:`CtfError` listing every problem (each naming the pupil and element)."""
    require(actor, "enrol", institution)
    ctf = read_ctf(data)
    return _plan(actor, institution, ctf, join_date or today())


# --- Import -----------------------------------------------------------------------------------------------------


def _person_for(pupil: CtfPupil) -> Person:
    preferred = pupil.preferred_forename if pupil.preferred_forename and pupil.preferred_forename != pupil.forename else ""
    return Person(
        given_name=pupil.forename, family_name=pupil.surname, preferred_name=preferred, date_of_birth=pupil.dob,
        sex=pupil.sex, email=_email(pupil.email, "", []),  # the plan has warned already
        phone=pupil.phones[0].number if pupil.phones else "",
    )


def _contact_rows(row: PupilPlan, learner_id: int, join_date: datetime.date) -> Iterable[tuple[Person, ContactLink]]:
    assert row.pupil is not None
    for contact in row.changes.contacts:
        number = row.pupil.contacts.index(contact) + 1  # the contact's place in the file
        responsibility = bool(contact.responsibility)
        person = Person(
            given_name=contact.forename or "", family_name=contact.surname,
            sex=contact.sex if contact.sex in ("F", "M", "U") else "",
            email=_email(contact.email, "", []),  # the plan has warned already
            phone=contact.phones[0].number if contact.phones else "",
        )
        link = ContactLink(
            learner_id=learner_id, relationship=RELATIONSHIP_FROM_CTF.get((contact.relationship or "").upper(), _R.OTHER),
            parental_responsibility=responsibility, may_receive_reports=responsibility,
            priority=min(contact.order, _MAX_PRIORITY) if contact.order else min(number, _MAX_PRIORITY),
            start_date=join_date,
        )
        yield person, link


def _sen_now(changes: _Changes) -> tuple[str, datetime.date, str, str]:
    """Status, since when, primary and secondary need: from the latest SEN entry and the ranked needs."""
    latest = changes.sen[-1]
    status = SEN_STATUS_FROM_CTF[latest.provision]
    if status == SenStatus.NONE:
        return status, latest.start_date, "", ""
    return status, latest.start_date, changes.needs[0], changes.needs[1]


def ctf_import(
    *, actor: Actor, institution: Institution, data: bytes, join_date: datetime.date | None = None
) -> CtfImportReport:
    """Plan again and write the plan in one transaction: all of it, or nothing (a refused file, or
    someone changing the same records at the same moment, raises :class:`CtfError`)."""
    require(actor, "enrol", institution)
    ctf = read_ctf(data)
    joined = join_date or today()
    try:
        with transaction.atomic():
            plan = _plan(actor, institution, ctf, joined)
            created, updated = _write(actor, institution, plan)
    except (IntegrityError, DataError):
        raise CtfError(_("Someone changed some of these records at the same moment, or a value does not fit; nothing "
                         "was imported. Try again.")) from None
    return CtfImportReport(plan=plan, created_ids=created, updated_ids=updated)


def _write(actor: Actor, institution: Institution, plan: CtfPlan) -> tuple[list[int], list[int]]:
    joined = plan.join_date
    creates = [row for row in plan.rows if row.action == "create"]
    updates = [row for row in plan.rows if row.action == "update"]
    # New people and learners.
    people = Person.objects.bulk_create(
        _person_for(row.pupil) for row in creates  # type: ignore[arg-type]
    )
    Learner.objects.bulk_create(
        Learner(person=person, upn=row.pupil.upn, uln=row.pupil.uln or None,  # type: ignore[union-attr]
                former_upn=row.pupil.former_upn or "")  # type: ignore[union-attr]
        for person, row in zip(people, creates, strict=True)
    )
    for person, row in zip(people, creates, strict=True):
        row.learner_id = person.pk
    # Identifiers the known learners lacked.
    changed = []
    for row in updates:
        learner = row.learner
        assert learner is not None
        if row.changes.uln:
            learner.uln = row.changes.uln
        if row.changes.former_upn:
            learner.former_upn = row.changes.former_upn
        if row.changes.uln or row.changes.former_upn:
            changed.append(learner)
    if changed:
        Learner.objects.bulk_update(changed, ["uln", "former_upn"])
    rows = creates + updates
    Enrolment.objects.bulk_create(
        Enrolment(institution=institution, learner_id=row.learner_id, start_date=joined)
        for row in rows if row.changes.enrol
    )
    memberships = [
        GroupMembership(institution=institution, group=row.changes.year_group, learner_id=row.learner_id, start_date=joined)
        for row in rows if row.changes.year_group is not None
    ]
    for membership in memberships:
        check_same_institution(membership)  # the group is cached: no query
    GroupMembership.objects.bulk_create(memberships)
    # Contacts: a new person each (merging with a parent already in Commonroom is for the office).
    pairs = [pair for row in rows for pair in _contact_rows(row, row.learner_id, joined)]  # type: ignore[arg-type]
    contacts = Person.objects.bulk_create(person for person, _link in pairs)
    for person, (_unused, link) in zip(contacts, pairs, strict=True):
        link.contact = person
    ContactLink.objects.bulk_create(link for _person, link in pairs)
    # SEN: a record here with the history as episodes; the needs belong to the latest episode.
    with_sen = [row for row in rows if row.changes.sen]
    sen_records = records.SenRecord.objects.bulk_create(
        records.SenRecord(institution=institution, learner_id=row.learner_id, status=status, status_since=since,
                          primary_need=primary, secondary_need=secondary, changed_by_id=actor.person_id)
        for row in with_sen
        for status, since, primary, secondary in [_sen_now(row.changes)]
    )
    episodes = []
    for record, row in zip(sen_records, with_sen, strict=True):
        history = row.changes.sen
        for index, episode in enumerate(history):
            latest = index == len(history) - 1
            ends = None if latest else max(episode.start_date, history[index + 1].start_date - datetime.timedelta(days=1))
            status = SEN_STATUS_FROM_CTF[episode.provision]
            with_needs = latest and status != SenStatus.NONE
            episodes.append(records.SenEpisode(
                institution=institution, record=record, status=status, start_date=episode.start_date, end_date=ends,
                primary_need=row.changes.needs[0] if with_needs else "",
                secondary_need=row.changes.needs[1] if with_needs else "",
                recorded_by_id=actor.person_id,
            ))
    for episode_row in episodes:
        check_same_institution(episode_row)  # the record is cached: no query
    records.SenEpisode.objects.bulk_create(episodes)
    # What the sending school knew: attendance by year, key stage results, earlier schools.
    source_name = plan.source_name[:200]
    records.PriorAttendance.objects.bulk_create(
        records.PriorAttendance(
            institution=institution, learner_id=row.learner_id, year=year.year, source_laestab=plan.source_laestab,
            source_name=source_name, sessions_possible=year.sessions_possible,
            sessions_authorised=year.sessions_authorised, sessions_unauthorised=year.sessions_unauthorised,
        )
        for row in rows for year in row.changes.attendance
    )
    records.StageResult.objects.bulk_create(
        records.StageResult(
            institution=institution, learner_id=row.learner_id, stage=result.stage, subject=result.subject,
            method=result.method or "", component=result.component or "", locale=result.locale or "",
            year=result.year, result_status=result.result_status or "", result_qualifier=result.result_qualifier or "",
            result=result.result or "", source_laestab=plan.source_laestab,
        )
        for row in rows for result in row.changes.results
    )
    records.PriorSchool.objects.bulk_create(
        records.PriorSchool(
            institution=institution, learner_id=row.learner_id, laestab=laestab, name=entry.school_name or "",
            entry_date=entry.entry_date, leaving_date=entry.leaving_date, leaving_reason=entry.leaving_reason or "",
        )
        for row in rows for laestab, entry in row.changes.schools
    )
    created = [row.learner_id for row in creates]
    updated = [row.learner_id for row in updates]
    detail = {"source": plan.source_laestab, "source_name": source_name, "generated_at": plan.generated_at.isoformat()}
    audit.record_for_learners(actor, AUDIT_IMPORT_CREATED, institution, created,  # type: ignore[arg-type]
                              institution_id=institution.pk, detail=detail)
    audit.record_for_learners(actor, AUDIT_IMPORT_UPDATED, institution, updated,  # type: ignore[arg-type]
                              institution_id=institution.pk, detail=detail)
    audit.record(actor, AUDIT_IMPORT, institution, institution_id=institution.pk, detail={**detail, **plan.counts()})
    return created, updated  # type: ignore[return-value]


# --- Export -----------------------------------------------------------------------------------------------------


def _destination(dest_laestab: str | None) -> CtfSchool:
    value = (dest_laestab or "").strip().upper()
    if not value or value == UNKNOWN_LEA + UNKNOWN_ESTAB:
        return CtfSchool(lea=UNKNOWN_LEA, estab=UNKNOWN_ESTAB)
    if value == LOST_PUPILS_LEA + LOST_PUPILS_ESTAB:
        return CtfSchool(lea=LOST_PUPILS_LEA, estab=LOST_PUPILS_ESTAB)
    if not _LAESTAB.fullmatch(value):
        raise CtfError(_("The destination must be the next school's LA and establishment numbers, 7 digits (for "
                         "example 8024001), or left empty when the next school is not known."))
    urn = Institution.objects.filter(la_number=value[:3], estab_number=value[3:]).values_list("urn", flat=True).first()
    return CtfSchool(lea=value[:3], estab=value[3:], urn=urn or None)


def _academic_year_start(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _contact_out(link: ContactLink) -> Contact | None:
    person = link.contact
    if not person.family_name.strip():
        return None
    sex = person.sex or "U"
    codes = RELATIONSHIP_TO_CTF.get(link.relationship, ("OTH", "OTH", "OTH"))
    code = codes[0] if sex == "F" else codes[1] if sex == "M" else codes[2]
    return Contact(
        surname=person.family_name, forename=person.given_name or None, order=link.priority, sex=sex,
        relationship=code, responsibility=link.parental_responsibility,
        phones=(Phone(number=person.phone),) if person.phone else (), email=person.email or None,
    )


def _next_sequence(institution: Institution) -> int:
    made = AuditEvent.objects.filter(action=AUDIT_EXPORT, institution_id=institution.pk).count()
    return made % 999 + 1


@dataclass
class _Held:
    """What the school holds about the learners being sent, per learner id, read through the ``transfer``
    rules (and the marks' ``view`` rule) in a fixed number of queries."""

    enrolments: dict[int, list[Enrolment]] = field(default_factory=dict)
    nc_years: dict[int, int | None] = field(default_factory=dict)
    results: dict[int, list[StageResult]] = field(default_factory=dict)
    schools: dict[int, list[SchoolHistoryEntry]] = field(default_factory=dict)
    contacts: dict[int, list[Contact]] = field(default_factory=dict)
    sen: dict[int, tuple[tuple[SenEpisode, ...], tuple[SenNeed, ...]]] = field(default_factory=dict)
    attendance: dict[int, dict[int, Any]] = field(default_factory=dict)


def _held(actor: Actor, institution: Institution, ids: list[int], *, full: bool, on: datetime.date) -> _Held:
    held = _Held()
    for enrolment in visible(actor, Enrolment, "transfer").filter(institution=institution, learner_id__in=ids).order_by(
        "learner_id", "start_date", "pk"
    ):
        held.enrolments.setdefault(enrolment.learner_id, []).append(enrolment)
    for learner_id, nc_year in (
        visible(actor, GroupMembership, "transfer")
        .filter(institution=institution, learner_id__in=ids, group__kind=Group.Kind.YEAR)
        .order_by("learner_id", "-start_date", "-pk")
        .values_list("learner_id", "group__nc_year")
    ):
        held.nc_years.setdefault(learner_id, nc_year)  # the latest year group here
    for row in visible(actor, records.StageResult, "transfer").filter(institution=institution, learner_id__in=ids).order_by(
        "learner_id", "stage", "year", "subject", "method", "component", "pk"
    ):
        held.results.setdefault(row.learner_id, []).append(StageResult(
            stage=row.stage, subject=row.subject, locale=row.locale or None, year=row.year, method=row.method or None,
            component=row.component or None, result_status=row.result_status or None,
            result_qualifier=row.result_qualifier or None, result=row.result or None,
        ))
    for school in visible(actor, records.PriorSchool, "transfer").filter(institution=institution, learner_id__in=ids).order_by(
        "learner_id", "entry_date", "pk"
    ):
        held.schools.setdefault(school.learner_id, []).append(SchoolHistoryEntry(
            lea=school.laestab[:3] or None, estab=school.laestab[3:] or None, school_name=school.name or None,
            entry_date=school.entry_date, leaving_date=school.leaving_date, leaving_reason=school.leaving_reason or None,
        ))
    if not full:
        return held
    for link in (visible(actor, ContactLink, "transfer").filter(in_force(on=on), learner_id__in=ids)
                 .select_related("contact").order_by("learner_id", "priority", "pk")):
        contact = _contact_out(link)
        if contact is not None:
            held.contacts.setdefault(link.learner_id, []).append(contact)
    episodes: dict[int, list[SenEpisode]] = {}
    for episode in visible(actor, records.SenEpisode, "transfer").filter(
        institution=institution, record__learner_id__in=ids
    ).order_by("record_id", "start_date", "pk"):
        episodes.setdefault(episode.record_id, []).append(SenEpisode(start_date=episode.start_date,
                                                                     provision=episode.status))
    for record in visible(actor, records.SenRecord, "transfer").filter(institution=institution, learner_id__in=ids):
        spans = episodes.get(record.pk) or [SenEpisode(start_date=record.status_since, provision=record.status)]
        ranked = [need for need in (record.primary_need, record.secondary_need) if need]
        held.sen[record.learner_id] = (tuple(spans), tuple(SenNeed(need_type=need, rank=rank)
                                                           for rank, need in enumerate(ranked, 1)))
    held.attendance = attendance_by_academic_year(actor, institution_id=institution.pk, learner_ids=ids)
    return held


def _pupil_out(learner: Learner, institution: Institution, held: _Held, *, full: bool) -> CtfPupil | str:
    """The learner as a CTF pupil, or why they cannot be sent."""
    person = learner.person
    who = f"{person.family_name}, {person.given_name} (learner {learner.pk})"
    if not learner.upn or upn_problem(learner.upn):
        return _("%(who)s has no valid UPN; a CTF cannot be sent without one. Add it to their record.") % {"who": who}
    if learner.uln and uln_problem(learner.uln):
        return _("%(who)s: the ULN on their record is not valid; correct it first.") % {"who": who}
    if person.date_of_birth is None:
        return _("%(who)s has no date of birth; add it to their record first.") % {"who": who}
    pk = learner.pk
    nc_year = held.nc_years.get(pk)
    here = [SchoolHistoryEntry(lea=institution.la_number, estab=institution.estab_number,
                               school_name=institution.name[:255], entry_date=enrolment.start_date,
                               leaving_date=enrolment.end_date)
            for enrolment in held.enrolments.get(pk, [])]
    episodes, needs = held.sen.get(pk, ((), ()))
    return CtfPupil(
        upn=learner.upn, uln=learner.uln or None, surname=person.family_name, forename=person.given_name,
        dob=person.date_of_birth, sex=person.sex or "U", former_upn=learner.former_upn or None,
        preferred_forename=person.preferred_name or None,
        nc_year_actual=NC_YEAR_TO_CTF.get(nc_year) if nc_year is not None else None,
        sen_episodes=episodes, sen_needs=needs,
        phones=(Phone(number=person.phone),) if full and person.phone else (),
        email=(person.email or None) if full else None,
        contacts=tuple(held.contacts.get(pk, ())),
        attendance=tuple(
            AttendanceYear(year=year, sessions_possible=figures.possible, sessions_authorised=figures.authorised,
                           sessions_unauthorised=figures.unauthorised)
            for year, figures in sorted(held.attendance.get(pk, {}).items())
        ),
        stage_results=tuple(held.results.get(pk, ())),
        school_history=(*held.schools.get(pk, []), *here),
    )


def ctf_export(
    *, actor: Actor, institution: Institution, learner_ids: list[int], qualifier: str, dest_laestab: str | None
) -> tuple[str, bytes]:
    """The file name and the XML of a CTF for these learners, validated against our XSD, audited per learner.

    Every learner must be, or have been, enrolled at ``institution`` and be one the actor may send
    (the ``transfer`` rule: office and leadership of the school, never a learner they are barred
    from); otherwise :class:`NotFound`. ``full`` sends everything; ``partial`` sends identifiers,
    names, date of birth, sex, year group, key stage results and school history, and leaves out
    contacts, phone and e-mail, SEN and attendance.
    """
    require(actor, "enrol", institution)
    if qualifier not in QUALIFIERS:
        raise CtfError(_("The file must be full or partial."))
    ids = sorted({int(pk) for pk in learner_ids})
    if not ids:
        raise CtfError(_("Choose at least one learner."))
    if not _LAESTAB.fullmatch(institution.laestab):
        raise CtfError(_("%(school)s has no LA and establishment number (LAESTAB), which a CTF must carry. Ask the "
                         "head to add them in the school's settings.") % {"school": institution.name})
    dest = _destination(dest_laestab)
    if dest.laestab == institution.laestab:
        raise CtfError(_("The destination is this school: give the next school's LAESTAB, or leave it empty."))
    if not all(1 <= pk <= _MAX_ID for pk in ids):
        raise NotFound()
    learners = _transfer_learners(actor, institution, ids)
    if any(pk not in learners for pk in ids):
        raise NotFound()  # missing, never enrolled here, or barred: they look the same
    full = qualifier == "full"
    on = today()
    held = _held(actor, institution, ids, full=full, on=on)
    pupils = [_pupil_out(learners[pk], institution, held, full=full) for pk in ids]
    problems = [pupil for pupil in pupils if isinstance(pupil, str)]
    if problems:
        raise CtfError(problems)
    version = ctf_version_for(on)
    header = CtfHeader(
        source=CtfSchool(lea=institution.la_number, estab=institution.estab_number, urn=institution.urn or None,
                         name=institution.name[:255], academic_year=_academic_year_start(on)),
        dest=dest, generated_at=timezone.now(), version=version if version in ACCEPTED_VERSIONS else CURRENT_VERSION,
        qualifier=qualifier, supplier_id=SUPPLIER_ID,
    )
    data = write_ctf(CtfFile(header=header, pupils=tuple(p for p in pupils if isinstance(p, CtfPupil))), validate=False)
    validate_export(data)  # never send a file we would ourselves call malformed
    with transaction.atomic():
        # One export at a time per school, so two never take the same sequence number.
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        name = ctf_file_name(institution.laestab, None if dest.laestab == UNKNOWN_LEA + UNKNOWN_ESTAB else dest.laestab,
                             _next_sequence(institution))
        detail = {"file": name, "qualifier": qualifier, "dest": dest.laestab, "learners": len(ids)}
        audit.record(actor, AUDIT_EXPORT, institution, institution_id=institution.pk, detail=detail)
        audit.record_for_learners(actor, AUDIT_EXPORT_LEARNER, institution, ids, institution_id=institution.pk,
                                  detail=detail)
    return name, data


def _transfer_learners(actor: Actor, institution: Institution, ids: list[int]) -> dict[int, Learner]:
    """The learners among ``ids`` whose file the actor may send from this school: the ``transfer`` rule,
    narrowed to learners who are or were enrolled here."""
    here = Enrolment.objects.filter(institution=institution).values("learner_id")
    return {
        learner.pk: learner
        for learner in visible(actor, Learner, "transfer").filter(pk__in=ids).filter(pk__in=here).select_related("person")
    }


def transfer_candidates(actor: Actor, institution: Institution, *, group: Group | None = None,
                        since: datetime.date | None = None) -> list[Learner]:
    """Learners to offer on the export page: a group's members today, or the school's leavers since
    ``since`` (an enrolment here that ended between then and today). Through the ``transfer`` rule."""
    require(actor, "enrol", institution)
    on = today()
    base = visible(actor, Learner, "transfer").select_related("person")
    if group is not None:
        members = visible(actor, GroupMembership, "transfer").filter(in_force(on=on), group=group).values("learner_id")
        learners = base.filter(pk__in=members)
    else:
        left = visible(actor, Enrolment, "transfer").filter(
            institution=institution, end_date__lt=on, end_date__gte=since or on - datetime.timedelta(days=365)
        ).values("learner_id")
        learners = base.filter(pk__in=left)
    left_on = Max("enrolments__end_date", filter=Q(enrolments__institution=institution))
    return list(learners.annotate(left_on=left_on).order_by("person__family_name", "person__given_name", "pk"))


def export_groups(actor: Actor, institution: Institution) -> list[Group]:
    """This academic year's year and registration groups at the school, for choosing whom to export."""
    require(actor, "enrol", institution)
    on = today()
    return list(
        visible(actor, Group).filter(
            institution=institution, kind__in=[Group.Kind.YEAR, Group.Kind.REGISTRATION],
            academic_year__start_date__lte=on, academic_year__end_date__gte=on,
        ).order_by("kind", "nc_year", "code")
    )



def transfer_learners_by_upn(actor: Actor, institution: Institution, upns: list[str]) -> dict[str, Learner]:
    """UPN -> learner, for the UPNs of learners who are or were enrolled here and whose file the actor may
    send; a UPN missing from the answer is unknown or not theirs to send (the two look the same)."""
    require(actor, "enrol", institution)
    here = Enrolment.objects.filter(institution=institution).values("learner_id")
    wanted = [normalise_upn(upn) for upn in upns]
    return {
        learner.upn: learner  # type: ignore[misc]
        for learner in visible(actor, Learner, "transfer").filter(upn__in=wanted, pk__in=here)
    }


def institution_for_office(actor: Actor, urn: str) -> Institution:
    """The institution with this URN, if the actor may enrol learners there (import and send CTFs)."""
    institution = visible(actor, Institution, "enrol").filter(urn=urn.strip()).first()
    if institution is None:
        raise NotFound()
    return institution
