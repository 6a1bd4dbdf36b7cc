"""CTF import and export services over the persona world: a golden round trip, idempotence, refusals,
the authz rules, and a pinned number of queries."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent, Role, RoleAssignment
from commonroom.common.dates import today
from commonroom.interop import ctf_exchange
from commonroom.interop.ctf import CtfError, CtfSchool, read_ctf, write_ctf
from commonroom.interop.ctf.tests.fixtures import FULL_FILE, FULL_PUPIL, MINIMAL_PUPIL
from commonroom.people.identifiers import make_uln, make_upn
from commonroom.people.models import ContactLink, Enrolment, GroupMembership, Learner, Person
from commonroom.records.models import PriorAttendance, PriorSchool, SenEpisode, SenRecord, StageResult
from commonroom.testing import oracle
from commonroom.testing.world import World


def export(world: World, persona: str, inst: str, learners: list[str], *, qualifier: str = "full",
           dest: str | None = None) -> tuple[str, bytes]:
    return ctf_exchange.ctf_export(
        actor=world.actor(persona), institution=world.institutions[inst],
        learner_ids=[world.learners[key].pk for key in learners], qualifier=qualifier, dest_laestab=dest,
    )


def addressed_to(ctf_file, institution, *, validate: bool = True) -> bytes:  # type: ignore[no-untyped-def]
    """A copy of a library fixture file, addressed to ``institution``."""
    dest = CtfSchool(lea=institution.la_number, estab=institution.estab_number)
    return write_ctf(dataclasses.replace(ctf_file, header=dataclasses.replace(ctf_file.header, dest=dest)),
                     validate=validate)


def import_as(world: World, persona: str, inst: str, data: bytes, **extra):  # type: ignore[no-untyped-def]
    return ctf_exchange.ctf_import(actor=world.actor(persona), institution=world.institutions[inst], data=data, **extra)


def preview_as(world: World, persona: str, inst: str, data: bytes):  # type: ignore[no-untyped-def]
    return ctf_exchange.ctf_preview(actor=world.actor(persona), institution=world.institutions[inst], data=data)


def snapshot() -> dict[str, int]:
    models = (Person, Learner, Enrolment, GroupMembership, ContactLink, SenRecord, SenEpisode, PriorAttendance,
              StageResult, PriorSchool)
    return {model.__name__: model.objects.count() for model in models}


# The golden round trip: a1 sends learnerA1 (SEN support, contacts, attendance) to b2.


def test_golden_round_trip_from_a1_to_b2(world):
    a1, b2 = world.institutions["a1"], world.institutions["b2"]
    learner = world.learners["a1.learnerA1"]
    name, data = export(world, "a1.office", "a1", ["a1.learnerA1"], dest=b2.laestab)
    assert name == f"{a1.laestab}_CTF_{b2.laestab}_001.xml"
    pupil = read_ctf(data).pupils[0]
    # Barred contacts (parent.barred, a1.teacher2) never leave the school; parent.a1 does.
    assert [(c.surname, c.forename, c.responsibility) for c in pupil.contacts] == [("Parent", "Alex", True)]
    assert [(e.provision) for e in pupil.sen_episodes] == ["K"]
    assert [(n.need_type, n.rank) for n in pupil.sen_needs] == [("SPLD", 1)]
    # The world's marks: a "/" (present) and an "N" (unauthorised) six weeks ago.
    [year] = pupil.attendance
    assert (year.sessions_possible, year.sessions_authorised, year.sessions_unauthorised) == (2, 0, 1)
    assert pupil.nc_year_actual == "10"
    assert [(s.lea, s.estab) for s in pupil.school_history] == [("801", "2001"), (a1.la_number, a1.estab_number)]

    links_before = set(ContactLink.objects.filter(learner=learner).values_list("contact_id", "access_barred"))
    plan = preview_as(world, "b2.office", "b2", data)
    [row] = plan.rows
    assert (row.action, row.learner_id) == ("update", learner.pk)
    assert row.adds == {"identifiers": 0, "enrolment": 1, "year_group": 1, "contacts": 0, "sen_episodes": 1,
                        "prior_attendance": 1, "stage_results": 1, "prior_schools": 2}
    report = import_as(world, "b2.office", "b2", data)
    assert report.updated_ids == [learner.pk] and report.created_ids == []

    assert Enrolment.objects.filter(learner=learner, institution=b2, start_date=today(), end_date=None).exists()
    assert GroupMembership.objects.filter(learner=learner, institution=b2, group__kind="year", group__nc_year=10).exists()
    record = SenRecord.objects.get(learner=learner, institution=b2)
    source = SenRecord.objects.get(learner=learner, institution=a1)
    assert (record.status, record.primary_need, record.secondary_need, record.status_since) == (
        "K", "SPLD", "", source.status_since)
    assert list(record.episodes.values_list("status", "primary_need", "start_date", "end_date")) == [
        ("K", "SPLD", source.status_since, None)]
    assert record.plan_detail == "" and record.teacher_summary == ""  # the plan never travels
    attendance = PriorAttendance.objects.get(learner=learner, institution=b2)
    assert (attendance.sessions_possible, attendance.sessions_authorised, attendance.sessions_unauthorised,
            attendance.source_laestab, attendance.source_name) == (2, 0, 1, a1.laestab, a1.name)
    result = StageResult.objects.get(learner=learner, institution=b2)
    assert (result.stage, result.subject, result.method, result.component, result.result) == (
        "KS2", "MAT", "TT", "SCS", "104")
    assert set(PriorSchool.objects.filter(learner=learner, institution=b2).values_list("laestab", "leaving_date")) == {
        ("8012001", datetime.date(today().year - (1 if today().month < 9 else 0) - 4, 7, 20)),
        (a1.laestab, None),
    }
    # Contacts match: parent.a1 was already linked, so nothing was added, and the bars still stand.
    assert set(ContactLink.objects.filter(learner=learner).values_list("contact_id", "access_barred")) == links_before
    # Audited: the export per learner, the import and the learner it touched.
    assert AuditEvent.objects.filter(action="export.ctf.learner", learner=learner, institution=a1).count() == 1
    assert AuditEvent.objects.filter(action="import.ctf", institution=b2).count() == 1
    assert AuditEvent.objects.filter(action="import.ctf.learner_updated", learner=learner, institution=b2).count() == 1


def test_importing_the_same_file_twice_adds_nothing_the_second_time(world):
    b2 = world.institutions["b2"]
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1", "a1.learnerA2"], dest=b2.laestab)
    fixture = addressed_to(FULL_FILE, b2)
    import_as(world, "b2.office", "b2", data)
    import_as(world, "b2.office", "b2", fixture)
    before = snapshot()
    for file in (data, fixture):
        plan = preview_as(world, "b2.office", "b2", file)
        assert {row.action for row in plan.rows} == {"skip"}
        assert {row.reason for row in plan.rows} == {"Already here, with everything the file holds."}
        report = import_as(world, "b2.office", "b2", file)
        assert report.created_ids == [] and report.updated_ids == []
    assert snapshot() == before


def test_new_pupils_are_created_with_everything_commonroom_keeps(world):
    b2 = world.institutions["b2"]
    report = import_as(world, "b2.office", "b2", addressed_to(FULL_FILE, b2), join_date=today())
    assert len(report.created_ids) == 2
    learner = Learner.objects.select_related("person").get(upn=FULL_PUPIL.upn)
    person = learner.person
    assert (person.family_name, person.given_name, person.preferred_name, person.date_of_birth, person.sex) == (
        "Ó Briain-Smith", "Zoë", "Zo", datetime.date(2016, 3, 12), "F")
    assert (learner.uln, learner.former_upn) == ("9276308686", "G80120000101A")
    assert (person.phone, person.email) == ("01632 960001", "zoe.family@example.org")
    links = {link.contact.family_name: link for link in ContactLink.objects.filter(learner=learner).select_related("contact")}
    assert (links["Smith"].relationship, links["Smith"].parental_responsibility, links["Smith"].priority) == (
        "mother", True, 1)
    assert links["Smith"].contact.email == "ruth.smith@example.org" and links["Smith"].contact.phone == "07700 900456"
    assert (links["Ó Briain"].relationship, links["Ó Briain"].parental_responsibility) == ("father", False)
    record = SenRecord.objects.get(learner=learner, institution=b2)
    assert (record.status, record.primary_need, record.secondary_need) == ("E", "SLCN", "SEMH")
    assert list(record.episodes.values_list("status", "start_date", "end_date")) == [
        ("K", datetime.date(2022, 9, 5), datetime.date(2025, 1, 12)), ("E", datetime.date(2025, 1, 13), None)]
    assert set(PriorAttendance.objects.filter(learner=learner).values_list("year", "sessions_possible")) == {
        (2025, 380), (2026, 110)}
    assert StageResult.objects.filter(learner=learner, institution=b2).count() == 3
    assert PriorSchool.objects.filter(learner=learner, institution=b2).count() == 2
    # No year 5 group at b2 (only Year 10): no year group place, and nothing else is invented.
    assert not GroupMembership.objects.filter(learner=learner).exists()
    minimal = Learner.objects.get(upn=MINIMAL_PUPIL.upn)
    assert Enrolment.objects.filter(learner=minimal, institution=b2).count() == 1
    assert AuditEvent.objects.filter(action="import.ctf.learner_created", institution=b2).count() == 2


def test_what_commonroom_keeps_goes_out_again_unchanged(world):
    """Import the library's full fixture, send it on from b2, and compare what both files say."""
    b2 = world.institutions["b2"]
    import_as(world, "b2.office", "b2", addressed_to(FULL_FILE, b2))
    learner = Learner.objects.get(upn=FULL_PUPIL.upn)
    _name, data = ctf_exchange.ctf_export(actor=world.actor("b2.office"), institution=b2, learner_ids=[learner.pk],
                                          qualifier="full", dest_laestab=None)
    [sent] = read_ctf(data).pupils
    original = FULL_PUPIL
    for name in ("upn", "uln", "surname", "forename", "dob", "sex", "former_upn", "preferred_forename", "sen_needs",
                 "email"):
        assert getattr(sent, name) == getattr(original, name), name
    assert sent.sen_episodes == original.sen_episodes
    assert [(c.surname, c.forename, c.order, c.relationship, c.responsibility, c.email) for c in sent.contacts] == [
        (c.surname, c.forename, c.order, c.relationship, c.responsibility, c.email) for c in original.contacts]
    assert sorted((r.stage, r.subject, r.result) for r in sent.stage_results) == sorted(
        (r.stage, r.subject, r.result) for r in original.stage_results)
    assert [(s.lea, s.estab, s.entry_date) for s in sent.school_history[:2]] == [
        (s.lea, s.estab, s.entry_date) for s in original.school_history]
    assert (sent.school_history[-1].lea, sent.school_history[-1].estab) == (b2.la_number, b2.estab_number)


