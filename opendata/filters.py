"""The catalogue's one filter: the catalogue page (/indicateurs/), its API
endpoint (/api/v1/indicators/) and the site search filter the indicators a
reader may see the same way."""

from __future__ import annotations

import django_filters as filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from indicators import reading, snapshot_store
from indicators.models import Category, Indicator, Source
from indicators.readers import ANONYMOUS, Reader, indicator_levels

LEVEL_CHOICES = [
    ("region", "Région"),
    ("departement", "Département"),
    ("epci", "EPCI"),
    ("commune", "Commune (partenaires)"),
]


class IndicatorFilter(filters.FilterSet):
    """Words (accents and case ignored, every word must appear in the label
    or the definition), category, source, level the reader may see, and a
    period of the current snapshot."""

    q = filters.CharFilter(label="Rechercher", method="filter_words", max_length=200)
    category = filters.ModelChoiceFilter(
        label="Catégorie",
        queryset=Category.objects.all(),
        to_field_name="code",
        field_name="category",
        empty_label="Toutes",
    )
    source = filters.ModelChoiceFilter(
        label="Source",
        queryset=Source.objects.all(),
        to_field_name="code",
        field_name="sources",
        distinct=True,
        empty_label="Toutes",
    )
    level = filters.ChoiceFilter(label="Niveau", choices=LEVEL_CHOICES, method="filter_level", empty_label="Tous")
    period = filters.CharFilter(
        label="Période (2021 ou 2015-2019)",
        method="filter_period",
        max_length=9,
        validators=[RegexValidator(r"^\d{4}(-\d{4})?$", "Une année (2021) ou deux (2015-2019).")],
    )

    class Meta:
        model = Indicator
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, reader: Reader = ANONYMOUS, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.reader = reader

    def filter_words(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        return queryset.matching(value)

    def filter_level(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        # an indicator's levels are a JSON list: decided here rather than by a
        # lookup SQLite lacks; the catalogue is small
        return queryset.filter(pk__in=[i.pk for i in queryset if value in indicator_levels(self.reader, i.levels)])

    def filter_period(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        snapshot = snapshot_store.current_snapshot()
        periods = snapshot.periods if snapshot else {}
        return queryset.filter(
            code__in=[code for code, published_periods in periods.items() if value in published_periods]
        )


def catalogue(*, reader: Reader, data) -> IndicatorFilter:
    """The filter of the indicators the reader may see, bound to `data` (a
    query string, or None for the whole catalogue); `.qs` is the result,
    `.form` the form with its errors."""
    visible = reading.indicators_visible(reader).prefetch_related("sources").order_by("category__order", "code")
    return IndicatorFilter(data, queryset=visible, reader=reader)
