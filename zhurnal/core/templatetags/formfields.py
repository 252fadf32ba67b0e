"""`{% field_block field %}`: a form field with its label, help text and errors — what
templates/journal/lesson_field.html draws for a one-widget field, written in Python for
pages that draw it hundreds of times (the lesson sheet: five fields for each student).
Fields drawn as a fieldset (radio groups) and hidden fields still use the template."""

from __future__ import annotations

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def field_block(field: forms.BoundField, compact: bool = False) -> SafeString:
    if field.is_hidden or field.use_fieldset:
        return mark_safe(  # noqa: S308 - a template of our own, autoescaped
            render_to_string("journal/lesson_field.html", {"field": field, "compact": compact})
        )
    help_text = (
        format_html(
            '<span class="helptext" id="{}_helptext">{}</span>', field.auto_id, field.help_text
        )
        if field.help_text
        else ""
    )
    errors = (
        format_html('<div class="field-error" role="alert">{}</div>', field.errors)
        if field.errors
        else ""
    )
    return format_html(
        '<div class="field{}">{}{}{}{}</div>',
        " compact" if compact else "",
        field.label_tag(),
        str(field),
        help_text,
        errors,
    )
