"""Indonesian phone numbers, stored as E.164 (+62812...). Parsing by ``lokal-id``."""

from __future__ import annotations

from urllib.parse import quote

from flask_babel import gettext as _
from lokal import parse_phone
from markupsafe import Markup

from marketplace.errors import DomainError


def normalise_phone(raw: str, *, mobile_only: bool = False, field: str = "phone") -> str:
    """``0812-3456-7890`` → ``+6281234567890``; a clear DomainError for anything else."""
    info = parse_phone((raw or "").strip())
    if not info.valid or not info.e164:
        raise DomainError(
            _(
                "Nomor telepon tidak valid. Tulis nomor Indonesia, "
                "misalnya 0812 3456 7890 atau +62 812 3456 7890."
            ),
            field=field,
        )
    if mobile_only and info.type != "mobile":
        raise DomainError(_("Nomor WhatsApp harus nomor HP (diawali 08 atau +628)."), field=field)
    return info.e164


def whatsapp_link(e164: str, text: str | None = None) -> str:
    """``https://wa.me/6281234567890?text=...``"""
    link = f"https://wa.me/{e164.lstrip('+')}"
    if text:
        # Text translated in a template arrives as Markup with its arguments HTML-escaped ("&amp;"); the
        # message itself is plain text.
        if isinstance(text, Markup):
            text = text.unescape()
        link += "?text=" + quote(text)
    return link


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    info = parse_phone(e164)
    return info.national or e164
