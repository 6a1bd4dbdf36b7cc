"""Reads of written reports: what to write, the writing sheet, proof-reading, and published reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.people.models import Group, Learner
from commonroom.people.policies import learner_institutions
from commonroom.records.models import CommentBankEntry, PublishedReport, ReportComment, ReportCycle, ReportRun
from commonroom.records.report_documents import build_documents, cycle_learner_ids, facts_for, fill
from commonroom.records.report_services import SECTION_FOR_KIND, WRITE_ACTION, writable_learners


@dataclass
class GroupTask:
    group: Group
    section: str
    learners: int
    counts: dict[str, int]

    @property
    def written(self) -> int:
        return sum(self.counts.values())


@dataclass
class CycleTasks:
    cycle: ReportCycle
    groups: list[GroupTask]


def _writable_groups(actor: Actor, cycle: ReportCycle, *, mine_only: bool) -> list[Group]:
    """Groups whose comments this person writes in the cycle (their own groups; leaders may open any)."""
    year_ids = list(cycle.year_groups.values_list("pk", flat=True))
    groups: list[Group] = []
    for kind, action in WRITE_ACTION.items():
        if kind == Group.Kind.REGISTRATION and not cycle.tutor_section:
            continue
        if kind == Group.Kind.YEAR and not cycle.head_of_year_section:
            continue
        found = visible(actor, Group, action).filter(institution_id=cycle.institution_id,
                                                     academic_year_id=cycle.academic_year_id)
        if kind == Group.Kind.YEAR:
            found = found.filter(pk__in=year_ids)
        elif kind == Group.Kind.REGISTRATION:
            found = found.filter(year_group_id__in=year_ids)
        else:
            found = found.filter(nc_year__in=cycle.year_groups.values("nc_year"))
            if cycle.subjects:
                found = found.filter(subject__in=cycle.subjects)
        if mine_only:
            found = found.filter(pk__in=sorted(actor.staff_groups))
        groups += list(found.order_by("kind", "subject", "name"))
    return groups


def _counts_by_group(cycle: ReportCycle, groups: list[Group]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {g.pk: Counter() for g in groups}
    for group_id, status in ReportComment.objects.filter(cycle=cycle, group__in=groups).values_list("group_id", "status"):
        counts[group_id][status] += 1
    return counts


def my_report_tasks(actor: Actor) -> list[CycleTasks]:
    cycles = visible(actor, ReportCycle).filter(status=ReportCycle.Status.WRITING).select_related("institution")
    tasks = []
    for cycle in cycles.order_by("deadline"):
        groups = _writable_groups(actor, cycle, mine_only=True)
        counts = _counts_by_group(cycle, groups)
        tasks.append(CycleTasks(cycle, [GroupTask(g, SECTION_FOR_KIND[g.kind], 0, dict(counts[g.pk])) for g in groups]))
    return tasks


@dataclass
class CycleOverview:
    cycle: ReportCycle
    learners: int
    by_status: dict[str, int]
    groups: list[GroupTask]
    runs: list[ReportRun]
    published: int
    can_manage: bool


def cycle_overview(actor: Actor, cycle_pk: int) -> CycleOverview:
    cycle = get_for(actor, ReportCycle, cycle_pk)
    manage = can(actor, "manage", cycle)
    groups = _writable_groups(actor, cycle, mine_only=not manage)
    counts = _counts_by_group(cycle, groups)
    statuses = Counter(ReportComment.objects.filter(cycle=cycle).values_list("status", flat=True))
    return CycleOverview(
        cycle, len(cycle_learner_ids(cycle)), {s: statuses.get(s, 0) for s in ReportComment.Status.values},
        [GroupTask(g, SECTION_FOR_KIND[g.kind], 0, dict(counts[g.pk])) for g in groups],
        list(cycle.runs.all()[:5]) if manage else [], cycle.published.count(), manage,
    )


@dataclass
class SheetRow:
    learner_id: int
    name: str
    comment: ReportComment | None
    preview: str
    grade: str
    target: str
    grades: list[tuple[str, str]]


@dataclass
class WritingSheet:
    cycle: ReportCycle
    group: Group
    section: str
    subject: str
    rows: list[SheetRow]
    bank: list[CommentBankEntry] = field(default_factory=list)
    editable: bool = True


def writing_sheet(actor: Actor, cycle_pk: int, group_pk: int) -> WritingSheet:
    cycle = get_for(actor, ReportCycle, cycle_pk)
    group = Group.objects.filter(pk=group_pk, institution_id=cycle.institution_id, academic_year_id=cycle.academic_year_id,
                                 kind__in=list(WRITE_ACTION)).first()
    if group is None or not can(actor, WRITE_ACTION[group.kind], group):
        raise NotFound()
    section = SECTION_FOR_KIND[group.kind]
    subject = group.subject if section == ReportComment.Section.SUBJECT else ""
    learners = writable_learners(actor, cycle, group)
    facts = facts_for(cycle, list(learners))
    comments = {c.learner_id: c for c in ReportComment.objects.filter(cycle=cycle, section=section, subject=subject,
                                                                      learner_id__in=list(learners))}
    rows = []
    for pk, name in learners.items():
        comment = comments.get(pk)
        item = facts[pk]
        rows.append(SheetRow(pk, name, comment, fill(comment.text, item.values(subject)) if comment else "",
                             item.latest.get(subject, ""), item.targets.get(subject, ""), item.grades.get(subject, [])))
    audit.record_learner_list_read(actor, list(learners), what="report_comments")
    bank = list(CommentBankEntry.objects.filter(institution_id=cycle.institution_id, subject__in=["", subject])
                .order_by("subject", "label"))
    return WritingSheet(cycle, group, section, subject, rows, bank, editable=cycle.status == ReportCycle.Status.WRITING)


@dataclass
class ProofRow:
    comment: ReportComment
    name: str
    preview: str


def proofreading(actor: Actor, cycle_pk: int) -> tuple[ReportCycle, list[ProofRow]]:
    cycle = get_for(actor, ReportCycle, cycle_pk, "manage")
    comments = list(visible(actor, ReportComment).filter(cycle=cycle, status=ReportComment.Status.READY)
                    .select_related("learner__person", "author").order_by("section", "subject", "learner__person__family_name")[:300])
    facts = facts_for(cycle, sorted({c.learner_id for c in comments}))
    rows = [ProofRow(c, c.learner.person.full_name, fill(c.text, facts[c.learner_id].values(c.subject))) for c in comments]
    audit.record_learner_list_read(actor, [c.learner_id for c in comments], what="report_comments")
    return cycle, rows


def preview(actor: Actor, cycle_pk: int, learner_pk: int) -> dict[str, Any]:
    """A learner's report as it would be issued now (leaders only; families see only what is published)."""
    cycle = get_for(actor, ReportCycle, cycle_pk, "manage")
    learner = get_for(actor, Learner, learner_pk)
    if learner.pk not in cycle_learner_ids(cycle):
        raise NotFound()
    audit.record_learner_read(actor, learner, what="report", institution_ids=set(learner_institutions(actor, learner.pk)))
    return build_documents(cycle, [learner.pk], final=False)[learner.pk]


def learner_reports(actor: Actor, learner_pk: int) -> tuple[Learner, list[PublishedReport]]:
    learner = get_for(actor, Learner, learner_pk)
    reports = list(visible(actor, PublishedReport).filter(learner=learner).select_related("cycle", "institution")
                   .order_by("-issued_at"))
    return learner, reports


def published_report(actor: Actor, report_pk: int) -> PublishedReport:
    report = get_for(actor, PublishedReport, report_pk)
    if actor.person_id != report.learner_id:
        audit.record_learner_read(actor, report.learner, what="report",
                                  institution_ids=set(learner_institutions(actor, report.learner_id)),
                                  detail={"report": report.pk})
    return report
