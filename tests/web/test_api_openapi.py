"""GET /api/v1/openapi.json: generated from the route registry, complete and self-consistent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from tests.web.conftest import MONDAY, UAI_A, Api, at
from web.api import create_api
from web.api.routes import all_routes

JSON_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


async def fetch(client: TestClient[Any, Any]) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")  # no token needed
    assert response.status == 200
    document: dict[str, Any] = await response.json()
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


async def test_the_document_lists_every_registered_route(
    app_client: TestClient[Any, Any],
) -> None:
    document = await fetch(app_client)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    described = {(method, path) for method, path, _ in operations(document)}
    registry = {(route.method, route.path) for route in all_routes()}
    registered = {
        (route.method, route.resource.canonical)
        for route in create_api().router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    assert described == registry == registered
    assert len(described) == len(all_routes())
    for method, path, operation in operations(document):
        url = "/api/v1" + path.format(uai=UAI_A, id=1, kind="absence", channel="sms", language="fr")
        response = await app_client.request(method, url)
        if operation.get("security") == []:
            assert response.status == 200, path
        else:
            assert response.status == 401, (method, path)
            assert {"401", "403", "404"} <= set(operation["responses"]), (method, path)


async def test_every_schema_referenced_is_in_the_components(
    app_client: TestClient[Any, Any],
) -> None:
    document = await fetch(app_client)
    components = document["components"]
    assert components["securitySchemes"]["bearer"] == {
        **components["securitySchemes"]["bearer"],
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearer": []}]
    prefix = "#/components/schemas/"
    names = {ref.removeprefix(prefix) for ref in refs(document)}
    assert all(ref.startswith(prefix) for ref in refs(document))
    assert names <= set(components["schemas"])
    assert {"ErrorBody", "NewEvent", "EventOut", "StudentPage", "SchoolSettingsPatch"} <= names
    error = components["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]


def conforms(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """A small JSON Schema check: enough for the request bodies of this API."""
    if "$ref" in schema:
        return conforms(value, schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    if "anyOf" in schema:
        return any(conforms(value, option, schemas) for option in schema["anyOf"])
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind is None:
        return True
    if not isinstance(value, JSON_TYPES[kind]) or (isinstance(value, bool) and kind != "boolean"):
        return False
    if kind == "object":
        return object_conforms(value, schema, schemas)
    if schema.get("format") == "date-time":
        return datetime.fromisoformat(value).tzinfo is not None
    return kind != "integer" or bool(value >= schema.get("minimum", value))


def object_conforms(value: dict[str, Any], schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    properties = schema.get("properties", {})
    if not set(schema.get("required", ())) <= set(value):
        return False
    if schema.get("additionalProperties") is False and not set(value) <= set(properties):
        return False
    return all(conforms(v, properties[k], schemas) for k, v in value.items() if k in properties)


async def test_a_body_the_document_allows_is_accepted(api: Api) -> None:
    document = await fetch(api.client)
    schemas = document["components"]["schemas"]
    post = document["paths"]["/schools/{uai}/events"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    body = {
        "student_id": api.sid("marie"),
        "kind": "absence",
        "start": at(MONDAY, 8).isoformat(),
        "end": at(MONDAY, 9).isoformat(),
        "reason": "MALADIE",
        "comment": "",
    }
    assert conforms(body, schema, schemas)
    assert (await api.call("POST", f"/schools/{UAI_A}/events", json=body))[0] == 201
    for refused in ({**body, "colour": "red"}, {**body, "start": "2026-03-02T08:00:00"}):
        assert not conforms(refused, schema, schemas)
        assert (await api.call("POST", f"/schools/{UAI_A}/events", json=refused))[0] == 422
    patch = document["paths"]["/schools/{uai}/settings"]["patch"]
    schema = patch["requestBody"]["content"]["application/json"]["schema"]
    change = {"quiet_hours": None, "channel_order": ["sms", "email"]}
    assert conforms(change, schema, schemas)
    status, _ = await api.call("PATCH", f"/schools/{UAI_A}/settings", as_="admin", json=change)
    assert status == 200
