"""Self-review rows in the persona world.

- The four shipped frameworks are loaded (version 1 of each).
- ``a1.finished``: a1's review against the schools framework, completed a year ago by a1.head (every
  aspect at level 4, element 1 at level 3).
- ``a1.current``: a1's review in progress, started 20 days ago by a1.head; element 2 (Curriculum) is
  assigned to a1.teacher; aspect 2a-1 has level 3 saved by a1.teacher; element 1 is answered at level 2.
- ``b1.current``: b1's review in progress, started by b1.head; element 3 assigned to b1.teacher.
Other staff (senco, dsl, office, teacher2, tutor) are assigned nothing, so they do not see the reviews.

Two personas whose roles this app introduced:

    a1.governor    a governor of a1 (reads a1's reviews, results and Charter; nothing about learners)
    la1.assessor   an ICT Mark assessor for la1 (records visits to a1 and a2; reads their Charter)

The Charter: a1 is Committed (recorded by a1.head 400 days ago); nobody else has a record.

Files as evidence: each of the three reviews has one text file (``plan.txt``) on aspect 2a-1, uploaded by
the institution's head.
"""

from __future__ import annotations

import datetime
from typing import Any

from commonroom.common.dates import today


def review_named(world: Any, name: str) -> Any:
    from commonroom.selfreview.models import Review

    inst, _, which = name.partition(".")
    return Review.objects.get(institution=world.institutions[inst], title=f"World {which}")


def evidence_file_named(world: Any, name: str) -> Any:
    """The file on aspect 2a-1 of the review ``name`` (``a1.current``, ``a1.finished``, ``b1.current``)."""
    from commonroom.selfreview.models import EvidenceFile

    return EvidenceFile.objects.get(review=review_named(world, name), aspect__code="2a-1")


def _add_files(world: Any) -> None:
    from django.core.files.base import ContentFile

    from commonroom.selfreview.models import AspectAnswer, EvidenceFile

    for name in ("a1.current", "a1.finished", "b1.current"):
        review = review_named(world, name)
        answer = AspectAnswer.objects.get(review=review, aspect__code="2a-1")
        item = EvidenceFile(institution_id=review.institution_id, review=review, aspect_id=answer.aspect_id, answer=answer,
                            file_name="plan.txt", file_type="text/plain", size=12,
                            uploaded_by=world.people[f"{name.split('.')[0]}.head"])
        item.file.save("evidence", ContentFile(b"Our plan.\n\n"), save=False)
        item.save()


def extend(world: Any) -> None:
    from commonroom.authz.actor import Actor
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.identity.models import User
    from commonroom.people.models import Person
    from commonroom.selfreview.models import CharterRecord, CharterStage

    start = today() - datetime.timedelta(days=700)
    for name, given, family, scope in (("a1.governor", "Gwen", "Governor", {"role": Role.GOVERNOR, "institution": world.institutions["a1"]}),
                                       ("la1.assessor", "Asa", "Assessor", {"role": Role.ASSESSOR, "local_authority": world.authorities["la1"]})):
        person = Person.objects.create(given_name=given, family_name=family, email=f"{name}@example.org")
        RoleAssignment.objects.create(person=person, start_date=start, **scope)
        user = User(username=name, email=f"{name}@example.org", person=person)
        user.set_password("correct horse battery staple")
        user.save()
        world.people[name] = person
        world.users[name] = user
    CharterRecord.objects.create(institution=world.institutions["a1"], stage=CharterStage.COMMITTED,
                                 recorded_by=world.people["a1.head"], recorded_on=today() - datetime.timedelta(days=400))

    from commonroom.selfreview.models import AspectAnswer, Element, Framework, Review
    from commonroom.selfreview.services import element_assign, frameworks_load, review_start

    report = frameworks_load(actor=Actor.system("persona world"))
    assert not report.errors, report.errors
    schools = Framework.objects.get(slug="schools", version=1)
    elements = {e.number: e for e in Element.objects.filter(framework=schools)}

    head = world.actor("a1.head")
    finished = review_start(actor=head, institution=world.institutions["a1"], framework=schools, title="World finished",
                            started_on=today() - datetime.timedelta(days=380))
    AspectAnswer.objects.filter(review=finished).update(level=4, version=1, updated_by=world.people["a1.head"])
    AspectAnswer.objects.filter(review=finished, element=elements[1]).update(level=3)
    Review.objects.filter(pk=finished.pk).update(status=Review.Status.COMPLETED, completed_on=today() - datetime.timedelta(days=365),
                                                 completed_by=world.people["a1.head"])

    current = review_start(actor=head, institution=world.institutions["a1"], framework=schools, title="World current",
                           started_on=today() - datetime.timedelta(days=20))
    element_assign(actor=head, review=current, element=elements[2], person=world.people["a1.teacher"])
    AspectAnswer.objects.filter(review=current, element=elements[1]).update(level=2, version=1, updated_by=world.people["a1.head"])
    AspectAnswer.objects.filter(review=current, aspect__code="2a-1").update(level=3, version=1, updated_by=world.people["a1.teacher"])

    b1 = review_start(actor=world.actor("b1.head"), institution=world.institutions["b1"], framework=schools, title="World current",
                      started_on=today() - datetime.timedelta(days=10))
    element_assign(actor=world.actor("b1.head"), review=b1, element=elements[3], person=world.people["b1.teacher"])

    _add_files(world)

    from commonroom.selfreview.testing_world_plans import extend_plans

    extend_plans(world)
