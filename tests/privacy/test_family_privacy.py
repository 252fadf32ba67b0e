"""A student or guardian never receives another student's data (issue 4, point 5).

Hypothesis builds small random communities; every page of the URL configuration and every
path of the API's OpenAPI description is requested by a student or a guardian, with the
ids of their own children and of everyone else's. Each student carries a unique marker
token (in the surname, mark comments and absence reasons), so a leak shows up as a marker
of someone else's child anywhere in a response body."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.privacy.routes import Route, api_routes, web_routes
from zhurnal.accounts.models import User
from zhurnal.api.services import token_create
from zhurnal.diary.models import CalendarFeed
from zhurnal.journal.models import Attendance, HomeworkFile, Mark
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
    Municipality,
    School,
    SchoolKind,
    Subject,
    Term,
)
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

SURNAMES = ["Коваленко", "Шевчук", "Бондаренко", "Ткачук", "Олійник", "Кравець", "Гончар"]
GIVEN_NAMES = ["Андрій", "Олена", "Богдан", "Соломія", "Тарас", "Ярина", "Остап", "Зоряна"]
# "ZQ" never occurs inside a marker's tail, so a marker is found only where it was put.
MARKER_TAIL = "BCDFGHJKLMNPRSTVWX"
MARKER = re.compile(r"ZQ[" + MARKER_TAIL + "]{4}")
TERM_START, TERM_END = dt.date(2026, 9, 1), dt.date(2026, 12, 24)
SCHOOL_DAYS = st.dates(TERM_START, TERM_END).filter(lambda day: day.weekday() < 5)
BOGUS_TOKEN = "no-such-token-" + "x" * 40


@dataclass(frozen=True)
class Plan:
    """What hypothesis draws: the shape of a community and who looks at it."""

    schools: int
    class_schools: tuple[int, ...]  # the school of each class
    pupils: tuple[tuple[int, str, str, str, bool], ...]  # class, surname, given, marker, login
    families: tuple[tuple[int, ...], ...]  # the children of each guardian
    lesson_days: tuple[tuple[dt.date, ...], ...]  # per class
    viewer: tuple[str, int]  # ("student", pupil index) or ("guardian", family index)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    schools = draw(st.integers(1, 2))
    class_schools = tuple(draw(st.lists(st.integers(0, schools - 1), min_size=1, max_size=3)))
    sizes = [draw(st.integers(2, 5)) for _ in class_schools]
    total = sum(sizes)
    markers = draw(
        st.lists(
            st.text(MARKER_TAIL, min_size=4, max_size=4),
            min_size=total,
            max_size=total,
            unique=True,
        )
    )
    classes = [index for index, size in enumerate(sizes) for _ in range(size)]
    pupils = tuple(
        (
            class_index,
            draw(st.sampled_from(SURNAMES)),
            draw(st.sampled_from(GIVEN_NAMES)),
            "ZQ" + marker,
            draw(st.booleans()),
        )
        for class_index, marker in zip(classes, markers, strict=True)
    )
    families = tuple(
        tuple(draw(st.lists(st.integers(0, total - 1), min_size=1, max_size=2, unique=True)))
        for _ in range(draw(st.integers(1, 3)))
    )
    lesson_days = tuple(
        tuple(draw(st.lists(SCHOOL_DAYS, min_size=1, max_size=3, unique=True)))
        for _ in class_schools
    )
    viewers = [("student", index) for index, pupil in enumerate(pupils) if pupil[4]]
    viewers += [("guardian", index) for index in range(len(families))]
    viewer = draw(st.sampled_from(viewers))
    return Plan(schools, class_schools, pupils, families, lesson_days, viewer)


@dataclass
class Built:
    viewer: User
    own: set[int]  # the viewer's students: themself, or their children
    students: dict[int, str] = field(default_factory=dict)  # id -> marker
    pools: dict[str, list[object]] = field(default_factory=dict)
    query: str = ""


def _user(username: str, surname: str, given: str) -> User:
    # The password is never checked (the client logs in with force_login); an unusable
    # hash keeps building fast.
    user = User(username=username, last_name=surname, first_name=given)
    user.set_unusable_password()
    user.save()
    return user


def build(plan: Plan) -> Built:
    """The community of the plan, written straight through the ORM."""
    municipality = Municipality.objects.create(name="Громада")
    teacher = _user("teacher", "Мельник", "Оксана")
    schools, years, terms, subjects = [], [], [], []
    for number in range(plan.schools):
        school = School.objects.create(
            municipality=municipality,
            name=f"Ліцей № {number + 1}",
            short_name=f"Ліцей № {number + 1}",
            code=f"20000{number}",
            kind=SchoolKind.GENERAL,
            grade_min=1,
            grade_max=11,
        )
        StaffMember.objects.create(user=teacher, school=school, position="вчитель")
        RoleAssignment.objects.create(user=teacher, role=Role.TEACHER, school=school)
        year = AcademicYear.objects.create(
            school=school, name="2026/2027", starts_on=TERM_START, ends_on=dt.date(2027, 6, 30)
        )
        terms.append(
            Term.objects.create(
                year=year, number=1, name="І семестр", starts_on=TERM_START, ends_on=TERM_END
            )
        )
        Term.objects.create(
            year=year,
            number=2,
            name="ІІ семестр",
            starts_on=dt.date(2027, 1, 12),
            ends_on=dt.date(2027, 5, 30),
        )
        Period.objects.create(year=year, number=1, starts_at=dt.time(8, 30), ends_at=dt.time(9, 15))
        subjects.append(Subject.objects.create(school=school, name="Математика"))
        schools.append(school)
        years.append(year)

    classes, assignments, lessons, files = [], [], [], []
    for index, school_index in enumerate(plan.class_schools):
        year = years[school_index]
        class_group = ClassGroup.objects.create(
            year=year, grade=5 + index, letter="А", class_teacher=teacher
        )
        assignment = TeachingAssignment.objects.create(
            year=year,
            teacher=teacher,
            subject=subjects[school_index],
            class_group=class_group,
            hours_per_week=Decimal(4),
        )
        for day in plan.lesson_days[index]:
            lesson = Lesson.objects.create(
                assignment=assignment,
                date=day,
                period=year.periods.get(number=1),
                topic="Дроби",
                homework="§ 3, № 7",
            )
            lessons.append(lesson)
        files.append(
            HomeworkFile.objects.create(
                lesson=lessons[-1],
                file=ContentFile(b"homework", name="homework.txt"),
                original_name="homework.txt",
                size=8,
                uploaded_by=teacher,
            )
        )
        classes.append(class_group)
        assignments.append(assignment)

    students: list[Student] = []
    markers: dict[int, str] = {}
    marks = []
    for number, (class_index, surname, given_name, marker, login) in enumerate(plan.pupils):
        student = Student.objects.create(
            municipality=municipality,
            surname=f"{surname}-{marker}",
            given_name=given_name,
            patronymic=marker,
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.FEMALE,
            address=f"вул. Садова, {marker}",
            user=_user(f"student{number}", surname, given_name) if login else None,
        )
        class_group = classes[class_index]
        Enrollment.objects.create(student=student, class_group=class_group, starts_on=TERM_START)
        assignment = assignments[class_index]
        for lesson in (item for item in lessons if item.assignment_id == assignment.pk):
            marks.append(
                Mark.objects.create(
                    assignment=assignment,
                    lesson=lesson,
                    student=student,
                    kind="current",
                    value="10",
                    numeric_value=Decimal(10),
                    comment=f"Молодець, {marker}",
                    created_by=teacher,
                )
            )
            Attendance.objects.create(
                lesson=lesson,
                student=student,
                status="absent",
                excuse_reason=f"Хворів {marker}",
                recorded_by=teacher,
            )
        Mark.objects.create(
            assignment=assignment,
            term=terms[plan.class_schools[class_index]],
            student=student,
            kind="term",
            value="10",
            numeric_value=Decimal(10),
            comment=f"Семестрова {marker}",
            created_by=teacher,
        )
        students.append(student)
        markers[student.pk] = marker

    guardians = []
    for number, children in enumerate(plan.families):
        user = _user(f"guardian{number}", "Родич", "Петро")
        guardian = Guardian.objects.create(
            municipality=municipality, surname="Родич", given_name="Петро", user=user
        )
        for child in children:
            StudentGuardian.objects.create(
                student=students[child], guardian=guardian, relation=Relation.MOTHER
            )
        guardians.append(user)

    role, index = plan.viewer
    if role == "student":
        viewer = students[index].user
        assert viewer is not None
        own = {students[index].pk}
    else:
        viewer = guardians[index]
        own = {students[child].pk for child in plan.families[index]}
    # Only the viewer's own calendar addresses are tried: a feed's token is the key of a
    # capability address (no login), so someone else's is not a guessable id.
    tokens: list[object] = [BOGUS_TOKEN]
    for pk in sorted(own):
        feed = CalendarFeed.objects.create(
            user=viewer, student_id=pk, token=secrets.token_urlsafe(32)
        )
        tokens.append(feed.token)

    built = Built(viewer=viewer, own=own, students=markers)
    built.pools = {
        "student_id": [student.pk for student in students],
        "school_id": [school.pk for school in schools],
        "year_id": [year.pk for year in years],
        "class_id": [group.pk for group in classes],
        "class_group_id": [group.pk for group in classes],
        "assignment_id": [assignment.pk for assignment in assignments],
        "lesson_id": [lesson.pk for lesson in lessons],
        "file_id": [attachment.pk for attachment in files],
        "mark_id": [mark.pk for mark in marks],
        "token": tokens,
    }
    day = lessons[0].date.isoformat()
    built.query = f"?week={day}&date={day}&start={TERM_START}&end={TERM_END}&term={terms[0].pk}"
    return built


def _values(route: Route, built: Built) -> list[dict[str, object]]:
    """The parameter values to try: every student for a student id (and every file with
    it); otherwise a few of the community's objects, cycled."""

    def pool(name: str) -> list[object]:
        if name in built.pools:
            return built.pools[name]
        return [1] if name.endswith(("id", "pk")) else ["x"]

    if "student_id" in route.parameters:
        return [
            dict(zip(route.parameters, combo, strict=True))
            for combo in itertools.product(*(pool(name) for name in route.parameters))
        ]
    if not route.parameters:
        return [{}]
    longest = max(len(pool(name)) for name in route.parameters)
    return [
        {name: pool(name)[step % len(pool(name))] for name in route.parameters}
        for step in range(min(longest, 3))
    ]


