"""The QTI reader and writer: hand-written items from both versions, round trips, and hostile uploads.

Pure functions: no database, no Django models.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonroom.quizzes import qti
from commonroom.quizzes.qti import Limits, QtiError, export_package, parse_package, read_package
from commonroom.quizzes.spec import QuestionSpec

V2 = 'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"'
V3 = 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"'
MATCH_V2 = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
MAP_V2 = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"


def item_v2(body: str, declaration: str, extra: str = "", identifier: str = "item1", rp: str = MATCH_V2) -> bytes:
    processing = f'<responseProcessing template="{rp}"/>' if rp else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem {V2} identifier="{identifier}" title="t" '
        f'adaptive="false" timeDependent="false">{declaration}'
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        f"<itemBody>{body}</itemBody>{processing}{extra}</assessmentItem>"
    ).encode()


def package(files: dict[str, bytes], manifest: bytes | None = None) -> bytes:
    if manifest is None:
        resources = "".join(
            f'<resource identifier="R{n}" type="imsqti_item_xmlv2p1" href="{name}"><file href="{name}"/></resource>'
            for n, name in enumerate(files)
        )
        manifest = (
            '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M">'
            f"<resources>{resources}</resources></manifest>"
        ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SINGLE_V2 = item_v2(
    "<p>Which is a prime?</p>"
    '<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">'
    "<prompt>Choose one.</prompt>"
    '<simpleChoice identifier="A">4<feedbackInline outcomeIdentifier="FEEDBACK" identifier="A" showHide="show">'
    "4 = 2 x 2</feedbackInline></simpleChoice>"
    '<simpleChoice identifier="B"> 7 </simpleChoice>'
    '<simpleChoice identifier="C">9</simpleChoice>'
    "</choiceInteraction>",
    '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
    "<correctResponse><value>B</value></correctResponse></responseDeclaration>",
    extra='<modalFeedback outcomeIdentifier="FEEDBACK" identifier="correct" showHide="show">7 has no divisors but 1 and 7.'
    "</modalFeedback>"
    '<modalFeedback outcomeIdentifier="FEEDBACK" identifier="incorrect" showHide="show"><p>Try dividing.</p>'
    "</modalFeedback>",
)


# ---- reading hand-written items ---------------------------------------------------------------------------------


def test_single_choice_v21_with_inline_and_modal_feedback():
    [spec] = parse_package(SINGLE_V2, "prime.xml")
    assert spec.kind == "single"
    assert spec.identifier == "item1"
    assert spec.prompt == "Which is a prime?\nChoose one."
    assert spec.data == {
        "choices": [
            {"id": "A", "text": "4", "feedback": "4 = 2 x 2"},
            {"id": "B", "text": "7", "feedback": ""},
            {"id": "C", "text": "9", "feedback": ""},
        ],
        "correct": ["B"],
    }
    assert spec.feedback_correct == "7 has no divisors but 1 and 7."
    assert spec.feedback_incorrect == "Try dividing."
    assert spec.points == 1


def test_multiple_choice_with_map_response_and_points():
    data = item_v2(
        '<choiceInteraction responseIdentifier="R" maxChoices="0"><prompt>Pick the even numbers</prompt>'
        '<simpleChoice identifier="a">2</simpleChoice><simpleChoice identifier="b">3</simpleChoice>'
        '<simpleChoice identifier="c">4</simpleChoice></choiceInteraction>',
        '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier">'
        '<mapping lowerBound="0" upperBound="2" defaultValue="0"><mapEntry mapKey="a" mappedValue="1"/>'
        '<mapEntry mapKey="b" mappedValue="-1"/><mapEntry mapKey="c" mappedValue="1"/></mapping>'
        "</responseDeclaration>"
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>2</value></defaultValue></outcomeDeclaration>",
        rp=MAP_V2,
    )
    [spec] = parse_package(data, "even.xml")
    assert spec.kind == "multiple"
    assert spec.data["correct"] == ["a", "c"]
    assert spec.points == 2


def test_two_choice_true_false():
    data = item_v2(
        '<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>The sun is a star.</prompt>'
        '<simpleChoice identifier="T">True</simpleChoice><simpleChoice identifier="F">False</simpleChoice>'
        "</choiceInteraction>",
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
        "<correctResponse><value>T</value></correctResponse></responseDeclaration>",
    )
    [spec] = parse_package(data, "sun.xml")
    assert (spec.kind, spec.data, spec.prompt) == ("true_false", {"correct": True}, "The sun is a star.")


def test_text_entry_accepts_correct_response_and_mapping():
    data = item_v2(
        '<p>The capital of France is <textEntryInteraction responseIdentifier="RESPONSE"/>.</p>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">'
        "<correctResponse><value>Paris</value></correctResponse>"
        '<mapping defaultValue="0"><mapEntry mapKey="Paris" mappedValue="1" caseSensitive="false"/>'
        '<mapEntry mapKey="Paris, France" mappedValue="1" caseSensitive="false"/>'
        '<mapEntry mapKey="Lyon" mappedValue="0" caseSensitive="false"/></mapping></responseDeclaration>',
        rp=MAP_V2,
    )
    [spec] = parse_package(data, "paris.xml")
    assert spec.kind == "text"
    assert spec.prompt == "The capital of France is ____."
    assert spec.data == {"accepted": ["Paris", "Paris, France"], "case_sensitive": False}


def test_text_entry_without_mapping_is_case_sensitive_as_qti_match_is():
    data = item_v2(
        '<p>Symbol for sodium: <textEntryInteraction responseIdentifier="RESPONSE"/></p>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">'
        "<correctResponse><value>Na</value></correctResponse></responseDeclaration>",
    )
    [spec] = parse_package(data, "na.xml")
    assert spec.data == {"accepted": ["Na"], "case_sensitive": True}


def test_float_text_entry_with_equal_tolerance_is_numeric():
    data = item_v2(
        '<p>pi to two places: <textEntryInteraction responseIdentifier="RESPONSE"/></p>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="float">'
        "<correctResponse><value>3.14</value></correctResponse></responseDeclaration>",
        rp="",
        extra='<responseProcessing><responseCondition><responseIf><equal toleranceMode="absolute" tolerance="0.01 0.02">'
        '<variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></equal>'
        '<setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue>'
        "</responseIf></responseCondition></responseProcessing>",
    )
    [spec] = parse_package(data, "pi.xml")
    assert spec.kind == "numeric"
    assert spec.data == {"answer": 3.14, "tolerance": 0.01}


def test_float_tolerance_from_relative_equal_and_from_mapping():
    relative = item_v2(
        '<p>g in m/s2 <textEntryInteraction responseIdentifier="RESPONSE"/></p>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="float">'
        "<correctResponse><value>10</value></correctResponse></responseDeclaration>",
        rp="",
        extra='<responseProcessing><responseCondition><responseIf><equal toleranceMode="relative" tolerance="5">'
        '<variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></equal></responseIf>'
        "</responseCondition></responseProcessing>",
    )
    assert parse_package(relative, "g.xml")[0].data == {"answer": 10.0, "tolerance": 0.5}
    mapped = item_v2(
        '<p>Half of 5 <textEntryInteraction responseIdentifier="RESPONSE"/></p>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="float">'
        '<correctResponse><value>2.5</value></correctResponse><mapping defaultValue="0">'
        '<mapEntry mapKey="2.5" mappedValue="1"/><mapEntry mapKey="2.6" mappedValue="1"/></mapping>'
        "</responseDeclaration>",
        rp=MAP_V2,
    )
    [spec] = parse_package(mapped, "half.xml")
    assert spec.data["answer"] == 2.5
    assert spec.data["tolerance"] == pytest.approx(0.1)


def test_match_interaction_is_matching():
    data = item_v2(
        '<matchInteraction responseIdentifier="RESPONSE" maxAssociations="2"><prompt>Match the capitals</prompt>'
        '<simpleMatchSet><simpleAssociableChoice identifier="FR" matchMax="1">France</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="DE" matchMax="1">Germany</simpleAssociableChoice></simpleMatchSet>'
        '<simpleMatchSet><simpleAssociableChoice identifier="B" matchMax="1">Berlin</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="P" matchMax="1">Paris</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="R" matchMax="1">Rome</simpleAssociableChoice></simpleMatchSet>'
        "</matchInteraction>",
        '<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="directedPair">'
        "<correctResponse><value>FR P</value><value>DE B</value></correctResponse></responseDeclaration>",
    )
    [spec] = parse_package(data, "capitals.xml")
    assert spec.kind == "matching"
    assert spec.data == {
        "left": [{"id": "FR", "text": "France"}, {"id": "DE", "text": "Germany"}],
        "right": [{"id": "B", "text": "Berlin"}, {"id": "P", "text": "Paris"}, {"id": "R", "text": "Rome"}],
        "pairs": [["FR", "P"], ["DE", "B"]],
    }


def test_associate_interaction_is_matching():
    data = item_v2(
        '<associateInteraction responseIdentifier="RESPONSE" maxAssociations="2"><prompt>Pair them</prompt>'
        '<simpleAssociableChoice identifier="cat" matchMax="1">cat</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="kitten" matchMax="1">kitten</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="dog" matchMax="1">dog</simpleAssociableChoice>'
        '<simpleAssociableChoice identifier="puppy" matchMax="1">puppy</simpleAssociableChoice>'
        "</associateInteraction>",
        '<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="pair">'
        "<correctResponse><value>cat kitten</value><value>puppy dog</value></correctResponse></responseDeclaration>",
    )
    [spec] = parse_package(data, "young.xml")
    assert spec.data["left"] == [{"id": "cat", "text": "cat"}, {"id": "puppy", "text": "puppy"}]
    assert spec.data["right"] == [{"id": "kitten", "text": "kitten"}, {"id": "dog", "text": "dog"}]
    assert spec.data["pairs"] == [["cat", "kitten"], ["puppy", "dog"]]


def test_order_interaction_v3():
    data = (
        f'<qti-assessment-item {V3} identifier="ord" title="Order" adaptive="false" time-dependent="false">'
        '<qti-response-declaration identifier="RESPONSE" cardinality="ordered" base-type="identifier">'
        "<qti-correct-response><qti-value>C</qti-value><qti-value>A</qti-value><qti-value>B</qti-value>"
        "</qti-correct-response></qti-response-declaration>"
        '<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>'
        '<qti-item-body><qti-order-interaction response-identifier="RESPONSE"><qti-prompt>Oldest first</qti-prompt>'
        '<qti-simple-choice identifier="A">Tudors</qti-simple-choice>'
        '<qti-simple-choice identifier="B">Victorians</qti-simple-choice>'
        '<qti-simple-choice identifier="C">Romans</qti-simple-choice></qti-order-interaction></qti-item-body>'
        '<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"/>'
        "</qti-assessment-item>"
    ).encode()
    package_ = read_package(data, "order.xml")
    [spec] = package_.questions
    assert package_.version == "3.0"
    assert (spec.kind, spec.prompt, spec.identifier) == ("ordering", "Oldest first", "ord")
    assert spec.data["order"] == ["C", "A", "B"]
    assert [item["text"] for item in spec.data["items"]] == ["Tudors", "Victorians", "Romans"]


def test_assessment_test_orders_items_and_gives_title():
    second = SINGLE_V2.replace(b'identifier="item1"', b'identifier="item2"')
    files = {"items/one.xml": SINGLE_V2, "items/two.xml": second}
    test = (
        f'<assessmentTest {V2} identifier="T" title="  Primes   quiz "><testPart identifier="P" '
        'navigationMode="linear" submissionMode="individual"><assessmentSection identifier="S" title="s" visible="true">'
        '<assessmentItemRef identifier="b" href="items/two.xml"/><assessmentItemRef identifier="a" href="items/one.xml"/>'
        "</assessmentSection></testPart></assessmentTest>"
    ).encode()
    manifest = (
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"><resources>'
        b'<resource identifier="A" type="imsqti_item_xmlv2p1" href="items/one.xml"/>'
        b'<resource identifier="B" type="imsqti_item_xmlv2p1" href="items/two.xml"/>'
        b'<resource identifier="T" type="imsqti_test_xmlv2p1"><file href="tests/../test.xml"/></resource>'
        b"</resources></manifest>"
    )
    result = read_package(package({**files, "test.xml": test}, manifest), "primes.zip")
    assert result.title == "Primes quiz"
    assert result.test_identifiers == ("item2", "item1")
    assert [spec.identifier for spec in result.questions] == ["item2", "item1"]


# ---- round trips ------------------------------------------------------------------------------------------------

EVERY_KIND = [
    QuestionSpec(
        "single",
        "Which is a prime?\nChoose one.",
        {
            "choices": [
                {"id": "A", "text": "4", "feedback": "4 = 2 x 2"},
                {"id": "B", "text": "7 & 11 < 13", "feedback": ""},
            ],
            "correct": ["B"],
        },
        "Seven is prime.",
        "Look for divisors.",
        ("primes", "number"),
        2,
        "q-single",
    ),
    QuestionSpec(
        "multiple",
        "Pick the even numbers",
        {
            "choices": [
                {"id": "a", "text": "2", "feedback": ""},
                {"id": "b", "text": "3", "feedback": "odd"},
                {"id": "c", "text": "4", "feedback": ""},
            ],
            "correct": ["a", "c"],
        },
        identifier="q-multiple",
    ),
    QuestionSpec("true_false", "Water boils at 100 °C at sea level.", {"correct": True}, identifier="q-tf"),
    QuestionSpec("true_false", "The moon is a planet.", {"correct": False}, "", "It is a moon.", identifier="q-tf2"),
    QuestionSpec("numeric", "What is 7 / 2?", {"answer": 3.5, "tolerance": 0.05}, points=3, identifier="q-num"),
    QuestionSpec("numeric", "How many sides has a hexagon?", {"answer": 6, "tolerance": 0}, identifier="q-num0"),
    QuestionSpec(
        "text",
        "Capital of France?",
        {"accepted": ["Paris", "paris, france"], "case_sensitive": False},
        "Yes.",
        "It is Paris.",
        ("geography",),
        identifier="q-text",
    ),
    QuestionSpec("text", "Symbol for sodium", {"accepted": ["Na"], "case_sensitive": True}, identifier="q-text2"),
    QuestionSpec(
        "matching",
        "Match the capitals",
        {
            "left": [{"id": "L1", "text": "France"}, {"id": "L2", "text": "Germany"}],
            "right": [{"id": "R1", "text": "Berlin"}, {"id": "R2", "text": "Paris"}, {"id": "R3", "text": "Rome"}],
            "pairs": [["L1", "R2"], ["L2", "R1"]],
        },
        identifier="q-match",
    ),
    QuestionSpec(
        "ordering",
        "Oldest first",
        {
            "items": [{"id": "I1", "text": "Tudors"}, {"id": "I2", "text": "Romans"}, {"id": "I3", "text": "Normans"}],
            "order": ["I2", "I3", "I1"],
        },
        feedback_correct="Right: 43, 1066, 1485.",
        identifier="q-order",
    ),
]


@pytest.mark.parametrize("version", ["2.1", "3.0"])
@pytest.mark.parametrize("spec", EVERY_KIND, ids=[spec.identifier for spec in EVERY_KIND])
def test_round_trip_each_kind(spec, version):
    data = export_package([spec], "One question", version=version)
    result = read_package(data, "export.zip")
    assert result.questions == [spec]
    assert result.version == version
    assert result.title == "One question"


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_round_trip_whole_quiz_keeps_order(version):
    data = export_package(EVERY_KIND, "Everything", version=version)
    result = read_package(data, "export.zip")
    assert result.questions == EVERY_KIND
    assert result.test_identifiers == tuple(spec.identifier for spec in EVERY_KIND)


def test_export_is_in_the_declared_namespace_with_standard_templates():
    v3 = zipfile.ZipFile(io.BytesIO(export_package(EVERY_KIND[:1], "x")))
    item = v3.read("items/q-single.xml").decode()
    assert "<qti-assessment-item" in item and qti.NS_V3 in item
    assert "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml" in item
    assert "imsqti_item_xmlv3p0" in v3.read("imsmanifest.xml").decode()
    v2 = zipfile.ZipFile(io.BytesIO(export_package(EVERY_KIND[6:7], "x", version="2.1")))
    item = v2.read("items/q-text.xml").decode()
    assert "<assessmentItem" in item and qti.NS_V2 in item
    assert MAP_V2 in item


def test_export_gives_missing_or_unusable_identifiers_new_ones():
    specs = [
        QuestionSpec("true_false", "A", {"correct": True}),
        QuestionSpec("true_false", "B", {"correct": True}, identifier="has space"),
        QuestionSpec("true_false", "C", {"correct": True}, identifier="item-1"),
    ]
    result = read_package(export_package(specs, "ids"), "ids.zip")
    assert [spec.identifier for spec in result.questions] == ["item-1", "item-2", "item-1-3"]
    assert [spec.prompt for spec in result.questions] == ["A", "B", "C"]


def test_export_is_deterministic():
    assert export_package(EVERY_KIND, "Same") == export_package(EVERY_KIND, "Same")


# ---- bad and hostile input --------------------------------------------------------------------------------------


def refused(data: bytes, filename: str = "upload.zip", **limits: int) -> QtiError:
    with pytest.raises(QtiError) as caught:
        read_package(data, filename, limits=Limits(**limits) if limits else None)
    return caught.value


XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE assessmentItem [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x"><itemBody><p>&secret;</p></itemBody>
</assessmentItem>"""
XXE_HTTP = XXE_FILE.replace(b"file:///etc/passwd", b"http://127.0.0.1:9/steal")
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10)
    )
    + b"]>\n<assessmentItem "
    + V2.encode()
    + b' identifier="x"><itemBody><p>&lol9;</p></itemBody></assessmentItem>'
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE assessmentItem SYSTEM "http://example.org/evil.dtd">\n'
    + SINGLE_V2.split(b"\n", 1)[1]
)


