"""The second factor in a browser journey: enrol on the first login (the key read from the
page, as a person would type it into an app) or enter the current code afterwards."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page


def _code(key: bytes, *, last_t: int | None) -> str:
    now = int(time.time()) // 30
    drift = max(0, (last_t if last_t is not None else -1) + 1 - now)  # a code is used once
    return f"{totp(key, drift=drift):06d}"


def pass_second_factor(page: Page, username: str) -> None:
    """After the password: enrol (and continue past the recovery codes) or verify."""
    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")
    page.wait_for_load_state()
    if "/security/second-factor/" in page.url:
        key = base64.b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))
        page.locator("input[name=code]").fill(_code(key, last_t=None))
        page.locator(
            "main form button[type=submit], form:has(input[name=code]) button"
        ).first.click()
        page.wait_for_load_state()
        page.locator("#recovery-codes").wait_for()
        page.locator("a.button").last.click()
        page.wait_for_load_state()
    elif "/login/second-factor/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("input[name=code]").fill(_code(device.bin_key, last_t=device.last_t))
        page.locator("form:has(input[name=code]) button").first.click()
        page.wait_for_load_state()
