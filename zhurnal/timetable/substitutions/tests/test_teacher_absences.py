"""Teachers recorded as away: their lessons wait for substitutes on the day's page and on
the administration's home, the span joins with what is recorded, a day can be taken back."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.cast import Community, make_staff
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.home.selectors import school_today
from zhurnal.people.models import Role
from zhurnal.timetable.models import Lesson, Period, TeacherAbsence
from zhurnal.timetable.services import (
    lesson_substitute,
    teacher_absence_cancel_day,
    teacher_absence_record,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 16)  # a Monday of the first term


def _lesson(c: Community, number: int, day: dt.date = DAY) -> Lesson:
    return Lesson.objects.create(
        assignment=c.math_5a, date=day, period=Period.objects.get(year=c.year, number=number)
    )


def _page(c: Community, day: dt.date = DAY) -> str:
    return reverse("timetable:substitutions", args=[c.school.pk]) + f"?date={day.isoformat()}"


def _record(c: Community, start: dt.date, end: dt.date, reason: str = "") -> TeacherAbsence:
    return teacher_absence_record(
        actor=c.deputy, school=c.school, teacher=c.teacher, starts_on=start, ends_on=end,
        reason=reason,
    )  # fmt: skip


def _messages(response: HttpResponse) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _spans(c: Community) -> list[tuple[dt.date, dt.date]]:
    return list(
        TeacherAbsence.objects.filter(teacher=c.teacher)
        .order_by("starts_on")
        .values_list("starts_on", "ends_on")
    )


def test_the_deputy_records_a_teacher_away_and_their_lessons_wait_for_a_substitute(
    login, community: Community
):
    c = community
    first, second = _lesson(c, 1), _lesson(c, 2, DAY + dt.timedelta(days=1))
    client = login(c.deputy)

    response = client.post(
        reverse("timetable:absence_create", args=[c.school.pk]),
        {"teacher": c.teacher.pk, "starts_on": "2026-11-16", "ends_on": "2026-11-17",
         "reason": "лікарняний", "group": "period"},
    )  # fmt: skip

    assert response.status_code == 302 and "date=2026-11-16" in response["Location"]
    [absence] = TeacherAbsence.objects.all()
    assert (absence.starts_on, absence.ends_on, absence.reason) == (
        DAY,
        DAY + dt.timedelta(days=1),
        "лікарняний",
    )
    assert AuditEvent.objects.filter(action="teacher_absence.create").count() == 1
    for day, lesson in ((DAY, first), (DAY + dt.timedelta(days=1), second)):
        page = client.get(_page(c, day))
        [away] = page.context["plan"].away
        assert away.teacher == c.teacher and away.absence == absence
        assert [item.lesson for item in away.lessons] == [lesson]
        assert away.lessons[0].suggestions  # the others are free at that time
        assert "лікарняний" in page.content.decode()
    # The day after the span the teacher is back.
    assert client.get(_page(c, DAY + dt.timedelta(days=2))).context["plan"].away == []


def test_an_absence_without_an_end_is_one_day_and_an_empty_form_says_why(
    login, community: Community
):
    c = community
    client = login(c.deputy)
    url = reverse("timetable:absence_create", args=[c.school.pk])
    client.post(url, {"teacher": c.teacher.pk, "starts_on": "2026-11-16"})
    assert _spans(c) == [(DAY, DAY)]

    refused = client.post(url, {"teacher": "", "starts_on": "2026-11-16"}, follow=True)
    backwards = client.post(
        url,
        {"teacher": c.other_teacher.pk, "starts_on": "2026-11-16", "ends_on": "2026-11-10"},
        follow=True,
    )
    # The user's language is Ukrainian: the refusals are said in it.
    with translation.override("uk"):
        required = str(forms.Field.default_error_messages["required"])
        backwards_text = gettext("The end cannot come before the start.")
    assert required in _messages(refused)
    assert (
        backwards_text in _messages(backwards)
        and backwards_text != "The end cannot come before the start."
    )
    assert TeacherAbsence.objects.count() == 1


def test_spans_that_touch_join_and_a_day_back_shortens_or_splits(community: Community):
    c = community
    _record(c, DAY, DAY + dt.timedelta(days=2))
    _record(c, DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=4), "курси")
    assert _spans(c) == [(DAY, DAY + dt.timedelta(days=4))]

    absence = TeacherAbsence.objects.get()
    teacher_absence_cancel_day(actor=c.deputy, absence=absence, day=DAY + dt.timedelta(days=2))
    assert _spans(c) == [
        (DAY, DAY + dt.timedelta(days=1)),
        (DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=4)),
    ]
    first = TeacherAbsence.objects.get(starts_on=DAY)
    teacher_absence_cancel_day(actor=c.deputy, absence=first, day=DAY)
    teacher_absence_cancel_day(actor=c.deputy, absence=first, day=DAY + dt.timedelta(days=1))
    assert _spans(c) == [(DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=4))]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"teacher_absence.create", "teacher_absence.update"} <= actions
    assert "teacher_absence.delete" in actions


def test_at_school_after_all_from_the_page(login, community: Community):
    c = community
    _lesson(c, 1)
    absence = _record(c, DAY, DAY)
    client = login(c.deputy)
    url = reverse("timetable:absence_cancel_day", args=[c.school.pk, absence.pk])
    response = client.post(url, {"date": DAY.isoformat()})
    assert response.status_code == 302
    assert not TeacherAbsence.objects.exists()
    assert client.get(_page(c)).context["plan"].away == []


def test_only_the_schools_controllers_record_absences(login, community: Community):
    c = community
    absence = _record(c, DAY, DAY)
    for who in (c.teacher, c.other_teacher, c.guardian, c.school_admin):
        client = login(who)
        created = client.post(
            reverse("timetable:absence_create", args=[c.school.pk]),
            {"teacher": c.other_teacher.pk, "starts_on": "2026-11-16"},
        )
        back = client.post(
            reverse("timetable:absence_cancel_day", args=[c.school.pk, absence.pk]),
            {"date": DAY.isoformat()},
        )
        assert created.status_code == 404 and back.status_code == 404
    assert _spans(c) == [(DAY, DAY)]
    with pytest.raises(PermissionDenied):
        teacher_absence_record(
            actor=c.teacher, school=c.school, teacher=c.other_teacher, starts_on=DAY,
            ends_on=DAY, reason="",
        )  # fmt: skip


def test_a_deputy_of_another_school_cannot_reach_the_absence(login, community: Community):
    c = community
    absence = _record(c, DAY, DAY)
    other_deputy = make_staff(c.other_school, "other_deputy", "Сидоренко", "Ігор", Role.DEPUTY)
    client = login(other_deputy)
    for school in (c.other_school, c.school):
        url = reverse("timetable:absence_cancel_day", args=[school.pk, absence.pk])
        assert client.post(url, {"date": DAY.isoformat()}).status_code == 404
    assert TeacherAbsence.objects.filter(pk=absence.pk).exists()


def test_a_closed_year_refuses_absences(community: Community):
    c = community
    c.year.closed_at = dt.datetime(2027, 6, 30, tzinfo=dt.UTC)
    c.year.save()
    with pytest.raises(ValidationError):
        _record(c, DAY, DAY)
    assert not TeacherAbsence.objects.exists()


def test_the_school_home_lists_lessons_needing_a_substitute(login, community: Community):
    c = community
    today = local_today(c.school.municipality.time_zone)
    lessons = [_lesson(c, number, today) for number in (1, 2, 3)]
    _record(c, today, today)
    lesson_substitute(actor=c.deputy, lesson=lessons[1], substitute=c.other_teacher, reason="")

    response = login(c.deputy).get(reverse("home:school_home", args=[c.school.pk]))

    assert response.context["today"].needing_substitute == [lessons[0], lessons[2]]
    assert response.context["today"].needing_substitute_count == 2
    body = response.content.decode()
    assert f"#lesson-{lessons[0].pk}" in body and f"#lesson-{lessons[1].pk}" not in body
    assert school_today(school=c.school).needing_substitute_count == 2
