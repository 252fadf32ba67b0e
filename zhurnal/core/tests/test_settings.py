"""Settings fail loudly: without ZHURNAL_SECRET_KEY only the demo and the test suite start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ZHURNAL_SECRET_KEY", "PYTEST_VERSION"}}
    if key is not None:
        env["ZHURNAL_SECRET_KEY"] = key
    return subprocess.run(  # noqa: S603 - the project's own command with fixed arguments
        [sys.executable, "-m", "zhurnal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_without_a_secret_key_refuses_to_start() -> None:
    result = _run("check", key=None)
    assert result.returncode != 0
    assert "ZHURNAL_SECRET_KEY is not set" in result.stderr


def test_with_a_secret_key_it_starts() -> None:
    result = _run("check", key="a-long-random-key-for-this-test-only-0123456789")
    assert result.returncode == 0, result.stderr


def test_the_demo_starts_without_a_key() -> None:
    result = _run("demo", "--help", key=None)
    assert result.returncode == 0, result.stderr
    assert "--schools" in result.stdout
