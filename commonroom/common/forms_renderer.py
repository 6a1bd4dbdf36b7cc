"""Render Django forms with GOV.UK Frontend markup.

Set ``FORM_RENDERER = "commonroom.common.forms_renderer.GovukFormRenderer"``
(``django.forms`` must be in ``INSTALLED_APPS`` so the built-in widget
templates are found by the project's template engine). Then ``{{ form }}``
renders through ``commonroom/forms/div.html`` and each field through
``commonroom/forms/field.html``.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "commonroom/forms/div.html"
    field_template_name = "commonroom/forms/field.html"
