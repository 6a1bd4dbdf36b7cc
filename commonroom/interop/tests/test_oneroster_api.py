"""The OneRoster API operations: the zip out, a package in (a dry run unless asked), 422 with every problem."""

from __future__ import annotations

import pytest

from commonroom.interop.tests.test_oneroster_exchange import counts_of, export, files_of, for_school
from commonroom.interop.tests.test_oneroster_pages import HOSTILE, no_year_at, upload
from commonroom.testing import oracle

MATRIX_PERSONAS = ["a1.head", "a1.leader", "a1.office", "a1.senco", "a1.teacher", "a1.learnerA1", "b1.office",
                   "b2.office", "parent.a1", "la1.officer", "platform.admin", "nobody"]


def api_url(world, inst: str = "b2") -> str:
    return f"/api/v1/institutions/{world.institutions[inst].pk}/oneroster"


def test_the_api_exports_the_zip(client, world) -> None:
    client.force_login(world.users["a1.office"])
    response = client.get(api_url(world, "a1"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="oneroster-100001-')
    assert files_of(response.content)["classes"]


def test_the_api_checks_by_default_and_imports_when_asked(client, world) -> None:
    data = for_school(world, export(world)[1], "b2")
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    client.force_login(world.users["b2.office"])
    checked = client.post(api_url(world), {"file": upload(data)})
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["dry_run"] is True and body["counts"]["learners"]["created"] == 4
    assert counts_of(b2) == before
    done = client.post(api_url(world), {"file": upload(data), "dry_run": "false"})
    assert done.status_code == 200 and done.json()["dry_run"] is False
    assert counts_of(b2)["enrolments"] == before["enrolments"] + 4
    skipped = [item for item in done.json()["items"] if item["action"] == "skipped" and item["kind"] == "staff"]
    assert skipped and all("never creates staff" in item["reason"] for item in skipped)


def test_the_api_answers_422_with_every_problem_and_writes_nothing(client, world) -> None:
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    client.force_login(world.users["b2.office"])
    refused = client.post(api_url(world), {"file": upload(export(world)[1]), "dry_run": "false"})
    assert refused.status_code == 422
    [problem] = refused.json()["problems"]
    assert problem["file"] == "orgs.csv" and problem["column"] == "identifier"
    assert "another school" in refused.json()["detail"][0]["msg"]
    bad = client.post(api_url(world), {"file": upload(HOSTILE["a CSV with a NUL"][0]), "dry_run": "false"})
    assert bad.status_code == 422 and any(p["line"] == 2 for p in bad.json()["problems"])
    missing = client.post(api_url(world), {"dry_run": "true"})
    assert missing.status_code == 422 and "multipart field 'file'" in missing.json()["problems"][0]["message"]
    assert counts_of(b2) == before


@pytest.mark.parametrize("persona", MATRIX_PERSONAS)
def test_the_api_import_with_a_real_file_follows_the_oracle(client, world, persona: str) -> None:
    """The matrix sends JSON (no file); here each persona posts the real multipart package as a dry run."""
    data = for_school(world, export(world)[1], "a1")
    client.force_login(world.users[persona])
    response = client.post(api_url(world, "a1"), {"file": upload(data)})
    assert response.status_code == (200 if oracle.may_enrol_at(persona, "a1") else 404)


def test_the_api_export_answers_409_without_an_academic_year(client, world) -> None:
    no_year_at(world, "a1")
    client.force_login(world.users["a1.head"])
    response = client.get(api_url(world, "a1"))
    assert response.status_code == 409 and "no academic year covering today" in response.json()["detail"]
