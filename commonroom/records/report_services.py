"""Every write to written reports: cycles, the comment bank, comments, proof-reading, publishing, PDF runs.

Each function takes the acting user, checks with ``authz``, validates everything first and writes in
one transaction, audited. A group's comments are saved in bulk. Publishing freezes every learner's
report as issued.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.common.dates import today
from commonroom.organisations.models import AcademicYear, Institution
from commonroom.people.models import Group
from commonroom.people.policies import barred_learner_ids
from commonroom.records.models import (
    AssessmentPoint,
    CommentBankEntry,
    PublishedReport,
    ReportComment,
    ReportCycle,
    ReportRun,
)
from commonroom.records.report_documents import build_documents, cycle_learner_ids, placeholder_problems

MAX_COMMENT = 3000
STALE_RUN = datetime.timedelta(minutes=15)
SECTION_FOR_KIND: dict[str, str] = {Group.Kind.TEACHING: ReportComment.Section.SUBJECT, Group.Kind.REGISTRATION: ReportComment.Section.TUTOR,
                    Group.Kind.YEAR: ReportComment.Section.HEAD_OF_YEAR}
WRITE_ACTION: dict[str, str] = {Group.Kind.TEACHING: "write_subject_reports", Group.Kind.REGISTRATION: "write_tutor_reports",
                Group.Kind.YEAR: "write_year_reports"}


def cycle_create(
    *, actor: Actor, institution: Institution, name: str, academic_year_id: int, year_group_ids: Sequence[int],
    deadline: datetime.date, subjects: Sequence[str] = (), point_id: int | None = None, tutor_section: bool = True,
    head_of_year_section: bool = False, include_attendance: bool = True,
) -> ReportCycle:
    require(actor, "manage_reports", institution)
    errors: dict[str, list[str]] = {}
    year = AcademicYear.objects.filter(pk=academic_year_id, institution=institution).first()
    if year is None:
        errors["academic_year"] = [_("Choose one of the school's academic years.")]
    groups = list(Group.objects.filter(pk__in=list(year_group_ids), institution=institution, kind=Group.Kind.YEAR,
                                       academic_year_id=academic_year_id))
    if not year_group_ids or len(groups) != len(set(year_group_ids)):
        errors["year_groups"] = [_("Choose one or more of the school's year groups for that academic year.")]
    point = None
    if point_id is not None:
        point = AssessmentPoint.objects.filter(pk=point_id, institution=institution, academic_year_id=academic_year_id).first()
        if point is None:
            errors["point"] = [_("Choose an assessment point of the same academic year.")]
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the report cycle a name.")]
    elif year and ReportCycle.objects.filter(institution=institution, academic_year=year, name__iexact=name).exists():
        errors["name"] = [_("There is already a report cycle called %(name)s this year.") % {"name": name}]
    if deadline < today():
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    if errors or year is None:
        raise ValidationError(errors)
    with transaction.atomic():
        cycle = ReportCycle.objects.create(
            institution=institution, name=name, academic_year=year, deadline=deadline, point=point,
            subjects=sorted({s.strip() for s in subjects if s.strip()}), tutor_section=tutor_section,
            head_of_year_section=head_of_year_section, include_attendance=include_attendance, created_by_id=actor.person_id,
        )
        cycle.year_groups.set(groups)
        audit.record(actor, "reports.cycle_created", cycle, institution_id=institution.pk, detail={"name": name})
    return cycle


def bank_entry_add(*, actor: Actor, institution: Institution, label: str, text: str, subject: str = "") -> CommentBankEntry:
    require(actor, "manage_reports", institution)
    errors: dict[str, list[str]] = {}
    if not label.strip():
        errors["label"] = [_("Give the comment a short name.")]
    if not text.strip():
        errors["text"] = [_("Write the comment.")]
    problems = placeholder_problems(text)
    if problems:
        errors["text"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = CommentBankEntry.objects.create(institution=institution, subject=subject.strip(), label=label.strip()[:100],
                                                text=text.strip(), created_by_id=actor.person_id)
        audit.record(actor, "reports.bank_entry_added", entry, institution_id=institution.pk)
    return entry


@dataclass(frozen=True)
class CommentEntry:
    learner_id: int
    text: str
    seen_version: int = 0  # 0: there was no comment
    ready: bool = False  # submitted for proof-reading


@dataclass
class CommentsResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def comment_key(learner_id: int) -> str:
    return f"c_{learner_id}"


def writable_learners(actor: Actor, cycle: ReportCycle, group: Group) -> dict[int, str]:
    """Learners in the group who are in the cycle (its year groups), current members, not barred: id -> name."""
    from commonroom.records.assessment_services import members_for_marksheet

    in_cycle = set(cycle_learner_ids(cycle))
    barred = barred_learner_ids(actor)
    return {pk: name for pk, name in members_for_marksheet(actor, group).items() if pk in in_cycle and pk not in barred}


def _check_group(actor: Actor, cycle: ReportCycle, group: Group) -> str:
    if group.institution_id != cycle.institution_id or group.academic_year_id != cycle.academic_year_id:
        raise NotFound()
    require(actor, WRITE_ACTION[group.kind], group)
    section = SECTION_FOR_KIND[group.kind]
    if section == ReportComment.Section.SUBJECT and cycle.subjects and group.subject not in cycle.subjects:
        raise ValidationError({"__all__": [_("%(subject)s is not part of this report cycle.") % {"subject": group.subject}]})
    if section == ReportComment.Section.TUTOR and not cycle.tutor_section:
        raise ValidationError({"__all__": [_("This report cycle has no form tutor comments.")]})
    if section == ReportComment.Section.HEAD_OF_YEAR and not cycle.head_of_year_section:
        raise ValidationError({"__all__": [_("This report cycle has no head of year comments.")]})
    return section


def comments_save(*, actor: Actor, cycle: ReportCycle, group: Group, entries: Sequence[CommentEntry]) -> CommentsResult:
    """Save a group's comments in one go. A changed comment goes back to proof-reading."""
    section = _check_group(actor, cycle, group)
    if cycle.status != ReportCycle.Status.WRITING:
        raise ValidationError({"__all__": [_("This report cycle is published: its comments can no longer change.")]})
    subject = group.subject if section == ReportComment.Section.SUBJECT else ""
    learners = writable_learners(actor, cycle, group)
    errors: dict[str, list[str]] = {}
    wanted: dict[int, CommentEntry] = {}
    for entry in entries:
        key = comment_key(entry.learner_id)
        if entry.learner_id not in learners:
            errors.setdefault(key, []).append(_("This learner is not in this group for this report cycle."))
            continue
        text = entry.text.strip()
        if "\x00" in text:
            errors.setdefault(key, []).append(_("%(name)s: the comment holds a character that cannot be stored.")
                                              % {"name": learners[entry.learner_id]})
        if len(text) > MAX_COMMENT:
            errors.setdefault(key, []).append(_("%(name)s: the comment is %(n)s characters; the most is %(max)s.")
                                              % {"name": learners[entry.learner_id], "n": len(text), "max": MAX_COMMENT})
        for problem in placeholder_problems(text):
            errors.setdefault(key, []).append(f"{learners[entry.learner_id]}: {problem}")
        if entry.ready and not text:
            errors.setdefault(key, []).append(_("%(name)s: write the comment before sending it to be checked.")
                                              % {"name": learners[entry.learner_id]})
        wanted[entry.learner_id] = CommentEntry(entry.learner_id, text, entry.seen_version, entry.ready)
    if errors:
        raise ValidationError(errors)
    result = CommentsResult()
    with transaction.atomic():
        # Lock the cycle: publishing takes the same lock, so no comment changes while reports are frozen.
        if ReportCycle.objects.select_for_update().get(pk=cycle.pk).status != ReportCycle.Status.WRITING:
            raise ValidationError({"__all__": [_("This report cycle is published: its comments can no longer change.")]})
        existing = {c.learner_id: c for c in ReportComment.objects.select_for_update().filter(
            cycle=cycle, section=section, subject=subject, learner_id__in=list(wanted))}
        to_create, to_update, to_delete, conflicts = [], [], [], {}
        for learner_id, entry in wanted.items():
            comment = existing.get(learner_id)
            if comment is None:
                if not entry.text:
                    result.unchanged += 1
                    continue
                to_create.append(ReportComment(
                    institution_id=cycle.institution_id, cycle=cycle, learner_id=learner_id, section=section,
                    subject=subject, group=group, text=entry.text, author_id=actor.person_id, changed_by_id=actor.person_id,
                    status=ReportComment.Status.READY if entry.ready else ReportComment.Status.DRAFT))
                continue
            # Saving drafts never takes back a comment already sent or checked: only an edit does, and an
            # edited comment must be checked again. "Send for checking" sends drafts and returned comments.
            if comment.text == entry.text:
                if entry.ready and comment.status in (ReportComment.Status.DRAFT, ReportComment.Status.RETURNED):
                    status = ReportComment.Status.READY
                else:
                    result.unchanged += 1
                    continue
            else:
                status = ReportComment.Status.READY if entry.ready else ReportComment.Status.DRAFT
            if comment.version != entry.seen_version:
                conflicts[comment_key(learner_id)] = [_(
                    "%(name)s: someone else changed this comment after you opened the page. Copy your text, reload, "
                    "and save again.") % {"name": learners[learner_id]}]
                continue
            if not entry.text:
                to_delete.append(comment.pk)  # a cleared comment is withdrawn
                continue
            comment.text, comment.status, comment.version = entry.text, status, comment.version + 1
            comment.return_note = "" if status == ReportComment.Status.READY else comment.return_note
            comment.changed_by_id, comment.group_id, comment.updated_at = actor.person_id, group.pk, timezone.now()
            to_update.append(comment)
        if conflicts:
            raise ValidationError(conflicts)
        ReportComment.objects.bulk_create(to_create)
        if to_update:
            ReportComment.objects.bulk_update(to_update, ["text", "status", "version", "return_note", "changed_by", "group",
                                                          "updated_at"])
        if to_delete:
            ReportComment.objects.filter(pk__in=to_delete).delete()
        touched = sorted({c.learner_id for c in [*to_create, *to_update]} | {
            pk for pk, c in existing.items() if c.pk in to_delete})
        if touched:
            audit.record_for_learners(actor, "reports.comments_saved", cycle, touched, institution_id=cycle.institution_id,
                                      detail={"group": group.pk, "section": section, "withdrawn": len(to_delete)})
    result.created, result.changed = len(to_create), len(to_update) + len(to_delete)
    return result


