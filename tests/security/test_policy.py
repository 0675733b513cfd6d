"""The permission table: the README shows exactly what security/policy.py enforces."""

from __future__ import annotations

from pathlib import Path

from peacewatch.security.policy import ROLE_PERMISSIONS, Permission, Role, permissions_of

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_readme_table_matches_the_policy() -> None:
    for permission in Permission:
        row = next((line for line in README.splitlines() if f"(`{permission}`)" in line), None)
        assert row is not None, f"{permission} is not in the README's role table"
        cells = [c.strip() for c in row.strip().strip("|").split("|")][1:]
        assert cells == ["✓" if permission in ROLE_PERMISSIONS[r] else "" for r in Role], row


def test_partner_liaison_only_reads_and_administrator_cannot_file_reports() -> None:
    assert permissions_of(frozenset({Role.PARTNER_LIAISON})) == {
        Permission.READ,
        Permission.OWN_ACCOUNT,
    }
    assert Permission.WRITE_REPORTS not in ROLE_PERMISSIONS[Role.ADMINISTRATOR]
    assert Role.parse("Compliance officer") is Role.COMPLIANCE_OFFICER
