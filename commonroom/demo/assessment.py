"""Demo assessment, SEN and written reports: generated, never real.

Each school gets grade sets (GCSE 9-1 where it teaches year 7 or above, the primary "working towards /
at / greater depth" otherwise, and Effort 1-4), three assessment points, aspects (attainment and
target shown to families; effort and predicted for staff), grades at every point already passed with a
target set at the first, SEN records for about one learner in seven, a comment bank, a report cycle being
written for the oldest year group and a published one for the next.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from commonroom.people.models import Group

if TYPE_CHECKING:
    from commonroom.demo.generator import DemoPlan, InstPlan

PRIMARY = (("GDS", "Greater depth"), ("EXS", "Expected standard"), ("WTS", "Working towards"))
EFFORT = (("4", "Excellent"), ("3", "Good"), ("2", "Inconsistent"), ("1", "Poor"))
POINTS = (("Autumn data collection", 8), ("Spring data collection", 22), ("Summer data collection", 36))
NEEDS = ("SPLD", "SPLD", "MLD", "SEMH", "SEMH", "SLCN", "SLCN", "ASD", "HI", "VI", "PD", "OTH")
BANK = (
    ("", "Strength: effort", "{name} works hard in every lesson and {their} effort shows in {their} progress."),
    ("", "Next step: homework", "To move on, {name} should hand homework in on time and act on feedback."),
    ("", "Strength: kindness", "{name} is a kind and helpful member of the form."),
    ("Mathematics", "Maths: problem solving", "{name} tackles unfamiliar problems with confidence; {they} is now "
     "working at grade {grade} against a target of {target}."),
    ("English", "English: reading", "{name} reads widely and writes about texts with growing insight."),
)
SUBJECT_LINES = (
    "{name} has made steady progress this term and is working at {grade}.",
    "{name} contributes thoughtfully in class; {their} target is {target}.",
    "{name} should review class notes each week to secure the basics.",
    "{They} has shown real improvement since the last report.",
)


def _scale(inst: InstPlan) -> str:
    return "gcse" if any(g.nc_year and g.nc_year >= 7 for g in inst.groups) else "primary"


def write_assessment(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, Grade, GradeSet

    rng = random.Random(seed + 4)
    results: list[AssessmentResult] = []
    points_written = 0
    for inst in plan.institutions:
        attainment_set = GradeSet.objects.create(
            institution_id=inst.id, name="GCSE 9-1" if _scale(inst) == "gcse" else "Key stage 2 standard")
        values = ([(str(n), "") for n in range(9, 0, -1)] if _scale(inst) == "gcse" else list(PRIMARY))
        Grade.objects.bulk_create(Grade(institution_id=inst.id, grade_set=attainment_set, value=v, label=label,
                                        rank=len(values) - i) for i, (v, label) in enumerate(values))
        effort_set = GradeSet.objects.create(institution_id=inst.id, name="Effort 1-4")
        Grade.objects.bulk_create(Grade(institution_id=inst.id, grade_set=effort_set, value=v, label=label,
                                        rank=len(EFFORT) - i) for i, (v, label) in enumerate(EFFORT))
        aspects = {kind: Aspect.objects.create(institution_id=inst.id, name=name, kind=kind, grade_set=grade_set,
                                               visible_to_families=visible, position=position)
                   for position, (kind, name, grade_set, visible) in enumerate((
                       ("attainment", "Attainment", attainment_set, True), ("effort", "Effort", effort_set, False),
                       ("target", "Target", attainment_set, True), ("predicted", "Predicted", attainment_set, False)))}
        points = []
        for name, weeks in POINTS:
            date = plan.year_start + datetime.timedelta(weeks=weeks)
            points.append(AssessmentPoint.objects.create(
                institution_id=inst.id, academic_year_id=inst.year_id, name=name, date=date,
                locked=date + datetime.timedelta(days=14) < today, published=date + datetime.timedelta(days=14) < today))
        points_written += len(points)
        past = [p for p in points if p.date <= today]
        top = len(values)
        for group in inst.groups:
            if group.kind != Group.Kind.TEACHING:
                continue
            members = [lr for lr in inst.learners if group in lr.groups]
            for lr in members:
                ability = rng.gauss(0.55, 0.2)
                target = max(1, min(top, round(ability * top) + rng.choice((0, 1, 1, 2))))
                for index, point in enumerate(past):
                    level = max(1, min(top, round((ability + 0.04 * index) * top + rng.gauss(0, 0.7))))
                    rows = [("attainment", level), ("effort", rng.choice((2, 3, 3, 4, 4, 1))),
                            ("predicted", max(level, min(top, level + rng.choice((0, 1)))))]
                    if index == 0:
                        rows.append(("target", target))
                    for kind, rank in rows:
                        scale = EFFORT if kind == "effort" else values
                        results.append(AssessmentResult(
                            institution_id=inst.id, learner_id=lr.person.id, point_id=point.pk,
                            aspect_id=aspects[kind].pk, subject=group.subject, value=scale[len(scale) - rank][0], rank=rank,
                            group_id=group.id))
    AssessmentResult.objects.bulk_create(results, batch_size=5000)
    return f"{points_written} assessment points, {len(results):,} grades"


def write_sen(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    from commonroom.records.models import SenEpisode, SenProvision, SenRecord, SenReview

    rng = random.Random(seed + 5)
    records: list[SenRecord] = []
    for inst in plan.institutions:
        for lr in inst.learners:
            roll = rng.random()
            if roll > 0.15:
                continue
            status = "E" if roll < 0.025 else "K"
            need = rng.choice(NEEDS)
            second = rng.choice([n for n in NEEDS if n != need]) if rng.random() < 0.3 else ""
            records.append(SenRecord(
                institution_id=inst.id, learner_id=lr.person.id, status=status, primary_need=need, secondary_need=second,
                status_since=max(lr.start, today - datetime.timedelta(days=rng.randint(60, 900))),
                teacher_summary="Generated demo record: seat near the front; check understanding early.",
                strategies="Chunk instructions; give a written copy of homework.",
                plan_detail="Generated demo plan: outcomes and provision agreed with the family.",
                family_summary="We are supporting your child with small-group work each week.",
                share_with_family=rng.random() < 0.7,
            ))
    SenRecord.objects.bulk_create(records, batch_size=2000)
    SenEpisode.objects.bulk_create((SenEpisode(institution_id=r.institution_id, record_id=r.pk, status=r.status,
                                               primary_need=r.primary_need, secondary_need=r.secondary_need,
                                               start_date=r.status_since) for r in records), batch_size=2000)
    SenProvision.objects.bulk_create((SenProvision(institution_id=r.institution_id, record_id=r.pk,
                                                   description=rng.choice(("Reading intervention", "Speech and language "
                                                                           "therapy", "Teaching assistant support in class",
                                                                           "Social skills group")),
                                                   hours_per_week=rng.choice((1, 2, 3, 5)), start_date=r.status_since)
                                      for r in records), batch_size=2000)
    reviews = []
    for r in records:
        reviews.append(SenReview(institution_id=r.institution_id, record_id=r.pk,
                                 due_on=today + datetime.timedelta(days=rng.randint(-20, 120))))
        if r.status_since < today - datetime.timedelta(days=120):
            held = today - datetime.timedelta(days=rng.randint(30, 100))
            reviews.append(SenReview(institution_id=r.institution_id, record_id=r.pk, due_on=held, held_on=held,
                                     outcome="Generated demo review: good progress towards the reading outcome.",
                                     shared_with_family=True))
    SenReview.objects.bulk_create(reviews, batch_size=2000)
    return f"{len(records):,} SEN records ({sum(r.status == 'E' for r in records):,} EHC plans)"


def write_reports(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    from commonroom.records.models import (
        AssessmentPoint,
        CommentBankEntry,
        PublishedReport,
        ReportComment,
        ReportCycle,
    )
    from commonroom.records.report_documents import build_documents, cycle_learner_ids

    rng = random.Random(seed + 6)
    comments: list[ReportComment] = []
    published = 0
    for inst in plan.institutions:
        CommentBankEntry.objects.bulk_create(CommentBankEntry(institution_id=inst.id, subject=subject, label=label, text=text)
                                             for subject, label, text in BANK)
        years = sorted((g for g in inst.groups if g.kind == Group.Kind.YEAR), key=lambda g: -(g.nc_year or 0))
        if not years:
            continue
        point = AssessmentPoint.objects.filter(institution_id=inst.id, date__lte=today).order_by("-date").first()
        teachers: dict[int, list[Any]] = defaultdict(list)
        for group, person, role in inst.group_staff:
            teachers[group.id].append((person, role))
        # Being written: the oldest year's spring report. Published: every year's autumn report.
        for status, chosen in (("writing", years[:1]), ("published", years)):
            cycle = ReportCycle.objects.create(
                institution_id=inst.id, academic_year_id=inst.year_id, point=point,
                name=f"{chosen[0].name} spring report" if status == "writing" else "Autumn report",
                deadline=today + datetime.timedelta(days=21 if status == "writing" else -7),
            )
            cycle.year_groups.set([g.id for g in chosen])
            learners = [lr for lr in inst.learners if any(g in lr.groups for g in chosen)]
            share = 0.5 if status == "writing" else 1.0
            for lr in learners:
                if rng.random() > share:
                    continue
                for group in lr.groups:
                    staff = [p for p, role in teachers[group.id] if role in ("teacher", "tutor")]
                    if not staff or group.kind not in (Group.Kind.TEACHING, Group.Kind.REGISTRATION):
                        continue
                    section = "subject" if group.kind == Group.Kind.TEACHING else "tutor"
                    state = "checked" if status == "published" else rng.choice(("draft", "ready", "ready", "checked"))
                    comments.append(ReportComment(
                        institution_id=inst.id, cycle=cycle, learner_id=lr.person.id, section=section,
                        subject=group.subject if section == "subject" else "", group_id=group.id,
                        text=" ".join(rng.sample(SUBJECT_LINES, 2)) if section == "subject" else rng.choice(BANK[:3])[2],
                        status=state, author_id=staff[0].id,
                    ))
            if status == "published":
                ReportComment.objects.bulk_create(comments, batch_size=5000)
                comments = []
                ids = cycle_learner_ids(cycle, on=today)
                documents = build_documents(cycle, ids, issued_on=today - datetime.timedelta(days=7),
                                            footer_note="Demo data: generated, not a real learner")
                moment = timezone.now() - datetime.timedelta(days=7)
                PublishedReport.objects.bulk_create(
                    (PublishedReport(institution_id=inst.id, cycle=cycle, learner_id=pk, issued_at=moment, document=doc)
                     for pk, doc in documents.items()), batch_size=1000)
                published += len(documents)
                ReportCycle.objects.filter(pk=cycle.pk).update(status="published", published_at=moment)
    ReportComment.objects.bulk_create(comments, batch_size=5000)
    return f"report cycles with comments, {published:,} published reports"
