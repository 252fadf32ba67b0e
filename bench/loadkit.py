"""What bench/load.py and bench/faults.py share: a throw-away PostgreSQL cluster, the
3-school demo with logins, gunicorn serving bench/hello_wsgi.py, CPU time from /proc, and
the mixed-load client.

The client is a documented one rather than a load tool (locust would bring gevent, Flask
and a web UI for what fits in a page): one thread per concurrent client, each sending its
next request as soon as the previous one is answered (a closed loop, like a browser),
with a new HTTP/1.1 connection per request because gunicorn's sync workers close it after
each response. The client's own CPU time is reported, so that one can see when the load
generator, not the server, is the limit (the machine has 2 cores).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import json
import os
import random
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HELLO_PATH = "/__hello__/"
CSRF_TOKEN = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
# The mix of issue 13: share of each kind of request.
MIX = (("diary", 0.70), ("grid", 0.10), ("lesson", 0.10), ("save", 0.10))


# --- PostgreSQL --------------------------------------------------------------------------


class Cluster:
    """A throw-away PostgreSQL 15 cluster run by the postgres user on 127.0.0.1:`port`,
    its data and socket in a new directory under /tmp, removed by `remove()`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.data = Path(tempfile.mkdtemp(prefix="zhurnal-bench-pg-"))
        shutil.chown(self.data, "postgres", "postgres")
        self.options = f"-k {self.data} -p {port} -c listen_addresses={HOST}"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/zhurnal"

    def _run(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - fixed PostgreSQL binaries, our own arguments
            ["runuser", "-u", "postgres", "--", str(PG_BIN / command[0]), *command[1:]],  # noqa: S607
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
            self._pg_ctl("start")
            self._run("createdb", "-h", str(self.data), "-p", str(self.port), "zhurnal")
        except subprocess.CalledProcessError:
            log = self.data / "server.log"
            tail = log.read_text()[-600:] if log.exists() else ""
            shutil.rmtree(self.data, ignore_errors=True)
            sys.exit(f"could not start PostgreSQL on port {self.port}:\n{tail}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        log = str(self.data / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", self.options, action, *extra
        )

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server is back when this
        returns."""
        self._pg_ctl("restart", "-m", "fast")

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def remove(self) -> None:
        if self.postmaster_pid() is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg_ctl("stop", "-m", "fast")
        shutil.rmtree(self.data, ignore_errors=True)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def url_for(database: str) -> str:
    """DATABASE_URL with another database name: what the gunicorn workers connect to."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{database}"))


def postmaster_of_connection() -> int | None:
    """The PostgreSQL server's main process when it runs on this machine (the parent of
    our backend), so that its CPU time can be read; None when it is elsewhere."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


# --- CPU time ------------------------------------------------------------------------------


def tree_cpu_seconds(pid: int | None) -> float:
    """User and system CPU of a process and its children, the live ones and the ones it
    has reaped (cutime, cstime): gunicorn's master and workers, PostgreSQL's postmaster
    and its backends (one per connection, ended after each request while connections are
    not kept)."""
    if pid is None:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")

    def of(one: int) -> int:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime

    try:
        total = of(pid)
    except (OSError, ValueError):
        return float("nan")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                total += of(int(child))
            except (OSError, ValueError):
                continue  # ended between the two reads
    return total / ticks


# --- the community ---------------------------------------------------------------------------


@dataclass
class Teacher:
    cookie: str
    assignment: int
    term: int
    lessons: list[int]


@dataclass(frozen=True)
class Cell:
    """An empty lesson cell of a begun lesson: one mark save, made once."""

    cookie: str
    assignment: int
    term: int
    lesson: int
    student: int
    value: str


@dataclass
class Community:
    families: list[tuple[str, list[int]]]  # (session cookie, children)
    weeks: list[str]
    teachers: list[Teacher]
    cells: list[Cell]


def configure(var_dir: str) -> None:
    os.environ["ZHURNAL_VAR_DIR"] = var_dir
    os.environ["ZHURNAL_FAST_PASSWORD_HASHER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # a throw-away key shared with the server processes the benchmark starts
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()  # logging out would end the session: a new client each time
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def accept_privacy_notice(user: Any, guardian: Any) -> None:
    """A family login reads the community's privacy notice first (else its pages redirect
    to it): the benchmark's guardians accept the newest one."""
    from zhurnal.people.models import PrivacyNotice
    from zhurnal.people.privacy.services import privacy_notice_accept

    notice = (
        PrivacyNotice.objects.filter(municipality_id=guardian.municipality_id)
        .order_by("-version")
        .first()
    )
    privacy_notice_accept(user=user, municipality=guardian.municipality, notice=notice)


