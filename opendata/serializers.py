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
        {"type": "object", "properties": {
            "region": {"type": "string"}, "departement": {"type": "string"},
            "epci": {"type": "string"}},
         "example": {"region": "32", "departement": "80", "epci": "248000531"}}
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