def _body(response: HttpResponse) -> str:
    # The test client closes a streaming response once its content is read; closing it
    # again would send request_finished and close the test's connection on PostgreSQL.
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content
    )
    return content.decode("utf-8", errors="replace")


def _check(route: Route, values: dict[str, object], response: HttpResponse, built: Built) -> str:
    """Asserts the privacy rules on one response; returns its body."""
    where = f"{route.name} {values}"
    status = response.status_code
    assert status != 403, f"{where}: 403 tells that the object exists; answer 404"
    allowed = {200, 302, 404, 405} if route.get_allowed else {405}
    assert status in allowed, f"{where}: unexpected status {status}"
    student_id = values.get("student_id")
    if student_id is not None and student_id not in built.own:
        assert status in {404, 405}, f"{where}: someone else's child answered {status}"
    body = _body(response)
    foreign = {built.students[pk] for pk in built.students if pk not in built.own}
    leaked = sorted(set(MARKER.findall(body)) & foreign)
    assert not leaked, f"{where}: the body holds data of other students {leaked}"
    if status == 302:
        location = response["Location"]
        assert not MARKER.search(location), where
        try:
            match = resolve(location.split("?")[0])
        except Resolver404:
            return body
        target = match.kwargs.get("student_id")
        assert target is None or int(target) in built.own, f"{where}: redirects to {location}"
    return body


