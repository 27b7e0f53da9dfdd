"""Forms of the sellers' listing management: shape of input only; the rules live in ``catalog.services``.

A category's own attributes are not fixed fields: ``attribute_form`` builds them from
``CATEGORY_ATTRIBUTES`` (text inputs, selects, a checkbox), named ``attr_<key>`` so that the errors of
``InvalidAttributes`` land on the right field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from marketplace.catalog.attributes import BOOL, CHOICE, DECIMAL, INT, Attribute, attributes_for
from marketplace.catalog.models import UNITS, unit_label
from marketplace.catalog.services import MAX_DESCRIPTION, parse_quantity, parse_rupiah
from marketplace.forms import strip
from marketplace.sectors import Sector, sector_choices


class _ParsedField(StringField):
    """A text input whose ``data`` is parsed by a domain function; what was typed is shown back on error."""

    def parse(self, text: str) -> int:
        raise NotImplementedError

    def format(self, value: int) -> str:
        return f"{value:,}".replace(",", ".")

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if text:
            self.data = self.parse(text)  # a ValueError becomes this field's error message

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.format(self.data) if isinstance(self.data, int) else ""


class RupiahField(_ParsedField):
    """Whole rupiah as people type it: "85000", "85.000", "Rp85.000"; ``data`` is an int."""

    def parse(self, text: str) -> int:
        return parse_rupiah(text)


class QuantityField(_ParsedField):
    """A whole number of units ("25", "1.500"); ``data`` is an int."""

    def parse(self, text: str) -> int:
        return parse_quantity(text)


def _optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def unit_choices() -> list[tuple[str, str]]:
    return [(unit, unit_label(unit)) for unit in UNITS]


class ProductForm(FlaskForm):
    title = StringField(
        _l("Nama produk"),
        filters=[strip],
        validators=[
            DataRequired(_l("Nama produk wajib diisi.")),
            Length(min=3, max=160, message=_l("Nama produk 3 sampai 160 karakter.")),
        ],
        render_kw={"maxlength": 160, "placeholder": _l("mis. Boneka beruang rajut 30 cm")},
    )
    category = SelectField(
        _l("Kategori"), choices=sector_choices, validators=[DataRequired(_l("Pilih kategori produk."))]
    )
    description = TextAreaField(
        _l("Deskripsi"),
        filters=[strip],
        validators=[Length(max=MAX_DESCRIPTION)],
        description=_l(
            "Boleh memakai Markdown: **tebal**, *miring*, dan daftar dengan tanda - di awal baris."
        ),
    )
    price_idr = RupiahField(
        _l("Harga (Rp)"),
        validators=[InputRequired(_l("Harga wajib diisi."))],
        render_kw={"inputmode": "numeric", "placeholder": _l("mis. 85.000"), "autocomplete": "off"},
    )
    unit = SelectField(_l("Satuan"), choices=unit_choices, default="pcs")
    stock = QuantityField(
        _l("Stok"),
        default=0,
        validators=[InputRequired(_l("Stok wajib diisi (boleh 0)."))],
        render_kw={"inputmode": "numeric"},
    )
    min_order_qty = QuantityField(
        _l("Minimal pesan"),
        default=1,
        validators=[InputRequired(_l("Minimal pesan wajib diisi."))],
        render_kw={"inputmode": "numeric"},
    )
    low_stock_threshold = QuantityField(
        _l("Batas stok menipis"),
        default=5,
        validators=[InputRequired(_l("Batas stok menipis wajib diisi (boleh 0)."))],
        description=_l("Produk diberi tanda bila stoknya sama dengan atau kurang dari angka ini."),
        render_kw={"inputmode": "numeric"},
    )
    preorder = BooleanField(_l("Bisa dipesan walau stok habis (pre-order)"))
    cooperative_id = SelectField(_l("Dijual lewat koperasi"), coerce=_optional_int, validate_choice=False)
    stock_seen = HiddenField(filters=[_optional_int])

    def setup(self, cooperatives: list[Any]) -> None:
        self.cooperative_id.choices = [(c.id, c.name) for c in cooperatives]

    def data_for_service(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "",
            "category": self.category.data,
            "description": self.description.data or "",
            "price_idr": self.price_idr.data,
            "unit": self.unit.data,
            "stock": self.stock.data,
            "min_order_qty": self.min_order_qty.data,
            "low_stock_threshold": self.low_stock_threshold.data,
            "preorder": bool(self.preorder.data),
            "cooperative_id": self.cooperative_id.data,
            "stock_seen": self.stock_seen.data,
        }


# --- a category's own attributes ----------------------------------------------------------------------------


def category_note(category: Sector | str) -> str | None:
    """What a seller of this category should know before filling its attributes."""
    notes = {
        Sector.DOLLS_TOYS: _l("Mainan anak wajib bersertifikat SNI; tulis nomornya seperti di sertifikat."),
        Sector.FOOD_DRINK: _l("Pangan olahan wajib punya nomor P-IRT atau nomor BPOM (salah satu)."),
        Sector.LIVESTOCK: _l(
            "Harga per kg memerlukan bobot hidup. Hewan kurban minimal berumur 24 bulan (sapi, kerbau) "
            "atau 12 bulan (kambing, domba)."
        ),
    }
    note = notes.get(Sector(category))
    return str(note) if note else None


def _attribute_field(attr: Attribute) -> Field:
    label = attr.label if attr.required or attr.kind == BOOL else _("%(label)s (opsional)", label=attr.label)
    render_kw: dict[str, Any] = {}
    if attr.placeholder:
        render_kw["placeholder"] = attr.placeholder
    hint = attr.pattern_message
    if attr.kind == BOOL:
        return BooleanField(label)
    if attr.kind == CHOICE:
        options = [("", _("— Pilih —")), *((value, str(text)) for value, text in attr.choices)]
        return SelectField(label, choices=lambda: options, validate_choice=False, description=hint)
    if attr.kind in (INT, DECIMAL):
        render_kw["inputmode"] = "numeric" if attr.kind == INT else "decimal"
        if attr.suffix == "bulan":
            hint = _("Dalam bulan.")
        elif attr.suffix:
            hint = _("Dalam %(unit)s.", unit=attr.suffix)
    else:
        render_kw["maxlength"] = attr.max_length
    return StringField(label, filters=[strip], description=hint, render_kw=render_kw)


def _as_input(attr: Attribute, value: Any) -> Any:
    """A stored attribute value as its input shows it (Indonesian decimal comma)."""
    if attr.kind == BOOL:
        return bool(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")  # every digit kept: 1999.125 → "1999,125"
    return str(value)


class AttributeForm(Form):
    """The attribute fields of one category; ``attributes`` lists them in the category's order."""

    attributes: tuple[Attribute, ...] = ()
    category: Sector | None = None

    def raw_values(self) -> dict[str, Any]:
        return {attr.key: self[f"attr_{attr.key}"].data for attr in self.attributes}

    def set_errors(self, errors: Mapping[str, str]) -> None:
        for key, message in errors.items():
            field = self._fields.get(f"attr_{key}")
            if field is not None:
                field.errors = [message]


