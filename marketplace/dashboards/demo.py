"""Demo data for supervision: RATs, a dormant cooperative in Kabupaten Bekasi, public reports about it and
about the dormant one of Solok Selatan, a health assessment, an activation target for Kabupaten Bekasi and a
year of monthly activity snapshots. Called by ``marketplace.demo`` last (flush, no commit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import select

from marketplace import regions
from marketplace.accounts.models import User
from marketplace.cooperatives.models import (
    Business,
    Cooperative,
    CooperativeManager,
    CooperativeSector,
    CooperativeType,
    ManagerRole,
    Membership,
    MembershipStatus,
)
from marketplace.dashboards import activity, health
from marketplace.dashboards.models import (
    ActivationTarget,
    FollowUpAction,
    HealthAssessment,
    HealthWeightSet,
    PublicReport,
    RatRecord,
    ReportCategory,
    ReportNote,
    ReportStatus,
)
from marketplace.extensions import db
from marketplace.sectors import Sector

# Private follow-up links of the demo reports (documented in README's demo section).
DEMO_REPORT_TOKENS = {"LAP-DEMO01": "demo-laporan-tambun", "LAP-DEMO02": "demo-laporan-sangir"}

_DORMANT = (
    # key, name, type, regency, sector, address, legal entity number, NIK, chair (local, name)
    (
        "tambun",
        "ksu-sumber-rejeki-tambun",
        "Koperasi Serba Usaha Sumber Rejeki Tambun",
        CooperativeType.SERVICES,
        "32.16",
        Sector.FOOD_DRINK,
        "Jl. Sumber Rejeki No. 7, Desa Mekarsari, Kec. Tambun Selatan, Kabupaten Bekasi 17510",
        "AHU-0001187.AH.01.26.TAHUN 2016",
        "3216070020000416",
        ("ketua.tambun", "Sugiyono"),
    ),
)


def _default_weight_set() -> HealthWeightSet:
    found = db.session.scalar(select(HealthWeightSet).where(HealthWeightSet.code == "perdep-06-2016"))
    if found is None:
        found = HealthWeightSet(
            code="perdep-06-2016",
            name="KSP/USP — Perdep 06/2016",
            weights=dict(health.PERDEP_06_2016),
            is_default=True,
        )
        db.session.add(found)
        db.session.flush()
    return found


def seed_supervision(builder: Any) -> None:
    coops: dict[str, Cooperative] = builder.coops
    users: dict[str, User] = builder.users
    now = builder.ago(0)
    bekasi_officer, sumbar_officer = users["dinas.bekasi"], users["dinas.sumbar"]

    # Annual meetings of the active cooperatives (the minutes files are not part of the demo).
    for key, days_ago, attendees in (("boneka", 240, 58), ("cikarang", 260, 31), ("sangir", 300, 44)):
        if key in coops:
            held = (now - timedelta(days=days_ago)).date()
            db.session.add(
                RatRecord(
                    cooperative_id=coops[key].id,
                    held_on=held,
                    financial_year=held.year - 1 if held.month <= 6 else held.year,
                    attendees=attendees,
                    notes="Pengesahan laporan pertanggungjawaban pengurus dan pembagian SHU.",
                    recorded_by_id=coops[key].managers[0].user_id,
                    created_at=now - timedelta(days=days_ago - 1),
                )
            )

    # Two dormant cooperatives: nothing sold, no coalition, no new member and no RAT for over a year.
    dormant: dict[str, Cooperative] = {}
    for key, slug, name, kind, regency, sector, address, ahu, nik, (local, person) in _DORMANT:
        chair = User(
            email=f"{local}@gotong.id",
            name=person,
            phone=f"+62813{900000 + len(dormant):07d}",
            password_hash=users["admin"].password_hash,
            created_at=now - timedelta(days=700),
        )
        db.session.add(chair)
        cooperative = Cooperative(
            name=name,
            slug=slug,
            legal_entity_number=ahu,
            nik_koperasi=nik,
            coop_type=kind,
            province_code=regions.province_of(regency),
            regency_code=regency,
            address=address,
            description="Koperasi yang belum mencatat kegiatan di Gotong selama lebih dari setahun.",
            founded_on=date(2014, 6, 2),
            requires_listing_approval=True,
            created_by_id=None,
            created_at=now - timedelta(days=690),
        )
        cooperative.sector_rows = [CooperativeSector(sector=sector)]
        cooperative.managers = [CooperativeManager(user=chair, role=ManagerRole.CHAIR, created_at=now)]
        db.session.add(cooperative)
        db.session.flush()
        # One old member: the chair's own small business, which joined long ago and sells nothing here.
        member = Business(
            owner=chair,
            name=f"Usaha {person}",
            slug=f"usaha-{local.replace('.', '-')}",
            nib=f"{nik[:4]}{len(dormant) + 1:09d}",
            owner_name=person,
            whatsapp=chair.phone,
            province_code=regions.province_of(regency),
            regency_code=regency,
            address=address,
            sector=sector,
            created_at=now - timedelta(days=640),
        )
        db.session.add(member)
        db.session.flush()
        db.session.add(
            Membership(
                cooperative_id=cooperative.id,
                business_id=member.id,
                status=MembershipStatus.ACTIVE,
                applied_at=now - timedelta(days=620),
                decided_at=now - timedelta(days=610),
                joined_at=now - timedelta(days=610),
            )
        )
        held = (now - timedelta(days=560)).date()
        db.session.add(
            RatRecord(
                cooperative_id=cooperative.id,
                held_on=held,
                financial_year=held.year - 1,
                attendees=12,
                notes="RAT terakhir yang tercatat.",
                created_at=now - timedelta(days=559),
            )
        )
        dormant[key] = cooperative
    db.session.flush()

    # Public reports about them; their follow-up tokens are fixed so the demo can show the private page.
    reports = (
        (
            "LAP-DEMO01",
            dormant["tambun"],
            ReportCategory.INACTIVE,
            "Kantor koperasi di Jl. Sumber Rejeki selalu tutup sejak awal tahun lalu dan papan namanya sudah "
            "dicopot. Anggota tidak pernah diundang rapat dan simpanan pokok kami tidak jelas.",
            "Warga Mekarsari",
            ReportStatus.RECEIVED,
            None,
        ),
        (
            "LAP-DEMO02",
            coops.get("pagu", dormant["tambun"]),
            ReportCategory.LIKE_A_BANK,
            "Koperasi ini menawarkan deposito berbunga 2% per bulan kepada masyarakat umum yang bukan "
            "anggota lewat grup WhatsApp, dan meminjamkan uang ke pedagang pasar dengan bunga harian.",
            "",
            ReportStatus.VISIT_PLANNED,
            (now + timedelta(days=4)).date(),
        ),
    )
    for reference, cooperative, category, text, reporter, status, visit in reports:
        report = PublicReport(
            reference=reference,
            token_hash=sha256(DEMO_REPORT_TOKENS[reference].encode()).hexdigest(),
            cooperative_id=cooperative.id,
            category=category,
            description=text,
            reporter_name=reporter,
            status=status,
            visit_on=visit,
            created_at=now - timedelta(days=6),
        )
        db.session.add(report)
        if status is ReportStatus.VISIT_PLANNED:
            report.notes.append(
                ReportNote(
                    author_id=sumbar_officer.id,
                    from_status=ReportStatus.RECEIVED,
                    to_status=ReportStatus.VISIT_PLANNED,
                    note="Tim pengawas akan berkunjung ke kantor koperasi untuk memeriksa izin usaha simpan "
                    "pinjam dan daftar anggota.",
                    for_reporter=True,
                    created_at=now - timedelta(days=2),
                )
            )

    # A health assessment of the doll makers' cooperative, with a follow-up.
    if "boneka" in coops:
        weight_set = _default_weight_set()
        scores = {
            "capital": 80,
            "asset_quality": 75,
            "management": 85,
            "efficiency": 70,
            "liquidity": 80,
            "independence": 65,
            "identity": 90,
        }
        centi = health.weighted_score_centi(scores, weight_set.weights)
        assessment = HealthAssessment(
            cooperative_id=coops["boneka"].id,
            assessed_on=(now - timedelta(days=45)).date(),
            financial_year=(now - timedelta(days=45)).year - 1,
            weight_set_id=weight_set.id,
            weight_set_name=weight_set.name,
            weights=dict(weight_set.weights),
            scores=scores,
            score_centi=centi,
            category=health.category_for(centi),
            summary="Pengelolaan baik; piutang anggota perlu ditagih lebih tertib.",
            assessed_by_id=bekasi_officer.id,
            created_at=now - timedelta(days=45),
        )
        db.session.add(assessment)
        db.session.flush()
        db.session.add(
            FollowUpAction(
                assessment_id=assessment.id,
                cooperative_id=coops["boneka"].id,
                description="Menyusun jadwal penagihan piutang anggota yang menunggak lebih dari 90 hari.",
                due_on=(now + timedelta(days=30)).date(),
                created_by_id=bekasi_officer.id,
            )
        )

    # Kabupaten Bekasi's target: 65 % of its cooperatives active within five years.
    bekasi_ids = activity.region_cooperative_ids("32.16")
    found = activity.activities(bekasi_ids, as_of=now)
    start = (now - timedelta(days=150)).date()
    db.session.add(
        ActivationTarget(
            region_code="32.16",
            title="Koperasi aktif Kabupaten Bekasi 2030",
            target_percent=65,
            base_total=len(found),
            base_active=sum(1 for a in found.values() if a.active),
            start_on=start,
            deadline_on=start.replace(year=start.year + 5),
            notes="Sesuai rencana strategis Dinas Koperasi dan UKM.",
            created_by_id=bekasi_officer.id,
            created_at=now - timedelta(days=150),
        )
    )
    db.session.flush()

    # A year of monthly snapshots (what the daily `flask dashboards snapshot` would have recorded).
    for months_back in range(11, -1, -1):
        moment = _month_end(now, months_back)
        activity.take_snapshot(as_of=moment)


def _month_end(now: datetime, months_back: int) -> datetime:
    """The last moment of the month ``months_back`` months before now's (now itself for 0)."""
    if months_back == 0:
        return now
    year, month = now.year, now.month - months_back + 1
    while month <= 0:
        month += 12
        year -= 1
    first_of_next = now.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
    return first_of_next - timedelta(seconds=1)
