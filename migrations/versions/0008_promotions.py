"""promotions: promo codes (of a business or a cooperative), their products and redemptions; the discount
on orders and the code on checkouts

Revision ID: 0008_promotions
Revises: 0007_selling_coalitions
Create Date: 2026-11-22 02:11:39.936232

The two new columns of existing tables are added and dropped with plain ALTER TABLE on every database: on
SQLite a batch rebuild of checkouts/orders would DROP the old table, and with foreign_keys=ON that drop
cascades to every order line and payment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_promotions'
down_revision = '0007_selling_coalitions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('promo_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=True),
    sa.Column('cooperative_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('percent', 'fixed', name='promo_kind', native_enum=False, length=20), nullable=False),
    sa.Column('percent_bp', sa.Integer(), nullable=True),
    sa.Column('amount_idr', sa.BigInteger(), nullable=True),
    sa.Column('min_spend_idr', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('usage_limit', sa.Integer(), nullable=True),
    sa.Column('per_buyer_limit', sa.Integer(), nullable=True),
    sa.Column('all_products', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('redeemed_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'percent' AND percent_bp >= 1 AND percent_bp <= 10000 AND amount_idr IS NULL) OR (kind = 'fixed' AND amount_idr >= 1 AND percent_bp IS NULL)", name=op.f('ck_promo_codes_kind_value')),
    sa.CheckConstraint('(business_id IS NULL) <> (cooperative_id IS NULL)', name=op.f('ck_promo_codes_one_owner')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_promo_codes_ends_after_start')),
    sa.CheckConstraint('min_spend_idr >= 0', name=op.f('ck_promo_codes_min_spend_nonnegative')),
    sa.CheckConstraint('per_buyer_limit IS NULL OR per_buyer_limit >= 1', name=op.f('ck_promo_codes_per_buyer_limit_positive')),
    sa.CheckConstraint('redeemed_count >= 0', name=op.f('ck_promo_codes_redeemed_nonnegative')),
    sa.CheckConstraint('usage_limit IS NULL OR usage_limit >= 1', name=op.f('ck_promo_codes_usage_limit_positive')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_promo_codes_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_promo_codes_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_promo_codes_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_promo_codes_code'))
    )
    with op.batch_alter_table('promo_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promo_codes_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promo_codes_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('promo_products',
    sa.Column('promo_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_promo_products_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promo_id'], ['promo_codes.id'], name=op.f('fk_promo_products_promo_id_promo_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('promo_id', 'product_id', name=op.f('pk_promo_products'))
    )
    with op.batch_alter_table('promo_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promo_products_product_id'), ['product_id'], unique=False)

    op.create_table('promo_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promo_id', sa.Integer(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('discount_idr', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('discount_idr >= 0', name=op.f('ck_promo_redemptions_discount_nonnegative')),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkouts.id'], name=op.f('fk_promo_redemptions_checkout_id_checkouts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promo_id'], ['promo_codes.id'], name=op.f('fk_promo_redemptions_promo_id_promo_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_promo_redemptions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_redemptions')),
    sa.UniqueConstraint('promo_id', 'checkout_id', name=op.f('uq_promo_redemptions_promo_id'))
    )
    with op.batch_alter_table('promo_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promo_redemptions_checkout_id'), ['checkout_id'], unique=False)
        batch_op.create_index('ix_promo_redemptions_promo_email', ['promo_id', 'email'], unique=False)
        batch_op.create_index('ix_promo_redemptions_promo_user', ['promo_id', 'user_id'], unique=False)

    # No foreign key on checkouts.promo_code_id (see the Checkout model).
    op.add_column('checkouts', sa.Column('promo_code_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_checkouts_promo_code_id'), 'checkouts', ['promo_code_id'], unique=False)
    op.add_column('orders', sa.Column('discount_idr', sa.BigInteger(), server_default='0', nullable=False))



def downgrade():
    # Native DROP COLUMN on SQLite (>= 3.35), not a batch rebuild (see above).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.drop_index(op.f('ix_checkouts_promo_code_id'), table_name='checkouts')
    for table, column in (('orders', 'discount_idr'), ('checkouts', 'promo_code_id')):
        if sqlite:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)

    with op.batch_alter_table('promo_redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_promo_redemptions_promo_user')
        batch_op.drop_index('ix_promo_redemptions_promo_email')
        batch_op.drop_index(batch_op.f('ix_promo_redemptions_checkout_id'))

    op.drop_table('promo_redemptions')
    with op.batch_alter_table('promo_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promo_products_product_id'))

    op.drop_table('promo_products')
    with op.batch_alter_table('promo_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promo_codes_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_promo_codes_business_id'))

    op.drop_table('promo_codes')
