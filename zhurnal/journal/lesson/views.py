"""The lesson page: topic, homework and its files, attendance and marks of one lesson.

Its teacher and the lesson's substitute get the forms; the class teacher and the school's
director, deputies and administrator read the same page; everyone else gets 404. Every
section is a plain form posting to its own address, which calls the service and comes
back to the page: with a success message, or with the typed values and the refusal next
to them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhurnal.accounts.models import User
from zhurnal.core.formats import date_ua
from zhurnal.core.http import AuthedRequest
from zhurnal.journal.access import homework_file_for_user, mark_for_user, student_remark_for_user
from zhurnal.journal.lesson.forms import (
    PRESENT,
    AttendanceForm,
    HomeworkFileForm,
    LessonRecordForm,
    LessonSheetForm,
    MarkDeleteForm,
    MarkForm,
    RemarkDeleteForm,
    RemarkForm,
    homework_limit_mb,
)
from zhurnal.journal.lesson.selectors import LessonPage, StudentRow, lesson_page
from zhurnal.journal.lesson.services import SheetRow
from zhurnal.journal.lesson.services import lesson_sheet_save as lesson_sheet_save_service
from zhurnal.journal.models import Attendance, Mark, MarkKind, RemarkKind, StudentRemark
from zhurnal.journal.services import (
    WriteResult,
    attendance_set,
    attendance_take,
    change_needs_reason,
    correction_pending_message,
    ensure_journal_writable,
    homework_file_add,
    homework_file_delete,
    journal_scale,
    lesson_record,
    lesson_students,
    mark_delete,
    mark_set,
    remark_add,
    remark_delete,
)
from zhurnal.people.models import Student
from zhurnal.plans.selectors import planned_topic
from zhurnal.timetable.access import can_write_lesson, lesson_for_user
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
    sheet: dict[str, forms.BoundField | None] = field(default_factory=dict)


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
    sheet: LessonSheetForm | None = None
    saved: str = ""

    @property
    def old_form(self) -> bool:
        """A form of the separate writes came back: the page of separate forms shows it."""
        return any(
            (
                self.record,
                self.attendance,
                self.mark_add,
                self.mark_edit,
                self.mark_delete,
                self.remark_add,
                self.remark_delete,
            )
        )


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


SHEET_AUTO_ID = "%s"


def _sheet_initial(lesson: Lesson, page: LessonPage) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "topic": lesson.topic,
        "homework": lesson.homework,
        "place": lesson.place,
        "place_changed_at": lesson.place_changed_at,
    }
    initial.update(_attendance_initial(page))
    return initial


def _prefill_topic(sheet: LessonSheetForm, lesson: Lesson) -> None:
    """A lesson without a topic gets its calendar plan's topic typed in, marked as coming
    from the plan: saving the sheet confirms it, the teacher may edit it first."""
    planned = planned_topic(lesson)
    if planned is None:
        return
    sheet.initial["topic"] = planned.title
    sheet.fields["topic"].help_text = _(
        "From the calendar plan (lesson %(number)s of the term, theme %(theme)s): "
        "saving confirms it; edit it if the lesson went otherwise."
    ) % {"number": planned.lesson_number, "theme": planned.theme_number}
    sheet.fields["topic"].widget.attrs["class"] = "from-plan"


def _in_form(form: forms.Form, form_id: str) -> forms.Form:
    """Tie the fields of a small form to its <form id> elsewhere on the page: the sheet is
    one form and forms do not nest."""
    for form_field in form.fields.values():
        form_field.widget.attrs["form"] = form_id
    return form


def _render(request: AuthedRequest, lesson: Lesson, bound: Bound | None = None) -> HttpResponse:
    bound = bound or Bound()
    page = lesson_page(lesson=lesson)
    writer = can_write_lesson(request.user, lesson)
    writable = writer and not page.year_closed and not lesson.is_cancelled
    scale = page.scale
    reason_for = _reason_for(lesson)
    sheet: LessonSheetForm | None = None
    if writable and not bound.old_form:
        sheet = bound.sheet or LessonSheetForm(
            lesson=lesson,
            students=page.students,
            scale=scale,
            initial=_sheet_initial(lesson, page),
            auto_id=SHEET_AUTO_ID,
        )
        if bound.sheet is None and not lesson.topic:
            _prefill_topic(sheet, lesson)

    record_form = bound.record or LessonRecordForm(
        initial={
            "topic": lesson.topic,
            "homework": lesson.homework,
            "place": lesson.place,
            "place_changed_at": lesson.place_changed_at,
        }
    )
    # The sheet draws its own fields: the old page's register and per-student forms are
    # built only for that page (30 of each were a fifth of the sheet's time).
    attendance_form = (
        None
        if sheet is not None
        else bound.attendance
        or AttendanceForm(
            lesson=lesson,
            students=page.students,
            initial=_attendance_initial(page),
            auto_id=ATTENDANCE_AUTO_ID,
        )
    )
    rows: list[Row] = []
    for data in page.rows:
        pk = data.student.pk
        add_form: MarkForm | None = None
        add_open = False
        if writable and sheet is None:
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
                reason_for=reason_for,
                initial={"value": mark.value, "kind": mark.kind, "comment": mark.comment},
                auto_id=_edit_auto_id(mark.pk),
            )
            delete_form = MarkDeleteForm(reason_for=reason_for, auto_id=_delete_auto_id(mark.pk))
            if sheet is not None:
                _in_form(edit_form, f"mark-edit-{mark.pk}")
                _in_form(delete_form, f"mark-delete-{mark.pk}")
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
            elif sheet is None:
                remark_form = RemarkForm(auto_id=_remark_auto_id(pk))
            for remark in data.remarks:
                if bound.remark_delete and bound.remark_delete[0] == remark.pk:
                    remark_entries.append(RemarkEntry(remark, bound.remark_delete[1], True))
                else:
                    form = RemarkDeleteForm(
                        reason_for=reason_for, auto_id=_remark_delete_auto_id(remark.pk)
                    )
                    if sheet is not None:
                        _in_form(form, f"remark-delete-{remark.pk}")
                    remark_entries.append(RemarkEntry(remark, form))
        rows.append(
            Row(
                data=data,
                status=attendance_form[f"status_{pk}"] if attendance_form else None,
                late=attendance_form[f"late_{pk}"] if attendance_form else None,
                add_form=add_form,
                marks=entries,
                shown_marks=data.marks,
                add_open=add_open,
                remark_form=remark_form,
                remarks=remark_entries,
                sheet=sheet.row(data.student) if sheet is not None else {},
            )
        )
    assignment = lesson.assignment
    if sheet is not None:
        template = "journal/lesson_sheet.html"
        if _in_place(request):
            template = "journal/lesson_sheet_form.html"
    else:
        template = "journal/lesson.html"
    return render(
        request,
        template,
        {
            "sheet": sheet,
            "saved": bound.saved,
            "lesson": lesson,
            "assignment": assignment,
            "page": page,
            "rows": rows,
            "writer": writer,
            "writable": writable,
            "reason_needed": reason_for is not None,
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


def _lesson_write(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A write of the lesson page: a POST by a logged-in writer of the lesson (else 404).
    A closed year or a lesson not held refuses the whole form at once — back to the page
    with the services' message, before any form error could hide it; otherwise the view
    gets the lesson."""

    @functools.wraps(view)
    def write(request: AuthedRequest, lesson_id: int, **ids: int) -> HttpResponse:
        lesson = lesson_for_user(request.user, lesson_id, write=True)
        try:
            ensure_journal_writable(actor=request.user, assignment=lesson.assignment, lesson=lesson)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back(lesson, "top")
        return view(request, lesson, **ids)

    return login_required(require_POST(write))


