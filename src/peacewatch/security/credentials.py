"""Logging in, browser sessions, bearer tokens, and the throttle on failed logins.

Secrets are random (``secrets.token_urlsafe``) and shown once; only their SHA-256 is stored,
so a copy of the database gives no working credential. A session also has a CSRF token that
state-changing requests from the browser must echo in a header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from peacewatch.errors import FieldProblem, NotFound, TooManyRequests, Unauthenticated
from peacewatch.security.passwords import hash_password, needs_rehash, verify_password
from peacewatch.security.users import User, get_user_by_id
from peacewatch.store import Store, audit
from peacewatch.store.tables import credentials, users

TOKEN_PREFIX = "pwt_"
SESSION_PREFIX = "pws_"
# last_used_at is refreshed at most this often, so reads do not each become a write.
_TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    """SHA-256 of a secret, as stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A credential just made: its id, the secret (shown once), and for sessions the CSRF token."""

    id: int
    secret: str
    expires_at: datetime | None
    csrf: str | None = None


@dataclass(frozen=True)
class Authenticated:
    """Who a request is from, and by which credential."""

    user: User
    credential_id: int
    kind: str  # 'session' or 'token'
    csrf_hash: str | None = None

    def csrf_matches(self, presented: str | None) -> bool:
        """Whether ``presented`` is this session's CSRF token (constant-time)."""
        if self.csrf_hash is None or not presented:
            return False
        return hmac.compare_digest(self.csrf_hash, digest(presented))


