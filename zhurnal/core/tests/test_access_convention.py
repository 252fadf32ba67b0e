"""The access convention (docs/permissions.md) holds, and breaking it fails the build.

1. No module that serves requests — views, the JSON API's endpoints, template tags, and any
   other module whose functions take the request — fetches an object of a zhurnal model by
   its id itself: it goes through a chokepoint `<object>_for_user` in an `access.py`.
2. Every `*_for_user` function lives in an `access.py`, spelled `(user, <object>_id, *, …)`
   with only the convention's keywords, and has a docstring.
3. An `access.py` defines no other public fetch function: what else it offers is a
   predicate (`can_*`, `is_*`, `has_*`) or one of the exceptions listed below, with why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[3]
ZHURNAL = ROOT / "zhurnal"

# Fetching one object: the terminal calls of a query that return a row.
FETCH_ONE = {"get", "first", "last", "earliest", "latest", "aget", "afirst", "alast"}
FETCH_MANY_BY_ID = {"in_bulk", "ain_bulk"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
ID_LOOKUPS = {"pk", "id", "pk__in", "id__in", "pk__exact", "id__exact"}

# Modules that take the request but are not the site's pages: the Django admin is the
# audited operator's (superusers only), outside the roles this convention is about.
NOT_PAGES = {"admin.py"}

# The keywords a chokepoint may take after the id (see docs/permissions.md).
CHOKEPOINT_KEYWORDS = {"write", "roles", "scope", "within"}

# Public functions of access modules that are not chokepoints, and why.
NOT_CHOKEPOINTS = {
    "zhurnal/core/access.py": {
        "not_found": "the one 404 every chokepoint raises",
        "ensure_signed_in": "the anonymous visitor's refusal every chokepoint starts with",
        "first_or_404": "the end of every chokepoint's one query",
    },
    "zhurnal/people/access.py": {
        "user_grants": "every role the user holds, for the role picker: no object by id",
        "role_school_ids": "the subquery of school ids the chokepoints above build on",
        "record_grant": "which parts of a record reached through student_for_user it shows",
    },
}


def protected_models() -> set[str]:
    """Every model of the zhurnal apps: each is fetched by id only through a chokepoint."""
    return {
        model.__name__ for model in apps.get_models() if model.__module__.startswith("zhurnal.")
    }


def _modules() -> Iterator[Path]:
    for path in sorted(ZHURNAL.rglob("*.py")):
        parts = path.relative_to(ZHURNAL).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _takes_request(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
            if "request" in names:
                return True
    return False


def _api_endpoints(tree: ast.Module) -> bool:
    """A module of the JSON API that declares endpoints (a Router or the NinjaAPI)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in {"Router", "NinjaAPI"}:
                return True
    return False


def serves_requests(path: Path, tree: ast.Module) -> bool:
    """Views (`views.py`, a `views/` package), the API's endpoints, template tags, and any
    other module whose functions take the request."""
    parts = path.relative_to(ZHURNAL).parts
    if path.name in NOT_PAGES:
        return False
    if path.name == "views.py" or "views" in parts[:-1] or "templatetags" in parts:
        return True
    if parts[0] == "api" and _api_endpoints(tree):
        return True
    return _takes_request(tree)


def _chain(node: ast.expr) -> tuple[ast.expr, list[ast.Call]]:
    """The calls of a query chain, innermost first, and what the chain starts from."""
    calls: list[ast.Call] = []
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.append(node)
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return node, calls[::-1]


def _model_root(node: ast.expr, models: set[str]) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and node.attr in MANAGERS
        and isinstance(node.value, ast.Name)
        and node.value.id in models
    ):
        return node.value.id
    return None


def _lookups(call: ast.Call) -> Iterator[str]:
    """The keyword lookups of a filter() or get() call, those inside Q(...) included."""
    for keyword in call.keywords:
        if keyword.arg:
            yield keyword.arg
    for arg in call.args:
        for inner in ast.walk(arg):
            if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "Q":
                yield from (keyword.arg for keyword in inner.keywords if keyword.arg)


def _by_id(lookup: str) -> bool:
    return lookup in ID_LOOKUPS or lookup.endswith(("_id", "__pk", "__id", "_id__in"))


