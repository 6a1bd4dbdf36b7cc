"""Sign-in, lockout, password reset, the staff second factor, joining by invitation, tokens, role grants."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import timezone

from commonroom.authz.models import RoleAssignment
from commonroom.identity.models import Invitation, PersonalAccessToken, User
from commonroom.identity.services import invitation_issue

PASSWORD = "correct horse battery staple"


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from commonroom.config import settings

    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def _login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_sign_in_and_out(client, world) -> None:
    response = _login(client, "a1.teacher", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_reported_and_repeated_failures_lock_the_account(client, world) -> None:
    page = _login(client, "a1.teacher", "wrong password").content.decode()
    assert "There is a problem" in page
    for _ in range(4):
        _login(client, "a1.teacher", "wrong password")
    # Five failures within the window: even the right password is refused until it passes.
    response = _login(client, "a1.teacher", PASSWORD)
    assert response.status_code != 302
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "a1.teacher@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    # An unknown address gets the same answer, and no reset link.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody-here@example.org"})
    assert response.status_code == 302 and "/accounts/password/reset/key/" not in mail.outbox[-1].body


def test_account_email_waits_for_the_worker(
    client, world, settings, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """With the database task backend, the reset email is queued, and the worker delivers it once."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    # The worker refreshes its database connection between tasks; inside a test's transaction it must not.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "a1.teacher@example.org"})
    assert len(mail.outbox) == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1  # never sent twice


def test_institution_can_require_staff_second_factor(client, world) -> None:
    client.force_login(world.users["a1.head"])
    response = client.post(f"/institutions/{world.institutions['a1'].pk}/settings/", {"require_staff_second_factor": "on"})
    assert response.status_code == 302
    client.logout()
    _login(client, "a1.teacher", PASSWORD)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before a second factor is set up, then shows the QR code.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert "data:image/svg+xml;base64" in client.get("/accounts/2fa/totp/activate/").content.decode()
    # Staff elsewhere, and parents, are not affected.
    client.force_login(world.users["b1.teacher"])
    assert client.get("/").status_code == 200
    client.force_login(world.users["parent.a1"])
    assert client.get("/").status_code == 200


