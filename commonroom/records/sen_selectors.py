"""Reads of the SEN register, each at the level the reader is allowed, each audited.

Levels, from the rules in ``policies.py``: ``full`` (the SENCO, the head, senior leaders), ``summary``
(the learner's teachers: status, needs, the summary and strategies for teaching), ``family`` (the
learner and their parents and carers, when the school shares: the family summary and shared reviews).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.models import Enrolment, Learner
from commonroom.people.policies import learner_institutions, not_ended
from commonroom.records.models import SenEpisode, SenProvision, SenRecord, SenReview, SenStatus

FULL, SUMMARY, FAMILY = "full", "summary", "family"


@dataclass
class SenView:
    record: SenRecord
    level: str
    episodes: list[SenEpisode] = field(default_factory=list)
    provisions: list[SenProvision] = field(default_factory=list)
    reviews: list[SenReview] = field(default_factory=list)
    can_manage: bool = False

    @property
    def next_review(self) -> SenReview | None:
        due = [review for review in self.reviews if review.held_on is None]
        return min(due, key=lambda review: review.due_on) if due else None


@dataclass
class LearnerSen:
    learner: Learner
    records: list[SenView]
    may_open_at: list[Institution]  # schools where this actor may open a record for the learner


def _level(actor: Actor, record: SenRecord) -> str | None:
    if can(actor, "view", record):
        return FULL
    if can(actor, "view_summary", record):
        return SUMMARY
    if can(actor, "view_family", record):
        return FAMILY
    return None


def learner_sen(actor: Actor, learner_pk: int) -> LearnerSen:
    """Whoever may see the learner opens the page; what it shows depends on their level."""
    learner = get_for(actor, Learner, learner_pk)
    views: list[SenView] = []
    for record in SenRecord.objects.filter(learner=learner).select_related("institution", "learner").order_by("-status_since"):
        level = _level(actor, record)
        if level is None:
            continue
        view = SenView(record, level, can_manage=can(actor, "manage", record))
        if level == FULL:
            view.episodes = list(record.episodes.all())
            view.provisions = list(record.provisions.all())
            view.reviews = list(record.reviews.all())
        elif level == FAMILY:
            view.reviews = list(record.reviews.filter(shared_with_family=True, held_on__isnull=False))
        views.append(view)
    if views and actor.person_id != learner.pk:
        audit.record_learner_read(actor, learner, what="sen", institution_ids=set(learner_institutions(actor, learner.pk)))
    may_open: list[Institution] = []
    if can(actor, "open_sen_record", learner):
        have = {view.record.institution_id for view in views}
        from commonroom.records.policies import SEN_MANAGERS

        mine = actor.institutions_where(*SEN_MANAGERS)
        enrolled = Enrolment.objects.filter(not_ended(today()), learner=learner, institution_id__in=sorted(mine))
        may_open = [e.institution for e in enrolled.select_related("institution") if e.institution_id not in have]
    return LearnerSen(learner, views, may_open)


@dataclass
class RegisterRow:
    record: SenRecord
    name: str
    next_review: datetime.date | None


@dataclass
class SenRegister:
    institution: Institution
    rows: list[RegisterRow]
    by_status: dict[str, int]
    by_need: list[tuple[str, int]]
    overdue: int


def sen_register(actor: Actor, institution_pk: int) -> SenRegister:
    """Learners on roll with SEN support or an EHC plan, for the SENCO and leaders."""
    institution = get_for(actor, Institution, institution_pk, "view_sen_register")
    on_roll = Enrolment.objects.filter(not_ended(today()), institution=institution).values("learner_id")
    records = list(
        visible(actor, SenRecord).filter(institution=institution, learner_id__in=on_roll)
        .exclude(status=SenStatus.NONE)
        .select_related("learner__person")
        .order_by("learner__person__family_name", "learner__person__given_name", "pk")
    )
    due: dict[int, datetime.date] = {}
    for record_id, due_on in (SenReview.objects.filter(record__in=records, held_on__isnull=True)
                              .order_by("due_on").values_list("record_id", "due_on")):
        due.setdefault(record_id, due_on)
    rows = [RegisterRow(r, r.learner.person.full_name, due.get(r.pk)) for r in records]
    audit.record_learner_list_read(actor, [r.learner_id for r in records], what="sen")
    statuses = Counter(r.status for r in records)
    needs = Counter(r.primary_need for r in records if r.primary_need)
    return SenRegister(
        institution, rows, {status: statuses.get(status, 0) for status in (SenStatus.SUPPORT, SenStatus.EHC_PLAN)},
        sorted(needs.items(), key=lambda item: (-item[1], item[0])),
        sum(1 for row in rows if row.next_review and row.next_review < today()),
    )
