"""Forms of the assets module; the rules themselves live in services (shared with import and API)."""
from django import forms

from xiangcun.divisions.models import Division, Level

from .models import Asset, Campaign, CheckResult, Condition, Plan, PublicUse, Route

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser date picker wants ISO


def unit_choices(user, current_only=False):
    qs = Division.objects.visible_to(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("path")


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, d):
        indent = "\u3000" * max(0, d.level - Level.COUNTY)
        return f"{indent}{d.name}" + ("(已撤并)" if d.valid_to else "")


class AssetForm(forms.ModelForm):
    holder = UnitField(queryset=Division.objects.none(), label="原权属单位")

    class Meta:
        model = Asset
        fields = ["name", "category", "holder", "address", "lon", "lat", "floor_area", "land_area", "built_year",
                  "acquired_on", "book_value", "valuation", "valuation_date", "valuation_method", "property_cert",
                  "land_cert", "condition", "note"]
        widgets = {"acquired_on": DATE, "valuation_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = unit_choices(user)
        if self.instance.pk is None:
            self.fields = {"ledger_no": forms.CharField(label="资产编号", max_length=40), **self.fields}

    def clean_property_cert(self):
        from .imports import certificate

        return certificate(self.cleaned_data.get("property_cert"))

    def clean_land_cert(self):
        from .imports import certificate

        return certificate(self.cleaned_data.get("land_cert"))


class PlanForm(forms.ModelForm):
    route = forms.ChoiceField(label="盘活途径", choices=Route.choices, widget=forms.RadioSelect)
    new_use = forms.ChoiceField(label="新用途", choices=[("", "—")] + list(PublicUse.choices), required=False)
    responsible_unit = UnitField(queryset=Division.objects.none(), label="责任单位", required=False)

    class Meta:
        model = Plan
        fields = ["route", "new_use", "lessee", "annual_rent", "term_start", "term_end", "buyer", "sale_price",
                  "recipient", "transfer_value", "planned_date", "approval_document", "responsible_unit",
                  "description"]
        widgets = {"term_start": DATE, "term_end": DATE, "planned_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = unit_choices(user, current_only=True)


class OutcomeForm(forms.Form):
    outcome_date = forms.DateField(label="实施日期", widget=DATE)
    lessee = forms.CharField(label="承租方/使用方", required=False)
    annual_rent = forms.DecimalField(label="年租金(元)", required=False, min_value=0)
    term_start = forms.DateField(label="租期起", required=False, widget=DATE)
    term_end = forms.DateField(label="租期止", required=False, widget=DATE)
    buyer = forms.CharField(label="受让方", required=False)
    sale_price = forms.DecimalField(label="成交价格(元)", required=False, min_value=0)
    recipient = forms.CharField(label="接收国有企业", required=False)
    transfer_value = forms.DecimalField(label="注入价值(元)", required=False, min_value=0)
    outcome_note = forms.CharField(label="实施情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(label="低于评估价或特殊情况说明", required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class CampaignForm(forms.ModelForm):
    scope = UnitField(queryset=Division.objects.none(), label="清查范围")

    class Meta:
        model = Campaign
        fields = ["name", "scope", "as_of", "deadline"]
        widgets = {"as_of": DATE, "deadline": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = unit_choices(user, current_only=True).filter(level__lte=Level.TOWNSHIP)


class CheckForm(forms.Form):
    asset = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label="核实结果", choices=CheckResult.choices)
    found_floor_area = forms.DecimalField(label="实测面积", required=False, min_value=0)
    found_condition = forms.ChoiceField(label="实际现状", choices=[("", "—")] + list(Condition.choices), required=False)
    note = forms.CharField(label="说明", required=False, max_length=300)
