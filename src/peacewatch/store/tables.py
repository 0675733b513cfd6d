"""SQLAlchemy tables of the first-cut data model (DESIGN.md); Alembic migrations own the truth.

Every row that carries operational information references an interned label (``label_id``)
and records who created it. The label filter (``label_filter.py``) works on those ids.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from peacewatch.store.types import Geometry, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _label_columns(*, index: bool = True) -> list[Column[object]]:
    """Columns every operational row carries: its label and who created it, and when."""
    return [
        Column("label_id", Integer, ForeignKey("labels.id"), nullable=False, index=index),
        Column("created_by", String(64), nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
    ]


labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("policy", String(32), nullable=False),
    Column("classification", SmallInteger, nullable=False),
    Column("releasable_to", Text, nullable=False, doc="canonical codes, sorted, comma-joined"),
    Column("marking", Text, nullable=False, unique=True),
)

label_release_codes = Table(
    "label_release_codes",
    metadata,
    Column("label_id", Integer, ForeignKey("labels.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(16), nullable=False, index=True),
    PrimaryKeyConstraint("label_id", "code"),
)

nations = Table(
    "nations",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False, doc="'nation' or 'community'"),
)

missions = Table(
    "missions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("mandate", Text, nullable=True),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=True),
    Column("default_label_id", Integer, ForeignKey("labels.id"), nullable=False),
    Column("aoi", Geometry("Geometry"), nullable=True),
    Column("source", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
)

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("code", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("source", Text, nullable=True),
    *_label_columns(),
    UniqueConstraint("mission_id", "code", name="uq_parties_mission_code"),
)

places = Table(
    "places",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("geonames_id", Integer, nullable=True, unique=True),
    Column("name", Text, nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("country", Text, nullable=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("population", Integer, nullable=True),
    Column("source", Text, nullable=True),
)

zones = Table(
    "zones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False, index=True),
    Column("geometry", Geometry("Geometry"), nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("valid_from", UTCDateTime(), nullable=True),
    Column("valid_to", UTCDateTime(), nullable=True),
    Column("rules", JSON, nullable=False, default=dict),
    Column("source", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sidc", String(20), nullable=False),
    Column("nation", String(16), nullable=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=True, index=True),
    Column("echelon", String(32), nullable=True),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
)

unit_positions = Table(
    "unit_positions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    Index("ix_unit_positions_unit_time", "unit_id", "observed_at"),
    Index("ix_unit_positions_time", "observed_at"),
)

patrols = Table(
    "patrols",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=True, index=True),
    Column("name", Text, nullable=False),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=True),
    Column("status", String(16), nullable=False, default="planned"),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
    Index("ix_patrols_start", "start_at"),
)

patrol_tracks = Table(
    "patrol_tracks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patrol_id", Integer, ForeignKey("patrols.id", ondelete="CASCADE"), nullable=False),
    Column("geometry", Geometry("LineString"), nullable=False),
    Column("times", JSON, nullable=False, doc="ISO 8601 time of each vertex"),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    *_label_columns(),
    Index("ix_patrol_tracks_patrol", "patrol_id"),
    Index("ix_patrol_tracks_time", "start_at", "end_at"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True, doc="client-supplied, for dedupe"),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("reported_at", UTCDateTime(), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("location_precision", SmallInteger, nullable=False, default=1),
    Column("time_precision", SmallInteger, nullable=False, default=1),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=True),
    Column("source", Text, nullable=True),
    Column("grade", String(2), nullable=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    # Few indexes: each one slows ingest; reads go through the spatial index or time.
    *_label_columns(index=False),
    Index("ix_reports_observed", "observed_at", "id"),
)

# The columns ingest writes, in the order the backends' bulk paths send them (``version`` is
# added by migration 0005, below, and starts at its default).
REPORT_WRITE_COLUMNS = tuple(c.name for c in reports.columns if c.name != "id")

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False),
    Column("kind", String(40), nullable=False, index=True),
    Column("first_observed_at", UTCDateTime(), nullable=False),
    Column("last_observed_at", UTCDateTime(), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("title", Text, nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
)

event_reports = Table(
    "event_reports",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("event_id", "report_id"),
    Index("ix_event_reports_report", "report_id"),
)

# --- agreements, obligations and violations (compliance/) ---------------------------------

agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("code", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("signed_at", UTCDateTime(), nullable=True),
    Column("entry_into_force", UTCDateTime(), nullable=False),
    Column("source", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
    UniqueConstraint("mission_id", "code"),
)

# One row per version of an obligation: ``code`` is stable across versions, and the version in
# force at an instant is the one whose [valid_from, valid_to) holds it. An obligation prohibits
# the bound parties' categories of presence (a bitmask of compliance.categories) in zones,
# named by uid: each zone row is itself a version with its own validity.
obligations = Table(
    "obligations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", Integer, ForeignKey("agreements.id"), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("clause", Text, nullable=False, doc="where in the text, e.g. 'Art. I.3'"),
    Column("title", Text, nullable=False),
    Column("parties", JSON, nullable=False, doc="party codes bound"),
    Column("zones", JSON, nullable=False, doc="zone uids"),
    Column("prohibited", JSON, nullable=False, doc="category names"),
    Column("valid_from", UTCDateTime(), nullable=False),
    Column("valid_to", UTCDateTime(), nullable=True),
    Column("deadline", Text, nullable=True, doc="phase, e.g. 'EIF+6'"),
    Column("source", Text, nullable=True),
    *_label_columns(),
    UniqueConstraint("agreement_id", "code", "version"),
)

violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("obligation_id", Integer, ForeignKey("obligations.id"), nullable=False, index=True),
    Column("zone_id", Integer, ForeignKey("zones.id"), nullable=False),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=True, index=True),
    Column("report_id", Integer, ForeignKey("reports.id"), nullable=True),
    Column("position_id", Integer, ForeignKey("unit_positions.id"), nullable=True),
    Column("category", String(32), nullable=False, doc="what was seen, e.g. heavy_weapons"),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("state", String(16), nullable=False, doc="suspected, confirmed, dismissed, withdrawn"),
    Column("reason", Text, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    *_label_columns(),
    UniqueConstraint("obligation_id", "zone_id", "report_id", name="uq_violations_report"),
    UniqueConstraint("obligation_id", "zone_id", "position_id", name="uq_violations_position"),
    Index("ix_violations_observed", "observed_at"),
    Index("ix_violations_report", "report_id"),
    Index("ix_violations_position", "position_id"),
)

# What each bulk re-check found and changed.
compliance_runs = Table(
    "compliance_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("since", UTCDateTime(), nullable=True),
    Column("actor", String(64), nullable=False),
    Column("observations", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("withdrawn", Integer, nullable=False, default=0),
    Column("detail", JSON, nullable=False, default=dict),
)

# --- people and their credentials (security/) -------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False, default=""),
    Column("nation", String(16), ForeignKey("nations.code"), nullable=False),
    Column("clearance", SmallInteger, nullable=False, doc="domain.labels.Classification"),
    Column("password_hash", Text, nullable=True, doc="argon2id; NULL: no password login"),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=True),
)

# A user's communities (NATO, KFOR, PARTNER …); their nation is on ``users``.
user_communities = Table(
    "user_communities",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("community", String(16), ForeignKey("nations.code"), nullable=False),
    PrimaryKeyConstraint("user_id", "community"),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    PrimaryKeyConstraint("user_id", "role"),
)

# Bearer tokens (kind 'token', for API and CLI clients) and browser sessions (kind 'session',
# with the hash of their CSRF token). Only SHA-256 hashes of the secrets are stored.
credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("csrf_hash", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Index("ix_credentials_user", "user_id"),
)

# Append-only, each entry chained to the one before by SHA-256 (security/audit.py); the
# backends refuse UPDATE and DELETE on it with triggers.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(48), nullable=False),
    Column("target", Text, nullable=False, default=""),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=False, doc="canonical JSON, exactly as hashed"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_audit_log_at", "at"),
)

LABELLED_TABLES = (
    missions,
    parties,
    zones,
    units,
    unit_positions,
    patrols,
    patrol_tracks,
    reports,
    events,
    agreements,
    obligations,
    violations,
)

# --- sources, grades and fused events (fusion/) ------------------------------------------
# Migration 0004 also adds to ``events``: report_count, source_count, credibility (the derived
# Admiralty credibility) and locked (an analyst's decision made it: the engine keeps it).
for _column in (
    Column("report_count", Integer, nullable=False, server_default="0"),
    Column("source_count", Integer, nullable=False, server_default="0"),
    Column("credibility", SmallInteger, nullable=False, server_default="6"),
    Column("locked", Boolean, nullable=False, server_default="0"),
):
    events.append_column(_column)
Index("ix_events_last_observed", events.c.last_observed_at)
# Events overlapping a window, from the index alone (migration 0012, store/events.py); it also
# serves "first observed" alone, so that column has no index of its own (migration 0013).
Index("ix_events_span", events.c.first_observed_at, events.c.last_observed_at)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True, doc="what reports name in 'source'"),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False, doc="patrol, liaison, humint, media, ngo, sensor"),
    Column("reliability", String(1), nullable=False, doc="Admiralty A-F, current"),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
)

# Every change of a source's reliability or of a report's grade: who, when, why. The current
# value stays on ``sources.reliability`` / ``reports.grade``; the row carries its subject's label.
grade_changes = Table(
    "grade_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=True),
    Column("previous", String(2), nullable=True),
    Column("grade", String(2), nullable=False, doc="reliability letter, or a report grade"),
    Column("reason", Text, nullable=False),
    *_label_columns(index=False),
    Index("ix_grade_changes_source", "source_id"),
    Index("ix_grade_changes_report", "report_id"),
)

# An analyst's merge, split or detach: what it touched and why. Never undone by the engine.
fusion_decisions = Table(
    "fusion_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(16), nullable=False, doc="merge, split or detach"),
    Column("events", JSON, nullable=False, doc="uuids of the events involved"),
    Column("reports", JSON, nullable=False, doc="uuids of the reports moved"),
    Column("reason", Text, nullable=False),
    *_label_columns(),
)

# Reports an analyst placed: in an event (event_id), or out of fusion (event_id NULL, detached).
fusion_pins = Table(
    "fusion_pins",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=True),
    Column("decision_id", Integer, ForeignKey("fusion_decisions.id"), nullable=False),
    Index("ix_fusion_pins_event", "event_id"),
)

# Labelled like LABELLED_TABLES (kept apart: that tuple is the first cut's).
FUSION_LABELLED_TABLES = (sources, grade_changes, fusion_decisions)

# --- corrections (migration 0005) ---------------------------------------------------------
# A correction updates the report in place and bumps ``reports.version``; the content it
# replaced is kept here. A row holds version ``version`` of the report (its Feature and its
# label) and the correction that superseded it: who made it, when, why, and its client UUID
# (re-sending a correction is a duplicate). Version 1 was written by ``reports.created_by``.
reports.append_column(Column("version", Integer, nullable=False, server_default="1"))

report_versions = Table(
    "report_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", JSON, nullable=False, doc="the superseded version as a GeoJSON Feature"),
    Column("correction_uuid", String(36), nullable=False, unique=True),
    Column("reason", Text, nullable=True),
    *_label_columns(index=False),
    UniqueConstraint("report_id", "version"),
)

# --- alert acknowledgements (migration 0006) -----------------------------------------------
# A new violation is an alert on the watchkeepers' screens; the first watchkeeper to act on it
# acknowledges it for the whole operations centre (audited). Not a ruling: ``state`` stays as
# it was until a compliance officer decides.
violations.append_column(Column("acknowledged_by", String(64), nullable=True))
violations.append_column(Column("acknowledged_at", UTCDateTime(), nullable=True))
violations.append_column(Column("acknowledged_note", Text, nullable=True))

# --- humanitarian convoys (migration 0008, ops/convoys.py) ---------------------------------
# A convoy's route is planned as a line; it is tracked by its own points or, when it names a
# tracking unit (a vehicle's TAK device), by that unit's positions. Deliveries are what reached
# whom, exported as HXL 3W tables. ``convoy_alerts`` are written by a store hook in the write
# transaction of a report or violation near a convoy under way; each carries the most
# restrictive label of the convoy and the record that raised it.
convoys = Table(
    "convoys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("agency", Text, nullable=False, doc="e.g. UNHCR, WFP"),
    Column("escort_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("tracking_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("route", Geometry("LineString"), nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("cargo", JSON, nullable=False, doc="[{item, quantity, unit}]"),
    Column("planned_departure", UTCDateTime(), nullable=False),
    Column("planned_arrival", UTCDateTime(), nullable=False),
    Column("departed_at", UTCDateTime(), nullable=True),
    Column("arrived_at", UTCDateTime(), nullable=True),
    Column("status", String(16), nullable=False, doc="planned, under_way, arrived, aborted"),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
    Index("ix_convoys_status", "status"),
)

convoy_points = Table(
    "convoy_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("convoy_id", Integer, ForeignKey("convoys.id", ondelete="CASCADE"), nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    *_label_columns(index=False),
    Index("ix_convoy_points_convoy_time", "convoy_id", "observed_at"),
)

convoy_deliveries = Table(
    "convoy_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("convoy_id", Integer, ForeignKey("convoys.id", ondelete="CASCADE"), nullable=False),
    Column("place", Text, nullable=False),
    Column("adm1", Text, nullable=True, doc="region (KFOR sector or municipality)"),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("delivered_at", UTCDateTime(), nullable=False),
    Column("sector", Text, nullable=False, doc="humanitarian cluster, e.g. Food, Shelter"),
    Column("cargo", JSON, nullable=False, doc="[{item, quantity, unit}] delivered"),
    Column("beneficiaries", Integer, nullable=False),
    *_label_columns(index=False),
    Index("ix_convoy_deliveries_convoy", "convoy_id"),
)

convoy_alerts = Table(
    "convoy_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("convoy_id", Integer, ForeignKey("convoys.id", ondelete="CASCADE"), nullable=False),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=True),
    Column("violation_id", Integer, ForeignKey("violations.id", ondelete="CASCADE"), nullable=True),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("distance_m", Float, nullable=False),
    *_label_columns(index=False),
    Index("ix_convoy_alerts_convoy", "convoy_id", "id"),
)

CONVOY_LABELLED_TABLES = (convoys, convoy_points, convoy_deliveries, convoy_alerts)

# --- weapons collection (DDR) and counter-trafficking (migration 0009) --------------------
# Collection points and campaigns with targets; items handed in, each with its chain of
# custody (collected → stored → destroyed, events in ``seq`` order; ``custody_state`` is the
# last one). ``serial_norm`` is the serial as de-duplicated (ops/weapons.py normalise_serial).
weapons_points = Table(
    "weapons_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("place", Text, nullable=False, doc="town or village, as people name it"),
    Column("geometry", Geometry("Geometry"), nullable=False),
    Column("lon", Float, nullable=False, doc="a point on the geometry, for lists and maps"),
    Column("lat", Float, nullable=False),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
)

weapons_campaigns = Table(
    "weapons_campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=True),
    Column("targets", JSON, nullable=False, doc="[{category, place, quantity}]"),
    Column("reported", JSON, nullable=False, default=dict, doc="published totals, with source"),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
)

weapons_items = Table(
    "weapons_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("campaign_id", Integer, ForeignKey("weapons_campaigns.id"), nullable=False),
    Column("point_id", Integer, ForeignKey("weapons_points.id"), nullable=True),
    Column("category", String(32), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("calibre", String(32), nullable=True),
    Column("serial", String(64), nullable=True, doc="as written on the receipt"),
    Column("serial_norm", String(64), nullable=True),
    Column("quantity", Integer, nullable=False, default=1),
    Column("collected_at", UTCDateTime(), nullable=False),
    Column("custody_state", String(16), nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    Index("ix_weapons_items_serial", "category", "serial_norm"),
    Index("ix_weapons_items_campaign", "campaign_id", "collected_at"),
)

weapons_custody = Table(
    "weapons_custody",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("weapons_items.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", String(16), nullable=False, doc="collected, stored, destroyed"),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", Text, nullable=False, doc="who took custody (unit or person)"),
    Column("place", Text, nullable=False),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("note", Text, nullable=True),
    *_label_columns(index=False),
    UniqueConstraint("item_id", "seq", name="uq_weapons_custody_item_seq"),
)

# Seizures of smuggled goods with their route: where the goods came from, the crossing point
# and where they were going; ``chain`` groups seizures of one smuggling chain (one case).
seizures = Table(
    "seizures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("seized_at", UTCDateTime(), nullable=False),
    Column("category", String(32), nullable=False, doc="arms, drugs, people, fuel, …"),
    Column("description", Text, nullable=False, default=""),
    Column("quantity", Float, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("place", Text, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("origin", Text, nullable=True),
    Column("crossing", Text, nullable=True),
    Column("destination", Text, nullable=True),
    Column("route", JSON, nullable=False, default=dict, doc="{origin|crossing|…: [lon, lat]}"),
    Column("chain", String(64), nullable=True),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    Index("ix_seizures_seized", "seized_at"),
    Index("ix_seizures_chain", "chain"),
)

WEAPONS_LABELLED_TABLES = (weapons_points, weapons_campaigns, weapons_items, weapons_custody)
SEIZURE_LABELLED_TABLES = (seizures,)


# The field reports a seizure or an item handed in was filed from (migration 0011), in the
# order the writer cited them (``seq``). No label of their own: a link is shown to a reader
# who may see both ends (store/report_citations.py).
def _report_links(name: str, column: str, citing: str) -> Table:
    """A link table from rows of ``citing`` (its ``column``) to the reports they cite."""
    return Table(
        name,
        metadata,
        Column(column, Integer, ForeignKey(f"{citing}.id", ondelete="CASCADE"), nullable=False),
        Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        Column("seq", SmallInteger, nullable=False),
        PrimaryKeyConstraint(column, "report_id"),
        Index(f"ix_{name}_report", "report_id"),
    )


seizure_reports = _report_links("seizure_reports", "seizure_id", "seizures")
weapons_item_reports = _report_links("weapons_item_reports", "item_id", "weapons_items")

# --- partners, exercises and accession support (migration 0010; ops/partners.py) ----------
# A partner nation's status over time (Partnership for Peace, Membership Action Plan, invited,
# member): one dated row per change, each with its source. Goals and reforms with dated
# milestones (planned vs achieved) and evidence; exercises with an outcome per objective;
# multinational units with their contributing nations over time.
partner_statuses = Table(
    "partner_statuses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nation", String(16), ForeignKey("nations.code"), nullable=False),
    Column("status", String(16), nullable=False, doc="pfp, map, invited or member"),
    Column("since", UTCDateTime(), nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    UniqueConstraint("nation", "status", "since", name="uq_partner_statuses_change"),
)

partner_goals = Table(
    "partner_goals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("nation", String(16), ForeignKey("nations.code"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("area", String(64), nullable=True, doc="e.g. defence reform, interoperability"),
    Column("description", Text, nullable=True),
    Column("progress", SmallInteger, nullable=True, doc="0-100 when it has no milestones"),
    Column("due_at", UTCDateTime(), nullable=True),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
)

goal_milestones = Table(
    "goal_milestones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("goal_id", Integer, ForeignKey("partner_goals.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("planned_at", UTCDateTime(), nullable=False),
    Column("achieved_at", UTCDateTime(), nullable=True),
    *_label_columns(),
    UniqueConstraint("goal_id", "number", name="uq_goal_milestones_goal_number"),
)

# Who recorded a piece of evidence is ``created_by``, when: ``created_at``; ``dated_at`` is the
# date the evidence itself bears.
goal_evidence = Table(
    "goal_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("goal_id", Integer, ForeignKey("partner_goals.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=True),
    Column("document", Text, nullable=True),
    Column("dated_at", UTCDateTime(), nullable=False),
    *_label_columns(),
    Index("ix_goal_evidence_goal", "goal_id"),
)

exercises = Table(
    "exercises",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=False),
    Column("participants", JSON, nullable=False, doc="nation codes"),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    Index("ix_exercises_start", "start_at"),
)

exercise_objectives = Table(
    "exercise_objectives",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", Integer, ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("outcome", String(16), nullable=True, doc="met, partly, not_met; NULL: not assessed"),
    Column("notes", Text, nullable=True),
    Column("assessed_by", String(64), nullable=True),
    Column("assessed_at", UTCDateTime(), nullable=True),
    *_label_columns(),
    UniqueConstraint("exercise_id", "number", name="uq_exercise_objectives_exercise_number"),
)

multinational_units = Table(
    "multinational_units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False, doc="brigade, battle group, task force …"),
    Column("hq", Text, nullable=True),
    Column("formed_at", UTCDateTime(), nullable=True),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
)

unit_contributions = Table(
    "unit_contributions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "unit_id",
        Integer,
        ForeignKey("multinational_units.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("nation", String(16), ForeignKey("nations.code"), nullable=False),
    Column("role", Text, nullable=True, doc="e.g. lead nation, contributor"),
    Column("from_at", UTCDateTime(), nullable=False),
    Column("to_at", UTCDateTime(), nullable=True),
    Column("source", Text, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_label_columns(),
    Index("ix_unit_contributions_unit", "unit_id"),
)

PARTNER_LABELLED_TABLES = (
    partner_statuses,
    partner_goals,
    goal_milestones,
    goal_evidence,
    exercises,
    exercise_objectives,
    multinational_units,
    unit_contributions,
)

# --- patrol plans (ops/coverage.py, ingest/patrol_plans.py; migration 0007) ----------------
# A planned patrol: a route (LineString) or an area (Polygon), a unit and a schedule: one run
# from start_at to end_at, repeated on ``repeat_days`` (ISO weekdays 1-7, comma-joined) until
# ``repeat_until`` when those are set. What was done is not copied here: a recorded patrol of
# the same unit overlapping a run is matched on read (store/patrol_plans.py), through the label
# filter, so a later GPX or CoT track links itself.
patrol_plans = Table(
    "patrol_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("mission_id", Integer, ForeignKey("missions.id"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=True, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(8), nullable=False, doc="route or area"),
    Column("geometry", Geometry("Geometry"), nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=False),
    Column("repeat_days", String(16), nullable=True, doc="ISO weekdays, e.g. '1,3,5'"),
    Column("repeat_until", UTCDateTime(), nullable=True),
    Column("status", String(16), nullable=False, doc="draft, planned or cancelled"),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    *_label_columns(),
    Index("ix_patrol_plans_start", "start_at"),
)
