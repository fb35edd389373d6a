"""Form pieces every module shares."""
from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type=date>`). Its value must be yyyy-MM-dd whatever the locale:
    Django's zh-hans format ("2026/12/03") leaves a pre-filled picker blank."""

    input_type = "date"

    def __init__(self, attrs=None, format=ISO_DATE):  # noqa: A002  (Django's own argument name)
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateField(forms.DateField):
    """A date field shown with the date picker; typed dates in the forms people write them still parse."""

    widget = DateInput
