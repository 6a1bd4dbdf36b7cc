"""The national attendance codes in force from 19 August 2024, with their statistical categories.

Source: The School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208),
regulation 10 and its tables, and the DfE's guidance "Working together to improve school
attendance" (August 2024). Codes removed in 2024 (``H``, ``J``, the single ``Y``, ``F``) are
not accepted.

How a code counts:

    present, approved educational activity   attended, and possible
    authorised, unauthorised absence          absent, and possible
    not possible, administrative              neither (not in the denominator)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PRESENT = "present", _("Present")
    APPROVED_ACTIVITY = "approved", _("Attending an approved educational activity")
    AUTHORISED = "authorised", _("Authorised absence")
    UNAUTHORISED = "unauthorised", _("Unauthorised absence")
    NOT_POSSIBLE = "not_possible", _("Attendance not possible")
    ADMINISTRATIVE = "administrative", _("Administrative")


class Session(models.TextChoices):
    AM = "AM", _("Morning")
    PM = "PM", _("Afternoon")


@dataclass(frozen=True)
class Code:
    code: str
    meaning: Any
    category: str
    needs_explanation: bool = False  # a note is required: the code alone does not say why
    session: str = ""  # "AM" or "PM" when the code belongs to one session only

    @property
    def attended(self) -> bool:
        return self.category in (Category.PRESENT, Category.APPROVED_ACTIVITY)

    @property
    def possible(self) -> bool:
        return self.category in (
            Category.PRESENT,
            Category.APPROVED_ACTIVITY,
            Category.AUTHORISED,
            Category.UNAUTHORISED,
        )

    @property
    def label(self) -> str:
        return f"{self.code} {self.meaning}"


_C = Category
CODES: dict[str, Code] = {
    code.code: code
    for code in (
        Code("/", _("Present (morning)"), _C.PRESENT, session="AM"),
        Code("\\", _("Present (afternoon)"), _C.PRESENT, session="PM"),
        Code("L", _("Late, arrived before the register closed"), _C.PRESENT),
        Code("K", _("Attending education provision arranged by the local authority"), _C.APPROVED_ACTIVITY),
        Code("V", _("Attending an educational visit or trip"), _C.APPROVED_ACTIVITY),
        Code("P", _("Participating in an approved sporting activity"), _C.APPROVED_ACTIVITY),
        Code("W", _("Attending work experience"), _C.APPROVED_ACTIVITY),
        Code("B", _("Attending any other approved educational activity"), _C.APPROVED_ACTIVITY, True),
        Code("C1", _("Leave for a regulated performance or regulated employment abroad"), _C.AUTHORISED),
        Code("M", _("Leave for a medical or dental appointment"), _C.AUTHORISED),
        Code("J1", _("Leave to attend an interview"), _C.AUTHORISED),
        Code("S", _("Study leave"), _C.AUTHORISED),
        Code("C2", _("Leave for a part-time timetable"), _C.AUTHORISED),
        Code("C", _("Leave for exceptional circumstances"), _C.AUTHORISED, True),
        Code("T", _("Parent travelling for occupational purposes"), _C.AUTHORISED),
        Code("R", _("Religious observance"), _C.AUTHORISED),
        Code("I", _("Illness (not medical or dental appointment)"), _C.AUTHORISED),
        Code("E", _("Suspended or permanently excluded, no alternative provision"), _C.AUTHORISED),
        Code("G", _("Holiday not granted by the school"), _C.UNAUTHORISED),
        Code("N", _("Reason for absence not yet established"), _C.UNAUTHORISED),
        Code("O", _("Absent in other or unknown circumstances"), _C.UNAUTHORISED),
        Code("U", _("Arrived in school after the register closed"), _C.UNAUTHORISED),
        Code("D", _("Dual registered, at another school"), _C.NOT_POSSIBLE),
        Code("X", _("Not of compulsory school age, not required to attend"), _C.NOT_POSSIBLE),
        Code("Q", _("Unable to attend because of a lack of access arrangements"), _C.NOT_POSSIBLE),
        Code("Y1", _("Unable to attend: transport normally provided not available"), _C.NOT_POSSIBLE),
        Code("Y2", _("Unable to attend: widespread disruption to travel"), _C.NOT_POSSIBLE),
        Code("Y3", _("Unable to attend: part of the school premises closed"), _C.NOT_POSSIBLE),
        Code("Y4", _("Unable to attend: whole school site unexpectedly closed"), _C.NOT_POSSIBLE),
        Code("Y5", _("Unable to attend: in criminal justice detention"), _C.NOT_POSSIBLE),
        Code("Y6", _("Unable to attend: public health guidance or law"), _C.NOT_POSSIBLE),
        Code("Y7", _("Unable to attend: any other unavoidable cause"), _C.NOT_POSSIBLE, True),
        Code("Z", _("Prospective pupil not on admission register"), _C.ADMINISTRATIVE),
        Code("#", _("Planned whole-school closure"), _C.ADMINISTRATIVE),
    )
}
del _C

# Codes that are removed or never existed get a pointed message rather than "unknown".
REMOVED = {"H": "H (holiday) was removed in 2024: use G, or C for exceptional leave",
           "J": "J was replaced by J1 (interview) in 2024",
           "Y": "Y was split into Y1 to Y7 in 2024",
           "F": "F (extended family holiday) was removed: use G"}

CODE_CHOICES = [(code.code, code.label) for code in CODES.values()]


# Each category's number in the database (AttendanceMark.category, generated from the code): the
# figures compare small integers: possible is 1-4, attended 1-2.
CATEGORY_NUMBERS = {
    Category.PRESENT: 1, Category.APPROVED_ACTIVITY: 2, Category.AUTHORISED: 3, Category.UNAUTHORISED: 4,
    Category.NOT_POSSIBLE: 5, Category.ADMINISTRATIVE: 6,
}


def codes_in(*categories: str) -> list[str]:
    return [code.code for code in CODES.values() if code.category in categories]


PRESENT_CODES = codes_in(Category.PRESENT)
ATTENDED_CODES = codes_in(Category.PRESENT, Category.APPROVED_ACTIVITY)
AUTHORISED_CODES = codes_in(Category.AUTHORISED)
UNAUTHORISED_CODES = codes_in(Category.UNAUTHORISED)
POSSIBLE_CODES = ATTENDED_CODES + AUTHORISED_CODES + UNAUTHORISED_CODES
ABSENT_CODES = AUTHORISED_CODES + UNAUTHORISED_CODES
# The codes a form tutor uses in the room; the rest are for the office (still accepted from the register).
REGISTER_CODES = ["/", "\\", "L", "N", "I", "M", "U", "B", "V", "P"]
CLOSURE_CODE = "#"
NOT_YET_ESTABLISHED = "N"
PRESENT_FOR = {Session.AM: "/", Session.PM: "\\"}


def present_code(session: str) -> str:
    return PRESENT_FOR[Session(session)]


def code_problem(code: str, session: str, explanation: str) -> str | None:
    """Why this code cannot be recorded for this session with this explanation, or None if it can."""
    found = CODES.get(code)
    if found is None:
        if code in REMOVED:
            return str(_("%(why)s.") % {"why": REMOVED[code]})
        return str(_("“%(code)s” is not an attendance code.") % {"code": code[:10]})
    if found.session and found.session != session:
        return str(_("“%(code)s” is the present mark for the %(other)s session; use “%(right)s”.") % {
            "code": code, "other": Session(found.session).label.lower(), "right": present_code(session)})
    if found.needs_explanation and not explanation.strip():
        return str(_("Code %(code)s needs an explanation.") % {"code": code})
    return None
