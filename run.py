#!/usr/bin/env python3
"""Set up and run Commonroom on this machine, with nothing but Python 3.11+.

    python3 run.py                 set up, build the demo data (once), serve on :8000 with the worker
    python3 run.py --port 8001     the same on another port
    python3 run.py --no-serve      set up and build the demo data, then exit
    python3 run.py --size school --reset   replace the demo data with another size (default, school, authority)
    python3 run.py test [ARGS]     run the test suite (ARGS go to pytest)

Everything lives in this folder: the virtual environment in .venv/, the SQLite
database and the development secret key in var/. Running it again reuses them.
Only the standard library is used here, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VAR = ROOT / "var"
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]

if sys.version_info < (3, 11):
    sys.exit("Commonroom needs Python 3.11 or newer; this is " + sys.version.split()[0])


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def ensure_environment() -> None:
    """Create .venv and install the pinned requirements, unless they are already there."""
    if not venv_python().exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".requirements.sha256"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    say("installing the pinned dependencies (first run only)")
    run([venv_python(), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([venv_python(), "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements-dev.txt"])
    stamp.write_text(digest)


def environment() -> dict[str, str]:
    """Settings for a local demo: SQLite in var/, debug on, a secret key made once."""
    VAR.mkdir(exist_ok=True)
    key_file = VAR / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "commonroom.config.settings")
    env.setdefault("COMMONROOM_SECRET_KEY", key_file.read_text().strip())
    env.setdefault("COMMONROOM_DEBUG", "1")
    env.setdefault("COMMONROOM_DEMO", "1")
    env.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'commonroom.sqlite3'}")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(command: list, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def manage(*args: str, env: dict[str, str]) -> None:
    run([venv_python(), ROOT / "manage.py", *args], env=env)


def serve(port: int, env: dict[str, str]) -> None:
    """Run the web server and the background worker until Ctrl-C."""
    say(f"serving Commonroom at http://127.0.0.1:{port}/ with its background worker (Ctrl-C stops both)")
    python = str(venv_python())
    processes = [
        subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env),
        subprocess.Popen([python, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"], cwd=ROOT, env=env),
    ]
    try:
        while all(process.poll() is None for process in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str]) -> None:
    if argv[:1] == ["test"]:
        ensure_environment()
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        os.chdir(ROOT)
        os.execve(str(venv_python()), [str(venv_python()), "-m", "pytest", *argv[1:]], env)

    parser = argparse.ArgumentParser(description="Set up Commonroom with demo data and serve it.")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    parser.add_argument("--no-serve", action="store_true", help="set up and build the demo data, then exit")
    parser.add_argument(
        "--size", choices=["default", "school", "authority"], default="default", help="demo data size"
    )
    parser.add_argument("--reset", action="store_true", help="delete the demo database's data and build it again")
    options = parser.parse_args(argv)

    ensure_environment()
    env = environment()
    say("applying database migrations")
    manage("migrate", "--no-input", "-v", "0", env=env)
    say("building the demo data (kept if it is already there)")
    demo = ["demo", "--size", options.size, "--accounts-file", str(ROOT / "demo-accounts.csv")]
    manage(*demo, *(["--reset"] if options.reset else []), env=env)
    if not options.no_serve:
        serve(options.port, env)


if __name__ == "__main__":
    main(sys.argv[1:])
