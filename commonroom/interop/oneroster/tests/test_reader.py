"""The reader on well-formed packages: the round trip, and each kind of problem named by file, line and column."""

from __future__ import annotations

import dataclasses
import datetime

from commonroom.interop.oneroster import Org, Roster, read_roster, write_roster

from .fixture import GENERATED_AT, school_roster
from .helpers import ORGS, make_zip, manifest, package, problems, user_row, users, where


def test_round_trip_of_the_fixture() -> None:
    assert read_roster(write_roster(school_roster(), generated_at=GENERATED_AT)) == school_roster()


def test_round_trip_in_delta_mode() -> None:
    changed = datetime.datetime(2025, 9, 2, 14, 5, 6, 789_000, tzinfo=datetime.UTC)
    roster = school_roster()
    for attr in ("orgs", "academic_sessions", "courses", "classes", "users", "roles", "enrollments", "demographics"):
        records = getattr(roster, attr)
        records[:] = [
            dataclasses.replace(record, status="tobedeleted" if index == 0 else "active", date_last_modified=changed)
            for index, record in enumerate(records)
        ]
    assert read_roster(write_roster(roster, generated_at=GENERATED_AT, mode="delta")) == roster


def test_sorted_puts_each_list_in_sourced_id_order() -> None:
    roster = school_roster()
    roster.users.reverse()
    assert roster != school_roster()
    assert roster.sorted() == school_roster()


def test_metadata_columns_are_kept_and_unknown_columns_ignored() -> None:
    text = (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,vendorNote,metadata.ofsted.rating\r\n"
    )
    text += "org-1,,,School,school,,,ignore me,good\r\norg-2,,,Other,school,,,,\r\n"
    roster = read_roster(package({"orgs": text}))
    assert roster.orgs == [
        Org(sourced_id="org-1", name="School", type="school", metadata={"ofsted.rating": "good"}),
        Org(sourced_id="org-2", name="Other", type="school"),
    ]


def test_optional_columns_may_be_left_out_and_columns_are_found_by_name() -> None:
    text = "name,sourcedId,type\nSchool,org-1,school\n"  # LF line endings, reordered, no optional columns
    assert read_roster(package({"orgs": text})).orgs == [Org(sourced_id="org-1", name="School", type="school")]


def test_a_byte_order_mark_is_skipped_and_blank_lines_ignored() -> None:
    assert read_roster(package({"orgs": "\ufeff" + ORGS + "\r\n"})).orgs == [
        Org(sourced_id="org-1", name="School", type="school")
    ]


def test_extension_terms_start_with_ext() -> None:
    text = ORGS + "org-2,,,Federation,ext:federation,,\r\norg-3,,,Bad,federation,,\r\norg-4,,,Bad,ext:,,\r\n"
    found = problems(lambda: read_roster(package({"orgs": text})))
    assert where(found) == [("orgs.csv", 4, "type"), ("orgs.csv", 5, "type")]


def test_each_row_problem_names_file_line_and_column() -> None:
    rows = users(
        user_row("user-1"),
        user_row("user-2", enabledUser="yes"),
        user_row("user 3"),
        user_row("user-4", givenName=""),
        user_row("user-5", userIds="LDAP:x"),
        user_row("user-6", primaryOrgSourcedId="org-9"),
        user_row("user-7", agentSourcedIds='"user-1,,user-2"'),
        user_row("user-1"),
    )
    roles = (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,"
        "userProfileSourcedId\r\n"
        "role-1,,,user-1,primary,pupil,,,org-1,\r\n"
        "role-2,,,user-1,main,student,2025-13-01,,org-1,\r\n"
        "role-3,,,user-2,primary,student,2025-09-01,2025-08-31,org-1,\r\n"
        "role-4,,,user-1,primary,teacher,,,org-1,\r\n"
        "role-5,,,user-1,primary,aide,,,org-1,\r\n"
        "role-6,,,user-99,secondary,aide,,,org-1,\r\n"
    )
    found = problems(lambda: read_roster(package({"orgs": ORGS, "users": rows, "roles": roles})))
    assert [str(problem) for problem in found] == [
        'roles.csv line 2, column "role": "pupil" is not one of aide, counselor, districtAdministrator, guardian, '
        "parent, principal, proctor, relative, siteAdministrator, student, systemAdministrator, teacher "
        '(or a term starting "ext:")',
        'roles.csv line 3, column "roleType": "main" is not one of primary, secondary',
        'roles.csv line 3, column "beginDate": "2025-13-01" is not a real date',
        'roles.csv line 4, column "endDate": 2025-08-31 is before the start, 2025-09-01',
        'roles.csv line 6, column "roleType": user "user-1" already has a primary role in org "org-1" on line 5',
        'users.csv line 3, column "enabledUser": "yes" is not "true" or "false" (values are case-sensitive)',
        'users.csv line 4, column "sourcedId": "user 3" is not a valid sourcedId: it must be 1 to 255 of the '
        "characters A-Z a-z 0-9 . - _ / @",
        'users.csv line 5, column "givenName": a value is required',
        'users.csv line 6, column "userIds": "LDAP:x" is not a user id in the form {type:identifier}',
        'users.csv line 8, column "agentSourcedIds": "user-1,,user-2" has an empty item: separate the items '
        "with single commas",
        'users.csv line 9, column "sourcedId": "user-1" is already used on line 2',
        'roles.csv line 7, column "userSourcedId": "user-99" is not a sourcedId in users.csv',
        'users.csv line 7, column "primaryOrgSourcedId": "org-9" is not a sourcedId in orgs.csv',
    ]


