"""The governance module's one error class: a refused operation, in Chinese."""
from __future__ import annotations


class GovernanceError(Exception):
    """A refused operation on a list, an item or a 准入 request; the message is Chinese and says what to do.
    `fields` maps a form field to its own message when several fields are wrong at once."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = dict(fields or {})
