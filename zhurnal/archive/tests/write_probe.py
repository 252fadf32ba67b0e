"""The machinery of the closed-year write test (`test_closed_year_writes.py`): a digest
of the database to compare before and after a request, the rows that concern one class,
the fields a page's own form would post, whether a view accepts a POST at all, and
whether a response claims that something was saved."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib import messages
from django.db import connection, models
from django.db.models import Q
from django.http import HttpResponse

from zhurnal.schools.models import ClassGroup

# --- what is compared ---------------------------------------------------------------------

# Tables of Zhurnal's own apps that a request may change although it writes nothing into
# any year. Django's own tables (sessions, the admin log, permissions, content types) and
# the task queue of django-tasks are not Zhurnal's and are never compared.
EXCLUDED_MODELS: dict[str, str] = {
    "notifications.notification": "the outgoing notification queue, not the year's data",
    "audit.recordaccess": "the access log records reads, which a closed year still allows",
    "diary.diaryvisit": "opening the diary stamps the family's last visit",
    "api.apitoken": "every API request stamps its token's last use",
    "schools.readversion": "the diary cache's counters: a change of the bell schedule shows in "
    "a closed class's diary too, so it raises that class's counter; no data of the year",
}
# The audit events stay compared, whole: a refused write must not even append an event.
# Zhurnal does not audit logins (they would be the one kind of event to leave out).


def compared_models() -> list[type[models.Model]]:
    """Every model of Zhurnal's apps (many-to-many tables included) except the excluded."""
    return sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if model.__module__.startswith("zhurnal.")
            and model._meta.label_lower not in EXCLUDED_MODELS
        ),
        key=lambda model: model._meta.label_lower,
    )


Snapshot = dict[str, tuple[int, str]]  # table → (row count, digest of its rows)
Queries = list[tuple[str, tuple[str, tuple[Any, ...]]]]  # table → (SQL, parameters)


