"""Problems found in a OneRoster package, and the error that carries them.

Every problem names where it is: the file, the line (1 is the header row) and the column, as far as
they are known. A problem with the archive itself names the file as ``(zip file)``.
"""

from __future__ import annotations

from dataclasses import dataclass

ARCHIVE = "(zip file)"

# Values from an upload are quoted in messages; a hostile file could make them enormous.
_QUOTE_LIMIT = 60


def quoted(value: str) -> str:
    """``value`` in double quotes for a message, shortened if long and with control characters escaped."""
    if len(value) > _QUOTE_LIMIT:
        value = value[: _QUOTE_LIMIT - 1] + "…"
    escaped = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)
    return f'"{escaped}"'


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a package: where it is and what is wrong."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column {quoted(self.column)}"
        return f"{where}: {self.message}"


class OneRosterError(ValueError):
    """A package (or a set of records) that cannot be read or written; ``problems`` lists each one.

    ``total`` counts every problem found; ``problems`` holds at most the first ``max_problems`` of them
    (a hostile file could otherwise make millions).
    """

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self._summary())

    def _summary(self) -> str:
        shown = "\n".join(f"- {problem}" for problem in self.problems[:20])
        more = self.total - min(20, len(self.problems))
        tail = f"\n- … and {more} more" if more > 0 else ""
        noun = "problem" if self.total == 1 else "problems"
        return f"OneRoster package refused, {self.total} {noun}:\n{shown}{tail}"


class ProblemLog:
    """Collects problems up to a limit, counting the rest."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(file, line, column, message))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise OneRosterError(self.problems, self.total)
