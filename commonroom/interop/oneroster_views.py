"""The OneRoster page: export the school's roster as a zip; import one (upload, preview, then confirm).

The package travels from the preview to the confirmation as base64 in a hidden field, so the page
needs no server-side state and works without JavaScript. Django accepts 2.5 MB of form data, so a
package uploaded here may be at most 1.5 MB (a school of a few thousand learners); larger ones go
through the API or ``manage.py oneroster_import``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.interop.oneroster import OneRosterError
from commonroom.interop.oneroster_exchange import (
    ExportRefused,
    current_year,
    problem_lines,
    roster_export,
    roster_import,
    roster_preview,
)
from commonroom.organisations.models import Institution

MAX_PAGE_BYTES = 1_500_000
SHOWN_ITEMS = 200


class PackageForm(forms.Form):
    """A OneRoster zip, uploaded, or (after the preview) carried in a hidden field."""

    package = forms.FileField(
        label=gettext_lazy("OneRoster 1.2 package (.zip)"),
        required=False,
        help_text=gettext_lazy("A zip of CSV files with a manifest.csv, at most 1.5 MB."),
    )
    carried = forms.CharField(widget=forms.HiddenInput, required=False)

    def package_bytes(self) -> bytes | None:
        """The package: an uploaded file wins over the one carried from the preview. None, with the
        error on the form, if there is none or it is too big."""
        upload = self.cleaned_data.get("package")
        if upload is not None:
            if upload.size > MAX_PAGE_BYTES:
                self.add_error("package", _("The file is larger than 1.5 MB: import it with the API or manage.py "
                                            "oneroster_import."))
                return None
            return bytes(upload.read())
        carried = self.cleaned_data.get("carried") or ""
        if carried:
            try:
                return base64.b64decode(carried.encode("ascii"), validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                self.add_error("package", _("The package was lost on the way: choose the file again."))
                return None
        self.add_error("package", _("Choose a OneRoster zip file."))
        return None


def _download(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def oneroster_exchange(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action="enrol")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    context: dict[str, Any] = {
        "institution": institution,
        "year": current_year(institution, actor.on),
        "form": PackageForm(),
        "problems": [],
        "plan": None,
        "report": None,
        "shown": SHOWN_ITEMS,
    }
    if action == "export":
        try:
            filename, data = roster_export(actor=actor, institution=institution)
        except ExportRefused as refused:
            context["export_problem"] = str(refused)
        else:
            return _download(filename, data)
    elif action in ("preview", "import"):
        form = PackageForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            package = form.package_bytes()
            if package is not None:
                try:
                    if action == "import":
                        context["report"] = roster_import(actor=actor, institution=institution, data=package)
                        context["form"] = PackageForm()
                    else:
                        context["plan"] = roster_preview(actor=actor, institution=institution, data=package)
                        context["carried"] = base64.b64encode(package).decode("ascii")
                except OneRosterError as error:
                    context["problems"] = problem_lines(error)
                    form.add_error("package", _("Nothing was imported: put right the problems listed above, then "
                                                "choose the file again."))
    return render(request, "interop/oneroster_exchange.html", context)