def _sql(queryset: models.QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """Every column of the queryset's rows, in primary-key order, as SQL: run through one
    cursor, the hundreds of snapshots of a test cost a fraction of what the ORM would."""
    columns = [column.attname for column in queryset.model._meta.concrete_fields]
    sql, params = queryset.order_by("pk").values_list(*columns).query.sql_with_params()
    return sql, tuple(params)


def _plain(value: Any) -> Any:
    # A driver may give a binary column as memoryview, whose repr is an address.
    return bytes(value) if isinstance(value, memoryview) else value


def _snapshot(queries: Queries) -> Snapshot:
    result: Snapshot = {}
    with connection.cursor() as cursor:
        for label, (sql, params) in queries:
            cursor.execute(sql, params)
            rows = [tuple(map(_plain, row)) for row in cursor.fetchall()]
            result[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


@functools.cache
def _database_queries() -> Queries:
    return [
        (model._meta.label_lower, _sql(model._base_manager.all())) for model in compared_models()
    ]


def database_snapshot() -> Snapshot:
    """Row count and a digest of every row, per compared table."""
    return _snapshot(_database_queries())


def _paths_to_class(model: type[models.Model]) -> list[str]:
    """The lookups that lead from a model to a class through foreign keys, at most three
    steps: `class_group`, `assignment__class_group`, `lesson__assignment__class_group`…"""
    if model is ClassGroup:
        return ["pk"]
    paths: list[str] = []
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _step in range(3):
        following: list[tuple[type[models.Model], str]] = []
        for current, prefix in frontier:
            for relation in current._meta.concrete_fields:
                target = relation.related_model
                if not relation.is_relation or not isinstance(target, type):
                    continue
                lookup = f"{prefix}{relation.name}"
                if target is ClassGroup:
                    paths.append(lookup)
                else:
                    following.append((target, lookup + "__"))
        frontier = following
    return paths


@functools.cache
def _class_queries(class_id: int) -> Queries:
    queries: Queries = []
    for model in compared_models():
        paths = _paths_to_class(model)
        if not paths:
            continue
        concerns = Q()
        for path in paths:
            concerns |= Q(**{path: class_id})
        # Forward keys only: the joins never repeat a row.
        queries.append((model._meta.label_lower, _sql(model._base_manager.filter(concerns))))
    return queries


def class_snapshot(class_id: int) -> Snapshot:
    """Row count and digest, per table, of the rows that concern one class: the class
    itself and every row that reaches it through foreign keys (its enrollments, groups,
    teaching assignments, their lessons, marks, attendance, corrections, locks…)."""
    return _snapshot(_class_queries(class_id))


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ, with their row counts: `journal.mark 3→4`."""
    return [
        f"{label} {before[label][0]}→{after[label][0]}"
        for label in sorted(before)
        if before[label] != after.get(label)
    ]


# --- a page's own form ------------------------------------------------------------------


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    """The successful controls of every form as a browser would submit them without a
    click: inputs (checked boxes only, no buttons, no files), selects (the selected
    options, else the first one) and textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._option: list[str] | None = None  # [value or "", text], value from text if absent
        self._option_has_value = False
        self._option_selected = False
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(
                action=found.get("action") or "", method=(found.get("method") or "get").lower()
            )
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in found:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = (found.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in found:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append((name, found.get("value") or default))
        elif tag == "select" and name:
            self._select = (name, "multiple" in found, [], [])
        elif tag == "option" and self._select is not None:
            self._option = [found.get("value") or "", ""]
            self._option_has_value = "value" in found
            self._option_selected = "selected" in found
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option_has_value else self._option[1].strip()
            self._select[2].append(value)
            if self._option_selected:
                self._select[3].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple, options, selected = self._select
            if not selected and not multiple and options:
                selected = options[:1]
            self._form.fields.extend((name, value) for value in selected)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # The parser keeps the newline that HTML drops right after <textarea>.
            self._form.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def own_form(html: str, url: str) -> dict[str, list[str]] | None:
    """The fields of the page's POST form that posts back to the page's own address (the
    first one), as the test client takes them; None without such a form."""
    parser = _FormParser()
    parser.feed(html)
    path = urlsplit(url).path
    for form in parser.forms:
        if form.method != "post" or urlsplit(urljoin(url, form.action)).path != path:
            continue
        data: dict[str, list[str]] = {}
        for name, value in form.fields:
            data.setdefault(name, []).append(value)
        return data
    return None


# --- does a view accept a POST ----------------------------------------------------------


def _chain(view: Callable[..., Any]) -> Iterator[Any]:
    """The view and every function it wraps (decorators made with functools.wraps)."""
    current: Any = view
    while current is not None:
        if isinstance(current, functools.partial):
            current = current.func
            continue
        yield current
        current = getattr(current, "__wrapped__", None)


_READS_THE_POST = ("request.POST", "request.FILES", "request.body", "request.method")
_HANDS_ON_REQUEST = re.compile(r"\b(\w+)\(\s*request\b")


def _reads_the_post(function: Any, depth: int = 2) -> bool:
    """Whether the function's code, or a function of ours it hands the request to (two
    calls deep), reads the posted data or the method."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return True  # unreadable: count it as a writer, to be looked at
    if any(word in source for word in _READS_THE_POST):
        return True
    if depth == 0:
        return False
    scope = getattr(inspect.unwrap(function), "__globals__", {})
    for name in set(_HANDS_ON_REQUEST.findall(source)):
        helper = scope.get(name)
        helper_module = getattr(helper, "__module__", "") or ""
        ours = inspect.isfunction(helper) and helper_module.startswith("zhurnal.")
        if ours and _reads_the_post(helper, depth - 1):
            return True
    return False


def accepts_post(view: Callable[..., Any]) -> bool:
    """Whether a view may act on a POST: its method decorator (`require_POST`,
    `require_http_methods`…) or class-based view allows it; without either, whether its
    code — or a helper of ours it hands the request to — reads `request.POST`,
    `request.FILES`, `request.body` or `request.method`. A view that reads none of them
    answers a POST as it answers a GET."""
    functions: list[Any] = []
    for function in _chain(view):
        view_class = getattr(function, "view_class", None)
        if view_class is not None:
            return hasattr(view_class, "post")
        code = getattr(function, "__code__", None)
        closure = getattr(function, "__closure__", None) or ()
        for name, cell in zip(code.co_freevars if code else (), closure, strict=False):
            if name == "request_method_list":
                return "POST" in cell.cell_contents
        functions.append(function)
    return any(_reads_the_post(function) for function in functions)


# --- what a response claims -------------------------------------------------------------


def claims_success(response: HttpResponse, *, api: bool) -> bool:
    """Whether the answer says something was saved: an API answer below 400, a success
    message of the request, or a JSON answer with `"ok": true` (the grid's cells)."""
    if api:
        return response.status_code < 400
    # The messages of this request: queued for the next page, or shown on this one (the
    # sender drops the messages cookie of earlier requests before each one).
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    if any(message.level == messages.SUCCESS for message in storage or ()):
        return True
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("ok") is True
    return False
