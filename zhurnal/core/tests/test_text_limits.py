"""Every free-text field a form offers has a length limit, so that a pasted novel gets a
clear error instead of reaching the database (or failing there on PostgreSQL)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

# The rooms whose forms this checks; people/ and accounts/ are checked by their own tests.
ROOMS = ("journal", "control", "timetable", "schools", "setup", "imports", "archive")
NOT_TEXT = (forms.EmailField, forms.URLField, forms.SlugField, forms.RegexField)


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for room in ROOMS:
        package = importlib.import_module(f"zhurnal.{room}")
        modules = pkgutil.walk_packages(package.__path__, f"zhurnal.{room}.")
        for info in modules:
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            if not info.name.endswith(("forms", "views")):
                continue
            module = importlib.import_module(info.name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{name}"] = cls
    return list(found.values())


def test_the_rooms_have_forms_to_check() -> None:
    assert len(_form_classes()) > 20


@pytest.mark.parametrize("form", _form_classes(), ids=lambda cls: cls.__qualname__)
def test_every_free_text_field_has_a_maximum_length(form: type[forms.BaseForm]) -> None:
    unlimited = [
        name
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, NOT_TEXT)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
        and field.max_length is None
    ]
    assert unlimited == [], f"{form.__module__}.{form.__qualname__}: {unlimited}"
