"""The API documentation page: rendered on the server from the OpenAPI
schema, in French, accessible (Swagger UI stays available for trying calls)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

from pf2s.access import Audience, audience

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict, node: dict) -> dict:
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        return schema["components"]["schemas"].get(name, {})
    return node


def endpoints(schema: dict) -> list[dict]:
    """One entry per path and method: summary, parameters, response fields."""
    items = []
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if not operation:
                continue
            response = operation.get("responses", {}).get("200", {}).get("content", {})
            media = next(iter(response.values()), {}) if response else {}
            body = _resolve(schema, media.get("schema", {}))
            if body.get("type") == "array":
                body = _resolve(schema, body.get("items", {}))
            fields = [
                {"name": name, "type": spec.get("type", ""), "description": spec.get("description", "")}
                for name, spec in body.get("properties", {}).items()
            ]
            items.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "fields": fields,
                    "anchor": operation.get("operationId", path),
                }
            )
    return items


@audience(Audience.PUBLIC)
def api_docs(request: HttpRequest):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render(request, "opendata/api_docs.html", {"info": schema.get("info", {}), "endpoints": endpoints(schema)})
