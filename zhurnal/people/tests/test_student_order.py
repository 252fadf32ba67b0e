"""One order of students on every page that lists a class: the Ukrainian alphabet
(А Б В Г Ґ Д Е Є Ж З И І Ї Й К …) by surname, given name and patronymic, apostrophes and
hyphens ignored. Never the database's order: SQLite and a C-collated PostgreSQL compare code
points, which put Є, І, Ї before А and Ґ after Я."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.people.access import children_for_user
from zhurnal.people.models import Enrollment, Guardian, Relation, Sex, Student, StudentGuardian
from zhurnal.people.selectors import alphabetical_key, in_class_order, student_order_key
from zhurnal.schools.models import Subgroup
from zhurnal.timetable.models import Lesson, Period

KYIV = ZoneInfo("Europe/Kyiv")
# Monday 16 November 2026, noon in Kyiv: the I semester of the cast's year.
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=KYIV)

# Class 5-А as its class list reads: the cast's Гнатюк Андрій and Савчук Олена among them.
# «Мар'яненко» is written with a typewriter apostrophe, «Дем’яненко» with a typographic one;
# the two Шевченко differ by the given name only (by code point «Ігор» comes first).
EXPECTED = [
    "Андрієнко Олег",
    "Бондар Василь",
    "Гнатюк Андрій",
    "Ґудзь Тарас",
    "Дем’яненко Ірина",
    "Ерделі Габріелла",
    "Єременко Софія",
    "Іваненко Петро",
    "Їжакевич Марта",
    "Марченко Олена",
    "Мар'яненко Юлія",
    "Савчук Олена",
    "Шевченко Андрій",
    "Шевченко Ігор",
    "Ящук Богдан",
]
CAST = {"Гнатюк Андрій", "Савчук Олена"}


@pytest.fixture(autouse=True)
def school_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


@pytest.fixture
def class_list(community: Community) -> list[Student]:
    """5-А of EXPECTED, created backwards so that neither the id nor the database's order
    gives the class-list order."""
    for number, name in enumerate(reversed(EXPECTED)):
        if name in CAST:
            continue
        surname, given_name = name.split()
        student = Student.objects.create(
            municipality=community.municipality,
            surname=surname,
            given_name=given_name,
            birth_date=dt.date(2015, 1, 1) + dt.timedelta(days=number),
            sex=Sex.FEMALE,
        )
        Enrollment.objects.create(
            student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )
    return list(Student.objects.filter(enrollments__class_group=community.class_5a))


def names(students: list[Student]) -> list[str]:
    return [f"{student.surname} {student.given_name}" for student in students]


def short_names(expected: list[str]) -> list[str]:
    return [f"{name.split()[0]} {name.split()[1][0]}." for name in expected]


def _lesson(community: Community) -> Lesson:
    return Lesson.objects.create(
        assignment=community.math_5a,
        date=NOW.date(),
        period=Period.objects.get(year=community.year, number=1),
    )


# --- every page that lists the class ------------------------------------------------------


def lesson_page(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.teacher).get(reverse("journal:lesson", args=[_lesson(community).pk]))
    return names(response.context["page"].students)


def grid(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.teacher).get(
        reverse("journal:grid", args=[community.math_5a.pk]) + f"?term={community.term1.pk}"
    )
    return names([row.student for row in response.context["grid"].rows])


def class_page(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.class_teacher).get(
        reverse("people:class_home", args=[community.class_5a.pk])
    )
    return names([row.student for row in response.context["rows"]])


def codes_form(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.class_teacher).get(
        reverse("people:codes_issue", args=[community.class_5a.pk])
    )
    return names([row.student for row in response.context["rows"]])


def attendance(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.class_teacher).get(
        reverse("journal:classteacher_attendance", args=[community.class_5a.pk]) + "?period=term"
    )
    return names([row.student for row in response.context["summary"].rows])


def summary(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.class_teacher).get(
        reverse("journal:classteacher_summary", args=[community.class_5a.pk])
    )
    return names([row.student for row in response.context["sheet"].rows])


def excuses(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.class_teacher).get(
        reverse("journal:classteacher_excuses", args=[community.class_5a.pk])
    )
    return names(list(response.context["form"].students.values()))


def movement(community: Community, login: Callable[..., Client]) -> list[str]:
    response = login(community.school_admin).get(
        reverse("students:movement", args=[community.school.pk]) + f"?class={community.class_5a.pk}"
    )
    return names([row.student for row in response.context["overview"].class_rows])


def subgroup_members(community: Community, login: Callable[..., Client]) -> list[str]:
    Subgroup.objects.create(class_group=community.class_5a, subject=community.math, name="1 група")
    response = login(community.school_admin).get(
        reverse(
            "setup:setup_subgroups",
            args=[community.school.pk, community.year.pk, community.class_5a.pk],
        )
    )
    (_group, form), *_rest = response.context["groups"]
    shown = [label for _pk, label in form.fields["students"].choices]
    return [" ".join(full_name.split()[:2]) for full_name in shown]


PAGES = {
    "lesson": lesson_page,
    "grid": grid,
    "class": class_page,
    "codes": codes_form,
    "attendance": attendance,
    "summary": summary,
    "excuses": excuses,
    "movement": movement,
    "subgroup_members": subgroup_members,
}


@pytest.mark.parametrize("page", PAGES)
def test_page_lists_the_class_in_ukrainian_alphabetical_order(
    community: Community, login: Callable[..., Client], class_list: list[Student], page: str
) -> None:
    assert PAGES[page](community, login) == EXPECTED


def test_lesson_page_and_grid_number_every_student_alike(
    community: Community, login: Callable[..., Client], class_list: list[Student]
) -> None:
    lesson = _lesson(community)
    client = login(community.teacher)
    page = client.get(reverse("journal:lesson", args=[lesson.pk])).context["page"]
    grid = client.get(reverse("journal:grid", args=[community.math_5a.pk])).context["grid"]

    on_lesson = [(row.number, row.student.pk) for row in page.rows]
    on_grid = [(row.number, row.student.pk) for row in grid.rows]
    assert on_lesson == on_grid
    assert len(on_lesson) == len(EXPECTED)


def test_slips_come_in_class_list_order(
    community: Community, login: Callable[..., Client], class_list: list[Student]
) -> None:
    # chosen backwards: the slips still follow the class list
    chosen = [student.pk for student in reversed(in_class_order(class_list))]
    response = login(community.class_teacher).post(
        reverse("people:codes_issue", args=[community.class_5a.pk]),
        {"students": chosen, "for_whom": "both"},
    )
    assert response.status_code == 200
    slips = [slip.issued.student for slip in response.context["slips"]]
    in_slips = list(dict.fromkeys(names(slips)))
    # Гнатюк Андрій and his guardian both have logins: no slip for him
    assert in_slips == [name for name in EXPECTED if name != "Гнатюк Андрій"]


def test_attendance_and_summary_spreadsheets_follow_the_class_list(
    community: Community, login: Callable[..., Client], class_list: list[Student]
) -> None:
    client = login(community.class_teacher)
    attendance_xlsx = client.get(
        reverse("journal:classteacher_attendance_xlsx", args=[community.class_5a.pk])
        + "?period=term"
    )
    summary_xlsx = client.get(
        reverse("journal:classteacher_summary_xlsx", args=[community.class_5a.pk])
    )
    expected = short_names(EXPECTED)
    for response in (attendance_xlsx, summary_xlsx):
        sheet = load_workbook(io.BytesIO(response.content)).active
        listed = [
            # the cast's students have a patronymic: «Гнатюк А. П.»
            " ".join(row[1].split()[:2])
            for row in sheet.iter_rows(values_only=True)
            if isinstance(row[0], int)
        ]
        assert listed == expected


def test_diary_child_switcher_lists_children_in_alphabetical_order(
    community: Community, login: Callable[..., Client]
) -> None:
    guardian = Guardian.objects.get(user=community.guardian)
    for given_name in ("Ігор", "Андрій"):
        child = Student.objects.create(
            municipality=community.municipality,
            surname="Гнатюк",
            given_name=given_name,
            patronymic="Петрович",
            birth_date=dt.date(2017, 4, 1),
            sex=Sex.MALE,
        )
        StudentGuardian.objects.create(student=child, guardian=guardian, relation=Relation.FATHER)

    response = login(community.guardian).get(
        reverse("diary:child_week", args=[community.student.pk])
    )

    children = response.context["children"]
    assert [child.given_name for child in children] == ["Андрій", "Андрій", "Ігор"]
    assert children[0].pk == community.student.pk  # namesakes: the elder first
    assert children == children_for_user(community.guardian)


# --- the key ----------------------------------------------------------------------------


def test_key_orders_by_the_ukrainian_alphabet() -> None:
    names = ["Іваненко", "Яковенко", "Гнатюк", "Ґудзь", "Єрмак", "Євтушенко", "Дяченко", "Їжак"]
    names += ["Ейсмонт", "Йосипенко", "Иванків", "Кравець", "Щербак", "Юрченко"]

    assert sorted(names, key=alphabetical_key) == [
        "Гнатюк",
        "Ґудзь",
        "Дяченко",
        "Ейсмонт",
        "Євтушенко",
        "Єрмак",
        "Иванків",
        "Іваненко",
        "Їжак",
        "Йосипенко",
        "Кравець",
        "Щербак",
        "Юрченко",
        "Яковенко",
    ]


def test_key_ignores_case_apostrophes_and_hyphens() -> None:
    assert alphabetical_key("ГНАТЮК") == alphabetical_key("гнатюк") == alphabetical_key("Гнатюк")
    spellings = ["Мар'яненко", "Мар’яненко", "Марʼяненко", "Маряненко"]
    assert len({alphabetical_key(name) for name in spellings}) == 1
    assert sorted(["Мар’яненко", "Марченко", "Марчук"], key=alphabetical_key) == [
        "Марченко",
        "Марчук",
        "Мар’яненко",
    ]
    # a double surname sorts as one word
    assert sorted(["Петренко-Іваненко", "Петренкова"], key=alphabetical_key) == [
        "Петренкова",
        "Петренко-Іваненко",
    ]
    # decomposed letters (й as и + breve, ї as і + diaeresis) sort as the letters themselves
    assert alphabetical_key("Йосип") == alphabetical_key("И\u0306осип")
    assert alphabetical_key("Їжак") == alphabetical_key("І\u0308жак")


def test_key_orders_russian_names_by_the_russian_alphabet() -> None:
    """Schools of the Russian profile: the same key holds the Russian alphabet
    (… Е Ё Ж З И Й … Щ Ъ Ы Ь Э Ю Я)."""
    names = ["Ёлкин", "Елисеев", "Жуков", "Эрдман", "Ефимов", "Юдин", "Йорданов", "Иванов"]
    names += ["Щукин", "Яковлев", "Ершов", "Объедков", "Обухов", "Обьячев"]

    assert sorted(names, key=alphabetical_key) == [
        "Елисеев",
        "Ершов",
        "Ефимов",
        "Ёлкин",
        "Жуков",
        "Иванов",
        "Йорданов",
        "Обухов",
        "Объедков",
        "Обьячев",
        "Щукин",
        "Эрдман",
        "Юдин",
        "Яковлев",
    ]
    assert sorted(["Семёнов", "Семенов", "Семжин"], key=alphabetical_key) == [
        "Семенов",
        "Семёнов",
        "Семжин",
    ]


def test_namesakes_keep_one_order_by_birth_date_then_id() -> None:
    def pupil(pk: int, born: dt.date, given_name: str = "Олена") -> Student:
        return Student(pk=pk, surname="Коваль", given_name=given_name, birth_date=born)

    younger = pupil(1, dt.date(2015, 9, 1))
    elder = pupil(2, dt.date(2015, 3, 1))
    twin = pupil(3, dt.date(2015, 3, 1))
    ihor = pupil(4, dt.date(2014, 1, 1), "Ігор")

    # І before О: Ігор first whatever his birth date
    assert in_class_order([twin, younger, ihor, elder]) == [ihor, elder, twin, younger]
    assert student_order_key(elder) < student_order_key(twin)


def test_rows_that_carry_a_student_are_sorted_by_it(community: Community) -> None:
    enrollments = list(Enrollment.objects.filter(class_group=community.class_5a).order_by("-pk"))

    ordered = in_class_order(enrollments, student=lambda enrollment: enrollment.student)

    assert [e.student.surname for e in ordered] == ["Гнатюк", "Савчук"]
