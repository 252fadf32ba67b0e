"""The archive tests read the reports' English source texts; the Ukrainian and Russian
translations are checked by the translation check like every other message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
