"""A property of the whole API, driven by its own OpenAPI document: whatever an operation is
sent — integers past any column, days in year 1 or 9999, texts longer than their column, wrong
types, deeply nested or non-UTF-8 bodies — it answers with the error body and never a 5xx.

The requests are generated with hypothesis from each operation's parameters and body schema,
mixing values the schema allows (so that the request goes deep) with hostile ones. Bounded:
a fixed number of examples, derandomized, so it takes seconds in ``make test``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from aiohttp import FormData
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bounds import MAX_ID
from tests.web.conftest import UAI_A, UAI_B, Api
from web.api.openapi import PREFIX, build_document
from web.api.routes import all_routes
from web.bodies import MAX_JSON_DEPTH

DOCUMENT = build_document(all_routes())
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]
BOUNDED = settings(
    max_examples=250,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

HUGE_INTS = [0, -1, MAX_ID, MAX_ID + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]
HOSTILE_TEXTS = [
    "",
    "x" * 5000,
    "\x00",
    "é" * 300,
    "9999-12-31",
    "0001-01-01",
    "2026-13-45",
    "9999-12-31T23:00+01:00",
    "0001-01-01T00:00:00-01:00",
    "NaN",
    "1e309",
    "-0",
    str(2**63),
    "%00",
    "null",
]
PATH_TEXTS = [text[:300] for text in HOSTILE_TEXTS]  # a request line stays under 8 KB
LONGEST_QUERY = 7000  # beyond 8 KB the HTTP server refuses the line before the application
hostile_ints = st.sampled_from(HUGE_INTS) | st.integers()
hostile_texts = st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=40)
hostile = st.one_of(
    hostile_ints,
    hostile_texts,
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just([[[[[[[[[[1]]]]]]]]]]),
    st.just({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}),
)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))])
any_moment = st.datetimes(timezones=offsets).map(lambda moment: moment.isoformat())
plausible_moment = st.datetimes(
    min_value=datetime(2025, 9, 1), max_value=datetime(2026, 7, 1), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat())
plausible_day = st.dates(date(2025, 9, 1), date(2026, 7, 1)).map(date.isoformat)
any_day = st.dates().map(date.isoformat)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _integers(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum", 1), schema.get("maximum", 5)
    edges = [low, high, low - 1, high + 1]
    return st.sampled_from(edges) | st.integers(min_value=low, max_value=min(high, low + 5))


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if schema.get("format") == "date":
        return plausible_day | any_day
    if schema.get("format") == "date-time":
        return plausible_moment | any_moment
    if schema.get("format") == "binary":
        return st.binary(max_size=200)
    longest = schema.get("maxLength", 50)
    return st.text(max_size=min(longest, 40)) | st.just("x" * (longest + 1))


def values(schema: dict[str, Any], *, spoilt: bool = True) -> st.SearchStrategy[Any]:
    """Values an operation may be sent for ``schema``: mostly allowed ones, with hostile ones
    anywhere when ``spoilt`` (else only at the edges of the allowed ranges)."""
    schema = _resolve(schema)
    maybe = hostile if spoilt else st.nothing()
    if "anyOf" in schema:
        return st.one_of([values(option, spoilt=spoilt) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | maybe
    if "const" in schema:
        return st.just(schema["const"]) | maybe
    kind = schema.get("type")
    allowed: st.SearchStrategy[Any]
    if kind == "integer":
        allowed = _integers(schema)
    elif kind == "string":
        allowed = _strings(schema)
    elif kind == "boolean":
        allowed = st.booleans()
    elif kind == "array":
        allowed = st.lists(values(schema.get("items", {}), spoilt=spoilt), max_size=4)
    elif kind == "object":
        allowed = objects(schema, spoilt=spoilt)
    else:
        allowed = st.none()
    return st.one_of(allowed, allowed, maybe)


def objects(schema: dict[str, Any], *, spoilt: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of ``schema``: its required properties and some of the others."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    optional = {n: values(p, spoilt=spoilt) for n, p in properties.items() if n not in required}
    if spoilt:
        optional["unexpected"] = hostile
    return st.fixed_dictionaries(
        {name: values(properties[name], spoilt=spoilt) for name in sorted(required)},
        optional=optional,
    )


NOT_JSON = [
    b"",
    b"{",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1),
    b'{"comment": "\xff\xfe"}',
    b"\xef\xbb\xbf{}",
    b"NaN",
]


def path_values(parameter: dict[str, Any], *, spoilt: bool) -> st.SearchStrategy[str]:
    name = parameter["name"]
    wrong = st.sampled_from(PATH_TEXTS) if spoilt else st.nothing()
    if name == "uai":
        others = ["0751234x", "X" * 9, "X" * 300, "%20", "0751234X0751234X", UAI_B]
        return st.just(UAI_A) | (st.sampled_from(others) if spoilt else st.nothing())
    if name == "id":
        existing = st.integers(min_value=1, max_value=6).map(str)
        huge = st.sampled_from(HUGE_INTS).map(str) if spoilt else st.nothing()
        return existing | huge | wrong
    return st.sampled_from(parameter["schema"].get("enum", [])) | wrong


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """One request to one operation of the document."""
    method, path, operation = draw(st.sampled_from(OPERATIONS))
    spoilt = draw(st.booleans())  # else the values stay near what is allowed, to go deeper
    query: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = draw(path_values(parameter, spoilt=spoilt)).replace("/", "%2F")
            path = path.replace("{" + parameter["name"] + "}", value)
        elif draw(st.booleans()):
            value = _text(draw(values(parameter["schema"], spoilt=spoilt)))
            if sum(map(len, query.values())) + len(value) < LONGEST_QUERY:
                query[parameter["name"]] = value
    request: dict[str, Any] = {"method": method, "path": PREFIX + path, "params": query}
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        schema = content["application/json"]["schema"]
        if draw(st.integers(0, 4)) == 0:
            request["data"] = draw(st.sampled_from(NOT_JSON))
            request["headers"] = {"Content-Type": "application/json"}
        else:
            request["json"] = draw(values(schema, spoilt=spoilt))
    elif "multipart/form-data" in content:
        form = FormData()
        fields = draw(objects(_resolve(content["multipart/form-data"]["schema"])))
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bytes):
                    form.add_field(name, item, filename="f.xml")
                else:
                    form.add_field(name, _text(item))
        request["data"] = form
    return request


def is_error_body(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and set(error) == {"code", "message"}
        and all(isinstance(error[key], str) and error[key] for key in ("code", "message"))
    )


@BOUNDED
@given(request=requests())
async def test_no_operation_answers_a_5xx_whatever_it_is_sent(
    api: Api, request: dict[str, Any]
) -> None:
    sent = {key: value for key, value in request.items() if key != "headers"}
    headers = {"Authorization": f"Bearer {api.tokens['admin']}", **request.get("headers", {})}
    response = await api.client.request(**sent, headers=headers)
    where = f"{request['method']} {request['path']} {request.get('params')}"
    if response.status < 400:
        return
    body = await response.json()
    assert is_error_body(body), (where, response.status, body)
    unavailable = response.status == 503 and body["error"]["code"] == "unavailable"
    assert response.status < 500 or unavailable, (where, response.status, body)