def comments_check(*, actor: Actor, cycle: ReportCycle, checked: dict[int, int] | None = None,
                   returned: dict[int, tuple[int, str]] | None = None) -> tuple[int, int]:
    """Proof-reading: mark comments checked, or return them to their author with a note.

    ``checked`` maps a comment id to the version the proof-reader read; ``returned`` maps it to (version,
    note). A comment changed since it was read is left as it is (and counted neither way): what is marked
    checked is exactly the text the proof-reader saw.
    """
    require(actor, "manage", cycle)
    checked, returned = checked or {}, returned or {}
    errors = {f"note_{pk}": [_("Say what needs changing.")] for pk, (_v, note) in returned.items() if not note.strip()}
    if errors:
        raise ValidationError(errors)
    barred = barred_learner_ids(actor)
    done = sent_back = 0
    with transaction.atomic():
        if ReportCycle.objects.select_for_update().get(pk=cycle.pk).status != ReportCycle.Status.WRITING:
            raise ValidationError({"__all__": [_("This report cycle is already published.")]})
        rows = {c.pk: c for c in ReportComment.objects.select_for_update().filter(
            cycle=cycle, status=ReportComment.Status.READY, pk__in=[*checked, *returned]).exclude(learner_id__in=sorted(barred))}
        changed: list[ReportComment] = []
        now = timezone.now()
        for pk, version in checked.items():
            comment = rows.get(pk)
            if comment is not None and comment.version == version:
                comment.status, comment.return_note = ReportComment.Status.CHECKED, ""
                done += 1
                changed.append(comment)
        for pk, (version, note) in returned.items():
            comment = rows.get(pk)
            if comment is not None and comment.version == version and comment not in changed:
                comment.status, comment.return_note = ReportComment.Status.RETURNED, note.strip()[:500]
                sent_back += 1
                changed.append(comment)
        for comment in changed:
            comment.checked_by_id, comment.version, comment.updated_at = actor.person_id, comment.version + 1, now
        ReportComment.objects.bulk_update(changed, ["status", "return_note", "checked_by", "version", "updated_at"])
        audit.record(actor, "reports.proofread", cycle, institution_id=cycle.institution_id,
                     detail={"checked": done, "returned": sent_back})
    return done, sent_back


