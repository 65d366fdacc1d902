from __future__ import annotations

from django.conf import settings


def site(request):
    return {"site_name": settings.PF2S_SITE_NAME, "map_base_layer": map_base_layer()}


def map_base_layer() -> dict | None:
    """The tiles under our maps, only when the platform configures them
    (its own tile server or a provider it has an agreement with)."""
    if not settings.PF2S_MAP_BASE_LAYER:
        return None
    return {
        "url": settings.PF2S_MAP_BASE_LAYER,
        "attribution": settings.PF2S_MAP_BASE_ATTRIBUTION,
        "max_zoom": settings.PF2S_MAP_BASE_MAX_ZOOM,
    }
