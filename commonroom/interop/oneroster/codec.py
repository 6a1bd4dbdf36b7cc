"""Turning one CSV field into a value and back, by the binding's data types (``model.Kind``).

``parse`` and ``render`` raise ``FieldError`` with a message that can stand after a file, line and
column. An empty field never reaches them: blank means "no value" for every type.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from .errors import quoted
from .model import EXTENSION_PREFIX, Column, Kind, UserId

# GUIDs: fewer than 256 characters from 0-9, a-z, A-Z and . - _ / @ (binding, section 3, "Format").
_GUID = re.compile(r"[0-9A-Za-z.\-_/@]{1,255}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The binding requires YYYY-MM-DDTHH:MM:SS.sssZ; reading also takes no fraction or up to 6 digits of it.
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z")
_YEAR = re.compile(r"\d{4}")
# {type:identifier}: the type runs to the first colon; neither part may hold braces or commas.
_USER_ID = re.compile(r"\{([^{}:,]+):([^{},]+)\}")
# Line breaks inside a field are refused (the binding forbids carriage returns; a lone line feed
# does not survive many CSV readers), and so is NUL, which PostgreSQL text cannot hold, and so are
# lone surrogates, which cannot be written as UTF-8.
_FORBIDDEN = re.compile("[\r\n\x00\ud800-\udfff]")


class FieldError(ValueError):
    """The value of one field is wrong; the message says how."""


def check_text(raw: str) -> str:
    """``raw`` if a field can hold it; raises FieldError if it has a line break, NUL or lone surrogate."""
    bad = _FORBIDDEN.search(raw)
    if bad:
        what = {"\r": "a line break", "\n": "a line break", "\x00": "a NUL character"}.get(
            bad.group(), "a lone surrogate (not Unicode text)"
        )
        raise FieldError(f"{quoted(raw)} contains {what}, which a field may not hold")
    return raw


_text = check_text


def _items(raw: str) -> list[str]:
    items = raw.split(",")
    if any(item == "" for item in items):
        raise FieldError(f"{quoted(raw)} has an empty item: separate the items with single commas")
    return items


def _guid(raw: str) -> str:
    if not _GUID.fullmatch(raw):
        raise FieldError(
            f"{quoted(raw)} is not a valid sourcedId: it must be 1 to 255 of the characters A-Z a-z 0-9 . - _ / @"
        )
    return raw


def _enum(column: Column, raw: str) -> str:
    if raw in column.vocabulary:
        return raw
    if column.extensible and raw.startswith(EXTENSION_PREFIX) and len(raw) > len(EXTENSION_PREFIX):
        return _text(raw)
    allowed = ", ".join(column.vocabulary)
    extension = f' (or a term starting "{EXTENSION_PREFIX}")' if column.extensible else ""
    raise FieldError(f"{quoted(raw)} is not one of {allowed}{extension}")


def _boolean(raw: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise FieldError(f'{quoted(raw)} is not "true" or "false" (values are case-sensitive)')


def _date(raw: str) -> datetime.date:
    match = _DATE.fullmatch(raw)
    if not match:
        raise FieldError(f"{quoted(raw)} is not a date in the form YYYY-MM-DD")
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise FieldError(f"{quoted(raw)} is not a real date") from None


def _datetime(raw: str) -> datetime.datetime:
    match = _DATETIME.fullmatch(raw)
    if not match:
        raise FieldError(f"{quoted(raw)} is not a UTC date and time in the form YYYY-MM-DDTHH:MM:SS.sssZ")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0"))
    try:
        return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=datetime.UTC)
    except ValueError:
        raise FieldError(f"{quoted(raw)} is not a real date and time") from None


def _year(raw: str) -> int:
    if not _YEAR.fullmatch(raw):
        raise FieldError(f"{quoted(raw)} is not a year in the form YYYY")
    return int(raw)


def _user_ids(raw: str) -> tuple[UserId, ...]:
    result = []
    for item in _items(raw):
        match = _USER_ID.fullmatch(item)
        if not match:
            raise FieldError(f"{quoted(item)} is not a user id in the form {{type:identifier}}")
        result.append(UserId(_text(match.group(1)), _text(match.group(2))))
    return tuple(result)


_PARSERS: dict[Kind, Callable[[str], Any]] = {
    Kind.GUID: _guid,
    Kind.GUID_LIST: lambda raw: tuple(_guid(item) for item in _items(raw)),
    Kind.TEXT: _text,
    Kind.TEXT_LIST: lambda raw: tuple(_text(item) for item in _items(_text(raw))),
    Kind.USER_IDS: _user_ids,
    Kind.BOOLEAN: _boolean,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.YEAR: _year,
}


def parse(column: Column, raw: str) -> Any:
    """The value of a non-empty field of ``column``; raises FieldError."""
    if column.kind is Kind.ENUM:
        return _enum(column, raw)
    return _PARSERS[column.kind](raw)


def empty(column: Column) -> Any:
    """The value a blank field of ``column`` stands for."""
    return () if column.kind in (Kind.GUID_LIST, Kind.TEXT_LIST, Kind.USER_IDS) else None


# -- writing ---------------------------------------------------------------------------------------


def _join(values: Any, show: Callable[[Any], str] = str) -> str:
    if not isinstance(values, tuple | list):
        raise FieldError(f"expected a tuple of values, got {type(values).__name__}")
    items = [show(value) for value in values]
    for item in items:
        if "," in item or item == "":
            # A comma would split the item in two when read back; an empty item cannot be written.
            raise FieldError(f"list item {quoted(item)} is empty or contains a comma, which a list cannot hold")
    return ",".join(items)


def _format_user_id(value: Any) -> str:
    if not isinstance(value, UserId):
        raise FieldError(f"expected UserId values, got {type(value).__name__}")
    if (
        not value.type
        or not value.identifier
        or ":" in value.type
        or any(ch in value.type + value.identifier for ch in "{},")
    ):
        raise FieldError(
            f"user id {quoted(value.type)}:{quoted(value.identifier)} cannot be written: neither part may be empty "
            "or hold braces or commas, and the type may not hold a colon"
        )
    return f"{{{value.type}:{value.identifier}}}"


def _format_datetime(value: Any) -> str:
    if not isinstance(value, datetime.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise FieldError("expected a timezone-aware datetime")
    utc = value.astimezone(datetime.UTC)
    # The binding's resolution is milliseconds: anything finer is dropped.
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _format_date(value: Any) -> str:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise FieldError(f"expected a date, got {type(value).__name__}")
    return value.isoformat()


def _format_boolean(value: Any) -> str:
    if not isinstance(value, bool):
        raise FieldError(f"expected True or False, got {type(value).__name__}")
    return "true" if value else "false"


def _format_year(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9999:
        raise FieldError(f"expected a year from 0 to 9999, got {value!r}")
    return f"{value:04d}"


def _format_text(value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError(f"expected text, got {type(value).__name__}")
    return value


_FORMATTERS: dict[Kind, Callable[[Any], str]] = {
    Kind.GUID: _format_text,
    Kind.GUID_LIST: lambda value: _join(value, _format_text),
    Kind.TEXT: _format_text,
    Kind.TEXT_LIST: lambda value: _join(value, _format_text),
    Kind.USER_IDS: lambda value: _join(value, _format_user_id),
    Kind.ENUM: _format_text,
    Kind.BOOLEAN: _format_boolean,
    Kind.DATE: _format_date,
    Kind.DATETIME: _format_datetime,
    Kind.YEAR: _format_year,
}


def render(column: Column, value: Any) -> str:
    """The field text for ``value``; ``None`` and empty lists are blank. Raises FieldError.

    Only what cannot be represented is refused here; whether the text is a valid value (an
    enumeration term, a sourcedId's characters) is checked when the writer reads its own rows back.
    """
    if value is None or (isinstance(value, tuple | list) and not value):
        return ""
    return _FORMATTERS[column.kind](value)
