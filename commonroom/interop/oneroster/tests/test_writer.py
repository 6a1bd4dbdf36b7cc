"""The writer: golden files, determinism, the manifest, and what it refuses to write."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import zipfile

import pytest

from commonroom.interop.oneroster import (
    AcademicSession,
    Org,
    Roster,
    User,
    UserId,
    write_file,
    write_roster,
)
from commonroom.interop.oneroster.model import FILES

from .fixture import GENERATED_AT, GOLDEN, school_roster
from .helpers import problems, where


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("kind", list(FILES))
def test_each_file_in_the_zip_is_its_golden_file(kind: str) -> None:
    members = unzip(write_roster(school_roster(), generated_at=GENERATED_AT))
    assert members[f"{kind}.csv"] == (GOLDEN / f"{kind}.csv").read_bytes()


@pytest.mark.parametrize("kind", list(FILES))
def test_write_file_gives_the_golden_file(kind: str) -> None:
    spec = FILES[kind]  # type: ignore[index]
    text = write_file(spec.kind, getattr(school_roster(), spec.roster_attr))
    assert text.encode("utf-8") == (GOLDEN / spec.name).read_bytes()


def test_the_manifest_is_golden_and_lists_every_file_of_1_2() -> None:
    members = unzip(write_roster(school_roster(), generated_at=GENERATED_AT))
    assert members["manifest.csv"] == (GOLDEN / "manifest.csv").read_bytes()
    lines = members["manifest.csv"].decode().split("\r\n")
    assert lines[:3] == ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.2"]
    assert len([line for line in lines if line.startswith("file.")]) == 21


def test_the_zip_is_deterministic_with_fixed_order_and_timestamps() -> None:
    first = write_roster(school_roster(), generated_at=GENERATED_AT)
    # The same roster in another order, and the same instant in another zone: the same bytes.
    shuffled = school_roster()
    shuffled.users.reverse()
    shuffled.enrollments.reverse()
    later_zone = GENERATED_AT.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert write_roster(shuffled, generated_at=later_zone) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == [
        "manifest.csv",
        "academicSessions.csv",
        "classes.csv",
        "courses.csv",
        "demographics.csv",
        "enrollments.csv",
        "orgs.csv",
        "roles.csv",
        "users.csv",
    ]
    # Zip times have two-second resolution: 06:30:12 is kept exactly.
    assert {info.date_time for info in infos} == {(2025, 9, 1, 6, 30, 12)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_utf8_without_bom_and_crlf_line_endings() -> None:
    for name, content in unzip(write_roster(school_roster(), generated_at=GENERATED_AT)).items():
        assert not content.startswith(b"\xef\xbb\xbf"), name
        assert content.endswith(b"\r\n"), name
        assert b"\n" not in content.replace(b"\r\n", b""), name
    assert "Tomás".encode() in unzip(write_roster(school_roster(), generated_at=GENERATED_AT))["users.csv"]


def test_files_without_rows_are_absent_and_left_out() -> None:
    roster = Roster(orgs=[Org(sourced_id="org-1", name="School", type="school")])
    members = unzip(write_roster(roster, generated_at=GENERATED_AT))
    assert set(members) == {"manifest.csv", "orgs.csv"}
    manifest = members["manifest.csv"].decode()
    assert "file.orgs,bulk\r\n" in manifest
    assert "file.users,absent\r\n" in manifest


def test_an_empty_roster_is_a_manifest_alone() -> None:
    """The binding's way of saying nothing has changed."""
    assert set(unzip(write_roster(Roster(), generated_at=GENERATED_AT))) == {"manifest.csv"}


def test_source_system_rows() -> None:
    data = write_roster(Roster(), generated_at=GENERATED_AT, source_system_name="Commonroom", source_system_code="CR")
    assert unzip(data)["manifest.csv"].decode().endswith("source.systemName,Commonroom\r\nsource.systemCode,CR\r\n")


