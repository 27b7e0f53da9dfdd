"""Activation targets: the base counted by the server, progress against the target and the straight line,
the monthly history (snapshots + today's figure) as chart, table and CSV, who may set them, and the
``flask dashboards snapshot`` command."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from marketplace.cooperatives.models import Membership
from marketplace.dashboards import targets
from marketplace.dashboards.activity import JAKARTA, take_snapshot
from marketplace.dashboards.exports import parse_csv
from marketplace.dashboards.models import ActivationTarget, ActivitySnapshot
from marketplace.extensions import db
from tests.conftest import html
from tests.factories import (
    SOLOK_SELATAN,
    make_business,
    make_cooperative,
    make_membership,
    make_officer,
    make_user,
)

BEKASI_CIKARANG = ("32", "32.16")
BANDUNG = ("32", "32.04")


def _region_with_three(active: int = 1):  # type: ignore[no-untyped-def]
    """Three cooperatives in Kabupaten Bekasi; the first ``active`` of them got a new member today."""
    cooperatives = [make_cooperative() for _ in range(3)]
    for cooperative in cooperatives[:active]:
        make_membership(cooperative, make_business())
    return cooperatives


def _target_form(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Revitalisasi koperasi Bekasi",
        "target_percent": "65",
        "start_on": targets.today().isoformat(),
        "duration": "5",
        "deadline_on": "",
        "notes": "Sesuai rencana strategis dinas",
    }
    data.update(overrides)
    return data


def test_officer_sets_a_target_and_the_base_is_counted(app: Flask, web) -> None:
    _region_with_three(active=1)
    make_cooperative(region=SOLOK_SELATAN)  # elsewhere: not counted
    officer = make_officer("32.16")
    web.login(officer)

    page = web.get("/wilayah/32.16/target")
    assert page.status_code == 200
    assert "Saat ini 1 dari 3 koperasi" in html(page)

    response = web.post("/wilayah/32.16/target", _target_form())
    assert response.status_code == 303
    target = db.session.scalars(select(ActivationTarget)).one()
    assert (target.region_code, target.base_total, target.base_active) == ("32.16", 3, 1)
    assert target.target_percent == 65
    assert target.start_on == targets.today()
    assert target.deadline_on == targets.add_years(targets.today(), 5)
    assert target.created_by_id == officer.id
    assert response.headers["Location"].endswith(f"/wilayah/32.16/target/{target.id}")

    listing = html(web.get("/wilayah/32.16/target"))
    assert "65% dari 3 koperasi aktif dalam 5 tahun" in listing

    by_date = web.post(
        "/wilayah/32.16/target",
        _target_form(title="Sampai akhir 2027", duration="tanggal", deadline_on="2027-12-31"),
    )
    assert by_date.status_code == 303
    assert db.session.scalars(
        select(ActivationTarget.deadline_on).where(ActivationTarget.title == "Sampai akhir 2027")
    ).one() == date(2027, 12, 31)


def test_detail_numbers_for_a_fixed_data_set(app: Flask, web) -> None:
    _region_with_three(active=1)
    admin = make_user(is_admin=True)
    target = targets.create_target(
        admin,
        "32.16",
        targets.TargetData(
            title="65 persen", target_percent=65, start_on=targets.today(), deadline_on=date(2031, 1, 1)
        ),
    )
    db.session.commit()

    [progress] = targets.region_targets("32.16")
    assert progress.target.id == target.id
    assert (progress.total, progress.active) == (3, 1)
    assert progress.percent_tenths == 333
    assert progress.percent_text == "33,3"
    assert progress.target_count == 2  # ceil(0.65 × 3)
    assert progress.needed == 1
    assert targets.region_targets("32") == []  # exactly that region code

    web.login(admin)
    page = html(web.get(f"/wilayah/32.16/target/{target.id}"))
    assert re.search(r'data-figure="active"><strong>1 / 3</strong><span>[^<]*33,3%', page)
    assert re.search(r'data-figure="target-count"><strong>2</strong>', page)
    assert re.search(r'data-figure="needed"><strong>1</strong>', page)
    assert "<svg" in page  # the column chart


def test_on_track_arithmetic_at_a_fixed_date(app: Flask) -> None:
    target = ActivationTarget(
        region_code="32.16",
        title="Garis lurus",
        target_percent=50,
        base_total=100,
        base_active=10,
        start_on=date(2026, 1, 1),
        deadline_on=date(2027, 1, 1),  # 365 days
    )
    assert targets.target_count(50, 100) == 50
    assert targets.target_count(65, 617) == 402  # ceil(401.05)
    # Day 0: the line starts at the base.
    at_start = targets.progress(target, targets.RegionActivity(total=100, active=10), day=date(2026, 1, 1))
    assert at_start.expected_active_now == 10 and at_start.on_track
    # Day 73 of 365 (a fifth): 10 + 40 × 73/365 = 18 exactly.
    fifth = date(2026, 3, 15)
    assert (fifth - date(2026, 1, 1)).days == 73
    on_line = targets.progress(target, targets.RegionActivity(total=100, active=18), day=fifth)
    assert on_line.expected_active_now == 18 and on_line.on_track
    behind = targets.progress(target, targets.RegionActivity(total=100, active=17), day=fifth)
    assert behind.on_track is False and behind.needed == 33
    # Day 74: 18.11 rounds to 18; day 78: 18.55 rounds to 19, so 18 active is behind.
    next_day = targets.progress(target, targets.RegionActivity(total=100, active=18), day=date(2026, 3, 16))
    assert next_day.expected_active_now == 18 and next_day.on_track
    later = targets.progress(target, targets.RegionActivity(total=100, active=18), day=date(2026, 3, 20))
    assert later.expected_active_now == 19 and later.on_track is False
    # After the deadline the line stays at the target count.
    late = targets.progress(target, targets.RegionActivity(total=100, active=49), day=date(2028, 1, 1))
    assert late.expected_active_now == 50 and not late.on_track and late.overdue
    done = targets.progress(target, targets.RegionActivity(total=100, active=50), day=date(2028, 1, 1))
    assert done.reached and done.on_track and done.needed == 0


def _row_cells(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row_html, re.S)]


def test_history_from_monthly_snapshots_chart_table_and_csv(app: Flask, web) -> None:
    first, second, third = _region_with_three(active=0)
    make_cooperative(region=SOLOK_SELATAN)  # snapshotted, but not in this region
    now = datetime.now(UTC)
    this_month = now.astimezone(JAKARTA).date().replace(day=1)
    months = [(this_month - timedelta(days=1)).replace(day=1)]
    months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))  # two months ago
    months.append(this_month)

    def at_noon(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 12, tzinfo=JAKARTA)

    # Month 1: nobody active. Month 2: the first joined members. This month: the second too.
    take_snapshot(as_of=at_noon(months[0]))
    member = make_membership(first, make_business())
    member.joined_at = (at_noon(months[1]) - timedelta(hours=1)).astimezone(UTC)
    db.session.flush()
    take_snapshot(as_of=at_noon(months[1]))
    make_membership(second, make_business())
    now = datetime.now(UTC)  # after the second member joined
    take_snapshot(as_of=now)
    assert db.session.scalar(select(func.count()).select_from(ActivitySnapshot)) == 12

    officer = make_officer("32")
    target = targets.create_target(
        officer,
        "32.16",
        targets.TargetData(
            title="Dua pertiga", target_percent=65, start_on=months[0], deadline_on=date(2031, 12, 31)
        ),
    )
    db.session.commit()

    points = targets.history(target, now=now)
    assert [(p.month, p.active, p.total, p.live) for p in points] == [
        (months[0], 0, 3, False),
        (months[1], 1, 3, False),
        (months[2], 2, 3, False),
        (now.astimezone(JAKARTA).date(), 2, 3, True),
    ]

    web.login(officer)
    page = html(web.get(f"/wilayah/32.16/target/{target.id}"))
    table = page.split('class="target-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr data-period=\"([^\"]+)\">(.*?)</tr>", table, re.S)
    shown = [(period, *_row_cells(body)[1:]) for period, body in rows]
    assert shown == [
        (months[0].strftime("%Y-%m"), "0", "3", "0,0%"),
        (months[1].strftime("%Y-%m"), "1", "3", "33,3%"),
        (months[2].strftime("%Y-%m"), "2", "3", "66,7%"),
        (now.astimezone(JAKARTA).date().isoformat(), "2", "3", "66,7%"),
    ]
    assert page.count("<rect ") == 3  # three non-zero columns (month 1 has none active)

    download = web.get(f"/wilayah/32.16/target/{target.id}.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    header, *csv_rows = parse_csv(download.data)
    assert header[:4] == ["Periode", "Koperasi aktif", "Jumlah koperasi", "Persen aktif"]
    assert [(r[0], r[1], r[2], r[3] + "%") for r in csv_rows] == shown

    # A target starting this month shows only this month's snapshot and today's figure.
    later = targets.create_target(
        officer,
        "32.16",
        targets.TargetData(
            title="Baru", target_percent=80, start_on=this_month, deadline_on=date(2030, 1, 1)
        ),
    )
    assert [p.month for p in targets.history(later, now=now)][:1] == [this_month]
    assert len(targets.history(later, now=now)) == 2
    assert third.id  # never active: counted in every total


def test_who_may_set_targets(app: Flask, web) -> None:
    _region_with_three()
    regency_officer = make_officer("32.16")
    web.login(regency_officer)
    assert web.get("/wilayah/32.16/target").status_code == 200
    assert web.get("/wilayah/32/target").status_code == 403
    assert web.post("/wilayah/32/target", _target_form()).status_code == 403
    assert web.get("/wilayah/32.04/target").status_code == 403
    assert web.get("/wilayah/99/target").status_code == 404
    web.logout()

    province_officer = make_officer("32")
    web.login(province_officer)
    assert web.post("/wilayah/32/target", _target_form(title="Provinsi")).status_code == 303
    assert web.post("/wilayah/32.04/target", _target_form(title="Bandung")).status_code == 303
    province_target = db.session.scalars(
        select(ActivationTarget).where(ActivationTarget.region_code == "32")
    ).one()
    assert province_target.base_total == 3
    web.logout()

    elsewhere = make_officer("13")
    web.login(elsewhere)
    assert web.get("/wilayah/32.16/target").status_code == 403
    assert web.post("/wilayah/32.16/target", _target_form()).status_code == 403
    assert web.get(f"/wilayah/32/target/{province_target.id}").status_code == 403
    assert web.get(f"/wilayah/32/target/{province_target.id}.csv").status_code == 403
    assert web.post(f"/wilayah/32/target/{province_target.id}/arsipkan").status_code == 403
    # a member business owner is no officer
    web.logout()
    owner = make_user("Pemilik")
    make_membership(make_cooperative(), make_business(owner))
    web.login(owner)
    assert web.get("/wilayah/32.16/target").status_code == 403
    web.logout()
    assert web.get("/wilayah/32.16/target").status_code == 302  # anonymous: log in first

    # a target of another region code is not found under this one
    web.login(province_officer)
    assert web.get(f"/wilayah/32.16/target/{province_target.id}").status_code == 404
    assert web.get(f"/wilayah/32.16/target/{province_target.id}.csv").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ActivationTarget)) == 2


def test_invalid_input_is_refused_with_the_input_kept(app: Flask, web) -> None:
    web.login(make_officer("32.16"))
    for percent in ("0", "101"):
        response = web.post(
            "/wilayah/32.16/target", _target_form(target_percent=percent, title="Target keliru")
        )
        assert response.status_code == 422
        page = html(response)
        assert "Persen target antara 1 dan 100." in page
        assert 'value="Target keliru"' in page
        assert f'value="{percent}"' in page

    start = targets.today()
    before = (start - timedelta(days=1)).isoformat()
    response = web.post(
        "/wilayah/32.16/target",
        _target_form(duration="tanggal", deadline_on=before, notes="Catatan tetap ada"),
    )
    assert response.status_code == 422
    page = html(response)
    assert "Tenggat harus setelah tanggal mulai." in page
    assert f'value="{before}"' in page
    assert "Catatan tetap ada" in page

    no_date = web.post("/wilayah/32.16/target", _target_form(duration="tanggal", deadline_on=""))
    assert no_date.status_code == 422 and "Isi tanggal tenggat." in html(no_date)

    # A start in year 9999 (five years on would be past the calendar) is an error on the field, not a 500.
    for far in (
        _target_form(start_on="9999-01-01"),
        _target_form(start_on="9990-01-01", duration="tanggal", deadline_on="9995-01-01"),
    ):
        response = web.post("/wilayah/32.16/target", far)
        assert response.status_code == 422
        assert "Tanggal mulai paling lambat 10 tahun dari sekarang." in html(response)
    assert db.session.scalar(select(func.count()).select_from(ActivationTarget)) == 0


def test_archive_and_panel(app: Flask, web) -> None:
    _region_with_three(active=2)
    officer = make_officer("32.16")
    target = targets.create_target(
        officer,
        "32.16",
        targets.TargetData(
            title="Bekasi aktif",
            target_percent=50,
            start_on=targets.today(),
            deadline_on=targets.add_years(targets.today(), 2),
        ),
    )
    db.session.commit()

    from flask import render_template

    with app.test_request_context():
        panel = render_template(
            "dashboards/targets/_panel.html", targets=targets.region_targets("32.16"), code="32.16"
        )
    assert f"/wilayah/32.16/target/{target.id}" in panel
    assert "Bekasi aktif" in panel and "2 dari 3 aktif (66,7%)" in panel
    assert "Tercapai" in panel
    assert "/wilayah/32.16/target" in panel and "Atur target" in panel

    web.login(officer)
    response = web.post(f"/wilayah/32.16/target/{target.id}/arsipkan")
    assert response.status_code == 303
    db.session.refresh(target)
    assert target.archived_at is not None
    assert targets.region_targets("32.16") == []
    assert "diarsipkan" in html(web.get("/wilayah/32.16/target"))


def test_region_targets_reads_activity_once(app: Flask) -> None:
    from sqlalchemy import event

    _region_with_three()
    officer = make_officer("32")
    for n in range(4):
        targets.create_target(
            officer,
            "32.16",
            targets.TargetData(
                title=f"T{n}",
                target_percent=20 * (n + 1),
                start_on=targets.today(),
                deadline_on=date(2032, 1, 1),
            ),
        )
    db.session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = targets.region_targets("32.16")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [p.target_count for p in found] == [1, 2, 2, 3]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 3


def test_snapshot_command_writes_rows_and_is_idempotent(app: Flask) -> None:
    active, quiet = make_cooperative(), make_cooperative(region=SOLOK_SELATAN)
    make_membership(active, make_business())
    runner = app.test_cli_runner()

    result = runner.invoke(args=["dashboards", "snapshot"])
    assert result.exit_code == 0, result.output
    assert "2 cooperatives, 1 active" in result.output
    again = runner.invoke(args=["dashboards", "snapshot"])
    assert again.exit_code == 0, again.output
    month = datetime.now(UTC).astimezone(JAKARTA).date().replace(day=1)
    rows = dict(
        db.session.execute(
            select(ActivitySnapshot.cooperative_id, ActivitySnapshot.active).where(
                ActivitySnapshot.month == month
            )
        ).all()
    )
    assert rows == {active.id: True, quiet.id: False}

    # --as-of a past day: that month's rows, counted as of then (the member joined today, so not active).
    past = month - timedelta(days=40)
    earlier = runner.invoke(args=["dashboards", "snapshot", "--as-of", past.isoformat()])
    assert earlier.exit_code == 0, earlier.output
    assert f"for {past:%Y-%m}" in earlier.output and "0 active" in earlier.output
    assert db.session.scalar(select(func.count()).select_from(ActivitySnapshot)) == 4
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1

    bad = runner.invoke(args=["dashboards", "snapshot", "--as-of", "31-05-2026"])
    assert bad.exit_code != 0
    help_text = runner.invoke(args=["dashboards", "snapshot", "--help"]).output
    assert "daily" in help_text and "cron" in help_text
