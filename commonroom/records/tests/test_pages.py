"""The attendance pages through the test client: taking a register, conflicts, corrections, figures."""

from __future__ import annotations

import pytest

from commonroom.common.dates import today
from commonroom.records.models import AttendanceMark, MarkChange


def _register_url(world, group: str = "a1.formA", session: str = "AM") -> str:
    return f"/groups/{world.groups[group].pk}/register/{today().isoformat()}/{session}/"


def _ids(world) -> tuple[int, int]:
    return world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk


def test_tutor_marks_all_present_then_an_exception_and_saves(client, world) -> None:
    client.force_login(world.users["a1.tutor"])
    url = _register_url(world)
    a1, a2 = _ids(world)
    page = client.get(url)
    assert page.status_code == 200
    assert "A1-Learner" in page.content.decode() or "Learnera1" in page.content.decode()
    filled = client.post(url, {"action": "all_present", f"seen_{a1}": 0, f"seen_{a2}": 0})
    assert filled.status_code == 200 and not AttendanceMark.objects.filter(date=today()).exists()
    assert filled.context["form"].data[f"code_{a1}"] == "/"
    saved = client.post(url, {"action": "save", f"code_{a1}": "/", f"code_{a2}": "N", f"seen_{a1}": 0, f"seen_{a2}": 0,
                              f"was_{a1}": "", f"was_{a2}": ""})
    assert saved.status_code == 302
    assert dict(AttendanceMark.objects.filter(date=today()).values_list("learner_id", "code")) == {a1: "/", a2: "N"}


def test_a_stale_register_shows_the_conflict_and_keeps_the_other_devices_mark(client, world) -> None:
    client.force_login(world.users["a1.tutor"])
    url = _register_url(world)
    a1, a2 = _ids(world)
    stale = {"action": "save", f"seen_{a1}": 0, f"seen_{a2}": 0, f"was_{a1}": "", f"was_{a2}": ""}
    assert client.post(url, {**stale, f"code_{a1}": "/", f"code_{a2}": "N"}).status_code == 302
    again = client.post(url, {**stale, f"code_{a1}": "/", f"code_{a2}": "L"})
    assert again.status_code == 200
    text = again.content.decode()
    assert "another device recorded N" in text
    form = again.context["form"]
    assert form.data[f"code_{a2}"] == "N" and form.data[f"seen_{a2}"] == "1"
    assert AttendanceMark.objects.get(learner_id=a2, date=today()).code == "N"
    # Saving the form as it came back now succeeds and changes nothing.
    resubmit = {k: v for k, v in form.data.items() if k != "csrfmiddlewaretoken"}
    assert client.post(url, resubmit).status_code == 302
    assert not MarkChange.objects.exists()


def test_office_corrects_a_mark_through_the_page(client, world) -> None:
    client.force_login(world.users["a1.tutor"])
    a1, a2 = _ids(world)
    client.post(_register_url(world), {"action": "save", f"code_{a1}": "N", f"seen_{a1}": 0, f"was_{a1}": "",
                                       f"code_{a2}": "/", f"seen_{a2}": 0, f"was_{a2}": ""})
    mark = AttendanceMark.objects.get(learner_id=a1, date=today())
    client.force_login(world.users["a1.office"])
    url = f"/attendance/marks/{mark.pk}/"
    missing = client.post(url, {"code": "I", "seen_version": 1, "reason": ""})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    assert client.post(url, {"code": "I", "seen_version": 1, "reason": "Parent phoned"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Parent phoned" in page and "Reason for absence not yet established" in page  # the original entry
    # The tutor can read the mark but not correct it.
    client.force_login(world.users["a1.tutor"])
    assert "Correct this mark" not in client.get(url).content.decode()
    assert client.post(url, {"code": "O", "seen_version": 2, "reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("persona", "path", "budget"),
    [
        ("a1.tutor", "register", 16),
        ("a1.office", "registers", 14),
        ("a1.head", "institution", 16),
        ("a1.head", "absentees", 15),
        ("a1.head", "learner", 18),
    ],
)
def test_attendance_pages_have_a_fixed_query_budget(client, world, django_assert_max_num_queries, persona, path, budget):
    client.force_login(world.users[persona])
    urls = {
        "register": _register_url(world),
        "registers": "/registers/",
        "institution": f"/institutions/{world.institutions['a1'].pk}/attendance/",
        "absentees": f"/institutions/{world.institutions['a1'].pk}/attendance/absentees/",
        "learner": f"/learners/{world.learners['a1.learnerA1'].pk}/attendance/",
    }
    client.get(urls[path])  # warm
    with django_assert_max_num_queries(budget):
        assert client.get(urls[path]).status_code == 200
