"""A reason for a change, or who requested a corrected mark, longer than the limit is
refused with a clear message and changes nothing, in the grid, the column form and the
services behind the API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.journal import services
from zhurnal.journal.grid.tests.builders import LAST_WEEK, add_mark, make_lesson, post_cell, uk
from zhurnal.journal.models import Attendance, Correction, Mark, MarkKind
from zhurnal.journal.services import REASON_MAX_LENGTH, REQUESTED_BY_MAX_LENGTH

Login = Callable[[User], Client]
TOO_LONG = "я" * (REASON_MAX_LENGTH + 1)
TOO_LONG_MESSAGE = "The reason is too long: %(limit)s characters at most, %(length)s given."


def test_grid_refuses_a_reason_over_the_limit_and_keeps_the_mark(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    mark = add_mark(community, lesson, community.student, "7")
    client = login(community.teacher)
    cell = {"student": community.student.pk, "lesson": lesson.pk, "value": 9}

    status, body = post_cell(client, community, **cell, reason=TOO_LONG)
    assert status == 200 and not body["ok"]
    assert body["message"] == uk(TOO_LONG_MESSAGE) % {
        "limit": REASON_MAX_LENGTH,
        "length": REASON_MAX_LENGTH + 1,
    }
    mark.refresh_from_db()
    assert mark.value == "7"
    assert not Correction.objects.exists()

    status, body = post_cell(client, community, **cell, reason="я" * REASON_MAX_LENGTH)
    assert status == 200 and body["ok"]
    assert Correction.objects.get().reason == "я" * REASON_MAX_LENGTH


def test_column_form_refuses_a_reason_over_the_limit(community: Community, login: Login) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    mark = add_mark(community, lesson, community.student, "7")
    client = login(community.teacher)
    url = reverse("journal:grid_column", args=[community.math_5a.pk])
    url += f"?column=lesson-{lesson.pk}"
    response = client.post(url, {f"value-{community.student.pk}": "6", "reason": TOO_LONG})
    assert response.status_code == 200
    assert str(REASON_MAX_LENGTH) in response.content.decode()
    mark.refresh_from_db()
    assert mark.value == "7"
    assert not Correction.objects.exists()


def test_corrected_mark_with_an_overlong_requester_is_refused(community: Community) -> None:
    Mark.objects.create(
        assignment=community.math_5a,
        term=community.term1,
        student=community.student,
        kind=MarkKind.TERM,
        value="6",
        numeric_value=Decimal(6),
        created_by=community.teacher,
    )
    with pytest.raises(ValidationError) as refused:
        services.mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=community.student,
            term=community.term1,
            kind=MarkKind.CORRECTED,
            value="8",
            requested_on=LAST_WEEK,
            requested_by="Г" * (REQUESTED_BY_MAX_LENGTH + 1),
        )
    assert refused.value.code == "requested_by_too_long"
    assert not Mark.objects.filter(kind=MarkKind.CORRECTED).exists()


def test_attendance_and_removals_refuse_an_overlong_reason(community: Community) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    mark = add_mark(community, lesson, community.student, "7")
    with pytest.raises(ValidationError, match=str(REASON_MAX_LENGTH)):
        services.attendance_take(
            actor=community.teacher, lesson=lesson, statuses={}, reason=TOO_LONG
        )
    with pytest.raises(ValidationError, match=str(REASON_MAX_LENGTH)):
        services.mark_delete(actor=community.teacher, mark=mark, reason=TOO_LONG)
    assert Mark.objects.filter(pk=mark.pk).exists()
    assert not Attendance.objects.exists()
    assert lesson.attendance_taken_at is None
    assert not Correction.objects.exists()
