"""Packaging a closed year: the documents it registers and what their containers hold, the
class's audit events, byte-identical regeneration, refusing a class whose journal does not
agree with the audit log, progress, the school's register, and what the builders cost."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.cast import Community
from zhurnal.archive.containers import container_read
from zhurnal.archive.documents import journal, substitutions, summary
from zhurnal.archive.documents.audit_events import audit_events_json
from zhurnal.archive.models import ArchiveDocument, DocumentKind, JobState, PackagingJob
from zhurnal.archive.packaging import services
from zhurnal.archive.packaging.builders import (
    REGISTRY,
    DocumentBuilder,
    Scope,
    builder_for,
    builders,
)
from zhurnal.archive.packaging.services import packaging_run, packaging_start, packaging_step
from zhurnal.archive.packaging.tasks import packaging_step_task
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import event_hash
from zhurnal.journal.models import AttendanceStatus, Mark, MarkKind
from zhurnal.journal.services import attendance_set, lesson_record, mark_delete, mark_set
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.schools.models import AcademicYear, ClassGroup
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment
from zhurnal.timetable.services import lesson_substitute

KYIV = ZoneInfo("Europe/Kyiv")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=KYIV)
CLOSED_AT = dt.datetime(2027, 6, 25, 15, 0, tzinfo=KYIV)
JOURNAL_FILES = {"journal.pdf", "journal.json", "marks.csv", "attendance.csv", "audit-events.json"}
SUMMARY_FILES = {"summary.pdf", "summary.json", "summary.csv"}


@pytest.fixture(autouse=True)
def school_day(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def html_for_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs as their rendered HTML: for tests about packaging, not about the PDF
    (test_journal_document checks the PDF/A itself), so WeasyPrint's seconds are spared."""

    def rendered(
        template: str, context: dict[str, Any], *, pdf_variant: str | None = None
    ) -> bytes:
        return render_to_string(template, context).encode()

    for module in (journal, summary, substitutions):
        monkeypatch.setattr(module, "pdf_from_template", rendered)


def lessons(assignment: TeachingAssignment, *days: dt.date) -> list[Lesson]:
    period = Period.objects.get(year=assignment.year, number=1)
    return [Lesson.objects.create(assignment=assignment, date=day, period=period) for day in days]


def fill(community: Community) -> dict[str, Any]:
    """The cast's rows sealed as the baseline (as the demo does), then 5-А's year through
    the services: topics, marks, a corrected and a deleted mark, an absence, a term mark;
    and one mark in 5-Б, whose events must stay out of 5-А's package."""
    audit_rows_seal(actor=None, school_id=community.school.pk, reason="test baseline")
    teacher, assignment = community.teacher, community.math_5a
    first, second = lessons(assignment, dt.date(2026, 11, 9), dt.date(2026, 11, 16))
    lesson_record(actor=teacher, lesson=first, topic="Дроби", homework="№ 12")
    lesson_record(actor=teacher, lesson=second, topic="Десяткові дроби", homework="")
    kept = mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="9",
        lesson=first, reason="Виставлено пізніше",
    ).mark  # fmt: skip
    mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="10",
        lesson=first, mark=kept, reason="Помилка при виставленні",
    )  # fmt: skip
    gone = mark_set(
        actor=teacher, assignment=assignment, student=community.other_student, value="7",
        lesson=second,
    ).mark  # fmt: skip
    assert gone is not None
    gone_id = gone.pk
    mark_delete(actor=teacher, mark=gone, reason="Не та учениця")
    attendance_set(
        actor=teacher, lesson=second, student=community.student, status=AttendanceStatus.ABSENT
    )
    mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="10",
        kind=MarkKind.TERM, term=community.term1,
    )  # fmt: skip
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=5,
    )
    (lesson_5b,) = lessons(math_5b, dt.date(2026, 11, 16))
    other = mark_set(
        actor=teacher, assignment=math_5b, student=community.student_5b, value="8",
        lesson=lesson_5b,
    ).mark  # fmt: skip
    assert kept is not None and other is not None
    return {"kept": kept, "gone_id": gone_id, "other": other, "lesson_5b": lesson_5b}


