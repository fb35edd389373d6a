"""The forms of 前置审查: a site application (the township) and a review (自然资源 / 水利). The rules live in
`services`; a refused form is shown again with each error beside its field."""
from django import forms
from django.utils import timezone

from xiangcun.core.forms import DateField
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.forms import UnitChoice
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import Application, Outcome


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            continue
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


class ApplicationForm(forms.ModelForm):
    village = UnitChoice(queryset=Division.objects.none(), label="所在村(社区)")
    case_number = forms.CharField(label="关联代办件受理编号", max_length=30, required=False,
                                  help_text="宅基地建房代办件的受理编号(可不填);关联后该件须在本申请批准后才能办结")

    class Meta:
        model = Application
        fields = ["name", "kind", "applicant", "village", "lon", "lat", "address", "floor_area", "note"]
        widgets = {"lon": forms.NumberInput(attrs={"step": "0.000001"}), "lat": forms.NumberInput(attrs={"step": "0.000001"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = Division.objects.visible_to(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE), valid_to__isnull=True)
        self.fields["village"].queryset = units.filter(level=Level.VILLAGE)
        self.fields["village"].in_tree_order(units)
        self.fields["lon"].help_text = "WGS 84 经度,如 102.2065;选址须在本乡镇范围内"
        self.fields["lat"].help_text = "WGS 84 纬度,如 31.9048"
        _style(self)

    def clean_case_number(self):
        from xiangcun.services.models import Case

        number = (self.cleaned_data.get("case_number") or "").strip()
        if not number:
            return None
        case = Case.objects.visible_to(self.user).select_related("item", "village").filter(number=number).first()
        if case is None:
            raise forms.ValidationError(f"找不到受理编号为 {number} 的代办件(或不在您的管辖范围内)")
        return case


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="审查结论", choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="理由或条件", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="不通过须写明原因,有条件通过须写明条件")
    reviewer = forms.CharField(label="审查人", max_length=50)
    reviewed_on = DateField(label="审查日期", validators=[sensible_date])

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {"reviewer": str(user) if user else "", "reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _style(self)


class ApproveForm(forms.Form):
    note = forms.CharField(label="批准意见", max_length=300, required=False)
