"""UPN and ULN checks, against DOMAIN.md's rules restated here independently of the code under test."""

from __future__ import annotations

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from commonroom.people.identifiers import (
    is_temporary_upn,
    make_uln,
    make_upn,
    uln_check_digit,
    uln_problem,
    upn_check_letter,
    upn_problem,
    validate_uln,
    validate_upn,
)

# DOMAIN.md: remainder 0 = A ... 22 = Z; no I, O or S.
TABLE = "ABCDEFGHJKLMNPQRTUVWXYZ"
assert len(TABLE) == 23 and not set("IOS") & set(TABLE)


def reference_remainder(body: str) -> int:
    """Positions 2..13 weighted by position; a final letter counts as its index in the table."""
    total = sum(
        (int(char) if char.isdigit() else TABLE.index(char)) * position for position, char in enumerate(body, 2)
    )
    return total % 23


def reference_uln_valid(uln: str) -> bool:
    if len(uln) != 10 or not uln.isdigit() or uln[0] == "0":
        return False
    remainder = sum(int(digit) * weight for digit, weight in zip(uln[:9], range(10, 1, -1), strict=True)) % 11
    return remainder != 0 and int(uln[9]) == 10 - remainder


def upn_valid(value: str) -> bool:
    try:
        validate_upn(value)
    except ValidationError:
        return False
    return True


def uln_valid(value: str) -> bool:
    try:
        validate_uln(value)
    except ValidationError:
        return False
    return True


# The worked examples.


@pytest.mark.parametrize("upn", ["B801200005001", "H801200001001", "G80120000101A"])
def test_domain_examples_are_valid(upn):
    assert upn_problem(upn) is None
    validate_upn(upn)
    assert upn_check_letter(upn[1:]) == upn[0]


def test_domain_example_sum():
    assert sum(int(char) * position for position, char in enumerate("801200005001", 2)) == 93
    assert reference_remainder("801200005001") == 1


def test_wrong_check_letter_is_invalid():
    assert upn_problem("A801200005001") is not None
    with pytest.raises(ValidationError) as caught:
        validate_upn("A801200005001")
    assert caught.value.code == "invalid_upn"


@pytest.mark.parametrize("uln", ["9276308686", "1000102504"])
def test_domain_uln_examples_are_valid(uln):
    assert uln_problem(uln) is None
    validate_uln(uln)
    assert reference_uln_valid(uln)


# Every remainder, both ways.


def _permanent_parts_for_each_remainder() -> dict[int, tuple[int, int]]:
    """(year, serial) for LA 801, establishment 2000, one per remainder 0..22."""
    found: dict[int, tuple[int, int]] = {}
    for year in range(100):
        for serial in range(1000):
            found.setdefault(reference_remainder(f"8012000{year:02d}{serial:03d}"), (year, serial))
        if len(found) == 23:
            break
    return found


PERMANENT = _permanent_parts_for_each_remainder()


def test_every_remainder_is_reachable():
    assert sorted(PERMANENT) == list(range(23))


@pytest.mark.parametrize("remainder", range(23))
def test_each_remainder_round_trips(remainder):
    year, serial = PERMANENT[remainder]
    body = f"8012000{year:02d}{serial:03d}"
    letter = TABLE[remainder]
    assert upn_check_letter(body) == letter
    assert make_upn("801", "2000", year, serial) == letter + body
    assert upn_valid(letter + body)
    rejected = [other for other in TABLE if other != letter and upn_valid(other + body)]
    assert rejected == [], f"{body}: {rejected} accepted besides {letter}"
    assert len([other for other in TABLE if other != letter]) == 22


@pytest.mark.parametrize("final", list(TABLE))
def test_temporary_upns_use_the_final_letters_index(final):
    body = f"80120000101{final}"
    letter = TABLE[reference_remainder(body)]
    assert upn_check_letter(body) == letter
    assert upn_valid(letter + body)
    assert is_temporary_upn(letter + body)
    assert not any(upn_valid(other + body) for other in TABLE if other != letter)


def test_temporary_upns_reach_every_remainder():
    """A temporary UPN's final letter has weight 13; with the serial's digits every remainder occurs."""
    remainders = {
        reference_remainder(f"80120000{tens}{units}{final}")
        for tens in "0123456789"
        for units in "0123456789"
        for final in TABLE
    }
    assert remainders == set(range(23))


def test_permanent_upn_is_not_temporary():
    assert not is_temporary_upn("B801200005001")


# Malformed values.


@pytest.mark.parametrize("bad", ["I", "O", "S"])
def test_letters_i_o_s_are_rejected_as_check_letter(bad):
    assert not upn_valid(bad + "801200005001")


@pytest.mark.parametrize("bad", ["I", "O", "S"])
def test_letters_i_o_s_are_rejected_as_final_letter(bad):
    body = f"80120000101{bad}"
    # Whatever the check letter, the value is invalid.
    assert not any(upn_valid(letter + body) for letter in string.ascii_uppercase)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "B",
        "B80120000500",
        "B8012000050011",
        "B80120000500 1 1",
        "801200005001B",
        "BB01200005001",
        "B8012000050-1",
        "B80120000500!",
    ],
)
def test_wrong_shapes_and_lengths_are_rejected(value):
    assert upn_problem(value) is not None
    assert not upn_valid(value)


def test_upn_is_normalised_before_checking():
    assert upn_valid(" b801 2000 05001 ")


def test_upn_check_letter_needs_twelve_characters():
    with pytest.raises(ValueError):
        upn_check_letter("80120000500")


# ULN.


def _nine_digits_with_remainder_zero() -> str:
    for number in range(100000000, 1000000000):
        digits = str(number)
        if sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11 == 0:
            return digits
    raise AssertionError("unreachable")


def test_uln_with_remainder_zero_is_always_invalid():
    nine = _nine_digits_with_remainder_zero()
    assert uln_check_digit(nine) is None
    assert make_uln(int(nine)) is None
    assert not any(uln_valid(nine + str(last)) for last in range(10))


def test_uln_starting_with_zero_is_invalid():
    # A leading zero adds nothing to the sum, so the check digit is computable: only the 0 is wrong.
    nine = "012345678"
    check = uln_check_digit(nine)
    assert check is not None
    assert not uln_valid(nine + str(check))
    assert uln_problem(nine + str(check)) is not None


@pytest.mark.parametrize("value", ["", "927630868", "92763086860", "927630868A", "9276 308686x", "-276308686"])
def test_uln_wrong_shapes_are_rejected(value):
    assert not uln_valid(value)


def test_uln_wrong_check_digit_is_rejected():
    assert not any(uln_valid(f"927630868{last}") for last in "012345789")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=100000000, max_value=999999999))
def test_make_uln_agrees_with_the_rule(first_nine):
    uln = make_uln(first_nine)
    if uln is None:
        assert not any(reference_uln_valid(f"{first_nine}{last}") for last in range(10))
    else:
        assert reference_uln_valid(uln) and uln_valid(uln)
        assert sum(uln_valid(f"{first_nine}{last}") for last in range(10)) == 1


# Property: exactly one check letter for any body.

BODIES = st.builds(
    lambda digits, last: digits + last,
    st.text(alphabet=string.digits, min_size=11, max_size=11),
    st.sampled_from(list(string.digits + TABLE)),
)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_exactly_one_check_letter_is_valid(body):
    valid = [letter for letter in string.ascii_uppercase if upn_valid(letter + body)]
    assert valid == [TABLE[reference_remainder(body)]]
