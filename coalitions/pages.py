"""What every coalition page does with a refused step: roll back, answer 403 for a permission refusal, show
the message on the form field it names (or as a flash), and the save flow of the coalition forms whose
price rows (buying tiers, selling grades) are plain input pairs validated beside the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash

from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.forms import apply_domain_error
from marketplace.web import forbid


def fail(error: DomainError, form: Any = None) -> None:
    """Undo the step; 403 for a permission refusal; otherwise the message on its field, else as a flash."""
    db.session.rollback()
    if isinstance(error, PermissionDenied):
        forbid()
    if form is None or not apply_domain_error(form, error):
        flash(error.message, "error")


def save_form(
    form: Any,
    *,
    data: Callable[[Any], Any],
    save: Callable[[Any], Any],
    rows_field: str,
    row_errors: list[str],
    row_problem: str | None,
) -> Any | None:
    """Validate ``form`` (and its price rows: ``row_problem`` is what the rows' own check found), call
    ``save(data(form))``; a refusal lands next to the rows (``rows_field``), the deadline or its field."""
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)
    if row_problem:
        row_errors.append(row_problem)
        valid = False
    if not valid:
        return None
    try:
        return save(data(form))
    except DomainError as error:
        if error.field == rows_field:
            db.session.rollback()
            row_errors.append(error.message)
        elif error.field == "deadline":
            db.session.rollback()
            form.deadline_date.errors = [*form.deadline_date.errors, error.message]
        else:
            fail(error, form)
    return None
