"""Message text: cleaned on the way in (plain text, no control characters), escaped on the way out.

``clean_text`` keeps line breaks and tabs and removes every other control character (C0, DEL, C1)
and the invisible direction overrides that can make text read differently from what it is
(U+202A-U+202E, U+2066-U+2069, U+200E, U+200F). ``render_text`` escapes everything; web addresses
become links only when the institution allows it, and then only http and https addresses, with
``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_DIRECTION = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_KEEP = {"\n", "\t"}
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in _DIRECTION


def clean_text(value: str) -> str:
    """Plain text with Unix line breaks, no control characters, and no spaces at either end."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in value if char in _KEEP or not _is_control(char)).strip()


def clean_line(value: str) -> str:
    """A one-line value (a subject): control characters and line breaks removed, spaces squeezed."""
    return " ".join(clean_text(value).split())


def _linked(url: str) -> str:
    trail = ""
    while url and url[-1] in _TRAILING:
        trail = url[-1] + trail
        url = url[:-1]
    if not re.match(r"https?://[^/\s]+", url, re.IGNORECASE):
        return escape(url + trail)
    return f'<a class="govuk-link" href="{escape(url)}" rel="noopener noreferrer nofollow">{escape(url)}</a>{escape(trail)}'


def render_text(value: str, *, allow_links: bool = False) -> SafeString:
    """HTML for a message body: escaped, line breaks kept, links only if allowed."""
    if allow_links:
        parts: list[str] = []
        position = 0
        for match in _URL.finditer(value):
            parts.append(escape(value[position:match.start()]))
            parts.append(_linked(match.group(0)))
            position = match.end()
        parts.append(escape(value[position:]))
        html = "".join(parts)
    else:
        html = escape(value)
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 - every piece above is escaped
