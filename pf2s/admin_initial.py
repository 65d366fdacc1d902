"""The admin's add form takes initial values from the query string
(`?issue=3`); Django renders a foreign key or many-to-many value that is not
a valid id with a 500. Every admin form of the site drops such values
instead (installed once, in pf2s.apps)."""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.core.exceptions import FieldDoesNotExist, ValidationError


def _valid(field, value) -> bool:
    target = field.target_field if field.is_relation else field
    items = value if isinstance(value, list) else [value]
    try:
        for item in items:
            target.to_python(item)
            if field.is_relation:
                target.get_prep_value(target.to_python(item))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def safe_changeform_initial_data(self, request) -> dict:
    initial = ModelAdmin._pf2s_initial_data(self, request)
    kept = {}
    for name, value in initial.items():
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # not a model field: nothing a form would render from it
        if _valid(field, value):
            kept[name] = value
    return kept


def install() -> None:
    if not hasattr(ModelAdmin, "_pf2s_initial_data"):
        ModelAdmin._pf2s_initial_data = ModelAdmin.get_changeform_initial_data
        ModelAdmin.get_changeform_initial_data = safe_changeform_initial_data
