"""Time `zhurnal demo --no-serve` for N schools (default 45) into a temporary SQLite file.

    .venv/bin/python bench/demo_build.py 45

Prints the elapsed seconds, the database size and the row counts of the main tables.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "accounts_user",
    "people_student",
    "people_guardian",
    "schools_classgroup",
    "timetable_teachingassignment",
    "timetable_timetableentry",
    "timetable_lesson",
    "journal_mark",
    "journal_attendance",
)


def main() -> None:
    schools = int(sys.argv[1]) if len(sys.argv) > 1 else 45
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-") as var_dir:
        env = {**os.environ, "ZHURNAL_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - our own command with a fixed argument list
            [sys.executable, "-m", "zhurnal", "demo", "--schools", str(schools), "--no-serve"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        elapsed = time.monotonic() - started
        database = Path(var_dir) / "zhurnal.sqlite3"
        with sqlite3.connect(database) as db:
            counts = {
                table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in TABLES
            }
        size_mb = database.stat().st_size / 1_000_000
    print(f"\nschools: {schools}")
    print(f"elapsed: {elapsed:.1f} s (including migrate and start-up)")
    print(f"database: {size_mb:.0f} MB")
    for table, count in counts.items():
        print(f"{table:32} {count:>10,}")


if __name__ == "__main__":
    main()
