from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonroom.authz.models import Role
from commonroom.organisations.models import Institution, LocalAuthority

CODE_HELP = _("The code from the school's letter, for example ABCD-EFGH-JKLM")


class InvitationCodeForm(forms.Form):
    code = forms.CharField(label=_("Invitation code"), max_length=20, help_text=CODE_HELP)


class JoinForm(InvitationCodeForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only"),
        error_messages={"invalid": _("Use only letters, digits and . @ + - _ in a username.")},
    )
    email = forms.EmailField(label=_("Email address"), help_text=_("For password resets and messages from school"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, help_text=_("At least 10 characters"))
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class AccountForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use only letters, digits and . @ + - _ in a username.")},
    )
    email = forms.EmailField(label=_("Email address"), help_text=_("They will be sent a link to set their password"))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'timetable sync'"))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for a token that lasts until you revoke it"),
    )


class RoleGrantForm(forms.Form):
    username = forms.CharField(label=_("Username of the person"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    institution: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), required=False
    )
    local_authority: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Local authority"), queryset=LocalAuthority.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(
        self,
        *args: Any,
        institutions: QuerySet[Institution],
        authorities: QuerySet[LocalAuthority],
        roles: set[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("institution", institutions), ("local_authority", authorities)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(value, label) for value, label in Role.choices if value in roles]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("institution") and data.get("local_authority"):
            self.add_error("local_authority", _("Choose an institution or an authority, not both."))
        return data
