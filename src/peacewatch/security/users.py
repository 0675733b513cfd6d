"""Users: who they are (nation, clearance, communities, roles), and their accounts' upkeep.

Every change is written with its audit entry in the same transaction. Nobody changes their
own roles, clearance, communities or disabled state: another administrator must.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, delete, select, update

from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from peacewatch.security.passwords import check_strength, hash_password
from peacewatch.security.policy import Permission, Role, permissions_of
from peacewatch.store import Store, audit
from peacewatch.store.tables import credentials, nations, user_communities, user_roles, users

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class User:
    """A person with an account: the viewer their reads are filtered as, and their roles."""

    id: int
    username: str
    display_name: str
    nation: str
    clearance: Classification
    communities: frozenset[str]
    roles: frozenset[Role]
    disabled: bool = False

    # Cached: the TAK gateway asks for both with every message a device sends (a Viewer
    # validates its codes when made), and a User never changes once read.
    @cached_property
    def viewer(self) -> Viewer:
        """The identity the label filter sees."""
        return Viewer(self.username, self.nation, self.clearance, self.communities)

    @cached_property
    def permissions(self) -> frozenset[Permission]:
        """What this user's roles allow."""
        return permissions_of(self.roles)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (no secrets)."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "nation": self.nation,
            "clearance": self.clearance.marking,
            "communities": sorted(self.communities),
            "roles": sorted(self.roles),
            "permissions": sorted(self.permissions),
            "disabled": self.disabled,
        }


def _load(conn: Connection, rows: Iterable[Any]) -> list[User]:
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    roles: dict[int, set[Role]] = {i: set() for i in ids}
    communities: dict[int, set[str]] = {i: set() for i in ids}
    for uid, role in conn.execute(
        select(user_roles.c.user_id, user_roles.c.role).where(user_roles.c.user_id.in_(ids))
    ):
        roles[uid].add(Role(role))
    for uid, code in conn.execute(
        select(user_communities.c.user_id, user_communities.c.community).where(
            user_communities.c.user_id.in_(ids)
        )
    ):
        communities[uid].add(code)
    return [
        User(
            r.id,
            r.username,
            r.display_name,
            r.nation,
            Classification(r.clearance),
            frozenset(communities[r.id]),
            frozenset(roles[r.id]),
            bool(r.disabled),
        )
        for r in rows
    ]


def get_user(conn: Connection, username: str) -> User | None:
    """The user called ``username``, or None."""
    found = _load(conn, conn.execute(select(users).where(users.c.username == username)))
    return found[0] if found else None


def get_user_by_id(conn: Connection, user_id: int) -> User | None:
    """The user with this id, or None."""
    found = _load(conn, conn.execute(select(users).where(users.c.id == user_id)))
    return found[0] if found else None


def list_users(conn: Connection) -> list[User]:
    """Every user, by name."""
    return _load(conn, conn.execute(select(users).order_by(users.c.username)))


def _clearance(value: Any) -> Classification:
    try:
        return value if isinstance(value, Classification) else Classification.parse(str(value))
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem("clearance", exc.message)]) from None


def _roles(values: Iterable[Any]) -> frozenset[Role]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    return frozenset(Role.parse(str(v)) for v in values)


def _codes(conn: Connection, kind: str) -> set[str]:
    return set(conn.execute(select(nations.c.code).where(nations.c.kind == kind)).scalars())


def _check_nation(conn: Connection, nation: str) -> str:
    code = str(nation).strip().upper()
    if code not in _codes(conn, "nation"):
        raise ValidationFailed(
            f"unknown nation {nation!r}",
            [FieldProblem("nation", f"{nation!r} is not a registered nation")],
        )
    return code


def _check_communities(conn: Connection, values: Iterable[Any]) -> frozenset[str]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    codes = frozenset(str(v).strip().upper() for v in values)
    unknown = sorted(codes - _codes(conn, "community"))
    if unknown:
        raise ValidationFailed(
            f"unknown communities {', '.join(unknown)}",
            [FieldProblem("communities", f"not registered communities: {', '.join(unknown)}")],
        )
    return codes


