"""/api/v1/auth: log in and out (browser sessions), who am I, and one's own bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from peacewatch.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Account,
    AuthDep,
    SettingsDep,
    StoreDep,
    public,
)
from peacewatch.security import credentials
from peacewatch.security.policy import permission_table

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginBody(BaseModel):
    """A user name and password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenBody(BaseModel):
    """A name for the token (where it is used) and how long it lasts."""

    name: str = Field(default="", max_length=200)
    days: float | None = Field(default=None, gt=0, le=3660, description="lifetime in days")


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post("/login", summary="Log in (browser session)", dependencies=[Depends(public)])
async def login(
    request: Request, response: Response, body: LoginBody, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Check the password and open a session: an HTTP-only, SameSite=Strict cookie, and a CSRF
    token to send as ``X-CSRF-Token`` on every request that changes something. Repeated
    failures lock the account for a while; too many from one address are refused (429)."""
    throttle: credentials.Throttle = request.app.state.login_throttle
    address = _address(request)
    throttle.check(address)

    def check() -> credentials.Issued:
        try:
            user = credentials.login(
                store,
                username=body.username,
                password=body.password,
                max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.login_lockout_minutes),
                address=address,
            )
        except Exception:
            throttle.failed(address)
            raise
        return credentials.issue(
            store, user=user, kind="session", ttl=timedelta(hours=settings.session_hours)
        )

    issued = await run_in_threadpool(check)
    max_age = int(settings.session_hours * 3600)
    secure = settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # Readable by the page's script, which echoes it in the X-CSRF-Token header.
    response.set_cookie(
        CSRF_COOKIE,
        issued.csrf or "",
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )
    auth = credentials.authenticate(store, issued.secret)
    assert auth is not None
    return {
        "user": auth.user.to_dict(),
        "csrf_token": issued.csrf,
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }


@router.post("/logout", summary="Log out", status_code=200)
def logout(response: Response, auth: AuthDep, store: StoreDep, _: Account) -> dict[str, Any]:
    """End this session (or, with a bearer token, revoke that token)."""
    if auth.kind == "session":
        credentials.end_session(store, auth)
    else:
        credentials.revoke(
            store, user=auth.user, credential_id=auth.credential_id, actor=auth.user.username
        )
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return {"ok": True}


@router.get("/me", summary="Who am I")
def me(auth: AuthDep, _: Account) -> dict[str, Any]:
    """The caller's nation, clearance, communities, roles and what those roles allow."""
    return {**auth.user.to_dict(), "credential": auth.kind}


@router.get("/permissions", summary="What each role may do")
def permissions(_: Account) -> dict[str, Any]:
    """The permission table: each permission and the roles that hold it."""
    return {"items": [{"permission": p, "roles": r} for p, r in permission_table()]}


@router.get("/tokens", summary="My bearer tokens")
def list_tokens(auth: AuthDep, store: StoreDep, _: Account) -> dict[str, Any]:
    """The caller's tokens with their expiry and last use (never the secrets)."""
    with store.read() as conn:
        return {"items": credentials.list_tokens(conn, auth.user)}


@router.post("/tokens", status_code=201, summary="Create a bearer token")
def create_token(
    auth: AuthDep,
    store: StoreDep,
    settings: SettingsDep,
    _: Account,
    body: Annotated[TokenBody, Body()],
) -> dict[str, Any]:
    """A new token for API and CLI clients; its secret is shown in this response only."""
    issued = credentials.issue(
        store,
        user=auth.user,
        kind="token",
        name=body.name,
        ttl=timedelta(days=body.days or settings.token_days),
    )
    return {
        "id": issued.id,
        "token": issued.secret,
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }


@router.delete("/tokens/{token_id}", summary="Revoke one of my tokens")
def revoke_token(token_id: int, auth: AuthDep, store: StoreDep, _: Account) -> dict[str, Any]:
    """The token stops working at once."""
    credentials.revoke(store, user=auth.user, credential_id=token_id, actor=auth.user.username)
    return {"ok": True}
