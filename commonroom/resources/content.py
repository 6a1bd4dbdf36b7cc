"""Pure helpers for a resource's content: the page sanitiser, web addresses and embeddable videos.

The sanitiser is ``nh3`` (Rust's ammonia) with a small allow-list (ADR 0013): text structure, lists,
tables, quotes, code and links. Everything else is dropped: scripts and styles with their content,
event-handler attributes, ``style`` and ``class`` attributes, iframes, forms, images (an outside image
would tell another site who reads the page), and any link that is not http, https or mailto.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings

PAGE_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "a", "table", "caption", "thead", "tbody", "tr", "th", "td",
}
PAGE_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"},
                   "ol": {"start"}}
PAGE_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_page(html: str) -> str:
    """The page's HTML with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(html, tags=PAGE_TAGS, attributes=PAGE_ATTRIBUTES, url_schemes=PAGE_URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True).strip()


def is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


def embed_url(url: str) -> str | None:
    """The address to show a video in a frame, or None when the address is not from an allowed host.

    YouTube (``youtube.com/watch?v=``, ``/embed/``, ``/shorts/``, ``youtu.be/``) plays from
    ``www.youtube-nocookie.com``; Vimeo (``vimeo.com/<n>``, ``player.vimeo.com/video/<n>``) from
    ``player.vimeo.com``. The hosts allowed to be framed are ``RESOURCES_MEDIA_FRAME_HOSTS`` (the
    CSP ``frame-src`` is built from the same setting).
    """
    if not is_web_address(url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = [p for p in parts.path.split("/") if p]
    found: str | None = None
    if host in ("youtube.com", "www.youtube.com", "m.youtube.com", "www.youtube-nocookie.com"):
        video = ""
        if path == ["watch"]:
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) == 2 and path[0] in ("embed", "shorts", "live"):
            video = path[1]
        if _YOUTUBE_ID.match(video):
            found = f"https://www.youtube-nocookie.com/embed/{video}"
    elif host == "youtu.be" and len(path) == 1 and _YOUTUBE_ID.match(path[0]):
        found = f"https://www.youtube-nocookie.com/embed/{path[0]}"
    elif host in ("vimeo.com", "www.vimeo.com") and len(path) == 1 and _VIMEO_ID.match(path[0]):
        found = f"https://player.vimeo.com/video/{path[0]}"
    elif host == "player.vimeo.com" and len(path) == 2 and path[0] == "video" and _VIMEO_ID.match(path[1]):
        found = f"https://player.vimeo.com/video/{path[1]}"
    if found is None:
        return None
    allowed = getattr(settings, "RESOURCES_MEDIA_FRAME_HOSTS", ())
    return found if any(found.startswith(host.rstrip("/") + "/") for host in allowed) else None
