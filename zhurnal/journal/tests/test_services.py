"""The rules of the journal, proven on the services every page and endpoint calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.journal import services
from zhurnal.journal.models import (
    Attendance,
    Correction,
    CorrectionStatus,
    GradingScale,
    Mark,
    ScaleRule,
)
from zhurnal.journal.proposals import annual_mark_proposal, term_mark_proposal
from zhurnal.people.models import Enrollment
from zhurnal.schools.models import ClassGroup, Subject
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today


def lesson_on(community: Community, day: dt.date, number: int = 1, assignment=None) -> Lesson:  # type: ignore[no-untyped-def]
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )


def put(community: Community, lesson: Lesson, value: str, **kwargs):  # type: ignore[no-untyped-def]
    return services.mark_set(
        actor=kwargs.pop("actor", community.teacher),
        assignment=lesson.assignment,
        student=kwargs.pop("student", community.student),
        lesson=lesson,
        value=value,
        **kwargs,
    )


def test_twelve_point_scale_accepts_1_to_12_and_refuses_13(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    result = put(community, lesson, "12")
    assert result.mark is not None and result.mark.numeric_value == 12
    with pytest.raises(ValidationError, match="13"):
        put(community, lesson, "13", student=community.other_student)
    with pytest.raises(ValidationError):
        put(community, lesson, "8.5", student=community.other_student)
    assert Mark.objects.filter(student=community.other_student).count() == 0


def test_grades_1_and_2_take_comments_only(community: Community) -> None:
    first = ClassGroup.objects.create(year=community.year, grade=1, letter="А")
    Enrollment.objects.create(
        student=community.student_5b, class_group=first, starts_on=dt.date(2026, 9, 1)
    )
    reading = Subject.objects.create(school=community.school, name="Читання")
    assignment = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=reading,
        class_group=first,
        hours_per_week=2,
    )
    lesson = lesson_on(community, local_today(), assignment=assignment)
    with pytest.raises(ValidationError):
        put(community, lesson, "10", student=community.student_5b)
    result = put(community, lesson, "", student=community.student_5b, comment="Читає виразно")
    assert result.mark is not None and result.mark.value == ""


def test_nus_levels_accept_letters_and_latin_lookalikes(community: Community) -> None:
    ScaleRule.objects.create(
        school=community.school,
        grade_from=5,
        grade_to=5,
        subject=community.math,
        scale=GradingScale.objects.get(code="nus-levels"),
    )
    lesson = lesson_on(community, local_today())
    assert put(community, lesson, "д").mark.value == "Д"  # type: ignore[union-attr]
    assert put(community, lesson, "B", student=community.other_student).mark.value == "В"  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        put(community, lesson, "12", student=community.other_student, comment="x", kind="oral")


def test_subject_rule_wins_over_the_grade_rule(community: Community) -> None:
    ScaleRule.objects.create(
        school=community.school,
        grade_from=5,
        grade_to=11,
        scale=GradingScale.objects.get(code="ua-12"),
    )
    ScaleRule.objects.create(
        school=community.school,
        grade_from=5,
        grade_to=11,
        subject=community.math,
        scale=GradingScale.objects.get(code="pass-fail"),
    )
    lesson = lesson_on(community, local_today())
    assert put(community, lesson, "зарах").mark.value == "зарах."  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        put(community, lesson, "9", student=community.other_student)


def test_not_assessed_is_for_term_columns_not_lessons(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    with pytest.raises(ValidationError):
        put(community, lesson, "н/а")
    result = services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        kind="term",
        term=community.term1,
        value="н/а",
    )
    assert result.mark is not None and result.mark.numeric_value is None


def test_absence_and_a_mark_never_share_a_cell(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    services.attendance_set(
        actor=community.teacher, lesson=lesson, student=community.student, status="absent"
    )
    with pytest.raises(ValidationError, match="«н»"):
        put(community, lesson, "9")
    put(community, lesson, "9", student=community.other_student)
    with pytest.raises(ValidationError, match="«н»"):
        services.attendance_set(
            actor=community.teacher,
            lesson=lesson,
            student=community.other_student,
            status="absent",
        )
    assert Mark.objects.count() == 1


def test_teacher_cannot_write_into_another_teachers_assignment(community: Community) -> None:
    lesson = lesson_on(community, local_today(), assignment=community.ukrainian_5a)
    with pytest.raises(PermissionDenied):
        put(community, lesson, "9")
    with pytest.raises(PermissionDenied):
        services.lesson_record(actor=community.teacher, lesson=lesson, topic="x", homework="")
    assert not Mark.objects.exists()


def test_substitute_writes_only_the_lesson_they_substitute(community: Community) -> None:
    substituted = lesson_on(community, local_today(), 1, assignment=community.ukrainian_5a)
    substituted.substitute = community.teacher
    substituted.save()
    other = lesson_on(community, local_today(), 2, assignment=community.ukrainian_5a)
    put(community, substituted, "10")
    with pytest.raises(PermissionDenied):
        put(community, other, "10")
    assert Mark.objects.filter(lesson=substituted).count() == 1


def test_change_after_the_lesson_day_needs_a_reason_and_keeps_the_old_value(
    community: Community,
) -> None:
    lesson = lesson_on(community, PAST)
    mark = put(community, lesson, "7").mark
    assert mark is not None and mark.entered_late  # entered after the lesson day
    with pytest.raises(ValidationError):
        put(community, lesson, "9", mark=mark)
    assert Mark.objects.get(pk=mark.pk).value == "7"
    put(community, lesson, "9", mark=mark, reason="помилка при введенні")
    assert Mark.objects.get(pk=mark.pk).value == "9"
    correction = Correction.objects.get(mark=mark)
    assert correction.before["value"] == "7" and correction.after["value"] == "9"
    assert correction.reason == "помилка при введенні"
    assert AuditEvent.objects.filter(action="mark.update", reason="помилка при введенні").exists()


def test_deleting_after_the_lesson_day_needs_a_reason(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = put(community, lesson, "7").mark
    assert mark is not None
    with pytest.raises(ValidationError):
        services.mark_delete(actor=community.teacher, mark=mark)
    services.mark_delete(actor=community.teacher, mark=mark, reason="не той учень")
    assert not Mark.objects.exists()
    assert Correction.objects.get().before == {"value": "7", "comment": "", "kind": "current"}


def test_same_day_change_needs_no_reason_but_is_still_registered(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    mark = put(community, lesson, "7").mark
    put(community, lesson, "8", mark=mark)
    assert Correction.objects.filter(mark=mark, reason="").count() == 1


def test_closed_year_refuses_every_write(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    community.year.closed_at = timezone.now()
    community.year.save()
    lesson.refresh_from_db()
    with pytest.raises(ValidationError, match=r"closed|закрито"):
        put(community, lesson, "9", reason="x")
    with pytest.raises(ValidationError):
        services.attendance_take(actor=community.teacher, lesson=lesson, statuses={})
    with pytest.raises(ValidationError):
        services.lesson_record(actor=community.teacher, lesson=lesson, topic="x", homework="y")
    assert not Mark.objects.exists() and Lesson.objects.get(pk=lesson.pk).topic == ""


def test_student_of_another_class_or_after_leaving_is_refused(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    with pytest.raises(ValidationError):
        put(community, lesson, "9", student=community.student_5b)
    Enrollment.objects.filter(student=community.other_student).update(ends_on=dt.date(2026, 11, 1))
    with pytest.raises(ValidationError):
        put(community, lesson, "9", student=community.other_student)


def test_locked_term_sends_changes_for_approval(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = put(community, lesson, "6").mark
    services.term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)
    result = put(community, lesson, "10", mark=mark, reason="перевірена робота")
    assert result.pending
    assert Mark.objects.get(pk=mark.pk).value == "6"  # type: ignore[union-attr]
    new = put(community, lesson, "11", student=community.other_student, reason="пізно")
    assert new.pending and not Mark.objects.filter(student=community.other_student).exists()
    services.correction_decide(actor=community.deputy, correction=result.correction, approve=True)  # type: ignore[arg-type]
    assert Mark.objects.get(pk=mark.pk).value == "10"  # type: ignore[union-attr]
    services.correction_decide(actor=community.deputy, correction=new.correction, approve=False)  # type: ignore[arg-type]
    assert not Mark.objects.filter(student=community.other_student).exists()
    statuses = set(Correction.objects.values_list("status", flat=True))
    assert statuses == {CorrectionStatus.APPLIED, CorrectionStatus.REJECTED}


def test_only_controllers_lock_terms_and_approve(community: Community) -> None:
    with pytest.raises(PermissionDenied):
        services.term_lock(
            actor=community.teacher, term=community.term1, class_group=community.class_5a
        )
    with pytest.raises(PermissionDenied):
        services.term_lock(
            actor=community.other_school_admin,
            term=community.term1,
            class_group=community.class_5a,
        )


def test_subject_lock_does_not_lock_other_subjects(community: Community) -> None:
    services.term_lock(
        actor=community.director,
        term=community.term1,
        class_group=community.class_5a,
        subject=community.ukrainian,
    )
    lesson = lesson_on(community, PAST)
    assert not put(community, lesson, "9").pending


def test_all_present_is_an_explicit_entry(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    assert lesson.attendance_taken_at is None
    services.attendance_take(actor=community.teacher, lesson=lesson, statuses={})
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(action="lesson.attendance_taken").exists()


def test_attendance_take_records_absent_and_late(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    services.attendance_take(
        actor=community.teacher,
        lesson=lesson,
        statuses={community.student.pk: "absent", community.other_student.pk: "late"},
    )
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        community.student.pk: "absent",
        community.other_student.pk: "late",
    }
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=community.teacher, lesson=lesson, statuses={community.student_5b.pk: "absent"}
        )


def test_one_term_mark_per_student_and_corrected_mark_beside_it(community: Community) -> None:
    def term_mark(value: str, **extra):  # type: ignore[no-untyped-def]
        return services.mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=community.student,
            term=community.term1,
            value=value,
            **extra,
        )

    first = term_mark("7", kind="term").mark
    second = term_mark("8", kind="term").mark
    assert first is not None and second is not None and first.pk == second.pk
    with pytest.raises(ValidationError):
        term_mark("9", kind="corrected")
    corrected = term_mark(
        "9", kind="corrected", requested_on=dt.date(2026, 12, 20), requested_by="Гнатюк П. (батько)"
    ).mark
    assert Mark.objects.filter(kind="term").get().value == "8"  # the original stays
    annual = annual_mark_proposal(term_marks=[second, corrected])  # type: ignore[list-item]
    assert annual.value == "9" and annual.used == [corrected]


def test_term_mark_proposal_methods(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    marks = [put(community, lesson, "6", kind="test").mark, put(community, lesson, "9").mark]
    for number, value in ((1, "8"), (2, "9")):
        marks.append(
            services.mark_set(
                actor=community.teacher,
                assignment=community.math_5a,
                student=community.student,
                kind="thematic",
                term=community.term1,
                theme_number=number,
                value=value,
            ).mark
        )
    thematic = term_mark_proposal(marks=marks, method="thematic_mean")  # type: ignore[arg-type]
    assert thematic.value == "9" and str(thematic.mean) == "8.50"
    weighted = term_mark_proposal(marks=marks, method="weighted_mean")  # type: ignore[arg-type]
    # (6×2 + 9×1 + 8×3 + 9×3) / 9 = 8.00
    assert weighted.value == "8"


def test_a_proposal_without_a_value_says_which_marks_the_method_lacks(
    community: Community,
) -> None:
    lesson = lesson_on(community, PAST)
    marks = [put(community, lesson, "9").mark, put(community, lesson, "10", kind="test").mark]
    with translation.override("en"):  # the texts are read in the source language
        thematic = term_mark_proposal(marks=marks, method="thematic_mean")  # type: ignore[arg-type]
        weighted = term_mark_proposal(marks=marks, method="weighted_mean")  # type: ignore[arg-type]
        no_marks = term_mark_proposal(marks=[], method="weighted_mean")
        no_terms = annual_mark_proposal(term_marks=[])
    assert thematic.value == "" and thematic.used == []
    assert "thematic marks only" in thematic.missing and "no thematic mark" in thematic.missing
    assert weighted.value == "10" and weighted.missing == ""
    assert "weighted mean" in no_marks.missing
    assert "no numeric term mark" in no_terms.missing
    with translation.override("uk"):
        assert "лише тематичні" in term_mark_proposal(marks=marks, method="thematic_mean").missing  # type: ignore[arg-type]


def test_lesson_record_keeps_when_topic_was_written(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    services.lesson_record(
        actor=community.teacher,
        lesson=lesson,
        topic="Дроби",
        homework="§ 5",
        place="shelter",
        place_changed_at=dt.time(10, 40),
    )
    lesson.refresh_from_db()
    assert lesson.topic_recorded_at is not None and lesson.place == "shelter"
    assert lesson.place_changed_at == dt.time(10, 40)


def test_homework_file_type_and_size_are_checked(community: Community, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.ZHURNAL_HOMEWORK_MAX_BYTES = 100
    lesson = lesson_on(community, local_today())
    with pytest.raises(ValidationError, match=r"\.exe"):
        services.homework_file_add(
            actor=community.teacher,
            lesson=lesson,
            upload=SimpleUploadedFile("virus.exe", b"MZ"),
        )
    with pytest.raises(ValidationError):
        services.homework_file_add(
            actor=community.teacher,
            lesson=lesson,
            upload=SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 200),
        )
    attachment = services.homework_file_add(
        actor=community.teacher, lesson=lesson, upload=SimpleUploadedFile("task.pdf", b"%PDF-1.4")
    )
    assert attachment.size == 8 and lesson.homework_files.count() == 1


def test_a_lesson_not_held_takes_no_entries(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    lesson.is_cancelled = True
    lesson.cancel_reason = "повітряна тривога"
    lesson.save()
    with pytest.raises(ValidationError):
        put(community, lesson, "9")
    with pytest.raises(ValidationError):
        services.attendance_take(actor=community.teacher, lesson=lesson, statuses={})
    assert not Mark.objects.exists()


def test_two_waiting_term_marks_are_approved_one_after_the_other(community: Community) -> None:
    services.term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)

    def request(value: str):  # type: ignore[no-untyped-def]
        return services.mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=community.student,
            kind="term",
            term=community.term1,
            value=value,
            reason="підсумок",
        )

    first, second = request("10"), request("11")
    services.correction_decide(actor=community.deputy, correction=first.correction, approve=True)  # type: ignore[arg-type]
    services.correction_decide(
        actor=community.deputy,
        correction=second.correction,
        approve=True,
        note="погоджено",  # type: ignore[arg-type]
    )
    assert Mark.objects.get(kind="term").value == "11"
    assert Correction.objects.get(pk=second.correction.pk).decision_note == "погоджено"  # type: ignore[union-attr]


def test_new_attendance_entry_in_a_locked_term_waits_too(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    services.term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)
    result = services.attendance_set(
        actor=community.teacher,
        lesson=lesson,
        student=community.student,
        status="absent",
        reason="пізно внесено",
    )
    assert result.pending and not Attendance.objects.exists()


def test_approval_never_puts_a_mark_beside_an_absence(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    services.term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)
    mark_request = put(community, lesson, "10", reason="пізно")
    absence_request = services.attendance_set(
        actor=community.teacher,
        lesson=lesson,
        student=community.student,
        status="absent",
        reason="пізно",
    )
    services.correction_decide(
        actor=community.deputy, correction=absence_request.correction, approve=True
    )  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        services.correction_decide(
            actor=community.deputy, correction=mark_request.correction, approve=True
        )  # type: ignore[arg-type]
    assert not Mark.objects.exists()
    assert Correction.objects.get(pk=mark_request.correction.pk).status == CorrectionStatus.PENDING  # type: ignore[union-attr]


def test_term_lock_must_cover_the_class_grade(community: Community) -> None:
    community.term1.grade_from, community.term1.grade_to = 10, 11
    community.term1.save()
    with pytest.raises(ValidationError):
        services.term_lock(
            actor=community.deputy, term=community.term1, class_group=community.class_5a
        )


# --- one cell of the journal (the grid's writes) ---------------------------------------------


def cell(community: Community, column: services.JournalColumn, text: str, **kwargs):  # type: ignore[no-untyped-def]
    return services.journal_cell_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=kwargs.pop("student", community.student),
        column=column,
        text=text,
        **kwargs,
    )


def codes(refusal: pytest.ExceptionInfo[ValidationError]) -> set[str | None]:
    error = refusal.value
    if hasattr(error, "error_dict"):
        return {item.code for errors in error.error_dict.values() for item in errors}
    return {item.code for item in error.error_list}


def test_refusals_a_reason_would_lift_say_so_by_their_code(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = put(community, lesson, "7").mark
    assert mark is not None
    with pytest.raises(ValidationError) as changed:
        put(community, lesson, "9", mark=mark)
    with pytest.raises(ValidationError) as deleted:
        services.mark_delete(actor=community.teacher, mark=mark)
    services.attendance_set(
        actor=community.teacher, lesson=lesson, student=community.other_student, status="late"
    )
    with pytest.raises(ValidationError) as attendance:
        services.attendance_set(
            actor=community.teacher, lesson=lesson, student=community.other_student, status=None
        )
    term = services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        term=community.term1,
        kind="term",
        value="8",
    ).mark
    assert term is not None
    with pytest.raises(ValidationError) as undated:
        services.mark_delete(actor=community.teacher, mark=term)
    for refusal in (changed, deleted, attendance, undated):
        assert codes(refusal) == {services.REASON_REQUIRED}
    assert str(changed.value.messages[0]) == services.change_reason_rule(lesson)
    assert Mark.objects.get(pk=mark.pk).value == "7"


def test_a_cell_cleared_after_the_lesson_day_needs_a_reason_and_keeps_the_comment(
    community: Community,
) -> None:
    lesson = lesson_on(community, PAST)
    mark = put(community, lesson, "7", comment="Усна відповідь").mark
    assert mark is not None
    column = services.JournalColumn(lesson=lesson)
    with pytest.raises(ValidationError) as refusal:
        cell(community, column, "")
    assert codes(refusal) == {services.REASON_REQUIRED}
    assert Mark.objects.get(pk=mark.pk).value == "7"

    assert cell(community, column, "", reason="не той учень") == services.CellWrite("")
    kept = Mark.objects.get(pk=mark.pk)
    assert (kept.value, kept.comment) == ("", "Усна відповідь")


def test_a_cell_takes_absence_on_either_keyboard_and_refuses_a_mark_beside_it(
    community: Community,
) -> None:
    lesson = lesson_on(community, local_today())
    column = services.JournalColumn(lesson=lesson)
    assert cell(community, column, " N ") == services.CellWrite("н")
    assert cell(community, column, "н") == services.CellWrite("н")  # no change
    with pytest.raises(ValidationError, match="«н»"):
        cell(community, column, "9")
    assert cell(community, column, "") == services.CellWrite("")  # the lesson day: no reason
    assert cell(community, column, "9") == services.CellWrite("9")
    assert not Attendance.objects.exists()


def test_a_corrected_mark_asks_for_its_request_once_and_keeps_it(community: Community) -> None:
    column = services.JournalColumn(kind="corrected", term=community.term1)
    with pytest.raises(ValidationError) as refusal:
        cell(community, column, "8")
    assert codes(refusal) == {services.REQUEST_REQUIRED}
    with pytest.raises(ValidationError) as off_scale:
        cell(community, column, "13")  # a wrong value is told before the request is asked
    assert "«13»" in str(off_scale.value)
    assert services.REQUEST_REQUIRED not in codes(off_scale)
    asked = {"requested_on": dt.date(2026, 12, 20), "requested_by": "мама"}
    assert cell(community, column, "8", **asked) == services.CellWrite("8")
    assert cell(community, column, "9") == services.CellWrite("9")
    mark = Mark.objects.get(kind="corrected")
    assert (mark.value, mark.requested_on, mark.requested_by) == ("9", *asked.values())
