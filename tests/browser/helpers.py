"""What the browser tests share: a phone-sized context, signing in, and the checks every page gets
(axe-core finds no serious or critical issue; nothing scrolls sideways)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo

BLOCKING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 375, "height": 812}  # a small phone (an iPhone mini's CSS pixels)


def phone(chromium: Any, live_demo: LiveDemo, *, viewport: dict[str, int] | None = None, **options: Any) -> Any:
    """A new browser context the size of a phone, touch-driven, on the demo server. The caller closes it."""
    return chromium.new_context(base_url=live_demo.base_url, viewport=viewport or PHONE, is_mobile=True,
                                has_touch=True, **options)


def assert_accessible(page: Any, label: str = "") -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response.get("violations", [])
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    where = f"{label or ''} {page.url}".strip()
    for violation in others:  # reported (visible with -s or on failure), not failing
        print(f"axe ({violation.get('impact')}) {violation['id']} on {where}: {_targets(violation)}")
    if blocking:
        lines = [f"axe-core found {len(blocking)} serious/critical violation(s) on {where}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} [{violation.get('impact')}]: {violation.get('help')}")
            for node in violation.get("nodes", []):
                lines.append(f"    {node.get('target')}  {node.get('failureSummary', '').splitlines()[-1:]}")
        pytest.fail("\n".join(lines), pytrace=False)


def _targets(violation: dict[str, Any]) -> list[Any]:
    return [node.get("target") for node in violation.get("nodes", [])]


def assert_no_sideways_scroll(page: Any, label: str) -> None:
    """The page is no wider than its viewport (the phone's width)."""
    viewport = page.viewport_size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport, f"{label} scrolls sideways on a phone: {width}px wide in a {viewport}px viewport"


def sign_in(
    page: Any, live_demo: LiveDemo, username: str, *, password: str | None = None, check_a11y: bool = True
) -> None:
    account = live_demo.account(username)
    page.goto("/accounts/login/")
    if check_a11y:
        assert_accessible(page, "login page")
    page.fill("#id_login", account.username)
    page.fill("#id_password", password if password is not None else account.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
