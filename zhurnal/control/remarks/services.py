"""Writes of the remarks on journal keeping.

A remark is written by the school's director or a deputy director about one teaching
assignment (optionally one lesson of it) to the assignment's teacher. The teacher marks it
put right; its author or a controller reopens it when it was not really put right. Nothing
is written in a closed academic year.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import local_today
from zhurnal.journal.access import is_journal_controller
from zhurnal.schools.services import ensure_class_open
from zhurnal.timetable.models import Lesson, TeachingAssignment

REMARK_TEXT_MAX = 2000
NOTE_MAX = 500


def _ensure_open(assignment: TeachingAssignment) -> None:
    """Nothing is written about a journal whose year — the school's or its class's own —
    is closed. The class's year is the assignment's, loaded already: no query for it."""
    class_group = assignment.class_group
    if class_group.year_id == assignment.year_id:
        class_group.year = assignment.year
    ensure_class_open(class_group)


def _clean_text(text: str, *, required_message: str, max_length: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(required_message)
    if len(text) > max_length:
        raise ValidationError(
            _("Keep it within %(limit)s characters (now %(length)s).")
            % {"limit": max_length, "length": len(text)}
        )
    return text


def journal_remark_create(
    *,
    actor: User,
    assignment: TeachingAssignment,
    lesson: Lesson | None = None,
    text: str,
    due_on: dt.date | None = None,
) -> JournalRemark:
    """A remark on journal keeping to the assignment's teacher, by the school's director or
    a deputy director; `lesson`, when given, must be a lesson of this assignment."""
    year = assignment.year
    school = year.school
    _ensure_open(assignment)
    if not is_journal_controller(actor, school.pk):
        raise PermissionDenied(_("Only the director or a deputy director can do this."))
    text = _clean_text(
        text, required_message=_("Write what should be put right."), max_length=REMARK_TEXT_MAX
    )
    if lesson is not None and lesson.assignment_id != assignment.pk:
        raise ValidationError(_("This lesson is not a lesson of that class and subject."))
    today = local_today(school.municipality.time_zone)
    if due_on is not None and due_on < today:
        raise ValidationError(
            _("The date to put it right by cannot be in the past (today is %(today)s).")
            % {"today": date_ua(today)}
        )
    with transaction.atomic():
        remark = JournalRemark.objects.create(
            school=school,
            assignment=assignment,
            lesson=lesson,
            teacher_id=assignment.teacher_id,
            author=actor,
            text=text,
            due_on=due_on,
        )
        audit_record(
            actor=actor,
            action="journal_remark.create",
            obj=remark,
            after=snapshot(remark),
            school_id=school.pk,
        )
    return remark


def journal_remark_resolve(*, actor: User, remark: JournalRemark, note: str = "") -> JournalRemark:
    """The teacher the remark was written to marks it put right, with an optional note."""
    _ensure_open(remark.assignment)
    if remark.teacher_id != actor.pk:
        raise PermissionDenied(_("Only the teacher the remark was written to can do this."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("Keep it within %(limit)s characters (now %(length)s).")
            % {"limit": NOTE_MAX, "length": len(note)}
        )
    with transaction.atomic():
        locked = JournalRemark.objects.select_for_update().get(pk=remark.pk)
        if locked.status != JournalRemarkStatus.OPEN:
            raise ValidationError(_("This remark has already been put right."))
        before = snapshot(locked)
        locked.status = JournalRemarkStatus.RESOLVED
        locked.resolved_at = timezone.now()
        locked.resolution_note = note
        locked.save(update_fields=["status", "resolved_at", "resolution_note", "updated_at"])
        audit_record(
            actor=actor,
            action="journal_remark.resolve",
            obj=locked,
            before=before,
            after=snapshot(locked),
            school_id=locked.school_id,
        )
    _copy_state(locked, remark)
    return remark


def journal_remark_reopen(*, actor: User, remark: JournalRemark, reason: str) -> JournalRemark:
    """Its author or the school's director or a deputy director opens a remark again
    when the teacher did not really put it right; the reason is kept in the audit log."""
    _ensure_open(remark.assignment)
    if remark.author_id != actor.pk and not is_journal_controller(actor, remark.school_id):
        raise PermissionDenied(_("Only the director or a deputy director can do this."))
    reason = _clean_text(
        reason,
        required_message=_("Say why the remark is opened again."),
        max_length=NOTE_MAX,
    )
    with transaction.atomic():
        locked = JournalRemark.objects.select_for_update().get(pk=remark.pk)
        if locked.status != JournalRemarkStatus.RESOLVED:
            raise ValidationError(_("This remark is still open."))
        before = snapshot(locked)
        locked.status = JournalRemarkStatus.OPEN
        locked.resolved_at = None
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        audit_record(
            actor=actor,
            action="journal_remark.reopen",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
            school_id=locked.school_id,
        )
    _copy_state(locked, remark)
    return remark


def _copy_state(source: JournalRemark, target: JournalRemark) -> None:
    target.status = source.status
    target.resolved_at = source.resolved_at
    target.resolution_note = source.resolution_note
    target.updated_at = source.updated_at
