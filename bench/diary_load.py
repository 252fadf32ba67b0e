"""Time the diary's read side, then load it with many guardians through gunicorn.

    DATABASE_URL=postgres://user@host:port/db .venv/bin/python bench/diary_load.py

DATABASE_URL names a PostgreSQL server and a user allowed to create databases; the
benchmark creates `test_<name>` beside it (Django's test-database machinery, the named
database itself is not touched), builds the demo community of one school into it
(`zhurnal demo --no-serve --schools 1 --keep`), gives a login to `--guardians` guardians,
measures and drops the database again.

(a) Server time with Django's test client (the whole request inside the process, no
    network): the diary week page `/family/child/<id>/` and the API call
    `GET /api/v1/students/<id>/week`, medians of 50 after warm-up.
(b) Load: gunicorn with `--workers` sync workers on 127.0.0.1 and `--clients` threads,
    each a different guardian (the page with a session cookie, the API with a personal
    token), each reading its children's diary weeks for `--seconds` seconds or until
    `--max-requests` requests in all; requests per second and p50/p95 latency.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from loadkit import accept_privacy_notice
from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TIMED_RUNS = 50


def _configure(var_dir: str) -> None:
    os.environ["ZHURNAL_VAR_DIR"] = var_dir
    os.environ["ZHURNAL_FAST_PASSWORD_HASHER"] = "1"
    # the benchmark's guardians call the API far more often than a person would
    os.environ.setdefault("ZHURNAL_API_RATE_PER_MINUTE", "100000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # a throw-away key shared with the server processes this benchmark starts
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL=postgres://user@host:port/name is needed: a server where that user "
            "may create databases (the benchmark uses a throw-away test_<name>)."
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _url_for(database: str) -> str:
    """DATABASE_URL with another database name: what the gunicorn workers connect to."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{database}"))


def _build(guardians: int) -> list[dict[str, Any]]:
    """The demo of one school, then logins (session and API token) for guardians with
    children, the guardians with the most children first."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from zhurnal.accounts.models import User
    from zhurnal.api.services import token_create
    from zhurnal.people.models import Guardian

    call_command("demo", "--no-serve", "--schools", "1", "--keep", stdout=io.StringIO())
    chosen = list(
        Guardian.objects.filter(user__isnull=True)
        .annotate(kids=Count("children"))
        .filter(kids__gt=0)
        .order_by("-kids", "pk")[:guardians]
    )
    families = []
    for index, guardian in enumerate(chosen):
        user = User(
            username=f"load-guardian-{index}",
            last_name=guardian.surname,
            first_name=guardian.given_name,
        )
        user.set_unusable_password()
        user.save()
        guardian.user = user
        guardian.save(update_fields=["user"])
        accept_privacy_notice(user, guardian)
        client = Client()  # logging out would end the session: a new client each time
        client.force_login(user)
        _token, secret = token_create(actor=user, name="diary load")
        families.append(
            {
                "user": user,
                "children": list(guardian.children.values_list("pk", flat=True)),
                "cookie": client.cookies["sessionid"].value,
                "token": secret,
            }
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return families


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, round(share * len(ordered)) - 1)]


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    print(
        f"{label:34} median {statistics.median(ordered):7.1f} ms   "
        f"p95 {_percentile(ordered, 0.95):7.1f} ms   min {ordered[0]:6.1f}   "
        f"max {ordered[-1]:6.1f}   (n={len(ordered)})"
    )


def _server_time(family: dict[str, Any]) -> None:
    from django.db import connection
    from django.test import Client

    student_id = family["children"][0]
    client = Client()
    client.force_login(family["user"])
    page = f"/family/child/{student_id}/"
    api = f"/api/v1/students/{student_id}/week"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {family['token']}"}

    def timed(call: Callable[[], Any]) -> list[float]:
        samples = []
        for _ in range(TIMED_RUNS):
            started = time.perf_counter()
            response = call()
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        return samples

    def queries(call: Callable[[], Any]) -> int:
        count = 0

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            call()
        return count

    for _ in range(3):  # warm-up: templates compiled, translations loaded
        client.get(page)
        client.get(api, **auth)
    body = client.get(page)
    lessons = body.content.count(b'<th scope="row"')
    print(
        f"diary week page: {len(body.content) / 1024:.0f} KiB HTML, {lessons} lessons, "
        f"{queries(lambda: client.get(page))} queries; API week: "
        f"{len(client.get(api, **auth).content) / 1024:.0f} KiB JSON, "
        f"{queries(lambda: client.get(api, **auth))} queries"
    )
    print("-- (a) server time, Django test client, a new connection per request")
    _report("GET diary week page", timed(lambda: client.get(page)))
    _report("GET /api/v1/students/{id}/week", timed(lambda: client.get(api, **auth)))


def _start_gunicorn(workers: int, port: int, database_url: str, var_dir: str) -> Any:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "ZHURNAL_VAR_DIR": var_dir,
        # The per-token limit (120 a minute) would refuse a load generator.
        "ZHURNAL_API_RATE_PER_MINUTE": "100000000",
    }
    server = subprocess.Popen(  # noqa: S603 - the project's own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):  # up to 20 s for the workers to come up
        time.sleep(0.2)
        if server.poll() is not None:
            sys.exit("gunicorn exited at start")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            continue
    server.terminate()
    sys.exit("gunicorn did not answer within 20 s")


def _cpu_seconds(server: Any) -> float:
    """User and system CPU of gunicorn's master and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
        pids += [int(pid) for pid in children.split()]
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError):
        return float("nan")
    return total / ticks


