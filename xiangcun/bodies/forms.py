"""The form of a body (机构); the rules live in the model's validation and `services.save_body`."""
from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.divisions.forms import UnitChoice
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import Body


class BodyForm(forms.ModelForm):
    unit = UnitChoice(queryset=Division.objects.none(), label="所属区划")

    class Meta:
        model = Body
        fields = ["name", "short_name", "kind", "unit", "parent", "credit_code", "valid_from", "valid_to", "successor", "note"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Division.objects.visible_to(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
                                                         valid_to__isnull=True)
        self.fields["unit"].queryset = units
        self.fields["unit"].in_tree_order(units)
        bodies = Body.objects.visible_to(user).select_related("unit")
        if self.instance.pk:
            bodies = bodies.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = bodies.filter(valid_to__isnull=True)
        self.fields["successor"].queryset = bodies.filter(valid_to__isnull=True)
        self.fields["credit_code"].help_text = "18 位,可不填;填写时按 GB 32100 校验"
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean_credit_code(self):
        from xiangcun.core.validators import credit_code

        value = (self.cleaned_data.get("credit_code") or "").strip()
        return credit_code(value) if value else ""

    def clean(self):
        data = super().clean()
        parent, unit = data.get("parent"), data.get("unit")
        if parent and unit and not unit.path.startswith(parent.unit.path):
            self.add_error("parent", f"上级机构“{parent.name}”属于{parent.unit.name},不在所属区划{unit.name}之上")
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "撤销日期不能早于成立日期")
        if data.get("successor") and not data.get("valid_to"):
            self.add_error("successor", "只有已撤销的机构才有承接机构,请同时填写撤销日期")
        return data
