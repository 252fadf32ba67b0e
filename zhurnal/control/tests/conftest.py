"""Fixtures of the fill-level tests: a clock the services and metrics take for now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from zhurnal.control.tests.builders import KYIV, MONDAY, at, keep, lesson  # noqa: F401


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """`clock[0] = moment` sets what the services and metrics take for now."""
    moment = [at(MONDAY)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    yield moment
