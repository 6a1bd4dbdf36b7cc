"""The assessment, SEN and report pages through the test client: content at each reader's level, forms
that say what is wrong and where, exports, and pinned query counts for the main pages."""

from __future__ import annotations

import csv
import io

import pytest

from commonroom.authz.models import AuditEvent
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, SenEpisode, SenRecord


def _login(client, world, persona: str):  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    return client


def _point(world, key: str = "a1") -> AssessmentPoint:
    return AssessmentPoint.objects.get(institution=world.institutions[key], name="Autumn")


def test_marksheet_page_saves_and_names_a_bad_cell(client, world) -> None:
    _login(client, world, "a1.teacher")
    url = f"/groups/{world.groups['a1.maths'].pk}/marksheet/{_point(world).pk}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'list="grades-' in html and "staff only" in html  # grade suggestions; effort is for staff
    attainment = Aspect.objects.get(institution=world.institutions["a1"], kind="attainment")
    b1 = world.learners["a1.learnerB1"].pk
    data = {field.html_name: field.value() if field.value() is not None else "" for field in page.context["form"]}
    data[f"g_{b1}_{attainment.pk}"] = "10"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is not in GCSE 9-1" in response.content.decode()
    assert not AssessmentResult.objects.filter(learner_id=b1, aspect=attainment).exists()
    data[f"g_{b1}_{attainment.pk}"] = "8"
    response = client.post(url, data)
    assert response.status_code == 302
    assert AssessmentResult.objects.get(learner_id=b1, aspect=attainment).value == "8"


def test_a_locked_point_shows_a_read_only_marksheet(client, world) -> None:
    point = _point(world)
    AssessmentPoint.objects.filter(pk=point.pk).update(locked=True)
    _login(client, world, "a1.teacher")
    url = f"/groups/{world.groups['a1.maths'].pk}/marksheet/{point.pk}/"
    html = client.get(url).content.decode()
    assert "Save grades" not in html and "Locked" in html
    assert client.post(url, {}).status_code == 404


def test_setup_page_forms_and_point_state(client, world) -> None:
    _login(client, world, "a1.office")
    url = f"/institutions/{world.institutions['a1'].pk}/assessment/"
    response = client.post(url, {"form": "grade_set", "gs-name": "gcse 9-1", "gs-kind": "list", "gs-grades": ""})
    assert response.status_code == 200
    form = response.context["grade_set_form"]
    assert form.errors["name"] and form.errors["grades"]
    response = client.post(url, {"form": "grade_set", "gs-name": "A level", "gs-kind": "list",
                                 "gs-grades": "A*\nA\nB\nC\nD\nE"})
    assert response.status_code == 302
    point = _point(world)
    client.post(f"/institutions/{world.institutions['a1'].pk}/assessment/points/{point.pk}/", {"action": "lock"})
    point.refresh_from_db()
    assert point.locked
    edit = f"/institutions/{world.institutions['a1'].pk}/assessment/points/{point.pk}/edit/"
    response = client.post(edit, {"name": "Autumn", "date": "1999-01-01"})
    assert response.status_code == 200 and "must be within" in response.content.decode()
    assert client.post(edit, {"name": "Autumn data", "date": point.date.isoformat()}).status_code == 302
    point.refresh_from_db()
    assert point.name == "Autumn data"