# Refusals: nothing from a refused file is written.


def test_a_file_for_another_school_is_refused(world):
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1"], dest=world.institutions["b1"].laestab)
    before = snapshot()
    with pytest.raises(CtfError) as refused:
        import_as(world, "b2.office", "b2", data)
    assert "addressed to another school" in refused.value.problems[0]
    assert world.institutions["b1"].laestab in refused.value.problems[0]
    assert snapshot() == before


def test_a_file_with_unknown_destination_is_accepted(world):
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1"])
    assert "_CTF_XXXXXXX_" in _name
    assert preview_as(world, "b2.office", "b2", data).rows[0].action == "update"


def _bad_file(b2) -> bytes:  # type: ignore[no-untyped-def]
    good = addressed_to(FULL_FILE, b2).decode()
    # Pupil 2 (the minimal one) gets an impossible date of birth and pupil 1 a ULN that fails its check.
    broken = good.replace("<DOB>2015-11-02</DOB>", "<DOB>02/11/2015</DOB>").replace(
        "<UniqueLearnerNumber>9276308686</UniqueLearnerNumber>", "<UniqueLearnerNumber>9276308687</UniqueLearnerNumber>")
    assert broken != good
    return broken.encode()


def test_one_bad_pupil_means_nothing_is_imported_and_every_problem_is_named(world):
    before = snapshot()
    with pytest.raises(CtfError) as refused:
        import_as(world, "b2.office", "b2", _bad_file(world.institutions["b2"]))
    problems = refused.value.problems
    assert any(p.startswith("Pupil 1 (UPN B801200005001") and "<UniqueLearnerNumber>" in p for p in problems)
    assert any(p.startswith("Pupil 2 (UPN H801200001001, Khan Adam)") and "<DOB>" in p for p in problems)
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action__startswith="import.ctf").exists()


