from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonroom.organisations.models import Institution, LocalAuthority


class LocalAuthorityForm(forms.ModelForm):
    class Meta:
        model = LocalAuthority
        fields = ["name", "la_number"]


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "kind", "phase", "urn", "local_authority", "estab_number", "require_staff_second_factor"]
        help_texts = {"estab_number": _("4 digits; with the authority's LA number it makes the LAESTAB")}


class InstitutionSettingsForm(forms.Form):
    require_staff_second_factor = forms.BooleanField(
        label=_("Staff must use an authenticator app (second factor) to sign in"), required=False
    )
