"""The learner pages as users meet them: profile, enrolment form errors, invitations."""

from __future__ import annotations

from commonroom.authz.models import AuditEvent
from commonroom.people.models import Enrolment, Learner, Person


def test_profile_shows_identifiers_groups_contacts_and_audits_the_read(client, world, django_assert_max_num_queries) -> None:
    learner = world.learners["a1.learnerA1"]
    client.force_login(world.users["a1.head"])
    client.get("/")
    before = AuditEvent.objects.filter(learner=learner, action="read.profile").count()
    with django_assert_max_num_queries(15):  # 15th: may this reader open the access log
        page = client.get(f"/learners/{learner.pk}/").content.decode()
    assert learner.upn in page and learner.uln in page
    assert world.groups["a1.formA"].name in page and world.groups["a1.maths"].name in page
    assert world.people["parent.a1"].full_name in page
    assert world.people["parent.barred"].full_name in page and "Access barred" in page  # leadership must know
    event = AuditEvent.objects.filter(learner=learner, action="read.profile").latest("id")
    assert AuditEvent.objects.filter(learner=learner, action="read.profile").count() == before + 1
    assert event.actor_id == world.people["a1.head"].pk and event.institution_id == world.institutions["a1"].pk


def test_teacher_does_not_see_barred_contact(client, world) -> None:
    client.force_login(world.users["a1.teacher"])
    page = client.get(f"/learners/{world.learners['a1.learnerA1'].pk}/").content.decode()
    assert world.people["parent.a1"].full_name in page
    assert world.people["parent.barred"].full_name not in page


def test_officer_read_is_audited_through_the_authority(client, world) -> None:
    client.force_login(world.users["la1.officer"])
    assert client.get(f"/learners/{world.learners['a2.learnerA1'].pk}/").status_code == 200
    event = AuditEvent.objects.filter(action="read.profile").latest("id")
    assert event.local_authority_id == world.authorities["la1"].pk and event.institution_id is None


def _enrol(client, world, **changes):  # type: ignore[no-untyped-def]
    client.force_login(world.users["a1.office"])
    data = {"given_name": "Nia", "family_name": "Jones", "date_of_birth": "2011-05-04", "sex": "F", "upn": "",
            "uln": "", "start_date": "2026-09-01"}
    data.update(changes)
    return client.post(f"/institutions/{world.institutions['a1'].pk}/learners/new/", data)


def test_enrol_a_learner_through_the_page(client, world) -> None:
    response = _enrol(client, world, upn="B801200005001", uln="9276308686",
                      groups=[world.groups["a1.formA"].pk])
    assert response.status_code == 302
    learner = Learner.objects.get(upn="B801200005001")
    assert Enrolment.objects.filter(learner=learner, institution=world.institutions["a1"]).exists()


def test_invalid_upn_is_reported_at_the_field_and_nothing_is_saved(client, world) -> None:
    people = Person.objects.count()
    response = _enrol(client, world, upn="A801200005001")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#id_upn"' in page
    assert "check letter does not match" in page
    assert Person.objects.count() == people


def test_duplicate_upn_and_bad_uln_and_missing_fields_are_each_named(client, world) -> None:
    people = Person.objects.count()
    taken = world.learners["b1.learnerA1"].upn  # nationally unique: another institution's learner
    page = _enrol(client, world, upn=taken, uln="9276308687", given_name="").content.decode()
    assert "already belongs to another learner" not in page or 'href="#id_upn"' in page
    assert 'href="#id_uln"' in page and 'href="#id_given_name"' in page
    page = _enrol(client, world, upn=taken).content.decode()
    assert "This UPN already belongs to another learner." in page
    assert Person.objects.count() == people


def test_invitation_code_is_shown_once_and_only_its_hash_kept(client, world) -> None:
    from commonroom.identity.models import Invitation

    link = world.links["parent.a1>a1.learnerA1"]
    client.force_login(world.users["a1.office"])
    url = f"/learners/{link.learner_id}/contacts/{link.pk}/invite/"
    assert "Issue code" in client.get(url).content.decode()
    page = client.post(url).content.decode()
    invitation = Invitation.objects.latest("id")
    assert invitation.code_hash not in page
    code = page.split('class="cr-code">')[1].split("<")[0]
    assert Invitation.hash_code(code) == invitation.code_hash


