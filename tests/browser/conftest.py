"""Browser tests: a real server on the tiny demo data, driven by Debian's Chromium through Playwright.

Run with:  .venv/bin/python -m pytest tests/browser -m browser -n 0

The session builds a fresh SQLite database in a temporary folder (``migrate`` and ``demo --size tiny``),
serves it with ``runserver`` on a free port, and launches Chromium once. Nothing here touches the
test database of pytest-django: the server is a separate process with its own settings.

If Chromium cannot be found or started the tests FAIL (they never skip): CI must not pass silently
without having run them. Point ``CHROMIUM_PATH`` at another Chromium build if needed.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "tests" / "browser" / "school_day.py"  # manage.py, on a school day
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    institution: str


@dataclass
class LiveDemo:
    base_url: str
    accounts: dict[str, DemoAccount]  # by username
    env: dict[str, str]
    workdir: Path
    server_log: Path

    def server_log_size(self) -> int:
        return self.server_log.stat().st_size

    def server_errors_since(self, offset: int) -> str:
        """What the server logged after ``offset`` if that includes a 500 error (with its traceback), or ''."""
        with self.server_log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
        return text if "Internal Server Error" in text else ""

    def account(self, username: str) -> DemoAccount:
        if username not in self.accounts:
            pytest.fail(f"The demo accounts file has no row for {username!r}; it has {sorted(self.accounts)}")
        return self.accounts[username]

    def manage(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return _manage(self.env, *args, timeout=timeout)


def _server_env(workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMMONROOM_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "commonroom.config.settings",
            "COMMONROOM_DEBUG": "1",
            "COMMONROOM_DEMO": "1",
            "COMMONROOM_SECRET_KEY": "browser-tests-only-not-secret",
            # Every test signs in from 127.0.0.1: on a fast run that is more than the default 30 a minute.
            "COMMONROOM_LOGIN_RATE_LIMIT": "2000/m/ip",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(MANAGE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed with exit code {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"runserver exited with code {process.returncode} before answering:\n{log.read_text()[-4000:]}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"runserver did not answer {url} within {SERVER_START_TIMEOUT} s:\n{log.read_text()[-4000:]}", pytrace=False
    )


@pytest.fixture(scope="session")
def live_demo() -> Iterator[LiveDemo]:
    """Migrate a fresh SQLite database, build the tiny demo, serve it; yield the URL and the demo accounts."""
    with tempfile.TemporaryDirectory(prefix="commonroom-browser-") as tmp:
        workdir = Path(tmp)
        env = _server_env(workdir)
        accounts_file = workdir / "accounts.csv"
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "demo", "--size", "tiny", "--accounts-file", str(accounts_file))
        with accounts_file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        accounts = {
            row["username"]: DemoAccount(row["role"], row["username"], row["password"], row["institution"])
            for row in rows
        }
        if not accounts:
            pytest.fail(f"manage.py demo wrote no accounts to {accounts_file}", pytrace=False)

        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = workdir / "server.log"
        with log.open("wb") as log_handle:
            server = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                [sys.executable, str(MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_serving(f"{base_url}/accounts/login/", server, log)
                yield LiveDemo(base_url=base_url, accounts=accounts, env=env, workdir=workdir, server_log=log)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_facts(live_demo: LiveDemo) -> dict[str, Any]:
    """What the demo database says the home pages should (and should not) show, read in the server's settings."""
    script = """
import json
from commonroom.common.dates import in_force
from commonroom.identity.models import User
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment

def children(username, barred):
    person = User.objects.get(username=username).person
    links = ContactLink.objects.filter(in_force(), contact=person, access_barred=barred).select_related("learner__person")
    out = []
    for link in links:
        enrolled = Enrolment.objects.filter(in_force(), learner=link.learner).values("institution_id")
        names = sorted(Institution.objects.filter(pk__in=enrolled).values_list("name", flat=True))
        out.append({"pk": link.learner.pk, "name": link.learner.person.full_name, "institutions": names})
    return out

facts = {
    "parent_children": children("demo.parent", False),
    "barred_children": children("demo.barred", True),
    "barred_allowed_children": children("demo.barred", False),
}
print("FACTS " + json.dumps(facts))
"""
    result = live_demo.manage("shell", "-c", script, timeout=120)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("FACTS "):
            return dict(json.loads(line.removeprefix("FACTS ")))
    pytest.fail(f"manage.py shell printed no facts:\n{result.stdout}\n{result.stderr}", pytrace=False)


def chromium_executable() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser). Missing Chromium fails the run."""
    executable = chromium_executable()
    if not Path(executable).exists():
        pytest.fail(
            f"Chromium not found at {executable!r}. Install Debian's chromium (apt-get install chromium) "
            "or set CHROMIUM_PATH; browser tests must run, so this is a failure, not a skip.",
            pytrace=False,
        )
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            pytest.fail(f"Could not start Chromium at {executable!r}: {error}", pytrace=False)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium: Any, live_demo: LiveDemo) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, with the server as base URL."""
    ctx = chromium.new_context(base_url=live_demo.base_url)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(autouse=True)
def no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A 500 error on the server during a browser test fails that test, with the server's traceback shown."""
    if "live_demo" not in request.fixturenames:
        yield
        return
    live_demo: LiveDemo = request.getfixturevalue("live_demo")
    offset = live_demo.server_log_size()
    yield
    if errors := live_demo.server_errors_since(offset):
        pytest.fail(f"the server logged an error during this test:\n{errors[-6000:]}", pytrace=False)


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
