"""Post text: hostile input stays text; links only to allowed sites, and never by a trick."""

from __future__ import annotations

import pytest

from commonroom.wall.text import clean_text, host_allowed, normalise_site, render_post

SITES = ("bbc.co.uk", "wikipedia.org", "nationalarchives.gov.uk")


@pytest.mark.parametrize("url", [
    "https://www.bbc.co.uk/bitesize",
    "http://bbc.co.uk",
    "https://en.wikipedia.org/wiki/Fraction",
    "https://WWW.BBC.CO.UK/news",
    "https://discovery.nationalarchives.gov.uk:443/details",
])
def test_allowed_hosts_are_links(url):
    assert host_allowed(url, SITES)
    html = render_post(f"See {url} please", SITES)
    assert f'href="{url}"' in html and 'rel="noopener noreferrer nofollow ugc"' in html


@pytest.mark.parametrize("url", [
    "https://bbc.co.uk.evil.com/",
    "https://evilbbc.co.uk/",
    "http://bbc.co.uk@evil.com/",
    "http://user:pass@www.bbc.co.uk/",
    "https://evil.com/?https://bbc.co.uk",
    "https://evil.com#bbc.co.uk",
    "https://bbc.co.uk:8080/",
    "ftp://bbc.co.uk/",
    "javascript:alert(1)//bbc.co.uk",
    "https://bbc.co.uk\\@evil.com",
    "https://wikipedia.org.evil.com/",
    "https://xn--bbc-ww2a.co.uk/",
])
def test_other_hosts_and_tricks_stay_text(url):
    assert not host_allowed(url, SITES)
    html = render_post(f"Look: {url}", SITES)
    assert "<a " not in html and "href" not in html


def test_script_and_markup_are_escaped():
    html = render_post('<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1)', SITES)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<a " not in html


def test_a_quote_cannot_break_out_of_the_link():
    html = render_post('https://www.bbc.co.uk/"onmouseover="alert(1) and https://www.bbc.co.uk/a<b', SITES)
    assert 'onmouseover="' not in html
    assert html.count("<a ") == 2
    assert 'href="https://www.bbc.co.uk/a"' in html and "&lt;b" in html


def test_trailing_punctuation_is_not_part_of_the_link_and_lines_are_kept():
    html = render_post("Try https://www.bbc.co.uk/bitesize.\nThanks", SITES)
    assert 'href="https://www.bbc.co.uk/bitesize"' in html and "</a>.<br>Thanks" in html


def test_clean_text_strips_control_characters_and_direction_overrides():
    assert clean_text("  a\x00b\x07c\u202ed\r\ne\x85f\t  ") == "abcd\nef"


@pytest.mark.parametrize(("typed", "site"), [("www.BBC.co.uk", "bbc.co.uk"), ("https://en.wikipedia.org/", "en.wikipedia.org"),
                                            ("gov.uk.", "gov.uk"), ("bbc.co.uk/news", None), ("evil.com:80", None),
                                            ("user@evil.com", None), ("localhost", None), ("", None)])
def test_sites_are_normalised(typed, site):
    assert normalise_site(typed) == site
