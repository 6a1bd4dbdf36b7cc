"""Forms of the Question Wall. They only parse: the services clean, check lengths and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.learning.models import Section
from commonroom.wall.models import BODY_MAX, REASON_MAX, TITLE_MAX

ANONYMOUS_HELP = _("Other learners see “A classmate”. Your teachers always see your name.")


def _body(label: Any) -> forms.CharField:
    # Lengths are checked by the service after cleaning, so a message is never cut short silently.
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 6}), strip=False,
                           max_length=BODY_MAX * 2, error_messages={"required": _("Write something.")},
                           help_text=_("Plain text, up to %(n)s characters. Links to the school’s allowed sites "
                                       "are shown as links.") % {"n": f"{BODY_MAX:,}"})


class AskForm(forms.Form):
    title = forms.CharField(label=_("Your question in a few words"), max_length=TITLE_MAX * 2,
                            error_messages={"required": _("Give your question a short title.")})
    body = _body(_("Say more"))
    section = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    anonymous = forms.BooleanField(label=_("Post anonymously to classmates"), required=False, help_text=ANONYMOUS_HELP)

    def __init__(self, *args: Any, sections: list[Section], may_be_anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["section"]).choices = [("", _("No particular topic"))] + [
            (s.pk, s.title) for s in sections]
        if not sections:
            del self.fields["section"]
        if not may_be_anonymous:
            del self.fields["anonymous"]


class AnswerForm(forms.Form):
    body = _body(_("Your answer"))
    anonymous = forms.BooleanField(label=_("Post anonymously to classmates"), required=False, help_text=ANONYMOUS_HELP)

    def __init__(self, *args: Any, may_be_anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_be_anonymous:
            del self.fields["anonymous"]


class EditForm(forms.Form):
    title = forms.CharField(label=_("Your question in a few words"), max_length=TITLE_MAX * 2)
    body = _body(_("Your post"))

    def __init__(self, *args: Any, is_question: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_question:
            del self.fields["title"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX * 2,
                             error_messages={"required": _("Give a reason.")})

    def __init__(self, *args: Any, label: Any = None, hint: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if hint:
            self.fields["reason"].help_text = hint


class SitesForm(forms.Form):
    sites = forms.CharField(label=_("Allowed sites"), widget=forms.Textarea(attrs={"rows": 12}), required=False,
                            max_length=20_000,
                            help_text=_("One site a line, like bbc.co.uk. Links to these sites and their subdomains "
                                        "(www.bbc.co.uk) are shown as links on the Question Wall; every other "
                                        "address is shown as plain text."))
