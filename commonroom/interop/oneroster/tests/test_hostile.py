"""The reader against archives built to hurt: bombs, paths, floods of entries, and things that are not zips."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from commonroom.interop.oneroster import read_roster

from .helpers import ORGS, make_zip, manifest, package, patch_central, patch_entry_count, problems, where

ARCHIVE = "(zip file)"


def messages(data: bytes, **limits: int) -> list[str]:
    return [str(problem) for problem in problems(lambda: read_roster(data, **limits))]


def test_a_member_that_declares_more_than_the_limit_is_refused_unread() -> None:
    # 2 MiB of one byte deflates to a few kilobytes: small upload, big promise.
    bomb = ORGS.encode() + b"x" * (2 * 1024 * 1024)
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "orgs.csv": bomb})
    assert len(data) < 64 * 1024
    assert messages(data, max_bytes=1024 * 1024) == [
        f"orgs.csv: the file unpacks to {len(bomb)} bytes; the limit is 1048576"
    ]


def test_members_that_together_declare_more_than_the_limit_are_refused() -> None:
    half = ORGS.encode() + b"x" * (600 * 1024)
    data = make_zip({"manifest.csv": manifest(orgs="bulk", users="bulk"), "orgs.csv": half, "users.csv": half})
    found = messages(data, max_bytes=1024 * 1024)
    assert len(found) == 1
    assert found[0].startswith(f"{ARCHIVE}: the files unpack to ")
    assert found[0].endswith("bytes in all; the limit is 1048576")


def test_a_member_that_lies_about_its_size_is_not_unpacked_past_the_lie() -> None:
    """Declares 100 bytes, inflates to 8 MiB: reading stops at 100 bytes and the archive is refused."""
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "orgs.csv": ORGS.encode() + b"x" * (8 * 1024 * 1024)})
    lying = patch_central(data, "orgs.csv", file_size=100)
    started = time.monotonic()
    found = problems(lambda: read_roster(lying))
    assert time.monotonic() - started < 2
    assert where(found) == [("orgs.csv", None, None)]
    assert "cannot be unpacked" in found[0].message or "more than the 100 bytes" in found[0].message


def test_an_upload_over_the_limit_is_refused_before_it_is_opened() -> None:
    assert messages(b"PK" + b"\0" * 2000, max_bytes=1000) == [f"{ARCHIVE}: the zip is 2002 bytes; the limit is 1000"]


@pytest.mark.parametrize(
    "name", ["../manifest.csv", "/etc/users.csv", "oneroster/users.csv", "..\\users.csv", "__MACOSX/._users.csv"]
)
def test_paths_are_refused(name: str) -> None:
    data = make_zip({"manifest.csv": manifest(), name: ORGS})
    assert messages(data) == [f'{ARCHIVE}: entry "{name}" is a path: the files must be at the top of the zip']


def test_a_name_hiding_a_path_behind_a_nul_is_refused() -> None:
    # The zip module cuts names at NUL; write "orgs.csv" and then turn a byte of padding into the NUL.
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "orgs.csvX../../evil": ORGS})
    hidden = data.replace(b"orgs.csvX../../evil", b"orgs.csv\x00../../evil")
    found = messages(hidden)
    assert found == [f'{ARCHIVE}: entry "orgs.csv\\x00../../evil" is a path: the files must be at the top of the zip']


def test_files_that_are_not_oneroster_files_are_refused() -> None:
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "Orgs.csv": ORGS, "README.txt": "hello"})
    assert messages(data) == [
        f'{ARCHIVE}: entry "Orgs.csv" is not a OneRoster 1.2 file (did you mean "orgs.csv"? names are case-sensitive)',
        f'{ARCHIVE}: entry "README.txt" is not a OneRoster 1.2 file',
    ]


def test_two_entries_of_one_name_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.csv", manifest(orgs="bulk"))
        archive.writestr("orgs.csv", ORGS)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("orgs.csv", ORGS.replace("School", "Impostor"))
    assert messages(buffer.getvalue()) == ["orgs.csv: the zip holds two files of this name"]


def test_too_many_entries_are_refused_from_the_directory_record() -> None:
    members: dict[str, str | bytes] = {"manifest.csv": manifest()}
    members.update({f"f{n}.csv": "" for n in range(40)})
    assert messages(make_zip(members)) == [f"{ARCHIVE}: the zip has 41 entries; the limit is 22"]


def test_a_directory_record_that_understates_its_entries_is_still_caught() -> None:
    members: dict[str, str | bytes] = {"manifest.csv": manifest()}
    members.update({f"f{n}.csv": "" for n in range(40)})
    assert messages(patch_entry_count(make_zip(members), 3)) == [f"{ARCHIVE}: the zip has 41 entries; the limit is 22"]


def test_a_directory_far_bigger_than_its_entries_need_is_refused_before_parsing() -> None:
    members: dict[str, str | bytes] = {f"{'n' * 200}{n}.csv": "" for n in range(200)}
    found = messages(patch_entry_count(make_zip(members), 3))
    assert len(found) == 1
    assert found[0].startswith(f"{ARCHIVE}: the zip's directory is ")


def test_zip64_is_refused() -> None:
    data = make_zip({"manifest.csv": manifest()})
    eocd = data.rfind(b"PK\x05\x06")
    # A ZIP64 locator just before the end record, which makes the zip module trust ZIP64 counts.
    forged = data[:eocd] + b"PK\x06\x07" + b"\0" * 16 + data[eocd:]
    assert messages(forged) == [
        f"{ARCHIVE}: ZIP64 archives are not accepted: a roster is far smaller than ZIP64 is for"
    ]


def test_an_encrypted_member_is_refused() -> None:
    data = patch_central(package({"orgs": ORGS}), "orgs.csv", flag_bits=0x1)
    assert messages(data) == ["orgs.csv: the file is encrypted"]


def test_compression_other_than_deflate_is_refused() -> None:
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "orgs.csv": ORGS}, compression=zipfile.ZIP_BZIP2)
    assert messages(data) == [
        "manifest.csv: the file is compressed with method 12; only deflate is accepted",
        "orgs.csv: the file is compressed with method 12; only deflate is accepted",
    ]


def test_a_stored_zip_is_accepted() -> None:
    data = make_zip({"manifest.csv": manifest(orgs="bulk"), "orgs.csv": ORGS}, compression=zipfile.ZIP_STORED)
    assert [org.sourced_id for org in read_roster(data).orgs] == ["org-1"]


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n" + b"x" * 100, b"PK\x03\x04" + b"\0" * 100])
def test_what_is_not_a_zip_is_refused(data: bytes) -> None:
    found = messages(data)
    assert len(found) == 1
    assert found[0].startswith(f"{ARCHIVE}: this is not a zip file that can be read")


def test_a_corrupted_member_is_refused() -> None:
    data = bytearray(package({"orgs": ORGS * 1}))
    start = data.find(b"PK\x03\x04", data.find(b"orgs.csv") - 40)
    # Flip bytes in the middle of orgs.csv's compressed data.
    middle = start + 30 + len("orgs.csv") + 10
    data[middle : middle + 4] = b"\xff\xff\xff\xff"
    found = problems(lambda: read_roster(bytes(data)))
    assert where(found)[0][0] == "orgs.csv"


@pytest.mark.parametrize("data", [make_zip({"orgs.csv": ORGS}), b"PK\x05\x06" + b"\0" * 18])
def test_a_zip_without_a_manifest_is_refused(data: bytes) -> None:
    assert messages(data) == ["manifest.csv: the zip has no manifest.csv, which every OneRoster 1.1 or 1.2 package has"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("oneroster.version,1.2", "oneroster.version,1.1"),
            'manifest.csv line 3, column "value": oneroster.version is "1.1": only 1.2 can be read',
        ),
        (
            ("manifest.version,1.0", "manifest.version,2.0"),
            'manifest.csv line 2, column "value": manifest.version is "2.0": only 1.0 can be read',
        ),
        (("oneroster.version,1.2\r\n", ""), "manifest.csv: there is no oneroster.version row"),
        (("propertyName,value", "property,value"), 'manifest.csv line 1: the header row must be "propertyName,value"'),
    ],
)
def test_a_manifest_of_the_wrong_version_or_shape_is_refused(change: tuple[str, str], expected: str) -> None:
    text = manifest(orgs="bulk").replace(*change)
    assert messages(make_zip({"manifest.csv": text, "orgs.csv": ORGS})) == [expected]


def test_the_manifest_and_the_zip_must_agree() -> None:
    text = manifest(orgs="bulk", users="delta", courses="sometimes").replace("file.roles,absent\r\n", "")
    found = messages(make_zip({"manifest.csv": text, "orgs.csv": ORGS, "classes.csv": "x"}))
    assert found == [
        'manifest.csv line 8, column "value": "sometimes" is not one of absent, bulk, delta',
        "manifest.csv: there is no file.roles row (absent, bulk or delta)",
        "classes.csv: the file is in the zip, but manifest.csv does not list it as bulk or delta",
        "users.csv: manifest.csv lists the file as delta, but it is not in the zip",
    ]


def test_duplicate_manifest_properties_are_refused() -> None:
    text = manifest(orgs="bulk") + "file.orgs,absent\r\n"
    assert messages(make_zip({"manifest.csv": text, "orgs.csv": ORGS})) == [
        'manifest.csv line 25, column "propertyName": "file.orgs" is already given on line 15'
    ]
