"""Connections and serving (issue 13): the database settings derived from the environment,
`zhurnal serve`'s command line and safety checks, compression of pages and JSON, and one run
of the real server with its far-future static caching."""

from __future__ import annotations

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client

from tests.cast import Community
from zhurnal.api.tests.builders import token_for
from zhurnal.core.compression import compressible
from zhurnal.core.dbconfig import database_settings, pool_sizes
from zhurnal.core.management.commands import serve
from zhurnal.core.serving import ServeOptions, default_workers, gunicorn_argv, redact_path

PG = "postgres://zhurnal:secret@db.example:5432/zhurnal"

# --- connections ------------------------------------------------------------------------


def test_postgresql_keeps_connections_for_the_given_age_and_checks_them() -> None:
    config = database_settings(url=PG, conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert "pool" not in config.get("OPTIONS", {})


def test_sqlite_stays_one_connection_per_request_with_wal_and_immediate_writes() -> None:
    config = database_settings(url="sqlite:////tmp/z.sqlite3", conn_max_age=60)
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_a_pool_replaces_persistent_connections() -> None:
    config = database_settings(url=PG, conn_max_age=60, pool="2,8")
    assert config["OPTIONS"]["pool"]["min_size"] == 2
    assert config["OPTIONS"]["pool"]["max_size"] == 8
    # Django refuses a pool together with CONN_MAX_AGE > 0.
    assert config["CONN_MAX_AGE"] == 0


def test_a_pool_keeps_the_urls_own_options() -> None:
    config = database_settings(url=f"{PG}?sslmode=require", conn_max_age=60, pool="4")
    assert config["OPTIONS"]["sslmode"] == "require"
    assert (config["OPTIONS"]["pool"]["min_size"], config["OPTIONS"]["pool"]["max_size"]) == (1, 4)


@pytest.mark.parametrize("value", ["", "0", "off", "no"])
def test_no_pool_unless_asked(value: str) -> None:
    assert pool_sizes(value) is None


@pytest.mark.parametrize("value", ["many", "1,2,3", "5,2", "0,4", "-1"])
def test_a_bad_pool_size_fails_loudly(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="ZHURNAL_DB_POOL"):
        database_settings(url=PG, conn_max_age=0, pool=value)


def test_pgbouncer_mode_uses_no_server_side_cursors() -> None:
    config = database_settings(url=PG, conn_max_age=0, pgbouncer=True)
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["CONN_MAX_AGE"] == 0


def test_pgbouncer_and_a_pool_of_our_own_exclude_each_other() -> None:
    with pytest.raises(ImproperlyConfigured, match="PgBouncer is the pool"):
        database_settings(url=PG, conn_max_age=0, pool="2,4", pgbouncer=True)


def test_a_negative_connection_age_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
        database_settings(url=PG, conn_max_age=-1)


def test_no_session_level_state_that_pgbouncer_transaction_pooling_would_break() -> None:
    """Behind PgBouncer in transaction mode a session outlives no transaction: advisory
    locks must be the transaction's own (`pg_advisory_xact_lock`), never the session's."""
    root = Path(settings.BASE_DIR) / "zhurnal"
    session_level = re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\(|\bLISTEN\b|SET SESSION")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and session_level.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- zhurnal serve ----------------------------------------------------------------------


def test_serve_runs_gunicorn_with_sync_workers_by_default() -> None:
    argv = gunicorn_argv(ServeOptions(), python="/venv/bin/python")
    assert argv[:4] == ["/venv/bin/python", "-m", "gunicorn", "config.wsgi:application"]
    flags = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert flags["--bind"] == "127.0.0.1:8000"
    assert flags["--workers"] == str(default_workers())
    assert flags["--worker-class"] == "sync"
    assert flags["--max-requests"] == "2000"
    assert flags["--max-requests-jitter"] == "200"
    assert flags["--logger-class"] == "zhurnal.core.serving.AccessLogger"
    assert "--threads" not in argv


def test_two_workers_per_core_plus_one() -> None:
    assert default_workers(2) == 5
    assert default_workers(8) == 17


def test_serve_uses_gthread_workers_when_given_threads() -> None:
    argv = gunicorn_argv(ServeOptions(bind="0.0.0.0:9000", workers=3, threads=4, access_log=""))
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9000"
    assert "--access-logfile" not in argv


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/calendar/Zx81-secret.ics", "/calendar/….ics"),
        ("/notifications/unsubscribe/abc.def/", "/notifications/unsubscribe/…/"),
        ("/password/reset/MQ/c4x-token/", "/password/reset/…/"),
        ("/password/reset/sent/", "/password/reset/sent/"),
        ("/diary/", "/diary/"),
    ],
)
def test_the_access_log_keeps_no_secret_of_a_token_link(path: str, logged: str) -> None:
    assert redact_path(path) == logged


