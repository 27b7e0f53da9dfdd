"""The activation target form of a region's officers: shape of input only (rules: ``dashboards.targets``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.dashboards.targets import TargetData, add_years
from marketplace.forms import strip

BY_DATE = "tanggal"


def duration_choices() -> list[tuple[str, Any]]:
    years = [(str(n), _l("%(n)d tahun", n=n)) for n in range(1, 11)]
    return [*years, (BY_DATE, _l("Sampai tanggal tertentu"))]


class TargetForm(FlaskForm):
    title = StringField(
        _l("Nama target"),
        filters=[strip],
        validators=[DataRequired(_l("Beri nama targetnya.")), Length(max=160)],
        description=_l("Mis. Revitalisasi koperasi 2026–2030."),
    )
    target_percent = IntegerField(
        _l("Target koperasi aktif (%)"),
        validators=[
            InputRequired(_l("Isi persen target.")),
            NumberRange(min=1, max=100, message=_l("Persen target antara 1 dan 100.")),
        ],
        description=_l("Persen dari semua koperasi terdaftar di wilayah ini yang aktif pada tenggat."),
        render_kw={"inputmode": "numeric"},
    )
    start_on = DateField(_l("Mulai"), validators=[InputRequired(_l("Isi tanggal mulai."))])
    duration = SelectField(_l("Jangka waktu"), choices=duration_choices, default="5")
    deadline_on = DateField(
        _l("Tenggat (bila sampai tanggal tertentu)"),
        validators=[Optional()],
    )
    notes = TextAreaField(_l("Catatan (boleh kosong)"), filters=[strip], validators=[Length(max=2000)])

    def deadline(self) -> date | None:
        if self.duration.data == BY_DATE:
            return self.deadline_on.data
        if self.start_on.data is None:
            return None
        return add_years(self.start_on.data, int(self.duration.data))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.duration.data != BY_DATE or self.deadline_on.errors:
            return valid
        # Checked here, not in validate_deadline_on: Optional() stops the field's chain on an empty value.
        if self.deadline_on.data is None:
            self.deadline_on.errors.append(_l("Isi tanggal tenggat."))
            return False
        if self.start_on.data is not None and self.deadline_on.data <= self.start_on.data:
            self.deadline_on.errors.append(_l("Tenggat harus setelah tanggal mulai."))
            return False
        return valid

    def to_data(self) -> TargetData:
        return TargetData(
            title=self.title.data or "",
            target_percent=self.target_percent.data,
            start_on=self.start_on.data,
            deadline_on=self.deadline(),
            notes=self.notes.data or "",
        )
