"""OneRoster 1.2 CSV rostering: records, a writer and a hardened reader. Pure Python, no database.

See docs/oneroster.md for what is exported and imported and the limits.
"""

from .errors import OneRosterError, Problem
from .model import (
    AcademicSession,
    Class,
    Course,
    Demographics,
    Enrollment,
    FileKind,
    Mode,
    Org,
    Record,
    Role,
    Roster,
    User,
    UserId,
)
from .reader import read_roster
from .writer import write_file, write_roster

__all__ = [
    "AcademicSession",
    "Class",
    "Course",
    "Demographics",
    "Enrollment",
    "FileKind",
    "Mode",
    "OneRosterError",
    "Org",
    "Problem",
    "Record",
    "Role",
    "Roster",
    "User",
    "UserId",
    "read_roster",
    "write_file",
    "write_roster",
]