def fetches_by_id(source: str, models: set[str]) -> list[tuple[int, str]]:
    """Where `source` fetches an object by its id itself: get_object_or_404 and the like,
    `<Model>.objects.get(…)`, `<Model>.objects.filter(<…_id>=…)…first()`, and any query
    filtered on `pk`/`id` (a related manager's and a selector's queryset included)."""
    found: list[tuple[int, str]] = []
    seen: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call | ast.Subscript) or id(node) in seen:
            continue
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in SHORTCUTS:
                found.append((node.lineno, f"{name}(…)"))
                continue
        root, calls = _chain(node)
        if not calls:
            continue
        seen.update(id(call) for call in calls)
        methods = [call.func.attr for call in calls if isinstance(call.func, ast.Attribute)]
        queried = [
            lookup
            for call in calls
            if isinstance(call.func, ast.Attribute) and call.func.attr in {"filter", "get", "aget"}
            for lookup in _lookups(call)
        ]
        model = _model_root(root, models)
        text = ".".join(methods)
        if any(lookup in ID_LOOKUPS for lookup in queried):
            found.append((node.lineno, f"{model or '…'}.{text} by pk/id"))
        elif model and (set(methods) & ({"get", "aget"} | FETCH_MANY_BY_ID)):
            found.append((node.lineno, f"{model}.objects.{text}"))
        elif (
            model
            and any(_by_id(lookup) for lookup in queried)
            and (set(methods) & FETCH_ONE or isinstance(node, ast.Subscript))
        ):
            found.append((node.lineno, f"{model}.objects.{text} by an id"))
    return sorted(found)


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def misplaced_chokepoints(path: str, source: str) -> list[str]:
    """`*_for_user` functions (methods too) outside an access.py."""
    if path.endswith("/access.py"):
        return []
    return [
        f"{path}:{node.lineno} {node.name}"
        for node in _functions(ast.parse(source))
        if node.name.endswith("_for_user")
    ]


def access_module_problems(path: str, source: str) -> list[str]:
    """What an access.py offers beyond the convention: a public function that is neither a
    chokepoint, a predicate nor a listed exception; a chokepoint spelled otherwise; a
    public function without a docstring."""
    problems = []
    allowed = NOT_CHOKEPOINTS.get(path, {})
    tree = ast.parse(source)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        name = node.name
        if name.startswith("_"):
            continue
        where = f"{path}:{node.lineno} {name}"
        if ast.get_docstring(node) is None:
            problems.append(f"{where}: no docstring")
        if name.endswith("_for_user"):
            positional = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
            keywords = {arg.arg for arg in node.args.kwonlyargs}
            if not positional or positional[0] != "user":
                problems.append(f"{where}: the user comes first")
            if len(positional) > 2 or (len(positional) == 2 and not positional[1].endswith("_id")):
                problems.append(f"{where}: (user, <object>_id, *, …) only")
            if not keywords <= CHOKEPOINT_KEYWORDS or node.args.vararg or node.args.kwarg:
                problems.append(f"{where}: keywords other than {sorted(CHOKEPOINT_KEYWORDS)}")
        elif not name.startswith(("can_", "is_", "has_")) and name not in allowed:
            problems.append(f"{where}: a public function outside the convention")
    return problems


# --- the tree -------------------------------------------------------------------------------


def test_the_protected_models_are_every_model_of_the_zhurnal_apps() -> None:
    models = protected_models()
    assert {"Lesson", "Student", "ClassGroup", "HomeworkFile", "ApiToken", "User"} <= models
    assert {"CalendarFeed", "ImportBatch", "JournalRemark", "Report", "AccessCode"} <= models


def test_no_module_serving_requests_fetches_by_id_itself() -> None:
    models = protected_models()
    scanned, offences = [], []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        if not serves_requests(path, tree):
            continue
        scanned.append(_rel(path))
        offences += [f"{_rel(path)}:{line} {what}" for line, what in fetches_by_id(source, models)]
    assert offences == [], "fetch through a chokepoint `<object>_for_user` instead"
    # the scan really covers the site: views, API endpoints, template tags, set-up screens
    for expected in (
        "zhurnal/journal/lesson/views.py",
        "zhurnal/api/journal.py",
        "zhurnal/api/views.py",
        "zhurnal/control/templatetags/control.py",
        "zhurnal/setup/screens.py",
    ):
        assert expected in scanned
    assert "zhurnal/api/services.py" not in scanned


