from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.diary.models import DiaryVisit
from zhurnal.journal.models import Attendance, HomeworkFile, Mark
from zhurnal.people.models import Enrollment, Relation, Sex, Student, StudentGuardian
from zhurnal.schools.models import TermMarkMethod
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path: Path, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def lesson(
    community: Community,
    day: dt.date,
    number: int = 1,
    *,
    assignment: TeachingAssignment | None = None,
    topic: str = "Натуральні числа",
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        topic=topic,
        homework="§ 1, № 5",
    )


def mark(
    community: Community,
    student: Student,
    value: str,
    *,
    on: Lesson | None = None,
    kind: str = "current",
    numeric: Decimal | None = None,
    **extra: object,
) -> Mark:
    return Mark.objects.create(
        assignment=community.math_5a,
        lesson=on,
        student=student,
        kind=kind,
        value=value,
        numeric_value=numeric if numeric is not None or not value.isdigit() else Decimal(value),
        created_by=community.teacher,
        **extra,
    )


def second_child(community: Community) -> Student:
    """A second child of `guardian`, in 5-Б."""
    child = Student.objects.create(
        municipality=community.municipality,
        surname="Гнатюк",
        given_name="Марія",
        birth_date=dt.date(2016, 5, 1),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(
        student=child, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
    )
    StudentGuardian.objects.create(
        student=child, guardian=community.guardian_record, relation=Relation.FATHER
    )
    return child


# --- two children, one guardian ------------------------------------------------------------


def test_guardian_of_two_children_switches_between_them(
    client: Client, community: Community
) -> None:
    maria = second_child(community)
    first = lesson(community, MONDAY)
    mark(community, community.student, "10", on=first)
    mark(community, maria, "7", on=first)
    client.force_login(community.guardian)

    family = client.get("/family/")
    assert family.status_code == 200
    assert "Марія" in family.content.decode() and "Андрій" in family.content.decode()

    andrii = client.get(f"/diary/{community.student.pk}/marks/?term={community.term1.pk}")
    body = andrii.content.decode()
    assert andrii.status_code == 200
    assert f'href="/diary/{maria.pk}/marks/"' in body  # the switcher keeps the page
    assert "<strong>10</strong>" not in body or "10" in body
    assert ">10<" in body and ">7<" not in body

    body = client.get(f"/diary/{maria.pk}/marks/?term={community.term1.pk}").content.decode()
    assert ">7<" in body and ">10<" not in body
    week = client.get(f"/family/child/{maria.pk}/?week=2026-11-16").content.decode()
    assert f'href="/family/child/{community.student.pk}/"' in week
    assert "<strong>7</strong>" in week and "<strong>10</strong>" not in week


@pytest.mark.parametrize("who", ["other_guardian", "outsider", "teacher", "class_teacher"])
def test_others_get_404_for_a_childs_pages_files_and_feeds(
    client: Client, community: Community, who: str
) -> None:
    first = lesson(community, MONDAY)
    attachment = _attach(community, first)
    client.force_login(getattr(community, who))
    pk = community.student.pk
    for url in (
        f"/family/child/{pk}/",
        f"/diary/{pk}/marks/",
        f"/diary/{pk}/calendar/",
        f"/diary/{pk}/files/{attachment.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/diary/{pk}/calendar/", {"action": "create"}).status_code == 404
    assert not community.student.calendar_feeds.exists()
    assert not DiaryVisit.objects.filter(student=community.student).exists()


def test_anonymous_is_sent_to_login(client: Client, community: Community) -> None:
    response = client.get(f"/diary/{community.student.pk}/marks/")
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- homework files ------------------------------------------------------------------------


def _attach(community: Community, on: Lesson, name: str = "task.pdf") -> HomeworkFile:
    attachment = HomeworkFile(lesson=on, original_name=name, size=9, uploaded_by=community.teacher)
    attachment.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


def test_guardian_downloads_a_homework_file_of_the_childs_lesson(
    client: Client, community: Community
) -> None:
    attachment = _attach(community, lesson(community, MONDAY))
    client.force_login(community.guardian)
    week = client.get(f"/family/child/{community.student.pk}/?week=2026-11-16").content.decode()
    url = f"/diary/{community.student.pk}/files/{attachment.pk}/"
    assert url in week and "task.pdf" in week
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"  # type: ignore[attr-defined]
    assert "task.pdf" in response["Content-Disposition"]


def test_file_of_a_lesson_that_is_not_the_childs_is_404(
    client: Client, community: Community
) -> None:
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(5),
    )
    attachment = _attach(community, lesson(community, MONDAY, assignment=math_5b))
    client.force_login(community.guardian)
    assert client.get(f"/diary/{community.student.pk}/files/{attachment.pk}/").status_code == 404
    client.force_login(community.student_user)
    assert client.get(f"/diary/{community.student.pk}/files/{attachment.pk}/").status_code == 404


# --- new since the last visit --------------------------------------------------------------


def _age_visit(user: User, student: Student, hours: int) -> None:
    earlier = timezone.now() - dt.timedelta(hours=hours)
    DiaryVisit.objects.filter(user=user, student=student).update(last_seen_at=earlier)