@pytest.mark.django_db
def test_serve_refuses_to_start_with_unapplied_migrations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serve, "unapplied_migrations", lambda: ["journal.0099_future"])
    with pytest.raises(CommandError, match=r"lacks 1 migration.*journal\.0099_future.*migrate"):
        call_command("serve", "--dry-run")


@pytest.mark.django_db
def test_the_test_database_has_every_migration() -> None:
    assert serve.unapplied_migrations() == []


# --- compression ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("text/csv; charset=utf-8", True),
        ("application/problem+json", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("application/vnd.etsi.asic-e+zip", False),
        ("application/zip", False),
        ("application/pdf", False),
        ("image/png", False),
        ("", False),
    ],
)
def test_only_text_answers_are_compressed(content_type: str, expected: bool) -> None:
    assert compressible(content_type) is expected


@pytest.mark.django_db
def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client: Client) -> None:
    response = client.get("/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<form" in gzip.decompress(response.content)
    plain = client.get("/login/")
    assert not plain.has_header("Content-Encoding")


def test_api_json_is_gzipped(community: Community) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(community.teacher)}")
    response = api.get("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b'"openapi"' in gzip.decompress(response.content)


def test_an_xlsx_download_is_not_compressed_again(community: Community, login) -> None:  # type: ignore[no-untyped-def]
    client = login(community.school_admin)
    response = client.get(
        f"/school/{community.school.pk}/import/students/template.xlsx",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not response.has_header("Content-Encoding")
    assert response.content[:2] == b"PK"


# --- the real server --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — our own local server
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, dict(answer.headers), answer.read()


def test_zhurnal_serve_serves_pages_gzipped_and_static_files_for_ever(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DATABASE_URL"}
    }
    environment.update(
        ZHURNAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        ZHURNAL_SECRET_KEY="serve-test-key-not-secret",
        ZHURNAL_STATIC_MANIFEST="1",
    )
    port = _free_port()
    command = [sys.executable, "-m", "zhurnal", "serve", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1"]
    cwd = settings.BASE_DIR

    refused = subprocess.run(  # noqa: S603 — our own command
        command, env=environment, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0
    assert "zhurnal migrate" in refused.stderr

    # --migrate: the same start, applying the migrations first instead of refusing.
    server = subprocess.Popen(  # noqa: S603
        [*command, "--migrate"],
        env=environment,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, headers, body = _get(f"{base}/login/", **{"Accept-Encoding": "gzip"})
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.5)
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        page = gzip.decompress(body).decode()
        stylesheet = re.search(r'href="(/static/css/zhurnal\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page names the hashed style sheet"

        status, headers, body = _get(base + stylesheet.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))  # type: ignore[union-attr]
        assert max_age >= 365 * 24 * 60 * 60
        assert headers["Content-Encoding"] == "gzip"
        assert b"{" in gzip.decompress(body)

        # The service worker's own URL and its precached plain names still answer.
        status, headers, _body = _get(f"{base}/sw.js")
        assert status == 200
        assert headers["Cache-Control"].startswith("no-cache")
        assert _get(f"{base}/static/css/zhurnal.css")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()
