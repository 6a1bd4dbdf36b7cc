"""Importing a school's records from CSV files: learners, groups, memberships and contacts.

Everything is read and checked before anything is written: a missing column names its file and
column; a bad row names its file, row number and field. The import is all or nothing, in one
transaction. ``preview`` does every check and reports what would happen; ``commit`` checks again
and writes. The formats are in docs/import.md.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import require
from commonroom.common.dates import today
from commonroom.organisations.models import AcademicYear, Institution
from commonroom.people.identifiers import normalise_upn, uln_problem, upn_problem
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner, Person

# All the files together travel back in the confirmation form: Django accepts 2.5 MB of form data.
MAX_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # file: (required columns, optional columns)
    "groups": (("code", "name", "kind"), ("nc_year", "subject", "year_group")),
    "learners": (("upn", "given_name", "family_name", "date_of_birth"),
                 ("uln", "preferred_name", "sex", "start_date", "former_upn")),
    "memberships": (("upn", "group_code"), ("start_date",)),
    "contacts": (("learner_upn", "given_name", "family_name", "relationship"),
                 ("email", "phone", "parental_responsibility", "priority", "may_receive_reports", "lives_with_learner")),
}
FILE_ORDER = ("groups", "learners", "memberships", "contacts")
# The longest value each column takes (the model fields' lengths).
LIMITS = {"code": 20, "group_code": 20, "year_group": 20, "name": 100, "subject": 100, "upn": 13, "learner_upn": 13,
          "former_upn": 13, "uln": 10, "given_name": 100, "family_name": 100, "preferred_name": 100, "email": 254,
          "phone": 30, "relationship": 20}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class ImportRefused(ValidationError):
    """The files cannot be imported; ``problems`` lists each, naming the file, row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems)


@dataclass
class Plan:
    groups: list[dict[str, Any]] = field(default_factory=list)
    learners: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in FILE_ORDER}


