"""Shared resources: the sanitiser against hostile HTML, videos from allowed hosts only, files checked by
content, who finds what, rating, copying with credit, section items, reusing a space's structure,
the file's headers, and pinned query counts for the search page, the course page and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.learning.models import Assignment, CourseSpace, Section
from commonroom.people.models import Group
from commonroom.resources import selectors, services
from commonroom.resources.content import embed_url, sanitise_page
from commonroom.resources.models import Rating, Resource, SectionItem
from commonroom.resources.testing_world import resource_named

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _page(world, who="a1.teacher", title="Starter", body="<p>Hello</p>", audience="private", **extra) -> Resource:
    return services.resource_save(actor=world.actor(who), data=services.ResourceInput(
        title=title, kind="page", body=body, audience=audience, **extra))


def _titles(page) -> set[str]:
    return {r.title for r in page}


# The sanitiser ------------------------------------------------------------------------------------

HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ('<p onclick="alert(1)" onmouseover=x>ok</p>', "<p>ok</p>"),
    ('<img src=x onerror="alert(1)"><p>ok</p>', "<p>ok</p>"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="&#106;avascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ("<style>body{display:none}</style><p>ok</p>", "<p>ok</p>"),
    ('<p style="position:fixed">ok</p>', "<p>ok</p>"),
    ('<iframe src="https://evil.example/"></iframe><p>ok</p>', "<p>ok</p>"),
    ('<svg><script>alert(1)</script></svg><p>ok</p>', "<p>ok</p>"),
    ('<form action="https://evil.example/"><input name=p></form><p>ok</p>', "<p>ok</p>"),
    ("<!-- <script>x</script> --><p>ok</p>", "<p>ok</p>"),
    ('<object data="x.swf"></object><embed src="x"><p>ok</p>', "<p>ok</p>"),
]


@pytest.mark.parametrize(("html", "expected"), HOSTILE)
def test_the_sanitiser_removes_what_could_run_or_restyle(html, expected):
    assert sanitise_page(html) == expected


def test_the_sanitiser_keeps_the_allowed_structure():
    html = ('<h2>Fractions</h2><p>Read <strong>this</strong> and <a href="https://www.bbc.co.uk/">that</a>.</p>'
            '<table><caption>Halves</caption><tr><th scope="col">a</th></tr><tr><td>1/2</td></tr></table>')
    clean = sanitise_page(html)
    assert clean.startswith("<h2>Fractions</h2><p>Read <strong>this</strong>")
    assert '<a href="https://www.bbc.co.uk/" rel="noopener noreferrer nofollow">that</a>' in clean
    assert '<th scope="col">a</th>' in clean and "<caption>Halves</caption>" in clean


def test_a_hostile_page_is_stored_clean_and_a_page_of_only_script_is_refused(world):
    resource = _page(world, body='<p onclick="steal()">Hi<script>steal()</script></p>')
    assert Resource.objects.get(pk=resource.pk).body == "<p>Hi</p>"
    with pytest.raises(ValidationError) as error:
        _page(world, title="Empty", body="<script>steal()</script>")
    assert "body" in error.value.message_dict
    assert not Resource.objects.filter(title="Empty").exists()


# Videos and links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "embed"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
    ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
    ("https://evil.example/watch?v=dQw4w9WgXcQ", None),
    ("https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ", None),
    ("javascript:alert(1)//www.youtube.com/watch?v=dQw4w9WgXcQ", None),
    ("https://www.youtube.com/watch?v=%22%3E%3Cscript%3E", None),
    ("https://vimeo.com/abc", None),
])
def test_only_videos_from_allowed_hosts_are_framed(url, embed):
    assert embed_url(url) == embed


def test_links_must_be_web_addresses_and_videos_from_allowed_hosts(world):
    actor = world.actor("a1.teacher")
    for kind, url in (("link", "javascript:alert(1)"), ("link", "ftp://x.example/"), ("media", "https://evil.example/v/1")):
        with pytest.raises(ValidationError) as error:
            services.resource_save(actor=actor, data=services.ResourceInput(title="Bad", kind=kind, url=url))
        assert list(error.value.message_dict) == ["url"]
    assert not Resource.objects.filter(title="Bad").exists()


def test_the_content_security_policy_frames_only_the_video_hosts(world, client):
    client.force_login(world.users["a1.learnerA2"])
    response = client.get(f"/courses/{CourseSpace.objects.get(group=world.groups['b1.maths']).pk}/")
    assert response.status_code == 404
    client.force_login(world.users["b1.learnerA2"])
    response = client.get(f"/courses/{CourseSpace.objects.get(group=world.groups['b1.maths']).pk}/")
    policy = response["Content-Security-Policy"]
    frame_src = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    assert frame_src.split()[1:] == ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"]
    html = response.content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html and 'title="Video: Forces video"' in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html  # without the frame it is still a link


# Files --------------------------------------------------------------------------------------------


def test_a_file_is_checked_by_content_stored_under_a_random_name_and_capped(world, settings):
    actor = world.actor("a1.teacher")
    data = services.ResourceInput(title="Sheet", kind="file", audience="institution")
    with pytest.raises(ValidationError, match="its content is PNG"):
        services.resource_save(actor=actor, data=data, upload=SimpleUploadedFile("sheet.pdf", PNG))
    with pytest.raises(ValidationError, match="cannot be shared"):
        services.resource_save(actor=actor, data=data, upload=SimpleUploadedFile("sheet.exe", b"MZ" + b"\x00" * 10))
    settings.RESOURCES_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="too big"):
        services.resource_save(actor=actor, data=data, upload=SimpleUploadedFile("sheet.pdf", PDF))
    settings.RESOURCES_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="Choose the file"):
        services.resource_save(actor=actor, data=data)
    assert not Resource.objects.filter(title="Sheet").exists()
    made = services.resource_save(actor=actor, data=data, upload=SimpleUploadedFile("../../etc/sheet.pdf", PDF))
    assert made.file_name == "sheet.pdf" and made.file_type == "application/pdf" and made.file_size == len(PDF)
    assert "sheet" not in made.file.name and made.file.name.startswith(f"resources/{made.institution_id}/")


def test_the_file_is_served_as_an_attachment_with_safe_headers(world, client):
    sheet = resource_named(world, "a1.worksheet")
    client.force_login(world.users["a1.teacher2"])
    response = client.get(f"/resources/{sheet.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "worksheet.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(world.users["b1.teacher"])  # another authority's school: shared with a1 only
    assert client.get(f"/resources/{sheet.pk}/file/").status_code == 404


# Who finds what -----------------------------------------------------------------------------------


def test_audiences_reach_the_school_the_authority_and_everyone(world):
    def found(who):
        return _titles(selectors.resource_search(world.actor(who), selectors.Search(), per_page=100))

    assert found("a1.teacher") == {"Fractions pack", "Times tables", "Worksheet", "My notes", "Forces video",
                                   "Homework sheet"}
    assert found("a1.teacher2") == {"Fractions pack", "Times tables", "Worksheet", "Forces video", "Sketching guide"}
    assert found("a2.teacher") == {"Fractions pack", "Forces video"}  # the same authority
    assert found("b1.teacher") == {"Forces video"}
    assert found("solo.senco") == {"Forces video"}  # everyone on the instance
    for nobody in ("a1.learnerA1", "parent.a1", "a1.office", "a1.dsl", "la1.officer", "platform.admin"):
        assert found(nobody) == set(), nobody


def test_learners_see_the_resources_of_their_spaces_only(world):
    learner = world.actor("a1.learnerA1")
    notes = resource_named(world, "a1.notes")
    assert get_for(learner, Resource, notes.pk) == notes  # placed in their maths space, although private
    assert not can(learner, "copy", notes) and not can(learner, "rate", notes)
    for other in ("a1.pack", "a1.tables", "b1.video"):
        with pytest.raises(NotFound):
            get_for(learner, Resource, resource_named(world, other).pk)
    assert set(visible(world.actor("b1.learnerA1"), Resource).values_list("title", flat=True)) == {"Forces video"}
    with pytest.raises(NotFound):
        get_for(world.actor("a1.leaver"), Resource, notes.pk)


def test_search_by_words_and_tags(world):
    actor = world.actor("a1.teacher")
    _page(world, title="Equivalent fractions", subject="Mathematics", key_stage="KS2", topic="Fractions")
    _page(world, title="Photosynthesis", subject="Science", key_stage="KS3", description="Plants make food")

    def search(**kw):
        return _titles(selectors.resource_search(actor, selectors.Search(**kw), per_page=100))

    assert search(q="fractions") == {"Equivalent fractions", "Fractions pack", "My notes"}
    assert search(q="plants food") == {"Photosynthesis"}
    assert search(q="plants fractions") == set()
    assert search(subject="mathematics", key_stage="KS2") == {"Equivalent fractions"}
    assert search(kind="media") == {"Forces video"}
    assert search(mine=True, key_stage="KS3") == {"Fractions pack", "Times tables", "Worksheet", "My notes", "Photosynthesis",
                                                  "Homework sheet"}


def test_the_search_page_paginates_in_a_constant_number_of_queries(world, client):
    client.force_login(world.users["a1.teacher"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/resources/", {"q": "bulk", "key_stage": "KS3"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    inst = world.institutions["a1"]
    owner = world.people["a1.teacher2"]
    Resource.objects.bulk_create([Resource(institution=inst, owner=owner, title=f"Bulk {i}", kind="link", key_stage="KS3",
                                           url="https://example.org/", audience="institution") for i in range(3)])
    count()  # the first request of a session loads more (the session, the navigation)
    few = count()
    Resource.objects.bulk_create([Resource(institution=inst, owner=owner, title=f"Bulk more {i}", kind="link",
                                           key_stage="KS3", url="https://example.org/", audience="institution")
                                  for i in range(60)])
    many = count()
    assert few == many <= 12
    response = client.get("/resources/", {"q": "bulk", "page": "4"})
    html = response.content.decode()
    assert "Page 4 of 4" in html and "63 resources" in html and "page=3" in html and "q=bulk" in html
    assert client.get("/resources/", {"page": "nonsense"}).status_code == 200


# Rating -------------------------------------------------------------------------------------------


def test_one_rating_per_person_with_the_average_and_count(world):
    pack = resource_named(world, "a1.pack")
    services.resource_rate(actor=world.actor("a1.teacher2"), resource=pack, stars=5)
    services.resource_rate(actor=world.actor("a2.teacher"), resource=pack, stars=2)
    services.resource_rate(actor=world.actor("a2.teacher"), resource=pack, stars=4)  # replaces the 2
    pack.refresh_from_db()
    assert (pack.rating_count, pack.rating_total, pack.rating_average) == (2, 9, 4.5)
    assert Rating.objects.filter(resource=pack).count() == 2
    with pytest.raises(NotFound):  # one's own
        get_for(world.actor("a1.teacher"), Resource, pack.pk, "rate")
    with pytest.raises(ValidationError):
        services.resource_rate(actor=world.actor("a1.head"), resource=pack, stars=6)
    with pytest.raises(NotFound):  # another authority
        services.resource_rate(actor=world.actor("b1.teacher"), resource=pack, stars=1)
    pack.refresh_from_db()
    assert pack.rating_count == 2


# Copying ------------------------------------------------------------------------------------------


def test_a_copy_credits_the_original_even_after_it_changes_or_is_withdrawn(world):
    pack = resource_named(world, "a1.pack")
    section = Section.objects.get(space__group=world.groups["a1.maths"])
    with pytest.raises(NotFound):  # a2's teacher does not manage a1's maths space
        services.resource_copy(actor=world.actor("a2.teacher"), resource=pack, section=section)
    copy = services.resource_copy(actor=world.actor("a2.teacher"), resource=pack)
    expected = "Adapted from ‘Fractions pack’ by Teacher A1-staff, A1 "
    assert copy.credit.startswith(expected) and copy.source_id == pack.pk
    assert (copy.owner_id, copy.institution_id, copy.audience) == (world.people["a2.teacher"].pk,
                                                                   world.institutions["a2"].pk, "private")
    assert copy.body == pack.body
    services.resource_save(actor=world.actor("a1.teacher"), resource=pack, data=services.ResourceInput(
        title="Renamed", kind="page", body="<p>New</p>", audience="authority"))
    services.resource_withdraw(actor=world.actor("a1.teacher"), resource=pack)
    copy.refresh_from_db()
    assert copy.credit.startswith(expected) and copy.body == "<p>Halves and quarters.</p>"
    assert not Resource.objects.filter(pk=pack.pk).exists()


def test_copy_into_a_section_of_ones_own_space_and_the_learners_see_it(world, client):
    video = resource_named(world, "b1.video")
    section = Section.objects.get(space__group=world.groups["a1.maths"])
    copy = services.resource_copy(actor=world.actor("a1.teacher"), resource=video, section=section)
    item = SectionItem.objects.get(section=section, resource=copy)
    assert item.position == 1 and copy.institution_id == section.institution_id
    assert "Forces video’ by Teacher B1-staff" in copy.credit
    client.force_login(world.users["a1.learnerB2"])
    html = client.get(f"/courses/{section.space_id}/").content.decode()
    assert html.index("My notes") < html.index("Forces video")
    assert "Adapted from ‘Forces video’ by Teacher B1-staff" in html
    assert get_for(world.actor("a1.learnerB2"), Resource, copy.pk) == copy


def test_a_file_copy_has_its_own_file(world):
    sheet = resource_named(world, "a1.worksheet")
    copy = services.resource_copy(actor=world.actor("a1.teacher2"), resource=sheet)
    assert copy.file.name != sheet.file.name and copy.file.read() == b"%PDF-1.4\n%world\n"
    services.resource_withdraw(actor=world.actor("a1.teacher"), resource=sheet)
    copy.refresh_from_db()
    assert copy.file.open("rb").read().startswith(b"%PDF")


# Section items and reuse --------------------------------------------------------------------------


def test_items_come_from_the_bank_at_the_sections_school(world):
    section = Section.objects.get(space__group=world.groups["a1.maths"])
    teacher = world.actor("a1.teacher")
    item = services.item_add(actor=teacher, section=section, resource=resource_named(world, "a1.tables"))
    assert item.position == 1
    with pytest.raises(ValidationError, match="another school"):
        services.item_add(actor=teacher, section=section, resource=resource_named(world, "b1.video"))
    with pytest.raises(NotFound):  # teacher2 teaches art, not maths
        services.item_add(actor=world.actor("a1.teacher2"), section=section, resource=resource_named(world, "a1.tables"))
    services.item_remove(actor=teacher, item=item)
    assert Resource.objects.filter(title="Times tables").exists()


def test_reuse_a_spaces_structure_for_next_years_group(world, client):
    inst = world.institutions["a1"]
    maths = world.groups["a1.maths"]
    source = CourseSpace.objects.get(group=maths)
    Section.objects.create(institution=inst, space=source, position=1, title="Week 2", body="Decimals")
    next_year = Group.objects.create(institution=inst, academic_year=maths.academic_year, kind=Group.Kind.TEACHING,
                                     code="11Ma1", name="11 Maths set 1", subject="Mathematics", nc_year=11)
    from commonroom.people.models import GroupStaff

    GroupStaff.objects.create(institution=inst, group=next_year, person=world.people["a1.teacher"],
                              role=GroupStaff.Role.TEACHER, start_date=maths.academic_year.start_date)
    target = CourseSpace.objects.create(institution=inst, group=next_year)
    homework_before = Assignment.objects.count()
    with pytest.raises(NotFound):  # the art teacher does not manage maths
        services.space_structure_copy(actor=world.actor("a1.teacher2"), source=source, target=target)
    client.force_login(world.users["a1.teacher"])
    page = client.get(f"/courses/{source.pk}/reuse/")
    assert "11 Maths set 1" in page.content.decode()
    response = client.post(f"/courses/{source.pk}/reuse/", {"target": target.pk})
    assert response.status_code == 302 and response["Location"] == f"/courses/{target.pk}/"
    copied = list(target.sections.order_by("position"))
    assert [(s.title, s.body) for s in copied] == [("Week 1", "Read chapter 1.\nTry the quiz."), ("Week 2", "Decimals")]
    assert copied[0].links == [{"title": "Bitesize", "url": "https://www.bbc.co.uk/bitesize"}]
    assert list(SectionItem.objects.filter(section=copied[0]).values_list("resource__title", flat=True)) == ["My notes"]
    assert Assignment.objects.count() == homework_before and not Assignment.objects.filter(group=next_year).exists()
    assert client.post(f"/courses/{source.pk}/reuse/", {"target": source.pk}).status_code == 200  # not a choice


def test_the_course_page_with_many_items_runs_a_constant_number_of_queries(world, client):
    space = CourseSpace.objects.get(group=world.groups["a1.maths"])
    inst = world.institutions["a1"]
    owner = world.people["a1.teacher"]

    def add(n: int, week: str) -> None:
        section = Section.objects.create(institution=inst, space=space, position=5, title=week)
        made = Resource.objects.bulk_create([Resource(institution=inst, owner=owner, title=f"{week} item {i}",
                                                      kind=("link", "media", "page")[i % 3], audience="private",
                                                      url="https://vimeo.com/1" if i % 3 < 2 else "", body="<p>x</p>")
                                             for i in range(n)])
        SectionItem.objects.bulk_create([SectionItem(institution=inst, section=section, resource=r, position=i)
                                         for i, r in enumerate(made)])

    client.force_login(world.users["a1.learnerA1"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/courses/{space.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(2, "Week A")
    count()  # the first request of a session loads more (the session, the navigation)
    few = count()
    add(50, "Week B")
    add(10, "Week C")
    many = count()
    assert few == many <= 20
    html = client.get(f"/courses/{space.pk}/").content.decode()
    assert "Week B item 49" in html and html.count("player.vimeo.com/video/1") == 21


# The API ------------------------------------------------------------------------------------------


def test_the_api_makes_searches_rates_and_copies(world, client, django_assert_max_num_queries):
    client.force_login(world.users["a2.teacher"])
    made = client.post("/api/v1/resources", {"title": "Ratio starters", "kind": "page", "subject": "Mathematics",
                                             "body": '<p onclick="x()">Ratios<script>x()</script></p>',
                                             "audience": "authority"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["body"] == "<p>Ratios</p>"
    bad = client.post("/api/v1/resources", {"title": "x", "kind": "link", "url": "javascript:alert(1)"},
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "url"
    with django_assert_max_num_queries(10):
        found = client.get("/api/v1/resources", {"subject": "Mathematics"})
    assert {r["title"] for r in found.json()["results"]} == {"Fractions pack", "Ratio starters"}
    pack = resource_named(world, "a1.pack")
    rated = client.post(f"/api/v1/resources/{pack.pk}/rating", {"stars": 4}, content_type="application/json")
    assert rated.status_code == 200 and (rated.json()["rating_average"], rated.json()["rating_count"]) == (4.0, 1)
    assert client.post(f"/api/v1/resources/{pack.pk}/rating", {"stars": 0}, content_type="application/json").status_code == 422
    copied = client.post(f"/api/v1/resources/{pack.pk}/copy", {}, content_type="application/json")
    assert copied.status_code == 201 and copied.json()["source_id"] == pack.pk
    assert copied.json()["credit"].startswith("Adapted from ‘Fractions pack’ by Teacher A1-staff")
    section = Section.objects.get(space__group=world.groups["a1.maths"])
    assert client.get(f"/api/v1/course-sections/{section.pk}/items").status_code == 404
    client.force_login(world.users["a1.learnerA1"])
    items = client.get(f"/api/v1/course-sections/{section.pk}/items").json()
    assert [i["resource"]["title"] for i in items] == ["My notes"]


def test_the_api_puts_a_new_resource_in_the_bank_of_a_school_where_the_teacher_teaches(world, client):
    """``institution_id`` chooses the school on creation (JSON or a file); another school's is refused at the field."""
    client.force_login(world.users["a1.teacher"])
    a1, b1 = world.institutions["a1"].pk, world.institutions["b1"].pk
    made = client.post("/api/v1/resources", {"title": "Ratio link", "kind": "link", "url": "https://example.org/ratio",
                                             "institution_id": a1}, content_type="application/json")
    assert made.status_code == 201 and Resource.objects.get(pk=made.json()["id"]).institution_id == a1
    before = Resource.objects.count()
    elsewhere = client.post("/api/v1/resources", {"title": "No", "kind": "link", "url": "https://example.org/",
                                                  "institution_id": b1}, content_type="application/json")
    assert elsewhere.status_code == 422 and "institution" in elsewhere.content.decode()
    upload = client.post("/api/v1/resources/files", {"title": "No", "institution_id": b1,
                                                     "file": SimpleUploadedFile("r.pdf", PDF, "application/pdf")})
    assert upload.status_code == 422 and "Choose a school where you teach" in upload.content.decode()
    assert Resource.objects.count() == before