class Throttle:
    """Failed logins per client address in a sliding window, kept in memory.

    Complements the per-account lockout: it slows one address guessing at many accounts.
    """

    def __init__(self, limit: int, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        """Raise TooManyRequests when ``address`` failed ``limit`` times in the window."""
        with self._lock:
            recent = self._prune(address)
            if len(recent) >= self.limit:
                raise TooManyRequests(
                    "too many failed logins from this address; wait a few minutes",
                    [FieldProblem("password", "too many failed attempts")],
                )

    def failed(self, address: str) -> None:
        """Count one failure from ``address``."""
        with self._lock:
            self._prune(address).append(time.monotonic())

    def _prune(self, address: str) -> deque[float]:
        recent = self._failures.setdefault(address, deque())
        cutoff = time.monotonic() - self.window_s
        while recent and recent[0] < cutoff:
            recent.popleft()
        return recent


def login(
    store: Store,
    *,
    username: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    address: str = "",
) -> User:
    """Check a user name and password; counts failures and locks the account after
    ``max_failures`` in a row. The error never says which of name or password was wrong."""
    now = datetime.now(UTC)
    refused = Unauthenticated(
        "wrong user name or password", [FieldProblem("password", "wrong user name or password")]
    )
    with store.write() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        ok = verify_password(row.password_hash if row is not None else None, password)
        detail: dict[str, Any] = {"address": address}
        if row is None:
            audit.append(
                conn,
                actor=username[:64] or "?",
                action="auth.login",
                target=username,
                outcome="failed",
                detail={**detail, "reason": "unknown user"},
            )
            raise refused
        locked = row.locked_until is not None and row.locked_until > now
        if locked or row.disabled or not ok:
            reason = "locked" if locked else "disabled" if row.disabled else "wrong password"
            values: dict[str, Any] = {}
            if not ok and not locked:
                values["failed_logins"] = row.failed_logins + 1
                if values["failed_logins"] >= max_failures:
                    values["locked_until"] = now + lockout
                    values["failed_logins"] = 0
                    reason = f"wrong password; locked for {int(lockout.total_seconds() // 60)} min"
                conn.execute(update(users).where(users.c.id == row.id).values(**values))
            audit.append(
                conn,
                actor=username,
                action="auth.login",
                target=username,
                outcome="failed",
                detail={**detail, "reason": reason},
            )
        else:
            values = {"failed_logins": 0, "locked_until": None}
            if needs_rehash(row.password_hash):
                values["password_hash"] = hash_password(password)
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
            audit.append(conn, actor=username, action="auth.login", target=username, detail=detail)
            user = get_user_by_id(conn, row.id)
            assert user is not None
            return user
    # The failure is committed (counted and audited) before the request is refused.
    if locked or "locked" in reason:
        raise Unauthenticated(
            "the account is locked after repeated failed logins; try again later or ask an "
            "administrator to reset the password",
            [FieldProblem("password", "account locked")],
        )
    raise refused


def issue(
    store: Store,
    *,
    user: User,
    kind: str,
    name: str = "",
    ttl: timedelta | None,
    actor: str | None = None,
) -> Issued:
    """Make a session or bearer token for ``user``; the secret is returned once."""
    assert kind in ("session", "token")
    secret = (SESSION_PREFIX if kind == "session" else TOKEN_PREFIX) + secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    now = datetime.now(UTC)
    expires = now + ttl if ttl is not None else None
    with store.write() as conn:
        cred_id = conn.execute(
            credentials.insert()
            .values(
                user_id=user.id,
                kind=kind,
                name=name,
                secret_hash=digest(secret),
                csrf_hash=digest(csrf) if csrf else None,
                created_at=now,
                expires_at=expires,
            )
            .returning(credentials.c.id)
        ).scalar_one()
        if kind == "token":
            audit.append(
                conn,
                actor=actor or user.username,
                action="token.create",
                target=user.username,
                detail={
                    "token": cred_id,
                    "name": name,
                    "expires_at": expires.isoformat() if expires else None,
                },
            )
    return Issued(int(cred_id), secret, expires, csrf)


def authenticate(store: Store, secret: str) -> Authenticated | None:
    """The live credential and user behind ``secret``, or None (unknown, revoked, expired,
    or the user is disabled)."""
    if not secret.startswith((TOKEN_PREFIX, SESSION_PREFIX)) or len(secret) > 200:
        return None
    now = datetime.now(UTC)
    with store.read() as conn:
        row = conn.execute(
            select(credentials).where(credentials.c.secret_hash == digest(secret))
        ).first()
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        user = get_user_by_id(conn, row.user_id)
    if user is None or user.disabled:
        return None
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        with store.write() as conn:
            conn.execute(
                update(credentials).where(credentials.c.id == row.id).values(last_used_at=now)
            )
    return Authenticated(user, int(row.id), str(row.kind), row.csrf_hash)


def revoke(store: Store, *, user: User, credential_id: int, actor: str) -> None:
    """Revoke one of ``user``'s credentials (404 when it is not theirs)."""
    with store.write() as conn:
        done = conn.execute(
            update(credentials)
            .where(
                credentials.c.id == credential_id,
                credentials.c.user_id == user.id,
                credentials.c.revoked_at.is_(None),
            )
            .values(revoked_at=datetime.now(UTC))
        ).rowcount
        if not done:
            raise NotFound(f"no live token {credential_id} of {user.username}")
        audit.append(
            conn,
            actor=actor,
            action="token.revoke",
            target=user.username,
            detail={"credential": credential_id},
        )


def end_session(store: Store, auth: Authenticated) -> None:
    """Log out: the session's secret stops working at once."""
    with store.write() as conn:
        conn.execute(
            update(credentials)
            .where(credentials.c.id == auth.credential_id)
            .values(revoked_at=datetime.now(UTC))
        )
        audit.append(
            conn, actor=auth.user.username, action="auth.logout", target=auth.user.username
        )


def list_tokens(conn: Connection, user: User) -> list[dict[str, Any]]:
    """A user's bearer tokens (never their secrets), newest first."""
    rows = conn.execute(
        select(credentials)
        .where(credentials.c.user_id == user.id, credentials.c.kind == "token")
        .order_by(credentials.c.id.desc())
    )
    return [
        {
            "id": r.id,
            "name": r.name,
            "created_at": r.created_at.isoformat(),
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
            "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
        }
        for r in rows
    ]
