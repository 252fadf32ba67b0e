from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import audit_verify
from zhurnal.imports import services as import_services
from zhurnal.imports.models import ImportBatch, ImportKind, ImportStatus
from zhurnal.people.models import (
    EducationForm,
    Enrollment,
    Guardian,
    PEGroup,
    Relation,
    Sex,
    Student,
    StudentGuardian,
)
from zhurnal.people.services import enrollment_create, student_create

from .builders import STUDENT_HEADER, csv_bytes, student, upload, xlsx_bytes

PEOPLE_MODELS = (Student, Guardian, Enrollment, StudentGuardian)


def people_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in PEOPLE_MODELS}


def good_students() -> list[list[object]]:
    mother = {
        "guardian1_name": "Іваненко Марія Петрівна",
        "guardian1_relation": "мати",
        "guardian1_phone": "050 123 45 67",
        "guardian1_email": "Maria.Ivanenko@family.test",
    }
    return [
        student(
            surname="Іваненко",
            given_name="Марко",
            patronymic="Олегович",
            birth_date="01.02.2015",
            sex="ч",
            class_name="5-А",
            personal_file_number="І-101",
            enrolled_on="01.09.2026",
            **mother,
            guardian2_name="Іваненко Олег Іванович",
            guardian2_relation="батько",
            guardian2_phone="+38 (067) 765-43-21",
        ),
        student(  # a sister: the same mother, written as Excel would store a date
            surname="Іваненко",
            given_name="Софія",
            patronymic="Олегівна",
            birth_date=dt.datetime(2013, 5, 20),  # noqa: DTZ001 - as openpyxl reads a date cell
            sex="жін",
            class_name="5 б",
            education_form="індивідуальна",
            pe_group="звільнена",
            **mother,
            guardian2_name="Іваненко Олег Іванович",
            guardian2_relation="батько",
            guardian2_phone="0677654321",
        ),
        student(  # Latin "A" for the class letter; the guardian is already in the community
            surname="Гнатюк",
            given_name="Ярина",
            birth_date="7.3.2015",
            sex="f",
            class_name="5-A",
            guardian1_name="Гнатюк Петро",
            guardian1_relation="батько",
            guardian1_email="guardian@family.test",
        ),
    ]


def test_good_students_xlsx_imports_students_enrollments_and_guardians(
    school_admin_client: Client, community: Community
) -> None:
    response = upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "учні 5 класів.xlsx",
        xlsx_bytes(STUDENT_HEADER, good_students()),
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", args=[community.school.pk, batch.pk])
    assert (batch.kind, batch.status, batch.year) == (
        ImportKind.STUDENTS,
        ImportStatus.PREVIEWED,
        community.year,
    )
    assert (batch.rows_total, batch.rows_with_errors, batch.created_by) == (
        3,
        0,
        community.school_admin,
    )
    assert Student.objects.count() == 3  # the preview wrote nothing

    page = school_admin_client.get(response["Location"])
    preview = page.context["preview"]
    assert [row.number for row in preview.rows] == [2, 3, 4]
    assert preview.error_count == 0 and preview.ok_count == 3
    assert "3 rows are correct" in page.content.decode()
    assert reverse("imports:confirm", args=[community.school.pk, batch.pk]) in (
        page.content.decode()
    )

    audit_before = AuditEvent.objects.count()
    confirmed = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert confirmed.status_code == 302

    marko = Student.objects.get(given_name="Марко")
    sofia = Student.objects.get(given_name="Софія")
    yaryna = Student.objects.get(given_name="Ярина")
    assert (marko.birth_date, marko.sex, marko.personal_file_number) == (
        dt.date(2015, 2, 1),
        Sex.MALE,
        "І-101",
    )
    assert (sofia.birth_date, sofia.education_form, sofia.pe_group) == (
        dt.date(2013, 5, 20),
        EducationForm.INDIVIDUAL,
        PEGroup.EXEMPT,
    )
    assert marko.enrollments.get().class_group == community.class_5a
    assert marko.enrollments.get().starts_on == dt.date(2026, 9, 1)
    assert sofia.enrollments.get().class_group == community.class_5b
    assert yaryna.enrollments.get().class_group == community.class_5a

    # Siblings share one mother and one father; the known guardian is reused.
    mother = Guardian.objects.get(email="maria.ivanenko@family.test")
    father = Guardian.objects.get(surname="Іваненко", given_name="Олег")
    assert set(mother.children.all()) == {marko, sofia}
    assert set(father.children.all()) == {marko, sofia}
    assert (mother.phone, father.phone, father.patronymic) == (
        "+380501234567",
        "+380677654321",
        "Іванович",
    )
    assert StudentGuardian.objects.get(student=marko, guardian=mother).relation == Relation.MOTHER
    assert list(yaryna.guardians.all()) == [community.guardian_record]
    assert Guardian.objects.count() == 2 + 2

    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and batch.applied_at is not None
    expected = {
        "rows": 3,
        "students": 3,
        "enrollments": 3,
        "guardians_created": 2,
        "guardians_reused": 3,
        "guardian_links": 5,
    }
    assert batch.counts == expected

    # Every write audited, plus one summary event, and the chain holds.
    actions = list(
        AuditEvent.objects.filter(id__gt=0).order_by("id").values_list("action", flat=True)
    )[audit_before:]
    assert actions.count("student.create") == 3
    assert actions.count("enrollment.create") == 3
    assert actions.count("guardian.create") == 2
    assert actions.count("guardian.link") == 5
    assert actions[-1] == "import.apply"
    summary = AuditEvent.objects.get(action="import.apply")
    assert summary.actor == community.school_admin
    assert summary.school_id == community.school.pk
    assert {k: summary.after[k] for k in expected} == expected
    assert AuditEvent.objects.filter(action="import.upload", object_id=str(batch.pk)).exists()
    assert audit_verify().broken_id is None

    # The applied batch cannot be applied twice.
    again = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert again.status_code == 409
    assert Student.objects.count() == 6


