"""featured products and cooperative campaigns on the home page

Revision ID: 0010_featured_campaigns
Revises: 0009_events_offline_sales
Create Date: 2026-11-22 02:40:00.000000

New tables only, so no existing table is rebuilt on SQLite.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_featured_campaigns'
down_revision = '0009_events_offline_sales'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=140), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='campaign_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_campaigns_ends_after_start')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_campaigns_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaigns_slug'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_campaigns_status_window', ['status', 'ends_at', 'starts_at'], unique=False)

    op.create_table('campaign_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_products_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_campaign_products_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_products')),
    sa.UniqueConstraint('campaign_id', 'product_id', name=op.f('uq_campaign_products_campaign_id'))
    )
    with op.batch_alter_table('campaign_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_products_product_id'), ['product_id'], unique=False)

    op.create_table('featured_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=True),
    sa.Column('featured_by_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_featured_products_ends_after_start')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_featured_products_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['featured_by_id'], ['users.id'], name=op.f('fk_featured_products_featured_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_featured_products_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_featured_products')),
    sa.UniqueConstraint('product_id', name=op.f('uq_featured_products_product_id'))
    )
    with op.batch_alter_table('featured_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_featured_products_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_featured_products_window', ['ends_at', 'starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('featured_products', schema=None) as batch_op:
        batch_op.drop_index('ix_featured_products_window')
        batch_op.drop_index(batch_op.f('ix_featured_products_cooperative_id'))

    op.drop_table('featured_products')
    with op.batch_alter_table('campaign_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_products_product_id'))

    op.drop_table('campaign_products')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_status_window')
        batch_op.drop_index(batch_op.f('ix_campaigns_cooperative_id'))

    op.drop_table('campaigns')
