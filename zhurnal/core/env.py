"""Typed access to environment variables that fails loudly on bad values."""

from __future__ import annotations

import os
import sys


class EnvError(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"Environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"Environment variable {name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise EnvError(f"Environment variable {name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def throwaway_instance() -> bool:
    """True for the runs that may start without a secret key of their own: the demo
    (`zhurnal demo …`) and the test suite (pytest sets PYTEST_VERSION while it runs; mypy's
    Django plugin reads the settings too). Nothing they sign outlives the process."""
    return (
        "PYTEST_VERSION" in os.environ
        or sys.argv[1:2] == ["demo"]
        or os.path.basename(sys.argv[0]).startswith("mypy")
    )