def attribute_form(
    category: Sector | str, formdata: Any = None, values: Mapping[str, Any] | None = None
) -> AttributeForm:
    """The attribute fields for ``category``: from the submitted form, else from stored ``values``."""
    category = Sector(category)
    attrs = attributes_for(category)
    form_class = type(
        "CategoryAttributeForm",
        (AttributeForm,),
        {f"attr_{attr.key}": _attribute_field(attr) for attr in attrs},
    )
    data = {
        f"attr_{attr.key}": _as_input(attr, values[attr.key])
        for attr in attrs
        if values and values.get(attr.key) is not None
    }
    form = form_class(formdata=formdata, data=data)
    form.attributes = attrs
    form.category = category
    return form


# --- photos, review, bulk update, plain buttons -------------------------------------------------------------


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(
        _l("Tambah foto"),
        validators=[FileRequired(_l("Pilih foto yang akan diunggah."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True},
    )


class MovePhotoForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["naik", "turun"])])


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan penolakan"),
        filters=[strip],
        validators=[
            DataRequired(_l("Tulis alasan penolakan agar penjual tahu apa yang perlu diperbaiki.")),
            Length(max=500, message=_l("Alasan paling banyak 500 karakter.")),
        ],
    )


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("Berkas CSV"),
        validators=[FileRequired(_l("Pilih berkas CSV yang sudah Anda ubah."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class ImportConfirmForm(FlaskForm):
    plan = HiddenField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that POST (pause, resume, submit, delete, approve)."""
