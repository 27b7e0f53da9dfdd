"""Site-wide pages: home, language switch, uploaded media, the region API, the development outbox."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select, text

from marketplace import regions
from marketplace.accounts import services as account_services
from marketplace.catalog import search as catalog_search
from marketplace.cooperatives import services as cooperative_services
from marketplace.cooperatives.models import COOPERATIVE_TYPE_LABELS
from marketplace.extensions import db
from marketplace.mail.models import OutboxEmail
from marketplace.marketing.featured import home_highlights
from marketplace.sectors import SECTOR_LABELS, Sector
from marketplace.web import actor, safe_next_url

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    featured = cooperative_services.featured_cooperatives(6)
    return render_template(
        "site/home.html",
        sectors=list(Sector),
        sector_labels=SECTOR_LABELS,
        featured=featured,
        counts=cooperative_services.member_counts([c.id for c in featured]),
        newest=catalog_search.newest(12),
        type_labels=COOPERATIVE_TYPE_LABELS,
        highlights=home_highlights(),
    )


@bp.post("/bahasa")
def set_language():
    form = FlaskForm()
    lang = request.form.get("lang", "")
    if not form.validate_on_submit() or lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    session.permanent = True
    if current_user.is_authenticated:
        account_services.set_locale(actor(), lang)
        db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("site.home"))


@bp.get("/media/<path:filename>")
def media(filename: str):
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=60 * 60 * 24 * 30)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/api/wilayah/<province_code>")
def regencies(province_code: str):
    if not regions.is_province(province_code):
        return jsonify(error="unknown province", status=404), 404
    return jsonify(regencies=[{"code": c, "name": n} for c, n in regions.regencies(province_code)])


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/dev/outbox")
def outbox():
    if not current_app.config["MAIL_OUTBOX_PAGE"]:
        abort(404)
    messages = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(50)).all()
    total = db.session.scalar(select(func.count(OutboxEmail.id))) or 0
    return render_template("site/outbox.html", messages=messages, total=total)
