from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.models import Division, Level

from . import services
from .models import CODE_RE, CollectiveEconomy, DataElement, Target, ValueType, period_type_of


def plain_decimals(form, names) -> None:
    """Show stored decimals as typed (100, not 100.0000) when a form edits an existing record."""
    for name in names:
        value = getattr(form.instance, name, None)
        if form.instance.pk and isinstance(value, Decimal) and name not in form.data:
            form.initial[name] = f"{value.normalize():f}"


class ElementForm(forms.ModelForm):
    choices_text = forms.CharField(label="选项", required=False, help_text="选项类指标的可选值,用顿号或逗号分隔")

    class Meta:
        model = DataElement
        fields = ["code", "name", "short_name", "unit", "category", "value_type", "choices_text", "level", "period_type",
                  "aggregation", "weight", "formula", "not_above", "min_value", "max_value", "higher_is_better", "is_key",
                  "description", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].queryset = DataElement.objects.filter(formula="", value_type=ValueType.NUMBER)
        self.fields["not_above"].queryset = DataElement.objects.entered().filter(value_type=ValueType.NUMBER).exclude(
            pk=self.instance.pk)
        plain_decimals(self, ("min_value", "max_value"))
        if self.instance.pk:
            self.fields["choices_text"].initial = "、".join(self.instance.choices or [])
            if self.instance.values.exists():
                # values already refer to this code and type: changing them would reinterpret stored data
                for name in ("code", "value_type", "level", "period_type"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "已有填报数据,不能修改"

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_RE.match(code):
            raise ValidationError("代码应以大写字母开头,只含大写字母、数字和下划线(2–40 个字符)")
        return code

    def clean(self):
        data = super().clean()
        text = (self.data.get("choices_text") or "").replace(",", "、").replace(",", "、")
        data["choices"] = [c.strip() for c in text.split("、") if c.strip()]
        if data.get("value_type") == ValueType.CHOICE and not data["choices"]:
            self.add_error("choices_text", "选项类指标须列出可选值")
        if data.get("formula"):
            try:
                services.check_formula(data["formula"], data.get("code") or self.instance.code)
            except ValidationError as exc:
                self.add_error("formula", exc)
            if data.get("value_type") not in (ValueType.NUMBER, ValueType.PERCENT):
                self.add_error("value_type", "计算指标应为数值或百分比")
        whole = data.get("not_above")
        if whole is not None:
            level = data.get("level") or self.instance.level
            period_type = data.get("period_type") or self.instance.period_type
            if data.get("formula") or data.get("value_type") != ValueType.NUMBER:
                self.add_error("not_above", "只有填报的数值指标可以设定“不大于”")
            elif whole.level != level or whole.period_type != period_type:
                self.add_error("not_above", f"“{whole.name}”的采集层级或期间类型与本指标不同,无法逐单位比较")
            else:
                seen, step = set(), whole
                while step is not None and step.pk not in seen:
                    if self.instance.pk and step.pk == self.instance.pk:
                        self.add_error("not_above", f"“{whole.name}”已直接或间接不大于本指标,不能循环设定")
                        break
                    seen.add(step.pk)
                    step = step.not_above
        if data.get("aggregation") == "weighted_mean" and not data.get("weight"):
            self.add_error("weight", "加权平均须指定权重指标")
        return data

    def save(self, commit=True):
        self.instance.choices = self.cleaned_data.get("choices", [])
        return super().save(commit)


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["unit", "element", "period", "comparison", "value", "baseline", "start_date", "due_date", "owner", "note"]
        widgets = {"start_date": DateInput, "due_date": DateInput}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (Division.objects.visible_to(user).current()
                                        .filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)).order_by("path"))
        self.fields["unit"].label_from_instance = lambda d: ("　" * max(0, d.level - 3)) + d.name
        self.fields["element"].queryset = DataElement.objects.active().filter(
            value_type__in=(ValueType.NUMBER, ValueType.PERCENT, ValueType.BOOL))
        plain_decimals(self, ("value", "baseline"))

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        if period_type_of(period) is None:
            raise ValidationError("期间应如 2022、2022Q3 或 2022-05")
        return period


class CollectiveForm(forms.ModelForm):
    class Meta:
        model = CollectiveEconomy
        fields = ["total_income", "business_income", "contract_income", "investment_income", "other_income",
                  "assets", "liabilities", "org_form", "integration_mode", "note"]

    def clean(self):
        data = super().clean()
        for name in ("total_income", "business_income", "contract_income", "investment_income", "assets", "liabilities"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "不能为负数")
        operating = sum((data.get(k) or Decimal(0)) for k in ("business_income", "contract_income", "investment_income", "other_income"))
        if data.get("total_income") is not None and operating > data["total_income"]:
            self.add_error("total_income", f"总收入不能小于经营性收入({operating:,.2f} 元)")
        return data


class ThresholdForm(forms.Form):
    value = forms.DecimalField(label="薄弱村标准(元)", min_value=0, max_digits=14, decimal_places=2)
    valid_from = forms.DateField(label="起始日期", widget=DateInput, validators=[sensible_date])
    note = forms.CharField(label="依据", max_length=200, required=False)
