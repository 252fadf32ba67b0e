"""Faults under issue 13's mixed load: a gunicorn worker killed, PostgreSQL restarted.

    .venv/bin/python bench/faults.py          # as root: it runs its own PostgreSQL

Starts a throw-away PostgreSQL 15 cluster (it restarts it, so never yours: DATABASE_URL
is ignored), builds the demo (--schools, default 1: the faults do not depend on its
size) with logins, starts gunicorn with --workers sync workers and drives the mixed load
of bench/loadkit.py with --clients clients for --seconds. During it: at --kill-at seconds
one worker gets SIGKILL; at --restart-at seconds `pg_ctl restart -m fast`. Afterwards:

- every mark save answered ok is in the database exactly once with the value sent;
- `zhurnal audit verify` passes (hash chain, signed heads, rows against their events);
- what the requests failing around the restart got (the issue asks for 503, not a hang):
  their statuses and their longest wait;
- the server recovered by itself: no request sent from 3 s after the restart on failed, every kind
  of request answers 200 afterwards, and gunicorn has its workers back.

Prints each finding and a verdict; exits 1 when an acknowledged write is lost or doubled,
the audit chain breaks or the server did not recover. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import loadkit
from loadkit import Cluster, Mix, Run, Sample

GRACE = 3.0  # seconds after the restart returned still counted as "during the restart"


def _statuses(samples: list[Sample]) -> str:
    counted = Counter(s.outcome if s.status == 0 else str(s.status) for s in samples)
    return ", ".join(f"{name} ×{n}" for name, n in counted.most_common()) or "none"


def _audit_verify() -> tuple[bool, str]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=out)
    except CommandError as exc:
        return False, f"{exc} {out.getvalue().strip()[-300:]}"
    return True, out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else "ok"


def _after(port: int, mix: Mix) -> list[str]:
    """Each kind of page once more, after the load: what did not answer 200."""
    c = mix.community
    cookie, children = c.families[0]
    teacher = c.teachers[0]
    failed = []
    for path, session in (
        (f"/family/child/{children[0]}/?week={c.weeks[0]}", cookie),
        (f"/journal/{teacher.assignment}/", teacher.cookie),
        (f"/lesson/{teacher.lessons[-1]}/", teacher.cookie),
        (loadkit.HELLO_PATH, ""),
    ):
        for _ in range(3):
            try:
                status, _body, _ms = loadkit.request(
                    port, "GET", path, headers={"Cookie": f"sessionid={session}"}, timeout=15
                )
            except OSError as exc:
                failed.append(f"{path}: {type(exc).__name__}")
                continue
            if status != 200:
                failed.append(f"{path}: {status}")
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kill-at", type=float, default=5)
    parser.add_argument("--restart-at", type=float, default=15)
    parser.add_argument("--timeout", type=float, default=20, help="a request's wait at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--schools", type=int, default=1)
    parser.add_argument("--guardians", type=int, default=200)
    parser.add_argument("--teachers", type=int, default=30)
    args = parser.parse_args()
    if not args.kill_at < args.restart_at < args.seconds - 10:
        sys.exit("--kill-at < --restart-at < --seconds - 10")
    port = loadkit.free_port()
    server_log = Path(tempfile.gettempdir()) / f"zhurnal-bench-faults-{os.getpid()}.log"
    cluster = Cluster(loadkit.free_port())
    cluster.start()
    os.environ["DATABASE_URL"] = cluster.url
    server = None
    essential = [False]
    try:
        with tempfile.TemporaryDirectory(prefix="zhurnal-bench-faults-") as var_dir:
            loadkit.configure(var_dir)
            from django.db import connection
            from machine import describe_machine

            print(describe_machine())
            community = loadkit.build_community(
                schools=args.schools, guardians=args.guardians, teachers=args.teachers
            )
            connection.close()
            mix = Mix(community)
            server = loadkit.start_gunicorn(
                workers=args.workers,
                port=port,
                database_url=cluster.url,
                var_dir=var_dir,
                log=server_log,
            )
            events: dict[str, Any] = {}

            def during(elapsed: float) -> None:
                if "killed" not in events and elapsed >= args.kill_at:
                    pids = loadkit.worker_pids(server)
                    if pids:
                        os.kill(pids[0], signal.SIGKILL)
                        events["killed"] = (pids[0], elapsed)
                if "restart" not in events and elapsed >= args.restart_at:
                    begun = time.perf_counter()
                    cluster.restart()
                    events["restart"] = (elapsed, elapsed + time.perf_counter() - begun)

            print(
                f"load: {args.clients} clients for {args.seconds:.0f} s on gunicorn "
                f"{args.workers} sync workers; SIGKILL to a worker at {args.kill_at:.0f} s, "
                f"pg_ctl restart -m fast at {args.restart_at:.0f} s; load average "
                f"{os.getloadavg()[0]:.1f}"
            )
            run: Run = loadkit.drive(
                port=port,
                clients=args.clients,
                seconds=args.seconds,
                mix=mix,
                server=server,
                postmaster=cluster.postmaster_pid,
                timeout=args.timeout,
                during=during,
            )
            summary = run.summary()
            print(
                f"{summary['requests']} requests, {summary['rps']} req/s, p95 "
                f"{summary['p95_ms']} ms, {summary['errors']} errors: "
                f"{_statuses([s for s in run.samples if s.outcome.startswith('error')])}"
            )
            logged = server_log.read_text(errors="replace")
            print(
                f"gunicorn's error log {server_log}: {logged.count('Traceback (most recent')} "
                f"tracebacks, {logged.count('django.db.utils.OperationalError')} "
                f"OperationalError, {logged.count('Internal Server Error')} "
                f"'Internal Server Error' lines"
            )
            verdict: list[tuple[bool, str]] = []

            killed_pid, killed_at = events.get("killed", (None, 0.0))
            hit = [s for s in run.samples if s.started <= killed_at <= s.started + s.ms / 1000]
            print(
                f"worker {killed_pid} killed at {killed_at:.1f} s: the requests in flight got "
                f"{_statuses(hit)}"
            )
            restart_from, restart_to = events.get("restart", (0.0, 0.0))
            window = [
                s
                for s in run.samples
                if s.started <= restart_to + GRACE and s.started + s.ms / 1000 >= restart_from
            ]
            failed = [s for s in window if s.outcome.startswith("error")]
            longest = max((s.ms for s in failed), default=0.0)
            print(
                f"PostgreSQL restarted from {restart_from:.1f} to {restart_to:.1f} s: "
                f"{len(window)} requests around it got {_statuses(window)}; the failed ones "
                f"waited at most {longest / 1000:.1f} s"
            )
            clear = bool(failed) and all(s.status == 503 for s in failed)
            verdict.append(
                (
                    clear or not failed,
                    "requests failing during the restart got 503"
                    if clear or not failed
                    else "requests failing during the restart did NOT all get 503: "
                    + _statuses(failed),
                )
            )
            verdict.append(
                (
                    all("Timeout" not in s.outcome for s in window),
                    f"no request hung (a request waits at most {args.timeout:.0f} s here)",
                )
            )

            problems = loadkit.check_acknowledged(run.acknowledged)
            lost = f": NOT {len(problems)}: {'; '.join(problems[:3])}" if problems else ""
            verdict.append(
                (
                    not problems,
                    f"{len(run.acknowledged)} acknowledged mark saves in the database exactly "
                    f"once{lost}",
                )
            )
            ok, message = _audit_verify()
            verdict.append((ok, f"zhurnal audit verify: {message}"))

            tail = [s for s in run.samples if s.started >= restart_to + GRACE]
            tail_errors = [s for s in tail if s.outcome.startswith("error")]
            after = _after(port, mix)
            workers = len(loadkit.worker_pids(server))
            recovered = not tail_errors and bool(tail) and not after and workers == args.workers
            verdict.append(
                (
                    recovered,
                    f"recovered by itself: the {len(tail)} requests sent from {GRACE:.0f} s "
                    f"after the restart on: {len(tail_errors)} errors, pages afterwards "
                    f"{'all 200' if not after else 'failing: ' + ', '.join(after[:4])}, "
                    f"gunicorn workers {workers}/{args.workers}",
                )
            )
            print("verdict:")
            for passed, line in verdict:
                print(f"  {'PASS' if passed else 'FAIL'}  {line}")
            essential = [verdict[2][0], verdict[3][0], verdict[4][0]]
            connection.close()
    finally:
        if server is not None:
            loadkit.stop_gunicorn(server)
        cluster.remove()
    sys.exit(0 if all(essential) else 1)


if __name__ == "__main__":
    main()
