"""Forms of the convenience-services module: a service point, a new item list. The rules (what a point
may serve, which unit type fits which unit) live in services.py; the forms show them per field."""
from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.models import Division, Level

from . import item_lists, service_network
from .models import ServiceItem, ServicePoint, UnitType


def _unit_label(unit: Division) -> str:
    parent = unit.parent.name + " · " if unit.level == Level.VILLAGE and unit.parent_id else ""
    return f"{parent}{unit.name}" + ("(已撤并)" if unit.valid_to else "")


def current_villages(user):
    """The current villages in `user`'s scope, by township: what a point may serve."""
    return (Division.objects.visible_to(user).current().filter(level=Level.VILLAGE)
            .select_related("parent").order_by("path"))


class PointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "kind", "unit", "address", "lon", "lat", "opening_hours", "staff", "staff_count",
                  "villages", "note"]
        help_texts = {"lon": "东经,WGS 84,如 102.2067", "lat": "北纬,WGS 84,如 31.9058",
                      "villages": "只能选网点所在乡镇(街道)的村(社区)"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # townships and villages in scope; abolished ones too (stations and points kept after a merger)
        units = (Division.objects.visible_to(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
                 .select_related("parent").order_by("path"))
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["villages"].queryset = current_villages(user)
        self.fields["villages"].required = False
        self.fields["villages"].widget = forms.CheckboxSelectMultiple()

    def village_groups(self):
        """[(township, [(village, checked)])] for the served-villages checklist, the point's township first."""
        chosen = {str(v) for v in (self["villages"].value() or [])}
        groups: dict = {}
        for v in self.fields["villages"].queryset:
            groups.setdefault(v.parent, []).append((v, str(v.pk) in chosen))
        if self.is_bound:
            unit = getattr(self, "cleaned_data", {}).get("unit")
        else:
            unit = self.instance.unit if self.instance.unit_id else None
        home = {t.pk for t in service_network.point_townships(unit)} if unit is not None else set()
        return sorted(((t, rows, t.pk in home or any(c for _, c in rows)) for t, rows in groups.items()),
                      key=lambda g: (not g[2], g[0].path))

    def clean(self):
        data = super().clean()  # a field Django already refused keeps its own message
        problems = service_network.point_problems(self.user, kind=data.get("kind", ""), unit=data.get("unit"),
                                           lon=data.get("lon"), lat=data.get("lat"), villages=data.get("villages") or [],
                                           name=data.get("name") or "", pk=self.instance.pk)
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class ListForm(forms.Form):
    name = forms.CharField(label="清单名称", max_length=100, error_messages={"required": "请填写清单名称"},
                           help_text="如 马尔康市村(社区)便民服务事项清单;同名清单的后续调整请发布新版本")
    unit_type = forms.ChoiceField(label="适用单位类型", choices=UnitType.choices)
    unit = forms.ModelChoiceField(label="适用单位", queryset=Division.objects.none(), required=False,
                                  help_text="选一个乡镇(街道)或村(社区)为其单独编制;选县(市)则辖区内该类单位通用")
    effective_from = forms.DateField(label="生效日期", widget=DateInput,
                                     validators=[sensible_date],
                                     error_messages={"required": "请填写生效日期", "invalid": "生效日期应写作 YYYY-MM-DD"})
    document = forms.CharField(label="发布文号", max_length=100, required=False)
    items = forms.ModelMultipleChoiceField(label="事项", queryset=ServiceItem.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="可暂不选,之后用事项导入(“所属清单”列)或发布新版本添加")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = (Division.objects.visible_to(user).current()
                 .filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)).select_related("parent")
                 .order_by("path"))
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = (
            lambda u: f"{u.name}(辖区内该类单位通用)" if u.level < Level.TOWNSHIP else _unit_label(u))
        if getattr(user, "sees_everything", False):
            self.fields["unit"].empty_label = "不限地区(通用)"
        else:
            self.fields["unit"].empty_label = "请选择"
            county = units.filter(level=Level.COUNTY).first()
            self.fields["unit"].initial = county.pk if county else None
        self.fields["items"].queryset = ServiceItem.objects.filter(is_active=True).order_by("category", "code")

    def clean(self):
        data = super().clean()  # a field Django already refused keeps its own message
        problems = item_lists.list_problems(self.user, name=data.get("name", ""), unit_type=data.get("unit_type", ""),
                                          unit=data.get("unit"))
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

