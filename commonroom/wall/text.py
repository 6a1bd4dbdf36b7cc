"""Post text: cleaned on the way in, escaped on the way out, links only to allowed sites.

Cleaning (``commonroom.messaging.text.clean_text``) keeps line breaks and tabs and removes every other
control character and the invisible direction overrides. Rendering escapes everything; a web address
becomes a link only when it is ``http``/``https``, has no user name or password before the host, no port
other than the scheme's own, and its host is an allowed site or a subdomain of one (``www.bbc.co.uk`` for
``bbc.co.uk``, never ``bbc.co.uk.evil.com`` or ``evilbbc.co.uk``). Anything else stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commonroom.messaging.text import clean_line, clean_text

__all__ = ["clean_line", "clean_text", "host_allowed", "normalise_site", "render_post"]

_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_site(value: str) -> str | None:
    """A site as a leader types it (``www.bbc.co.uk``, ``https://bbc.co.uk/``) as a bare host, or None."""
    value = value.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    value = value.strip("/").removeprefix("www.").rstrip(".")
    if "/" in value or "@" in value or ":" in value:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return value if _HOST.match(value) else None


def host_allowed(url: str, sites: Iterable[str]) -> bool:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or parts.username is not None or parts.password is not None:
        return False
    if "@" in parts.netloc or "\\" in url or port not in (None, 80, 443):
        return False
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return any(host == site or host.endswith("." + site) for site in sites if site)


def _piece(url: str, sites: Iterable[str]) -> str:
    trail = ""
    while url and url[-1] in _TRAILING:
        trail = url[-1] + trail
        url = url[:-1]
    if not host_allowed(url, sites):
        return escape(url + trail)
    return (f'<a class="govuk-link" href="{escape(url)}" rel="noopener noreferrer nofollow ugc">{escape(url)}</a>'
            f"{escape(trail)}")


def render_post(value: str, sites: Iterable[str]) -> SafeString:
    """HTML for a post: escaped, line breaks kept, addresses on allowed sites as links."""
    sites = tuple(sites)
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(value):
        parts.append(escape(value[position:match.start()]))
        parts.append(_piece(match.group(0), sites))
        position = match.end()
    parts.append(escape(value[position:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every piece above is escaped
