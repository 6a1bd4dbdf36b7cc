"""manage.py demo: build the generated demo data once, then print and save the demo sign-ins."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commonroom.demo.generator import (
    DEFAULT_SEED,
    SIZES,
    accounts_table,
    build,
    demo_counts,
    demo_password,
    has_demo_data,
    refresh_accounts,
    write_accounts_file,
)


class Command(BaseCommand):
    help = (
        "Build generated demo data (an authority, institutions, learners, staff, families) and the demo accounts. "
        "If the database already has data, keep it and only reset the demo accounts' passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(SIZES), default="default", help="how much to build")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")
        parser.add_argument(
            "--accounts-file", default="demo-accounts.csv", help="where to write the demo accounts as CSV"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete ALL authorities, institutions, people and accounts first"
        )

    def handle(self, *args: Any, size: str, seed: int, accounts_file: str, reset: bool, **options: Any) -> None:
        started = time.perf_counter()
        if has_demo_data() and not reset:
            self.stdout.write(
                f"The database already has data: keeping it. To replace it with the {size} demo, "
                "add --reset (this deletes everything in this database)."
            )
            accounts = refresh_accounts(seed)
            counts = demo_counts()
            if not accounts:
                self.stderr.write("No demo accounts found in this database; run with --reset to build the demo data.")
            else:
                self.stdout.write(f"Reset the demo accounts' password to {demo_password(seed)}.")
        else:
            self.stdout.write(f"Building the {size} demo data with seed {seed}.")
            result = build(size, seed, stdout=self.stdout, reset=reset)
            accounts, counts = result.accounts, result.counts
        self.stdout.write("")
        self.stdout.write(", ".join(f"{count:,} {name}" for name, count in counts.items()))
        path = Path(accounts_file)
        if accounts:
            write_accounts_file(path, accounts)
            self.stdout.write("")
            self.stdout.write("Demo accounts (all data is generated; the password is for this demo only):")
            self.stdout.write(accounts_table(accounts))
            self.stdout.write(f"\nWritten to {path.resolve()}")
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
