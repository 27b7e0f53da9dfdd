"""Forms of the cart, checkout, payment and fulfilment pages: shape of input only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, IntegerField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from marketplace.forms import IndonesianPhone, RegionFieldsMixin, strip
from marketplace.orders.models import DELIVERY_LABELS, DeliveryMethod


class CartQuantityForm(FlaskForm):
    product_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    quantity = IntegerField(
        _l("Jumlah"),
        validators=[
            InputRequired(_l("Isi jumlah yang dibeli.")),
            NumberRange(min=0, max=1_000_000, message=_l("Jumlah harus angka bulat 0 atau lebih.")),
        ],
        default=1,
    )


class CheckoutForm(RegionFieldsMixin, FlaskForm):
    contact_name = StringField(
        _l("Nama penerima"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama penerima.")), Length(max=120)],
    )
    contact_email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi e-mail untuk bukti pesanan.")),
            Email(_l("Alamat e-mail tidak valid.")),
        ],
        description=_l("Bukti pesanan dan tautan untuk melihatnya dikirim ke sini."),
    )
    contact_phone = TelField(
        _l("Nomor WhatsApp/HP"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nomor yang bisa dihubungi penjual.")), IndonesianPhone()],
    )
    delivery_method = RadioField(
        _l("Cara menerima"),
        choices=lambda: [(m.value, DELIVERY_LABELS[m]) for m in DeliveryMethod],
        default=DeliveryMethod.DELIVERY.value,
        validators=[DataRequired(_l("Pilih cara menerima pesanan."))],
    )
    address = StringField(
        _l("Alamat pengiriman"),
        filters=[strip],
        validators=[Length(max=300)],
        description=_l("Jalan, nomor rumah, RT/RW, kelurahan, kecamatan."),
    )
    postal_code = StringField(
        _l("Kode pos"),
        filters=[strip],
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("Kode pos 5 angka."))],
    )
    note = TextAreaField(
        _l("Catatan untuk penjual (boleh kosong)"), filters=[strip], validators=[Optional(), Length(max=1000)]
    )
    payment_method = RadioField(_l("Cara membayar"), validators=[DataRequired(_l("Pilih cara membayar."))])
    promo_code = StringField(
        _l("Kode promo"),
        filters=[strip],
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    cart_digest = HiddenField()

    def _delivers(self) -> bool:
        return self.delivery_method.data == DeliveryMethod.DELIVERY.value

    def validate_address(self, field):  # type: ignore[no-untyped-def]
        if self._delivers() and not field.data:
            raise ValidationError(_l("Isi alamat pengiriman."))

    def validate_province_code(self, field):  # type: ignore[no-untyped-def]
        if self._delivers():
            super().validate_province_code(field)

    def validate_regency_code(self, field):  # type: ignore[no-untyped-def]
        if self._delivers():
            super().validate_regency_code(field)


class ProofForm(FlaskForm):
    proof = FileField(_l("Foto/tangkapan layar bukti transfer"))


class ShipForm(FlaskForm):
    courier = StringField(
        _l("Kurir"), filters=[strip], validators=[DataRequired(_l("Isi nama kurir.")), Length(max=60)]
    )
    tracking_number = StringField(
        _l("Nomor resi"), filters=[strip], validators=[DataRequired(_l("Isi nomor resi.")), Length(max=80)]
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan"), filters=[strip], validators=[DataRequired(_l("Tulis alasannya.")), Length(max=500)]
    )


class ReviewTransferForm(FlaskForm):
    note = TextAreaField(_l("Catatan (wajib bila ditolak)"), filters=[strip], validators=[Length(max=500)])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
