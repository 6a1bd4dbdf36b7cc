"""Building written reports from the records: placeholders, and each learner's whole report.

"Enter once, use many times": a comment may say ``{name} has worked hard and is now at grade {grade},
against a target of {target}``; the placeholders are filled from the learner's records when the report
is previewed and, for good, when it is published. Everything here reads in bulk: a year group's
reports take the same handful of queries as one learner's.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from commonroom.common.dates import today
from commonroom.people.models import Group, GroupMembership, GroupStaff, Learner, Person
from commonroom.records.models import (
    Aspect,
    AssessmentResult,
    AttendanceMark,
    ReportComment,
    ReportCycle,
)

PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")
PLACEHOLDERS = {
    "name": "the learner's first (or preferred) name",
    "fullname": "the learner's full name",
    "they": "he, she or they", "They": "He, She or They",
    "them": "him, her or them",
    "their": "his, her or their", "Their": "His, Her or Their",
    "grade": "the latest grade in the subject",
    "target": "the target in the subject",
    "attendance": "attendance this year, as a percentage",
}
PRONOUNS = {
    Person.Sex.MALE: {"they": "he", "them": "him", "their": "his"},
    Person.Sex.FEMALE: {"they": "she", "them": "her", "their": "her"},
}
NEUTRAL = {"they": "they", "them": "them", "their": "their"}


def placeholder_problems(text: str) -> list[str]:
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if not unknown:
        return []
    return [_("Unknown placeholder %(names)s: use %(known)s.") % {
        "names": ", ".join("{" + name + "}" for name in unknown),
        "known": ", ".join("{" + name + "}" for name in PLACEHOLDERS)}]


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders; a value the records do not hold becomes an empty string."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)) if m.group(1) in PLACEHOLDERS else m.group(0), text)


def person_values(person: Person) -> dict[str, str]:
    words = PRONOUNS.get(person.sex, NEUTRAL)  # type: ignore[call-overload]
    return {
        "name": person.preferred_name or person.given_name, "fullname": person.full_name,
        "they": words["they"], "them": words["them"], "their": words["their"],
        "They": words["they"].capitalize(), "Their": words["their"].capitalize(),
    }


@dataclass
class LearnerFacts:
    """What the records know about one learner for a cycle."""

    person: Person
    upn: str = ""
    year_group: str = ""
    registration_group: str = ""
    attendance: str | None = None
    attendance_pct: str = ""
    grades: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # subject -> [(aspect, value)]
    latest: dict[str, str] = field(default_factory=dict)  # subject -> latest attainment
    targets: dict[str, str] = field(default_factory=dict)  # subject -> target
    teachers: dict[str, list[str]] = field(default_factory=dict)  # subject -> teacher names
    subjects: list[str] = field(default_factory=list)  # subjects taught, from teaching groups

    def values(self, subject: str = "") -> dict[str, str]:
        return {**person_values(self.person), "grade": self.latest.get(subject, ""), "target": self.targets.get(subject, ""),
                "attendance": self.attendance_pct}


def cycle_learner_ids(cycle: ReportCycle, on: datetime.date | None = None) -> list[int]:
    """Learners in the cycle's year groups (members now, or on the day given)."""
    day = on or today()
    return list(
        GroupMembership.objects.filter(group__in=cycle.year_groups.all(), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("learner__person__family_name", "learner__person__given_name", "learner_id")
        .values_list("learner_id", flat=True).distinct()
    )


def facts_for(cycle: ReportCycle, learner_ids: list[int], *, published_only: bool = False) -> dict[int, LearnerFacts]:
    """Everything the reports need for these learners, in a fixed number of queries.

    ``published_only``: grades from published assessment points only (what a family may see), as a
    report is frozen; staff previews and the writing page also show grades not yet published.
    """
    day = min(today(), cycle.academic_year.end_date)
    learners = Learner.objects.select_related("person").in_bulk(learner_ids)
    facts = {pk: LearnerFacts(learners[pk].person, learners[pk].upn or "") for pk in learner_ids if pk in learners}
    groups = (
        GroupMembership.objects.filter(learner_id__in=learner_ids, group__institution_id=cycle.institution_id,
                                       group__academic_year_id=cycle.academic_year_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("learner_id", "group_id", "group__kind", "group__name", "group__subject")
    )
    teaching: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for learner_id, group_id, kind, name, subject in groups:
        item = facts[learner_id]
        if kind == Group.Kind.YEAR:
            item.year_group = name
        elif kind == Group.Kind.REGISTRATION:
            item.registration_group = name
        elif subject:
            teaching[learner_id].append((group_id, subject))
    group_ids = {group_id for rows in teaching.values() for group_id, _s in rows}
    teacher_names: dict[int, list[str]] = defaultdict(list)
    for group_id, given, family in (GroupStaff.objects.filter(group_id__in=group_ids, role=GroupStaff.Role.TEACHER,
                                                               start_date__lte=day)
                                    .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
                                    .order_by("person__family_name")
                                    .values_list("group_id", "person__given_name", "person__family_name")):
        teacher_names[group_id].append(f"{given[:1]}. {family}")
    wanted = set(cycle.subjects or [])
    for learner_id, rows in teaching.items():
        for group_id, subject in rows:
            if wanted and subject not in wanted:
                continue
            item = facts[learner_id]
            if subject not in item.subjects:
                item.subjects.append(subject)
            item.teachers.setdefault(subject, []).extend(teacher_names[group_id])
    for item in facts.values():
        item.subjects.sort()
    # Grades families may see, up to the cycle's point (that point's grades in the table).
    if cycle.point is not None:
        found = AssessmentResult.objects.filter(learner_id__in=learner_ids, institution_id=cycle.institution_id,
                                                aspect__visible_to_families=True, point__date__lte=cycle.point.date)
        if published_only:
            found = found.filter(point__published=True)
        grade_rows = (found
                   .values_list("learner_id", "subject", "aspect__name", "aspect__kind", "value", "point_id",
                                "point__date", "aspect__position")
                   .order_by("point__date", "point_id", "aspect__position"))
        for learner_id, subject, aspect, kind, value, point_id, _date, _pos in grade_rows:
            item = facts[learner_id]
            if point_id == cycle.point_id:
                item.grades.setdefault(subject, []).append((aspect, value))
            if kind == Aspect.Kind.ATTAINMENT:
                item.latest[subject] = value
            elif kind == Aspect.Kind.TARGET:
                item.targets[subject] = value
    if cycle.include_attendance:
        from commonroom.records.selectors import Figures, _counts

        start = cycle.academic_year.start_date
        for row in (AttendanceMark.objects.filter(institution_id=cycle.institution_id, learner_id__in=learner_ids,
                                                  date__gte=start, date__lte=day)
                    .order_by().values("learner_id").annotate(**_counts())):
            figures = Figures.of(row)
            if figures.possible:
                item = facts[row["learner_id"]]
                item.attendance_pct = f"{figures.attendance_pct}%"
                item.attendance = _("%(pct)s%% (attended %(attended)s of %(possible)s sessions)") % {
                    "pct": figures.attendance_pct, "attended": figures.attended, "possible": figures.possible}
    return facts


def comments_for(cycle: ReportCycle, learner_ids: list[int], *, checked_only: bool) -> dict[int, list[ReportComment]]:
    found: dict[int, list[ReportComment]] = defaultdict(list)
    comments = ReportComment.objects.filter(cycle=cycle, learner_id__in=learner_ids)
    if checked_only:
        comments = comments.filter(status=ReportComment.Status.CHECKED)
    for comment in (comments
                    .select_related("author").order_by("section", "subject")):
        found[comment.learner_id].append(comment)
    return found


def build_documents(cycle: ReportCycle, learner_ids: list[int], *, issued_on: datetime.date | None = None,
                    footer_note: str = "", final: bool = True) -> dict[int, dict[str, Any]]:
    """Each learner's report as plain data (the shape of ``reporting_pdf.document.ReportDocument``).

    ``final`` (publishing): checked comments and published grades only. A leader's preview passes False.
    """
    facts = facts_for(cycle, learner_ids, published_only=final)
    comments = comments_for(cycle, learner_ids, checked_only=final)
    institution = cycle.institution
    issued = issued_on or today()
    documents: dict[int, dict[str, Any]] = {}
    for learner_id, item in facts.items():
        by_key = {(c.section, c.subject): c for c in comments.get(learner_id, [])}
        subjects = []
        for subject in sorted(set(item.subjects) | {s for (sec, s) in by_key if sec == ReportComment.Section.SUBJECT}):
            comment = by_key.get((ReportComment.Section.SUBJECT, subject))
            subjects.append({
                "subject": subject, "teachers": item.teachers.get(subject, []),
                "grades": [{"aspect": aspect, "value": value} for aspect, value in item.grades.get(subject, [])],
                "comment": fill(comment.text, item.values(subject)) if comment else "",
            })
        pastoral = []
        for section, title in ((ReportComment.Section.TUTOR, _("Form tutor")),
                               (ReportComment.Section.HEAD_OF_YEAR, _("Head of year"))):
            comment = by_key.get((section, ""))
            if comment:
                pastoral.append({"title": str(title), "author": comment.author.full_name if comment.author else "",
                                 "comment": fill(comment.text, item.values())})
        documents[learner_id] = {
            "school_name": institution.name, "cycle_name": cycle.name, "issued_on": issued.isoformat(),
            "learner_name": item.person.full_name, "upn_hint": item.upn[-4:],
            "year_group": item.year_group, "registration_group": item.registration_group,
            "attendance": item.attendance, "subjects": subjects, "pastoral": pastoral,
            "footer_note": footer_note,
        }
    return documents

