"""Time `zhurnal backup`, `zhurnal restore --check`, `zhurnal restore` (into an empty SQLite
file) and `zhurnal audit verify` on a demo of N schools (default 3) built into a temporary
directory.

    .venv/bin/python bench/backup_restore.py 3

Prints the seconds of each command (whole processes, Python start-up included), the
database and archive sizes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench audit key, kept outside the database"


def _run(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command with a fixed argument list
        [sys.executable, "-m", "zhurnal", *args], cwd=ROOT, env=env, check=True
    )
    return time.monotonic() - started


def main() -> None:
    schools = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-") as tmp:
        source, target = Path(tmp, "source"), Path(tmp, "target")
        base = {**os.environ, "PYTHONPATH": str(ROOT), "ZHURNAL_AUDIT_KEY": KEY}
        base.pop("DATABASE_URL", None)
        base.setdefault("ZHURNAL_SECRET_KEY", "bench")
        env = {**base, "ZHURNAL_VAR_DIR": str(source)}
        demo = _run(env, "demo", "--schools", str(schools), "--no-serve")
        archive = Path(tmp, "backup.tar.gz")
        backup = _run(env, "backup", "--output", str(archive))
        verify = _run(env, "audit", "verify")
        restored_env = {**base, "ZHURNAL_VAR_DIR": str(target)}
        check = _run(restored_env, "restore", str(archive), "--check")
        restore = _run(restored_env, "restore", str(archive))
        database = source / "zhurnal.sqlite3"
        print(f"schools: {schools}  (demo built in {demo:.1f} s)")
        print(f"database: {database.stat().st_size / 1e6:.1f} MB")
        print(f"archive: {archive.stat().st_size / 1e6:.1f} MB")
        print(f"zhurnal backup: {backup:.1f} s")
        print(f"zhurnal restore --check: {check:.1f} s")
        print(f"zhurnal restore (with its checks and audit verification): {restore:.1f} s")
        print(f"zhurnal audit verify: {verify:.1f} s")


if __name__ == "__main__":
    main()