def close(*class_groups: ClassGroup) -> None:
    ClassGroup.objects.filter(pk__in=[group.pk for group in class_groups]).update(
        closed_at=CLOSED_AT
    )


def fresh(class_group: ClassGroup) -> ClassGroup:
    return ClassGroup.objects.select_related("year__school__municipality", "class_teacher").get(
        pk=class_group.pk
    )


def start(community: Community, *class_groups: ClassGroup, school: bool = False) -> PackagingJob:
    return packaging_start(
        actor=community.director,
        year=community.year,
        closing=None,
        class_groups=list(class_groups),
        school_documents=school,
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text of a PDF as pdftotext lays it out (poppler-utils, as the test command has)."""
    executable = shutil.which("pdftotext")
    assert executable is not None, "pdftotext (poppler-utils) is not installed"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    # S603: a fixed tool from PATH, run on a file this test wrote.
    done = subprocess.run(  # noqa: S603
        [executable, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def files_of(document: ArchiveDocument) -> dict[str, bytes]:
    with document.container.open("rb") as handle:
        container = container_read(handle.read())
    (manifest,) = container.manifests
    listed = {entry.name: entry for entry in manifest.entries}
    assert set(listed) == set(container.files)
    for name, content in container.files.items():
        assert listed[name].digest_algorithm == "sha256"
        assert listed[name].digest == hashlib.sha256(content).digest(), name
    return container.files


@pytest.mark.django_db
def test_starting_writes_the_job_and_queues_its_run_once_committed(
    community: Community, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start(community, community.class_5a, community.class_5b, school=True)
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(task_path__endswith="packaging_run_task").count() == 1
    assert job.state == JobState.QUEUED
    assert job.steps_total == 2 * 2 + 1  # journal and summary sheet per class, the register
    assert set(job.class_groups.all()) == {community.class_5a, community.class_5b}
    event = AuditEvent.objects.get(action="archive.packaging_start")
    assert event.object_id == str(job.pk)
    assert event.after["class_group_ids"] == sorted([community.class_5a.pk, community.class_5b.pk])


@pytest.mark.django_db
def test_a_closed_class_is_packaged_into_journal_and_summary_with_complete_manifests(
    community: Community, settings: Any, tmp_path: Path
) -> None:
    settings.ZHURNAL_ARCHIVE_NOMENCLATURE = {
        **settings.ZHURNAL_ARCHIVE_NOMENCLATURE,
        "class_journal": "05-17",
    }
    fill(community)
    close(community.class_5a)
    job = packaging_run(start(community, community.class_5a).pk)

    assert job.state == JobState.DONE, job.errors
    assert (job.steps_done, job.steps_total, job.percent) == (2, 2, 100)
    assert job.started_at is not None and job.finished_at is not None
    documents = {document.kind: document for document in job.documents.all()}
    assert set(documents) == {DocumentKind.CLASS_JOURNAL, DocumentKind.SUMMARY_SHEET}
    for document in documents.values():
        assert document.class_group_id == community.class_5a.pk
        assert document.closed_on == dt.date(2027, 6, 25)  # the class's closing, local
        assert document.created_by_id == community.director.pk
    assert documents[DocumentKind.CLASS_JOURNAL].nomenclature_index == "05-17"
    assert documents[DocumentKind.SUMMARY_SHEET].nomenclature_index == "01-11"
    journal_files = files_of(documents[DocumentKind.CLASS_JOURNAL])
    summary_files = files_of(documents[DocumentKind.SUMMARY_SHEET])
    assert set(journal_files) == JOURNAL_FILES
    assert set(summary_files) == SUMMARY_FILES
    assert journal_files["journal.pdf"].startswith(b"%PDF")
    assert summary_files["summary.pdf"].startswith(b"%PDF")
    # the summary sheet's table: the subjects over their columns, the student's term mark
    text = pdf_text(summary_files["summary.pdf"], tmp_path)
    assert re.search(r"│ *Student *│ *Математика *│ *Українська мова *│", text)
    assert re.search(r"│ *1 *│ *Гнатюк А\. П\. *│ *10 *│", text)

    sheet = json.loads(summary_files["summary.json"])
    assert sheet["schema_version"] == summary.SCHEMA_VERSION
    assert sheet["document"] == "summary_sheet"
    assert sheet["class"] == "5-А"
    (andriy,) = [row for row in sheet["students"] if row["id"] == community.student.pk]
    assert {"subject_id": community.math.pk, "column": f"term-{community.term1.pk}",
            "value": "10", "corrected": ""} in andriy["marks"]  # fmt: skip
    lines = summary_files["summary.csv"].decode("utf-8-sig").splitlines()
    assert lines[0] == "student_id,student,subject,column,value,corrected"
    assert any(line.startswith(f"{community.student.pk},") and ",10," in line for line in lines)

    actions = list(
        AuditEvent.objects.filter(action__startswith="archive.").values_list("action", flat=True)
    )
    assert actions == [
        "archive.packaging_start",
        "archive.document_add",
        "archive.document_add",
        "archive.packaging_finish",
    ]


@pytest.mark.django_db
def test_the_audit_events_file_holds_the_class_events_and_no_other_class(
    community: Community,
) -> None:
    rows = fill(community)
    close(community.class_5a)
    data = json.loads(audit_events_json(fresh(community.class_5a)))

    assert data["schema_version"] == 1
    assert data["class_group_id"] == community.class_5a.pk
    ids = [event["id"] for event in data["events"]]
    assert ids == sorted(ids)
    by_object = {(event["object_type"], event["object_id"]) for event in data["events"]}
    kept, other = rows["kept"], rows["other"]
    assert ("journal.mark", str(kept.pk)) in by_object
    assert ("journal.mark", str(rows["gone_id"])) in by_object  # deleted: by its snapshot
    assert ("journal.mark", str(other.pk)) not in by_object  # 5-Б's mark
    assert ("timetable.lesson", str(rows["lesson_5b"].pk)) not in by_object
    assert {"mark.create", "mark.update", "mark.delete", "lesson.record"} <= {
        event["action"] for event in data["events"]
    }
    assert any(t == "journal.attendance" for t, _id in by_object)
    expected = set(
        AuditEvent.objects.filter(
            object_type="journal.mark",
            object_id__in=[str(kept.pk), str(rows["gone_id"])],
        ).values_list("id", flat=True)
    )
    assert expected <= set(ids)
    # Every field the chain hashes is there: each event's hash can be recomputed.
    for event in data["events"]:
        values = {**event, "at": dt.datetime.fromisoformat(event["at"])}
        assert event_hash(AuditEvent(**values)) == event["hash"]
    # The baseline seal lists this class's enrollments only.
    (enrollments,) = [seal for seal in data["seals"] if seal["object_type"] == "people.enrollment"]
    assert set(enrollments["rows"]) == {
        str(pk)
        for pk in Enrollment.objects.filter(class_group=community.class_5a).values_list(
            "pk", flat=True
        )
    }


@pytest.mark.django_db
def test_regenerating_an_unchanged_closed_year_gives_the_same_bytes_and_hash(
    community: Community,
) -> None:
    fill(community)
    close(community.class_5a)
    first_job = packaging_run(start(community, community.class_5a).pk)
    second_job = packaging_run(start(community, community.class_5a).pk)
    for kind in (DocumentKind.CLASS_JOURNAL, DocumentKind.SUMMARY_SHEET):
        (old,) = first_job.documents.filter(kind=kind)
        (new,) = second_job.documents.filter(kind=kind)
        assert (old.version, new.version) == (1, 2)  # a new version, the old one stays
        assert old.sha256 == new.sha256
        assert files_of(old) == files_of(new)


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_a_class_whose_journal_was_edited_behind_the_application_is_refused(
    community: Community,
) -> None:
    rows = fill(community)
    close(community.class_5a, community.class_5b)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Mark._meta.db_table} SET value='12' WHERE id=%s",  # noqa: S608
            [rows["kept"].pk],
        )
    job = packaging_run(start(community, community.class_5a, community.class_5b).pk)

    assert job.state == JobState.FAILED
    (error,) = job.errors
    assert "5-А" in error
    assert f"journal.mark #{rows['kept'].pk}" in error
    assert job.steps_done == job.steps_total == 4
    assert {(d.kind, d.class_group_id) for d in job.documents.all()} == {
        (DocumentKind.CLASS_JOURNAL, community.class_5b.pk),
        (DocumentKind.SUMMARY_SHEET, community.class_5b.pk),
    }
    assert not ArchiveDocument.objects.filter(class_group=community.class_5a).exists()
    finish = AuditEvent.objects.get(action="archive.packaging_finish")
    assert finish.after["state"] == JobState.FAILED


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_progress_counts_every_step_up_to_the_total(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(community)
    close(community.class_5a, community.class_5b)
    job = start(community, community.class_5a, community.class_5b, school=True)
    seen: list[tuple[int, str]] = []
    add = services.archive_document_add

    def watching(**kwargs: Any) -> ArchiveDocument:
        current = PackagingJob.objects.get(pk=job.pk)
        assert current.state == JobState.RUNNING
        seen.append((current.steps_done, current.current))
        return add(**kwargs)

    monkeypatch.setattr(services, "archive_document_add", watching)
    job = packaging_run(job.pk)

    assert [done for done, _label in seen] == [0, 1, 2, 3, 4]
    assert seen[0][1].startswith("5-А: ")
    assert seen[2][1].startswith("5-Б: ")
    assert (job.state, job.steps_done, job.steps_total, job.current) == (JobState.DONE, 5, 5, "")
    assert job.documents.count() == 5


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_a_job_runs_once(community: Community) -> None:
    fill(community)
    job = start(community, community.class_5a)
    packaging_run(job.pk)
    again = packaging_run(job.pk)
    assert again.state == JobState.DONE
    assert ArchiveDocument.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_run_as_tasks_each_class_is_its_own_step(community: Community) -> None:
    fill(community)
    job = start(community, community.class_5a, community.class_5b, school=True)
    job = packaging_run(job.pk, fan_out=True)
    assert job.state == JobState.RUNNING
    queued = DBTaskResult.objects.filter(task_path__endswith="packaging_step_task")
    assert sorted(row.args_kwargs["kwargs"]["class_group_id"] or 0 for row in queued) == sorted(
        [0, community.class_5a.pk, community.class_5b.pk]
    )
    for row in queued.order_by("pk"):
        packaging_step_task.call(**row.args_kwargs["kwargs"])
    job.refresh_from_db()
    assert (job.state, job.steps_done, job.documents.count()) == (JobState.DONE, 5, 5)


@pytest.mark.django_db
def test_the_school_register_of_missed_and_substituted_lessons(community: Community) -> None:
    fill(community)
    (lesson,) = lessons(community.ukrainian_5a, dt.date(2026, 11, 17))
    lesson_substitute(
        actor=community.deputy, lesson=lesson, substitute=community.teacher, reason="Лікарняний"
    )
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=CLOSED_AT)
    job = packaging_run(start(community, school=True).pk)

    assert job.state == JobState.DONE, job.errors
    (document,) = job.documents.all()
    assert document.kind == DocumentKind.SUBSTITUTION_REGISTER
    assert document.class_group is None
    assert document.nomenclature_index == "01-12"
    files = files_of(document)
    assert set(files) == {"register.pdf", "register.json", "register.csv"}
    data = json.loads(files["register.json"])
    assert data["document"] == "substitution_register"
    (row,) = data["lessons"]
    assert row == {
        "lesson_id": lesson.pk,
        "date": "2026-11-17",
        "period": 1,
        "class": "5-А",
        "subject": "Українська мова",
        "teacher": community.other_teacher.full_name,
        "substitute": community.teacher.full_name,
        "not_held": False,
        "reason": "Лікарняний",
    }
    assert "Лікарняний" in files["register.csv"].decode("utf-8-sig")
    assert files["register.pdf"].startswith(b"%PDF")


def grow(community: Community) -> None:
    """Ten more students in 5-А and five more lessons with marks and absences."""
    pupils = Student.objects.bulk_create(
        Student(
            municipality=community.municipality,
            surname=f"Учень{index}",
            given_name="Іван",
            birth_date=dt.date(2015, 1, 1 + index),
            sex=Sex.MALE,
        )
        for index in range(10)
    )
    Enrollment.objects.bulk_create(
        Enrollment(student=pupil, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1))
        for pupil in pupils
    )
    extra = lessons(community.math_5a, *(dt.date(2026, 10, day) for day in range(5, 10)))
    for lesson in extra:
        for pupil in pupils[:5]:
            mark_set(
                actor=community.teacher, assignment=community.math_5a, student=pupil,
                value="11", lesson=lesson, reason="Виставлено пізніше",
            )  # fmt: skip
        attendance_set(
            actor=community.teacher, lesson=lesson, student=pupils[6],
            status=AttendanceStatus.ABSENT, reason="Пізніше",
        )  # fmt: skip


def queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_the_builders_cost_the_same_queries_for_a_larger_class(
    community: Community, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    fill(community)
    scope = Scope(year=community.year, class_group=fresh(community.class_5a))
    school = Scope(year=AcademicYear.objects.select_related("school").get(pk=community.year.pk))
    calls: dict[str, Callable[[], Any]] = {
        DocumentKind.CLASS_JOURNAL: lambda: builder_for(DocumentKind.CLASS_JOURNAL).files(scope),
        DocumentKind.SUMMARY_SHEET: lambda: builder_for(DocumentKind.SUMMARY_SHEET).files(scope),
        DocumentKind.SUBSTITUTION_REGISTER: lambda: builder_for(
            DocumentKind.SUBSTITUTION_REGISTER
        ).files(school),
    }
    before = {kind: queries(call) for kind, call in calls.items()}
    with django_assert_max_num_queries(12):
        audit_events_json(scope.class_group)  # type: ignore[arg-type]
    with django_assert_max_num_queries(8):
        calls[DocumentKind.SUMMARY_SHEET]()
    with django_assert_max_num_queries(3):
        calls[DocumentKind.SUBSTITUTION_REGISTER]()

    grow(community)
    scope = Scope(year=community.year, class_group=fresh(community.class_5a))
    after = {kind: queries(call) for kind, call in calls.items()}
    assert after == before


def test_every_document_kind_has_one_builder_and_an_index() -> None:
    assert set(REGISTRY) == set(DocumentKind)
    for kind, builder in REGISTRY.items():
        assert isinstance(builder, DocumentBuilder)
        assert builder.kind == kind
        assert builder.nomenclature_index()
    assert [b.kind for b in builders(per_class=True)] == [
        DocumentKind.CLASS_JOURNAL,
        DocumentKind.SUMMARY_SHEET,
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("html_for_pdf")
def test_a_document_that_fails_to_build_is_named_and_the_others_stay(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(community)

    def broken(class_group: ClassGroup) -> dict[str, bytes]:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("zhurnal.archive.packaging.builders.summary_sheet_files", broken)
    job = packaging_run(start(community, community.class_5a).pk)
    assert job.state == JobState.FAILED
    (error,) = job.errors
    assert "5-А" in error and "no fonts" in error
    assert [d.kind for d in job.documents.all()] == [DocumentKind.CLASS_JOURNAL]
    assert job.steps_done == job.steps_total


@pytest.mark.django_db
def test_packaging_step_refuses_a_class_of_another_year(community: Community) -> None:
    job = start(community, community.class_5a)
    with pytest.raises(ClassGroup.DoesNotExist):
        packaging_step(job.pk, class_group_id=community.other_school_class.pk)