def test_values_too_long_to_keep_refuse_the_file_naming_the_element(world):
    b2 = world.institutions["b2"]
    pupil = dataclasses.replace(MINIMAL_PUPIL, contacts=(dataclasses.replace(FULL_PUPIL.contacts[0], surname="S" * 101),))
    data = addressed_to(dataclasses.replace(FULL_FILE, pupils=(pupil,)), b2, validate=False)
    with pytest.raises(CtfError) as refused:
        preview_as(world, "b2.office", "b2", data)
    assert refused.value.problems == (
        "Pupil 1 (UPN H801200001001, Khan Adam): <Contacts>/<Contact>[1]/<Surname> is longer than 100 characters, "
        "the most Commonroom keeps.",)


def test_a_upn_whose_learner_has_another_name_and_birthday_is_skipped_never_merged(world):
    b2 = world.institutions["b2"]
    stranger = dataclasses.replace(FULL_PUPIL, upn=world.learners["a1.learnerA2"].upn, uln=None, former_upn=None)
    data = addressed_to(dataclasses.replace(FULL_FILE, pupils=(stranger,)), b2)
    before = snapshot()
    [row] = preview_as(world, "b2.office", "b2", data).rows
    assert row.action == "skip" and "name and date of birth differ" in row.reason
    import_as(world, "b2.office", "b2", data)
    assert snapshot() == before


