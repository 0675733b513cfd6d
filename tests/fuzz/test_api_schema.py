"""Schemathesis against the app's own OpenAPI document, in process, as an authenticated user
holding every role: no request may end in a 5xx, and every response must be documented
(status code, media type, body schema).

Every operation is driven with valid (positive) requests drawn from its schema, and those
with query parameters also with invalid (negative) ones (see ``_negatable``). Bounded for
``make test`` (``PEACEWATCH_SCHEMA_EXAMPLES`` cases per operation and mode, derandomised);
``make fuzz`` raises the count and draws new cases each run. Schemathesis's pytest plugin is
not used: it writes a private attribute of pytest's nodes that pytest 9 removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from peacewatch.api import create_app
from peacewatch.settings import Settings
from peacewatch.store import Store
from tests.conftest import ALL_ROLES, bearer, make_user

EXAMPLES = int(os.environ.get("PEACEWATCH_SCHEMA_EXAMPLES", "10"))
RANDOM = os.environ.get("PEACEWATCH_FUZZ_RANDOM") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The live feed is an endless Server-Sent Events stream: it has its own tests
# (tests/api/test_stream.py), and a request to it here would never finish.
ENDLESS = "/api/v1/stream"
# These end the caller's own session or token: each call gets a token of its own, so that
# the operations after it still run as the signed-in user.
SELF_REVOKING = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/auth/tokens/{token_id}")}


@dataclass
class Run:
    """Cases sent and distinct failures found over the whole schema."""

    store: Store
    headers: dict[str, str]
    sent: int = 0
    failures: dict[str, str] = field(default_factory=dict)

    def send(self, operation: Any, mode: GenerationMode, case: Any) -> None:
        """Send one case (as the operator, or a fresh user for a self-revoking call) and
        keep the first example of each kind of failure."""
        self.sent += 1
        headers = self.headers
        if (operation.method.upper(), operation.path) in SELF_REVOKING:
            user = make_user(self.store, f"fuzz.{os.urandom(4).hex()}", roles=ALL_ROLES)
            headers = bearer(self.store, user)
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
            return
        except (Failure, FailureGroup) as exc:
            key = f"{operation.label} [{mode.value}]: {str(exc).splitlines()[0]}"
            text = str(exc)
        except Exception as exc:  # the app raised: a client would have had a 500
            key = f"{operation.label} [{mode.value}]: 500 {type(exc).__name__}"
            text = f"{type(exc).__name__}: {exc}"
        self.failures.setdefault(key, f"{key}\n{text}\n  reproduce: {case.as_curl_command()}")

    def drive(self, operation: Any, mode: GenerationMode) -> None:
        """Up to EXAMPLES cases of ``operation`` in ``mode``."""

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=not RANDOM,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def cases(case: Any) -> None:
            self.send(operation, mode, case)

        try:
            cases()
        except Unsatisfiable:
            # Nothing to make invalid: an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE, operation.label


def _negatable(operation: Any) -> bool:
    """True when the operation takes query parameters and no path parameter: those are
    cheap to make invalid. An invalid path parameter is a string like any other, and a body
    declared as any JSON cannot be made invalid (its positive cases are already arbitrary
    JSON); schemathesis spends long searching for either."""
    places = {p.get("in") for p in operation.definition.raw.get("parameters", [])}
    return "query" in places and "path" not in places


def test_api_conforms_to_its_schema(sqlite_store: Store) -> None:
    """No 5xx; status, media type and body as documented, for every operation."""
    app = create_app(Settings(database_url=str(sqlite_store.engine.url)), store=sqlite_store)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operator = make_user(sqlite_store, "fuzz.operator", roles=ALL_ROLES)
    run = Run(sqlite_store, bearer(sqlite_store, operator))
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path != ENDLESS]
    for operation in operations:
        run.drive(operation, GenerationMode.POSITIVE)
        if _negatable(operation):
            run.drive(operation, GenerationMode.NEGATIVE)
    assert len(operations) > 100 and run.sent >= len(operations), f"{run.sent} cases sent"
    assert not run.failures, f"{len(run.failures)} kinds of failure:\n\n" + "\n\n".join(
        run.failures.values()
    )


def test_error_responses_are_declared_as_problems(client: Any) -> None:
    """The OpenAPI document declares the problem+json errors the app sends (it used to
    declare only FastAPI's default 422 body, which the app never sends)."""
    spec = client.get("/api/v1/openapi.json").json()
    ingest = spec["paths"]["/api/v1/reports"]["post"]["responses"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(ingest)
    problem = ingest["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    login = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login) and "403" not in login
    assert "400" in spec["paths"]["/ogc/collections"]["get"]["responses"]
    response = client.post(
        "/api/v1/reports", content=b"[", headers={"Content-Type": "application/json"}
    )
    assert (
        response.status_code == 422
        and response.headers["content-type"] == "application/problem+json"
    )
    assert set(spec["components"]["schemas"]["Problem"]["required"]) <= set(response.json())
