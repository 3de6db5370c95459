"""The OpenAPI 3.1 description, generated from the route registry and its pydantic models.

Nothing here is written by hand but the words: the paths come from the same :class:`Route` list
that registers the aiohttp routes, and the schemas from the very models that validate the
requests and shape the responses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from core.bounds import MAX_ID, WINDOW
from core.models import NoticeKind
from core.rules.channels import channel_names
from web.api.registry import Call, Route
from web.api.schemas import ErrorBody

PREFIX = "/api/v1"
REF_TEMPLATE = "#/components/schemas/{model}"
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "uai": {"type": "string", "pattern": "^[0-9]{7}[A-Z]$", "examples": ["0751234X"]},
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "kind": {"type": "string", "enum": [kind.value for kind in NoticeKind]},
    "channel": {"type": "string", "enum": channel_names()},
    "language": {"type": "string", "enum": ["fr", "en"]},
}
ERRORS = {
    "400": "Not well formed: malformed, non-UTF-8 or too deeply nested JSON, a bad query "
    "parameter (days lie in " + WINDOW + ", ids up to " + str(MAX_ID) + ")",
    "401": "No token, or an unknown, revoked (token_revoked) or expired (token_expired) one",
    "403": "No role in this school, or a role without the right",
    "404": "No such school, or nothing with that id in this school",
    "409": "Conflicts with the current state (overlap, a concurrent change)",
    "413": "The body is larger than the limit",
    "415": "The body is not multipart/form-data",
    "422": "A well-formed body that is not valid; the message names the first problem",
}
MULTIPART = "multipart/form-data"
SchemaKey = tuple[type[BaseModel], JsonSchemaMode]


@dataclass(frozen=True, slots=True)
class ApiDocument:
    """The generated description, ready to serve."""

    content: dict[str, Any]
    text: str

    @classmethod
    def of(cls, routes: list[Route]) -> ApiDocument:
        content = build_document(routes)
        return cls(content, json.dumps(content, ensure_ascii=False))


DOCUMENT = web.AppKey("openapi_document", ApiDocument)


def _model_schemas(routes: list[Route]) -> tuple[dict[SchemaKey, dict[str, Any]], dict[str, Any]]:
    """The ``$ref`` of each body and response model, and every schema they need."""
    wanted: dict[SchemaKey, None] = {(ErrorBody, "serialization"): None}
    for route in routes:
        if route.body is not None:
            wanted[(route.body, "validation")] = None
        if route.form is not None:
            wanted[(route.form, "validation")] = None
        if route.response is not None:
            wanted[(route.response, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF_TEMPLATE)
    return {key: refs[key] for key in wanted}, dict(top.get("$defs", {}))


def _merge(schemas: dict[str, Any], defs: dict[str, Any]) -> None:
    for name, schema in defs.items():
        if schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas are named {name}")


def _not_null(field: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: ``X | None`` is described as ``X``."""
    field = {k: v for k, v in field.items() if k not in {"title", "description"}}
    options = field.get("anyOf", [])
    if field.get("default", "") is None and {"type": "null"} in options:
        (rest,) = [option for option in options if option != {"type": "null"}]
        del field["anyOf"], field["default"]
        field.update(rest)
    return field


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """One query parameter per field of ``model`` (their shared schemas go to components)."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="validation")
    _merge(schemas, schema.get("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        parameter = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _not_null(field),
        }
        if field.get("description"):
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return parameters


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(route: Route, refs: dict[SchemaKey, dict[str, Any]]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": route.summary}
    if route.response is not None:
        ok["content"] = _json(refs[(route.response, "serialization")])
    elif route.produces != "application/json":
        binary = {"type": "string", "contentMediaType": route.produces}
        ok["content"] = {route.produces: {"schema": binary}}
    else:
        ok["content"] = _json({"type": "object"})
    statuses = []
    if route.permission is not None:
        statuses += ["401", "403", "404"]
    if route.query is not None or route.body is not None or route.form is not None:
        statuses.append("400")
    if route.body is not None or route.form is not None:
        statuses += ["413", "422"]
    if route.form is not None:
        statuses.append("415")
    if route.method in {"POST", "PATCH", "DELETE"}:
        statuses.append("409")
    error = _json(refs[(ErrorBody, "serialization")])
    errors = {s: {"description": ERRORS[s], "content": error} for s in sorted(statuses)}
    return {str(route.status): ok, **errors}


def _operation(
    route: Route, refs: dict[SchemaKey, dict[str, Any]], schemas: dict[str, Any]
) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": route.operation_id, "summary": route.summary}
    if route.tag:
        operation["tags"] = [route.tag]
    notes = [route.description] if route.description else []
    if route.permission is None:
        operation["security"] = []
    else:
        notes.append(f"Needs the right `{route.permission.value}` in the school.")
        operation["x-permission"] = route.permission.value
    operation["description"] = " ".join(notes)
    parameters = _path_parameters(route.path)
    if route.query is not None:
        parameters += _query_parameters(route.query, schemas)
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        body = refs[(route.body, "validation")]
        operation["requestBody"] = {"required": True, "content": _json(body)}
    elif route.form is not None:
        form = {"schema": refs[(route.form, "validation")]}
        operation["requestBody"] = {"required": True, "content": {MULTIPART: form}}
    operation["responses"] = _responses(route, refs)
    return operation


def build_document(routes: list[Route]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (paths relative to the server ``/api/v1``)."""
    refs, schemas = _model_schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation = _operation(route, refs, schemas)
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Absences",
            "version": "1",
            "description": "Pupils' absences and lateness, and the conversations with families. "
            'Errors are `{"error": {"code", "message"}}`; lists are `{"items", "total"}` '
            "with `limit`/`offset`; datetimes are ISO 8601 with offset, in the school's zone.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a token from `absences token create EMAIL`",
                }
            },
        },
    }


async def openapi(call: Call) -> web.StreamResponse:
    """This description."""
    return web.Response(text=call.request.app[DOCUMENT].text, content_type="application/json")


ROUTE = Route(
    "GET",
    "/openapi.json",
    openapi,
    summary="This description of the API (OpenAPI 3.1)",
    permission=None,
    response=None,
    tag="meta",
)
