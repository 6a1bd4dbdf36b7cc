"""The quizzes app's pages and API operations in the authorisation matrix (see commonroom/testing/matrix.py)."""

from __future__ import annotations

from commonroom.quizzes.tests import practice_matrix_specs as _practice

PAGE_SPECS = {**_practice.PAGE_SPECS}
API_SPECS = {**_practice.API_SPECS}
PLACEHOLDERS = {**_practice.PLACEHOLDERS}
CONTRACT_BODIES = {**_practice.CONTRACT_BODIES}


def contract_path_values(world):  # type: ignore[no-untyped-def]
    return {**_practice.contract_path_values(world)}