def test_exports_are_complete_and_safe_in_a_spreadsheet(client, world) -> None:
    person = world.people["a1.learnerA1"]
    person.family_name = "=HYPERLINK(1)"
    person.save()
    _login(client, world, "a1.head")
    response = client.get(f"/assessment/points/{_point(world).pk}/grades.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["UPN", "Surname", "Forename"] and len(rows) == 7  # header + 2 learners x 3 aspects
    assert all(not row[1].startswith("=") for row in rows[1:])
    xlsx = client.get(f"/assessment/points/{_point(world).pk}/grades.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 7
    assert AuditEvent.objects.filter(action="export.grades").count() == 2


def test_sen_page_shows_each_reader_their_level(client, world) -> None:
    url = f"/learners/{world.learners['a1.learnerA1'].pk}/sen/"
    full = _login(client, world, "a1.senco").get(url).content.decode()
    assert "Reading intervention three times a week" in full and "Change the SEN record" in full
    teacher = _login(client, world, "a1.teacher").get(url).content.decode()
    assert "Dyslexia: give printed notes" in teacher and "Reading intervention three times" not in teacher
    parent = _login(client, world, "parent.a1").get(url).content.decode()
    assert "Extra reading support each week" in parent and "Dyslexia" not in parent and "Reading age up a year" in parent
    office = _login(client, world, "a1.office").get(url).content.decode()
    assert "No special educational needs information is recorded or shared with you" in office
    assert AuditEvent.objects.filter(action="read.sen", learner_id=world.learners["a1.learnerA1"].pk).count() == 3


def test_senco_changes_a_status_and_the_history_grows(client, world) -> None:
    _login(client, world, "a1.senco")
    learner = world.learners["a1.learnerA1"]
    record = SenRecord.objects.get(learner=learner)
    url = f"/learners/{learner.pk}/sen/{world.institutions['a1'].pk}/"
    response = client.post(url, {"status": "E", "status_since": "2000-01-01", "primary_need": "SPLD",
                                 "secondary_need": "SPLD", "seen_version": record.version})
    assert response.status_code == 200
    assert "must differ" in response.content.decode()
    from commonroom.common.dates import today

    response = client.post(url, {"status": "E", "status_since": today().isoformat(), "primary_need": "SPLD",
                                 "secondary_need": "SLCN", "seen_version": record.version, "share_with_family": "on",
                                 "family_summary": "Now with an EHC plan"})
    assert response.status_code == 302
    episodes = list(SenEpisode.objects.filter(record=record).order_by("start_date").values_list("status", "end_date"))
    assert [status for status, _end in episodes] == ["K", "E"] and episodes[0][1] is not None and episodes[1][1] is None
    # The audit names what changed, never the text itself.
    event = AuditEvent.objects.filter(action="sen.record_saved").latest("pk")
    assert "Now with an EHC plan" not in str(event.detail)


@pytest.mark.parametrize(("persona", "url", "budget"), [
    ("a1.teacher", "/assessment/", 16),
    ("a1.teacher", "marksheet", 20),
    ("a1.teacher", "learner_progress", 20),
    ("a1.teacher", "group_progress", 18),
    ("a1.head", "institution_progress", 16),
    ("a1.senco", "sen_register", 14),
    ("a1.senco", "learner_sen", 22),
    ("a1.teacher", "/reports/", 20),
    ("a1.teacher", "report_writing", 24),
    ("parent.a1", "published_report", 14),
])
def test_main_pages_keep_to_their_query_budget(client, world, django_assert_max_num_queries, persona, url, budget) -> None:
    from commonroom.records.models import PublishedReport, ReportCycle

    urls = {
        "marksheet": f"/groups/{world.groups['a1.maths'].pk}/marksheet/{_point(world).pk}/",
        "learner_progress": f"/learners/{world.learners['a1.learnerA1'].pk}/progress/",
        "group_progress": f"/groups/{world.groups['a1.maths'].pk}/progress/",
        "institution_progress": f"/institutions/{world.institutions['a1'].pk}/progress/",
        "sen_register": f"/institutions/{world.institutions['a1'].pk}/sen/",
        "learner_sen": f"/learners/{world.learners['a1.learnerA1'].pk}/sen/",
        "report_writing": f"/reports/cycles/{ReportCycle.objects.get(institution=world.institutions['a1'], name='Year 10 spring').pk}"
                          f"/groups/{world.groups['a1.maths'].pk}/",
        "published_report": f"/reports/{PublishedReport.objects.get(learner=world.learners['a1.learnerA1']).pk}/",
    }
    _login(client, world, persona)
    with django_assert_max_num_queries(budget):
        assert client.get(urls.get(url, url)).status_code == 200
