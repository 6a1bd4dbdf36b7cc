"""QTI import and export through the pages and the API: who may, what is stored, and hostile packages."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commonroom.authz.models import AuditEvent
from commonroom.quizzes.models import Question, Quiz, QuizQuestion, Visibility
from commonroom.quizzes.qti import export_package, read_package
from commonroom.quizzes.qti_services import NOT_A_TEACHING_GROUP, qti_import
from commonroom.quizzes.tests.test_qti import EVERY_KIND, LAUGHS, XXE_FILE, bomb, item_v2, package, zip_with_names

pytestmark = pytest.mark.django_db


def _client(client, world, persona):
    client.force_login(world.users[persona])
    return client


def _upload(data: bytes, name: str = "quiz.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def _stored() -> tuple[int, int, int]:
    return Question.objects.count(), Quiz.objects.count(), QuizQuestion.objects.count()


# ---- the import page --------------------------------------------------------------------------------------------


def test_teacher_imports_a_package_into_their_own_bank(client, world):
    data = export_package(EVERY_KIND, "Everything", version="2.1")
    last = Question.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    quizzes = Quiz.objects.count()
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/", {"package": _upload(data), "visibility": "institution", "group": ""}
    )
    assert response.status_code == 200
    assert "10 questions imported" in response.content.decode()
    mine = Question.objects.filter(owner=world.people["a1.teacher"], pk__gt=last).order_by("pk")
    assert [q.to_spec() for q in mine] == EVERY_KIND
    assert {q.visibility for q in mine} == {Visibility.INSTITUTION}
    assert {q.institution_id for q in mine} == {world.institutions["a1"].pk}
    assert Quiz.objects.count() == quizzes
    event = AuditEvent.objects.get(action="quizzes.qti_imported")
    assert event.detail["questions"] == [q.pk for q in mine]


def test_import_can_make_a_draft_quiz_in_the_tests_order(client, world):
    reversed_kinds = list(reversed(EVERY_KIND[:4]))
    data = export_package(reversed_kinds, "Backwards")
    group = world.groups["a1.maths"]
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/", {"package": _upload(data), "visibility": "private", "group": str(group.pk)}
    )
    assert response.status_code == 200
    quiz = Quiz.objects.get(title="Backwards")
    assert (quiz.title, quiz.group_id, quiz.state) == ("Backwards", group.pk, Quiz.State.DRAFT)
    order = list(QuizQuestion.objects.filter(quiz=quiz).order_by("position").values_list("question__identifier",
                                                                                         flat=True))
    assert order == [spec.identifier for spec in reversed_kinds]


def test_a_group_the_teacher_does_not_teach_is_not_offered(client, world):
    before = _stored()
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/",
        {"package": _upload(export_package(EVERY_KIND[:1], "x")), "visibility": "private",
         "group": str(world.groups["a1.art"].pk)},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["group"] == [str(NOT_A_TEACHING_GROUP)]
    assert _stored() == before


def test_a_registration_group_gets_a_clear_error_at_the_field_and_nothing_is_stored(client, world):
    """a1.tutor tutors form A (a registration group) and so manages its quizzes by the rules, but a quiz belongs
    to a teaching group: the page does not offer the form, and posting it is refused at the field."""
    form_a = world.groups["a1.formA"]
    tutor = _client(client, world, "a1.tutor")
    assert form_a.name not in tutor.get("/quizzes/qti/import/").content.decode()
    before = _stored()
    response = tutor.post("/quizzes/qti/import/", {"package": _upload(export_package(EVERY_KIND[:2], "Form quiz")),
                                                   "visibility": "private", "group": str(form_a.pk)})
    assert response.status_code == 422
    assert response.context["form"].errors["group"] == [str(NOT_A_TEACHING_GROUP)]
    assert "a quiz belongs to a teaching group" in response.content.decode()
    assert _stored() == before

    with pytest.raises(ValidationError) as error:  # the service refuses it too, whoever calls it
        qti_import(actor=world.actor("a1.tutor"), data=export_package(EVERY_KIND[:2], "Form quiz"),
                   filename="quiz.zip", group=form_a)
    assert error.value.message_dict == {"group": [str(NOT_A_TEACHING_GROUP)]}
    assert _stored() == before

    refused = tutor.post("/api/v1/qti/import", {"file": _upload(export_package(EVERY_KIND[:2], "Form quiz")),
                                                "group_id": form_a.pk})
    assert refused.status_code == 422
    assert "a quiz belongs to a teaching group" in refused.content.decode()
    assert _stored() == before


HOSTILE = {
    "xxe": (package({"items/evil.xml": XXE_FILE}), "quiz.zip", "items/evil.xml, line 2: the file has a document type declaration"),
    "laughs": (LAUGHS, "laughs.xml", "laughs.xml, line 2: the file has a document type declaration"),
    "traversal": (zip_with_names("../../etc/evil.xml"), "quiz.zip", 'quiz.zip, entry &quot;../../etc/evil.xml&quot;: the entry&#x27;s name'),
    "bomb": (bomb(4 * 1024 * 1024), "quiz.zip", "compressed more than 100 to 1"),
    "not a zip": (b"PK\x03\x04 nonsense", "quiz.zip", "quiz.zip: this is not a zip file that can be read"),
    "unsupported": (
        package({"essay.xml": item_v2('<extendedTextInteraction responseIdentifier="RESPONSE"/>',
                                      '<responseDeclaration identifier="RESPONSE" cardinality="single" '
                                      'baseType="string"/>')}),
        "quiz.zip",
        "essay.xml, line 2, &lt;extendedTextInteraction&gt;: &lt;extendedTextInteraction&gt; is not supported",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_packages_on_the_page_give_a_clear_message_and_store_nothing(client, world, name):
    data, filename, message = HOSTILE[name]
    before = _stored()
    events = AuditEvent.objects.count()
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/",
        {"package": _upload(data, filename), "visibility": "private", "group": str(world.groups["a1.maths"].pk)},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem: nothing was imported" in page
    assert message in page
    assert _stored() == before
    assert AuditEvent.objects.count() == events


def test_one_bad_item_stores_none_of_the_good_ones(client, world):
    good = export_package(EVERY_KIND[:3], "x")
    archive = zipfile.ZipFile(io.BytesIO(good))
    files = {name: archive.read(name) for name in archive.namelist() if name != "imsmanifest.xml"}
    files["items/q-tf.xml"] = files["items/q-tf.xml"].replace(b"<qti-value>true</qti-value>",
                                                              b"<qti-value>maybe</qti-value>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("imsmanifest.xml", archive.read("imsmanifest.xml"))
        for name, content in files.items():
            out.writestr(name, content)
    before = _stored()
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/", {"package": _upload(buffer.getvalue()), "visibility": "private"})
    assert response.status_code == 422
    assert "items/q-tf.xml" in response.content.decode()
    assert _stored() == before


@pytest.mark.parametrize("persona", ["a1.learnerA1", "parent.a1", "a1.office", "la1.officer", "nobody"])
def test_only_those_who_keep_a_bank_may_import_or_export(client, world, persona):
    before = _stored()
    signed_in = _client(client, world, persona)
    assert signed_in.get("/quizzes/qti/import/").status_code == 404
    assert signed_in.post("/quizzes/qti/import/", {"package": _upload(export_package(EVERY_KIND[:1], "x")),
                                                    "visibility": "private"}).status_code == 404
    assert signed_in.get("/quizzes/qti/export/").status_code == 404
    assert _stored() == before


# ---- export pages -----------------------------------------------------------------------------------------------


def _question(world, persona: str, spec, visibility=Visibility.PRIVATE) -> Question:
    inst = persona.split(".")[0]
    question = Question.from_spec(spec, owner=world.people[persona], institution=world.institutions[inst],
                                  visibility=visibility)
    question.save()
    return question


def test_export_page_downloads_the_chosen_questions(client, world, django_assert_max_num_queries):
    mine = [_question(world, "a1.teacher", spec) for spec in EVERY_KIND[:3]]
    shared = _question(world, "a1.teacher2", EVERY_KIND[4], Visibility.INSTITUTION)
    hidden = _question(world, "a1.teacher2", EVERY_KIND[5])
    teacher = _client(client, world, "a1.teacher")
    with django_assert_max_num_queries(12):
        page = teacher.get("/quizzes/qti/export/")
    text = page.content.decode()
    assert EVERY_KIND[4].prompt in text and EVERY_KIND[5].prompt not in text
    response = teacher.post("/quizzes/qti/export/", {"questions": [mine[2].pk, shared.pk, mine[0].pk],
                                                      "version": "2.1", "title": "My pick"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-pick-qti21.zip"'
    result = read_package(response.content, "my-pick.zip")
    assert result.version == "2.1" and result.title == "My pick"
    assert result.questions == [EVERY_KIND[2], EVERY_KIND[4], EVERY_KIND[0]]
    refused = teacher.post("/quizzes/qti/export/", {"questions": [hidden.pk], "version": "3.0"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def _quiz(world, group_key: str, specs) -> Quiz:
    group = world.groups[group_key]
    owner = {"maths": "teacher", "art": "teacher2"}[group_key.split(".")[1]]
    quiz = Quiz.objects.create(institution=group.institution, group=group, title="Quiz: fractions & more")
    for position, spec in enumerate(specs, start=1):
        question = _question(world, f"{group_key.split('.')[0]}.{owner}", spec)
        QuizQuestion.objects.create(institution=group.institution, quiz=quiz, question=question, position=position)
    return quiz


@pytest.mark.parametrize(("persona", "status"), [("a1.teacher", 200), ("a1.head", 200), ("a1.teacher2", 404),
                                                 ("a1.learnerA1", 404), ("b1.teacher", 404)])
def test_quiz_export_for_those_who_see_its_results(client, world, persona, status):
    quiz = _quiz(world, "a1.maths", EVERY_KIND[:3])
    response = _client(client, world, persona).get(f"/quizzes/qti/quizzes/{quiz.pk}/export/?version=2.1")
    assert response.status_code == status
    if status == 200:
        result = read_package(response.content, "quiz.zip")
        assert result.title == "Quiz: fractions & more"
        assert result.questions == EVERY_KIND[:3]


def test_quiz_without_fixed_questions_says_so(client, world):
    quiz = _quiz(world, "a1.maths", [])
    response = _client(client, world, "a1.teacher").get(f"/quizzes/qti/quizzes/{quiz.pk}/export/")
    assert response.status_code == 409
    assert "no fixed questions" in response.content.decode()


# ---- the API ----------------------------------------------------------------------------------------------------


def test_api_import_and_export_round_trip(client, world):
    teacher = _client(client, world, "a1.teacher")
    data = export_package(EVERY_KIND, "API quiz")
    response = teacher.post("/api/v1/qti/import", {"file": _upload(data), "visibility": "private",
                                                   "group_id": world.groups["a1.maths"].pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == "3.0" and body["title"] == "API quiz"
    assert [q["identifier"] for q in body["questions"]] == [spec.identifier for spec in EVERY_KIND]
    quiz_id = body["quiz_id"]
    exported = teacher.get(f"/api/v1/quizzes/{quiz_id}/qti?version=2.1")
    assert exported.status_code == 200
    assert read_package(exported.content, "q.zip").questions == EVERY_KIND
    ids = [q["id"] for q in body["questions"]][:2]
    chosen = teacher.post("/api/v1/qti/export", {"question_ids": ids, "title": "Two"}, content_type="application/json")
    assert chosen.status_code == 200
    assert read_package(chosen.content, "two.zip").questions == EVERY_KIND[:2]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_api_import_of_hostile_packages_is_422_and_stores_nothing(client, world, name):
    data, filename, _message = HOSTILE[name]
    before = _stored()
    response = _client(client, world, "a1.teacher").post("/api/v1/qti/import", {"file": _upload(data, filename)})
    assert response.status_code == 422
    body = response.json()
    assert body["file"] and body["message"] and body["detail"].startswith(body["file"])
    assert _stored() == before


def test_api_refuses_others_questions_and_groups(client, world):
    hidden = _question(world, "a1.teacher2", EVERY_KIND[0])
    teacher = _client(client, world, "a1.teacher")
    assert teacher.post("/api/v1/qti/export", {"question_ids": [hidden.pk]},
                        content_type="application/json").status_code == 404
    before = _stored()
    response = teacher.post("/api/v1/qti/import", {"file": _upload(export_package(EVERY_KIND[:1], "x")),
                                                   "group_id": world.groups["a1.art"].pk})
    assert response.status_code == 404
    assert _stored() == before


def test_import_page_offers_only_the_teachers_groups(client, world, django_assert_max_num_queries):
    teacher = _client(client, world, "a1.teacher")
    with django_assert_max_num_queries(12):
        page = teacher.get("/quizzes/qti/import/").content.decode()
    assert "No quiz: the bank only" in page
    assert world.groups["a1.maths"].name in page
    assert world.groups["a1.art"].name not in page


def test_an_oversized_upload_is_refused_before_it_is_read(client, world):
    before = _stored()
    response = _client(client, world, "a1.teacher").post(
        "/quizzes/qti/import/", {"package": _upload(b"PK" + b"\0" * (10 * 1024 * 1024)), "visibility": "private"})
    assert response.status_code == 422
    assert "larger than 10 MB" in response.content.decode()
    assert _stored() == before


def test_the_bank_and_the_quiz_page_link_to_qti(client, world):
    from commonroom.quizzes.models import Quiz as QuizModel

    teacher = _client(client, world, "a1.teacher")
    bank = teacher.get("/questions/").content.decode()
    assert 'href="/quizzes/qti/import/"' in bank and 'href="/quizzes/qti/export/"' in bank
    quiz = QuizModel.objects.get(institution=world.institutions["a1"], title="Fractions practice")
    page = teacher.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert f'href="/quizzes/qti/quizzes/{quiz.pk}/export/?version=2.1"' in page
    learner_page = _client(client, world, "a1.learnerA1").get(f"/quizzes/{quiz.pk}/").content.decode()
    assert "/quizzes/qti/" not in learner_page
