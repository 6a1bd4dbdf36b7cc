"""Platform evidence: measures named in framework files (validated on load), the figures themselves
against hand-counted data (registers and teachers setting work: ``test_measures.py``), attaching a frozen
snapshot, the aspect page, the API and the query count."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonroom.authz.api import NotFound
from commonroom.common.dates import today
from commonroom.selfreview import evidence, measures, services
from commonroom.selfreview.loader import FRAMEWORK_DIR, FrameworkFileError, parse_framework
from commonroom.selfreview.models import Aspect, AspectAnswer
from commonroom.selfreview.testing_world import review_named

SHIPPED = FRAMEWORK_DIR / "schools-v1.toml"


def _with_measures(line: str) -> str:
    """The schools file with aspect 1a-1's title followed by ``line``."""
    text = SHIPPED.read_text()
    anchor = 'title = "A shared vision for technology in learning"\n'
    assert anchor in text
    return text.replace(anchor, anchor + line + "\n", 1)


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(("line", "message"), [
    ('measures = ["parent_accounts", "pupils_happiness"]', "unknown measure 'pupils_happiness'"),
    ('measures = ["registers_on_time", "registers_on_time"]', "named twice"),
    ('measures = "registers_on_time"', "must be a list"),
])
def test_a_bad_measure_is_refused_naming_the_file_and_line(line: str, message: str) -> None:
    text = _with_measures(line)
    with pytest.raises(FrameworkFileError) as error:
        parse_framework(text, "schools-v1.toml")
    assert error.value.file == "schools-v1.toml"
    assert error.value.line == _line_of(text, line)
    assert message in error.value.message and "1a-1" in error.value.message


def test_every_shipped_file_names_known_measures_and_the_schools_file_offers_each() -> None:
    named: set[str] = set()
    for path in sorted(Path(FRAMEWORK_DIR).glob("*.toml")):
        data = parse_framework(path.read_text(), path.name)
        found = {m for e in data.elements for s in e.strands for a in s.aspects for m in a.measures}
        assert found, f"{path.name} offers no platform evidence"
        named |= found
    assert named == set(measures.MEASURES)


