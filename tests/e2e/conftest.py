"""Browser journeys: Playwright for Python driving Debian's chromium (installed by the
test command), against Django's live server on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("ZHURNAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command, which installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    # The service worker keeps fetching a teacher's pages in the background after a journey
    # ends, while the live server's database is being emptied for the next test: only the
    # journeys marked `service_workers` (the offline journal) run it.
    workers = "allow" if request.node.get_closest_marker("service_workers") else "block"
    context = browser.new_context(
        locale="uk-UA", viewport={"width": 1280, "height": 900}, service_workers=workers
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every journey also proves the Content-Security-Policy breaks nothing: chromium reports
    # each refused script, style or resource on the console.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def phone(page: Page) -> Page:
    """The page fixture (it checks the CSP) at a phone's 360 × 780."""
    page.set_viewport_size({"width": 360, "height": 780})
    return page
