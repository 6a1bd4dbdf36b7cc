"""Files as evidence over the API, scoped exactly as the pages: whoever may read the review lists and downloads;
whoever may change the answer uploads (multipart, field ``file``) and removes while the review is in progress.
Missing and forbidden both answer 404; a refused file answers 422 naming the field ``file``."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status, UploadedFile

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.selfreview import evidence_files, selectors
from commonroom.selfreview.models import EvidenceFile

router = Router(tags=["self-review"])


class SelfReviewEvidenceFileOut(Schema):
    id: int
    aspect_id: int
    file_name: str
    file_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime.datetime
    download_url: str


def _file(item: EvidenceFile) -> dict[str, Any]:
    return {"id": item.pk, "aspect_id": item.aspect_id, "file_name": item.file_name, "file_type": item.file_type,
            "size": item.size, "uploaded_by": item.uploaded_by.full_name if item.uploaded_by_id else "",
            "uploaded_at": item.uploaded_at, "download_url": f"/api/v1/self-review/evidence-files/{item.pk}"}


_FILES = "/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/files"
_FILE_RESPONSE = {"responses": {"200": {
    "description": "The file, as an attachment (Content-Disposition), with the type it was checked to be",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}}}


@router.get(_FILES, response={200: list[SelfReviewEvidenceFileOut], **DETAIL_ERRORS},
            summary="Files attached as evidence to an aspect's answer")
def files_list(request: HttpRequest, self_review_id: int = id_in_path(), framework_aspect_id: int = id_in_path()) -> Any:
    _review, answer, _editable = selectors.answer_for(actor_for(request), self_review_id, framework_aspect_id)
    return [_file(item) for item in evidence_files.files_for(answer)]


@router.post(_FILES, response={201: SelfReviewEvidenceFileOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Attach a file as evidence (multipart field 'file': PDF, image, office document or text, up to 10 MB)")
def file_upload(request: HttpRequest, self_review_id: int = id_in_path(), framework_aspect_id: int = id_in_path(),
                file: UploadedFile | None = File(None, description="The file, up to 10 MB")) -> Any:  # noqa: B008
    actor = actor_for(request)
    _review, answer, editable = selectors.answer_for(actor, self_review_id, framework_aspect_id)
    if not editable:
        raise NotFound()
    item = evidence_files.file_upload(actor=actor, answer=answer, upload=file)
    return Status(201, _file(item))


@router.get("/self-review/evidence-files/{evidence_file_id}", response=DETAIL_ERRORS, openapi_extra=_FILE_RESPONSE,
            summary="Download a file attached as evidence")
def file_download(request: HttpRequest, evidence_file_id: int = id_in_path()) -> Any:
    from commonroom.selfreview.views_files import download

    return download(evidence_files.file_for_download(actor_for(request), evidence_file_id))


@router.delete("/self-review/evidence-files/{evidence_file_id}", response={204: None, **DETAIL_ERRORS, **WRITE_ERRORS},
               summary="Remove a file from the evidence (while the review is in progress)")
def file_delete(request: HttpRequest, evidence_file_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    item = get_for(actor, EvidenceFile, evidence_file_id, "remove")
    evidence_files.file_remove(actor=actor, item=item)
    return Status(204, None)
