"""Everything Zhurnal holds about one student, for the family's data download (DESIGN S8:
the right of access). Only rows of this student are read: the guardians appear with their
own contact data, never with their other children."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zhurnal.audit.models import AuditEvent
from zhurnal.journal.models import AbsenceExcuse, Attendance, Mark, StudentRemark
from zhurnal.people.models import (
    Consent,
    CorrectionRequest,
    Enrollment,
    Student,
    StudentGuardian,
)
from zhurnal.students.record.selectors import record_accesses, role_label

EXPORT_VERSION = 1


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user: Any) -> str:
    return user.full_name if user is not None else ""


def family_data(student: Student) -> dict[str, Any]:
    """The student's personal data, guardians, enrollments, marks, attendance, remarks,
    excuses, consents, correction requests, the access log of the record and the audit
    trail of the record, as plain JSON-ready data. About a dozen queries."""
    links = list(
        StudentGuardian.objects.filter(student=student)
        .select_related("guardian")
        .order_by("guardian__surname", "guardian__given_name", "pk")
    )
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("class_group__year__school")
        .order_by("starts_on", "pk")
    )
    consents = list(
        Consent.objects.filter(student=student)
        .select_related("guardian", "recorded_by", "withdrawn_by")
        .order_by("given_at", "pk")
    )
    requests = list(CorrectionRequest.objects.filter(student=student).order_by("created_at", "pk"))
    marks = (
        Mark.objects.filter(student=student)
        .select_related("assignment__subject", "lesson", "term")
        .order_by("lesson__date", "pk")
    )
    attendance = (
        Attendance.objects.filter(student=student)
        .select_related("lesson__assignment__subject")
        .order_by("lesson__date", "lesson__period__number", "pk")
    )
    remarks = (
        StudentRemark.objects.filter(student=student)
        .select_related("lesson__assignment__subject", "author")
        .order_by("lesson__date", "pk")
    )
    excuses = AbsenceExcuse.objects.filter(student=student).order_by("starts_on", "pk")
    # The record's own history: the student row and the rows that belong to it alone.
    owned = (
        Q(object_type="people.student", object_id=str(student.pk))
        | Q(object_type="people.enrollment", object_id__in=[str(e.pk) for e in enrollments])
        | Q(object_type="people.studentguardian", object_id__in=[str(link.pk) for link in links])
        | Q(object_type="people.consent", object_id__in=[str(c.pk) for c in consents])
        | Q(object_type="people.correctionrequest", object_id__in=[str(r.pk) for r in requests])
    )
    trail = AuditEvent.objects.filter(owned).order_by("id")
    return {
        "format": "zhurnal-family-data",
        "version": EXPORT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "student": {
            "surname": student.surname,
            "given_name": student.given_name,
            "patronymic": student.patronymic,
            "birth_date": _iso(student.birth_date),
            "sex": student.get_sex_display(),
            "personal_file_number": student.personal_file_number,
            "education_form": student.get_education_form_display(),
            "special_needs": student.special_needs,
            "address": student.address,
            "health_group": student.get_health_group_display(),
            "pe_group": student.get_pe_group_display(),
            "has_login": student.user_id is not None,
            "community": str(student.municipality),
        },
        "guardians": [
            {
                "surname": link.guardian.surname,
                "given_name": link.guardian.given_name,
                "patronymic": link.guardian.patronymic,
                "relation": link.get_relation_display(),
                "phone": link.guardian.phone,
                "email": link.guardian.email,
                "has_login": link.guardian.user_id is not None,
            }
            for link in links
        ],
        "enrollments": [
            {
                "school": str(enrollment.class_group.year.school),
                "year": enrollment.class_group.year.name,
                "class": str(enrollment.class_group),
                "from": _iso(enrollment.starts_on),
                "until": _iso(enrollment.ends_on),
                "arrival_order": enrollment.order_in,
                "leaving_order": enrollment.order_out,
                "reason_for_leaving": enrollment.get_leave_reason_display()
                if enrollment.leave_reason
                else "",
            }
            for enrollment in enrollments
        ],
        "marks": [
            {
                "date": _iso(mark.lesson.date if mark.lesson else None),
                "subject": mark.assignment.subject.name,
                "kind": mark.get_kind_display(),
                "value": mark.value,
                "comment": mark.comment,
                "term": mark.term.name if mark.term else "",
            }
            for mark in marks
        ],
        "attendance": [
            {
                "date": _iso(entry.lesson.date),
                "subject": entry.lesson.assignment.subject.name,
                "status": entry.get_status_display(),
                "excused": entry.excused,
                "reason": entry.excuse_reason,
                "minutes_late": entry.late_minutes,
            }
            for entry in attendance
        ],
        "remarks": [
            {
                "date": _iso(remark.lesson.date),
                "subject": remark.lesson.assignment.subject.name,
                "kind": remark.get_kind_display(),
                "text": remark.text,
                "author": _name(remark.author),
            }
            for remark in remarks
        ],
        "excuses": [
            {
                "from": _iso(excuse.starts_on),
                "until": _iso(excuse.ends_on),
                "reason": excuse.get_reason_display(),
                "note": excuse.note,
                "document": excuse.document_name,
                "absences_excused": excuse.absences_excused,
            }
            for excuse in excuses
        ],
        "consents": [
            {
                "purpose": consent.get_purpose_display(),
                "given_by": consent.guardian.full_name if consent.guardian else student.full_name,
                "form": consent.get_channel_display(),
                "given_at": _iso(consent.given_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
                "recorded_by": _name(consent.recorded_by),
            }
            for consent in consents
        ],
        "correction_requests": [
            {
                "sent_at": _iso(item.created_at),
                "text": item.text,
                "status": item.get_status_display(),
                "answer": item.answer,
                "resolved_at": _iso(item.resolved_at),
            }
            for item in requests
        ],
        "access_log": [
            {
                "at": _iso(entry.at),
                "who": entry.actor_repr,
                "role": role_label(entry.role),
                "what": entry.what,
            }
            for entry in record_accesses(student, limit=10_000)
        ],
        "audit_trail": [
            {
                "at": _iso(event.at),
                "who": event.actor_repr,
                "action": event.action,
                "object": f"{event.object_type}:{event.object_id}",
                "before": event.before,
                "after": event.after,
                "reason": event.reason,
            }
            for event in trail
        ],
    }
