"""Forms of the health assessment pages: shape of input only (the rules live in health_service)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from marketplace.dashboards.health_service import (
    MAX_FOLLOW_UPS_AT_ONCE,
    AssessmentData,
    FollowUpData,
)
from marketplace.dashboards.models import ASPECT_LABELS, Aspect
from marketplace.forms import strip

MAX_INT = 2**31 - 1


def _score_field(aspect: Aspect) -> IntegerField:
    return IntegerField(
        ASPECT_LABELS[aspect],
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Nilai harus 0 sampai 100."))],
        render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"},
    )


def _weight_field(aspect: Aspect) -> IntegerField:
    return IntegerField(
        ASPECT_LABELS[aspect],
        default=0,
        validators=[
            InputRequired(_l("Isi bobot (0 bila aspek ini tidak dinilai).")),
            NumberRange(min=0, max=100, message=_l("Bobot harus bilangan bulat 0 sampai 100.")),
        ],
        render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"},
    )


class WeightSetForm(FlaskForm):
    name = StringField(
        _l("Nama set bobot"),
        filters=[strip],
        validators=[DataRequired(_l("Isi nama set bobot.")), Length(max=160)],
        description=_l("Mis. Koperasi Konsumen — pedoman dinas 2026."),
    )
    weight_capital = _weight_field(Aspect.CAPITAL)
    weight_asset_quality = _weight_field(Aspect.ASSET_QUALITY)
    weight_management = _weight_field(Aspect.MANAGEMENT)
    weight_efficiency = _weight_field(Aspect.EFFICIENCY)
    weight_liquidity = _weight_field(Aspect.LIQUIDITY)
    weight_independence = _weight_field(Aspect.INDEPENDENCE)
    weight_identity = _weight_field(Aspect.IDENTITY)

    def weight_fields(self) -> list[Any]:
        return [getattr(self, f"weight_{aspect.value}") for aspect in Aspect]

    def weights(self) -> dict[str, int]:
        return {aspect.value: getattr(self, f"weight_{aspect.value}").data for aspect in Aspect}

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and sum(self.weights().values()) != 100:
            self.form_errors.append(
                _l("Jumlah bobot harus tepat 100 (sekarang %(total)s).", total=sum(self.weights().values()))
            )
            return False
        return valid


class FollowUpEntry(Form):
    description = StringField(_l("Tindak lanjut"), filters=[strip], validators=[Length(max=500)])
    due_on = DateField(_l("Tenggat (boleh kosong)"), validators=[Optional()])

    def validate_due_on(self, field: Any) -> None:
        if field.data and not self.description.data:
            raise ValidationError(_l("Isi tindak lanjutnya, atau kosongkan tenggatnya."))


class AssessmentForm(FlaskForm):
    weight_set_id = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
    assessed_on = DateField(_l("Tanggal penilaian"), validators=[InputRequired(_l("Isi tanggal penilaian."))])
    financial_year = IntegerField(
        _l("Tahun buku yang dinilai"),
        validators=[
            InputRequired(_l("Isi tahun buku.")),
            NumberRange(min=1945, max=9999, message=_l("Tahun buku tidak sah.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    score_capital = _score_field(Aspect.CAPITAL)
    score_asset_quality = _score_field(Aspect.ASSET_QUALITY)
    score_management = _score_field(Aspect.MANAGEMENT)
    score_efficiency = _score_field(Aspect.EFFICIENCY)
    score_liquidity = _score_field(Aspect.LIQUIDITY)
    score_independence = _score_field(Aspect.INDEPENDENCE)
    score_identity = _score_field(Aspect.IDENTITY)
    summary = TextAreaField(_l("Ringkasan temuan"), filters=[strip], validators=[Length(max=5000)])
    follow_ups = FieldList(
        FormField(FollowUpEntry), min_entries=MAX_FOLLOW_UPS_AT_ONCE, max_entries=MAX_FOLLOW_UPS_AT_ONCE
    )

    # The aspects the chosen weight set asks a score for (set by the view before validating).
    asked: list[Aspect] = []

    def score_field(self, aspect: Aspect) -> Any:
        return getattr(self, f"score_{aspect.value}")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for aspect in self.asked:
            field = self.score_field(aspect)
            if field.data is None and not field.errors:
                field.errors = [*field.errors, _l("Isi nilai aspek ini (0 sampai 100).")]
                valid = False
        return valid

    def to_data(self) -> AssessmentData:
        return AssessmentData(
            weight_set_id=int(self.weight_set_id.data),
            assessed_on=self.assessed_on.data,
            financial_year=self.financial_year.data,
            scores={aspect.value: self.score_field(aspect).data for aspect in self.asked},
            summary=self.summary.data or "",
            follow_ups=[
                FollowUpData(entry.form.description.data, entry.form.due_on.data)
                for entry in self.follow_ups
                if entry.form.description.data
            ],
        )


class FollowUpForm(FlaskForm):
    description = StringField(
        _l("Tindak lanjut"),
        filters=[strip],
        validators=[DataRequired(_l("Isi tindak lanjutnya.")), Length(max=500)],
    )
    due_on = DateField(_l("Tenggat (boleh kosong)"), validators=[Optional()])

    def to_data(self) -> FollowUpData:
        return FollowUpData(self.description.data or "", self.due_on.data)


class FollowUpDoneForm(FlaskForm):
    note = StringField(_l("Catatan (boleh kosong)"), filters=[strip], validators=[Length(max=500)])
