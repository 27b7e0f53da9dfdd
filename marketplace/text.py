"""Slugs for share-friendly URLs (python-slugify) made unique within a table."""

from __future__ import annotations

import re

from slugify import slugify as _slugify
from sqlalchemy import select

from marketplace.extensions import db


def slugify(text: str, max_length: int = 120) -> str:
    return _slugify(text, max_length=max_length, word_boundary=True) or "item"


def unique_slug(model: type, text: str, *, exclude_id: int | None = None) -> str:
    """A slug for ``text`` not yet used in ``model.slug`` ("koperasi-maju", then "koperasi-maju-2", ...)."""
    base = slugify(text)
    taken_query = select(model.slug).where(model.slug.like(f"{base}%"))  # type: ignore[attr-defined]
    if exclude_id is not None:
        taken_query = taken_query.where(model.id != exclude_id)  # type: ignore[attr-defined]
    taken = set(db.session.scalars(taken_query))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _markdown():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    # "js-default": raw HTML is escaped and javascript:/data: links are refused. Images are off too: a
    # seller's description must not make buyers' phones fetch from other hosts. Headings are off: a "#" line
    # would add a second <h1> to the product page.
    md = MarkdownIt("js-default").disable(["image", "table", "heading", "lheading"])

    def render_link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "nofollow ugc noopener")
        tokens[idx].attrSet("target", "_blank")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", render_link_open)
    return md


_MD = None


def render_markdown(source: str) -> str:
    """Markdown written by a seller as safe HTML (escaped raw HTML, no scripts, no remote images)."""
    global _MD
    if _MD is None:
        _MD = _markdown()
    return _MD.render(source or "")


_MARKUP = re.compile(r"[*_`#>\[\]()!~|]+|https?://\S+")


def markdown_to_text(source: str) -> str:
    """Plain words of a Markdown text, for search and meta descriptions."""
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", source or "")).strip()
