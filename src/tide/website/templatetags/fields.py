"""`{% field form.email %}`: one form field as every form on the site shows it. A template
builtin (settings.TEMPLATES), so no template loads it.

The label, then the hint and the error, each with the id Django's aria-describedby points
at, then the control; a checkbox comes before its label. Written in Python rather than as
an included template: the directory's search form draws fifteen fields on every search, and
through a template include they cost more than the search itself.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField, CheckboxInput
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(name="field")
def field_html(field: BoundField) -> SafeString:
    checkbox = isinstance(field.field.widget, CheckboxInput)
    errors = field.form.errors.get(field.name)
    css = "field"
    if errors:
        css += " field--error"
    if checkbox:
        css += " field--checkbox"
    optional = ""
    if not field.field.required and not checkbox:
        optional = f' <span class="field__optional">({conditional_escape(_("optional"))})</span>'
    auto_id = conditional_escape(field.auto_id)
    label = (
        f'<label for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}{optional}</label>"
    )
    hint = ""
    if field.help_text:  # ours, not the visitor's: it may hold a link
        hint = f'\n  <div class="field__hint" id="{auto_id}_helptext">{field.help_text}</div>'
    error = ""
    if errors:
        text = " ".join(conditional_escape(message) for message in errors)
        error = f'\n  <p class="field__error" id="{auto_id}_error">{text}</p>'
    control = field.as_widget()
    if checkbox:
        inner = f"{control}\n  {label}{hint}{error}"
    else:
        inner = f"{label}{hint}{error}\n  {control}"
    html = f'<div class="{css}">\n  {inner}\n</div>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - escaped above