def cycle_publish(*, actor: Actor, cycle: ReportCycle, footer_note: str = "") -> int:
    """Freeze every learner's report as issued. Every comment written must have been checked first."""
    require(actor, "manage", cycle)
    if cycle.status == ReportCycle.Status.PUBLISHED:
        raise ValidationError({"__all__": [_("This report cycle is already published.")]})
    now = timezone.now()
    with transaction.atomic():
        # The cycle's lock keeps comments still while they are counted and frozen (writers take it too).
        locked = ReportCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status == ReportCycle.Status.PUBLISHED:
            raise ValidationError({"__all__": [_("This report cycle is already published.")]})
        waiting = ReportComment.objects.filter(cycle=cycle).exclude(status=ReportComment.Status.CHECKED).count()
        if waiting:
            raise ValidationError({"__all__": [_(
                "%(n)s comments have not been checked yet. Check or return them (a returned comment must be rewritten "
                "and checked) before publishing.") % {"n": waiting}]})
        if cycle.point is not None and not cycle.point.published:
            raise ValidationError({"__all__": [_(
                "The report shows grades from %(point)s, which learners and families cannot see yet: publish the "
                "assessment point first.") % {"point": cycle.point.name}]})
        learner_ids = cycle_learner_ids(cycle)
        if not learner_ids:
            raise ValidationError({"__all__": [_("Nobody is in this cycle's year groups.")]})
        documents = build_documents(cycle, learner_ids, issued_on=timezone.localdate(now), footer_note=footer_note)
        PublishedReport.objects.bulk_create(
            PublishedReport(institution_id=cycle.institution_id, cycle=cycle, learner_id=learner_id, issued_at=now,
                            document=document)
            for learner_id, document in documents.items()
        )
        cycle.status, cycle.published_at, cycle.published_by_id = ReportCycle.Status.PUBLISHED, now, actor.person_id
        cycle.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        audit.record_for_learners(actor, "reports.published", cycle, sorted(documents), institution_id=cycle.institution_id)
        from commonroom.notifications.services import report_alerts_on_commit

        report_alerts_on_commit(cycle_id=cycle.pk)  # families who may receive reports are told after commit
    return len(documents)


