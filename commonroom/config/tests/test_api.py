"""The API at /api/v1/: authentication, scoping through authz, auditing, schema, docs and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from commonroom.authz.models import AuditEvent
from commonroom.identity.models import PersonalAccessToken, sha256
from commonroom.identity.services import token_create, token_revoke

BASE = "/api/v1"
EXPECTED_OPERATIONS = {
    # QTI import and export (commonroom/quizzes/qti_api.py)
    ("post", "/api/v1/qti/import"),
    ("post", "/api/v1/qti/export"),
    ("get", "/api/v1/quizzes/{quiz_id}/qti"),
    # Adaptive practice (commonroom/quizzes/practice_api.py)
    ("get", "/api/v1/practice/{practice_quiz_id}/next"),
    ("post", "/api/v1/practice/turns/{practice_turn_id}/answer"),
    ("get", "/api/v1/practice/skills"),
    ("get", "/api/v1/learners/{learner_id}/skills"),
    ("get", "/api/v1/groups/{group_id}/skills"),
    # Messaging (commonroom/messaging/api.py)
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{conversation_id}"),
    ("post", "/api/v1/conversations/{conversation_id}/messages"),
    ("put", "/api/v1/conversations/{conversation_id}/handling"),
    ("get", "/api/v1/broadcasts"),
    ("post", "/api/v1/broadcasts"),
    ("get", "/api/v1/broadcasts/{broadcast_id}"),
    ("get", "/api/v1/broadcasts/{broadcast_id}/receipts"),
    ("get", "/api/v1/me"),
    # Alerts (commonroom/notifications/api.py)
    ("get", "/api/v1/alerts/preferences"),
    ("put", "/api/v1/alerts/preferences"),
    ("get", "/api/v1/institutions/{institution_id}/alerts"),
    ("put", "/api/v1/institutions/{institution_id}/alerts"),
    ("get", "/api/v1/institutions/{institution_id}/alerts/undelivered"),
    ("post", "/api/v1/alerts/deliveries/{delivery_id}/retry"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{token_id}"),
    ("get", "/api/v1/institutions"),
    ("get", "/api/v1/institutions/{institution_id}"),
    ("get", "/api/v1/groups"),
    ("get", "/api/v1/groups/{group_id}"),
    ("get", "/api/v1/learners"),
    ("get", "/api/v1/learners/{learner_id}"),
    ("get", "/api/v1/learners/{learner_id}/access-log"),
    ("get", "/api/v1/groups/{group_id}/register"),
    ("put", "/api/v1/groups/{group_id}/register"),
    ("get", "/api/v1/attendance/marks/{mark_id}"),
    ("post", "/api/v1/attendance/marks/{mark_id}/amend"),
    ("get", "/api/v1/learners/{learner_id}/attendance"),
    ("get", "/api/v1/institutions/{institution_id}/attendance"),
    ("get", "/api/v1/institutions/{institution_id}/attendance/absentees"),
    ("get", "/api/v1/learners/{learner_id}/behaviour"),
    ("get", "/api/v1/groups/{group_id}/attendance"),
    ("get", "/api/v1/timetable"),
    ("post", "/api/v1/institutions/{institution_id}/import"),
    ("get", "/api/v1/lessons/{slot_id}/register"),
    ("put", "/api/v1/lessons/{slot_id}/register"),
    ("get", "/api/v1/institutions/{institution_id}/attendance/missing"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("post", "/api/v1/rewards"),
    ("get", "/api/v1/institutions/{institution_id}/behaviour"),
    ("get", "/api/v1/institutions/{institution_id}/assessment"),
    ("get", "/api/v1/groups/{group_id}/marksheets/{point_id}"),
    ("put", "/api/v1/groups/{group_id}/marksheets/{point_id}"),
    ("get", "/api/v1/learners/{learner_id}/progress"),
    ("get", "/api/v1/institutions/{institution_id}/progress"),
    ("get", "/api/v1/learners/{learner_id}/sen"),
    ("get", "/api/v1/institutions/{institution_id}/sen-register"),
    ("get", "/api/v1/institutions/{institution_id}/report-cycles"),
    ("get", "/api/v1/report-cycles/{cycle_id}"),
    ("get", "/api/v1/report-cycles/{cycle_id}/groups/{group_id}/comments"),
    ("put", "/api/v1/report-cycles/{cycle_id}/groups/{group_id}/comments"),
    ("get", "/api/v1/learners/{learner_id}/reports"),
    ("get", "/api/v1/reports/{report_id}"),
    # OneRoster exchange
    ("get", "/api/v1/institutions/{institution_id}/oneroster"),
    ("post", "/api/v1/institutions/{institution_id}/oneroster"),
    # CTF exchange
    ("post", "/api/v1/institutions/{institution_id}/ctf/import"),
    ("post", "/api/v1/institutions/{institution_id}/ctf/export"),
    # Liaison: absence reports, changes of details, parent uptake
    ("post", "/api/v1/learners/{learner_id}/absence-reports"),
    ("get", "/api/v1/absence-reports"),
    ("get", "/api/v1/institutions/{institution_id}/absence-reports"),
    ("post", "/api/v1/absence-reports/{absence_report_id}/confirm"),
    ("post", "/api/v1/absence-reports/{absence_report_id}/decline"),
    ("post", "/api/v1/detail-changes"),
    ("get", "/api/v1/detail-changes"),
    ("get", "/api/v1/institutions/{institution_id}/detail-changes"),
    ("post", "/api/v1/detail-changes/{detail_change_id}/approve"),
    ("post", "/api/v1/detail-changes/{detail_change_id}/reject"),
    ("get", "/api/v1/institutions/{institution_id}/parents/uptake"),
    # Self-review
    ("get", "/api/v1/self-review/frameworks"),
    ("get", "/api/v1/self-review/frameworks/{framework_version_id}"),
    ("get", "/api/v1/self-review/reviews"),
    ("post", "/api/v1/self-review/reviews"),
    ("get", "/api/v1/self-review/reviews/{self_review_id}"),
    ("get", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}"),
    ("put", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}"),
    ("get", "/api/v1/self-review/reviews/{self_review_id}/result"),
    # Self-review benchmarks, action plans, the authority view (commonroom/selfreview/api_plans.py)
    ("get", "/api/v1/self-review/institutions/{institution_id}/benchmarks"),
    ("get", "/api/v1/self-review/institutions/{institution_id}/actions"),
    ("post", "/api/v1/self-review/institutions/{institution_id}/actions"),
    ("put", "/api/v1/self-review/actions/{self_review_action_id}"),
    ("get", "/api/v1/self-review/authorities/{self_review_authority_id}"),
    ("post", "/api/v1/self-review/authorities/{self_review_authority_id}/targets"),
    ("put", "/api/v1/self-review/targets/{self_review_target_id}"),
    ("get", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/evidence"),
    ("post", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/evidence"),
    ("get", "/api/v1/self-review/institutions/{institution_id}/charter"),
    ("get", "/api/v1/self-review/institutions/{institution_id}/charter/history"),
    ("post", "/api/v1/self-review/institutions/{institution_id}/charter/commit"),
    ("post", "/api/v1/self-review/institutions/{institution_id}/charter/recognition"),
    ("post", "/api/v1/self-review/institutions/{institution_id}/charter/confirm"),
    ("post", "/api/v1/self-review/institutions/{institution_id}/charter/visits"),
    ("get", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/files"),
    ("post", "/api/v1/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/files"),
    ("get", "/api/v1/self-review/evidence-files/{evidence_file_id}"),
    ("delete", "/api/v1/self-review/evidence-files/{evidence_file_id}"),
    # The parent portal: the child page, events, the calendar feed
    ("get", "/api/v1/children"),
    ("get", "/api/v1/children/{learner_id}"),
    ("get", "/api/v1/institutions/{institution_id}/events"),
    ("post", "/api/v1/institutions/{institution_id}/events"),
    ("put", "/api/v1/events/{event_id}"),
    ("delete", "/api/v1/events/{event_id}"),
    ("post", "/api/v1/calendar-feed"),
    ("delete", "/api/v1/calendar-feed"),
    # Course spaces and homework (learning)
    ("get", "/api/v1/courses"),
    ("get", "/api/v1/courses/{space_id}"),
    ("get", "/api/v1/courses/{space_id}/assignments"),
    ("post", "/api/v1/courses/{space_id}/assignments"),
    ("get", "/api/v1/assignments/{assignment_id}"),
    ("put", "/api/v1/assignments/{assignment_id}"),
    ("post", "/api/v1/assignments/{assignment_id}/submissions"),
    ("get", "/api/v1/assignments/{assignment_id}/submissions"),
    ("put", "/api/v1/assignments/{assignment_id}/marks"),
    ("post", "/api/v1/assignments/{assignment_id}/return"),
    ("post", "/api/v1/assignments/{assignment_id}/feedback-files"),
    ("get", "/api/v1/assignments"),
    ("get", "/api/v1/submissions/{submission_id}"),
    ("get", "/api/v1/submissions/{submission_id}/file"),
    ("get", "/api/v1/submissions/{submission_id}/feedback-file"),
    # The calendar (commonroom/calendar/api.py)
    ("get", "/api/v1/calendar"),
    ("get", "/api/v1/learners/{learner_id}/homework"),
    # Quizzes
    ("get", "/api/v1/questions"),
    ("post", "/api/v1/questions"),
    ("get", "/api/v1/questions/{question_id}"),
    ("get", "/api/v1/groups/{group_id}/quizzes"),
    ("post", "/api/v1/groups/{group_id}/quizzes"),
    ("get", "/api/v1/quizzes/{quiz_id}"),
    ("post", "/api/v1/quizzes/{quiz_id}/attempts"),
    ("post", "/api/v1/attempts/{attempt_id}/submit"),
    ("get", "/api/v1/attempts/{attempt_id}"),
    ("get", "/api/v1/quizzes/{quiz_id}/stats"),
    # Shared resources and course-space items (resources)
    ("get", "/api/v1/resources"),
    ("post", "/api/v1/resources"),
    ("post", "/api/v1/resources/files"),
    ("get", "/api/v1/resources/{resource_id}"),
    ("put", "/api/v1/resources/{resource_id}"),
    ("post", "/api/v1/resources/{resource_id}/rating"),
    ("post", "/api/v1/resources/{resource_id}/copy"),
    ("get", "/api/v1/course-sections/{section_id}/items"),
    ("post", "/api/v1/course-sections/{section_id}/items"),
    ("post", "/api/v1/courses/{space_id}/sections"),
    ("put", "/api/v1/course-sections/{section_id}"),
    ("delete", "/api/v1/course-sections/{section_id}"),
    # The Question Wall (wall)
    ("get", "/api/v1/courses/{space_id}/wall/threads"),
    ("post", "/api/v1/courses/{space_id}/wall/threads"),
    ("get", "/api/v1/wall/threads/{thread_id}"),
    ("post", "/api/v1/wall/threads/{thread_id}/posts"),
    ("post", "/api/v1/wall/threads/{thread_id}/moderation"),
    ("post", "/api/v1/wall/posts/{post_id}/moderation"),
    ("post", "/api/v1/wall/posts/{post_id}/reports"),
    ("get", "/api/v1/wall/reports"),
    ("post", "/api/v1/wall/reports/{wall_report_id}/resolve"),
    # Acceptable use (safeguarding)
    ("get", "/api/v1/acceptable-use"),
    ("post", "/api/v1/acceptable-use/{policy_id}/accept"),
    ("get", "/api/v1/institutions/{institution_id}/acceptable-use/policies"),
    ("post", "/api/v1/institutions/{institution_id}/acceptable-use/policies"),
    ("get", "/api/v1/institutions/{institution_id}/acceptable-use/summary"),
}


def signed_in(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def token_for(world, persona: str, **extra) -> tuple[PersonalAccessToken, str]:
    return token_create(actor=world.actor(persona), user=world.users[persona], name="test client", **extra)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# Authentication.


@pytest.mark.parametrize(
    "path",
    ["/me", "/tokens", "/institutions", "/institutions/1", "/groups", "/groups/1", "/learners", "/learners/1"],
)
def test_every_read_needs_authentication(world, path):
    response = Client().get(BASE + path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_writes_need_authentication_not_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"{BASE}/tokens", {"name": "x"}, content_type="application/json").status_code == 401
    assert client.delete(f"{BASE}/tokens/1").status_code == 401
    assert not PersonalAccessToken.objects.exists()


def test_a_token_authenticates(world):
    _row, token = token_for(world, "a1.teacher")
    response = Client().get(f"{BASE}/me", **bearer(token))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "a1.teacher"


@pytest.mark.parametrize(
    "header",
    ["Bearer cr_000000000000_nonsense", "Bearer ", "Bearer not-a-token", "Token cr_abc", "Basic YTpi"],
)
def test_a_bad_token_gets_401(world, header):
    assert Client().get(f"{BASE}/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_tampered_token_gets_401(world):
    _row, token = token_for(world, "a1.teacher")
    assert Client().get(f"{BASE}/me", **bearer(token[:-2] + "xx")).status_code == 401


def test_a_revoked_token_gets_401(world):
    row, token = token_for(world, "a1.teacher")
    token_revoke(actor=world.actor("a1.teacher"), token=row)
    assert Client().get(f"{BASE}/learners", **bearer(token)).status_code == 401


def test_an_expired_token_gets_401(world):
    row, token = token_for(world, "a1.teacher", expires_at=timezone.now() + datetime.timedelta(minutes=5))
    assert Client().get(f"{BASE}/me", **bearer(token)).status_code == 200
    PersonalAccessToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(f"{BASE}/me", **bearer(token)).status_code == 401


def test_a_token_of_a_deactivated_account_gets_401(world):
    _row, token = token_for(world, "a1.teacher")
    user = world.users["a1.teacher"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get(f"{BASE}/me", **bearer(token)).status_code == 401


def test_staff_without_a_required_second_factor_are_refused(world):
    _row, token = token_for(world, "a1.teacher")
    institution = world.institutions["a1"]
    institution.require_staff_second_factor = True
    institution.save(update_fields=["require_staff_second_factor"])
    assert Client().get(f"{BASE}/me", **bearer(token)).status_code == 401
    assert signed_in(world, "a1.teacher").get(f"{BASE}/me").status_code == 401
    # Not staff there: unaffected.
    assert signed_in(world, "parent.a1").get(f"{BASE}/me").status_code == 200


def test_only_the_hash_of_a_token_is_stored(world):
    response = signed_in(world, "a1.teacher").post(
        f"{BASE}/tokens", {"name": "timetable sync"}, content_type="application/json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("cr_")
    row = PersonalAccessToken.objects.get(pk=response.json()["id"])
    assert row.token_hash == sha256(token)
    stored = [str(value) for value in PersonalAccessToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(token in value for value in stored)
    # The token is shown once: listing never shows it again.
    listed = Client().get(f"{BASE}/tokens", **bearer(token)).json()["items"]
    assert [item["id"] for item in listed] == [row.pk]
    assert "token" not in listed[0]


def test_a_session_needs_the_csrf_token_to_write(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["a1.teacher"])
    refused = client.post(f"{BASE}/tokens", {"name": "sync"}, content_type="application/json")
    assert refused.status_code == 403
    assert not PersonalAccessToken.objects.exists()
    client.get(f"{BASE}/docs")  # any page that renders the CSRF token sets the cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(f"{BASE}/tokens", {"name": "sync"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201
    # A session read needs no CSRF token.
    assert client.get(f"{BASE}/tokens").status_code == 200


def test_a_token_cannot_mint_tokens_but_needs_no_csrf_to_revoke(world):
    row, token = token_for(world, "a1.teacher")
    client = Client(enforce_csrf_checks=True)
    minted = client.post(f"{BASE}/tokens", {"name": "more"}, content_type="application/json", **bearer(token))
    assert minted.status_code == 401
    assert PersonalAccessToken.objects.count() == 1
    revoked = client.delete(f"{BASE}/tokens/{row.pk}", **bearer(token))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert revoked.json()["active"] is False


def test_create_token_validates(world):
    client = signed_in(world, "a1.teacher")
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    for body in (
        {"name": ""},
        {"name": "   "},
        {"name": "x", "expires_at": past},
        {"name": "x", "expires_at": "2030-01-01T00:00:00"},
    ):
        response = client.post(f"{BASE}/tokens", body, content_type="application/json")
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)
    assert not PersonalAccessToken.objects.exists()
    future = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    created = client.post(f"{BASE}/tokens", {"name": "x", "expires_at": future}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["expires_at"] is not None


def test_someone_elses_token_is_not_found_and_unchanged(world):
    row, _token = token_for(world, "a1.head")
    client = signed_in(world, "a1.teacher")
    assert client.delete(f"{BASE}/tokens/{row.pk}").status_code == 404
    assert client.delete(f"{BASE}/tokens/987654321").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert ids(client.get(f"{BASE}/tokens")) == set()


def test_revoking_is_audited(world):
    row, _token = token_for(world, "a1.teacher")
    assert signed_in(world, "a1.teacher").delete(f"{BASE}/tokens/{row.pk}").status_code == 200
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(row.pk)).count() == 1


# Me.


def test_me_for_a_head(world):
    data = signed_in(world, "a1.head").get(f"{BASE}/me").json()
    assert data["person_id"] == world.people["a1.head"].pk
    assert data["is_learner"] is False
    assert [(role["role"], role["institution"]["id"]) for role in data["roles"]] == [
        ("head", world.institutions["a1"].pk)
    ]
    assert data["roles"][0]["institution"]["name"] == world.institutions["a1"].name
    assert data["roles"][0]["local_authority"] is None


def test_me_for_an_officer_a_parent_and_a_learner(world):
    officer = signed_in(world, "la1.officer").get(f"{BASE}/me").json()
    assert officer["roles"][0]["local_authority"] == {"id": world.authorities["la1"].pk, "name": "Northmere (test)"}
    parent = signed_in(world, "parent.two").get(f"{BASE}/me").json()
    assert parent["roles"] == []
    assert set(parent["cares_for_learner_ids"]) == {
        world.learners["a1.learnerA2"].pk,
        world.learners["b1.learnerA1"].pk,
    }
    barred = signed_in(world, "parent.barred").get(f"{BASE}/me").json()
    assert barred["cares_for_learner_ids"] == []
    learner = signed_in(world, "a1.learnerA1").get(f"{BASE}/me").json()
    assert learner["is_learner"] is True


# Scoping.


def learner_ids(world, *names: str) -> set[int]:
    return {world.learners[name].pk for name in names}


def test_a_teacher_lists_only_learners_in_their_groups(world):
    seen = ids(signed_in(world, "a1.teacher").get(f"{BASE}/learners?page_size=200"))
    assert seen == learner_ids(world, "a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.learnerB2")


def test_a_teacher_of_form_a_only_art_sees_form_a_except_a_child_they_are_barred_from(world):
    # teacher2 teaches art (form A) but is also a barred parent of a1.learnerA1: the bar wins.
    seen = ids(signed_in(world, "a1.teacher2").get(f"{BASE}/learners"))
    assert seen == learner_ids(world, "a1.learnerA2")


def test_learner_filters_narrow_within_what_may_be_seen(world):
    client = signed_in(world, "la1.officer")
    a2 = world.institutions["a2"].pk
    assert ids(client.get(f"{BASE}/learners?institution={a2}")) == learner_ids(
        world, "a2.learnerA1", "a2.learnerA2", "a2.learnerB1", "a2.learnerB2"
    )
    form_b = world.groups["a1.formB"].pk
    assert ids(client.get(f"{BASE}/learners?group={form_b}")) == learner_ids(world, "a1.learnerB1", "a1.learnerB2")
    # Someone else's institution is not an error: it is simply empty.
    assert ids(client.get(f"{BASE}/learners?institution={world.institutions['b1'].pk}")) == set()


def test_the_barred_parent_cannot_get_the_child(world):
    client = signed_in(world, "parent.barred")
    learner = world.learners["a1.learnerA1"]
    before = AuditEvent.objects.count()
    forbidden = client.get(f"{BASE}/learners/{learner.pk}")
    missing = client.get(f"{BASE}/learners/987654321")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert ids(client.get(f"{BASE}/learners")) == set()
    assert AuditEvent.objects.count() == before


def test_the_officer_sees_their_authoritys_learners_only(world):
    client = signed_in(world, "la1.officer")
    seen = ids(client.get(f"{BASE}/learners?page_size=200"))
    assert learner_ids(world, "a1.learnerA1", "a1.learnerB2", "a2.learnerA1", "a2.learnerB2") <= seen
    assert not seen & learner_ids(world, "b1.learnerA1", "b2.learnerA1", "solo.learnerA1", "a1.leaver")
    assert client.get(f"{BASE}/learners/{world.learners['a2.learnerB1'].pk}").status_code == 200
    assert client.get(f"{BASE}/learners/{world.learners['b1.learnerA1'].pk}").status_code == 404
    assert ids(client.get(f"{BASE}/institutions")) == {world.institutions["a1"].pk, world.institutions["a2"].pk}


def test_institutions_are_scoped(world):
    assert ids(signed_in(world, "a1.teacher").get(f"{BASE}/institutions")) == {world.institutions["a1"].pk}
    assert ids(signed_in(world, "parent.two").get(f"{BASE}/institutions")) == {
        world.institutions["a1"].pk,
        world.institutions["b1"].pk,
    }
    assert ids(signed_in(world, "nobody").get(f"{BASE}/institutions")) == set()
    detail = signed_in(world, "a1.head").get(f"{BASE}/institutions/{world.institutions['a1'].pk}").json()
    assert detail["urn"] == "100001"
    assert detail["local_authority"] == {"id": world.authorities["la1"].pk, "name": "Northmere (test)"}
    assert signed_in(world, "a1.head").get(f"{BASE}/institutions/{world.institutions['b1'].pk}").status_code == 404


def test_groups_are_scoped_with_counts(world):
    client = signed_in(world, "a1.teacher")
    groups = client.get(f"{BASE}/groups").json()["items"]
    assert [(group["id"], group["learner_count"]) for group in groups] == [(world.groups["a1.maths"].pk, 4)]
    head = signed_in(world, "a1.head")
    regs = head.get(f"{BASE}/groups?kind=registration").json()["items"]
    assert {group["id"] for group in regs} == {world.groups["a1.formA"].pk, world.groups["a1.formB"].pk}
    assert head.get(f"{BASE}/groups?kind=nonsense").status_code == 422


def test_group_detail_shows_staff_and_visible_learners(world):
    maths = world.groups["a1.maths"]
    data = signed_in(world, "a1.teacher").get(f"{BASE}/groups/{maths.pk}").json()
    assert data["institution"]["id"] == world.institutions["a1"].pk
    assert [(row["name"], row["role"]) for row in data["staff"]] == [("Teacher A1-staff", "teacher")]
    assert {row["id"] for row in data["learners"]} == learner_ids(
        world, "a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.learnerB2"
    )
    # A learner in the group sees the group, but only themself in it.
    mine = signed_in(world, "a1.learnerA1").get(f"{BASE}/groups/{maths.pk}").json()
    assert {row["id"] for row in mine["learners"]} == learner_ids(world, "a1.learnerA1")
    # The form A tutor does not teach maths.
    assert signed_in(world, "a1.tutor").get(f"{BASE}/groups/{maths.pk}").status_code == 404


def test_learner_profile_contents_and_contacts_by_role(world):
    learner = world.learners["a1.learnerA1"]
    head = signed_in(world, "a1.head").get(f"{BASE}/learners/{learner.pk}").json()
    assert head["id"] == learner.pk
    assert head["upn"] == learner.upn
    assert head["date_of_birth"] == learner.person.date_of_birth.isoformat()
    assert [row["institution"]["id"] for row in head["enrolments"]] == [world.institutions["a1"].pk]
    assert {row["id"] for row in head["groups"]} == {
        world.groups[name].pk for name in ("a1.year10", "a1.formA", "a1.maths", "a1.art")
    }
    # Leadership must know about the barred contact; a teacher sees only the links that are not barred.
    assert sorted((row["name"], row["access_barred"]) for row in head["contacts"]) == [
        ("Alex Parent", False),
        ("Chris Barred", True),
        ("Teacher2 A1-staff", True),
    ]
    teacher = signed_in(world, "a1.teacher").get(f"{BASE}/learners/{learner.pk}").json()
    assert [(row["name"], row["access_barred"]) for row in teacher["contacts"]] == [("Alex Parent", False)]


def test_reading_a_profile_is_audited(world):
    learner = world.learners["a1.learnerA2"]
    _row, token = token_for(world, "parent.two")
    before = AuditEvent.objects.filter(action="read.profile").count()
    assert Client().get(f"{BASE}/learners/{learner.pk}", **bearer(token)).status_code == 200
    events = AuditEvent.objects.filter(action="read.profile").order_by("-pk")
    assert events.count() == before + 1
    event = events.first()
    assert event.learner_id == learner.pk
    assert event.actor_id == world.people["parent.two"].pk
    # Listing learners is not a read of anyone's record.
    Client().get(f"{BASE}/learners", **bearer(token))
    assert AuditEvent.objects.filter(action="read.profile").count() == before + 1


def test_pagination_has_a_maximum_page_size(world):
    client = signed_in(world, "platform.admin")
    data = client.get(f"{BASE}/institutions?page_size=1").json()
    assert data["count"] == 5
    assert len(data["items"]) == 1
    assert len(client.get(f"{BASE}/institutions?page_size=100000").json()["items"]) == 5
    assert client.get(f"{BASE}/institutions?page=0").status_code == 422


def test_nonsense_ids_are_422_not_500(world):
    client = signed_in(world, "a1.head")
    assert client.get(f"{BASE}/learners/abc").status_code == 422
    assert client.get(f"{BASE}/learners/{2**70}").status_code == 422
    assert client.get(f"{BASE}/learners?institution={2**70}").status_code == 422


# Query counts: pinned, and the same whatever the page size.

LIST_BUDGETS = {
    # Session, user, the actor's role rows / groups / children as the rules need them, count, page;
    # the learner list adds one insert: each learner on the page is recorded as read.
    "/learners": 9,
    "/groups": 7,
    "/institutions": 7,
    "/tokens": 5,
}


@pytest.mark.parametrize("path", sorted(LIST_BUDGETS))
@pytest.mark.parametrize("persona", ["a1.head", "la1.officer", "a1.teacher", "parent.two", "platform.admin"])
@pytest.mark.parametrize("page_size", [1, 200])
def test_list_query_counts_are_pinned(world, django_assert_max_num_queries, path, persona, page_size):
    client = signed_in(world, persona)
    client.get(BASE + path)  # warm the session
    with django_assert_max_num_queries(LIST_BUDGETS[path]):
        response = client.get(f"{BASE}{path}?page_size={page_size}")
    assert response.status_code == 200


def test_detail_query_counts_are_pinned(world, django_assert_max_num_queries):
    client = signed_in(world, "a1.head")
    client.get(f"{BASE}/me")
    with django_assert_max_num_queries(7):
        assert client.get(f"{BASE}/me").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(f"{BASE}/groups/{world.groups['a1.maths'].pk}").status_code == 200
    with django_assert_max_num_queries(12):  # includes writing the audit event
        assert client.get(f"{BASE}/learners/{world.learners['a1.learnerA1'].pk}").status_code == 200


def test_token_requests_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    _row, token = token_for(world, "la1.officer")
    Client().get(f"{BASE}/me", **bearer(token))  # first use records last_used_at
    with django_assert_max_num_queries(LIST_BUDGETS["/learners"]):
        assert Client().get(f"{BASE}/learners?page_size=200", **bearer(token)).status_code == 200


# Schema and docs.


def test_openapi_lists_every_operation(world):
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == EXPECTED_OPERATIONS
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert "401" in op["responses"], (method, path)
            if "{" in path:
                assert "404" in op["responses"], (method, path)


def test_docs_work_offline_under_the_csp(world):
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # Nothing is loaded from elsewhere (a CDN): every src and href is on this site. (Not a search for "cdn"
    # in the page, which a random CSRF token could contain.)
    import re

    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and all(not a.startswith(("http:", "https:", "//")) for a in addresses), addresses
    assert "/static/swagger/swagger-ui-bundle.js" in html
    assert "/static/swagger/init.js" in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    # No inline script: every <script> has a src.
    assert html.count("<script") == html.count("<script src=")
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js", "LICENSE"):
        assert finders.find(f"swagger/{name}"), name


def test_reading_the_learner_list_is_audited_per_learner(world):
    from commonroom.authz.models import AuditEvent

    before = AuditEvent.objects.filter(action="read.learner_list").count()
    seen = ids(signed_in(world, "a1.tutor").get(f"{BASE}/learners"))
    events = AuditEvent.objects.filter(action="read.learner_list").order_by("-id")[: len(seen)]
    assert AuditEvent.objects.filter(action="read.learner_list").count() == before + len(seen)
    assert {event.learner_id for event in events} == set(seen)
    assert {event.institution_id for event in events} == {world.institutions["a1"].pk}
