"""One place that turns errors into RFC 9457 ``application/problem+json`` responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from peacewatch.api.deps import public
from peacewatch.domain.errors import DomainError
from peacewatch.errors import PeaceWatchError

PROBLEM = "application/problem+json"


def problem(
    status: int, code: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:peacewatch:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "body", "header"):
        parts = parts[1:]
    return ".".join(parts) or "request"


# The body of every error response (RFC 9457 with the stable ``code`` and named fields).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "record": {"type": "string"},
                },
            },
        },
    },
}
_REASONS = {
    400: "A bad parameter, or a request body that could not be read",
    401: "No valid session or bearer token",
    403: "The caller's roles do not allow this (or the CSRF token is missing)",
    404: "Not found, or not releasable to the caller (the two are indistinguishable)",
    409: "Conflicts with stored data",
    413: "The request is too large",
    422: "Invalid input: each problem names its field",
    429: "Too many failed attempts; try again later",
}
_WRITES = frozenset({"post", "put", "patch", "delete"})


def _public_operations(app: FastAPI) -> set[tuple[str, str]]:
    from peacewatch.api.app import api_routes  # the app module imports this one

    return {
        (method.lower(), route.path)
        for route in api_routes(app)
        if any(d.call is public for d in route.dependant.dependencies)
        for method in route.methods or ()
    }


def _declare(schema: dict[str, Any], public_operations: set[tuple[str, str]]) -> None:
    """Document on every operation the problem+json responses it may give, in place of
    FastAPI's default 422 body (which this app never sends)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = {404, 422}
            if (method, path) not in public_operations:
                statuses |= {401, 403}
            if method in _WRITES:
                statuses |= {400, 409, 413}
                if (method, path) in public_operations:
                    statuses |= {401, 429}  # logging in: a wrong password, the throttle
            if path.startswith("/ogc"):
                statuses.add(400)  # OGC API answers a bad parameter with 400
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses[str(status)] = {"description": _REASONS[status], "content": content}


def document(app: FastAPI) -> None:
    """Make the app's OpenAPI document declare its problem+json error responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare(generate(), _public_operations(app))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers that make every error a problem+json body, and declare those
    responses in the OpenAPI document."""
    document(app)

    @app.exception_handler(PeaceWatchError)
    async def _ours(_: Request, exc: PeaceWatchError) -> JSONResponse:
        return problem(
            exc.status, exc.code, exc.title, exc.detail, [p.to_dict() for p in exc.problems]
        )

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        errors = [{"field": exc.field or "request", "message": exc.message}]
        return problem(422, exc.code, "Invalid input", exc.message, errors)

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "validation_failed", "Invalid input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return problem(exc.status_code, title.lower().replace(" ", "_"), title, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to the client; the server log keeps it.
        return problem(500, "internal_error", "Internal error", "the server failed; see its log")