def test_a_small_difference_is_a_warning_and_the_name_is_not_changed(world):
    b2 = world.institutions["b2"]
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA2"], dest=b2.laestab)
    data = data.replace(b"<Surname>A1-learner</Surname>", b"<Surname>A1-Learner-Smith</Surname>", 1)
    [row] = preview_as(world, "b2.office", "b2", data).rows
    assert row.action == "update"
    upn = world.learners["a1.learnerA2"].upn
    assert row.warnings == [f"Pupil 1 (UPN {upn}, A1-Learner-Smith Learnera2): the file's surname differs from "
                            "Commonroom's record; it was not changed."]
    import_as(world, "b2.office", "b2", data)
    assert Person.objects.get(pk=world.learners["a1.learnerA2"].pk).family_name == "A1-learner"


def test_a_learner_the_importer_is_barred_from_is_skipped(world):
    """a1.teacher2 is barred from a1.learnerA1; give them the office role at b2 and let them import."""
    RoleAssignment.objects.create(person=world.people["a1.teacher2"], role=Role.OFFICE, institution=world.institutions["b2"],
                                  start_date=today())
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1", "a1.learnerA2"])
    rows = preview_as(world, "a1.teacher2", "b2", data).rows
    assert [(row.action, row.reason) for row in rows] == [
        ("skip", "You cannot import this learner: your access to their record is barred."),
        ("update", "Known to Commonroom: what is missing here will be added."),
    ]


def test_a_uln_that_belongs_to_another_learner_is_skipped(world):
    b2 = world.institutions["b2"]
    taken = dataclasses.replace(MINIMAL_PUPIL, uln=world.learners["a1.learnerA1"].uln)
    [row] = preview_as(world, "b2.office", "b2", addressed_to(dataclasses.replace(FULL_FILE, pupils=(taken,)), b2)).rows
    assert row.action == "skip" and "ULN" in row.reason


def test_a_contact_with_the_name_of_a_barred_contact_is_never_added(world):
    b2 = world.institutions["b2"]
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1"], dest=b2.laestab)
    data = data.replace(b"<Surname>Parent</Surname>", b"<Surname>Barred</Surname>").replace(
        b"<Forename>Alex</Forename>", b"<Forename>Chris</Forename>")
    [row] = preview_as(world, "b2.office", "b2", data).rows
    assert row.adds["contacts"] == 0
    assert any("barred" in warning for warning in row.warnings)


