"""supervision: RAT, targets, snapshots, health, public reports

Revision ID: 0012_supervision
Revises: 0011_marketing_stats
Create Date: 2026-11-22 05:03:24.973593

New tables only, plus two indexes: orders (cooperative_id, created_at, status, business_id, subtotal_idr), which
the activity rule walks backwards for a cooperative's last sale and the regional dashboard sums sales from
without reading the orders themselves; and products (cooperative_id, status) for a cooperative's review count. The Perdep 06/2016 weight set is created on first use by the health
service (``dashboards.health_service.default_weight_set``), so tests built with create_all get it too.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_supervision'
down_revision = '0011_marketing_stats'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_weight_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_weight_sets')),
    sa.UniqueConstraint('code', name=op.f('uq_health_weight_sets_code'))
    )
    op.create_table('activation_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('target_percent', sa.Integer(), nullable=False),
    sa.Column('base_total', sa.Integer(), nullable=False),
    sa.Column('base_active', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('base_active >= 0', name=op.f('ck_activation_targets_base_active_not_negative')),
    sa.CheckConstraint('base_total >= 0', name=op.f('ck_activation_targets_base_total_not_negative')),
    sa.CheckConstraint('deadline_on > start_on', name=op.f('ck_activation_targets_deadline_after_start')),
    sa.CheckConstraint('target_percent BETWEEN 1 AND 100', name=op.f('ck_activation_targets_percent_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activation_targets_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_targets'))
    )
    with op.batch_alter_table('activation_targets', schema=None) as batch_op:
        batch_op.create_index('ix_activation_targets_region', ['region_code'], unique=False)

    op.create_table('activity_snapshots',
    sa.Column('cooperative_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_activity_snapshots_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cooperative_id', 'month', name=op.f('pk_activity_snapshots'))
    )
    op.create_table('health_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('weight_set_id', sa.Integer(), nullable=True),
    sa.Column('weight_set_name', sa.String(length=160), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('score_centi', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('sehat', 'cukup_sehat', 'dalam_pengawasan', 'pengawasan_khusus', name='health_category', native_enum=False, length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score_centi BETWEEN 0 AND 10000', name=op.f('ck_health_assessments_score_range')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_health_assessments_assessed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_health_assessments_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['weight_set_id'], ['health_weight_sets.id'], name=op.f('fk_health_assessments_weight_set_id_health_weight_sets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_assessments'))
    )
    with op.batch_alter_table('health_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_health_assessments_cooperative_assessed', ['cooperative_id', 'assessed_on'], unique=False)

    op.create_table('public_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('like_bank', 'inactive', 'fraud', 'mismanagement', 'other', name='report_category', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photo_path', sa.String(length=200), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sa.String(length=120), nullable=False),
    sa.Column('reporter_contact', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('received', 'visit_planned', 'resolved', 'dismissed', name='report_status', native_enum=False, length=20), nullable=False),
    sa.Column('visit_on', sa.Date(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_public_reports_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_public_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_reports')),
    sa.UniqueConstraint('reference', name=op.f('uq_public_reports_reference')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_public_reports_token_hash'))
    )
    with op.batch_alter_table('public_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_reports_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_public_reports_status_created', ['status', 'created_at'], unique=False)

    op.create_table('rat_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('minutes_path', sa.String(length=200), nullable=True),
    sa.Column('minutes_filename', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attendees IS NULL OR attendees >= 0', name=op.f('ck_rat_records_attendees_not_negative')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_rat_records_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_rat_records_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_records'))
    )
    with op.batch_alter_table('rat_records', schema=None) as batch_op:
        batch_op.create_index('ix_rat_records_cooperative_held', ['cooperative_id', 'held_on'], unique=False)

    op.create_table('health_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_note', sa.String(length=500), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['health_assessments.id'], name=op.f('fk_health_follow_ups_assessment_id_health_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_health_follow_ups_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_health_follow_ups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_health_follow_ups_done_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_follow_ups'))
    )
    with op.batch_alter_table('health_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_follow_ups_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_follow_ups_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('public_report_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('received', 'visit_planned', 'resolved', 'dismissed', name='report_status', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('received', 'visit_planned', 'resolved', 'dismissed', name='report_status', native_enum=False, length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('for_reporter', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_public_report_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['public_reports.id'], name=op.f('fk_public_report_notes_report_id_public_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_report_notes'))
    )
    with op.batch_alter_table('public_report_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_report_notes_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_cooperative_created', ['cooperative_id', 'created_at', 'status', 'business_id', 'subtotal_idr'], unique=False)

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_cooperative_status', ['cooperative_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_cooperative_status')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_cooperative_created')

    with op.batch_alter_table('public_report_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_report_notes_report_id'))

    op.drop_table('public_report_notes')
    with op.batch_alter_table('health_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_follow_ups_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_health_follow_ups_assessment_id'))

    op.drop_table('health_follow_ups')
    with op.batch_alter_table('rat_records', schema=None) as batch_op:
        batch_op.drop_index('ix_rat_records_cooperative_held')

    op.drop_table('rat_records')
    with op.batch_alter_table('public_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_public_reports_status_created')
        batch_op.drop_index(batch_op.f('ix_public_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_public_reports_cooperative_id'))

    op.drop_table('public_reports')
    with op.batch_alter_table('health_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_health_assessments_cooperative_assessed')

    op.drop_table('health_assessments')
    op.drop_table('activity_snapshots')
    with op.batch_alter_table('activation_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_activation_targets_region')

    op.drop_table('activation_targets')
    op.drop_table('health_weight_sets')