@pytest.mark.parametrize(
    "hostile", [XXE_FILE, XXE_HTTP, LAUGHS, EXTERNAL_DTD], ids=["xxe-file", "xxe-http", "billion-laughs", "dtd"]
)
def test_doctypes_and_entities_are_refused_as_a_single_file(hostile):
    error = refused(hostile, "evil.xml")
    assert error.file == "evil.xml"
    assert "document type declaration" in error.message
    assert "root:" not in str(error)  # nothing from /etc/passwd


@pytest.mark.parametrize("hostile", [XXE_FILE, LAUGHS], ids=["xxe", "laughs"])
def test_doctypes_are_refused_inside_a_package_naming_the_entry(hostile):
    error = refused(package({"items/evil.xml": hostile}))
    assert error.file == "items/evil.xml"
    assert error.element == "line 2"


def test_doctype_in_a_utf16_file_is_refused_after_parsing():
    error = refused(XXE_FILE.replace(b'<?xml version="1.0"?>', b"").decode().strip().encode("utf-16"), "u16.xml")
    assert "document type declaration" in error.message


def test_doctype_in_the_manifest_is_refused():
    manifest = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest/>'
    error = refused(package({"a.xml": SINGLE_V2}, manifest))
    assert error.file == "imsmanifest.xml"


