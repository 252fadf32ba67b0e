from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_counters() -> None:
    """Token ids repeat between tests (rolled back), so their request counters must not."""
    cache.clear()
