"""Forms for shared resources, rating, copying and course-space items."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.resources.models import KeyStage, Resource
from commonroom.resources.services import ALLOWED_FILE_TYPES, MAX_DESCRIPTION, MAX_TEXT, ResourceInput


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What it is for, in a sentence or two."))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=100, help_text=_("For example “Mathematics”"))
    key_stage = forms.ChoiceField(label=_("Key stage"), required=False, choices=[("", _("Any")), *list(KeyStage.choices)])
    topic = forms.CharField(label=_("Topic"), required=False, max_length=100, help_text=_("For example “Fractions”"))
    kind = forms.ChoiceField(label=_("What it is"), choices=Resource.Kind.choices, widget=forms.RadioSelect)
    body = forms.CharField(label=_("The page"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("For a page. Simple HTML is kept (paragraphs, headings, lists, tables, links); "
                                       "scripts, styles and images are removed."))
    url = forms.CharField(label=_("Web address"), required=False, max_length=2000,
                          help_text=_("For a link (http or https) or a video (a YouTube or Vimeo address)."))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("For a file. Allowed: %(types)s.") % {"types": ", ".join(sorted(ALLOWED_FILE_TYPES))})
    audience = forms.ChoiceField(label=_("Who can find it"), choices=Resource.Audience.choices, widget=forms.RadioSelect,
                                 initial=Resource.Audience.PRIVATE)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["kind"].disabled = True

    def service_input(self, kind: str | None = None) -> ResourceInput:
        data = self.cleaned_data
        return ResourceInput(title=data["title"], kind=kind or data["kind"], description=data["description"],
                             subject=data["subject"], key_stage=data["key_stage"], topic=data["topic"],
                             body=data["body"], url=data["url"], audience=data["audience"])

    @staticmethod
    def initial_for(resource: Resource) -> dict[str, Any]:
        return {name: getattr(resource, name) for name in
                ("title", "description", "subject", "key_stage", "topic", "kind", "body", "url", "audience")}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=100)
    key_stage = forms.ChoiceField(label=_("Key stage"), required=False, choices=[("", _("Any")), *list(KeyStage.choices)])
    topic = forms.CharField(label=_("Topic"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *list(Resource.Kind.choices)])
    mine = forms.BooleanField(label=_("Only my resources"), required=False)


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, _("%(n)s out of 5") % {"n": n}) for n in range(1, 6)])


class CopyForm(forms.Form):
    section = forms.TypedChoiceField(label=_("Copy into"), coerce=int, required=False, empty_value=None, choices=[])

    def __init__(self, *args: Any, sections: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["section"]
        field.choices = [("", _("My resources only"))] + [
            (s.pk, f"{s.space.group.name}: {s.title}") for s in sections]


class ItemAddForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int, choices=[],
                                      help_text=_("Your resources at this school. To use someone else's, copy it from its page."))

    def __init__(self, *args: Any, resources: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["resource"]
        field.choices = [(r.pk, f"{r.title} ({r.get_kind_display()})") for r in resources]


class ReuseForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Copy the sections into"), coerce=int, choices=[],
                                    help_text=_("A course space you manage at the same school, for example next year's group."))

    def __init__(self, *args: Any, spaces: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["target"]
        field.choices = [(s.pk, s.group.name) for s in spaces]
