"""Property-based run of every endpoint from the app's own OpenAPI description: whatever
a program sends, the API answers without a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.cast import Community
from zhurnal.api.tests.builders import PAST, lesson_on, token_for
from zhurnal.journal import services


@pytest.fixture
def schema(settings):  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["*"]
    settings.ZHURNAL_API_RATE_PER_MINUTE = 100_000
    # Requests go straight into the WSGI application, whose request signals would close
    # the test's database connection (and its transaction) on PostgreSQL; Django's own
    # test client disconnects them the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["teacher", "guardian"])
def test_no_generated_request_causes_a_server_error(
    community: Community, schema, role: str
) -> None:  # type: ignore[no-untyped-def]
    lesson = lesson_on(community, PAST)
    mark = services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        lesson=lesson,
        value="9",
    ).mark
    assert mark is not None
    # Generated ids rarely name a real object: a second pass uses the real ones.
    known = {"lesson_id": lesson.pk, "mark_id": mark.pk, "student_id": community.student.pk}
    headers = {"Authorization": f"Bearer {token_for(getattr(community, role))}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11

    for operation in operations:
        real_ids = {key: value for key, value in known.items() if f"{{{key}}}" in operation.path}
        strategies = [operation.as_strategy()]
        if real_ids:
            strategies.append(operation.as_strategy(path_parameters=real_ids))
        for strategy in strategies:
            _run(strategy, headers)


def _run(strategy, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    @given(case=strategy)
    @hypothesis_settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    run()
