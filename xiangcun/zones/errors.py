class ZoneError(Exception):
    """A zoning rule refused an operation; the message (Chinese) says what and where; `fields` maps a form field
    to its own message when the rule concerns fields of a form."""

    expected = True

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or {}
