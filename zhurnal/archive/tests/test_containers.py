from __future__ import annotations

import base64
import hashlib
import io
import zipfile

import pytest

from zhurnal.archive.containers import (
    ASIC_E_MIMETYPE,
    ASIC_S_MIMETYPE,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ContainerError,
    container_add_signature,
    container_build,
    container_read,
)
from zhurnal.archive.tests.pki import zip_of

FILES = {"journal.json": b'{"class": "5-A"}', "marks.csv": "учень;оцінка\n".encode()}
MIME = {"journal.json": "application/json", "marks.csv": "text/csv"}


def test_mimetype_is_the_first_stored_entry_without_extra_field() -> None:
    data = container_build(FILES, MIME)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert archive.read(first) == ASIC_E_MIMETYPE.encode()
        assert [i.filename for i in archive.infolist()][1:] == [
            "journal.json",
            "marks.csv",
            MANIFEST_NAME,
        ]
    # ETSI: the bytes at offset 30 spell "mimetype" followed by the media type, uncompressed.
    assert data[30:38] == b"mimetype"
    assert data[38 : 38 + len(ASIC_E_MIMETYPE)] == ASIC_E_MIMETYPE.encode()


def test_the_same_files_build_byte_identical_containers() -> None:
    reordered = dict(reversed(list(FILES.items())))
    assert container_build(FILES, MIME) == container_build(reordered, MIME)


def test_manifest_lists_every_file_with_its_sha256_and_the_signature_reference() -> None:
    container = container_read(container_build(FILES, MIME))
    (manifest,) = container.manifests
    assert manifest.signature_name == SIGNATURE_NAME
    assert {e.name: e.digest for e in manifest.entries} == {
        name: hashlib.sha256(content).digest() for name, content in FILES.items()
    }
    assert {e.name: e.mime_type for e in manifest.entries} == MIME
    text = manifest.content.decode()
    assert 'Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"' in text
    assert base64.b64encode(hashlib.sha256(FILES["marks.csv"]).digest()).decode() in text
    assert container.kind == "asic-e"
    assert container.files == FILES


def test_adding_a_signature_keeps_the_manifest_and_files() -> None:
    unsigned = container_build(FILES, MIME)
    signed = container_add_signature(unsigned, b"signature bytes")
    before, after = container_read(unsigned), container_read(signed)
    assert after.manifests == before.manifests
    assert after.files == before.files
    assert after.signatures == {SIGNATURE_NAME: b"signature bytes"}
    (pair,) = after.signed_objects()
    assert pair.signed_name == MANIFEST_NAME
    assert pair.signed_content == before.manifests[0].content
    assert container_add_signature(unsigned, b"signature bytes") == signed
    with pytest.raises(ContainerError, match="already present"):
        container_add_signature(signed, b"another")


def test_asic_s_pairs_the_signature_with_its_one_data_file() -> None:
    data = zip_of(
        [("mimetype", ASIC_S_MIMETYPE.encode()), ("journal.pdf", b"%PDF"), (SIGNATURE_NAME, b"s")]
    )
    container = container_read(data)
    assert container.kind == "asic-s"
    (pair,) = container.signed_objects()
    assert (pair.signed_name, pair.signed_content) == ("journal.pdf", b"%PDF")


def test_several_manifests_and_signatures_are_read() -> None:
    base = container_read(container_build(FILES, MIME))
    manifest = base.manifests[0].content
    second = manifest.replace(b"META-INF/signature.p7s", b"META-INF/signature002.p7s")
    data = zip_of(
        [
            ("mimetype", ASIC_E_MIMETYPE.encode()),
            *FILES.items(),
            (MANIFEST_NAME, manifest),
            ("META-INF/ASiCManifest002.xml", second),
            (SIGNATURE_NAME, b"one"),
            ("META-INF/signature002.p7s", b"two"),
        ]
    )
    pairs = container_read(data).signed_objects()
    assert [(p.signature_name, p.signed_name) for p in pairs] == [
        ("META-INF/signature.p7s", MANIFEST_NAME),
        ("META-INF/signature002.p7s", "META-INF/ASiCManifest002.xml"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "not a ZIP"),
        (b"", "not a ZIP"),
        (zip_of([("mimetype", b"application/zip"), ("a.txt", b"x")]), "unknown container type"),
        (zip_of([("mimetype", ASIC_E_MIMETYPE.encode()), ("a.txt", b"x")]), "without META-INF"),
        (
            zip_of([("mimetype", ASIC_E_MIMETYPE.encode()), (MANIFEST_NAME, b"<broken")]),
            "not well-formed",
        ),
        (
            zip_of(
                [
                    ("mimetype", ASIC_E_MIMETYPE.encode()),
                    (MANIFEST_NAME, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'),
                ]
            ),
            "DTD",
        ),
        (zip_of([("mimetype", ASIC_S_MIMETYPE.encode()), ("a", b"1"), ("b", b"2")]), "one data"),
        # found by the damaged-package fuzz: a flipped byte left a name of length zero
        (
            zip_of([("mimetype", ASIC_E_MIMETYPE.encode()), ("QQQQ", b"x")]).replace(
                b"QQQQ", b"\x00QQQ"
            ),
            "without a name",
        ),
    ],
)
def test_malformed_containers_raise_a_named_error(data: bytes, message: str) -> None:
    with pytest.raises(ContainerError, match=message):
        container_read(data)


def test_a_truncated_container_raises_container_error() -> None:
    data = container_build(FILES, MIME)
    with pytest.raises(ContainerError):
        container_read(data[: len(data) // 2])


@pytest.mark.parametrize("name", ["../evil", "/abs", "META-INF/x.xml", "mimetype", "a\\b", ""])
def test_unsafe_data_file_names_are_refused(name: str) -> None:
    with pytest.raises(ContainerError, match="unusable"):
        container_build({name: b"x"}, {})