def test_delta_mode_writes_status_and_date() -> None:
    changed = datetime.datetime(2025, 9, 2, 14, 5, 6, 789_123, tzinfo=datetime.UTC)
    roster = Roster(
        orgs=[Org(sourced_id="org-1", name="School", type="school", status="active", date_last_modified=changed)]
    )
    members = unzip(write_roster(roster, generated_at=GENERATED_AT, mode="delta"))
    assert "file.orgs,delta" in members["manifest.csv"].decode()
    # Milliseconds, the binding's resolution; the microseconds beyond are dropped.
    assert members["orgs.csv"].decode().split("\r\n")[1] == "org-1,active,2025-09-02T14:05:06.789Z,School,school,,"


def test_generated_at_must_be_aware_and_after_1980() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        write_roster(Roster(), generated_at=datetime.datetime(2025, 9, 1))
    with pytest.raises(ValueError, match="1980"):
        write_roster(Roster(), generated_at=datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC))


def test_the_writer_refuses_what_the_reader_would_refuse() -> None:
    roster = school_roster()
    roster.orgs[1] = dataclasses.replace(roster.orgs[1], type="academy")
    roster.users[0] = dataclasses.replace(roster.users[0], given_name="")
    roster.enrollments[0] = dataclasses.replace(roster.enrollments[0], user_sourced_id="user-nobody")
    found = problems(lambda: write_roster(roster, generated_at=GENERATED_AT))
    assert where(found) == [
        ("orgs.csv", 3, "type"),
        ("users.csv", 2, "givenName"),
        ("enrollments.csv", 2, "userSourcedId"),
    ]
    assert str(found[0]).startswith('orgs.csv line 3, column "type": "academy" is not one of department, school')
    assert found[2].message == '"user-nobody" is not a sourcedId in users.csv'


def test_a_reference_to_the_wrong_type_of_record() -> None:
    roster = school_roster()
    roster.classes[0] = dataclasses.replace(roster.classes[0], school_sourced_id="org-district")
    roster.courses[0] = dataclasses.replace(roster.courses[0], school_year_sourced_id="as-2025-t1")
    found = problems(lambda: write_roster(roster, generated_at=GENERATED_AT))
    assert [str(problem) for problem in found] == [
        'classes.csv line 2, column "schoolSourcedId": "org-district" in orgs.csv has type "district", '
        "but must be a school",
        'courses.csv line 2, column "schoolYearSourcedId": "as-2025-t1" in academicSessions.csv has type "term", '
        "but must be a schoolYear",
    ]


def test_the_writer_refuses_values_it_cannot_represent() -> None:
    user = User(sourced_id="user-1", enabled_user=True, username="u", given_name="A", family_name="B")
    cases = {
        "grades": dataclasses.replace(user, grades=("7,8",)),
        "userIds": dataclasses.replace(user, user_ids=(UserId("LDAP", "a,b"),)),
        "pronouns": dataclasses.replace(user, pronouns="she/\r\nher"),
        "status": dataclasses.replace(user, status="active"),  # bulk mode: status must be blank
        "familyName": dataclasses.replace(user, family_name="B\ud800"),  # not encodable as UTF-8
        "metadata.house": dataclasses.replace(user, metadata={"house": "Two\nlines"}),
    }
    for column, broken in cases.items():
        found = problems(functools.partial(write_file, "users", [broken]))
        assert where(found) == [("users.csv", 2, column)], column


def test_a_naive_last_modified_date_is_refused() -> None:
    org = Org(
        sourced_id="org-1",
        name="School",
        type="school",
        status="active",
        date_last_modified=datetime.datetime(2025, 9, 1, 12, 0),
    )
    found = problems(lambda: write_file("orgs", [org], mode="delta"))
    assert where(found) == [("orgs.csv", 2, "dateLastModified")]


def test_duplicate_sourced_ids_are_refused() -> None:
    org = Org(sourced_id="org-1", name="School", type="school")
    found = problems(lambda: write_file("orgs", [org, dataclasses.replace(org, name="Other")]))
    assert where(found) == [("orgs.csv", 3, "sourcedId")]
    assert found[0].message == '"org-1" is already used on line 2'


def test_records_of_the_wrong_kind_are_a_type_error() -> None:
    session = AcademicSession(
        sourced_id="as-1",
        title="Year",
        type="schoolYear",
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 8, 1),
        school_year=2026,
    )
    with pytest.raises(TypeError):
        write_file("orgs", [session])  # type: ignore[list-item]
