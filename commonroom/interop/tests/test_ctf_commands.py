"""manage.py ctf_import and ctf_export act as a named user, through the same rules as the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from commonroom.interop.ctf import read_ctf
from commonroom.interop.ctf.tests.fixtures import FULL_FILE, FULL_PUPIL
from commonroom.interop.tests.test_ctf_exchange import _bad_file, addressed_to, snapshot
from commonroom.people.models import Learner


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_ctf_import_checks_by_default_and_imports_with_commit(world, tmp_path):
    path = tmp_path / "in.xml"
    path.write_bytes(addressed_to(FULL_FILE, world.institutions["b2"]))
    urn = world.institutions["b2"].urn
    output = run("ctf_import", str(path), "--institution", urn, "--as", "b2.office")
    assert "create" in output and "nothing written" in output
    assert not Learner.objects.filter(upn=FULL_PUPIL.upn).exists()
    output = run("ctf_import", str(path), "--institution", urn, "--as", "b2.office", "--commit")
    assert output.splitlines()[-1].startswith("Imported: pupils 2, create 2")
    assert Learner.objects.filter(upn=FULL_PUPIL.upn).exists()


def test_ctf_import_refuses_a_bad_file_and_writes_nothing(world, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(_bad_file(world.institutions["b2"]))
    before = snapshot()
    with pytest.raises(CommandError, match="2 problem"):
        run("ctf_import", str(path), "--institution", world.institutions["b2"].urn, "--as", "b2.office", "--commit")
    assert snapshot() == before


@pytest.mark.parametrize("username", ["b2.teacher", "a1.office", "nobody", "no-such-user"])
def test_the_command_acts_only_as_someone_who_may(world, tmp_path, username):
    path = tmp_path / "in.xml"
    path.write_bytes(addressed_to(FULL_FILE, world.institutions["b2"]))
    with pytest.raises(CommandError):
        run("ctf_import", str(path), "--institution", world.institutions["b2"].urn, "--as", username, "--commit")
    assert not Learner.objects.filter(upn=FULL_PUPIL.upn).exists()


def test_ctf_export_leavers_group_and_upns(world, tmp_path):
    a1 = world.institutions["a1"]
    output = run("ctf_export", "--institution", a1.urn, "--as", "a1.office", "--leavers", "--out", str(tmp_path),
                 "--dest", world.institutions["b2"].laestab)
    [written] = tmp_path.iterdir()
    assert written.name == f"{a1.laestab}_CTF_{world.institutions['b2'].laestab}_001.xml" and str(written) in output
    assert [p.upn for p in read_ctf(written.read_bytes()).pupils] == [world.learners["a1.leaver"].upn]
    run("ctf_export", "--institution", a1.urn, "--as", "a1.office", "--group", "10A", "--partial", "--out", str(tmp_path))
    partial = read_ctf((tmp_path / f"{a1.laestab}_CTF_XXXXXXX_002.xml").read_bytes())
    assert partial.header.qualifier == "partial" and len(partial.pupils) == 2
    upn = world.learners["a1.learnerB1"].upn
    run("ctf_export", "--institution", a1.urn, "--as", "a1.office", "--upn", upn, "--out", str(tmp_path))
    assert [p.upn for p in read_ctf((tmp_path / f"{a1.laestab}_CTF_XXXXXXX_003.xml").read_bytes()).pupils] == [upn]


def test_ctf_export_refuses_learners_not_theirs_to_send(world, tmp_path):
    a1 = world.institutions["a1"]
    with pytest.raises(CommandError, match="Not learners of"):
        run("ctf_export", "--institution", a1.urn, "--as", "a1.office", "--upn", world.learners["b1.learnerA1"].upn,
            "--out", str(tmp_path))
    with pytest.raises(CommandError, match="No institution"):
        run("ctf_export", "--institution", a1.urn, "--as", "a1.teacher", "--leavers", "--out", str(tmp_path))
    assert not list(tmp_path.iterdir())
