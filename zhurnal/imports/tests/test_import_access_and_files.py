from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.imports.models import ImportBatch, ImportKind, ImportStatus
from zhurnal.imports.parsing import STAFF_COLUMNS, STUDENT_COLUMNS
from zhurnal.imports.services import import_batch_create
from zhurnal.people.models import Student

from .builders import STUDENT_HEADER, csv_bytes, student, upload, xlsx_bytes


def _batch(community: Community) -> ImportBatch:
    rows = [
        student(
            surname="Чужий", given_name="Учень", birth_date="01.01.2015", sex="ч", class_name="5-А"
        )
    ]
    return import_batch_create(
        actor=community.school_admin,
        school=community.school,
        kind=ImportKind.STUDENTS,
        filename="a.csv",
        content=csv_bytes(STUDENT_HEADER, rows),
    )


def _urls(school_id: int, batch_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("imports:students", args=[school_id])),
        ("get", reverse("imports:staff", args=[school_id])),
        ("get", reverse("imports:template", args=[school_id, "students", "xlsx"])),
        ("get", reverse("imports:template", args=[school_id, "staff", "csv"])),
        ("get", reverse("imports:preview", args=[school_id, batch_id])),
        ("post", reverse("imports:confirm", args=[school_id, batch_id])),
        ("post", reverse("imports:students", args=[school_id])),
    ]


