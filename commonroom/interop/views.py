"""Importing a school's records from CSV: upload, preview, then import (all or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.interop import csv_import
from commonroom.interop.forms import ImportForm
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
