from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.interop.csv_import import FILE_ORDER, MAX_BYTES

HELP = {
    "groups": _("Columns: code, name, kind (year, registration or teaching); optional nc_year, subject, year_group"),
    "learners": _("Columns: upn, given_name, family_name, date_of_birth; optional uln, preferred_name, sex, start_date, former_upn"),
    "memberships": _("Columns: upn, group_code; optional start_date"),
    "contacts": _("Columns: learner_upn, given_name, family_name, relationship; optional email, phone, priority, "
                  "parental_responsibility, may_receive_reports, lives_with_learner"),
}


class ImportForm(forms.Form):
    """Up to four CSV files, or (after a preview) their text carried in hidden fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FILE_ORDER:
            self.fields[f"{name}_file"] = forms.FileField(label=_("%(name)s.csv") % {"name": name}, required=False,
                                                          help_text=HELP[name])
            self.fields[name] = forms.CharField(widget=forms.HiddenInput, required=False)

    def texts(self) -> dict[str, str]:
        """Each file's text: an uploaded file wins over the text carried from the preview."""
        texts: dict[str, str] = {}
        for name in FILE_ORDER:
            upload = self.cleaned_data.get(f"{name}_file")
            if upload is not None:
                if upload.size > MAX_BYTES:
                    self.add_error(f"{name}_file", _("The file is larger than 2 MB."))
                    continue
                raw = upload.read()
                try:
                    texts[name] = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error(f"{name}_file", _("Save the file as CSV in UTF-8 (the file could not be read as text)."))
            else:
                texts[name] = self.cleaned_data.get(name) or ""
        return texts


# Common Transfer Files.

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CtfUploadForm(forms.Form):
    """A CTF to check. The join date comes first: a file too large is cut off where it passes the limit,
    and only fields before it arrive."""

    join_date = forms.DateField(
        label=_("Date they join this school"), required=False, widget=_DATE,
        help_text=_("For learners not yet on roll here. Leave empty for today."),
    )
    file = forms.FileField(label=_("Common Transfer File (XML)"), required=False,
                           help_text=_("The .xml file the previous school sent, up to %(size)s.") % {"size": "20 MB"})


class CtfConfirmForm(forms.Form):
    """The checked file, carried back (or, for a very large file, chosen again) to be imported."""

    join_date = forms.DateField(required=False, widget=forms.HiddenInput)
    held = forms.CharField(required=False, widget=forms.HiddenInput)
    digest = forms.CharField(required=False, widget=forms.HiddenInput)
    file = forms.FileField(label=_("Choose the same file again"), required=False)


class CtfExportForm(forms.Form):
    """Which learners, full or partial, and where to: the learners offered are passed in."""

    learners = forms.TypedMultipleChoiceField(
        label=_("Learners"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one learner.")},
    )
    qualifier = forms.ChoiceField(
        label=_("What to send"), widget=forms.RadioSelect, initial="full",
        choices=[("full", _("Full: everything, for a learner who has left (contacts, SEN, attendance too)")),
                 ("partial", _("Partial: identifiers, names, year group, key stage results and school history only"))],
    )
    dest_laestab = forms.RegexField(
        label=_("Next school's LAESTAB (optional)"), required=False, regex=r"^\s*([0-9]{7}|XXXXXXX|MMMMMMM)\s*$",
        max_length=12, help_text=_("7 digits, for example 8024001. Leave empty when the next school is not known."),
        error_messages={"invalid": _("Enter 7 digits, for example 8024001, or leave it empty.")},
    )

    def __init__(self, *args: Any, learners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["learners"].choices = learners  # type: ignore[attr-defined]
        self.fields["dest_laestab"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false",
                                                         "class": "govuk-input govuk-input--width-10"})