@pytest.mark.parametrize(
    "who",
    [
        "other_school_admin",
        "teacher",
        "class_teacher",
        "director",
        "deputy",
        "department",
        "guardian",
        "student_user",
        "outsider",
    ],
)
def test_everyone_but_the_school_administrator_gets_404_on_every_import_url(
    client: Client, community: Community, who: str
) -> None:
    batch = _batch(community)
    client.force_login(getattr(community, who))
    for method, url in _urls(community.school.pk, batch.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (who, url)
    assert not Student.objects.filter(surname="Чужий").exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_other_school_admin_cannot_reach_or_apply_a_batch_through_their_own_school(
    client: Client, community: Community
) -> None:
    batch = _batch(community)
    client.force_login(community.other_school_admin)
    own = community.other_school.pk
    assert client.get(reverse("imports:students", args=[own])).status_code == 200
    assert client.get(reverse("imports:preview", args=[own, batch.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[own, batch.pk])).status_code == 404
    assert not Student.objects.filter(surname="Чужий").exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_missing_school_and_batch_are_404_for_the_administrator(
    school_admin_client: Client, community: Community
) -> None:
    assert school_admin_client.get(reverse("imports:students", args=[999999])).status_code == 404
    url = reverse("imports:preview", args=[community.school.pk, 999999])
    assert school_admin_client.get(url).status_code == 404
    url = reverse("imports:template", args=[community.school.pk, "marks", "xlsx"])
    assert school_admin_client.get(url).status_code == 404
    url = reverse("imports:template", args=[community.school.pk, "staff", "pdf"])
    assert school_admin_client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client: Client, community: Community) -> None:
    response = client.get(reverse("imports:students", args=[community.school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_upload_page_offers_templates_and_a_labelled_file_input(
    school_admin_client: Client, community: Community
) -> None:
    body = school_admin_client.get(reverse("imports:students", args=[community.school.pk])).content
    page = body.decode()
    assert reverse("imports:template", args=[community.school.pk, "students", "xlsx"]) in page
    assert reverse("imports:template", args=[community.school.pk, "students", "csv"]) in page
    assert '<label for="id_file">' in page
    assert 'accept=".xlsx,.csv"' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "учні.xlsx",
            b"PK\x03\x04 this is not really a workbook",
            "could not be opened as an Excel",
        ),
        ("учні.xlsx", b"%PDF-1.7 a scanned list", "could not be opened as an Excel"),
        ("учні.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a CSV text file"),
        ("учні.pdf", b"%PDF-1.7", "Only .xlsx (Excel) and .csv files can be imported"),
        ("учні.txt", b"hello", "Only .xlsx (Excel) and .csv files can be imported"),
        ("учні.xls", b"\xd0\xcf\x11\xe0", "Only .xlsx (Excel) and .csv files can be imported"),
        ("учні.csv", "Прізвище,Ім'я\nА,Б\n".encode(), "The header row lacks the columns"),
        ("учні.csv", b"", "The submitted file is empty"),
        ("учні.csv", "\ufeff".encode() + ",".join(STUDENT_HEADER).encode(), "no rows of data"),
    ],
)
def test_unreadable_file_gives_a_clear_error_and_stores_nothing(
    school_admin_client: Client, community: Community, filename: str, content: bytes, message: str
) -> None:
    response = upload(
        school_admin_client, community.school.pk, ImportKind.STUDENTS, filename, content
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_file_over_the_size_limit_is_refused(
    school_admin_client: Client, community: Community, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_IMPORT_MAX_BYTES = 1024
    content = csv_bytes(STUDENT_HEADER, [student(surname="Я" * 600)])
    response = upload(
        school_admin_client, community.school.pk, ImportKind.STUDENTS, "big.csv", content
    )
    assert response.status_code == 400
    assert "larger than 1 KB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_school_without_an_open_year_cannot_import(
    school_admin_client: Client, community: Community
) -> None:
    from django.utils import timezone

    community.year.closed_at = timezone.now()
    community.year.save()
    content = xlsx_bytes(STUDENT_HEADER, [student(surname="А", given_name="Б")])
    response = upload(
        school_admin_client, community.school.pk, ImportKind.STUDENTS, "a.xlsx", content
    )
    assert response.status_code == 400
    assert "no open academic year" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("kind", "columns"), [("students", STUDENT_COLUMNS), ("staff", STAFF_COLUMNS)]
)
def test_xlsx_template_downloads_and_opens_with_openpyxl(
    school_admin_client: Client, community: Community, kind: str, columns: list
) -> None:  # type: ignore[type-arg]
    response = school_admin_client.get(
        reverse("imports:template", args=[community.school.pk, kind, "xlsx"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [c.header for c in columns]
    assert sheet.cell(row=2, column=1).value  # the example row
    assert sheet.column_dimensions["A"].width > 10
    assert "Інструкція" in workbook.sheetnames
    assert "Як заповнити файл" in workbook["Інструкція"]["A1"].value


def test_csv_template_is_utf8_with_bom_and_the_students_header(
    school_admin_client: Client, community: Community
) -> None:
    response = school_admin_client.get(
        reverse("imports:template", args=[community.school.pk, "students", "csv"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Прізвище", "Ім’я", "По батькові", "Дата народження", "Стать", "Клас"]
    assert "Батьки 2: e-mail" in rows[0]


def test_cp1251_csv_with_tolerant_headers_is_read(
    school_admin_client: Client, community: Community
) -> None:
    # What Excel on a Ukrainian Windows saves as "CSV": Windows-1251, semicolons,
    # a typographic apostrophe, other case and spacing.
    text = (
        "ПРІЗВИЩЕ; Ім’я ;дата  народження;стать;КЛАС;батьки 1:ПІБ;Батьки 1: E-mail\r\n"
        "Бойко;Остап;05.06.2015;ч;5-а;Бойко Ганна;hanna@family.test\r\n"
    )
    response = upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STUDENTS,
        "win.csv",
        text.encode("cp1251"),
    )
    assert response.status_code == 302
    page = school_admin_client.get(response["Location"])
    row = page.context["preview"].rows[0]
    assert row.errors == []
    assert row.data.class_group == community.class_5a
    assert row.data.guardians[0].email == "hanna@family.test"


def test_batch_keeps_the_uploaded_bytes_and_who_uploaded_them(
    school_admin_client: Client, community: Community
) -> None:
    content = csv_bytes(STUDENT_HEADER, [student(surname="А", given_name="Б")])
    upload(school_admin_client, community.school.pk, ImportKind.STUDENTS, "keep.csv", content)
    batch = ImportBatch.objects.get()
    assert bytes(batch.content) == content
    assert isinstance(batch.created_by, User) and batch.created_by == community.school_admin
    assert batch.year == community.year and batch.school == community.school


def test_the_downloaded_xlsx_template_filled_in_imports_cleanly(
    school_admin_client: Client, community: Community
) -> None:
    response = school_admin_client.get(
        reverse("imports:template", args=[community.school.pk, "staff", "xlsx"])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    for column, value in enumerate(
        ["Романенко", "Тетяна", "Іванівна", "romanenko@school.test", "0931234567",
         "вчитель біології", "перша", "вчитель", "5-Б"],
        start=1,
    ):  # fmt: skip
        sheet.cell(row=2, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    uploaded = upload(
        school_admin_client,
        community.school.pk,
        ImportKind.STAFF,
        "працівники.xlsx",
        buffer.getvalue(),
    )
    assert uploaded.status_code == 302
    batch = ImportBatch.objects.get()
    assert school_admin_client.get(uploaded["Location"]).context["preview"].error_count == 0
    school_admin_client.post(reverse("imports:confirm", args=[community.school.pk, batch.pk]))
    teacher = User.objects.get(email="romanenko@school.test")
    assert teacher.led_classes.get() == community.class_5b
