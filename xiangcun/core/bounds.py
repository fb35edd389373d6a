"""Every numeric and date column of every model gets a range that fits it, in one place.

`install()` (called once from core's AppConfig.ready) gives each Integer/Decimal/Float field the
bounds of its database type and its sensible domain (core.validators.field_bounds), and each
DateField the range people may type (1949-01-01 … today + 50 years), as Min/MaxValueValidators with
Chinese messages that name the value. ModelForms run them (model validation), DRF ModelSerializers
turn them into min_value/max_value, and the Excel importers read the same bounds — so a number that
the column cannot hold (1e30, 12345678901234567) is refused everywhere with a Chinese message instead
of being written and breaking every page that reads it back.

The validators are set on the field's cached `validators`, not on `_validators`: they are not part
of the field's definition, so no migration follows from them.
"""
from __future__ import annotations

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .validators import DATE_MIN, date_max, field_bounds, plain_number


class _Min(MinValueValidator):
    def __init__(self, limit, shown):
        super().__init__(limit, message=f"“%(show_value)s”超出范围:不能小于 {shown}")


class _Max(MaxValueValidator):
    def __init__(self, limit, shown):
        super().__init__(limit, message=f"“%(show_value)s”超出范围:不能大于 {shown}")


class _DateMin(MinValueValidator):
    def __init__(self):
        super().__init__(DATE_MIN, message="日期 %(show_value)s 早于 %(limit_value)s,不合理,请检查年份")


class _DateMax(MaxValueValidator):
    def __init__(self):
        super().__init__(date_max, message="日期 %(show_value)s 晚于 %(limit_value)s,不合理,请检查年份")


def bounded_validators(field) -> list | None:
    """The field's validators with its range made to fit the column (None: not a bounded kind)."""
    if type(field) is models.DateField or (isinstance(field, models.DateField)
                                           and not isinstance(field, models.DateTimeField)):
        if field.auto_now or field.auto_now_add:
            return None
        kept = [v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))]
        return kept + [_DateMin(), _DateMax()]
    bounds = field_bounds(field)
    if bounds is None:
        return None
    kept = [v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))]
    out = list(kept)
    if bounds.low is not None:
        out.append(_Min(bounds.low, plain_number(bounds.low)))
    if bounds.high is not None:
        out.append(_Max(bounds.high, plain_number(bounds.high)))
    return out


def install() -> None:
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.primary_key or field.is_relation:
                continue
            validators = bounded_validators(field)
            if validators is not None:
                field.__dict__["validators"] = validators  # the cached_property's slot
