"""Every write of the parent portal: school events, the school's contact details, calendar feeds.

Each checks ``authz``, validates, writes in one transaction and is audited.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.family.models import CalendarFeed, Event, SchoolContact
from commonroom.organisations.models import Institution
from commonroom.people.models import Group

MAX_EVENT_DAYS = 366


def _check_event(institution: Institution, *, title: str, all_day: bool, start_date: datetime.date | None,
                 end_date: datetime.date | None, starts_at: datetime.datetime | None, ends_at: datetime.datetime | None,
                 whole_school: bool, group_ids: list[int]) -> tuple[dict[str, list[str]], list[Group]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Enter a title.")]
    if all_day:
        if start_date is None:
            errors["start_date"] = [_("Enter the date the event starts.")]
        if end_date is not None and start_date is not None and end_date < start_date:
            errors["end_date"] = [_("The end date must be on or after the start date.")]
        elif end_date is not None and start_date is not None and (end_date - start_date).days > MAX_EVENT_DAYS:
            errors["end_date"] = [_("An event can last a year at most.")]
    else:
        # A time without a timezone (possible over the API) is an input error, not a guess: the
        # school's clock and the caller's may differ. The form always gives aware times.
        if starts_at is not None and timezone.is_naive(starts_at):
            errors["starts_at"] = [_("Give the start time with its timezone (for example 2026-05-01T09:00:00+01:00).")]
            starts_at = None
        if ends_at is not None and timezone.is_naive(ends_at):
            errors["ends_at"] = [_("Give the end time with its timezone (for example 2026-05-01T15:00:00+01:00).")]
            ends_at = None
        if starts_at is None and "starts_at" not in errors:
            errors["starts_at"] = [_("Enter when the event starts.")]
        if ends_at is None:
            errors.setdefault("ends_at", [_("Enter when the event ends.")])
        elif starts_at is not None and ends_at < starts_at:
            errors["ends_at"] = [_("The end must be after the start.")]
        elif starts_at is not None and (ends_at - starts_at).days > MAX_EVENT_DAYS:
            errors["ends_at"] = [_("An event can last a year at most.")]
    groups = list(Group.objects.filter(pk__in=sorted(set(group_ids)), institution=institution))
    if len(groups) != len(set(group_ids)):
        errors["group_ids"] = [_("Choose groups of this school only.")]
    if not whole_school and not group_ids:
        errors["group_ids"] = [_("Choose the groups the event is for, or make it for the whole school.")]
    return errors, groups


def _fill(event: Event, *, title: str, description: str, all_day: bool, start_date: datetime.date | None,
          end_date: datetime.date | None, starts_at: datetime.datetime | None, ends_at: datetime.datetime | None,
          whole_school: bool, published: bool) -> None:
    event.title = title.strip()
    event.description = description.strip()
    event.all_day = all_day
    event.whole_school = whole_school
    event.published = published
    if all_day:
        assert start_date is not None
        event.start_date, event.end_date = start_date, end_date or start_date
        event.starts_at = event.ends_at = None
    else:
        assert starts_at is not None and ends_at is not None
        event.starts_at, event.ends_at = starts_at, ends_at
        event.start_date = timezone.localtime(starts_at).date()
        event.end_date = timezone.localtime(ends_at).date()


def event_create(*, actor: Actor, institution: Institution, title: str, description: str = "", all_day: bool = True,
                 start_date: datetime.date | None = None, end_date: datetime.date | None = None,
                 starts_at: datetime.datetime | None = None, ends_at: datetime.datetime | None = None,
                 whole_school: bool = True, group_ids: list[int] | None = None, published: bool = False) -> Event:
    require(actor, "manage_events", institution)
    group_ids = [] if whole_school else list(group_ids or [])
    errors, groups = _check_event(institution, title=title, all_day=all_day, start_date=start_date, end_date=end_date,
                                  starts_at=starts_at, ends_at=ends_at, whole_school=whole_school, group_ids=group_ids)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = Event(institution=institution, created_by_id=actor.person_id)
        _fill(event, title=title, description=description, all_day=all_day, start_date=start_date, end_date=end_date,
              starts_at=starts_at, ends_at=ends_at, whole_school=whole_school, published=published)
        event.save()
        event.groups.set(groups)
        audit.record(actor, "family.event_create", event, institution_id=institution.pk,
                     detail={"published": published, "groups": sorted(g.pk for g in groups)})
    return event


def event_update(*, actor: Actor, event: Event, title: str, description: str = "", all_day: bool = True,
                 start_date: datetime.date | None = None, end_date: datetime.date | None = None,
                 starts_at: datetime.datetime | None = None, ends_at: datetime.datetime | None = None,
                 whole_school: bool = True, group_ids: list[int] | None = None, published: bool = False) -> Event:
    require(actor, "manage", event)
    group_ids = [] if whole_school else list(group_ids or [])
    errors, groups = _check_event(event.institution, title=title, all_day=all_day, start_date=start_date,
                                  end_date=end_date, starts_at=starts_at, ends_at=ends_at, whole_school=whole_school,
                                  group_ids=group_ids)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _fill(event, title=title, description=description, all_day=all_day, start_date=start_date, end_date=end_date,
              starts_at=starts_at, ends_at=ends_at, whole_school=whole_school, published=published)
        event.save()
        event.groups.set(groups)
        audit.record(actor, "family.event_update", event, institution_id=event.institution_id,
                     detail={"published": published, "groups": sorted(g.pk for g in groups)})
    return event


def event_delete(*, actor: Actor, event: Event) -> None:
    require(actor, "manage", event)
    with transaction.atomic():
        audit.record(actor, "family.event_delete", event, institution_id=event.institution_id,
                     detail={"title": event.title})
        event.delete()


def school_contact_save(*, actor: Actor, institution: Institution, **values: Any) -> SchoolContact:
    require(actor, "manage_events", institution)
    fields = ("address", "phone", "email", "website", "note")
    with transaction.atomic():
        contact, _created = SchoolContact.objects.select_for_update().get_or_create(institution=institution)
        for name in fields:
            setattr(contact, name, (values.get(name) or "").strip())
        contact.full_clean()
        contact.save()
        audit.record(actor, "family.school_contact_save", contact, institution_id=institution.pk)
    return contact


# Calendar feeds. The secret is 32 random bytes; only its SHA-256 is stored, so the address is shown
# once, when made. Making a new one revokes the old.


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_create(*, actor: Actor) -> tuple[CalendarFeed, str]:
    """A new private address for the actor (any earlier one stops working). Returns the feed and its secret."""
    if actor.person_id is None:
        raise NotFound()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(person_id=actor.person_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        feed = CalendarFeed.objects.create(person_id=actor.person_id, token_hash=_hash(token))
        audit.record(actor, "family.calendar_feed_create", feed)
    return feed, token


def feed_revoke(*, actor: Actor) -> bool:
    """Stop the actor's calendar address working. False if there was none."""
    if actor.person_id is None:
        raise NotFound()
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(person_id=actor.person_id, revoked_at__isnull=True).first()
        if feed is None:
            return False
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor, "family.calendar_feed_revoke", feed)
    return True


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed this secret opens, or None. The lookup is by the secret's hash (an attacker cannot aim at a
    stored hash by timing), and the hashes are compared in constant time too."""
    if not token or len(token) > 128:
        return None
    digest = _hash(token)
    # Only while the owner's account is switched on: a deactivated account's address stops at once.
    feed = CalendarFeed.objects.filter(token_hash=digest, revoked_at__isnull=True,
                                       person__account__is_active=True).select_related("person").first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed


def feed_used(feed: CalendarFeed) -> None:
    """Note the feed was fetched (at most once an hour, to spare the database)."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > datetime.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