def add_user(
    store: Store,
    *,
    actor: str,
    username: str,
    nation: str,
    clearance: Any,
    roles: Iterable[Any],
    communities: Iterable[Any] = (),
    password: str | None = None,
    display_name: str = "",
) -> User:
    """Create a user (with a password when given); returns it."""
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ValidationFailed(
            "invalid user name",
            [FieldProblem("username", "2-64 of a-z 0-9 . _ -, starting with a letter or digit")],
        )
    level = _clearance(clearance)
    role_set = _roles(roles)
    if password is not None:
        check_strength(password, username=username)
    now = datetime.now(UTC)
    with store.write() as conn:
        code = _check_nation(conn, nation)
        groups = _check_communities(conn, communities)
        if get_user(conn, username) is not None:
            raise Conflict(
                f"user {username!r} exists already", [FieldProblem("username", "already exists")]
            )
        user_id = conn.execute(
            users.insert()
            .values(
                username=username,
                display_name=display_name,
                nation=code,
                clearance=int(level),
                disabled=False,
                failed_logins=0,
                created_at=now,
                password_hash=hash_password(password) if password is not None else None,
                password_changed_at=now if password is not None else None,
            )
            .returning(users.c.id)
        ).scalar_one()
        _replace(conn, user_id, role_set, groups)
        audit.append(
            conn,
            actor=actor,
            action="user.add",
            target=username,
            detail={
                "nation": code,
                "clearance": level.marking,
                "roles": sorted(role_set),
                "communities": sorted(groups),
            },
        )
        user = get_user_by_id(conn, user_id)
    assert user is not None
    return user


def _replace(
    conn: Connection, user_id: int, roles: frozenset[Role] | None, groups: frozenset[str] | None
) -> None:
    if roles is not None:
        conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
        if roles:
            conn.execute(user_roles.insert(), [{"user_id": user_id, "role": str(r)} for r in roles])
    if groups is not None:
        conn.execute(delete(user_communities).where(user_communities.c.user_id == user_id))
        if groups:
            conn.execute(
                user_communities.insert(),
                [{"user_id": user_id, "community": c} for c in sorted(groups)],
            )


def update_user(
    store: Store,
    *,
    actor: str,
    username: str,
    roles: Iterable[Any] | None = None,
    clearance: Any = None,
    communities: Iterable[Any] | None = None,
    nation: str | None = None,
    disabled: bool | None = None,
    display_name: str | None = None,
) -> User:
    """Change a user's roles, clearance, communities, nation, name or disabled state."""
    changes_authority = any(
        v is not None for v in (roles, clearance, communities, nation, disabled)
    )
    if changes_authority and actor == username:
        raise Forbidden(
            "nobody may change their own roles, clearance, communities, nation or status",
            [FieldProblem("username", "ask another administrator")],
        )
    role_set = _roles(roles) if roles is not None else None
    level = _clearance(clearance) if clearance is not None else None
    with store.write() as conn:
        user = get_user(conn, username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        groups = _check_communities(conn, communities) if communities is not None else None
        values: dict[str, Any] = {}
        if level is not None:
            values["clearance"] = int(level)
        if nation is not None:
            values["nation"] = _check_nation(conn, nation)
        if disabled is not None:
            values["disabled"] = bool(disabled)
        if display_name is not None:
            values["display_name"] = display_name
        if values:
            conn.execute(update(users).where(users.c.id == user.id).values(**values))
        _replace(conn, user.id, role_set, groups)
        if disabled:
            revoke_all(conn, user.id)
        detail: dict[str, Any] = {k: v for k, v in values.items() if k != "clearance"}
        if level is not None:
            detail["clearance"] = level.marking
        if role_set is not None:
            detail["roles"] = sorted(role_set)
        if groups is not None:
            detail["communities"] = sorted(groups)
        audit.append(conn, actor=actor, action="user.update", target=username, detail=detail)
        changed = get_user_by_id(conn, user.id)
    assert changed is not None
    return changed


def set_password(store: Store, *, actor: str, username: str, password: str) -> None:
    """Give ``username`` a new password; unlocks the account and ends its sessions."""
    check_strength(password, username=username)
    digest = hash_password(password)
    with store.write() as conn:
        user = get_user(conn, username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        conn.execute(
            update(users)
            .where(users.c.id == user.id)
            .values(
                password_hash=digest,
                password_changed_at=datetime.now(UTC),
                failed_logins=0,
                locked_until=None,
            )
        )
        revoke_all(conn, user.id, kinds=("session",))
        audit.append(conn, actor=actor, action="user.set_password", target=username)


def revoke_all(
    conn: Connection, user_id: int, *, kinds: tuple[str, ...] = ("session", "token")
) -> int:
    """Revoke every live credential of these kinds of a user; returns how many."""
    result = conn.execute(
        update(credentials)
        .where(
            credentials.c.user_id == user_id,
            credentials.c.kind.in_(kinds),
            credentials.c.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)
