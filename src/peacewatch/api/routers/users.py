"""/api/v1/users: accounts, their roles, clearance and communities (administrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from peacewatch.api.deps import StoreDep, UserAdmin
from peacewatch.errors import NotFound
from peacewatch.security import users as user_store

router = APIRouter(prefix="/api/v1/users", tags=["users"])


class NewUser(BaseModel):
    """A user to create."""

    username: str
    nation: str = Field(description="nation trigraph, e.g. GBR")
    clearance: str = Field(description="e.g. NATO SECRET")
    roles: list[str] = Field(description="e.g. ['watchkeeper']")
    communities: list[str] = Field(default_factory=list, description="e.g. ['NATO', 'KFOR']")
    password: str | None = Field(default=None, description="at least 12 characters")
    display_name: str = ""


class UserChange(BaseModel):
    """Fields to change; those left out stay as they are."""

    roles: list[str] | None = None
    clearance: str | None = None
    communities: list[str] | None = None
    nation: str | None = None
    disabled: bool | None = None
    display_name: str | None = None


class NewPassword(BaseModel):
    """A new password (at least 12 characters)."""

    password: str


@router.get("", summary="Users")
def list_users(store: StoreDep, _: UserAdmin) -> dict[str, Any]:
    """Every account with its nation, clearance, communities and roles."""
    with store.read() as conn:
        return {"items": [u.to_dict() for u in user_store.list_users(conn)]}


@router.get("/{username}", summary="One user")
def get_user(username: str, store: StoreDep, _: UserAdmin) -> dict[str, Any]:
    """One account."""
    with store.read() as conn:
        user = user_store.get_user(conn, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user.to_dict()


@router.post("", status_code=201, summary="Create a user")
def create_user(body: NewUser, store: StoreDep, admin: UserAdmin) -> dict[str, Any]:
    """A new account; without a password it can only use tokens made for it."""
    user = user_store.add_user(store, actor=admin.name, **body.model_dump())
    return user.to_dict()


@router.patch("/{username}", summary="Change a user")
def update_user(
    username: str, body: UserChange, store: StoreDep, admin: UserAdmin
) -> dict[str, Any]:
    """Roles, clearance, communities, nation, name or disabled state. Nobody may change their
    own; disabling a user revokes their sessions and tokens."""
    user = user_store.update_user(
        store, actor=admin.name, username=username, **body.model_dump(exclude_unset=True)
    )
    return user.to_dict()


@router.put("/{username}/password", summary="Set a user's password")
def set_password(
    username: str, body: NewPassword, store: StoreDep, admin: UserAdmin
) -> dict[str, Any]:
    """A new password; unlocks the account and ends its browser sessions."""
    user_store.set_password(store, actor=admin.name, username=username, password=body.password)
    return {"ok": True}
