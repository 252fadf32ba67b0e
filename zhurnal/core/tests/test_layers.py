"""The layers contract between the rooms holds, and a new upward import breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - the project's own linter with fixed arguments
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    shutil.copytree(
        ROOT / "zhurnal", tree / "zhurnal", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tree


def test_the_layers_contract_is_kept(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_build(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    selectors = tree / "zhurnal" / "schools" / "selectors.py"
    selectors.write_text(
        selectors.read_text(encoding="utf-8") + "\nfrom zhurnal.journal import models  # noqa\n",
        encoding="utf-8",
    )
    result = _lint(tree)
    assert result.returncode != 0
    assert "zhurnal.schools is not allowed to import zhurnal.journal" in result.stdout
