"""Form widgets rendered in Python: the same HTML as Django's own widget templates, without
the template engine.

The lesson sheet draws some 14 fields for each of 30 students; through the templates each
input, option, label and error list is a template rendered with its own context — about
430 renders and most of the page's time. Here the simple widgets (inputs of every type,
selects and their options, radio and checkbox options, textareas, labels, error lists) are
written out directly; anything else (multiple inputs as a whole, file inputs, whole forms)
still goes through the templates. `zhurnal/core/tests/test_formrenderer.py` renders every
covered template both ways and compares, and checks that Django's templates are still the
ones copied here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise

WIDGETS = "django/forms/widgets/"

# Django's widget templates that only include input.html.
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "file.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)
OPTION_TEMPLATES = frozenset(
    {WIDGETS + "radio_option.html", WIDGETS + "checkbox_option.html", WIDGETS + "input_option.html"}
)


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaping template (Django's
    conditional_escape without its lazy-string wrapper, which cost a fifth of the page)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    """django/forms/widgets/attrs.html (and django/forms/attrs.html)."""
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_text(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: Mapping[str, Any]) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    ident = widget["attrs"].get("id")
    label_for = f' for="{_text(ident)}"' if ident else ""
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _select(widget: Mapping[str, Any]) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            out.append(f"\n  {_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _error_list(context: Mapping[str, Any]) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    ident = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{ident}>{items}</ul>'


def _of_widget(write: Callable[[Mapping[str, Any]], str]) -> Callable[[Mapping[str, Any]], str]:
    return lambda context: write(context["widget"])


FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{name: _of_widget(_input) for name in INPUT_TEMPLATES},
    **{name: _of_widget(_input_option) for name in OPTION_TEMPLATES},
    WIDGETS + "select.html": _of_widget(_select),
    WIDGETS + "select_option.html": _of_widget(_option),
    WIDGETS + "textarea.html": _of_widget(_textarea),
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
}


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with the simple widgets written out in Python."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        write = FAST.get(template_name)
        if write is None:
            return str(super().render(template_name, context, request=request))
        return write(context).strip()
