"""Hardening (issue 11): the Content-Security-Policy allows no inline script or style and
the templates need none; no answer with personal data is cached; HSTS over HTTPS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.cast import Community

ROOT = Path(__file__).resolve().parents[3]

# Rendered to PDF by WeasyPrint (never served as a page): their <style> blocks and style
# attributes reach no browser.
PDF_TEMPLATES = {
    "templates/archive/journal_left.html",
    "templates/archive/journal_right.html",
    "templates/archive/journal_sheets.html",
    "templates/archive/summary_pdf.html",
    "templates/archive/register_pdf.html",
    "templates/archive/journal_pdf.html",
    "templates/journal/classteacher/summary_pdf.html",
    "templates/monitoring/quarterly_report_pdf.html",
    "templates/control/weekly/report_pdf.html",
    "templates/students/privacy/family_data.html",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    found = sorted((ROOT / "templates").rglob("*.html"))
    found += sorted((ROOT / "zhurnal").rglob("templates/**/*.html"))
    return found


def test_no_page_template_has_inline_script_style_or_handlers() -> None:
    offenders = []
    for path in _templates():
        rel = path.relative_to(ROOT).as_posix()
        if rel in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            if pattern.search(text):
                offenders.append(f"{rel}: {pattern.pattern}")
    assert offenders == [], "The CSP allows no inline script or style: use static files"


def test_the_pdf_allow_list_names_existing_templates() -> None:
    assert all((ROOT / rel).exists() for rel in PDF_TEMPLATES)


@pytest.mark.django_db
def test_pages_carry_a_csp_without_unsafe_inline(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    directives = {name: value for name, value in parts}
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_every_answer_to_a_signed_in_user_is_not_stored(login, community: Community) -> None:
    client = login(community.guardian)
    for url in (
        reverse("diary:family_home"),
        reverse("diary:marks", args=[community.student.pk]),
    ):
        response = client.get(url)
        assert response.status_code in {200, 302}
        assert response["Cache-Control"] == "no-store, private", url
    # The one exception: the diary's week is kept by the family's own browser and
    # revalidated with its ETag on every visit (see NoStoreMiddleware); logout clears it.
    week = client.get(reverse("diary:child_week", args=[community.student.pk]))
    assert week["Cache-Control"] == "private, no-cache" and week["ETag"]
    assert client.post(reverse("accounts:logout"))["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.django_db
def test_api_answers_are_not_stored(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_static_files_keep_their_caching(client: Client) -> None:
    response = client.get("/static/css/zhurnal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_an_anonymous_page_that_chose_its_caching_keeps_it(client: Client) -> None:
    response = client.get(reverse("diary:manifest"))
    assert "max-age=3600" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_hsts_is_sent_over_https_only(client: Client) -> None:
    plain = client.get(reverse("accounts:login"))
    assert "Strict-Transport-Security" not in plain
    secure = client.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_without_the_proxy_setting_a_forged_header_does_not_count(client: Client) -> None:
    response = client.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in response