def test_measures_are_not_part_of_the_checksum_and_update_in_place(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Version 1 was loaded by the world with its measures. Taking a measure away loads as an update."""
    from commonroom.authz.actor import Actor

    text = SHIPPED.read_text().replace('measures = ["acceptable_use"]\n', "", 1)
    assert parse_framework(text, "schools-v1.toml").checksum == parse_framework(SHIPPED.read_text(), "schools-v1.toml").checksum
    (tmp_path / "schools-v1.toml").write_text(text)
    report = services.frameworks_load(actor=Actor.system("test"), directory=tmp_path)
    assert report.measures_changed == ["schools v1"] and not report.errors
    assert Aspect.objects.get(element__framework__slug="schools", code="8b-2").measures == []
    assert Aspect.objects.get(element__framework__slug="schools", code="1c-1").measures == ["registers_on_time"]


# --- The figures, against data counted by hand ---------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), ZoneInfo(settings.TIME_ZONE))


def test_parent_figures_come_from_parent_uptake(world) -> None:  # type: ignore[no-untyped-def]
    """a1's contacts not barred: parent.a1 and parent.two. Only parent.a1 has signed in. Two reports issued."""
    from commonroom.identity.models import User

    User.objects.filter(username="parent.a1").update(last_login=timezone.now())
    head, a1 = world.actor("a1.head"), world.institutions["a1"]
    accounts = measures.parent_accounts(head, a1, today())
    assert (accounts.numerator, accounts.denominator, accounts.value) == (1, 2, 50.0)
    assert "1 of 2 parents" in accounts.sentence
    reports = measures.parent_reports_read(head, a1, today())
    assert (reports.numerator, reports.denominator, reports.value) == (0, 2, 0.0)
    # A teacher may not read parent uptake: the figure says who can attach it, and offers nothing.
    hidden = measures.parent_accounts(world.actor("a1.teacher"), a1, today())
    assert not hidden.available and hidden.value is None and "head" in hidden.sentence


def test_online_assessments_count_hand_ins_online_and_take_other_sources(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from commonroom.learning.models import Assignment, Submission
    from commonroom.quizzes.models import Attempt

    a1, day = world.institutions["a1"], today()
    Submission.objects.filter(institution=a1).delete()
    submitted = list(Attempt.objects.filter(institution=a1, submitted_at__isnull=False).values_list("pk", flat=True))
    Attempt.objects.filter(pk__in=submitted).update(submitted_at=_at(day - datetime.timedelta(days=90), 9))
    work = Assignment.objects.create(institution=a1, group=world.groups["a1.maths"], title="Essay", state="set",
                                     due_at=_at(day, 23), set_by=world.people["a1.teacher"], set_at=_at(day, 8))
    for key, on_paper, when in (("a1.learnerA1", False, _at(day, 10)), ("a1.learnerA2", False, _at(day, 11)),
                                ("a1.learnerB1", True, _at(day, 12)),
                                ("a1.learnerB2", False, _at(day - datetime.timedelta(days=60), 12))):
        Submission.objects.create(institution=a1, assignment=work, learner=world.learners[key], on_paper=on_paper,
                                  handed_in_at=when, text="x")
    figure = measures.online_assessments(world.actor("a1.head"), a1, day)
    assert (figure.value, figure.numerator, figure.denominator, figure.unit) == (2.0, 2, 3, "count")
    # Quiz attempts handed in within the period count too, all of them online.
    assert submitted, "the persona world has handed-in attempts at a1"
    Attempt.objects.filter(pk=submitted[0]).update(submitted_at=_at(day, 9))
    figure = measures.online_assessments(world.actor("a1.head"), a1, day)
    assert (figure.numerator, figure.denominator) == (3, 4) and "1 quiz attempts" in figure.sentence
    # Another app can add its own source.
    monkeypatch.setattr(measures, "ASSESSMENT_SOURCES", list(measures.ASSESSMENT_SOURCES))
    measures.register_assessment_source("portfolio", lambda inst, low, high: (5, 5, "portfolio pieces"))
    figure = measures.online_assessments(world.actor("a1.head"), a1, day)
    assert (figure.numerator, figure.denominator) == (8, 9) and "5 portfolio pieces" in figure.sentence


def test_acceptable_use_counts_acceptances_of_the_version_in_force(world) -> None:  # type: ignore[no-untyped-def]
    """a1 has a staff policy (version 1, accepted by the head) and a learners' policy whose version 2 was published
    today (accepted by learnerA2; learnerA1 accepted version 1 only). Staff with a role at a1: head, leader,
    senco, dsl, office, teacher, teacher2, tutor (not the governor); learners on roll: A1, A2, B1, B2."""
    from commonroom.safeguarding.services import policy_accept
    from commonroom.safeguarding.testing_world import policy_named

    a1 = world.institutions["a1"]
    figure = measures.acceptable_use(world.actor("a1.head"), a1, today())
    assert (figure.numerator, figure.denominator, figure.value, figure.available) == (2, 12, 16.7, True)
    assert "1 of 8 staff with a role had accepted version 1" in figure.sentence
    assert "1 of 4 learners on roll had accepted version 2" in figure.sentence
    # Yesterday version 1 was in force for learners, and learnerA1 had accepted it.
    yesterday = measures.acceptable_use(world.actor("a1.head"), a1, today() - datetime.timedelta(days=1))
    assert "1 of 4 learners on roll had accepted version 1" in yesterday.sentence
    # learnerA1 accepts version 2: counted from today, not on the day before.
    policy_accept(actor=world.actor("a1.learnerA1"), policy=policy_named(world, "a1.learners"))
    assert measures.acceptable_use(world.actor("a1.head"), a1, today()).numerator == 3
    assert measures.acceptable_use(world.actor("a1.head"), a1, today() - datetime.timedelta(days=1)).numerator == 2


def test_acceptable_use_says_which_audience_has_no_policy(world) -> None:  # type: ignore[no-untyped-def]
    b1 = measures.acceptable_use(world.actor("b1.head"), world.institutions["b1"], today())
    assert (b1.numerator, b1.denominator) == (1, 4)  # learners only: b1 has no staff policy
    assert "no acceptable-use policy for staff with a role was in force" in b1.sentence
    solo = measures.acceptable_use(world.actor("solo.head"), world.institutions["solo"], today())
    assert not solo.available and solo.value is None
    assert "No acceptable-use policy for staff or learners was in force" in solo.sentence
    # Before anything was published at a1, the figure is not available there either.
    long_ago = measures.acceptable_use(world.actor("a1.head"), world.institutions["a1"],
                                       today() - datetime.timedelta(days=60))
    assert not long_ago.available


def test_computing_every_measure_for_one_institution_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    head = world.actor("a1.head")
    head.role_rows  # noqa: B018 - loaded once per request anyway
    with django_assert_max_num_queries(25):
        figures = measures.compute_all(head, world.institutions["a1"], today())
    assert [f.measure for f in figures] == list(measures.MEASURES)


# --- Attaching -----------------------------------------------------------------------------------


def _answer(world, code: str, review: str = "a1.current") -> AspectAnswer:  # type: ignore[no-untyped-def]
    return AspectAnswer.objects.select_related("review__institution", "aspect").get(review=review_named(world, review), aspect__code=code)


def test_an_attached_figure_is_a_snapshot_that_never_changes(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.authz.models import AuditEvent
    from commonroom.identity.models import User

    head = world.actor("a1.head")
    answer = _answer(world, "1c-2")
    version = answer.version
    User.objects.filter(username="parent.a1").update(last_login=timezone.now())
    snap = evidence.evidence_attach(actor=head, answer=answer, measure="parent_accounts")
    assert snap["figure"] == "50%" and snap["as_of"] == today().isoformat() and snap["kind"] == "measure"
    stored = AspectAnswer.objects.get(pk=answer.pk)
    assert stored.evidence == [snap] and stored.version == version  # attaching does not clash with anyone's save
    assert AuditEvent.objects.filter(action="selfreview.evidence.attach", object_id=str(answer.pk)).exists()
    # The platform's figure moves on; the snapshot does not.
    User.objects.filter(username="parent.two").update(last_login=timezone.now())
    assert measures.parent_accounts(head, answer.review.institution, today()).value == 100.0
    offers = evidence.offered(head, _answer(world, "1c-2"))
    assert offers[0].figure.value == 100.0 and offers[0].attached == snap
    # Saving the form keeps the snapshot (it is not part of what the form sends) and adds the typed items.
    saved = services.answer_save(actor=head, answer=stored, level=3, notes="n", evidence="https://example.org/x",
                                 seen_version=stored.version)
    assert saved.evidence == [{"kind": "link", "url": "https://example.org/x"}, snap]
    # Removing it is allowed; editing it is not possible.
    evidence.evidence_remove(actor=head, answer=saved, index=0)
    assert AspectAnswer.objects.get(pk=answer.pk).evidence == [{"kind": "link", "url": "https://example.org/x"}]


def test_attaching_is_for_editors_of_the_answer_and_measures_the_aspect_names(world) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "1c-2")
    for persona in ("a1.teacher", "a1.governor", "la1.officer", "b1.head"):
        with pytest.raises(NotFound):
            evidence.evidence_attach(actor=world.actor(persona), answer=answer, measure="parent_accounts")
    with pytest.raises(ValidationError, match="does not offer"):
        evidence.evidence_attach(actor=world.actor("a1.head"), answer=answer, measure="registers_on_time")
    # A figure with nothing to count is not attached.
    from commonroom.learning.models import Submission
    from commonroom.quizzes.models import Attempt

    Submission.objects.filter(institution=world.institutions["a1"]).delete()
    Attempt.objects.filter(institution=world.institutions["a1"]).update(submitted_at=None)
    with pytest.raises(ValidationError, match="nothing to count"):
        evidence.evidence_attach(actor=world.actor("a1.head"), answer=_answer(world, "4b-1"), measure="online_assessments")
    # A completed review no longer changes.
    done = _answer(world, "1c-2", "a1.finished")
    with pytest.raises(NotFound):
        evidence.evidence_attach(actor=world.actor("a1.head"), answer=done, measure="parent_accounts")
    assert AspectAnswer.objects.get(pk=answer.pk).evidence == []


def test_the_aspect_page_offers_figures_and_attaches_one(world, client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from commonroom.identity.models import User

    User.objects.filter(username="parent.two").update(last_login=timezone.now())
    answer = _answer(world, "1c-2")
    client.force_login(world.users["a1.head"])
    url = f"/self-review/reviews/{answer.review_id}/aspects/{answer.aspect_id}/"
    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    assert "Evidence from Commonroom" in page and "Parents and carers with an activated account: 50%" in page
    assert "Attach this figure" in page
    response = client.post(url + "evidence/", {"measure": "parent_accounts"})
    assert response.status_code == 302 and response["Location"].endswith("#platform-evidence")
    page = client.get(url).content.decode()
    assert "Figures attached to this answer" in page and f"attached on {today().isoformat()}" in page
    # A reader sees the snapshot, not the offers.
    client.force_login(world.users["a1.governor"])
    page = client.get(url).content.decode()
    assert "Figures attached to this answer" in page and "Attach this figure" not in page
    assert client.post(url + "evidence/", {"measure": "parent_accounts"}).status_code == 404
    # Bad input never gives a 500.
    client.force_login(world.users["a1.head"])
    assert client.post(url + "evidence/", {"measure": "<script>"}).status_code == 302
    assert client.post(url + "evidence/remove/", {"index": "x"}).status_code == 302
    assert len(AspectAnswer.objects.get(pk=answer.pk).evidence) == 1


def test_the_api_offers_and_attaches(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "1c-1")
    client.force_login(world.users["a1.head"])
    url = f"/api/v1/self-review/reviews/{answer.review_id}/answers/{answer.aspect_id}/evidence"
    body = client.get(url).json()
    assert [o["measure"] for o in body["offered"]] == ["registers_on_time"] and body["attached"] == []
    assert client.post(url, {"measure": "parent_accounts"}, content_type="application/json").status_code == 422
    client.force_login(world.users["a1.governor"])
    body = client.get(url).json()
    assert body["offered"] == [] and body["editable"] is False
    assert client.post(url, {"measure": "registers_on_time"}, content_type="application/json").status_code == 404
