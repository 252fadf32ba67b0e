"""Who reaches the objects of the consent register, the privacy notices and the family's
correction requests (see docs/permissions.md). Missing and not-yours are the same 404."""

from __future__ import annotations

from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.people.access import JOURNAL_CONTROLLERS, municipality_for_user, role_school_ids
from zhurnal.people.models import Consent, CorrectionRequest, PrivacyNotice, Student
from zhurnal.schools.models import ClassGroup


def consent_for_user(user: User, consent_id: int, *, within: Student) -> Consent:
    """An active or withdrawn consent about the student, for who gave it: the guardian's own
    login, or the student themself for their own consent; else 404."""
    ensure_signed_in(user)
    mine = Q(guardian__user=user) | Q(guardian__isnull=True, student__user=user)
    return first_or_404(
        Consent.objects.filter(mine, pk=consent_id, student=within).select_related(
            "student", "guardian"
        )
    )


def correction_request_for_user(
    user: User, request_id: int, *, write: bool = False
) -> CorrectionRequest:
    """A family's correction request, for the class teacher of its class (who answers it);
    read also by the school's director and deputies; else 404."""
    ensure_signed_in(user)
    reach = Q(class_group__class_teacher=user)
    if not write:
        reach |= Q(class_group__year__school_id__in=role_school_ids(user, JOURNAL_CONTROLLERS))
    return first_or_404(
        CorrectionRequest.objects.filter(reach, pk=request_id).select_related(
            "student", "class_group__year__school", "requested_by"
        )
    )


def privacy_notice_for_user(user: User, notice_id: int) -> PrivacyNotice:
    """A published version of the privacy notice of the community whose department the user
    works in; else 404."""
    municipality = municipality_for_user(user)
    return first_or_404(
        PrivacyNotice.objects.filter(pk=notice_id, municipality=municipality).select_related(
            "municipality", "published_by"
        )
    )


def paper_consent_for_user(user: User, consent_id: int, *, within: ClassGroup) -> Consent:
    """A consent signed on paper of a student of the class (its scan), for those who read
    the class's consent register — the class reached through its own chokepoint — else 404."""
    ensure_signed_in(user)
    return first_or_404(
        Consent.objects.filter(
            pk=consent_id,
            student__enrollments__class_group=within,
        )
        .exclude(document="")
        .distinct()
    )
