"""Who is acting and from where, for the audit log, set once per request or command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    address: str = ""
    role: str = ""


# AuditContext is a frozen dataclass, so sharing the default instance is safe.
_current: ContextVar[AuditContext] = ContextVar(
    "audit_context",
    default=AuditContext(),  # noqa: B039
)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def audit_context(*, address: str = "", role: str = "") -> Iterator[None]:
    token = _current.set(AuditContext(address=address, role=role))
    try:
        yield
    finally:
        _current.reset(token)
