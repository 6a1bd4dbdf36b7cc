"""Importing a school's records from CSV, and Common Transfer Files in and out: upload, preview, then
import (all or nothing); choose learners and download their CTF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from commonroom.authz import audit
from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.interop import csv_import, ctf_exchange
from commonroom.interop.ctf import DEFAULT_MAX_BYTES, CtfError, read_upload
from commonroom.interop.forms import CtfConfirmForm, CtfExportForm, CtfUploadForm, ImportForm
from commonroom.interop.uploads import cap_uploads, digest, hold, matches, release
from commonroom.organisations.models import Institution


@login_required
@require_http_methods(["GET", "POST"])
def csv_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="enrol")
    form = ImportForm(request.POST or None, request.FILES or None)
    plan, problems, texts = None, [], {}
    if request.method == "POST" and form.is_valid():
        texts = form.texts()
        if not form.errors:
            try:
                if request.POST.get("action") == "import":
                    counts = csv_import.commit(actor=actor, institution=institution, texts=texts)
                    messages.success(request, _("Imported. Learners: %(learners)s; groups: %(groups)s; memberships: "
                                                "%(memberships)s; contacts: %(contacts)s.") % counts)
                    return redirect("organisations:institution_detail", institution.pk)
                plan = csv_import.preview(actor=actor, institution=institution, texts=texts)
            except csv_import.ImportRefused as refused:
                problems = refused.problems
    return render(request, "interop/csv_upload.html", {
        "institution": institution, "form": form, "plan": plan, "problems": problems, "texts": texts,
    })


# Common Transfer Files ------------------------------------------------------------------------------------------

CTF_MAX_BYTES = DEFAULT_MAX_BYTES


@login_required
@csrf_exempt  # CSRF is checked by the inner view, after the upload cap is in place
@require_http_methods(["GET", "POST"])
def ctf_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CTF, see what importing it would do pupil by pupil, then import it (all or nothing)."""
    if request.method == "POST":
        cap_uploads(request, CTF_MAX_BYTES)
    return _ctf_import(request, pk)


def _too_large() -> list[str]:
    return list(CtfError(_("The file is larger than the %(size)s limit for a Common Transfer File, so it was not "
                           "read. Check it is the right file; a very large transfer can be sent in parts.")
                         % {"size": "20 MB"}).problems)


@csrf_protect
def _ctf_import(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="enrol")
    keys: dict[str, Any] = {"institution_id": institution.pk, "user_id": request.user.pk}
    upload_form = CtfUploadForm()
    confirm_form = None
    plan, problems = None, []
    if request.method == "POST":
        action = request.POST.get("action")  # reading the form runs the upload, and the size cap with it
        if getattr(request, "upload_too_large", False):
            problems = _too_large()
        elif action == "import":
            confirm = CtfConfirmForm(request.POST, request.FILES)
            data = None
            if confirm.is_valid():
                held, chosen = confirm.cleaned_data["held"], confirm.cleaned_data["file"]
                if held:
                    data = release(held, max_bytes=CTF_MAX_BYTES, **keys)
                elif chosen is not None and confirm.cleaned_data["digest"]:
                    try:
                        data = read_upload(chosen, max_bytes=CTF_MAX_BYTES)
                    except CtfError as refused:
                        problems = list(refused.problems)
                    if data is not None and not matches(data, confirm.cleaned_data["digest"], **keys):
                        data = None
            if data is None and not problems:
                problems = [_("The file to import could not be found, or is not the file that was checked. Choose it "
                              "and check it again.")]
            elif data is not None:
                try:
                    report = ctf_exchange.ctf_import(actor=actor, institution=institution, data=data,
                                                     join_date=confirm.cleaned_data["join_date"])
                except CtfError as refused:
                    problems = list(refused.problems)
                else:
                    counts = report.counts()
                    messages.success(request, _(
                        "Common Transfer File imported. New learners: %(create)s; learners updated: %(update)s; "
                        "pupils skipped: %(skip)s."
                    ) % counts)
                    return redirect("organisations:institution_detail", institution.pk)
        else:
            upload_form = CtfUploadForm(request.POST, request.FILES)
            if upload_form.is_valid() and upload_form.cleaned_data["file"] is None:
                upload_form.add_error("file", _("Choose the Common Transfer File to import."))
            if upload_form.is_valid():
                try:
                    data = read_upload(upload_form.cleaned_data["file"], max_bytes=CTF_MAX_BYTES)
                    plan = ctf_exchange.ctf_preview(actor=actor, institution=institution, data=data,
                                                    join_date=upload_form.cleaned_data["join_date"])
                except CtfError as refused:
                    problems = list(refused.problems)
                else:
                    held = hold(data, **keys)
                    confirm_form = CtfConfirmForm(initial={
                        "join_date": plan.join_date, "held": held or "",
                        "digest": "" if held else digest(data, **keys),
                    })
    return render(request, "interop/ctf_import.html", {
        "institution": institution, "form": upload_form, "confirm_form": confirm_form, "plan": plan,
        "counts": plan.counts() if plan else None, "problems": problems, "max_size": "20 MB",
    })


@login_required
@require_http_methods(["GET", "POST"])
def ctf_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose learners (leavers of the last 12 months, or a group) and download their CTF."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="enrol")
    groups = ctf_exchange.export_groups(actor, institution)
    chosen_group = request.POST.get("group") if request.method == "POST" else request.GET.get("group")
    group = next((g for g in groups if str(g.pk) == chosen_group), None)
    candidates = ctf_exchange.transfer_candidates(actor, institution, group=group)
    choices = [(learner.pk, f"{learner.person.family_name}, {learner.person.given_name}") for learner in candidates]
    form = CtfExportForm(request.POST if request.method == "POST" else None, learners=choices)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            name, data = ctf_exchange.ctf_export(
                actor=actor, institution=institution, learner_ids=form.cleaned_data["learners"],
                qualifier=form.cleaned_data["qualifier"], dest_laestab=form.cleaned_data["dest_laestab"].strip() or None,
            )
        except CtfError as refused:
            problems = list(refused.problems)
        else:
            response = HttpResponse(data, content_type="application/xml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    audit.record_learner_list_read(actor, [learner.pk for learner in candidates], what="ctf_export_list")
    selected = set(request.POST.getlist("learners")) if form.is_bound else {str(learner.pk) for learner in candidates}
    return render(request, "interop/ctf_export.html", {
        "institution": institution, "form": form, "groups": groups, "group": group, "candidates": candidates,
        "selected": selected, "problems": problems,
    })
