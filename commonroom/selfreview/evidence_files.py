"""Files as evidence on an aspect's answer: upload, list, download and remove.

Whoever may change the answer (``AspectAnswer`` "change": the review's leaders, and the colleague assigned
the element, while the review is in progress) uploads a file: PDF, images, office documents or plain text
up to 10 MB, checked by its content (``common.uploads.check_upload``). It is stored under a random name and
only ever sent back as an attachment, to whoever may read the review. An editor may remove a file while the
review is in progress; a completed review's files are kept and can no longer change. Uploads, removals and
downloads are audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, get_for, require
from commonroom.common.uploads import OFFICE_AND_IMAGES, check_upload
from commonroom.selfreview.models import AspectAnswer, EvidenceFile, Review

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 20  # per aspect


def files_for(answer: AspectAnswer) -> list[EvidenceFile]:
    """The files attached to an answer (one query). The caller has checked the actor may read the review."""
    return list(EvidenceFile.objects.filter(institution_id=answer.institution_id, answer_id=answer.pk)
                .select_related("uploaded_by"))


def files_by_aspect(review: Review) -> dict[int, list[EvidenceFile]]:
    """Every file of a review by aspect id (one query), for the result and its exports."""
    found: dict[int, list[EvidenceFile]] = {}
    for item in EvidenceFile.objects.filter(institution_id=review.institution_id, review_id=review.pk):
        found.setdefault(item.aspect_id, []).append(item)
    return found


def _in_progress(answer_id: int) -> AspectAnswer:
    row = AspectAnswer.objects.select_for_update().select_related("review").get(pk=answer_id)
    if row.review.status != Review.Status.IN_PROGRESS:
        raise ValidationError({"file": _("This review is completed: its evidence no longer changes.")})
    return row


def file_upload(*, actor: Actor, answer: AspectAnswer, upload: UploadedFile | None) -> EvidenceFile:
    """Check and store one file on the answer, or ``ValidationError`` at ``file`` (nothing stored)."""
    require(actor, "change", answer)
    if actor.person_id is None:
        raise NotFound()
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name, content_type = check_upload(upload, allowed=OFFICE_AND_IMAGES, max_bytes=MAX_BYTES, field="file")
    stored = ""
    try:
        with transaction.atomic():
            row = _in_progress(answer.pk)
            if EvidenceFile.objects.filter(institution_id=row.institution_id, answer_id=row.pk).count() >= MAX_FILES:
                raise ValidationError({"file": _("Up to %(n)s files per aspect: remove one first.") % {"n": MAX_FILES}})
            item = EvidenceFile(institution_id=row.institution_id, review_id=row.review_id, aspect_id=row.aspect_id,
                                answer=row, file_name=name, file_type=content_type, size=int(upload.size or 0),
                                uploaded_by_id=actor.person_id)
            item.file.save("evidence", upload, save=False)
            stored = item.file.name or ""
            item.save()
            audit.record(actor, "selfreview.evidence_file.upload", row, institution_id=row.institution_id,
                         detail={"review": row.review_id, "file": item.pk, "name": name, "size": item.size})
    except Exception:
        if stored:  # nothing is kept of a refused or failed upload
            item.file.storage.delete(stored)
        raise
    return item


def file_remove(*, actor: Actor, item: EvidenceFile) -> None:
    """Remove a file from the answer (only while the review is in progress). The stored file goes once
    the removal is committed."""
    require(actor, "remove", item)
    with transaction.atomic():
        row = _in_progress(item.answer_id)
        stored, storage = item.file.name, item.file.storage
        EvidenceFile.objects.filter(pk=item.pk).delete()
        audit.record(actor, "selfreview.evidence_file.remove", row, institution_id=row.institution_id,
                     detail={"review": row.review_id, "file": item.pk, "name": item.file_name})
        transaction.on_commit(lambda: storage.delete(stored))


def file_for_download(actor: Actor, pk: int) -> EvidenceFile:
    """A file whoever may read its review may download (else ``NotFound``). Audited."""
    item: EvidenceFile = get_for(actor, EvidenceFile, pk)
    audit.record(actor, "read.selfreview_evidence_file", item, institution_id=item.institution_id,
                 detail={"review": item.review_id, "name": item.file_name})
    return item
