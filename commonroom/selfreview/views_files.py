"""Pages for files as evidence on an aspect: upload, download and remove (see evidence_files.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.views import apply_service_errors
from commonroom.selfreview import evidence_files, selectors
from commonroom.selfreview.forms import EvidenceFileForm
from commonroom.selfreview.models import EvidenceFile
from commonroom.selfreview.views import render_aspect


def _files_url(review_pk: int, aspect_pk: int) -> str:
    return reverse("selfreview:aspect", args=[review_pk, aspect_pk]) + "#evidence-files"


@login_required
@require_POST
def file_upload(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    review_obj, answer, editable = selectors.answer_for(actor, pk, aspect_pk)
    if not editable:
        raise NotFound()
    form = EvidenceFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            item = evidence_files.file_upload(actor=actor, answer=answer, upload=form.cleaned_data.get("file"))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("File added to the evidence: %(name)s.") % {"name": item.file_name})
            return redirect(_files_url(pk, aspect_pk))
    return render_aspect(request, actor, review_obj, answer, editable, file_form=form)


@login_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    return download(evidence_files.file_for_download(actor_for(request), pk))


def download(item: EvidenceFile) -> FileResponse:
    """Always an attachment, with the type the content was checked to be, never sniffed."""
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name or "evidence",
                            content_type=item.file_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def file_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    item: EvidenceFile = get_for(actor, EvidenceFile, pk, "remove")
    try:
        evidence_files.file_remove(actor=actor, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("File removed from the evidence: %(name)s.") % {"name": item.file_name})
    return redirect(_files_url(item.review_id, item.aspect_id))