def _rows(name: str, text: str, problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of one file as (row number, values), or [] with the problems noted."""
    if not text.strip():
        return []
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        problems.append(_("%(file)s: the text is not valid Unicode.") % {"file": f"{name}.csv"})
        return []
    if "\x00" in text:
        problems.append(_("%(file)s: the file contains NUL characters; save it as CSV text.") % {"file": f"{name}.csv"})
        return []
    if size > MAX_BYTES:
        problems.append(_("%(file)s: the file is larger than 2 MB; split it.") % {"file": f"{name}.csv"})
        return []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    required, optional = COLUMNS[name]
    missing = [column for column in required if column not in headers]
    if missing:
        problems.append(_("%(file)s: missing column(s) %(columns)s. The first line must name the columns.") % {
            "file": f"{name}.csv", "columns": ", ".join(missing)})
        return []
    unknown = [h for h in headers if h and h not in required + optional]
    if unknown:
        problems.append(_("%(file)s: unknown column(s) %(columns)s.") % {"file": f"{name}.csv", "columns": ", ".join(unknown)})
        return []
    rows = []
    try:
        for count, raw in enumerate(reader, start=1):
            number = reader.line_num  # the line the row ends on, blank lines counted
            if count > MAX_ROWS:
                problems.append(_("%(file)s: more than %(max)s rows; split it.") % {"file": f"{name}.csv", "max": MAX_ROWS})
                return []
            if None in raw:
                problems.append(_("%(file)s row %(row)s: more values than columns.") % {"file": f"{name}.csv", "row": number})
                continue
            values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if any(values.values()):
                too_long = [column for column, value in values.items() if len(value) > LIMITS.get(column, 200)]
                for column in too_long:
                    problems.append(_("%(file)s row %(row)s: %(column)s is longer than %(max)s characters.") % {
                        "file": f"{name}.csv", "row": number, "column": column, "max": LIMITS.get(column, 200)})
                rows.append((number, values))
    except csv.Error as error:
        problems.append(_("%(file)s: not a readable CSV file (%(error)s).") % {"file": f"{name}.csv", "error": error})
        return []
    return rows


def _date(value: str, where: str, column: str, problems: list[str], *, required: bool = True) -> datetime.date | None:
    if not value:
        if required:
            problems.append(_("%(where)s: %(column)s is empty.") % {"where": where, "column": column})
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(_("%(where)s: %(column)s “%(value)s” is not a date like 2014-09-01.") % {
            "where": where, "column": column, "value": value[:20]})
        return None


def _flag(value: str, where: str, column: str, default: bool, problems: list[str]) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return default if lowered == "" else False
    problems.append(_("%(where)s: %(column)s must be yes or no, not “%(value)s”.") % {"where": where, "column": column, "value": value[:20]})
    return default


def plan_import(institution: Institution, texts: dict[str, str], actor: Actor | None = None) -> Plan:
    """Read and check every file against each other and the database; ImportRefused lists every problem."""
    problems: list[str] = []
    if not any((texts.get(name) or "").strip() for name in FILE_ORDER):
        raise ImportRefused([_("Choose at least one file to import.")])
    if sum(len((texts.get(name) or "").encode("utf-8", "replace")) for name in FILE_ORDER) > MAX_TOTAL_BYTES:
        raise ImportRefused([_("The files together are larger than 2 MB: import them in parts (groups first).")])
    rows = {name: _rows(name, texts.get(name) or "", problems) for name in FILE_ORDER}
    year = AcademicYear.objects.filter(institution=institution, start_date__lte=today(), end_date__gte=today()).first()
    plan = Plan()
    existing_groups = {
        code: (pk, kind)
        for code, pk, kind in Group.objects.filter(institution=institution, academic_year=year).values_list("code", "pk", "kind")
    } if year else {}
    if rows["groups"] and year is None:
        problems.append(_("groups.csv: the school has no academic year covering today; add one first."))
    # Groups.
    seen_codes: Counter[str] = Counter()
    kinds = {k.value: k for k in Group.Kind}
    for number, row in rows["groups"]:
        where = f"groups.csv row {number}"
        code, kind = row["code"], row["kind"].lower()
        seen_codes[code] += 1
        if not code or not row["name"]:
            problems.append(_("%(where)s: code and name must not be empty.") % {"where": where})
        if seen_codes[code] > 1:
            problems.append(_("%(where)s: the code %(code)s appears twice.") % {"where": where, "code": code})
        if code in existing_groups:
            problems.append(_("%(where)s: a group with code %(code)s already exists this year.") % {"where": where, "code": code})
        if kind not in kinds:
            problems.append(_("%(where)s: kind must be year, registration or teaching, not “%(kind)s”.") % {"where": where, "kind": row["kind"][:20]})
        nc_year = None
        if row.get("nc_year"):
            try:
                nc_year = int(row["nc_year"])
                if not -1 <= nc_year <= 14:
                    raise ValueError
            except ValueError:
                problems.append(_("%(where)s: nc_year must be a whole number from -1 to 14.") % {"where": where})
        plan.groups.append({"row": number, "code": code, "name": row["name"], "kind": kind, "nc_year": nc_year,
                            "subject": row.get("subject", ""), "year_group": row.get("year_group", "")})
    new_codes = {g["code"]: g["kind"] for g in plan.groups}
    for group in plan.groups:
        if group["year_group"] and new_codes.get(group["year_group"], existing_groups.get(group["year_group"], (0, ""))[-1]) != "year":
            problems.append(_("groups.csv row %(row)s: year_group %(code)s is not a year group in the file or the school.") % {
                "row": group["row"], "code": group["year_group"]})
    # Learners.
    upns = [normalise_upn(row["upn"]) for _n, row in rows["learners"] if row["upn"]]
    ulns = [row.get("uln", "") for _n, row in rows["learners"] if row.get("uln")]
    taken_upns = set(Learner.objects.filter(upn__in=upns).values_list("upn", flat=True)) if upns else set()
    taken_ulns = set(Learner.objects.filter(uln__in=ulns).values_list("uln", flat=True)) if ulns else set()
    seen_upn: dict[str, int] = {}
    seen_uln: dict[str, int] = {}
    for number, row in rows["learners"]:
        where = f"learners.csv row {number}"
        upn = normalise_upn(row["upn"])
        problem = upn_problem(upn) if upn else _("UPN is empty")
        if problem:
            problems.append(f"{where}: {problem}")
        elif upn in seen_upn:
            problems.append(_("%(where)s: UPN %(upn)s is also on row %(other)s.") % {"where": where, "upn": upn, "other": seen_upn[upn]})
        elif upn in taken_upns:
            problems.append(_("%(where)s: UPN %(upn)s already belongs to a learner in Commonroom.") % {"where": where, "upn": upn})
        seen_upn.setdefault(upn, number)
        uln = row.get("uln", "")
        if uln:
            problem = uln_problem(uln)
            if problem:
                problems.append(f"{where}: {problem}")
            elif uln in seen_uln:
                problems.append(_("%(where)s: ULN %(uln)s is also on row %(other)s.") % {"where": where, "uln": uln, "other": seen_uln[uln]})
            elif uln in taken_ulns:
                problems.append(_("%(where)s: ULN %(uln)s already belongs to a learner in Commonroom.") % {"where": where, "uln": uln})
            seen_uln.setdefault(uln, number)
        if not row["given_name"] or not row["family_name"]:
            problems.append(_("%(where)s: given_name and family_name must not be empty.") % {"where": where})
        born = _date(row["date_of_birth"], where, "date_of_birth", problems)
        start = _date(row.get("start_date", ""), where, "start_date", problems, required=False) or today()
        sex = row.get("sex", "").upper()
        if sex not in ("", "F", "M", "U"):
            problems.append(_("%(where)s: sex must be F, M or U.") % {"where": where})
        former = normalise_upn(row.get("former_upn", ""))
        if former and upn_problem(former):
            problems.append(f"{where}: former_upn: {upn_problem(former)}")
        plan.learners.append({"row": number, "upn": upn, "uln": uln or None, "given_name": row["given_name"],
                              "family_name": row["family_name"], "preferred_name": row.get("preferred_name", ""),
                              "date_of_birth": born, "sex": sex, "start_date": start, "former_upn": former})
    in_file = {learner["upn"] for learner in plan.learners}
    refs = [normalise_upn(row["upn"]) for _n, row in rows["memberships"]] + [
        normalise_upn(row["learner_upn"]) for _n, row in rows["contacts"]]
    # Learners already here are found through the policy: only those the actor may change (office and
    # leaders where the learner is on roll, never one they are barred from).
    from commonroom.authz.api import visible

    changeable = visible(actor, Learner, "change") if actor is not None else Learner.objects.none()
    at_school = dict(
        changeable.filter(upn__in=[u for u in refs if u not in in_file],
                          enrolments__institution=institution, enrolments__end_date__isnull=True)
        .values_list("upn", "pk")
    ) if refs else {}
    codes_by_kind: Counter[str] = Counter(
        Group.objects.filter(institution=institution, academic_year=year).values_list("code", flat=True)) if year else Counter()
    already_in = set(
        GroupMembership.objects.filter(learner_id__in=list(at_school.values()), group__institution=institution,
                                       end_date__isnull=True).values_list("learner__upn", "group__code")
    ) if at_school else set()
    # Memberships.
    all_codes = set(existing_groups) | set(new_codes)
    seen_pairs: set[tuple[str, str]] = set()
    for number, row in rows["memberships"]:
        where = f"memberships.csv row {number}"
        upn, code = normalise_upn(row["upn"]), row["group_code"]
        if upn not in in_file and upn not in at_school:
            problems.append(_("%(where)s: no learner with UPN %(upn)s in learners.csv or on roll here.") % {"where": where, "upn": upn or "–"})
        if code not in all_codes:
            problems.append(_("%(where)s: no group with code %(code)s in groups.csv or this year's groups.") % {"where": where, "code": code or "–"})
        if codes_by_kind[code] > 1 and code not in new_codes:
            problems.append(_("%(where)s: more than one of this year's groups has the code %(code)s; give the groups different codes first.") % {
                "where": where, "code": code})
        if (upn, code) in already_in:
            problems.append(_("%(where)s: this learner is already in %(code)s.") % {"where": where, "code": code})
        if (upn, code) in seen_pairs:
            problems.append(_("%(where)s: this learner is already in %(code)s above.") % {"where": where, "code": code})
        seen_pairs.add((upn, code))
        joined = _date(row.get("start_date", ""), where, "start_date", problems, required=False)
        plan.memberships.append({"row": number, "upn": upn, "code": code, "start_date": joined})
    # Contacts.
    relationships = set(ContactLink.Relationship.values)
    for number, row in rows["contacts"]:
        where = f"contacts.csv row {number}"
        upn = normalise_upn(row["learner_upn"])
        if upn not in in_file and upn not in at_school:
            problems.append(_("%(where)s: no learner with UPN %(upn)s in learners.csv or on roll here.") % {"where": where, "upn": upn or "–"})
        relationship = row["relationship"].lower().replace(" ", "_").replace("-", "_")
        if relationship not in relationships:
            problems.append(_("%(where)s: relationship must be one of %(choices)s.") % {"where": where, "choices": ", ".join(sorted(relationships))})
        if not row["given_name"] or not row["family_name"]:
            problems.append(_("%(where)s: given_name and family_name must not be empty.") % {"where": where})
        if row.get("email"):
            try:
                validate_email(row["email"])
            except ValidationError:
                problems.append(_("%(where)s: email “%(value)s” is not an email address.") % {"where": where, "value": row["email"][:60]})
        priority = 1
        if row.get("priority"):
            try:
                priority = int(row["priority"])
                if priority < 1:
                    raise ValueError
            except ValueError:
                problems.append(_("%(where)s: priority must be a whole number, 1 or more.") % {"where": where})
        plan.contacts.append({
            "row": number, "upn": upn, "given_name": row["given_name"], "family_name": row["family_name"],
            "relationship": relationship, "email": row.get("email", ""), "phone": row.get("phone", ""), "priority": priority,
            "parental_responsibility": _flag(row.get("parental_responsibility", ""), where, "parental_responsibility", True, problems),
            "may_receive_reports": _flag(row.get("may_receive_reports", ""), where, "may_receive_reports", True, problems),
            "lives_with_learner": _flag(row.get("lives_with_learner", ""), where, "lives_with_learner", True, problems),
        })
    if problems:
        raise ImportRefused(problems)
    plan.__dict__["_context"] = {"year": year, "existing_groups": existing_groups, "at_school": at_school}
    return plan


def preview(*, actor: Actor, institution: Institution, texts: dict[str, str]) -> Plan:
    require(actor, "enrol", institution)
    return plan_import(institution, texts, actor)


def commit(*, actor: Actor, institution: Institution, texts: dict[str, str]) -> dict[str, int]:
    """Check everything again and write it all in one transaction; nothing is written if anything is wrong."""
    require(actor, "enrol", institution)
    plan = plan_import(institution, texts, actor)
    context = plan.__dict__["_context"]
    try:
        with transaction.atomic():
            groups = Group.objects.bulk_create(
                Group(institution=institution, academic_year=context["year"], kind=g["kind"], code=g["code"], name=g["name"],
                      nc_year=g["nc_year"], subject=g["subject"])
                for g in plan.groups
            )
            group_ids = {code: pk for code, (pk, _kind) in context["existing_groups"].items()} | {g.code: g.pk for g in groups}
            for group, row in zip(groups, plan.groups, strict=True):
                if row["year_group"]:
                    group.year_group_id = group_ids[row["year_group"]]
            Group.objects.bulk_update([g for g in groups if g.year_group_id], ["year_group"])
            people = Person.objects.bulk_create(
                Person(given_name=r["given_name"], family_name=r["family_name"], preferred_name=r["preferred_name"],
                       date_of_birth=r["date_of_birth"], sex=r["sex"])
                for r in plan.learners
            )
            Learner.objects.bulk_create(
                Learner(person=p, upn=r["upn"], uln=r["uln"], former_upn=r["former_upn"]) for p, r in zip(people, plan.learners, strict=True)
            )
            Enrolment.objects.bulk_create(
                Enrolment(institution=institution, learner_id=p.pk, start_date=r["start_date"])
                for p, r in zip(people, plan.learners, strict=True)
            )
            learner_ids = context["at_school"] | {r["upn"]: p.pk for p, r in zip(people, plan.learners, strict=True)}
            starts = {r["upn"]: r["start_date"] for r in plan.learners}
            GroupMembership.objects.bulk_create(
                GroupMembership(institution=institution, group_id=group_ids[m["code"]], learner_id=learner_ids[m["upn"]],
                                start_date=m["start_date"] or starts.get(m["upn"]) or today())
                for m in plan.memberships
            )
            contacts = Person.objects.bulk_create(
                Person(given_name=c["given_name"], family_name=c["family_name"], email=c["email"], phone=c["phone"])
                for c in plan.contacts
            )
            ContactLink.objects.bulk_create(
                ContactLink(learner_id=learner_ids[c["upn"]], contact=person, relationship=c["relationship"],
                            parental_responsibility=c["parental_responsibility"], priority=c["priority"],
                            may_receive_reports=c["may_receive_reports"], lives_with_learner=c["lives_with_learner"],
                            start_date=today())
                for person, c in zip(contacts, plan.contacts, strict=True)
            )
            audit.record_for_learners(actor, "import.learner", institution, [p.pk for p in people],
                                      institution_id=institution.pk, detail=plan.counts())
            # Learners already here whose memberships or contacts changed are recorded too.
            touched = sorted({learner_ids[m["upn"]] for m in plan.memberships} | {learner_ids[c["upn"]] for c in plan.contacts}
                             - {p.pk for p in people})
            audit.record_for_learners(actor, "import.learner_changed", institution, touched, institution_id=institution.pk,
                                      detail=plan.counts())
            audit.record(actor, "import.csv", institution, institution_id=institution.pk, detail=plan.counts())
    except (IntegrityError, DataError):
        raise ImportRefused([_("Someone added some of these records at the same moment, or a value does not fit; "
                               "nothing was imported. Check the files and try again.")]) from None
    return plan.counts()
