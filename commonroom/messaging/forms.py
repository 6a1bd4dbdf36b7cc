"""Forms for messages. The services do the real checks; the forms only parse."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.messaging.files import MAX_BYTES
from commonroom.messaging.models import BODY_MAX, SUBJECT_MAX, Conversation

ATTACHMENT_HINT = _("Optional. A PDF, PNG, JPEG or plain text file, smaller than 5 MB.")


def _attachment() -> forms.FileField:
    return forms.FileField(label=_("Attach a file"), required=False, help_text=ATTACHMENT_HINT,
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.txt"}))


def _body(label: Any) -> forms.CharField:
    # The length is checked by the service after cleaning, so the message is never cut short silently.
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 8}), strip=False,
                           help_text=_("Plain text, up to %(n)s characters.") % {"n": f"{BODY_MAX:,}"},
                           max_length=BODY_MAX * 2)


class StartForm(forms.Form):
    child = forms.ChoiceField(label=_("Which child is this about?"), widget=forms.RadioSelect)
    addressed_to = forms.ChoiceField(label=_("Who would you like to write to?"), widget=forms.RadioSelect,
                                     choices=Conversation.Addressee.choices)
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX * 2)
    body = _body(_("Your message"))
    attachment = _attachment()

    def __init__(self, *args: Any, options: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.key: option for option in options}
        cast(forms.ChoiceField, self.fields["child"]).choices = [
            (option.key, f"{option.learner.person.full_name} – {option.institution.name}") for option in options]
        if len(options) == 1:
            self.fields["child"].initial = options[0].key


class ReplyForm(forms.Form):
    body = _body(_("Your reply"))
    attachment = _attachment()


class StaffReplyForm(ReplyForm):
    status = forms.ChoiceField(label=_("After sending"), widget=forms.RadioSelect, initial=Conversation.Status.WAITING,
                               choices=[(Conversation.Status.WAITING, _("Waiting for family")),
                                        (Conversation.Status.OPEN, _("Keep open")),
                                        (Conversation.Status.CLOSED, _("Close the conversation"))])


class ManageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Conversation.Status.choices)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", _("Nobody")), *[(str(p.pk), p.full_name) for p in colleagues]]


class BroadcastForm(forms.Form):
    group = forms.ChoiceField(label=_("Send to the parents of"), required=False,
                              help_text=_("A year, a registration group or a class. Leave empty to pick learners."))
    learners = forms.MultipleChoiceField(label=_("Or pick learners (a trip list)"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX * 2)
    body = _body(_("Message"))

    def __init__(self, *args: Any, groups: list[Any], learners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", _("Choose a group")), *[(str(g.pk), g.name) for g in groups]]
        cast(forms.ChoiceField, self.fields["learners"]).choices = [(str(learner.pk), learner.person.full_name) for learner in learners]


class SettingsForm(forms.Form):
    retention_years = forms.IntegerField(label=_("Keep conversations for this many years after they close"),
                                         min_value=1, max_value=25,
                                         help_text=_("7 years is the default: see the guide for why."))
    allow_links = forms.BooleanField(label=_("Show web addresses in messages as links"), required=False,
                                     help_text=_("Off by default: addresses are shown as text."))


__all__ = ["MAX_BYTES", "BroadcastForm", "ManageForm", "ReplyForm", "SettingsForm", "StaffReplyForm", "StartForm"]
