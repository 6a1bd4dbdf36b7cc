"""The OneRoster page: export, upload, preview, import; hostile packages get a message, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonroom.interop.oneroster.tests.helpers import make_zip, manifest, package
from commonroom.interop.tests.test_oneroster_exchange import counts_of, export, files_of, for_school


def page(world, inst: str = "b2") -> str:
    return f"/institutions/{world.institutions[inst].pk}/oneroster/"


def upload(data: bytes, name: str = "roster.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


# ---- The page


def test_the_institution_page_links_to_it_for_the_office_only(client, world) -> None:
    client.force_login(world.users["a1.office"])
    assert page(world, "a1") in client.get(f"/institutions/{world.institutions['a1'].pk}/").content.decode()
    client.force_login(world.users["a1.teacher"])
    assert page(world, "a1") not in client.get(f"/institutions/{world.institutions['a1'].pk}/").content.decode()


def test_the_page_exports_a_zip(client, world) -> None:
    client.force_login(world.users["a1.office"])
    shown = client.get(page(world, "a1"))
    assert shown.status_code == 200 and "Download the OneRoster zip" in shown.content.decode()
    assert f"class lists for {world.groups['a1.maths'].academic_year.name} as" in shown.content.decode()
    response = client.post(page(world, "a1"), {"action": "export"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="oneroster-100001-')
    assert "no-store" in response["Cache-Control"]
    assert files_of(response.content)["users"]


def test_the_page_previews_then_imports(client, world) -> None:
    data = for_school(world, export(world)[1], "b2")
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    client.force_login(world.users["b2.office"])
    preview = client.post(page(world), {"action": "preview", "package": upload(data)})
    body = preview.content.decode()
    assert preview.status_code == 200 and "Check what will be imported" in body
    assert "no member of staff at" in body  # skipped teachers are listed with the reason
    assert counts_of(b2) == before
    carried = preview.context["carried"]
    done = client.post(page(world), {"action": "import", "carried": carried})
    assert done.status_code == 200 and "Imported" in done.content.decode()
    assert counts_of(b2)["enrolments"] == before["enrolments"] + 4
    again = client.post(page(world), {"action": "import", "carried": carried})
    assert "0 created, 0 updated" in again.content.decode()
    assert counts_of(b2)["enrolments"] == before["enrolments"] + 4


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", manifest(users="bulk"))
        archive.writestr("users.csv", b"\0" * (30 * 1024 * 1024))
    return buffer.getvalue()


HOSTILE = {
    "not a zip": (b"PK\x03\x04 this is not really a zip", "not a zip file that can be read"),
    "random bytes": (bytes(range(256)) * 10, "not a zip file that can be read"),
    "a path in the zip": (make_zip({"manifest.csv": manifest(), "../users.csv": "x"}), "is a path"),
    "a zip bomb": (_bomb(), "the limit is"),
    "no manifest": (make_zip({"users.csv": "sourcedId\r\n"}), "has no manifest.csv"),
    "OneRoster 1.1": (make_zip({"manifest.csv": manifest(version="1.1")}), "only 1.2 can be read"),
    "not UTF-8": (make_zip({"manifest.csv": manifest(orgs="bulk"),
                            "orgs.csv": b"sourcedId,name,type\r\norg-1,\xff\xfe,school\r\n"}), "not UTF-8"),
    "a CSV with a NUL": (package({"orgs": "sourcedId,name,type\r\norg-1,Sch\x00ool,school\r\n"}), "NUL"),
    "nothing for this school": (package({"orgs": "sourcedId,name,type,identifier\r\norg-1,School,school,999999\r\n"}),
                                "this package is for another school"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_package_gets_a_clear_message_never_a_500(client, world, case: str) -> None:
    data, expected = HOSTILE[case]
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    client.force_login(world.users["b2.office"])
    response = client.post(page(world), {"action": "preview", "package": upload(data)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and expected in body, body[:3000]
    assert 'href="#id_package"' in body and "govuk-form-group--error" in body
    assert counts_of(b2) == before


def test_odd_uploads_and_tampered_confirmations_get_a_message(client, world) -> None:
    client.force_login(world.users["b2.office"])
    empty = client.post(page(world), {"action": "preview", "package": upload(b"")})
    assert empty.status_code == 200 and "govuk-error-summary" in empty.content.decode()
    nothing = client.post(page(world), {"action": "preview"})
    assert "Choose a OneRoster zip file" in nothing.content.decode()
    tampered = client.post(page(world), {"action": "import", "carried": "not base64 ***"})
    assert tampered.status_code == 200 and "choose the file again" in tampered.content.decode()
    too_big = client.post(page(world), {"action": "preview", "package": upload(b"PK" + b"\0" * 1_600_000)})
    assert "larger than 1.5 MB" in too_big.content.decode()
    unknown = client.post(page(world), {"action": "something else"})
    assert unknown.status_code == 200


def no_year_at(world, inst: str) -> None:
    """The school's only academic year moved five years back: none covers today."""
    from commonroom.organisations.models import AcademicYear

    year = AcademicYear.objects.get(institution=world.institutions[inst])
    AcademicYear.objects.filter(pk=year.pk).update(start_date=year.start_date.replace(year=year.start_date.year - 5),
                                                   end_date=year.end_date.replace(year=year.end_date.year - 5))


def test_a_school_without_this_years_academic_year_cannot_export(client, world) -> None:
    no_year_at(world, "a1")
    client.force_login(world.users["a1.office"])
    assert "no academic year covering today" in client.get(page(world, "a1")).content.decode()
    refused = client.post(page(world, "a1"), {"action": "export"})
    assert refused.status_code == 200 and "could not be exported" in refused.content.decode()
    assert "no academic year covering today" in refused.content.decode()
