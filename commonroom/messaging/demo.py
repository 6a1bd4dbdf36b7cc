"""Demo messages: generated, never real.

For each school: three conversations from parents (one waiting for a reply, one answered and waiting for
the family, one closed), addressed to the office, and one broadcast to the parents of a registration
group with about half of them marked read. The generator calls ``write_demo(plan, today, seed)``.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

QUESTIONS = (
    ("Dentist appointment", "Our child has a dentist appointment on Thursday at 2pm. Could they leave at 1:30?"),
    ("Lost PE kit", "The PE kit went missing after Tuesday's lesson. It has a name label. Has anyone handed it in?"),
    ("Homework worries", "Homework has been taking a long time this week. Could we have a word about it?"),
    ("Bus times", "Is the school bus running at the usual time on the INSET day?"),
)
REPLY = "Thank you for letting us know. We have passed this on and will keep an eye out."


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    """``plan`` is the generator's ``DemoPlan`` (people already written, so ids are set)."""
    from commonroom.messaging.models import Broadcast, BroadcastRecipient, Conversation, Message, MessageRead

    rng = random.Random(seed + 51)
    now = timezone.now()
    conversations = broadcasts = recipients = 0
    by_learner: dict[int, list[int]] = {}
    for link in plan.links:
        in_force = link.start <= today
        if in_force and link.parental_responsibility and not link.access_barred and link.contact.id:
            by_learner.setdefault(link.learner.person.id, []).append(link.contact.id)
    for inst in plan.institutions:
        staff = next((person for person, role in inst.roles if role == "office"), None) or \
            (inst.roles[0][0] if inst.roles else None)
        families = [learner for learner in inst.learners if by_learner.get(learner.person.id)]
        if staff is None or not families:
            continue
        for index, learner in enumerate(rng.sample(families, min(3, len(families)))):
            parent = by_learner[learner.person.id][0]
            subject, body = QUESTIONS[(index + rng.randrange(len(QUESTIONS))) % len(QUESTIONS)]
            asked = now - datetime.timedelta(hours=rng.randint(2, 240))
            status = ("open", "waiting", "closed")[index]
            conversation = Conversation.objects.create(
                institution_id=inst.id, learner_id=learner.person.id, started_by_id=parent, addressed_to="office",
                subject=subject, status=status, last_message_at=asked + datetime.timedelta(hours=3 if index else 0),
                unanswered_since=asked if status == "open" else None,
                closed_at=asked + datetime.timedelta(hours=3) if status == "closed" else None)
            first = Message.objects.create(institution_id=inst.id, conversation=conversation, author_id=parent,
                                           from_family=True, body=body)
            MessageRead.objects.create(message=first, person_id=parent, read_at=asked)
            if index:
                reply = Message.objects.create(institution_id=inst.id, conversation=conversation, author_id=staff.id,
                                               from_family=False, body=REPLY)
                MessageRead.objects.bulk_create([MessageRead(message=first, person_id=staff.id, read_at=asked),
                                                 MessageRead(message=reply, person_id=staff.id, read_at=asked)])
            conversations += 1
        form = next((g for g in inst.groups if g.kind == "registration" and g.id), None)
        if form is None:
            continue
        people = sorted({pid for learner in inst.learners if form in learner.groups for pid in by_learner.get(learner.person.id, [])})
        if not people:
            continue
        broadcast = Broadcast.objects.create(
            institution_id=inst.id, sender_id=staff.id, group_id=form.id, audience=form.name, subject="Trip to the museum",
            body="The trip is next Friday. Please send a packed lunch and a coat. Letters went home today.",
            sent_at=now - datetime.timedelta(days=2))
        BroadcastRecipient.objects.bulk_create(
            BroadcastRecipient(institution_id=inst.id, broadcast=broadcast, person_id=pid,
                               read_at=now - datetime.timedelta(hours=rng.randint(1, 40)) if rng.random() < 0.5 else None)
            for pid in people)
        broadcasts += 1
        recipients += len(people)
    return (f"messages: {conversations} generated conversations, {broadcasts} generated broadcasts "
            f"to {recipients} parents and carers")
