"""Two-way messages between families and the school, the shared inbox, and broadcasts to a group's parents.

Scoped exactly as the pages: the same selectors and services, so missing and forbidden both answer 404
and bad input answers 422 naming the field. Attachments are sent and fetched through the pages only
(multipart upload on the conversation pages; the download link ``attachment_url``).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for, visible
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, WRITE_ERRORS, id_in_path, paginated
from commonroom.messaging import selectors, services
from commonroom.messaging.models import Broadcast, Conversation, Message
from commonroom.organisations.models import Institution
from commonroom.people.models import Group, Learner

router = Router(tags=["messaging"])


def _refuse(error: ValidationError) -> NinjaValidationError:
    errors = []
    for field, messages in error.message_dict.items():
        for message in messages:
            errors.append({"type": "value_error", "loc": ["body", "payload", field], "msg": message})
    return NinjaValidationError(errors)


class MessageOut(Schema):
    id: int
    author: str
    from_family: bool
    body: str = Field(description="Plain text: show it escaped")
    created_at: datetime.datetime
    read_by: list[str]
    attachment_name: str | None
    attachment_url: str | None


class ConversationOut(Schema):
    id: int
    institution_id: int
    learner_id: int
    learner_name: str
    started_by: str
    addressed_to: str
    subject: str
    status: str
    assignee_id: int | None
    last_message_at: datetime.datetime
    unanswered_since: datetime.datetime | None


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


def _conversation_out(c: Conversation) -> dict[str, Any]:
    return {"id": c.pk, "institution_id": c.institution_id, "learner_id": c.learner_id,
            "learner_name": c.learner.person.full_name, "started_by": c.started_by.full_name,
            "addressed_to": c.addressed_to, "subject": c.subject, "status": c.status, "assignee_id": c.assignee_id,
            "last_message_at": c.last_message_at, "unanswered_since": c.unanswered_since}


def _message_out(m: Message) -> dict[str, Any]:
    return {"id": m.pk, "author": m.author.full_name, "from_family": m.from_family, "body": m.body,
            "created_at": m.created_at, "read_by": [r.person.full_name for r in m.reads.all()],
            "attachment_name": m.attachment_name or None,
            "attachment_url": reverse("messaging:attachment", args=[m.pk]) if m.attachment else None}


@router.get("/conversations", response={200: list[ConversationOut], **DETAIL_ERRORS},
            summary="List the conversations you may see")
@paginated
def list_conversations(
    request: HttpRequest, institution_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = Query(None, pattern="^(open|waiting|closed)$"),
) -> Any:
    """A parent's own conversations; staff see their institution's (office, head, leaders), those addressed to
    them as form tutor, and those assigned to them. Oldest unanswered first."""
    from django.db.models import F

    rows = visible(actor_for(request), Conversation).select_related("learner__person", "started_by")
    if institution_id:
        rows = rows.filter(institution_id=institution_id)
    if status:
        rows = rows.filter(status=status)
    rows = rows.order_by(F("unanswered_since").asc(nulls_last=True), "-last_message_at", "-pk")
    return [_conversation_out(c) for c in rows]


class ConversationIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    institution_id: int = Field(..., ge=1, le=MAX_ID)
    addressed_to: Literal["tutor", "office"]
    subject: str = Field(..., max_length=1000)
    body: str = Field(..., max_length=20000)


@router.post("/conversations", response={201: ConversationDetailOut, **WRITE_ERRORS, 404: DETAIL_ERRORS[404]},
             summary="Start a conversation about one of your children")
def create_conversation(request: HttpRequest, payload: ConversationIn) -> Any:
    actor = actor_for(request)
    learner = get_for(actor, Learner, payload.learner_id, "messaging_start")
    institution = get_for(actor, Institution, payload.institution_id)
    try:
        conversation = services.conversation_start(actor=actor, learner=learner, institution=institution,
                                                   addressed_to=payload.addressed_to, subject=payload.subject,
                                                   body=payload.body)
    except ValidationError as error:
        raise _refuse(error) from None
    return Status(201, _detail(request, conversation.pk))


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    view = selectors.conversation_detail(actor_for(request), pk)
    return _conversation_out(view.conversation) | {"messages": [_message_out(m) for m in view.messages]}


@router.get("/conversations/{conversation_id}", response={200: ConversationDetailOut, **DETAIL_ERRORS},
            summary="Read a conversation")
def get_conversation(request: HttpRequest, conversation_id: int = id_in_path()) -> Any:
    """Its messages, each with author, time and who has read it. Marks it read for you; audited."""
    return _detail(request, conversation_id)


class ReplyIn(Schema):
    body: str = Field(..., max_length=20000)
    status: Literal["open", "waiting", "closed"] | None = Field(
        None, description="Staff only: the status after the reply (default: waiting for family)")


@router.post("/conversations/{conversation_id}/messages",
             response={201: MessageOut, **WRITE_ERRORS, 404: DETAIL_ERRORS[404]}, summary="Reply in a conversation")
def reply(request: HttpRequest, payload: ReplyIn, conversation_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    conversation = get_for(actor, Conversation, conversation_id, "reply")
    try:
        message = services.conversation_reply(actor=actor, conversation=conversation, body=payload.body,
                                              status=payload.status)
    except ValidationError as error:
        raise _refuse(error) from None
    message = Message.objects.select_related("author").prefetch_related("reads__person").get(pk=message.pk)
    return Status(201, _message_out(message))


class HandlingIn(Schema):
    status: Literal["open", "waiting", "closed"]
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID, description="A colleague at the institution; null: nobody")


@router.put("/conversations/{conversation_id}/handling",
            response={200: ConversationOut, **WRITE_ERRORS, 404: DETAIL_ERRORS[404]},
            summary="Set a conversation's status and assignee (staff)")
def set_handling(request: HttpRequest, payload: HandlingIn, conversation_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    conversation = get_for(actor, Conversation, conversation_id, "manage",
                           queryset=Conversation.objects.select_related("learner__person", "started_by"))
    try:
        services.conversation_update(actor=actor, conversation=conversation, status=payload.status,
                                     assignee_id=payload.assignee_id, change_assignee=True)
    except ValidationError as error:
        raise _refuse(error) from None
    return _conversation_out(conversation)


# Broadcasts ---------------------------------------------------------------------------------------


class BroadcastOut(Schema):
    id: int
    institution_id: int
    sender: str
    audience: str
    subject: str
    body: str = Field(description="Plain text: show it escaped")
    sent_at: datetime.datetime
    read_at: datetime.datetime | None = Field(description="When you read it, if you are a recipient")


class ReceiptOut(Schema):
    person_id: int
    name: str
    read_at: datetime.datetime | None


class ReceiptsOut(Schema):
    broadcast_id: int
    recipients: int
    read: int
    unread: int
    receipts: list[ReceiptOut]


def _broadcast_out(b: Broadcast, read_at: datetime.datetime | None = None) -> dict[str, Any]:
    return {"id": b.pk, "institution_id": b.institution_id, "sender": b.sender.full_name, "audience": b.audience,
            "subject": b.subject, "body": b.body, "sent_at": b.sent_at, "read_at": read_at}


@router.get("/broadcasts", response={200: list[BroadcastOut], **DETAIL_ERRORS},
            summary="List broadcasts you received, sent, or may see the receipts of")
@paginated
def list_broadcasts(request: HttpRequest) -> Any:
    from django.db.models import OuterRef, Subquery

    from commonroom.messaging.models import BroadcastRecipient

    actor = actor_for(request)
    mine = BroadcastRecipient.objects.filter(broadcast=OuterRef("pk"), person_id=actor.person_id or 0).values("read_at")[:1]
    rows = (visible(actor, Broadcast).select_related("sender").annotate(my_read_at=Subquery(mine))
            .order_by("-sent_at", "-pk"))
    return [_broadcast_out(b, b.my_read_at) for b in rows]


class BroadcastIn(Schema):
    institution_id: int = Field(..., ge=1, le=MAX_ID)
    group_id: int | None = Field(None, ge=1, le=MAX_ID)
    learner_ids: list[int] = Field(default_factory=list, max_length=2000, description="A hand-picked list (a trip list)")
    subject: str = Field(..., max_length=1000)
    body: str = Field(..., max_length=20000)


@router.post("/broadcasts", response={201: ReceiptsOut, **WRITE_ERRORS, 404: DETAIL_ERRORS[404]},
             summary="Send a message to the parents of a group or of hand-picked learners")
def create_broadcast(request: HttpRequest, payload: BroadcastIn) -> Any:
    actor = actor_for(request)
    institution = get_for(actor, Institution, payload.institution_id, "messaging_broadcast")
    group = get_for(actor, Group, payload.group_id, "messaging_broadcast") if payload.group_id else None
    try:
        broadcast = services.broadcast_send(actor=actor, institution=institution, subject=payload.subject,
                                            body=payload.body, group=group, learner_ids=payload.learner_ids or None)
    except ValidationError as error:
        raise _refuse(error) from None
    return Status(201, _receipts(request, broadcast.pk))


def _receipts(request: HttpRequest, pk: int) -> dict[str, Any]:
    actor = actor_for(request)
    broadcast = get_for(actor, Broadcast, pk, "receipts")
    view = selectors.broadcast_detail(actor, broadcast.pk, open_it=False)
    return {"broadcast_id": broadcast.pk, "recipients": len(view.recipients), "read": view.read, "unread": view.unread,
            "receipts": [{"person_id": r.person_id, "name": r.person.full_name, "read_at": r.read_at}
                         for r in view.recipients]}


@router.get("/broadcasts/{broadcast_id}", response={200: BroadcastOut, **DETAIL_ERRORS}, summary="Read a broadcast")
def get_broadcast(request: HttpRequest, broadcast_id: int = id_in_path()) -> Any:
    """Opening it as a recipient marks it read."""
    view = selectors.broadcast_detail(actor_for(request), broadcast_id)
    return _broadcast_out(view.broadcast, view.receipt.read_at if view.receipt else None)


@router.get("/broadcasts/{broadcast_id}/receipts", response={200: ReceiptsOut, **DETAIL_ERRORS},
            summary="Who has read a broadcast (the sender, office, head and leaders)")
def get_receipts(request: HttpRequest, broadcast_id: int = id_in_path()) -> Any:
    return _receipts(request, broadcast_id)