@pytest.fixture
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
@override_settings(ZHURNAL_API_RATE_PER_MINUTE=1_000_000)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_family_never_sees_another_students_data(plan: Plan) -> None:
    cache.clear()
    with transaction.atomic():
        built = build(plan)
        client = Client()
        client.force_login(built.viewer)
        _, secret = token_create(actor=built.viewer, name="privacy")
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        seen_own: set[str] = set()
        for route in [*web_routes(), *api_routes(client)]:
            for values in _values(route, built):
                url = route.url(values)
                # The query shows a week and a term with lessons, whatever today is.
                queries = ["", built.query] if "student_id" in values else [""]
                for query in queries:
                    response = client.get(url + query, **(bearer if route.api else {}))
                    body = _check(route, values, response, built)
                    if response.status_code == 200:
                        seen_own |= set(MARKER.findall(body))
        # The markers do reach the pages: the viewer's own children are shown.
        assert {built.students[pk] for pk in built.own} <= seen_own
        transaction.set_rollback(True)


def test_enumeration_finds_the_diary_and_the_api(client: Client, db: None) -> None:
    web = {route.template for route in web_routes()}
    api = {route.template for route in api_routes(client)}
    assert {
        "/diary/",
        "/family/",
        "/family/child/{student_id}/",
        "/diary/{student_id}/marks/",
        "/diary/{student_id}/calendar/",
        "/diary/{student_id}/files/{file_id}/",
        "/calendar/{token}.ics",
    } <= web
    assert {"/api/v1/students", "/api/v1/students/{student_id}/week"} <= api
    assert "/api/v1/students/{student_id}/marks" in api
    assert len(web) > 50
    assert not any(route.startswith("/operator/") for route in web)
