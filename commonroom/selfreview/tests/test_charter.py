"""The Charter: stages computed from completed reviews and recorded by the right people, the ICT Mark's
three years and its reminders, Excellence, the bulk stage lookup, pages and API."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from commonroom.authz.api import NotFound
from commonroom.common.dates import today
from commonroom.selfreview import charter, charter_services
from commonroom.selfreview.models import (
    AspectAnswer,
    CharterRecord,
    CharterReminder,
    CharterStage,
    RecognitionRequest,
    Review,
)
from commonroom.selfreview.testing_world import review_named


def _complete(world, key: str, levels: dict[int, int], *, top: set[int] | None = None, days_ago: int = 5) -> Review:  # type: ignore[no-untyped-def]
    """Complete ``key``'s review with every aspect of element n at ``levels[n]`` (default: its threshold + 1,
    i.e. below it) and the elements in ``top`` at level 1."""
    review = review_named(world, key)
    for answer in AspectAnswer.objects.filter(review=review).select_related("aspect", "element"):
        number = answer.element.number
        level = 1 if number in (top or set()) else levels.get(number, min(5, answer.aspect.threshold + 1))
        if level == "threshold":
            level = answer.aspect.threshold
        AspectAnswer.objects.filter(pk=answer.pk).update(level=level)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.COMPLETED, completed_on=today() - datetime.timedelta(days=days_ago),
                                               completed_by=world.people["a1.head"])
    return Review.objects.get(pk=review.pk)


AT = "threshold"


def test_the_stages_in_order_each_recorded_by_its_person(world) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    head, officer, assessor = world.actor("a1.head"), world.actor("la1.officer"), world.actor("la1.assessor")
    status = charter.charter_status(a1.pk)
    assert status.stage == CharterStage.COMMITTED  # the world's commitment
    # The finished review has element 1 at level 3 and the rest at 4: not enough for recognition.
    assert status.eligible == CharterStage.COMMITTED and "2 other elements" in " ".join(status.reasons)
    with pytest.raises(ValidationError):
        charter_services.recognition_request(actor=head, institution=a1)
    # Leadership plus two other elements at the threshold.
    review = _complete(world, "a1.current", {1: AT, 2: AT, 3: AT})
    status = charter.charter_status(a1.pk)
    assert status.review == review and status.eligible == CharterStage.RECOGNISED and status.may_request_recognition
    for persona in ("a1.teacher", "a1.governor", "la1.officer"):
        with pytest.raises(NotFound):
            charter_services.recognition_request(actor=world.actor(persona), institution=a1)
    request = charter_services.recognition_request(actor=head, institution=a1, note="Please visit")
    with pytest.raises(ValidationError, match="already waiting"):
        charter_services.recognition_request(actor=head, institution=a1)
    # Only an officer of a1's authority confirms, and needs the adviser's reference.
    for persona in ("la2.officer", "la1.assessor", "a1.head"):
        with pytest.raises(NotFound):
            charter_services.recognition_decide(actor=world.actor(persona), request=request, confirm=True, adviser_reference="X")
    with pytest.raises(ValidationError):
        charter_services.recognition_decide(actor=officer, request=request, confirm=True, adviser_reference=" ")
    charter_services.recognition_decide(actor=officer, request=request, confirm=True, adviser_reference="NM-ADV-0042")
    assert RecognitionRequest.objects.get(pk=request.pk).status == RecognitionRequest.Status.CONFIRMED
    assert charter.current_stage(a1.pk) == CharterStage.RECOGNISED
    recognised = CharterRecord.objects.get(institution=a1, stage=CharterStage.RECOGNISED)
    assert recognised.recorded_by == world.people["la1.officer"] and recognised.adviser_reference == "NM-ADV-0042"
    assert recognised.review == review
    # The ICT Mark needs every element at the threshold; an award before that is refused, a "not yet" recorded.
    with pytest.raises(ValidationError, match="every element"):
        charter_services.charter_visit(actor=assessor, institution=a1, stage=CharterStage.ICT_MARK, visit_date=today(), awarded=True)
    charter_services.charter_visit(actor=assessor, institution=a1, stage=CharterStage.ICT_MARK, visit_date=today(), awarded=False)
    assert charter.current_stage(a1.pk) == CharterStage.RECOGNISED
    with pytest.raises(NotFound):
        charter_services.charter_visit(actor=officer, institution=a1, stage=CharterStage.ICT_MARK, visit_date=today(), awarded=False)


def _to_mark(world, visit: datetime.date, levels: dict[int, int] | None = None, top: set[int] | None = None) -> CharterRecord:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    review = _complete(world, "a1.current", levels or dict.fromkeys(range(1, 9), AT), top=top)
    CharterRecord.objects.create(institution=a1, stage=CharterStage.RECOGNISED, review=review, recorded_by=world.people["la1.officer"],
                                 recorded_on=today() - datetime.timedelta(days=3), adviser_reference="R1")
    return charter_services.charter_visit(actor=world.actor("la1.assessor"), institution=a1, stage=CharterStage.ICT_MARK,
                                          visit_date=visit, awarded=True, on=max(visit, today()))


def test_the_ict_mark_needs_a_review_from_the_last_year(world) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    review = _complete(world, "a1.current", dict.fromkeys(range(1, 9), AT), days_ago=400)
    Review.objects.filter(institution=a1).exclude(pk=review.pk).update(status=Review.Status.IN_PROGRESS, completed_on=None)
    CharterRecord.objects.create(institution=a1, stage=CharterStage.RECOGNISED, review=review, recorded_by=world.people["la1.officer"],
                                 recorded_on=today() - datetime.timedelta(days=3), adviser_reference="R1")
    status = charter.charter_status(a1.pk)
    assert not status.may_record_mark and status.eligible == CharterStage.RECOGNISED
    assert any("within the last year" in reason for reason in status.reasons)
    with pytest.raises(ValidationError):
        charter_services.charter_visit(actor=world.actor("la1.assessor"), institution=a1, stage=CharterStage.ICT_MARK,
                                       visit_date=today(), awarded=True)


def test_the_ict_mark_lasts_three_years_then_lapses_to_recognised(world) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"].pk
    visit = today() - datetime.timedelta(days=10)
    mark = _to_mark(world, visit)
    assert mark.expires_on == visit.replace(year=visit.year + 3) and mark.recorded_by == world.people["la1.assessor"]
    assert charter.current_stage(a1) == CharterStage.ICT_MARK
    assert charter.current_stage(a1, on=mark.expires_on) == CharterStage.ICT_MARK
    assert charter.current_stage(a1, on=mark.expires_on + datetime.timedelta(days=1)) == CharterStage.RECOGNISED
    assert charter.mark_expiry(datetime.date(2028, 2, 29)) == datetime.date(2031, 2, 28)


def test_excellence_needs_the_mark_level_two_everywhere_and_a_quarter_at_level_one(world) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    assessor = world.actor("la1.assessor")
    mark = _to_mark(world, today(), levels=dict.fromkeys(range(1, 9), 2), top={1})  # element 1: 6 of 34 aspects at 1
    status = charter.charter_status(a1.pk)
    assert status.stage == CharterStage.ICT_MARK and status.eligible == CharterStage.ICT_MARK
    assert "a quarter" in " ".join(status.reasons)
    with pytest.raises(ValidationError):
        charter_services.charter_visit(actor=assessor, institution=a1, stage=CharterStage.EXCELLENCE, visit_date=today(), awarded=True)
    # Elements 1 to 3 at level 1: 6 + 5 + 4 = 15 of 34 aspects, and every other at 2.
    _complete(world, "a1.current", dict.fromkeys(range(1, 9), 2), top={1, 2, 3})
    ones = AspectAnswer.objects.filter(review=review_named(world, "a1.current"), level=1).count()
    total = AspectAnswer.objects.filter(review=review_named(world, "a1.current")).count()
    assert ones * 4 >= total
    assert charter.charter_status(a1.pk).eligible == CharterStage.EXCELLENCE
    excellence = charter_services.charter_visit(actor=assessor, institution=a1, stage=CharterStage.EXCELLENCE,
                                                visit_date=today(), awarded=True)
    assert excellence.expires_on == mark.expires_on  # it lasts as long as the Mark
    assert charter.current_stage(a1.pk) == CharterStage.EXCELLENCE
    assert charter.current_stage(a1.pk, on=mark.expires_on + datetime.timedelta(days=1)) == CharterStage.RECOGNISED


def test_current_stages_for_many_institutions_in_one_query(world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    CharterRecord.objects.create(institution=world.institutions["b1"], stage=CharterStage.COMMITTED,
                                 recorded_by=world.people["b1.head"], recorded_on=today())
    ids = [world.institutions[k].pk for k in ("a1", "a2", "b1", "solo")]
    with django_assert_num_queries(1):
        stages = charter.current_stages(ids)
    assert stages == {ids[0]: CharterStage.COMMITTED, ids[1]: None, ids[2]: CharterStage.COMMITTED, ids[3]: None}


def test_commitment_is_recorded_once_by_a_leader(world) -> None:  # type: ignore[no-untyped-def]
    a2 = world.institutions["a2"]
    with pytest.raises(NotFound):
        charter_services.charter_commit(actor=world.actor("a1.head"), institution=a2)
    record = charter_services.charter_commit(actor=world.actor("a2.head"), institution=a2, notes="We commit")
    assert record.stage == CharterStage.COMMITTED and record.recorded_by == world.people["a2.head"]
    with pytest.raises(ValidationError, match="already recorded"):
        charter_services.charter_commit(actor=world.actor("a2.head"), institution=a2)


def test_reminders_go_90_and_30_days_before_the_mark_lapses_once_each(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mark = _to_mark(world, today() - datetime.timedelta(days=20))
    expires = mark.expires_on
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=91)) == 0
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=90)) == 1
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=89)) == 0  # idempotent
    assert len(mail.outbox) == 1 and "lapses on" in mail.outbox[0].subject
    assert set(mail.outbox[0].to) == {"a1.head@example.org", "a1.leader@example.org"}
    call_command("charter_reminders", "--date", (expires - datetime.timedelta(days=30)).isoformat())
    call_command("charter_reminders", "--date", (expires - datetime.timedelta(days=29)).isoformat())
    assert len(mail.outbox) == 2
    assert sorted(CharterReminder.objects.filter(record=mark).values_list("days_before", flat=True)) == [30, 90]
    assert charter_services.send_reminders(on=expires + datetime.timedelta(days=1)) == 0


def test_no_reminder_for_a_mark_already_renewed_and_none_recorded_without_recipients(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mark = _to_mark(world, today() - datetime.timedelta(days=20))
    expires = mark.expires_on
    renewal = CharterRecord.objects.create(
        institution=mark.institution, stage=CharterStage.ICT_MARK, outcome=CharterRecord.Outcome.AWARDED,
        review=mark.review, recorded_by=world.people["la1.assessor"], recorded_on=today(),
        visit_date=today(), expires_on=expires + datetime.timedelta(days=700))
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=30)) == 0
    assert not mail.outbox and not CharterReminder.objects.filter(record=mark).exists()

    renewal.delete()
    from commonroom.people.models import Person

    Person.objects.filter(pk__in=[world.people["a1.head"].pk, world.people["a1.leader"].pk]).update(email="")
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=30)) == 0
    assert not CharterReminder.objects.filter(record=mark).exists()  # tried again on the next run
    Person.objects.filter(pk=world.people["a1.head"].pk).update(email="head@example.org")
    assert charter_services.send_reminders(on=expires - datetime.timedelta(days=29)) == 1
    assert mail.outbox[0].to == ["head@example.org"]


def test_charter_pages_for_leaders_officers_assessors_and_governors(world, client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    _complete(world, "a1.current", {1: AT, 2: AT, 3: AT})
    client.force_login(world.users["a1.head"])
    page = client.get(f"/self-review/institutions/{a1.pk}/charter/").content.decode()
    assert "Committed" in page and "Ask for recognition" in page
    response = client.post(f"/self-review/institutions/{a1.pk}/charter/recognition/", {"note": "Ready"})
    assert response.status_code == 302
    client.force_login(world.users["la1.officer"])
    page = client.get(f"/self-review/institutions/{a1.pk}/charter/confirm/").content.decode()
    assert "asked on" in page
    response = client.post(f"/self-review/institutions/{a1.pk}/charter/confirm/", {"decision": "confirm", "adviser_reference": ""})
    assert response.status_code == 200 and "Enter the adviser&#x27;s reference" in response.content.decode()
    response = client.post(f"/self-review/institutions/{a1.pk}/charter/confirm/",
                           {"decision": "confirm", "adviser_reference": "NM-7"})
    assert response.status_code == 302 and charter.current_stage(a1.pk) == CharterStage.RECOGNISED
    client.force_login(world.users["la1.assessor"])
    response = client.post(f"/self-review/institutions/{a1.pk}/charter/visit/",
                           {"stage": "ict_mark", "visit_date": "not a date", "outcome": "awarded"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    response = client.post(f"/self-review/institutions/{a1.pk}/charter/visit/",
                           {"stage": "ict_mark", "visit_date": today().isoformat(), "outcome": "awarded"})
    assert response.status_code == 200 and "every element" in response.content.decode()  # not eligible: said at the top
    client.force_login(world.users["a1.governor"])
    with django_assert_max_num_queries(20):
        page = client.get(f"/self-review/institutions/{a1.pk}/charter/history/").content.decode()
    assert "NM-7" in page and "Officer LA1" in page and "Head" in page
    assert client.get(f"/self-review/institutions/{a1.pk}/charter/commit/").status_code == 404
    with django_assert_max_num_queries(12):
        page = client.get("/self-review/charter/").content.decode()
    assert "Recognised" in page and world.institutions["b1"].name not in page


def test_each_charter_step_page_redirects_with_its_message_or_shows_the_refusal(world, client) -> None:  # type: ignore[no-untyped-def]
    """The four step pages share one helper: a step taken goes back to the Charter page with its message; a
    step refused shows the reason on the form."""
    a2 = world.institutions["a2"]
    client.force_login(world.users["a2.head"])
    page = client.get(f"/self-review/institutions/{a2.pk}/charter/commit/").content.decode()
    assert "Commit to the Charter" in page and "Record the commitment" in page
    response = client.post(f"/self-review/institutions/{a2.pk}/charter/commit/", {"notes": "We commit"}, follow=True)
    assert response.redirect_chain == [(f"/self-review/institutions/{a2.pk}/charter/", 302)]
    assert "the institution is at the Committed stage" in response.content.decode()
    assert charter.current_stage(a2.pk) == CharterStage.COMMITTED
    response = client.post(f"/self-review/institutions/{a2.pk}/charter/recognition/", {"note": ""})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()  # not eligible
    client.force_login(world.users["la1.officer"])
    response = client.post(f"/self-review/institutions/{a2.pk}/charter/confirm/",
                           {"decision": "confirm", "adviser_reference": "NM-8"})
    assert response.status_code == 200 and "There is no request waiting for a decision." in response.content.decode()
    assert charter.current_stage(a2.pk) == CharterStage.COMMITTED


def test_charter_api(world, client) -> None:  # type: ignore[no-untyped-def]
    a1, a2 = world.institutions["a1"], world.institutions["a2"]
    client.force_login(world.users["la1.officer"])
    body = client.get(f"/api/v1/self-review/institutions/{a1.pk}/charter").json()
    assert body["stage"] == "committed" and body["eligible"] == "committed" and body["pending_request_id"] is None
    assert client.post(f"/api/v1/self-review/institutions/{a1.pk}/charter/confirm", {"confirm": True},
                       content_type="application/json").status_code == 422  # nothing waiting
    client.force_login(world.users["a2.head"])
    response = client.post(f"/api/v1/self-review/institutions/{a2.pk}/charter/commit", {}, content_type="application/json")
    assert response.status_code == 201 and response.json()["stage"] == "committed"
    history = client.get(f"/api/v1/self-review/institutions/{a2.pk}/charter/history").json()
    assert [(h["stage"], h["recorded_by"]) for h in history] == [("committed", world.people["a2.head"].full_name)]
    client.force_login(world.users["la1.assessor"])
    response = client.post(f"/api/v1/self-review/institutions/{a2.pk}/charter/visits",
                           {"visit_date": today().isoformat(), "awarded": True}, content_type="application/json")
    assert response.status_code == 422
    response = client.post(f"/api/v1/self-review/institutions/{a2.pk}/charter/visits",
                           {"visit_date": "2000-01-01", "awarded": False}, content_type="application/json")
    assert response.status_code == 422  # more than a year ago
