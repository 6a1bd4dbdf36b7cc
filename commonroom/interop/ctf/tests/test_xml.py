"""Hostile and broken files: each is refused with a CtfError in plain words, never another exception."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from commonroom.interop.ctf import CtfError, parse_bytes, read_ctf, read_upload
from commonroom.interop.ctf.tests.fixtures import GOLDEN
from commonroom.interop.ctf.xml import DEFAULT_MAX_BYTES, REFUSED_DOCTYPE

MB = 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CTfile><Header><DocumentName>&lol9;</DocumentName></Header></CTfile>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><DocumentName>&xxe;</DocumentName></Header></CTfile>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile SYSTEM "http://127.0.0.1:9/ctf.dtd">
<CTfile><Header/></CTfile>
"""


def refusal(data: bytes) -> CtfError:
    """read_ctf refuses ``data`` with a CtfError; any other exception fails the test."""
    with pytest.raises(CtfError) as caught:
        read_ctf(data)
    return caught.value


# --- Document type declarations --------------------------------------------------------------------------


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    assert refusal(BILLION_LAUGHS).problems == (REFUSED_DOCTYPE,)


def test_external_entity_is_refused_and_reads_nothing() -> None:
    error = refusal(EXTERNAL_ENTITY)
    assert error.problems == (REFUSED_DOCTYPE,)
    assert "root:" not in str(error)


def test_external_dtd_is_refused() -> None:
    assert refusal(EXTERNAL_DTD).problems == (REFUSED_DOCTYPE,)


def test_doctype_in_utf16_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CTfile [<!ENTITY a "b">]><CTfile>&a;</CTfile>'
    assert refusal(data.encode("utf-16")).problems == (REFUSED_DOCTYPE,)


@pytest.mark.parametrize("attack", [EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_doctype_hidden_behind_a_long_prolog_is_refused_after_parsing(attack: bytes) -> None:
    """The early check reads only the first megabyte of prolog; the parser, which expands nothing and
    fetches nothing, is the second line, and the document type it finds is refused."""
    error = refusal(behind_long_prolog(attack))
    assert error.problems == (REFUSED_DOCTYPE,)


def test_billion_laughs_behind_a_long_prolog_is_stopped_by_the_parser() -> None:
    # libxml2 notices the would-be amplification while reading the declarations, before our check.
    error = refusal(behind_long_prolog(BILLION_LAUGHS))
    assert error.problems[0].startswith(
        "The file could not be read as XML at line 1: it defines entities that would expand enormously, a known attack"
    )


def behind_long_prolog(attack: bytes) -> bytes:
    declaration, rest = attack.split(b"\n", 1)
    return declaration + b"\n<!--" + b" " * (2 * MB) + b"-->\n" + rest


def test_doctype_mentioned_inside_the_document_is_not_a_doctype() -> None:
    data = GOLDEN.read_bytes().replace(
        b"<DataDescriptor>Pupil leaving Brook Lane</DataDescriptor>",
        b"<DataDescriptor><![CDATA[<!DOCTYPE is just text here>]]></DataDescriptor>",
    )
    assert read_ctf(data).header.data_descriptor == "<!DOCTYPE is just text here>"


# --- Size ----------------------------------------------------------------------------------------------


class EndlessUpload:
    """A 50 MB upload produced on demand, counting what the reader asked for."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        size = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= size
        self.bytes_read += size
        return b"<" * size


def test_50mb_upload_is_refused_after_reading_just_past_the_limit() -> None:
    upload = EndlessUpload(50 * MB)
    with pytest.raises(CtfError) as caught:
        read_upload(upload)
    assert caught.value.problems[0].startswith("The file is larger than the 20 MB limit")
    assert upload.bytes_read <= DEFAULT_MAX_BYTES + 64 * 1024


def test_50mb_file_on_disk_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("wb") as file:
        file.truncate(50 * MB)  # sparse: 50 MB of zeros without writing them
    with path.open("rb") as file:
        with pytest.raises(CtfError, match="larger than the 20 MB limit"):
            read_upload(file)
        assert file.tell() <= DEFAULT_MAX_BYTES + 64 * 1024


def test_upload_that_declares_its_size_is_refused_unread() -> None:
    class DeclaredUpload(EndlessUpload):
        size = 50 * MB

    upload = DeclaredUpload(50 * MB)
    with pytest.raises(CtfError, match="larger than the 20 MB limit"):
        read_upload(upload)
    assert upload.bytes_read == 0


def test_upload_within_the_limit_is_read_whole() -> None:
    data = GOLDEN.read_bytes()
    assert read_upload(io.BytesIO(data), chunk_bytes=1000) == data


def test_oversized_bytes_are_refused_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed an oversized file")

    monkeypatch.setattr(etree, "fromstring", must_not_parse)
    with pytest.raises(CtfError, match="larger than the 20 MB limit"):
        read_ctf(b" " * (50 * MB))
    with pytest.raises(CtfError, match="larger than the 1 MB limit"):
        parse_bytes(GOLDEN.read_bytes() + b" " * MB, max_bytes=MB)


# --- Not XML, or broken XML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # a spreadsheet (zip)
        b"upn,given_name,family_name\nB801200005001,Zoe,Smith\n",
    ],
    ids=["pdf", "xlsx", "csv"],
)
def test_non_xml_file_is_refused(data: bytes) -> None:
    error = refusal(data)
    assert error.problems[0].startswith("The file could not be read as XML at line 1: this is not an XML file")


def test_empty_file_is_refused() -> None:
    assert refusal(b"").problems == ("The file is empty.",)
    assert refusal(b"  \n ").problems == ("The file is empty.",)


def test_truncated_file_is_refused_with_its_line() -> None:
    data = GOLDEN.read_bytes()
    cut = data[: len(data) // 2]
    last_line = cut.count(b"\n") + 1
    error = refusal(cut)
    assert error.problems[0].startswith(
        f"The file could not be read as XML at line {last_line}: the file ends too early: "
        "it may have been cut short while copying or uploading"
    )


def test_mismatched_tag_names_its_line() -> None:
    error = refusal(b"<CTfile>\n<Header>\n</Heading>\n</CTfile>")
    assert error.problems[0].startswith(
        "The file could not be read as XML at line 3: a closing tag does not match the tag it should close"
    )


def test_undeclared_entity_is_refused() -> None:
    error = refusal(b"<CTfile>\n<Header>&nbsp;</Header></CTfile>")
    assert "at line 2" in error.problems[0]
    assert "named entity" in error.problems[0]


def test_wrong_encoding_is_refused() -> None:
    data = GOLDEN.read_bytes().replace("Zoë".encode(), "Zoë".encode("latin-1"))
    error = refusal(data)
    assert "not in the character encoding it declares" in error.problems[0]


def test_absurd_nesting_is_refused() -> None:
    data = b"<CTfile>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</CTfile>"
    assert refusal(data).problems[0].startswith("The file could not be read as XML")
