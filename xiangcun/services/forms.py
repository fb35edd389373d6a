"""Forms of the convenience-services module: a new item list. The rules (which unit type fits which
unit) live in services.py; the form shows them per field."""
from django import forms

from xiangcun.divisions.models import Division, Level

from . import services
from .models import ServiceItem, UnitType


def _unit_label(unit: Division) -> str:
    parent = unit.parent.name + " · " if unit.level == Level.VILLAGE and unit.parent_id else ""
    return f"{parent}{unit.name}" + ("(已撤并)" if unit.valid_to else "")


class ListForm(forms.Form):
    name = forms.CharField(label="清单名称", max_length=100, error_messages={"required": "请填写清单名称"},
                           help_text="如 马尔康市村(社区)便民服务事项清单;同名清单的后续调整请发布新版本")
    unit_type = forms.ChoiceField(label="适用单位类型", choices=UnitType.choices)
    unit = forms.ModelChoiceField(label="适用单位", queryset=Division.objects.none(), required=False,
                                  help_text="选一个乡镇(街道)或村(社区)为其单独编制;选县(市)则辖区内该类单位通用")
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}),
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
        problems = services.list_problems(self.user, name=data.get("name", ""), unit_type=data.get("unit_type", ""),
                                          unit=data.get("unit"))
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

