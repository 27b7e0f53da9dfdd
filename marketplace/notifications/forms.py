"""Forms of the notification pages: buttons that only carry the CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (mark all read, open one)."""
