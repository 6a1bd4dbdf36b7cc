"""The leaders' publishing form. It only parses: the service cleans, checks lengths and decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.safeguarding.models import BODY_MAX, TITLE_MAX, Audience


class PublishForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who is it for?"), choices=Audience.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose who the policy is for."),
                                                 "invalid_choice": _("Choose who the policy is for.")})
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX * 2,
                            error_messages={"required": _("Give the policy a title.")})
    body = forms.CharField(label=_("The policy"), widget=forms.Textarea(attrs={"rows": 14}), strip=False,
                           max_length=BODY_MAX * 2, error_messages={"required": _("Write the policy.")},
                           help_text=_("Plain text, up to %(n)s characters. Blank lines start a new paragraph. "
                                       "Once published, a version cannot be changed: publish a new one.")
                           % {"n": f"{BODY_MAX:,}"})
