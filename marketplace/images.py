"""Uploaded images: checked, re-encoded and resized with Pillow, so what we store and serve is always a clean
WebP we made ourselves (no EXIF, no scripts, no polyglot files)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from marketplace.errors import DomainError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)


@dataclass(frozen=True)
class StoredPhoto:
    """A photo stored in two sizes; names are relative to the folder given to ``store_photo``."""

    name: str
    thumb_name: str
    width: int
    height: int


def megabytes(size: int) -> str:
    """5242880 → "5", 262144 → "0,25": a size in MB as Indonesians write it."""
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _read_upload(stream: IO[bytes], max_bytes: int, field: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(
            _("Berkas terlalu besar. Ukuran maksimal %(mb)s MB.", mb=megabytes(max_bytes)), field=field
        )
    if not data:
        raise DomainError(_("Berkas kosong."), field=field)
    return data


def _looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _decode(data: bytes, field: str, *, draft_side: int | None = None) -> Image.Image:
    """The upload as an upright RGB/RGBA image in sRGB, or a DomainError saying why it is refused."""
    if _looks_like_svg(data):
        raise DomainError(
            _("Berkas SVG bukan gambar yang diterima. Kirim foto JPEG, PNG atau WebP."), field=field
        )
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise DomainError(_("Hanya gambar JPEG, PNG atau WebP yang diterima."), field=field)
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("Gambar terlalu besar (resolusinya)."), field=field)
            probe.verify()
        image = Image.open(BytesIO(data))
        if draft_side and image.format == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far larger than we keep:
            # several times faster and lighter on a small server.
            image.draft("RGB", (draft_side, draft_side))
        image.load()
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
            image = _to_srgb(image, icc)
        image = image.convert("RGBA" if has_alpha else "RGB")
    except DomainError:
        raise
    except _DECODE_ERRORS as exc:
        raise DomainError(_("Berkas ini bukan gambar yang bisa dibaca."), field=field) from exc
    image.info.clear()  # nothing of the original's metadata (EXIF, XMP, comments) travels on
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Phone photos often carry a wide-gamut profile (Display P3); we drop profiles, so convert first."""
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


def _save_webp(image: Image.Image, path: Path) -> None:
    image.save(path, "WEBP", quality=82, method=4)


def store_image(
    stream: IO[bytes], folder: Path, *, max_bytes: int, max_side: int, field: str = "logo", prefix: str = ""
) -> str:
    """Validate an uploaded image and store it as WebP; return the file name relative to ``folder``."""
    data = _read_upload(stream, max_bytes, field)
    image = _decode(data, field)
    image.thumbnail((max_side, max_side))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}{secrets.token_hex(12)}.webp"
    _save_webp(image, folder / name)
    return name


def store_photo(
    stream: IO[bytes],
    folder: Path,
    *,
    max_bytes: int,
    large_side: int = 1200,
    thumb_side: int = 400,
    field: str = "photos",
) -> StoredPhoto:
    """Validate an uploaded photo, decode it once and store a large WebP and a thumbnail WebP.

    Both keep the aspect ratio (longest side at most ``large_side`` / ``thumb_side``); width and height
    are those of the large one."""
    data = _read_upload(stream, max_bytes, field)
    image = _decode(data, field, draft_side=large_side)
    image.thumbnail((large_side, large_side), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(12)
    name, thumb_name = f"{token}.webp", f"{token}-thumb.webp"
    _save_webp(image, folder / name)
    try:
        _save_webp(thumb, folder / thumb_name)
    except OSError:
        (folder / name).unlink(missing_ok=True)
        raise
    return StoredPhoto(name=name, thumb_name=thumb_name, width=image.width, height=image.height)
