from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonroom.people.identifiers import normalise_upn, uln_problem, upn_problem
from commonroom.people.models import ContactLink, Group, Person


class LearnerEnrolForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), help_text=_("For example 2012-03-27"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "–"), *Person.Sex.choices], required=False)
    upn = forms.CharField(
        label=_("UPN"), max_length=13, required=False, help_text=_("13 characters, for example B801200005001")
    )
    uln = forms.CharField(label=_("ULN"), max_length=10, required=False, help_text=_("10 digits, for learners aged 14 and over"))
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, groups: QuerySet[Group] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["groups"]
        if groups is not None and isinstance(field, forms.ModelMultipleChoiceField):
            field.queryset = groups

    def clean_upn(self) -> str:
        value = normalise_upn(self.cleaned_data["upn"])
        if value and (problem := upn_problem(value)):
            raise forms.ValidationError(problem)
        return value

    def clean_uln(self) -> str:
        value = self.cleaned_data["uln"].strip()
        if value and (problem := uln_problem(value)):
            raise forms.ValidationError(problem)
        return value


class ContactAddForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    relationship = forms.ChoiceField(
        label=_("Relationship to the learner"), choices=[("", "–"), *ContactLink.Relationship.choices]
    )
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=30)
    priority = forms.IntegerField(
        label=_("Contact priority"), initial=1, min_value=1, max_value=99, help_text=_("1 is contacted first")
    )
    parental_responsibility = forms.BooleanField(label=_("Has parental responsibility"), required=False, initial=True)
    may_receive_reports = forms.BooleanField(label=_("Receives reports"), required=False, initial=True)
    lives_with_learner = forms.BooleanField(label=_("Lives with the learner"), required=False, initial=True)
    access_barred = forms.BooleanField(
        label=_("Access barred"),
        required=False,
        help_text=_("A court order or similar: this contact may see nothing about the learner."),
    )


class LearnerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name, UPN or ULN"), required=False, max_length=100)
