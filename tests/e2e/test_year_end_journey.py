"""The end of the year in a real browser (issue 10): the director runs the pre-closing check
and sees a missing annual mark; the teacher enters it in the grid; the director closes the
year for 5-А, watches the packaging's progress (a real task worker runs it), downloads the
package, signs it outside the application with the demo key (`zhurnal archive sign
--demo-key`, playing the director's own signing tool) and uploads the detached signature;
the package shows as signed and verified, and the department's page shows 5-А as signed."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import pgettext
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import uk
from tests.e2e.twofactor import pass_second_factor
from zhurnal.archive.democa import DemoIdentity, demo_ca_directory, demo_ca_ensure
from zhurnal.archive.models import (
    ArchiveDocument,
    DocumentKind,
    DocumentState,
    JobState,
    PackagingJob,
)
from zhurnal.archive.services import trusted_certificate_import
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.journal.models import MarkKind
from zhurnal.journal.services import JournalColumn, journal_cell_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Ім’я користувача або e-mail").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    pass_second_factor(page, username)
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=uk("Log out")).click()
    page.wait_for_load_state()


def run_worker() -> threading.Thread:
    """A real django-tasks database worker, as `zhurnal db_worker` runs it: everything
    queued is processed, then it stops."""
    worker = Worker(
        queue_names=["*"],
        interval=0.2,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="year-end-test",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, name="task-worker", daemon=True)
    thread.start()
    return thread


@override_settings(ZHURNAL_AUDIT_KEY="the year-end journey's audit key")
def test_director_closes_a_class_signs_its_package_and_the_department_sees_it(
    live_server, page: Page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    c = build_community()
    for school in (c.school, c.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    annual = JournalColumn(kind=MarkKind.ANNUAL)
    # Ukrainian is complete; in mathematics Андрій's annual mark is still missing.
    for student in (c.student, c.other_student):
        journal_cell_set(
            actor=c.other_teacher,
            assignment=c.ukrainian_5a,
            student=student,
            column=annual,
            text="9",
        )
    journal_cell_set(
        actor=c.teacher, assignment=c.math_5a, student=c.other_student, column=annual, text="10"
    )
    ca = demo_ca_ensure(
        demo_ca_directory(),
        director=DemoIdentity(c.director.full_name, c.school.name, "Директор"),
        class_teacher=DemoIdentity(c.class_teacher.full_name, c.school.name, "Класний керівник"),
    )
    trusted_certificate_import(actor=None, data=ca.root_pem)
    base = live_server.url

    # The director's pre-closing check of 5-А names the missing annual mark.
    log_in(page, base, c.director.username)
    page.get_by_role("link", name=uk("End of the year")).first.click()
    page.locator("tr", has_text="5-А").get_by_role("link").first.click()
    missing = page.locator("li", has_text="Гнатюк А. П.")
    expect(missing).to_contain_text("Математика")
    log_out(page)

    # The teacher enters it in the grid, keyboard only.
    log_in(page, base, c.teacher.username)
    page.goto(f"{base}/journal/{c.math_5a.pk}/?term={c.term2.pk}")
    with translation.override("uk"):
        annual_header = pgettext("journal column", "Annual")
    cell = page.get_by_label(f"Гнатюк Андрій, {annual_header}, Математика", exact=True)
    cell.click()
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(cell.locator("xpath=..")).to_have_attribute("data-v", "11")
    log_out(page)

    # The check no longer finds it; the director accepts the rest and closes 5-А.
    log_in(page, base, c.director.username)
    page.goto(f"{base}/school/{c.school.pk}/year-end/class/{c.class_5a.pk}/")
    expect(page.locator("li", has_text="Гнатюк А. П.")).to_have_count(0)
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name=re.compile("5-А")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(uk("Packaging for the archive"))
    expect(page.locator("#job-bar")).to_be_visible()
    job = PackagingJob.objects.get()
    assert job.state == JobState.QUEUED
    worker = run_worker()
    # The page follows the job by itself and lists the documents when it is done.
    journal_link = page.get_by_role("link", name=re.compile(r"5-А, v1"))
    expect(journal_link.first).to_be_visible(timeout=120_000)
    worker.join(timeout=120)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.percent == 100

    # Download the package, sign it outside, upload the detached signature.
    journal = ArchiveDocument.objects.get(kind=DocumentKind.CLASS_JOURNAL)
    page.goto(f"{base}/school/{c.school.pk}/archive/{journal.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=uk("Package (.asice)")).click()
    package = tmp_path / "journal.asice"
    download_info.value.save_as(package)
    signature = tmp_path / "journal.p7s"
    call_command("archive", "sign", "--demo-key", str(package), "-o", str(signature))
    page.get_by_label(
        uk("Signature file (.p7s) or signed container (.asice, .asics)")
    ).set_input_files(str(signature))
    page.get_by_role("button", name=uk("Upload and verify")).click()
    expect(page.locator("#document-state")).to_have_text(uk("signed"))
    expect(page.locator("#signatures")).to_contain_text(c.director.full_name.split()[0])
    expect(page.locator("#verification")).to_contain_text(uk("Every file matches the manifest."))
    journal.refresh_from_db()
    assert journal.state == DocumentState.SIGNED
    log_out(page)

    # The department sees 5-А signed: one signed class, 5-Б still to sign.
    log_in(page, base, c.department.username)
    page.get_by_role("link", name=uk("Year end and archives of the schools")).click()
    row = page.locator("#department-archive tr", has_text=c.school.short_name or c.school.name)
    expect(row).to_contain_text("5-Б")
    expect(row).not_to_contain_text("5-А")
    cells = row.locator("td")
    expect(cells.nth(3)).to_have_text("1")  # signed classes
