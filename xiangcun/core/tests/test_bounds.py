"""Every number, date and text a person can type — in an Excel import, a form or the API — has a range
that fits the column it is stored in, and anything outside it gets a Chinese error, never a 500.

The walks below find every importer, form and serializer in the product by themselves: a new one is
covered (or, for an importer, must say how it is built) without touching this file's checks.
"""
import importlib
import inspect
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

from xiangcun.core.excel import Importer
from xiangcun.core.validators import field_bounds

BAD_NUMBERS = ["1e30", "12345678901234567", "-1", "abc", "1e300", "1e999999"]
NEGATIVE_OK = {"lon", "lat", "other_income", "value", "baseline", "min_value", "max_value"}
CJK = re.compile(r"[\u4e00-\u9fff]")
APPS = ["accounts", "assets", "core", "divisions", "facilities", "indicators", "services"]


def _modules(suffix):
    for app in APPS:
        for name in (suffix,):
            try:
                yield importlib.import_module(f"xiangcun.{app}.{name}")
            except ModuleNotFoundError:
                pass


def _classes(base, suffixes):
    found = {}
    for suffix in suffixes:
        for module in _modules(suffix):
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, base) and cls.__module__.startswith("xiangcun.") and cls is not base:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def chinese(messages) -> bool:
    return bool(messages) and all(CJK.search(m) for m in messages)


# --- importers --------------------------------------------------------------------------------------

@pytest.fixture
def importers(maerkang, make_user):
    from xiangcun.accounts.models import Role
    from xiangcun.divisions.models import Division, Level
    from xiangcun.indicators.catalogue import seed
    from xiangcun.indicators.models import DataElement

    seed(DataElement)
    admin = make_user("admin", Role.ADMIN, maerkang)
    scope = Division.objects.all()
    build = {
        "xiangcun.assets.imports.AssetImporter": lambda c: c(scope=scope, user=admin),
        "xiangcun.services.imports.ItemImporter": lambda c: c(scope=scope),
        "xiangcun.divisions.imports.GroupImporter": lambda c: c(scope=scope),
        "xiangcun.divisions.imports.EventImporter": lambda c: c(scope=scope),
        "xiangcun.facilities.imports.FacilityImporter": lambda c: c(scope=scope, user=admin),
        "xiangcun.facilities.imports.GradeImporter": lambda c: c(scope=scope),
        "xiangcun.facilities.imports.CohortImporter": lambda c: c(scope=scope, user=admin),
        "xiangcun.indicators.imports.ValueImporter": lambda c: c(scope, admin, Level.VILLAGE, "2023"),
        "xiangcun.indicators.imports.CollectiveImporter": lambda c: c(scope, admin),
    }
    found = _classes(Importer, ["imports"])
    assert set(found) == set(build), "a new importer: say here how it is built so that its columns are walked"
    out = []
    for name, cls in found.items():
        imp = build[name](cls)
        imp.bind_columns()
        out.append(imp)
    return out


def test_every_importer_numeric_column_refuses_what_its_column_cannot_hold(importers):
    walked = 0
    for imp in importers:
        for column in imp.columns:
            if column.kind not in ("int", "decimal"):
                continue
            walked += 1
            f = imp.model_field(column)
            if f is not None:  # the column's range fits the model field's
                fb = field_bounds(f)
                assert column.max_value <= fb.high and column.min_value >= fb.low, (imp.title, column.header)
            for bad in BAD_NUMBERS:
                if bad == "-1" and (column.field in NEGATIVE_OK or column.min_value < 0):
                    continue
                with pytest.raises(ValidationError) as exc:
                    imp.clean_cell(column, bad, {})
                assert chinese(exc.value.messages), (imp.title, column.header, bad, exc.value.messages)
            for bad in (1e30, 12345678901234567, float("inf"), float("nan")):  # numbers as Excel stores them
                with pytest.raises(ValidationError):
                    imp.clean_cell(column, bad, {})
    assert walked >= 30


def test_every_importer_text_and_date_column_fits_its_model_field(importers):
    for imp in importers:
        for column in imp.columns:
            f = imp.model_field(column)
            if column.kind == "text" and f is not None and getattr(f, "max_length", None):
                assert column.width and column.width <= f.max_length, (imp.title, column.header)
                with pytest.raises(ValidationError) as exc:
                    imp.clean_cell(column, "字" * (f.max_length + 1), {})
                assert "不能超过" in exc.value.messages[0]
            if column.kind == "date":
                for bad in ("1900-01-01", "2999-12-31"):
                    with pytest.raises(ValidationError) as exc:
                        imp.clean_cell(column, bad, {})
                    assert "不合理" in exc.value.messages[0] or "晚于今天" in exc.value.messages[0], exc.value.messages


# --- forms ------------------------------------------------------------------------------------------

def _form_classes():
    return _classes(forms.BaseForm, ["forms", "views"])


