"""Homework files are checked by what they contain, not only by their name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.journal import services
from zhurnal.journal.lesson.tests.builders import lesson_on, url
from zhurnal.journal.models import HomeworkFile

pytestmark = pytest.mark.django_db

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _add(community: Community, name: str, content: bytes) -> HomeworkFile:
    return services.homework_file_add(
        actor=community.teacher,
        lesson=lesson_on(community),
        upload=SimpleUploadedFile(name, content),
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("завдання.pdf", WINDOWS_PROGRAM),
        ("завдання.docx", WINDOWS_PROGRAM),
        ("task.txt", WINDOWS_PROGRAM),
        ("photo.jpg", LINUX_PROGRAM),
        ("archive.zip", LINUX_PROGRAM),
    ],
)
def test_a_renamed_program_is_refused_as_homework(
    community: Community, name: str, content: bytes
) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="is a program"):
        _add(community, name, content)
    assert not HomeworkFile.objects.exists()
    assert not AuditEvent.objects.filter(action="homework_file.add").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("task.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16),  # a picture named .pdf
        ("task.docx", b"%PDF-1.7\n"),
        ("task.doc", ZIP),
        ("task.png", b"GIF89a" + b"\x00" * 10),
        ("task.txt", b"\x00\x01\x02binary"),
        ("task.rtf", b"plain text"),
        ("task.webp", b"RIFF\x00\x00\x00\x00WAVE"),
    ],
)
def test_a_file_whose_content_does_not_match_its_name_is_refused(
    community: Community, name: str, content: bytes
) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="is not really a"):
        _add(community, name, content)
    assert not HomeworkFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("task.pdf", b"%PDF-1.4\n"),
        ("task.docx", ZIP),
        ("task.xlsx", ZIP),
        ("task.odt", ZIP),
        ("task.zip", b"PK\x05\x06" + b"\x00" * 18),
        ("task.doc", OLE2),
        ("task.ppt", OLE2),
        ("task.rtf", b"{\\rtf1\\ansi Hello}"),
        ("task.txt", "Вправа 7, 8 на с. 45".encode()),
        ("task.txt", "Вправа 7".encode("cp1251")),
        ("task.txt", "\ufeffВправа 7".encode("utf-16")),
        ("task.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("task.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("task.gif", b"GIF87a\x01\x00"),
        ("task.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
        ("task.mp3", b"ID3\x04\x00\x00"),
        ("task.mp3", b"\xff\xfb\x90\x44"),
    ],
)
def test_real_files_of_every_allowed_type_are_attached(
    community: Community, name: str, content: bytes
) -> None:
    attachment = _add(community, name, content)
    attachment.file.open("rb")
    with attachment.file:
        assert attachment.file.read() == content  # saved from the first byte
    assert AuditEvent.objects.filter(action="homework_file.add").count() == 1


def test_the_teacher_sees_why_a_renamed_program_is_refused(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    upload = SimpleUploadedFile("контрольна.pdf", WINDOWS_PROGRAM, content_type="application/pdf")
    with translation.override("en"):
        response = client.post(url(lesson, "files/"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = " ".join(response.context["file_form"].errors["file"])
    assert "контрольна.pdf" in errors
    assert not HomeworkFile.objects.exists()
    assert not AuditEvent.objects.filter(action="homework_file.add").exists()
