"""Issue 13's mixed load on gunicorn and PostgreSQL, with the same server's hello ceiling.

    .venv/bin/python bench/load.py                      # its own throw-away PostgreSQL
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python bench/load.py

Without DATABASE_URL it starts a PostgreSQL 15 cluster of its own (as the postgres user,
on 127.0.0.1:--pg-port, data under /tmp, removed at the end: run as root). With it, it
creates `test_<name>` beside the named database (Django's test-database machinery) and
drops it at the end. Into that database it builds the 3-school demo (`zhurnal demo
--schools 3 --no-serve --keep`), gives logins to guardians and teachers, starts gunicorn
with --workers sync workers serving the product (bench/hello_wsgi.py: the product's
application plus `/__hello__/`), and for each of --clients concurrent clients drives for
--seconds the mix of bench/loadkit.py: 70 % a guardian's diary week, 10 % a teacher's
grid, 10 % a lesson page, 10 % a mark saved through the grid's cell endpoint. Then the
hello view alone at --hello-clients clients.

Reported per run: requests a second, p50/p95/p99 latency, errors (answers other than 200,
and no answer; a save refused by the journal's rules is counted apart), CPU a request of
gunicorn (master and workers), of PostgreSQL (postmaster and backends, when the server
is on this machine) and of this client; the load average. Afterwards every mark save
answered ok is checked in the database (exactly once, the value sent). --json FILE
writes it all.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import loadkit
from loadkit import ROOT, Cluster, Mix, Run

BASELINE = "issue 13 (before): ~30 req/s; p95 0.27 s at 4 clients, 0.7 s at 16; hello ~1,800/s"


def _row(label: str, summary: dict[str, Any]) -> str:
    def ms(key: str) -> str:
        value = summary[key]
        return f"{value:8.0f}" if value is not None else f"{'—':>8}"

    def cpu(key: str) -> str:
        value = summary[key]
        return f"{value:7.1f}" if value is not None and value == value else f"{'—':>7}"

    return (
        f"{label:7}{summary['clients']:>8} {summary['rps']:8.1f}{ms('p50_ms')}{ms('p95_ms')}"
        f"{ms('p99_ms')}{summary['errors']:>7}{summary['refused_saves']:>8}"
        f"{cpu('server_cpu_ms_per_request')}{cpu('database_cpu_ms_per_request')}"
        f"{cpu('client_cpu_ms_per_request')}{summary['load_average_1min']:7.1f}"
    )


def _head() -> str:
    return (
        f"{'':7}{'clients':>8} {'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'refused':>8}{'gun.':>7}{'PG':>7}{'client':>7}{'load':>7}"
        f"\n{'':74}(CPU ms a request)"
    )


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "log", "-1", "--format=%h %cs"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _warm_up(port: int, mix: Mix) -> None:
    """Every kind of request once, answered 200 (a redirect to a login, a second factor
    or a privacy notice would make the load measure the wrong page), and templates
    compiled in the workers."""
    c = mix.community
    cookie, children = c.families[0]
    teacher = c.teachers[0]
    checks = [
        ("diary", f"/family/child/{children[0]}/?week={c.weeks[0]}", cookie),
        ("grid", f"/journal/{teacher.assignment}/", teacher.cookie),
        ("lesson", f"/lesson/{teacher.lessons[-1]}/", teacher.cookie),
        ("hello", loadkit.HELLO_PATH, ""),
    ]
    for _ in range(3):
        for kind, path, session in checks:
            status, body, _ms = loadkit.request(
                port, "GET", path, headers={"Cookie": f"sessionid={session}"}
            )
            if status != 200:
                sys.exit(f"warm-up: {kind} {path} answered {status}, not 200: {body[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16, 64])
    parser.add_argument("--seconds", type=float, default=20, help="length of each run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--hello-clients", type=int, default=16)
    parser.add_argument("--schools", type=int, default=3)
    parser.add_argument("--guardians", type=int, default=300, help="guardians given a login")
    parser.add_argument("--teachers", type=int, default=40, help="teachers given a login")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (0: a free one)")
    parser.add_argument("--pg-port", type=int, default=0, help="our own cluster's (0: free)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    args.port = args.port or loadkit.free_port()
    if not all(1 <= n <= 256 for n in args.clients) or not 1 <= args.workers <= 16:
        sys.exit("clients 1–256, workers 1–16")

    cluster = None
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        cluster = Cluster(args.pg_port or loadkit.free_port())
        cluster.start()
        os.environ["DATABASE_URL"] = cluster.url
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-load-") as var_dir:
        loadkit.configure(var_dir)
        from django.db import connection
        from machine import describe_machine

        old_name = connection.settings_dict["NAME"]
        test_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        server = None
        try:
            results: dict[str, Any] = {"machine": describe_machine(), "commit": _git_head()}
            print(results["machine"], f"; commit {results['commit']}")
            started = time.perf_counter()
            community = loadkit.build_community(
                schools=args.schools, guardians=args.guardians, teachers=args.teachers
            )
            print(
                f"built in {time.perf_counter() - started:.0f} s: demo of {args.schools} schools, "
                f"{len(community.families)} guardians and {len(community.teachers)} teachers "
                f"with a login, {len(community.cells)} empty cells of begun lessons to save into"
            )
            postmaster = cluster.postmaster_pid if cluster else loadkit.postmaster_of_connection
            if not cluster:
                found = postmaster()
                postmaster = lambda: found  # noqa: E731
            connection.close()
            mix = Mix(community)
            print(f"load average before the load: {os.getloadavg()[0]:.2f}")
            server = loadkit.start_gunicorn(
                workers=args.workers,
                port=args.port,
                database_url=loadkit.url_for(test_name),
                var_dir=var_dir,
            )
            _warm_up(args.port, mix)
            print(
                f"gunicorn {args.workers} sync workers on {loadkit.HOST}:{args.port}; "
                f"{args.seconds:.0f} s a run; {BASELINE}"
            )
            print(_head())
            runs: list[Run] = []
            for clients in args.clients:
                run = loadkit.drive(
                    port=args.port,
                    clients=clients,
                    seconds=args.seconds,
                    mix=mix,
                    server=server,
                    postmaster=postmaster,
                )
                runs.append(run)
                summary = run.summary()
                print(_row("mixed", summary))
                print(
                    f"{'':15}"
                    + "  ".join(
                        f"{kind} {k['n']}× p50 {k['p50_ms']:.0f} p95 {k['p95_ms']:.0f}"
                        for kind, k in summary["per_kind"].items()
                    )
                )
                if summary["error_kinds"]:
                    print(f"{'':15}errors: {', '.join(summary['error_kinds'])}")
            hello = loadkit.drive(
                port=args.port,
                clients=args.hello_clients,
                seconds=args.seconds,
                mix=None,
                server=server,
                postmaster=postmaster,
            )
            print(_row("hello", hello.summary()))
            mixed = {r.clients: r.summary()["rps"] for r in runs}
            ratio = ", ".join(
                f"{c} clients {rps / hello.summary()['rps'] * 100:.1f} %"
                for c, rps in mixed.items()
            )
            print(f"mixed load / hello: {ratio}")
            acknowledged = [a for r in runs for a in r.acknowledged]
            problems = loadkit.check_acknowledged(acknowledged)
            print(
                f"mark saves answered ok: {len(acknowledged)} "
                f"({sum(p for _c, p in acknowledged)} pending a correction); in the database "
                f"exactly once with the value sent: "
                f"{'all' if not problems else f'NOT {len(problems)}: ' + '; '.join(problems[:5])}"
            )
            results |= {
                "workers": args.workers,
                "runs": [r.summary() for r in runs],
                "hello": hello.summary(),
                "saves_acknowledged": len(acknowledged),
                "saves_problems": problems,
            }
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        finally:
            if server is not None:
                loadkit.stop_gunicorn(server)
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if cluster is not None:
                cluster.remove()


if __name__ == "__main__":
    main()