def build_community(*, schools: int, guardians: int, teachers: int, seed: int = 1) -> Community:
    """The demo (`zhurnal demo --schools N --no-serve --keep` into the current database),
    a login for `guardians` guardians with children and `teachers` teachers of a class on
    a scale of points, and the empty cells of their begun lessons for the mark saves."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from zhurnal.accounts.models import User
    from zhurnal.core.timeutil import local_today, week_start
    from zhurnal.journal.grid.selectors import default_term, journal_grid, terms_for
    from zhurnal.journal.models import ScaleKind
    from zhurnal.journal.services import journal_scale
    from zhurnal.people.models import Guardian
    from zhurnal.timetable.models import TeachingAssignment

    call_command("demo", "--no-serve", "--schools", str(schools), "--keep", stdout=io.StringIO())
    rng = random.Random(seed)
    today = local_today("Europe/Kyiv")
    families = []
    chosen = (
        Guardian.objects.annotate(kids=Count("children"))
        .filter(kids__gt=0)
        .select_related("user", "municipality")
        .order_by("pk")
    )
    for index, guardian in enumerate(chosen[:guardians]):
        user = guardian.user
        if user is None:
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
        families.append(
            (_session_cookie(user), list(guardian.children.values_list("pk", flat=True)))
        )
    monday = week_start(today)
    weeks = [(monday - dt.timedelta(weeks=n)).isoformat() for n in range(4)]

    staff: list[Teacher] = []
    cells: list[Cell] = []
    seen: set[int] = set()
    assignments = (
        TeachingAssignment.objects.filter(teacher__isnull=False, subgroup__isnull=True)
        .select_related("year__school__municipality", "class_group", "teacher")
        .order_by("pk")
    )
    for assignment in assignments:
        if len(staff) >= teachers:
            break
        if assignment.teacher_id in seen or assignment.class_group.grade < 5:
            continue
        scale = journal_scale(assignment)
        if scale.kind != ScaleKind.NUMERIC or not scale.values:
            continue
        terms = terms_for(assignment)
        term = default_term(terms, today)
        if term is None:
            continue
        grid = journal_grid(assignment, term, terms=terms, can_write=True)
        begun = [c for c in grid.columns if c.lesson_id is not None and c.date and c.date < today]
        if not begun:
            continue
        seen.add(assignment.teacher_id)
        cookie = _session_cookie(assignment.teacher)
        staff.append(Teacher(cookie, assignment.pk, term.pk, [c.lesson_id for c in begun[-8:]]))
        values = [str(v) for v in scale.values]
        index_of = {c.key: i for i, c in enumerate(grid.columns)}
        for column in begun:
            for row in grid.rows:
                cell = row.cells[index_of[column.key]]
                if cell.editable and cell.enrolled and not cell.value and not cell.marks:
                    cells.append(
                        Cell(
                            cookie,
                            assignment.pk,
                            term.pk,
                            int(column.lesson_id or 0),
                            row.student.pk,
                            rng.choice(values),
                        )
                    )
    rng.shuffle(cells)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Community(families, weeks, staff, cells)


# --- gunicorn ---------------------------------------------------------------------------------


def start_gunicorn(
    *, workers: int, port: int, database_url: str, var_dir: str, log: Path | None = None
) -> Any:
    """gunicorn serving bench/hello_wsgi.py; its error log (and Django's) to `log` when
    given, else to this terminal."""
    env = os.environ | {"DATABASE_URL": database_url, "ZHURNAL_VAR_DIR": var_dir}
    server = subprocess.Popen(  # noqa: S603 - the project's own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--pythonpath",
            str(BENCH),
            "hello_wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log.open("ab") if log is not None else None,
    )
    for _ in range(150):  # up to 30 s for the workers to come up
        time.sleep(0.2)
        if server.poll() is not None:
            sys.exit("gunicorn exited at start")
        try:
            status, _body, _ms = request(port, "GET", "/login/", timeout=5)
        except OSError:
            continue
        if status == 200:
            return server
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def stop_gunicorn(server: Any) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def worker_pids(server: Any) -> list[int]:
    try:
        return [
            int(p)
            for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
    except OSError:
        return []


# --- the client ------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 30,
) -> tuple[int, bytes, float]:
    """One request on a new connection: status, body and milliseconds. OSError (refused,
    reset, timed out) goes to the caller."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return response.status, content, (time.perf_counter() - started) * 1000


@dataclass
class Sample:
    kind: str
    started: float  # seconds since the run began
    ms: float
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    outcome: str  # "ok", "refused" (a save answered ok: false), "error: …"


@dataclass
class Run:
    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    acknowledged: list[tuple[Cell, bool]] = field(default_factory=list)  # (cell, pending)
    server_cpu: float = 0.0
    database_cpu: float = float("nan")
    client_cpu: float = 0.0
    load_average: float = 0.0

    def answered(self) -> list[Sample]:
        return [s for s in self.samples if s.outcome != "unsent"]

    def summary(self) -> dict[str, Any]:
        done = self.answered()
        errors = [s for s in done if s.outcome.startswith("error")]
        ordered = sorted(s.ms for s in done)
        n = len(done)
        per_kind = {}
        for kind, _share in (*MIX, ("hello", 0)):
            mine = sorted(s.ms for s in done if s.kind == kind)
            if mine:
                per_kind[kind] = {
                    "n": len(mine),
                    "p50_ms": round(percentile(mine, 0.5), 1),
                    "p95_ms": round(percentile(mine, 0.95), 1),
                }
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": n,
            "rps": round(n / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(percentile(ordered, 0.5), 1) if n else None,
            "p95_ms": round(percentile(ordered, 0.95), 1) if n else None,
            "p99_ms": round(percentile(ordered, 0.99), 1) if n else None,
            "errors": len(errors),
            "error_kinds": sorted({s.outcome for s in errors}),
            "refused_saves": sum(1 for s in done if s.outcome == "refused"),
            "server_cpu_ms_per_request": round(self.server_cpu * 1000 / n, 1) if n else None,
            "database_cpu_ms_per_request": round(self.database_cpu * 1000 / n, 1) if n else None,
            "client_cpu_ms_per_request": round(self.client_cpu * 1000 / n, 1) if n else None,
            "load_average_1min": round(self.load_average, 2),
            "per_kind": per_kind,
        }


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, round(share * len(ordered)) - 1)]


