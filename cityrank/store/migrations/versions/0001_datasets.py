"""datasets, their scores, their ingested table and their file

Revision ID: 0001
Revises:
Create Date: 2025-01-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("system_id", sa.String(80), nullable=False),
        sa.Column("system_ref", sa.Text(), nullable=False),
        sa.Column("system_yaml", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_zh", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("vintage", sa.String(32), nullable=True),
        sa.Column("owner_note", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("encoding", sa.String(40), nullable=True),
        sa.Column("sheet", sa.String(255), nullable=True),
        sa.Column("missing", sa.String(32), nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("delete_token", sa.String(64), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("n_units", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("raw_columns", sa.JSON(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_datasets_kind", "datasets", ["kind"])
    op.create_index("ix_datasets_year", "datasets", ["year"])
    op.create_index("ix_datasets_system_id", "datasets", ["system_id"])
    op.create_index("ix_datasets_client", "datasets", ["client"])
    op.create_index("ix_datasets_expires_at", "datasets", ["expires_at"])
    op.create_table(
        "dataset_units",
        sa.Column("dataset_id", sa.String(80),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("region", sa.String(32), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_dataset_units_rank", "dataset_units", ["dataset_id", "rank"])
    op.create_table(
        "dataset_raw",
        sa.Column("dataset_id", sa.String(80),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
    )
    op.create_table(
        "dataset_files",
        sa.Column("dataset_id", sa.String(80),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dataset_files")
    op.drop_table("dataset_raw")
    op.drop_index("ix_dataset_units_rank", table_name="dataset_units")
    op.drop_table("dataset_units")
    for col in ("expires_at", "client", "system_id", "year", "kind"):
        op.drop_index(f"ix_datasets_{col}", table_name="datasets")
    op.drop_table("datasets")
