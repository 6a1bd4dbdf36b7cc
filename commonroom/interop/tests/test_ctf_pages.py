"""The CTF pages and API: upload, preview, import; choose learners and download; hostile uploads answered
with a clear message on the page (never a 500)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonroom.authz.models import AuditEvent
from commonroom.interop.ctf import read_ctf
from commonroom.interop.ctf.tests.fixtures import FULL_FILE, FULL_PUPIL
from commonroom.interop.ctf.tests.test_xml import BILLION_LAUGHS, EXTERNAL_ENTITY
from commonroom.interop.tests.test_ctf_exchange import _bad_file, addressed_to, snapshot
from commonroom.people.models import Learner

MB = 1024 * 1024


def signed_in(world, persona: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users[persona])
    return client


def import_url(world, inst: str = "b2") -> str:  # type: ignore[no-untyped-def]
    return f"/institutions/{world.institutions[inst].pk}/ctf/import/"


def export_url(world, inst: str = "a1") -> str:  # type: ignore[no-untyped-def]
    return f"/institutions/{world.institutions[inst].pk}/ctf/export/"


def upload(data: bytes, name: str = "8012000_CTF_8027001_001.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


# The import page.


def test_the_import_page_shows_the_form_and_the_size_limit(world):
    response = signed_in(world, "b2.office").get(import_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "20 MB" in page
    assert '<label class="govuk-label" for="id_file">' in page


def test_upload_preview_then_import(world):
    client = signed_in(world, "b2.office")
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    response = client.post(import_url(world), {"action": "preview", "file": upload(data)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "What importing will do, pupil by pupil" in page and "<caption" in page and 'scope="row"' in page
    assert FULL_PUPIL.upn in page and "New to Commonroom." in page
    assert not Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    held = response.context["confirm_form"]["held"].value()
    assert held
    response = client.post(import_url(world), {"action": "import", "held": held,
                                               "join_date": response.context["plan"].join_date.isoformat()})
    assert response.status_code == 302
    assert Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    # The same file again: everyone is skipped, and there is nothing to confirm.
    response = client.post(import_url(world), {"action": "preview", "file": upload(data)})
    page = response.content.decode()
    assert "There is nothing to import" in page and 'value="import"' not in page


def test_a_held_file_cannot_be_swapped_or_replayed_elsewhere(world):
    client = signed_in(world, "b2.office")
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    held = client.post(import_url(world), {"action": "preview", "file": upload(data)}).context["confirm_form"]["held"].value()
    before = snapshot()
    tampered = held[:-3] + ("AAA" if not held.endswith("AAA") else "BBB")
    response = client.post(import_url(world), {"action": "import", "held": tampered})
    assert response.status_code == 200 and "is not the file that was checked" in response.content.decode()
    # Another user at the same school cannot use it either.
    response = signed_in(world, "b2.head").post(import_url(world), {"action": "import", "held": held})
    assert response.status_code == 200 and "is not the file that was checked" in response.content.decode()
    assert snapshot() == before


def test_a_very_large_file_is_chosen_again_and_must_be_the_same(world, monkeypatch):
    from commonroom.interop import uploads

    monkeypatch.setattr(uploads, "MAX_HELD_CHARS", 10)
    client = signed_in(world, "b2.office")
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    response = client.post(import_url(world), {"action": "preview", "file": upload(data)})
    confirm = response.context["confirm_form"]
    assert confirm["held"].value() == "" and confirm["digest"].value()
    assert "choose the same file again" in response.content.decode()
    other = addressed_to(FULL_FILE, world.institutions["b2"]).replace(b"Zo\xc3\xab", b"Zoe")
    response = client.post(import_url(world), {"action": "import", "digest": confirm["digest"].value(),
                                               "file": upload(other)})
    assert response.status_code == 200 and not Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    response = client.post(import_url(world), {"action": "import", "digest": confirm["digest"].value(),
                                               "file": upload(data)})
    assert response.status_code == 302 and Learner.objects.filter(upn=FULL_PUPIL.upn).exists()


def test_the_preview_page_costs_the_same_for_5_and_20_pupils(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonroom.interop.tests.test_ctf_exchange import _new_pupils

    client = signed_in(world, "b2.office")
    client.get(import_url(world))
    counts = []
    for count in (5, 20):
        data = addressed_to(dataclasses.replace(FULL_FILE, pupils=_new_pupils(count, 100)), world.institutions["b2"])
        with CaptureQueriesContext(connection) as captured:
            response = client.post(import_url(world), {"action": "preview", "file": upload(data)})
        assert response.status_code == 200 and response.context["counts"]["create"] == count
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20


def test_every_problem_is_listed_on_the_page_and_nothing_is_imported(world):
    before = snapshot()
    response = signed_in(world, "b2.office").post(import_url(world), {"file": upload(_bad_file(world.institutions["b2"]))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 problems: nothing was imported" in page
    assert "Pupil 1 (UPN B801200005001" in page and "&lt;UniqueLearnerNumber&gt;" in page
    assert "Pupil 2 (UPN H801200001001, Khan Adam)" in page and "&lt;DOB&gt;" in page
    assert snapshot() == before


def test_a_50_mb_upload_is_refused_by_size_with_a_message(world):
    """The upload stops as soon as it passes 20 MB: the page answers 200 with the limit, never a 500."""
    before = snapshot()
    huge = b"<CTfile>" + b" " * (50 * MB) + b"</CTfile>"
    response = signed_in(world, "b2.office").post(import_url(world), {"file": upload(huge)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "larger than the 20 MB limit" in page
    assert snapshot() == before


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"\x00\x01 not xml", b""])
def test_hostile_files_get_a_clear_message_never_a_500(world, hostile):
    response = signed_in(world, "b2.office").post(import_url(world), {"file": upload(hostile)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing was imported" in page or "Choose the Common Transfer File" in page
    if hostile in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        assert "document type declaration" in page


def test_no_file_chosen_is_a_form_error(world):
    response = signed_in(world, "b2.office").post(import_url(world), {"action": "preview"})
    assert response.status_code == 200
    assert "Choose the Common Transfer File to import." in response.content.decode()


def test_the_import_form_checks_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["b2.office"])
    response = client.post(import_url(world), {"file": upload(addressed_to(FULL_FILE, world.institutions["b2"]))})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["b2.teacher", "a1.office", "parent.a1"])
def test_others_cannot_post_to_the_import_page(world, persona):
    before = snapshot()
    response = signed_in(world, persona).post(import_url(world), {
        "file": upload(addressed_to(FULL_FILE, world.institutions["b2"]))})
    assert response.status_code == 404
    assert snapshot() == before


def test_the_institution_page_links_to_both(world):
    page = signed_in(world, "a1.office").get(f"/institutions/{world.institutions['a1'].pk}/").content.decode()
    assert import_url(world, "a1") in page and export_url(world, "a1") in page
    page = signed_in(world, "a1.teacher").get(f"/institutions/{world.institutions['a1'].pk}/").content.decode()
    assert "/ctf/" not in page


# The export page.


def test_the_export_page_offers_leavers_by_default(world):
    response = signed_in(world, "a1.office").get(export_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.learners["a1.leaver"].upn in page
    assert world.learners["a1.learnerA1"].upn not in page
    assert "Leavers in the last 12 months" in page and "<caption" in page


def test_the_export_page_offers_a_group(world):
    page = signed_in(world, "a1.office").get(export_url(world), {"group": world.groups["a1.formA"].pk}).content.decode()
    assert world.learners["a1.learnerA1"].upn in page and world.learners["a1.learnerB1"].upn not in page


def test_download_a_ctf(world):
    client = signed_in(world, "a1.office")
    a1, b2 = world.institutions["a1"], world.institutions["b2"]
    response = client.post(export_url(world), {"learners": [world.learners["a1.leaver"].pk], "qualifier": "full",
                                               "dest_laestab": b2.laestab})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Content-Disposition"] == f'attachment; filename="{a1.laestab}_CTF_{b2.laestab}_001.xml"'
    assert read_ctf(response.content).pupils[0].upn == world.learners["a1.leaver"].upn


def test_export_form_errors_are_shown(world):
    response = signed_in(world, "a1.office").post(export_url(world), {"qualifier": "full", "dest_laestab": "12"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one learner." in page and "Enter 7 digits" in page
    assert not AuditEvent.objects.filter(action="export.ctf").exists()


def test_a_learner_not_offered_cannot_be_exported_from_the_page(world):
    response = signed_in(world, "a1.office").post(export_url(world), {
        "learners": [world.learners["b1.learnerA1"].pk], "qualifier": "full"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="export.ctf").exists()


def test_export_page_query_count_is_pinned(world, django_assert_max_num_queries):
    client = signed_in(world, "a1.office")
    client.get(export_url(world))
    with django_assert_max_num_queries(16):
        assert client.get(export_url(world), {"group": world.groups["a1.year10"].pk}).status_code == 200


# The API.


def api_import(client: Client, world, data: bytes | None, *, dry_run: bool | None = None, inst: str = "b2"):  # type: ignore[no-untyped-def]
    form: dict = {}
    if data is not None:
        form["file"] = upload(data)
    if dry_run is not None:
        form["dry_run"] = "true" if dry_run else "false"
    return client.post(f"/api/v1/institutions/{world.institutions[inst].pk}/ctf/import", form)


def test_api_import_is_a_dry_run_by_default(world):
    client = signed_in(world, "b2.office")
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    response = api_import(client, world, data)
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and body["counts"]["create"] == 2
    assert [pupil["action"] for pupil in body["pupils"]] == ["create", "create"]
    assert not Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    response = api_import(client, world, data, dry_run=False)
    assert response.status_code == 200 and response.json()["dry_run"] is False
    assert Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    assert api_import(client, world, data, dry_run=False).json()["counts"]["skip"] == 2


def test_api_import_problems_answer_422_with_every_problem(world):
    before = snapshot()
    response = api_import(signed_in(world, "b2.office"), world, _bad_file(world.institutions["b2"]), dry_run=False)
    assert response.status_code == 422
    body = response.json()
    assert len(body["problems"]) == 2 and "nothing was written" in body["detail"]
    response = api_import(signed_in(world, "b2.office"), world, BILLION_LAUGHS)
    assert response.status_code == 422 and "document type declaration" in response.json()["problems"][0]
    assert snapshot() == before


def test_api_import_refuses_a_file_over_the_limit(world):
    response = api_import(signed_in(world, "b2.office"), world, b"<CTfile>" + b" " * (21 * MB) + b"</CTfile>")
    assert response.status_code == 422 and "20 MB" in response.json()["problems"][0]


def test_api_import_elsewhere_is_404(world):
    data = addressed_to(FULL_FILE, world.institutions["b2"])
    assert api_import(signed_in(world, "a1.office"), world, data).status_code == 404
    assert api_import(signed_in(world, "b2.teacher"), world, data).status_code == 404


def test_api_export(world):
    client = signed_in(world, "a1.office")
    url = f"/api/v1/institutions/{world.institutions['a1'].pk}/ctf/export"
    body = {"learner_ids": [world.learners["a1.leaver"].pk, world.learners["a1.learnerA1"].pk], "qualifier": "full"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{world.institutions["a1"].laestab}_CTF_XXXXXXX_001.xml"')
    assert len(read_ctf(io.BytesIO(response.content).read()).pupils) == 2
    response = client.post(url, {**body, "learner_ids": [world.learners["b1.learnerA1"].pk]},
                           content_type="application/json")
    assert response.status_code == 404
    response = client.post(url, {**body, "dest_laestab": "12"}, content_type="application/json")
    assert response.status_code == 422 and "7 digits" in response.json()["problems"][0]
    response = client.post(url, {"learner_ids": []}, content_type="application/json")
    assert response.status_code == 422
    response = client.post(url, {"learner_ids": [2**70]}, content_type="application/json")
    assert response.status_code == 422


def test_api_export_of_a_barred_learner_is_404(world):
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.common.dates import today

    RoleAssignment.objects.create(person=world.people["a1.teacher2"], role=Role.OFFICE,
                                  institution=world.institutions["a1"], start_date=today())
    response = signed_in(world, "a1.teacher2").post(
        f"/api/v1/institutions/{world.institutions['a1'].pk}/ctf/export",
        {"learner_ids": [world.learners["a1.learnerA1"].pk]}, content_type="application/json")
    assert response.status_code == 404