def _form_rejects(form_cls, name, field, raw):
    """The messages a form gives for `raw` in field `name` (form field, then the model's validators)."""
    try:
        value = field.clean(raw)
    except ValidationError as exc:
        return exc.messages
    model = getattr(getattr(form_cls, "_meta", None), "model", None)
    if model is not None:
        try:
            mf = model._meta.get_field(name)
        except Exception:
            return []
        try:
            mf.run_validators(value)
        except ValidationError as exc:
            return exc.messages
    return []


NUMERIC_FORM_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def test_every_form_numeric_field_refuses_absurd_numbers_in_chinese(db):
    walked = 0
    for name, form_cls in _form_classes().items():
        for fname, field in form_cls.base_fields.items():
            if not isinstance(field, NUMERIC_FORM_FIELDS) or isinstance(field.widget, forms.HiddenInput):
                continue
            walked += 1
            for bad in BAD_NUMBERS:
                if bad == "-1" and fname in NEGATIVE_OK:
                    continue
                messages = _form_rejects(form_cls, fname, field, bad)
                assert chinese(messages), (name, fname, bad, messages)
    assert walked >= 25


def test_every_form_date_field_refuses_dates_out_of_the_sensible_range(db):
    walked = 0
    for name, form_cls in _form_classes().items():
        for fname, field in form_cls.base_fields.items():
            if not isinstance(field, forms.DateField) or isinstance(field, forms.DateTimeField):
                continue
            walked += 1
            for bad in ("1900-01-01", "2999-12-31"):
                messages = _form_rejects(form_cls, fname, field, bad)
                assert chinese(messages), (name, fname, bad, messages)
    assert walked >= 10


def test_every_model_form_text_field_is_bounded_by_its_column(db):
    for name, form_cls in _form_classes().items():
        model = getattr(getattr(form_cls, "_meta", None), "model", None)
        for fname, field in form_cls.base_fields.items():
            if not isinstance(field, forms.CharField) or model is None:
                continue
            try:
                mf = model._meta.get_field(fname)
            except Exception:
                continue
            if isinstance(mf, models.CharField) and mf.max_length:
                messages = _form_rejects(form_cls, fname, field, "字" * (mf.max_length + 1))
                assert chinese(messages), (name, fname, messages)


# --- API --------------------------------------------------------------------------------------------

def test_every_serializer_numeric_and_date_field_refuses_out_of_range_input_in_chinese(db):
    walked = 0
    for name, cls in _classes(serializers.Serializer, ["api"]).items():
        try:
            fields = cls().fields
        except Exception:
            continue
        for fname, field in fields.items():
            if field.read_only:
                continue
            if isinstance(field, (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)):
                bads = [b for b in BAD_NUMBERS if not (b == "-1" and fname in NEGATIVE_OK)]
            elif isinstance(field, serializers.DateField) and not isinstance(field, serializers.DateTimeField):
                bads = ["1900-01-01", "2999-12-31"]
            else:
                continue
            walked += 1
            for bad in bads:
                with pytest.raises(serializers.ValidationError) as exc:
                    field.run_validation(bad)
                detail = exc.value.detail
                messages = [str(m) for m in (detail if isinstance(detail, list) else [detail])]
                assert chinese(messages), (name, fname, bad, messages)
    assert walked >= 10


def test_model_bounds_do_not_change_the_migration_state():
    """The ranges are validators on the fields at run time, not part of their definitions."""
    from xiangcun.assets.models import Asset

    f = Asset._meta.get_field("floor_area")
    assert "validators" not in f.deconstruct()[3]
    assert any(getattr(v, "limit_value", None) == Decimal("9999999999.99") for v in f.validators)
    assert field_bounds(f).low == 0


UNBOUNDED_TEXT_OK = {  # plain text inputs with no column of their own to overflow
    ("xiangcun.accounts.forms.UserForm", "password"),  # hashed before it is stored
    ("xiangcun.accounts.forms.UserForm", "phone"),  # checked as an 11-digit mobile number, stored encrypted
    ("xiangcun.facilities.forms.ScenarioForm", "note"),  # a TextField
    ("xiangcun.indicators.forms.ElementForm", "choices_text"),  # parsed into a list of short options
}


def test_every_plain_text_input_has_a_length_limit(db):
    """600 characters typed into a form field bound for a 100-character column: a Chinese error, not a
    database error on PostgreSQL."""
    for name, form_cls in _form_classes().items():
        for fname, field in form_cls.base_fields.items():
            if type(field) is not forms.CharField or field.max_length is not None:
                continue
            model = getattr(getattr(form_cls, "_meta", None), "model", None)
            mf = None
            if model is not None:
                try:
                    mf = model._meta.get_field(fname)
                except Exception:
                    mf = None
            if isinstance(mf, models.CharField) and mf.max_length:  # the model's validator bounds it
                assert chinese(_form_rejects(form_cls, fname, field, "字" * (mf.max_length + 1))), (name, fname)
                continue
            assert (name, fname) in UNBOUNDED_TEXT_OK, f"{name}.{fname} has no max_length"
    messages = _form_rejects(_form_classes()["xiangcun.assets.forms.OutcomeForm"], "lessee",
                             _form_classes()["xiangcun.assets.forms.OutcomeForm"].base_fields["lessee"], "租" * 600)
    assert chinese(messages)
