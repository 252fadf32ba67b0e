"""Closing and reopening a class's (or the whole school's) year.

The director closes after the pre-closing check (`checks.closing_check`): every item is put
right or consciously accepted — except a reconciliation that fails, which must be put right.
Closing makes the class's journal read-only (`schools.services.ensure_class_open`, called by
every write about a class), is audited, signs the head of the audit chain and queues the
packaging. Reopening is a reasoned act the department sees; the archived versions stay, and
the next closing packages new ones. Every refusal leaves the data as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhurnal.accounts.models import User
from zhurnal.archive.closing.checks import CheckItem, closing_check
from zhurnal.archive.models import PackagingJob, ReopeningAct, YearClosing
from zhurnal.archive.packaging.services import packaging_start
from zhurnal.audit.integrity import audit_head_seal
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.people.access import has_school_role
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, ClassGroup
from zhurnal.schools.services import ensure_class_open, ensure_year_open


class ClosingRefused(ValidationError):
    """The pre-closing check found items neither put right nor accepted (`items`); the
    messages name each of them."""

    def __init__(self, items: Sequence[CheckItem]) -> None:
        self.items = list(items)
        messages = [
            ngettext(
                "The year cannot be closed: %(count)s item of the check is neither put right "
                "nor accepted.",
                "The year cannot be closed: %(count)s items of the check are neither put right "
                "nor accepted.",
                len(self.items),
            )
            % {"count": len(self.items)}
        ]
        for item in self.items:
            where = f"{item.class_name}, {item.subject}" if item.subject else item.class_name
            text = f"{where}: {item.text}"
            if not item.acceptable:
                text = _("%(item)s (It cannot be accepted: it must be put right.)") % {"item": text}
            messages.append(text)
        super().__init__(messages, code="closing_refused")


def _require_director(actor: User, school_id: int) -> None:
    if not has_school_role(actor, school_id, [Role.DIRECTOR]):
        raise PermissionDenied(_("Only the school's director can do this."))


def _accepted_items(items: Sequence[CheckItem], accepted: Collection[str]) -> list[CheckItem]:
    """The items the director accepted; ClosingRefused naming the others (and every
    accepted item that may not be accepted)."""
    refused = [item for item in items if item.code not in accepted or not item.acceptable]
    if refused:
        raise ClosingRefused(refused)
    return list(items)


def _accepted_record(items: Sequence[CheckItem]) -> list[dict[str, Any]]:
    return [
        {
            "code": item.code,
            "kind": item.kind,
            "class": item.class_name,
            "subject": item.subject,
            "text": item.text,
        }
        for item in items
    ]


def _locked_year(year: AcademicYear) -> AcademicYear:
    """The year row, locked until the transaction ends: closings and reopenings of one
    school's year run one after the other."""
    return AcademicYear.objects.select_for_update().get(pk=year.pk)


def class_year_close(
    *, actor: User, class_group: ClassGroup, accepted: Collection[str]
) -> PackagingJob:
    """Close the year of one class: its journal becomes read-only and its packaging is
    queued. Only the school's director; the year and the class must be open; every item of
    the pre-closing check must be put right or its code in `accepted` (ClosingRefused
    names the others). Returns the packaging job."""
    year = AcademicYear.objects.get(pk=class_group.year_id)
    _require_director(actor, year.school_id)
    ensure_year_open(year)
    ensure_class_open(class_group)
    items = closing_check(year, [class_group]).get(class_group.pk, [])
    kept = _accepted_items(items, accepted)
    with transaction.atomic():
        year = _locked_year(year)
        locked = ClassGroup.objects.select_for_update().get(pk=class_group.pk)
        locked.year = year
        ensure_class_open(locked)
        now = timezone.now()
        locked.closed_at = now
        locked.save(update_fields=["closed_at", "updated_at"])
        closing = YearClosing.objects.create(
            school_id=year.school_id,
            year=year,
            class_group=locked,
            closed_by=actor,
            closed_at=now,
            accepted=_accepted_record(kept),
        )
        audit_record(
            actor=actor,
            action="archive.class_close",
            obj=closing,
            after=snapshot(closing),
            school_id=year.school_id,
            role=Role.DIRECTOR,
        )
        audit_head_seal()
        job = packaging_start(
            actor=actor,
            year=year,
            closing=closing,
            class_groups=[locked],
            school_documents=False,
        )
    class_group.closed_at = now
    return job


