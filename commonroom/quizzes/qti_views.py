"""Pages for QTI: import a package into your question bank (optionally as a quiz), export questions or a quiz."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.quizzes import qti
from commonroom.quizzes.models import Quiz, Visibility
from commonroom.quizzes.qti import QtiError
from commonroom.quizzes.qti_services import (
    NOT_A_TEACHING_GROUP,
    VERSIONS,
    exportable_questions,
    importable_groups,
    may_import,
    qti_export_questions,
    qti_export_quiz,
    qti_import,
)

VERSION_CHOICES = [("3.0", gettext_lazy("QTI 3.0 (newest)")), ("2.1", gettext_lazy("QTI 2.1 (most widely read)"))]


class ImportForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("QTI package or item"),
        help_text=gettext_lazy("A QTI 2.1 or 3.0 content package (.zip with imsmanifest.xml) or one item (.xml), "
                               "at most 10 MB."),
        error_messages={"required": gettext_lazy("Choose a QTI file to import.")},
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who may use the questions"), choices=Visibility.choices, initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    group = forms.TypedChoiceField(
        label=gettext_lazy("Also make a draft quiz for"), required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": NOT_A_TEACHING_GROUP},
        help_text=gettext_lazy("The quiz holds the package's test in its order, or every item. You set it later."),
    )
    quiz_title = forms.CharField(
        label=gettext_lazy("Quiz title (optional)"), required=False, max_length=200,
        help_text=gettext_lazy("Leave empty to use the test's title."),
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {group.pk: group for group in groups}
        group_field: Any = self.fields["group"]
        group_field.choices = [("", _("No quiz: the bank only"))] + [(group.pk, str(group.name)) for group in groups]


class ExportForm(forms.Form):
    questions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Questions"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one question to export.")},
    )
    title = forms.CharField(label=gettext_lazy("Title of the package"), required=False, max_length=200)
    version = forms.ChoiceField(label=gettext_lazy("QTI version"), choices=VERSION_CHOICES, initial="3.0",
                                widget=forms.RadioSelect)

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions_field: Any = self.fields["questions"]
        questions_field.choices = [(q.pk, q.prompt[:120]) for q in questions]


def _download(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def qti_import_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not may_import(actor):
        raise Http404()
    groups = importable_groups(actor)
    form = ImportForm(groups=groups)
    context: dict[str, Any] = {"form": form, "result": None, "problem": None}
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, groups=groups)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["package"]
            group = form.groups.get(form.cleaned_data["group"]) if form.cleaned_data["group"] else None
            if upload.size > qti.MAX_UPLOAD_BYTES:
                form.add_error("package", _("The file is larger than 10 MB, the limit for a QTI package."))
            else:
                try:
                    context["result"] = qti_import(
                        actor=actor, data=upload.read(), filename=upload.name or "upload",
                        visibility=form.cleaned_data["visibility"], group=group,
                        quiz_title=form.cleaned_data["quiz_title"],
                    )
                    context["form"] = ImportForm(groups=groups)
                except QtiError as error:
                    context["problem"] = str(error)
                    form.add_error("package", _("Nothing was imported: put right the problem above, then choose "
                                                "the file again."))
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
    status = 422 if request.method == "POST" and context["result"] is None else 200
    return render(request, "quizzes/qti_import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def qti_export_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not may_import(actor):
        raise Http404()
    questions = exportable_questions(actor)
    form = ExportForm(questions=questions)
    if request.method == "POST":
        form = ExportForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                filename, data = qti_export_questions(
                    actor=actor, question_ids=form.cleaned_data["questions"], version=form.cleaned_data["version"],
                    title=form.cleaned_data["title"],
                )
            except NotFound:
                form.add_error("questions", _("Some of those questions are no longer yours to export."))
            else:
                return _download(filename, data)
    return render(request, "quizzes/qti_export.html", {"form": form, "questions": questions,
                                                       "me": actor.person_id})


@login_required
@require_http_methods(["GET"])
def qti_export_quiz_download(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    quiz = get_for(actor, Quiz, pk, action="results")
    version = request.GET.get("version", "3.0")
    if version not in VERSIONS:
        version = "3.0"
    try:
        filename, data = qti_export_quiz(actor=actor, quiz=quiz, version=version)
    except ValidationError as error:
        return render(request, "quizzes/qti_export_quiz_empty.html",
                      {"quiz": quiz, "messages_list": error.messages}, status=409)
    return _download(filename, data)
