"""per-day product and storefront counters (views, WhatsApp clicks, add-to-carts)

Revision ID: 0011_marketing_stats
Revises: 0010_featured_campaigns
Create Date: 2026-11-29 03:10:00.000000

A new table only, so no existing table is rebuilt on SQLite. The primary key (business_id, day, product_id,
kind) is the unique key the counting upsert conflicts on; product_id 0 stands for the storefront (a UNIQUE
key would not dedupe NULLs), hence no foreign key on it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_marketing_stats'
down_revision = '0010_featured_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_counts',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.Enum('view', 'store_view', 'wa_click', 'add_to_cart', name='count_kind', native_enum=False, length=20), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_daily_counts_count_not_negative')),
    sa.CheckConstraint('product_id >= 0', name=op.f('ck_daily_counts_product_id_not_negative')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_daily_counts_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('business_id', 'day', 'product_id', 'kind', name=op.f('pk_daily_counts'))
    )


def downgrade():
    op.drop_table('daily_counts')