def _reason_for(lesson: Lesson) -> Lesson | None:
    """The lesson, when a change in it needs a reason now: its forms then ask for one."""
    return lesson if change_needs_reason(lesson) else None


def _pending_message(request: AuthedRequest) -> None:
    messages.warning(request, correction_pending_message())


def _student_name(lesson: Lesson, student: Student) -> str:
    return _("%(student)s, lesson of %(date)s") % {
        "student": student.full_name,
        "date": date_ua(lesson.date),
    }


def _refuse(form: forms.Form, exc: ValidationError, field: str | None = None) -> None:
    """Show a service's refusal on the form: next to the input it names when the form has
    it, otherwise above the form (or next to `field`)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, exc)


Written = TypeVar("Written")


def _save(
    request: AuthedRequest,
    lesson: Lesson,
    form: forms.Form,
    write: Callable[[dict[str, Any]], Written],
    *,
    done: str | Callable[[Written], str],
    bound: Bound,
    student: Student | None = None,
    anchor: str = "",
    field: str | None = None,
) -> HttpResponse:
    """One section's post: a valid form goes to the service; back to the page (at the
    student's line, or at `anchor`) with the success — `done`, naming the student as
    %(who)s — or «waiting for approval»; or the page again with the refusal on the form."""
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except ValidationError as exc:
            _refuse(form, exc, field)
        else:
            if isinstance(result, WriteResult) and result.pending:
                _pending_message(request)
            elif callable(done):
                messages.success(request, done(result))
            elif student is not None:
                messages.success(request, done % {"who": _student_name(lesson, student)})
            else:
                messages.success(request, done)
            return _back(lesson, f"student-{student.pk}" if student is not None else anchor)
    return _render(request, lesson, bound)


# --- the sheet: the whole lesson in one save ------------------------------------------------


def _in_place(request: AuthedRequest) -> bool:
    """The page's script sent the sheet and replaces it with the answer (no reload)."""
    return request.headers.get("HX-Request") == "true"


