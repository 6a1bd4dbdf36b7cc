"""Small helpers shared by views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field (unknown fields go to the top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
