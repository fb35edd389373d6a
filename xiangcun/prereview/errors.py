"""The pre-review module's one error class: a refused operation, in Chinese."""
from __future__ import annotations


class PrereviewError(Exception):
    """A refused operation; `fields` maps a form field to its own message when several fields are wrong at once."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = dict(fields or {})
