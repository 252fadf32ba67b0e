"""Which archival documents exist and how each is built: one builder per document kind.

A builder says what its document covers (one class, or the school's year), gives the
files of one document (name → bytes) and their MIME types, and is filed under the kind's
nomenclature index from the settings. Packaging (`zhurnal.archive.packaging.services`)
is generic over the registry: a later register (clubs, individual education…) adds its
kind to DocumentKind, writes one builder and registers it with `@register`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from zhurnal.archive.containers import container_build
from zhurnal.archive.documents.audit_events import audit_events_json
from zhurnal.archive.documents.journal import class_journal_files
from zhurnal.archive.documents.substitutions import substitution_register_files
from zhurnal.archive.documents.summary import summary_sheet_files
from zhurnal.archive.models import DocumentKind
from zhurnal.schools.models import AcademicYear, ClassGroup

MIME_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
}
AUDIT_EVENTS_FILE = "audit-events.json"


@dataclass(frozen=True)
class Scope:
    """What one document covers: a class of the year, or (class_group None) the school's year."""

    year: AcademicYear
    class_group: ClassGroup | None = None


@dataclass(frozen=True)
class BuiltDocument:
    kind: str
    files: dict[str, bytes]
    mime_types: dict[str, str]
    container: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.container).hexdigest()


def mime_type(name: str) -> str:
    for suffix, mime in MIME_TYPES.items():
        if name.endswith(suffix):
            return mime
    return "application/octet-stream"


class DocumentBuilder(ABC):
    """Builds the files of one kind of archival document."""

    kind: ClassVar[str]
    per_class: ClassVar[bool]  # one document per class, or one for the school's year

    @abstractmethod
    def files(self, scope: Scope) -> dict[str, bytes]:
        """The document's files, name → bytes; the same data must give the same bytes."""

    def mime_types(self, files: Mapping[str, bytes]) -> dict[str, str]:
        return {name: mime_type(name) for name in files}

    def title(self) -> str:
        return str(DocumentKind(self.kind).label)

    def nomenclature_index(self) -> str:
        """The case the document is filed under: ZHURNAL_ARCHIVE_NOMENCLATURE[kind]."""
        return str(settings.ZHURNAL_ARCHIVE_NOMENCLATURE[self.kind])

    def label(self, scope: Scope) -> str:
        """What the progress bar says while this document is built."""
        if scope.class_group is not None:
            return _("%(class)s: %(document)s") % {
                "class": scope.class_group,
                "document": self.title(),
            }
        return self.title()

    def build(self, scope: Scope) -> BuiltDocument:
        """The files and their unsigned ASiC-E container."""
        if (scope.class_group is not None) != self.per_class:
            raise ValueError(f"{self.kind}: wrong scope {scope}")
        files = self.files(scope)
        mime_types = self.mime_types(files)
        return BuiltDocument(
            kind=self.kind,
            files=files,
            mime_types=mime_types,
            container=container_build(files, mime_types),
        )


REGISTRY: dict[str, DocumentBuilder] = {}
B = TypeVar("B", bound=type[DocumentBuilder])


def register(builder_class: B) -> B:
    """Class decorator: add a builder to the registry under its kind (one per kind)."""
    kind = DocumentKind(builder_class.kind)
    if kind in REGISTRY:
        raise ValueError(f"a builder for {kind} is already registered")
    REGISTRY[kind] = builder_class()
    return builder_class


def builder_for(kind: str) -> DocumentBuilder:
    return REGISTRY[DocumentKind(kind)]


def builders(*, per_class: bool) -> list[DocumentBuilder]:
    """The builders of class documents (or of the school's), in the order of DocumentKind."""
    return [
        REGISTRY[kind]
        for kind in DocumentKind
        if kind in REGISTRY and REGISTRY[kind].per_class == per_class
    ]


def _class_of(scope: Scope) -> ClassGroup:
    assert scope.class_group is not None
    return scope.class_group


@register
class ClassJournalBuilder(DocumentBuilder):
    """The class journal: journal.pdf, journal.json, marks.csv, attendance.csv and the
    class's audit events of the year."""

    kind = DocumentKind.CLASS_JOURNAL
    per_class = True

    def files(self, scope: Scope) -> dict[str, bytes]:
        class_group = _class_of(scope)
        return {
            **class_journal_files(class_group),
            AUDIT_EVENTS_FILE: audit_events_json(class_group),
        }


@register
class SummarySheetBuilder(DocumentBuilder):
    """The achievement summary sheet, signed and kept apart from the journal (25 years)."""

    kind = DocumentKind.SUMMARY_SHEET
    per_class = True

    def files(self, scope: Scope) -> dict[str, bytes]:
        return summary_sheet_files(_class_of(scope))


@register
class SubstitutionRegisterBuilder(DocumentBuilder):
    """The school's register of missed and substituted lessons of the year."""

    kind = DocumentKind.SUBSTITUTION_REGISTER
    per_class = False

    def files(self, scope: Scope) -> dict[str, bytes]:
        return substitution_register_files(scope.year)
