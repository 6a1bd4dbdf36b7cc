"""Authorisation specs for messaging pages and API operations (the oracle: ``testing/oracle_messaging.py``)."""

from __future__ import annotations

from commonroom.testing import oracle
from commonroom.testing import oracle_messaging as om
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

INSTITUTIONS = ["a1", "a2", "b1", "solo"]
LEARNERS = ["a1.learnerA1", "a1.learnerB1", "a1.leaver", "b1.learnerA1", "solo.learnerA1"]
CONVERSATIONS = list(om.CONVERSATIONS)
BROADCASTS = list(om.BROADCASTS)
GROUPS = ["a1.formA", "a1.art", "a1.maths", "b1.maths"]


def conversation_id(world: World, key: str) -> int:
    from commonroom.messaging.models import Conversation

    return Conversation.objects.get(subject=om.SUBJECTS[key]).pk


def broadcast_id(world: World, key: str) -> int:
    from commonroom.messaging.models import Broadcast

    return Broadcast.objects.get(subject=om.BROADCAST_SUBJECTS[key]).pk


def attachment_id(world: World, key: str) -> int:
    from commonroom.messaging.models import Message

    return Message.objects.get(conversation_id=conversation_id(world, key), attachment_name="matrix.txt").pk


def prepare(world: World) -> None:
    """A plain-text attachment on the first message of every world conversation."""
    from django.core.files.base import ContentFile

    from commonroom.messaging.models import Message

    for key in CONVERSATIONS:
        message = Message.objects.filter(conversation_id=conversation_id(world, key)).order_by("pk").first()
        assert message is not None
        message.attachment.save("matrix.txt", ContentFile(b"hello"), save=False)
        message.attachment_name, message.attachment_type, message.attachment_size = "matrix.txt", "text/plain", 5
        message.save()


def _inst(world: World, key: str) -> int:
    return world.institutions[key].pk


PAGE_SPECS: dict[str, Spec] = {
    "messaging:home": Spec(lambda w, t: "/messages/", SIGNED_IN),
    "messaging:conversation_new": Spec(lambda w, t: "/messages/new/", om.may_start_any),
    "messaging:conversation_detail": Spec(lambda w, t: f"/messages/conversations/{conversation_id(w, t)}/",
                                          om.may_view_conversation, CONVERSATIONS),
    "messaging:conversation_manage": Spec(lambda w, t: f"/messages/conversations/{conversation_id(w, t)}/manage/",
                                          om.may_manage_conversation, CONVERSATIONS, method="post", ok=(302,)),
    "messaging:attachment": Spec(lambda w, t: f"/messages/attachments/{attachment_id(w, t)}/",
                                 om.may_view_conversation, CONVERSATIONS),
    "messaging:broadcast_detail": Spec(lambda w, t: f"/messages/broadcasts/{broadcast_id(w, t)}/",
                                       om.may_view_broadcast, BROADCASTS),
    "messaging:inbox": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/inbox/", om.may_open_inbox, INSTITUTIONS),
    "messaging:broadcast_list": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/broadcasts/", om.may_broadcast_at,
                                     INSTITUTIONS),
    "messaging:broadcast_new": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/broadcasts/new/", om.may_broadcast_at,
                                    INSTITUTIONS),
    "messaging:messaging_settings": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/messaging/settings/",
                                         om.may_change_messaging_settings, INSTITUTIONS),
    "messaging:learner_conversations": Spec(lambda w, t: f"/learners/{w.learners[t].pk}/messages/",
                                            oracle.may_view_learner, LEARNERS),
}

PLACEHOLDERS = {"{conversation_id}": conversation_id, "{broadcast_id}": broadcast_id}


def _start_body(world: World, learner: str) -> dict:
    return {"learner_id": world.learners[learner].pk, "institution_id": world.institutions[learner.split(".")[0]].pk,
            "addressed_to": "office", "subject": "From the matrix", "body": "Hello"}


def _broadcast_body(world: World, group: str) -> dict:
    return {"institution_id": world.institutions[group.split(".")[0]].pk, "group_id": world.groups[group].pk,
            "subject": "From the matrix", "body": "Hello"}


API_SPECS: dict[tuple[str, str], Spec] = {
    ("get", "/api/v1/conversations"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/conversations"): Spec(lambda w, t: "", om.may_start_about,
                                            ["a1.learnerA1", "a1.learnerA2", "b1.learnerA1", "a1.leaver"], ok=(201,),
                                            body=_start_body),
    ("get", "/api/v1/conversations/{conversation_id}"): Spec(lambda w, t: "", om.may_view_conversation, CONVERSATIONS),
    ("post", "/api/v1/conversations/{conversation_id}/messages"): Spec(
        lambda w, t: "", om.may_view_conversation, CONVERSATIONS, ok=(201,), body=lambda w, t: {"body": "A reply"}),
    ("put", "/api/v1/conversations/{conversation_id}/handling"): Spec(
        lambda w, t: "", om.may_manage_conversation, CONVERSATIONS, body=lambda w, t: {"status": "open", "assignee_id": None}),
    ("get", "/api/v1/broadcasts"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/broadcasts"): Spec(lambda w, t: "", om.may_broadcast_to_group, GROUPS, ok=(201,),
                                         body=_broadcast_body),
    ("get", "/api/v1/broadcasts/{broadcast_id}"): Spec(lambda w, t: "", om.may_view_broadcast, BROADCASTS),
    ("get", "/api/v1/broadcasts/{broadcast_id}/receipts"): Spec(lambda w, t: "", om.may_see_receipts, BROADCASTS),
}