def test_enrolling_a_learner_due_to_join_opens_their_profile(client, world) -> None:
    """Schools enrol September starters in July: the office lands on the new learner's profile."""
    import datetime

    from commonroom.common.dates import today

    start = (today().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    response = _enrol(client, world, start_date=start.isoformat(), upn="B801200005001")
    assert response.status_code == 302
    profile = client.get(response["Location"])
    assert profile.status_code == 200
    page = profile.content.decode()
    assert "Nia Jones" in page
    assert f"Joins on {start:%-d %b %Y}" in page
    assert world.institutions["a1"].name in page
    # A teacher does not see them until they start.
    client.force_login(world.users["a1.teacher"])
    assert client.get(response["Location"]).status_code == 404


def test_learner_search_by_name_upn_and_uln(client, world) -> None:
    client.force_login(world.users["a1.head"])
    target = world.learners["a1.learnerB2"]
    for term in (target.person.given_name, target.upn.lower(), target.uln):
        page = client.get("/learners/", {"q": term}).content.decode()
        assert target.upn in page, term
        assert world.learners["a1.learnerA1"].upn not in page, term
    page = client.get("/learners/", {"q": world.learners["b1.learnerB2"].upn}).content.decode()
    assert "0 learners" in page  # another school's learner is not found by searching


# Adding a parent or carer.


def _contact_data(**changes):  # type: ignore[no-untyped-def]
    data = {"given_name": "Robin", "family_name": "Newcontact", "relationship": "grandparent", "email": "robin@example.org",
            "phone": "", "priority": "2", "parental_responsibility": "on", "may_receive_reports": "on"}
    data.update(changes)
    return data


def test_office_adds_a_contact_who_can_then_be_invited(client, world) -> None:
    from commonroom.people.models import ContactLink

    learner = world.learners["a1.learnerB1"]
    client.force_login(world.users["a1.office"])
    profile_url = f"/learners/{learner.pk}/"
    assert f'href="/learners/{learner.pk}/contacts/new/"' in client.get(profile_url).content.decode()
    form = client.get(f"/learners/{learner.pk}/contacts/new/").content.decode()
    assert "Add a parent or carer" in form and 'name="priority"' in form
    response = client.post(f"/learners/{learner.pk}/contacts/new/", _contact_data())
    assert response.status_code == 302 and response["Location"] == profile_url
    link = ContactLink.objects.get(learner=learner, contact__family_name="Newcontact")
    assert (link.priority, link.parental_responsibility, link.lives_with_learner) == (2, True, False)
    page = client.get(profile_url).content.decode()
    assert "Robin Newcontact" in page
    invite_url = f"/learners/{learner.pk}/contacts/{link.pk}/invite/"
    assert f'href="{invite_url}"' in page
    assert "Issue code" in client.get(invite_url).content.decode()


def test_contact_errors_are_shown_at_the_field_and_nothing_is_saved(client, world) -> None:
    from commonroom.people.models import ContactLink

    learner = world.learners["a1.learnerB1"]
    client.force_login(world.users["a1.office"])
    before = (Person.objects.count(), ContactLink.objects.count())
    response = client.post(f"/learners/{learner.pk}/contacts/new/", _contact_data(priority="0", family_name="", email="nope"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for field in ("priority", "family_name", "email"):
        assert f'href="#id_{field}"' in page, field
    assert (Person.objects.count(), ContactLink.objects.count()) == before


def test_staff_who_may_not_change_the_learner_see_no_add_or_invite_links(client, world) -> None:
    learner = world.learners["a1.learnerA1"]
    for persona in ("a1.teacher", "a1.senco", "la1.officer"):
        client.force_login(world.users[persona])
        page = client.get(f"/learners/{learner.pk}/").content.decode()
        assert "/contacts/new/" not in page and "/invite/" not in page, persona