def test_parent_joins_with_a_code_and_adds_a_second_child(client, world) -> None:
    from commonroom.people.models import ContactLink, Person

    office = world.actor("a1.office")
    newcomer = Person.objects.create(given_name="Rhian", family_name="Newcomer")
    first = ContactLink.objects.create(learner=world.learners["a1.learnerB1"], contact=newcomer, relationship="mother",
                                       start_date=datetime.date(2020, 1, 1))
    _inv, code = invitation_issue(actor=office, contact_link=first, institution_id=world.institutions["a1"].pk)
    response = client.post("/join/", {"code": code, "username": "rhian", "email": "rhian@example.org",
                                      "password1": "a sound passphrase", "password2": "a sound passphrase"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert world.people["a1.learnerB1"].full_name in page
    # The same code again fails at the field.
    client.post("/accounts/logout/")
    page = client.post("/join/", {"code": code, "username": "rhian2", "email": "r2@example.org",
                                  "password1": "a sound passphrase", "password2": "a sound passphrase"}).content.decode()
    assert "already been used" in page and 'href="#id_code"' in page
    assert not User.objects.filter(username="rhian2").exists()
    # A second child, at another school, recorded there as a separate contact without an account.
    b_office = world.actor("b1.office")
    other_record = Person.objects.create(given_name="Rhian", family_name="Newcomer")
    second = ContactLink.objects.create(learner=world.learners["b1.learnerB2"], contact=other_record,
                                        relationship="mother", start_date=datetime.date(2020, 1, 1))
    _inv, code2 = invitation_issue(actor=b_office, contact_link=second, institution_id=world.institutions["b1"].pk)
    client.force_login(User.objects.get(username="rhian"))
    assert client.post("/account/add-child/", {"code": code2}).status_code == 302
    page = client.get("/").content.decode()
    assert world.people["b1.learnerB2"].full_name in page and world.people["a1.learnerB1"].full_name in page


def test_expired_code_is_refused_at_the_field(client, world) -> None:
    link = world.links["parent.a1>a1.learnerA1"]
    invitation, code = invitation_issue(actor=world.actor("a1.office"), contact_link=link,
                                        institution_id=world.institutions["a1"].pk)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(world.users["parent.two"])
    page = client.post("/account/add-child/", {"code": code}).content.decode()
    assert "This code has expired" in page and 'href="#id_code"' in page


def test_join_form_names_every_missing_field(client, world) -> None:
    page = client.post("/join/", {}).content.decode()
    for field in ("code", "username", "email", "password1", "password2"):
        assert f'href="#id_{field}"' in page


def test_tokens_page_creates_shows_once_and_revokes(client, world) -> None:
    client.force_login(world.users["a1.teacher"])
    page = client.post("/account/tokens/", {"name": "timetable sync"}).content.decode()
    token = page.split('<code class="cr-code">')[1].split("<")[0]
    row = PersonalAccessToken.objects.get(user=world.users["a1.teacher"])
    assert token not in row.token_hash and token.startswith("cr_")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert token not in client.get("/account/tokens/").content.decode()
    client.post(f"/account/tokens/{row.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_head_grants_a_role_but_never_more_than_they_hold(client, world) -> None:
    client.force_login(world.users["a1.head"])
    inst = world.institutions["a1"].pk
    response = client.post("/manage/roles/grant/", {"username": "nobody", "role": "office", "institution": inst})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(person=world.people["nobody"], role="office", institution_id=inst).exists()
    count = RoleAssignment.objects.count()
    page = client.post("/manage/roles/grant/", {"username": "nobody", "role": "platform_admin"}).content.decode()
    assert 'href="#id_role"' in page
    page = client.post("/manage/roles/grant/", {"username": "a1.head", "role": "senco", "institution": inst}).content.decode()
    assert "cannot grant a role to yourself" in page
    page = client.post("/manage/roles/grant/", {"username": "no-such-user", "role": "office", "institution": inst}).content.decode()
    assert "No adult with an active account has that username" in page
    assert RoleAssignment.objects.count() == count


def test_guessing_invitation_codes_is_limited(client, world) -> None:
    client.force_login(world.users["parent.two"])
    for _ in range(10):
        page = client.post("/account/add-child/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
        assert "We do not recognise this code" in page
    page = client.post("/account/add-child/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert "Too many wrong codes" in page and 'href="#id_code"' in page


def test_platform_admin_creates_an_account_that_sets_its_password_by_email(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.users["platform.admin"])
    page = client.post("/manage/accounts/new/", {}).content.decode()
    for field in ("given_name", "family_name", "username", "email"):
        assert f'href="#id_{field}"' in page
    page = client.post("/manage/accounts/new/", {"given_name": "Dee", "family_name": "Taken", "username": "a1.head",
                                                 "email": "dee@example.org"}).content.decode()
    assert "That username is taken" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/accounts/new/", {"given_name": "Dee", "family_name": "New", "username": "dee.new",
                                                         "email": "dee.new@example.org"})
    assert response.status_code == 302
    user = User.objects.get(username="dee.new")
    assert not user.has_usable_password() and user.person.family_name == "New"
    assert mail.outbox and "/accounts/password/reset/key/" in mail.outbox[-1].body
    # The head can now give the new person a role; a learner can never be given one.
    client.force_login(world.users["a1.head"])
    inst = world.institutions["a1"].pk
    assert client.post("/manage/roles/grant/", {"username": "dee.new", "role": "teacher", "institution": inst}).status_code == 302
    page = client.post("/manage/roles/grant/", {"username": "a1.learnerA1", "role": "office", "institution": inst}).content.decode()
    assert "No adult with an active account has that username" in page


def test_platform_admin_deactivates_an_account(client, world) -> None:
    client.force_login(world.users["platform.admin"])
    target = world.users["a1.teacher"]
    assert client.post(f"/manage/accounts/{target.pk}/active/", {"active": "0"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    client.logout()
    response = _login(client, "a1.teacher", PASSWORD)
    assert response["Location"] == "/accounts/inactive/" and "_auth_user_id" not in client.session


def test_ending_a_role_twice_is_refused_and_a_future_role_is_withdrawn(client, world) -> None:
    import datetime as dt

    from commonroom.authz.services import role_end
    from commonroom.common.dates import today

    head = world.actor("a1.head")
    assignment = RoleAssignment.objects.get(person=world.people["a1.teacher2"])
    role_end(actor=head, assignment=assignment)
    client.force_login(world.users["a1.head"])
    client.post(f"/manage/roles/{assignment.pk}/end/")
    assignment.refresh_from_db()
    assert assignment.end_date == today()
    future = RoleAssignment.objects.create(person=world.people["nobody"], role="office",
                                           institution=world.institutions["a1"],
                                           start_date=today() + dt.timedelta(days=10))
    assert client.post(f"/manage/roles/{future.pk}/end/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=future.pk).exists()


def test_signed_in_pages_are_never_cached(client, world) -> None:
    client.force_login(world.users["a1.head"])
    response = client.get(f"/learners/{world.learners['a1.learnerA1'].pk}/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_turning_on_the_second_factor_reaches_open_sessions(client, world, monkeypatch) -> None:
    import time

    client.logout()
    _login(client, "a1.teacher", PASSWORD)
    assert client.get("/").status_code == 200
    institution = world.institutions["a1"]
    institution.require_staff_second_factor = True
    institution.save()
    assert client.get("/").status_code == 200  # remembered for a few minutes
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
