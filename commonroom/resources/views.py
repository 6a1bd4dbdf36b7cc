"""Pages: the resource bank (search), a resource (preview, rate, copy), making and changing one, its file
served as an attachment, placing resources in a course-space section, and reusing a space's structure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for, visible
from commonroom.common.views import apply_service_errors
from commonroom.learning.models import CourseSpace, Section
from commonroom.resources import selectors, services
from commonroom.resources.content import embed_url
from commonroom.resources.forms import CopyForm, ItemAddForm, RateForm, ResourceForm, ReuseForm, SearchForm
from commonroom.resources.models import Resource, SectionItem
from commonroom.resources.policies import bank_institutions


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search the bank by words and tags: one's own resources and those shared with one."""
    actor = actor_for(request)
    form = SearchForm(request.GET or None)
    query = selectors.Search()
    if form.is_valid():
        query = selectors.Search(**form.cleaned_data)
    page = selectors.resource_search(actor, query, request.GET.get("page", 1))
    params = {k: v for k, v in (form.cleaned_data.items() if form.is_valid() else []) if v}
    return render(request, "resources/search.html", {
        "form": form, "page": page, "has_bank": bool(bank_institutions(actor)),
        "querystring": urlencode({k: ("1" if v is True else v) for k, v in params.items()})})


def _resource_form(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    actor = actor_for(request)
    form = ResourceForm(request.POST or None, request.FILES or None, editing=resource is not None,
                        initial=ResourceForm.initial_for(resource) if resource else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.resource_save(actor=actor, data=form.service_input(resource.kind if resource else None),
                                           upload=form.cleaned_data.get("file"), resource=resource)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Resource saved."))
            return redirect("resources:detail", pk=saved.pk)
    return render(request, "resources/form.html", {"form": form, "resource": resource})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if not bank_institutions(actor_for(request)):
        raise NotFound()
    return _resource_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_form(request, get_for(actor_for(request), Resource, pk, "manage"))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    view = selectors.resource_detail(actor, pk)
    sections = selectors.sections_i_manage(actor, sorted(bank_institutions(actor))) if view.can_copy else []
    return render(request, "resources/detail.html", {
        "view": view, "resource": view.resource, "embed": embed_url(view.resource.url) if view.resource.kind == "media" else None,
        "rate_form": RateForm(initial={"stars": view.my_stars}) if view.can_rate else None,
        "copy_form": CopyForm(sections=sections) if view.can_copy else None})


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    services.resource_withdraw(actor=actor, resource=get_for(actor, Resource, pk, "manage"))
    messages.success(request, _("Resource withdrawn. Copies others made keep their credit."))
    return redirect("resources:search")


@login_required
def file(request: HttpRequest, pk: int) -> FileResponse:
    """A file resource, for whoever may see the resource, always as a download with safe headers."""
    resource = get_for(actor_for(request), Resource, pk)
    if resource.kind != Resource.Kind.FILE or not resource.file:
        raise NotFound()
    content_type = resource.file_type or "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(resource.file.open("rb"), as_attachment=True, filename=resource.file_name or "resource",
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    resource = get_for(actor, Resource, pk, "rate")
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return redirect("resources:detail", pk=pk)
    try:
        services.resource_rate(actor=actor, resource=resource, stars=form.cleaned_data["stars"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: your rating is saved."))
    return redirect("resources:detail", pk=pk)


@login_required
@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    resource = get_for(actor, Resource, pk, "copy")
    sections = selectors.sections_i_manage(actor, sorted(bank_institutions(actor)))
    form = CopyForm(request.POST, sections=sections)
    if not form.is_valid():
        messages.error(request, _("Choose one of your course sections, or your resources only."))
        return redirect("resources:detail", pk=pk)
    section = next((s for s in sections if s.pk == form.cleaned_data["section"]), None)
    try:
        made = services.resource_copy(actor=actor, resource=resource, section=section)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("resources:detail", pk=pk)
    if section is not None:
        messages.success(request, _("Copied into %(section)s. Change your copy to adapt it.") % {"section": section.title})
    else:
        messages.success(request, _("Copied into your resources. Change your copy to adapt it."))
    return redirect("resources:detail", pk=made.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    section = get_for(actor, Section, pk, "manage", queryset=Section.objects.select_related("space__group"))
    form = ItemAddForm(request.POST or None, resources=selectors.my_bank_at(actor, section.institution_id))
    if request.method == "POST" and form.is_valid():
        resource = get_for(actor, Resource, form.cleaned_data["resource"], "copy")
        try:
            services.item_add(actor=actor, section=section, resource=resource)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Added to %(section)s.") % {"section": section.title})
            return redirect("learning:course", pk=section.space_id)
    return render(request, "resources/item_add.html", {"form": form, "section": section})


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    item = get_for(actor, SectionItem, pk, "manage", queryset=SectionItem.objects.select_related("section"))
    services.item_remove(actor=actor, item=item)
    messages.success(request, _("Removed from the section (the resource stays in its owner's bank)."))
    return redirect("learning:course", pk=item.section.space_id)


@login_required
@require_http_methods(["GET", "POST"])
def reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy this space's sections and their items into another space one manages (next year's group)."""
    from commonroom.learning.selectors import my_course_spaces

    actor = actor_for(request)
    source = get_for(actor, CourseSpace, pk, "manage", queryset=CourseSpace.objects.select_related("group"))
    managed = set(visible(actor, CourseSpace, "manage").filter(institution_id=source.institution_id)
                  .values_list("pk", flat=True))
    spaces = [s for s in my_course_spaces(actor) if s.pk in managed and s.pk != source.pk]
    form = ReuseForm(request.POST or None, spaces=spaces)
    if request.method == "POST" and form.is_valid():
        target = next(s for s in spaces if s.pk == form.cleaned_data["target"])
        try:
            count = services.space_structure_copy(actor=actor, source=source, target=target)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(n)s sections copied into %(space)s.") % {"n": count, "space": target.group.name})
            return redirect("learning:course", pk=target.pk)
    return render(request, "resources/reuse.html", {"form": form, "space": source, "spaces": spaces})
