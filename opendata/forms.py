from __future__ import annotations

from django import forms

from indicators.models import Category, Source

LEVEL_CHOICES = [
    ("", "Tous"),
    ("region", "Région"),
    ("departement", "Département"),
    ("epci", "EPCI"),
    ("commune", "Commune (partenaires)"),
]


class CatalogueForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    category = forms.ModelChoiceField(
        Category.objects.all(), label="Catégorie", required=False, to_field_name="code", empty_label="Toutes"
    )
    source = forms.ModelChoiceField(
        Source.objects.all(), label="Source", required=False, to_field_name="code", empty_label="Toutes"
    )
    level = forms.ChoiceField(choices=LEVEL_CHOICES, label="Niveau", required=False)
    period = forms.RegexField(
        regex=r"^\d{4}(-\d{4})?$", label="Période (2021 ou 2015-2019)", required=False, max_length=9
    )
