"""The fixed cast of test users and a small community they live in: plain builders that
any test module imports (`from tests.cast import Community`); the fixtures that hand them
to tests are in the root `conftest.py`.

School A (lyceum): class 5-А (class teacher `class_teacher`, students Андрій and
Олена, guardian `guardian` of Андрій, `other_guardian` of Олена), class 5-Б.
`teacher` teaches Математика in 5-А; `other_teacher` teaches Українська мова in 5-А.
School B has its own administrator. `department` sees the municipality; `outsider`
has a login and no role at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from zhurnal.accounts.models import User
from zhurnal.people.models import (
    Enrollment,
    Guardian,
    Relation,
    Role,
    RoleAssignment,
    Sex,
    StaffMember,
    Student,
    StudentGuardian,
)
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    Holiday,
    Municipality,
    School,
    SchoolKind,
    Subject,
    Term,
)
from zhurnal.timetable.models import Period, TeachingAssignment

PASSWORD = "correct-horse-42"


@dataclass
class Community:
    municipality: Municipality
    school: School
    other_school: School
    year: AcademicYear
    other_year: AcademicYear
    term1: Term
    term2: Term
    class_5a: ClassGroup
    class_5b: ClassGroup
    other_school_class: ClassGroup
    math: Subject
    ukrainian: Subject
    math_5a: TeachingAssignment
    ukrainian_5a: TeachingAssignment
    student: Student
    other_student: Student
    student_5b: Student
    guardian_record: Guardian
    other_guardian_record: Guardian
    teacher: User
    other_teacher: User
    class_teacher: User
    guardian: User
    other_guardian: User
    student_user: User
    department: User
    school_admin: User
    other_school_admin: User
    director: User
    deputy: User
    outsider: User


def make_user(username: str, surname: str, given: str, **extra: object) -> User:
    user = User(username=username, last_name=surname, first_name=given, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_staff(school: School, username: str, surname: str, given: str, *roles: str) -> User:
    user = make_user(username, surname, given, email=f"{username}@school.test")
    StaffMember.objects.create(user=user, school=school, position="вчитель")
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role, school=school)
    return user


def build_community() -> Community:
    municipality = Municipality.objects.create(name="Тестова громада")
    school = School.objects.create(
        municipality=municipality,
        name="Ліцей № 1",
        short_name="Ліцей № 1",
        code="100001",
        kind=SchoolKind.GENERAL,
        grade_min=1,
        grade_max=11,
    )
    other_school = School.objects.create(
        municipality=municipality,
        name="Гімназія № 2",
        short_name="Гімназія № 2",
        code="100002",
        kind=SchoolKind.GYMNASIUM,
        grade_min=5,
        grade_max=9,
    )
    year = AcademicYear.objects.create(
        school=school, name="2026/2027", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 6, 30)
    )
    other_year = AcademicYear.objects.create(
        school=other_school,
        name="2026/2027",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    term1 = Term.objects.create(
        year=year,
        number=1,
        name="І семестр",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 24),
    )
    term2 = Term.objects.create(
        year=year,
        number=2,
        name="ІІ семестр",
        starts_on=dt.date(2027, 1, 12),
        ends_on=dt.date(2027, 5, 30),
    )
    Holiday.objects.create(
        year=year,
        name="Осінні канікули",
        starts_on=dt.date(2026, 10, 26),
        ends_on=dt.date(2026, 11, 1),
    )
    for number, (start, end) in enumerate(
        [("08:30", "09:15"), ("09:25", "10:10"), ("10:25", "11:10")], 1
    ):
        Period.objects.create(
            year=year,
            number=number,
            starts_at=dt.time.fromisoformat(start),
            ends_at=dt.time.fromisoformat(end),
        )

    teacher = make_staff(school, "teacher", "Коваленко", "Ірина", Role.TEACHER)
    other_teacher = make_staff(school, "other_teacher", "Бондар", "Петро", Role.TEACHER)
    class_teacher = make_staff(school, "class_teacher", "Мельник", "Оксана", Role.TEACHER)
    school_admin = make_staff(school, "school_admin", "Ткаченко", "Олег", Role.SCHOOL_ADMIN)
    other_school_admin = make_staff(
        other_school, "other_school_admin", "Кравченко", "Віра", Role.SCHOOL_ADMIN
    )
    director = make_staff(school, "director", "Шевчук", "Галина", Role.DIRECTOR)
    deputy = make_staff(school, "deputy", "Поліщук", "Марія", Role.DEPUTY, Role.TEACHER)
    department = make_user("department", "Литвиненко", "Алла", email="department@gromada.test")
    RoleAssignment.objects.create(user=department, role=Role.DEPARTMENT, municipality=municipality)
    outsider = make_user("outsider", "Сторонній", "Іван")

    class_5a = ClassGroup.objects.create(
        year=year, grade=5, letter="А", class_teacher=class_teacher
    )
    class_5b = ClassGroup.objects.create(year=year, grade=5, letter="Б")
    other_school_class = ClassGroup.objects.create(year=other_year, grade=5, letter="А")
    math = Subject.objects.create(school=school, name="Математика")
    ukrainian = Subject.objects.create(school=school, name="Українська мова")
    math_5a = TeachingAssignment.objects.create(
        year=year, teacher=teacher, subject=math, class_group=class_5a, hours_per_week=Decimal(5)
    )
    ukrainian_5a = TeachingAssignment.objects.create(
        year=year,
        teacher=other_teacher,
        subject=ukrainian,
        class_group=class_5a,
        hours_per_week=Decimal(4),
    )

    student_user = make_user("student", "Гнатюк", "Андрій")
    student = Student.objects.create(
        municipality=municipality,
        surname="Гнатюк",
        given_name="Андрій",
        patronymic="Петрович",
        birth_date=dt.date(2015, 3, 14),
        sex=Sex.MALE,
        user=student_user,
    )
    other_student = Student.objects.create(
        municipality=municipality,
        surname="Савчук",
        given_name="Олена",
        patronymic="Ігорівна",
        birth_date=dt.date(2015, 7, 2),
        sex=Sex.FEMALE,
    )
    student_5b = Student.objects.create(
        municipality=municipality,
        surname="Лисенко",
        given_name="Богдан",
        birth_date=dt.date(2015, 1, 20),
        sex=Sex.MALE,
    )
    for pupil, group in ((student, class_5a), (other_student, class_5a), (student_5b, class_5b)):
        Enrollment.objects.create(student=pupil, class_group=group, starts_on=dt.date(2026, 9, 1))

    guardian = make_user("guardian", "Гнатюк", "Петро", email="guardian@family.test")
    guardian_record = Guardian.objects.create(
        municipality=municipality,
        surname="Гнатюк",
        given_name="Петро",
        user=guardian,
        email="guardian@family.test",
    )
    StudentGuardian.objects.create(
        student=student, guardian=guardian_record, relation=Relation.FATHER
    )
    other_guardian = make_user("other_guardian", "Савчук", "Ігор")
    other_guardian_record = Guardian.objects.create(
        municipality=municipality, surname="Савчук", given_name="Ігор", user=other_guardian
    )
    StudentGuardian.objects.create(
        student=other_student, guardian=other_guardian_record, relation=Relation.FATHER
    )
    return Community(
        municipality=municipality,
        school=school,
        other_school=other_school,
        year=year,
        other_year=other_year,
        term1=term1,
        term2=term2,
        class_5a=class_5a,
        class_5b=class_5b,
        other_school_class=other_school_class,
        math=math,
        ukrainian=ukrainian,
        math_5a=math_5a,
        ukrainian_5a=ukrainian_5a,
        student=student,
        other_student=other_student,
        student_5b=student_5b,
        guardian_record=guardian_record,
        other_guardian_record=other_guardian_record,
        teacher=teacher,
        other_teacher=other_teacher,
        class_teacher=class_teacher,
        guardian=guardian,
        other_guardian=other_guardian,
        student_user=student_user,
        department=department,
        school_admin=school_admin,
        other_school_admin=other_school_admin,
        director=director,
        deputy=deputy,
        outsider=outsider,
    )
