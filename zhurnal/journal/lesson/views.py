"""The lesson page: topic, homework and its files, attendance and marks of one lesson.

Its teacher and the lesson's substitute get the forms; the class teacher and the school's
director, deputies and administrator read the same page; everyone else gets 404. Every
section is a plain form posting to its own address, which calls the service and comes
back to the page: with a success message, or with the typed values and the refusal next
to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhurnal.accounts.models import User
from zhurnal.core.formats import date_ua
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.journal.access import can_write_lesson, lesson_for_user
from zhurnal.journal.lesson.forms import (
    PRESENT,
    AttendanceForm,
    HomeworkFileForm,
    LessonRecordForm,
    MarkDeleteForm,
    MarkForm,
    RemarkDeleteForm,
    RemarkForm,
    homework_limit_mb,
)
from zhurnal.journal.lesson.selectors import LessonPage, StudentRow, lesson_page
from zhurnal.journal.models import Attendance, HomeworkFile, Mark, MarkKind, StudentRemark
from zhurnal.journal.scales import Scale, scale_for
from zhurnal.journal.services import (
    WriteResult,
    attendance_set,
    attendance_take,
    homework_file_add,
    homework_file_delete,
    lesson_record,
    lesson_students,
    mark_delete,
    mark_set,
    remark_add,
    remark_delete,
)
from zhurnal.people.models import Student
from zhurnal.schools.services import ensure_year_open
from zhurnal.timetable.models import Lesson

# --- page -------------------------------------------------------------------------------


@dataclass
class MarkEntry:
    mark: Mark
    edit_form: MarkForm
    delete_form: MarkDeleteForm
    open: bool = False


@dataclass
class RemarkEntry:
    remark: StudentRemark
    delete_form: RemarkDeleteForm
    open: bool = False


@dataclass
class Row:
    """One student's line on the page: the register entry and the marks with their forms."""

    data: StudentRow
    status: forms.BoundField | None
    late: forms.BoundField | None
    add_form: MarkForm | None
    marks: list[MarkEntry] = field(default_factory=list)
    shown_marks: list[Mark] = field(default_factory=list)
    add_open: bool = False
    remark_form: RemarkForm | None = None
    remarks: list[RemarkEntry] = field(default_factory=list)


@dataclass
class Bound:
    """The one form that came back with errors, to show again where it was typed."""

    record: LessonRecordForm | None = None
    file: HomeworkFileForm | None = None
    attendance: AttendanceForm | None = None
    mark_add: tuple[int, MarkForm] | None = None
    mark_edit: tuple[int, MarkForm] | None = None
    mark_delete: tuple[int, MarkDeleteForm] | None = None
    remark_add: tuple[int, RemarkForm] | None = None
    remark_delete: tuple[int, RemarkDeleteForm] | None = None


def _mark_auto_id(student_id: int) -> str:
    return f"mark_{student_id}_%s"


def _edit_auto_id(mark_id: int) -> str:
    return f"edit_{mark_id}_%s"


def _delete_auto_id(mark_id: int) -> str:
    return f"delete_{mark_id}_%s"


def _remark_auto_id(student_id: int) -> str:
    return f"remark_{student_id}_%s"


def _remark_delete_auto_id(remark_id: int) -> str:
    return f"remark_delete_{remark_id}_%s"


ATTENDANCE_AUTO_ID = "att_%s"


def _attendance_initial(page: LessonPage) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for row in page.rows:
        entry = row.attendance
        initial[f"status_{row.student.pk}"] = entry.status if entry else PRESENT
        initial[f"late_{row.student.pk}"] = entry.late_minutes if entry else None
    return initial


