"""Uploaded images: checked, re-encoded and resized with Pillow, so what we store and serve is always a clean
WebP we made ourselves (no EXIF, no scripts, no polyglot files)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import IO

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import DomainError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


def store_image(
    stream: IO[bytes], folder: Path, *, max_bytes: int, max_side: int, field: str = "logo", prefix: str = ""
) -> str:
    """Validate an uploaded image and store it as WebP; return the file name relative to ``folder``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(
            _("Berkas terlalu besar. Ukuran maksimal %(mb)s MB.", mb=max_bytes // (1024 * 1024)), field=field
        )
    if not data:
        raise DomainError(_("Berkas kosong."), field=field)
    from io import BytesIO

    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise DomainError(_("Hanya gambar JPEG, PNG atau WebP yang diterima."), field=field)
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("Gambar terlalu besar (resolusinya)."), field=field)
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            image.thumbnail((max_side, max_side))
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{prefix}{secrets.token_hex(12)}.webp"
            image.save(folder / name, "WEBP", quality=82, method=4)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DomainError(_("Berkas ini bukan gambar yang bisa dibaca."), field=field) from exc
    return name
