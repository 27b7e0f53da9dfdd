"""events and offline sales: bazaars, expos and trainings; cooperatives' booths and the products they bring;
sales recorded offline (they take from the same product stock as online orders)

Revision ID: 0009_events_offline_sales
Revises: 0008_promotions
Create Date: 2026-11-22 03:05:00.000000

Only new tables: no existing table is altered, so nothing needs a batch rebuild on SQLite.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_events_offline_sales'
down_revision = '0008_promotions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=180), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('bazaar', 'expo', 'training', name='event_kind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='event_status', native_enum=False, length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('booth_capacity', sa.Integer(), nullable=True),
    sa.Column('cooperative_id', sa.Integer(), nullable=True),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(cooperative_id IS NULL) <> (organiser_id IS NULL)', name=op.f('ck_events_one_organiser')),
    sa.CheckConstraint('booth_capacity IS NULL OR booth_capacity >= 1', name=op.f('ck_events_booth_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_events_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_events_organiser_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('slug', name=op.f('uq_events_slug'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_regency_code'), ['regency_code'], unique=False)
        batch_op.create_index('ix_events_status_ends', ['status', 'ends_at'], unique=False)

    op.create_table('booths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_booths_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_booths_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_booths_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booths')),
    sa.UniqueConstraint('event_id', 'cooperative_id', name=op.f('uq_booths_event_id'))
    )
    with op.batch_alter_table('booths', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booths_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('booth_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['booth_id'], ['booths.id'], name=op.f('fk_booth_products_booth_id_booths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_booth_products_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth_products')),
    sa.UniqueConstraint('booth_id', 'product_id', name=op.f('uq_booth_products_booth_id'))
    )
    with op.batch_alter_table('booth_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booth_products_product_id'), ['product_id'], unique=False)

    op.create_table('offline_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_idr', sa.BigInteger(), nullable=False),
    sa.Column('total_idr', sa.BigInteger(), nullable=False),
    sa.Column('reserved_qty', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('cash', 'qris', name='offline_payment_method', native_enum=False, length=20), nullable=False),
    sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.Column('void_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_offline_sales_quantity_positive')),
    sa.CheckConstraint('reserved_qty >= 0', name=op.f('ck_offline_sales_reserved_nonnegative')),
    sa.CheckConstraint('total_idr >= 0', name=op.f('ck_offline_sales_total_nonnegative')),
    sa.CheckConstraint('unit_price_idr >= 0', name=op.f('ck_offline_sales_unit_price_nonnegative')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_offline_sales_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offline_sales_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_offline_sales_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_offline_sales_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_offline_sales_voided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_sales'))
    )
    with op.batch_alter_table('offline_sales', schema=None) as batch_op:
        batch_op.create_index('ix_offline_sales_business_sold', ['business_id', 'sold_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_sales_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_sales_product_id'), ['product_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offline_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_sales_product_id'))
        batch_op.drop_index(batch_op.f('ix_offline_sales_event_id'))
        batch_op.drop_index('ix_offline_sales_business_sold')

    op.drop_table('offline_sales')
    with op.batch_alter_table('booth_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booth_products_product_id'))

    op.drop_table('booth_products')
    with op.batch_alter_table('booths', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booths_cooperative_id'))

    op.drop_table('booths')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_ends')
        batch_op.drop_index(batch_op.f('ix_events_regency_code'))
        batch_op.drop_index(batch_op.f('ix_events_province_code'))
        batch_op.drop_index(batch_op.f('ix_events_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_events_cooperative_id'))

    op.drop_table('events')