def _render(request: AuthedRequest, lesson: Lesson, bound: Bound | None = None) -> HttpResponse:
    bound = bound or Bound()
    page = lesson_page(lesson=lesson)
    writer = can_write_lesson(request.user, lesson)
    writable = writer and not page.year_closed and not lesson.is_cancelled
    scale = page.scale
    reason_needed = page.day_is_over

    record_form = bound.record or LessonRecordForm(
        initial={
            "topic": lesson.topic,
            "homework": lesson.homework,
            "place": lesson.place,
            "place_changed_at": lesson.place_changed_at,
        }
    )
    attendance_form = bound.attendance or AttendanceForm(
        students=page.students, initial=_attendance_initial(page), auto_id=ATTENDANCE_AUTO_ID
    )
    rows: list[Row] = []
    for data in page.rows:
        pk = data.student.pk
        add_form: MarkForm | None = None
        add_open = False
        if writable:
            if bound.mark_add and bound.mark_add[0] == pk:
                add_form, add_open = bound.mark_add[1], True
            else:
                add_form = MarkForm(
                    scale=scale,
                    students=page.students,
                    initial={"student": pk, "kind": MarkKind.CURRENT},
                    auto_id=_mark_auto_id(pk),
                )
        entries = []
        for mark in data.marks if writable else []:
            edit_form = MarkForm(
                scale=scale,
                with_reason=reason_needed,
                initial={"value": mark.value, "kind": mark.kind, "comment": mark.comment},
                auto_id=_edit_auto_id(mark.pk),
            )
            delete_form = MarkDeleteForm(
                with_reason=reason_needed, auto_id=_delete_auto_id(mark.pk)
            )
            is_open = False
            if bound.mark_edit and bound.mark_edit[0] == mark.pk:
                edit_form, is_open = bound.mark_edit[1], True
            if bound.mark_delete and bound.mark_delete[0] == mark.pk:
                delete_form, is_open = bound.mark_delete[1], True
            entries.append(MarkEntry(mark, edit_form, delete_form, is_open))
        remark_form: RemarkForm | None = None
        remark_entries = []
        if writable:
            if bound.remark_add and bound.remark_add[0] == pk:
                remark_form = bound.remark_add[1]
            else:
                remark_form = RemarkForm(auto_id=_remark_auto_id(pk))
            for remark in data.remarks:
                if bound.remark_delete and bound.remark_delete[0] == remark.pk:
                    remark_entries.append(RemarkEntry(remark, bound.remark_delete[1], True))
                else:
                    form = RemarkDeleteForm(
                        with_reason=reason_needed, auto_id=_remark_delete_auto_id(remark.pk)
                    )
                    remark_entries.append(RemarkEntry(remark, form))
        rows.append(
            Row(
                data=data,
                status=attendance_form[f"status_{pk}"],
                late=attendance_form[f"late_{pk}"],
                add_form=add_form,
                marks=entries,
                shown_marks=data.marks,
                add_open=add_open,
                remark_form=remark_form,
                remarks=remark_entries,
            )
        )
    assignment = lesson.assignment
    return render(
        request,
        "journal/lesson.html",
        {
            "lesson": lesson,
            "assignment": assignment,
            "page": page,
            "rows": rows,
            "writer": writer,
            "writable": writable,
            "reason_needed": reason_needed,
            "record_form": record_form,
            "file_form": bound.file or HomeworkFileForm(),
            "attendance_form": attendance_form,
            "limit_mb": homework_limit_mb(),
            "scale_hint": scale.describe() if scale.has_marks else "",
        },
    )