def test_a_missing_required_column_names_file_and_column() -> None:
    header = "sourcedId,status,dateLastModified,name,identifier,parentSourcedId"
    found = problems(lambda: read_roster(package({"orgs": header + "\r\norg-1,,,School,,\r\n"})))
    assert [str(problem) for problem in found] == ['orgs.csv line 1, column "type": the required column is missing']


def test_headers_are_case_sensitive_and_unique() -> None:
    text = "sourcedid,status,dateLastModified,name,type,type\r\norg-1,,,School,school,school\r\n"
    found = problems(lambda: read_roster(package({"orgs": text})))
    assert [str(problem) for problem in found] == [
        'orgs.csv line 1, column "type": the column appears twice in the header',
        'orgs.csv line 1, column "sourcedId": the required column is missing (there is "sourcedid": headers '
        "are case-sensitive)",
    ]


def test_bulk_rows_must_leave_status_blank_and_delta_rows_must_fill_it() -> None:
    bulk = ORGS.replace("org-1,,,", "org-1,active,2025-09-01T00:00:00.000Z,")
    assert where(problems(lambda: read_roster(package({"orgs": bulk})))) == [
        ("orgs.csv", 2, "status"),
        ("orgs.csv", 2, "dateLastModified"),
    ]
    delta = ORGS + "org-2,active,2025-09-01T10:00:00Z,Other,school,,\r\norg-3,deleted,2025-09-01,Old,school,,\r\n"
    found = problems(lambda: read_roster(package({"orgs": delta}, mode="delta")))
    assert where(found) == [
        ("orgs.csv", 2, "status"),
        ("orgs.csv", 2, "dateLastModified"),
        ("orgs.csv", 4, "status"),
        ("orgs.csv", 4, "dateLastModified"),
    ]


def test_a_delta_file_may_refer_to_records_not_in_the_package() -> None:
    rows = users(
        user_row(
            "user-1", status="active", dateLastModified="2025-09-01T10:00:00.000Z", primaryOrgSourcedId="org-elsewhere"
        )
    )
    assert read_roster(package({"users": rows}, mode="delta")).users[0].primary_org_sourced_id == "org-elsewhere"


def test_a_bulk_file_must_find_its_references_in_the_package() -> None:
    found = problems(lambda: read_roster(package({"users": users(user_row(primaryOrgSourcedId="org-1"))})))
    assert [str(problem) for problem in found] == [
        'users.csv line 2, column "primaryOrgSourcedId": refers to "org-1" in orgs.csv, but the package has no orgs.csv'
    ]


def test_a_row_with_the_wrong_number_of_fields() -> None:
    found = problems(lambda: read_roster(package({"orgs": ORGS + "org-2,,,Other,school\r\n"})))
    assert [str(problem) for problem in found] == ["orgs.csv line 3: the row has 5 fields but the header has 7"]


def test_a_line_break_inside_a_field_is_refused() -> None:
    found = problems(lambda: read_roster(package({"orgs": ORGS + 'org-2,,,"Two\nlines",school,,\r\n'})))
    assert where(found) == [("orgs.csv", 3, "name")]


def test_a_file_with_no_rows_must_be_marked_absent() -> None:
    header_only = ORGS.split("\r\n")[0] + "\r\n"
    assert [str(problem) for problem in problems(lambda: read_roster(package({"orgs": header_only})))] == [
        "orgs.csv: the file has no data rows; an empty file must be marked absent"
    ]
    assert where(problems(lambda: read_roster(package({"orgs": ""})))) == [("orgs.csv", None, None)]


def test_text_that_is_not_utf8_names_the_line() -> None:
    data = make_zip(
        {"manifest.csv": manifest(orgs="bulk"), "orgs.csv": ORGS.encode() + b"org-2,,,Caf\xe9,school,,\r\n"}
    )
    found = problems(lambda: read_roster(data))
    assert [str(problem) for problem in found] == [
        "orgs.csv line 3: the file is not UTF-8 text (byte 109 cannot be decoded)"
    ]


def test_broken_csv_quoting_names_the_line() -> None:
    found = problems(lambda: read_roster(package({"orgs": ORGS + 'org-2,,,"Unclosed,school,,\r\n'})))
    assert where(found) == [("orgs.csv", 3, None)]


def test_every_problem_is_collected_up_to_a_limit_and_all_are_counted() -> None:
    rows = users(*(user_row(f"user-{n}", enabledUser="maybe") for n in range(30)))
    found = problems(lambda: read_roster(package({"users": rows})))
    assert len(found) == 30
    try:
        read_roster(package({"users": rows}), max_problems=10)
    except ValueError as error:  # OneRosterError is a ValueError
        assert len(error.problems) == 10  # type: ignore[attr-defined]
        assert error.total == 30  # type: ignore[attr-defined]
        assert "and 20 more" in str(error)
    else:  # pragma: no cover
        raise AssertionError("not refused")


def test_a_manifest_only_package_is_an_empty_roster() -> None:
    assert read_roster(make_zip({"manifest.csv": manifest()})) == Roster()
