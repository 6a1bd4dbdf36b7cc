"""The quizzes app's rows in the persona world."""

from __future__ import annotations

from typing import Any


def extend(world: Any) -> None:
    from commonroom.quizzes import practice_testing_world

    practice_testing_world.extend(world)
