"""Dependencies as Annotated aliases, so a route's signature says what it needs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from peacewatch.domain import dtg
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, Forbidden, Unauthenticated, ValidationFailed
from peacewatch.exports.plan import Filters
from peacewatch.ingest.bus import Bus
from peacewatch.security import credentials
from peacewatch.security.credentials import Authenticated
from peacewatch.security.policy import Permission
from peacewatch.settings import Settings
from peacewatch.store import Store


def get_store(request: Request) -> Store:
    """The store the app was created with."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_bus(request: Request) -> Bus:
    """The in-process bus that ingest publishes to."""
    bus: Bus = request.app.state.bus
    return bus


SESSION_COOKIE = "pw_session"
CSRF_COOKIE = "pw_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticated(request: Request, store: Annotated[Store, Depends(get_store)]) -> Authenticated:
    """Who is asking: a bearer token (API and CLI clients) or a browser session cookie.

    A cookie-authenticated request that changes state must carry the session's CSRF token in
    the ``X-CSRF-Token`` header; bearer requests carry no ambient credential and need none.
    """
    cached = getattr(request.state, "auth", None)
    if isinstance(cached, Authenticated):
        return cached
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated(
                "use 'Authorization: Bearer <token>'",
                [FieldProblem("authorization", "expected a bearer token")],
            )
        auth = credentials.authenticate(store, secret.strip())
        if auth is None or auth.kind != "token":
            raise Unauthenticated(
                "the token is unknown, expired or revoked",
                [FieldProblem("authorization", "unknown, expired or revoked token")],
            )
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        auth = credentials.authenticate(store, cookie) if cookie else None
        if auth is None or auth.kind != "session":
            raise Unauthenticated(
                "log in first (POST /api/v1/auth/login) or send a bearer token",
                [FieldProblem("authorization", "no valid session or token")],
            )
        if request.method not in _SAFE_METHODS and not auth.csrf_matches(
            request.headers.get(CSRF_HEADER)
        ):
            raise Forbidden(
                "the CSRF token is missing or wrong",
                [FieldProblem(CSRF_HEADER, "send the csrf_token given at login")],
            )
    request.state.auth = auth
    return auth