def test_every_chokepoint_lives_in_an_access_module() -> None:
    misplaced = []
    for path in _modules():
        misplaced += misplaced_chokepoints(_rel(path), path.read_text(encoding="utf-8"))
    assert misplaced == []


def test_access_modules_offer_only_the_convention() -> None:
    problems = []
    found = []
    for path in _modules():
        if path.name == "access.py":
            found.append(_rel(path))
            problems += access_module_problems(_rel(path), path.read_text(encoding="utf-8"))
    assert problems == []
    assert set(NOT_CHOKEPOINTS) <= set(found), "an exception names a module that is gone"
    for path, names in NOT_CHOKEPOINTS.items():
        source = (ROOT / path).read_text(encoding="utf-8")
        defined = {node.name for node in _functions(ast.parse(source))}
        assert set(names) <= defined, f"{path}: an exception names a function that is gone"


# --- the checkers catch what they are for ---------------------------------------------------

MODELS = {"Lesson", "HomeworkFile", "Mark", "Student", "Enrollment"}


def test_a_view_fetching_a_lesson_by_id_is_flagged() -> None:
    source = """
from django.shortcuts import get_object_or_404

def lesson(request, lesson_id):
    lesson = get_object_or_404(Lesson, pk=lesson_id)
    return render(request, "journal/lesson.html", {"lesson": lesson})
"""
    assert fetches_by_id(source, MODELS) == [(5, "get_object_or_404(…)")]


@pytest.mark.parametrize(
    "line",
    [
        "Lesson.objects.get(pk=lesson_id)",
        "Lesson.objects.select_related('period').get(date=day, period=period)",
        "Lesson.objects.filter(pk=lesson_id).first()",
        "Lesson.objects.filter(Q(pk=lesson_id) | Q(substitute=user)).first()",
        "HomeworkFile.objects.filter(lesson=lesson, id=file_id).select_related('lesson').last()",
        "Enrollment.objects.filter(student_id=student_id, ends_on__isnull=True).first()",
        "Enrollment.objects.filter(student_id=student_id)[0]",
        "Student.objects.in_bulk([student_id])",
        "lesson.marks.get(pk=mark_id)",
        "lessons_of_school(school).filter(pk=lesson_id).first()",
        "shortcuts.get_list_or_404(Mark, lesson_id=lesson_id)",
    ],
)
def test_fetches_by_id_are_flagged(line: str) -> None:
    assert len(fetches_by_id(f"def view(request, lesson_id):\n    return {line}\n", MODELS)) == 1


@pytest.mark.parametrize(
    "line",
    [
        "lesson_for_user(request.user, lesson_id, write=True)",
        "Student.objects.filter(user=request.user).first()",
        "Mark.objects.filter(lesson=lesson).order_by('created_at')",
        "Mark.objects.filter(lesson_id__in=lesson_ids)",
        "next((s for s in lesson_students(lesson) if s.pk == student_id), None)",
    ],
)
def test_chokepoints_and_lists_are_not_flagged(line: str) -> None:
    assert fetches_by_id(f"def view(request, lesson_id):\n    return {line}\n", MODELS) == []


def test_a_chokepoint_outside_an_access_module_is_flagged() -> None:
    source = "def lesson_for_user(user, lesson_id):\n    '''A lesson.'''\n"
    assert misplaced_chokepoints("zhurnal/journal/selectors.py", source) != []
    assert misplaced_chokepoints("zhurnal/journal/access.py", source) == []


def test_an_access_module_with_another_fetch_function_is_flagged() -> None:
    source = '''
def lesson_of_school(school, lesson_id):
    """A lesson of the school."""

def lesson_for_user(user, school, lesson_id, *, manage=False):
    """A lesson."""

def assignment_for_user(user, assignment_id, *, write=False):
    return None

def can_write_lesson(user, lesson):
    """Whether the user writes the lesson."""
'''
    problems = access_module_problems("zhurnal/journal/access.py", source)
    assert [problem.split(" ", 1)[1] for problem in problems] == [
        "lesson_of_school: a public function outside the convention",
        "lesson_for_user: (user, <object>_id, *, …) only",
        "lesson_for_user: keywords other than ['roles', 'scope', 'within', 'write']",
        "assignment_for_user: no docstring",
    ]
