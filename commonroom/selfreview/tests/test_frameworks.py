"""Frameworks as data: the loader names the file and line at fault, loads each file all-or-nothing, is
idempotent, and new or withdrawn versions leave earlier reviews readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from commonroom.authz.actor import Actor
from commonroom.selfreview.loader import FRAMEWORK_DIR, FrameworkFileError, parse_framework, read_framework_file
from commonroom.selfreview.models import Aspect, Element, Framework, Review
from commonroom.selfreview.services import frameworks_load, review_start
from commonroom.selfreview.testing_world import review_named

SYSTEM = Actor.system("test")

GOOD = """\
[framework]
slug = "tiny"
version = 1
name = "Tiny framework"

[scale]
1 = "Exemplary"
2 = "Embedded"
3 = "Established"
4 = "Making a start"
5 = "Not yet started"

[[element]]
number = 1
name = "Leadership"

[[strand]]
code = "1a"
name = "Vision"

[[aspect]]
code = "1a-1"
title = "A vision"
threshold = 3
level.5 = "None"
level.4 = "Draft"
level.3 = "Agreed"
level.2 = "Lived"
level.1 = "Shared widely"

[[aspect]]
code = "1a-2"
title = "A plan"
threshold = 2
level.5 = "None"
level.4 = "Draft"
level.3 = "Agreed"
level.2 = "Lived"
level.1 = "Shared widely"
"""


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def test_the_four_shipped_frameworks_parse() -> None:
    parsed = {p.name: read_framework_file(p) for p in sorted(FRAMEWORK_DIR.glob("*.toml"))}
    assert set(parsed) == {"schools-v1.toml", "fe-skills-v1.toml", "parental-engagement-v1.toml", "online-safety-v1.toml"}
    schools = parsed["schools-v1.toml"]
    assert [e.name for e in schools.elements] == [
        "Leadership and management", "Curriculum", "Learning and teaching", "Assessment", "Professional development",
        "Extending opportunities for learning", "Resources", "Impact on pupil outcomes"]
    assert [s.name for s in schools.elements[0].strands] == [
        "Vision", "Strategy", "ICT for organisational effectiveness", "Monitoring and evaluation"]
    assert [s.name for s in schools.elements[1].strands] == [
        "Planned ICT curriculum", "Pupils' actual experiences", "Curriculum leadership and review"]
    assert 30 <= schools.aspect_count <= 40
    assert [e.name for e in parsed["parental-engagement-v1.toml"].elements] == [
        "Recording and reporting", "Parental dialogue and engagement", "Workforce involvement", "Exploiting technologies"]
    for data in parsed.values():
        for element in data.elements:
            assert 1 <= len(element.strands) <= 4
            for strand in element.strands:
                assert 1 <= len(strand.aspects) <= 3
                for aspect in strand.aspects:
                    assert sorted(aspect.descriptors) == ["1", "2", "3", "4", "5"]
                    assert len(set(aspect.descriptors.values())) == 5


def test_a_good_file_parses() -> None:
    data = parse_framework(GOOD, "tiny.toml")
    assert data.slug == "tiny" and data.aspect_count == 2
    assert data.elements[0].strands[0].aspects[1].threshold == 2


@pytest.mark.parametrize(("change", "needle", "occurrence", "message"), [
    # a missing level: the line of the aspect's code
    (lambda t: t.replace('level.2 = "Lived"\n', "", 1), 'code = "1a-1"', 1, "no descriptor for level 2"),
    # a duplicate aspect code: the line of the second one
    (lambda t: t.replace('code = "1a-2"', 'code = "1a-1"'), 'code = "1a-1"', 2, "used twice"),
    # a threshold outside the scale: the threshold's own line
    (lambda t: t.replace("threshold = 2", "threshold = 6"), "threshold = 6", 1, "outside the scale"),
    (lambda t: t.replace("threshold = 3", "threshold = 0"), "threshold = 0", 1, "outside the scale"),
    # a level outside the scale
    (lambda t: t.replace('level.1 = "Shared widely"\n', 'level.1 = "Shared widely"\nlevel.6 = "Beyond"\n', 1),
     'level.6 = "Beyond"', 1, "outside the scale"),
    # an aspect whose strand is not defined
    (lambda t: t.replace('code = "1a-2"', 'code = "1b-1"'), 'code = "1b-1"', 1, "strand 1b"),
    # not TOML at all
    (lambda t: t.replace('name = "Vision"', 'name = "Vision'), 'name = "Vision', 1, "not valid TOML"),
])
def test_bad_files_name_the_file_and_line(change, needle: str, occurrence: int, message: str) -> None:  # type: ignore[no-untyped-def]
    text = change(GOOD)
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(text, "tiny.toml")
    assert caught.value.file == "tiny.toml"
    assert caught.value.line == _line_of(text, needle, occurrence), str(caught.value)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"tiny.toml, line {caught.value.line}: ")


def test_a_missing_scale_level_is_refused() -> None:
    text = GOOD.replace('4 = "Making a start"\n', "")
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(text, "tiny.toml")
    assert caught.value.line == _line_of(text, "[scale]") and "level 4" in caught.value.message


def test_loading_is_all_or_nothing_per_file(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a-good.toml").write_text(GOOD)
    late_fault = GOOD.replace("tiny", "broken").replace("threshold = 2", "threshold = 9")
    (tmp_path / "b-bad.toml").write_text(late_fault)
    report = frameworks_load(actor=SYSTEM, directory=tmp_path)
    assert report.created == ["tiny v1"]
    assert [(e.file, e.line) for e in report.errors] == [("b-bad.toml", _line_of(late_fault, "threshold = 9"))]
    assert not Framework.objects.filter(slug="broken").exists()
    assert not Aspect.objects.filter(title="A vision", element__framework__slug="broken").exists()


def test_the_command_loads_twice_without_change_and_fails_on_a_bad_file(world, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    counts = (Framework.objects.count(), Element.objects.count(), Aspect.objects.count())
    assert counts[0] == 4  # the world loaded them already
    call_command("load_frameworks")
    call_command("load_frameworks")
    assert (Framework.objects.count(), Element.objects.count(), Aspect.objects.count()) == counts
    assert "unchanged schools v1" in capsys.readouterr().out
    (tmp_path / "bad.toml").write_text(GOOD.replace('level.3 = "Agreed"\n', "", 1))
    with pytest.raises(CommandError):
        call_command("load_frameworks", directory=str(tmp_path))
    assert "bad.toml, line 22" in capsys.readouterr().err


def test_a_loaded_version_cannot_change_its_content(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "tiny.toml").write_text(GOOD)
    frameworks_load(actor=SYSTEM, directory=tmp_path)
    (tmp_path / "tiny.toml").write_text(GOOD.replace('"A plan"', '"A different plan"'))
    report = frameworks_load(actor=SYSTEM, directory=tmp_path)
    assert report.errors and "new version number" in report.errors[0].message
    assert Aspect.objects.filter(title="A plan").exists()


def test_a_new_version_keeps_old_reviews_readable(world, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (FRAMEWORK_DIR / "schools-v1.toml").read_text().replace("version = 1", "version = 2", 1)
    text = text.replace('title = "A shared vision for technology in learning"', 'title = "A vision for digital learning"')
    (tmp_path / "schools-v2.toml").write_text(text)
    (tmp_path / "schools-v1.toml").write_text((FRAMEWORK_DIR / "schools-v1.toml").read_text().replace(
        'status = "published"', 'status = "withdrawn"'))
    report = frameworks_load(actor=SYSTEM, directory=tmp_path)
    assert report.created == ["schools v2"] and report.status_changed == ["schools v1"]
    v1 = Framework.objects.get(slug="schools", version=1)
    v2 = Framework.objects.get(slug="schools", version=2)
    assert v1.is_withdrawn and not v2.is_withdrawn
    finished = review_named(world, "a1.finished")
    assert finished.framework_id == v1.pk
    client.force_login(world.users["a1.head"])
    for url in (f"/self-review/reviews/{finished.pk}/", f"/self-review/reviews/{finished.pk}/result/",
                f"/api/v1/self-review/reviews/{finished.pk}/result", f"/self-review/frameworks/{v1.pk}/"):
        assert client.get(url).status_code == 200, url
    # A withdrawn version takes no new reviews; the current review against it is still answered.
    with pytest.raises(ValidationError):
        review_start(actor=world.actor("a1.head"), institution=world.institutions["a1"], framework=v1)
    response = client.post("/api/v1/self-review/reviews", {"institution_id": world.institutions["a1"].pk, "framework_id": v1.pk},
                           content_type="application/json")
    assert response.status_code == 422
    new = review_start(actor=world.actor("a1.head"), institution=world.institutions["a1"], framework=v2)
    assert new.answers.get(aspect__code="1a-1").aspect.title == "A vision for digital learning"
    assert client.get(f"/self-review/reviews/{review_named(world, 'a1.current').pk}/").status_code == 200
    # The history follows the framework across versions.
    history = client.get(f"/api/v1/self-review/reviews/{new.pk}/result").json()["history"]
    assert [row["framework_version"] for row in history] == [1, 2]
    assert Review.objects.filter(framework=v1).count() == 3  # a1 finished, a1 and b1 current


def test_the_shipped_files_are_copied_intact(tmp_path: Path) -> None:
    """The fixture above copies the real file: make sure a plain copy still parses (no hidden state)."""
    shutil.copy(FRAMEWORK_DIR / "schools-v1.toml", tmp_path / "x.toml")
    assert read_framework_file(tmp_path / "x.toml").checksum == read_framework_file(FRAMEWORK_DIR / "schools-v1.toml").checksum
