"""The one exception the CTF library raises for a file it cannot accept."""

from __future__ import annotations

from collections.abc import Sequence


class CtfError(ValueError):
    """A Common Transfer File was refused. ``problems`` lists every reason found, each a full sentence.

    A ValueError, so callers that already turn ValueError into a form error keep working.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        if not self.problems:
            raise ValueError("a CtfError needs at least one problem")
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} problems:\n" + "\n".join(f"- {problem}" for problem in self.problems)

    def __str__(self) -> str:
        return self._message()