def test_marks_and_absences_after_the_previous_visit_are_highlighted(
    client: Client, community: Community
) -> None:
    first = lesson(community, MONDAY)
    second = lesson(community, MONDAY, 2, assignment=community.ukrainian_5a)
    old = mark(community, community.student, "8", on=first)
    Mark.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=6))
    client.force_login(community.guardian)
    url = f"/family/child/{community.student.pk}/?week=2026-11-16"
    body = client.get(url).content.decode()
    assert "is-new" not in body  # the first visit: nothing is "new"
    visit = DiaryVisit.objects.get(user=community.guardian, student=community.student)
    assert visit.previous_seen_at is None

    _age_visit(community.guardian, community.student, hours=5)
    mark(community, community.student, "11", on=first)
    Attendance.objects.create(
        lesson=second, student=community.student, status="absent", recorded_by=community.teacher
    )
    body = client.get(url).content.decode()
    assert body.count('class="is-new"') == 1  # the mark 11, not the 8
    assert "diary-attendance is-new" in body
    assert "1 new mark since your last visit" in body
    visit.refresh_from_db()
    assert visit.previous_seen_at is not None

    # Looking at the marks page right after keeps the same "new".
    marks_page = client.get(f"/diary/{community.student.pk}/marks/").content.decode()
    assert 'class="is-new"' in marks_page

    # A later visit no longer calls them new.
    three_hours_ago = timezone.now() - dt.timedelta(hours=3)
    Mark.objects.update(created_at=three_hours_ago)
    Attendance.objects.update(created_at=three_hours_ago)
    _age_visit(community.guardian, community.student, hours=1)
    assert "is-new" not in client.get(url).content.decode()


def test_visits_are_kept_per_user(client: Client, community: Community) -> None:
    client.force_login(community.student_user)
    client.get("/diary/")
    client.force_login(community.guardian)
    client.get(f"/family/child/{community.student.pk}/")
    assert DiaryVisit.objects.filter(student=community.student).count() == 2


# --- marks by subject ----------------------------------------------------------------------


def test_marks_page_shows_average_and_how_the_term_mark_was_formed(
    client: Client, community: Community
) -> None:
    first = lesson(community, dt.date(2026, 11, 16))
    second = lesson(community, dt.date(2026, 11, 17))
    mark(community, community.student, "10", on=second, kind="test")
    mark(community, community.student, "8", on=first)
    mark(community, community.student, "зв.", on=first, kind="oral")
    mark(community, community.student, "9", kind="thematic", term=community.term1, theme_number=1)
    mark(community, community.student, "10", kind="thematic", term=community.term1, theme_number=2)
    mark(community, community.student, "9", kind="term", term=community.term1)
    mark(community, community.other_student, "3", on=first)

    client.force_login(community.student_user)
    response = client.get(f"/diary/{community.student.pk}/marks/?term={community.term1.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Математика" in body and "Українська мова" in body
    assert "<strong>9.00</strong>" in body  # (8 + 10) / 2; «зв.» is not counted
    assert body.index("16.11.2026") < body.index("17.11.2026")  # date order
    assert "<details" in body and "mean of the thematic marks" in body
    assert "The journal suggested 10 (9.50)" in body
    assert "the teacher decided" in body
    assert ">3<" not in body  # another child's mark


def test_annual_mark_explains_that_the_corrected_term_mark_was_used(
    client: Client, community: Community
) -> None:
    community.school.term_mark_method = TermMarkMethod.WEIGHTED_MEAN
    community.school.save()
    mark(community, community.student, "7", kind="term", term=community.term1)
    mark(
        community,
        community.student,
        "9",
        kind="corrected",
        term=community.term1,
        requested_on=dt.date(2027, 1, 10),
        requested_by="Гнатюк П.",
    )
    mark(community, community.student, "11", kind="term", term=community.term2)
    mark(community, community.student, "10", kind="annual")
    client.force_login(community.guardian)
    body = client.get(
        f"/diary/{community.student.pk}/marks/?term={community.term2.pk}"
    ).content.decode()
    assert "Annual mark" in body
    assert "The journal suggested 10 (10.00)" in body  # (9 corrected + 11) / 2
    assert "The mark is the same as the suggestion." in body
    assert "corrected" in body


@pytest.mark.parametrize("count", [2, 20])
def test_marks_page_query_count_is_fixed(
    client: Client, community: Community, count: int, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        day = MONDAY - dt.timedelta(days=index // 3 * 7)
        item = lesson(community, day, index % 3 + 1)
        mark(community, community.student, str(index % 12 + 1), on=item)
    mark(community, community.student, "9", kind="thematic", term=community.term1, theme_number=1)
    mark(community, community.student, "9", kind="term", term=community.term1)
    mark(community, community.student, "9", kind="annual")
    client.force_login(community.guardian)
    with django_assert_max_num_queries(16):
        response = client.get(f"/diary/{community.student.pk}/marks/?term={community.term1.pk}")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_week_query_count_is_fixed(
    client: Client,
    community: Community,
    count: int,
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        assignment = community.math_5a if index < 10 else community.ukrainian_5a
        item = lesson(
            community,
            MONDAY + dt.timedelta(days=index % 5),
            index // 5 % 3 + 1,
            assignment=assignment,
        )
        mark(community, community.student, "10", on=item)
        _attach(community, item, f"task{index}.pdf")
    client.force_login(community.guardian)
    client.get(f"/family/child/{community.student.pk}/")
    _age_visit(community.guardian, community.student, hours=2)
    # 20: one query for the week's remarks, whatever the number of lessons, and one for the
    # read versions that key the cache (a miss here: the visit moved `since`)
    with django_assert_max_num_queries(20):
        response = client.get(f"/family/child/{community.student.pk}/?week=2026-11-16")
    assert response.status_code == 200