class Mix:
    """The requests of issue 13's mix, drawn at random per client: 70 % a guardian's
    diary week (a child and one of four weeks), 10 % the teacher's grid, 10 % a lesson
    page, 10 % a mark saved into an empty cell of a begun lesson through the grid's cell
    endpoint, as journal-grid.js sends it (form fields student, value, term, lesson; the
    CSRF token in X-CSRFToken beside the csrftoken cookie). Each cell is saved once, so
    that the database can be checked against every acknowledged save."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self._cells = list(community.cells)
        self._lock = threading.Lock()

    def next_cell(self) -> Cell | None:
        with self._lock:
            return self._cells.pop() if self._cells else None

    def draw(self, rng: random.Random, client: int) -> tuple[str, str, str, dict[str, str], Any]:
        """(kind, method, path, headers, body or cell) of the next request."""
        roll = rng.random()
        kind = "save"
        total = 0.0
        for name, share in MIX:
            total += share
            if roll < total:
                kind = name
                break
        c = self.community
        if kind == "diary":
            cookie, children = c.families[rng.randrange(len(c.families))]
            child = rng.choice(children)
            path = f"/family/child/{child}/?week={rng.choice(c.weeks)}"
            return kind, "GET", path, {"Cookie": f"sessionid={cookie}"}, None
        teacher = c.teachers[(client + rng.randrange(4)) % len(c.teachers)]
        if kind == "grid":
            path = f"/journal/{teacher.assignment}/"
            return kind, "GET", path, {"Cookie": f"sessionid={teacher.cookie}"}, None
        if kind == "lesson":
            path = f"/lesson/{rng.choice(teacher.lessons)}/"
            return kind, "GET", path, {"Cookie": f"sessionid={teacher.cookie}"}, None
        cell = self.next_cell()
        if cell is None:  # no empty cell left: a grid instead
            path = f"/journal/{teacher.assignment}/"
            return "grid", "GET", path, {"Cookie": f"sessionid={teacher.cookie}"}, None
        headers = {
            "Cookie": f"sessionid={cell.cookie}; csrftoken={CSRF_TOKEN}",
            "X-CSRFToken": CSRF_TOKEN,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        return kind, "POST", f"/journal/{cell.assignment}/cell/", headers, cell


def _form(cell: Cell) -> str:
    return urlencode(
        {"student": cell.student, "value": cell.value, "term": cell.term, "lesson": cell.lesson}
    )


def drive(
    *,
    port: int,
    clients: int,
    seconds: float,
    mix: Mix | None,
    server: Any,
    postmaster: Callable[[], int | None],
    timeout: float = 30,
    during: Callable[[float], None] | None = None,
    seed: int = 1,
) -> Run:
    """`clients` threads for `seconds`, each sending the mix (or, without one, the hello
    view) back to back. `during(elapsed)` is called about ten times a second from the
    main thread (the fault script kills and restarts things from it)."""
    run = Run(clients=clients, seconds=seconds)
    lock = threading.Lock()
    begun = time.perf_counter()
    deadline = begun + seconds

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        mine: list[Sample] = []
        acked: list[tuple[Cell, bool]] = []
        while time.perf_counter() < deadline:
            if mix is None:
                kind, method, path, headers, payload = "hello", "GET", HELLO_PATH, {}, None
            else:
                kind, method, path, headers, payload = mix.draw(rng, number)
            started = time.perf_counter()
            try:
                status, content, ms = request(
                    port,
                    method,
                    path,
                    headers=headers,
                    body=_form(payload) if isinstance(payload, Cell) else None,
                    timeout=timeout,
                )
            except OSError as exc:
                ms = (time.perf_counter() - started) * 1000
                mine.append(Sample(kind, started - begun, ms, 0, f"error: {type(exc).__name__}"))
                continue
            outcome = "ok" if status == 200 else f"error: {status}"
            if isinstance(payload, Cell) and status == 200:
                try:
                    answer = json.loads(content)
                except ValueError:
                    answer = {}
                if answer.get("ok"):
                    acked.append((payload, bool(answer.get("pending"))))
                elif "ok" in answer:
                    outcome = "refused"
                else:
                    outcome = "error: 200 without JSON"
            mine.append(Sample(kind, started - begun, ms, status, outcome))
        with lock:
            run.samples.extend(mine)
            run.acknowledged.extend(acked)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    server_before = tree_cpu_seconds(server.pid)
    database_before = tree_cpu_seconds(postmaster())
    client_before = time.process_time()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        if during is not None:
            during(time.perf_counter() - begun)
        time.sleep(0.1)
        if time.perf_counter() > deadline + timeout + 30:
            break
    run.seconds = time.perf_counter() - begun
    run.client_cpu = time.process_time() - client_before
    run.server_cpu = tree_cpu_seconds(server.pid) - server_before
    # The postmaster of a restarted cluster is a new process: its CPU from before is lost.
    run.database_cpu = tree_cpu_seconds(postmaster()) - database_before
    run.load_average = os.getloadavg()[0]
    return run


def check_acknowledged(acknowledged: list[tuple[Cell, bool]]) -> list[str]:
    """Every save answered ok (and not left pending a correction) is in the database
    exactly once, with the value sent: the problems found, none when all are."""
    from zhurnal.journal.models import Mark, MarkKind

    problems = []
    for cell, pending in acknowledged:
        if pending:
            continue
        values = list(
            Mark.objects.filter(
                lesson_id=cell.lesson, student_id=cell.student, kind=MarkKind.CURRENT
            ).values_list("value", flat=True)
        )
        if values != [cell.value]:
            problems.append(
                f"lesson {cell.lesson} student {cell.student}: sent {cell.value}, stored {values}"
            )
    return problems
