from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from xiangcun.divisions.models import Division, Level

from . import services
from .models import CODE_RE, CollectiveEconomy, DataElement, Target, ValueType, period_type_of


class ElementForm(forms.ModelForm):
    choices_text = forms.CharField(label="选项", required=False, help_text="选项类指标的可选值,用顿号或逗号分隔")

    class Meta:
        model = DataElement
        fields = ["code", "name", "short_name", "unit", "category", "value_type", "choices_text", "level", "period_type",
                  "aggregation", "weight", "formula", "min_value", "max_value", "higher_is_better", "is_key",
                  "description", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].queryset = DataElement.objects.filter(formula="", value_type=ValueType.NUMBER)
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
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (Division.objects.visible_to(user).current()
                                        .filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)).order_by("path"))
        self.fields["unit"].label_from_instance = lambda d: ("　" * max(0, d.level - 3)) + d.name
        self.fields["element"].queryset = DataElement.objects.active().filter(
            value_type__in=(ValueType.NUMBER, ValueType.PERCENT, ValueType.BOOL))

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
    valid_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="依据", max_length=200, required=False)