def zip_with_names(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", b"<manifest/>")
        for name in names:
            archive.writestr(zipfile.ZipInfo(name), SINGLE_V2)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../../etc/cron.d/evil", "climbs out"),
        ("items/../../evil.xml", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/evil.xml", "absolute"),
        ("..\\..\\evil.xml", "backslashes"),
        ("items\\evil.xml", "backslashes"),
    ],
)
def test_path_traversal_in_zip_entries_is_refused(entry, reason):
    error = refused(zip_with_names(entry))
    assert error.file == "upload.zip"
    assert entry in error.element
    assert reason in error.message


@pytest.mark.parametrize("href", ["../outside.xml", "/etc/passwd", "file:///etc/passwd", "a\\b.xml"])
def test_manifest_references_outside_the_package_are_refused(href):
    manifest = (
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
        f'<resource identifier="A" type="imsqti_item_xmlv2p1" href="{href}"/></resources></manifest>'
    ).encode()
    error = refused(package({"a.xml": SINGLE_V2}, manifest))
    assert error.file == "imsmanifest.xml"
    assert error.element.startswith("line 1, <resource>")


def test_test_references_outside_the_package_are_refused():
    test = (
        f'<assessmentTest {V2} identifier="T" title="t"><testPart identifier="P" navigationMode="linear" '
        'submissionMode="individual"><assessmentSection identifier="S" title="s" visible="true">'
        '<assessmentItemRef identifier="a" href="../../a.xml"/></assessmentSection></testPart></assessmentTest>'
    ).encode()
    manifest = (
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
        b'<resource identifier="A" type="imsqti_item_xmlv2p1" href="a.xml"/>'
        b'<resource identifier="T" type="imsqti_test_xmlv2p1" href="t/test.xml"/></resources></manifest>'
    )
    error = refused(package({"a.xml": SINGLE_V2, "t/test.xml": test}, manifest))
    assert (error.file, error.element) == ("t/test.xml", "line 1, <assessmentItemRef>")
    assert "climbs out" in error.message


