"""The route registry: one descriptor per endpoint gives its aiohttp route AND its OpenAPI entry.

A :class:`Route` names its method, path (relative to ``/api/v1``), handler, permission, query
model, request body model (JSON, or a multipart ``form`` of files and fields) and response
model. :func:`bind` turns it into an aiohttp handler that
authenticates, checks the permission, validates the query and the body with those very models,
calls the handler and serialises what it returns with the response model — so the published
description (:mod:`web.api.openapi`) cannot drift from what the code does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from core.bounds import parse_id, storable
from core.errors import Invalid, NotFound, first_problem
from core.models import School, User
from core.queries.scope import Scope, reader_scope
from core.rules.permissions import Permission
from core.services.audit import Actor
from core.services.schools.users import Access, Installed
from web.api.auth import authorise, authorise_install
from web.api.errors import HTTP_CODES, ApiError, BadRequest
from web.bodies import BodyError, read_json_body
from web.uploads import UploadError, read_multipart

M = TypeVar("M", bound=BaseModel)
Result = BaseModel | web.StreamResponse
Handler = Callable[["Call"], Awaitable[Result]]
BodyParser = Callable[[object], BaseModel]
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint of the API: how it is reached, who may call it, what it takes and gives."""

    method: str
    path: str  # relative to /api/v1, OpenAPI style: /schools/{uai}/events/{id}
    handler: Handler
    _: KW_ONLY
    summary: str
    permission: Permission | None  # None: public, no token needed
    response: type[BaseModel] | None  # None: the handler builds its own response
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    parse_body: BodyParser | None = None  # core's own parser of ``body``, if it has one
    form: type[BaseModel] | None = None  # a multipart/form-data body: its files and fields
    upload_limit: int = DEFAULT_UPLOAD_LIMIT  # the most a ``form`` body may weigh (else 413)
    tag: str = ""
    description: str = ""
    produces: str = "application/json"  # the media type of a success (a PDF, say)

    @property
    def operation_id(self) -> str:
        """A stable name for the operation (the handler's)."""
        return self.handler.__name__


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler receives: the request, who calls in which school, the validated inputs."""

    request: web.Request
    access: Access | None
    query: BaseModel | None
    body: BaseModel | None
    installed: Installed | None = None  # a route of the whole install: the schools it sees

    @property
    def school(self) -> School:
        """The school of the URL (the caller has a role there)."""
        return self._access().school

    @property
    def user(self) -> User:
        """The staff member who calls."""
        return self._access().user

    @property
    def actor(self) -> Actor:
        """The caller, for the audit log."""
        return Actor.of(self._access().user)

    async def scope(self) -> Scope:
        """Which students the caller may see, and how much of them (a teacher: their own)."""
        access = self._access()
        return await reader_scope(access.school, access.user.id, access.role.value)

    @property
    def schools(self) -> list[School]:
        """The schools a route of the whole install serves the caller."""
        if self.installed is None:
            raise RuntimeError("this route is of one school: use .school")
        return self.installed.schools

    def _access(self) -> Access:
        if self.access is None:
            raise RuntimeError("this route is public: there is no caller")
        return self.access

    def path_id(self, name: str = "id") -> int:
        """An integer id of the path; one that cannot exist is simply not found."""
        raw = self.request.match_info[name]
        value = parse_id(raw)
        if value is None:
            raise NotFound(f"no {name} {raw[:20]!r}")
        return value

    def query_as(self, model: type[M]) -> M:
        """The validated query, as the route's query model."""
        return _as(self.query, model)

    def body_as(self, model: type[M]) -> M:
        """The validated body, as the route's body model."""
        return _as(self.body, model)


def _as(value: BaseModel | None, model: type[M]) -> M:
    if not isinstance(value, model):
        raise TypeError(f"expected {model.__name__}, the route declares {type(value).__name__}")
    return value


def parse_query(model: type[M], request: web.Request) -> M:
    """Validate the query string; empty parameters count as absent; a problem is a 400."""
    values = {key: value for key, value in request.query.items() if value != ""}
    if not all(storable(value) for value in values.values()):
        raise BadRequest("query: texts may not hold the NUL character")
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise BadRequest(first_problem(error, "query")) from None


async def read_json(request: web.Request) -> object:
    """The request's JSON body; a missing, malformed, non-UTF-8 or too deeply nested one is a
    400, one too large a 413."""
    try:
        return await read_json_body(request)
    except BodyError as error:
        raise BodyRefused(error) from None


def validate_body(route: Route, data: object) -> BaseModel:
    """Validate a well-formed body with the route's model; a problem is a 422."""
    if route.parse_body is not None:
        return route.parse_body(data)
    if route.body is None:
        raise RuntimeError(f"{route.method} {route.path} takes no body")
    try:
        return route.body.model_validate(data)
    except ValidationError as error:
        raise Invalid(first_problem(error)) from None


class BodyRefused(ApiError):
    """A body refused as a whole: unreadable or too deeply nested JSON (400), too large (413),
    a ``form`` that is not multipart (415)."""

    def __init__(self, error: BodyError | UploadError) -> None:
        super().__init__(error.message)
        self.status = error.status
        self.code = HTTP_CODES.get(error.status, "invalid")


async def read_form(route: Route, request: web.Request) -> BaseModel:
    """The multipart body validated with the route's ``form`` model (files by field name)."""
    if route.form is None:
        raise RuntimeError(f"{route.method} {route.path} takes no form")
    try:
        form = await read_multipart(request, route.upload_limit)
    except UploadError as error:
        raise BodyRefused(error) from None
    try:
        return route.form.model_validate({**form.fields, **form.files})
    except ValidationError as error:
        raise Invalid(first_problem(error)) from None


def respond(route: Route, result: Result) -> web.StreamResponse:
    """Serialise the handler's result with the route's response model."""
    if isinstance(result, web.StreamResponse):
        return result
    if route.response is None or not isinstance(result, route.response):
        raise TypeError(f"{route.operation_id} returned {type(result).__name__}")
    return web.Response(
        text=result.model_dump_json(by_alias=True),
        status=route.status,
        content_type="application/json",
    )


def bind(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of ``route``: authorise → validate → handle → serialise."""

    async def handle(request: web.Request) -> web.StreamResponse:
        access, installed = None, None
        if route.permission is not None and "{uai}" not in route.path:
            installed = await authorise_install(request, route.permission)
        elif route.permission is not None:
            access = await authorise(request, route.permission)
        query = parse_query(route.query, request) if route.query is not None else None
        body = None
        if route.form is not None:
            body = await read_form(route, request)
        elif route.body is not None:
            body = validate_body(route, await read_json(request))
        return respond(route, await route.handler(Call(request, access, query, body, installed)))

    handle.__name__ = route.operation_id
    handle.__doc__ = route.summary
    return handle


def register(app: web.Application, routes: list[Route]) -> None:
    """Add every route of the registry to ``app`` (a sub-application mounted at /api/v1)."""
    for route in routes:
        app.router.add_route(route.method, route.path, bind(route), name=route.operation_id)