def test_an_email_that_is_not_an_address_is_a_warning_in_the_preview_and_left_out(world):
    b2 = world.institutions["b2"]
    contact = dataclasses.replace(FULL_PUPIL.contacts[0], email="ruth@smith")
    pupil = dataclasses.replace(FULL_PUPIL, email="zoe@family", contacts=(contact,))
    data = addressed_to(dataclasses.replace(FULL_FILE, pupils=(pupil,)), b2)
    [row] = preview_as(world, "b2.office", "b2", data).rows
    assert row.warnings == [
        "Pupil 1 (UPN B801200005001, Ó Briain-Smith Zoë): <Email> is not an e-mail address Commonroom can use; it "
        "was left out.",
        "Pupil 1 (UPN B801200005001, Ó Briain-Smith Zoë): <Contacts>/<Contact>[1]/<Email> is not an e-mail address "
        "Commonroom can use; it was left out.",
    ]
    import_as(world, "b2.office", "b2", data)
    learner = Learner.objects.select_related("person").get(upn=FULL_PUPIL.upn)
    assert learner.person.email == "" and learner.contact_links.get().contact.email == ""


def test_a_learner_already_in_a_year_group_here_is_not_put_in_another(world):
    from commonroom.people.models import Group

    a1 = world.institutions["a1"]
    Group.objects.create(institution=a1, academic_year=world.groups["a1.year10"].academic_year, kind="year", code="Y11",
                         name="Year 11", nc_year=11)
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA2"])
    data = data.replace(b"<NCyearActual>10</NCyearActual>", b"<NCyearActual>11</NCyearActual>")
    [row] = preview_as(world, "a1.office", "a1", data).rows
    assert row.adds["year_group"] == 0 and row.adds["enrolment"] == 0


@pytest.mark.parametrize("persona", ["b2.teacher", "b2.senco", "a1.office", "parent.a1", "la2.officer", "platform.admin"])
def test_only_office_and_leaders_of_the_school_may_import(world, persona):
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    before = snapshot()
    with pytest.raises(NotFound):
        import_as(world, persona, "b2", data)
    assert snapshot() == before


# Export: who may send what.


@pytest.mark.parametrize("persona", ["a1.head", "a1.leader", "a1.office", "a1.senco", "a1.teacher", "b1.office",
                                     "a1.teacher2", "parent.a1", "la1.officer"])
@pytest.mark.parametrize("learner", ["a1.learnerA1", "a1.leaver", "b1.learnerA1"])
def test_export_follows_the_transfer_rule(world, persona, learner):
    inst = learner.split(".")[0]
    allowed = oracle.may_send_ctf_for(persona, learner)
    if allowed:
        _name, data = export(world, persona, inst, [learner])
        assert read_ctf(data).pupils[0].upn == world.learners[learner].upn
    else:
        with pytest.raises(NotFound):
            export(world, persona, inst, [learner])
        assert not AuditEvent.objects.filter(action__startswith="export.ctf").exists()


def test_a_learner_the_actor_is_barred_from_is_refused(world):
    """a1.teacher2, given the office role at a1, may send the school's files, but not a1.learnerA1's."""
    RoleAssignment.objects.create(person=world.people["a1.teacher2"], role=Role.OFFICE, institution=world.institutions["a1"],
                                  start_date=today())
    export(world, "a1.teacher2", "a1", ["a1.learnerA2"])
    with pytest.raises(NotFound):
        export(world, "a1.teacher2", "a1", ["a1.learnerA2", "a1.learnerA1"])
    assert AuditEvent.objects.filter(action="export.ctf").count() == 1


def test_a_learner_of_another_school_is_refused_even_with_a_role_there(world):
    """Office at a1 and b1: b1's learner cannot be sent in a file from a1."""
    RoleAssignment.objects.create(person=world.people["a1.office"], role=Role.OFFICE, institution=world.institutions["b1"],
                                  start_date=today())
    with pytest.raises(NotFound):
        export(world, "a1.office", "a1", ["b1.learnerA1"])


def test_the_leaver_is_sent_with_their_leaving_date(world):
    leaver = world.learners["a1.leaver"]
    _name, data = export(world, "a1.office", "a1", ["a1.leaver"])
    [pupil] = read_ctf(data).pupils
    enrolment = Enrolment.objects.get(learner=leaver)
    assert pupil.school_history[-1].leaving_date == enrolment.end_date
    assert pupil.attendance[0].sessions_possible == 2  # the register is the school's record


