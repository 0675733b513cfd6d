"""Roles and what each may do: the one permission table every route is checked against."""

from __future__ import annotations

from enum import StrEnum

from peacewatch.errors import FieldProblem, ValidationFailed


class Permission(StrEnum):
    """One thing a route may require. Reads are still filtered by label on top of this."""

    READ = "picture:read"  # missions, zones, units, patrols, reports, places
    WRITE_REPORTS = "reports:write"  # file reports (any format through the ingest pipeline)
    WRITE_TRACKS = "tracks:write"  # units' positions, patrols and their tracks
    WRITE_UNITS = "units:write"  # create units
    WRITE_ZONES = "zones:write"  # zones and their rules
    WRITE_MISSIONS = "missions:write"  # missions and parties
    MANAGE_USERS = "users:manage"  # users, roles, clearances, communities
    READ_AUDIT = "audit:read"  # read, export and verify the audit trail
    OWN_ACCOUNT = "account:self"  # see oneself, manage one's own tokens, log out
    RULE_VIOLATIONS = "violations:rule"  # confirm or dismiss suspected violations
    FUSE_EVENTS = "events:fuse"  # merge and split events, detach reports from them
    GRADE_SOURCES = "sources:grade"  # register sources, change their reliability and grades
    ACK_ALERTS = "alerts:ack"  # acknowledge a violation's alert for the operations centre
    PLAN_PATROLS = "patrols:plan"  # plan patrols (route or area, schedule, unit)
    WRITE_CONVOYS = "convoys:write"  # plan and track humanitarian convoys, record deliveries
    WRITE_WEAPONS = "weapons:write"  # DDR: campaigns, collection points, items and custody
    WRITE_SEIZURES = "seizures:write"  # counter-trafficking seizures and their routes
    WRITE_PARTNERS = "partners:write"  # partners' status, goals, exercises, multinational units


class Role(StrEnum):
    """The mission roles of DESIGN.md."""

    WATCHKEEPER = "watchkeeper"
    PATROL_LEADER = "patrol_leader"
    ANALYST = "analyst"
    COMPLIANCE_OFFICER = "compliance_officer"
    HUMANITARIAN_COORDINATOR = "humanitarian_coordinator"
    PARTNER_LIAISON = "partner_liaison"
    ADMINISTRATOR = "administrator"

    @classmethod
    def parse(cls, text: str, *, field: str = "roles") -> Role:
        """A role from its name ('analyst', 'Compliance officer'); a clear error otherwise."""
        key = "_".join(str(text).strip().lower().replace("-", " ").split())
        try:
            return cls(key)
        except ValueError:
            raise ValidationFailed(
                f"unknown role {text!r}",
                [FieldProblem(field, f"unknown role {text!r}; one of {', '.join(cls)}")],
            ) from None


P = Permission
_BASE = frozenset({P.READ, P.OWN_ACCOUNT})

# What each role may do. Labels decide *which* records a user sees or may write; this table
# decides *what kind* of action is open to them at all.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.WATCHKEEPER: _BASE
    | {P.WRITE_REPORTS, P.WRITE_TRACKS, P.ACK_ALERTS, P.PLAN_PATROLS, P.WRITE_WEAPONS},
    Role.PATROL_LEADER: _BASE
    | {P.WRITE_REPORTS, P.WRITE_TRACKS, P.PLAN_PATROLS, P.WRITE_WEAPONS, P.WRITE_SEIZURES},
    Role.ANALYST: _BASE
    | {P.WRITE_REPORTS, P.FUSE_EVENTS, P.GRADE_SOURCES, P.WRITE_SEIZURES, P.WRITE_PARTNERS},
    Role.COMPLIANCE_OFFICER: _BASE | {P.WRITE_ZONES, P.RULE_VIOLATIONS},
    Role.HUMANITARIAN_COORDINATOR: _BASE | {P.WRITE_REPORTS, P.WRITE_CONVOYS},
    Role.PARTNER_LIAISON: _BASE,
    Role.ADMINISTRATOR: _BASE
    | {
        P.WRITE_MISSIONS,
        P.WRITE_UNITS,
        P.WRITE_ZONES,
        P.MANAGE_USERS,
        P.READ_AUDIT,
        P.WRITE_PARTNERS,
    },
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    """Everything a user holding ``roles`` may do."""
    out: set[Permission] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS[role]
    return frozenset(out)


def permission_table() -> list[tuple[str, list[str]]]:
    """(permission, roles holding it) rows, for the README and the API."""
    return [(str(p), [str(r) for r in Role if p in ROLE_PERMISSIONS[r]]) for p in Permission]
