"""Files as evidence on an aspect's answer: checked by content, stored under a random name, listed on the aspect
page and in the result and its exports, downloaded only by those who may read the review, removed by editors while
the review is in progress, audited; over the pages and the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonroom.authz.actor import Actor
from commonroom.authz.models import AuditEvent
from commonroom.selfreview import evidence_files
from commonroom.selfreview.models import AspectAnswer, EvidenceFile, Review
from commonroom.selfreview.testing_world import evidence_file_named, review_named

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
API = "/api/v1/self-review"


def _answer(world, review: str = "a1.current", code: str = "2a-1") -> AspectAnswer:  # type: ignore[no-untyped-def]
    return AspectAnswer.objects.select_related("review", "aspect").get(review=review_named(world, review), aspect__code=code)


def _page(answer: AspectAnswer) -> str:
    return f"/self-review/reviews/{answer.review_id}/aspects/{answer.aspect_id}/"


def _api_files(answer: AspectAnswer) -> str:
    return f"{API}/reviews/{answer.review_id}/answers/{answer.aspect_id}/files"


def _login(client, world, persona: str):  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    return client


def _stored(institution_id: int) -> set[str]:
    try:
        return set(default_storage.listdir(f"selfreview/evidence/{institution_id}")[1])
    except FileNotFoundError:
        return set()


def test_an_assigned_colleague_uploads_a_pdf_listed_on_the_page_the_result_and_the_exports(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    _login(client, world, "a1.teacher")
    response = client.post(_page(answer) + "files/", {"file": SimpleUploadedFile("Curriculum map.pdf", PDF, "text/html")})
    assert response.status_code == 302 and response["Location"].endswith("#evidence-files")
    item = EvidenceFile.objects.get(answer=answer, file_name="Curriculum map.pdf")
    # the content decides the type, not the browser; the stored name is random and says nothing of the upload
    assert (item.file_type, item.size, item.uploaded_by_id) == ("application/pdf", len(PDF), world.people["a1.teacher"].pk)
    assert "Curriculum" not in item.file.name and item.file.name.startswith(f"selfreview/evidence/{answer.institution_id}/")
    assert AuditEvent.objects.filter(action="selfreview.evidence_file.upload", detail__file=item.pk).count() == 1

    page = client.get(_page(answer)).content.decode()
    assert "Curriculum map.pdf" in page and f"/self-review/evidence-files/{item.pk}/" in page
    result = client.get(f"/self-review/reviews/{answer.review_id}/result/").content.decode()
    assert "Curriculum map.pdf" in result and f"/self-review/evidence-files/{item.pk}/" in result
    rows = list(csv.DictReader(io.StringIO(client.get(f"/self-review/reviews/{answer.review_id}/result.csv").content.decode())))
    by_code = {row["aspect"]: row["files"] for row in rows}
    assert by_code["2a-1"] == "plan.txt | Curriculum map.pdf"
    assert by_code["1a-1"] == ""
    pdf = client.get(f"/self-review/reviews/{answer.review_id}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_governor_downloads_as_an_attachment_and_the_read_is_audited(world, client) -> None:  # type: ignore[no-untyped-def]
    item = evidence_file_named(world, "a1.current")
    _login(client, world, "a1.governor")
    response = client.get(f"/self-review/evidence-files/{item.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Our plan.\n\n"
    assert response["Content-Disposition"].startswith("attachment") and "plan.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"].startswith("text/plain")
    api = client.get(f"{API}/evidence-files/{item.pk}")
    assert api.status_code == 200 and api["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="read.selfreview_evidence_file", actor_id=world.people["a1.governor"].pk).count() == 2
    listed = client.get(_api_files(item.answer)).json()
    assert [(row["id"], row["file_name"], row["size"]) for row in listed] == [(item.pk, "plan.txt", 12)]


def test_a_governor_reads_the_files_but_cannot_upload_or_remove(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    item = evidence_file_named(world, "a1.current")
    _login(client, world, "a1.governor")
    page = client.get(_page(answer)).content.decode()
    assert "plan.txt" in page and 'enctype="multipart/form-data"' not in page and "/remove/" not in page
    before = EvidenceFile.objects.count()
    assert client.post(_page(answer) + "files/", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(_api_files(answer), {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(f"/self-review/evidence-files/{item.pk}/remove/").status_code == 404
    assert client.delete(f"{API}/evidence-files/{item.pk}").status_code == 404
    assert EvidenceFile.objects.count() == before


def test_another_schools_head_gets_404_everywhere(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    item = evidence_file_named(world, "a1.current")
    _login(client, world, "b1.head")
    assert client.get(f"/self-review/evidence-files/{item.pk}/").status_code == 404
    assert client.get(f"{API}/evidence-files/{item.pk}").status_code == 404
    assert client.get(_api_files(answer)).status_code == 404
    assert client.post(_page(answer) + "files/", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.delete(f"{API}/evidence-files/{item.pk}").status_code == 404
    assert EvidenceFile.objects.filter(pk=item.pk).exists()
    assert not EvidenceFile.objects.filter(file_name="a.pdf").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("run.exe", b"MZ" + b"\0" * 100, "Files named .exe are not accepted"),
    ("photo.png", PDF, "its content is PDF"),
    ("notes.txt", b"x" * (10 * 1024 * 1024 + 1), "The file is too big: the largest allowed is 10.0 MB."),
])
def test_a_bad_type_or_an_oversize_file_is_named_at_the_field_and_nothing_is_stored(world, client, name, content, message) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    _login(client, world, "a1.head")
    before_rows, before_files = EvidenceFile.objects.count(), _stored(answer.institution_id)
    response = client.post(_page(answer) + "files/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    form = response.context["file_form"]
    assert any(message in error for error in form.errors["file"]), form.errors
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_file"' in page
    api = client.post(_api_files(answer), {"file": SimpleUploadedFile(name, content)})
    assert api.status_code == 422
    assert [(d["loc"][-1], message in d["msg"]) for d in api.json()["detail"]] == [("file", True)]
    assert EvidenceFile.objects.count() == before_rows
    assert _stored(answer.institution_id) == before_files


def test_the_api_uploads_lists_and_deletes(world, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    _login(client, world, "a1.head")
    made = client.post(_api_files(answer), {"file": SimpleUploadedFile("minutes.txt", b"Governors met.\n")})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["file_name"], body["file_type"], body["size"], body["aspect_id"]) == ("minutes.txt", "text/plain", 15, answer.aspect_id)
    assert [row["file_name"] for row in client.get(_api_files(answer)).json()] == ["plan.txt", "minutes.txt"]
    item = EvidenceFile.objects.get(pk=body["id"])
    stored = item.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{API}/evidence-files/{item.pk}").status_code == 204
    assert not EvidenceFile.objects.filter(pk=item.pk).exists()
    assert not default_storage.exists(stored)
    assert AuditEvent.objects.filter(action="selfreview.evidence_file.remove", detail__file=item.pk).count() == 1
    assert client.post(_api_files(answer)).status_code == 422  # no file sent


def test_an_editor_removes_a_file_from_the_page(world, client) -> None:  # type: ignore[no-untyped-def]
    item = evidence_file_named(world, "a1.current")
    _login(client, world, "a1.teacher")  # assigned element 2, whose aspect holds the file
    response = client.post(f"/self-review/evidence-files/{item.pk}/remove/")
    assert response.status_code == 302 and response["Location"].endswith("#evidence-files")
    assert not EvidenceFile.objects.filter(pk=item.pk).exists()


def test_a_completed_reviews_files_are_read_but_never_change(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "a1.finished")
    item = evidence_file_named(world, "a1.finished")
    _login(client, world, "a1.head")
    page = client.get(_page(answer)).content.decode()
    assert "plan.txt" in page and 'enctype="multipart/form-data"' not in page
    assert client.get(f"/self-review/evidence-files/{item.pk}/").status_code == 200
    assert client.post(_page(answer) + "files/", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(_api_files(answer), {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(f"/self-review/evidence-files/{item.pk}/remove/").status_code == 404
    assert client.delete(f"{API}/evidence-files/{item.pk}").status_code == 404
    assert list(EvidenceFile.objects.filter(review=answer.review).values_list("pk", flat=True)) == [item.pk]


def test_a_review_completed_while_the_upload_was_on_its_way_refuses_it(world) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)  # loaded while the review was in progress
    item = EvidenceFile.objects.select_related("answer__review").get(pk=evidence_file_named(world, "a1.current").pk)
    Review.objects.filter(pk=answer.review_id).update(status=Review.Status.COMPLETED)
    before = _stored(answer.institution_id)
    with pytest.raises(ValidationError) as error:
        evidence_files.file_upload(actor=world.actor("a1.head"), answer=answer, upload=SimpleUploadedFile("a.pdf", PDF))
    assert "completed" in error.value.message_dict["file"][0]
    assert not EvidenceFile.objects.filter(file_name="a.pdf").exists()
    assert _stored(answer.institution_id) == before
    with pytest.raises(ValidationError):
        evidence_files.file_remove(actor=world.actor("a1.head"), item=item)
    assert EvidenceFile.objects.filter(pk=item.pk).exists()


def test_the_aspect_page_takes_the_same_queries_with_several_files(world, client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world)
    _login(client, world, "a1.head")
    client.get(_page(answer))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(_page(answer)).status_code == 200
    actor = world.actor("a1.head")
    for n in range(5):
        evidence_files.file_upload(actor=actor, answer=answer, upload=SimpleUploadedFile(f"n{n}.txt", b"note\n"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(_page(answer)).content.decode()
    assert all(f"n{n}.txt" in page for n in range(5))
    with django_assert_max_num_queries(30):
        client.get(_page(answer))


def test_a_system_actor_cannot_upload(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.authz.api import NotFound

    with pytest.raises(NotFound):
        evidence_files.file_upload(actor=Actor.system("test"), answer=_answer(world), upload=SimpleUploadedFile("a.pdf", PDF))