def bomb(size: int, count: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("imsmanifest.xml", b"<manifest/>")
        for n in range(count):
            archive.writestr(f"items/{n}.xml", b"<a>" + b" " * size + b"</a>")
    return buffer.getvalue()


def test_zip_bomb_by_compression_ratio_is_refused():
    data = bomb(4 * 1024 * 1024)
    assert len(data) < 20_000  # the point of a bomb
    error = refused(data)
    assert "compressed more than 100 to 1" in error.message
    assert "items/0.xml" in error.element


def test_entry_larger_than_the_per_entry_cap_is_refused():
    error = refused(bomb(6 * 1024 * 1024), ratio=100_000)
    assert "the limit is 5.0 MB" in error.message


def test_total_uncompressed_size_cap():
    error = refused(bomb(300_000, count=4), ratio=100_000, total_bytes=1_000_000)
    assert "more than 977 KB in all" in error.message


def test_entry_count_cap():
    error = refused(bomb(10, count=30), entries=20)
    assert "31 entries; the limit is 20" in error.message


def test_upload_size_cap():
    error = refused(b"PK" + b"\0" * 2000, upload_bytes=1000)
    assert "the limit is 1000 bytes" in error.message


def test_entry_that_unpacks_to_more_than_it_declares_is_refused():
    data = bytearray(package({"a.xml": SINGLE_V2}))
    central = bytes(data).find(b"PK\x01\x02", bytes(data).find(b"PK\x01\x02") + 4)  # a.xml's directory record
    assert data[central + 46 : central + 51] == b"a.xml"
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # declared uncompressed size: 10 bytes
    error = refused(bytes(data))
    assert error.file in ("upload.zip", "a.xml")


@pytest.mark.parametrize(
    ("data", "filename", "file", "message"),
    [
        (b"PK\x03\x04 this is not really a zip", "quiz.zip", "quiz.zip", "not a zip file"),
        (b"hello, I am a Word document", "quiz.zip", "quiz.zip", "not a zip file"),
        (b"just some text", "item.xml", "item.xml", "not an XML file"),
        (b"<assessmentItem><itemBody>", "item.xml", "item.xml", "not well-formed XML"),
        (b"", "item.xml", "item.xml", "empty"),
        (b'<assessmentItem identifier="x"/>', "item.xml", "item.xml", "no namespace"),
        (
            b'<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p0" identifier="x"/>',
            "item.xml",
            "item.xml",
            "imsqti_v2p0",
        ),
        (
            b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
            "C:\\fakepath\\page.xml",
            "page.xml",
            "<html> is not an item",
        ),
    ],
)
def test_not_a_package_gives_a_clear_message(data, filename, file, message):
    error = refused(data, filename)
    assert error.file == file
    assert message in error.message


def test_package_without_manifest():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("item.xml", SINGLE_V2)
    assert "no imsmanifest.xml" in refused(buffer.getvalue()).message


def test_unsupported_interaction_names_file_line_and_element():
    data = item_v2(
        '<p>Describe</p>\n<extendedTextInteraction responseIdentifier="RESPONSE"/>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string"/>',
    )
    error = refused(data.replace(b"<itemBody>", b"\n<itemBody>"), "essay.xml")
    assert (error.file, error.element) == ("essay.xml", "line 4, <extendedTextInteraction>")
    assert "not supported" in error.message
    assert str(error).startswith("essay.xml, line 4, <extendedTextInteraction>: ")


def test_unsupported_interaction_in_a_v3_item_is_named_in_the_v21_spelling():
    data = (
        f'<qti-assessment-item {V3} identifier="h"><qti-item-body>'
        '<qti-hotspot-interaction response-identifier="R"/></qti-item-body></qti-assessment-item>'
    ).encode()
    assert refused(data, "h.xml").element == "line 1, <hotspotInteraction>"


def test_one_bad_item_rejects_the_whole_package():
    bad = SINGLE_V2.replace(b"<value>B</value>", b"<value>Z</value>")
    error = refused(package({"good.xml": SINGLE_V2, "bad.xml": bad}))
    assert error.file == "bad.xml"
    assert "'Z' is not one of the choices" in error.message


def test_unknown_response_processing_template_is_refused():
    data = item_v2(
        '<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><simpleChoice identifier="A">a</simpleChoice>'
        '<simpleChoice identifier="B">b</simpleChoice></choiceInteraction>',
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
        "<correctResponse><value>A</value></correctResponse></responseDeclaration>",
        rp="http://example.org/my_template",
    )
    error = refused(data, "t.xml")
    assert error.element.endswith("<responseProcessing>")
    assert "not one of the standard ones" in error.message


def test_missing_item_file_and_missing_declaration():
    manifest = (
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
        b'<resource identifier="A" type="imsqti_item_xmlv2p1" href="gone.xml"/></resources></manifest>'
    )
    assert "'gone.xml' is not in the zip" in refused(package({"a.xml": SINGLE_V2}, manifest)).message
    no_declaration = SINGLE_V2.replace(b'identifier="RESPONSE"', b'identifier="OTHER"')
    assert "no <responseDeclaration>" in refused(no_declaration, "n.xml").message


def test_a_test_on_its_own_asks_for_the_package():
    test = f'<assessmentTest {V2} identifier="T" title="t"/>'.encode()
    assert "upload the content package" in refused(test, "test.xml").message


def test_duplicate_item_identifiers_in_a_package_are_refused():
    error = refused(package({"a.xml": SINGLE_V2, "b.xml": SINGLE_V2}))
    assert error.file == "b.xml"
    assert "also used by a.xml" in error.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_packages_only_ever_raise_qti_error(data):
    """Any byte of a valid package changed, cut or duplicated: a QtiError or a result, never anything else."""
    original = bytearray(export_package(EVERY_KIND[:3], "fuzz"))
    position = data.draw(st.integers(0, len(original) - 1))
    action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    if action == "flip":
        original[position] ^= data.draw(st.integers(1, 255))
    elif action == "cut":
        del original[position:]
    else:
        original[position:position] = data.draw(st.binary(min_size=1, max_size=20))
    try:
        read_package(bytes(original), "fuzz.zip")
    except QtiError as error:
        assert error.file and error.message
