"""National learner identifiers: the Unique Pupil Number and the Unique Learner Number.

UPN (England): 13 characters. Position 1 is a check letter; then the LA number (3 digits),
the establishment number (4), the year of allocation (2) and a serial of 3 digits, or for a
*temporary* UPN 2 digits and a final letter. The check letter is the sum of each of
characters 2..13 multiplied by its position (weights 2..13), modulo 23, mapped through
``CHECK_LETTERS``; a final letter counts as its index in that table. Letters I, O and S never
appear. Source: UK Government Data Standards Catalogue, Unique Pupil Number v2.0.

ULN: 10 digits, the first not 0. Digits 1-9 weighted 10..2, summed, modulo 11; remainder 0
is invalid; otherwise the tenth digit is 10 minus the remainder.
Source: DfE census validation rule 1575.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_ULN_SHAPE = re.compile(r"^[1-9]\d{9}$")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it (positions 2..13)."""
    if len(body) != 12:
        raise ValueError("a UPN body has 12 characters")
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * position
    return CHECK_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def upn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid UPN, or None when it is."""
    upn = normalise_upn(value)
    if len(upn) != 13:
        return _("A UPN has 13 characters; this has %(count)d.") % {"count": len(upn)}
    if not _UPN_SHAPE.match(upn):
        return _("A UPN is a letter, 11 digits, then a digit or a letter (for a temporary UPN).")
    if any(char in "IOS" for char in upn):
        return _("A UPN never contains the letters I, O or S.")
    if upn[0] not in CHECK_LETTERS or (upn[12].isalpha() and upn[12] not in CHECK_LETTERS):
        return _("A UPN uses only the letters %(letters)s.") % {"letters": CHECK_LETTERS}
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        return _("The check letter does not match: check the UPN was typed correctly.")
    return None


def is_temporary_upn(value: str) -> bool:
    return normalise_upn(value)[-1:].isalpha()


def validate_upn(value: str) -> None:
    problem = upn_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_upn")


def make_upn(la_number: str, estab_number: str, year: int, serial: int) -> str:
    """A permanent UPN with its check letter, for the given parts (used by the demo generator)."""
    body = f"{int(la_number):03d}{int(estab_number):04d}{year % 100:02d}{serial:03d}"
    if len(body) != 12:
        raise ValueError("serial must be below 1000")
    return upn_check_letter(body) + body


def uln_check_digit(first_nine: str) -> int | None:
    """The check digit for the first nine digits, or None when no valid ULN can start so."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    remainder = total % 11
    if remainder == 0:
        return None
    return 10 - remainder


def uln_problem(value: str) -> str | None:
    uln = value.strip()
    if not _ULN_SHAPE.match(uln):
        return _("A ULN is 10 digits and does not start with 0.")
    expected = uln_check_digit(uln[:9])
    if expected is None or int(uln[9]) != expected:
        return _("The check digit does not match: check the ULN was typed correctly.")
    return None


def validate_uln(value: str) -> None:
    problem = uln_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uln")


def make_uln(first_nine: int) -> str | None:
    """A valid ULN from nine leading digits, or None when those digits have no check digit."""
    digits = f"{first_nine:09d}"
    check = uln_check_digit(digits)
    return None if check is None else digits + str(check)
