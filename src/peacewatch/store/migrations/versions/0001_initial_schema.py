"""Initial schema: the first-cut data model and the spatial index of each backend.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from types import ModuleType

import sqlalchemy as sa
from alembic import op

from peacewatch.store import postgis_spatial, sqlite_spatial
from peacewatch.store.types import Geometry, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _spatial() -> ModuleType:
    """The backend module whose spatial index this database gets."""
    return postgis_spatial if op.get_bind().dialect.name == "postgresql" else sqlite_spatial


def upgrade() -> None:
    _spatial().prepare(op.get_bind())
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=32), nullable=False),
        sa.Column("classification", sa.SmallInteger(), nullable=False),
        sa.Column("releasable_to", sa.Text(), nullable=False),
        sa.Column("marking", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("marking", name=op.f("uq_labels_marking")),
    )
    op.create_table(
        "nations",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_nations")),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("geonames_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("geonames_id", name=op.f("uq_places_geonames_id")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_name"), ["name"], unique=False)

    op.create_table(
        "label_release_codes",
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_label_release_codes_label_id_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("label_id", "code", name=op.f("pk_label_release_codes")),
    )
    with op.batch_alter_table("label_release_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_release_codes_code"), ["code"], unique=False)

    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("mandate", sa.Text(), nullable=True),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=True),
        sa.Column("default_label_id", sa.Integer(), nullable=False),
        sa.Column("aoi", Geometry(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_label_id"], ["labels.id"], name=op.f("fk_missions_default_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_missions_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
        sa.UniqueConstraint("code", name=op.f("uq_missions_code")),
    )
    with op.batch_alter_table("missions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missions_label_id"), ["label_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("first_observed_at", UTCDateTime(), nullable=False),
        sa.Column("last_observed_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_events_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_events_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uuid", name=op.f("uq_events_uuid")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_label_id"), ["label_id"], unique=False)
        batch_op.create_index("ix_events_observed", ["first_observed_at"], unique=False)

    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_parties_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_parties_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("mission_id", "code", name="uq_parties_mission_code"),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parties_mission_id"), ["mission_id"], unique=False)

    op.create_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=True),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_zones_label_id_labels")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_zones_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("uid", name=op.f("uq_zones_uid")),
    )
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zones_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_zones_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zones_mission_id"), ["mission_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("location_precision", sa.SmallInteger(), nullable=False),
        sa.Column("time_precision", sa.SmallInteger(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("grade", sa.String(length=2), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_reports_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_reports_mission_id_missions")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_reports_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("uuid", name=op.f("uq_reports_uuid")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_observed", ["observed_at", "id"], unique=False)

    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sidc", sa.String(length=20), nullable=False),
        sa.Column("nation", sa.String(length=16), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("echelon", sa.String(length=32), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_units_label_id_labels")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_units_mission_id_missions")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_units_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("uid", name=op.f("uq_units_uid")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_units_mission_id"), ["mission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_units_party_id"), ["party_id"], unique=False)

    op.create_table(
        "event_reports",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_reports_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_event_reports_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "report_id", name=op.f("pk_event_reports")),
    )
    with op.batch_alter_table("event_reports", schema=None) as batch_op:
        batch_op.create_index("ix_event_reports_report", ["report_id"], unique=False)

    op.create_table(
        "patrols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_patrols_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_patrols_mission_id_missions")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_patrols_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrols")),
        sa.UniqueConstraint("uid", name=op.f("uq_patrols_uid")),
    )
    with op.batch_alter_table("patrols", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrols_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_patrols_mission_id"), ["mission_id"], unique=False)
        batch_op.create_index("ix_patrols_start", ["start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_patrols_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_unit_positions_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_positions_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_positions")),
    )
    with op.batch_alter_table("unit_positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_positions_label_id"), ["label_id"], unique=False)
        batch_op.create_index("ix_unit_positions_time", ["observed_at"], unique=False)
        batch_op.create_index(
            "ix_unit_positions_unit_time", ["unit_id", "observed_at"], unique=False
        )

    op.create_table(
        "patrol_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patrol_id", sa.Integer(), nullable=False),
        sa.Column("geometry", Geometry("LineString"), nullable=False),
        sa.Column("times", sa.JSON(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_patrol_tracks_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["patrol_id"],
            ["patrols.id"],
            name=op.f("fk_patrol_tracks_patrol_id_patrols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_tracks")),
    )
    with op.batch_alter_table("patrol_tracks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrol_tracks_label_id"), ["label_id"], unique=False)
        batch_op.create_index("ix_patrol_tracks_patrol", ["patrol_id"], unique=False)
        batch_op.create_index("ix_patrol_tracks_time", ["start_at", "end_at"], unique=False)
    _spatial().install_spatial(op.get_bind())


def downgrade() -> None:
    _spatial().drop_spatial(op.get_bind())
    with op.batch_alter_table("patrol_tracks", schema=None) as batch_op:
        batch_op.drop_index("ix_patrol_tracks_time")
        batch_op.drop_index("ix_patrol_tracks_patrol")
        batch_op.drop_index(batch_op.f("ix_patrol_tracks_label_id"))

    op.drop_table("patrol_tracks")
    with op.batch_alter_table("unit_positions", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_positions_unit_time")
        batch_op.drop_index("ix_unit_positions_time")
        batch_op.drop_index(batch_op.f("ix_unit_positions_label_id"))

    op.drop_table("unit_positions")
    with op.batch_alter_table("patrols", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrols_unit_id"))
        batch_op.drop_index("ix_patrols_start")
        batch_op.drop_index(batch_op.f("ix_patrols_mission_id"))
        batch_op.drop_index(batch_op.f("ix_patrols_label_id"))

    op.drop_table("patrols")
    with op.batch_alter_table("event_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_event_reports_report")

    op.drop_table("event_reports")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_party_id"))
        batch_op.drop_index(batch_op.f("ix_units_mission_id"))
        batch_op.drop_index(batch_op.f("ix_units_label_id"))

    op.drop_table("units")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_observed")

    op.drop_table("reports")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zones_mission_id"))
        batch_op.drop_index(batch_op.f("ix_zones_label_id"))
        batch_op.drop_index(batch_op.f("ix_zones_kind"))

    op.drop_table("zones")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_mission_id"))
        batch_op.drop_index(batch_op.f("ix_parties_label_id"))

    op.drop_table("parties")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_observed")
        batch_op.drop_index(batch_op.f("ix_events_label_id"))
        batch_op.drop_index(batch_op.f("ix_events_kind"))

    op.drop_table("events")
    with op.batch_alter_table("missions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missions_label_id"))

    op.drop_table("missions")
    with op.batch_alter_table("label_release_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_release_codes_code"))

    op.drop_table("label_release_codes")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_name"))

    op.drop_table("places")
    op.drop_table("nations")
    op.drop_table("labels")
