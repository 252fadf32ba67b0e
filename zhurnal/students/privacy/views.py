"""The family's download of everything Zhurnal holds about the child (JSON and PDF), for
a guardian of the child and for an adult student themself."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhurnal.accounts.reauth import recent_login_required
from zhurnal.audit.services import audit_record
from zhurnal.core.access import not_found
from zhurnal.core.exports import download, pdf_from_template
from zhurnal.core.http import AuthedRequest
from zhurnal.people.access import StudentScope, student_for_user
from zhurnal.people.models import Student
from zhurnal.people.privacy.selectors import current_class, is_adult
from zhurnal.students.privacy.selectors import family_data


def _family_student(request: AuthedRequest, student_id: int, fmt: str) -> Student:
    """The child of a guardian, or the adult student themself; a minor's own login may not
    download (their guardians do). The download is audited."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    if student.user_id == request.user.pk and not is_adult(student):
        raise not_found()
    class_group = current_class(student)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="family_data.download",
            obj=student,
            after={"format": fmt},
            school_id=class_group.year.school_id if class_group is not None else None,
        )
    return student


@never_cache
@login_required
@recent_login_required  # exporting personal data asks for the password again (issue 11)
@require_GET
def family_data_json(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Everything held about the child, as JSON."""
    student = _family_student(request, student_id, "json")
    content = json.dumps(family_data(student), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return download(
        content.encode("utf-8"),
        filename=f"zhurnal-data-{student.pk}.json",
        content_type="application/json; charset=utf-8",
    )


@never_cache
@login_required
@recent_login_required  # exporting personal data asks for the password again (issue 11)
@require_GET
def family_data_pdf(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Everything held about the child, laid out as a PDF document."""
    student = _family_student(request, student_id, "pdf")
    content = pdf_from_template(
        "students/privacy/family_data.html", {"data": family_data(student), "student": student}
    )
    return download(
        content, filename=f"zhurnal-data-{student.pk}.pdf", content_type="application/pdf"
    )
