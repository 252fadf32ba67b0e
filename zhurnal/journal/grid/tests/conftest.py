"""Fixtures of the grid tests: the school day they all run on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhurnal.journal.grid.tests.builders import NOW


@pytest.fixture(autouse=True)
def school_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
