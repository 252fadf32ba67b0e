"""`zhurnal serve`: gunicorn's command line for the production server, and its access log
(docs/operations.md, "Serving")."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import gunicorn
from gunicorn.glogging import Logger

from zhurnal.core.logfilters import redact_path

DEFAULT_BIND = "127.0.0.1:8000"
# Method, path (secrets cut out, no query string), status, bytes, milliseconds: what an
# operator needs to see load and errors, and no more personal data than that.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Paths that carry a secret of their own: a calendar feed's token, an unsubscribe token, a
# password-reset link. The access log keeps their shape, not the secret.


def default_workers(cores: int | None = None) -> int:
    """Gunicorn's rule for sync workers: two per core plus one (5 on a 2-core machine)."""
    return 2 * (cores or os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class ServeOptions:
    bind: str = DEFAULT_BIND
    workers: int = 0  # 0: default_workers()
    threads: int = 1  # 1: sync workers; more: gthread workers with that many threads each
    timeout: int = 30
    graceful_timeout: int = 30
    keep_alive: int = 5
    max_requests: int = 2000
    max_requests_jitter: int = 200
    access_log: str = "-"


def gunicorn_argv(options: ServeOptions, *, python: str = sys.executable) -> list[str]:
    """The command that runs Zhurnal under gunicorn with these options."""
    argv = [
        python,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        options.bind,
        "--workers",
        str(options.workers or default_workers()),
        "--worker-class",
        "gthread" if options.threads > 1 else "sync",
        "--timeout",
        str(options.timeout),
        "--graceful-timeout",
        str(options.graceful_timeout),
        "--keep-alive",
        str(options.keep_alive),
        "--max-requests",
        str(options.max_requests),
        "--max-requests-jitter",
        str(options.max_requests_jitter),
        "--logger-class",
        "zhurnal.core.serving.AccessLogger",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        # Workers' heartbeat files in memory, not on a disk that may stall.
        "--worker-tmp-dir",
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108 — gunicorn's own default
    ]
    if gunicorn.version_info >= (27,):
        # Gunicorn 27's control socket lives at one path per user (~/.gunicorn): two servers
        # on one machine would fight over it, and `zhurnal serve` is managed by signals.
        argv.append("--no-control-socket")
    if options.threads > 1:
        argv += ["--threads", str(options.threads)]
    if options.access_log:
        argv += ["--access-logfile", options.access_log]
    return argv


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no type information
    """Gunicorn's logger with the secrets of token links cut out of the access log."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = redact_path(str(atoms.get("U") or ""))
        atoms["U"] = path
        atoms["r"] = f"{atoms.get('m')} {path} {atoms.get('H')}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        return atoms