def test_malformed_import_writes_nothing_and_names_each_bad_row(
    school_admin_client: Client, community: Community
) -> None:
    rows = [
        student(
            surname="Добрий", given_name="Рядок", birth_date="01.01.2015", sex="ч", class_name="5-А"
        ),
        student(
            surname="Погана", given_name="Дата", birth_date="31.02.2014", sex="ж", class_name="5-А"
        ),
        student(
            surname="Невідомий",
            given_name="Клас",
            birth_date="02.02.2015",
            sex="ч",
            class_name="5-В",
        ),
        student(given_name="Безпризвищний", birth_date="03.03.2015", sex="ч", class_name="5-Б"),
        student(
            surname="Поганий",
            given_name="Імейл",
            birth_date="04.04.2015",
            sex="ч",
            class_name="5-Б",
            guardian1_name="Погана Мати",
            guardian1_email="not-an-email",
        ),
    ]
    before = people_counts()
    response = upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "bad.csv",
        csv_bytes(STUDENT_HEADER, rows, delimiter=";"),
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert (batch.rows_total, batch.rows_with_errors) == (5, 4)

    page = school_admin_client.get(reverse("imports:preview", args=[community.school.pk, batch.pk]))
    body = page.content.decode()
    preview = page.context["preview"]
    assert {row.number: row.ok for row in preview.rows} == {
        2: True,
        3: False,
        4: False,
        5: False,
        6: False,
    }
    assert "Row 3: date of birth &#x27;31.02.2014&#x27; is not a valid date (DD.MM.YYYY)" in body
    assert "Row 4: class 5-В does not exist in 2026/2027" in body
    assert "Row 5: surname is required" in body
    assert "Row 6: guardian 1: e-mail &#x27;not-an-email&#x27; is not a valid e-mail" in body
    assert "1 row is correct" in body and "4 rows have errors" in body
    confirm_url = reverse("imports:confirm", args=[community.school.pk, batch.pk])
    assert confirm_url not in body
    assert people_counts() == before

    refused = school_admin_client.post(confirm_url)
    assert refused.status_code == 409
    assert "Row 3:" in refused.content.decode()
    assert people_counts() == before
    assert not AuditEvent.objects.filter(action__in=["student.create", "import.apply"]).exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert AuditEvent.objects.filter(action="import.refuse", object_id=str(batch.pk)).exists()


