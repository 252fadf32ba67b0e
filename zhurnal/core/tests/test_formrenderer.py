"""The Python form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from zhurnal.core.formrenderer import FAST, INPUT_TEMPLATES, OPTION_TEMPLATES, FastRenderer
from zhurnal.core.templatetags.formfields import field_block

TEMPLATES = Path(django.__file__).parent / "forms" / "templates"
TRICKY = "Ім’я <b>&\"'</b>"


class Everything(forms.Form):
    text = forms.CharField(label=TRICKY, max_length=20, help_text="help")
    number = forms.IntegerField(min_value=1, max_value=45, widget=forms.NumberInput({"x": True}))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    email = forms.EmailField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "off": False}))
    at = forms.TimeField(required=False)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(choices=[("a", "A & a"), ("b", mark_safe("<i>B</i>"))])
    grouped = forms.ChoiceField(
        choices=[("Група 1", [("1", "один"), ("2", "два")]), ("3", "три")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    status = forms.ChoiceField(
        choices=[("", "присутній"), ("absent", "відсутній")],
        widget=forms.RadioSelect(attrs={"data-status": 7}),
        required=False,
    )
    boxes = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )


DATA = {
    "text": TRICKY * 3,  # too long: an error
    "number": "99",  # too big: an error
    "hidden": '<"x">',
    "email": "not an e-mail",
    "day": "2026-12-03",
    "at": "08:30",
    "agree": "on",
    "note": "рядок 1\n<рядок 2> & ще",
    "kind": "b",
    "grouped": "2",
    "many": ["y"],
    "status": "absent",
    "boxes": ["x", "y"],
}


def _calls(form: forms.Form) -> list[tuple[str, dict[str, Any]]]:
    """Every (template, context) the form asks its renderer for while it is drawn."""
    seen: list[tuple[str, dict[str, Any]]] = []

    class Recorder(DjangoTemplates):
        def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
            seen.append((template_name, context))
            return str(super().render(template_name, context, request))

    form.renderer = Recorder()
    for field in form:
        str(field)
        field.label_tag()
        str(field.errors)
        for choice in getattr(field, "subwidgets", []):
            choice.tag()
            choice.tag(wrap_label=True)
    str(form.errors)
    return seen


@pytest.mark.parametrize("bound", [False, True])
def test_every_covered_template_writes_what_djangos_template_writes(bound: bool) -> None:
    form = Everything(DATA if bound else None, initial={"text": TRICKY, "kind": "a"})
    calls = _calls(form)
    slow, fast = DjangoTemplates(), FastRenderer()
    covered = set()
    for template_name, context in calls:
        if template_name in FAST:
            covered.add(template_name)
            assert fast.render(template_name, context) == slow.render(template_name, context), (
                template_name
            )
    used = covered | {name for name, _ in calls}
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/radio_option.html",
        "django/forms/label.html",
    } <= used
    if bound:
        assert "django/forms/errors/list/default.html" in covered


def test_a_whole_form_renders_the_same_both_ways() -> None:
    slow = Everything(DATA, renderer=DjangoTemplates())
    fast = Everything(DATA, renderer=FastRenderer())
    assert str(fast) == str(slow)
    assert 'id="id_text_error"' in str(fast)


def test_the_templates_copied_are_still_djangos() -> None:
    """A Django upgrade that changes one of these templates fails here, not silently."""
    include_input = '{% include "django/forms/widgets/input.html" %}'
    for name in INPUT_TEMPLATES:
        assert (TEMPLATES / name).read_text().strip() == include_input, name
    for name in OPTION_TEMPLATES - {"django/forms/widgets/input_option.html"}:
        source = (TEMPLATES / name).read_text().strip()
        assert source == '{% include "django/forms/widgets/input_option.html" %}', name


def test_it_is_the_projects_form_renderer() -> None:
    get_default_renderer.cache_clear()
    assert isinstance(get_default_renderer(), FastRenderer)


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(html.split())).replace("> ", ">").replace(" <", "<")


@pytest.mark.parametrize("bound", [False, True])
def test_field_block_draws_what_the_field_template_draws(bound: bool) -> None:
    form = Everything(DATA if bound else None)
    for field in form:
        for compact in (False, True):
            by_template = render_to_string(
                "journal/lesson_field.html", {"field": field, "compact": compact}
            )
            assert _squeezed(field_block(field, compact)) == _squeezed(by_template), field.name
