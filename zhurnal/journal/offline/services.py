"""Entries made without a connection, sent when it returns (issue 12, item 7).

The browser keeps each entry with the time it was made and the value the page showed
before (`base`). `offline_sync` applies a batch through the journal's own services — the
lesson sheet's bulk save for the entries of each lesson, so every rule holds (the
teacher of the lesson only, the lesson has begun, the scale, closed years, locked terms)
— and answers, per entry: applied, waiting for approval, refused with the message, or a
conflict when someone else changed the same cell meanwhile. A replayed entry (same
client id) is answered from what was stored, never applied twice. A new mark's and a new
absence's `created_at` is the time the entry was made, not the time it arrived.

`offline_resolve` settles a conflict as the teacher chose; both choices are filed in the
register of corrections."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhurnal.accounts.models import User
from zhurnal.audit.services import AuditEntry, audit_record, audit_record_many
from zhurnal.core.timeutil import school_tz
from zhurnal.journal import services as journal
from zhurnal.journal.lesson.services import SheetRow, lesson_sheet_save
from zhurnal.journal.models import (
    Attendance,
    Correction,
    CorrectionStatus,
    Mark,
    OfflineEntry,
    OfflineOutcome,
)
from zhurnal.schools.versions import read_versions_bump
from zhurnal.timetable.access import LESSON_RELATED, lessons_for_user
from zhurnal.timetable.models import Lesson

# An entry older than this is refused: a browser that kept it so long has probably lost
# track of the lesson, and the teacher enters it again knowingly.
MAX_AGE = dt.timedelta(days=14)
# The browser's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=2)
MARK = "mark"
ATTENDANCE = "attendance"
TARGETS = (MARK, ATTENDANCE)
MINE = "mine"
THEIRS = "theirs"


@dataclass(frozen=True)
class OfflineInput:
    """One entry as the browser sent it."""

    client_id: uuid.UUID
    lesson_id: int
    student_id: int
    target: str  # MARK or ATTENDANCE
    made_at: dt.datetime
    base: str = ""
    value: str = ""
    kind: str = "current"
    comment: str = ""
    status: str | None = None  # None: present
    late_minutes: int | None = None

    @property
    def shown(self) -> str:
        """The entry as the cell shows it."""
        if self.target == ATTENDANCE:
            return self.status or ""
        return self.value.strip() or self.comment.strip()

    def payload(self) -> dict[str, Any]:
        if self.target == ATTENDANCE:
            return {"status": self.status, "late_minutes": self.late_minutes}
        return {"value": self.value, "kind": self.kind, "comment": self.comment}


@dataclass
class OfflineAnswer:
    """What became of one entry, as the browser is told."""

    id: str
    outcome: str
    message: str = ""
    theirs: dict[str, Any] | None = None
    mine: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "message": self.message,
            "theirs": self.theirs,
            "mine": self.mine,
        }


@dataclass
class _Cell:
    """What a lesson cell of one student holds now, and who wrote it last."""

    marks: list[Mark] = field(default_factory=list)
    attendance: Attendance | None = None

    def shown(self, target: str) -> str:
        if target == ATTENDANCE:
            return self.attendance.status if self.attendance else ""
        return " ".join(mark.value or mark.comment for mark in self.marks)

    def theirs(self, target: str, tz: str) -> dict[str, Any]:
        if target == ATTENDANCE:
            entry = self.attendance
            author, when = (entry.recorded_by, entry.updated_at) if entry else (None, None)
        else:
            last = self.marks[-1] if self.marks else None
            author, when = (last.created_by, last.updated_at) if last else (None, None)
        return {
            "value": self.shown(target),
            "by": author.full_name if author else "",
            "by_id": author.pk if author else None,
            "at": when.astimezone(school_tz(tz)).isoformat() if when else None,
        }


def _same(base: str, now: str) -> bool:
    return " ".join(base.split()) == " ".join(now.split())


def _made_at_problem(made_at: dt.datetime, now: dt.datetime) -> str:
    if timezone.is_naive(made_at):
        return _("The entry has no time zone: it cannot be placed in time.")
    if made_at > now + CLOCK_SKEW:
        return _("The entry is dated in the future (%(when)s): check the device’s clock.") % {
            "when": f"{made_at:%d.%m.%Y %H:%M}"
        }
    if made_at < now - MAX_AGE:
        return ngettext(
            "The entry was made more than %(days)s day ago: enter it again if it still holds.",
            "The entry was made more than %(days)s days ago: enter it again if it still holds.",
            MAX_AGE.days,
        ) % {"days": MAX_AGE.days}
    return ""


def _time_of(made_at: dt.datetime, tz: str) -> str:
    return f"{made_at.astimezone(school_tz(tz)):%d.%m.%Y %H:%M}"


def offline_sync(
    *, actor: User, entries: list[OfflineInput], now: dt.datetime | None = None
) -> list[OfflineAnswer]:
    """Apply the entries a teacher made offline, in the order they were made, and answer
    for each (see the module's docstring). A fixed number of queries for the batch plus a
    fixed number per lesson, however many entries. Entries of a lesson the actor does not
    write in, of a lesson not begun, off the scale or in a closed year are refused with the
    journal's own message; nothing of the other entries is lost."""
    arrived = now or timezone.now()
    answers: dict[str, OfflineAnswer] = {}
    entries = sorted(entries, key=lambda e: e.made_at)
    ids = [e.client_id for e in entries]
    for stored in OfflineEntry.objects.filter(author=actor, client_id__in=ids):
        answers[str(stored.client_id)] = _answer_of(stored)
    fresh: list[OfflineInput] = []
    seen: set[uuid.UUID] = set()
    for entry in entries:
        if str(entry.client_id) in answers or entry.client_id in seen:
            continue
        seen.add(entry.client_id)
        fresh.append(entry)
    if not fresh:
        return [answers[str(i)] for i in dict.fromkeys(ids)]

    lessons = {
        lesson.pk: lesson
        for lesson in lessons_for_user(actor, write=True)
        .filter(pk__in={e.lesson_id for e in fresh})
        .select_related(*LESSON_RELATED)
        .distinct()
    }
    cells: dict[tuple[int, int], _Cell] = defaultdict(_Cell)
    for mark in (
        Mark.objects.filter(lesson_id__in=lessons, student_id__in={e.student_id for e in fresh})
        .select_related("created_by")
        .order_by("created_at", "pk")
    ):
        assert mark.lesson_id is not None
        cells[mark.lesson_id, mark.student_id].marks.append(mark)
    for attendance in Attendance.objects.filter(
        lesson_id__in=lessons, student_id__in={e.student_id for e in fresh}
    ).select_related("recorded_by"):
        cells[attendance.lesson_id, attendance.student_id].attendance = attendance

    outcome: dict[uuid.UUID, tuple[str, str, dict[str, Any] | None]] = {}
    closed: dict[int, str] = {}
    for held in lessons.values():
        try:  # a closed year, a lesson not held: before any conflict is looked for
            journal.ensure_journal_writable(actor=actor, assignment=held.assignment, lesson=held)
        except (ValidationError, PermissionDenied) as exc:
            closed[held.pk] = _message(exc)
    by_lesson: dict[int, list[OfflineInput]] = defaultdict(list)
    for entry in fresh:
        lesson = lessons.get(entry.lesson_id)
        problem = _made_at_problem(entry.made_at, arrived)
        if entry.target not in TARGETS:
            problem = _("Unknown kind of entry.")
        if lesson is None:
            problem = _("This lesson is not one you write in, or it no longer exists.")
        elif lesson.pk in closed:
            problem = closed[lesson.pk]
        if problem:
            outcome[entry.client_id] = (OfflineOutcome.REFUSED, problem, None)
            continue
        assert lesson is not None
        cell = cells[lesson.pk, entry.student_id]
        now_shown = cell.shown(entry.target)
        if not _same(entry.base, now_shown):
            theirs = cell.theirs(entry.target, journal._tz(lesson.assignment))
            # The teacher's own later change (another save, another device) is no conflict.
            if theirs["by_id"] not in (None, actor.pk) or not now_shown:
                outcome[entry.client_id] = (
                    OfflineOutcome.CONFLICT,
                    _("Someone else changed this entry after you made yours: choose which stays."),
                    theirs,
                )
                continue
        by_lesson[lesson.pk].append(entry)

    applied_marks: list[Mark] = []
    new_absences: dict[tuple[int, int], OfflineInput] = {}
    for lesson_id, lesson_entries in by_lesson.items():
        lesson = lessons[lesson_id]
        for batch in _rounds(lesson_entries):
            applied_marks += _apply_batch(actor, lesson, batch, cells, outcome, new_absences)

    # The original times: what was made offline is dated when it was made.
    made = {e.client_id: e for e in fresh}
    with transaction.atomic():
        if applied_marks:
            Mark.objects.bulk_update(applied_marks, ["created_at", "entered_late"])
        if new_absences:
            created = list(
                Attendance.objects.filter(
                    lesson_id__in={k[0] for k in new_absences},
                    student_id__in={k[1] for k in new_absences},
                )
            )
            dated = []
            for attendance in created:
                source = new_absences.get((attendance.lesson_id, attendance.student_id))
                if source is not None:
                    attendance.created_at = source.made_at
                    dated.append(attendance)
            Attendance.objects.bulk_update(dated, ["created_at"])
        if applied_marks or new_absences:
            # The diary shows when an entry was made ("new since your last visit"): one
            # statement for every class of the batch.
            read_versions_bump(
                class_group_ids={lessons[pk].assignment.class_group_id for pk in by_lesson}
            )

    # A refusal is answered, not stored: nothing of it was written (a closed year stays
    # as it was); sent again, it is looked at again.
    for entry in fresh:
        state, message, _theirs = outcome[entry.client_id]
        if state == OfflineOutcome.REFUSED:
            mine = entry.payload()
            mine["made_at"] = entry.made_at.isoformat()
            answers[str(entry.client_id)] = OfflineAnswer(
                id=str(entry.client_id), outcome=state, message=message, mine=mine
            )
    fresh = [e for e in fresh if outcome[e.client_id][0] != OfflineOutcome.REFUSED]
    rows = [
        OfflineEntry(
            author=actor,
            client_id=entry.client_id,
            lesson=lessons.get(entry.lesson_id),
            student_id=entry.student_id if entry.lesson_id in lessons else None,
            target=entry.target,
            entry=entry.payload(),
            base=entry.base[:100],
            made_at=entry.made_at if timezone.is_aware(entry.made_at) else arrived,
            outcome=outcome[entry.client_id][0],
            message=outcome[entry.client_id][1],
            theirs=outcome[entry.client_id][2],
        )
        for entry in fresh
    ]
    schools = {lesson.assignment.year.school_id for lesson in lessons.values()}
    with transaction.atomic():
        OfflineEntry.objects.bulk_create(rows)
        audit_record_many(
            actor=actor,
            school_id=schools.pop() if len(schools) == 1 else None,
            entries=[
                AuditEntry(
                    "offline.entry",
                    row,
                    after={
                        "made_at": made[row.client_id].made_at.isoformat(),
                        "received_at": arrived.isoformat(),
                        "outcome": row.outcome,
                        "target": row.target,
                        "lesson": row.lesson_id,
                        "student": row.student_id,
                        "entry": row.entry,
                    },
                )
                for row in rows
            ],
        )
    for row in rows:
        answers[str(row.client_id)] = _answer_of(row)
    return [answers[str(i)] for i in dict.fromkeys(ids)]


def _rounds(entries: list[OfflineInput]) -> list[list[OfflineInput]]:
    """Split a lesson's entries so that each student has at most one mark and one
    attendance entry per save (the sheet's shape); in the order they were made."""
    rounds: list[list[OfflineInput]] = []
    count: dict[tuple[int, str], int] = defaultdict(int)
    for entry in entries:
        index = count[entry.student_id, entry.target]
        count[entry.student_id, entry.target] += 1
        while len(rounds) <= index:
            rounds.append([])
        rounds[index].append(entry)
    return rounds


def _apply_batch(
    actor: User,
    lesson: Lesson,
    batch: list[OfflineInput],
    cells: dict[tuple[int, int], _Cell],
    outcome: dict[uuid.UUID, tuple[str, str, dict[str, Any] | None]],
    new_absences: dict[tuple[int, int], OfflineInput],
) -> list[Mark]:
    """One save of the lesson sheet for a batch; the refused entries are answered with
    their message and the save is tried once more without them."""
    tz = journal._tz(lesson.assignment)
    pending = list(batch)
    for _attempt in range(2):
        if not pending:
            return []
        rows: dict[int, dict[str, Any]] = {}
        for entry in pending:
            cell = cells[lesson.pk, entry.student_id]
            row = rows.setdefault(
                entry.student_id,
                {
                    "status": cell.attendance.status if cell.attendance else None,
                    "late_minutes": cell.attendance.late_minutes if cell.attendance else None,
                },
            )
            if entry.target == ATTENDANCE:
                row["status"] = entry.status or None
                row["late_minutes"] = entry.late_minutes
            else:
                row.update(value=entry.value, kind=entry.kind, comment=entry.comment)
        first = min(e.made_at for e in pending)
        try:
            result = lesson_sheet_save(
                actor=actor,
                lesson=lesson,
                topic=lesson.topic,
                homework=lesson.homework,
                place=lesson.place,
                place_changed_at=lesson.place_changed_at,
                rows={pk: SheetRow(**row) for pk, row in rows.items()},
                reason=_("Entered offline at %(time)s.") % {"time": _time_of(first, tz)},
            )
        except (ValidationError, PermissionDenied) as exc:
            refused = _refusals(exc, pending)
            for entry, message in refused.items():
                outcome[entry.client_id] = (OfflineOutcome.REFUSED, message, None)
            pending = [e for e in pending if e not in refused]
            continue
        answer = OfflineOutcome.PENDING if result.pending else OfflineOutcome.APPLIED
        message = journal.correction_pending_message() if result.pending else ""
        marks_of = {mark.student_id: mark for mark in result.marks}
        applied: list[Mark] = []
        for entry in pending:
            outcome[entry.client_id] = (answer, message, None)
            cell = cells[lesson.pk, entry.student_id]
            if entry.target == MARK and entry.student_id in marks_of:
                mark = marks_of[entry.student_id]
                mark.created_at = entry.made_at
                mark.entered_late = entry.made_at.astimezone(school_tz(tz)).date() > lesson.date
                applied.append(mark)
            elif entry.target == ATTENDANCE and cell.attendance is None and entry.status:
                new_absences[lesson.pk, entry.student_id] = entry
        return applied
    for entry in pending:
        outcome[entry.client_id] = (
            OfflineOutcome.REFUSED,
            _("The entry could not be saved together with the others: enter it again."),
            None,
        )
    return []


def _message(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _refusals(
    exc: ValidationError | PermissionDenied, entries: list[OfflineInput]
) -> dict[OfflineInput, str]:
    """Which entries the sheet's refusal names (its fields `status_<id>`, `value_<id>`…);
    a refusal of the whole lesson (not begun, closed year, not the actor's) names all."""
    if isinstance(exc, PermissionDenied) or not hasattr(exc, "error_dict"):
        return {entry: _message(exc) for entry in entries}
    whole = " ".join(exc.message_dict.get("__all__", []))
    refused: dict[OfflineInput, str] = {}
    for entry in entries:
        names = ["status", "late"] if entry.target == ATTENDANCE else ["value", "kind", "comment"]
        messages = [
            m for name in names for m in exc.message_dict.get(f"{name}_{entry.student_id}", [])
        ]
        if messages:
            refused[entry] = " ".join(messages)
        elif whole:
            refused[entry] = whole
    return refused or {entry: " ".join(exc.messages) for entry in entries}


def _answer_of(stored: OfflineEntry) -> OfflineAnswer:
    mine = dict(stored.entry)
    mine["made_at"] = stored.made_at.isoformat()
    return OfflineAnswer(
        id=str(stored.client_id),
        outcome=stored.outcome,
        message=stored.message,
        theirs=stored.theirs,
        mine=mine,
    )


def offline_resolve(*, actor: User, client_id: uuid.UUID, choice: str) -> OfflineAnswer:
    """Settle a conflict as the teacher chose: MINE applies the offline entry as a
    correction of what the other person wrote, THEIRS drops it. Either way the register
    of corrections keeps the decision (a row with the reason and the decision's note) and
    the audit log an event. An entry already settled answers as it was settled."""
    stored = (
        OfflineEntry.objects.filter(author=actor, client_id=client_id)
        .select_related(*(f"lesson__{related}" for related in LESSON_RELATED), "student")
        .first()
    )
    if stored is None or stored.lesson is None or stored.student is None:
        raise ValidationError(_("This offline entry is unknown."))
    if stored.outcome != OfflineOutcome.CONFLICT:
        return _answer_of(stored)
    if choice not in (MINE, THEIRS):
        raise ValidationError(_("Choose your entry or the other change."))
    lesson, student = stored.lesson, stored.student
    assignment = lesson.assignment
    journal.ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    tz = journal._tz(assignment)
    theirs = stored.theirs or {}
    reason = _("An offline entry made at %(time)s conflicted with a change by %(who)s.") % {
        "time": _time_of(stored.made_at, tz),
        "who": theirs.get("by") or "—",
    }
    if stored.target == ATTENDANCE:
        mine_shown = str(stored.entry.get("status") or "")
    else:
        mine_shown = str(stored.entry.get("value") or stored.entry.get("comment") or "")
    with transaction.atomic():
        correction: Correction | None = None
        mark: Mark | None = None
        if choice == MINE:
            if stored.target == ATTENDANCE:
                result = journal.attendance_set(
                    actor=actor,
                    lesson=lesson,
                    student=student,
                    status=stored.entry.get("status") or None,
                    late_minutes=stored.entry.get("late_minutes"),
                    reason=reason,
                )
            else:
                result = journal.mark_set(
                    actor=actor,
                    assignment=assignment,
                    student=student,
                    value=stored.entry.get("value", ""),
                    comment=stored.entry.get("comment", ""),
                    kind=stored.entry.get("kind", "current"),
                    lesson=lesson,
                    reason=reason,
                )
                mark = result.mark
                if mark is not None and not result.pending:
                    Mark.objects.filter(pk=mark.pk).update(created_at=stored.made_at)
            correction = result.correction
            stored.outcome = OfflineOutcome.PENDING if result.pending else OfflineOutcome.KEPT_MINE
            note = _("Conflict settled: the offline entry was kept.")
        else:
            stored.outcome = OfflineOutcome.KEPT_THEIRS
            note = _("Conflict settled: the offline entry was dropped, the other change kept.")
        kept = mine_shown if choice == MINE else str(theirs.get("value") or "")
        key = "status" if stored.target == ATTENDANCE else "value"
        if correction is None:
            correction = Correction.objects.create(
                assignment=assignment,
                lesson=lesson,
                student=student,
                target=stored.target,
                mark=mark,
                before={key: theirs.get("value") or None},
                after={key: kept or None},
                reason=reason,
                status=CorrectionStatus.APPLIED,
                requested_by=actor,
                decided_by=actor,
                decided_at=timezone.now(),
                decision_note=note,
            )
        elif correction.status == CorrectionStatus.APPLIED:
            correction.decided_by, correction.decided_at = actor, timezone.now()
            correction.decision_note = note
            correction.save(
                update_fields=["decided_by", "decided_at", "decision_note", "updated_at"]
            )
        else:
            correction.decision_note = note
            correction.save(update_fields=["decision_note", "updated_at"])
        stored.message = note
        stored.save(update_fields=["outcome", "message", "updated_at"])
        audit_record(
            actor=actor,
            action="offline.resolve",
            obj=stored,
            after={
                "choice": choice,
                "made_at": stored.made_at.isoformat(),
                "received_at": stored.created_at.isoformat(),
                "correction": correction.pk,
            },
            reason=reason,
            school_id=assignment.year.school_id,
        )
    return _answer_of(stored)
