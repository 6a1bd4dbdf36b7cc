"""``{{ message.body|message_text:allow_links }}``: a message body as safe HTML (see ``messaging.text``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from commonroom.messaging.text import render_text

register = template.Library()


@register.filter
def message_text(value: str, allow_links: bool = False) -> SafeString:
    return render_text(value or "", allow_links=bool(allow_links))
