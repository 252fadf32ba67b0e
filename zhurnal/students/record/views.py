"""A student's record (особова справа) for the staff, with every opening written to the
access log; and the family's page of who opened their child's record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhurnal.audit.services import access_record
from zhurnal.core.http import AuthedRequest
from zhurnal.people.access import StudentScope, children_for_user, record_grant, student_for_user
from zhurnal.students.record.selectors import record_accesses, record_of, role_label


@never_cache
@login_required
@require_GET
def student_record(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Personal data, enrollments, guardians and — for those entitled — health and PE
    group; the administration also sees who opened the record."""
    student = student_for_user(request.user, student_id, scope=StudentScope.RECORD)
    record = record_of(student)
    grant = record_grant(request.user, record.enrollments)
    access_record(
        actor=request.user,
        obj=student,
        what=_("student's record"),
        school_id=grant.school_id,
        role=grant.role,
    )
    accesses = []
    if grant.sees_access_log:
        accesses = [(entry, role_label(entry.role)) for entry in record_accesses(student)]
    return render(
        request,
        "students/record/record.html",
        {"record": record, "grant": grant, "student": student, "accesses": accesses},
    )


@never_cache
@login_required
@require_GET
def family_record_access(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Who of the school's staff opened the child's record, and when."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    is_self = student.user_id == request.user.pk
    accesses = [(entry, role_label(entry.role)) for entry in record_accesses(student)]
    return render(
        request,
        "students/record/record_access_family.html",
        {
            "student": student,
            "is_self": is_self,
            "children": [] if is_self else children_for_user(request.user),
            "page": "record_access",
            "accesses": accesses,
        },
    )
