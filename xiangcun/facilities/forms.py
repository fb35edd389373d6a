"""Forms of the facilities module (Chinese labels come from the models)."""
from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.models import Division, Level

from . import rules
from .models import COHORTS, CandidateSite, Cohort, Facility, FacilityType, Model, TravelSetting

COST_MAX = 1e12  # person-minutes: far above any county's total, far below what breaks the solver


def _units(user, levels):
    return Division.objects.visible_to(user).current().filter(level__in=levels).order_by("path")


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["name", "type", "unit", "lon", "lat", "classes", "enrolment", "beds", "occupancy", "staff",
                  "condition", "built_year", "note"]

    def __init__(self, *args, user=None, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
        from .models import FAMILY_OF

        self.fields["type"].choices = [(v, label) for v, label in FacilityType.choices if FAMILY_OF[v] in families]


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [f for f, _ in COHORTS] + ["source"]


class CandidateForm(forms.ModelForm):
    class Meta:
        model = CandidateSite
        fields = ["name", "unit", "lon", "lat", "capacity", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user, (Level.TOWNSHIP, Level.VILLAGE))


class TravelForm(forms.ModelForm):
    roads_file = forms.FileField(label="导入道路网络(GeoJSON 线要素,属性 speed 或 highway/道路等级)", required=False)

    class Meta:
        model = TravelSetting
        fields = ["mode", "detour", "speed_kmh", "access_speed_kmh"]

    def clean_detour(self):
        v = self.cleaned_data["detour"]
        if v < 1:
            raise forms.ValidationError("绕行系数不能小于 1")
        return v


class RuleForm(forms.Form):
    key = forms.ChoiceField(label="规则", choices=[(k, v[0]) for k, v in rules.RULES.items()])
    value = forms.DecimalField(label="新取值", min_value=0, max_digits=12, decimal_places=3)
    valid_from = forms.DateField(label="起始日期", widget=DateInput, validators=[sensible_date])
    note = forms.CharField(label="依据", max_length=200, required=False)


class FacilitySelect(forms.SelectMultiple):
    """Facilities to pick, each option marked with its type (data-type), so that the page offers only the
    chosen service's facilities when the service changes (scenario_form.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-type"] = instance.type
        return option


class ScenarioForm(forms.Form):
    name = forms.CharField(label="方案名称", max_length=100)
    service = forms.ChoiceField(label="服务类别", choices=[(k, s.label) for k, s in rules.SERVICES.items()])
    scope = forms.ModelChoiceField(label="范围", queryset=Division.objects.none())
    model = forms.ChoiceField(label="模型", choices=Model.choices)
    year = forms.IntegerField(label="人口年度", min_value=2000, max_value=2100)
    max_travel = forms.FloatField(label="最大出行时间 T(分钟)", min_value=1, max_value=24 * 60, required=False,
                                  help_text="撤并和覆盖模型使用;留空取规则中的出行时间标准")
    class_limit = forms.IntegerField(label="班额上限(人/班)", min_value=10, max_value=80, required=False,
                                     help_text="学校容量 = 班级数 × 班额上限;留空取标准班额")
    p = forms.IntegerField(label="新增/设施数 p", min_value=1, max_value=1000, required=False, initial=1,
                           help_text="新增模型:新增几处;最大覆盖模型:共设几处(村卫生室方案中卫生院另计)")
    keep_cost = forms.FloatField(label="每保留一处的成本(折合人·分钟)", min_value=0, max_value=COST_MAX, required=False,
                                 initial=3000)
    build_cost = forms.FloatField(label="每新建一处的成本(折合人·分钟)", min_value=0, max_value=COST_MAX, required=False,
                                  initial=20000)
    expand_units = forms.IntegerField(label="可扩建班级/床位", min_value=0, max_value=1000, required=False, initial=6)
    expand_cost = forms.FloatField(label="扩建成本(折合人·分钟)", min_value=0, max_value=COST_MAX, required=False,
                                   initial=5000)
    must_keep = forms.ModelMultipleChoiceField(label="必须保留", queryset=Facility.objects.none(), required=False,
                                               widget=FacilitySelect, help_text="只列出所选服务类别的设施")
    must_close = forms.ModelMultipleChoiceField(label="必须撤并", queryset=Facility.objects.none(), required=False,
                                                widget=FacilitySelect, help_text="只列出所选服务类别的设施")
    candidates = forms.ModelMultipleChoiceField(label="候选站点(含闲置资产)", queryset=CandidateSite.objects.none(), required=False)
    single_source = forms.BooleanField(label="每个村只去一处", required=False, initial=True)
    time_limit = forms.IntegerField(label="求解时限(秒)", min_value=1, max_value=600, initial=20)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = _units(user, (Level.COUNTY, Level.TOWNSHIP))
        # the facilities a plan may keep or close: the service's own types (the fixed ones it leaves alone);
        # all services' are listed for the page to switch between, a choice outside the service is refused
        own = sorted({t for s in rules.SERVICES.values() for t in s.types})
        facilities = (Facility.objects.visible_to(user).filter(type__in=own).select_related("unit")
                      .order_by("type", "unit__path", "name"))
        self.fields["must_keep"].queryset = facilities
        self.fields["must_close"].queryset = facilities
        self.service_types = {k: list(s.types) for k, s in rules.SERVICES.items()}
        self.fields["candidates"].queryset = CandidateSite.objects.visible_to(user).select_related("unit")
        for name in ("must_keep", "must_close", "candidates"):
            self.fields[name].label_from_instance = lambda o: f"{o.unit.name} · {o.name}"

    def clean(self):
        data = super().clean()
        keep, close = set(data.get("must_keep") or []), set(data.get("must_close") or [])
        if data.get("service"):
            service = rules.service_of(data["service"])
            for name in ("must_keep", "must_close"):
                other = [f for f in data.get(name) or [] if f.type not in service.types]
                fixed = [f for f in other if f.type in service.fixed]
                if fixed:  # the same words as the planner's own check (planning.solve)
                    self.add_error(name, f"{service.fixed_label}在{service.label}方案中只计入覆盖、不作调整,不能列为"
                                   + ("必须撤并:" if name == "must_close" else "必须保留:")
                                   + "、".join(f.name for f in fixed))
                    other = [f for f in other if f not in fixed]
                if other:
                    self.add_error(name, "、".join(f"{f.name}({f.get_type_display()})" for f in other)
                                   + f"不属于“{service.label}”,请只选{service.type_label}")
        if keep & close:
            raise forms.ValidationError("同一设施不能既必须保留又必须撤并:" + "、".join(f.name for f in keep & close))
        return data

    def params(self) -> dict:
        d = self.cleaned_data
        service = rules.service_of(d["service"])
        out = {"max_travel": d["max_travel"] or rules.reach(service),
               "class_limit": d["class_limit"] or rules.class_limit(service),
               "p": d["p"] or 1, "must_keep": [f.pk for f in d["must_keep"]], "must_close": [f.pk for f in d["must_close"]],
               "candidates": [c.pk for c in d["candidates"]], "single_source": d["single_source"],
               "time_limit": d["time_limit"] or 20}
        for k in ("keep_cost", "build_cost", "expand_units", "expand_cost"):
            if d.get(k) is not None:
                out[k] = d[k]
        return out
