"""Product feed URLs for Google Merchant Center and Meta catalogs. Public (the catalogs fetch them without a
login) for a business or cooperative that is not suspended; 404 otherwise. Cached for an hour."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.cooperatives.models import Business, Cooperative
from marketplace.extensions import db
from marketplace.marketing import feeds, share

bp = Blueprint("feeds", __name__)

FEED_MAX_AGE = 60 * 60


def _owner(kind: str, slug: str) -> Business | Cooperative:
    if kind == "usaha":
        business = db.first_or_404(select(Business).where(Business.slug == slug))
        if not share.business_is_public(business):
            abort(404)
        return business
    cooperative = db.first_or_404(select(Cooperative).where(Cooperative.slug == slug))
    if not share.cooperative_is_public(cooperative):
        abort(404)
    return cooperative


def _respond(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<any(usaha, koperasi):kind>/<slug>/feed/google.xml")
def google(kind: str, slug: str) -> Response:
    owner = _owner(kind, slug)
    # The catalogs sell in Indonesia: the same labels whatever language a visitor's session chose.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = feeds.google_feed(owner, feeds.feed_products(owner))
    return _respond(body, "application/rss+xml", f"{owner.slug}-google.xml")


@bp.get("/<any(usaha, koperasi):kind>/<slug>/feed/meta.csv")
def meta(kind: str, slug: str) -> Response:
    owner = _owner(kind, slug)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = feeds.meta_feed(feeds.feed_products(owner))
    response = _respond(body, "text/csv", f"{owner.slug}-meta.csv")
    response.charset = "utf-8"
    return response
