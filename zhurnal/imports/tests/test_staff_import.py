from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.imports.models import ImportBatch, ImportKind, ImportStatus
from zhurnal.people.models import Role, RoleAssignment, StaffMember
from zhurnal.schools.models import ClassGroup

from .builders import STAFF_HEADER, csv_bytes, staff, upload


def test_good_staff_csv_imports_staff_with_roles_and_class_teacher(
    school_admin_client: Client, community: Community
) -> None:
    rows = [
        staff(
            surname="Мороз",
            given_name="Наталія",
            patronymic="Василівна",
            email="Moroz@school.test",
            phone="0661112233",
            position="вчитель історії",
            qualification="вища",
            roles="вчитель",
            class_teacher_of="5б",
        ),
        staff(
            surname="Левченко",
            given_name="Андрій",
            email="levchenko@school.test",
            position="заступник директора з НВР",
            roles="Заступник директора, вчитель",
        ),
        # Teaches at the other school of the community too: one login for both.
        staff(
            surname="Кравченко",
            given_name="Віра",
            email="other_school_admin@school.test",
            position="вчитель інформатики",
        ),
        staff(
            surname="Сидоренко",
            given_name="Ольга",
            position="сестра медична",
            roles="медичний працівник",
        ),
    ]
    response = upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STAFF,
        "працівники.csv",
        csv_bytes(STAFF_HEADER, rows, delimiter=";"),
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = school_admin_client.get(response["Location"])
    assert page.context["preview"].error_count == 0
    assert "login other_school_admin is reused" in page.content.decode()
    users_before = User.objects.count()

    confirmed = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert confirmed.status_code == 302

    moroz = User.objects.get(email="moroz@school.test")
    assert (moroz.last_name, moroz.first_name, moroz.patronymic, moroz.phone) == (
        "Мороз",
        "Наталія",
        "Василівна",
        "+380661112233",
    )
    assert not moroz.has_usable_password()  # the administrator issues a password later
    member = StaffMember.objects.get(user=moroz, school=community.school)
    assert (member.position, member.qualification) == ("вчитель історії", "вища")
    assert set(RoleAssignment.objects.filter(user=moroz).values_list("role", flat=True)) == {
        Role.TEACHER
    }
    assert ClassGroup.objects.get(pk=community.class_5b.pk).class_teacher == moroz

    levchenko = User.objects.get(email="levchenko@school.test")
    assert set(
        RoleAssignment.objects.filter(user=levchenko, school=community.school).values_list(
            "role", flat=True
        )
    ) == {Role.DEPUTY, Role.TEACHER}

    vira = community.other_school_admin
    assert StaffMember.objects.filter(user=vira, school=community.school).exists()
    assert RoleAssignment.objects.filter(
        user=vira, school=community.school, role=Role.TEACHER
    ).exists()
    medic = User.objects.get(last_name="Сидоренко")
    assert medic.email == ""
    assert RoleAssignment.objects.get(user=medic).role == Role.MEDICAL
    assert User.objects.count() == users_before + 3

    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.counts == {
        "rows": 4,
        "staff": 4,
        "logins_created": 3,
        "logins_reused": 1,
        "roles": 5,
        "class_teachers": 1,
    }
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("user.create") == 3
    assert actions.count("staff.create") == 4
    assert actions.count("role.assign") == 5
    event = AuditEvent.objects.get(action="class.update", object_id=str(community.class_5b.pk))
    assert (event.before["class_teacher_id"], event.after["class_teacher_id"]) == (None, moroz.pk)
    assert AuditEvent.objects.filter(action="import.apply").count() == 1


def test_staff_rows_that_would_take_someone_elses_login_or_class_are_errors(
    school_admin_client: Client, community: Community
) -> None:
    rows = [
        # A guardian's login, under a different name.
        staff(
            surname="Новий", given_name="Вчитель", email="guardian@family.test", position="вчитель"
        ),
        # 5-А already has Мельник О. as class teacher.
        staff(surname="Другий", given_name="Керівник", position="вчитель", class_teacher_of="5-А"),
        staff(
            surname="Ролі", given_name="Невідомі", position="вчитель", roles="вчитель, прибиральник"
        ),
        # Already works here.
        staff(
            surname="Коваленко", given_name="Ірина", email="teacher@school.test", position="вчитель"
        ),
        staff(surname="Без", given_name="Посади", email="a@school.test"),
        staff(surname="Двічі", given_name="Адреса", email="A@school.test", position="вчитель"),
        staff(surname="Поганий", given_name="Телефон", position="вчитель", phone="дзвоніть"),
    ]
    upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STAFF,
        "s.csv",
        csv_bytes(STAFF_HEADER, rows),
    )
    batch = ImportBatch.objects.get()
    page = school_admin_client.get(reverse("imports:preview", args=[community.school.pk, batch.pk]))
    errors = {row.number: " | ".join(row.errors) for row in page.context["preview"].rows}
    assert errors[2] == "e-mail guardian@family.test is already used by another account"
    assert errors[3] == "class 5-А already has a class teacher: Мельник Оксана"
    assert errors[4].startswith("role 'прибиральник' is not recognised")
    assert errors[5] == "Коваленко Ірина already works at this school"
    assert errors[6] == "position is required"
    assert errors[7] == "e-mail a@school.test is already used in row 6"
    assert errors[8] == "phone 'дзвоніть' is not a valid phone number"
    assert reverse("imports:confirm", args=[community.school.pk, batch.pk]) not in (
        page.content.decode()
    )
    staff_before = StaffMember.objects.count()
    assert (
        school_admin_client.post(
            reverse("imports:confirm", args=[community.school.pk, batch.pk])
        ).status_code
        == 409
    )
    assert StaffMember.objects.count() == staff_before
    assert ClassGroup.objects.get(pk=community.class_5a.pk).class_teacher == (
        community.class_teacher
    )


def test_staff_class_taken_between_preview_and_confirm_rolls_back_every_row(
    school_admin_client: Client, community: Community
) -> None:
    rows = [
        staff(surname="Перший", given_name="Вчитель", position="вчитель"),
        staff(surname="Другий", given_name="Вчитель", position="вчитель", class_teacher_of="5-Б"),
    ]
    upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STAFF,
        "s.csv",
        csv_bytes(STAFF_HEADER, rows),
    )
    batch = ImportBatch.objects.get()
    ClassGroup.objects.filter(pk=community.class_5b.pk).update(class_teacher=community.teacher)
    users_before = User.objects.count()
    response = school_admin_client.post(
        reverse("imports:confirm", args=[community.school.pk, batch.pk])
    )
    assert response.status_code == 409
    assert "Row 3: class 5-Б already has a class teacher" in response.content.decode()
    assert User.objects.count() == users_before
    assert not User.objects.filter(last_name="Перший").exists()
