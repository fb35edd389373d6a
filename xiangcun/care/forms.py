"""Forms of the care registry; the rules live in `services` (all of a record's errors at once, beside their fields)."""
import datetime as dt

from django import forms

from xiangcun.core import validators
from xiangcun.core.forms import DateInput
from xiangcun.divisions.forms import UnitChoice
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import EndReason, Person, Referral, RiskLevel, Visit, Volunteer


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class PersonForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=15,
                                help_text="18 位,按 GB 11643 校验;出生日期和性别由它得出")
    village = UnitChoice(queryset=Division.objects.none(), label="村(社区)")

    class Meta:
        model = Person
        fields = ["name", "village", "group", "address", "guardian_name", "guardian_relation", "guardian_phone",
                  "is_left_behind_child", "is_child_in_difficulty", "difficulty_type", "is_disabled",
                  "disability_category", "disability_grade", "disability_card", "is_left_behind_elderly",
                  "is_extreme_poverty", "support_mode", "risk_level", "risk_reason", "carer_role", "carer_user",
                  "carer_volunteer", "registered_on"]
        widgets = {"registered_on": DateInput(), "name": forms.TextInput(), "address": forms.TextInput(),
                   "guardian_name": forms.TextInput(), "guardian_phone": forms.TextInput(),
                   "disability_card": forms.TextInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from xiangcun.accounts.models import User
        from xiangcun.divisions.scoping import scope_q

        villages = Division.objects.visible_to(user).filter(level=Level.VILLAGE, valid_to__isnull=True)
        self.fields["village"].queryset = villages
        self.fields["village"].in_tree_order(villages)
        self.fields["group"].queryset = Division.objects.visible_to(user).filter(level=Level.GROUP, valid_to__isnull=True)
        self.fields["carer_user"].queryset = User.objects.filter(is_active=True).filter(
            scope_q(user, "jurisdiction__path")).order_by("username")
        self.fields["carer_volunteer"].queryset = Volunteer.objects.visible_to(user).filter(active=True)
        self.fields["name"].max_length = 30
        self.fields["address"].max_length = 200
        self.fields["guardian_name"].max_length = 30
        self.fields["guardian_phone"].max_length = 20
        self.fields["disability_card"].max_length = 30
        if self.instance.pk:
            self.fields["id_number"].initial = self.instance.id_number
        _style(self)

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if len(name) > 30:
            raise forms.ValidationError("姓名最多 30 字")
        return name

    def clean_guardian_phone(self):
        phone = (self.cleaned_data.get("guardian_phone") or "").strip()
        return validators.mobile(phone) if phone else ""

    def clean_id_number(self):
        return validators.id_number(self.cleaned_data["id_number"])


class EndForm(forms.Form):
    reason = forms.ChoiceField(label="退出原因", choices=EndReason.choices)
    when = forms.DateField(label="退出日期", widget=DateInput(), validators=[validators.sensible_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when > dt.date.today():
            raise forms.ValidationError("退出日期不能晚于今天")
        return when


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["date", "mode", "findings", "needs", "follow_up"]
        widgets = {"date": DateInput(), "findings": forms.Textarea(attrs={"rows": 3}),
                   "needs": forms.Textarea(attrs={"rows": 2}), "follow_up": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = dt.date.today()
        _style(self)


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["body", "need", "deadline"]
        widgets = {"deadline": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from xiangcun.bodies.models import Body

        self.fields["body"].queryset = Body.objects.visible_to(user).filter(valid_to__isnull=True).order_by("unit__path", "name")
        self.fields["deadline"].initial = dt.date.today() + dt.timedelta(days=15)
        _style(self)


class CloseReferralForm(forms.Form):
    outcome = forms.CharField(label="办理结果", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ExportForm(forms.Form):
    reason = forms.CharField(label="导出原因", min_length=4, max_length=200,
                             help_text="实名名单的每次导出都记入审计日志:写明用途,例如“报送市民政局季度核查”")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RuleForm(forms.Form):
    risk = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    days = forms.IntegerField(label="走访周期(天)", min_value=1, max_value=365)
    valid_from = forms.DateField(label="起始日期", widget=DateInput(), validators=[validators.sensible_date])
    note = forms.CharField(label="依据", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