def run_start(*, actor: Actor, cycle: ReportCycle) -> ReportRun:
    """Render the whole cycle to one PDF in the background; the page shows its progress."""
    require(actor, "manage", cycle)
    if cycle.status != ReportCycle.Status.PUBLISHED:
        raise ValidationError({"__all__": [_("Publish the cycle first: the PDF is made from the reports as issued.")]})
    barred = barred_learner_ids(actor)
    if barred and PublishedReport.objects.filter(cycle=cycle, learner_id__in=sorted(barred)).exists():
        raise ValidationError({"__all__": [_("The cycle includes a learner you may not see: ask another leader.")]})
    from commonroom.records.tasks import render_cycle_pdf

    with transaction.atomic():
        active = ReportRun.objects.select_for_update().filter(
            cycle=cycle, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]).first()
        if active and active.updated_at >= timezone.now() - STALE_RUN:
            return active
        if active:  # no progress for a long time: the worker stopped or the task was lost
            ReportRun.objects.filter(pk=active.pk).update(status=ReportRun.Status.FAILED, finished_at=timezone.now(),
                                                          error=str(_("Stopped: no progress for 15 minutes.")))
        run = ReportRun.objects.create(institution_id=cycle.institution_id, cycle=cycle, requested_by_id=actor.person_id,
                                       total=cycle.published.count())
        audit.record(actor, "reports.pdf_run_started", run, institution_id=cycle.institution_id)
        transaction.on_commit(lambda: render_cycle_pdf.enqueue(run_id=run.pk))
    return run
