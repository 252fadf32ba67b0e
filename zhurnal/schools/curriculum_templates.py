"""Typical weekly curricula (типові освітні програми) to start a school's plan from.

The names are data in Ukrainian, as the curriculum documents print them; a school edits
them afterwards. Sources: /work/shared/reference/ukrainian-school-data.md (MON orders 1272
and 1273 of 2019 for grades 1–4, 235 of 2021 for grades 5–9, 405 and 408 of 2018 for
grades 9 and 10).
"""

from __future__ import annotations

from decimal import Decimal

# (subject, weekly hours, split into groups)
CurriculumRow = tuple[str, Decimal, bool]

PHYSICAL_EDUCATION = "Фізична культура"


def _rows(*items: tuple[str, str, bool]) -> list[CurriculumRow]:
    return [(name, Decimal(hours), split) for name, hours, split in items]


def _primary(grade: int) -> list[CurriculumRow]:
    rows = _rows(
        ("Українська мова та читання", "7", False),
        ("Математика", "4", False),
        ("Я досліджую світ", "3", False),
        ("Іноземна мова", "2" if grade <= 2 else "3", True),
        ("Дизайн і технології", "1", False),
    )
    if grade >= 3:
        rows += _rows(("Інформатика", "1", True))
    rows += _rows(("Мистецтво", "2", False), (PHYSICAL_EDUCATION, "3", False))
    return rows


_GRADE_5 = _rows(
    ("Українська мова", "4", False),
    ("Українська література", "2", False),
    ("Зарубіжна література", "1", False),
    ("Англійська мова", "4", True),
    ("Математика", "5", False),
    ("Пізнаємо природу", "2", False),
    ("Здоров’я, безпека та добробут", "1", False),
    ("Етика", "0.5", False),
    ("Вступ до історії України та громадянської освіти", "1", False),
    ("Технології", "2", True),
    ("Інформатика", "1.5", True),
    ("Музичне мистецтво", "1", False),
    ("Образотворче мистецтво", "1", False),
    (PHYSICAL_EDUCATION, "3", False),
    ("STEM", "1", False),
)

_GRADE_9 = _rows(
    ("Українська мова", "2", False),
    ("Українська література", "2", False),
    ("Іноземна мова", "2", True),
    ("Зарубіжна література", "2", False),
    ("Історія України", "1.5", False),
    ("Всесвітня історія", "1", False),
    ("Основи правознавства", "1", False),
    ("Мистецтво", "1", False),
    ("Алгебра", "2", False),
    ("Геометрія", "2", False),
    ("Біологія", "2", False),
    ("Географія", "1.5", False),
    ("Фізика", "3", False),
    ("Хімія", "3", False),
    ("Трудове навчання", "1", True),
    ("Інформатика", "1", True),
    ("Основи здоров’я", "1", False),
    (PHYSICAL_EDUCATION, "3", False),
)

_GRADE_10 = _rows(
    ("Українська мова", "2", False),
    ("Українська література", "2", False),
    ("Зарубіжна література", "1", False),
    ("Англійська мова", "2", True),
    ("Історія України", "1.5", False),
    ("Всесвітня історія", "1", False),
    ("Громадянська освіта", "2", False),
    ("Математика (алгебра і початки аналізу, геометрія)", "3", False),
    ("Біологія і екологія", "2", False),
    ("Географія", "1.5", False),
    ("Фізика і астрономія", "3", False),
    ("Хімія", "1.5", False),
    (PHYSICAL_EDUCATION, "3", False),
    ("Захист України", "1.5", False),
    ("Інформатика", "2", True),
    ("Мистецтво", "1", False),
)


def curriculum_for_grade(grade: int) -> list[tuple[str, Decimal, bool]]:
    """The typical weekly plan of a grade: (subject name, hours per week, split into groups).

    Grades 1–4 follow the New Ukrainian School primary programme, 5–8 the grade 5 plan,
    9 its own plan, 10 and above the grade 10 plan.
    """
    if grade < 1 or grade > 12:
        raise ValueError(f"grade out of range: {grade}")
    if grade <= 4:
        return _primary(grade)
    if grade <= 8:
        return list(_GRADE_5)
    if grade == 9:
        return list(_GRADE_9)
    return list(_GRADE_10)


def is_physical_education(subject_name: str) -> bool:
    return subject_name == PHYSICAL_EDUCATION


# Subjects that set no homework as a rule (the arts, physical education, labour training);
# the school may change it per subject in its set-up.
WITHOUT_HOMEWORK = frozenset(
    {
        "Мистецтво",
        "Музичне мистецтво",
        "Образотворче мистецтво",
        PHYSICAL_EDUCATION,
        "Трудове навчання",
        "Технології",
    }
)


def homework_expected_by_default(subject_name: str) -> bool:
    """Whether a new subject of this name expects homework, until the school decides."""
    return subject_name.strip().casefold() not in {name.casefold() for name in WITHOUT_HOMEWORK}
