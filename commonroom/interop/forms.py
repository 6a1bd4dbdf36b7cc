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
