"""The Charter: which stage an institution holds, and which it is eligible for.

Two things are kept apart (docs/adr/0014-charter-stages-and-excellence.md):

- the **stage held** is *recorded*: each step needs a person's act (a leader's commitment, an officer's
  confirmation with the adviser's reference, an assessor's visit). ``current_stage`` reads the records:
  the highest stage awarded and still in force. An ICT Mark lapses three years after the visit, and the
  Excellence stage with it; the institution then holds Recognised again.
- the **stage it is eligible for** is *computed* from its latest completed review against the schools
  framework (``eligible_stage``): what the data supports, before anyone confirms it.

The criteria:

- Committed: a leader has recorded the commitment.
- Recognised: committed; element 1 (leadership and management) and at least two other elements at the
  threshold (every aspect at its threshold level or better) in a completed review.
- ICT Mark: recognised; every element at the threshold in a completed review.
- Excellence: the ICT Mark held; a review completed within the last year with every element at the
  threshold, every aspect at level 2 or better and at least a quarter of the aspects at level 1.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q

from commonroom.common.dates import today
from commonroom.selfreview.models import STAGE_ORDER, AspectAnswer, CharterRecord, CharterStage, Review

CHARTER_FRAMEWORK = "schools"  # the framework whose completed reviews count for the Charter
LEADERSHIP_ELEMENT = 1
OTHER_ELEMENTS_FOR_RECOGNITION = 2
MARK_YEARS = 3
EXCELLENCE_BEST_LEVEL = 2  # every aspect at this level or better
EXCELLENCE_TOP_SHARE = 0.25  # and at least this share of aspects at level 1
EXCELLENCE_REVIEW_DAYS = 366  # the review is at most a year old
REMINDER_DAYS = (90, 30)  # reminders before an ICT Mark lapses


def stage_label(stage: str | None) -> str:
    from django.utils.translation import gettext as _

    return str(CharterStage(stage).label) if stage else _("Not yet committed")


def mark_expiry(visit_date: datetime.date) -> datetime.date:
    try:
        return visit_date.replace(year=visit_date.year + MARK_YEARS)
    except ValueError:  # 29 February
        return visit_date.replace(year=visit_date.year + MARK_YEARS, day=28)


def _rank(stage: str | None) -> int:
    return STAGE_ORDER.index(stage) + 1 if stage in STAGE_ORDER else 0  # type: ignore[arg-type]


def _held(records: Iterable[CharterRecord], on: datetime.date) -> tuple[str | None, CharterRecord | None]:
    """The highest stage awarded and in force on ``on``, and the ICT Mark record in force (if any)."""
    best: str | None = None
    mark: CharterRecord | None = None
    for record in records:
        if record.outcome != CharterRecord.Outcome.AWARDED or record.recorded_on > on:
            continue
        if record.stage in (CharterStage.ICT_MARK, CharterStage.EXCELLENCE):
            if record.expires_on is None or record.expires_on < on:
                continue
            if record.stage == CharterStage.ICT_MARK and (mark is None or record.recorded_on >= mark.recorded_on):
                mark = record
        if _rank(record.stage) > _rank(best):
            best = record.stage
    return best, mark


def current_stage(institution_id: int, on: datetime.date | None = None) -> str | None:
    """The stage the institution holds today (``None`` before a commitment). One query."""
    records = CharterRecord.objects.filter(institution_id=institution_id)
    return _held(records, on or today())[0]


def current_stages(institution_ids: Iterable[int], on: datetime.date | None = None) -> dict[int, str | None]:
    """The stage each institution holds, for many at once (the authority view). One query."""
    ids = sorted(set(institution_ids))
    by_institution: dict[int, list[CharterRecord]] = defaultdict(list)
    for record in CharterRecord.objects.filter(institution_id__in=ids).only(
            "institution_id", "stage", "outcome", "recorded_on", "expires_on"):
        by_institution[record.institution_id].append(record)
    day = on or today()
    return {pk: _held(by_institution.get(pk, []), day)[0] for pk in ids}


@dataclass
class ElementCheck:
    number: int
    name: str
    at_threshold: bool
    aspects: int
    best_level: int | None
    top_count: int
    worst_level: int | None


@dataclass
class ReviewCheck:
    review: Review
    elements: list[ElementCheck]

    @property
    def leadership_met(self) -> bool:
        return any(e.number == LEADERSHIP_ELEMENT and e.at_threshold for e in self.elements)

    @property
    def others_met(self) -> int:
        return sum(1 for e in self.elements if e.number != LEADERSHIP_ELEMENT and e.at_threshold)

    @property
    def all_met(self) -> bool:
        return bool(self.elements) and all(e.at_threshold for e in self.elements)

    @property
    def recognition_met(self) -> bool:
        return self.leadership_met and self.others_met >= OTHER_ELEMENTS_FOR_RECOGNITION

    @property
    def excellence_met(self) -> bool:
        aspects = sum(e.aspects for e in self.elements)
        top = sum(e.top_count for e in self.elements)
        worst = [e.worst_level for e in self.elements]
        return (self.all_met and aspects > 0 and all(w is not None and w <= EXCELLENCE_BEST_LEVEL for w in worst)
                and top >= EXCELLENCE_TOP_SHARE * aspects)


def review_check(review: Review) -> ReviewCheck:
    """Per element: every aspect at its threshold or better? The best and worst levels, how many at 1. One query."""
    rows = (AspectAnswer.objects.filter(institution_id=review.institution_id, review=review)
            .values("element__number", "element__name")
            .annotate(aspects=Count("pk"), missed=Count("pk", filter=Q(level__isnull=True) | Q(level__gt=F("aspect__threshold"))),
                      best=Min("level"), worst=Max("level"), top=Count("pk", filter=Q(level=1)))
            .order_by("element__number"))
    return ReviewCheck(review=review, elements=[
        ElementCheck(number=row["element__number"], name=row["element__name"], at_threshold=row["missed"] == 0,
                     aspects=row["aspects"], best_level=row["best"], top_count=row["top"], worst_level=row["worst"])
        for row in rows])


def latest_review(institution_id: int) -> Review | None:
    return (Review.objects.filter(institution_id=institution_id, status=Review.Status.COMPLETED,
                                  framework__slug=CHARTER_FRAMEWORK)
            .select_related("framework").order_by("-completed_on", "-pk").first())


@dataclass
class CharterStatus:
    institution_id: int
    on: datetime.date
    stage: str | None  # held
    mark: CharterRecord | None  # the ICT Mark in force
    eligible: str | None  # the highest stage the data supports (before confirmation)
    review: Review | None  # the latest completed review against the Charter framework
    check: ReviewCheck | None
    history: list[CharterRecord] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the next stage is not yet eligible

    @property
    def stage_label(self) -> str:
        return str(CharterStage(self.stage).label) if self.stage else ""

    @property
    def eligible_label(self) -> str:
        return str(CharterStage(self.eligible).label) if self.eligible else ""

    @property
    def next_stage(self) -> str | None:
        rank = _rank(self.stage)
        return STAGE_ORDER[rank] if rank < len(STAGE_ORDER) else None

    @property
    def may_request_recognition(self) -> bool:
        return self.stage == CharterStage.COMMITTED and self.eligible is not None and _rank(self.eligible) >= 2

    @property
    def may_record_mark(self) -> bool:
        """Every element at the threshold in a review completed within the last year (not an old one)."""
        return _rank(self.stage) >= 2 and self.check is not None and self.check.all_met and _recent(self.review, self.on)

    @property
    def may_record_excellence(self) -> bool:
        return self.mark is not None and self.eligible == CharterStage.EXCELLENCE


def _recent(review: Review | None, day: datetime.date) -> bool:
    return review is not None and review.completed_on is not None \
        and (day - review.completed_on).days <= EXCELLENCE_REVIEW_DAYS


def charter_status(institution_id: int, on: datetime.date | None = None) -> CharterStatus:
    """The stage held, the stage the data supports and why not further. Three queries."""
    from django.utils.translation import gettext as _

    day = on or today()
    history = list(CharterRecord.objects.filter(institution_id=institution_id).select_related("recorded_by", "review"))
    stage, mark = _held(history, day)
    review = latest_review(institution_id)
    check = review_check(review) if review else None
    reasons: list[str] = []
    eligible: str | None = None
    if stage is None:
        reasons.append(_("No leader has recorded the commitment yet."))
    else:
        eligible = CharterStage.COMMITTED
        if check is None:
            reasons.append(_("There is no completed review against the schools framework yet."))
        elif not check.recognition_met:
            reasons.append(_("Recognised needs element 1 (leadership and management) and %(n)s other elements at the "
                             "threshold; the latest review has leadership %(lead)s and %(others)s others.") % {
                "n": OTHER_ELEMENTS_FOR_RECOGNITION, "lead": _("at it") if check.leadership_met else _("below it"),
                "others": check.others_met})
        else:
            eligible = CharterStage.RECOGNISED
            if not check.all_met:
                below = [str(e.number) for e in check.elements if not e.at_threshold]
                reasons.append(_("The ICT Mark needs every element at the threshold; still below: %(list)s.")
                               % {"list": ", ".join(below)})
            elif _rank(stage) >= 2 and not _recent(review, day):
                reasons.append(_("The ICT Mark needs a review completed within the last year: complete a new one "
                                 "before the assessor's visit."))
            elif _rank(stage) >= 2:
                eligible = CharterStage.ICT_MARK
                recent = _recent(review, day)
                if mark is None:
                    reasons.append(_("Excellence needs the ICT Mark in force."))
                elif not recent:
                    reasons.append(_("Excellence needs a review completed within the last year."))
                elif not check.excellence_met:
                    reasons.append(_("Excellence needs every aspect at level %(best)s or better and a quarter of them at "
                                     "level 1.") % {"best": EXCELLENCE_BEST_LEVEL})
                else:
                    eligible = CharterStage.EXCELLENCE
            else:
                reasons.append(_("The ICT Mark follows the Recognised stage, confirmed by the authority."))
    return CharterStatus(institution_id=institution_id, on=day, stage=stage, mark=mark, eligible=eligible,
                         review=review, check=check, history=history, reasons=reasons)
