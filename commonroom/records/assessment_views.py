"""Assessment pages: set-up, marksheets, progress (learner, group, school) and exports. Thin views."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.people.models import Group
from commonroom.records import assessment_selectors as selectors
from commonroom.records import assessment_services as services
from commonroom.records.assessment_forms import (
    AspectForm,
    GradeSetForm,
    MarksheetForm,
    PointEditForm,
    PointForm,
    PointStateForm,
    TargetForm,
)
from commonroom.records.models import Aspect, AssessmentPoint


@login_required
def assessment_home(request: HttpRequest) -> HttpResponse:
    """The marksheets this person fills, and the schools whose assessment they run or read."""
    actor = actor_for(request)
    return render(request, "records/assessment_home.html", {
        "marksheets": selectors.my_marksheets(actor),
        "managed": visible(actor, Institution, "manage_assessment").order_by("name"),
        "schools": visible(actor, Institution, "view_assessment").order_by("name"),
        "sen_registers": visible(actor, Institution, "view_sen_register").order_by("name"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assessment_setup(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    setup = selectors.setup(actor, pk)
    institution = setup.institution
    which = request.POST.get("form") if request.method == "POST" else None
    grade_set_form = GradeSetForm(request.POST if which == "grade_set" else None, prefix="gs")
    point_form = PointForm(request.POST if which == "point" else None, institution=institution, prefix="pt")
    aspect_form = AspectForm(request.POST if which == "aspect" else None, institution=institution, prefix="as")
    form: Any = {"grade_set": grade_set_form, "point": point_form, "aspect": aspect_form}.get(which or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if which == "grade_set":
                services.grade_set_create(actor=actor, institution=institution, name=data["name"], kind=data["kind"],
                                          grades=form.grade_rows(), minimum=data["minimum"], maximum=data["maximum"])
                messages.success(request, _("Grade set %(name)s added.") % {"name": data["name"]})
            elif which == "point":
                services.point_create(actor=actor, institution=institution, academic_year_id=data["academic_year"].pk,
                                      name=data["name"], date=data["date"])
                messages.success(request, _("Assessment point %(name)s added.") % {"name": data["name"]})
            else:
                services.aspect_create(actor=actor, institution=institution, name=data["name"], kind=data["kind"],
                                       grade_set_id=data["grade_set"].pk, subject=data["subject"],
                                       visible_to_families=data["visible_to_families"], position=data["position"])
                messages.success(request, _("Aspect %(name)s added.") % {"name": data["name"]})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(request.path)
    return render(request, "records/assessment_setup.html", {
        "setup": setup, "institution": institution, "grade_set_form": grade_set_form, "point_form": point_form,
        "aspect_form": aspect_form, "forms": [f for f in (grade_set_form, point_form, aspect_form) if f.is_bound],
    })


@login_required
@require_POST
def point_state(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "manage_assessment")
    point = AssessmentPoint.objects.filter(pk=point_pk, institution=institution).first()
    if point is None:
        raise NotFound()
    form = PointStateForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        services.point_set_state(
            actor=actor, point=point,
            locked={"lock": True, "unlock": False}.get(action), published={"publish": True, "unpublish": False}.get(action),
        )
        messages.success(request, {
            "lock": _("%(point)s is locked."), "unlock": _("%(point)s is open for grades again."),
            "publish": _("%(point)s is published to learners and families."),
            "unpublish": _("%(point)s is no longer shown to learners and families."),
        }[action] % {"point": point.name})
    return redirect("records:assessment_setup", pk=institution.pk)


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "manage_assessment")
    point = AssessmentPoint.objects.select_related("academic_year").filter(pk=point_pk, institution=institution).first()
    if point is None:
        raise NotFound()
    form = PointEditForm(request.POST or None, initial={"name": point.name, "date": point.date})
    if request.method == "POST" and form.is_valid():
        try:
            services.point_update(actor=actor, point=point, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Assessment point saved."))
            return redirect("records:assessment_setup", pk=institution.pk)
    return render(request, "records/point_edit.html", {"institution": institution, "point": point, "form": form})


@login_required
@require_POST
def aspect_visibility(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "manage_assessment")
    aspect = Aspect.objects.filter(pk=aspect_pk, institution=institution).first()
    if aspect is None:
        raise NotFound()
    visible = request.POST.get("visible") == "yes"
    services.aspect_set_visibility(actor=actor, aspect=aspect, visible_to_families=visible)
    messages.success(request, (_("%(aspect)s is shown to learners and families at published points.") if visible
                               else _("%(aspect)s is for staff only.")) % {"aspect": aspect.name})
    return redirect("records:assessment_setup", pk=institution.pk)


@login_required
@require_http_methods(["GET", "POST"])
def marksheet(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    actor = actor_for(request)
    sheet = selectors.marksheet(actor, pk, point_pk)
    form = MarksheetForm(request.POST if request.method == "POST" else None, sheet=sheet)
    if request.method == "POST":
        if not sheet.editable:
            raise NotFound()
        if form.is_valid():
            try:
                result = services.marksheet_save(actor=actor, group=sheet.group, point=sheet.point, cells=form.cells())
            except services.MarksheetConflict as conflict:
                # Show the newer grades where they clash (with their versions, so saving again works) and keep
                # everything else the teacher typed.
                sheet = selectors.marksheet(actor, pk, point_pk)
                data = request.POST.copy()
                for row in sheet.rows:
                    for aspect_id, cell in row.cells.items():
                        key = services.cell_key(row.learner_id, aspect_id)
                        if key in conflict.cells:
                            data[key] = cell.value if cell else ""
                            data[f"v_{row.learner_id}_{aspect_id}"] = str(cell.version if cell else 0)
                form = MarksheetForm(data, sheet=sheet)
                form.is_valid()
                apply_service_errors(form, conflict)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Grades saved: %(created)s new, %(changed)s changed, %(cleared)s cleared.")
                                 % {"created": result.created, "changed": result.changed, "cleared": result.cleared})
                return redirect(request.path)
    return render(request, "records/marksheet.html", {"sheet": sheet, "form": form})


def _chart(subjects: list[selectors.SubjectSummary]) -> list[dict[str, Any]]:
    """Stacked-bar geometry (percent widths) per subject: below, on and above target."""
    bars = []
    for summary in subjects:
        offset = 0
        parts = []
        for status in (selectors.BELOW, selectors.ON, selectors.ABOVE):
            width = summary.pct(status)
            parts.append({"status": status, "x": offset, "width": width})
            offset += width
        bars.append({"subject": summary.subject, "parts": parts})
    return bars


def _learner_chart(subjects: list[selectors.SubjectProgress]) -> list[dict[str, Any]]:
    """Per subject with a grade: the latest grade's position on its grade set (percent of the best grade),
    and the target's, when both use one grade set."""
    from django.db.models import Max

    from commonroom.records.models import Grade

    set_ids = {s.attainment.aspect.grade_set_id for s in subjects if s.attainment}
    tops = dict(Grade.objects.filter(grade_set_id__in=set_ids).values("grade_set_id").annotate(top=Max("rank"))
                .values_list("grade_set_id", "top"))
    bars = []
    for subject in subjects:
        if subject.attainment is None:
            continue
        grade_set = subject.attainment.aspect.grade_set
        top = grade_set.maximum if grade_set.kind == "number" else tops.get(grade_set.pk)
        if not top:
            continue
        target = (round(100 * subject.target.rank / top, 1) if subject.target is not None
                  and subject.target.aspect.grade_set_id == grade_set.pk else None)
        bars.append({"subject": subject.subject, "width": max(1.0, round(100 * subject.attainment.rank / top, 1)),
                     "target": target, "status": subject.status, "label": subject.status_label,
                     "grade": subject.attainment.value, "target_value": subject.target.value if subject.target else ""})
    return bars


