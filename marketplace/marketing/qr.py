"""QR codes (segno): back to a page of Gotong from a phone screen, a printed catalog or a shelf label.

Error correction "M" (15 %: survives a smudge or a fold on a printed label) and a quiet zone of 4 modules,
as the QR standard asks; segno picks the smallest version that fits the URL.
"""

from __future__ import annotations

import io

import segno

ERROR = "m"


def qr_svg(url: str, *, scale: int = 4, title: str | None = None) -> str:
    """An SVG document (scalable, tiny) with a title for screen readers."""
    code = segno.make(url, error=ERROR, micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=title or url)
    return out.getvalue().decode("utf-8")


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """A PNG (for WhatsApp status, printing at a shop)."""
    code = segno.make(url, error=ERROR, micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
