"""Translation check: every user-facing string has a Ukrainian and a Russian translation,
and the compiled .mo files match the .po files.

    python -m zhurnal.core.i18ncheck            # check (the test command runs this)
    python -m zhurnal.core.i18ncheck --update   # refresh locale/*.po and compile .mo
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("uk", "ru", "en")
TRANSLATED = ("uk", "ru")  # English is the source language of the msgids
IGNORE = [".venv/*", "var/*", "tests/*", "bench/*", "*/tests/*", "build/*", "conftest.py"]


def _makemessages(project: Path) -> None:
    """Extract messages of `project` (a checkout) into its own locale/ directory."""
    env = {
        **os.environ,
        "ZHURNAL_LOCALE_DIR": str(project / "locale"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    for domain in ("django", "djangojs"):
        if domain == "djangojs" and not any((project / "static").rglob("*.js")):
            continue
        args = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "-d", domain]
        args += [arg for lang in LANGUAGES for arg in ("-l", lang)]
        args += [arg for pattern in IGNORE for arg in ("-i", pattern)]
        subprocess.run(args, cwd=project, env=env, check=True, capture_output=True)


def _compile(locale_dir: Path) -> None:
    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(po_path.with_suffix(".mo")), str(po_path)],
            check=True,
        )


def update() -> None:
    _makemessages(ROOT)
    _compile(ROOT / "locale")


def check() -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        # makemessages writes into the locale/ of its working directory, so the check
        # extracts from a copy of the sources and never touches the checkout.
        project = Path(tmp) / "project"
        project.mkdir()
        for name in ("zhurnal", "config", "templates", "static", "locale"):
            if (ROOT / name).exists():
                shutil.copytree(
                    ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__")
                )
        shutil.copy2(ROOT / "manage.py", project / "manage.py")
        _makemessages(project)
        fresh = project / "locale"
        for lang in TRANSLATED:
            for po_path in sorted((fresh / lang / "LC_MESSAGES").glob("*.po")):
                po = polib.pofile(str(po_path))
                committed_mo = (
                    ROOT / "locale" / lang / "LC_MESSAGES" / po_path.with_suffix(".mo").name
                )
                compiled = polib.mofile(str(committed_mo)) if committed_mo.exists() else None
                compiled_map = (
                    {
                        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                        for e in compiled
                    }
                    if compiled
                    else {}
                )
                for entry in po:
                    if entry.obsolete:
                        continue
                    where = f"{lang}/{po_path.name}: {entry.msgid!r}"
                    if entry.fuzzy or not entry.translated():
                        problems.append(f"{where} is not translated")
                        continue
                    key = (entry.msgctxt, entry.msgid)
                    expected = (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
                    if compiled_map.get(key) != expected:
                        problems.append(f"{where} is missing from the compiled .mo (run --update)")
    return problems


def main() -> None:
    if "--update" in sys.argv:
        update()
        print("locale/ updated and compiled")
        return
    problems = check()
    if problems:
        print(f"{len(problems)} translation problems:")
        for problem in problems[:200]:
            print("  " + problem)
        sys.exit(1)
    print("translations complete: uk, ru (English is the source)")


if __name__ == "__main__":
    main()
