"""Every write to the SEN register: a learner's record, its provision and its reviews.

The SENCO (or the head) writes; each write checks ``authz``, validates first, writes in one
transaction and is audited. A change of status or need closes the open episode and opens a new
one, so the SEN history (what a CTF carries) stays true.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.models import Enrolment, Learner
from commonroom.people.policies import not_ended
from commonroom.records.models import NeedType, SenEpisode, SenProvision, SenRecord, SenReview, SenStatus
from commonroom.records.policies import SEN_MANAGERS

TEXT_FIELDS = ("teacher_summary", "strategies", "plan_detail", "family_summary")
EARLIEST = datetime.date(1990, 1, 1)


def _check_needs(status: str, primary: str, secondary: str, since: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status not in SenStatus.values:
        errors["status"] = [_("Choose no SEN, SEN support (K) or an EHC plan (E).")]
    for field, need in (("primary_need", primary), ("secondary_need", secondary)):
        if need and need not in NeedType.values:
            errors[field] = [_("Choose one of the national types of need.")]
    if status in (SenStatus.SUPPORT, SenStatus.EHC_PLAN) and not primary:
        errors["primary_need"] = [_("SEN support and EHC plans need a primary type of need.")]
    if status == SenStatus.NONE and (primary or secondary):
        errors["primary_need"] = [_("A learner with no SEN has no type of need: clear the needs or choose a status.")]
    if secondary and not primary:
        errors["secondary_need"] = [_("Give the primary need before a secondary one.")]
    if secondary and secondary == primary:
        errors["secondary_need"] = [_("The secondary need must differ from the primary need.")]
    if since > today():
        errors["status_since"] = [_("The date cannot be in the future.")]
    elif since < EARLIEST:
        errors["status_since"] = [_("The date must be in %(year)s or later.") % {"year": EARLIEST.year}]
    return errors


def sen_record_save(
    *, actor: Actor, learner: Learner, institution: Institution, status: str, status_since: datetime.date,
    primary_need: str = "", secondary_need: str = "", seen_version: int = 0, **texts: str,
) -> SenRecord:
    """Open or change a learner's SEN record at a school.

    ``texts`` are the record's text fields (teacher summary, strategies, plan detail, family summary)
    and ``share_with_family``. ``seen_version`` is the version the SENCO saw: if the record moved on
    since, nothing is saved.
    """
    unknown = set(texts) - {*TEXT_FIELDS, "share_with_family"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    record = SenRecord.objects.filter(institution=institution, learner=learner).first()
    if record is None:
        require(actor, "open_sen_record", learner)
        enrolled = Enrolment.objects.filter(not_ended(today()), institution=institution, learner=learner).exists()
        if not enrolled or institution.pk not in actor.institutions_where(*SEN_MANAGERS):
            raise NotFound()
    else:
        require(actor, "manage", record)
    errors = _check_needs(status, primary_need, secondary_need, status_since)
    if record is not None and (record.status, record.primary_need, record.secondary_need) != (
            status, primary_need, secondary_need):
        open_since = record.episodes.filter(end_date__isnull=True).values_list("start_date", flat=True).first()
        if open_since and status_since < open_since and "status_since" not in errors:
            errors["status_since"] = [_("The current status began on %(date)s: a change cannot start before it.")
                                      % {"date": open_since.strftime("%-d %B %Y")}]
    if record is not None and record.version != seen_version:
        errors["__all__"] = [_("Someone else changed this record after you opened it. Check it and make your change again.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if record is None:
            record = SenRecord(institution=institution, learner=learner, status_since=status_since)
            changed_need = True
        else:
            record = SenRecord.objects.select_for_update().get(pk=record.pk)
            changed_need = (record.status, record.primary_need, record.secondary_need) != (status, primary_need, secondary_need)
            if record.version != seen_version:
                raise ValidationError({"__all__": [_("Someone else changed this record after you opened it.")]})
        before = {field: getattr(record, field) for field in ("status", "primary_need", "secondary_need")}
        texts_before = {field: getattr(record, field) for field in texts}
        record.status, record.primary_need, record.secondary_need = status, primary_need, secondary_need
        if changed_need:
            record.status_since = status_since
        for field, value in texts.items():
            setattr(record, field, value.strip() if isinstance(value, str) else bool(value))
        if record.pk:
            record.version += 1
        record.changed_by_id = actor.person_id
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            raise ValidationError({"__all__": [_(
                "Someone else opened an SEN record for this learner at the same moment. Reload and change theirs.")]}) from None
        if changed_need:
            SenEpisode.objects.filter(record=record, end_date__isnull=True).update(
                end_date=max(status_since - datetime.timedelta(days=1), datetime.date.min))
            SenEpisode.objects.create(institution=institution, record=record, status=status, primary_need=primary_need,
                                      secondary_need=secondary_need, start_date=status_since,
                                      recorded_by_id=actor.person_id)
        # The audit says what changed, never the sensitive text itself.
        audit.record(actor, "sen.record_saved", record, learner_id=learner.pk, institution_id=institution.pk,
                     detail={"before": before, "after": {"status": status, "primary_need": primary_need,
                                                         "secondary_need": secondary_need},
                             "texts_changed": sorted(f for f in texts if texts_before[f] != getattr(record, f))})
    return record


def sen_provision_add(
    *, actor: Actor, record: SenRecord, description: str, start_date: datetime.date, provider: str = "",
    hours_per_week: Decimal | None = None, end_date: datetime.date | None = None,
) -> SenProvision:
    require(actor, "manage", record)
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = [_("Describe the provision.")]
    if end_date and end_date < start_date:
        errors["end_date"] = [_("The end date must not be before the start date.")]
    if hours_per_week is not None and not (0 <= hours_per_week <= 40):
        errors["hours_per_week"] = [_("Hours a week must be between 0 and 40.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        provision = SenProvision.objects.create(
            institution_id=record.institution_id, record=record, description=description.strip(), provider=provider.strip(),
            hours_per_week=hours_per_week, start_date=start_date, end_date=end_date,
        )
        audit.record(actor, "sen.provision_added", provision, learner_id=record.learner_id,
                     institution_id=record.institution_id)
    return provision


def sen_review_save(
    *, actor: Actor, record: SenRecord, due_on: datetime.date, review: SenReview | None = None,
    held_on: datetime.date | None = None, outcome: str = "", shared_with_family: bool = False,
) -> SenReview:
    """Plan a review (a due date) or record one that was held, with its outcome."""
    require(actor, "manage", record)
    if review is not None and review.record_id != record.pk:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if held_on and held_on > today():
        errors["held_on"] = [_("A review cannot be held in the future: leave the date blank until it is.")]
    if held_on and not outcome.strip():
        errors["outcome"] = [_("Record the outcome of the review.")]
    if outcome.strip() and not held_on:
        errors["held_on"] = [_("Give the date the review was held.")]
    if errors:
        raise ValidationError(errors)
    fields: dict[str, Any] = {"due_on": due_on, "held_on": held_on, "outcome": outcome.strip(),
                              "shared_with_family": shared_with_family, "recorded_by_id": actor.person_id}
    with transaction.atomic():
        if review is None:
            review = SenReview.objects.create(institution_id=record.institution_id, record=record, **fields)
        else:
            for field, value in fields.items():
                setattr(review, field, value)
            review.save()
        audit.record(actor, "sen.review_saved", review, learner_id=record.learner_id, institution_id=record.institution_id,
                     detail={"held": bool(held_on), "shared": shared_with_family})
    return review

