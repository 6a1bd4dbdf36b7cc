import pytest

from commonroom.records.codes import (
    ATTENDED_CODES,
    AUTHORISED_CODES,
    CODES,
    POSSIBLE_CODES,
    UNAUTHORISED_CODES,
    Category,
    code_problem,
)

# The table in DOMAIN.md (SI 2024/208), written out independently of codes.py.
EXPECTED = {
    Category.PRESENT: {"/", "\\", "L"},
    Category.APPROVED_ACTIVITY: {"K", "V", "P", "W", "B"},
    Category.AUTHORISED: {"C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"},
    Category.UNAUTHORISED: {"G", "N", "O", "U"},
    Category.NOT_POSSIBLE: {"D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"},
    Category.ADMINISTRATIVE: {"Z", "#"},
}


def test_every_code_in_force_with_its_category() -> None:
    actual: dict[str, set[str]] = {}
    for code in CODES.values():
        actual.setdefault(code.category, set()).add(code.code)
    assert actual == EXPECTED


def test_what_counts() -> None:
    assert set(POSSIBLE_CODES) == EXPECTED[Category.PRESENT] | EXPECTED[Category.APPROVED_ACTIVITY] | EXPECTED[
        Category.AUTHORISED] | EXPECTED[Category.UNAUTHORISED]
    assert set(ATTENDED_CODES) == EXPECTED[Category.PRESENT] | EXPECTED[Category.APPROVED_ACTIVITY]
    assert set(AUTHORISED_CODES) == EXPECTED[Category.AUTHORISED]
    assert set(UNAUTHORISED_CODES) == EXPECTED[Category.UNAUTHORISED]


@pytest.mark.parametrize("code", ["H", "J", "Y", "F"])
def test_codes_removed_in_2024_are_refused_with_a_pointer(code: str) -> None:
    problem = code_problem(code, "AM", "")
    assert (problem and "2024" in problem) or "removed" in problem


@pytest.mark.parametrize(
    ("code", "session", "explanation", "ok"),
    [
        ("/", "AM", "", True), ("/", "PM", "", False), ("\\", "PM", "", True), ("\\", "AM", "", False),
        ("L", "PM", "", True), ("C", "AM", "", False), ("C", "AM", "Bereavement", True), ("B", "AM", " ", False),
        ("Y7", "PM", "Flood", True), ("ZZ", "AM", "", False), ("", "AM", "", False), ("N", "AM", "", True),
    ],
)
def test_code_problem(code: str, session: str, explanation: str, ok: bool) -> None:
    assert (code_problem(code, session, explanation) is None) == ok
