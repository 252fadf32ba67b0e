"""The journal grid of a teaching assignment for a term, its keyboard cell endpoint and
the column form that does the same without JavaScript. Both writes read the request
(`cells.py`) and call `journal_cell_set`, which decides everything."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhurnal.accounts.models import User
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.journal.grid.cells import column_from, grid_term, request_date, student_of
from zhurnal.journal.grid.selectors import (
    LATE_TEXT,
    GridCell,
    GridColumn,
    GridMark,
    GridRow,
    default_term,
    journal_grid,
    student_term_hints,
    terms_for,
)
from zhurnal.journal.models import MarkKind
from zhurnal.journal.scales import ABSENT
from zhurnal.journal.services import (
    REASON_REQUIRED,
    REQUEST_REQUIRED,
    JournalColumn,
    correction_pending_message,
    ensure_journal_writable,
    journal_cell_set,
)
from zhurnal.people.models import Student
from zhurnal.plans.selectors import theme_names
from zhurnal.schools.models import Term
from zhurnal.timetable.access import assignment_for_user
from zhurnal.timetable.models import TeachingAssignment

PENDING_MARK = "◷"
_STAND_IN = 987654321  # a lesson id no school reaches, replaced in the reversed URL


@dataclass(frozen=True)
class CellOutcome:
    """The answer to one cell entry, as the JSON endpoint sends it: `need_reason` and
    `need_request` ask the typist for what would let the refused change pass."""

    ok: bool
    value: str = ""
    message: str = ""
    pending: bool = False
    need_reason: bool = False
    need_request: bool = False
    # The row's running average and proposed term mark after the save, when the request
    # named the grid's term; None when it did not.
    average: str | None = None
    proposal: str | None = None
    hint: str | None = None


def _cell_save(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    column: JournalColumn,
    value: str,
    reason: str,
    requested_on: str = "",
    requested_by: str = "",
) -> CellOutcome:
    """One cell through `journal_cell_set`. A refusal is an outcome with the service's
    message; one the user may not make at all is 404, as for a stranger."""
    try:
        written = journal_cell_set(
            actor=actor,
            assignment=assignment,
            student=student,
            column=column,
            text=value,
            reason=reason,
            requested_on=request_date(requested_on),
            requested_by=requested_by.strip(),
        )
    except PermissionDenied:
        raise Http404(_("Not found")) from None
    except ValidationError as error:
        codes = {refusal.code for refusal in getattr(error, "error_list", [])}
        return CellOutcome(
            ok=False,
            value=" ".join(value.split()),
            message=" ".join(error.messages),
            need_reason=REASON_REQUIRED in codes,
            need_request=REQUEST_REQUIRED in codes,
        )
    if written.pending:
        return CellOutcome(
            ok=True, value=written.value, pending=True, message=correction_pending_message()
        )
    return CellOutcome(ok=True, value=written.value)


def _chosen_term(request: AuthedRequest, assignment: TeachingAssignment, terms: list[Term]) -> Term:
    """The term asked for (`?term=<id>`, one of the class's terms, else 404), by default the
    term containing today, else the year's latest."""
    raw = request.GET.get("term", "")
    if raw:
        term = next((t for t in terms if str(t.pk) == raw), None)
    else:
        term = default_term(terms, local_today(assignment.year.school.municipality.time_zone))
    if term is None:
        raise Http404(_("Not found"))
    return term


def _grid_url(assignment: TeachingAssignment, term: Term) -> str:
    return f"{reverse('journal:grid', args=[assignment.pk])}?{urlencode({'term': term.pk})}"


def _cells_html(cells: list[GridCell], words: dict[str, str]) -> SafeString:
    """The <td>s of one grid row. Built here rather than in the template: a term of a big
    class has thousands of cells, and the template engine needs ~0.1 ms for each."""
    esc = html.escape
    out_cell = f'<td class="out" title="{esc(words["out_title"])}">'
    waiting = esc(words["pending_title"])
    pending_mark = (
        f' <span class="pmark" title="{waiting}"><span aria-hidden="true">{PENDING_MARK}</span>'
        f'<span class="visually-hidden">{waiting}</span></span>'
    )
    absent_plain = f'<span class="v">{esc(words["absent"])}</span>'
    absent_excused = (
        f'<span class="v exc" title="{esc(words["excused_title"])}">{esc(words["absent"])}</span>'
    )
    late_text = esc(words["late"])
    blank_editable = '<td data-v=""><span class="v"></span></td>'
    blank_readonly = '<td><span class="v"></span></td>'
    parts: list[str] = []
    add = parts.append
    for cell in cells:
        if cell.blank:  # most of the grid: one string each, without escaping anything
            add(blank_editable if cell.editable else blank_readonly)
            continue
        if not cell.enrolled:
            add(out_cell)
        elif cell.editable:
            extra = ' class="pend"' if cell.pending else ""
            if cell.requested_by:
                on = cell.requested_on.isoformat() if cell.requested_on else ""
                extra += f' data-ro="{on}" data-rb="{esc(cell.requested_by)}"'
            add(f'<td data-v="{esc(cell.value)}"{extra}>')
        else:
            add('<td class="pend">' if cell.pending else "<td>")
        marks = cell.marks
        if cell.absent:
            add(absent_excused if cell.excused else absent_plain)
        elif len(marks) > 1:
            add('<span class="v">')
            add(" ".join(_mark_html(mark) for mark in marks))
            add("</span>")
        else:
            add(f'<span class="v">{esc(cell.value)}</span>')
            if marks:
                add(_mark_html(marks[0], with_value=False))
        if cell.late:
            minutes = cell.late_minutes if cell.late_minutes is not None else "?"
            title = words["late_title"] % {"minutes": minutes}
            add(f' <abbr class="late" title="{esc(title)}">{late_text}</abbr>')
        if cell.hint:
            note = (
                f' <span class="hint-note">{esc(cell.hint_note)}</span>' if cell.hint_note else ""
            )
            hint_title = esc(cell.hint_title)
            add(f' <small class="hint" title="{hint_title}">{esc(cell.hint)}{note}</small>')
        if cell.pending:
            add(pending_mark)
        add("</td>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _header_html(
    columns: list[GridColumn],
    *,
    term: Term,
    column_url: str,
    editable: bool,
    focus_lesson_id: int | None = None,
) -> SafeString:
    """The column headers, each at most one tab stop: a lesson's date links to the lesson
    page (where the whole lesson is entered, with or without JavaScript), with its topic as
    the title; for the teacher an undated column's name links to its no-JS column form. A
    thematic column shows its theme's name when known. The column the page opens at is
    `#grid-focus`."""
    esc = html.escape
    edit = esc(_("Edit this column"))
    # One reverse for a hundred lessons: the lesson page's URL with a stand-in id.
    lesson_url = reverse("journal:lesson", args=[_STAND_IN])
    parts: list[str] = []
    for column in columns:
        label = esc(column.header)
        title = esc(column.title)
        if column.lesson_id is not None:
            focus = ' id="grid-focus"' if column.lesson_id == focus_lesson_id else ""
            parts.append(
                f'<th scope="col" class="d"{focus} data-lesson="{column.lesson_id}" '
                f'data-label="{label}" title="{title}">'
                f'<a href="{lesson_url.replace(str(_STAND_IN), str(column.lesson_id))}">'
                f"{label}</a></th>"
            )
            continue
        theme = ""
        text = label
        if column.theme_number:
            theme = f' data-theme="{column.theme_number}"'
            if column.theme_name:
                text += f'<span class="theme-name">{esc(column.theme_name)}</span>'
        if editable:
            href = esc(f"{column_url}?{urlencode({'term': term.pk, 'column': column.key})}")
            text = f'<a class="col-edit" href="{href}" aria-label="{edit}: {title}">{text}</a>'
        parts.append(
            f'<th scope="col" class="u u-{column.kind}" data-kind="{column.kind}"{theme} '
            f'data-label="{label}" title="{title}">{text}</th>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _mark_html(mark: GridMark, *, with_value: bool = True) -> str:
    text = html.escape(mark.value) if with_value else ""
    if mark.kind_mark:
        text += f'<sup title="{html.escape(mark.kind_label)}">{html.escape(mark.kind_mark)}</sup>'
    if mark.comment:
        text += f'<span class="cm" title="{html.escape(mark.comment)}">*</span>'
    return text


def _cell_words() -> dict[str, str]:
    return {
        "absent": ABSENT,
        "late": LATE_TEXT,
        "pending_mark": PENDING_MARK,
        "out_title": _("Not in the class or group on this date"),
        "excused_title": _("excused absence"),
        "pending_title": _("waiting for approval"),
        "late_title": _("late, %(minutes)s min"),
    }


@login_required
def grid(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """The journal page: students down, the term's lessons across, then the undated columns.
    Editing controls only for the assignment's teacher while the year is open."""
    assignment = assignment_for_user(request.user, assignment_id)
    terms = terms_for(assignment)
    if not terms:
        return render(request, "journal/grid_no_terms.html", {"assignment": assignment})
    term = _chosen_term(request, assignment, terms)
    can_write = assignment.teacher_id == request.user.pk
    journal = journal_grid(
        assignment,
        term,
        terms=terms,
        can_write=can_write,
        theme_names=theme_names(assignment, term),
    )
    editable = can_write and not journal.closed
    words = _cell_words()
    rows = [(row, _cells_html(row.cells, words)) for row in journal.rows]
    strings = {
        "reason": _("Reason for the change"),
        "requestedOn": _("Date of the request"),
        "requestedBy": _("Who asked"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "pending": _("waiting for approval"),
        "failed": _("Could not save: check the connection, then press Enter again."),
        "subject": str(assignment.subject),
        "pendingMark": PENDING_MARK,
        "average": _("average of the lesson marks"),
        "proposal": _("proposed term mark"),
        "noMarks": _("no numeric lesson marks yet"),
    }
    return render(
        request,
        "journal/grid.html",
        {
            "grid": journal,
            "assignment": assignment,
            "editable": editable,
            "can_write": can_write,
            "strings": strings,
            "headers": _header_html(
                journal.columns,
                term=term,
                column_url=reverse("journal:grid_column", args=[assignment.pk]),
                editable=editable,
                focus_lesson_id=journal.focus_lesson_id,
            ),
            "rows": rows,
            **words,
        },
    )


@login_required
@require_POST
def grid_cell(request: AuthedRequest, assignment_id: int) -> JsonResponse:
    """Save one cell typed in the grid. Form-encoded POST: `student`, then `lesson=<id>` or
    `kind` (thematic, term, corrected, annual, state_exam) with `term` and, for thematic,
    `theme`; `value`; optional `reason`, `requested_on`, `requested_by`. Answers JSON
    {ok, value, message, pending, need_reason, need_request} with status 200; a student
    outside the class, an unknown column or a user who may not write here get 404."""
    assignment = assignment_for_user(request.user, assignment_id, write=True)
    student = student_of(assignment, request.POST.get("student"))
    outcome = _cell_save(
        actor=request.user,
        assignment=assignment,
        student=student,
        column=column_from(assignment, request.POST),
        value=request.POST.get("value", ""),
        reason=request.POST.get("reason", ""),
        requested_on=request.POST.get("requested_on", ""),
        requested_by=request.POST.get("requested_by", ""),
    )
    term = grid_term(assignment, request.POST.get("term", ""))
    if outcome.ok and term is not None:
        hints = student_term_hints(assignment, term, student.pk)
        outcome = replace(outcome, average=hints.average, proposal=hints.proposal, hint=hints.hint)
    # A refused value is an answer, not an error of the request: 200, so that every typo
    # does not land in the warning log.
    return JsonResponse({key: value for key, value in asdict(outcome).items() if value is not None})


def _column_of(columns: list[GridColumn], key: str) -> int:
    for index, column in enumerate(columns):
        if column.key == key:
            return index
    raise Http404(_("Not found"))


@login_required
def grid_column(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """One column of the grid as a plain form: every student's value at once, without
    JavaScript. Valid entries are saved, refused ones are shown with their message."""
    assignment = assignment_for_user(request.user, assignment_id, write=True)
    terms = terms_for(assignment)
    term = _chosen_term(request, assignment, terms)
    journal = journal_grid(assignment, term, terms=terms, can_write=True)
    index = _column_of(journal.columns, request.GET.get("column", ""))
    column = journal.columns[index]
    back = _grid_url(assignment, term)
    try:
        ensure_journal_writable(actor=request.user, assignment=assignment)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(back)
    errors: dict[int, str] = {}
    typed: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        if column.lesson_id is not None:
            named = {"lesson": str(column.lesson_id)}
        else:
            named = {"kind": column.kind, "term": str(term.pk), "theme": str(column.theme_number)}
        target = column_from(assignment, named, terms=terms)
        reason = request.POST.get("reason", "")
        saved = pending = 0
        for row in journal.rows:
            cell = row.cells[index]
            sid = row.student.pk
            if not cell.editable:
                continue
            entry = {
                "value": request.POST.get(f"value-{sid}", cell.value),
                "requested_on": request.POST.get(f"requested_on-{sid}", ""),
                "requested_by": request.POST.get(f"requested_by-{sid}", ""),
            }
            typed[sid] = entry
            unchanged = " ".join(entry["value"].split()) == cell.value
            if unchanged and not _request_changed(cell, entry):
                continue
            outcome = _cell_save(
                actor=request.user,
                assignment=assignment,
                student=row.student,
                column=target,
                value=entry["value"],
                reason=reason,
                requested_on=entry["requested_on"],
                requested_by=entry["requested_by"],
            )
            if outcome.ok:
                saved += 1
                pending += outcome.pending
            else:
                errors[sid] = outcome.message
        if pending:
            messages.warning(
                request,
                ngettext(
                    "The term is locked: %(count)s change waits for the deputy director's "
                    "approval.",
                    "The term is locked: %(count)s changes wait for the deputy director's "
                    "approval.",
                    pending,
                )
                % {"count": pending},
            )
        if not errors:
            if saved:
                messages.success(request, _("The column is saved."))
            return redirect(back)
        if saved:
            messages.success(
                request, _("Saved: %(count)s. Correct the entries marked below.") % {"count": saved}
            )
        journal = journal_grid(assignment, term, terms=terms, can_write=True)
        index = _column_of(journal.columns, column.key)
    return render(
        request,
        "journal/grid_column.html",
        {
            "assignment": assignment,
            "grid": journal,
            "column": column,
            "rows": _column_rows(journal.rows, index, typed, errors),
            "back": back,
            "is_corrected": column.kind == MarkKind.CORRECTED,
            **_cell_words(),
        },
    )


def _request_changed(cell: GridCell, entry: dict[str, str]) -> bool:
    on, by = entry["requested_on"].strip(), entry["requested_by"].strip()
    if not on and not by:
        return False
    current_on = cell.requested_on.isoformat() if cell.requested_on else ""
    return on != current_on or by != cell.requested_by


def _column_rows(
    rows: list[GridRow], index: int, typed: dict[int, dict[str, str]], errors: dict[int, str]
) -> list[dict[str, object]]:
    result: list[dict[str, object]] = []
    for row in rows:
        cell = row.cells[index]
        sid = row.student.pk
        entry = typed.get(sid, {}) if sid in errors else {}
        result.append(
            {
                "row": row,
                "cell": cell,
                "value": entry.get("value", cell.value),
                "requested_on": entry.get(
                    "requested_on", cell.requested_on.isoformat() if cell.requested_on else ""
                ),
                "requested_by": entry.get("requested_by", cell.requested_by),
                "error": errors.get(sid, ""),
            }
        )
    return result
