from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Territory


class TerritorySerializer(serializers.ModelSerializer):
    """A territory with the codes of its parents."""

    parents = serializers.SerializerMethodField(
        help_text="Codes des territoires englobants : region, departement, epci selon le niveau."
    )

    class Meta:
        model = Territory
        fields = ["code", "name", "level", "population", "parents", "partly_outside_region"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"region": {"type": "string"}, "departement": {"type": "string"}, "epci": {"type": "string"}},
            "example": {"region": "32", "departement": "80", "epci": "248000531"},
        }
    )
    def get_parents(self, territory: Territory) -> dict[str, str]:
        parents = {}
        for name in ("region", "departement", "epci"):
            parent = getattr(territory, name)
            if parent is not None:
                parents[name] = parent.code
        return parents


class TerritoryDetailSerializer(TerritorySerializer):
    """A territory; composites add the codes of their member communes."""

    members = serializers.SerializerMethodField(
        help_text="Codes COG des communes membres (territoires composites uniquement)."
    )
    source = serializers.CharField(help_text="Source de la définition (composites).")

    class Meta(TerritorySerializer.Meta):
        fields = [*TerritorySerializer.Meta.fields, "communes_outside_region", "source", "members"]

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
    def get_members(self, territory: Territory) -> list[str] | None:
        if not territory.is_composite:
            return None
        return self.context["member_codes"]


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    indicator_count = serializers.IntegerField(help_text="Indicateurs visibles par l'appelant")


class IndicatorSerializer(serializers.Serializer):
    """An indicator of the catalogue with its metadata."""

    code = serializers.CharField()
    label = serializers.CharField()
    short_label = serializers.CharField()
    category = serializers.SerializerMethodField()
    definition = serializers.CharField()
    method = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField()
    multiplier = serializers.FloatField()
    period_kind = serializers.CharField()
    pool_years = serializers.IntegerField(allow_null=True)
    levels = serializers.ListField(child=serializers.CharField())
    access = serializers.CharField()
    sources = serializers.SerializerMethodField()
    caveats = serializers.CharField()

    @extend_schema_field({"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}})
    def get_category(self, indicator) -> dict:
        return {"code": indicator.category.code, "name": indicator.category.name}

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_sources(self, indicator) -> list[dict]:
        return [{"code": s.code, "name": s.name, "provider": s.provider} for s in indicator.sources.all()]


class ValueRowSerializer(serializers.Serializer):
    """One published value. A secret row carries no number at all."""

    territory_code = serializers.CharField()
    territory_name = serializers.CharField()
    level = serializers.CharField(help_text="Niveau du territoire ; territoire_personnalise avec `own`")
    period = serializers.CharField(help_text="Année (2021) ou années cumulées (2015-2019)")
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="Borne basse de l'IC à 95 %")
    ci_high = serializers.FloatField(allow_null=True, help_text="Borne haute de l'IC à 95 %")
    significance = serializers.ChoiceField(
        choices=["higher", "lower", "similar", ""],
        help_text="Comparaison à la France : supérieur, inférieur, non différent",
    )
    status = serializers.ChoiceField(choices=["ok", "secret", "missing"])
    demo = serializers.BooleanField(help_text="Données de démonstration (générées)")
    reason = serializers.CharField(
        required=False,
        help_text=(
            "Avec `own` seulement : pourquoi la ligne n'a pas de valeur (secret statistique, donnée "
            "non disponible, indicateur non additif, vérification en cours) ; vide sinon"
        ),
    )