def _load(
    server: Any,
    port: int,
    families: list[dict[str, Any]],
    *,
    api: bool,
    clients: int,
    seconds: float,
    max_requests: int,
) -> None:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[list[str]] = [[] for _ in range(clients)]
    budget = threading.Semaphore(max_requests)
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        family = families[number % len(families)]
        if api:
            paths = [f"/api/v1/students/{s}/week" for s in family["children"]]
            headers = {"Authorization": f"Bearer {family['token']}"}
        else:
            paths = [f"/family/child/{s}/" for s in family["children"]]
            headers = {"Cookie": f"sessionid={family['cookie']}"}
        sent = 0
        while time.perf_counter() < deadline and budget.acquire(blocking=False):
            path = paths[sent % len(paths)]
            sent += 1
            started = time.perf_counter()
            try:
                # gunicorn's sync workers close the connection after each response.
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
            except OSError as exc:
                failures[number].append(type(exc).__name__)
                continue
            latencies[number].append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                failures[number].append(str(response.status))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    cpu_before = _cpu_seconds(server)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds(server) - cpu_before
    samples = sorted(sample for per_client in latencies for sample in per_client)
    failed = [failure for per_client in failures for failure in per_client]
    label = "API week (token)" if api else "diary week page (session)"
    if not samples:
        print(f"{label}: no answers; failures {failed[:5]}")
        return
    print(
        f"{label:26} {len(samples) / elapsed:7.1f} req/s   p50 {_percentile(samples, 0.5):7.1f} ms"
        f"   p95 {_percentile(samples, 0.95):7.1f} ms   max {samples[-1]:7.1f} ms   "
        f"({len(samples)} requests in {elapsed:.1f} s, {len(failed)} failed"
        f"{': ' + ', '.join(sorted(set(failed))) if failed else ''})"
    )
    print(
        f"{'':26} gunicorn CPU {cpu * 1000 / len(samples):.1f} ms a request; "
        f"load average after the run {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=100, help="guardians given a login")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2–4)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each load run")
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap of each run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-load", action="store_true", help="only (a), no gunicorn")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.workers <= 8 or args.seconds > 300:
        sys.exit("clients 1–200, workers 1–8, at most 300 seconds a run")
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-diary-") as var_dir:
        _configure(var_dir)
        from django.db import connection

        old_name = connection.settings_dict["NAME"]
        test_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        server = None
        try:
            print(describe_machine())
            started = time.perf_counter()
            families = _build(max(args.guardians, args.clients))
            children = sum(len(f["children"]) for f in families)
            print(
                f"built in {time.perf_counter() - started:.1f} s: demo of 1 school, "
                f"{len(families)} guardians with a login ({children} children)"
            )
            _server_time(families[0])
            if args.no_load:
                return
            connection.close()
            print(f"load average before the load: {os.getloadavg()[0]:.1f}")
            server = _start_gunicorn(args.workers, args.port, _url_for(test_name), var_dir)
            print(
                f"-- (b) load: gunicorn {args.workers} sync workers on {HOST}:{args.port}, "
                f"{args.clients} clients (threads, http.client), {args.seconds:.0f} s a run, "
                f"at most {args.max_requests} requests"
            )
            for api in (False, True):
                _load(
                    server,
                    args.port,
                    families,
                    api=api,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                )
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
