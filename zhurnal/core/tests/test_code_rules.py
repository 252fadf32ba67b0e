"""House rules that a linter does not check: every type-checker suppression names its
code and says why, on the same line."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9_,\- ]+\])?(?P<rest>.*)$")


def suppressions_without_reason(text: str) -> list[tuple[int, str]]:
    """Lines whose `type: ignore` lacks a [code] or a `# why` after it."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = IGNORE.search(line)
        if match is None:
            continue
        reason = match.group("rest").strip().lstrip("#").strip()
        if not match.group("codes") or not reason:
            found.append((number, line.strip()))
    return found


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    offenders = []
    for path in sorted([*(ROOT / "zhurnal").rglob("*.py"), *(ROOT / "config").rglob("*.py")]):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        for number, line in suppressions_without_reason(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}:{number}: {line}")
    assert not offenders, "\n".join(offenders)


def test_the_check_catches_a_bare_or_unexplained_suppression() -> None:
    text = (
        "a = 1  # type: ignore\n"
        "b = 2  # type: ignore[attr-defined]\n"
        "c = 3  # type: ignore[attr-defined]  # Django's private helper, not in the stubs\n"
    )
    assert [number for number, _line in suppressions_without_reason(text)] == [1, 2]
