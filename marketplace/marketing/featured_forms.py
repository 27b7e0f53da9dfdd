"""Forms of the campaign and featured-product pages: shape of input only (dates typed in WIB)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.cooperatives.forms import MultiCheckboxField
from marketplace.forms import strip
from marketplace.marketing.featured import CampaignData
from marketplace.marketing.featured_models import Campaign
from marketplace.marketing.promotion_forms import JAKARTA, start_of


def _local_date(moment: Any) -> Any:
    from marketplace.marketing.featured import aware

    return aware(moment).astimezone(JAKARTA).date()


class CampaignForm(FlaskForm):
    title = StringField(
        _l("Judul kampanye"),
        filters=[strip],
        validators=[DataRequired(_l("Isi judul kampanye.")), Length(min=3, max=120)],
        description=_l("Mis. Pekan Boneka Bekasi."),
    )
    description = TextAreaField(
        _l("Keterangan (boleh kosong)"), filters=[strip], validators=[Length(max=2000)]
    )
    starts_on = DateField(_l("Mulai (tanggal)"), validators=[InputRequired(_l("Isi tanggal mulai."))])
    ends_on = DateField(
        _l("Berakhir (tanggal)"),
        validators=[InputRequired(_l("Isi tanggal berakhir."))],
        description=_l("Tampil sampai pukul 23.59 WIB pada tanggal ini."),
    )
    product_ids = MultiCheckboxField(_l("Produk kampanye"), coerce=int, validate_choice=False)

    def validate_ends_on(self, field: Any) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Tanggal berakhir tidak boleh sebelum tanggal mulai."))

    def to_data(self) -> CampaignData:
        return CampaignData(
            title=self.title.data or "",
            description=self.description.data or "",
            starts_at=start_of(self.starts_on.data),
            ends_at=start_of(self.ends_on.data + timedelta(days=1)),
            product_ids=list(self.product_ids.data or []),
        )

    def fill_from(self, campaign: Campaign) -> None:
        self.title.data = campaign.title
        self.description.data = campaign.description
        self.starts_on.data = _local_date(campaign.starts_at)
        self.ends_on.data = _local_date(campaign.ends_at) - timedelta(days=1)
        self.product_ids.data = [item.product_id for item in campaign.items]


class FeatureForm(FlaskForm):
    product_id = IntegerField(
        _l("Nomor produk"), validators=[InputRequired(_l("Pilih produk.")), NumberRange(min=1, max=2**31 - 1)]
    )
    ends_on = DateField(
        _l("Tampil sampai (tanggal)"),
        validators=[Optional()],
        description=_l("Kosongkan untuk 14 hari."),
    )