def test_duplicates_within_the_file_and_with_the_school_are_errors(
    school_admin_client: Client, community: Community
) -> None:
    rows = [
        student(
            surname="Близнюк",
            given_name="Іван",
            birth_date="01.01.2015",
            sex="ч",
            class_name="5-А",
            personal_file_number="Б-1",
        ),
        student(
            surname="близнюк",
            given_name="Іван",
            birth_date="01.01.2015",
            sex="ч",
            class_name="5-Б",
            personal_file_number="Б-1",
        ),
        # Андрій Гнатюк of the test cast is already in 5-А.
        student(
            surname="Гнатюк",
            given_name="Андрій",
            patronymic="Петрович",
            birth_date="14.03.2015",
            sex="ч",
            class_name="5-А",
        ),
    ]
    upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "d.xlsx",
        xlsx_bytes(STUDENT_HEADER, rows),
    )
    batch = ImportBatch.objects.get()
    page = school_admin_client.get(reverse("imports:preview", args=[community.school.pk, batch.pk]))
    errors = {row.number: " ".join(row.errors) for row in page.context["preview"].rows}
    assert errors[2] == ""
    assert "the same student as in row 2" in errors[3]
    assert "personal file number Б-1 is already used in row 2" in errors[3]
    assert (
        "Гнатюк Андрій Петрович, born 14.03.2015, is already a student of this school"
        in (errors[4])
    )


def test_students_a_conflict_after_preview_is_caught_at_confirm_and_nothing_is_written(
    school_admin_client: Client, community: Community
) -> None:
    upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "s.xlsx",
        xlsx_bytes(STUDENT_HEADER, good_students()),
    )
    batch = ImportBatch.objects.get()
    # Meanwhile somebody enters the last row's student by hand.
    yaryna = student_create(
        actor=community.school_admin,
        municipality=community.municipality,
        surname="Гнатюк",
        given_name="Ярина",
        birth_date=dt.date(2015, 3, 7),
        sex=Sex.FEMALE,
    )
    enrollment_create(
        actor=None, student=yaryna, class_group=community.class_5b, starts_on=dt.date(2026, 9, 1)
    )
    before = people_counts()
    response = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "Row 4: Гнатюк Ярина, born 07.03.2015, is already a student of this school" in body
    assert people_counts() == before


def test_a_failure_while_writing_the_last_row_rolls_back_every_row(
    school_admin_client: Client, community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "s.xlsx",
        xlsx_bytes(STUDENT_HEADER, good_students()),
    )
    batch = ImportBatch.objects.get()
    real_link = import_services.guardian_link

    def failing_link(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["student"].given_name == "Ярина":
            raise ValidationError("the database is on fire")
        return real_link(**kwargs)

    monkeypatch.setattr(import_services, "guardian_link", failing_link)
    before = people_counts()
    audit_before = AuditEvent.objects.count()
    response = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert response.status_code == 409
    assert "Row 4: the database is on fire" in response.content.decode()
    assert people_counts() == before
    # Only the refusal itself is recorded; the rolled-back writes left no events.
    assert list(
        AuditEvent.objects.filter(id__gt=0).values_list("action", flat=True)[audit_before:]
    ) == ["import.refuse"]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.applied_at is None
    assert audit_verify().broken_id is None


def test_template_example_row_left_in_is_an_error(
    school_admin_client: Client, community: Community
) -> None:
    template = school_admin_client.get(
        reverse("imports:template", args=[community.school.pk, "students", "csv"])
    ).content
    upload(school_admin_client, community.school.pk, ImportKind.STUDENTS, "t.csv", template)
    page = school_admin_client.get(
        reverse("imports:preview", args=[community.school.pk, ImportBatch.objects.get().pk])
    )
    assert "Row 2: this is the example row of the template: delete it" in page.content.decode()


def test_preview_query_count_does_not_grow_with_rows(
    school_admin_client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    def batch_of(size: int) -> str:
        rows = [
            student(
                surname=f"Учень{n}",
                given_name="Тест",
                birth_date="01.01.2015",
                sex="ч",
                class_name="5-А",
                guardian1_name=f"Батько{n} Тест",
                guardian1_email=f"p{n}@family.test",
            )
            for n in range(size)
        ]
        upload(
            school_admin_client,
            community.school.pk,
            ImportKind.STUDENTS,
            f"{size}.csv",
            csv_bytes(STUDENT_HEADER, rows),
        )
        batch = ImportBatch.objects.order_by("-id").first()
        assert batch is not None
        return reverse("imports:preview", args=[community.school.pk, batch.pk])

    small, large = batch_of(2), batch_of(30)
    school_admin_client.get(small)  # warm the session and caches
    with django_assert_max_num_queries(15) as captured:
        school_admin_client.get(small)
    small_count = len(captured)
    with django_assert_max_num_queries(small_count):
        school_admin_client.get(large)
