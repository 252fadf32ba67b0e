from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.cast import Community


@pytest.fixture
def school_admin_client(client: Client, community: Community) -> Client:
    """The school administrator of school A, reading the pages in English."""
    client.force_login(community.school_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
