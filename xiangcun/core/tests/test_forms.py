"""Every date a form pre-fills shows in the browser's date picker (yyyy-MM-dd, whatever the locale)."""
import datetime as dt
import inspect

from django import forms

from xiangcun.core.discovery import app_modules
from xiangcun.core.forms import DateInput


def product_forms():
    seen = {}
    for module in app_modules("forms"):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                seen[f"{cls.__module__}.{name}"] = cls
    return seen


def test_every_date_field_of_every_form_uses_the_iso_date_picker():
    found = {}
    for name, cls in product_forms().items():
        for field_name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField):
                found[f"{name}.{field_name}"] = field
    assert {"xiangcun.divisions.forms.EventForm.effective_date", "xiangcun.indicators.forms.ThresholdForm.valid_from",
            "xiangcun.facilities.forms.RuleForm.valid_from", "xiangcun.assets.forms.CampaignForm.as_of"} <= set(found)
    wrong = [name for name, field in found.items() if not isinstance(field.widget, DateInput)]
    assert wrong == []


def test_a_pre_filled_date_comes_up_in_the_picker(settings):
    from xiangcun.divisions.forms import EventForm
    from xiangcun.indicators.forms import ThresholdForm

    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        event = str(EventForm(initial={"effective_date": dt.date(2026, 12, 3)})["effective_date"])
        threshold = str(ThresholdForm(initial={"valid_from": dt.date(2023, 1, 1)})["valid_from"])
    assert 'type="date"' in event and 'value="2026-12-03"' in event
    assert 'type="date"' in threshold and 'value="2023-01-01"' in threshold
