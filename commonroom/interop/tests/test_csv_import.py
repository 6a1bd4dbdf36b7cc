"""Importing CSV files: all or nothing, with every problem named by file, row and field."""

from __future__ import annotations

import pytest

from commonroom.authz.api import NotFound
from commonroom.interop import csv_import
from commonroom.people.identifiers import make_uln, make_upn
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner

UPN1, UPN2 = make_upn("801", "4001", 25, 501), make_upn("801", "4001", 25, 502)
GROUPS = "code,name,kind,nc_year,year_group\nY7,Year 7,year,7,\n7X,7X,registration,7,Y7\n7Ma,7 Maths,teaching,7,\n"
LEARNERS = f"upn,uln,given_name,family_name,date_of_birth,sex\n{UPN1},{make_uln(123456789)},Ada,Lovelace,2014-12-10,F\n{UPN2},,Alan,Turing,2015-06-23,M\n"
MEMBERSHIPS = f"upn,group_code\n{UPN1},Y7\n{UPN1},7X\n{UPN2},Y7\n{UPN2},7Ma\n"
CONTACTS = f"learner_upn,given_name,family_name,relationship,email,parental_responsibility\n{UPN1},Ann,Lovelace,mother,ann@example.org,yes\n"


def _texts(**changes: str) -> dict[str, str]:
    return {"groups": GROUPS, "learners": LEARNERS, "memberships": MEMBERSHIPS, "contacts": CONTACTS, **changes}


def test_preview_then_commit(world) -> None:
    office, inst = world.actor("a1.office"), world.institutions["a1"]
    plan = csv_import.preview(actor=office, institution=inst, texts=_texts())
    assert plan.counts() == {"groups": 3, "learners": 2, "memberships": 4, "contacts": 1}
    assert not Learner.objects.filter(upn=UPN1).exists()
    counts = csv_import.commit(actor=office, institution=inst, texts=_texts())
    assert counts == plan.counts()
    ada = Learner.objects.get(upn=UPN1)
    assert Enrolment.objects.get(learner=ada).institution == inst
    assert set(GroupMembership.objects.filter(learner=ada).values_list("group__code", flat=True)) == {"Y7", "7X"}
    assert Group.objects.get(institution=inst, code="7X").year_group.code == "Y7"
    assert ContactLink.objects.get(learner=ada).contact.email == "ann@example.org"
    assert can_see(world, "a1.head", ada)


def can_see(world, persona: str, learner: Learner) -> bool:
    from commonroom.authz.api import visible

    return visible(world.actor(persona), Learner).filter(pk=learner.pk).exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"learners": LEARNERS.replace("date_of_birth", "dob")}, "learners.csv: missing column(s) date_of_birth"),
        ({"learners": LEARNERS + f"{UPN1},,Dup,Licate,2014-01-01,F\n"}, f"learners.csv row 4: UPN {UPN1} is also on row 2"),
        ({"learners": LEARNERS.replace(UPN2, UPN2[:-1] + "9")}, "learners.csv row 3"),
        ({"learners": LEARNERS.replace("2015-06-23", "23/06/2015")}, "learners.csv row 3: date_of_birth “23/06/2015” is not a date"),
        ({"memberships": MEMBERSHIPS + f"{UPN2},9Zz\n"}, "memberships.csv row 6: no group with code 9Zz"),
        ({"contacts": CONTACTS.replace("mother", "aunt")}, "contacts.csv row 2: relationship must be one of"),
        ({"groups": GROUPS.replace("teaching", "set")}, "groups.csv row 4: kind must be year, registration or teaching"),
    ],
)
def test_every_problem_is_named_and_nothing_is_written(world, changes, expected) -> None:
    with pytest.raises(csv_import.ImportRefused) as caught:
        csv_import.commit(actor=world.actor("a1.office"), institution=world.institutions["a1"], texts=_texts(**changes))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert not Learner.objects.filter(upn__in=[UPN1, UPN2]).exists()
    assert not Group.objects.filter(code="7X").exists()


def test_a_upn_already_in_commonroom_is_refused(world) -> None:
    taken = world.learners["b1.learnerA1"].upn
    with pytest.raises(csv_import.ImportRefused, match="already belongs"):
        csv_import.preview(actor=world.actor("a1.office"), institution=world.institutions["a1"],
                           texts=_texts(learners=LEARNERS.replace(UPN2, taken), memberships="", contacts=""))


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.senco", "b1.office", "la1.officer", "parent.a1", "platform.admin"])
def test_only_the_schools_office_and_leaders_import(world, persona: str) -> None:
    with pytest.raises(NotFound):
        csv_import.preview(actor=world.actor(persona), institution=world.institutions["a1"], texts=_texts())


def test_the_page_previews_and_imports(client, world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/import/"
    files = {f"{name}_file": SimpleUploadedFile(f"{name}.csv", text.encode("utf-8-sig")) for name, text in _texts().items()}
    preview = client.post(url, {"action": "preview", **files})
    assert preview.status_code == 200 and "Ready to import" in preview.content.decode()
    assert not Learner.objects.filter(upn=UPN1).exists()
    carried = preview.context["texts"]
    done = client.post(url, {"action": "import", **carried})
    assert done.status_code == 302 and Learner.objects.filter(upn=UPN1).exists()
    bad = client.post(url, {"action": "preview", "learners_file": SimpleUploadedFile("l.csv", b"upn,given_name\n")})
    assert "missing column(s) family_name, date_of_birth" in bad.content.decode()


def test_existing_learners_are_reached_through_the_policy(world) -> None:
    """An office member barred from a learner cannot add contacts or memberships to them by import."""
    from commonroom.people.models import ContactLink as Link

    barred = world.learners["a1.learnerA1"]
    Link.objects.create(learner=barred, contact=world.people["a1.office"], relationship="other", access_barred=True,
                        start_date=barred.enrolments.get().start_date)
    contacts = f"learner_upn,given_name,family_name,relationship\n{barred.upn},New,Mother,mother\n"
    with pytest.raises(csv_import.ImportRefused, match="no learner with UPN"):
        csv_import.commit(actor=world.actor("a1.office"), institution=world.institutions["a1"], texts={"contacts": contacts})
    # The head (not barred) may, and the learner's audit trail says so.
    from commonroom.authz.models import AuditEvent

    csv_import.commit(actor=world.actor("a1.head"), institution=world.institutions["a1"], texts={"contacts": contacts})
    assert AuditEvent.objects.filter(action="import.learner_changed", learner_id=barred.pk).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LEARNERS.replace("Ada", "A" * 150), "given_name is longer than 100"),
        (LEARNERS.replace("Ada", "A\x00da"), "NUL"),
        (LEARNERS.replace("Ada", "\ud800"), "not valid Unicode"),
        ("upn,given_name,family_name,date_of_birth\n\n\n" + LEARNERS.split("\n", 1)[1].replace("2014-12-10", "10/12/2014"),
         "learners.csv row 4"),
    ],
)
def test_odd_input_is_refused_with_a_message(world, text, expected) -> None:
    with pytest.raises(csv_import.ImportRefused) as caught:
        csv_import.preview(actor=world.actor("a1.office"), institution=world.institutions["a1"], texts={"learners": text})
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_importing_the_same_memberships_twice_is_refused(world) -> None:
    office, inst = world.actor("a1.office"), world.institutions["a1"]
    csv_import.commit(actor=office, institution=inst, texts=_texts())
    with pytest.raises(csv_import.ImportRefused, match="already in Y7"):
        csv_import.commit(actor=office, institution=inst, texts={"memberships": f"upn,group_code\n{UPN1},Y7\n"})
