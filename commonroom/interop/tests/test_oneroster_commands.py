"""manage.py oneroster_export and oneroster_import: acting as a named user, through the same rules."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonroom.interop.tests.test_oneroster_exchange import counts_of, export, files_of, for_school


def test_the_commands_export_then_check_then_import(world, tmp_path) -> None:
    out = tmp_path / "a1.zip"
    stdout = io.StringIO()
    call_command("oneroster_export", "--institution", "100001", "--as", "a1.office", "--out", str(out), stdout=stdout)
    assert "Wrote" in stdout.getvalue() and files_of(out.read_bytes())["users"]
    rewritten = tmp_path / "b2.zip"
    rewritten.write_bytes(for_school(world, out.read_bytes(), "b2"))
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    checked = io.StringIO()
    call_command("oneroster_import", str(rewritten), "--institution", "100004", "--as", "b2.office", stdout=checked)
    assert "nothing written" in checked.getvalue() and "Learners: 4 created" in checked.getvalue()
    assert counts_of(b2) == before
    imported = io.StringIO()
    call_command("oneroster_import", str(rewritten), "--institution", "100004", "--as", "b2.office", "--commit",
                 "--json", stdout=imported)
    assert "Imported" in imported.getvalue() and '"action": "created"' in imported.getvalue()
    assert counts_of(b2)["enrolments"] == before["enrolments"] + 4


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--institution", "100001", "--as", "nobody-at-all"], "no active account"),
        (["--institution", "100001", "--as", "a1.teacher"], "no institution with URN"),
        (["--institution", "100003", "--as", "a1.office"], "no institution with URN"),
        (["--institution", "999999", "--as", "a1.office"], "no institution with URN"),
    ],
)
def test_the_commands_act_only_as_a_user_who_may(world, tmp_path, arguments, expected) -> None:
    with pytest.raises(CommandError, match=expected):
        call_command("oneroster_export", *arguments, "--out", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_the_import_command_lists_problems_and_refuses(world, tmp_path) -> None:
    path = tmp_path / "a1.zip"
    path.write_bytes(export(world)[1])
    before = counts_of(world.institutions["b2"])
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("oneroster_import", str(path), "--institution", "100004", "--as", "b2.office", "--commit",
                     stderr=stderr)
    assert "orgs.csv" in stderr.getvalue() and "another school" in stderr.getvalue()
    assert counts_of(world.institutions["b2"]) == before
