"""Template helpers that give Django form fields GOV.UK Frontend markup.

Used by ``commonroom/forms/field.html`` (the field template of
``GovukFormRenderer``); a page can use them directly too::

    {% load govuk %}
    {{ form.email|govuk_widget }}          {# <input class="govuk-input" ...> #}
    {% if form.email|govuk_kind == "input" %}...{% endif %}

Ids follow the GOV.UK convention: the hint of a field whose id is ``id_email``
is ``id_email-hint`` and its error message ``id_email-error``; both are named
in the widget's (or fieldset's) ``aria-describedby``.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_INPUT_TYPES = {
    "text",
    "email",
    "password",
    "url",
    "number",
    "tel",
    "search",
    "date",
    "datetime",
    "time",
    "color",
    "input",
    "splitdatetime",
    "splithiddendatetime",
}
_SELECT_TYPES = {"select", "selectmultiple", "nullbooleanselect", "selectdate"}
_FILE_TYPES = {"file", "clearablefile"}
_WIDTHS = {
    "number": "govuk-input--width-10",
    "date": "govuk-input--width-10",
    "datetime": "govuk-input--width-20",
    "time": "govuk-input--width-5",
    "tel": "govuk-input--width-20",
}


def _base_id(field: BoundField) -> str:
    return field.auto_id or field.html_name


@register.filter
def govuk_kind(field: BoundField) -> str:
    """Which GOV.UK pattern renders this field.

    One of ``input``, ``password``, ``select``, ``textarea``, ``file``,
    ``checkbox`` (a single yes/no box), ``checkboxes``, ``radios``,
    ``hidden`` or ``other``.
    """
    widget_type = field.widget_type
    if field.is_hidden:
        return "hidden"
    if widget_type == "password":
        return "password"
    if widget_type in _INPUT_TYPES:
        return "input"
    if widget_type in _SELECT_TYPES:
        return "select"
    if widget_type == "textarea":
        return "textarea"
    if widget_type in _FILE_TYPES:
        return "file"
    if widget_type == "checkbox":
        return "checkbox"
    if widget_type == "checkboxselectmultiple":
        return "checkboxes"
    if widget_type == "radioselect":
        return "radios"
    return "other"


@register.filter
def govuk_hint_id(field: BoundField) -> str:
    return f"{_base_id(field)}-hint"


@register.filter
def govuk_error_id(field: BoundField) -> str:
    return f"{_base_id(field)}-error"


@register.filter
def govuk_describedby(field: BoundField) -> str:
    """The ids of the field's hint and error message, space separated."""
    ids = []
    if field.help_text:
        ids.append(govuk_hint_id(field))
    if field.errors:
        ids.append(govuk_error_id(field))
    return " ".join(ids)


@register.filter
def govuk_error_target(field: BoundField) -> str:
    """The id an error summary links to: the input, or the first option of a group."""
    if field.field.widget.use_fieldset:
        subwidgets = field.subwidgets
        if subwidgets:
            return subwidgets[0].id_for_label or _base_id(field)
    return field.id_for_label or _base_id(field)


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """Render the field's widget with GOV.UK classes and aria-describedby.

    Classes already on the widget (``attrs={"class": ...}``) are kept after ours.
    """
    kind = govuk_kind(field)
    widget_type = field.widget_type
    has_errors = bool(field.errors)
    classes: list[str] = []
    attrs: dict[str, str | bool] = {}
    if kind in ("input", "password"):
        classes.append("govuk-input")
        if widget_type in _WIDTHS:
            classes.append(_WIDTHS[widget_type])
        if kind == "password":
            classes += ["govuk-password-input__input", "govuk-js-password-input-input"]
            attrs["autocapitalize"] = "none"
        if widget_type in ("email", "password"):
            attrs["spellcheck"] = "false"
        if field.field.widget.attrs.get("autocomplete") == "one-time-code":
            classes.append("govuk-input--width-10")
            attrs.setdefault("inputmode", "numeric")
            attrs["spellcheck"] = "false"
        if has_errors:
            classes.append("govuk-input--error")
    elif kind == "select":
        classes.append("govuk-select")
        if has_errors:
            classes.append("govuk-select--error")
    elif kind == "textarea":
        classes.append("govuk-textarea")
        if has_errors:
            classes.append("govuk-textarea--error")
    elif kind == "file":
        classes.append("govuk-file-upload")
        if has_errors:
            classes.append("govuk-file-upload--error")
    elif kind == "checkbox":
        classes.append("govuk-checkboxes__input")
    own_class = field.field.widget.attrs.get("class")
    if own_class:
        classes.append(own_class)
    if classes:
        attrs["class"] = " ".join(classes)
    describedby = govuk_describedby(field)
    if describedby and not field.field.widget.use_fieldset:
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)
