"""Authorisation specs for the quizzes app (see ``commonroom/testing/matrix.py``)."""

from __future__ import annotations

from commonroom.quizzes.tests import qti_matrix_specs as qti_specs

PAGE_SPECS = {**qti_specs.PAGE_SPECS}
API_SPECS = {**qti_specs.API_SPECS}
PLACEHOLDERS = {**qti_specs.PLACEHOLDERS}
CONTRACT_BODIES = {**qti_specs.CONTRACT_BODIES}


def prepare(world):  # type: ignore[no-untyped-def]
    qti_specs.prepare(world)


def contract_path_values(world):  # type: ignore[no-untyped-def]
    return qti_specs.contract_path_values(world)
