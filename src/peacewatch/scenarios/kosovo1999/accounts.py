"""Demo accounts of the Kosovo 1999 scenario: three nations and two communities, so that a
newcomer logging in as each sees the label filter at work. Passwords are never here: the demo
makes random ones and prints them once."""

from __future__ import annotations

from typing import Any

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "username": "gbr.watchkeeper",
        "display_name": "Watchkeeper, JOC Pristina (GBR)",
        "nation": "GBR",
        "clearance": "NATO SECRET",
        "communities": ["NATO", "KFOR"],
        "roles": ["watchkeeper"],
    },
    {
        "username": "fra.analyst",
        "display_name": "Analyst, MNB North (FRA)",
        "nation": "FRA",
        "clearance": "NATO CONFIDENTIAL",
        "communities": ["NATO", "KFOR"],
        "roles": ["analyst", "compliance_officer"],
    },
    {
        "username": "usa.patrol",
        "display_name": "Patrol leader, MNB East (USA)",
        "nation": "USA",
        "clearance": "NATO RESTRICTED",
        "communities": ["NATO", "KFOR"],
        "roles": ["patrol_leader"],
    },
    {
        "username": "ukr.liaison",
        "display_name": "Partner liaison officer (UKR)",
        "nation": "UKR",
        "clearance": "NATO RESTRICTED",
        "communities": ["PARTNER"],
        "roles": ["partner_liaison"],
    },
    {
        "username": "admin",
        "display_name": "Mission administrator",
        "nation": "GBR",
        "clearance": "NATO SECRET",
        "communities": ["NATO", "KFOR"],
        "roles": ["administrator", "watchkeeper"],
    },
]
