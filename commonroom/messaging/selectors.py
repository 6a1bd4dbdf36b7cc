"""Reads for messaging, each starting from an ``authz`` filter.

Other apps call ``conversations_for_learner(actor, learner)`` to show a child's conversations on their
record (staff who may see the conversation: the office, head and leaders, the form tutor for ones
addressed to them, the member of staff assigned; never the learner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.authz.audit import record_learner_read
from commonroom.common.dates import in_force
from commonroom.messaging import services
from commonroom.messaging.models import Broadcast, BroadcastRecipient, Conversation, Message, MessageRead
from commonroom.organisations.models import Institution
from commonroom.people.models import Enrolment, Group, Learner, Person

INBOX_PAGE_SIZE = 25
Status = Conversation.Status


def conversations_for_learner(actor: Actor, learner: Learner) -> QuerySet[Conversation]:
    """The learner's conversations this actor may see, newest first, with institution, starter and
    assignee loaded. Empty for anyone who may not see the learner (and always for the learner)."""
    if not can(actor, "view", learner):
        return Conversation.objects.none()
    return (visible(actor, Conversation).filter(learner=learner)
            .select_related("institution", "started_by", "assignee").order_by("-last_message_at", "-pk"))


def learner_conversations(actor: Actor, learner_id: int) -> tuple[Learner, list[Conversation]]:
    learner = get_for(actor, Learner, learner_id, queryset=Learner.objects.select_related("person"))
    rows = list(conversations_for_learner(actor, learner))
    if actor.person_id != learner.pk:
        record_learner_read(actor, learner, what="conversations", institution_ids={c.institution_id for c in rows})
    return learner, rows


@dataclass
class InboxPage:
    institution: Institution
    page: Page  # of Conversation
    status: str
    assignee: str
    counts: dict[str, int]
    colleagues: list[Person]
    querystring: str = ""


def inbox(actor: Actor, institution_id: int, *, status: str = "", assignee: str = "", page: Any = 1) -> InboxPage:
    """The shared inbox: conversations at the institution the actor may see, oldest unanswered first."""
    institution = get_for(actor, Institution, institution_id, "messaging_inbox")
    base = visible(actor, Conversation).filter(institution=institution)
    counts = base.aggregate(
        open=Count("pk", filter=Q(status=Status.OPEN)), waiting=Count("pk", filter=Q(status=Status.WAITING)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)), unanswered=Count("pk", filter=Q(unanswered_since__isnull=False)),
    )
    rows = base
    if status in Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    if assignee == "me":
        rows = rows.filter(assignee_id=actor.person_id)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee.isascii() and assignee.isdigit() and len(assignee) < 19:
        rows = rows.filter(assignee_id=int(assignee))
    else:
        assignee = ""
    rows = rows.select_related("learner__person", "started_by", "assignee").order_by(
        F("unanswered_since").asc(nulls_last=True), "-last_message_at", "-pk")
    paginator = Paginator(rows, INBOX_PAGE_SIZE)
    current = paginator.get_page(page)
    record_learner_read_list(actor, [c.learner_id for c in current.object_list])
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("assignee", assignee)) if v)
    return InboxPage(institution, current, status, assignee, counts, services.colleagues(institution.pk, actor.on), query)


def record_learner_read_list(actor: Actor, learner_ids: list[int]) -> None:
    from commonroom.authz.audit import record_learner_list_read

    record_learner_list_read(actor, sorted(set(learner_ids)), what="conversation_list")


@dataclass
class ConversationView:
    conversation: Conversation
    messages: list[Message]
    can_manage: bool
    is_family: bool
    allow_links: bool
    colleagues: list[Person] = field(default_factory=list)


def conversation_detail(actor: Actor, conversation_id: Any, *, mark_read: bool = True) -> ConversationView:
    """One conversation with its messages (author, time, who has read each). Opening it marks it read
    for the actor, and a read by anyone but the learner is audited."""
    conversation = get_for(actor, Conversation, conversation_id, queryset=Conversation.objects.select_related(
        "institution", "learner__person", "started_by", "assignee"))
    if mark_read:
        services.conversation_mark_read(actor=actor, conversation=conversation)
    messages = list(conversation.messages.select_related("author").prefetch_related(
        Prefetch("reads", queryset=MessageRead.objects.select_related("person").order_by("read_at", "pk"))))
    manage = can(actor, "manage", conversation)
    record_learner_read(actor, conversation.learner, what="conversation", institution_ids={conversation.institution_id})
    settings = services.settings_for(conversation.institution_id)
    return ConversationView(
        conversation, messages, manage, conversation.started_by_id == actor.person_id, settings.allow_links,
        services.colleagues(conversation.institution_id, actor.on) if manage else [],
    )


def attachment_of(actor: Actor, message_id: Any) -> Message:
    """A message with an attachment, if the actor may see its conversation (404 otherwise)."""
    message = get_for(actor, Message, message_id)
    if not message.attachment:
        raise NotFound()
    return message


@dataclass
class StartOption:
    learner: Learner
    institution: Institution
    has_tutor: bool

    @property
    def key(self) -> str:
        return f"{self.learner.pk}-{self.institution.pk}"


def start_options(actor: Actor) -> list[StartOption]:
    """Each (child, school) a parent or carer may write about: their children (links in force, not barred)
    at each school where the child is enrolled today."""
    learners = visible(actor, Learner, "messaging_start")
    enrolments = (Enrolment.objects.filter(in_force(on=actor.on), learner__in=learners)
                  .select_related("learner__person", "institution").order_by("learner__person__given_name", "institution__name"))
    options = []
    for enrolment in enrolments:
        has_tutor = bool(services.tutors_of(enrolment.learner_id, enrolment.institution_id, actor.on))
        options.append(StartOption(enrolment.learner, enrolment.institution, has_tutor))
    return options


@dataclass
class FamilyMessages:
    conversations: list[Conversation]
    receipts: list[BroadcastRecipient]


def family_messages(actor: Actor) -> FamilyMessages:
    """What a parent sees at /messages/: the conversations they started (children they may still see) and the
    broadcasts sent to them, newest first. Staff see the conversations they started too (none, normally)."""
    conversations = list(visible(actor, Conversation).filter(started_by_id=actor.person_id)
                         .select_related("institution", "learner__person").order_by("-last_message_at", "-pk")[:200])
    receipts = list(visible(actor, BroadcastRecipient).filter(person_id=actor.person_id or 0)
                    .select_related("broadcast__institution").order_by("-broadcast__sent_at", "-pk")[:200])
    return FamilyMessages(conversations, receipts)


@dataclass
class BroadcastView:
    broadcast: Broadcast
    receipt: BroadcastRecipient | None
    can_see_receipts: bool
    allow_links: bool
    recipients: list[BroadcastRecipient] = field(default_factory=list)
    read: int = 0
    unread: int = 0


def broadcast_detail(actor: Actor, broadcast_id: Any, *, open_it: bool = True) -> BroadcastView:
    broadcast = get_for(actor, Broadcast, broadcast_id,
                        queryset=Broadcast.objects.select_related("institution", "sender", "group"))
    receipt = services.broadcast_open(actor=actor, broadcast=broadcast) if open_it else None
    receipts_allowed = can(actor, "receipts", broadcast)
    view = BroadcastView(broadcast, receipt, receipts_allowed, services.settings_for(broadcast.institution_id).allow_links)
    if receipts_allowed:
        view.recipients = list(broadcast.recipients.select_related("person").order_by(
            F("read_at").asc(nulls_first=True), "person__family_name", "person__given_name", "pk"))
        view.read = sum(1 for r in view.recipients if r.read_at)
        view.unread = len(view.recipients) - view.read
    return view


def institution_broadcasts(actor: Actor, institution_id: int) -> tuple[Institution, list[Any]]:
    """Broadcasts at the institution whose receipts the actor may see, with read and total counts."""
    institution = get_for(actor, Institution, institution_id, "messaging_broadcast")
    rows = list(visible(actor, Broadcast, "receipts").filter(institution=institution).select_related("sender", "group")
                .annotate(total=Count("recipients"), read=Count("recipients", filter=Q(recipients__read_at__isnull=False)))
                .order_by("-sent_at", "-pk")[:200])
    return institution, rows


def broadcast_groups(actor: Actor, institution: Institution) -> list[Group]:
    """Groups at the institution the actor may broadcast to, in force this academic year."""
    return list(visible(actor, Group, "messaging_broadcast").filter(institution=institution).order_by("kind", "nc_year", "code"))


def broadcast_learners(actor: Actor, institution: Institution) -> list[Learner]:
    """Learners at the institution the actor may put on a hand-picked list."""
    return list(visible(actor, Learner, "messaging_broadcast").filter(
        enrolments__in=Enrolment.objects.filter(in_force(on=actor.on), institution=institution))
        .select_related("person").distinct().order_by("person__family_name", "person__given_name", "pk")[:2000])
