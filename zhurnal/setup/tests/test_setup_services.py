"""Set-up writes: validation in the school's words, audit events, closed years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.people.services import subgroup_members_set
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    Holiday,
    Profile,
    Subgroup,
    Subject,
    Term,
    TermKind,
)
from zhurnal.schools.services import (
    class_group_create,
    class_group_update,
    curriculum_fill_typical,
    curriculum_set,
    holiday_create,
    holiday_delete,
    holiday_update,
    subgroup_create,
    subgroup_delete,
    subject_create,
    subject_update,
    term_create,
    term_delete,
    term_update,
    year_create,
    year_create_standard,
    year_update,
)
from zhurnal.setup.tests.builders import table_counts
from zhurnal.timetable.services import (
    assignment_create,
    lessons_materialise,
    period_create,
    timetable_create,
)

pytestmark = pytest.mark.django_db


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- academic years -------------------------------------------------------------------


def test_standard_year_brings_two_semesters_and_three_holidays(community: Community):
    c = community
    events = AuditEvent.objects.count()
    year = year_create_standard(actor=c.school_admin, school=c.school, first_year=2027)
    assert (year.name, year.starts_on, year.ends_on) == (
        "2027/2028",
        d("2027-09-01"),
        d("2028-06-30"),
    )
    terms = list(year.terms.order_by("number"))
    assert [(t.name, t.kind, t.grade_from, t.grade_to) for t in terms] == [
        ("І семестр", TermKind.SEMESTER, 1, 11),
        ("ІІ семестр", TermKind.SEMESTER, 1, 11),
    ]
    assert (terms[0].starts_on, terms[0].ends_on) == (d("2027-09-01"), d("2027-12-24"))
    assert terms[1].starts_on.month == 1 and 11 <= terms[1].starts_on.day <= 17
    assert terms[1].starts_on.isoweekday() == 1
    assert terms[1].ends_on == d("2028-05-31")
    names = list(year.holidays.values_list("name", flat=True))
    assert names == ["Осінні канікули", "Зимові канікули", "Весняні канікули"]
    winter = year.holidays.get(name="Зимові канікули")
    assert winter.starts_on == d("2027-12-25")
    assert winter.ends_on == terms[1].starts_on - dt.timedelta(days=1)
    # the year, two terms and three holidays
    assert AuditEvent.objects.count() == events + 6


def test_standard_year_of_the_russian_profile_has_quarters_and_half_years(community: Community):
    c = community
    c.municipality.profile = Profile.RUSSIAN
    c.municipality.save()
    c.school.refresh_from_db()
    year = year_create_standard(actor=c.school_admin, school=c.school, first_year=2027)
    quarters = list(year.terms.filter(kind=TermKind.QUARTER).order_by("number"))
    assert [q.name for q in quarters] == [
        "I четверть",
        "II четверть",
        "III четверть",
        "IV четверть",
    ]
    assert {(q.grade_from, q.grade_to) for q in quarters} == {(1, 9)}
    halves = list(year.terms.filter(kind=TermKind.HALF_YEAR).order_by("number"))
    assert [(h.name, h.grade_from, h.grade_to) for h in halves] == [
        ("I полугодие", 10, 11),
        ("II полугодие", 10, 11),
    ]
    autumn = year.holidays.get(name="Осінні канікули")
    assert quarters[0].ends_on < autumn.starts_on and autumn.ends_on < quarters[1].starts_on
    gymnasium = year_create_standard(actor=c.school_admin, school=c.other_school, first_year=2027)
    assert set(gymnasium.terms.values_list("kind", "grade_from", "grade_to")) == {
        (TermKind.QUARTER, 5, 9)
    }


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("2027-2028", "2027-09-01", "2028-06-30"),
        ("2027/2029", "2027-09-01", "2028-06-30"),
        ("2027/2028", "2027-08-15", "2028-06-30"),
        ("2027/2028", "2027-09-01", "2028-07-02"),
        ("2026/2027", "2026-09-01", "2027-06-30"),  # the school has it already
    ],
)
def test_year_name_and_dates_are_checked(community: Community, name: str, start: str, end: str):
    before = table_counts()
    with pytest.raises(ValidationError):
        year_create(
            actor=community.school_admin,
            school=community.school,
            name=name,
            starts_on=d(start),
            ends_on=d(end),
        )
    assert table_counts() == before


def test_year_cannot_shrink_away_from_its_terms(community: Community):
    c = community
    with pytest.raises(ValidationError):
        year_update(
            actor=c.school_admin,
            year=c.year,
            name="2026/2027",
            starts_on=d("2026-09-01"),
            ends_on=d("2027-05-01"),
        )
    c.year.refresh_from_db()
    assert c.year.ends_on == d("2027-06-30")


# --- terms and holidays ---------------------------------------------------------------


def test_terms_of_the_same_grades_may_not_overlap(community: Community):
    c = community
    before = table_counts()
    with pytest.raises(ValidationError) as error:
        term_create(
            actor=c.school_admin,
            year=c.year,
            number=1,
            kind=TermKind.QUARTER,
            name="I четверть",
            starts_on=d("2026-09-01"),
            ends_on=d("2026-10-25"),
            grade_from=5,
            grade_to=9,
        )
    assert "starts_on" in error.value.error_dict
    assert table_counts() == before


def test_terms_of_different_grades_may_share_dates(community: Community):
    c = community
    term_update(
        actor=c.school_admin,
        term=c.term1,
        number=1,
        kind=TermKind.SEMESTER,
        name="І семестр",
        starts_on=d("2026-09-01"),
        ends_on=d("2026-12-24"),
        grade_from=1,
        grade_to=9,
    )
    term = term_create(
        actor=c.school_admin,
        year=c.year,
        number=1,
        kind=TermKind.HALF_YEAR,
        name="I полугодие",
        starts_on=d("2026-09-01"),
        ends_on=d("2026-12-24"),
        grade_from=10,
        grade_to=11,
    )
    assert term.pk
    assert AuditEvent.objects.filter(action="term.update", object_id=str(c.term1.pk)).exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-08-20", "2026-10-01"), ("2027-06-01", "2027-07-20"), ("2026-10-01", "2026-09-01")],
)
def test_terms_stay_inside_the_year_and_end_after_they_start(
    community: Community, start: str, end: str
):
    c = community
    term_delete(actor=c.school_admin, term=c.term1)
    before = table_counts()
    with pytest.raises(ValidationError):
        term_create(
            actor=c.school_admin,
            year=c.year,
            number=1,
            name="І семестр",
            starts_on=d(start),
            ends_on=d(end),
        )
    assert table_counts() == before


def test_holidays_stay_inside_the_year(community: Community):
    c = community
    with pytest.raises(ValidationError):
        holiday_create(
            actor=c.school_admin,
            year=c.year,
            name="Літо",
            starts_on=d("2027-06-01"),
            ends_on=d("2027-08-31"),
        )
    assert Holiday.objects.filter(name="Літо").count() == 0


# --- every write is audited -----------------------------------------------------------


def test_every_set_up_write_appends_an_audit_event(community: Community):
    c = community
    admin = c.school_admin

    def audited(action: str, call) -> object:
        count = AuditEvent.objects.filter(action=action).count()
        result = call()
        assert AuditEvent.objects.filter(action=action).count() == count + 1, action
        event = AuditEvent.objects.filter(action=action).last()
        assert event.actor_id == admin.pk and event.school_id == c.school.pk
        return result

    year = audited(
        "year.create",
        lambda: year_create(
            actor=admin,
            school=c.school,
            name="2027/2028",
            starts_on=d("2027-09-01"),
            ends_on=d("2028-06-30"),
        ),
    )
    audited(
        "year.update",
        lambda: year_update(
            actor=admin,
            year=year,
            name="2027/2028",
            starts_on=d("2027-09-01"),
            ends_on=d("2028-06-27"),
        ),
    )
    term = audited(
        "term.create",
        lambda: term_create(
            actor=admin,
            year=year,
            number=1,
            name="І семестр",
            starts_on=d("2027-09-01"),
            ends_on=d("2027-12-24"),
        ),
    )
    audited("term.delete", lambda: term_delete(actor=admin, term=term))
    event = AuditEvent.objects.filter(action="term.delete").last()
    assert event.before["name"] == "І семестр"
    holiday = audited(
        "holiday.create",
        lambda: holiday_create(
            actor=admin,
            year=year,
            name="Осінні",
            starts_on=d("2027-10-25"),
            ends_on=d("2027-10-31"),
        ),
    )
    audited(
        "holiday.update",
        lambda: holiday_update(
            actor=admin,
            holiday=holiday,
            name="Осінні канікули",
            starts_on=d("2027-10-25"),
            ends_on=d("2027-10-31"),
        ),
    )
    audited("holiday.delete", lambda: holiday_delete(actor=admin, holiday=holiday))
    class_group = audited(
        "class.create",
        lambda: class_group_create(actor=admin, year=year, grade=7, letter="в"),
    )
    assert class_group.letter == "В"
    audited(
        "class.update",
        lambda: class_group_update(
            actor=admin, class_group=class_group, grade=7, letter="В", class_teacher=c.teacher
        ),
    )
    subject = audited(
        "subject.create", lambda: subject_create(actor=admin, school=c.school, name="Хімія")
    )
    audited(
        "subject.update",
        lambda: subject_update(actor=admin, subject=subject, name="Хімія", short_name="Хім."),
    )
    audited(
        "curriculum.create",
        lambda: curriculum_set(
            actor=admin, year=year, grade=7, subject=subject, hours_per_week=Decimal("1.5")
        ),
    )
    audited(
        "curriculum.update",
        lambda: curriculum_set(
            actor=admin, year=year, grade=7, subject=subject, hours_per_week=Decimal(2)
        ),
    )
    audited(
        "curriculum.delete",
        lambda: curriculum_set(
            actor=admin, year=year, grade=7, subject=subject, hours_per_week=None
        ),
    )
    group = audited(
        "subgroup.create",
        lambda: subgroup_create(
            actor=admin, class_group=c.class_5a, subject=c.math, name="група 1"
        ),
    )
    audited(
        "subgroup.members",
        lambda: subgroup_members_set(actor=admin, subgroup=group, student_ids=[c.student.pk]),
    )
    audited("subgroup.delete", lambda: subgroup_delete(actor=admin, subgroup=group))


def test_an_unchanged_curriculum_cell_writes_nothing(community: Community):
    c = community
    curriculum_set(
        actor=c.school_admin, year=c.year, grade=5, subject=c.math, hours_per_week=Decimal(5)
    )
    before = table_counts()
    curriculum_set(
        actor=c.school_admin, year=c.year, grade=5, subject=c.math, hours_per_week=Decimal(5)
    )
    assert table_counts() == before


# --- closed years ---------------------------------------------------------------------


def test_a_closed_year_refuses_every_write(community: Community):
    c = community
    admin = c.school_admin
    AcademicYear.objects.filter(pk=c.year.pk).update(closed_at=timezone.now())
    year = AcademicYear.objects.get(pk=c.year.pk)
    term = Term.objects.get(pk=c.term1.pk)
    class_5a = ClassGroup.objects.get(pk=c.class_5a.pk)
    before = table_counts()
    writes = [
        lambda: year_update(
            actor=admin, year=year, name=year.name, starts_on=year.starts_on, ends_on=year.ends_on
        ),
        lambda: term_create(
            actor=admin,
            year=year,
            number=3,
            name="x",
            starts_on=d("2027-06-01"),
            ends_on=d("2027-06-20"),
        ),
        lambda: term_delete(actor=admin, term=term),
        lambda: holiday_create(
            actor=admin, year=year, name="x", starts_on=d("2027-06-01"), ends_on=d("2027-06-02")
        ),
        lambda: class_group_create(actor=admin, year=year, grade=6, letter="А"),
        lambda: subgroup_create(actor=admin, class_group=class_5a, subject=c.math, name="г1"),
        lambda: curriculum_set(
            actor=admin, year=year, grade=5, subject=c.math, hours_per_week=Decimal(5)
        ),
        lambda: curriculum_fill_typical(actor=admin, year=year),
        lambda: assignment_create(
            actor=admin,
            year=year,
            teacher=c.teacher,
            subject=c.ukrainian,
            class_group=ClassGroup.objects.get(pk=c.class_5b.pk),
            hours_per_week=Decimal(4),
        ),
        lambda: period_create(
            actor=admin, year=year, number=4, starts_at=dt.time(11, 20), ends_at=dt.time(12, 5)
        ),
        lambda: timetable_create(
            actor=admin, year=year, name="x", valid_from=d("2026-09-01"), valid_to=d("2026-12-31")
        ),
        lambda: lessons_materialise(
            actor=admin, year=year, start=d("2026-09-01"), end=d("2026-09-30")
        ),
    ]
    for write in writes:
        with pytest.raises(ValidationError, match="закрито"):
            write()
    assert table_counts() == before


def test_a_closed_year_page_refuses_the_write_with_a_message(login, community: Community):
    c = community
    AcademicYear.objects.filter(pk=c.year.pk).update(closed_at=timezone.now())
    client = login(c.school_admin)
    before = table_counts()
    url = reverse("setup:setup_holidays", args=[c.school.pk, c.year.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["read_only"]
    response = client.post(
        url, {"name": "Додаткові", "starts_on": "2027-03-01", "ends_on": "2027-03-02"}
    )
    assert response.status_code == 200
    assert "2026/2027" in str(response.context["form"].non_field_errors())
    delete = client.post(
        reverse("setup:setup_terms_delete", args=[c.school.pk, c.year.pk, c.term1.pk])
    )
    assert delete.status_code == 302
    assert table_counts() == before


# --- pages: create, refuse, edit ------------------------------------------------------


def test_admin_adds_a_term_through_the_page(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_terms", args=[c.school.pk, c.year.pk])
    events = AuditEvent.objects.count()
    response = client.post(
        url,
        {
            "name": "Літня практика",
            "kind": "trimester",
            "number": "3",
            "starts_on": "2027-06-01",
            "ends_on": "2027-06-20",
            "grade_from": "10",
            "grade_to": "11",
        },
    )
    assert response.status_code == 302
    assert Term.objects.filter(year=c.year, name="Літня практика").exists()
    assert AuditEvent.objects.count() == events + 1


def test_an_overlapping_term_is_refused_on_the_form_and_nothing_is_written(
    login, community: Community
):
    c = community
    client = login(c.school_admin)
    before = table_counts()
    response = client.post(
        reverse("setup:setup_terms", args=[c.school.pk, c.year.pk]),
        {
            "name": "Зайвий",
            "kind": "semester",
            "number": "3",
            "starts_on": "2026-12-01",
            "ends_on": "2027-02-01",
            "grade_from": "1",
            "grade_to": "11",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_on"]
    assert table_counts() == before


def test_editing_a_term_through_the_page_keeps_the_old_value_on_refusal(
    login, community: Community
):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_terms_edit", args=[c.school.pk, c.year.pk, c.term1.pk])
    data = {
        "name": "І семестр",
        "kind": "semester",
        "number": "1",
        "starts_on": "2026-09-01",
        "ends_on": "2027-02-01",  # runs into the second semester
        "grade_from": "1",
        "grade_to": "11",
    }
    assert client.post(url, data).status_code == 200
    c.term1.refresh_from_db()
    assert c.term1.ends_on == d("2026-12-24")
    data["ends_on"] = "2026-12-27"
    assert client.post(url, data).status_code == 302
    c.term1.refresh_from_db()
    assert c.term1.ends_on == d("2026-12-27")
    event = AuditEvent.objects.filter(action="term.update").last()
    assert event.before["ends_on"] == "2026-12-24" and event.after["ends_on"] == "2026-12-27"


def test_standard_year_wizard_through_the_page(login, community: Community):
    c = community
    client = login(c.school_admin)
    response = client.post(
        reverse("setup:setup_year_standard", args=[c.school.pk]), {"first_year": "2027"}
    )
    year = AcademicYear.objects.get(school=c.school, name="2027/2028")
    assert response.status_code == 302
    assert response["Location"] == reverse("setup:setup_terms", args=[c.school.pk, year.pk])
    again = client.post(
        reverse("setup:setup_year_standard", args=[c.school.pk]), {"first_year": "2027"}
    )
    assert again.status_code == 200
    assert AcademicYear.objects.filter(school=c.school).count() == 2


def test_class_grade_and_class_teacher_are_checked(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_classes", args=[c.school.pk, c.year.pk])
    before = table_counts()
    # a grade the school does not teach
    response = client.post(url, {"grade": "12", "letter": "А"})
    assert response.context["form"].errors["grade"]
    # a class teacher from another school is not even offered
    response = client.post(
        url, {"grade": "6", "letter": "А", "class_teacher": c.other_school_admin.pk}
    )
    assert response.context["form"].errors["class_teacher"]
    # the same class twice
    response = client.post(url, {"grade": "5", "letter": "а"})
    assert response.context["form"].errors["letter"]
    assert table_counts() == before
    response = client.post(url, {"grade": "6", "letter": "а", "class_teacher": c.teacher.pk})
    assert response.status_code == 302
    created = ClassGroup.objects.get(year=c.year, grade=6)
    assert (created.letter, created.class_teacher) == ("А", c.teacher)


def test_other_school_staff_cannot_be_class_teacher_even_through_the_service(
    community: Community,
):
    c = community
    with pytest.raises(ValidationError):
        class_group_create(
            actor=c.school_admin,
            year=c.year,
            grade=6,
            letter="А",
            class_teacher=c.other_school_admin,
        )


# --- groups of a class ----------------------------------------------------------------


def test_groups_of_a_class_take_only_its_own_students(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_subgroups", args=[c.school.pk, c.year.pk, c.class_5a.pk])
    english = subject_create(actor=c.school_admin, school=c.school, name="Англійська мова")
    assert client.post(url, {"subject": english.pk, "name": "група 1"}).status_code == 302
    group = Subgroup.objects.get(class_group=c.class_5a, name="група 1")
    members_url = reverse(
        "setup:setup_subgroup_members", args=[c.school.pk, c.year.pk, c.class_5a.pk, group.pk]
    )
    prefix = f"g{group.pk}-students"
    client.post(members_url, {prefix: [c.student.pk, c.other_student.pk]})
    assert set(group.members.values_list("student_id", flat=True)) == {
        c.student.pk,
        c.other_student.pk,
    }
    # a student of 5-Б is not a choice
    client.post(members_url, {prefix: [c.student_5b.pk]})
    assert group.members.count() == 2
    with pytest.raises(ValidationError):
        subgroup_members_set(actor=c.school_admin, subgroup=group, student_ids=[c.student_5b.pk])
    # one group per subject for a student
    second = subgroup_create(
        actor=c.school_admin, class_group=c.class_5a, subject=english, name="група 2"
    )
    with pytest.raises(ValidationError):
        subgroup_members_set(actor=c.school_admin, subgroup=second, student_ids=[c.student.pk])
    page = client.get(url)
    assert c.student.full_name in page.content.decode()


# --- curriculum -----------------------------------------------------------------------


def test_curriculum_grid_accepts_comma_and_dot(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_curriculum", args=[c.school.pk, c.year.pk])
    page = client.get(url)
    data = {name: "" for name in page.context["form"].fields if name.startswith("h_")}
    data[f"h_{c.math.pk}_5"] = "4,5"
    data[f"h_{c.ukrainian.pk}_5"] = "3.5"
    data[f"s_{c.ukrainian.pk}_5"] = "on"
    assert client.post(url, data).status_code == 302
    entries = {
        (e.subject_id, e.grade): (e.hours_per_week, e.split_into_groups)
        for e in CurriculumEntry.objects.filter(year=c.year)
    }
    assert entries == {
        (c.math.pk, 5): (Decimal("4.5"), False),
        (c.ukrainian.pk, 5): (Decimal("3.5"), True),
    }
    assert "4,5" in client.get(url).content.decode()


@pytest.mark.parametrize("bad", ["abc", "0", "25", "1,25"])
def test_curriculum_grid_refuses_bad_hours_and_writes_nothing(
    login, community: Community, bad: str
):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_curriculum", args=[c.school.pk, c.year.pk])
    before = table_counts()
    response = client.post(url, {f"h_{c.math.pk}_5": bad, f"h_{c.ukrainian.pk}_5": "4"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert table_counts() == before


def test_fill_from_the_typical_programme_is_idempotent(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_curriculum_typical", args=[c.school.pk, c.year.pk])
    assert client.post(url).status_code == 302
    rows = CurriculumEntry.objects.filter(year=c.year)
    assert rows.filter(grade=5, subject__name="Етика").get().hours_per_week == Decimal("0.5")
    assert rows.filter(grade=3, subject__name="Інформатика").exists()
    assert not rows.filter(grade=2, subject__name="Інформатика").exists()
    assert rows.filter(grade=11, subject__name="Захист України").exists()
    assert Subject.objects.get(school=c.school, name="Фізична культура").is_physical_education
    # the arts, PE and labour training expect no homework until the school decides otherwise
    no_homework = set(
        Subject.objects.filter(school=c.school, homework_expected=False).values_list(
            "name", flat=True
        )
    )
    assert {"Фізична культура", "Музичне мистецтво", "Образотворче мистецтво"} <= no_homework
    assert Subject.objects.get(school=c.school, name="Математика").homework_expected
    # the existing subject Математика is reused, not duplicated
    assert Subject.objects.filter(school=c.school, name="Математика").count() == 1
    count, subjects = rows.count(), Subject.objects.count()
    assert client.post(url).status_code == 302
    assert (rows.count(), Subject.objects.count()) == (count, subjects)


def test_fill_from_the_typical_programme_only_for_the_school_grades(community: Community):
    c = community
    created = curriculum_fill_typical(actor=c.other_school_admin, year=c.other_year)
    grades = set(CurriculumEntry.objects.filter(year=c.other_year).values_list("grade", flat=True))
    assert grades == {5, 6, 7, 8, 9}
    assert created == CurriculumEntry.objects.filter(year=c.other_year).count()


def test_the_school_sets_whether_a_subject_expects_homework(login, community: Community):
    c = community
    client = login(c.school_admin)
    music = subject_create(actor=c.school_admin, school=c.school, name="Музичне мистецтво")
    assert not music.homework_expected  # by its name, until the school decides
    page = client.get(reverse("setup:setup_subjects", args=[c.school.pk]))
    assert page.status_code == 200 and 'name="homework_expected"' in page.content.decode()
    response = client.post(
        reverse("setup:setup_subjects_edit", args=[c.school.pk, music.pk]),
        {"name": "Музичне мистецтво", "homework_expected": "on"},
    )
    assert response.status_code == 302
    music.refresh_from_db()
    assert music.homework_expected
    event = AuditEvent.objects.filter(action="subject.update").latest("pk")
    assert event.after is not None and event.after["homework_expected"] is True