def _sheet_rows(form: LessonSheetForm) -> dict[int, SheetRow]:
    data = form.cleaned_data
    return {
        student.pk: SheetRow(
            status=data.get(f"status_{student.pk}") or None,
            late_minutes=data.get(f"late_{student.pk}"),
            value=data.get(f"value_{student.pk}") or "",
            kind=data.get(f"kind_{student.pk}") or MarkKind.CURRENT,
            comment=data.get(f"comment_{student.pk}") or "",
            remark_kind=data.get(f"remark_kind_{student.pk}") or RemarkKind.REMARK,
            remark_text=data.get(f"remark_text_{student.pk}") or "",
        )
        for student in form.students
    }


@_lesson_write
def lesson_sheet_save(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    """The one save of the lesson sheet: everything typed, all or nothing. Refusals come
    back beside their fields with everything else kept as typed; the script gets the sheet
    alone to put in place, a plain post the page."""
    students = lesson_students(lesson)
    form = LessonSheetForm(
        request.POST,
        lesson=lesson,
        students=students,
        scale=journal_scale(lesson.assignment),
        auto_id=SHEET_AUTO_ID,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = lesson_sheet_save_service(
                actor=request.user,
                lesson=lesson,
                topic=data["topic"],
                homework=data["homework"],
                place=data["place"],
                place_changed_at=data["place_changed_at"],
                rows=_sheet_rows(form),
                reason=data.get("reason") or "",
            )
        except ValidationError as exc:
            _refuse(form, exc)
            lesson.refresh_from_db()
        else:
            saved = correction_pending_message() if result.pending else _("The lesson is saved.")
            if _in_place(request):
                lesson.refresh_from_db()
                return _render(request, lesson, Bound(saved=saved))
            if result.pending:
                _pending_message(request)
            else:
                messages.success(request, saved)
            return _back(lesson, "top")
    return _render(request, lesson, Bound(sheet=form))


# --- topic and homework ------------------------------------------------------------------


@_lesson_write
def lesson_record_save(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    form = LessonRecordForm(request.POST)
    return _save(
        request,
        lesson,
        form,
        lambda data: lesson_record(
            actor=request.user,
            lesson=lesson,
            topic=data["topic"],
            homework=data["homework"],
            place=data["place"],
            place_changed_at=data["place_changed_at"],
        ),
        done=_("The topic and homework are saved."),
        anchor="record",
        bound=Bound(record=form),
    )


# --- homework files ----------------------------------------------------------------------


@_lesson_write
def lesson_file_add(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    form = HomeworkFileForm(request.POST, request.FILES)
    return _save(
        request,
        lesson,
        form,
        lambda data: homework_file_add(actor=request.user, lesson=lesson, upload=data["file"]),
        done=lambda attachment: (
            _("The file «%(name)s» is attached.") % {"name": attachment.original_name}
        ),
        anchor="files",
        bound=Bound(file=form),
        field="file",
    )


@_lesson_write
def lesson_file_delete(request: AuthedRequest, lesson: Lesson, file_id: int) -> HttpResponse:
    attachment = homework_file_for_user(request.user, file_id, write=True, within=lesson)
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
    attachment = homework_file_for_user(request.user, file_id, within=lesson)
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


@_lesson_write
def lesson_attendance(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    students = lesson_students(lesson)
    form = AttendanceForm(
        request.POST, lesson=lesson, students=students, auto_id=ATTENDANCE_AUTO_ID
    )
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


@_lesson_write
def lesson_all_present(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    """«All present»: an explicit empty register (earlier absences are removed)."""
    try:
        results = attendance_take(
            actor=request.user,
            lesson=lesson,
            statuses={},
            reason=request.POST.get("reason", ""),
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


@_lesson_write
def lesson_mark_add(request: AuthedRequest, lesson: Lesson) -> HttpResponse:
    students = lesson_students(lesson)
    raw_student = request.POST.get("student", "")
    student_id = int(raw_student) if raw_student.isdigit() else 0
    student = next((s for s in students if s.pk == student_id), None)
    if student is None:
        raise Http404(_("Not found"))
    form = MarkForm(
        request.POST,
        scale=journal_scale(lesson.assignment),
        students=students,
        auto_id=_mark_auto_id(student.pk),
    )
    return _mark_save(
        request,
        lesson,
        form,
        student=student,
        done=_("The mark is saved: %(who)s."),
        bound=Bound(mark_add=(student.pk, form)),
    )


def _mark_save(
    request: AuthedRequest,
    lesson: Lesson,
    form: MarkForm,
    *,
    student: Student,
    mark: Mark | None = None,
    done: str,
    bound: Bound,
) -> HttpResponse:
    """A new mark of the student, or a change of `mark`, through mark_set."""
    return _save(
        request,
        lesson,
        form,
        lambda data: mark_set(
            actor=request.user,
            assignment=lesson.assignment,
            student=student,
            value=data.get("value", ""),
            comment=data["comment"],
            kind=data["kind"],
            lesson=lesson,
            mark=mark,
            reason=data.get("reason", ""),
        ),
        done=done,
        student=student,
        bound=bound,
    )


@_lesson_write
def lesson_mark_edit(request: AuthedRequest, lesson: Lesson, mark_id: int) -> HttpResponse:
    mark = mark_for_user(request.user, mark_id, write=True, within=lesson)
    form = MarkForm(
        request.POST,
        scale=journal_scale(lesson.assignment),
        reason_for=_reason_for(lesson),
        auto_id=_edit_auto_id(mark.pk),
    )
    return _mark_save(
        request,
        lesson,
        form,
        student=mark.student,
        mark=mark,
        done=_("The mark is changed: %(who)s."),
        bound=Bound(mark_edit=(mark.pk, form)),
    )


@_lesson_write
def lesson_mark_delete(request: AuthedRequest, lesson: Lesson, mark_id: int) -> HttpResponse:
    mark = mark_for_user(request.user, mark_id, write=True, within=lesson)
    form = MarkDeleteForm(
        request.POST, reason_for=_reason_for(lesson), auto_id=_delete_auto_id(mark.pk)
    )
    return _save(
        request,
        lesson,
        form,
        lambda data: mark_delete(actor=request.user, mark=mark, reason=data.get("reason", "")),
        done=_("The mark is removed: %(who)s."),
        student=mark.student,
        bound=Bound(mark_delete=(mark.pk, form)),
    )


# --- remarks about a student ------------------------------------------------------------


@_lesson_write
def lesson_remark_add(request: AuthedRequest, lesson: Lesson, student_id: int) -> HttpResponse:
    student = next((s for s in lesson_students(lesson) if s.pk == student_id), None)
    if student is None:
        raise Http404(_("Not found"))
    form = RemarkForm(request.POST, auto_id=_remark_auto_id(student.pk))
    return _save(
        request,
        lesson,
        form,
        lambda data: remark_add(
            actor=request.user,
            lesson=lesson,
            student=student,
            text=data["text"],
            kind=data["kind"],
        ),
        done=_("The remark is saved: %(who)s."),
        student=student,
        bound=Bound(remark_add=(student.pk, form)),
    )


@_lesson_write
def lesson_remark_delete(request: AuthedRequest, lesson: Lesson, remark_id: int) -> HttpResponse:
    remark = student_remark_for_user(request.user, remark_id, write=True, within=lesson)
    form = RemarkDeleteForm(
        request.POST, reason_for=_reason_for(lesson), auto_id=_remark_delete_auto_id(remark.pk)
    )
    return _save(
        request,
        lesson,
        form,
        lambda data: remark_delete(
            actor=request.user, remark=remark, reason=data.get("reason", "")
        ),
        done=_("The remark is removed: %(who)s."),
        student=remark.student,
        bound=Bound(remark_delete=(remark.pk, form)),
    )