@login_required
@require_http_methods(["GET", "POST"])
def learner_progress(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    progress = selectors.learner_progress(actor, pk)
    target_form = None
    if progress.target_groups:
        institution_ids = {g.institution_id for g in progress.target_groups}
        aspects = list(Aspect.objects.filter(institution_id__in=institution_ids, kind=Aspect.Kind.TARGET))
        target_form = TargetForm(request.POST if request.method == "POST" else None, groups=progress.target_groups,
                                 aspects=aspects)
        if request.method == "POST" and target_form.is_valid():
            group = next(g for g in progress.target_groups if str(g.pk) == target_form.cleaned_data["group"])
            try:
                services.target_set(actor=actor, learner=progress.learner, group=group,
                                    aspect_id=int(target_form.cleaned_data["aspect"]), value=target_form.cleaned_data["value"])
            except ValidationError as error:
                apply_service_errors(target_form, error)
            else:
                messages.success(request, _("Target saved."))
                return redirect(request.path)
    elif request.method == "POST":
        raise NotFound()
    return render(request, "records/learner_progress.html", {"progress": progress, "target_form": target_form,
                                                             "chart": _learner_chart(progress.subjects)})


@login_required
def group_progress(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    progress = selectors.group_progress(actor, pk)
    points = AssessmentPoint.objects.filter(institution_id=progress.group.institution_id,
                                            academic_year_id=progress.group.academic_year_id).order_by("date")
    summary = selectors.SubjectSummary(progress.group.subject, progress.counts)
    return render(request, "records/group_progress.html", {
        "progress": progress, "labels": selectors.STATUS_LABELS, "points": points, "chart": _chart([summary]),
    })


@login_required
def institution_progress(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution, subjects = selectors.institution_progress(actor, pk)
    points = AssessmentPoint.objects.filter(institution=institution).order_by("-date")
    groups = visible(actor, Group, "view_progress").filter(institution=institution, kind=Group.Kind.TEACHING)
    return render(request, "records/institution_progress.html", {
        "institution": institution, "subjects": subjects, "chart": _chart(subjects), "points": points,
        "groups": groups.select_related("academic_year").order_by("subject", "name"),
        "can_export": can(actor, "manage_assessment", institution),
        "labels": selectors.STATUS_LABELS, "statuses": selectors.STATUS_ORDER,
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def export_results(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """Every grade at a point as CSV (streamed) or XLSX (written row by row)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    actor = actor_for(request)
    point, rows = selectors.export_rows(actor, pk)
    from django.utils.text import slugify

    stem = f"grades-{point.institution.urn or point.institution_id}-{slugify(point.name)}-{point.date.isoformat()}"
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(selectors.EXPORT_HEADER)
            for row in rows:
                yield writer.writerow(row)

        response: HttpResponseBase = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title="Grades")
        sheet.append(list(selectors.EXPORT_HEADER))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response

