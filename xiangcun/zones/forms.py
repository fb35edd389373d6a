"""Forms of the zones module."""
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from xiangcun.core.forms import DateField, DateInput, Styled
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import places

from .models import FarmlandTarget, Patch, PatchStatus, Plan, SchemeLevel, SchemeStatus, VillageFunction, VillageType, Zone, ZoningScheme

MAX_POP = 100_000_000


class ProposeForm(forms.Form):
    county = forms.ModelChoiceField(queryset=Division.objects.none(), label="县(市、区)")
    name = forms.CharField(label="方案名称", max_length=100)
    level = forms.ChoiceField(label="片区层级", choices=SchemeLevel.choices)
    p = forms.IntegerField(label="片区数", min_value=1, max_value=200)
    min_pop = forms.IntegerField(label="每个片区人口下限", min_value=0, max_value=MAX_POP, required=False)
    max_pop = forms.IntegerField(label="每个片区人口上限", min_value=1, max_value=MAX_POP, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = places(user).filter(level=Level.COUNTY)

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_pop"), data.get("max_pop")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max_pop", f"人口上限 {hi} 小于下限 {lo}")
        return data


class SchemeForm(forms.ModelForm):
    class Meta:
        model = ZoningScheme
        fields = ["name", "status", "document", "date", "note"]
        widgets = {"date": DateInput}

    def clean(self):
        data = super().clean()
        if data.get("status") == SchemeStatus.APPROVED and not (data.get("document") or "").strip():
            self.add_error("document", "已批复的方案须填写批复文号")
        return data


class MoveForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Division.objects.none(), label="调整的单位")
    zone = forms.ModelChoiceField(queryset=None, label="调入片区")

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Division.objects.filter(zones__scheme=scheme).order_by("code", "name")
        self.fields["zone"].queryset = scheme.zones.order_by("id")


class DesignationForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(queryset=Division.objects.none(), label="单位(乡镇或建制村)")
    category = forms.ChoiceField(label="类型", choices=VillageType.choices)
    function = forms.ChoiceField(label="功能类型(仅建制村)", choices=[("", "—")] + VillageFunction.choices,
                                 required=False)
    valid_from = DateField(label="起始日期")
    note = forms.CharField(label="依据/说明", max_length=200, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Division.objects.none()
        self.fields["unit"].label_from_instance = lambda u: (u.name if u.level == Level.TOWNSHIP
                                                             else f"{u.parent.name if u.parent_id else ''} {u.name}")


class PlanForm(Styled, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "name", "unit", "zone", "stage", "target_date", "document", "approved_on", "term_years",
                  "note"]
        widgets = {"target_date": DateInput, "approved_on": DateInput}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (Division.objects.visible_to(user).current()
                                        .filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("path"))
        self.fields["unit"].label_from_instance = lambda u: (u.name if u.level == Level.TOWNSHIP
                                                             else f"{u.parent.name if u.parent_id else ''} {u.name}")
        self.fields["zone"].queryset = Zone.objects.visible_to(user).select_related("scheme").order_by("scheme", "id")
        self.fields["zone"].label_from_instance = lambda z: f"{z.scheme.name}:{z.name}"
        self.fields["term_years"].widget.attrs.update(min=1, max=50)
        self.fields["term_years"].validators.append(MaxValueValidator(50, "规划期限不超过50年"))
        self.fields["term_years"].validators.append(MinValueValidator(1, "规划期限至少1年"))


# --- 耕地保护 -------------------------------------------------------------------------------------------------

class FarmlandTargetForm(Styled, forms.ModelForm):
    """A township's figures for a year. A township user gets the actuals only (the targets are the county's)."""

    class Meta:
        model = FarmlandTarget
        fields = ["unit", "year", "cultivated_target", "cultivated_actual", "basic_target", "basic_actual", "note"]

    def __init__(self, *args, townships=None, county_user=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = townships if townships is not None else Division.objects.none()
        self.fields["unit"].error_messages["invalid_choice"] = "请从列表中选择您管辖范围内的现行乡镇"
        self.fields["year"].validators += [MinValueValidator(2000, "年度不早于2000年"),
                                           MaxValueValidator(2100, "年度不晚于2100年")]
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        for name in ("cultivated_target", "cultivated_actual", "basic_target", "basic_actual"):
            self.fields[name].widget.attrs.update(min=0, step="0.01")
        if not county_user:
            for name in ("cultivated_target", "basic_target", "note"):
                del self.fields[name]

    def clean(self):
        """(unit, year) names the record being updated, not a clash: the form checks against that row."""
        data = super().clean()
        if data.get("unit") and data.get("year"):
            self.instance = FarmlandTarget.objects.filter(unit=data["unit"], year=data["year"]).first() or self.instance
        return data


class PatchForm(Styled, forms.ModelForm):
    geometry_text = forms.CharField(label="图斑范围(GeoJSON 多边形,可选)", required=False, max_length=200_000,
                                    widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Patch
        fields = ["number", "unit", "kind", "area", "lon", "lat", "found_on", "deadline"]
        widgets = {"found_on": DateInput, "deadline": DateInput}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Division.objects.none()
        self.fields["unit"].label_from_instance = lambda u: (u.name if u.level == Level.TOWNSHIP
                                                             else f"{u.parent.name if u.parent_id else ''} {u.name}")
        self.fields["area"].required = True
        self.fields["lon"].widget.attrs.update(step="0.000001")
        self.fields["lat"].widget.attrs.update(step="0.000001")

    def validate_unique(self):
        """The number's uniqueness is checked by farmland.save_patch, beside the field with the other rules."""


class PatchStatusForm(Styled, forms.Form):
    status = forms.ChoiceField(label="整改状态", choices=PatchStatus.choices)
    note = forms.CharField(label="整改情况", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rectified_on = DateField(label="整改完成日期(已整改时填写)", required=False)
    evidence = forms.FileField(label="佐证材料(可选,10 MB 以内)", required=False)