@login_required
@require_GET
def lesson(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    """One lesson: forms for its teacher and substitute, the same page read-only for the
    class teacher and the school's administration."""
    return _render(request, lesson_for_user(request.user, lesson_id))


# --- helpers of the writes ----------------------------------------------------------------


def _back(lesson: Lesson, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('journal:lesson', args=[lesson.pk])}#{anchor}")


def _writable(request: AuthedRequest, lesson_id: int) -> tuple[Lesson, HttpResponse | None]:
    """The lesson for a write, or the page to go back to with the refusal: a closed year
    (the service's own message) or a lesson that was not held."""
    lesson = lesson_for_user(request.user, lesson_id, write=True)
    try:
        ensure_year_open(lesson.assignment.year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return lesson, _back(lesson, "top")
    if lesson.is_cancelled:
        # the services refuse it too, with this message; checked first so that no form
        # error hides it
        messages.error(
            request, _("This lesson was marked as not held: nothing can be recorded in it.")
        )
        return lesson, _back(lesson, "top")
    return lesson, None


def _day_is_over(lesson: Lesson) -> bool:
    return local_today(lesson.assignment.year.school.municipality.time_zone) > lesson.date


def _pending_message(request: AuthedRequest) -> None:
    messages.warning(
        request,
        _(
            "The term is locked: the change is waiting for the deputy director's approval "
            "and is not applied yet."
        ),
    )


def _student_name(lesson: Lesson, student_name: str) -> str:
    return _("%(student)s, lesson of %(date)s") % {
        "student": student_name,
        "date": date_ua(lesson.date),
    }


# --- topic and homework ------------------------------------------------------------------


@login_required
@require_POST
def lesson_record_save(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    form = LessonRecordForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lesson_record(
                actor=request.user,
                lesson=lesson,
                topic=data["topic"],
                homework=data["homework"],
                place=data["place"],
                place_changed_at=data["place_changed_at"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The topic and homework are saved."))
            return _back(lesson, "record")
    return _render(request, lesson, Bound(record=form))


# --- homework files ----------------------------------------------------------------------


@login_required
@require_POST
def lesson_file_add(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    form = HomeworkFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = homework_file_add(
                actor=request.user, lesson=lesson, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request, _("The file «%(name)s» is attached.") % {"name": attachment.original_name}
            )
            return _back(lesson, "files")
    return _render(request, lesson, Bound(file=form))


@login_required
@require_POST
def lesson_file_delete(request: AuthedRequest, lesson_id: int, file_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    attachment = get_object_or_404(HomeworkFile, pk=file_id, lesson=lesson)
    attachment.lesson = lesson
    try:
        homework_file_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The file «%(name)s» is removed.") % {"name": attachment.original_name}
        )
    return _back(lesson, "files")


@login_required
@require_GET
def lesson_file(request: AuthedRequest, lesson_id: int, file_id: int) -> FileResponse:
    """Download a homework file: whoever may read the lesson."""
    lesson = lesson_for_user(request.user, lesson_id)
    attachment = get_object_or_404(HomeworkFile, pk=file_id, lesson=lesson)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Not found")) from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


# --- attendance --------------------------------------------------------------------------


def _save_register(
    actor: User, lesson: Lesson, students: list[Student], form: AttendanceForm
) -> list[WriteResult] | None:
    """Write the entries of the register that differ, each through attendance_set (minutes
    of a late arrival included), and mark it taken. All or nothing: None when a row was
    refused, with the refusals on the form."""
    wanted = form.wanted()
    reason = form.cleaned_data["reason"] or ""
    current = {entry.student_id: entry for entry in Attendance.objects.filter(lesson=lesson)}
    results: list[WriteResult] = []
    with transaction.atomic():
        for student in students:
            status, minutes = wanted[student.pk]
            entry = current.get(student.pk)
            if entry is None and status is None:
                continue
            if entry is not None and (entry.status, entry.late_minutes) == (status, minutes):
                continue
            try:
                results.append(
                    attendance_set(
                        actor=actor,
                        lesson=lesson,
                        student=student,
                        status=status,
                        late_minutes=minutes,
                        reason=reason,
                    )
                )
            except ValidationError as exc:
                form.add_error(f"status_{student.pk}", exc)
        if not form.errors and lesson.attendance_taken_at is None:
            # nothing changed (everyone present, or a change waits for approval): the
            # register is taken as it stands
            standing = Attendance.objects.filter(lesson=lesson).values_list("student_id", "status")
            try:
                attendance_take(actor=actor, lesson=lesson, statuses=dict(standing), reason=reason)
            except ValidationError as exc:
                form.add_error(None, exc)
        if form.errors:
            transaction.set_rollback(True)
            return None
    return results


@login_required
@require_POST
def lesson_attendance(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    students = lesson_students(lesson)
    form = AttendanceForm(request.POST, students=students, auto_id=ATTENDANCE_AUTO_ID)
    if form.is_valid():
        results = _save_register(request.user, lesson, students, form)
        if results is not None:
            if any(result.pending for result in results):
                _pending_message(request)
            else:
                messages.success(request, _("The register is saved."))
            return _back(lesson, "attendance")
        # rolled back: forget what the services set on this object
        lesson.refresh_from_db(fields=["attendance_taken_at", "updated_at"])
    return _render(request, lesson, Bound(attendance=form))


@login_required
@require_POST
def lesson_all_present(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    """«All present»: an explicit empty register (earlier absences are removed)."""
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    try:
        results = attendance_take(
            actor=request.user,
            lesson=lesson,
            statuses={},
            reason=request.POST.get("reason", "")[:500],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if any(result.pending for result in results):
            _pending_message(request)
        else:
            messages.success(request, _("Recorded: everyone is present."))
    return _back(lesson, "attendance")


# --- marks -------------------------------------------------------------------------------


def _lesson_scale(lesson: Lesson) -> Scale:
    assignment = lesson.assignment
    return scale_for(
        school=assignment.year.school,
        grade=assignment.class_group.grade,
        subject_id=assignment.subject_id,
    )


def _mark_saved(request: AuthedRequest, result: WriteResult, text: str) -> None:
    if result.pending:
        _pending_message(request)
    else:
        messages.success(request, text)


@login_required
@require_POST
def lesson_mark_add(request: AuthedRequest, lesson_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    students = lesson_students(lesson)
    form = MarkForm(request.POST, scale=_lesson_scale(lesson), students=students)
    raw_student = request.POST.get("student", "")
    student_id = int(raw_student) if raw_student.isdigit() else 0
    by_pk = {student.pk: student for student in students}
    if student_id not in by_pk:
        raise Http404(_("Not found"))
    form.auto_id = _mark_auto_id(student_id)
    if form.is_valid():
        data = form.cleaned_data
        student = by_pk[student_id]
        try:
            result = mark_set(
                actor=request.user,
                assignment=lesson.assignment,
                student=student,
                value=data.get("value", ""),
                comment=data["comment"],
                kind=data["kind"],
                lesson=lesson,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _mark_saved(
                request,
                result,
                _("The mark is saved: %(who)s.")
                % {"who": _student_name(lesson, student.full_name)},
            )
            return _back(lesson, f"student-{student.pk}")
    return _render(request, lesson, Bound(mark_add=(student_id, form)))


def _lesson_mark(lesson: Lesson, mark_id: int) -> Mark:
    mark = get_object_or_404(Mark.objects.select_related("student"), pk=mark_id, lesson=lesson)
    mark.lesson = lesson
    mark.assignment = lesson.assignment
    return mark


@login_required
@require_POST
def lesson_mark_edit(request: AuthedRequest, lesson_id: int, mark_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    mark = _lesson_mark(lesson, mark_id)
    form = MarkForm(
        request.POST,
        scale=_lesson_scale(lesson),
        with_reason=_day_is_over(lesson),
        auto_id=_edit_auto_id(mark.pk),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = mark_set(
                actor=request.user,
                assignment=lesson.assignment,
                student=mark.student,
                value=data.get("value", ""),
                comment=data["comment"],
                kind=data["kind"],
                lesson=lesson,
                mark=mark,
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _mark_saved(
                request,
                result,
                _("The mark is changed: %(who)s.")
                % {"who": _student_name(lesson, mark.student.full_name)},
            )
            return _back(lesson, f"student-{mark.student_id}")
    return _render(request, lesson, Bound(mark_edit=(mark.pk, form)))


@login_required
@require_POST
def lesson_mark_delete(request: AuthedRequest, lesson_id: int, mark_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    mark = _lesson_mark(lesson, mark_id)
    form = MarkDeleteForm(
        request.POST, with_reason=_day_is_over(lesson), auto_id=_delete_auto_id(mark.pk)
    )
    if form.is_valid():
        try:
            result = mark_delete(
                actor=request.user, mark=mark, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _mark_saved(
                request,
                result,
                _("The mark is removed: %(who)s.")
                % {"who": _student_name(lesson, mark.student.full_name)},
            )
            return _back(lesson, f"student-{mark.student_id}")
    return _render(request, lesson, Bound(mark_delete=(mark.pk, form)))


# --- remarks about a student ------------------------------------------------------------


@login_required
@require_POST
def lesson_remark_add(request: AuthedRequest, lesson_id: int, student_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    student = next((s for s in lesson_students(lesson) if s.pk == student_id), None)
    if student is None:
        raise Http404(_("Not found"))
    form = RemarkForm(request.POST, auto_id=_remark_auto_id(student.pk))
    if form.is_valid():
        try:
            remark_add(
                actor=request.user,
                lesson=lesson,
                student=student,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The remark is saved: %(who)s.")
                % {"who": _student_name(lesson, student.full_name)},
            )
            return _back(lesson, f"student-{student.pk}")
    return _render(request, lesson, Bound(remark_add=(student.pk, form)))


@login_required
@require_POST
def lesson_remark_delete(request: AuthedRequest, lesson_id: int, remark_id: int) -> HttpResponse:
    lesson, refused = _writable(request, lesson_id)
    if refused:
        return refused
    remark = get_object_or_404(
        StudentRemark.objects.select_related("student"), pk=remark_id, lesson=lesson
    )
    remark.lesson = lesson
    form = RemarkDeleteForm(
        request.POST,
        with_reason=_day_is_over(lesson),
        auto_id=_remark_delete_auto_id(remark.pk),
    )
    if form.is_valid():
        try:
            remark_delete(
                actor=request.user, remark=remark, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The remark is removed: %(who)s.")
                % {"who": _student_name(lesson, remark.student.full_name)},
            )
            return _back(lesson, f"student-{remark.student_id}")
    return _render(request, lesson, Bound(remark_delete=(remark.pk, form)))
