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


class Styled:
    """Mix into a form: its widgets get Bootstrap's small controls (selects `form-select-sm`, checkboxes
    `form-check-input`, the rest `form-control-sm`), so a field fills its column instead of its browser default
    width (a bare textarea is 40 columns wide and overflows a narrow card)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if css and "class" not in widget.attrs:
                widget.attrs["class"] = css
