"""Every write to messaging: conversations, replies, status and assignment, broadcasts, read marks,
settings and the retention purge. Each checks ``authz``, validates first, writes in one transaction
and is audited.

Points for alerts (another app sends email and text): ``conversation_reply`` returns the new
``Message`` (``message.from_family`` False is a staff reply the family should hear about), and
``broadcast_send`` returns the ``Broadcast`` (its ``recipients`` are the people to tell). Both are
committed when they return; call the alerts app after them (or from ``transaction.on_commit``).
Nothing here sends email or text itself.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require, visible
from commonroom.authz.models import INSTITUTION_ROLES, RoleAssignment
from commonroom.common.dates import in_force
from commonroom.messaging.files import CheckedFile, check_attachment
from commonroom.messaging.models import (
    BODY_MAX,
    SUBJECT_MAX,
    Broadcast,
    BroadcastRecipient,
    Conversation,
    Message,
    MessageRead,
    MessagingSettings,
)
from commonroom.messaging.text import clean_line, clean_text
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person

Status = Conversation.Status


def _me(actor: Actor) -> int:
    """The acting person's id (services that write as a person are never called without one)."""
    if actor.person_id is None:
        raise NotFound()
    return actor.person_id


def _check_text(subject: str | None, body: str) -> tuple[str, str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean_subject = clean_line(subject or "") if subject is not None else ""
    clean_body = clean_text(body or "")
    if subject is not None:
        if not clean_subject:
            errors["subject"] = [_("Enter a subject.")]
        elif len(clean_subject) > SUBJECT_MAX:
            errors["subject"] = [_("The subject must be %(n)s characters or fewer.") % {"n": SUBJECT_MAX}]
    if not clean_body:
        errors["body"] = [_("Enter your message.")]
    elif len(clean_body) > BODY_MAX:
        errors["body"] = [_("The message must be %(n)s characters or fewer.") % {"n": f"{BODY_MAX:,}"}]
    return clean_subject, clean_body, errors


def _checked(attachment: Any, errors: dict[str, list[str]]) -> CheckedFile | None:
    if not attachment:
        return None
    try:
        return check_attachment(attachment)
    except ValidationError as error:
        errors.update(error.message_dict)
        return None


def _attach(message: Message, checked: CheckedFile | None, stored: str | None) -> None:
    if checked is None or stored is None:
        return
    message.attachment.name = stored
    message.attachment_name = checked.name
    message.attachment_type = checked.content_type
    message.attachment_size = len(checked.content)


def _with_file(checked: CheckedFile | None, write: Any) -> Any:
    """Store the checked file under a random name, then run ``write(stored_name)`` in a transaction;
    if the write fails the file is deleted again."""
    stored = None
    if checked is not None:
        stored = default_storage.save(f"messaging/{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content))
    try:
        with transaction.atomic():
            return write(stored)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise


def tutors_of(learner_id: int, institution_id: int, on: datetime.date | None = None) -> list[Person]:
    """The learner's form tutors today at the institution (tutors of a registration group they are in)."""
    groups = GroupMembership.objects.filter(in_force(on=on), learner_id=learner_id, institution_id=institution_id,
                                            group__kind=Group.Kind.REGISTRATION).values("group_id")
    ids = GroupStaff.objects.filter(in_force(on=on), group_id__in=groups, role=GroupStaff.Role.TUTOR).values("person_id")
    return list(Person.objects.filter(pk__in=ids))


def conversation_start(
    *, actor: Actor, learner: Learner, institution: Institution, addressed_to: str, subject: str, body: str,
    attachment: Any = None,
) -> Conversation:
    """A parent or carer writes to the form tutor or the office about one child at one of the child's schools."""
    require(actor, "messaging_start", learner)
    if not Enrolment.objects.filter(in_force(on=actor.on), learner=learner, institution=institution).exists():
        raise NotFound()
    clean_subject, clean_body, errors = _check_text(subject, body)
    if addressed_to not in Conversation.Addressee.values:
        errors["addressed_to"] = [_("Choose the form tutor or the school office.")]
    elif addressed_to == Conversation.Addressee.TUTOR and not tutors_of(learner.pk, institution.pk, actor.on):
        errors["addressed_to"] = [_("Your child has no form tutor on the system at the moment: write to the school office.")]
    checked = _checked(attachment, errors)
    if errors:
        raise ValidationError(errors)

    def write(stored: str | None) -> Conversation:
        now = timezone.now()
        conversation = Conversation.objects.create(
            institution=institution, learner=learner, started_by_id=_me(actor), addressed_to=addressed_to,
            subject=clean_subject, status=Status.OPEN, last_message_at=now, unanswered_since=now,
        )
        message = Message(institution=institution, conversation=conversation, author_id=_me(actor),
                          from_family=True, body=clean_body)
        _attach(message, checked, stored)
        message.save()
        MessageRead.objects.create(message=message, person_id=_me(actor), read_at=now)
        audit.record(actor, "messaging.conversation_started", conversation, learner_id=learner.pk,
                     institution_id=institution.pk, detail={"addressed_to": addressed_to,
                                                            "attachment": bool(checked)})
        return conversation

    return _with_file(checked, write)


def conversation_reply(
    *, actor: Actor, conversation: Conversation, body: str, attachment: Any = None, status: str | None = None,
) -> Message:
    """A reply from the family or from staff. Returns the new message (for alerts: ``from_family`` False
    is a staff reply). A family reply reopens the conversation; a staff reply sets ``status`` (default:
    waiting for family)."""
    require(actor, "reply", conversation)
    from_family = conversation.started_by_id == actor.person_id and not _is_staff_of(actor, conversation)
    _subject, clean_body, errors = _check_text(None, body)
    if status is not None and (from_family or status not in Status.values):
        errors["status"] = [_("Choose open, waiting for family or closed.")]
    checked = _checked(attachment, errors)
    if errors:
        raise ValidationError(errors)

    def write(stored: str | None) -> Message:
        now = timezone.now()
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        message = Message(institution_id=locked.institution_id, conversation=locked, author_id=_me(actor),
                          from_family=from_family, body=clean_body)
        _attach(message, checked, stored)
        message.save()
        MessageRead.objects.create(message=message, person_id=_me(actor), read_at=now)
        locked.last_message_at = now
        if from_family:
            locked.status = Status.OPEN
            locked.unanswered_since = locked.unanswered_since or now
        else:
            locked.status = status or Status.WAITING
            locked.unanswered_since = None
        locked.closed_at = now if locked.status == Status.CLOSED else None
        locked.save(update_fields=["last_message_at", "status", "unanswered_since", "closed_at", "updated_at"])
        audit.record(actor, "messaging.replied", locked, learner_id=locked.learner_id, institution_id=locked.institution_id,
                     detail={"from_family": from_family, "attachment": bool(checked), "status": locked.status})
        if not from_family:
            _alert_family(kind_key=f"message:{message.pk}", learner_ids=[locked.learner_id],
                          institution_id=locked.institution_id, person_ids=[locked.started_by_id],
                          subject=_("Reply from school: %(subject)s") % {"subject": locked.subject}, body=clean_body,
                          link_path=reverse("messaging:conversation_detail", args=[locked.pk]))
        conversation.status, conversation.unanswered_since = locked.status, locked.unanswered_since
        conversation.closed_at, conversation.last_message_at = locked.closed_at, locked.last_message_at
        return message

    return _with_file(checked, write)


def _is_staff_of(actor: Actor, conversation: Conversation) -> bool:
    from commonroom.authz.api import can

    return can(actor, "manage", conversation)


def colleagues(institution_id: int, on: datetime.date | None = None) -> list[Person]:
    """Staff holding a role at the institution today: whom a conversation may be assigned to."""
    ids = RoleAssignment.objects.filter(in_force(on=on), institution_id=institution_id,
                                        role__in=sorted(INSTITUTION_ROLES)).values("person_id")
    return list(Person.objects.filter(pk__in=ids))


def conversation_update(
    *, actor: Actor, conversation: Conversation, status: str | None = None, assignee_id: int | None = None,
    change_assignee: bool = False,
) -> Conversation:
    """Staff change a conversation's status, or assign it to a colleague at the institution (or to nobody)."""
    require(actor, "manage", conversation)
    errors: dict[str, list[str]] = {}
    if status is not None and status not in Status.values:
        errors["status"] = [_("Choose open, waiting for family or closed.")]
    if change_assignee and assignee_id is not None:
        staff = {person.pk for person in colleagues(conversation.institution_id, actor.on)}
        barred = ContactLink.objects.filter(in_force(on=actor.on), contact_id=assignee_id, learner_id=conversation.learner_id,
                                            access_barred=True).exists()
        if assignee_id not in staff or barred:
            errors["assignee"] = [_("Choose a member of staff at this school.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = {"status": conversation.status, "assignee": conversation.assignee_id}
        fields = ["updated_at"]
        if status is not None and status != conversation.status:
            conversation.status = status
            conversation.closed_at = timezone.now() if status == Status.CLOSED else None
            fields += ["status", "closed_at"]
        if change_assignee and assignee_id != conversation.assignee_id:
            conversation.assignee_id = assignee_id
            fields.append("assignee")
        conversation.save(update_fields=fields)
        audit.record(actor, "messaging.conversation_changed", conversation, learner_id=conversation.learner_id,
                     institution_id=conversation.institution_id,
                     detail={"before": before, "after": {"status": conversation.status, "assignee": conversation.assignee_id}})
    return conversation


def conversation_mark_read(*, actor: Actor, conversation: Conversation) -> int:
    """Record that the actor has read every message in the conversation. Returns how many were new."""
    require(actor, "view", conversation)
    if actor.person_id is None:
        return 0
    unread = list(Message.objects.filter(conversation=conversation).exclude(reads__person_id=actor.person_id)
                  .values_list("pk", flat=True))
    if unread:
        now = timezone.now()
        MessageRead.objects.bulk_create([MessageRead(message_id=pk, person_id=_me(actor), read_at=now)
                                         for pk in unread], ignore_conflicts=True)
    return len(unread)


# Broadcasts ---------------------------------------------------------------------------------------


def broadcast_recipient_ids(*, institution: Institution, learner_ids: Any, on: datetime.date) -> list[int]:
    """Contacts with parental responsibility, link in force and not barred, of these learners."""
    return sorted(set(ContactLink.objects.filter(
        in_force(on=on), learner_id__in=learner_ids, access_barred=False, parental_responsibility=True,
    ).values_list("contact_id", flat=True)))


def broadcast_send(
    *, actor: Actor, institution: Institution, subject: str, body: str, group: Group | None = None,
    learner_ids: list[int] | None = None,
) -> Broadcast:
    """Send a message to the parents of a group's members today, or of hand-picked learners (a trip list).

    The recipients are fixed now: one ``BroadcastRecipient`` per person. Returns the broadcast (for alerts:
    ``broadcast.recipients``)."""
    require(actor, "messaging_broadcast", institution)
    clean_subject, clean_body, errors = _check_text(subject, body)
    if group is not None:
        if group.institution_id != institution.pk:
            raise NotFound()
        require(actor, "messaging_broadcast", group)
        learners = list(GroupMembership.objects.filter(in_force(on=actor.on), group=group).values_list("learner_id", flat=True))
        audience = group.name
    elif learner_ids:
        wanted = sorted({int(pk) for pk in learner_ids})
        allowed = list(visible(actor, Learner, "messaging_broadcast").filter(
            pk__in=wanted, enrolments__in=Enrolment.objects.filter(in_force(on=actor.on), institution=institution),
        ).values_list("pk", flat=True).distinct())
        if len(allowed) != len(wanted):
            errors["learners"] = [_("Choose learners at this school that you teach or look after.")]
        learners = allowed
        audience = ngettext("%(n)s hand-picked learner", "%(n)s hand-picked learners", len(wanted)) % {"n": len(wanted)}
    else:
        errors["group"] = [_("Choose a group, or pick learners.")]
        learners, audience = [], ""
    if errors:
        raise ValidationError(errors)
    recipients = broadcast_recipient_ids(institution=institution, learner_ids=learners, on=actor.on)
    if not recipients:
        raise ValidationError({"group" if group is not None else "learners": [
            _("Nobody would receive this: none of these learners has a parent or carer who can be sent messages.")]})
    with transaction.atomic():
        broadcast = Broadcast.objects.create(institution=institution, sender_id=_me(actor), group=group,
                                             audience=audience[:200], subject=clean_subject, body=clean_body,
                                             sent_at=timezone.now())
        if group is None:
            broadcast.learners.set(learners)
        BroadcastRecipient.objects.bulk_create(
            BroadcastRecipient(institution=institution, broadcast=broadcast, person_id=pk) for pk in recipients)
        audit.record(actor, "messaging.broadcast_sent", broadcast, institution_id=institution.pk,
                     detail={"group": group.pk if group else None, "learners": len(learners), "recipients": len(recipients)})
        _alert_family(kind_key=f"broadcast:{broadcast.pk}", learner_ids=learners, institution_id=institution.pk,
                      person_ids=list(recipients), subject=clean_subject, body=clean_body,
                      link_path=reverse("messaging:broadcast_detail", args=[broadcast.pk]))
    return broadcast


def _alert_family(*, kind_key: str, learner_ids: list[int], institution_id: int, person_ids: list[int], subject: str,
                  body: str, link_path: str) -> None:
    """A message from school: alert these people (by the channels they chose, if the school offers the
    alert) once the message has committed. The alerts app decides who may be told (docs/alerts.md)."""
    from commonroom.notifications.models import AlertKind
    from commonroom.notifications.services import alert_contacts

    alert_contacts(kind=AlertKind.MESSAGE, learner=None, learners=learner_ids, institution=institution_id,
                   subject=subject, body=body, link_path=link_path, key=kind_key, only_contact_ids=person_ids)


def broadcast_open(*, actor: Actor, broadcast: Broadcast) -> BroadcastRecipient | None:
    """A recipient opens a broadcast: their receipt is marked read (once). Others get None."""
    require(actor, "view", broadcast)
    receipt = BroadcastRecipient.objects.filter(broadcast=broadcast, person_id=actor.person_id).first() \
        if actor.person_id else None
    if receipt is not None and receipt.read_at is None:
        receipt.read_at = timezone.now()
        BroadcastRecipient.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=receipt.read_at)
    return receipt


# Settings and keeping -----------------------------------------------------------------------------


def settings_for(institution_id: int) -> MessagingSettings:
    """The institution's messaging settings (the defaults, unsaved, if it never changed them)."""
    found = MessagingSettings.objects.filter(institution_id=institution_id).first()
    return found or MessagingSettings(institution_id=institution_id)


def messaging_settings_save(*, actor: Actor, institution: Institution, retention_years: int, allow_links: bool) -> MessagingSettings:
    require(actor, "messaging_settings", institution)
    if not 1 <= int(retention_years) <= 25:
        raise ValidationError({"retention_years": [_("Keep conversations for between 1 and 25 years.")]})
    with transaction.atomic():
        row, _created = MessagingSettings.objects.select_for_update().get_or_create(institution=institution)
        before = {"retention_years": row.retention_years, "allow_links": row.allow_links}
        row.retention_years, row.allow_links = int(retention_years), bool(allow_links)
        row.save()
        audit.record(actor, "messaging.settings_changed", row, institution_id=institution.pk,
                     detail={"before": before, "after": {"retention_years": row.retention_years, "allow_links": row.allow_links}})
    return row


def _years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class PurgeReport:
    institution_id: int
    institution_name: str
    retention_years: int
    cutoff: datetime.datetime
    conversations: int = 0
    messages: int = 0
    attachments: int = 0
    broadcasts: int = 0
    recipients: int = 0
    files: list[str] = field(default_factory=list)


def _deleter(names: list[str]) -> Any:
    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    return delete


def messages_purge(*, actor: Actor, commit: bool = False, now: datetime.datetime | None = None) -> list[PurgeReport]:
    """Delete conversations closed longer ago than their institution's retention period, and broadcasts
    sent longer ago than it. Dry run unless ``commit``. Only the system (the ``purge_messages`` command)
    may run it. Idempotent: a second run finds nothing. Each institution purged gets an audit event."""
    if not actor.is_system:
        raise NotFound()
    now = now or timezone.now()
    retention = dict(MessagingSettings.objects.values_list("institution_id", "retention_years"))
    default = MessagingSettings._meta.get_field("retention_years").default
    reports: list[PurgeReport] = []
    for institution in Institution.objects.order_by("pk"):
        years = retention.get(institution.pk, default)
        cutoff = _years_before(now, years)
        conversations = Conversation.objects.filter(institution=institution, status=Status.CLOSED, closed_at__lt=cutoff)
        broadcasts = Broadcast.objects.filter(institution=institution, sent_at__lt=cutoff)
        messages = Message.objects.filter(conversation__in=conversations)
        report = PurgeReport(institution.pk, institution.name, years, cutoff,
                             conversations=conversations.count(), broadcasts=broadcasts.count())
        if not (report.conversations or report.broadcasts):
            continue
        report.messages = messages.count()
        report.files = [name for name in messages.exclude(attachment="").values_list("attachment", flat=True)]
        report.attachments = len(report.files)
        report.recipients = BroadcastRecipient.objects.filter(broadcast__in=broadcasts).count()
        reports.append(report)
        if not commit:
            continue
        with transaction.atomic():
            learner_ids = sorted(set(conversations.values_list("learner_id", flat=True)))
            MessageRead.objects.filter(message__in=messages).delete()
            messages.delete()
            conversations.delete()
            BroadcastRecipient.objects.filter(broadcast__in=broadcasts).delete()
            broadcasts.delete()
            audit.record(actor, "messaging.purged", institution, institution_id=institution.pk, detail={
                "retention_years": years, "cutoff": cutoff.isoformat(), "conversations": report.conversations,
                "messages": report.messages, "attachments": report.attachments, "broadcasts": report.broadcasts,
                "recipients": report.recipients, "learners": learner_ids,
            })
            transaction.on_commit(_deleter(list(report.files)))
    return reports