class Allow:
    """Dependency: the caller must hold ``permission``; gives the Viewer their reads filter by.

    Every route declares one (or ``public``): tests/api/test_permissions.py walks the app's
    routes and fails on any that does not.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, auth: Annotated[Authenticated, Depends(authenticated)]) -> Viewer:
        if self.permission not in auth.user.permissions:
            raise Forbidden(
                f"your roles do not allow {self.permission}",
                [FieldProblem("roles", f"needs a role with {self.permission}")],
            )
        return auth.user.viewer


def public() -> None:
    """Marks a route that anyone may call (health, login)."""


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` → tuple, with a clear error naming ``bbox``."""
    if bbox is None or bbox == "":
        return None
    try:
        parts = [float(p) for p in bbox.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4:
        raise ValidationFailed(
            "bbox must be four numbers",
            [FieldProblem("bbox", "expected minlon,minlat,maxlon,maxlat")],
        )
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationFailed(
            "bbox is out of range or inverted",
            [FieldProblem("bbox", "need -180<=minlon<=maxlon<=180 and -90<=minlat<=maxlat<=90")],
        )
    return min_lon, min_lat, max_lon, max_lat


def parse_time(value: str | None, name: str) -> datetime | None:
    """A query parameter's time (ISO 8601 with a zone, or a DTG), or None when absent."""
    if value is None or value == "":
        return None
    return dtg.parse_time(value, field=name)


def bbox_param(
    bbox: Annotated[
        str | None, Query(description="minlon,minlat,maxlon,maxlat in WGS 84 degrees")
    ] = None,
) -> tuple[float, float, float, float] | None:
    """The ``bbox`` query parameter."""
    return parse_bbox(bbox)


def window_param(
    start: Annotated[str | None, Query(description="inclusive start, ISO 8601 with zone")] = None,
    end: Annotated[str | None, Query(description="exclusive end, ISO 8601 with zone")] = None,
) -> tuple[datetime | None, datetime | None]:
    """The ``start``/``end`` time window."""
    s, e = parse_time(start, "start"), parse_time(end, "end")
    if s is not None and e is not None and e <= s:
        raise ValidationFailed(
            "end must be after start", [FieldProblem("end", "must be after start")]
        )
    return s, e


def report_filters_param(
    bbox: BBoxDep,
    window: WindowDep,
    mission: Annotated[str | None, Query(description="mission code")] = None,
    kind: Annotated[list[str] | None, Query(description="report kind (repeatable)")] = None,
    type_: Annotated[
        list[str] | None, Query(alias="type", description="same as kind (repeatable)")
    ] = None,
    party: Annotated[list[str] | None, Query(description="party code (repeatable)")] = None,
    grade: Annotated[
        list[str] | None,
        Query(
            description="Admiralty reliability letters or grades, comma-separated or "
            "repeatable: A,B or B2"
        ),
    ] = None,
    classification: Annotated[
        str | None, Query(description="at most this classification, e.g. NATO RESTRICTED")
    ] = None,
    zone: Annotated[
        str | None,
        Query(description="zone uid: reports inside that zone version while it was in force"),
    ] = None,
    q: Annotated[
        str | None,
        Query(description="words that must each appear in the title or text (any case)"),
    ] = None,
) -> Filters:
    """The report filters shared by the list and the exports (every one runs in SQL)."""
    return Filters(
        mission=mission,
        bbox=bbox,
        start=window[0],
        end=window[1],
        kinds=(*(kind or ()), *(type_ or ())),
        parties=tuple(party or ()),
        grades=tuple(grade or ()),
        classification=classification or None,
        zone=zone or None,
        q=q if q and q.strip() else None,
    )


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BusDep = Annotated[Bus, Depends(get_bus)]
AuthDep = Annotated[Authenticated, Depends(authenticated)]
# One alias per permission, so a route's signature says what it needs (security/policy.py).
Reader = Annotated[Viewer, Depends(Allow(Permission.READ))]
ReportWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_REPORTS))]
TrackWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_TRACKS))]
UnitWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_UNITS))]
ZoneWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_ZONES))]
MissionWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_MISSIONS))]
UserAdmin = Annotated[Viewer, Depends(Allow(Permission.MANAGE_USERS))]
AuditReader = Annotated[Viewer, Depends(Allow(Permission.READ_AUDIT))]
Account = Annotated[Viewer, Depends(Allow(Permission.OWN_ACCOUNT))]
ViolationJudge = Annotated[Viewer, Depends(Allow(Permission.RULE_VIOLATIONS))]
AlertAcknowledger = Annotated[Viewer, Depends(Allow(Permission.ACK_ALERTS))]
PartnersWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_PARTNERS))]
WeaponsWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_WEAPONS))]
SeizuresWriter = Annotated[Viewer, Depends(Allow(Permission.WRITE_SEIZURES))]
BBoxDep = Annotated[tuple[float, float, float, float] | None, Depends(bbox_param)]
WindowDep = Annotated[tuple[datetime | None, datetime | None], Depends(window_param)]
ReportFiltersDep = Annotated[Filters, Depends(report_filters_param)]

__all__ = [
    "Account",
    "AlertAcknowledger",
    "AuditReader",
    "AuthDep",
    "BBoxDep",
    "BusDep",
    "DomainError",
    "MissionWriter",
    "PartnersWriter",
    "Reader",
    "ReportFiltersDep",
    "ReportWriter",
    "SeizuresWriter",
    "SettingsDep",
    "StoreDep",
    "TrackWriter",
    "UnitWriter",
    "UserAdmin",
    "ViolationJudge",
    "WeaponsWriter",
    "WindowDep",
    "ZoneWriter",
]