def school_year_close(
    *, actor: User, year: AcademicYear, accepted: Collection[str]
) -> PackagingJob:
    """Close the whole school's year: every class still open is closed at once (classes
    the director closed one by one stay as they are) and the year itself; one packaging
    job for the newly closed classes and the school's registers. The same rules as
    `class_year_close`, the check covering every class still open."""
    _require_director(actor, year.school_id)
    ensure_year_open(year)
    classes = list(
        ClassGroup.objects.filter(year=year, closed_at__isnull=True).order_by("grade", "letter")
    )
    checked = closing_check(year, classes)
    kept = _accepted_items([item for items in checked.values() for item in items], accepted)
    with transaction.atomic():
        locked_year = _locked_year(year)
        ensure_year_open(locked_year)
        still_open = set(
            ClassGroup.objects.select_for_update()
            .filter(year=year, closed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if still_open != {class_group.pk for class_group in classes}:
            raise ValidationError(
                _("The classes of the year changed during the check: run the check again.")
            )
        now = timezone.now()
        ClassGroup.objects.filter(pk__in=still_open).update(closed_at=now, updated_at=now)
        locked_year.closed_at = now
        locked_year.save(update_fields=["closed_at", "updated_at"])
        closing = YearClosing.objects.create(
            school_id=year.school_id,
            year=locked_year,
            class_group=None,
            closed_by=actor,
            closed_at=now,
            accepted=_accepted_record(kept),
        )
        audit_record(
            actor=actor,
            action="archive.year_close",
            obj=closing,
            after={
                **snapshot(closing),
                "class_group_ids": sorted(class_group.pk for class_group in classes),
            },
            school_id=year.school_id,
            role=Role.DIRECTOR,
        )
        audit_head_seal()
        for class_group in classes:
            class_group.closed_at = now
            class_group.year = locked_year
        job = packaging_start(
            actor=actor,
            year=locked_year,
            closing=closing,
            class_groups=classes,
            school_documents=True,
        )
    year.closed_at = now
    return job


def year_reopen(
    *, actor: User, year: AcademicYear, class_group: ClassGroup | None, reason: str
) -> ReopeningAct:
    """The director's reasoned act reopening a closed class (`class_group`) or the whole
    school's year (`class_group=None`), which reopens with it the classes the school's
    closing closed (a class closed on its own stays closed until its own act). A class is
    reopened only while the school's year is open. The archived documents stay; the next
    closing packages new versions."""
    _require_director(actor, year.school_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for reopening: the act keeps it for the department.")}
        )
    given_year, given_class = year, class_group
    with transaction.atomic():
        year = _locked_year(year)
        if class_group is not None:
            class_group = ClassGroup.objects.select_for_update().get(pk=class_group.pk)
            if class_group.year_id != year.pk:
                raise ValidationError(_("The class belongs to another academic year."))
            if year.closed_at is not None:
                raise ValidationError(
                    _(
                        "The whole school's year %(year)s is closed: reopen the school's year "
                        "first, then the class %(class)s."
                    )
                    % {"year": year.name, "class": class_group}
                )
            if class_group.closed_at is None:
                raise ValidationError(
                    _("The year of class %(class)s is not closed.") % {"class": class_group}
                )
        elif year.closed_at is None:
            raise ValidationError(
                _("The academic year %(year)s is not closed.") % {"year": year.name}
            )
        closing = (
            YearClosing.objects.filter(year=year, class_group=class_group, reopening__isnull=True)
            .order_by("-closed_at", "-pk")
            .first()
        )
        if closing is None:
            raise ValidationError(
                _(
                    "There is no act of closing to reopen: this year was closed outside "
                    "the application. Ask the operator."
                )
            )
        now = timezone.now()
        act = ReopeningAct.objects.create(
            closing=closing, reopened_by=actor, reopened_at=now, reason=reason
        )
        reopened_classes: list[int] = []
        if class_group is not None:
            class_group.closed_at = None
            class_group.save(update_fields=["closed_at", "updated_at"])
            reopened_classes = [class_group.pk]
        else:
            # The classes the school's closing closed: closed, with no act of their own.
            own = YearClosing.objects.filter(
                year=year, class_group__isnull=False, reopening__isnull=True
            ).values("class_group_id")
            reopened_classes = list(
                ClassGroup.objects.filter(year=year, closed_at__isnull=False)
                .exclude(pk__in=own)
                .values_list("pk", flat=True)
            )
            ClassGroup.objects.filter(pk__in=reopened_classes).update(
                closed_at=None, updated_at=now
            )
            year.closed_at = None
            year.save(update_fields=["closed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="archive.year_reopen",
            obj=act,
            after={
                **snapshot(act),
                "year_id": year.pk,
                "class_group_id": class_group.pk if class_group is not None else None,
                "reopened_class_group_ids": sorted(reopened_classes),
            },
            reason=reason,
            school_id=year.school_id,
            role=Role.DIRECTOR,
        )
    if given_class is not None:
        given_class.closed_at = None
    else:
        given_year.closed_at = None
    return act
