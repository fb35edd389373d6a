"""Forms of the assets module; the rules themselves live in services (shared with import and API)."""
from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.models import Division, Level

from .models import Asset, Campaign, CheckResult, Condition, Plan, PublicUse, Route, Venue

DATE = DateInput  # the browser date picker (ISO values)


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
                  "land_cert", "condition", "nature", "owner_body", "owner_organisation", "funding", "restricted",
                  "valuer", "valuer_registration", "note"]
        widgets = {"acquired_on": DATE, "valuation_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        from xiangcun.bodies.models import Body
        from xiangcun.collective.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = unit_choices(user)
        self.fields["owner_body"].queryset = Body.objects.visible_to(user).current().select_related("unit")
        self.fields["owner_organisation"].queryset = Organisation.objects.visible_to(user).exclude(status="closed")
        self.fields["nature"].help_text = "国有资产的产权单位填机构,集体资产填集体经济组织;不能确定的填“待核实”,不要猜"
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
                  "description", "venue", "transaction_ref"]
        widgets = {"term_start": DATE, "term_end": DATE, "planned_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = unit_choices(user, current_only=True)


class OutcomeForm(forms.Form):
    outcome_date = forms.DateField(label="实施日期", widget=DATE, validators=[sensible_date])
    lessee = forms.CharField(label="承租方/使用方", required=False, max_length=100)
    annual_rent = forms.DecimalField(label="年租金(元)", required=False, min_value=0, max_digits=14, decimal_places=2)
    term_start = forms.DateField(label="租期起", required=False, widget=DATE, validators=[sensible_date])
    term_end = forms.DateField(label="租期止", required=False, widget=DATE, validators=[sensible_date])
    buyer = forms.CharField(label="受让方", required=False, max_length=100)
    sale_price = forms.DecimalField(label="成交价格(元)", required=False, min_value=0, max_digits=14, decimal_places=2)
    recipient = forms.CharField(label="接收国有企业", required=False, max_length=100)
    transfer_value = forms.DecimalField(label="注入价值(元)", required=False, min_value=0, max_digits=14,
                                        decimal_places=2)
    venue = forms.ChoiceField(label="交易方式", choices=[("", "—")] + list(Venue.choices), required=False,
                              help_text="国有资产出售:产权交易机构进场交易;集体资产转让:农村产权交易平台")
    transaction_ref = forms.CharField(label="挂牌/成交编号", required=False, max_length=60)
    result_published_on = forms.DateField(label="两公开:实施结果公开日期", required=False, widget=DATE,
                                          validators=[sensible_date], help_text="集体资产出租、出售必填")
    outcome_note = forms.CharField(label="实施情况", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(label="低于评估价或特殊情况说明", required=False, max_length=500,
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
    found_floor_area = forms.DecimalField(label="实测面积", required=False, min_value=0, max_digits=12, decimal_places=2)
    found_condition = forms.ChoiceField(label="实际现状", choices=[("", "—")] + list(Condition.choices), required=False)
    note = forms.CharField(label="说明", required=False, max_length=300)


class DeliberationForm(forms.Form):
    """四议两公开 of a collective asset's lease or disposal (the dates; 实施结果公开 comes with the outcome)."""

    proposed_on = forms.DateField(label="党组织提议", required=False, widget=DATE, validators=[sensible_date])
    reviewed_on = forms.DateField(label="两委会议商议", required=False, widget=DATE, validators=[sensible_date])
    party_meeting_on = forms.DateField(label="党员大会审议", required=False, widget=DATE, validators=[sensible_date])
    villagers_meeting_on = forms.DateField(label="村民(代表)会议决议", required=False, widget=DATE, validators=[sensible_date])
    resolution_published_on = forms.DateField(label="决议公开", required=False, widget=DATE, validators=[sensible_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control form-control-sm")
