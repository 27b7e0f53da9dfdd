"""Product photos: upload (several at once), reorder, delete; the files follow the transaction.

A photo is stored as two WebP files made by ``images.store_photo`` (large 1200 px, thumbnail 400 px) under
``UPLOAD_FOLDER/products/<product id>/``. Files written during a transaction that rolls back are removed, and
files of deleted photos are removed only once the deletion commits, so rows and files never disagree.
``Product.cover_thumb`` is always the thumbnail of the photo at position 0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from marketplace.accounts import policy
from marketplace.catalog import services
from marketplace.catalog.models import MAX_PHOTOS, Product, ProductPhoto
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.images import store_photo

PHOTO_FOLDER = "products"
_CREATED = "gotong_created_files"
_DISCARDED = "gotong_discarded_files"


@dataclass
class PhotoUpload:
    """What became of one upload: the photos added, and (file name, reason) for each file refused."""

    added: list[ProductPhoto] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


# --- files follow the transaction -----------------------------------------------------------------------


def _remember(key: str, paths: Iterable[str]) -> None:
    root = _upload_root()
    db.session.info.setdefault(key, []).extend(str(root / p) for p in paths if p)


def discard_after_commit(paths: Iterable[str]) -> None:
    """Remove these files (relative to the upload folder) once the current transaction commits."""
    _remember(_DISCARDED, paths)


def _remove(paths: Iterable[str]) -> None:
    folders = set()
    for name in paths:
        path = Path(name)
        path.unlink(missing_ok=True)
        folders.add(path.parent)
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty yet: other photos of the product remain
            folder.rmdir()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_CREATED, None)  # kept: their rows are committed
    _remove(session.info.pop(_DISCARDED, ()))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Still listed after the outermost transaction ended: it did not commit. New files go, old ones stay.
    _remove(session.info.pop(_CREATED, ()))
    session.info.pop(_DISCARDED, None)


# --- operations -----------------------------------------------------------------------------------------


def _require_editor(actor: Any, product: Product) -> None:
    if not policy.can_edit_product(actor, product):
        if product.business.is_suspended and policy.can_manage_products(actor, product.business):
            raise PermissionDenied(_("Usaha ini sedang ditangguhkan, jadi belum bisa mengubah produk."))
        raise PermissionDenied(_("Anda tidak punya akses untuk melakukan ini."))


def _sync_positions(product: Product, ordered: Sequence[ProductPhoto]) -> None:
    for position, photo in enumerate(ordered):
        photo.position = position
    product.cover_thumb = ordered[0].thumb_path if ordered else None


def ordered_photos(product: Product) -> list[ProductPhoto]:
    return sorted(product.photos, key=lambda p: (p.position, p.id or 0))


def add_photos(actor: Any, product: Product, uploads: Sequence[tuple[str, IO[bytes]]]) -> PhotoUpload:
    """Store each acceptable upload (up to MAX_PHOTOS per product); refuse the others one by one, so a single
    bad file does not cost a seller on a slow connection the good ones."""
    _require_editor(actor, product)
    # Two uploads at once (two tabs, a retried slow request) must not pass the limit together: the product
    # row is locked for the rest of the transaction and its photos read afresh under that lock.
    db.session.execute(select(Product.id).where(Product.id == product.id).with_for_update())
    db.session.refresh(product, attribute_names=["photos"])
    result = PhotoUpload()
    photos = ordered_photos(product)
    folder = _upload_root() / PHOTO_FOLDER / str(product.id)
    for filename, stream in uploads:
        if len(photos) >= MAX_PHOTOS:
            result.refused.append(
                (filename, _("Sudah %(n)d foto, batas per produk. Hapus foto lain dulu.", n=MAX_PHOTOS))
            )
            continue
        try:
            stored = store_photo(stream, folder, max_bytes=current_app.config["MAX_PHOTO_BYTES"])
        except DomainError as error:
            result.refused.append((filename, error.message))
            continue
        prefix = f"{PHOTO_FOLDER}/{product.id}/"
        photo = ProductPhoto(
            path=prefix + stored.name,
            thumb_path=prefix + stored.thumb_name,
            width=stored.width,
            height=stored.height,
        )
        _remember(_CREATED, (photo.path, photo.thumb_path))
        product.photos.append(photo)
        photos.append(photo)
        result.added.append(photo)
    if result.added:
        _sync_positions(product, photos)
        services.content_changed(product)  # new pictures are new content for the cooperative to review
        db.session.flush()
    return result


def _own_photo(product: Product, photo: ProductPhoto) -> None:
    if photo.product_id != product.id:
        raise DomainError(_("Foto ini bukan milik produk ini."))


def delete_photo(actor: Any, product: Product, photo: ProductPhoto) -> None:
    """Remove a photo. Removing or reordering approved photos adds nothing to review, so the status stays."""
    _require_editor(actor, product)
    _own_photo(product, photo)
    discard_after_commit((photo.path, photo.thumb_path))
    remaining = [p for p in ordered_photos(product) if p is not photo]
    product.photos.remove(photo)
    _sync_positions(product, remaining)
    db.session.flush()


def move_photo(actor: Any, product: Product, photo: ProductPhoto, offset: int) -> None:
    """Move a photo ``offset`` places (-1: earlier, 1: later); the first photo is the cover."""
    _require_editor(actor, product)
    _own_photo(product, photo)
    photos = ordered_photos(product)
    index = photos.index(photo)
    target = max(0, min(len(photos) - 1, index + offset))
    photos.insert(target, photos.pop(index))
    _sync_positions(product, photos)
    db.session.flush()