def test_partial_leaves_out_contacts_sen_attendance_phone_and_email(world):
    _name, data = export(world, "a1.office", "a1", ["a1.learnerA1"], qualifier="partial")
    ctf = read_ctf(data)
    [pupil] = ctf.pupils
    assert ctf.header.qualifier == "partial"
    assert (pupil.contacts, pupil.sen_episodes, pupil.sen_needs, pupil.attendance, pupil.phones, pupil.email) == (
        (), (), (), (), (), None)
    assert pupil.stage_results and pupil.school_history and pupil.nc_year_actual == "10"


def test_sequence_numbers_count_the_schools_exports(world):
    names = [export(world, "a1.office", "a1", ["a1.learnerA2"])[0] for _ in range(3)]
    assert [name[-7:-4] for name in names] == ["001", "002", "003"]
    assert export(world, "b1.office", "b1", ["b1.learnerA2"])[0].endswith("_001.xml")


def test_export_refuses_what_a_ctf_cannot_carry(world):
    with pytest.raises(CtfError, match="full or partial"):
        export(world, "a1.office", "a1", ["a1.learnerA1"], qualifier="everything")
    with pytest.raises(CtfError, match="7 digits"):
        export(world, "a1.office", "a1", ["a1.learnerA1"], dest="80240")
    with pytest.raises(CtfError, match="this school"):
        export(world, "a1.office", "a1", ["a1.learnerA1"], dest=world.institutions["a1"].laestab)
    with pytest.raises(CtfError, match="LAESTAB"):
        export(world, "solo.office", "solo", ["solo.learnerA1"])
    Person.objects.filter(pk=world.learners["a1.learnerA2"].pk).update(date_of_birth=None)
    with pytest.raises(CtfError, match="no date of birth"):
        export(world, "a1.office", "a1", ["a1.learnerA1", "a1.learnerA2"])
    assert not AuditEvent.objects.filter(action__startswith="export.ctf").exists()


def test_transfer_candidates_are_leavers_by_default_or_a_group(world):
    a1 = world.institutions["a1"]
    actor = world.actor("a1.office")
    assert [learner.pk for learner in ctf_exchange.transfer_candidates(actor, a1)] == [world.learners["a1.leaver"].pk]
    form_a = ctf_exchange.transfer_candidates(actor, a1, group=world.groups["a1.formA"])
    assert {learner.pk for learner in form_a} == {world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk}
    assert [g.code for g in ctf_exchange.export_groups(actor, a1)] == ["10A", "10B", "Y10"]


# Speed: the number of queries does not grow with the number of pupils.


def _new_pupils(count: int, serial_from: int) -> tuple:
    pupils = []
    for n in range(count):
        upn = make_upn("803", "5999", 25, serial_from + n)
        uln = make_uln(300000000 + (serial_from + n) * 7) or make_uln(300000001 + (serial_from + n) * 7)
        pupils.append(dataclasses.replace(FULL_PUPIL, upn=upn, uln=uln, former_upn=None, forename=f"Pupil{n}"))
    return tuple(pupils)


def _queries_to_import(world: World, count: int, serial_from: int) -> int:
    b2 = world.institutions["b2"]
    data = addressed_to(dataclasses.replace(FULL_FILE, pupils=_new_pupils(count, serial_from)), b2)
    actor = world.actor("b2.office")
    actor.role_rows  # noqa: B018  (loaded once per request in real use)
    with CaptureQueriesContext(connection) as captured:
        report = ctf_exchange.ctf_import(actor=actor, institution=b2, data=data)
    assert len(report.created_ids) == count
    return len(captured)


def test_import_query_count_does_not_grow_with_pupils(world):
    five = _queries_to_import(world, 5, 100)
    twenty = _queries_to_import(world, 20, 200)
    assert twenty == five
    assert five <= 30


def test_export_query_count_does_not_grow_with_learners(world):
    a1 = world.institutions["a1"]
    actor = world.actor("a1.office")
    # Warm the actor (roles, bars and groups are loaded once per request in real use).
    ctf_exchange.ctf_export(actor=actor, institution=a1, learner_ids=[world.learners["a1.learnerA2"].pk],
                            qualifier="full", dest_laestab=None)
    counts = []
    for keys in (["a1.learnerA1"], ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.learnerB2", "a1.leaver"]):
        with CaptureQueriesContext(connection) as captured:
            ctf_exchange.ctf_export(actor=actor, institution=a1, learner_ids=[world.learners[k].pk for k in keys],
                                    qualifier="full", dest_laestab=None)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20
